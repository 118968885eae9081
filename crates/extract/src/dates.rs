//! Date expressions in text, resolved against the publication date: absolute dates in common
//! orders, ranges, months, years, decades, weekdays and relative phrases.

use model::{Date, DatePrecision, Span};
use regex::{Captures, Regex};

/// A date expression found in text, resolved to a range.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DateMention {
    pub span: Span,
    pub start: Date,
    pub end: Date,
    pub precision: DatePrecision,
}

const MONTH: &str = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";
const WEEKDAY: &str = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";

#[derive(Clone, Copy, Debug)]
enum Shape {
    Iso,
    DayRange,
    MonthDayRange,
    DayMonth,
    MonthDay,
    MonthYear,
    InMonth,
    Year,
    Decade,
    Weekday,
    Relative,
}

/// The compiled date patterns, built once per extractor.
#[derive(Debug)]
pub(crate) struct DateFinder {
    patterns: Vec<(Shape, Regex)>,
    /// Phrases dated by the date told before them: "later that day", "the next day".
    anaphoric: Regex,
}

/// Internal invariant: the patterns below are constants that compile (checked by the unit tests).
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("date pattern does not compile: {e}"))
}

impl DateFinder {
    pub fn new() -> DateFinder {
        let ord = r"(?:st|nd|rd|th)?";
        let year = r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?";
        let patterns = vec![
            (
                Shape::Iso,
                re(r"(?-u:\b)(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?-u:\b)"),
            ),
            (
                Shape::DayRange,
                re(&format!(
                    r"(?-u:\b)(?:(?i:between|from)\s+)?(?P<d1>\d{{1,2}}){ord}\s*(?:-|–|(?i:and|to|until))\s*(?P<d2>\d{{1,2}}){ord}\s+(?:of\s+)?{MONTH}{year}(?-u:\b)"
                )),
            ),
            (
                Shape::MonthDayRange,
                re(&format!(
                    r"(?-u:\b)(?:(?i:between|from)\s+)?{MONTH}\s+(?P<d1>\d{{1,2}}){ord}\s*(?:-|–|(?i:and|to|until))\s*(?P<d2>\d{{1,2}}){ord}(?-u:\b){year}"
                )),
            ),
            (
                Shape::DayMonth,
                re(&format!(
                    r"(?-u:\b)(?P<d>\d{{1,2}}){ord}\s+(?:of\s+)?{MONTH}{year}(?-u:\b)"
                )),
            ),
            (
                Shape::MonthDay,
                re(&format!(
                    r"(?-u:\b){MONTH}\s+(?P<d>\d{{1,2}}){ord}(?-u:\b){year}"
                )),
            ),
            (
                Shape::MonthYear,
                re(&format!(
                    r"(?-u:\b)(?:(?P<part>(?i:early|mid|late|the end of|end of|the beginning of|beginning of))[\s-]+)?{MONTH},?\s+(?P<year>(?:19|20)\d{{2}})(?-u:\b)"
                )),
            ),
            (
                Shape::InMonth,
                re(&format!(
                    r"(?-u:\b)(?i:in|during|since|early|mid|late)[\s-]+(?:(?i:early|mid|late)[\s-]+)?{MONTH}(?-u:\b)"
                )),
            ),
            (
                Shape::Year,
                re(r"(?-u:\b)(?i:in|since|during|of|by|until)\s+(?P<year>(?:19|20)\d{2})(?-u:\b)"),
            ),
            (
                Shape::Decade,
                re(
                    r"(?-u:\b)(?:(?i:in\s+)?the\s+)?(?:early\s+|late\s+|mid-)?(?P<decade>(?:19|20)\d0)'?s(?-u:\b)",
                ),
            ),
            (
                Shape::Weekday,
                re(&format!(
                    r"(?-u:\b)(?:(?P<mod>(?i:on|last|this|early|late|since))\s+)?{WEEKDAY}(?:\s+(?i:night|morning|evening|afternoon))?(?-u:\b)"
                )),
            ),
            (
                Shape::Relative,
                re(
                    r"(?-u:\b)(?i:(?P<rel>today|tonight|yesterday|the day before yesterday|this morning|this afternoon|this evening|last night|overnight|last week|this week|earlier this week|last month|earlier this month|this month|last year|this year|(?P<n>\d+|two|three|four|five|six|seven|a few) days ago))(?-u:\b)",
                ),
            ),
        ];
        let anaphoric = re(
            r"(?-u:\b)(?i:(?P<same>(?:later|earlier)\s+(?:in|on)\s+the\s+day|(?:later|earlier)\s+that\s+(?:day|night|morning|evening)|(?:on\s+)?the\s+same\s+day|that\s+same\s+day)|(?P<next>the\s+(?:next|following)\s+day|the\s+day\s+after))(?-u:\b)",
        );
        DateFinder {
            patterns,
            anaphoric,
        }
    }

