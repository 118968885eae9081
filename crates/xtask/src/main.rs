//! Project automation: `cargo xtask eval` (quality on ../shared/eval-data), `cargo xtask bench`
//! (throughput), `cargo xtask gazetteer` (rebuild the world gazetteer from registry packages).

mod bench;
mod bench_scale;
mod eval_case;
mod eval_geo;
mod gazetteer;
mod shared;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  eval [case|geo]   measure extraction (CASE 2021) and geoparsing (GeoWebNews, LGL) on
                    ../shared/eval-data; prints the numbers docs/QUALITY.md records
      case -v                 list every miss with its snippet id
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
  gazetteer [--from DIR]
                    rebuild crates/gazetteer/data and crates/geocode/data from GeoNames
                    packages on the registries (network at this step only)";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("eval") => {
            let which = args.get(1).map(String::as_str);
            if which.is_none_or(|w| w == "case") {
                eval_case::run(&args[1..])?;
            }
            if which.is_none_or(|w| w == "geo") {
                eval_geo::run(&args[1..])?;
            }
            Ok(())
        }
        Some("gazetteer") => gazetteer::run(&args[1..]),
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
