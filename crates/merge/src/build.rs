//! One incident from its claims: the event most claims tell, the span of their most precise
//! dates, places with every name the reports used, weapons, alleged perpetrators, casualty
//! ranges, the independent sources for and against, and the grade with its reasons.

use std::collections::BTreeMap;

use model::{
    CasualtyRange, ClaimRecord, Date, Incident, IncidentId, IncidentPlace, NumberRange, Stance,
    SubEventType,
};

use crate::grade::grade;
use crate::sources;

/// Builds the incident `id` from its claims (as merging reads them: corrections applied),
/// sorted by id so that the result does not depend on their order.
pub fn build(id: IncidentId, claims: &[&ClaimRecord]) -> Incident {
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
pub(crate) fn combine_counts(ranges: &[NumberRange]) -> NumberRange {
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
