//! The store's conformance suite: every test runs against SQLite and, where a server answers
//! (always under `.ci/run`), PostgreSQL, through the same API. Then what only SQLite has: the
//! schema-1 fixture migrated, a failed write that leaves nothing behind, a newer schema refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;
use std::sync::Arc;

use model::{
    Action, Claim, ClaimId, Date, DatePrecision, DateRange, Decision, DecisionId, DocumentMeta,
    DocumentRecord, DocumentStatus, EventType, Feature, GeoPrecision, Grade, Incident, IncidentId,
    IncidentPlace, PlaceRef, Publisher, SourceKind, Span, Speaker, Stance, SubEventType,
};
use store::scratch::{ScratchPostgres, test_server};
use store::{
    ClaimQuery, DocumentQuery, IncidentChanges, IncidentQuery, IncidentWrite, IndexRow, NewClaim,
    NewDocument, PlaceFilter, RecordStore, ReextractSelection, Resolved, StoreError, StoreTarget,
};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `check` on a fresh SQLite store, then on a fresh PostgreSQL schema when a server answers.
fn conformance(name: &str, check: impl AsyncFn(&dyn RecordStore)) {
    rt().block_on(async {
        let dir = test_support::temp_dir();
        let sqlite = store::open(&StoreTarget::Sqlite(dir.path().join("ombud.db")))
            .await
            .unwrap();
        check(sqlite.as_ref()).await;
        sqlite.close().await.unwrap();
        match test_server().await {
            Err(e) => panic!("{e}"),
            Ok(None) => {}
            Ok(Some(url)) => {
                let scratch = ScratchPostgres::create(&url, name).await.unwrap();
                let pg = store::open(&scratch.target).await.unwrap();
                assert_eq!(pg.backend(), store::Backend::Postgres);
                check(pg.as_ref()).await;
                pg.close().await.unwrap();
                scratch.drop_schema().await.unwrap();
            }
        }
    });
}

fn day(d: u32) -> Date {
    Date::new(2020, 10, d).unwrap()
}

fn place(name: &str, geonameid: u64) -> PlaceRef {
    PlaceRef {
        name: name.into(),
        geonameid,
        lat: 40.0,
        lon: 47.0,
        country: model::CountryCode::new("AZ"),
        admin1: String::new(),
        admin2: String::new(),
        feature: Feature::City,
        precision: GeoPrecision::Town,
        span: Span::new(0, 1),
        written: name.into(),
    }
}

fn claim(sentence: Span, on: u32, stance: Stance, speaker: Option<&str>) -> Claim {
    Claim {
        stance,
        speaker: speaker.map(|name| Speaker {
            name: name.into(),
            role: Some("spokesman".into()),
            country: None,
            span: sentence,
        }),
        event_type: EventType::ExplosionsRemoteViolence,
        sub_event_type: SubEventType::ShellingArtilleryMissileAttack,
        weapons: vec![],
        perpetrator: None,
        target: None,
        civilian_targeting: false,
        places: vec![place("Tartar", 584651)],
        date: Some(DateRange {
            start: day(on),
            end: day(on),
            precision: DatePrecision::Day,
            span: None,
        }),
        casualties: vec![],
        legal: vec![],
        sentence,
        event_word: Some(Span::new(sentence.start, sentence.start + 3)),
    }
}

fn record(sha: &str, publisher: &str, published: u32) -> DocumentRecord {
    DocumentRecord {
        sha256: sha.to_string(),
        size: 10,
        origin: "in.txt".into(),
        format: "text".into(),
        retrieved_at: "2026-12-01T00:00:00Z".into(),
        collected_by: None,
        meta: DocumentMeta {
            publisher: Some(publisher.into()),
            published: Some(day(published)),
            ..DocumentMeta::default()
        },
        ombud_version: "test".into(),
        status: DocumentStatus::Extracted,
        n_claims: 0,
        copy_of: None,
        text: None,
    }
}

const TEXT: &str = "Shells hit Tartar. The ministry denied it.";

/// Three documents (a, b, c) with two, one and no claims.
struct Corpus {
    records: Vec<DocumentRecord>,
    claims: Vec<Vec<Claim>>,
    json: Vec<Vec<String>>,
}

fn corpus() -> Corpus {
    let mut c = Corpus {
        json: vec![],
        records: vec![
            record(&"a".repeat(64), "Caucasus Wire", 4),
            record(&"b".repeat(64), "Baku Monitor", 5),
            record(&"c".repeat(64), "Ganja Herald", 6),
        ],
        claims: vec![
            vec![
                claim(Span::new(0, 18), 4, Stance::Reports, None),
                claim(Span::new(19, 42), 4, Stance::Denies, Some("The ministry")),
            ],
            vec![claim(
                Span::new(0, 18),
                5,
                Stance::Alleges,
                Some("Hikmet Hajiyev"),
            )],
            vec![],
        ],
    };
    c.json = c
        .claims
        .iter()
        .map(|cs| {
            cs.iter()
                .map(|x| serde_json::to_string(x).unwrap())
                .collect()
        })
        .collect();
    c
}

fn index_row(c: &Claim) -> IndexRow {
    let d = c.date.as_ref().unwrap();
    IndexRow {
        event_type: c.event_type.as_str().to_string(),
        place: format!("g{}", c.places[0].geonameid),
        day_start: d.start.to_days(),
        day_end: d.end.to_days(),
    }
}

