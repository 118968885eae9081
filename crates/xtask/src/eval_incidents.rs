//! What the incident sets (ACLED, Airwars) score in one document's extraction: the document's
//! reading reduced to the fields their gold rows label, and the rates they are counted into.
//!
//! A set's row is one incident and its text one document. The prediction for each field comes
//! from the first claim (in text order) that gives it, so a document is judged by what it says
//! first, the way an analyst reads a note: the sub-event type, date and perpetrator of the first
//! claim, the first place of the first claim with a place, and the killed figure of the first
//! claim that numbers the dead (0 when no claim does).

use model::{CasualtyGroup, CasualtyOutcome, Claim, CountryCode, Date, GeoPoint, SubEventType};

/// The fields of one document's extraction that the incident sets label.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading {
    pub sub_event: Option<SubEventType>,
    /// The first claim's date, `(start, end)`.
    pub date: Option<(Date, Date)>,
    pub place: Option<GeoPoint>,
    pub perpetrator: Option<CountryCode>,
    /// Killed, all groups: the first claim that numbers the dead, else 0.
    pub killed: u32,
    /// Killed civilians and people of no stated group, read the same way.
    pub killed_civilians: u32,
}

/// The number of dead a claim gives for the groups `wanted`: the sum of their lower bounds (the
/// upper bound where only that is given), or `None` when the claim numbers none of them.
fn killed_in(claim: &Claim, wanted: &[CasualtyGroup]) -> Option<u32> {
    let figures: Vec<u32> = claim
        .casualties
        .iter()
        .filter(|c| c.outcome == CasualtyOutcome::Killed && wanted.contains(&c.group))
        .filter_map(|c| c.min.or(c.max))
        .collect();
    (!figures.is_empty()).then(|| figures.iter().fold(0u32, |a, b| a.saturating_add(*b)))
}

impl Reading {
    pub fn of(claims: &[Claim]) -> Reading {
        let first = claims.first();
        let all = [
            CasualtyGroup::Civilian,
            CasualtyGroup::Military,
            CasualtyGroup::Unspecified,
        ];
        let civilians = [CasualtyGroup::Civilian, CasualtyGroup::Unspecified];
        Reading {
            sub_event: first.map(|c| c.sub_event_type),
            date: first.and_then(|c| c.date.as_ref().map(|d| (d.start, d.end))),
            place: claims
                .iter()
                .find_map(|c| c.places.first().and_then(|p| p.point())),
            perpetrator: first.and_then(|c| c.perpetrator.as_ref().and_then(|p| p.country)),
            killed: claims.iter().find_map(|c| killed_in(c, &all)).unwrap_or(0),
            killed_civilians: claims
                .iter()
                .find_map(|c| killed_in(c, &civilians))
                .unwrap_or(0),
        }
    }

    /// True when the reading's date is exactly the gold day.
    pub fn date_is(&self, gold: Date) -> bool {
        self.date == Some((gold, gold))
    }

    /// True when the reading's first place lies within `km` of the gold point.
    pub fn place_within(&self, gold: GeoPoint, km: f64) -> bool {
        self.place.is_some_and(|p| p.distance_km(gold) <= km)
    }
}

/// A share of rows right, over the rows a measure applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rate {
    pub right: usize,
    pub total: usize,
}

impl Rate {
    pub fn add(&mut self, right: bool) {
        self.total += 1;
        self.right += usize::from(right);
    }

    pub fn value(self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} ({}/{})", self.value(), self.right, self.total)
    }
}

/// One line of a set's table: the measure, its rate, and its target when the issue sets one.
pub fn print_rate(name: &str, rate: Rate, target: Option<f64>) {
    let target = target.map_or(String::new(), |t| {
        let mark = if rate.value() >= t { "met" } else { "not met" };
        format!("   target >= {t:.2}: {mark}")
    });
    println!("  {name:<44} {rate:<20}{target}");
}

/// The first number of a gold field's text ("3 – 5" gives 3 and 5; "7" gives 7 and 7).
pub fn gold_range(field: &str) -> Option<(u32, u32)> {
    let numbers: Vec<u32> = field
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match numbers[..] {
        [n] => Some((n, n)),
        [a, b, ..] => Some((a.min(b), a.max(b))),
        [] => None,
    }
}

/// Month number of an English month name or its three-letter abbreviation, any case.
pub fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.to_ascii_lowercase();
    let prefix = lower.get(..3)?;
    MONTHS
        .iter()
        .position(|m| *m == prefix)
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_fields_read_as_the_sets_write_them() {
        assert_eq!(gold_range("3 – 5"), Some((3, 5)));
        assert_eq!(gold_range("7"), Some((7, 7)));
        assert_eq!(gold_range("Unknown"), None);
        assert_eq!(month_number("Jul"), Some(7));
        assert_eq!(month_number("october"), Some(10));
        assert_eq!(month_number("xyz"), None);
    }
}
