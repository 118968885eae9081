//! The record as a living database, through the `Service`: incremental merging equals a full
//! merge (a property test over random claims, orders, batches and decisions), decisions hold
//! through re-extraction and rebuilds, ids are kept, and a schema-1 data directory opens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::BTreeSet;
use std::path::Path;

use merge::Constraints;
use model::{
    Action, Claim, ClaimId, ClaimRecord, Correction, Date, DatePrecision, DateRange, Decision,
    DecisionId, DocumentMeta, DocumentRecord, DocumentStatus, EventType, Feature, GeoPrecision,
    Incident, IncidentId, PlaceRef, Publisher, Span, Stance, SubEventType,
};
use pipeline::{IncidentFilter, IngestOptions, OpenOptions, Page, Parts, Reextract, Service};
use proptest::prelude::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn open(dir: &Path) -> Service {
    Service::open(&OpenOptions {
        data_dir: dir.to_path_buf(),
        database: None,
        create: true,
        read_only: false,
    })
    .await
    .unwrap()
}

const NOW: &str = "2026-12-01T00:00:00Z";

fn town(name: &str, id: u64, lat: f64, lon: f64) -> PlaceRef {
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

fn day(n: u32) -> Date {
    Date::new(2020, 10, n).unwrap()
}

/// One synthetic claim: where, when (and how vaguely), what kind, which stance.
#[derive(Clone, Debug)]
struct Spec {
    place: usize,
    day: u32,
    shape: u8,
    battle: bool,
    denial: bool,
}

const PLACES: [(&str, u64, f64, f64); 5] = [
    ("Tartar", 11, 40.34, 46.93),
    ("Near Tartar", 12, 40.38, 46.97),
    ("Barda", 13, 40.37, 47.13),
    ("Ganja", 14, 40.68, 46.36),
    ("Edge", 15, 40.399, 46.999),
];

fn claim(spec: &Spec, sentence: usize) -> Claim {
    let (name, id, lat, lon) = PLACES[spec.place];
    let (start, end, precision) = match spec.shape {
        0 => (day(spec.day), day(spec.day + 1), DatePrecision::Day),
        1 => (day(spec.day), day(spec.day + 6), DatePrecision::Week),
        _ => (day(spec.day), day(spec.day), DatePrecision::Day),
    };
    let (event_type, sub_event_type) = if spec.battle {
        (EventType::Battles, SubEventType::ArmedClash)
    } else {
        (
            EventType::ExplosionsRemoteViolence,
            SubEventType::ShellingArtilleryMissileAttack,
        )
    };
    Claim {
        stance: if spec.denial {
            Stance::Denies
        } else {
            Stance::Reports
        },
        speaker: None,
        event_type,
        sub_event_type,
        weapons: vec![],
        perpetrator: None,
        target: None,
        civilian_targeting: false,
        places: vec![town(name, id, lat, lon)],
        date: Some(DateRange {
            start,
            end,
            precision,
            span: None,
        }),
        casualties: vec![],
        legal: vec![],
        sentence: Span::new(sentence * 10, sentence * 10 + 9),
        event_word: Some(Span::new(sentence * 10, sentence * 10 + 3)),
    }
}

/// A document of the corpus: its record, text and claims.
struct Doc {
    record: DocumentRecord,
    text: String,
    claims: Vec<Claim>,
}

fn docs(specs: &[Vec<Spec>]) -> Vec<Doc> {
    specs
        .iter()
        .enumerate()
        .map(|(n, claims)| {
            let sha = format!("{n:02x}").repeat(32);
            let text = "x".repeat(10 * claims.len().max(1));
            Doc {
                record: DocumentRecord {
                    sha256: sha,
                    size: text.len() as u64,
                    origin: format!("doc{n}"),
                    format: "text".into(),
                    retrieved_at: NOW.into(),
                    collected_by: None,
                    meta: DocumentMeta {
                        publisher: Some(format!("Publisher {}", n % 3)),
                        published: Some(day(20)),
                        ..DocumentMeta::default()
                    },
                    ombud_version: "test".into(),
                    status: DocumentStatus::Extracted,
                    n_claims: claims.len(),
                    copy_of: None,
                    text: None,
                },
                claims: claims
                    .iter()
                    .enumerate()
                    .map(|(i, s)| claim(s, i))
                    .collect(),
                text,
            }
        })
        .collect()
}

fn parts(docs: &[Doc]) -> Vec<Parts<'_>> {
    docs.iter()
        .map(|d| Parts {
            record: &d.record,
            text: &d.text,
            claims: &d.claims,
            diagnostics: &[],
        })
        .collect()
}