fn new_docs<'a>(corpus: &'a Corpus, run: i64) -> Vec<NewDocument<'a>> {
    corpus
        .records
        .iter()
        .zip(&corpus.claims)
        .zip(&corpus.json)
        .map(|((r, claims), json)| NewDocument {
            record: r,
            text: TEXT,
            diagnostics: &[],
            run,
            sketch: None,
            bands: vec![],
            copy_of: None,
            claims: ClaimId::derive(&r.sha256, claims)
                .into_iter()
                .zip(claims)
                .zip(json)
                .map(|((id, c), json)| NewClaim {
                    quote: c.sentence.slice(TEXT).unwrap(),
                    index: vec![index_row(c)],
                    id,
                    claim: c,
                    json,
                    incident: None,
                })
                .collect(),
        })
        .collect()
}

async fn ingest(store: &dyn RecordStore, corpus: &Corpus) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let run = tx
        .run("test", "lex", "gaz", "2026-12-01T00:00:00Z")
        .await
        .unwrap();
    let docs = new_docs(corpus, run);
    let stored = tx.insert_documents(&docs).await.unwrap();
    assert_eq!(stored.len(), 3);
    tx.commit().await.unwrap();
    run
}

fn incident(id: &str, on: u32, grade: Grade, claims: Vec<ClaimId>) -> Incident {
    Incident {
        id: IncidentId(id.into()),
        aliases: vec![],
        date: Some(model::Period {
            start: day(on),
            end: day(on),
            precision: DatePrecision::Day,
        }),
        date_start: Some(day(on)),
        date_end: Some(day(on)),
        date_precision: Some(DatePrecision::Day),
        event_type: EventType::ExplosionsRemoteViolence,
        sub_event_type: SubEventType::ShellingArtilleryMissileAttack,
        places: vec![IncidentPlace {
            name: "Tartar".into(),
            geonameid: 584651,
            lat: 40.3,
            lon: 46.9,
            country: model::CountryCode::new("AZ"),
            admin1: String::new(),
            admin2: String::new(),
            precision: GeoPrecision::Town,
            written: vec!["Terter".into()],
        }],
        weapons: vec!["BM-30 Smerch".into()],
        perpetrators: vec![model::Perpetrator {
            name: "Armenian forces".into(),
            country: model::CountryCode::new("AM"),
            kind: None,
        }],
        civilian_targeting: true,
        casualties: model::Casualties::default(),
        grade,
        grade_reasons: vec![],
        origins_for: vec![model::Origin {
            name: "Caucasus Wire".into(),
            side: Some(model::Side::Independent),
            kind: SourceKind::Wire,
        }],
        origins_against: vec![],
        n_independent_sources: 1,
        n_claims: claims.len(),
        n_documents: 1,
        publishers: vec!["Caucasus Wire".into()],
        treaty: vec![],
        decisions: vec![],
        claims,
    }
}

/// The store's counts agree with what it lists.
async fn counts_are_true(store: &dyn RecordStore) {
    let counts = store.counts().await.unwrap();
    let claims = store.claims(&ClaimQuery::default()).await.unwrap().len();
    let incidents = store
        .incidents(&IncidentQuery::default())
        .await
        .unwrap()
        .len();
    let documents = store
        .documents(&DocumentQuery::default())
        .await
        .unwrap()
        .len();
    assert_eq!(
        (counts.documents, counts.claims, counts.incidents),
        (documents as u64, claims as u64, incidents as u64),
        "counters against rows"
    );
}

fn ids_of(list: &[Incident]) -> Vec<&str> {
    list.iter().map(|i| i.id.0.as_str()).collect()
}

