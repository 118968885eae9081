//! Casualty phrasing: numbers in digits and words, ranges and vague quantities, groups and
//! outcomes, without double counting breakdowns ("6 civilians, including 2 women" is 6).

use model::{Casualty, CasualtyGroup, CasualtyOutcome, Span};

use crate::lexicon::Words;
use crate::words::Word;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Count {
    min: Option<u32>,
    max: Option<u32>,
}

/// No count of people in one report exceeds this; a larger figure ("5000000 thousand") is read
/// as this many, and the reading says so (`count_capped`).
pub(crate) const MAX_COUNT: u32 = 10_000_000;

/// `a + b`, at most [`MAX_COUNT`].
fn add_capped(a: u32, b: u32) -> u32 {
    cap(u64::from(a) + u64::from(b))
}

/// `a * b`, at most [`MAX_COUNT`].
fn mul_capped(a: u32, b: u32) -> u32 {
    cap(u64::from(a) * u64::from(b))
}

fn cap(n: u64) -> u32 {
    // Cast: the value is at most MAX_COUNT, which fits u32.
    n.min(u64::from(MAX_COUNT)) as u32
}

/// What one sentence counts: the casualties, and where a figure was too large to be a count of
/// people (it was capped at [`MAX_COUNT`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Counted {
    pub casualties: Vec<Casualty>,
    pub capped: Option<Span>,
}

fn outcome_of(classes: &Words, word: &str) -> Option<CasualtyOutcome> {
    if classes.is("killed", word) {
        Some(CasualtyOutcome::Killed)
    } else if classes.is("injured", word) {
        Some(CasualtyOutcome::Injured)
    } else if classes.is("missing", word) {
        Some(CasualtyOutcome::Missing)
    } else {
        None
    }
}

fn group_of(classes: &Words, word: &str) -> Option<CasualtyGroup> {
    if classes.is("civilian", word) {
        Some(CasualtyGroup::Civilian)
    } else if classes.is("military", word) {
        Some(CasualtyGroup::Military)
    } else if classes.is("people", word) {
        Some(CasualtyGroup::Unspecified)
    } else {
        None
    }
}

/// A number written as a word ("seven"), lower case.
pub(crate) fn number_word(w: &str) -> Option<u32> {
    Some(match w {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        "hundred" => 100,
        "dozen" => 12,
        _ => {
            // "twenty-one", "thirty-five"
            let (tens, ones) = w.split_once('-')?;
            let t = number_word(tens)?;
            let o = number_word(ones)?;
            if t % 10 == 0 && (20..=90).contains(&t) && o < 10 {
                return Some(t + o);
            }
            return None;
        }
    })
}

/// The number a word stands for, in digits ("1,200") or words; digits beyond [`MAX_COUNT`]
/// give `MAX_COUNT` (the caller sees it as capped). Decimals ("1.5") are not counts of people.
fn value(w: &Word<'_>) -> Option<u32> {
    if w.text.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let mut n: u64 = 0;
        for c in w.text.chars() {
            match c {
                ',' => {}
                '0'..='9' => {
                    n = n * 10 + u64::from(c as u8 - b'0');
                    if n > u64::from(MAX_COUNT) {
                        return Some(MAX_COUNT);
                    }
                }
                _ => return None,
            }
        }
        return Some(cap(n));
    }
    number_word(&w.lower)
}

/// Vague quantities: a lower bound and no upper bound.
fn vague(w: &str) -> Option<u32> {
    Some(match w {
        "several" => 3,
        "dozens" => 24,
        "scores" => 40,
        "hundreds" => 200,
        "thousands" => 2000,
        _ => return None,
    })
}