/// What merging everything at once gives: the incidents, ids left out.
fn oracle(docs: &[Doc], decisions: &[Decision]) -> BTreeSet<String> {
    let origins = pipeline::origin_registry(None).unwrap();
    let records: Vec<ClaimRecord> = docs
        .iter()
        .flat_map(|d| {
            let ids = ClaimId::derive(&d.record.sha256, &d.claims);
            let origins = &origins;
            d.claims.iter().zip(ids).map(move |(c, id)| {
                let publisher =
                    Publisher::unknown(d.record.meta.publisher.as_deref().unwrap_or(""));
                ClaimRecord {
                    id,
                    claim: c.clone(),
                    origin: origins.origin(c, &publisher, None),
                    publisher,
                    published: d.record.meta.published,
                    sentence_text: c.sentence.slice(&d.text).unwrap_or_default().to_string(),
                    copy_of: None,
                }
            })
        })
        .collect();
    let constraints = Constraints::from_decisions(decisions, &|id| Some(id.clone()));
    merge::merge(&records, &constraints, &merge::MergeConfig::default())
        .iter()
        .map(without_id)
        .collect()
}

fn without_id(i: &Incident) -> String {
    let mut i = i.clone();
    i.id = IncidentId(String::new());
    i.aliases.clear();
    serde_json::to_string(&i).unwrap()
}

/// Every incident; the store's count of incidents must agree with them.
async fn all_incidents(service: &Service) -> Vec<Incident> {
    let all = service
        .incidents(&IncidentFilter::default(), &Page::default())
        .await
        .unwrap();
    assert_eq!(
        service.counts().await.unwrap().incidents,
        all.len() as u64,
        "the incident counter"
    );
    all
}

/// Documents of claims; decisions as (claim, claim, kind); batch sizes.
type Corpus = (Vec<Vec<Spec>>, Vec<(usize, usize, u8)>, Vec<usize>);

