//! The publisher registry shipped with ombud (`data/publishers.tsv`), seeded into each store,
//! and the origins registry (`data/origins.tsv`, with a data directory's own `origins.tsv` read
//! after it).

use merge::{Body, OriginRegistry};
use model::{CountryCode, Publisher, Side, SourceKind};

use crate::PipelineError;

const DEFAULT: &str = include_str!("../data/publishers.tsv");

/// The registry compiled into ombud.
pub fn default_publishers() -> Result<Vec<Publisher>, PipelineError> {
    parse_publishers(DEFAULT, "crates/pipeline/data/publishers.tsv")
}

/// The data rows of a registry file (`#` comments, a header starting with `header`, blank lines
/// left out): each row's fields, and a maker of errors that name the file and line.
fn rows<'a>(
    tsv: &'a str,
    header: &'a str,
    origin: &'a str,
) -> impl Iterator<Item = (Vec<&'a str>, impl Fn(String) -> PipelineError + 'a)> + 'a {
    tsv.lines()
        .enumerate()
        .filter(move |(_, l)| !(l.starts_with('#') || l.trim().is_empty() || l.starts_with(header)))
        .map(move |(i, line)| {
            let err = move |message: String| PipelineError::Registry {
                origin: origin.to_string(),
                line: i + 1,
                message,
            };
            (line.split('\t').collect(), err)
        })
}

/// Parses a registry file: `#` comments, a header, then `publisher country kind alignment note`.
pub fn parse_publishers(tsv: &str, origin: &str) -> Result<Vec<Publisher>, PipelineError> {
    let mut out = Vec::new();
    for (f, err) in rows(tsv, "publisher\t", origin) {
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

const ORIGINS: &str = include_str!("../data/origins.tsv");

/// The origins registry compiled into ombud, then the bodies of `user` (a data directory's
/// `origins.tsv`, if it has one), whose rows win.
pub fn origin_registry(user: Option<&std::path::Path>) -> Result<OriginRegistry, PipelineError> {
    let mut bodies = parse_origins(ORIGINS, "crates/pipeline/data/origins.tsv")?;
    if let Some(path) = user.filter(|p| p.exists()) {
        let text = std::fs::read_to_string(path).map_err(|source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        bodies.extend(parse_origins(&text, &path.display().to_string())?);
    }
    Ok(OriginRegistry::new(bodies))
}

/// Parses an origins file: `#` comments, a header, then `name aliases side kind group note`.
pub fn parse_origins(tsv: &str, origin: &str) -> Result<Vec<Body>, PipelineError> {
    let mut out = Vec::new();
    for (f, err) in rows(tsv, "name\t", origin) {
        if f.len() < 4 {
            return Err(err(format!(
                "expected 6 tab-separated columns (name, aliases, side, kind, group, note), found {}",
                f.len()
            )));
        }
        let side = match f[2].trim() {
            "" => None,
            s => Some(Side::parse(s).ok_or_else(|| {
                err(format!(
                    "side {s:?} is not a country code, independent, or empty"
                ))
            })?),
        };
        out.push(Body {
            name: f[0].trim().to_string(),
            aliases: f[1]
                .split(';')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
            side,
            kind: SourceKind::parse(f[3]).ok_or_else(|| {
                err(format!(
                    "kind {:?} is not one of media, government, armed_forces, ngo, un, wire, social",
                    f[3]
                ))
            })?,
            group: f.get(4).map(|s| s.trim().to_string()).unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_registry_parses_and_bad_rows_name_their_line() {
        let r = super::origin_registry(None).unwrap();
        assert!(r.bodies().len() > 20);
        let az = r.body("Azerbaijan's Defence Ministry").unwrap();
        assert_eq!(az.name, "Ministry of Defence of Azerbaijan");
        let e = super::parse_origins("name\taliases\tside\tkind\nX\t\tnowhere\tngo\n", "f.tsv")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f.tsv:2:"), "{e}");
    }

    #[test]
    fn default_registry_parses() {
        let all = super::default_publishers().unwrap();
        assert!(all.iter().any(|p| p.name == "PanARMENIAN.Net"
            && p.alignment.map(|c| c.to_string()).as_deref() == Some("AM")));
    }
}
