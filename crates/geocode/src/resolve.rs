//! Choosing one place per name from context, and deciding whether a name is a place at all.
//!
//! Candidates are scored by a prior (feature type and population), then by the document: the
//! countries and demonyms it names, the first-level divisions it names, a qualifier right after the
//! name ("Vesele, Donetsk region"), places nearby that other names resolved to, the publisher's
//! country. A mention is kept when its cues (see `recognise`) and its best candidate say place:
//! a village named once, alone at a sentence start, needs more evidence than a capital.
//! One name keeps one sense through a document.

use std::collections::HashMap;

use model::{CountryCode, Feature, GazetteerEntry, GeoPoint, Toponym};

use crate::index::Cand;
use crate::recognise::{Cues, Mention};
use crate::tokens::Token;
use crate::{Gazetteer, GeoContext, name_key};

/// Switches for measuring what each part of the recogniser and resolver contributes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tuning {
    /// Apply the cue filters (stop lists, capitalisation, person names, evidence for small places).
    pub filters: bool,
    /// Use the rest of the document (countries, divisions, nearby places) to resolve names.
    pub context: bool,
    /// Populated places smaller than this need evidence beyond their name to count.
    pub small_place: u64,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            filters: true,
            context: true,
            small_place: 5_000,
        }
    }
}

/// Populations at or above this make a place well known enough to be named without context.
const BIG_PLACE: u64 = 100_000;

fn log_pop(p: u64) -> f64 {
    ((p as f64) + 1.0).log10()
}

/// Score of a candidate before context.
fn prior(gaz: &Gazetteer, e: &GazetteerEntry, cand: Cand) -> f64 {
    let capital = if e.feature == Feature::City && gaz.stop.capitals.contains(&e.geonameid) {
        10.0
    } else {
        0.0
    };
    capital + prior_of_kind(e, cand)
}

fn prior_of_kind(e: &GazetteerEntry, cand: Cand) -> f64 {
    let base = match e.feature {
        Feature::Country => 65.0,
        Feature::Region => 58.0,
        Feature::Admin1 => 18.0 + 1.5 * log_pop(e.population),
        Feature::Admin2 => 8.0 + 2.0 * log_pop(e.population),
        Feature::Landmark => 25.0,
        Feature::City => 5.0 + 4.0 * log_pop(e.population),
    };
    let alt_penalty = if cand.alt() && matches!(e.feature, Feature::City | Feature::Admin2) {
        if e.population < 1_000 {
            10.0
        } else if e.population < BIG_PLACE {
            8.0
        } else {
            3.0
        }
    } else {
        0.0
    };
    base - alt_penalty
}

fn is_big(e: &GazetteerEntry) -> bool {
    matches!(
        e.feature,
        Feature::Country | Feature::Region | Feature::Admin1
    ) || e.population >= BIG_PLACE
}

/// A place another mention of the document resolved to.
#[derive(Debug, Clone)]
struct Anchor {
    key: u64,
    point: GeoPoint,
}

/// The names (key hashes) a fact came from: the first, and whether another name gave it too.
/// Enough to ask "did a name other than this one say so?" in constant time.
#[derive(Debug, Clone, Copy)]
struct Sources {
    first: u64,
    more: bool,
}

impl Sources {
    fn add(&mut self, key: u64) {
        if key != self.first {
            self.more = true;
        }
    }
    fn other_than(self, key: u64) -> bool {
        self.more || self.first != key
    }
}

fn note<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Sources>, fact: K, key: u64) {
    map.entry(fact)
        .and_modify(|s| s.add(key))
        .or_insert(Sources {
            first: key,
            more: false,
        });
}

/// Anchors up to this many are scanned; beyond it they are looked up in a grid of 1° cells, so
/// a long document with thousands of places stays linear.
const ANCHOR_SCAN: usize = 64;

/// Distances beyond this give no support (see the score's distance steps).
const SUPPORT_KM: f64 = 500.0;

/// What the document says about where it is. Every fact remembers the names it came from, so a
/// name is never its own evidence.
#[derive(Debug, Default, Clone)]
struct DocContext {
    countries: HashMap<CountryCode, Sources>,
    /// Divisions named: (country, admin-1 key).
    admin1: HashMap<(Option<CountryCode>, String), Sources>,
    anchors: Vec<Anchor>,
    /// (name, point) of the anchors, so a name repeated adds its place once.
    anchored: std::collections::HashSet<(u64, u64, u64)>,
    /// Anchors by 1° cell of (latitude, longitude).
    grid: HashMap<(i32, i32), Vec<usize>>,
    /// Countries and (country, admin-1 key) of the anchors, for `contains`.
    anchor_countries: HashMap<Option<CountryCode>, Sources>,
    anchor_admin1: HashMap<(Option<CountryCode>, String), Sources>,
    /// (name, point) of mentions a qualifier placed ("Martuni district of Nagorno-Karabakh"):
    /// evidence for the other mentions of the same name, which `anchors` never are.
    qualified: HashMap<u64, Vec<GeoPoint>>,
}

fn cell(p: GeoPoint) -> (i32, i32) {
    // Casts: latitudes and longitudes are within ±180, which fit i32.
    (p.lat().floor() as i32, p.lon().floor() as i32)
}

