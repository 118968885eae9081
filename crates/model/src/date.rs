//! Calendar dates without time zones, and the precision a report gives them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A proleptic Gregorian calendar date, serialised as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i16,
    month: u8,
    day: u8,
}

impl Date {
    /// A valid date, or `None` (month 13, 30 February, years outside 1..=9999).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            year: year as i16,
            month: month as u8,
            day: day as u8,
        })
    }

    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before), for arithmetic and distances.
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01; `None` outside years 1..=9999.
    pub fn from_days(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(i32::try_from(y).ok()?, m as u32, d as u32)
    }

    /// The date `n` days later (earlier when negative), saturating at the calendar's ends.
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n).unwrap_or(self)
    }

    /// Day of the week, 0 = Monday .. 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (self.to_days() + 3).rem_euclid(7) as u32
    }

    /// The last day of this date's month.
    pub fn end_of_month(self) -> Date {
        let last = days_in_month(self.year(), self.month());
        Date {
            day: last as u8,
            ..self
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why a string is not a `YYYY-MM-DD` date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateParseError(pub String);

impl fmt::Display for DateParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a date: write it as YYYY-MM-DD", self.0)
    }
}

impl std::error::Error for DateParseError {}

impl FromStr for Date {
    type Err = DateParseError;

    /// Parses `YYYY-MM-DD`; a longer RFC 3339 timestamp is cut to its date part.
    fn from_str(s: &str) -> Result<Date, DateParseError> {
        let err = || DateParseError(s.to_string());
        let head = s.get(..10).ok_or_else(err)?;
        let bytes = head.as_bytes();
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| head[r].parse::<u32>().map_err(|_| err());
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if s.len() > 10 && !matches!(s.as_bytes()[10], b'T' | b't' | b' ') {
            return Err(err());
        }
        Date::new(y as i32, m, d).ok_or_else(err)
    }
}

impl TryFrom<String> for Date {
    type Error = DateParseError;
    fn try_from(s: String) -> Result<Date, DateParseError> {
        s.parse()
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

/// How exactly a report dates an event (the contract's `date.precision`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    Day,
    Week,
    Month,
    Year,
}

impl DatePrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Day => "day",
            DatePrecision::Week => "week",
            DatePrecision::Month => "month",
            DatePrecision::Year => "year",
        }
    }

    /// ACLED's `time_precision`: 1 day, 2 week or so, 3 month or coarser.
    pub fn acled_code(self) -> u8 {
        match self {
            DatePrecision::Day => 1,
            DatePrecision::Week => 2,
            DatePrecision::Month | DatePrecision::Year => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_weekday() {
        let d = Date::new(2020, 10, 4).unwrap();
        assert_eq!(Date::from_days(d.to_days()), Some(d));
        assert_eq!(d.weekday(), 6, "2020-10-04 was a Sunday");
        assert_eq!(d.add_days(-1).to_string(), "2020-10-03");
        assert_eq!(Date::new(2020, 2, 30), None);
        assert_eq!(
            "2020-02-29T10:00:00Z".parse::<Date>().unwrap().to_string(),
            "2020-02-29"
        );
        assert!("2020/02/29".parse::<Date>().is_err());
    }
}