    /// Every date expression in `text`, resolved against `published` (relative expressions and
    /// dates without a year need it). Overlapping finds keep the longest; a weekday followed by
    /// its date ("Sunday, October 4") is one mention.
    pub fn find(&self, text: &str, published: Option<Date>) -> Vec<DateMention> {
        let mut found: Vec<DateMention> = Vec::new();
        for (shape, regex) in &self.patterns {
            for caps in regex.captures_iter(text) {
                let Some(whole) = caps.get(0) else { continue };
                let span = Span::new(whole.start(), whole.end());
                // Earlier patterns are more specific: a later find that overlaps one is dropped
                // unless it covers it entirely.
                if found
                    .iter()
                    .any(|f| f.span.overlaps(span) && !span.contains(f.span))
                {
                    continue;
                }
                if let Some(mention) = resolve(*shape, &caps, span, published) {
                    found.retain(|f| !span.contains(f.span));
                    found.push(mention);
                }
            }
        }
        found.sort_by_key(|m| m.span);
        let mut found = merge_weekday_with_date(text, found);
        self.add_anaphoric(text, published, &mut found);
        found
    }

    /// "Later in the day", "the next day": the day of the last day-precise date before the
    /// phrase, or (for the same day) the publication day when the text gives none before it.
    fn add_anaphoric(&self, text: &str, published: Option<Date>, found: &mut Vec<DateMention>) {
        for caps in self.anaphoric.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let span = Span::new(whole.start(), whole.end());
            if found.iter().any(|f| f.span.overlaps(span)) {
                continue;
            }
            let before = found
                .iter()
                .rfind(|f| f.span.end <= span.start && f.precision == DatePrecision::Day)
                .map(|f| f.end);
            let date = match (caps.name("next"), before) {
                (Some(_), Some(d)) => d.add_days(1),
                (Some(_), None) => continue,
                (None, Some(d)) => d,
                (None, None) => match published {
                    Some(p) => p,
                    None => continue,
                },
            };
            let at = found.partition_point(|f| f.span < span);
            found.insert(at, day(date, span));
        }
    }
}

