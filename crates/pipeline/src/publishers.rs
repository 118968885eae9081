//! The publisher registry shipped with ombud (`data/publishers.tsv`), seeded into each store.

use model::{CountryCode, Publisher, SourceKind};

use crate::PipelineError;

const DEFAULT: &str = include_str!("../data/publishers.tsv");

/// The registry compiled into ombud.
pub fn default_publishers() -> Result<Vec<Publisher>, PipelineError> {
    parse_publishers(DEFAULT, "crates/pipeline/data/publishers.tsv")
}

/// Parses a registry file: `#` comments, a header, then `publisher country kind alignment note`.
pub fn parse_publishers(tsv: &str, origin: &str) -> Result<Vec<Publisher>, PipelineError> {
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() || line.starts_with("publisher\t") {
            continue;
        }
        let err = |message: String| PipelineError::Registry {
            origin: origin.to_string(),
            line: i + 1,
            message,
        };
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 {
            return Err(err(format!(
                "expected 5 tab-separated columns, found {}",
                f.len()
            )));
        }
        let code = |s: &str, what: &str| -> Result<Option<CountryCode>, PipelineError> {
            match s.trim() {
                "" | "none" => Ok(None),
                c => CountryCode::new(c)
                    .map(Some)
                    .ok_or_else(|| err(format!("{what} {c:?} is not a country code"))),
            }
        };
        out.push(Publisher {
            name: f[0].trim().to_string(),
            country: code(f[1], "country")?,
            kind: SourceKind::parse(f[2]).ok_or_else(|| err(format!("kind {:?} is not one of media, government, armed_forces, ngo, un, wire, social", f[2])))?,
            alignment: code(f[3], "alignment")?,
            note: f.get(4).map(|s| s.trim().to_string()).unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_registry_parses() {
        let all = super::default_publishers().unwrap();
        assert!(all.iter().any(|p| p.name == "PanARMENIAN.Net"
            && p.alignment.map(|c| c.to_string()).as_deref() == Some("AM")));
    }
}
