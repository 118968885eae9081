//! Publication dates as formats write them, read as the calendar date where they were published.

use model::Date;

/// Reads `2020-10-04`, RFC 3339 (`2020-10-28T14:05:00+04:00`, the local date is kept) or
/// RFC 2822 (`Sun, 11 Oct 2020 09:00:00 +0400`, as RSS writes it).
pub fn parse_published(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(date) = s.parse::<Date>() {
        return Some(date);
    }
    let zoned = jiff::fmt::rfc2822::parse(s).ok()?;
    let d = zoned.date();
    Date::new(i32::from(d.year()), d.month() as u32, d.day() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_publishers_local_date() {
        let d = |s| parse_published(s).map(|d| d.to_string());
        assert_eq!(d("2020-10-04").as_deref(), Some("2020-10-04"));
        assert_eq!(
            d("2020-10-28T01:05:00+04:00").as_deref(),
            Some("2020-10-28")
        );
        assert_eq!(
            d("Sun, 11 Oct 2020 01:00:00 +0400").as_deref(),
            Some("2020-10-11")
        );
        assert_eq!(d("yesterday"), None);
    }
}
