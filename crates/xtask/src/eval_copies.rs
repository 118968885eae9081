//! `cargo xtask eval copies`: precision and recall of copy detection on a set the project
//! builds from its own example reports (`examples/`): each report, and edited variants of each
//! made by fixed rules (a reprint under another headline, a paragraph added, the last sentence
//! dropped, numbers written as words, two sentences swapped, a heavy rewrite that keeps only the
//! first sentence). A pair is a copy when both come from the same report, except the heavy
//! rewrite, which is not a copy of anything (one sentence in common is quoting, not
//! republishing). Different reports are never copies, even about the same event (two outlets
//! writing about one strike are two witnesses). Detection is what ingest does: a pair must share
//! an LSH band and pass `is_copy`; the sweep shows the containment threshold's trade-off.

use std::path::PathBuf;

use anyhow::Result;
use merge::copies::{self, Sketch};

/// A report or a variant: its text, the report it comes from, and whether it is a copy of it.
struct Item {
    text: String,
    report: usize,
    copy: bool,
    how: &'static str,
}

fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            let end = i + c.len_utf8();
            let s = text[start..end].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn number_words(text: &str) -> String {
    let words = [
        ("2", "two"),
        ("3", "three"),
        ("4", "four"),
        ("5", "five"),
        ("6", "six"),
        ("7", "seven"),
        ("8", "eight"),
        ("9", "nine"),
        ("10", "ten"),
        ("12", "twelve"),
    ];
    let mut out = text.to_string();
    for (digit, word) in words {
        out = out.replace(&format!(" {digit} "), &format!(" {word} "));
    }
    out
}

/// The report's words about other places and people: each capitalised word after a sentence's
/// first is replaced by a name of the region (as a formulaic bulletin reads from one day to the
/// next). `None` when there is nothing to replace.
fn another_place(text: &str) -> Option<String> {
    const NAMES: [&str; 6] = [
        "Zangilan", "Qubadli", "Fuzuli", "Jabrayil", "Lachin", "Kalbajar",
    ];
    let mut out = String::with_capacity(text.len());
    let mut replaced = 0;
    for sentence in sentences(text) {
        for (i, word) in sentence.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
            if i > 0 && bare.len() > 2 && bare.chars().next().is_some_and(char::is_uppercase) {
                out.push_str(&word.replace(bare, NAMES[replaced % NAMES.len()]));
                replaced += 1;
            } else {
                out.push_str(word);
            }
        }
        out.push(' ');
    }
    (replaced > 0).then(|| out.trim_end().to_string())
}

