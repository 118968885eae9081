//! Synthetic reports for tests and the scale benchmark, written in the project's own words:
//! short wire-style reports of strikes at given places and dates, about a third of them
//! re-reporting an earlier event from another publisher, so that merging has work to do.
//! Deterministic: report `i` is always the same.

use serde_json::json;

/// A place reports can name: its name as the gazetteer knows it.
pub type Place<'a> = &'a str;

/// A mixing hash (SplitMix64 finaliser): the generator's only source of variety.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

const WEAPONS: &[&str] = &[
    "artillery shells",
    "Grad rockets",
    "a drone",
    "mortar rounds",
    "a missile",
    "cluster munitions",
];

const PUBLISHERS: &[&str] = &[
    "Synthetic Wire",
    "Regional Courier",
    "Frontline Daily",
    "Civic Monitor",
    "Evening Bulletin",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The event report `i` tells: a new event for two reports in three, else an earlier one.
fn event_of(i: u64) -> u64 {
    if i % 3 == 2 && i > 0 { mix(i) % i } else { i }
}

/// Days since 2020-01-01 of event `e`, spread over about three years.
fn day_of(e: u64) -> u64 {
    mix(e ^ 0x5eed) % 1100
}

fn civil(days: u64) -> (i64, u32, u32) {
    // Howard Hinnant's civil_from_days, from 1970-01-01 + 18262 days (2020-01-01).
    let z = days as i64 + 18_262 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Report `i` as one line of JSON Lines (`id`, `publisher`, `published`, `text`), about places
/// drawn from `places`.
pub fn synthetic_report(i: u64, places: &[Place<'_>]) -> String {
    let e = event_of(i);
    let h = mix(e);
    let place = places[(h % places.len() as u64) as usize];
    let weapon = WEAPONS[((h >> 16) % WEAPONS.len() as u64) as usize];
    let killed = (h >> 24) % 9;
    let injured = (h >> 32) % 15;
    let (y, m, d) = civil(day_of(e));
    let date = format!("{d} {} {y}", MONTHS[(m - 1) as usize]);
    // A re-report comes from another outlet, a day later at most.
    let reporter = (mix(i) % PUBLISHERS.len() as u64) as usize;
    let (py, pm, pd) = civil(day_of(e) + (mix(i) >> 40) % 2);
    let text = match mix(i) % 4 {
        0 => format!(
            "{place} was shelled on {date}. Local officials said {weapon} struck a residential street, killing {killed} civilians and wounding {injured} others."
        ),
        1 => format!(
            "Strikes with {weapon} hit {place} on {date}, the regional administration said. {killed} people were killed and {injured} were injured, according to the administration."
        ),
        2 => format!(
            "{weapon} hit a market in {place} on {date}, emergency workers said. {killed} civilians were killed and {injured} were taken to hospital."
        ),
        _ => format!(
            "On {date}, {weapon} struck the centre of {place}, killing {killed} civilians, the governor said in a statement."
        ),
    };
    json!({
        "id": format!("synthetic-{i}"),
        "publisher": PUBLISHERS[reporter],
        "published": format!("{py:04}-{pm:02}-{pd:02}"),
        "text": text,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_deterministic_and_some_re_report() {
        let places = ["Kharkiv", "Izium"];
        assert_eq!(synthetic_report(7, &places), synthetic_report(7, &places));
        let repeats = (0..300).filter(|&i| event_of(i) != i).count();
        assert!((90..=110).contains(&repeats), "{repeats}");
        assert_eq!(civil(0), (2020, 1, 1));
        assert_eq!(civil(366), (2021, 1, 1));
        let line: serde_json::Value = serde_json::from_str(&synthetic_report(1, &places)).unwrap();
        let text = line["text"].as_str().unwrap();
        assert!(text.contains("Izium") || text.contains("Kharkiv"), "{text}");
    }
}
