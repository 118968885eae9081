//! Merge tests: grouping without chaining, vague dates, decisions, ranges, independence, grades,
//! and the properties the incremental merge rests on: order independence and locality.

use std::collections::BTreeSet;

use model::{
    Action, Casualty, CasualtyGroup, CasualtyOutcome, Claim, ClaimId, ClaimRecord, Correction,
    Date, DatePrecision, DateRange, Decision, DecisionId, EventType, Feature, GeoPrecision, Grade,
    IncidentId, PlaceRef, Publisher, SourceKind, Span, Speaker, Stance, SubEventType,
};
use proptest::prelude::*;

use crate::cluster::Sets;
use crate::{
    Apart, Constraints, MergeConfig, OriginRegistry, cluster, compatible, merge, why_apart,
};

pub(crate) fn town(name: &str, id: u64, lat: f64, lon: f64) -> PlaceRef {
    PlaceRef {
        name: name.into(),
        geonameid: id,
        lat,
        lon,
        country: model::CountryCode::new("AZ"),
        admin1: String::new(),
        admin2: String::new(),
        feature: Feature::City,
        precision: GeoPrecision::Town,
        span: Span::new(0, 1),
        written: name.into(),
    }
}

fn region(name: &str) -> PlaceRef {
    PlaceRef {
        feature: Feature::Region,
        precision: GeoPrecision::Region,
        ..town(name, 0, 39.9, 46.7)
    }
}

fn day(n: u32) -> Date {
    Date::new(2020, 10, n).unwrap()
}

/// A shelling claim at `place`, dated to one day of October 2020.
pub(crate) fn at_day(n: u32, place: PlaceRef) -> Claim {
    Claim {
        stance: Stance::Reports,
        speaker: None,
        event_type: EventType::ExplosionsRemoteViolence,
        sub_event_type: SubEventType::ShellingArtilleryMissileAttack,
        weapons: vec![],
        perpetrator: None,
        target: None,
        civilian_targeting: true,
        places: vec![place],
        date: Some(DateRange {
            start: day(n),
            end: day(n),
            precision: DatePrecision::Day,
            span: None,
        }),
        casualties: vec![],
        legal: vec![],
        sentence: Span::new(0, 1),
        event_word: None,
    }
}

fn id(doc: &str, at: usize) -> ClaimId {
    ClaimId {
        document: doc.into(),
        sentence: Span::new(at, at + 1),
        event: None,
        repeat: 0,
    }
}

fn with(doc: &str, publisher: &str, kind: SourceKind, claim: Claim, sentence: &str) -> ClaimRecord {
    let published = claim.date.as_ref().map(|d| d.end);
    let publisher = Publisher {
        kind,
        ..Publisher::unknown(publisher)
    };
    let origin = OriginRegistry::default().origin(&claim, &publisher, None);
    ClaimRecord {
        id: id(doc, 0),
        claim,
        publisher,
        published,
        sentence_text: sentence.into(),
        origin,
        copy_of: None,
    }
}

/// The records with their origins as the default registry reads them (after a test changed a
/// speaker or a publisher).
pub(crate) fn with_origins(mut records: Vec<ClaimRecord>) -> Vec<ClaimRecord> {
    for r in &mut records {
        r.origin = OriginRegistry::default().origin(&r.claim, &r.publisher, None);
    }
    records
}

fn killed(mut claim: Claim, n: u32) -> Claim {
    claim.casualties.push(Casualty {
        group: CasualtyGroup::Civilian,
        outcome: CasualtyOutcome::Killed,
        min: Some(n),
        max: Some(n),
        span: Span::new(0, 1),
    });
    claim
}

/// "overnight": the night from one day to the next.
fn overnight(mut claim: Claim, first: u32) -> Claim {
    claim.date = Some(DateRange {
        start: day(first),
        end: day(first + 1),
        precision: DatePrecision::Day,
        span: None,
    });
    claim
}

fn ganja() -> PlaceRef {
    town("Ganja", 587084, 40.68, 46.36)
}

fn barda() -> PlaceRef {
    town("Barda", 587057, 40.37, 47.13)
}

