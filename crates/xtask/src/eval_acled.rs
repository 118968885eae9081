//! `cargo xtask eval acled`: ACLED's own event notes for Ukraine
//! (`../shared/eval-data/acled_ukraine/dev_odd_ids.json`, 508 events), each note read as one
//! document with no publication date, scored against the row's other fields.
//!
//! Measures (see `eval_incidents` for how a document's reading is taken): the sub-event type;
//! the date exactly ACLED's day; the first place within 25 km (and 10 km) of ACLED's point;
//! fatalities exactly ACLED's count, over all rows and over rows with deaths; the perpetrator's
//! country. ACLED's `actor1` is unreliable in this copy (it sometimes names the side attacked),
//! so the gold perpetrator is read from the note's subject, the first side the note names
//! before its first comma-free clause ends ("Russian forces shelled ..." is RU; DPR, LPR, NAF,
//! Wagner and Kadyrov's forces are RU, the side they fight on; "Ukrainian", "Azov" are UA);
//! notes whose subject names no side (protests, "armed clashes took place") are not judged.

use anyhow::{Context, Result};
use model::{Date, DocumentMeta, GeoPoint, SubEventType};
use pipeline::{Reference, analyse};
use serde::Deserialize;

use crate::eval_incidents::{Rate, Reading, month_number, print_rate};

/// One ACLED row, the fields scored.
#[derive(Deserialize)]
struct Row {
    data_id: u64,
    event_date: String,
    sub_event_type: String,
    latitude: f64,
    longitude: f64,
    notes: String,
    fatalities: u32,
}

/// What the ACLED set measured, for the cross-set summary.
#[derive(Clone, Copy, Debug, Default)]
pub struct AcledScores {
    pub sub_event: Rate,
    pub date: Rate,
    pub place_25: Rate,
    pub place_10: Rate,
    pub fatalities: Rate,
    pub fatalities_nonzero: Rate,
    pub perpetrator: Rate,
}

/// ACLED's `event_date` ("31-Jul-22", "3-Oct-22").
fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let day = parts.next()?.parse().ok()?;
    let month = month_number(parts.next()?)?;
    let year: i32 = parts.next()?.parse().ok()?;
    Date::new(2000 + year, month, day)
}

/// The side the note's subject names: the first side word of the first clause, after a leading
/// label ("Looting: "), the date ("On 3 October 2022,") and a leading circumstance ("following
/// clashes with X,", "at night,").
fn subject_side(notes: &str) -> Option<&'static str> {
    let mut rest = notes;
    if let Some((label, after)) = rest.split_once(": ")
        && label.split_whitespace().count() <= 3
    {
        rest = after;
    }
    if let Some((lead, after)) = rest.split_once(", ")
        && (lead.starts_with("On ") || lead.starts_with("Around ") || lead.starts_with("Between "))
    {
        rest = after;
    }
    let circumstance = [
        "following",
        "after",
        "at ",
        "in the",
        "as a result",
        "during",
        "amid",
    ];
    if circumstance.iter().any(|c| rest.starts_with(c))
        && let Some((_, after)) = rest.split_once(", ")
    {
        rest = after;
    }
    let clause = rest.split([',', '.', ';']).next().unwrap_or("");
    for word in clause.split_whitespace().take(8) {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric());
        let w = w.strip_suffix("'s").unwrap_or(w);
        let side = match w {
            "Russian" | "Russia" | "DPR" | "LPR" | "NAF" | "Wagner" | "Chechen" | "Kadyrov"
            | "Kadyrovites" => "RU",
            "Ukrainian" | "Ukraine" | "Azov" | "UAF" => "UA",
            _ => continue,
        };
        return Some(side);
    }
    None
}