impl DocContext {
    fn country(&self, e: &GazetteerEntry, key: u64) -> bool {
        e.country
            .and_then(|c| self.countries.get(&c))
            .is_some_and(|s| s.other_than(key))
    }
    fn admin1(&self, e: &GazetteerEntry, key: u64) -> bool {
        if e.feature == Feature::Admin1 || e.admin1.is_empty() || self.admin1.is_empty() {
            return false;
        }
        self.admin1
            .get(&(e.country, name_key(&e.admin1)))
            .is_some_and(|s| s.other_than(key))
    }
    fn add_admin1(&mut self, e: &GazetteerEntry, key: u64) {
        note(&mut self.admin1, (e.country, name_key(&e.admin1)), key);
    }
    /// A mention of the same name, placed by its qualifier, lies within 50 km.
    fn placed_by_qualifier(&self, key: u64, p: GeoPoint) -> bool {
        self.qualified
            .get(&key)
            .is_some_and(|points| points.iter().any(|q| q.distance_km(p) < 50.0))
    }
    fn add_qualified(&mut self, key: u64, p: GeoPoint) {
        let points = self.qualified.entry(key).or_default();
        if points.len() < 8 && !points.contains(&p) {
            points.push(p);
        }
    }
    /// Distance to the nearest anchor of another name; infinite when none lies within
    /// [`SUPPORT_KM`] (farther ones give no support).
    fn nearest_km(&self, key: u64, p: GeoPoint) -> f64 {
        let other = |a: &&Anchor| a.key != key;
        if self.anchors.len() <= ANCHOR_SCAN {
            return self
                .anchors
                .iter()
                .filter(other)
                .map(|a| a.point.distance_km(p))
                .fold(f64::INFINITY, f64::min);
        }
        // 500 km is under 4.5° of latitude, so six 1° cells each way cover it wherever the point
        // lies in its cell; of longitude, that divided by the cosine of the latitude.
        let (la, lo) = cell(p);
        let cos = p.lat().abs().min(80.0).to_radians().cos();
        // Casts: the spans are small positive numbers of degrees.
        let dlon = ((SUPPORT_KM / 111.0 / cos).ceil() as i32 + 1).min(180);
        let mut nearest = f64::INFINITY;
        for dla in -6..=6 {
            for dlo in -dlon..=dlon {
                let lon_cell = (lo + dlo + 180).rem_euclid(360) - 180;
                let Some(ids) = self.grid.get(&(la + dla, lon_cell)) else {
                    continue;
                };
                for a in ids.iter().map(|&i| &self.anchors[i]).filter(other) {
                    nearest = nearest.min(a.point.distance_km(p));
                    if nearest < 50.0 {
                        return nearest;
                    }
                }
            }
        }
        nearest
    }
    /// Another name of the document lies inside this country or division.
    fn contains(&self, e: &GazetteerEntry, key: u64) -> bool {
        let source = match e.feature {
            Feature::Country => self.anchor_countries.get(&e.country),
            Feature::Admin1 => self
                .anchor_admin1
                .get(&(e.country, name_key(&e.admin1)))
                .filter(|_| !e.admin1.is_empty()),
            _ => None,
        };
        source.is_some_and(|s| s.other_than(key))
    }
    fn add_country(&mut self, c: Option<CountryCode>, key: u64) {
        if let Some(c) = c {
            note(&mut self.countries, c, key);
        }
    }
    fn add_anchor(&mut self, e: &GazetteerEntry, key: u64) {
        if !self
            .anchored
            .insert((key, e.point.lat().to_bits(), e.point.lon().to_bits()))
        {
            return;
        }
        let i = self.anchors.len();
        self.anchors.push(Anchor {
            key,
            point: e.point,
        });
        self.grid.entry(cell(e.point)).or_default().push(i);
        note(&mut self.anchor_countries, e.country, key);
        let admin1 = name_key(&e.admin1);
        if !admin1.is_empty() {
            note(&mut self.anchor_admin1, (e.country, admin1), key);
        }
    }
}

struct Choice {
    cand: Cand,
    score: f64,
    /// How far ahead of the next candidate naming another place.
    margin: f64,
}