/// Reads a number phrase starting at `i`: modifiers, then digits, number words or a vague
/// quantity. Returns the count and the index after the phrase.
fn number_at(ws: &[Word<'_>], i: usize) -> Option<(Count, usize, usize)> {
    let mut j = i;
    let mut modifier = "";
    // The phrase of `n` words at `j` is `m` (compared word by word, no allocation).
    let phrase_is = |j: usize, m: &str| {
        let parts = m.split(' ');
        let n = m.split(' ').count();
        j + n <= ws.len() && ws[j..j + n].iter().zip(parts).all(|(w, p)| w.lower == p)
    };
    for m in [
        "at least",
        "more than",
        "over",
        "up to",
        "as many as",
        "nearly",
        "almost",
        "about",
        "around",
        "some",
        "approximately",
        "roughly",
        "at most",
        "fewer than",
        "less than",
    ] {
        if phrase_is(j, m) {
            modifier = m;
            j += m.split(' ').count();
            break;
        }
    }
    let w = ws.get(j)?;
    let start = i;
    if let Some(min) = vague(&w.lower) {
        // "dozens of", "hundreds of"
        let next = if ws.get(j + 1).is_some_and(|n| n.is("of")) {
            j + 2
        } else {
            j + 1
        };
        return Some((
            Count {
                min: Some(min),
                max: None,
            },
            start,
            next,
        ));
    }
    let mut n = value(w)?;
    let mut next = j + 1;
    // "a hundred", "two hundred", "1.5 thousand"
    if let Some(mult) = ws.get(next).filter(|x| x.is_any(&["hundred", "thousand"])) {
        n = mul_capped(n, if mult.is("hundred") { 100 } else { 1000 });
        next += 1;
    }
    let count = match modifier {
        "at least" | "more than" | "over" => Count {
            min: Some(if modifier == "at least" {
                n
            } else {
                add_capped(n, 1)
            }),
            max: None,
        },
        "up to" | "as many as" | "at most" => Count {
            min: None,
            max: Some(n),
        },
        "fewer than" | "less than" => Count {
            min: None,
            max: Some(n.saturating_sub(1)),
        },
        _ => Count {
            min: Some(n),
            max: Some(n),
        },
    };
    Some((count, start, next))
}

/// A number that is not a count of people: an age, a distance, a time, a date, a unit.
fn is_not_a_count(ws: &[Word<'_>], num: usize, after: usize) -> bool {
    let next = ws.get(after).map(|w| w.lower.as_ref()).unwrap_or("");
    let prev = num
        .checked_sub(1)
        .and_then(|i| ws.get(i))
        .map(|w| w.lower.as_ref())
        .unwrap_or("");
    let word = &ws[num].lower;
    word.contains("-year") || word.ends_with("th") && word.chars().next().is_some_and(|c| c.is_ascii_digit())
        || matches!(
            next,
            "year" | "years" | "year-old" | "km" | "kilometres" | "kilometers" | "miles" | "metres" | "meters"
                | "m" | "%" | "percent" | "per" | "am" | "pm" | "a.m" | "p.m" | "hours" | "days" | "minutes"
                | "weeks" | "months" | "o'clock" | "mm" | "kg" | "tons" | "tonnes" | "times" | "st" | "nd" | "rd"
        )
        || matches!(prev, "aged" | "age" | "no" | "no." | "number" | "brigade" | "battalion" | "unit" | "route" | "at" | "was" | "were" | "is")
        // "said Gulnar, 41, who lives ...": an age between commas after a name.
        || (prev == "," && next == "," && num >= 2 && ws[num - 2].is_capitalised())
        || next.chars().next().is_some_and(|c| c == ':')
        || crate::dates::is_month_word(next)
        || crate::dates::is_month_word(prev)
}

/// Casualties reported in the words `ws` of one sentence (or clause).
pub(crate) fn find(classes: &Words, ws: &[Word<'_>]) -> Counted {
    let mut found: Vec<Casualty> = Vec::new();
    let mut used = vec![false; ws.len()];

    // "no casualties", "no one was killed", "nobody was injured"
    for i in 0..ws.len() {
        let w = &ws[i];
        let none = w.is("no") || w.is("nobody") || (w.is("no-one"));
        if !none {
            continue;
        }
        let window = &ws[i + 1..(i + 5).min(ws.len())];
        for (k, x) in window.iter().enumerate() {
            let outcomes: Vec<CasualtyOutcome> = if classes.is("killed_or_injured", &x.lower) {
                vec![CasualtyOutcome::Killed, CasualtyOutcome::Injured]
            } else {
                outcome_of(classes, &x.lower).into_iter().collect()
            };
            if !outcomes.is_empty() {
                let span = w.span.cover(x.span);
                for outcome in outcomes {
                    push(
                        &mut found,
                        CasualtyGroup::Unspecified,
                        outcome,
                        Count {
                            min: Some(0),
                            max: Some(0),
                        },
                        span,
                    );
                }
                for u in used.iter_mut().skip(i).take(k + 2) {
                    *u = true;
                }
                break;
            }
        }
    }

    // Numbers with a group and an outcome nearby.
    let mut i = 0;
    while i < ws.len() {
        if used[i] {
            i += 1;
            continue;
        }
        let article = ws[i].is_any(&["a", "an", "one"]);
        let parsed = if article {
            // "a woman and a child were killed", "a 12-year-old boy was wounded": an article
            // before a singular noun of a person, perhaps after an adjective or two, counts one.
            (i + 1..(i + 4).min(ws.len()))
                .find(|&k| group_of(classes, &ws[k].lower).is_some())
                .filter(|&k| {
                    let singular = !ws[k].lower.ends_with('s');
                    singular
                        && ws[i + 1..k]
                            .iter()
                            .all(|a| !a.is_punct() && value(a).is_none())
                })
                .map(|k| {
                    (
                        Count {
                            min: Some(1),
                            max: Some(1),
                        },
                        i,
                        k,
                    )
                })
        } else {
            number_at(ws, i)
        };
        let Some((count, start, after)) = parsed else {
            i += 1;
            continue;
        };
        let num_index = after.saturating_sub(1).max(start);
        if !article && is_not_a_count(ws, num_index, after) {
            i = after.max(i + 1);
            continue;
        }
        // "including 2 women", "several of the wounded": parts of a total already counted.
        let breakdown = (start.saturating_sub(3)..start)
            .any(|k| classes.is("breakdown", &ws[k].lower))
            || (ws.get(after).is_some_and(|w| w.is("of"))
                && ws.get(after + 1).is_some_and(|w| w.is("the")));
        // Group: right after the number, possibly after adjectives ("6 Azerbaijani civilians").
        let mut group = None;
        let mut end = after;
        for (k, w) in ws.iter().enumerate().skip(after).take(4) {
            if w.is_punct() && !w.is("-") {
                break;
            }
            if let Some(g) = group_of(classes, &w.lower) {
                group = Some(g);
                end = k + 1;
                break;
            }
            if outcome_of(classes, &w.lower).is_some() {
                break;
            }
        }
        // "a woman and a child were killed": coordinated counts of people add up.
        let mut count = count;
        while group.is_some()
            && ws.get(end).is_some_and(|w| w.is("and"))
            && ws
                .get(end + 1)
                .is_some_and(|w| w.is_any(&["a", "an", "one"]) || value(w).is_some())
            && ws
                .get(end + 2)
                .is_some_and(|w| group_of(classes, &w.lower).is_some())
        {
            let n = if ws[end + 1].is_any(&["a", "an", "one"]) {
                1
            } else {
                value(&ws[end + 1]).unwrap_or(1)
            };
            count = Count {
                min: count.min.map(|m| add_capped(m, n)),
                max: count.max.map(|m| add_capped(m, n)),
            };
            end += 3;
        }
        // Outcome: right before the number ("killing 6 civilians"), after the group ("were
        // killed"), or a little before the number.
        let mut outcome = None;
        let mut begin = start;
        if let Some(k) = start
            .checked_sub(1)
            .filter(|&k| outcome_of(classes, &ws[k].lower).is_some())
        {
            outcome = outcome_of(classes, &ws[k].lower);
            begin = k;
        }
        // "nine civilians, including a child, were killed": the breakdown between commas is
        // passed over on the way to the verb.
        let mut from = end;
        if ws.get(from).is_some_and(|w| w.is(","))
            && ws
                .get(from + 1)
                .is_some_and(|w| classes.is("breakdown", &w.lower))
            && let Some(close) = (from + 2..(from + 14).min(ws.len())).find(|&k| ws[k].is(","))
        {
            from = close + 1;
        }
        for (k, w) in ws
            .iter()
            .enumerate()
            .skip(from)
            .take(if outcome.is_some() { 0 } else { 5 })
        {
            if w.is(".") || w.is(";") {
                break;
            }
            if let Some(o) = outcome_of(classes, &w.lower) {
                outcome = Some(o);
                end = k + 1;
                break;
            }
            if classes.is("killed_or_injured", &w.lower) {
                outcome = Some(CasualtyOutcome::Killed);
                end = k + 1;
                break;
            }
            if value(w).is_some() {
                break;
            }
        }
        // "The death toll has risen to 52", "the number of wounded rose to 98": a toll or an
        // outcome a few words before a rise to the number.
        let rise = start
            .checked_sub(1)
            .is_some_and(|k| classes.is("rise_verb", &ws[k].lower))
            || (start >= 2
                && ws[start - 1].is_any(&["to", "at"])
                && classes.is("rise_verb", &ws[start - 2].lower));
        if outcome.is_none() {
            let reach = if rise { 8 } else { 4 };
            for k in (start.saturating_sub(reach)..start).rev() {
                let w = &ws[k];
                if let Some(o) = outcome_of(classes, &w.lower) {
                    outcome = Some(o);
                    begin = k;
                    break;
                }
                if rise && classes.is("toll_noun", &w.lower) {
                    outcome = Some(CasualtyOutcome::Killed);
                    // "death toll": the span starts at "death".
                    begin = match k.checked_sub(1) {
                        Some(d) if outcome_of(classes, &ws[d].lower).is_some() => d,
                        _ => k,
                    };
                    break;
                }
                if w.is(".") || w.is(";") || w.is(",") {
                    break;
                }
            }
        }
        // Without a group of people, only an outcome right beside the number makes it a count
        // ("10 dead", "killed 6"), not "dozens of homes ... destroyed".
        let adjacent = begin + 1 == start
            || (rise && outcome.is_some())
            || outcome_of(classes, ws.get(after).map_or("", |w| w.lower.as_ref())).is_some()
            || ws
                .get(after)
                .is_some_and(|w| w.is_any(&["were", "was", "people"]))
                && ws
                    .get(after + 1)
                    .is_some_and(|w| outcome_of(classes, &w.lower).is_some());
        if group.is_none() && !adjacent && !article {
            i = after.max(i + 1);
            continue;
        }
        let (Some(outcome), false) = (outcome, breakdown) else {
            i = after.max(i + 1);
            continue;
        };
        if group.is_none() && outcome_of(classes, &ws[start].lower).is_none() && !article {
            // A bare number next to an outcome ("killed 6", "10 dead") counts people unspecified.
        }
        let span = ws[begin].span.cover(ws[end.max(begin + 1) - 1].span);
        // "killing 10 civilians and wounding more than 30": the second count shares the group.
        let group = group.or_else(|| found.last().filter(|c| c.min != Some(0)).map(|c| c.group));
        // A toll that rose to a number replaces the earlier figure; it does not add to it.
        if rise {
            let g = group.unwrap_or(CasualtyGroup::Unspecified);
            found.retain(|c| !(c.group == g && c.outcome == outcome));
        }
        push(
            &mut found,
            group.unwrap_or(CasualtyGroup::Unspecified),
            outcome,
            count,
            span,
        );
        for u in used.iter_mut().take(end).skip(begin) {
            *u = true;
        }
        i = end.max(i + 1);
    }

    // Unnumbered harm: "deaths and injuries among the civilian population and the military",
    // "civilians were killed", "journalists have been injured".
    // "casualties" is both outcomes: "the number of casualties is unknown".
    let outcomes: Vec<(usize, CasualtyOutcome)> = ws
        .iter()
        .enumerate()
        .filter(|(k, _)| !used[*k])
        .flat_map(|(k, w)| {
            if classes.is("killed_or_injured", &w.lower) {
                vec![(k, CasualtyOutcome::Killed), (k, CasualtyOutcome::Injured)]
            } else {
                outcome_of(classes, &w.lower)
                    .map(|o| (k, o))
                    .into_iter()
                    .collect()
            }
        })
        .collect();
    if !outcomes.is_empty() {
        let groups: Vec<(usize, CasualtyGroup)> = ws
            .iter()
            .enumerate()
            .filter(|(k, _)| !used[*k])
            .filter_map(|(k, w)| group_of(classes, &w.lower).map(|g| (k, g)))
            .filter(|(k, g)| {
                // "military" is a group only as a noun: "the military", not "military positions".
                *g != CasualtyGroup::Military
                    || !ws[*k].is("military")
                    || ws
                        .get(k + 1)
                        .is_none_or(|n| n.is_punct() || n.is_any(&["and", "or"]))
            })
            .collect();
        let first = outcomes[0]
            .0
            .min(groups.first().map_or(usize::MAX, |g| g.0));
        let last = outcomes
            .last()
            .map_or(0, |o| o.0)
            .max(groups.last().map_or(0, |g| g.0));
        // Only groups close to the outcome words belong to them.
        let mut near: Vec<CasualtyGroup> = groups
            .iter()
            .filter(|(k, _)| outcomes.iter().any(|(o, _)| o.abs_diff(*k) <= 8))
            .map(|(_, g)| *g)
            .collect();
        // Harm with no group named ("there were casualties", "two were killed" counted above)
        // is harm to people unspecified.
        if near.is_empty() && found.is_empty() {
            near.push(CasualtyGroup::Unspecified);
        }
        let mut outcome_kinds: Vec<CasualtyOutcome> = outcomes.iter().map(|(_, o)| *o).collect();
        outcome_kinds.dedup();
        // "Safaa Musa, 28, was reportedly killed", "the driver was killed": a singular subject
        // of a passive of harm is one person.
        let singular = |o: CasualtyOutcome| {
            outcomes.iter().any(|&(k, ko)| {
                let was = |i: usize| ws.get(i).is_some_and(|w| w.is_any(&["was", "been"]));
                ko == o
                    && ws[k].lower.ends_with("ed")
                    && (k >= 1 && was(k - 1)
                        || k >= 2 && ws[k - 1].lower.ends_with("ly") && was(k - 2))
            })
        };
        if !near.is_empty() && (first != usize::MAX) {
            let span = ws[first].span.cover(ws[last].span);
            let mut seen = Vec::new();
            let one = near.len() == 1;
            for g in near {
                for o in &outcome_kinds {
                    if !seen.contains(&(g, *o))
                        && !found.iter().any(|c| c.group == g && c.outcome == *o)
                    {
                        seen.push((g, *o));
                        let n = (one && singular(*o)).then_some(1);
                        found.push(Casualty {
                            group: g,
                            outcome: *o,
                            min: n,
                            max: n,
                            span,
                        });
                    }
                }
            }
        }
    }
    let capped = found
        .iter()
        .find(|c| c.min == Some(MAX_COUNT) || c.max == Some(MAX_COUNT))
        .map(|c| c.span);
    Counted {
        casualties: found,
        capped,
    }
}

/// Adds a count, summing with an earlier count of the same group and outcome in the sentence.
fn push(
    found: &mut Vec<Casualty>,
    group: CasualtyGroup,
    outcome: CasualtyOutcome,
    count: Count,
    span: Span,
) {
    if let Some(c) = found
        .iter_mut()
        .find(|c| c.group == group && c.outcome == outcome)
    {
        c.min = match (c.min, count.min) {
            (Some(a), Some(b)) => Some(add_capped(a, b)),
            (a, b) => a.or(b),
        };
        c.max = match (c.max, count.max) {
            (Some(a), Some(b)) => Some(add_capped(a, b)),
            _ => None,
        };
        c.span = c.span.cover(span);
        return;
    }
    found.push(Casualty {
        group,
        outcome,
        min: count.min,
        max: count.max,
        span,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::words;

    fn check(text: &str) -> Vec<String> {
        let ws = words(text, Span::new(0, text.len()));
        let lex = crate::lexicon::Lexicon::load().unwrap();
        find(&lex.words, &ws)
            .casualties
            .into_iter()
            .map(|c| {
                let n = |v: Option<u32>| v.map_or("?".to_string(), |v| v.to_string());
                format!(
                    "{} {} {}..{} {:?}",
                    c.group.as_str(),
                    c.outcome.as_str(),
                    n(c.min),
                    n(c.max),
                    &text[c.span.start..c.span.end]
                )
            })
            .collect()
    }

    #[test]
    fn counts_without_double_counting() {
        assert_eq!(
            check("The US warplanes pounded the village, killing 6 civilians, including 2 women"),
            vec!["civilian killed 6..6 \"killing 6 civilians\""]
        );
        assert_eq!(
            check("At least 10 civilians were killed and more than 30 injured."),
            vec![
                "civilian killed 10..? \"At least 10 civilians were killed\"",
                "civilian injured 31..? \"more than 30 injured\""
            ]
        );
        assert_eq!(
            check("Twenty-one people died."),
            vec!["unspecified killed 21..21 \"Twenty-one people died\""]
        );
        assert_eq!(
            check("Shelling killed a woman and a child."),
            vec!["civilian killed 2..2 \"killed a woman and a child\""]
        );
    }

    #[test]
    fn unnumbered_harm_and_non_counts() {
        assert_eq!(
            check(
                "The Armenian side has reported deaths and injuries both among the civilian population and the military."
            ),
            vec![
                "civilian killed ?..? \"deaths and injuries both among the civilian population and the military\"",
                "civilian injured ?..? \"deaths and injuries both among the civilian population and the military\"",
                "military killed ?..? \"deaths and injuries both among the civilian population and the military\"",
                "military injured ?..? \"deaths and injuries both among the civilian population and the military\"",
            ]
        );
        assert!(check("He lost his vision when he was 6 after the war.").is_empty());
        assert_eq!(
            check("There were no casualties."),
            vec![
                "unspecified killed 0..0 \"no casualties\"",
                "unspecified injured 0..0 \"no casualties\""
            ]
        );
    }
}