fn arbitrary_corpus() -> impl Strategy<Value = Corpus> {
    let spec = (
        0..PLACES.len(),
        1u32..10,
        0u8..5,
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(place, day, shape, battle, denial)| Spec {
            place,
            day,
            shape,
            battle,
            denial,
        });
    (
        prop::collection::vec(prop::collection::vec(spec, 1..4), 1..24),
        prop::collection::vec((0usize..64, 0usize..64, 0u8..5), 0..4),
        prop::collection::vec(1usize..8, 1..6),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Documents stored in any order, in batches of any size, with decisions taken in between,
    /// give the incidents a full merge of everything gives; a rebuild changes nothing, ids included.
    #[test]
    fn incremental_merging_equals_a_full_merge((specs, picks, batches) in arbitrary_corpus(), seed in any::<u64>()) {
        let docs = docs(&specs);
        let all_ids: Vec<ClaimId> = docs
            .iter()
            .flat_map(|d| ClaimId::derive(&d.record.sha256, &d.claims))
            .collect();
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut state = seed | 1;
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let dir = test_support::temp_dir();
        let (expected, incremental, rebuilt, ids_before, ids_after) = rt().block_on(async {
            let service = open(dir.path()).await;
            let mut decisions: Vec<Decision> = Vec::new();
            let mut at = 0;
            let mut batch = 0;
            while at < order.len() {
                let n = batches[batch % batches.len()].min(order.len() - at);
                let chosen: Vec<Doc> = order[at..at + n]
                    .iter()
                    .map(|&i| Doc {
                        record: docs[i].record.clone(),
                        text: docs[i].text.clone(),
                        claims: docs[i].claims.clone(),
                    })
                    .collect();
                service.add_documents(&parts(&chosen), NOW).await.unwrap();
                at += n;
                // A decision after the first batches, about claims stored or not yet stored.
                if let Some((a, b, kind)) = picks.get(batch).copied() {
                    let (a, b) = (all_ids[a % all_ids.len()].clone(), all_ids[b % all_ids.len()].clone());
                    let action = match kind {
                        0 => Action::Merge { incidents: vec![], claims: vec![a, b] },
                        1 => Action::Split { incident: IncidentId("inc-x".into()), claims: vec![a], rest: vec![b] },
                        2 => Action::Reject { claim: a },
                        3 => {
                            let (name, id, lat, lon) = PLACES[3];
                            Action::Correct { claim: a, correction: Correction::Places(vec![town(name, id, lat, lon)]) }
                        }
                        _ => Action::Correct {
                            claim: a,
                            correction: Correction::Date(Some(DateRange {
                                start: day(4),
                                end: day(4),
                                precision: DatePrecision::Day,
                                span: None,
                            })),
                        },
                    };
                    let d = service.decide(action, "analyst", NOW, "checked").await.unwrap();
                    decisions.push(d);
                }
                batch += 1;
            }
            let expected = oracle(&docs, &decisions);
            let before = all_incidents(&service).await;
            let incremental: BTreeSet<String> = before.iter().map(without_id).collect();
            service.rebuild(&mut |_| {}).await.unwrap();
            let after = all_incidents(&service).await;
            let rebuilt: BTreeSet<String> = after.iter().map(without_id).collect();
            let ids = |list: &[Incident]| -> BTreeSet<(String, String)> {
                list.iter().map(|i| (i.id.0.clone(), without_id(i))).collect()
            };
            let result = (expected, incremental, rebuilt, ids(&before), ids(&after));
            service.close().await.unwrap();
            result
        });
        prop_assert_eq!(&incremental, &expected, "incremental vs full merge");
        prop_assert_eq!(&rebuilt, &expected, "rebuild vs full merge");
        prop_assert_eq!(ids_before, ids_after, "a rebuild keeps every id");
    }
}

#[test]
fn ten_days_of_strikes_on_one_town_are_ten_incidents() {
    let specs: Vec<Vec<Spec>> = (1..=10u32)
        .map(|d| {
            vec![Spec {
                place: 0,
                day: d,
                shape: 2,
                battle: false,
                denial: false,
            }]
        })
        .collect();
    let docs = docs(&specs);
    let dir = test_support::temp_dir();
    rt().block_on(async {
        let service = open(dir.path()).await;
        // Day by day, as reports come in.
        for d in &docs {
            service
                .add_documents(&parts(std::slice::from_ref(d)), NOW)
                .await
                .unwrap();
        }
        let incidents = all_incidents(&service).await;
        assert_eq!(incidents.len(), 10);
        assert!(incidents.iter().all(|i| i.date_start == i.date_end));
        service.close().await.unwrap();
    });
}

#[test]
fn ids_are_minted_once_and_a_joined_id_still_resolves() {
    let spec = |place, day| Spec {
        place,
        day,
        shape: 2,
        battle: false,
        denial: false,
    };
    // Two reports of one strike, stored apart, then a third with a lower document hash.
    let docs = docs(&[vec![spec(2, 5)], vec![spec(2, 5)], vec![spec(3, 7)]]);
    let dir = test_support::temp_dir();
    rt().block_on(async {
        let service = open(dir.path()).await;
        service
            .add_documents(&parts(&docs[1..2]), NOW)
            .await
            .unwrap();
        let first = all_incidents(&service).await[0].id.clone();
        service
            .add_documents(&parts(&docs[0..1]), NOW)
            .await
            .unwrap();
        let joined = all_incidents(&service).await;
        assert_eq!(joined.len(), 1);
        assert_eq!(
            joined[0].id, first,
            "a document with a lower hash joining keeps the id"
        );
        assert_eq!(joined[0].claims.len(), 2);

        // Two incidents a person merges: the older id stays, the other resolves to it.
        service
            .add_documents(&parts(&docs[2..3]), NOW)
            .await
            .unwrap();
        let both = all_incidents(&service).await;
        assert_eq!(both.len(), 2);
        let younger = both.iter().find(|i| i.id != first).unwrap().id.clone();
        let claims: Vec<ClaimId> = both.iter().flat_map(|i| i.claims.clone()).collect();
        service
            .decide(
                Action::Merge {
                    incidents: vec![first.clone(), younger.clone()],
                    claims,
                },
                "analyst",
                NOW,
                "the same strike, misdated by one outlet",
            )
            .await
            .unwrap();
        let merged = all_incidents(&service).await;
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].id, first);
        let detail = service.incident(&younger.0).await.unwrap();
        assert_eq!(detail.incident.id, first);
        assert_eq!(detail.alias, Some(younger.clone()));
        assert_eq!(detail.claims.len(), 3);

        // Undone, the merge's younger half comes back under a new id (ids are never reused).
        let decisions = service.decisions().await.unwrap();
        service
            .decide(
                Action::Undo {
                    decision: decisions[0].id,
                },
                "analyst",
                NOW,
                "they were two strikes after all",
            )
            .await
            .unwrap();
        let apart = all_incidents(&service).await;
        assert_eq!(apart.len(), 2);
        assert!(apart.iter().any(|i| i.id == first));
        assert!(apart.iter().all(|i| i.id != younger), "{apart:?}");
        service.close().await.unwrap();
    });
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of a committed fixture data directory (never opened in place).
fn fixture_copy(name: &str) -> test_support::TempDir {
    let dir = test_support::temp_dir();
    copy_dir(
        &test_support::repo_root()
            .join("crates/pipeline/tests/fixtures")
            .join(name),
        dir.path(),
    );
    dir
}

async fn open_existing(dir: &Path) -> Service {
    Service::open(&OpenOptions {
        data_dir: dir.to_path_buf(),
        database: None,
        create: false,
        read_only: false,
    })
    .await
    .unwrap()
}

#[test]
fn a_schema_1_data_directory_opens_with_its_incident_ids() {
    let dir = fixture_copy("schema1");
    rt().block_on(async {
        let service = open_existing(dir.path()).await;
        let counts = service.counts().await.unwrap();
        assert_eq!((counts.documents, counts.claims), (9, 48));
        // The Barda strike of 28 October keeps the id 0.1.0 gave it, and its grade.
        let barda = service.incident("inc-153280a478-0").await.unwrap();
        assert_eq!(barda.alias, None);
        assert_eq!(barda.incident.grade, model::Grade::Confirmed);
        assert_eq!(barda.incident.places[0].name, "Barda");
        // The archive of version 1 still verifies, and its log still extends its checkpoint.
        let report = service.verify(&mut |_| {}).await.unwrap();
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        let old = pipeline::Checkpoint {
            size: 11,
            root: "7861c936474dbdfe6de1f4fc43957535a5a1726ab0639d053cf214cdd5e898fb".into(),
        };
        assert!(service.consistency(&old).unwrap().unwrap().verify());
        service.close().await.unwrap();
    });
}

