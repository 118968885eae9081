//! A corpus of inputs a careless or hostile user might hand ombud, written by the project and
//! generated on demand (the large ones would bloat the repository): invalid UTF-8, binary
//! bytes, an empty file, one huge line, a JSON line with megabytes of text, a gzip bomb and a
//! truncated gzip in WARC files, deeply nested HTML, a feed of many items, and a JSON Lines file
//! with a broken line in the middle. `scale` 1.0 gives the sizes issue 10 names (a 100 MB line, a
//! 10 MB JSON text, 100,000 nested elements, 100,000 feed items); tests use less.

use std::io::Write;
use std::path::{Path, PathBuf};

/// One hostile input: what it is, and its file.
#[derive(Clone, Debug)]
pub struct Hostile {
    pub name: &'static str,
    pub path: PathBuf,
}

/// Phrases the project wrote, repeated to make long text that reads like reports.
const PHRASES: &[&str] = &[
    "shelling hit the town of Tartar on Monday, the district administration said, ",
    "two houses were damaged and one resident was wounded, officials told reporters, ",
    "the defence ministry denied that its forces had fired on civilian areas, ",
    "a drone struck a fuel depot near the border according to local officials, ",
];

fn long_text(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 100);
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(PHRASES[i % PHRASES.len()]);
        i += 1;
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap_or_default();
    e.finish().unwrap_or_default()
}

fn warc_record(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: https://example.org/report\r\n\
         WARC-Date: 2020-10-04T10:00:00Z\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// Writes the hostile corpus into `dir` at `scale` and says what each file is.
pub fn hostile_corpus(dir: &Path, scale: f64) -> Vec<Hostile> {
    let n = |full: usize| ((full as f64 * scale) as usize).max(1);
    let mut out = Vec::new();
    let mut put = |name: &'static str, file: &str, bytes: &[u8]| {
        let path = dir.join(file);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out.push(Hostile { name, path });
    };
    let mut invalid = b"Shelling hit Tartar on Monday, officials said. ".to_vec();
    invalid.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]);
    invalid.extend_from_slice(b" Two houses were damaged.\n");
    put("invalid UTF-8", "invalid-utf8.txt", &invalid);
    // Bytes of a simple generator: no structure a reader could take for text.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let binary: Vec<u8> = (0..n(4 << 20))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    put("binary bytes", "binary.bin", &binary);
    put("an empty file", "empty.txt", b"");
    put(
        "one line of 100 MB",
        "one-line.txt",
        long_text(n(100 << 20)).as_bytes(),
    );
    let line = serde_json::json!({"id": "big", "text": long_text(n(10 << 20))}).to_string();
    put(
        "a JSON line with 10 MB of text",
        "big-line.jsonl",
        format!("{line}\n").as_bytes(),
    );
    // A gzip bomb: a small file that expands to a gigabyte of spaces.
    let spaces = vec![b' '; 1 << 20];
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let body_len = n(1 << 30);
    let head = format!(
        "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: https://example.org/bomb\r\n\
         WARC-Date: 2020-10-04T10:00:00Z\r\nContent-Type: text/plain\r\nContent-Length: {body_len}\r\n\r\n"
    );
    bomb.write_all(head.as_bytes()).unwrap_or_default();
    let mut left = body_len;
    while left > 0 {
        let k = left.min(spaces.len());
        bomb.write_all(&spaces[..k]).unwrap_or_default();
        left -= k;
    }
    put(
        "a gzip bomb in a WARC",
        "bomb.warc.gz",
        &bomb.finish().unwrap_or_default(),
    );
    let whole = gzip(&warc_record(
        b"Shelling hit Tartar on Monday, the district administration said.",
    ));
    put(
        "a truncated gzip WARC",
        "truncated.warc.gz",
        &whole[..whole.len() / 2],
    );
    let depth = n(100_000);
    let mut html = String::from("<html><head><title>Nested</title></head><body>");
    html.push_str(&"<div>".repeat(depth));
    html.push_str("Shelling hit Tartar on Monday, the district administration said.");
    html.push_str(&"</div>".repeat(depth));
    html.push_str("</body></html>\n");
    put(
        "100,000 nested HTML elements",
        "nested.html",
        html.as_bytes(),
    );
    let mut feed =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Many</title>");
    for i in 0..n(100_000) {
        feed.push_str(&format!(
            "<item><title>Report {i}</title><description>{}</description><pubDate>Mon, 05 Oct 2020 10:00:00 GMT</pubDate></item>",
            PHRASES[i % PHRASES.len()]
        ));
    }
    feed.push_str("</channel></rss>\n");
    put(
        "an RSS feed with 100,000 items",
        "many-items.xml",
        feed.as_bytes(),
    );
    let mut broken = String::new();
    for i in 0..3 {
        broken.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": format!("before-{i}"), "text": format!("Shelling hit Tartar on Monday {i}, officials said.")})
        ));
    }
    broken.push_str("{\"id\": \"broken\", \"text\": \"cut off in the mid\n");
    for i in 0..3 {
        broken.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": format!("after-{i}"), "text": format!("A drone struck a depot near Barda on Tuesday {i}, officials said.")})
        ));
    }
    put(
        "a broken line in the middle of JSON Lines",
        "broken.jsonl",
        broken.as_bytes(),
    );
    out
}
