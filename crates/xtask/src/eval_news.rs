//! `cargo xtask eval news`: claims on general news, the GeoWebNews and LGL article texts
//! (`../shared/eval-data/geoparsing/`, 788 articles, mostly without attacks): claims per article,
//! by sub-event type, and a fixed sample of claims with their sentences to check by hand
//! (`--sample N`, printed to the terminal only; the texts are third-party and stay in ../shared).
//! No publication date is given (the corpora give none).

use std::collections::BTreeMap;

use anyhow::Result;
use model::DocumentMeta;
use pipeline::{Reference, analyse};

pub fn run(args: &[String]) -> Result<()> {
    let Some(dir) = crate::shared::eval_data() else {
        return Ok(());
    };
    let sample: usize = args
        .iter()
        .position(|a| a == "--sample")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let geo = dir.join("geoparsing");
    let sets = [
        ("GeoWebNews", crate::eval_geo::read_gwn(&geo)?),
        ("LGL", crate::eval_geo::read_lgl(&geo.join("lgl.xml"))?),
    ];
    let reference = Reference::load()?;
    let meta = DocumentMeta {
        language: Some("en".into()),
        ..DocumentMeta::default()
    };
    let mut all: Vec<(String, String)> = Vec::new();
    for (name, articles) in &sets {
        let mut claims = 0;
        let mut with_claims = 0;
        let mut by_type: BTreeMap<&'static str, usize> = BTreeMap::new();
        for a in articles {
            let analysis = analyse(&reference, &a.text, &meta);
            let n = analysis.extraction.claims.len();
            claims += n;
            with_claims += usize::from(n > 0);
            for c in &analysis.extraction.claims {
                *by_type.entry(c.sub_event_type.as_str()).or_default() += 1;
                let sentence = c.sentence.slice(&a.text).unwrap_or("");
                all.push((
                    format!("{name} {} {}", c.stance, c.sub_event_type),
                    sentence.chars().take(240).collect(),
                ));
            }
        }
        println!(
            "{name}: {} articles, {claims} claims ({:.2} per article), {with_claims} articles with a claim",
            articles.len(),
            claims as f64 / articles.len().max(1) as f64
        );
        for (t, n) in &by_type {
            println!("    {t:<40} {n}");
        }
    }
    if sample > 0 && !all.is_empty() {
        // Every k-th claim, so the sample spreads over both corpora and all articles.
        let step = (all.len() / sample).max(1);
        println!("\nsample of {sample} claims (every {step}th), to check by hand:");
        for (i, (what, sentence)) in all.iter().step_by(step).take(sample).enumerate() {
            println!("{:>3}. {what}\n     {sentence}", i + 1);
        }
    }
    Ok(())
}