/// The variants of a report, by fixed edits.
fn variants(text: &str) -> Vec<(String, bool, &'static str)> {
    let s = sentences(text);
    let mut out = vec![
        (
            format!("REPRINTED FROM A WIRE SERVICE. {text}"),
            true,
            "reprint under a headline",
        ),
        (
            format!(
                "{text} Local schools stayed closed the next day, and the mayor asked residents to keep to shelters until further notice."
            ),
            true,
            "a paragraph added",
        ),
        (number_words(text), true, "numbers as words"),
    ];
    if let Some(other) = another_place(text) {
        out.push((other, false, "the same words about other places"));
    }
    if s.len() > 2 {
        out.push((s[..s.len() - 1].join(" "), true, "last sentence dropped"));
        let mut swapped = s.clone();
        swapped.swap(0, 1);
        out.push((swapped.join(" "), true, "two sentences swapped"));
        // The rest in other words: each later sentence's words in another order, so the
        // vocabulary stays and the phrasing goes.
        let rest: Vec<String> = s[1..]
            .iter()
            .map(|sentence| {
                let mut words: Vec<&str> = sentence.split_whitespace().collect();
                let n = words.len();
                for i in 0..n / 2 {
                    words.swap(i, n - 1 - i);
                }
                words
                    .chunks(2)
                    .rev()
                    .flatten()
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        out.push((
            format!("{} {}", s[0], rest.join(" ")),
            false,
            "a rewrite keeping one sentence",
        ));
    }
    out
}

pub fn run(args: &[String]) -> Result<()> {
    let verbose = args.iter().any(|a| a == "-v");
    let mut origins: Vec<String> = Vec::new();
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut reports: Vec<String> = Vec::new();
    for input in sources::collect_inputs(std::slice::from_ref(&examples))
        .into_iter()
        .flatten()
    {
        if input
            .path
            .as_ref()
            .is_some_and(|p| p.extension().is_some_and(|e| e == "md"))
        {
            continue;
        }
        let parsed = pipeline::read_input(&input, None)?;
        for d in parsed.documents {
            let name = input
                .path
                .as_ref()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            origins.push(match d.line {
                Some(l) => format!("{name}:{l}"),
                None => name,
            });
            reports.push(d.text);
        }
    }
    // Reports too short to sketch cannot be copies; they stay in the set as negatives.
    let mut items: Vec<Item> = Vec::new();
    for (r, text) in reports.iter().enumerate() {
        items.push(Item {
            text: text.clone(),
            report: r,
            copy: true,
            how: "original",
        });
        for (text, copy, how) in variants(text) {
            items.push(Item {
                text,
                report: r,
                copy,
                how,
            });
        }
    }
    let sketches: Vec<Option<Sketch>> = items.iter().map(|i| Sketch::of(&i.text)).collect();
    let prints: Vec<copies::Fingerprint> = items
        .iter()
        .map(|i| copies::Fingerprint::of(&i.text))
        .collect();
    // The examples' own reprint (examples/README.md): the Tbilisi Regional Review runs the
    // Caucasus Wire's story of 11 October.
    let same_story = |r: usize| -> usize {
        let reprint = origins
            .iter()
            .position(|o| o.starts_with("2020-10-11_tbilisi-regional-review"));
        let wire = origins.iter().position(|o| o == "wire.jsonl:2");
        match (reprint, wire) {
            (Some(a), Some(b)) if r == a => b,
            _ => r,
        }
    };
    let truth =
        |a: &Item, b: &Item| same_story(a.report) == same_story(b.report) && a.copy && b.copy;

    println!(
        "copy detection on {} example reports and {} variants ({} items, {} pairs)",
        reports.len(),
        items.len() - reports.len(),
        items.len(),
        items.len() * (items.len() - 1) / 2
    );
    println!("  threshold  precision  recall  (true pairs found by LSH band and containment)");
    let mut at_default = (0.0, 0.0);
    for threshold in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] {
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        let mut missed: Vec<&'static str> = Vec::new();
        for a in 0..items.len() {
            for b in a + 1..items.len() {
                let found = match (&sketches[a], &sketches[b]) {
                    (Some(x), Some(y)) => {
                        copies::candidates(x, y)
                            && copies::estimate(x, y) >= copies::SCREEN
                            && copies::containment(&items[a].text, &items[b].text) >= threshold
                            && prints[a].names_agree(&prints[b])
                    }
                    _ => false,
                };
                match (found, truth(&items[a], &items[b])) {
                    (true, true) => tp += 1,
                    (true, false) => {
                        fp += 1;
                        if verbose && (threshold - copies::COPY_THRESHOLD).abs() < 1e-9 {
                            println!(
                                "    false: {} #{} ({}) ~ {} #{} ({}): {:.2}",
                                origins[items[a].report],
                                items[a].report,
                                items[a].how,
                                origins[items[b].report],
                                items[b].report,
                                items[b].how,
                                copies::containment(&items[a].text, &items[b].text)
                            );
                        }
                    }
                    (false, true) => {
                        fn_ += 1;
                        missed.push(items[b].how);
                    }
                    _ => {}
                }
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        let mark = if (threshold - copies::COPY_THRESHOLD).abs() < 1e-9 {
            at_default = (precision, recall);
            "  <- ombud's threshold"
        } else {
            ""
        };
        println!(
            "  {threshold:>9.1}  {precision:>9.3}  {recall:>6.3}  tp {tp}, fp {fp}, fn {fn_}{mark}"
        );
        if mark.is_empty() {
            continue;
        }
        missed.sort_unstable();
        missed.dedup();
        if !missed.is_empty() {
            println!("             missed kinds: {}", missed.join(", "));
        }
    }
    println!(
        "copies: precision {:.3}, recall {:.3} at containment {}",
        at_default.0,
        at_default.1,
        copies::COPY_THRESHOLD
    );
    unrelated_news(verbose)
}

/// Pairs detection calls copies among general news articles (GeoWebNews and LGL: different
/// stories from many outlets, so every pair found is a false copy unless the corpus holds the
/// same story twice, which `-v` shows). Undated here, as if all were published on one day.
fn unrelated_news(verbose: bool) -> Result<()> {
    let Some(dir) = crate::shared::eval_data() else {
        return Ok(());
    };
    let mut texts: Vec<String> = crate::eval_geo::read_gwn(&dir.join("geoparsing"))?
        .into_iter()
        .map(|a| a.text)
        .collect();
    texts.extend(
        crate::eval_geo::read_lgl(&dir.join("geoparsing/lgl.xml"))?
            .into_iter()
            .map(|a| a.text),
    );
    let sketches: Vec<Option<Sketch>> = texts.iter().map(|t| Sketch::of(t)).collect();
    let prints: Vec<copies::Fingerprint> =
        texts.iter().map(|t| copies::Fingerprint::of(t)).collect();
    let (mut candidates, mut found) = (0usize, Vec::new());
    for a in 0..texts.len() {
        for b in a + 1..texts.len() {
            let (Some(x), Some(y)) = (&sketches[a], &sketches[b]) else {
                continue;
            };
            if !copies::candidates(x, y) {
                continue;
            }
            candidates += 1;
            if copies::estimate(x, y) >= copies::SCREEN && prints[a].copies(&prints[b]) {
                found.push((a, b));
            }
        }
    }
    let n = texts.len();
    println!(
        "unrelated news (GeoWebNews + LGL): {n} articles, {} pairs, {candidates} share a band, {} called copies",
        n * (n - 1) / 2,
        found.len()
    );
    if verbose {
        for (a, b) in &found {
            let head = |t: &str| t.chars().take(80).collect::<String>().replace('\n', " ");
            println!(
                "    #{a} {:?}\n    #{b} {:?}",
                head(&texts[*a]),
                head(&texts[*b])
            );
        }
    }
    Ok(())
}
