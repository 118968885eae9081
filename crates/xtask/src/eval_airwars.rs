//! `cargo xtask eval airwars`: Airwars' assessments of civilian harm in Gaza, 2023
//! (`../shared/eval-data/airwars_gaza/dev_odd_ids.csv`, 307 incidents), each narrative read as
//! one document with no publication date, up to its "Summary" block (which restates the gold).
//!
//! Measures (see `eval_incidents` for how a document's reading is taken): civilians killed
//! inside Airwars' range ("Civilians reported killed", such as "3 – 5"; rows marked "Unknown"
//! are not judged); the date exactly Airwars' day; the first place within 10 km (and 25 km) of
//! Airwars' point, over the rows that have one; the suspected belligerent's country, over the
//! rows that name one.

use anyhow::{Context, Result};
use model::{Date, DocumentMeta, GeoPoint};
use pipeline::{Reference, analyse};

use crate::eval_incidents::{Rate, Reading, gold_range, month_number, print_rate};

/// What the Airwars set measured, for the cross-set summary.
#[derive(Clone, Copy, Debug, Default)]
pub struct AirwarsScores {
    pub civilians: Rate,
    pub date: Rate,
    pub place_10: Rate,
    pub place_25: Rate,
    pub belligerent: Rate,
}

/// Airwars' `Incidence_date` ("october-7-2023").
fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let month = month_number(parts.next()?)?;
    let day = parts.next()?.parse().ok()?;
    let year = parts.next()?.parse().ok()?;
    Date::new(year, month, day)
}

/// The narrative without the "Summary" block that follows it.
fn narrative(assessment: &str) -> &str {
    match assessment.find("SummaryStrike status") {
        Some(i) => assessment[..i].trim_end_matches([',', ' ']),
        None => assessment,
    }
}

/// The country of Airwars' suspected belligerent, when the set names one ombud can compare.
fn belligerent_country(name: &str) -> Option<&'static str> {
    if name.starts_with("Israeli") {
        Some("IL")
    } else if name.starts_with("Palestinian") {
        Some("PS")
    } else {
        None
    }
}

/// A CSV reader for the set's file: RFC 4180 quoting, fields may hold commas, quotes and newlines.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

pub fn run(args: &[String]) -> Result<Option<AirwarsScores>> {
    let Some(dir) = crate::shared::eval_data() else {
        return Ok(None);
    };
    let path = dir.join("airwars_gaza/dev_odd_ids.csv");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let rows = read_csv(&text);
    let header = rows.first().context("the Airwars file is empty")?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: no column {name:?}", path.display()))
    };
    let (c_id, c_date, c_killed, c_lat, c_lon, c_bell, c_text) = (
        col("Incidence_id")?,
        col("Incidence_date")?,
        col("Civilians reported killed")?,
        col("lat")?,
        col("long")?,
        col("Suspected belligerent")?,
        col("Airwars_assessment")?,
    );
    let reference = Reference::load()?;
    let verbose = args.iter().any(|a| a == "-v" || a == "--verbose");
    let meta = DocumentMeta {
        language: Some("en".into()),
        ..DocumentMeta::default()
    };

    let mut s = AirwarsScores::default();
    let mut n = 0;
    for row in &rows[1..] {
        if row.len() < header.len() {
            continue;
        }
        n += 1;
        let id = &row[c_id];
        let text = narrative(&row[c_text]);
        let analysis = analyse(&reference, text, &meta);
        let r = Reading::of(&analysis.extraction.claims);
        let mut misses = Vec::new();
        if let Some((lo, hi)) = gold_range(&row[c_killed]) {
            let right = (lo..=hi).contains(&r.killed_civilians);
            s.civilians.add(right);
            if !right {
                misses.push(format!(
                    "civilians killed {} for {lo}-{hi}",
                    r.killed_civilians
                ));
            }
        }
        let gold_date = parse_date(&row[c_date])
            .with_context(|| format!("Airwars row {id}: bad date {:?}", row[c_date]))?;
        let date_right = r.date_is(gold_date);
        s.date.add(date_right);
        if !date_right {
            misses.push(format!("date {:?} for {gold_date}", r.date));
        }
        let point = match (row[c_lat].parse::<f64>(), row[c_lon].parse::<f64>()) {
            (Ok(lat), Ok(lon)) => GeoPoint::new(lat, lon),
            _ => None,
        };
        if let Some(gold) = point {
            let right = r.place_within(gold, 10.0);
            s.place_10.add(right);
            s.place_25.add(r.place_within(gold, 25.0));
            if !right {
                let km = r.place.map(|p| p.distance_km(gold).round());
                misses.push(format!("place {km:?} km off"));
            }
        }
        if let Some(gold) = belligerent_country(&row[c_bell]) {
            let right = r.perpetrator.is_some_and(|p| p.as_str() == gold);
            s.belligerent.add(right);
            if !right {
                misses.push(format!(
                    "belligerent {:?} for {gold}",
                    r.perpetrator.map(|c| c.to_string())
                ));
            }
        }
        if verbose && !misses.is_empty() {
            println!("{id:>10}  {}", misses.join("; "));
            println!("            {}", text.chars().take(220).collect::<String>());
        }
    }

    println!(
        "Airwars Gaza 2023, dev half (odd incident ids): {n} assessments, no publication date given"
    );
    print_rate(
        "civilians killed inside Airwars' range",
        s.civilians,
        Some(0.75),
    );
    print_rate("date exact (day)", s.date, Some(0.95));
    print_rate("first place within 10 km", s.place_10, Some(0.80));
    print_rate("first place within 25 km", s.place_25, None);
    print_rate("suspected belligerent's country", s.belligerent, None);
    Ok(Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_airwars_fields() {
        assert_eq!(parse_date("october-7-2023"), Date::new(2023, 10, 7));
        assert_eq!(
            narrative("A strike hit., SummaryStrike statusX"),
            "A strike hit."
        );
        assert_eq!(
            read_csv("a,b\n\"x, \"\"y\"\"\nz\",2\n"),
            vec![vec!["a", "b"], vec!["x, \"y\"\nz", "2"]]
        );
    }
}
