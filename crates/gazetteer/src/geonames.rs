//! GeoNames dumps as geonames.org publishes them (a country file such as `UA.txt`, or
//! `allCountries.txt`): tab-separated, 19 columns, no header. A user downloads one and loads it
//! so villages the embedded gazetteer leaves out (it keeps places of 500 people or more) resolve.
//!
//! Kept: populated places (feature class `P`), first- and second-level divisions (`ADM1`,
//! `ADM2`). Division names come from the dump's own `ADM1`/`ADM2` rows, written as the embedded
//! gazetteer writes them ("Donetsk", not "Donetsk Oblast"), so both agree on what is in what.
//! Columns: geonameid, name, asciiname, alternatenames (comma-separated), latitude, longitude,
//! feature class, feature code, country code, cc2, admin1 code, admin2 code, admin3 code, admin4
//! code, population, elevation, dem, timezone, modification date.

use std::collections::HashMap;
use std::sync::Arc;

use model::{CountryCode, Feature, GazetteerEntry, GeoPoint};

use crate::GazetteerError;

/// Words GeoNames puts after a division's name that the embedded gazetteer's division names
/// leave out.
const DIVISION_TERMS: &[&str] = &[
    "Oblast",
    "Oblast'",
    "Region",
    "Province",
    "Governorate",
    "Raion",
    "Rayon",
    "District",
    "Krai",
    "Kray",
];

/// A row of the dump, the columns kept.
struct Row<'a> {
    geonameid: u64,
    name: &'a str,
    ascii: &'a str,
    alternates: &'a str,
    point: GeoPoint,
    class: &'a str,
    code: &'a str,
    country: Option<CountryCode>,
    admin1: &'a str,
    admin2: &'a str,
    population: u64,
}

fn division_name(name: &str) -> String {
    let mut n = name.trim();
    for term in DIVISION_TERMS {
        if let Some(stem) = n.strip_suffix(term) {
            n = stem.trim_end();
            break;
        }
    }
    n.to_string()
}

/// Reads a GeoNames dump into gazetteer entries; the first malformed row is an error naming its
/// line. Rows of other feature classes (rivers, hills, roads) are skipped.
pub fn parse(text: &str, origin: &str) -> Result<Vec<GazetteerEntry>, GazetteerError> {
    parse_with(text, origin, &[])
}

/// [`parse`], naming divisions as `known` (the embedded gazetteer) names them: a division row of
/// the dump that names a division `known` has (same country and kind, same name once terms such
/// as "Oblast" are set aside) gives its places `known`'s name for it, so "in the Donetsk region"
/// finds the dump's villages there.
pub fn parse_with(
    text: &str,
    origin: &str,
    known: &[GazetteerEntry],
) -> Result<Vec<GazetteerEntry>, GazetteerError> {
    let same = |name: &str| division_name(name).to_lowercase();
    let known_division: HashMap<(Option<CountryCode>, Feature, String), &str> = known
        .iter()
        .filter(|e| matches!(e.feature, Feature::Admin1 | Feature::Admin2))
        .map(|e| ((e.country, e.feature, same(&e.name)), e.name.as_str()))
        .collect();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| GazetteerError::Row {
            origin: origin.to_string(),
            line: i + 1,
            message,
        };
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 15 {
            return Err(err(format!(
                "expected the 19 tab-separated columns of a GeoNames dump, found {}",
                f.len()
            )));
        }
        let keep = f[6] == "P" || (f[6] == "A" && matches!(f[7], "ADM1" | "ADM2"));
        if !keep {
            continue;
        }
        let geonameid = f[0]
            .parse()
            .map_err(|_| err(format!("geonameid {:?} is not a number", f[0])))?;
        let lat: f64 = f[4]
            .parse()
            .map_err(|_| err(format!("latitude {:?} is not a number", f[4])))?;
        let lon: f64 = f[5]
            .parse()
            .map_err(|_| err(format!("longitude {:?} is not a number", f[5])))?;
        let point = GeoPoint::new(lat, lon)
            .ok_or_else(|| err(format!("({lat}, {lon}) is not a point on Earth")))?;
        if f[1].trim().is_empty() {
            return Err(err("the name is empty".to_string()));
        }
        rows.push(Row {
            geonameid,
            name: f[1].trim(),
            ascii: f[2].trim(),
            alternates: f[3],
            point,
            class: f[6],
            code: f[7],
            country: CountryCode::new(f[8]),
            admin1: f[10],
            admin2: f[11],
            population: f[14].parse().unwrap_or(0),
        });
    }
    // Division names by code, from the dump's own division rows.
    let mut admin1: HashMap<(Option<CountryCode>, &str), Arc<str>> = HashMap::new();
    let mut admin2: HashMap<(Option<CountryCode>, &str, &str), Arc<str>> = HashMap::new();
    for r in &rows {
        let known = |feature: Feature| {
            std::iter::once(r.ascii)
                .chain(r.alternates.split(','))
                .find_map(|n| known_division.get(&(r.country, feature, same(n))))
                .map(|k| k.to_string())
        };
        match r.code {
            "ADM1" => {
                let name = known(Feature::Admin1).unwrap_or_else(|| division_name(r.ascii));
                admin1.insert((r.country, r.admin1), name.into());
            }
            "ADM2" => {
                let name = known(Feature::Admin2).unwrap_or_else(|| r.ascii.to_string());
                admin2.insert((r.country, r.admin1, r.admin2), name.into());
            }
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let feature = match (r.class, r.code) {
            ("A", "ADM1") => Feature::Admin1,
            ("A", "ADM2") => Feature::Admin2,
            _ => Feature::City,
        };
        let mut alt_names: Vec<String> = Vec::new();
        for a in std::iter::once(r.ascii).chain(r.alternates.split(',')) {
            let a = a.trim();
            // Latin-script names only, as the embedded gazetteer keeps them.
            let latin = a
                .chars()
                .all(|c| c.is_ascii() || c.is_alphabetic() && (c as u32) < 0x0250);
            if !a.is_empty() && a != r.name && latin && !alt_names.iter().any(|x| x == a) {
                alt_names.push(a.to_string());
            }
        }
        out.push(GazetteerEntry {
            geonameid: r.geonameid,
            name: r.name.to_string(),
            alt_names,
            point: r.point,
            country: r.country,
            admin1: admin1
                .get(&(r.country, r.admin1))
                .cloned()
                .unwrap_or_default(),
            admin2: admin2
                .get(&(r.country, r.admin1, r.admin2))
                .cloned()
                .unwrap_or_default(),
            feature,
            population: r.population,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_names_lose_their_term() {
        assert_eq!(division_name("Donetsk Oblast"), "Donetsk");
        assert_eq!(division_name("Kyiv City"), "Kyiv City");
    }
}