fn corpus() -> Vec<ClaimRecord> {
    let mut denial = with(
        "d5",
        "Yerevan Daily Wire",
        SourceKind::Media,
        Claim {
            stance: Stance::Denies,
            ..at_day(11, ganja())
        },
        "Armenia denied firing at Ganja.",
    );
    denial.claim.speaker = Some(Speaker {
        name: "Armenia's Defence Ministry".into(),
        role: None,
        country: model::CountryCode::new("AM"),
        span: Span::new(0, 1),
    });
    with_origins(vec![
        with(
            "a1",
            "Caucasus Wire",
            SourceKind::Wire,
            killed(overnight(at_day(10, ganja()), 10), 10),
            "A missile struck a residential area of Ganja overnight, killing 10 civilians, officials said on Sunday.",
        ),
        with(
            "b2",
            "Tbilisi Regional Review",
            SourceKind::Media,
            killed(overnight(at_day(10, ganja()), 10), 10),
            "A missile struck a residential area of Ganja overnight, killing ten civilians, officials said on Sunday.",
        ),
        with(
            "c3",
            "Baku Monitor",
            SourceKind::Media,
            killed(at_day(10, ganja()), 9),
            "Nine people died when a missile hit apartment blocks in Ganja.",
        ),
        denial,
        with(
            "e6",
            "Ganja Herald",
            SourceKind::Media,
            killed(at_day(28, barda()), 21),
            "Rockets hit Barda, killing 21.",
        ),
        with(
            "f7",
            "Field Evidence Watch",
            SourceKind::Ngo,
            killed(
                Claim {
                    stance: Stance::Confirms,
                    ..at_day(28, barda())
                },
                21,
            ),
            "Our researchers confirmed cluster munitions in Barda.",
        ),
        with(
            "g8",
            "Caucasus Wire",
            SourceKind::Wire,
            at_day(4, town("Stepanakert", 174979, 39.82, 46.75)),
            "Shelling hit Stepanakert.",
        ),
    ])
}