pub(crate) fn resolve(
    gaz: &Gazetteer,
    text: &str,
    toks: &[Token],
    mentions: Vec<Mention<'_>>,
    ctx: &GeoContext,
    mut trace: Option<&mut Vec<String>>,
) -> Vec<Toponym> {
    let tuning = gaz.tuning;
    // A list after a locative word is all locative: "near Lyman, Marinka and Vuhledar".
    let mut mentions = mentions;
    for i in 1..mentions.len() {
        let gap = &text[mentions[i - 1].span.end..mentions[i].span.start];
        if mentions[i - 1].cues.locative_before
            && matches!(gap, ", " | " and " | ", and " | " or " | ", or ")
        {
            mentions[i].cues.locative_before = true;
        }
    }
    // Names the document uses for people: after a given name or a title somewhere in it.
    let persons: std::collections::HashSet<u64> = mentions
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            let after_place = *i > 0 && mentions[i - 1].end == m.first;
            let division = m.cands.iter().any(|c| {
                matches!(
                    gaz.entries[c.entry()].feature,
                    Feature::Country | Feature::Admin1
                )
            });
            let big = m
                .cands
                .iter()
                .any(|c| is_big(&gaz.entries[c.entry()]) && !c.alt());
            let huge = m
                .cands
                .iter()
                .any(|c| gaz.entries[c.entry()].population >= 1_000_000 && !c.alt());
            m.words == 1
                && !division
                && !huge
                && (m.cues.given_name_before
                    || m.cues.title_before
                    || (m.cues.glued_before && !after_place && !big))
        })
        .map(|(_, m)| m.key_hash)
        .collect();
    // Hard rejections that no context can undo.
    let mentions: Vec<Mention<'_>> = mentions
        .into_iter()
        .filter(|m| {
            let reject = if tuning.filters {
                hard_reject(gaz, text, toks, m)
            } else {
                None
            };
            if let Some(why) = reject
                && let Some(t) = trace.as_deref_mut()
            {
                t.push(format!(
                    "[{},{}) {:?} rejected: {why} {:?}",
                    m.span.start,
                    m.span.end,
                    &text[m.span.start..m.span.end],
                    m.cues
                ));
            }
            reject.is_none()
        })
        .collect();
    let qualifiers: Vec<Option<usize>> = (0..mentions.len())
        .map(|i| qualifier_after(gaz, text, &mentions, i))
        .collect();
    // A name in a qualifier's slot names the division when there is one.
    let mut mentions = mentions;
    for i in 0..mentions.len() {
        let division = mentions[i].cands.iter().any(|c| {
            matches!(
                gaz.entries[c.entry()].feature,
                Feature::Admin1 | Feature::Admin2 | Feature::Region
            )
        });
        let slot = qualified(&qualifiers, i) || mentions[i].cues.after_name_comma;
        mentions[i].cues.qualifier_slot = slot && division && !in_list(text, &mentions, i);
    }
    let mentions = mentions;

    // Pass 1: priors alone, to learn what the document is about.
    let first: Vec<Choice> = mentions
        .iter()
        .map(|m| {
            best(
                gaz,
                text,
                m,
                |_| false,
                |e, c| prior(gaz, e, c) + admin_term_bonus(m, e),
            )
        })
        .collect();
    let mut doc = DocContext::default();
    if tuning.context {
        for (m, ch) in mentions.iter().zip(&first) {
            let e = &gaz.entries[ch.cand.entry()];
            if persons.contains(&m.key_hash) {
                continue;
            }
            let trusted = match e.feature {
                Feature::Country => !m.cues.person_name || m.cues.locative_before,
                Feature::Admin1 => !m.cues.glued_before && !m.cues.person_name,
                _ => false,
            };
            let confident = m.cands.len() == 1 || ch.margin >= 15.0 || e.population >= 1_000_000;
            if trusted || (confident && e.feature == Feature::City && !m.cues.person_name) {
                doc.add_country(e.country, m.key_hash);
            }
            if trusted && e.feature == Feature::Admin1 {
                doc.add_admin1(e, m.key_hash);
            }
            if e.feature != Feature::Country && confident && !m.cues.glued_after {
                doc.add_anchor(e, m.key_hash);
            }
        }
        if let Some(c) = ctx.publisher_country {
            doc.add_country(Some(c), 0);
        }
    }

    // Pass 2: with the document as context.
    let score = |i: usize, m: &Mention<'_>, doc: &DocContext, e: &GazetteerEntry, c: Cand| {
        let mut s = prior(gaz, e, c) + admin_term_bonus(m, e);
        if !tuning.context {
            return s;
        }
        let key = m.key_hash;
        if doc.country(e, key) {
            s += 30.0;
        }
        if doc.admin1(e, key) {
            s += 25.0;
        }
        if doc.contains(e, key) {
            s += 25.0;
        }
        if let Some(q) = qualifiers[i] {
            s += qualifier_bonus(gaz, e, &mentions[q]);
        } else if doc.placed_by_qualifier(key, e.point) {
            s += 40.0;
        }
        if e.feature != Feature::Country {
            let d = doc.nearest_km(key, e.point);
            s += if d < 50.0 {
                25.0
            } else if d < 150.0 {
                15.0
            } else if d < 500.0 {
                5.0
            } else {
                0.0
            };
        }
        s
    };
    let second: Vec<Choice> = mentions
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let local = |e: &GazetteerEntry| {
                qualifiers[i].is_some_and(|q| qualifier_bonus(gaz, e, &mentions[q]) > 0.0)
                    || doc.admin1(e, m.key_hash)
            };
            best(gaz, text, m, local, |e, c| score(i, m, &doc, e, c))
        })
        .collect();

    // Which mentions are places.
    let verdicts: Vec<Result<(), &'static str>> = mentions
        .iter()
        .zip(&second)
        .enumerate()
        .map(|(i, (m, ch))| {
            let q = qualifiers[i].is_some() || qualified(&qualifiers, i);
            let person = persons.contains(&m.key_hash) && !m.cues.locative_before && !q;
            let outside = qualifiers[i].is_some_and(|k| {
                let named = &mentions[k];
                let e = &gaz.entries[ch.cand.entry()];
                // Only a larger division that ends the phrase confines the place: not the next
                // item of a list ("Tamil Nadu, Karnataka, Kerala", "Becker, Clay, Douglas"), not
                // a name of the same rank or larger ("Israel, Clinton").
                let list = in_list(text, &mentions, k);
                let smaller = named
                    .cands
                    .iter()
                    .any(|c| rank(gaz.entries[c.entry()].feature) > rank(e.feature));
                named.cues.qualifier_slot
                    && smaller
                    && !list
                    && qualifier_bonus(gaz, e, named) == 0.0
            });
            if !tuning.filters {
                Ok(())
            } else if person {
                Err("a person's name in this document")
            } else if outside {
                // "Pavlivka, Sumy" with no Pavlivka known in Sumy oblast: not the Pavlivka of
                // another region; the qualifier alone locates the event.
                Err("no place of this name in the division that qualifies it")
            } else {
                is_place(gaz, &tuning, m, ch, &doc, q)
            }
        })
        .collect();
    // A name the document shows to be a place somewhere ("in Mansfield") is a place wherever it
    // has no sign of a person of its own.
    let confirmed: std::collections::HashSet<u64> = mentions
        .iter()
        .zip(&verdicts)
        .enumerate()
        .filter(|(i, (m, v))| {
            let c = &m.cues;
            v.is_ok()
                && (c.locative_before
                    || c.admin_term
                    || c.institution_after
                    || qualifiers[*i].is_some()
                    || qualified(&qualifiers, *i))
        })
        .map(|(_, (m, _))| m.key_hash)
        .collect();
    let verdicts: Vec<Result<(), &'static str>> = mentions
        .iter()
        .zip(verdicts)
        .map(|(m, v)| match v {
            Err(
                "person name"
                | "common word"
                | "common word at sentence start"
                | "small place without support"
                | "alternate name of a small place"
                | "small place at sentence start",
            ) if tuning.filters
                && confirmed.contains(&m.key_hash)
                && !m.cues.given_name_before
                && !m.cues.glued_before
                && !m.cues.glued_after =>
            {
                Ok(())
            }
            v => v,
        })
        .collect();
    let keep: Vec<bool> = verdicts.iter().map(Result::is_ok).collect();

    // Pass 3: the places kept so far are the context of each other.
    let second: Vec<Choice> = if tuning.context {
        let mut doc3 = DocContext {
            countries: doc.countries.clone(),
            admin1: doc.admin1.clone(),
            ..DocContext::default()
        };
        for (i, ((m, ch), k)) in mentions.iter().zip(&second).zip(&keep).enumerate() {
            let e = &gaz.entries[ch.cand.entry()];
            if *k && qualifiers[i].is_some() {
                doc3.add_qualified(m.key_hash, e.point);
            }
            if *k && e.feature != Feature::Country {
                doc3.add_anchor(e, m.key_hash);
            }
            if *k && e.feature == Feature::Admin1 {
                doc3.add_admin1(e, m.key_hash);
            }
            if *k {
                doc3.add_country(e.country, m.key_hash);
            }
        }
        mentions
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let local = |e: &GazetteerEntry| {
                    qualifiers[i].is_some_and(|q| qualifier_bonus(gaz, e, &mentions[q]) > 0.0)
                        || doc3.admin1(e, m.key_hash)
                };
                best(gaz, text, m, local, |e, c| score(i, m, &doc3, e, c))
            })
            .collect()
    } else {
        second
    };

    // One sense per discourse: every kept mention of a name takes the best-supported sense
    // ("Kharkiv region" and "Kharkiv" are two names).
    let mut sense: HashMap<(u64, bool), (Cand, f64)> = HashMap::new();
    for ((m, ch), k) in mentions.iter().zip(&second).zip(&keep) {
        if !*k {
            continue;
        }
        let entry = sense
            .entry((m.key_hash, m.cues.admin_term))
            .or_insert((ch.cand, f64::MIN));
        if ch.score > entry.1 {
            *entry = (ch.cand, ch.score);
        }
    }
    if let Some(t) = trace {
        for ((m, ch), v) in mentions.iter().zip(&second).zip(&verdicts) {
            let e = &gaz.entries[ch.cand.entry()];
            t.push(format!(
                "[{},{}) {:?} {} {} {} {} pop {} score {:.1} of {} candidates {:?}",
                m.span.start,
                m.span.end,
                &text[m.span.start..m.span.end],
                match v {
                    Ok(()) => "KEPT".to_string(),
                    Err(why) => format!("dropped: {why}:"),
                },
                e.name,
                e.country.map(|c| c.to_string()).unwrap_or_default(),
                e.feature,
                e.population,
                ch.score,
                m.cands.len(),
                m.cues
            ));
        }
    }
    let mut out = Vec::with_capacity(mentions.len());
    for ((m, ch), k) in mentions.iter().zip(&second).zip(&keep) {
        if !*k {
            continue;
        }
        let mut cand = sense
            .get(&(m.key_hash, m.cues.admin_term))
            .map_or(ch.cand, |s| s.0);
        // The sense chosen elsewhere keeps this mention's demonym reading.
        if cand.entry() == ch.cand.entry() {
            cand = ch.cand;
        }
        out.push(toponym(gaz, text, m, cand));
    }
    out
}