#[test]
fn documents_and_claims_go_in_once_and_come_back_in_order() {
    conformance("docs", async |store| {
        let corpus = corpus();
        ingest(store, &corpus).await;
        // The same documents again change nothing.
        let mut tx = store.begin().await.unwrap();
        assert!(
            tx.insert_documents(&new_docs(&corpus, 1))
                .await
                .unwrap()
                .is_empty()
        );
        tx.commit().await.unwrap();
        let counts = store.counts().await.unwrap();
        assert_eq!((counts.documents, counts.claims), (3, 3));

        let all = store.documents(&DocumentQuery::default()).await.unwrap();
        let shas: Vec<&str> = all.iter().map(|d| &d.sha256[..1]).collect();
        assert_eq!(shas, ["a", "b", "c"], "by date of publication");
        assert_eq!(all[0].n_claims, 2);
        assert_eq!(all[0].meta.publisher.as_deref(), Some("Caucasus Wire"));
        let page = store
            .documents(&DocumentQuery {
                after: Some("a".repeat(64)),
                limit: Some(1),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(&page[0].sha256[..1], "b");
        let by_publisher = store
            .documents(&DocumentQuery {
                publisher: Some("ganja herald".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_publisher.len(), 1);
        assert_eq!(
            store.documents_by_prefix("aaaa").await.unwrap()[0]
                .text
                .as_deref(),
            Some(TEXT)
        );
        assert!(store.documents_by_prefix("zz").await.unwrap().is_empty());
        let existing = store
            .existing_documents(&["a".repeat(64), "f".repeat(64)])
            .await
            .unwrap();
        assert_eq!(existing.len(), 1);

        // Claims: in order of date, filtered in SQL, paginated.
        let claims = store.claims(&ClaimQuery::default()).await.unwrap();
        assert_eq!(claims.len(), 3);
        assert_eq!(claims[0].quote, "Shells hit Tartar.");
        assert_eq!(claims[0].publisher.as_deref(), Some("Caucasus Wire"));
        let denials = store
            .claims(&ClaimQuery {
                stance: Some(Stance::Denies),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(denials.len(), 1);
        assert_eq!(denials[0].quote, "The ministry denied it.");
        let by_speaker = |s: &str| ClaimQuery {
            speaker: Some(s.into()),
            ..Default::default()
        };
        assert_eq!(store.claims(&by_speaker("hajiyev")).await.unwrap().len(), 1);
        assert_eq!(
            store.claims(&by_speaker("publisher")).await.unwrap().len(),
            1
        );
        assert_eq!(
            store.claims(&by_speaker("spokes")).await.unwrap().len(),
            2,
            "roles too"
        );
        let later = store
            .claims(&ClaimQuery {
                since: Some(day(5)),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(later.len(), 1);
        let words = store
            .claims(&ClaimQuery {
                text: Some("DENIED".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(words.len(), 1);
        let second_page = store
            .claims(&ClaimQuery {
                after: Some(claims[0].id.to_string()),
                limit: Some(10),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(second_page, claims[1..].to_vec());
    })
}

#[test]
fn the_index_finds_neighbours_by_family_place_and_day() {
    conformance("index", async |store| {
        let corpus = corpus();
        ingest(store, &corpus).await;
        let mut tx = store.begin().await.unwrap();
        let probe = |place: &str, on: u32| IndexRow {
            event_type: "Explosions/Remote violence".into(),
            place: place.into(),
            day_start: day(on).to_days(),
            day_end: day(on).to_days(),
        };
        let found = tx.neighbours(&[probe("g584651", 4)], 3).await.unwrap();
        assert_eq!(found.len(), 2, "both claims of the 4th at Tartar");
        assert_eq!(
            tx.neighbours(&[probe("g584651", 9)], 3)
                .await
                .unwrap()
                .len(),
            0
        );
        assert_eq!(tx.neighbours(&[probe("g1", 4)], 3).await.unwrap().len(), 0);
        let loaded = tx.load_claims(&found).await.unwrap();
        assert_eq!(loaded.len(), 2);
        assert!(
            loaded
                .iter()
                .all(|c| c.publisher.as_deref() == Some("Caucasus Wire"))
        );

        // Re-indexing a corrected claim moves it.
        let moved = IndexRow {
            place: "g1".into(),
            ..probe("g584651", 4)
        };
        tx.reindex(&[(found[0].clone(), vec![moved.clone()])])
            .await
            .unwrap();
        assert_eq!(
            tx.neighbours(&[moved], 3).await.unwrap(),
            vec![found[0].clone()]
        );
        tx.commit().await.unwrap();
    })
}

/// Incidents of every length, from one day to years: a query from a date finds each one that
/// reaches it, in order, whatever class of length the store files it under.
#[test]
fn since_finds_incidents_of_every_length() {
    conformance("spans", async |store| {
        let base = day(1).to_days();
        let spans = [0i64, 1, 5, 7, 8, 20, 31, 32, 200, 366, 400, 1500];
        let mut all = Vec::new();
        for (n, span) in spans.iter().enumerate() {
            for start in [0i64, 30, 300, 900, 1600] {
                let mut i = incident(&format!("inc-{n:02}{start:08}-0"), 1, Grade::Weak, vec![]);
                i.date_start = Date::from_days(base + start);
                i.date_end = Date::from_days(base + start + span);
                all.push(i);
            }
        }
        let json: Vec<String> = all
            .iter()
            .map(|i| serde_json::to_string(i).unwrap())
            .collect();
        let mut tx = store.begin().await.unwrap();
        let batch = tx.batch();
        tx.write_incidents(&IncidentChanges {
            write: all
                .iter()
                .zip(&json)
                .map(|(incident, json)| IncidentWrite {
                    incident,
                    json,
                    minted: Some(batch),
                })
                .collect(),
            ..Default::default()
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        for since in [0i64, 1, 29, 31, 60, 299, 700, 1000, 1599, 2000, 3200] {
            for limit in [None, Some(3)] {
                let query = IncidentQuery {
                    since: Date::from_days(base + since),
                    limit,
                    ..Default::default()
                };
                let mut expect: Vec<&Incident> = all
                    .iter()
                    .filter(|i| i.date_end.unwrap().to_days() >= base + since)
                    .collect();
                expect.sort_by_key(|i| (i.date_start, i.id.0.clone()));
                expect.truncate(limit.unwrap_or(usize::MAX));
                let got = store.incidents(&query).await.unwrap();
                assert_eq!(
                    ids_of(&got),
                    expect.iter().map(|i| i.id.0.as_str()).collect::<Vec<_>>(),
                    "since day {since}, limit {limit:?}"
                );
            }
            // The timeline counts, day by day, what the list selects.
            let query = IncidentQuery {
                since: Date::from_days(base + since),
                ..Default::default()
            };
            let mut by_day: std::collections::BTreeMap<i64, u64> = Default::default();
            for i in store.incidents(&query).await.unwrap() {
                *by_day.entry(i.date_start.unwrap().to_days()).or_default() += 1;
            }
            let timeline: Vec<(i64, u64)> = store
                .timeline(&query)
                .await
                .unwrap()
                .iter()
                .map(|d| (d.day, d.count))
                .collect();
            assert_eq!(
                timeline,
                by_day.into_iter().collect::<Vec<_>>(),
                "since {since}"
            );
        }
        counts_are_true(store).await;
    });
}

#[test]
fn incidents_keep_ids_aliases_and_answer_filtered_pages() {
    conformance("incidents", async |store| {
        let corpus = corpus();
        ingest(store, &corpus).await;
        let claims = store.claims(&ClaimQuery::default()).await.unwrap();
        let ids: Vec<ClaimId> = claims.iter().map(|c| c.id.clone()).collect();
        let first = incident("inc-aaaaaaaaaa-0", 4, Grade::Fair, ids[..2].to_vec());
        let second = incident("inc-bbbbbbbbbb-0", 5, Grade::Weak, ids[2..].to_vec());
        let mut tx = store.begin().await.unwrap();
        let batch = tx.batch();
        tx.write_incidents(&IncidentChanges {
            write: vec![
                IncidentWrite {
                    incident: &first,
                    json: &serde_json::to_string(&first).unwrap(),
                    minted: Some(batch),
                },
                IncidentWrite {
                    incident: &second,
                    json: &serde_json::to_string(&second).unwrap(),
                    minted: Some(batch),
                },
            ],
            membership: ids[..2]
                .iter()
                .map(|c| (c.clone(), Some(first.id.clone())))
                .chain([(ids[2].clone(), Some(second.id.clone()))])
                .collect(),
            ..Default::default()
        })
        .await
        .unwrap();
        let taken = tx
            .taken_ids(&["inc-aaaaaaaaaa-0".into(), "inc-cccc".into()])
            .await
            .unwrap();
        assert_eq!(taken.len(), 1);
        assert_eq!(
            tx.claims_of_incidents(std::slice::from_ref(&first.id))
                .await
                .unwrap()
                .len(),
            2
        );
        tx.commit().await.unwrap();

        let all = store.incidents(&IncidentQuery::default()).await.unwrap();
        assert_eq!(ids_of(&all), ["inc-aaaaaaaaaa-0", "inc-bbbbbbbbbb-0"]);
        let q = |f: &dyn Fn(&mut IncidentQuery)| {
            let mut query = IncidentQuery::default();
            f(&mut query);
            query
        };
        for (query, expect) in [
            (
                q(&|q| q.grade = Some(Grade::Weak)),
                vec!["inc-bbbbbbbbbb-0"],
            ),
            (q(&|q| q.since = Some(day(5))), vec!["inc-bbbbbbbbbb-0"]),
            (q(&|q| q.until = Some(day(4))), vec!["inc-aaaaaaaaaa-0"]),
            (
                q(&|q| q.weapon = Some("smerch".into())),
                vec!["inc-aaaaaaaaaa-0", "inc-bbbbbbbbbb-0"],
            ),
            (q(&|q| q.weapon = Some("cluster".into())), vec![]),
            (
                q(&|q| q.actor = Some("AM".into())),
                vec!["inc-aaaaaaaaaa-0", "inc-bbbbbbbbbb-0"],
            ),
            (
                q(&|q| q.actor = Some("armenia".into())),
                vec!["inc-aaaaaaaaaa-0", "inc-bbbbbbbbbb-0"],
            ),
            (
                q(&|q| q.event_type = Some("shelling".into())),
                vec!["inc-aaaaaaaaaa-0", "inc-bbbbbbbbbb-0"],
            ),
            (q(&|q| q.event_type = Some("protest".into())), vec![]),
            (
                q(&|q| q.text = Some("terter".into())),
                vec!["inc-aaaaaaaaaa-0", "inc-bbbbbbbbbb-0"],
            ),
            (
                q(&|q| {
                    q.place = Some(PlaceFilter {
                        ids: vec![584651],
                        name: "x".into(),
                    })
                }),
                vec!["inc-aaaaaaaaaa-0", "inc-bbbbbbbbbb-0"],
            ),
            (
                q(&|q| {
                    q.place = Some(PlaceFilter {
                        ids: vec![],
                        name: "TERTER".into(),
                    })
                }),
                vec!["inc-aaaaaaaaaa-0", "inc-bbbbbbbbbb-0"],
            ),
            (
                q(&|q| {
                    q.place = Some(PlaceFilter {
                        ids: vec![1],
                        name: "Ganja".into(),
                    })
                }),
                vec![],
            ),
            (
                q(&|q| {
                    q.after = Some("inc-aaaaaaaaaa-0".into());
                    q.limit = Some(5);
                }),
                vec!["inc-bbbbbbbbbb-0"],
            ),
            (q(&|q| q.limit = Some(1)), vec!["inc-aaaaaaaaaa-0"]),
        ] {
            let got = store.incidents(&query).await.unwrap();
            assert_eq!(ids_of(&got), expect, "{query:?}");
        }

        // By id, by unique prefix; ambiguous prefixes and unknown ids say so.
        assert!(matches!(
            store.incident("inc-aaaaaaaaaa-0").await.unwrap(),
            Resolved::Incident(_)
        ));
        assert!(
            matches!(store.incident("inc-bbb").await.unwrap(), Resolved::Incident(i) if i.id == second.id)
        );
        assert!(
            matches!(store.incident("inc-").await.unwrap(), Resolved::Ambiguous(v) if v.len() == 2)
        );
        assert_eq!(store.incident("inc-zzz").await.unwrap(), Resolved::NotFound);
        assert_eq!(store.claims_of_incident(&first.id).await.unwrap().len(), 2);

        // The younger incident joins the older: its id becomes an alias that still resolves.
        let joined = incident("inc-aaaaaaaaaa-0", 4, Grade::Fair, ids.clone());
        let mut tx = store.begin().await.unwrap();
        let seqs = tx
            .incident_seqs(&[first.id.clone(), second.id.clone()])
            .await
            .unwrap();
        assert_eq!(seqs.len(), 2);
        tx.write_incidents(&IncidentChanges {
            write: vec![IncidentWrite {
                incident: &joined,
                json: &serde_json::to_string(&joined).unwrap(),
                minted: None,
            }],
            joined: vec![(second.id.clone(), first.id.clone())],
            membership: ids
                .iter()
                .map(|c| (c.clone(), Some(first.id.clone())))
                .collect(),
            ..Default::default()
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            ids_of(&store.incidents(&IncidentQuery::default()).await.unwrap()),
            ["inc-aaaaaaaaaa-0"]
        );
        match store.incident("inc-bbbbbbbbbb-0").await.unwrap() {
            Resolved::Alias { alias, incident } => {
                assert_eq!(alias, second.id);
                assert_eq!(incident.id, first.id);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(store.claims_of_incident(&first.id).await.unwrap().len(), 3);

        // Every claim gone: the id is retired, and its aliases with it.
        let mut tx = store.begin().await.unwrap();
        tx.write_incidents(&IncidentChanges {
            emptied: vec![first.id.clone()],
            membership: ids.iter().map(|c| (c.clone(), None)).collect(),
            ..Default::default()
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.incident("inc-aaaaaaaaaa-0").await.unwrap(),
            Resolved::Retired(first.id.clone())
        );
        assert_eq!(
            store.incident("inc-bbbbbbbbbb-0").await.unwrap(),
            Resolved::Retired(second.id.clone())
        );
        assert_eq!(store.counts().await.unwrap().incidents, 0);
        counts_are_true(store).await;
    })
}

#[test]
fn re_extraction_replaces_claims_and_leaves_aliases() {
    conformance("reextract", async |store| {
        let corpus = corpus();
        let run = ingest(store, &corpus).await;
        let mut tx = store.begin().await.unwrap();
        let newer = tx
            .run("test-2", "lex", "gaz", "2026-12-02T00:00:00Z")
            .await
            .unwrap();
        assert_ne!(newer, run);
        assert_eq!(
            tx.run("test", "lex", "gaz", "later").await.unwrap(),
            run,
            "one run per version and digests"
        );
        let a = "a".repeat(64);
        let old = tx.claims_of_document(&a).await.unwrap();
        assert_eq!(old.len(), 2);
        // The new reading keeps the first sentence's claim (wider event word) and drops the second.
        let mut wider = claim(Span::new(0, 18), 4, Stance::Reports, None);
        wider.event_word = Some(Span::new(0, 6));
        let new_id = ClaimId::derive(&a, std::slice::from_ref(&wider)).remove(0);
        let wider_json = serde_json::to_string(&wider).unwrap();
        let mut rec = corpus.records[0].clone();
        rec.ombud_version = "test-2".into();
        let doc = NewDocument {
            record: &rec,
            text: TEXT,
            diagnostics: &[],
            run: newer,
            sketch: None,
            bands: vec![],
            copy_of: None,
            claims: vec![NewClaim {
                id: new_id.clone(),
                claim: &wider,
                json: &wider_json,
                quote: "Shells hit Tartar.",
                index: vec![index_row(&wider)],
                incident: None,
            }],
        };
        let aliases = vec![
            (old[0].clone(), Some(new_id.clone())),
            (old[1].clone(), None),
        ];
        tx.replace_claims(&doc, &aliases).await.unwrap();
        let resolved = tx
            .resolve_claims(&[old[0].clone(), old[1].clone(), new_id.clone()])
            .await
            .unwrap();
        assert_eq!(resolved[&old[0]], Some(new_id.clone()));
        assert_eq!(resolved[&old[1]], None);
        assert_eq!(resolved[&new_id], Some(new_id.clone()));
        tx.commit().await.unwrap();
        assert_eq!(store.counts().await.unwrap().claims, 2);

        let stale = store
            .documents_to_reextract(&ReextractSelection::NotRun(newer), None, 10)
            .await
            .unwrap();
        assert_eq!(stale.len(), 2, "b and c were read by the older run");
        assert!(stale.iter().all(|d| d.text.is_some()));
        let of_newer = store
            .documents_to_reextract(&ReextractSelection::Runs(vec![newer]), None, 10)
            .await
            .unwrap();
        assert_eq!(of_newer.len(), 1);
        let page = store
            .documents_to_reextract(&ReextractSelection::All, Some(&a), 10)
            .await
            .unwrap();
        assert_eq!(page.len(), 2);
        assert_eq!(store.runs().await.unwrap().len(), 2);
        counts_are_true(store).await;
    })
}

#[test]
fn decisions_and_publishers_are_kept() {
    conformance("decisions", async |store| {
        let decision = |note: &str| Decision {
            id: DecisionId(0),
            action: Action::Grade {
                incident: IncidentId("inc-x".into()),
                grade: Grade::Discounted,
            },
            reviewer: "analyst".into(),
            at: "2026-12-01T10:00:00Z".into(),
            note: note.into(),
            leaf: None,
        };
        let mut tx = store.begin().await.unwrap();
        let first = tx.append_decision(&decision("one")).await.unwrap();
        let second = tx.append_decision(&decision("two")).await.unwrap();
        assert!(second.id > first.id);
        tx.commit().await.unwrap();
        let all = store.decisions().await.unwrap();
        assert_eq!(all, vec![first, second]);

        let wire = Publisher {
            kind: SourceKind::Wire,
            ..Publisher::unknown("Caucasus Wire")
        };
        let mut tx = store.begin().await.unwrap();
        assert_eq!(
            tx.seed_publishers(std::slice::from_ref(&wire))
                .await
                .unwrap(),
            1
        );
        let edited = Publisher {
            kind: SourceKind::Media,
            note: "edited".into(),
            ..wire.clone()
        };
        tx.upsert_publisher(&edited).await.unwrap();
        assert_eq!(
            tx.seed_publishers(&[wire]).await.unwrap(),
            0,
            "seeding keeps edits"
        );
        tx.commit().await.unwrap();
        assert_eq!(store.publishers().await.unwrap(), vec![edited]);
    })
}

#[test]
fn the_band_index_files_originals_with_their_days_and_names_common_bands() {
    conformance("bands", async |store| {
        // Sixty documents of day 4 filed under band 7, the first three also under band 9; one of
        // day 30 under band 9.
        let mut records: Vec<DocumentRecord> = (0..60)
            .map(|i| record(&format!("{i:064x}"), "Caucasus Wire", 4))
            .collect();
        records.push(record(&"f".repeat(64), "Caucasus Wire", 30));
        let sha = |i: usize| records[i].sha256.clone();
        let mut tx = store.begin().await.unwrap();
        let docs: Vec<NewDocument<'_>> = records
            .iter()
            .enumerate()
            .map(|(i, r)| NewDocument {
                record: r,
                text: TEXT,
                diagnostics: &[],
                run: 1,
                sketch: None,
                bands: match i {
                    0..3 => vec![7, 9],
                    60 => vec![9],
                    _ => vec![7],
                },
                copy_of: None,
                claims: vec![],
            })
            .collect();
        tx.insert_documents(&docs).await.unwrap();
        let sorted = |v: &Option<Vec<(String, i64)>>| {
            let mut v = v.clone().expect("not common");
            v.sort();
            v
        };
        let (d4, d30) = (day(4).to_days(), day(30).to_days());
        let found = tx.band_members(&[7, 9, 11], 50).await.unwrap();
        assert_eq!(found[&7], None, "sixty under one band is common");
        assert_eq!(
            sorted(&found[&9]),
            vec![(sha(0), d4), (sha(1), d4), (sha(2), d4), (sha(60), d30)]
        );
        assert_eq!(found[&11], Some(vec![]));
        let shas = |found: &store::BandFiles| -> Vec<String> {
            sorted(&found[&9]).into_iter().map(|(s, _)| s).collect()
        };

        // A document that becomes a copy leaves the index; one that becomes an original enters.
        tx.set_copy_of(&[store::CopyChange {
            sha256: sha(0),
            copy_of: Some(sha(1)),
            bands: vec![7, 9],
        }])
        .await
        .unwrap();
        let found = tx.band_members(&[9], 50).await.unwrap();
        assert_eq!(shas(&found), vec![sha(1), sha(2), sha(60)]);
        let group = tx.copy_candidates(&[], &[sha(1)]).await.unwrap();
        assert_eq!(group.len(), 2, "the original and its copy");
        tx.set_copy_of(&[store::CopyChange {
            sha256: sha(0),
            copy_of: None,
            bands: vec![9],
        }])
        .await
        .unwrap();
        let found = tx.band_members(&[9], 50).await.unwrap();
        assert_eq!(shas(&found), vec![sha(0), sha(1), sha(2), sha(60)]);
        let found = tx.copy_candidates(&[sha(0)], &[]).await.unwrap();
        assert_eq!(found[0].text, TEXT);
        tx.commit().await.unwrap();
    })
}

/// A map cell as the test compares it: count, first id, counts by key.
type CellSummary = (u64, String, Vec<(String, u64)>);

#[test]
fn the_map_groups_what_the_list_selects_into_cells() {
    conformance("map", async |store| {
        // Nine incidents around Tartar, one in Ganja, one unplaced.
        let mut all = Vec::new();
        for n in 0..9 {
            let mut i = incident(&format!("tartar-{n}"), 1 + n, Grade::Weak, vec![]);
            i.places[0].lat = 40.3 + n as f64 * 0.001;
            if n == 0 {
                i.grade = Grade::Fair;
            }
            all.push(i);
        }
        let mut ganja = incident("ganja", 4, Grade::Contested, vec![]);
        ganja.places[0].lat = 40.68;
        ganja.places[0].lon = 46.36;
        all.push(ganja);
        let mut nowhere = incident("nowhere", 5, Grade::Weak, vec![]);
        nowhere.places.clear();
        all.push(nowhere);
        let json: Vec<String> = all
            .iter()
            .map(|i| serde_json::to_string(i).unwrap())
            .collect();
        let mut tx = store.begin().await.unwrap();
        let batch = tx.batch();
        tx.write_incidents(&IncidentChanges {
            write: all
                .iter()
                .zip(&json)
                .map(|(incident, json)| IncidentWrite {
                    incident,
                    json,
                    minted: Some(batch),
                })
                .collect(),
            ..Default::default()
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let world = |cell_e6| store::MapGrid {
            cell_e6,
            south_e6: -90_000_000,
            west_e6: -180_000_000,
            north_e6: 90_000_000,
            east_e6: 180_000_000,
            by: store::MapKey::Grade,
        };
        let cells = |c: &[store::MapCell]| -> Vec<CellSummary> {
            c.iter()
                .map(|c| (c.count, c.first.clone(), c.by.clone()))
                .collect()
        };
        // Half a degree a cell: Tartar's nine in one, Ganja alone, the unplaced nowhere.
        let coarse = store
            .map_cells(&IncidentQuery::default(), &world(500_000))
            .await
            .unwrap();
        assert_eq!(
            cells(&coarse),
            vec![
                (
                    9,
                    "tartar-0".to_string(),
                    vec![("weak".to_string(), 8), ("fair".to_string(), 1)]
                ),
                (1, "ganja".to_string(), vec![("contested".to_string(), 1)]),
            ]
        );
        assert!(
            (coarse[0].lat_e6 - 40_304_000).abs() <= 1,
            "{:?}",
            coarse[0]
        );
        // A thousandth of a degree a cell: every incident alone.
        let fine = store
            .map_cells(&IncidentQuery::default(), &world(1_000))
            .await
            .unwrap();
        assert_eq!(fine.len(), 10);
        assert!(fine.iter().all(|c| c.count == 1));
        // Filters and the box apply: since day 4, south of 40.5.
        let mut south = world(500_000);
        south.north_e6 = 40_500_000;
        let query = IncidentQuery {
            since: Some(day(4)),
            ..Default::default()
        };
        let got = store.map_cells(&query, &south).await.unwrap();
        assert_eq!(
            cells(&got),
            vec![(6, "tartar-3".to_string(), vec![("weak".to_string(), 6)])]
        );
        let by_type = store::MapGrid {
            by: store::MapKey::EventType,
            ..world(100_000_000)
        };
        let got = store
            .map_cells(&IncidentQuery::default(), &by_type)
            .await
            .unwrap();
        assert_eq!(
            cells(&got),
            vec![(
                10,
                "ganja".to_string(),
                vec![("Explosions/Remote violence".to_string(), 10)]
            )]
        );
    });
}

#[test]
fn incidents_of_one_day_and_place_are_offered_as_likely_duplicates() {
    conformance("duplicates", async |store| {
        // Two strikes on Tartar on the 5th kept apart, one on the 6th, one undated pair.
        let mut all = vec![
            incident("twin-b", 5, Grade::Weak, vec![]),
            incident("twin-a", 5, Grade::Fair, vec![]),
            incident("next-day", 6, Grade::Weak, vec![]),
        ];
        for id in ["undated-a", "undated-b"] {
            let mut i = incident(id, 1, Grade::Weak, vec![]);
            i.date_start = None;
            i.date_end = None;
            all.push(i);
        }
        let json: Vec<String> = all
            .iter()
            .map(|i| serde_json::to_string(i).unwrap())
            .collect();
        let mut tx = store.begin().await.unwrap();
        let batch = tx.batch();
        tx.write_incidents(&IncidentChanges {
            write: all
                .iter()
                .zip(&json)
                .map(|(incident, json)| IncidentWrite {
                    incident,
                    json,
                    minted: Some(batch),
                })
                .collect(),
            ..Default::default()
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let groups = store.same_day_and_place(10).await.unwrap();
        let ids: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(|i| i.0.as_str()).collect())
            .collect();
        assert_eq!(ids, vec![vec!["twin-a", "twin-b"]]);
    });
}

#[test]
fn accounts_and_their_credentials_come_and_go() {
    conformance("accounts", async |store| {
        let ana = store::Account {
            name: "Ana".into(),
            role: "reviewer".into(),
            password: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            created: "2026-12-02T10:00:00Z".into(),
        };
        assert!(store.add_account(&ana).await.unwrap());
        let again = store::Account {
            name: "ANA".into(),
            ..ana.clone()
        };
        assert!(
            !store.add_account(&again).await.unwrap(),
            "names are one in any case"
        );
        assert_eq!(store.account("ana").await.unwrap(), Some(ana.clone()));
        let session = store::Credential {
            token_sha256: "a".repeat(64),
            account: "ana".into(),
            kind: "session".into(),
            csrf: "c".repeat(43),
            label: String::new(),
            created: "2026-12-02T10:01:00Z".into(),
            expires: Some("2026-12-02T22:01:00Z".into()),
        };
        store.add_credential(&session).await.unwrap();
        let old = store::Credential {
            token_sha256: "b".repeat(64),
            expires: Some("2026-12-01T00:00:00Z".into()),
            ..session.clone()
        };
        store.add_credential(&old).await.unwrap();
        let (found, whose) = store.credential(&"a".repeat(64)).await.unwrap().unwrap();
        assert_eq!(
            (found.kind.as_str(), whose.name.as_str()),
            ("session", "Ana")
        );
        // Ending one ends the expired ones too.
        store
            .end_credential(&"z".repeat(64), "2026-12-02T12:00:00Z")
            .await
            .unwrap();
        assert!(store.credential(&"b".repeat(64)).await.unwrap().is_none());
        assert!(store.credential(&"a".repeat(64)).await.unwrap().is_some());
        // A new password signs everyone out.
        let reset = store::Account {
            password: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdDI$aGFzaDI".into(),
            ..ana.clone()
        };
        assert!(store.update_account(&reset).await.unwrap());
        assert!(store.credential(&"a".repeat(64)).await.unwrap().is_none());
        store.add_credential(&session).await.unwrap();
        assert!(store.remove_account("ANA").await.unwrap());
        assert!(!store.remove_account("ana").await.unwrap());
        assert!(store.credential(&"a".repeat(64)).await.unwrap().is_none());
        assert_eq!(store.accounts().await.unwrap(), vec![]);
    });
}

#[test]
fn a_write_not_committed_leaves_nothing() {
    conformance("rollback", async |store| {
        let corpus = corpus();
        {
            let mut tx = store.begin().await.unwrap();
            tx.insert_documents(&new_docs(&corpus, 1)).await.unwrap();
            // Dropped without commit, as when the process dies mid-batch.
        }
        assert_eq!(store.counts().await.unwrap().documents, 0);
        ingest(store, &corpus).await;
        assert_eq!(store.counts().await.unwrap().documents, 3);
    })
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

#[test]
fn the_schema_1_database_is_migrated() {
    let dir = test_support::temp_dir();
    let fixture = test_support::repo_root().join("crates/pipeline/tests/fixtures/schema1");
    copy_dir(&fixture, dir.path());
    rt().block_on(async {
        let store = store::open(&StoreTarget::Sqlite(dir.path().join("ombud.db")))
            .await
            .unwrap();
        assert!(
            store.derived_stale().await.unwrap(),
            "the index and incidents wait for a rebuild"
        );
        let counts = store.counts().await.unwrap();
        assert_eq!(
            (counts.documents, counts.claims, counts.incidents),
            (9, 48, 0)
        );
        let claims = store.claims(&ClaimQuery::default()).await.unwrap();
        for c in &claims {
            assert_eq!(c.id.sentence, c.claim.sentence, "keyed by the sentence");
            let doc = store
                .documents_by_prefix(&c.id.document)
                .await
                .unwrap()
                .remove(0);
            let text = doc.text.unwrap();
            assert_eq!(
                Some(c.quote.as_str()),
                c.claim.sentence.slice(&text),
                "quotes cut by bytes"
            );
            assert!(
                c.incident.is_some(),
                "every claim keeps the incident it was in: {}",
                c.id
            );
        }
        let barda = claims
            .iter()
            .find(|c| {
                c.incident
                    .as_ref()
                    .is_some_and(|i| i.0 == "inc-153280a478-0")
            })
            .expect("the Barda incident's claims");
        assert!(barda.quote.contains("Barda"), "{}", barda.quote);
        let docs = store.documents(&DocumentQuery::default()).await.unwrap();
        assert_eq!(docs.len(), 9);
        assert_eq!(docs.iter().map(|d| d.n_claims).sum::<usize>(), 48);
        store.close().await.unwrap();
    });
}

#[test]
fn a_failing_write_leaves_no_half_batch() {
    let dir = test_support::temp_dir();
    let path = dir.path().join("ombud.db");
    rt().block_on(async {
        let store = store::open(&StoreTarget::Sqlite(path.clone())).await.unwrap();
        // Crash injection: a trigger makes the third claim's insert fail inside the transaction.
        let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("CREATE TRIGGER fail_third BEFORE INSERT ON claims WHEN NEW.document_sha256 LIKE 'b%' BEGIN SELECT RAISE(ABORT, 'injected'); END")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let corpus = corpus();
        let mut tx = store.begin().await.unwrap();
        let result = tx.insert_documents(&new_docs(&corpus, 1)).await;
        assert!(matches!(result, Err(StoreError::Query { .. })), "{result:?}");
        drop(tx);
        assert_eq!(store.counts().await.unwrap(), store::Counts::default(), "nothing of the batch");
        store.close().await.unwrap();
    });
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = test_support::temp_dir();
    let path = dir.path().join("ombud.db");
    rt().block_on(async {
        let target = StoreTarget::Sqlite(path.clone());
        store::open(&target).await.unwrap().close().await.unwrap();
        let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("INSERT INTO schema_migrations (version) VALUES (99)")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let err = store::open(&target).await.unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("upgrade ombud"));
    });
}

#[test]
fn stores_open_as_shared_handles() {
    // The API is object-safe: faces hold `Arc<dyn RecordStore>`.
    fn takes(_: Arc<dyn RecordStore>) {}
    let dir = test_support::temp_dir();
    rt().block_on(async {
        let store = store::open(&StoreTarget::Sqlite(dir.path().join("x.db")))
            .await
            .unwrap();
        assert_eq!(store.backend(), store::Backend::Sqlite);
        takes(store);
    });
}
