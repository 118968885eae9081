//! Choosing one place per name from context, and deciding whether a name is a place at all.
//!
//! Candidates are scored by a prior (feature type and population), then by the document: the
//! countries and demonyms it names, the first-level divisions it names, a qualifier right after the
//! name ("Vesele, Donetsk region"), places nearby that other names resolved to, the publisher's
//! country. A mention is kept when its cues (see `recognise`) and its best candidate say place:
//! a village named once, alone at a sentence start, needs more evidence than a capital.
//! One name keeps one sense through a document.

use std::collections::HashMap;

use model::{CountryCode, Feature, GazetteerEntry, GeoPoint, Span, Toponym};

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
fn prior(e: &GazetteerEntry, cand: Cand) -> f64 {
    let base = match e.feature {
        Feature::Country => 70.0,
        Feature::Region => 48.0,
        Feature::Admin1 => 20.0 + 2.0 * log_pop(e.population),
        Feature::Admin2 => 8.0 + 2.0 * log_pop(e.population),
        Feature::Landmark => 25.0,
        Feature::City => 5.0 + 4.0 * log_pop(e.population),
    };
    let alt_penalty = if cand.alt() && e.feature == Feature::City {
        if e.population < 1_000 { 6.0 } else { 2.0 }
    } else {
        0.0
    };
    base - alt_penalty
}

fn is_big(e: &GazetteerEntry) -> bool {
    matches!(e.feature, Feature::Country | Feature::Region | Feature::Admin1)
        || e.population >= BIG_PLACE
}

/// What the document says about where it is.
#[derive(Debug, Default)]
struct DocContext {
    countries: Vec<CountryCode>,
    /// (country, admin-1 key) of divisions named.
    admin1: Vec<(Option<CountryCode>, String)>,
    /// Points of confidently resolved places, with the mention they came from.
    anchors: Vec<(usize, GeoPoint)>,
}

impl DocContext {
    fn country(&self, e: &GazetteerEntry) -> bool {
        e.country.is_some_and(|c| self.countries.contains(&c))
    }
    fn admin1(&self, e: &GazetteerEntry) -> bool {
        e.feature != Feature::Admin1
            && !e.admin1.is_empty()
            && self
                .admin1
                .iter()
                .any(|(c, k)| *c == e.country && *k == name_key(&e.admin1))
    }
    fn nearest_km(&self, mention: usize, p: GeoPoint) -> f64 {
        self.anchors
            .iter()
            .filter(|(m, _)| *m != mention)
            .map(|(_, a)| a.distance_km(p))
            .fold(f64::INFINITY, f64::min)
    }
}

struct Choice {
    cand: Cand,
    score: f64,
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
    // Hard rejections that no context can undo.
    let mentions: Vec<Mention<'_>> = mentions
        .into_iter()
        .filter(|m| {
            let reject = tuning.filters && hard_reject(gaz, text, toks, m);
            if reject {
                if let Some(t) = trace.as_deref_mut() {
                    t.push(format!("{:?} rejected outright {:?}", &text[m.span.start..m.span.end], m.cues));
                }
            }
            !reject
        })
        .collect();
    let qualifiers: Vec<Option<usize>> =
        (0..mentions.len()).map(|i| qualifier_after(gaz, text, &mentions, i)).collect();

    // Pass 1: priors alone, to learn what the document is about.
    let first: Vec<Choice> = mentions
        .iter()
        .map(|m| best(gaz, m, |e, c| prior(e, c) + admin_term_bonus(m, e)))
        .collect();
    let mut doc = DocContext::default();
    if tuning.context {
        for (i, (m, ch)) in mentions.iter().zip(&first).enumerate() {
            let e = &gaz.entries[ch.cand.entry()];
            let trusted = match e.feature {
                Feature::Country => !m.cues.person_name || m.cues.locative_before,
                Feature::Admin1 => !m.cues.glued_before && !m.cues.person_name,
                _ => false,
            };
            if trusted {
                if let Some(c) = e.country {
                    if !doc.countries.contains(&c) {
                        doc.countries.push(c);
                    }
                }
                if e.feature == Feature::Admin1 {
                    doc.admin1.push((e.country, name_key(&e.admin1)));
                }
            }
            let unambiguous = m.cands.len() == 1 || e.population >= 1_000_000;
            if e.feature != Feature::Country && unambiguous && !m.cues.glued_after {
                doc.anchors.push((i, e.point));
            }
        }
        if let Some(c) = ctx.publisher_country {
            if doc.countries.is_empty() {
                doc.countries.push(c);
            }
        }
    }

