//! Readers against the bundled example corpus: every file reads, HTML loses its boilerplate,
//! feeds give one document per item, and metadata comes through.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use sources::{Format, collect_inputs, detect, parse};

#[test]
fn every_example_reads_with_its_metadata() {
    let inputs = collect_inputs(&[test_support::examples_dir()]);
    assert!(inputs.len() >= 10);
    let mut documents = 0;
    for input in inputs {
        let input = input.unwrap();
        let bytes = input.read().unwrap();
        let format = detect(input.path.as_deref(), &bytes);
        let parsed = parse(&bytes, format, &input.origin());
        assert!(
            parsed.rejected.is_empty(),
            "{}: {:?}",
            input.origin(),
            parsed.rejected
        );
        for doc in &parsed.documents {
            assert!(
                doc.meta.publisher.is_some(),
                "{}: no publisher",
                input.origin()
            );
            assert!(
                doc.meta.published.is_some(),
                "{}: no publication date",
                input.origin()
            );
            assert!(
                doc.text.len() > 200,
                "{}: text too short: {:?}",
                input.origin(),
                doc.text
            );
        }
        documents += parsed.documents.len();
    }
    assert!(documents >= 14, "{documents} documents");
}

#[test]
fn html_keeps_the_article_and_drops_the_chrome() {
    let path = test_support::examples_dir().join("2020-10-28_ganja-herald_barda-strike.html");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(detect(Some(&path), &bytes), Format::Html);
    let parsed = parse(&bytes, Format::Html, "barda.html");
    let doc = &parsed.documents[0];
    assert_eq!(doc.meta.publisher.as_deref(), Some("Ganja Herald"));
    assert_eq!(
        doc.meta.published.map(|d| d.to_string()).as_deref(),
        Some("2020-10-28")
    );
    assert!(doc.meta.title.is_some());
    assert!(doc.text.contains("Barda"), "{}", doc.text);
    for chrome in [
        "cookie",
        "Cookie",
        "Subscribe",
        "All rights reserved",
        "Most read",
    ] {
        assert!(
            !doc.text.contains(chrome),
            "boilerplate {chrome:?} kept: {}",
            doc.text
        );
    }
}

#[test]
fn feeds_give_one_document_per_item() {
    let path = test_support::examples_dir().join("feed-field-evidence.atom.xml");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(detect(Some(&path), &bytes), Format::Feed);
    let parsed = parse(&bytes, Format::Feed, "feed.atom");
    assert_eq!(parsed.documents.len(), 2);
    assert!(
        parsed
            .documents
            .iter()
            .all(|d| d.meta.publisher.as_deref() == Some("Field Evidence Watch"))
    );
    assert_ne!(
        parsed.documents[0].raw, parsed.documents[1].raw,
        "each item has its own bytes"
    );
    assert!(
        parsed.documents.iter().all(|d| !d.text.contains('<')),
        "markup removed"
    );
}

#[test]
fn readers_never_panic_on_mangled_bytes() {
    // Deterministic mutations of every example (truncation, byte flips, inserted markup and
    // quotes, invalid UTF-8) through every reader: each returns documents or rejections.
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let inserts: [&[u8]; 8] = [
        b"<",
        b"</item>",
        b"\"",
        b"{",
        b"\xff\xfe",
        b"&amp",
        b"<![CDATA[",
        b"\n\n",
    ];
    for input in collect_inputs(&[test_support::examples_dir()]) {
        let bytes = input.unwrap().read().unwrap();
        for _ in 0..40 {
            let mut b = bytes.clone();
            let cut = (next() as usize) % (b.len() + 1);
            b.truncate(cut.max(b.len() / 2));
            for _ in 0..4 {
                if b.is_empty() {
                    break;
                }
                let at = (next() as usize) % b.len();
                match next() % 3 {
                    0 => b[at] = (next() % 256) as u8,
                    1 => {
                        let ins = inserts[(next() % inserts.len() as u64) as usize];
                        b.splice(at..at, ins.iter().copied());
                    }
                    _ => {
                        b.remove(at);
                    }
                }
            }
            for format in Format::ALL {
                let parsed = parse(&b, format, "mangled");
                for doc in &parsed.documents {
                    assert!(
                        !doc.text.trim().is_empty(),
                        "{format}: an empty document was accepted"
                    );
                }
            }
        }
    }
}