/// The best candidate of a mention under `score`; ties go to the larger population, then the
/// lower geonameid.
fn best(
    gaz: &Gazetteer,
    text: &str,
    m: &Mention<'_>,
    qualified_by_doc: impl Fn(&GazetteerEntry) -> bool,
    score: impl Fn(&GazetteerEntry, Cand) -> f64,
) -> Choice {
    // Written with diacritics: the places spelled exactly so ("Şuşa", not Susa).
    let used = &text[m.span.start..m.span.end];
    let marked = !used.is_ascii();
    let mut top: Option<Choice> = None;
    let mut runner_up = f64::MIN;
    // A name that is some place's main name is a weak alternate name of the others.
    // (Unless that place is far smaller: "Mykolayiv" is the city of Mykolaiv, not a village.)
    let main_pop = m
        .cands
        .iter()
        .filter(|c| !c.alt() && gaz.entries[c.entry()].feature == Feature::City)
        .map(|c| gaz.entries[c.entry()].population)
        .max();
    // A country's name: other places of that name need a reason beyond the document's country.
    let country_named = m
        .cands
        .iter()
        .any(|c| !c.demonym() && gaz.entries[c.entry()].feature == Feature::Country);
    let shouting = used.len() <= 4 && used.chars().all(|c| !c.is_lowercase());
    // A division named after its main town ("Tartar District", "Xankəndi"): the bare name
    // means the town.
    let divisions = !m.cues.admin_term
        && m.cands.iter().any(|c| {
            matches!(
                gaz.entries[c.entry()].feature,
                Feature::Admin1 | Feature::Admin2
            )
        });
    let town_of = |d: &GazetteerEntry, by_alt: bool| {
        m.cands.iter().any(|c| {
            let t = &gaz.entries[c.entry()];
            // The namesake is a town of the same standing of name, or the division's big city
            // ("New York" the city, not the state).
            t.feature == Feature::City
                && (!c.alt() || by_alt || t.population.saturating_mul(10) >= d.population)
                && t.country == d.country
                && match d.feature {
                    Feature::Admin1 => admin_matches(&t.admin1, &d.name),
                    _ => admin_matches(&t.admin2, &d.name),
                }
        })
    };
    for &c in m.cands {
        if c.bare()
            && !m.cues.admin_term
            && !m.cues.institution_after
            && !m.cues.locative_before
            && !m.cues.qualifier_slot
        {
            continue;
        }
        let e = &gaz.entries[c.entry()];
        let weak_alt = c.alt()
            && matches!(e.feature, Feature::City | Feature::Admin2)
            && main_pop.is_some_and(|p| p.saturating_mul(10) >= e.population);
        let mut s = score(e, c) - if weak_alt { 10.0 } else { 0.0 };
        if divisions
            && !m.cues.qualifier_slot
            && matches!(e.feature, Feature::Admin1 | Feature::Admin2)
            && town_of(e, c.alt())
        {
            // Also outweighs the support the town's own neighbours give the division.
            s -= 40.0;
        }
        if (marked || shouting) && (e.name == used || e.alt_names.iter().any(|a| a == used)) {
            s += 25.0;
        }
        if country_named
            && matches!(e.feature, Feature::City | Feature::Admin2)
            && !qualified_by_doc(e)
        {
            s -= 40.0;
        }
        if let Some(t) = &top
            && t.cand.entry() != c.entry()
        {
            runner_up = runner_up.max(s.min(t.score));
        }
        let better = match &top {
            None => true,
            Some(t) => {
                let te = &gaz.entries[t.cand.entry()];
                s > t.score
                    || (s == t.score
                        && (e.population, std::cmp::Reverse(e.geonameid), !c.alt())
                            > (
                                te.population,
                                std::cmp::Reverse(te.geonameid),
                                !t.cand.alt(),
                            ))
            }
        };
        if better {
            top = Some(Choice {
                cand: c,
                score: s,
                margin: 0.0,
            });
        }
    }
    // Invariant: the index never stores an empty candidate list.
    let mut top = top.unwrap_or(Choice {
        cand: m.cands[0],
        score: f64::MIN,
        margin: 0.0,
    });
    top.margin = if runner_up == f64::MIN {
        f64::INFINITY
    } else {
        top.score - runner_up
    };
    top
}

