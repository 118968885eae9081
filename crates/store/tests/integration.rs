//! The store as a durable format: migrations, one transaction per document, duplicates, the
//! publisher registry, incident replacement, and refusal of a newer schema.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use model::{
    Claim, DocumentMeta, DocumentRecord, DocumentStatus, EventType, Publisher, SourceKind, Span,
    Stance, SubEventType,
};
use store::{NewDocument, Store, StoreError};

fn claim(sentence: Span) -> Claim {
    Claim {
        stance: Stance::Reports,
        speaker: None,
        event_type: EventType::ExplosionsRemoteViolence,
        sub_event_type: SubEventType::ShellingArtilleryMissileAttack,
        weapons: vec![],
        perpetrator: None,
        target: None,
        civilian_targeting: false,
        places: vec![],
        date: None,
        casualties: vec![],
        legal: vec![],
        sentence,
        event_word: None,
    }
}

fn record(sha: &str) -> DocumentRecord {
    DocumentRecord {
        sha256: sha.to_string(),
        size: 10,
        origin: "in.txt".into(),
        format: "text".into(),
        retrieved_at: "2026-11-26T00:00:00Z".into(),
        meta: DocumentMeta {
            publisher: Some("Caucasus Wire".into()),
            published: "2020-10-04".parse().ok(),
            ..DocumentMeta::default()
        },
        ombud_version: "test".into(),
        status: DocumentStatus::Extracted,
        n_claims: 0,
        text: None,
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn documents_go_in_once_with_their_claims() {
    let dir = test_support::temp_dir();
    rt().block_on(async {
        let store = Store::open(&dir.path().join("ombud.db")).await.unwrap();
        let text = "Shells hit Tartar.";
        let claims = vec![claim(Span::new(0, text.len()))];
        let rec = record(&"a".repeat(64));
        let doc = NewDocument {
            record: &rec,
            text,
            claims: &claims,
            diagnostics: &[],
        };
        assert!(store.insert_document(&doc).await.unwrap());
        assert!(
            !store.insert_document(&doc).await.unwrap(),
            "the same document twice is one"
        );
        assert!(store.incidents_stale().await.unwrap());
        let docs = store.documents(false).await.unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].n_claims, 1);
        let stored = store.claims().await.unwrap();
        assert_eq!(stored[0].quote, text);
        assert_eq!(
            store.document("aaaa").await.unwrap()[0].text.as_deref(),
            Some(text)
        );
        store.replace_incidents(&[]).await.unwrap();
        assert!(!store.incidents_stale().await.unwrap());
        store.close().await;
        // Reopening runs no migration twice and keeps the data.
        let again = Store::open(&dir.path().join("ombud.db")).await.unwrap();
        assert_eq!(again.documents(false).await.unwrap().len(), 1);
    });
}

#[test]
fn a_failing_claim_leaves_no_half_document() {
    let dir = test_support::temp_dir();
    let path = dir.path().join("ombud.db");
    rt().block_on(async {
        let store = Store::open(&path).await.unwrap();
        // Crash injection: a trigger makes the second claim's insert fail inside the transaction.
        let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        sqlx::query("CREATE TRIGGER fail_second BEFORE INSERT ON claims WHEN NEW.idx = 1 BEGIN SELECT RAISE(ABORT, 'injected'); END")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let text = "One. Two.";
        let claims = vec![claim(Span::new(0, 4)), claim(Span::new(5, 9))];
        let rec = record(&"b".repeat(64));
        let result = store.insert_document(&NewDocument { record: &rec, text, claims: &claims, diagnostics: &[] }).await;
        assert!(matches!(result, Err(StoreError::Query { .. })), "{result:?}");
        assert!(!store.has_document(&rec.sha256).await.unwrap(), "the document rolled back with its claims");
        assert!(store.claims().await.unwrap().is_empty());
    });
}

#[test]
fn publishers_are_seeded_once_and_editable() {
    let dir = test_support::temp_dir();
    rt().block_on(async {
        let store = Store::open(&dir.path().join("ombud.db")).await.unwrap();
        let wire = Publisher {
            kind: SourceKind::Wire,
            ..Publisher::unknown("Caucasus Wire")
        };
        assert_eq!(
            store
                .seed_publishers(std::slice::from_ref(&wire))
                .await
                .unwrap(),
            1
        );
        let edited = Publisher {
            kind: SourceKind::Media,
            note: "edited".into(),
            ..wire.clone()
        };
        store.upsert_publisher(&edited).await.unwrap();
        assert_eq!(
            store.seed_publishers(&[wire]).await.unwrap(),
            0,
            "seeding keeps user edits"
        );
        let all = store.publishers().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].kind, SourceKind::Media);
        assert_eq!(all[0].note, "edited");
    });
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = test_support::temp_dir();
    let path = dir.path().join("ombud.db");
    rt().block_on(async {
        Store::open(&path).await.unwrap().close().await;
        let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("INSERT INTO schema_migrations (version) VALUES (99)")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let err = Store::open(&path).await.unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("upgrade ombud"));
    });
}