fn summary_of(records: &[ClaimRecord], constraints: &Constraints) -> Vec<String> {
    merge(records, constraints, &MergeConfig::default())
        .into_iter()
        .map(|i| {
            let killed = i
                .casualties
                .ranges()
                .iter()
                .map(|c| format!("{:?}..{:?}", c.range.min, c.range.max))
                .collect::<Vec<_>>()
                .join(",");
            let claims: Vec<&str> = i.claims.iter().map(|c| c.document.as_str()).collect();
            format!(
                "{} {} {} [{}] grade={} sources={} for=[{}] against=[{}] killed={killed}",
                i.id,
                i.date_start.map(|d| d.to_string()).unwrap_or_default(),
                i.places
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join("/"),
                claims.join(" "),
                i.grade,
                i.n_independent_sources,
                i.origins_for
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                i.origins_against
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect()
}

fn summary(records: &[ClaimRecord]) -> Vec<String> {
    summary_of(records, &Constraints::default())
}

#[test]
fn merges_same_place_and_day_and_grades() {
    assert_eq!(
        summary(&corpus()),
        vec![
            "inc-g8-0 2020-10-04 Stepanakert [g8] grade=weak sources=1 for=[Caucasus Wire] against=[] killed=",
            "inc-a1-0 2020-10-10 Ganja [a1 b2 c3 d5] grade=contested sources=2 for=[Baku Monitor; Caucasus Wire] against=[Government of Armenia] killed=Some(9)..Some(10)",
            "inc-e6-0 2020-10-28 Barda [e6 f7] grade=confirmed sources=2 for=[Field Evidence Watch; Ganja Herald] against=[] killed=Some(21)..Some(21)",
        ]
    );
}

#[test]
fn merge_is_order_independent() {
    let base = summary(&corpus());
    let mut records = corpus();
    for rotation in 0..records.len() {
        records.rotate_left(1);
        assert_eq!(summary(&records), base, "rotation {rotation}");
        let reversed: Vec<ClaimRecord> = records.iter().rev().cloned().collect();
        assert_eq!(summary(&reversed), base, "reversed rotation {rotation}");
    }
}

#[test]
fn two_strikes_the_reports_tell_apart_in_one_town_and_day_stay_apart() {
    use model::{Target, TargetKind, WeaponCategory, WeaponMention};
    let hit = |mut c: Claim, target: &str, weapon: &str, category: WeaponCategory| {
        c.target = Some(Target {
            kind: TargetKind::CivilianObject,
            text: target.into(),
            span: Span::new(0, 1),
        });
        c.weapons = vec![WeaponMention {
            name: weapon.into(),
            category,
            cluster_capable: false,
            span: Span::new(0, 1),
        }];
        c
    };
    let bomb = |c| {
        hit(
            c,
            "a hardware store",
            "guided bomb",
            WeaponCategory::AirDroppedBomb,
        )
    };
    let records = vec![
        with(
            "a",
            "Kharkiv Evening",
            SourceKind::Media,
            bomb(at_day(25, ganja())),
            "A guided bomb hit a hardware store.",
        ),
        with(
            "b",
            "Eastern Wire",
            SourceKind::Media,
            bomb(at_day(25, ganja())),
            "A guided bomb hit the hardware store.",
        ),
        with(
            "c",
            "Print Workers Union",
            SourceKind::Ngo,
            hit(
                at_day(25, ganja()),
                "the Factor printing house",
                "missile",
                WeaponCategory::Missile,
            ),
            "A missile destroyed the Factor printing house.",
        ),
        // Said without a target: it fits either strike, so it joins one of them, never both.
        with(
            "d",
            "Regional Courier",
            SourceKind::Media,
            at_day(25, ganja()),
            "Strikes hit the city.",
        ),
    ];
    let incidents = merge(&records, &Constraints::default(), &MergeConfig::default());
    let sizes: Vec<usize> = incidents.iter().map(|i| i.claims.len()).collect();
    assert_eq!(incidents.len(), 2, "{sizes:?}");
    let printing = incidents
        .iter()
        .find(|i| i.claims.iter().any(|c| c.document == "c"))
        .unwrap();
    assert!(
        !printing
            .claims
            .iter()
            .any(|c| c.document == "a" || c.document == "b")
    );
    assert_eq!(
        why_apart(
            &records[0].claim,
            &records[2].claim,
            &MergeConfig::default()
        ),
        Some(Apart::ToldApart {
            targets: (
                "a hardware store".into(),
                "the Factor printing house".into()
            )
        })
    );
    // The same target named by two weapons' words ("missile", "rocket") is one strike.
    let rocket = hit(
        at_day(25, ganja()),
        "the printing house",
        "rocket",
        WeaponCategory::RocketArtillery,
    );
    assert!(compatible(
        &records[2].claim,
        &rocket,
        &MergeConfig::default()
    ));
}

#[test]
fn strikes_on_consecutive_days_are_separate_incidents() {
    // Ten days of shelling in one town, two reports each day: ten incidents, not one chain.
    let mut records = Vec::new();
    for d in 1..=10u32 {
        for (doc, publisher) in [("a", "Caucasus Wire"), ("b", "Ganja Herald")] {
            let mut r = with(
                &format!("{doc}{d:02}"),
                publisher,
                SourceKind::Media,
                at_day(d, ganja()),
                "Shells hit Ganja.",
            );
            r.id.sentence = Span::new(d as usize, d as usize + 1);
            records.push(r);
        }
    }
    let incidents = merge(&records, &Constraints::default(), &MergeConfig::default());
    assert_eq!(incidents.len(), 10);
    for i in &incidents {
        assert_eq!(i.date_start, i.date_end, "{:?}", i.claims);
        assert_eq!(i.claims.len(), 2);
    }
    // Overnight reports (two-day ranges) do not chain the days either.
    let nights: Vec<ClaimRecord> = (1..=9u32)
        .map(|d| {
            with(
                &format!("n{d:02}"),
                "Caucasus Wire",
                SourceKind::Media,
                overnight(at_day(d, ganja()), d),
                "Shells hit Ganja overnight.",
            )
        })
        .collect();
    let both: Vec<ClaimRecord> = records.iter().chain(&nights).cloned().collect();
    for i in merge(&both, &Constraints::default(), &MergeConfig::default()) {
        let span = i.date_end.unwrap().to_days() - i.date_start.unwrap().to_days();
        assert!(span <= 1, "{} spans {span} days: {:?}", i.id, i.claims);
    }
}

#[test]
fn a_vague_date_joins_only_the_one_incident_it_fits() {
    let mut vague = at_day(6, ganja());
    vague.date = Some(DateRange {
        start: day(1),
        end: day(7),
        precision: DatePrecision::Week,
        span: None,
    });
    let vague = with(
        "v9",
        "Baku Monitor",
        SourceKind::Media,
        vague,
        "Ganja was shelled this week.",
    );
    let one = with(
        "a1",
        "Caucasus Wire",
        SourceKind::Wire,
        at_day(3, ganja()),
        "Shells hit Ganja.",
    );
    let other = with(
        "b2",
        "Ganja Herald",
        SourceKind::Media,
        at_day(5, ganja()),
        "Rockets hit Ganja.",
    );
    let config = MergeConfig::default();
    let joined = merge(
        &[vague.clone(), one.clone()],
        &Constraints::default(),
        &config,
    );
    assert_eq!(
        joined.len(),
        1,
        "one incident that week: the vague report is about it"
    );
    let apart = merge(
        &[vague.clone(), one, other],
        &Constraints::default(),
        &config,
    );
    assert_eq!(
        apart.len(),
        3,
        "two incidents that week: the vague report is pinned to neither"
    );
    // Two vague reports never make an incident between them.
    let mut other_vague = vague.clone();
    other_vague.id = id("w8", 0);
    assert_eq!(
        merge(&[vague, other_vague], &Constraints::default(), &config).len(),
        2
    );
}

#[test]
fn regions_match_only_themselves_and_towns_match_towns_nearby() {
    let config = MergeConfig::default();
    let nk = at_day(4, region("Nagorno-Karabakh"));
    let stepanakert = at_day(4, town("Stepanakert", 174979, 39.82, 46.75));
    let near = at_day(4, town("Krkzhan", 1, 39.85, 46.78));
    let far = at_day(4, town("Martuni", 2, 39.79, 47.11));
    assert!(compatible(
        &nk,
        &at_day(4, region("Nagorno-Karabakh")),
        &config
    ));
    assert!(!compatible(&nk, &stepanakert, &config));
    assert!(compatible(&stepanakert, &near, &config));
    assert!(!compatible(&stepanakert, &far, &config));
    let mut agreement = at_day(4, town("Krkzhan", 1, 39.85, 46.78));
    agreement.sub_event_type = SubEventType::Agreement;
    agreement.event_type = EventType::StrategicDevelopments;
    assert!(
        !compatible(&stepanakert, &agreement, &config),
        "another event family"
    );
}

fn decision(n: u64, action: Action) -> Decision {
    Decision {
        id: DecisionId(n),
        action,
        reviewer: "analyst".into(),
        at: "2026-12-01T10:00:00Z".into(),
        note: "checked the sources".into(),
        leaf: None,
    }
}

#[test]
fn decisions_keep_claims_together_apart_out_and_corrected() {
    let records = corpus();
    let keep = |id: &ClaimId| Some(id.clone());
    let docs = |names: &[&str]| -> Vec<ClaimId> { names.iter().map(|d| id(d, 0)).collect() };
    let claims_of = |incidents: &[model::Incident]| -> Vec<Vec<String>> {
        incidents
            .iter()
            .map(|i| i.claims.iter().map(|c| c.document.clone()).collect())
            .collect()
    };
    let run = |decisions: &[Decision]| {
        let constraints = Constraints::from_decisions(decisions, &keep);
        merge(&records, &constraints, &MergeConfig::default())
    };

    // Merge: Stepanakert and Barda are one incident, though far apart.
    let merged = run(&[decision(
        1,
        Action::Merge {
            incidents: vec![],
            claims: docs(&["g8", "e6", "f7"]),
        },
    )]);
    assert_eq!(
        claims_of(&merged),
        vec![vec!["e6", "f7", "g8"], vec!["a1", "b2", "c3", "d5"]]
    );

    // Split: the Baku Monitor's report is another incident, though it fits.
    let split = vec![decision(
        2,
        Action::Split {
            incident: IncidentId("inc-a1-0".into()),
            claims: docs(&["c3"]),
            rest: docs(&["a1", "b2", "d5"]),
        },
    )];
    assert_eq!(
        claims_of(&run(&split)),
        vec![
            vec!["g8"],
            vec!["a1", "b2", "d5"],
            vec!["c3"],
            vec!["e6", "f7"]
        ]
    );
    // ... and merging them again later (a merge names every claim of both) undoes the split.
    let mut again = split.clone();
    again.push(decision(
        3,
        Action::Merge {
            incidents: vec![],
            claims: docs(&["c3", "a1", "b2", "d5"]),
        },
    ));
    assert_eq!(claims_of(&run(&again))[1], vec!["a1", "b2", "c3", "d5"]);
    // An undo of the split does the same.
    let mut undone = split.clone();
    undone.push(decision(
        4,
        Action::Undo {
            decision: DecisionId(2),
        },
    ));
    assert_eq!(claims_of(&run(&undone))[1], vec!["a1", "b2", "c3", "d5"]);

    // Reject: the NGO's claim joins nothing, and Barda loses its confirmation.
    let rejected = run(&[decision(5, Action::Reject { claim: id("f7", 0) })]);
    let barda_incident = rejected
        .iter()
        .find(|i| i.places[0].name == "Barda")
        .unwrap();
    assert_eq!(barda_incident.claims.len(), 1);
    assert_eq!(barda_incident.grade, Grade::Weak);

    // Correct: Stepanakert's report was really about Barda on the 28th.
    let mut corrected_date = at_day(28, barda()).date;
    corrected_date.as_mut().unwrap().span = None;
    let corrected = run(&[
        decision(
            6,
            Action::Correct {
                claim: id("g8", 0),
                correction: Correction::Places(vec![barda()]),
            },
        ),
        decision(
            7,
            Action::Correct {
                claim: id("g8", 0),
                correction: Correction::Date(corrected_date),
            },
        ),
    ]);
    assert_eq!(
        claims_of(&corrected),
        vec![vec!["a1", "b2", "c3", "d5"], vec!["e6", "f7", "g8"]]
    );

    // Grade: a reviewer discounts the Ganja incident, with the reason first.
    let graded = run(&[decision(
        8,
        Action::Grade {
            incident: IncidentId("inc-a1-0".into()),
            grade: Grade::Discounted,
        },
    )]);
    let ganja_incident = graded.iter().find(|i| i.id.0 == "inc-a1-0").unwrap();
    assert_eq!(ganja_incident.grade, Grade::Discounted);
    assert!(
        ganja_incident.grade_reasons[0]
            .reason
            .starts_with("set to discounted by analyst (d8)"),
        "{:?}",
        ganja_incident.grade_reasons
    );
}

#[test]
fn an_incident_keeps_every_name_the_reports_used() {
    let named = |doc: &str, written: &str| {
        let mut t = town("Khankendi", 146970, 39.82, 46.75);
        t.written = written.into();
        with(
            doc,
            doc,
            SourceKind::Media,
            at_day(4, t),
            "Shelling hit the city.",
        )
    };
    let records = vec![
        named("a1", "Khankendi"),
        named("b2", "Stepanakert"),
        named("c3", "Stepanakert"),
    ];
    for order in [records.clone(), records.iter().rev().cloned().collect()] {
        let incidents = merge(&order, &Constraints::default(), &MergeConfig::default());
        let place = &incidents[0].places[0];
        assert_eq!(place.written, vec!["Stepanakert", "Khankendi"]);
        assert_eq!(place.label(), "Stepanakert (Khankendi)");
    }
}

#[test]
fn counts_combine_into_the_range_the_sources_allow() {
    use model::NumberRange;
    let r = |min: Option<u32>, max: Option<u32>| NumberRange { min, max };
    let show = |ranges: &[NumberRange]| {
        let c = crate::build::combine_counts(ranges);
        (c.min, c.max)
    };
    // "at least 3" stays open at the top; a count of 10 closes it.
    assert_eq!(show(&[r(Some(3), None)]), (Some(3), None));
    assert_eq!(
        show(&[r(Some(3), None), r(Some(10), Some(10))]),
        (Some(3), Some(10))
    );
    // "at least 12" and "10": ten or more.
    assert_eq!(
        show(&[r(Some(12), None), r(Some(10), Some(10))]),
        (Some(10), None)
    );
    // "up to 30" stays open at the bottom unless a count closes it.
    assert_eq!(show(&[r(None, Some(30))]), (None, Some(30)));
    assert_eq!(
        show(&[r(None, Some(30)), r(Some(10), Some(10))]),
        (Some(10), Some(30))
    );
    // "deaths, numbers unknown" adds nothing to a count.
    assert_eq!(
        show(&[r(None, None), r(Some(9), Some(10))]),
        (Some(9), Some(10))
    );
    assert_eq!(show(&[r(None, None)]), (None, None));
}

/// Five towns, two pairs of them within 10 km, and a region; two event families; days 1-12,
/// some vague; a few decisions among the claims.
fn arbitrary_claims() -> impl Strategy<Value = (Vec<ClaimRecord>, Vec<Decision>)> {
    let places = [
        town("A", 11, 40.00, 47.00),
        town("B", 12, 40.05, 47.05),
        town("C", 13, 40.10, 47.10),
        town("D", 14, 41.00, 46.00),
        town("E", 15, 40.399, 46.999),
        region("R"),
    ];
    let claim = (0..places.len(), 1u32..12, 0u8..10, any::<bool>(), 0u8..3);
    (
        prop::collection::vec(claim, 1..40),
        prop::collection::vec((0usize..40, 0usize..40, 0u8..4), 0..4),
    )
        .prop_map(move |(specs, picks)| {
            let records: Vec<ClaimRecord> = specs
                .iter()
                .enumerate()
                .map(|(i, (p, d, shape, family, n))| {
                    let mut c = at_day(*d, places[*p].clone());
                    match shape {
                        0 => c = overnight(c, *d),
                        1 => {
                            c.date = Some(DateRange {
                                start: day(*d),
                                end: day(*d + 6),
                                precision: DatePrecision::Week,
                                span: None,
                            })
                        }
                        2 => c.date = None,
                        _ => {}
                    }
                    if *family {
                        c.sub_event_type = SubEventType::ArmedClash;
                        c.event_type = EventType::Battles;
                    }
                    let mut r = with(
                        &format!("d{n}"),
                        &format!("P{n}"),
                        SourceKind::Media,
                        c,
                        "x",
                    );
                    r.id.sentence = Span::new(i, i + 1);
                    r
                })
                .collect();
            let ids: Vec<ClaimId> = records.iter().map(|r| r.id.clone()).collect();
            let pick = |k: usize| ids[k % ids.len()].clone();
            let decisions = picks
                .iter()
                .enumerate()
                .map(|(n, (a, b, kind))| {
                    let action = match kind {
                        0 => Action::Merge {
                            incidents: vec![],
                            claims: vec![pick(*a), pick(*b)],
                        },
                        1 => Action::Split {
                            incident: IncidentId("inc-x".into()),
                            claims: vec![pick(*a)],
                            rest: vec![pick(*b)],
                        },
                        2 => Action::Reject { claim: pick(*a) },
                        _ => Action::Correct {
                            claim: pick(*a),
                            correction: Correction::Places(vec![town("D", 14, 41.0, 46.0)]),
                        },
                    };
                    decision(n as u64 + 1, action)
                })
                .collect();
            (records, decisions)
        })
}

fn partition(records: &[ClaimRecord], constraints: &Constraints) -> BTreeSet<Vec<ClaimId>> {
    let effective: Vec<ClaimRecord> = records
        .iter()
        .filter_map(|r| constraints.apply(r))
        .collect();
    cluster(&effective, constraints, &MergeConfig::default())
        .into_iter()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The same claims and decisions in any order give the same incidents.
    #[test]
    fn order_never_matters((records, decisions) in arbitrary_claims(), seed in any::<u64>()) {
        let keep = |id: &ClaimId| Some(id.clone());
        let constraints = Constraints::from_decisions(&decisions, &keep);
        let mut shuffled = records.clone();
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % n as u64) as usize;
            shuffled.swap(i, j);
        }
        let mut reversed_decisions = decisions.clone();
        reversed_decisions.reverse();
        let same = Constraints::from_decisions(&reversed_decisions, &keep);
        prop_assert_eq!(summary_of(&records, &constraints), summary_of(&shuffled, &same));
    }

    /// Merging any set of whole connected parts gives exactly their incidents in the full
    /// merge: what lets a store re-merge only the part a new claim reaches.
    #[test]
    fn merging_is_local((records, decisions) in arbitrary_claims(), pick in any::<u64>()) {
        let keep = |id: &ClaimId| Some(id.clone());
        let constraints = Constraints::from_decisions(&decisions, &keep);
        let full = partition(&records, &constraints);
        // Grow a part from one claim, by compatibility and decisions, as a store would.
        let effective: Vec<ClaimRecord> = records.iter().filter_map(|r| constraints.apply(r)).collect();
        prop_assume!(!effective.is_empty());
        let config = MergeConfig::default();
        let start = (pick % effective.len() as u64) as usize;
        let mut reached: BTreeSet<usize> = [start].into();
        let mut frontier = vec![start];
        while let Some(i) = frontier.pop() {
            for (j, other) in effective.iter().enumerate() {
                let linked = compatible(&effective[i].claim, &other.claim, &config)
                    || constraints.together_with(&effective[i].id).is_some_and(|g| g.contains(&other.id));
                if linked && reached.insert(j) {
                    frontier.push(j);
                }
            }
        }
        let part: Vec<ClaimRecord> = reached.iter().map(|&i| effective[i].clone()).collect();
        let local = cluster(&part, &constraints, &config);
        for group in &local {
            prop_assert!(full.contains(group), "{group:?} is not an incident of the full merge");
        }
    }
}

#[test]
fn a_strike_on_military_targets_admitted_by_the_accused_contests_the_civilian_harm_alleged() {
    let actor = |country: &str| model::Actor {
        name: "Russian forces".into(),
        country: model::CountryCode::new(country),
        kind: model::ActorKind::StateForces,
        span: Span::new(0, 1),
    };
    let speaker = |name: &str, country: &str| Speaker {
        name: name.into(),
        role: None,
        country: model::CountryCode::new(country),
        span: Span::new(0, 1),
    };
    let mut alleged = with(
        "m1",
        "Yerevan Daily Wire",
        SourceKind::Media,
        killed(at_day(24, ganja()), 4),
        "Ukrainian officials said Russian forces shelled a residential area, killing four civilians.",
    );
    alleged.claim.stance = Stance::Alleges;
    alleged.claim.perpetrator = Some(actor("RU"));
    alleged.claim.speaker = Some(speaker("Ukrainian officials", "UA"));
    let mut admitted = with(
        "m2",
        "Baku Monitor",
        SourceKind::Media,
        Claim {
            civilian_targeting: false,
            target: Some(model::Target {
                kind: model::TargetKind::Military,
                text: "military targets".into(),
                span: Span::new(0, 1),
            }),
            ..at_day(24, ganja())
        },
        "Russia's Defence Ministry said its forces carried out a strike on military targets.",
    );
    admitted.claim.stance = Stance::Reports;
    admitted.claim.perpetrator = Some(actor("RU"));
    admitted.claim.speaker = Some(speaker("Russia's Defence Ministry", "RU"));
    let incidents = merge(
        &with_origins(vec![alleged, admitted]),
        &Constraints::default(),
        &MergeConfig::default(),
    );
    assert_eq!(incidents.len(), 1, "one strike, two accounts");
    let i = &incidents[0];
    assert_eq!(i.grade, Grade::Contested, "{:?}", i.grade_reasons);
    assert!(
        i.grade_reasons
            .iter()
            .any(|r| r.reason.contains("military targets") && r.claims.len() == 1),
        "{:?}",
        i.grade_reasons
    );
}

/// The grouping as first written, comparing every claim with every claim of a growing
/// incident: the meaning `cluster` keeps while comparing each shape of claim once.
fn cluster_by_every_pair(records: &[ClaimRecord], constraints: &Constraints) -> Vec<Vec<ClaimId>> {
    use crate::neighbourhood::{days, founds, same_days};
    let config = MergeConfig::default();
    let mut sorted: Vec<&ClaimRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    sorted.dedup_by(|a, b| a.id == b.id);
    let n = sorted.len();
    let mut parts = Sets::new(n);
    for i in 0..n {
        for j in i + 1..n {
            if compatible(&sorted[i].claim, &sorted[j].claim, &config) {
                parts.union(i, j);
            }
        }
    }
    let at = |id: &ClaimId| sorted.iter().position(|r| &r.id == id);
    for group in constraints.groups() {
        let present: Vec<usize> = group.iter().filter_map(at).collect();
        for w in present.windows(2) {
            parts.union(w[0], w[1]);
        }
    }
    type Atom<'a> = (Vec<&'a ClaimRecord>, bool, (i64, i64, ClaimId));
    let fits = |a: &Atom<'_>, b: &Atom<'_>, exact: bool| {
        a.0.iter().any(|x| {
            b.0.iter().any(|y| {
                compatible(&x.claim, &y.claim, &config) && (!exact || same_days(&x.claim, &y.claim))
            })
        }) && !a
            .0
            .iter()
            .any(|x| b.0.iter().any(|y| constraints.must_be_apart(&x.id, &y.id)))
    };
    let mut groups = Vec::new();
    for part in parts.sets() {
        let mut sets = Sets::new(part.len());
        for (i, &a) in part.iter().enumerate() {
            for (j, &b) in part.iter().enumerate() {
                if constraints
                    .together_with(&sorted[a].id)
                    .is_some_and(|g| g.contains(&sorted[b].id))
                {
                    sets.union(i, j);
                }
            }
        }
        let mut atoms: Vec<Atom<'_>> = sets
            .sets()
            .into_iter()
            .map(|set| {
                let claims: Vec<&ClaimRecord> = set.iter().map(|&i| sorted[part[i]]).collect();
                let order = claims
                    .iter()
                    .map(|c| {
                        let (s, e) = days(&c.claim).unwrap_or((i64::MAX, i64::MAX));
                        (e, s, c.id.clone())
                    })
                    .min()
                    .unwrap();
                let founding = claims.iter().any(|c| founds(&c.claim));
                (claims, founding, order)
            })
            .collect();
        atoms.sort_by(|a, b| a.2.cmp(&b.2));
        let (founding, joining): (Vec<&Atom<'_>>, Vec<&Atom<'_>>) = atoms.iter().partition(|a| a.1);
        let mut incidents: Vec<Vec<&Atom<'_>>> = Vec::new();
        let mut taken = vec![false; founding.len()];
        for i in 0..founding.len() {
            if taken[i] {
                continue;
            }
            let mut incident = vec![founding[i]];
            for j in i + 1..founding.len() {
                if !taken[j] && incident.iter().all(|k| fits(k, founding[j], false)) {
                    taken[j] = true;
                    incident.push(founding[j]);
                }
            }
            incidents.push(incident);
        }
        let founded = incidents.len();
        let mut joins: Vec<Vec<&Atom<'_>>> = vec![Vec::new(); founded];
        for atom in joining {
            let fitting = |exact: bool| -> Vec<usize> {
                (0..founded)
                    .filter(|&i| incidents[i].iter().all(|k| fits(k, atom, exact)))
                    .collect()
            };
            let chosen = match fitting(true).as_slice() {
                [one] => Some(*one),
                [] => match fitting(false).as_slice() {
                    [one] => Some(*one),
                    _ => None,
                },
                _ => None,
            };
            match chosen {
                Some(i) => joins[i].push(atom),
                None => incidents.push(vec![atom]),
            }
        }
        for (incident, extra) in incidents.iter_mut().zip(joins) {
            incident.extend(extra);
        }
        for incident in incidents {
            let mut ids: Vec<ClaimId> = incident
                .iter()
                .flat_map(|a| a.0.iter().map(|c| c.id.clone()))
                .collect();
            ids.sort();
            groups.push(ids);
        }
    }
    groups.sort();
    groups
}