/// "Donetsk Oblast", "Idlib province": the division, not the city; and "Donetsk" qualifying the
/// name before it ("Pavlivka, Donetsk").
fn admin_term_bonus(m: &Mention<'_>, e: &GazetteerEntry) -> f64 {
    if !m.cues.admin_term && !m.cues.qualifier_slot {
        return 0.0;
    }
    match e.feature {
        Feature::Admin1 | Feature::Admin2 | Feature::Region => 40.0,
        _ => 0.0,
    }
}

/// Names that are never places, whatever the candidates.
fn hard_reject(
    gaz: &Gazetteer,
    text: &str,
    toks: &[Token],
    m: &Mention<'_>,
) -> Option<&'static str> {
    let c = &m.cues;
    let used = &text[m.span.start..m.span.end];
    let country_spelling = c.exact_case
        && m.cands
            .iter()
            .any(|k| gaz.entries[k.entry()].feature == Feature::Country);
    if m.words == 1 && gaz.stop.not_places.contains(toks[m.first].key.as_str()) {
        return (!country_spelling).then_some("not-places list");
    }
    if !c.admin_term
        && !c.institution_after
        && !c.locative_before
        && !c.after_name_comma
        && m.cands.iter().all(|k| k.bare())
    {
        return Some("division name without its term");
    }
    if m.words > 1 {
        let key: Vec<&str> = toks[m.first..m.first + m.words]
            .iter()
            .map(|t| t.key.as_str())
            .collect();
        if gaz.stop.not_places.contains(key.join(" ").as_str()) {
            return Some("not-places list");
        }
    }
    if c.short_caps && !c.exact_case {
        return Some("short capitals");
    }
    if used.chars().count() <= 2 && !c.exact_case {
        return Some("two letters");
    }
    if c.title_before {
        return Some("title before");
    }
    if c.names_pact {
        return Some("names a body or an agreement");
    }
    (c.speech_after && (c.person_name || c.glued_before)).then_some("speech verb after")
}