#[test]
fn a_schema_2_data_directory_opens_with_its_record_as_it_was() {
    opens_with_its_record_as_it_was("schema2", async |_| {});
}

#[test]
fn a_schema_3_data_directory_opens_with_its_record_as_it_was() {
    opens_with_its_record_as_it_was("schema3", async |_| {});
}

#[test]
fn a_schema_4_data_directory_opens_with_its_decisions() {
    opens_with_its_record_as_it_was("schema4", async |service| {
        let two_days = service.incident("inc-84e5caef70-815").await.unwrap();
        assert_eq!(two_days.incident.grade, model::Grade::Discounted);
        let history = service.history("inc-84e5caef70-815").await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].reviewer, "fixture");
        assert_eq!(
            history[0].leaf.as_deref(),
            Some("ba26332d4e7fb41032698988f810c4eb359cbf9f5f29471e57a756a4ece02226")
        );
        let twelve = pipeline::Checkpoint {
            size: 12,
            root: "daafbb4aa8276c698ea5c689698648b100099c2d2962b3991d401cdc47dc826c".into(),
        };
        assert!(service.consistency(&twelve).unwrap().unwrap().verify());
    });
}

#[test]
fn a_schema_5_data_directory_opens_with_its_decisions_and_places_its_incidents() {
    opens_with_its_record_as_it_was("schema5", async |service| {
        let history = service.history("inc-84e5caef70-815").await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(
            history[0].leaf.as_deref(),
            Some("a41eecac64a942aff4238f5a697f66259387585eb9c455f610eba6d3d8f6b779")
        );
        let twelve = pipeline::Checkpoint {
            size: 12,
            root: "083411f2265dc77cfeb91b2db7046e02436bae41246b86dfed6965224408daa7".into(),
        };
        assert!(service.consistency(&twelve).unwrap().unwrap().verify());
        // Schema 6: the rebuild gave every placed incident its coordinates, so the map finds
        // the 8 of 9 that have a place, and no accounts came with it.
        let world = store_grid();
        let cells = service
            .map(&IncidentFilter::default(), &world)
            .await
            .unwrap();
        assert_eq!(cells.iter().map(|c| c.count).sum::<u64>(), 8);
        assert!(service.accounts().await.unwrap().is_empty());
    });
}

