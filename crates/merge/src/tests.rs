//! Merge tests: grouping, ranges, independence, grades, and order independence.

use model::{
    Casualty, CasualtyGroup, CasualtyOutcome, Claim, ClaimId, ClaimRecord, Date, DatePrecision,
    DateRange, EventType, Feature, GeoPrecision, PlaceRef, Publisher, SourceKind, Span, Speaker,
    Stance, SubEventType,
};

use crate::{MergeConfig, merge};

fn place(name: &str, id: u64, lat: f64, lon: f64) -> PlaceRef {
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

#[allow(clippy::too_many_arguments)] // a test fixture with every field named at the call
fn record(
    doc: &str,
    publisher: &str,
    kind: SourceKind,
    stance: Stance,
    day: u32,
    town: PlaceRef,
    killed: Option<u32>,
    sentence: &str,
) -> ClaimRecord {
    let date = Date::new(2020, 10, day).unwrap();
    ClaimRecord {
        id: ClaimId {
            document: doc.into(),
            sentence: Span::new(0, 1),
            event: None,
            repeat: 0,
        },
        claim: Claim {
            stance,
            speaker: None,
            event_type: EventType::ExplosionsRemoteViolence,
            sub_event_type: SubEventType::ShellingArtilleryMissileAttack,
            weapons: vec![],
            perpetrator: None,
            target: None,
            civilian_targeting: true,
            places: vec![town],
            date: Some(DateRange {
                start: date,
                end: date,
                precision: DatePrecision::Day,
                span: None,
            }),
            casualties: killed
                .map(|n| Casualty {
                    group: CasualtyGroup::Civilian,
                    outcome: CasualtyOutcome::Killed,
                    min: Some(n),
                    max: Some(n),
                    span: Span::new(0, 1),
                })
                .into_iter()
                .collect(),
            legal: vec![],
            sentence: Span::new(0, 1),
            event_word: None,
        },
        publisher: Publisher {
            kind,
            ..Publisher::unknown(publisher)
        },
        published: Some(date),
        sentence_text: sentence.into(),
    }
}

fn corpus() -> Vec<ClaimRecord> {
    let ganja = || place("Ganja", 587084, 40.68, 46.36);
    let barda = || place("Barda", 587057, 40.37, 47.13);
    let mut denial = record(
        "d5",
        "Yerevan Daily Wire",
        SourceKind::Media,
        Stance::Denies,
        11,
        ganja(),
        None,
        "Armenia denied firing at Ganja.",
    );
    denial.claim.speaker = Some(Speaker {
        name: "Armenia's Defence Ministry".into(),
        role: None,
        country: model::CountryCode::new("AM"),
        span: Span::new(0, 1),
    });
    vec![
        record(
            "a1",
            "Caucasus Wire",
            SourceKind::Wire,
            Stance::Reports,
            11,
            ganja(),
            Some(10),
            "A missile struck a residential area of Ganja overnight, killing 10 civilians, officials said on Sunday.",
        ),
        record(
            "b2",
            "Tbilisi Regional Review",
            SourceKind::Media,
            Stance::Reports,
            11,
            ganja(),
            Some(10),
            "A missile struck a residential area of Ganja overnight, killing ten civilians, officials said on Sunday.",
        ),
        record(
            "c3",
            "Baku Monitor",
            SourceKind::Media,
            Stance::Reports,
            10,
            ganja(),
            Some(9),
            "Nine people died when a missile hit apartment blocks in Ganja.",
        ),
        denial,
        record(
            "e6",
            "Ganja Herald",
            SourceKind::Media,
            Stance::Reports,
            28,
            barda(),
            Some(21),
            "Rockets hit Barda, killing 21.",
        ),
        record(
            "f7",
            "Field Evidence Watch",
            SourceKind::Ngo,
            Stance::Confirms,
            28,
            barda(),
            Some(21),
            "Our researchers confirmed cluster munitions in Barda.",
        ),
        record(
            "g8",
            "Caucasus Wire",
            SourceKind::Wire,
            Stance::Reports,
            4,
            place("Stepanakert", 174979, 39.82, 46.75),
            None,
            "Shelling hit Stepanakert.",
        ),
    ]
}

fn summary(records: &[ClaimRecord]) -> Vec<String> {
    merge(records, &MergeConfig::default())
        .into_iter()
        .map(|i| {
            let killed = i
                .casualties
                .iter()
                .map(|c| format!("{:?}..{:?}", c.range.min, c.range.max))
                .collect::<Vec<_>>()
                .join(",");
            format!(
                "{} {} {} grade={} sources={} for=[{}] against=[{}] killed={killed}",
                i.id,
                i.date_start.map(|d| d.to_string()).unwrap_or_default(),
                i.places
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join("/"),
                i.grade,
                i.n_independent_sources,
                i.sources_for.join("; "),
                i.sources_against.join("; ")
            )
        })
        .collect()
}

#[test]
fn merges_same_place_and_day_and_grades() {
    assert_eq!(
        summary(&corpus()),
        vec![
            "inc-g8-0-00 2020-10-04 Stepanakert grade=weak sources=1 for=[Caucasus Wire] against=[] killed=",
            "inc-a1-0-00 2020-10-10 Ganja grade=contested sources=2 for=[Baku Monitor; Caucasus Wire] against=[Armenia's Defence Ministry] killed=Some(9)..Some(10)",
            "inc-e6-0-00 2020-10-28 Barda grade=confirmed sources=2 for=[Field Evidence Watch; Ganja Herald] against=[] killed=Some(21)..Some(21)",
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
fn an_incident_keeps_every_name_the_reports_used() {
    let named = |doc: &str, written: &str| {
        let mut town = place("Khankendi", 146970, 39.82, 46.75);
        town.written = written.into();
        record(
            doc,
            doc,
            SourceKind::Media,
            Stance::Reports,
            4,
            town,
            None,
            "Shelling hit the city.",
        )
    };
    let records = vec![
        named("a1", "Khankendi"),
        named("b2", "Stepanakert"),
        named("c3", "Stepanakert"),
    ];
    for order in [records.clone(), records.iter().rev().cloned().collect()] {
        let incidents = merge(&order, &MergeConfig::default());
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
        let c = crate::combine_counts(ranges);
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