pub fn run(args: &[String]) -> Result<Option<AcledScores>> {
    let Some(dir) = crate::shared::eval_data() else {
        return Ok(None);
    };
    let path = dir.join("acled_ukraine/dev_odd_ids.json");
    let json = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let rows: Vec<Row> = serde_json::from_str(&json)
        .with_context(|| format!("{}: not a list of ACLED rows", path.display()))?;
    let reference = Reference::load()?;
    let verbose = args.iter().any(|a| a == "-v" || a == "--verbose");
    let meta = DocumentMeta {
        language: Some("en".into()),
        ..DocumentMeta::default()
    };

    let mut s = AcledScores::default();
    let mut per_class: std::collections::BTreeMap<String, Rate> = Default::default();
    for row in &rows {
        let analysis = analyse(&reference, &row.notes, &meta);
        let r = Reading::of(&analysis.extraction.claims);
        let gold_sub = SubEventType::parse(&row.sub_event_type);
        let sub_right = r.sub_event.is_some() && r.sub_event == gold_sub;
        s.sub_event.add(sub_right);
        per_class
            .entry(row.sub_event_type.clone())
            .or_default()
            .add(sub_right);
        let gold_date = parse_date(&row.event_date)
            .with_context(|| format!("ACLED row {}: bad date", row.data_id))?;
        let date_right = r.date_is(gold_date);
        s.date.add(date_right);
        let gold_point = GeoPoint::new(row.latitude, row.longitude)
            .with_context(|| format!("ACLED row {}: bad point", row.data_id))?;
        let place_right = r.place_within(gold_point, 25.0);
        s.place_25.add(place_right);
        s.place_10.add(r.place_within(gold_point, 10.0));
        s.fatalities.add(r.killed == row.fatalities);
        if row.fatalities > 0 {
            s.fatalities_nonzero.add(r.killed == row.fatalities);
        }
        let side = subject_side(&row.notes);
        let perp_right = side.is_some_and(|g| r.perpetrator.is_some_and(|p| p.as_str() == g));
        if side.is_some() {
            s.perpetrator.add(perp_right);
        }
        if verbose {
            let mut misses = Vec::new();
            if !sub_right {
                misses.push(format!(
                    "sub-event {:?} for {}",
                    r.sub_event.map(|e| e.as_str()),
                    row.sub_event_type
                ));
            }
            if !date_right {
                misses.push(format!("date {:?} for {gold_date}", r.date));
            }
            if !place_right {
                let km = r.place.map(|p| p.distance_km(gold_point).round());
                misses.push(format!("place {km:?} km off"));
            }
            if r.killed != row.fatalities {
                misses.push(format!("killed {} for {}", r.killed, row.fatalities));
            }
            if side.is_some() && !perp_right {
                misses.push(format!(
                    "perpetrator {:?} for {side:?}",
                    r.perpetrator.map(|c| c.to_string())
                ));
            }
            if !misses.is_empty() {
                println!("{:>8}  {}", row.data_id, misses.join("; "));
                println!(
                    "          {}",
                    row.notes.chars().take(220).collect::<String>()
                );
            }
        }
    }

    println!(
        "ACLED Ukraine 2022, dev half (odd data_ids): {} event notes, no publication date given",
        rows.len()
    );
    print_rate("sub-event type", s.sub_event, Some(0.92));
    print_rate("date exact (day)", s.date, Some(0.97));
    print_rate("first place within 25 km", s.place_25, Some(0.85));
    print_rate("first place within 10 km", s.place_10, None);
    print_rate("fatalities exact", s.fatalities, None);
    print_rate(
        "fatalities exact where non-zero",
        s.fatalities_nonzero,
        Some(0.90),
    );
    print_rate(
        "perpetrator country (notes naming a side)",
        s.perpetrator,
        Some(0.92),
    );
    println!("\n  sub-event type right, by gold class:");
    for (class, rate) in &per_class {
        println!("    {class:<40} {rate}");
    }
    Ok(Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_acled_dates_and_subjects() {
        assert_eq!(parse_date("3-Oct-22"), Date::new(2022, 10, 3));
        assert_eq!(
            subject_side("On 1 May 2022, Russian forces shelled a town."),
            Some("RU")
        );
        assert_eq!(
            subject_side("Looting: On 1 May 2022, the LPR's police took cars."),
            Some("RU")
        );
        assert_eq!(
            subject_side(
                "On 1 May 2022, following clashes with Ukrainian forces, DPR forces took a village."
            ),
            Some("RU")
        );
        assert_eq!(
            subject_side("On 1 May 2022, armed clashes took place near a town."),
            None
        );
    }
}
