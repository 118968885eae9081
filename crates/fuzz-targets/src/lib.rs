//! What each fuzz target checks, as plain functions of the fuzzer's bytes.
//!
//! cargo-fuzz (nightly, `fuzz/`) calls [`run`] with the bytes it makes up; the `regressions` test
//! replays, on stable, every input kept under `fuzz/regressions/<target>/` (each crasher found and
//! a sample of the corpus each run grew). A target fails by panicking: a reader or the extractor
//! panicked, or broke a promise that `verify` and the evidence packages rely on.
//!
//! The promises checked, beyond "no panic":
//! - a reader's every document reads again from its own archived bytes as exactly one document
//!   with the same text (`verify` re-derives stored text this way; a difference would be a false
//!   alarm of tampering),
//! - JSON Lines read as a stream gives what reading the whole input gives,
//! - a leaves file reads as digests that fit in it, a tile path reads back as itself,
//! - every span extraction and geoparsing report indexes the text on character boundaries.

use std::path::Path;
use std::sync::OnceLock;

use sources::{Format, JsonlStream, Parsed};

/// The fuzz targets, by the name of their folder under `fuzz/fuzz_targets/`.
pub const TARGETS: &[&str] = &[
    "text", "jsonl", "html", "feed", "warc", "leaves", "notes", "extract",
];

/// Runs the target named `target` on `data`. Panics on a broken promise; an unknown target is a
/// programming error and panics too.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "text" => drop(reader(data, Format::Text)),
        "jsonl" => jsonl(data),
        "html" => drop(reader(data, Format::Html)),
        "feed" => drop(reader(data, Format::Feed)),
        "warc" => drop(reader(data, Format::Warc)),
        "leaves" => leaves(data),
        "notes" => notes(data),
        "extract" => extraction(data),
        other => panic!("no fuzz target {other:?} (known: {TARGETS:?})"),
    }
}

const ORIGIN: &str = "fuzz-input";

/// Reads `data` as `format` and checks each document against its own archived bytes.
fn reader(data: &[u8], format: Format) -> Parsed {
    let parsed = sources::parse(data, format, ORIGIN);
    for doc in &parsed.documents {
        let again = sources::reread(&doc.raw, doc.format, ORIGIN);
        match again.documents.as_slice() {
            [one] => assert_eq!(
                one.text, doc.text,
                "a {format:?} document's archived bytes read as another text"
            ),
            other => panic!(
                "a {format:?} document's archived bytes read as {} documents ({} refused)",
                other.len(),
                again.rejected.len()
            ),
        }
    }
    parsed
}

/// JSON Lines: the whole input and the stream agree, line for line.
fn jsonl(data: &[u8]) {
    let whole = reader(data, Format::Jsonl);
    let mut documents = Vec::new();
    let mut rejected = 0;
    for item in JsonlStream::new(data, ORIGIN) {
        match item.and_then(|d| sources::bounded(d, ORIGIN)) {
            Ok(d) => documents.push(d),
            Err(_) => rejected += 1,
        }
    }
    assert_eq!(
        documents, whole.documents,
        "the stream read other documents"
    );
    assert_eq!(
        rejected,
        whole.rejected.len(),
        "the stream refused other lines"
    );
}

/// The leaves file and the tile paths of the log.
fn leaves(data: &[u8]) {
    if let Ok(digests) = archive::read_leaves(data, Path::new("leaves")) {
        assert!(
            digests.len() * 65 <= data.len(),
            "more leaves than lines in the file"
        );
        for d in &digests {
            assert!(
                d.len() == 64
                    && d.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{d:?} read as a digest"
            );
        }
    }
    if let Ok(path) = std::str::from_utf8(data)
        && let Some(tile) = archive::TileRef::parse(path)
    {
        assert_eq!(tile.path(), path, "a tile path reads as another tile");
    }
}

