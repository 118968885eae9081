//! `cargo xtask eval stress [MB]`: a text of MB megabytes (50 by default) on a single line, with
//! no sentence end, written from phrases of the project's own, read end to end (geoparsing, then
//! extraction): wall time, MB/s and peak memory, to show both stay proportional to the input.
//! Also half and a quarter of the size, so the growth can be read off. Run it on a release build.

use std::time::Instant;

use anyhow::Result;
use model::{Date, DocumentMeta};
use pipeline::{Reference, analyse};

/// Phrases that keep every reader busy: places, actors, weapons, numbers, quotes, speech verbs.
const PHRASES: &[&str] = &[
    "Russian forces shelled Kharkiv killing 5 civilians and wounding 12 people ",
    "the ministry said it denied the attack on Monday ",
    "\u{201c}a drone struck Odesa\u{201d} officials said ",
    "more than 4294967295 people were killed in Gaza according to the Health Ministry ",
    "Ukrainian troops repelled an assault near Bakhmut, Donetsk region ",
    "missiles launched by bombers over Russia's Kursk region hit Sumy, the governor said ",
];

fn text_of(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 128);
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(PHRASES[i % PHRASES.len()]);
        i += 1;
    }
    text
}

pub fn run(args: &[String]) -> Result<()> {
    let mb: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(50);
    let reference = Reference::load()?;
    let meta = DocumentMeta {
        published: Date::new(2022, 5, 2),
        language: Some("en".into()),
        ..DocumentMeta::default()
    };
    println!(
        "one line, no sentence end; geoparsing + extraction, one thread (load average {})",
        crate::eval_geo::load_average()
    );
    for size in [mb.div_ceil(4), mb.div_ceil(2), mb] {
        let text = text_of(size << 20);
        let (rss0, _) = crate::eval_geo::rss_mb();
        let started = Instant::now();
        let toponyms = reference.geoparse(&text, &meta);
        let geo_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let extraction = reference.extractor.extract(&extract::ExtractInput {
            text: &text,
            published: meta.published,
            language: meta.language.as_deref(),
            toponyms: &toponyms,
        });
        let extract_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let analysis = analyse(&reference, &text, &meta);
        let secs = started.elapsed().as_secs_f64();
        let (_, peak) = crate::eval_geo::rss_mb();
        std::hint::black_box(extraction);
        println!(
            "  {size:>4} MB: {secs:>7.2} s end to end (geoparsing {geo_secs:.2} s, extraction {extract_secs:.2} s), {:>6.2} MB/s, {} toponyms, {} claims, {} diagnostics; peak memory {peak:.0} MB (text and gazetteer {rss0:.0} MB)",
            text.len() as f64 / secs / 1e6,
            analysis.toponyms.len(),
            analysis.extraction.claims.len(),
            analysis.extraction.diagnostics.len()
        );
    }
    Ok(())
}