#[test]
fn a_schema_6_data_directory_opens_and_says_it_did_not_record_who_collected_its_documents() {
    opens_with_its_record_as_it_was("schema6", async |service| {
        let history = service.history("inc-84e5caef70-815").await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(
            history[0].leaf.as_deref(),
            Some("9705b4b8cb53017d6de3f6bf0ac22ca58c1e5aa83119a314c3f13448877a8b6a")
        );
        let twelve = pipeline::Checkpoint {
            size: 12,
            root: "3d7b3684b63c53a250b81c4129a1ca0aefcf8859188b2826d6d8a6fe16450fc7".into(),
        };
        assert!(service.consistency(&twelve).unwrap().unwrap().verify());
        // Schema 7 records who collected each document; these were stored before it did.
        let mut by = Vec::new();
        let n = service
            .each_document(&Default::default(), &Default::default(), &mut |d| {
                by.push(d.collected_by.clone());
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(n, 9);
        assert!(by.iter().all(Option::is_none), "{by:?}");
    });
}

/// The whole world in one-degree cells.
fn store_grid() -> pipeline::MapGrid {
    pipeline::MapGrid {
        cell_e6: 1_000_000,
        south_e6: -90_000_000,
        west_e6: -180_000_000,
        north_e6: 90_000_000,
        east_e6: 180_000_000,
        by: pipeline::MapKey::Grade,
    }
}

/// A fixture of the five example reports opens (migrated, its incidents rebuilt in this ombud's
/// form) with its counts, ids, grades, periods and log as they were; `then` checks what is
/// particular to the fixture.
fn opens_with_its_record_as_it_was(fixture: &str, then: impl AsyncFn(&Service)) {
    let dir = fixture_copy(fixture);
    rt().block_on(async {
        let service = open_existing(dir.path()).await;
        let counts = service.counts().await.unwrap();
        assert_eq!(
            (counts.documents, counts.claims, counts.incidents),
            (9, 47, 9)
        );
        let barda = service.incident("inc-153280a478-98").await.unwrap();
        assert_eq!(barda.incident.grade, model::Grade::Confirmed);
        assert!(
            !barda.incident.origins_for.is_empty(),
            "rebuilt in this ombud's form"
        );
        // The two-day incident of 10-11 October got its span class: a query from the 11th
        // still finds it, and nothing that ended before.
        let from_11 = service
            .incidents(
                &IncidentFilter {
                    since: Date::new(2020, 10, 11),
                    until: Date::new(2020, 10, 11),
                    ..Default::default()
                },
                &Page::default(),
            )
            .await
            .unwrap();
        let ids: Vec<&str> = from_11.iter().map(|i| i.id.0.as_str()).collect();
        assert_eq!(ids, ["inc-84e5caef70-815", "inc-84e5caef70-30"]);
        let report = service.verify(&mut |_| {}).await.unwrap();
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        let old = pipeline::Checkpoint {
            size: 11,
            root: "e0b28b1f5b698b15813f8da4ef63f8ee8e836364b10adf399e6a9cf3861aa60f".into(),
        };
        assert!(service.consistency(&old).unwrap().unwrap().verify());
        then(&service).await;
        service.close().await.unwrap();
    });
}

#[test]
fn decisions_hold_through_re_extraction_and_rebuilds() {
    let dir = test_support::temp_dir();
    let examples = test_support::examples_dir();
    rt().block_on(async {
        let service = open(dir.path()).await;
        service
            .ingest(&[examples], &IngestOptions::new(NOW.into(), 2), &mut |_| {})
            .await
            .unwrap();
        let before = all_incidents(&service).await;
        // A person merges the two incidents of 4 October (Stepanakert and Ganja).
        let day4: Vec<&Incident> = before
            .iter()
            .filter(|i| {
                i.date_start == Date::new(2020, 10, 4)
                    && i.places
                        .iter()
                        .any(|p| p.name == "Ganja" || p.name == "Khankendi")
            })
            .collect();
        assert_eq!(
            day4.len(),
            2,
            "{:?}",
            day4.iter().map(|i| &i.id).collect::<Vec<_>>()
        );
        let claims: Vec<ClaimId> = day4.iter().flat_map(|i| i.claims.clone()).collect();
        let merge = service
            .decide(
                Action::Merge {
                    incidents: day4.iter().map(|i| i.id.clone()).collect(),
                    claims: claims.clone(),
                },
                "analyst",
                NOW,
                "one salvo",
            )
            .await
            .unwrap();
        assert_eq!(merge.id, DecisionId(1));
        let merged = all_incidents(&service).await;
        assert_eq!(merged.len(), before.len() - 1);
        let kept = merged
            .iter()
            .find(|i| claims.iter().all(|c| i.claims.contains(c)))
            .expect("one incident holds every claim merged")
            .clone();

        // Re-extracting every document changes nothing it need not: ids and the merge hold.
        let report = service
            .reextract(&Reextract::All, NOW, 2, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(
            report.documents as u64,
            service.counts().await.unwrap().documents
        );
        assert_eq!(report.claims_before, report.claims_after);
        assert_eq!((report.moved, report.gone), (0, 0));
        let again = all_incidents(&service).await;
        assert_eq!(again, merged, "the same incidents, the same ids");

        // A rebuild from scratch gives them again.
        service.rebuild(&mut |_| {}).await.unwrap();
        assert_eq!(all_incidents(&service).await, merged);
        assert!(service.incident(&kept.id.0).await.unwrap().claims.len() >= claims.len());

        // Nothing is stale for this ombud: a default re-extraction does nothing.
        let none = service
            .reextract(&Reextract::Stale, NOW, 2, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(none.documents, 0);
        service.close().await.unwrap();
    });
}

#[test]
fn reviews_are_logged_hold_through_re_extraction_and_rebuilds_and_make_a_history() {
    let dir = test_support::temp_dir();
    let examples = test_support::examples_dir();
    rt().block_on(async {
        let service = open(dir.path()).await;
        service
            .ingest(&[examples], &IngestOptions::new(NOW.into(), 2), &mut |_| {})
            .await
            .unwrap();
        let by = |note: &str| pipeline::Reviewer {
            name: "ana".into(),
            at: NOW.into(),
            note: note.into(),
        };
        let size_before = service.checkpoint().unwrap().size;
        let incidents = all_incidents(&service).await;
        let big = incidents
            .iter()
            .max_by_key(|i| (i.claims.len(), i.id.clone()))
            .unwrap()
            .clone();
        assert!(big.claims.len() >= 3, "{}", big.claims.len());

        // Split one claim out, grade the rest, correct a count of another claim.
        let out = big.claims[0].clone();
        let split = service
            .review_split(&big.id.0, &[out.short()], &by("another strike"))
            .await
            .unwrap();
        let grade = service
            .review_grade(&big.id.0, model::Grade::Discounted, &by("a military site"))
            .await
            .unwrap();
        let counted = big.claims[1].clone();
        let correct = service
            .review_correct(
                &counted.to_string(),
                "civilian_killed",
                "4-5",
                &by("hospital list"),
            )
            .await
            .unwrap();
        assert_eq!(
            (split.id, grade.id, correct.id),
            (DecisionId(1), DecisionId(2), DecisionId(3))
        );
        // Bad input is refused with a reason, and records nothing.
        let bad = service
            .review_correct(&counted.to_string(), "weather", "rain", &by("x"))
            .await
            .unwrap_err()
            .to_string();
        assert!(bad.contains("not a field"), "{bad}");
        assert!(
            service
                .review_split(&big.id.0, &[], &by("x"))
                .await
                .is_err()
        );

        let check = |incidents: &[Incident]| {
            let graded = incidents.iter().find(|i| i.id == big.id).unwrap();
            assert_eq!(graded.grade, model::Grade::Discounted);
            assert!(!graded.claims.contains(&out), "the split claim left it");
            assert!(
                incidents
                    .iter()
                    .any(|i| i.id != big.id && i.claims.contains(&out)),
                "the split claim is an incident of its own"
            );
            let with_count = incidents
                .iter()
                .find(|i| i.claims.contains(&counted))
                .unwrap();
            let killed = with_count.casualties.civilian_killed.unwrap();
            assert!(killed.min.unwrap() <= 4, "{killed:?}");
        };
        let reviewed = all_incidents(&service).await;
        check(&reviewed);

        // Every decision is a leaf of the log, proved like a document.
        assert_eq!(service.checkpoint().unwrap().size, size_before + 3);
        for d in [&split, &grade, &correct] {
            let leaf = d.leaf.as_deref().unwrap();
            let proven = service.prove(leaf).unwrap();
            assert!(proven.proof.verify() && proven.intact);
        }
        assert!(service.verify(&mut |_| {}).await.unwrap().failed.is_empty());

        // They hold through re-extraction and a rebuild.
        service
            .reextract(&Reextract::All, NOW, 2, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(all_incidents(&service).await, reviewed);
        service.rebuild(&mut |_| {}).await.unwrap();
        assert_eq!(all_incidents(&service).await, reviewed);
        check(&all_incidents(&service).await);

        // The history of the incident: the split, the grade, the correction of one of its
        // claims, then the undo of the grade.
        let undo = service
            .review_undo("d2", &by("graded too soon"))
            .await
            .unwrap();
        let history: Vec<DecisionId> = service
            .history(&big.id.0)
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(history, vec![split.id, grade.id, correct.id, undo.id]);
        let after_undo = service.incident(&big.id.0).await.unwrap().incident;
        assert_ne!(after_undo.grade, model::Grade::Discounted);

        // A decision's logged bytes edited afterwards: verify names it.
        let path = dir
            .path()
            .join("archive/sha256")
            .join(&grade.leaf.as_deref().unwrap()[..2])
            .join(grade.leaf.as_deref().unwrap());
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&path, perms).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("a military site", "a military base")).unwrap();
        let report = service.verify(&mut |_| {}).await.unwrap();
        // Named twice: as a logged blob whose bytes changed, and as the decision it records.
        assert_eq!(report.failed.len(), 2, "{:?}", report.failed);
        assert!(
            report
                .failed
                .iter()
                .all(|f| f.sha256 == *grade.leaf.as_ref().unwrap())
        );
        assert!(report.failed.iter().any(|f| f.origin == "decision d2"));
        service.close().await.unwrap();
    });
}

/// The incidents of the one-city reports (tests/data), keyed by day.
async fn one_city(service: &Service) -> std::collections::BTreeMap<Date, Incident> {
    all_incidents(service)
        .await
        .into_iter()
        .filter(|i| i.places.iter().any(|p| p.name == "Tartar"))
        .map(|i| (i.date_start.unwrap(), i))
        .collect()
}

/// The lines of a test data file.
fn data_lines(name: &str) -> Vec<String> {
    std::fs::read_to_string(data(name))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn incidents_an_analyst_would_sign() {
    let lines = data_lines("one-city.jsonl");
    let day = |d| Date::new(2020, 10, d).unwrap();
    rt().block_on(async {
        // Without the reprint, then with it: a copy adds no independent source.
        let dir = test_support::temp_dir();
        let without: Vec<&String> = lines.iter().filter(|l| !l.contains("reprint-1")).collect();
        let input = dir.path().join("without.jsonl");
        std::fs::write(
            &input,
            without.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
        let service = open(&dir.path().join("a")).await;
        service
            .ingest(&[input], &IngestOptions::new(NOW.into(), 2), &mut |_| {})
            .await
            .unwrap();
        let alone = one_city(&service).await;
        service.close().await.unwrap();

        let dir = test_support::temp_dir();
        let service = open(dir.path()).await;
        service
            .ingest(
                &[data("one-city.jsonl")],
                &IngestOptions::new(NOW.into(), 2),
                &mut |_| {},
            )
            .await
            .unwrap();
        let with = one_city(&service).await;
        let strike = &with[&day(19)];
        assert_eq!(
            strike.n_independent_sources,
            alone[&day(19)].n_independent_sources,
            "a reprint adds no independent source: {:?}",
            strike.origins_for
        );
        assert!(strike.n_documents > alone[&day(19)].n_documents);
        let reprint = service
            .each_document(&Default::default(), &Page::default(), &mut |_| Ok(()))
            .await
            .unwrap();
        assert!(reprint >= 5);
        let docs = service
            .claims(&pipeline::ClaimQuery::default(), &Page::default())
            .await
            .unwrap();
        let copies: Vec<_> = docs.iter().filter(|c| c.copy_of.is_some()).collect();
        assert!(
            !copies.is_empty(),
            "the reprint's claims say whose copy they are"
        );
        assert!(
            copies
                .iter()
                .all(|c| c.original_publisher.as_deref() == Some("Caucasus Wire")),
            "the wire is the original, its reprint the copy"
        );

        // One body under two names is one origin; the denial makes the incident contested.
        let prosecutors: Vec<&model::Origin> = strike
            .origins_for
            .iter()
            .filter(|o| o.name.contains("Azerbaijan"))
            .collect();
        assert_eq!(prosecutors.len(), 1, "{:?}", strike.origins_for);
        assert_eq!(
            strike.grade,
            model::Grade::Contested,
            "{:?}",
            strike.grade_reasons
        );
        assert!(
            strike
                .grade_reasons
                .iter()
                .any(|r| r.reason.starts_with("denied by") && !r.claims.is_empty()),
            "{:?}",
            strike.grade_reasons
        );
        // "ten civilians" and "nine people" are one civilian range.
        let killed = strike.casualties.civilian_killed.unwrap();
        assert_eq!((killed.min, killed.max), (Some(9), Some(10)));
        assert_eq!(strike.casualties.unspecified_killed, None);
        // The next day's strike in the same town is another incident.
        assert!(with.contains_key(&day(20)), "{:?}", with.keys());
        assert_ne!(with[&day(20)].id, strike.id);

        // An NGO's report of its own visit makes it confirmed, with the denial still named.
        service
            .ingest(
                &[data("one-city-ngo.jsonl")],
                &IngestOptions::new(NOW.into(), 2),
                &mut |_| {},
            )
            .await
            .unwrap();
        let confirmed = &one_city(&service).await[&day(19)];
        assert_eq!(
            confirmed.grade,
            model::Grade::Confirmed,
            "{:?}",
            confirmed.grade_reasons
        );
        assert!(
            confirmed
                .grade_reasons
                .iter()
                .any(|r| r.reason.contains("Field Evidence Watch") && !r.claims.is_empty())
        );

        // Any input order gives the same incidents and the same copy groups.
        let dir = test_support::temp_dir();
        let reversed = dir.path().join("reversed.jsonl");
        let mut all = lines.clone();
        all.extend(
            std::fs::read_to_string(data("one-city-ngo.jsonl"))
                .unwrap()
                .lines()
                .map(str::to_string),
        );
        all.reverse();
        std::fs::write(
            &reversed,
            all.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
        let other = open(&dir.path().join("r")).await;
        other
            .ingest(&[reversed], &IngestOptions::new(NOW.into(), 2), &mut |_| {})
            .await
            .unwrap();
        let summary = |m: &std::collections::BTreeMap<Date, Incident>| -> Vec<String> {
            m.values()
                .map(|i| {
                    format!(
                        "{:?} {} {:?} {:?} {}",
                        i.date_start, i.grade, i.origins_for, i.casualties, i.n_claims
                    )
                })
                .collect()
        };
        assert_eq!(
            summary(&one_city(&other).await),
            summary(&one_city(&service).await)
        );
        other.close().await.unwrap();
        service.close().await.unwrap();
    });
}

/// An incident as the two-strikes test compares it: places, first day, claims, civilians killed.
type Summary = (String, Date, usize, Option<u32>);

#[test]
fn strikes_the_reports_tell_apart_stay_apart_and_show_says_why() {
    let lines = data_lines("two-strikes.jsonl");
    rt().block_on(async {
        let mut seen: Option<Vec<Summary>> = None;
        for order in [false, true] {
            let dir = test_support::temp_dir();
            let mut ordered = lines.clone();
            if order {
                ordered.reverse();
            }
            let input = dir.path().join("in.jsonl");
            std::fs::write(&input, ordered.join("\n") + "\n").unwrap();
            let service = open(&dir.path().join("data")).await;
            service
                .ingest(&[input], &IngestOptions::new(NOW.into(), 2), &mut |_| {})
                .await
                .unwrap();
            let incidents = all_incidents(&service).await;
            let mut summary: Vec<Summary> = incidents
                .iter()
                .map(|i| {
                    (
                        i.places
                            .iter()
                            .map(|p| p.name.clone())
                            .collect::<Vec<_>>()
                            .join("+"),
                        i.date_start.unwrap(),
                        i.n_claims,
                        i.casualties.civilian_killed.and_then(|r| r.min),
                    )
                })
                .collect();
            summary.sort();
            let names: Vec<&str> = summary.iter().map(|s| s.0.as_str()).collect();
            // One report on two cities gives two incidents, each with its own count; the
            // bomb on the store and the missile on the printing house are two.
            assert_eq!(
                names,
                ["Kharkiv", "Kharkiv", "Mykolaiv", "Odesa"],
                "{summary:?}"
            );
            assert_eq!(summary[2].3, Some(2));
            assert_eq!(summary[3].3, Some(3));
            let printing = incidents
                .iter()
                .find(|i| {
                    i.weapons.iter().any(|w| w.contains("missile")) && i.places[0].name == "Kharkiv"
                })
                .unwrap();
            let detail = service.incident(&printing.id.0).await.unwrap();
            assert!(
                detail
                    .claims
                    .iter()
                    .all(|c| !c.quote.contains("hardware store")),
                "the store's claims are the bomb's"
            );
            let why = service.explain(&detail).await.unwrap();
            assert_eq!(why.members.len(), detail.claims.len());
            assert!(
                why.members
                    .iter()
                    .all(|m| m.why.contains("same kind of event")),
                "{why:?}"
            );
            assert!(
                why.kept_out
                    .iter()
                    .any(|k| k.why.contains("another strike")),
                "the nearest kept out say they are another strike: {:?}",
                why.kept_out
            );
            match &seen {
                None => seen = Some(summary),
                Some(first) => assert_eq!(first, &summary, "the same incidents in any order"),
            }
            service.close().await.unwrap();
        }
    });
}

#[test]
fn verify_names_a_text_edited_in_the_database() {
    let dir = test_support::temp_dir();
    rt().block_on(async {
        let service = Service::open(&OpenOptions {
            data_dir: dir.path().to_path_buf(),
            database: None,
            create: true,
            read_only: false,
        })
        .await
        .unwrap();
        service
            .ingest(
                &[test_support::examples_dir()],
                &IngestOptions::new(NOW.into(), 2),
                &mut |_| {},
            )
            .await
            .unwrap();
        let clean = service.verify(&mut |_| {}).await.unwrap();
        assert!(clean.failed.is_empty(), "{:?}", clean.failed);
        assert_eq!(
            clean.texts_rederived, clean.documents,
            "every text read again"
        );
        service.close().await.unwrap();
        // Someone with the database makes the governor say another thing: the archived bytes
        // (which the log pins) no longer read as the stored text.
        use sqlx::Connection;
        let db = dir.path().join("ombud.db");
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let edited = sqlx::query(
            "UPDATE documents SET text = replace(text, 'Armenian forces', 'Azerbaijani forces') \
             WHERE text LIKE '%Armenian forces%'",
        )
        .execute(&mut conn)
        .await
        .unwrap()
        .rows_affected();
        assert!(edited > 0);
        conn.close().await.unwrap();
        let service = open_existing(dir.path()).await;
        let report = service.verify(&mut |_| {}).await.unwrap();
        let named: Vec<&str> = report
            .failed
            .iter()
            .filter(|f| f.problem.starts_with("the stored text differs"))
            .map(|f| f.sha256.as_str())
            .collect();
        assert_eq!(named.len() as u64, edited, "{:?}", report.failed);
        service.close().await.unwrap();
    });
}

/// Reprints of one story, ingested one per commit in either order or all at once, end with
/// the same original and every other reprint a copy of it: a commit reads a copy group back
/// only when its original changes, and then repoints every copy.
#[test]
fn reprints_arriving_one_commit_at_a_time_end_as_copies_of_one_original() {
    let text = "TARTAR - Artillery shells struck a residential street in Tartar on 19 October, \
        killing ten civilians and wounding 14 others, the district prosecutor said. Rescue \
        workers pulled bodies from two damaged houses near the covered market, and a school \
        nearby lost its windows. The prosecutor said the shells came from across the line.";
    let lines: Vec<String> = (0..6)
        .map(|i| {
            serde_json::json!({
                "id": format!("reprint-{i}"),
                "publisher": "Local Paper",
                "published": "2020-10-20",
                "title": format!("Tartar shelled (edition {i})"),
                "text": text,
            })
            .to_string()
        })
        .collect();
    let copies_after = |order: Vec<Vec<&String>>| {
        rt().block_on(async {
            let dir = test_support::temp_dir();
            let service = open(&dir.path().join("data")).await;
            for (n, batch) in order.iter().enumerate() {
                let input = dir.path().join(format!("in{n}.jsonl"));
                let body: String = batch.iter().map(|l| format!("{l}\n")).collect();
                std::fs::write(&input, body).unwrap();
                service
                    .ingest(&[input], &IngestOptions::new(NOW.into(), 2), &mut |_| {})
                    .await
                    .unwrap();
            }
            let mut copy_of = std::collections::BTreeMap::new();
            service
                .each_document(&Default::default(), &Page::default(), &mut |d| {
                    copy_of.insert(d.sha256.clone(), d.copy_of.clone());
                    Ok(())
                })
                .await
                .unwrap();
            service.close().await.unwrap();
            copy_of
        })
    };
    let together = copies_after(vec![lines.iter().collect()]);
    let forward = copies_after(lines.iter().map(|l| vec![l]).collect());
    let backward = copies_after(lines.iter().rev().map(|l| vec![l]).collect());
    assert_eq!(together.len(), 6);
    let originals: Vec<&String> = together
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(sha, _)| sha)
        .collect();
    assert_eq!(originals.len(), 1, "{together:?}");
    assert!(
        together
            .values()
            .flatten()
            .all(|original| original == originals[0]),
        "{together:?}"
    );
    assert_eq!(forward, together);
    assert_eq!(backward, together);
}