/// A fixed log key and witness key, so a mutated signed note can still verify.
fn keys() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            ledger::verifier_key("fuzz.example/log", &[7; 32]),
            ledger::witness_verifier_key("fuzz.example/witness", &[9; 32]),
        )
    })
}

/// Signed notes: checkpoints, cosignatures and verifier keys.
fn notes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (log, witness) = keys();
    if let Ok(checkpoint) = ledger::verify_checkpoint(text, log) {
        // What verifies is what the key signed: signing it again gives a note that verifies.
        let again = ledger::sign_checkpoint(
            &checkpoint.origin,
            &[7; 32],
            checkpoint.size,
            &checkpoint.root,
        );
        assert_eq!(ledger::verify_checkpoint(&again, log), Ok(checkpoint));
    }
    let _ = ledger::cosignature_time(text, witness);
    // The input as a verifier key, and as a key checking a note the fixed key signed.
    let _ = ledger::public_key_pem(text);
    let signed = ledger::sign_checkpoint("fuzz.example/log", &[7; 32], 1, &[0; 32]);
    let _ = ledger::verify_checkpoint(&signed, text);
    let _ = ledger::cosignature_time(&signed, text);
}

/// The gazetteer is loaded once per process (it takes a fraction of a second).
fn reference() -> &'static (geocode::Gazetteer, extract::Extractor) {
    static REFERENCE: OnceLock<(geocode::Gazetteer, extract::Extractor)> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let places = gazetteer::embedded().unwrap_or_else(|e| panic!("gazetteer: {e}"));
        (geocode::Gazetteer::new(places), extract::Extractor::new())
    })
}

/// Geoparsing then extraction, as a document's text is read: every span on the text.
fn extraction(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let (gazetteer, extractor) = reference();
    let toponyms = gazetteer.geoparse(text, &geocode::GeoContext::default());
    for t in &toponyms {
        assert!(t.span.slice(text).is_some(), "place span {:?}", t.span);
    }
    // Detected, but English is read whatever it says, so every input reaches the rules.
    let _ = extract::detect_language(text);
    let out = extractor.extract(&extract::ExtractInput {
        text,
        published: model::Date::new(2022, 5, 2),
        language: Some("en"),
        toponyms: &toponyms,
    });
    for claim in &out.claims {
        for span in claim.spans() {
            assert!(
                span.slice(text).is_some(),
                "claim span {span:?} does not index the text ({} bytes)",
                text.len()
            );
        }
    }
    for d in &out.diagnostics {
        if let Some(span) = d.span {
            assert!(span.slice(text).is_some(), "diagnostic span {span:?}");
        }
    }
}

/// Inputs a target's corpus starts from besides the example corpus: made-up notes signed with
/// the targets' fixed keys (a fuzzer could not forge one), leaves files of each version, tiles.
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let digest = |i: u8| ledger::to_hex(&ledger::leaf_hash(&[i]));
    match target {
        "notes" => {
            let (log, witness) = keys();
            let note = ledger::sign_checkpoint(
                "fuzz.example/log",
                &[7; 32],
                3,
                &ledger::leaf_hash(b"three"),
            );
            let mut out = vec![note.clone().into_bytes(), log.clone().into_bytes()];
            out.push(witness.clone().into_bytes());
            if let Ok(cosigned) =
                ledger::cosign(&note, "fuzz.example/witness", &[9; 32], 1_700_000_000)
            {
                out.push(cosigned.into_bytes());
            }
            out
        }
        "leaves" => {
            let lines: String = (0..3).map(|i| format!("{}\n", digest(i))).collect();
            let header = format!("{:<64}\n", "ombud-log-leaves 1");
            vec![
                format!("{header}{lines}").into_bytes(),
                lines.clone().into_bytes(),
                format!("{header}{}", &lines[..100]).into_bytes(),
                b"tile/0/x001/234".to_vec(),
                b"tile/2/005.p/17".to_vec(),
                b"tile/entries/000".to_vec(),
            ]
        }
        _ => Vec::new(),
    }
}