    // Pass 2: with the document as context.
    let score = |i: usize, m: &Mention<'_>, doc: &DocContext, e: &GazetteerEntry, c: Cand| {
        let mut s = prior(e, c) + admin_term_bonus(m, e);
        if !tuning.context {
            return s;
        }
        if doc.country(e) {
            s += 30.0;
        }
        if doc.admin1(e) {
            s += 25.0;
        }
        if e.country.is_some() && e.country == ctx.publisher_country {
            s += 8.0;
        }
        if let Some(q) = qualifiers[i] {
            s += qualifier_bonus(gaz, e, &mentions[q]);
        }
        if e.feature != Feature::Country {
            let d = doc.nearest_km(i, e.point);
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
        .map(|(i, m)| best(gaz, m, |e, c| score(i, m, &doc, e, c)))
        .collect();

    // Which mentions are places.
    let keep: Vec<bool> = mentions
        .iter()
        .zip(&second)
        .enumerate()
        .map(|(i, (m, ch))| {
            !tuning.filters
                || is_place(gaz, &tuning, m, ch, &doc, i, qualifiers[i].is_some() || qualified(&mentions, &qualifiers, i))
        })
        .collect();

    // One sense per discourse: every kept mention of a name takes the best-supported sense.
    let mut sense: HashMap<u64, (Cand, f64)> = HashMap::new();
    for ((m, ch), k) in mentions.iter().zip(&second).zip(&keep) {
        if !*k {
            continue;
        }
        let entry = sense.entry(m.key_hash).or_insert((ch.cand, f64::MIN));
        if ch.score > entry.1 {
            *entry = (ch.cand, ch.score);
        }
    }
    if let Some(t) = trace.as_deref_mut() {
        for ((m, ch), k) in mentions.iter().zip(&second).zip(&keep) {
            let e = &gaz.entries[ch.cand.entry()];
            t.push(format!(
                "{:?} {} {} {} {} pop {} score {:.1} of {} candidates {:?}",
                &text[m.span.start..m.span.end],
                if *k { "KEPT" } else { "dropped" },
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
        let mut cand = sense.get(&m.key_hash).map_or(ch.cand, |s| s.0);
        // The sense chosen elsewhere keeps this mention's demonym reading.
        if cand.entry() == ch.cand.entry() {
            cand = ch.cand;
        }
        out.push(toponym(gaz, text, m.span, cand));
    }
    out
}

/// The best candidate of a mention under `score`; ties go to the larger population, then the
/// lower geonameid.
fn best(gaz: &Gazetteer, m: &Mention<'_>, score: impl Fn(&GazetteerEntry, Cand) -> f64) -> Choice {
    let mut top: Option<Choice> = None;
    for &c in m.cands {
        let e = &gaz.entries[c.entry()];
        let s = score(e, c);
        let better = match &top {
            None => true,
            Some(t) => {
                let te = &gaz.entries[t.cand.entry()];
                s > t.score
                    || (s == t.score
                        && (e.population, std::cmp::Reverse(e.geonameid), !c.alt())
                            > (te.population, std::cmp::Reverse(te.geonameid), !t.cand.alt()))
            }
        };
        if better {
            top = Some(Choice { cand: c, score: s });
        }
    }
    // Invariant: the index never stores an empty candidate list.
    top.unwrap_or(Choice {
        cand: m.cands[0],
        score: f64::MIN,
    })
}

/// "Donetsk Oblast", "Idlib province": the division, not the city.
fn admin_term_bonus(m: &Mention<'_>, e: &GazetteerEntry) -> f64 {
    if !m.cues.admin_term {
        return 0.0;
    }
    match e.feature {
        Feature::Admin1 | Feature::Admin2 | Feature::Region => 40.0,
        _ => 0.0,
    }
}

/// Names that are never places, whatever the candidates.
fn hard_reject(gaz: &Gazetteer, text: &str, toks: &[Token], m: &Mention<'_>) -> bool {
    let c = &m.cues;
    let used = &text[m.span.start..m.span.end];
    let country_spelling = c.exact_case
        && m.cands.iter().any(|k| gaz.entries[k.entry()].feature == Feature::Country);
    if m.end - m.first == 1 && gaz.stop.not_places.contains(toks[m.first].key.as_str()) {
        return !country_spelling;
    }
    if c.short_caps && !c.exact_case {
        return true;
    }
    if used.chars().count() <= 2 && !country_spelling {
        return true;
    }
    c.title_before || (c.speech_after && (c.person_name || c.glued_before))
}

/// True when the evidence says this mention names a place.
fn is_place(
    gaz: &Gazetteer,
    tuning: &Tuning,
    m: &Mention<'_>,
    ch: &Choice,
    doc: &DocContext,
    i: usize,
    qualified: bool,
) -> bool {
    let e = &gaz.entries[ch.cand.entry()];
    let c: &Cues = &m.cues;
    if ch.cand.demonym() {
        return true;
    }
    let support = qualified
        || c.locative_before
        || c.admin_term
        || doc.admin1(e)
        || doc.nearest_km(i, e.point) < 150.0;
    let big = is_big(e);
    if c.person_name && !support && !(big && !c.glued_before && !c.glued_after) {
        return false;
    }
    if (c.glued_before || c.glued_after) && !big && !c.admin_term {
        return false;
    }
    if c.common_word {
        if c.sentence_start && !qualified && !matches!(e.feature, Feature::Country | Feature::Admin1) {
            return false;
        }
        if !big && !support && !doc.country(e) {
            return false;
        }
    }
    let small = matches!(e.feature, Feature::City | Feature::Admin2) && e.population < tuning.small_place;
    let weak_name = ch.cand.alt() && matches!(e.feature, Feature::City) && e.population < 15_000;
    if (small || weak_name || (c.sentence_start && e.population < 15_000 && e.feature == Feature::City))
        && !support
        && !doc.country(e)
    {
        return false;
    }
    true
}

/// True when mention `i` is itself the qualifier of the mention before it ("Vesele, [Donetsk]").
fn qualified(mentions: &[Mention<'_>], qualifiers: &[Option<usize>], i: usize) -> bool {
    i > 0 && qualifiers[i - 1] == Some(i) && !mentions.is_empty()
}

/// The mention right after this one that qualifies it: "Vesele, Donetsk region", "Barda, Azerbaijan".
fn qualifier_after(gaz: &Gazetteer, text: &str, mentions: &[Mention<'_>], i: usize) -> Option<usize> {
    let span = mentions[i].span;
    let next = mentions.get(i + 1)?;
    let gap = &text[span.end..next.span.start];
    let qualifying = matches!(gap, ", " | " in " | " (" | ", in " | " in the " | ",")
        || [" district of ", " region of ", " province of ", " area of ", " village of "]
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
            Feature::Admin1 if qe.country == e.country && admin_matches(&e.admin1, &qe.name) => 150.0,
            Feature::Admin2 if qe.country == e.country && admin_matches(&e.admin2, &qe.name) => 150.0,
            Feature::Region if qe.point.distance_km(e.point) < 150.0 => 120.0,
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

fn toponym(gaz: &Gazetteer, text: &str, span: Span, cand: Cand) -> Toponym {
    let e = &gaz.entries[cand.entry()];
    Toponym {
        span,
        name: e.name.clone(),
        geonameid: e.geonameid,
        lat: e.point.lat(),
        lon: e.point.lon(),
        country: e.country,
        admin1: e.admin1.clone(),
        feature: e.feature,
        population: e.population,
        demonym: cand.demonym(),
        also_known_as: also_known_as(e, &text[span.start..span.end]),
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
