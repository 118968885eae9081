//! One incident from its claims: the event most claims tell, the span of their most precise
//! dates, places with every name the reports used, weapons, alleged perpetrators, casualty
//! ranges, the independent sources for and against, and the grade with its reasons.

use std::collections::BTreeMap;

use model::{
    Casualties, CasualtyGroup, CasualtyOutcome, ClaimRecord, Date, Incident, IncidentId,
    IncidentPlace, NumberRange, Period, Perpetrator, Stance, SubEventType, TargetKind,
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

    let mut perpetrators: Vec<Perpetrator> = basis
        .iter()
        .filter_map(|c| {
            c.claim.perpetrator.as_ref().map(|p| Perpetrator {
                name: p.name.clone(),
                country: p.country,
                kind: Some(p.kind),
            })
        })
        .collect();
    perpetrators.sort();
    perpetrators.dedup();
    let perpetrators = one_name_per_country(perpetrators);
    let perpetrators_for_treaty: Vec<model::CountryCode> =
        perpetrators.iter().filter_map(|p| p.country).collect();

    let casualties = casualties(&basis);
    let (origins_for, origins_against) = sources::independent_origins(claims);
    let (grade, grade_reasons) = grade(claims, &origins_for, &origins_against);
    let mut documents: Vec<&str> = claims.iter().map(|c| c.id.document.as_str()).collect();
    documents.sort_unstable();
    documents.dedup();
    let mut publishers: Vec<String> = claims.iter().map(|c| c.publisher.name.clone()).collect();
    publishers.sort();
    publishers.dedup();
    let date = match (date_start, date_end, best_precision) {
        (Some(start), Some(end), Some(precision)) => Some(Period {
            start,
            end,
            precision,
        }),
        _ => None,
    };
    Incident {
        id,
        aliases: Vec::new(),
        date,
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
        n_independent_sources: origins_for.len(),
        origins_for: origins_for.into_iter().map(|v| v.origin).collect(),
        origins_against: origins_against.into_iter().map(|v| v.origin).collect(),
        n_claims: claims.len(),
        n_documents: documents.len(),
        publishers,
        treaty: treaty_of(claims, &perpetrators_for_treaty, date_start),
        decisions: Vec::new(),
        claims: claims.iter().map(|c| c.id.clone()).collect(),
    }
}

/// For each alleged user and each treaty its alleged weapons fall under (cluster munitions, or
/// mines), whether it was bound on the event's first day.
fn treaty_of(
    claims: &[&ClaimRecord],
    users: &[model::CountryCode],
    day: Option<Date>,
) -> Vec<model::TreatyStatus> {
    use model::{Treaty, WeaponCategory};
    let weapons: Vec<&model::WeaponMention> =
        claims.iter().flat_map(|c| c.claim.weapons.iter()).collect();
    let mut treaties: Vec<Treaty> = Vec::new();
    if weapons
        .iter()
        .any(|w| w.category == WeaponCategory::ClusterMunition)
    {
        treaties.push(Treaty::Ccm);
    }
    if weapons
        .iter()
        .any(|w| w.category == WeaponCategory::Landmine)
    {
        treaties.push(Treaty::Apmbt);
    }
    let mut out = Vec::new();
    for &party in users {
        for &treaty in &treaties {
            out.push(model::treaty_status(party, treaty, day));
        }
    }
    out
}

/// The harm the asserting claims report, as ranges per group and outcome. A count of people
/// without a group joins the civilian range when the claims say the victims were civilians (a
/// civilian count, or civilians as the target), and stays unspecified otherwise.
fn casualties(claims: &[&&ClaimRecord]) -> Casualties {
    let civilian_victims = claims.iter().any(|c| {
        c.claim
            .casualties
            .iter()
            .any(|k| k.group == CasualtyGroup::Civilian)
            || c.claim
                .target
                .as_ref()
                .is_some_and(|t| t.kind == TargetKind::Civilians)
    });
    let mut counts: BTreeMap<(CasualtyGroup, CasualtyOutcome), Vec<NumberRange>> = BTreeMap::new();
    for c in claims {
        for k in &c.claim.casualties {
            let group = match k.group {
                CasualtyGroup::Unspecified if civilian_victims => CasualtyGroup::Civilian,
                g => g,
            };
            counts
                .entry((group, k.outcome))
                .or_default()
                .push(NumberRange {
                    min: k.min,
                    max: k.max,
                });
        }
    }
    let get = |g, o| counts.get(&(g, o)).map(|r| combine_counts(r));
    use CasualtyGroup as G;
    use CasualtyOutcome as O;
    let mut out = Casualties {
        civilian_killed: get(G::Civilian, O::Killed),
        civilian_injured: get(G::Civilian, O::Injured),
        military_killed: get(G::Military, O::Killed),
        military_injured: get(G::Military, O::Injured),
        unspecified_killed: get(G::Unspecified, O::Killed),
        unspecified_injured: get(G::Unspecified, O::Injured),
        missing: [G::Civilian, G::Military, G::Unspecified]
            .into_iter()
            .filter_map(|g| get(g, O::Missing))
            .reduce(add),
        killed: None,
        injured: None,
    };
    out.killed = [
        out.civilian_killed,
        out.military_killed,
        out.unspecified_killed,
    ]
    .into_iter()
    .flatten()
    .reduce(add);
    out.injured = [
        out.civilian_injured,
        out.military_injured,
        out.unspecified_injured,
    ]
    .into_iter()
    .flatten()
    .reduce(add);
    out
}

/// The sum of two groups' ranges: an open side stays open.
fn add(a: NumberRange, b: NumberRange) -> NumberRange {
    NumberRange {
        min: Some(a.min.unwrap_or(0) + b.min.unwrap_or(0))
            .filter(|_| a.min.is_some() || b.min.is_some()),
        max: a.max.zip(b.max).map(|(x, y)| x + y),
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
fn one_name_per_country(names: Vec<Perpetrator>) -> Vec<Perpetrator> {
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
    let mut out: Vec<Perpetrator> = Vec::new();
    for p in names {
        match p
            .country
            .and_then(|c| out.iter_mut().find(|k| k.country == Some(c)))
        {
            Some(existing) => {
                if rank(&p.name) > rank(&existing.name) {
                    existing.name = p.name;
                }
            }
            None => out.push(p),
        }
    }
    out
}
