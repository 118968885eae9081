//! `cargo xtask eval case`: event-type classification on the CASE 2021 Task 2 snippets
//! (`../shared/eval-data/case2021_task2/dev_odd_ids.tsv`), scored as the shared task scored it.
//!
//! A snippet's predicted type is the sub-event type of its first claim, or "no event" when
//! extraction finds none. Two scores: weighted F1 over the snippets labelled with one of ACLED's
//! 25 sub-event types, and weighted F1 over all snippets with the five out-of-taxonomy labels
//! (organised crime, disasters, diplomacy, attribution) scored as "no event".

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result};
use model::{DocumentMeta, SubEventType};
use pipeline::{Reference, analyse};

const NO_EVENT: &str = "NO_EVENT";

/// One snippet with its gold label and ombud's prediction.
struct Scored {
    gold: String,
    predicted: String,
}

/// Per-class counts for precision and recall.
#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    support: usize,
}

impl Counts {
    fn precision(self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Per-class counts over `items` for the gold classes in `classes`; predictions of other labels
/// count as false negatives of the gold class only.
fn counts(items: &[&Scored]) -> BTreeMap<String, Counts> {
    let mut by_class: BTreeMap<String, Counts> = BTreeMap::new();
    for s in items {
        by_class.entry(s.gold.clone()).or_default().support += 1;
        if s.gold == s.predicted {
            by_class.entry(s.gold.clone()).or_default().tp += 1;
        } else {
            by_class.entry(s.gold.clone()).or_default().fn_ += 1;
            by_class.entry(s.predicted.clone()).or_default().fp += 1;
        }
    }
    by_class
}

/// Weighted F1: each gold class's F1 weighted by its share of the snippets.
fn weighted_f1(by_class: &BTreeMap<String, Counts>) -> f64 {
    let total: usize = by_class.values().map(|c| c.support).sum();
    by_class
        .values()
        .map(|c| c.f1() * c.support as f64)
        .sum::<f64>()
        / total.max(1) as f64
}

/// What the CASE set measured, for the cross-set summary.
#[derive(Clone, Copy, Debug)]
pub struct CaseScores {
    /// Weighted F1 over the 25 ACLED sub-event types.
    pub acled_f1: f64,
    /// Weighted F1 over all labels, out-of-taxonomy scored as no event.
    pub all_f1: f64,
}

pub fn run(args: &[String]) -> Result<Option<CaseScores>> {
    let Some(dir) = crate::shared::eval_data() else {
        return Ok(None);
    };
    let path = dir.join("case2021_task2/dev_odd_ids.tsv");
    let tsv = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let reference = Reference::load()?;
    let verbose = args.iter().any(|a| a == "-v" || a == "--verbose");

    let started = Instant::now();
    let mut bytes = 0;
    let mut scored = Vec::new();
    for (i, line) in tsv.lines().enumerate().skip(1) {
        let mut fields = line.split('\t');
        let (Some(_id), Some(snippet), Some(label)) = (fields.next(), fields.next(), fields.next())
        else {
            anyhow::bail!(
                "{}:{}: expected id, snippet and label separated by tabs",
                path.display(),
                i + 1
            );
        };
        bytes += snippet.len();
        let meta = DocumentMeta {
            language: Some("en".into()),
            ..DocumentMeta::default()
        };
        let analysis = analyse(&reference, snippet, &meta);
        let predicted = analysis
            .extraction
            .claims
            .first()
            .map_or(NO_EVENT.to_string(), |c| {
                c.sub_event_type.case_code().to_string()
            });
        let gold = label.trim().to_string();
        if verbose && predicted != gold {
            println!(
                "{gold:>28} <- {predicted:<28} {_id:>4} {}",
                snippet.chars().take(140).collect::<String>()
            );
        }
        scored.push(Scored { gold, predicted });
    }
    let elapsed = started.elapsed();

    let in_taxonomy = |label: &str| SubEventType::parse(label).is_some();
    let acled: Vec<&Scored> = scored.iter().filter(|s| in_taxonomy(&s.gold)).collect();
    let all_as_no_event: Vec<Scored> = scored
        .iter()
        .map(|s| Scored {
            gold: if in_taxonomy(&s.gold) {
                s.gold.clone()
            } else {
                NO_EVENT.to_string()
            },
            predicted: s.predicted.clone(),
        })
        .collect();
    let all_refs: Vec<&Scored> = all_as_no_event.iter().collect();
    let acled_counts = counts(&acled);
    let all_counts = counts(&all_refs);
    let acled_f1 = weighted_f1(
        &acled_counts
            .iter()
            .filter(|(k, _)| in_taxonomy(k))
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
    );
    let all_f1 = weighted_f1(&all_counts);

    println!(
        "CASE 2021 Task 2, dev half (odd ids): {} snippets, {} in ACLED's taxonomy",
        scored.len(),
        acled.len()
    );
    println!("  weighted F1, 25 ACLED sub-event types:           {acled_f1:.3}");
    println!("  weighted F1, out-of-taxonomy scored as no event:  {all_f1:.3}");
    println!("  (published anchor: best system 0.839 on the 25 types)");
    println!(
        "\n  {:<30} {:>9} {:>7} {:>7} {:>7}",
        "class", "precision", "recall", "F1", "support"
    );
    for (class, c) in &all_counts {
        println!(
            "  {:<30} {:>9.3} {:>7.3} {:>7.3} {:>7}",
            class,
            c.precision(),
            c.recall(),
            c.f1(),
            c.support
        );
    }
    let secs = elapsed.as_secs_f64();
    println!(
        "\n  {:.0} snippets/s, {:.2} MB/s through geoparsing and extraction (this build profile, one thread)",
        scored.len() as f64 / secs,
        bytes as f64 / secs / 1e6
    );
    Ok(Some(CaseScores { acled_f1, all_f1 }))
}