/// `Ok` when the evidence says this mention names a place, else the rule that says not.
fn is_place(
    gaz: &Gazetteer,
    tuning: &Tuning,
    m: &Mention<'_>,
    ch: &Choice,
    doc: &DocContext,
    qualified: bool,
) -> Result<(), &'static str> {
    let e = &gaz.entries[ch.cand.entry()];
    let c: &Cues = &m.cues;
    if ch.cand.demonym() {
        return Ok(());
    }
    // Evidence in the words around the name itself.
    let strong = qualified || c.locative_before || c.admin_term || c.institution_after;
    let support =
        strong || doc.admin1(e, m.key_hash) || doc.nearest_km(m.key_hash, e.point) < 150.0;
    // Whether the name is a well-known place's name, whichever place the document points to.
    let big = is_big(e)
        || m.cands
            .iter()
            .any(|k| !k.alt() && !k.bare() && is_big(&gaz.entries[k.entry()]));
    if c.person_name && !support && !(big && !c.glued_before && !c.glued_after) {
        return Err("person name");
    }
    if (c.glued_before || c.glued_after) && m.words == 1 && !big && !c.admin_term {
        return Err("part of a longer name");
    }
    if c.common_word {
        if c.sentence_start
            && !qualified
            && !matches!(e.feature, Feature::Country | Feature::Admin1)
        {
            return Err("common word at sentence start");
        }
        // ("Supreme Court", "Federal Reserve": an institution after a common word is no evidence.)
        if !(big || qualified || c.locative_before || c.admin_term) {
            return Err("common word");
        }
    }
    if c.dotted && !qualified && !c.abbreviation_slot {
        return Err("abbreviation without a place before");
    }
    let small =
        matches!(e.feature, Feature::City | Feature::Admin2) && e.population < tuning.small_place;
    let weak_name = ch.cand.alt() && matches!(e.feature, Feature::City) && e.population < 15_000;
    if weak_name && !strong {
        return Err("alternate name of a small place");
    }
    let start = c.sentence_start && e.population < 15_000 && e.feature == Feature::City;
    if (small || weak_name || start) && !support && !doc.country(e, m.key_hash) {
        return Err(if small {
            "small place without support"
        } else if weak_name {
            "alternate name of a small place"
        } else {
            "small place at sentence start"
        });
    }
    Ok(())
}