/// Claims of `arbitrary_claims`, some turned into denials, some given a target and a weapon,
/// many of them alike: the cases shapes must tell apart.
fn arbitrary_shaped_claims() -> impl Strategy<Value = (Vec<ClaimRecord>, Vec<Decision>)> {
    (arbitrary_claims(), prop::collection::vec(0u8..8, 40)).prop_map(|((mut records, d), marks)| {
        let targets = ["hardware store", "printing house", "school"];
        for (r, mark) in records.iter_mut().zip(marks) {
            match mark {
                0 => r.claim.stance = Stance::Denies,
                1..=4 => {
                    r.claim.target = Some(model::Target {
                        kind: model::TargetKind::CivilianObject,
                        text: targets[usize::from(mark) % targets.len()].into(),
                        span: Span::new(0, 1),
                    });
                    r.claim.weapons = vec![model::WeaponMention {
                        name: "w".into(),
                        category: if mark % 2 == 0 {
                            model::WeaponCategory::Missile
                        } else {
                            model::WeaponCategory::AirDroppedBomb
                        },
                        cluster_capable: false,
                        span: Span::new(0, 1),
                    }];
                }
                5 => r.claim.places.clear(),
                _ => {}
            }
        }
        (records, d)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Comparing shapes once gives exactly the incidents of comparing every pair of claims.
    #[test]
    fn comparing_shapes_once_changes_no_incident((records, decisions) in arbitrary_shaped_claims()) {
        let keep = |id: &ClaimId| Some(id.clone());
        let constraints = Constraints::from_decisions(&decisions, &keep);
        let effective: Vec<ClaimRecord> = records.iter().filter_map(|r| constraints.apply(r)).collect();
        prop_assert_eq!(
            cluster(&effective, &constraints, &MergeConfig::default()),
            cluster_by_every_pair(&effective, &constraints)
        );
    }
}

#[test]
fn twenty_thousand_copies_of_one_report_are_one_incident() {
    let records: Vec<ClaimRecord> = (0..20_000)
        .map(|i| {
            let mut r = with(
                &format!("d{i}"),
                "P",
                SourceKind::Media,
                at_day(3, town("A", 11, 40.0, 47.0)),
                "x",
            );
            r.id.sentence = Span::new(i, i + 1);
            r
        })
        .collect();
    let groups = cluster(&records, &Constraints::default(), &MergeConfig::default());
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].len(), 20_000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Finding copied sentences by distinct sentence gives what comparing every earlier claim
    /// gives: the first earlier claim of another publisher with a near-copy of the sentence.
    #[test]
    fn copied_sentences_are_found_as_by_every_pair(
        specs in prop::collection::vec((0usize..4, 0usize..3), 1..60)
    ) {
        let sentences = [
            "A missile struck a residential area of Ganja overnight, killing 10 civilians.",
            "A missile struck a residential area of Ganja overnight, killing ten civilians.",
            "Armenia's defence ministry denied firing at Ganja.",
            "",
        ];
        let records: Vec<ClaimRecord> = specs
            .iter()
            .enumerate()
            .map(|(i, (s, p))| {
                let mut r = with(
                    &format!("d{i}"),
                    &format!("P{p}"),
                    SourceKind::Media,
                    at_day(3, town("A", 11, 40.0, 47.0)),
                    sentences[*s],
                );
                r.id.sentence = Span::new(i, i + 1);
                r
            })
            .collect();
        let refs: Vec<&ClaimRecord> = records.iter().collect();
        prop_assert_eq!(
            crate::sources::copied_from(&refs),
            crate::sources::copied_from_every_pair(&refs)
        );
    }
}
