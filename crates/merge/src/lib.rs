//! Merging claims into incidents: claims about the same moment in time and space become one
//! incident with ranges where sources disagree, the independent sources for and against, and a
//! grade with its reasons.
//!
//! Pure and deterministic: the same claims in any order give the same incidents.

mod grade;
mod sources;

use std::collections::BTreeMap;

use model::{
    CasualtyRange, ClaimRecord, Date, DatePrecision, GeoPrecision, Incident, IncidentId,
    IncidentPlace, NumberRange, PlaceRef, Stance, SubEventType,
};

pub use grade::grade;
pub use sources::source_key;

/// How close two claims must be to describe the same incident.
#[derive(Clone, Copy, Debug)]
pub struct MergeConfig {
    /// Largest gap in days between the claims' dates.
    pub max_days_apart: i64,
    /// Largest distance between town-level places, in kilometres.
    pub max_km: f64,
}

impl Default for MergeConfig {
    fn default() -> MergeConfig {
        MergeConfig {
            max_days_apart: 1,
            max_km: 10.0,
        }
    }
}

/// Groups claims into incidents. Claims are identified by `ClaimRecord::id`; duplicates of the
/// same id count once.
pub fn merge(records: &[ClaimRecord], config: &MergeConfig) -> Vec<Incident> {
    let mut sorted: Vec<&ClaimRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    sorted.dedup_by(|a, b| a.id == b.id);

    let mut parent: Vec<usize> = (0..sorted.len()).collect();
    for i in 0..sorted.len() {
        for j in i + 1..sorted.len() {
            if same_incident(sorted[i], sorted[j], config) {
                union(&mut parent, i, j);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<&ClaimRecord>> = BTreeMap::new();
    for (i, r) in sorted.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(r);
    }
    let mut incidents: Vec<Incident> = groups.into_values().map(|claims| build(&claims)).collect();
    incidents.sort_by(|a, b| (a.date_start, &a.id).cmp(&(b.date_start, &b.id)));
    incidents
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    // The smaller root wins, so the result does not depend on the order of unions.
    let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
    parent[hi] = lo;
}

/// Two claims are about the same incident when their events are compatible, their dates are
/// within the window and they name the same place (or town-level places close together).
fn same_incident(a: &ClaimRecord, b: &ClaimRecord, config: &MergeConfig) -> bool {
    let (ca, cb) = (&a.claim, &b.claim);
    if ca.event_type != cb.event_type {
        return false;
    }
    let (Some(da), Some(db)) = (&ca.date, &cb.date) else {
        return false;
    };
    // Week-precision guesses (undated claims) do not merge with each other by date alone.
    if da.precision != DatePrecision::Day && db.precision != DatePrecision::Day {
        return false;
    }
    let gap = if da.end < db.start {
        db.start.to_days() - da.end.to_days()
    } else if db.end < da.start {
        da.start.to_days() - db.end.to_days()
    } else {
        0
    };
    if gap > config.max_days_apart {
        return false;
    }
    finest(&ca.places).any(|pa| finest(&cb.places).any(|pb| same_place(pa, pb, config)))
}

/// A claim's most precise places: a claim naming a town is about the town, not its region.
fn finest(places: &[PlaceRef]) -> impl Iterator<Item = &PlaceRef> {
    let best = places.iter().map(|p| p.precision).min();
    places.iter().filter(move |p| Some(p.precision) == best)
}

fn same_place(a: &PlaceRef, b: &PlaceRef, config: &MergeConfig) -> bool {
    if a.key() == b.key() {
        return true;
    }
    // Regions and countries only match themselves; towns match towns nearby.
    if a.precision == GeoPrecision::Region || b.precision == GeoPrecision::Region {
        return false;
    }
    match (a.point(), b.point()) {
        (Some(pa), Some(pb)) => pa.distance_km(pb) <= config.max_km,
        _ => false,
    }
}

/// Builds one incident from its claims (already sorted by id).
fn build(claims: &[&ClaimRecord]) -> Incident {
    let id = incident_id(claims);
    let asserting: Vec<&&ClaimRecord> = claims
        .iter()
        .filter(|c| c.claim.stance != Stance::Denies)
        .collect();
    let basis: Vec<&&ClaimRecord> = if asserting.is_empty() {
        claims.iter().collect()
    } else {
        asserting
    };

    // The sub-event most claims give; ties go to the earlier one in ACLED's order.
    let mut votes: BTreeMap<SubEventType, usize> = BTreeMap::new();
    for c in &basis {
        *votes.entry(c.claim.sub_event_type).or_default() += 1;
    }
    let sub_event_type = votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map_or(basis[0].claim.sub_event_type, |(s, _)| *s);

    // Dates: the span of the most precise dates given.
    let best_precision = claims
        .iter()
        .filter_map(|c| c.claim.date.as_ref().map(|d| d.precision))
        .min();
    let dated: Vec<(Date, Date)> = claims
        .iter()
        .filter_map(|c| c.claim.date.as_ref())
        .filter(|d| Some(d.precision) == best_precision)
        .map(|d| (d.start, d.end))
        .collect();
    let date_start = dated.iter().map(|d| d.0).min();
    let date_end = dated.iter().map(|d| d.1).max();

    let mut places: Vec<(IncidentPlace, usize)> = Vec::new();
    // (place index, name written, times): the names the reports used for each place.
    let mut written: Vec<(usize, &str, usize)> = Vec::new();
    for c in claims {
        for p in &c.claim.places {
            let place = IncidentPlace {
                name: p.name.clone(),
                geonameid: p.geonameid,
                lat: p.lat,
                lon: p.lon,
                country: p.country,
                admin1: p.admin1.clone(),
                admin2: p.admin2.clone(),
                precision: p.precision,
                written: Vec::new(),
            };
            let at = match places
                .iter()
                .position(|(k, _)| k.name == place.name && k.geonameid == place.geonameid)
            {
                Some(at) => {
                    places[at].1 += 1;
                    at
                }
                None => {
                    places.push((place, 1));
                    places.len() - 1
                }
            };
            if !p.written.is_empty() {
                match written
                    .iter_mut()
                    .find(|(i, w, _)| *i == at && *w == p.written)
                {
                    Some((_, _, n)) => *n += 1,
                    None => written.push((at, &p.written, 1)),
                }
            }
        }
    }
    // Most used first; ties in name order, so the result does not depend on the claims' order.
    written.sort_by(|a, b| {
        (a.0, std::cmp::Reverse(a.2), a.1).cmp(&(b.0, std::cmp::Reverse(b.2), b.1))
    });
    for (at, w, _) in written {
        places[at].0.written.push(w.to_string());
    }
    places.sort_by(|a, b| {
        (a.0.precision, std::cmp::Reverse(a.1), &a.0.name).cmp(&(
            b.0.precision,
            std::cmp::Reverse(b.1),
            &b.0.name,
        ))
    });

    let mut weapons: Vec<String> = claims
        .iter()
        .flat_map(|c| c.claim.weapons.iter().map(|w| w.name.clone()))
        .collect();
    weapons.sort();
    weapons.dedup();

    let mut perpetrators: Vec<(String, Option<model::CountryCode>)> = basis
        .iter()
        .filter_map(|c| {
            c.claim
                .perpetrator
                .as_ref()
                .map(|p| (p.name.clone(), p.country))
        })
        .collect();
    perpetrators.sort();
    perpetrators.dedup();
    let perpetrators = one_name_per_country(perpetrators);

    let mut counts: BTreeMap<(model::CasualtyGroup, model::CasualtyOutcome), Vec<NumberRange>> =
        BTreeMap::new();
    for c in claims.iter().filter(|c| c.claim.stance != Stance::Denies) {
        for k in &c.claim.casualties {
            counts
                .entry((k.group, k.outcome))
                .or_default()
                .push(NumberRange {
                    min: k.min,
                    max: k.max,
                });
        }
    }
    let casualties: BTreeMap<_, NumberRange> = counts
        .into_iter()
        .map(|(key, ranges)| (key, combine_counts(&ranges)))
        .collect();
    let casualties = casualties
        .into_iter()
        .map(|((group, outcome), range)| CasualtyRange {
            group,
            outcome,
            range,
        })
        .collect();

    let (sources_for, sources_against) = sources::independent_sources(claims);
    let (grade, grade_reasons) = grade(claims, &sources_for, &sources_against);
    Incident {
        id,
        date: date_start,
        date_start,
        date_end,
        date_precision: best_precision,
        event_type: sub_event_type.event_type(),
        sub_event_type,
        places: places.into_iter().map(|(p, _)| p).collect(),
        weapons,
        perpetrators,
        civilian_targeting: basis.iter().any(|c| c.claim.civilian_targeting),
        casualties,
        grade,
        grade_reasons,
        n_independent_sources: sources_for.len(),
        sources_for,
        sources_against,
        claims: claims.iter().map(|c| c.id.clone()).collect(),
    }
}

/// The range of counts that the sources give together: from the lowest count to the highest.
/// A side left open by a source stays open unless another source's count closes it: "at least
/// 12" and "10" make 10 or more; "at least 3" and "10" make 3 to 10; "up to 30" alone stays
/// "up to 30". Sources that give no number add nothing.
fn combine_counts(ranges: &[NumberRange]) -> NumberRange {
    let known: Vec<&NumberRange> = ranges
        .iter()
        .filter(|r| r.min.is_some() || r.max.is_some())
        .collect();
    let lowest = known.iter().filter_map(|r| r.min).min();
    let highest = known.iter().filter_map(|r| r.max).max();
    NumberRange {
        min: lowest.filter(|&low| {
            known
                .iter()
                .all(|r| r.min.is_some() || r.max.is_some_and(|m| m >= low))
        }),
        max: highest.filter(|&high| {
            known
                .iter()
                .all(|r| r.max.is_some() || r.min.is_some_and(|m| m <= high))
        }),
    }
}

/// One name for each accused country: the one that names its forces ("Azerbaijani forces")
/// over the bare country or a pronoun ("its forces"); actors without a country stay as they are.
fn one_name_per_country(
    names: Vec<(String, Option<model::CountryCode>)>,
) -> Vec<(String, Option<model::CountryCode>)> {
    let rank = |name: &str| {
        let lower = name.to_lowercase();
        let pronoun = ["its ", "his ", "her ", "their ", "our "]
            .iter()
            .any(|p| lower.starts_with(p));
        let forces = ["forces", "army", "troops", "military", "armed"]
            .iter()
            .any(|w| lower.contains(w));
        (!pronoun, forces, std::cmp::Reverse(name.len()))
    };
    let mut out: Vec<(String, Option<model::CountryCode>)> = Vec::new();
    for (name, country) in names {
        match country.and_then(|c| out.iter_mut().find(|(_, k)| *k == Some(c))) {
            Some(existing) => {
                if rank(&name) > rank(&existing.0) {
                    existing.0 = name;
                }
            }
            None => out.push((name, country)),
        }
    }
    out
}

/// A stable id from the incident's first claim: its document hash prefix and claim index.
fn incident_id(claims: &[&ClaimRecord]) -> IncidentId {
    let first = &claims[0].id;
    let prefix = first.document.get(..10).unwrap_or(&first.document);
    IncidentId(format!(
        "inc-{prefix}-{}-{}{}",
        first.sentence.start,
        first.event.map_or(0, |e| e.start),
        first.repeat
    ))
}

#[cfg(test)]
mod tests;