/// True when mention `i` is an item of a list of names rather than a qualifier of the one
/// before it: another name follows it after a comma or "and" ("Tamil Nadu, Karnataka, Kerala",
/// "Homs, Hama and the Damascus countryside"), or the name before it follows one after a comma.
fn in_list(text: &str, mentions: &[Mention<'_>], i: usize) -> bool {
    let tail = &text[mentions[i].span.end..];
    let more = [", ", " and ", ", and ", " or ", ", or "].iter().any(|g| {
        tail.strip_prefix(g).is_some_and(|rest| {
            rest.trim_start_matches("the ")
                .starts_with(char::is_uppercase)
        })
    });
    let before = i >= 2 && {
        let gap = &text[mentions[i - 2].span.end..mentions[i - 1].span.start];
        matches!(gap, ", " | " and " | ", and ")
    };
    more || before
}

/// How large a kind of place is, for telling a qualifier from the next item of a list.
fn rank(f: Feature) -> u8 {
    match f {
        Feature::City | Feature::Landmark => 0,
        Feature::Admin2 => 1,
        Feature::Admin1 | Feature::Region => 2,
        Feature::Country => 3,
    }
}

/// True when mention `i` is itself the qualifier of the mention before it ("Vesele, [Donetsk]").
fn qualified(qualifiers: &[Option<usize>], i: usize) -> bool {
    i > 0 && qualifiers[i - 1] == Some(i)
}

/// The mention right after this one that qualifies it: "Vesele, Donetsk region", "Barda, Azerbaijan".
fn qualifier_after(
    gaz: &Gazetteer,
    text: &str,
    mentions: &[Mention<'_>],
    i: usize,
) -> Option<usize> {
    let span = mentions[i].span;
    let next = mentions.get(i + 1)?;
    let gap = &text[span.end..next.span.start];
    // "the Martuni district of Nagorno-Karabakh": a division term, then "of".
    let qualifying = matches!(gap, ", " | " in " | " (" | ", in " | " in the " | ",")
        || (gap == " of " && mentions[i].cues.admin_term)
        || [
            " district of ",
            " region of ",
            " province of ",
            " area of ",
            " village of ",
        ]
        .iter()
        .any(|g| gap.ends_with(g) && gap.split_whitespace().count() <= 4);
    let divides = next.cands.iter().any(|c| {
        matches!(
            gaz.entries[c.entry()].feature,
            Feature::Country | Feature::Admin1 | Feature::Admin2 | Feature::Region
        )
    });
    (qualifying && divides).then_some(i + 1)
}

fn qualifier_bonus(gaz: &Gazetteer, e: &GazetteerEntry, q: &Mention<'_>) -> f64 {
    let mut bonus: f64 = 0.0;
    for c in q.cands {
        let qe = &gaz.entries[c.entry()];
        let b = match qe.feature {
            Feature::Admin1 if qe.country == e.country && admin_matches(&e.admin1, &qe.name) => {
                150.0
            }
            Feature::Admin2 if qe.country == e.country && admin_matches(&e.admin2, &qe.name) => {
                150.0
            }
            // A region within a country (Nagorno-Karabakh, Donbas) qualifies only its places.
            Feature::Region
                if qe.point.distance_km(e.point) < 150.0
                    && (qe.country.is_none() || qe.country == e.country) =>
            {
                120.0
            }
            Feature::Country if qe.country == e.country && e.feature != Feature::Country => 100.0,
            _ => 0.0,
        };
        bonus = bonus.max(b);
    }
    bonus
}

/// True when a place's division name matches a division's name ("Donetsk" and "Donetsk Oblast").
fn admin_matches(admin: &str, division: &str) -> bool {
    let norm = |s: &str| {
        let k = name_key(s);
        let words: Vec<&str> = k
            .split(' ')
            .filter(|w| !crate::stoplists::is_admin_term(w))
            .collect();
        words.join(" ")
    };
    !admin.is_empty() && norm(admin) == norm(division)
}

fn toponym(gaz: &Gazetteer, text: &str, m: &Mention<'_>, cand: Cand) -> Toponym {
    let e = &gaz.entries[cand.entry()];
    let span = m.span;
    Toponym {
        span,
        name: e.name.clone(),
        geonameid: e.geonameid,
        lat: e.point.lat(),
        lon: e.point.lon(),
        country: e.country,
        admin1: e.admin1.to_string(),
        admin2: e.admin2.to_string(),
        feature: e.feature,
        population: e.population,
        demonym: cand.demonym(),
        also_known_as: also_known_as(e, &text[span.start..span.end]),
        // "Martuni district" read as the town of Martuni: the text meant the district around it.
        district: m.cues.admin_term && matches!(e.feature, Feature::City | Feature::Landmark),
    }
}

/// Other names of the place, leaving out the one the text used, at most eight.
fn also_known_as(e: &GazetteerEntry, used: &str) -> Vec<String> {
    let used = name_key(used);
    let mut names: Vec<String> = Vec::new();
    let mut keys: Vec<String> = vec![used];
    for n in std::iter::once(&e.name).chain(e.alt_names.iter()) {
        let k = name_key(n);
        if keys.contains(&k) {
            continue;
        }
        keys.push(k);
        names.push(n.clone());
        if names.len() == 8 {
            break;
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use model::{CountryCode, Feature, GazetteerEntry, GeoPoint};

    use crate::{Gazetteer, GeoContext};

    fn entry(
        id: u64,
        name: &str,
        alts: &[&str],
        cc: &str,
        admin1: &str,
        at: (f64, f64),
        pop: u64,
    ) -> GazetteerEntry {
        GazetteerEntry {
            geonameid: id,
            name: name.into(),
            alt_names: alts.iter().map(|a| a.to_string()).collect(),
            point: GeoPoint::new(at.0, at.1).unwrap(),
            country: CountryCode::new(cc),
            admin1: admin1.into(),
            admin2: "".into(),
            feature: Feature::City,
            population: pop,
        }
    }

    fn gaz() -> Gazetteer {
        let mut places = vec![
            entry(1, "Vesele", &[], "UA", "Donetsk", (48.0, 38.0), 500),
            entry(2, "Vesele", &[], "UA", "Zaporizhzhia", (47.0, 35.0), 9_000),
            entry(3, "Donetsk", &[], "UA", "Donetsk", (48.0, 37.8), 0),
            entry(
                4,
                "Khankendi",
                &["Stepanakert", "Xankəndi"],
                "AZ",
                "Xankendi",
                (39.8, 46.75),
                55_000,
            ),
            entry(5, "Reading", &[], "GB", "England", (51.45, -0.97), 244_000),
            entry(
                6,
                "Jackson",
                &[],
                "US",
                "Mississippi",
                (32.3, -90.2),
                160_000,
            ),
            entry(
                7,
                "Talish",
                &[],
                "AZ",
                "Tartar District",
                (40.17, 46.5),
                800,
            ),
            entry(
                8,
                "Tartar",
                &["Terter", "Tərtər"],
                "AZ",
                "Tartar District",
                (40.34, 46.93),
                18_000,
            ),
            entry(9, "Donetsk", &[], "UA", "Donetsk", (48.02, 37.8), 900_000),
            entry(
                10,
                "Martuni",
                &[],
                "AM",
                "Gegharkunik",
                (40.14, 45.30),
                12_000,
            ),
            entry(
                11,
                "Khojavend",
                &["Martuni"],
                "AZ",
                "Khojavend",
                (39.79, 47.11),
                3_700,
            ),
            entry(
                12,
                "Nagorno-Karabakh",
                &["Artsakh"],
                "AZ",
                "",
                (39.82, 46.75),
                0,
            ),
            entry(
                13,
                "Minsk",
                &[],
                "BY",
                "Minsk City",
                (53.9, 27.57),
                1_742_000,
            ),
        ];
        places.push(entry(
            14,
            "Pavlivka",
            &[],
            "UA",
            "Kirovohrad",
            (48.5, 32.3),
            3_000,
        ));
        places.push(entry(15, "Sumy Oblast", &[], "UA", "Sumy", (50.8, 34.0), 0));
        places.push(entry(16, "Sumy", &[], "UA", "Sumy", (50.92, 34.8), 256_000));
        places.push(entry(
            17,
            "Novomykhailivka",
            &[],
            "UA",
            "Donetsk",
            (47.83, 37.52),
            1_200,
        ));
        places[2].feature = Feature::Admin1;
        places[11].feature = Feature::Region;
        places[14].feature = Feature::Admin1;
        Gazetteer::new(places)
    }

    fn check(text: &str, expect: Expect) {
        let out: Vec<String> = gaz()
            .geoparse(text, &GeoContext::default())
            .into_iter()
            .map(|t| {
                format!(
                    "{} = {} #{} {}{}{}{}",
                    &text[t.span.start..t.span.end],
                    t.name,
                    t.geonameid,
                    t.feature,
                    if t.demonym { " (demonym)" } else { "" },
                    if t.district { " (district)" } else { "" },
                    if t.also_known_as.is_empty() {
                        String::new()
                    } else {
                        format!(" aka {}", t.also_known_as.join("/"))
                    }
                )
            })
            .collect();
        expect.assert_eq(&out.join("\n"));
    }

    #[test]
    fn a_qualifier_places_a_village() {
        check(
            "Shelling hit Vesele, Donetsk Oblast, at night.",
            expect![[r#"
                Vesele = Vesele #1 city
                Donetsk Oblast = Donetsk #3 admin1 aka Donetsk"#]],
        );
        check(
            "Shelling hit Vesele on Monday.",
            expect!["Vesele = Vesele #2 city"],
        );
        check("Donetsk was shelled.", expect!["Donetsk = Donetsk #9 city"]);
    }

    #[test]
    fn contested_and_folded_names_resolve_to_one_place() {
        check(
            "Azerbaijani forces shelled Stepanakert; Khankendi and Tərtər, also Terter, were hit.",
            expect![[r#"
                Azerbaijani = Azerbaijan #587116 country (demonym) aka Azerbaijan/Republic of Azerbaijan
                Stepanakert = Khankendi #4 city aka Khankendi/Xankəndi
                Khankendi = Khankendi #4 city aka Stepanakert/Xankəndi
                Tərtər = Tartar #8 city aka Terter
                Terter = Tartar #8 city aka Tartar"#]],
        );
    }

    #[test]
    fn a_name_with_diacritics_is_not_the_english_word() {
        check(
            "Officials said Tərtər was hit.",
            expect!["Tərtər = Tartar #8 city aka Terter"],
        );
        check("Officials said Tartar was hit.", expect![""]);
    }

    #[test]
    fn people_words_and_small_places_need_evidence() {
        check(
            "Reading the report, Michael Jackson said Jackson was calm. Talish is quiet.",
            expect![""],
        );
        check(
            "He moved to Reading. Troops entered Talish in Azerbaijan; Jackson, Mississippi was calm.",
            expect![[r#"
                Reading = Reading #5 city
                Talish = Talish #7 city
                Azerbaijan = Azerbaijan #587116 country aka Republic of Azerbaijan
                Jackson = Jackson #6 city"#]],
        );
    }

    #[test]
    fn a_region_places_the_district_and_the_later_bare_name() {
        // Martuni of Armenia is larger, but the text puts its Martuni in Nagorno-Karabakh; the
        // Minsk of "the OSCE Minsk Group" names a body, not a place.
        check(
            "Shelling hit villages in the Martuni district of Nagorno-Karabakh. Houses in Martuni \
             were damaged, the co-chairs of the OSCE Minsk Group said.",
            expect![[r#"
                Martuni district = Khojavend #11 city (district) aka Khojavend/Martuni
                Nagorno-Karabakh = Nagorno-Karabakh #12 region aka Artsakh
                Martuni = Khojavend #11 city aka Khojavend"#]],
        );
    }

    #[test]
    fn a_place_named_with_its_region_never_resolves_outside_it() {
        // No Pavlivka is known in Sumy oblast: not the Pavlivka of Kirovohrad oblast, and the
        // qualifier names the oblast, not the city of Sumy.
        check(
            "Mortars were fired at Pavlivka, Sumy.",
            expect!["Sumy = Sumy Oblast #15 admin1 aka Sumy Oblast"],
        );
        check(
            "Shelling hit Iskrivka, Sumy.",
            expect!["Sumy = Sumy Oblast #15 admin1 aka Sumy Oblast"],
        );
        check("Sumy was shelled.", expect!["Sumy = Sumy #16 city"]);
        // A list of divisions is no qualifier.
        check(
            "Aid reached Donetsk Oblast, Sumy Oblast and Kharkiv.",
            expect![[r#"
                Donetsk Oblast = Donetsk #3 admin1 aka Donetsk
                Sumy Oblast = Sumy Oblast #15 admin1"#]],
        );
    }

    #[test]
    fn romanisation_variants_find_the_place() {
        check(
            "Shelling hit Novomykhaylivka, Donetsk Oblast.",
            expect![[r#"
                Novomykhaylivka = Novomykhailivka #17 city aka Novomykhailivka
                Donetsk Oblast = Donetsk #3 admin1 aka Donetsk"#]],
        );
    }
}
