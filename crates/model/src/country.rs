//! ISO 3166-1 countries: codes, names, demonyms and a representative point (`data/countries.tsv`).

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// An ISO 3166-1 alpha-2 code that names a country in ombud's table (plus `XK`, Kosovo).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// A known country code, case-insensitive (`"az"` gives `AZ`), or `None`.
    pub fn new(code: &str) -> Option<CountryCode> {
        let code = CountryCode::syntactic(code)?;
        countries().iter().any(|c| c.code == code).then_some(code)
    }

    fn syntactic(code: &str) -> Option<CountryCode> {
        let b = code.trim().as_bytes();
        if b.len() != 2 || !b.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        Some(CountryCode([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
        ]))
    }

    pub fn as_str(&self) -> &str {
        // Invariant: both bytes are ASCII letters (checked in `syntactic`).
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The country's entry in the table.
    pub fn country(self) -> Option<&'static Country> {
        countries().iter().find(|c| c.code == self)
    }

    /// The country's short English name, or the code when unknown.
    pub fn name(self) -> &'static str {
        self.country().map_or("", |c| c.name.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(s: String) -> Result<CountryCode, String> {
        CountryCode::new(&s)
            .ok_or_else(|| format!("{s:?} is not an ISO 3166-1 alpha-2 country code"))
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.as_str().to_string()
    }
}

/// One row of `data/countries.tsv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Country {
    pub code: CountryCode,
    pub iso3: String,
    pub name: String,
    /// Other names of the whole country ("Russian Federation", "USA").
    pub alt_names: Vec<String>,
    /// Adjectives and demonyms ("Azerbaijani", "Azeri", "Armenians").
    pub demonyms: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    pub geonameid: u64,
    pub population: u64,
    /// ISO 3166-1 numeric code (ACLED's `iso`).
    pub iso_numeric: Option<u16>,
    /// ACLED's name for the country's region ("Caucasus and Central Asia").
    pub acled_region: String,
}

const COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");

/// Every country in ombud's table, parsed once from the embedded data file.
pub fn countries() -> &'static [Country] {
    static TABLE: OnceLock<Vec<Country>> = OnceLock::new();
    TABLE.get_or_init(|| parse_countries(COUNTRIES_TSV))
}

/// Parses the countries table; malformed rows are skipped (the tidy test checks there are none).
fn parse_countries(tsv: &str) -> Vec<Country> {
    let list = |s: &str| -> Vec<String> {
        s.split(';')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("iso2\t") && !l.trim().is_empty())
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 9 {
                return None;
            }
            Some(Country {
                code: CountryCode::syntactic(f[0])?,
                iso3: f[1].to_string(),
                name: f[2].to_string(),
                alt_names: list(f[3]),
                demonyms: list(f[4]),
                lat: f[5].parse().ok()?,
                lon: f[6].parse().ok()?,
                geonameid: f[7].parse().unwrap_or(0),
                population: f[8].parse().unwrap_or(0),
                iso_numeric: f.get(9).and_then(|n| n.parse().ok()),
                acled_region: f.get(10).map(|r| r.to_string()).unwrap_or_default(),
            })
        })
        .collect()
}

/// Number of non-comment data rows in the embedded table, for checking nothing was skipped.
pub fn data_rows() -> usize {
    COUNTRIES_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("iso2\t") && !l.trim().is_empty())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_completely_and_knows_the_parties() {
        assert_eq!(
            countries().len(),
            data_rows(),
            "a row of countries.tsv failed to parse"
        );
        assert!(countries().len() >= 240);
        let az = CountryCode::new("az").unwrap();
        assert_eq!(az.as_str(), "AZ");
        assert!(
            az.country()
                .unwrap()
                .demonyms
                .iter()
                .any(|d| d == "Azerbaijani")
        );
        assert_eq!(CountryCode::new("QQ"), None);
        let ua = CountryCode::new("UA").unwrap().country().unwrap();
        assert_eq!(
            (ua.iso_numeric, ua.acled_region.as_str()),
            (Some(804), "Europe")
        );
        assert_eq!(
            az.country().unwrap().acled_region,
            "Caucasus and Central Asia"
        );
        assert!(countries().iter().all(|c| !c.acled_region.is_empty()));
    }
}
