//! Durable formats of the ledger, as committed fixtures read by this code: a key rotation
//! statement (version 1) stays in a log forever, so every later ombud must read it.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

#[test]
fn a_version_1_rotation_statement_reads_with_the_key_it_retires() {
    let note = include_str!("fixtures/rotation-v1.note");
    let old = ledger::verifier_key("ombud-fixture", &[1; 32]);
    let r = ledger::verify_rotation(note, &old).unwrap();
    assert_eq!(r.new_key, ledger::verifier_key("ombud-fixture", &[2; 32]));
    assert_eq!((r.size, r.root), (5, ledger::leaf_hash(b"five")));
    assert!(ledger::is_rotation(note.as_bytes()));
    // The same statement made today is byte for byte the fixture (Ed25519 is deterministic).
    assert_eq!(
        ledger::sign_rotation(
            "ombud-fixture",
            &[1; 32],
            &[2; 32],
            5,
            &ledger::leaf_hash(b"five")
        ),
        note
    );
}
