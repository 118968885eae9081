//! ombud's gazetteer data: reads place files (the embedded curated overlay, or a file given by
//! the user) into gazetteer entries. Countries come from `model::countries()`.
//!
//! File format (`data/places.tsv`): UTF-8, tab-separated, `#` comment lines, one header line,
//! columns `geonameid name alt_names lat lon country admin1 admin2 feature population source`.
//! GeoNames data is CC BY 4.0: see `data/SOURCES.md`.

use std::path::{Path, PathBuf};

use model::{CountryCode, Feature, GazetteerEntry, GeoPoint};

const EMBEDDED: &str = include_str!("../data/places.tsv");

/// A row of a gazetteer file that cannot be read, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("{}: cannot read the gazetteer file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}:{line}: {message}: fix the row or remove it")]
    Row {
        origin: String,
        line: usize,
        message: String,
    },
}

/// The curated gazetteer compiled into ombud.
pub fn embedded() -> Result<Vec<GazetteerEntry>, GazetteerError> {
    parse(EMBEDDED, "crates/gazetteer/data/places.tsv")
}

/// Reads a gazetteer file in the same format, to extend or replace the embedded one.
pub fn load_path(path: &Path) -> Result<Vec<GazetteerEntry>, GazetteerError> {
    let text = std::fs::read_to_string(path).map_err(|source| GazetteerError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, &path.display().to_string())
}

/// Parses gazetteer rows; the first bad row is an error naming its line.
pub fn parse(tsv: &str, origin: &str) -> Result<Vec<GazetteerEntry>, GazetteerError> {
    let mut out = Vec::new();
    let mut header_seen = false;
    for (i, line) in tsv.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !header_seen {
            header_seen = true;
            if line.starts_with("geonameid\t") {
                continue;
            }
        }
        let err = |message: String| GazetteerError::Row {
            origin: origin.to_string(),
            line: i + 1,
            message,
        };
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 10 {
            return Err(err(format!(
                "expected 11 tab-separated columns, found {}",
                f.len()
            )));
        }
        let geonameid = f[0]
            .trim()
            .parse::<u64>()
            .map_err(|_| err(format!("geonameid {:?} is not a number", f[0])))?;
        let lat = f[3]
            .trim()
            .parse::<f64>()
            .map_err(|_| err(format!("latitude {:?} is not a number", f[3])))?;
        let lon = f[4]
            .trim()
            .parse::<f64>()
            .map_err(|_| err(format!("longitude {:?} is not a number", f[4])))?;
        let point = GeoPoint::new(lat, lon)
            .ok_or_else(|| err(format!("({lat}, {lon}) is not a point on Earth")))?;
        let country = match f[5].trim() {
            "" => None,
            code => Some(
                CountryCode::new(code)
                    .ok_or_else(|| err(format!("{code:?} is not a country code")))?,
            ),
        };
        let feature = Feature::parse(f[8]).ok_or_else(|| {
            err(format!(
                "feature {:?} is not city, admin1, admin2, country, region or landmark",
                f[8]
            ))
        })?;
        let population = f[9].trim().parse::<u64>().unwrap_or(0);
        let name = f[1].trim();
        if name.is_empty() {
            return Err(err("the name is empty".to_string()));
        }
        out.push(GazetteerEntry {
            geonameid,
            name: name.to_string(),
            alt_names: f[2]
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != name)
                .map(str::to_string)
                .collect(),
            point,
            country,
            admin1: f[6].trim().to_string(),
            admin2: f[7].trim().to_string(),
            feature,
            population,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_gazetteer_reads_completely() {
        let entries = embedded().unwrap();
        assert!(entries.len() > 900);
        let nk = entries
            .iter()
            .find(|e| e.name == "Nagorno-Karabakh")
            .unwrap();
        assert!(nk.alt_names.iter().any(|a| a == "Artsakh"));
        assert_eq!(nk.feature, Feature::Region);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = parse(
            "geonameid\tname\n1\tX\t\t91\t0\tAZ\t\t\tcity\t0\t\n",
            "t.tsv",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.tsv:2: (91, 0) is not a point on Earth: fix the row or remove it"
        );
    }
}