fn merge_weekday_with_date(text: &str, found: Vec<DateMention>) -> Vec<DateMention> {
    let mut out: Vec<DateMention> = Vec::with_capacity(found.len());
    for m in found {
        if let Some(prev) = out.last_mut() {
            let gap = &text[prev.span.end..m.span.start];
            let prev_text = &text[prev.span.start..prev.span.end];
            let is_weekday = WEEKDAYS.iter().any(|w| prev_text.contains(w));
            if is_weekday
                && matches!(gap, ", " | " " | ", the ")
                && m.precision == DatePrecision::Day
            {
                *prev = DateMention {
                    span: prev.span.cover(m.span),
                    ..m
                };
                continue;
            }
        }
        out.push(m);
    }
    out
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn month_number(s: &str) -> Option<u32> {
    let m = s.trim_end_matches('.').to_ascii_lowercase();
    let prefix = m.get(..3)?;
    Some(match prefix {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    })
}

fn num(caps: &Captures<'_>, name: &str) -> Option<u32> {
    caps.name(name)?.as_str().parse().ok()
}

/// The year a day-and-month without a year falls in: the publication year, or the year before
/// when that would put the date more than a week after publication.
fn infer_year(month: u32, day: u32, published: Option<Date>) -> Option<Date> {
    let p = published?;
    let date = Date::new(p.year(), month, day)?;
    if date.to_days() > p.to_days() + 7 {
        Date::new(p.year() - 1, month, day)
    } else {
        Some(date)
    }
}

fn day(date: Date, span: Span) -> DateMention {
    DateMention {
        span,
        start: date,
        end: date,
        precision: DatePrecision::Day,
    }
}

fn resolve(
    shape: Shape,
    caps: &Captures<'_>,
    span: Span,
    published: Option<Date>,
) -> Option<DateMention> {
    let explicit_year = num(caps, "year").map(|y| y as i32);
    let month = caps.name("month").and_then(|m| month_number(m.as_str()));
    let dated = |month: u32, d: u32| match explicit_year {
        Some(y) => Date::new(y, month, d),
        None => infer_year(month, d, published),
    };
    match shape {
        Shape::Iso => Date::new(num(caps, "y")? as i32, num(caps, "m")?, num(caps, "d")?)
            .map(|d| day(d, span)),
        Shape::DayRange | Shape::MonthDayRange => {
            let month = month?;
            let (d1, d2) = (num(caps, "d1")?, num(caps, "d2")?);
            if d1 >= d2 {
                return None;
            }
            let (start, end) = (dated(month, d1)?, dated(month, d2)?);
            Some(DateMention {
                span,
                start,
                end,
                precision: DatePrecision::Day,
            })
        }
        Shape::DayMonth | Shape::MonthDay => dated(month?, num(caps, "d")?).map(|d| day(d, span)),
        Shape::MonthYear => {
            let start = Date::new(explicit_year?, month?, 1)?;
            Some(DateMention {
                span,
                start,
                end: start.end_of_month(),
                precision: DatePrecision::Month,
            })
        }
        Shape::InMonth => {
            let month = month?;
            let p = published?;
            let year = if month > p.month() {
                p.year() - 1
            } else {
                p.year()
            };
            let start = Date::new(year, month, 1)?;
            Some(DateMention {
                span,
                start,
                end: start.end_of_month(),
                precision: DatePrecision::Month,
            })
        }
        Shape::Year => {
            let y = explicit_year?;
            Some(DateMention {
                span,
                start: Date::new(y, 1, 1)?,
                end: Date::new(y, 12, 31)?,
                precision: DatePrecision::Year,
            })
        }
        Shape::Decade => {
            let y = num(caps, "decade")? as i32;
            Some(DateMention {
                span,
                start: Date::new(y, 1, 1)?,
                end: Date::new(y + 9, 12, 31)?,
                precision: DatePrecision::Year,
            })
        }
        Shape::Weekday => {
            let p = published?;
            let name = caps.name("weekday")?.as_str();
            let target = WEEKDAYS.iter().position(|w| *w == name)? as i64;
            let back = (i64::from(p.weekday()) - target).rem_euclid(7);
            let back = if caps
                .name("mod")
                .is_some_and(|m| m.as_str().eq_ignore_ascii_case("last"))
                && back == 0
            {
                7
            } else {
                back
            };
            Some(day(p.add_days(-back), span))
        }
        Shape::Relative => {
            let p = published?;
            let rel = caps.name("rel")?.as_str().to_ascii_lowercase();
            let range = |start: Date, end: Date, precision| {
                Some(DateMention {
                    span,
                    start,
                    end,
                    precision,
                })
            };
            if let Some(n) = caps.name("n") {
                let n = match n.as_str() {
                    "a few" => return range(p.add_days(-5), p.add_days(-2), DatePrecision::Week),
                    // More than a century ago is no relative date of an event.
                    digits if digits.starts_with(|c: char| c.is_ascii_digit()) => {
                        digits.parse::<i64>().ok().filter(|n| *n <= 36_500)?
                    }
                    word => i64::from(crate::casualties::number_word(&word.to_ascii_lowercase())?),
                };
                return Some(day(p.add_days(-n), span));
            }
            match rel.as_str() {
                "today" | "tonight" | "this morning" | "this afternoon" | "this evening" => {
                    Some(day(p, span))
                }
                "yesterday" => Some(day(p.add_days(-1), span)),
                "the day before yesterday" => Some(day(p.add_days(-2), span)),
                "last night" | "overnight" => range(p.add_days(-1), p, DatePrecision::Day),
                "this week" | "earlier this week" => {
                    range(p.add_days(-i64::from(p.weekday())), p, DatePrecision::Week)
                }
                "last week" => {
                    let monday = p.add_days(-i64::from(p.weekday()) - 7);
                    range(monday, monday.add_days(6), DatePrecision::Week)
                }
                "this month" | "earlier this month" => {
                    range(Date::new(p.year(), p.month(), 1)?, p, DatePrecision::Month)
                }
                "last month" => {
                    let first = Date::new(p.year(), p.month(), 1)?.add_days(-1);
                    range(
                        Date::new(first.year(), first.month(), 1)?,
                        first,
                        DatePrecision::Month,
                    )
                }
                "this year" => range(Date::new(p.year(), 1, 1)?, p, DatePrecision::Year),
                "last year" => range(
                    Date::new(p.year() - 1, 1, 1)?,
                    Date::new(p.year() - 1, 12, 31)?,
                    DatePrecision::Year,
                ),
                _ => None,
            }
        }
    }
}

/// True for a month name or its abbreviation ("October", "Oct").
pub(crate) fn is_month_word(w: &str) -> bool {
    w.len() >= 3 && month_number(w).is_some() && {
        let l = w.trim_end_matches('.').to_ascii_lowercase();
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "sept",
        ]
        .iter()
        .any(|m| m.starts_with(l.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, published: &str) -> Vec<String> {
        let p = published.parse().ok();
        DateFinder::new()
            .find(text, p)
            .into_iter()
            .map(|m| {
                format!(
                    "{:?}={}..{}/{}",
                    &text[m.span.start..m.span.end],
                    m.start,
                    m.end,
                    m.precision.as_str()
                )
            })
            .collect()
    }

    #[test]
    fn anaphoric_days_follow_the_date_told_before() {
        assert_eq!(
            check(
                "Shells hit Ganja on Saturday. Later that day a drone struck Barda, and the next day Tartar was shelled.",
                "2020-10-05"
            ),
            vec![
                "\"on Saturday\"=2020-10-03..2020-10-03/day",
                "\"Later that day\"=2020-10-03..2020-10-03/day",
                "\"the next day\"=2020-10-04..2020-10-04/day"
            ]
        );
        assert_eq!(
            check("Martial law was declared later in the day.", "2020-09-27"),
            vec!["\"later in the day\"=2020-09-27..2020-09-27/day"]
        );
        assert!(check("The next day was quiet.", "2020-09-27").is_empty());
    }

    #[test]
    fn resolves_against_publication() {
        assert_eq!(
            check(
                "said on Sunday, October 4. He said Saturday that",
                "2020-10-04"
            ),
            vec![
                "\"on Sunday, October 4\"=2020-10-04..2020-10-04/day",
                "\"Saturday\"=2020-10-03..2020-10-03/day"
            ]
        );
        assert_eq!(
            check(
                "in the morning of September 27, and in the 1990s, adopted in May 2008",
                "2020-10-04"
            ),
            vec![
                "\"September 27\"=2020-09-27..2020-09-27/day",
                "\"in the 1990s\"=1990-01-01..1999-12-31/year",
                "\"May 2008\"=2008-05-01..2008-05-31/month"
            ]
        );
        assert_eq!(
            check(
                "between 3 and 5 October, yesterday, 2020-10-11",
                "2020-10-12"
            ),
            vec![
                "\"between 3 and 5 October\"=2020-10-03..2020-10-05/day",
                "\"yesterday\"=2020-10-11..2020-10-11/day",
                "\"2020-10-11\"=2020-10-11..2020-10-11/day"
            ]
        );
        assert_eq!(
            check("on 30 December", "2021-01-02"),
            vec!["\"30 December\"=2020-12-30..2020-12-30/day"]
        );
        assert!(
            check("said on Saturday", "").is_empty(),
            "no publication date, no weekday"
        );
    }
}
