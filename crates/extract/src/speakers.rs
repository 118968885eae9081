//! Attribution: who says a sentence's content, how the sentence frames it, and which part of the
//! sentence is the reported content ("X said Saturday that CONTENT", "CONTENT, X said",
//! "according to X, CONTENT", quotations attributed before or after).

use model::{CountryCode, Feature, Span, Stance, Toponym};

use crate::lexicon::{AttributionKind, Hit, Sense, Words};
use crate::words::{Word, words};

const PRONOUNS: &[&str] = &["he", "she", "they", "it", "we", "i"];

/// Words that may sit between a speaker and the speech verb ("has", "also", "later").
const AUXILIARIES: &[&str] = &[
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "also",
    "later",
    "earlier",
    "previously",
    "again",
    "repeatedly",
    "had",
    "further",
    "then",
    "separately",
    "firmly",
    "strongly",
    "categorically",
    "flatly",
    "officially",
    "publicly",
    "once",
    "not",
    "did",
    "does",
    "would",
    "both",
    "each",
    "jointly",
    "themselves",
    "itself",
    "also",
];

/// A speaker phrase read from the text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SpeakerPhrase {
    pub span: Span,
    pub name: String,
    pub role: Option<String>,
    pub country: Option<CountryCode>,
    /// A person (a capitalised name) rather than a body.
    pub person: bool,
    /// A pronoun that still needs resolving to an earlier speaker.
    pub pronoun: bool,
}

/// How a sentence attributes its content.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Attribution {
    pub speaker: Option<SpeakerPhrase>,
    /// The speech verb or "according to".
    pub cue: Span,
    pub stance: Stance,
    /// The part of the sentence that is the reported content.
    pub content: Span,
    /// A clause before ", and X said ..." that the publisher tells in its own voice.
    pub own_voice_prefix: Option<Span>,
}

/// Clause breaks inside a sentence.
const BREAKS: &[&str] = &[",", ";", ":", "\"", "“", "”", "—", "–", "-"];

/// Words that open a subordinate clause: a speaker after one speaks only for that clause.
const SUBORDINATORS: &[&str] = &[
    "after", "before", "when", "as", "while", "since", "because", "until", "though", "although",
];

/// Words that make a phrase a clause rather than a name or a role.
const VERBISH: &[&str] = &[
    "said", "says", "was", "were", "is", "are", "had", "has", "have", "been", "be", "did", "do",
    "does", "will", "would", "could", "should", "can", "may", "might", "went", "fired", "hit",
    "killed", "struck", "took", "made",
];

/// One attribution cue in its sentence: what the readers of a cue need to look around it.
#[derive(Clone, Copy)]
struct Cue<'a, 'w> {
    classes: &'a Words,
    text: &'a str,
    sent: Span,
    /// The sentence's words.
    ws: &'a [Word<'w>],
    /// Index of the cue's first word in `ws`.
    v: usize,
    /// Index of the cue's last word in `ws`.
    v_end: usize,
    toponyms: &'a [Toponym],
}

/// Finds the attribution of sentence `sent`, given the lexicon hits inside it.
pub(crate) fn attribute(
    classes: &Words,
    text: &str,
    sent: Span,
    hits: &[&Hit],
    toponyms: &[Toponym],
) -> Option<Attribution> {
    let ws = words(text, sent);
    let cues: Vec<(Span, AttributionKind, Stance)> = hits
        .iter()
        .filter_map(|h| match h.sense {
            Sense::Attribution {
                kind: k @ (AttributionKind::Verb | AttributionKind::According),
                stance,
            } => Some((h.span, k, stance)),
            _ => None,
        })
        .collect();
    // Where the sentence tells an event (event words and weapons), to tell preposed from
    // postposed attribution.
    let event_spans: Vec<Span> = hits
        .iter()
        .filter(|h| matches!(h.sense, Sense::Trigger { .. } | Sense::Weapon(_)))
        .map(|h| h.span)
        .collect();
    for &(cue_span, kind, stance) in &cues {
        let Some(v) = ws.iter().position(|w| w.span.start == cue_span.start) else {
            continue;
        };
        // "the United States" is no speech verb: verbs are not capitalised inside a sentence.
        if v > 0 && ws[v].is_capitalised() && !ws[v - 1].is_any(&["\"", "“", "”"]) {
            continue;
        }
        // "Armenia declared martial law": the declaration is the act, which the publisher tells.
        if ws[v].is_any(&["declared", "declares", "announced", "announces"])
            && declares_an_act(classes, text, cue_span, sent)
        {
            continue;
        }
        let v_end = ws
            .iter()
            .position(|w| w.span.end >= cue_span.end)
            .unwrap_or(v);
        let cue = Cue {
            classes,
            text,
            sent,
            ws: &ws,
            v,
            v_end,
            toponyms,
        };
        let found = match kind {
            AttributionKind::According => according(&cue).map(|(s, c)| (s, c, None)),
            _ => {
                preposed(&cue, &event_spans).or_else(|| postposed(&cue).map(|(s, c)| (s, c, None)))
            }
        };
        if let Some((speaker, content, own_voice_prefix)) = found {
            // "X said it was striking only military targets and denied firing on civilians."
            let denies = stance == Stance::Denies
                || cues.iter().any(|(c, k, st)| {
                    *k == AttributionKind::Verb
                        && *st == Stance::Denies
                        && c.start > cue_span.start
                        && ws
                            .iter()
                            .position(|w| w.span.start == c.start)
                            .is_some_and(|i| i > 0 && ws[i - 1].is_any(&["and", "but", "also"]))
                });
            let stance = if denies { Stance::Denies } else { stance };
            return Some(Attribution {
                speaker: Some(speaker),
                cue: cue_span,
                stance,
                content,
                own_voice_prefix,
            });
        }
    }
    None
}

/// True when the words after a declaring verb name what the declaration does ("declared martial
/// law", "announced a general mobilisation") rather than what the speaker says happened.
fn declares_an_act(classes: &Words, text: &str, cue: Span, sent: Span) -> bool {
    let after = &text[cue.end..sent.end];
    classes.first_match("declared_act", after).is_some_and(|m| {
        after[..m.start].split_whitespace().all(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "a" | "an" | "the" | "general" | "full" | "partial" | "nationwide" | "full-scale"
            )
        })
    })
}

/// "according to X, CONTENT" or "CONTENT, according to X".
fn according(cue: &Cue<'_, '_>) -> Option<(SpeakerPhrase, Span)> {
    let Cue {
        classes,
        text,
        sent,
        ws,
        v,
        v_end,
        toponyms,
    } = *cue;
    let np_start = v_end + 1;
    let mut np_end = (np_start..ws.len())
        .find(|&k| ws[k].is_any(&[",", ".", ";", ":", "that"]))
        .unwrap_or(ws.len());
    // "according to the Human Rights Defender of Artsakh, Artak Beglaryan."
    while np_end < ws.len() && ws[np_end].is(",") {
        let next_end = (np_end + 1..ws.len())
            .find(|&k| ws[k].is_any(&[",", ".", ";", ":"]))
            .unwrap_or(ws.len());
        let seg = &ws[np_end + 1..next_end];
        if seg.is_empty()
            || !looks_like_name_or_role(classes, seg)
            || (next_end < ws.len() && !ws[next_end].is_any(&[".", ","]))
        {
            break;
        }
        np_end = next_end;
    }
    if np_end <= np_start {
        return None;
    }
    let speaker = speaker_phrase(classes, text, &ws[np_start..np_end], toponyms)?;
    let content = if v == 0 || ws[..v].iter().all(Word::is_punct) {
        Span::new(
            ws.get(np_end + 1).map_or(sent.end, |w| w.span.start),
            sent.end,
        )
    } else {
        Span::new(sent.start, ws[v].span.start)
    };
    Some((speaker, content))
}

/// Where a run of comma-separated name and role segments ending just before `comma` starts
/// ("The region's human rights ombudsman, Artak Beglaryan,"), if the run is there.
fn appositive_start(classes: &Words, ws: &[Word<'_>], comma: usize) -> Option<usize> {
    let mut seg_end = comma;
    let mut start = None;
    loop {
        let seg_start = (0..seg_end)
            .rev()
            .find(|&k| ws[k].is_any(BREAKS))
            .map_or(0, |k| k + 1);
        let seg = &ws[seg_start..seg_end];
        if seg.is_empty() || seg.len() > 10 || !looks_like_name_or_role(classes, seg) {
            break;
        }
        start = Some(seg_start);
        if seg_start == 0 || !ws[seg_start - 1].is(",") {
            break;
        }
        seg_end = seg_start - 1;
    }
    start
}

/// "X said (on Saturday) (that) CONTENT", and "CONTENT, X said (on Sunday), hours after ...".
#[allow(clippy::type_complexity)]
#[allow(clippy::too_many_arguments)]
fn preposed(
    cue: &Cue<'_, '_>,
    event_spans: &[Span],
) -> Option<(SpeakerPhrase, Span, Option<Span>)> {
    let Cue {
        classes,
        text,
        sent,
        ws,
        v,
        v_end,
        toponyms,
    } = *cue;
    let mut end = v;
    while end > 0 && (ws[end - 1].is_any(AUXILIARIES) || is_date_word_at(ws, end - 1)) {
        end -= 1;
    }
    if end == 0 {
        return None;
    }
    let (start, np_end) = if ws[end - 1].is(",") {
        // An appositive subject at the start of the sentence or clause: "X, the Y, said ...".
        let start = appositive_start(classes, ws, end - 1)?;
        if start > 0 && !ws[start - 1].is_any(BREAKS) {
            return None;
        }
        if start > 0 && ws[start - 1].is(",") {
            return None;
        }
        (start, end - 1)
    } else if ws[end - 1].is_punct() && !ws[end - 1].is(")") {
        return None;
    } else {
        let start = (0..end)
            .rev()
            .find(|&k| ws[k].is_any(BREAKS) || ws[k].is("that") || ws[k].is_any(SUBORDINATORS))
            .map_or(0, |k| k + 1);
        (start, end)
    };
    let subordinate = start > 0 && ws[start - 1].is_any(SUBORDINATORS);
    let mut np: &[Word<'_>] = &ws[start..np_end];
    // "Researchers who visited Barda on 29 October confirmed ...": the relative clause is not the name.
    if let Some(k) = np.iter().position(|w| w.is_any(&["who", "which"])) {
        np = &np[..k];
    }
    let coordinated = np
        .first()
        .is_some_and(|w| w.is_any(&["and", "but", "while"]));
    if coordinated {
        np = &np[1..];
    }
    if np.is_empty() || np.len() > 12 {
        return None;
    }
    let speaker = speaker_phrase(classes, text, np, toponyms)?;
    // Content: after the verb, its date and "that".
    let mut c = v_end + 1;
    while c < ws.len()
        && (is_date_word_at(ws, c) || ws[c].is_any(&[",", ":"]) || is_weekday(&ws[c]))
    {
        c += 1;
    }
    let says_that = ws.get(c).is_some_and(|w| w.is("that"));
    if says_that {
        c += 1;
    }
    // "X found a cache of ammunition", "X accused Y of shelling Z": with no "that" and nothing
    // between, the verb belongs to what is reported.
    let from = if !says_that && c == v_end + 1 { v } else { c };
    let content_after = Span::new(ws.get(from).map_or(sent.end, |w| w.span.start), sent.end);
    let prefix_words = ws[..start].iter().filter(|w| !w.is_punct()).count();
    // After a comma or a closing quotation mark ("..., X said" and "\"...,\" X said").
    let after_comma =
        start > 0 && (ws[start - 1].is(",") || ws[start - 1].is_any(&["\"", "”"]) && start >= 2);
    // Postposed when nothing reported follows the verb: the sentence ends, or a comma or a
    // trailing phrase ("hours after", "in a statement", "citing") comes next.
    let tail_only = c >= ws.len().saturating_sub(1)
        || ws[v_end + 1..c].iter().any(|w| w.is(","))
        || ws[c].is_punct()
        || ws[c].is_any(&[
            "hours",
            "days",
            "in",
            "as",
            "after",
            "while",
            "citing",
            "adding",
            "according",
            "but",
            "when",
            "before",
            "without",
            "referring",
            "quoted",
        ]);
    // Or when the event is told before the speaker and nothing after the verb tells one
    // ("..., informed sources told ANSA on Monday").
    let event_before = event_spans.iter().any(|e| e.end <= ws[start].span.start);
    let event_after = event_spans.iter().any(|e| e.start >= ws[v_end].span.end);
    let postposed = tail_only || (event_before && !event_after);
    if after_comma
        && !coordinated
        && !says_that
        && postposed
        && (prefix_words >= 5 || c >= ws.len().saturating_sub(1))
    {
        // "CONTENT, X said." and "CONTENT, X said on Sunday, hours after ...": postposed.
        return Some((
            speaker,
            Span::new(sent.start, ws[start - 1].span.start),
            None,
        ));
    }
    if subordinate {
        // "Fighting went on around Hadrut, hours after Aliyev said his forces had taken the town":
        // the speaker speaks for the subordinate clause; the main clause is the publisher's.
        let clause_end = (0..start)
            .rev()
            .find(|&k| ws[k].is_any(BREAKS))
            .map_or(ws[start - 1].span.start, |k| ws[k].span.start);
        let prefix = (prefix_words >= 4).then(|| Span::new(sent.start, clause_end));
        return Some((speaker, content_after, prefix));
    }
    // "Stepanakert was shelled, and X said ..." and "A drone struck Kharkiv; officials said ...".
    let independent = (coordinated && after_comma) || (start > 0 && ws[start - 1].is(";"));
    let own_voice =
        (independent && prefix_words >= 4).then(|| Span::new(sent.start, ws[start - 1].span.start));
    Some((speaker, content_after, own_voice))
}

/// "CONTENT, X(, role), said (on Sunday)." and "CONTENT, said X."
fn postposed(cue: &Cue<'_, '_>) -> Option<(SpeakerPhrase, Span)> {
    let Cue {
        classes,
        text,
        sent,
        ws,
        v,
        v_end,
        toponyms,
    } = *cue;
    // Inverted: "CONTENT, said X, the role."
    if v > 0 && ws[v - 1].is(",") {
        let mut np_start = v_end + 1;
        while np_start < ws.len() && (is_date_word_at(ws, np_start) || ws[np_start].is(",")) {
            np_start += 1;
        }
        let mut np_end = np_start;
        // Segments while they name or describe the speaker: "said Davit, a resident of Shushi".
        while np_end < ws.len() && !ws[np_end].is_any(&[".", ";"]) {
            let seg_end = (np_end..ws.len())
                .find(|&k| ws[k].is_any(&[",", ".", ";"]))
                .unwrap_or(ws.len());
            if seg_end == np_end || !looks_like_name_or_role(classes, &ws[np_end..seg_end]) {
                break;
            }
            np_end = if seg_end < ws.len() && ws[seg_end].is(",") {
                seg_end + 1
            } else {
                seg_end
            };
        }
        while np_end > np_start && ws[np_end - 1].is(",") {
            np_end -= 1;
        }
        let np = &ws[np_start..np_end];
        if !np.is_empty()
            && np.len() <= 14
            && let Some(speaker) = speaker_phrase(classes, text, np, toponyms)
        {
            return Some((speaker, Span::new(sent.start, ws[v - 1].span.start)));
        }
    }
    // Appositive run of comma-separated name/role segments ending at the verb.
    let mut end = v;
    while end > 0 && ws[end - 1].is_any(AUXILIARIES) {
        end -= 1;
    }
    if end == 0 || !ws[end - 1].is(",") {
        return None;
    }
    let np_start = appositive_start(classes, ws, end - 1)?;
    if np_start == 0 {
        return None;
    }
    let np: Vec<Word<'_>> = ws[np_start..end - 1].to_vec();
    let speaker = speaker_phrase(classes, text, &np, toponyms)?;
    Some((speaker, Span::new(sent.start, ws[np_start - 1].span.start)))
}

fn looks_like_name_or_role(classes: &Words, seg: &[Word<'_>]) -> bool {
    let content: Vec<&Word<'_>> = seg.iter().filter(|w| !w.is_punct()).collect();
    if content.is_empty() {
        return seg.iter().all(|w| w.is("(") || w.is(")"));
    }
    let first = content[0];
    let starts_ok =
        first.is_capitalised() || first.is_any(&["the", "a", "an", "its", "his", "her"]);
    let clause = content.iter().any(|w| w.is_any(VERBISH));
    let all_names = content.iter().all(|w| {
        w.is_capitalised()
            || w.is_any(&[
                "the", "a", "an", "of", "for", "and", "to", "in", "its", "his", "her", "de", "al",
                "bin", "van", "von",
            ])
    });
    let has_role = content
        .iter()
        .any(|w| classes.is("role_word", &w.lower) || classes.is("speaker_noun", &w.lower));
    starts_ok && !clause && (all_names || has_role)
}

fn is_weekday(w: &Word<'_>) -> bool {
    w.is_any(&[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ])
}

/// Word `k` of `ws` is part of a statement date next to a speech verb ("on Sunday, October 4",
/// "Saturday"): a day number only beside a month name ("said 98 people" is no date).
fn is_date_word_at(ws: &[Word<'_>], k: usize) -> bool {
    let w = &ws[k];
    let digits = w.text.len() <= 2 && w.text.chars().all(|c| c.is_ascii_digit());
    if digits {
        let month = |i: usize| {
            ws.get(i)
                .is_some_and(|m| crate::dates::is_month_word(&m.lower))
        };
        return month(k + 1) || k.checked_sub(1).is_some_and(month);
    }
    is_date_word(w)
}

/// Words of a statement date next to a speech verb, day numbers aside (see [`is_date_word_at`]).
fn is_date_word(w: &Word<'_>) -> bool {
    is_weekday(w)
        || w.is_any(&[
            "on",
            "late",
            "early",
            "yesterday",
            "today",
            "earlier",
            "night",
            "morning",
            "evening",
            "afternoon",
            "last",
            "this",
        ])
        || crate::dates::is_month_word(&w.lower)
}

/// Reads a speaker noun phrase: a person's name with a role, a body, or a pronoun.
fn speaker_phrase(
    classes: &Words,
    text: &str,
    np: &[Word<'_>],
    toponyms: &[Toponym],
) -> Option<SpeakerPhrase> {
    // Drop parentheticals and leading articles.
    let mut depth = 0;
    let mut kept: Vec<&Word<'_>> = Vec::new();
    for w in np {
        if w.is("(") {
            depth += 1;
        } else if w.is(")") {
            depth -= 1;
        } else if depth == 0 {
            kept.push(w);
        }
    }
    while kept
        .first()
        .is_some_and(|w| w.is_any(&["the", "a", "an", ","]))
    {
        kept.remove(0);
    }
    while kept.last().is_some_and(|w| w.is_punct()) {
        kept.pop();
    }
    let (first, last) = (kept.first()?, kept.last()?);
    let span = first.span.cover(last.span);
    // "between 13 and 15 April and": a phrase that starts or ends with a function word, or
    // holds a date, is a piece of a clause, not who speaks.
    if classes.is("not_speaker_edge", &first.lower)
        || classes.is("not_speaker_edge", &last.lower)
        || kept.iter().any(|w| {
            crate::dates::is_month_word(&w.lower) && w.is_capitalised()
                || w.text.chars().all(|c| c.is_ascii_digit())
        })
    {
        return None;
    }
    if kept.len() == 1 && first.is_any(PRONOUNS) {
        return Some(SpeakerPhrase {
            span,
            name: first.text.to_string(),
            role: None,
            country: None,
            person: true,
            pronoun: true,
        });
    }
    let plausible = kept
        .iter()
        .any(|w| w.is_capitalised() && !w.is_any(&["the", "a"]))
        || kept
            .iter()
            .any(|w| classes.is("speaker_noun", &w.lower) || classes.is("role_word", &w.lower));
    if !plausible
        || kept
            .iter()
            .any(|w| w.is_any(&["which", "who", "when", "where", "because", "if"]))
    {
        return None;
    }
    let country = toponyms
        .iter()
        .filter(|t| t.feature == Feature::Country && span.contains(t.span))
        .find_map(|t| t.country);
    // The person's name is the last run of capitalised words that are not role words, in the
    // last comma-separated segment that has one.
    let segments: Vec<&[&Word<'_>]> = kept
        .split(|w| w.is(","))
        .filter(|s| !s.is_empty())
        .collect();
    // A segment that is all name ("Hikmet Hajiyev") is the person; otherwise the last name run
    // in a role ("Armenian Defense Ministry representative Artsrun Hovhannisyan").
    let whole_name = |seg: &[&Word<'_>]| {
        seg.len() >= 2 && seg.iter().all(|w| is_name_word(classes, w, toponyms))
    };
    let order: Vec<usize> = (0..segments.len())
        .filter(|&i| whole_name(segments[i]))
        .chain(
            (0..segments.len())
                .rev()
                .filter(|&i| !whole_name(segments[i])),
        )
        .collect();
    for si in order {
        let seg = segments[si];
        let mut k = seg.len();
        while k > 0 && is_name_word(classes, seg[k - 1], toponyms) {
            k -= 1;
        }
        let run = &seg[k..];
        if !run.is_empty() && k < seg.len() && (run.len() >= 2 || seg.len() == 1) {
            let name_span = run[0].span.cover(run[run.len() - 1].span);
            let mut role_parts: Vec<String> = Vec::new();
            for (sj, other) in segments.iter().enumerate() {
                let words: &[&Word<'_>] = if sj == si { &seg[..k] } else { other };
                let words: Vec<&&Word<'_>> = words
                    .iter()
                    .skip_while(|w| {
                        !(w.is_capitalised() || classes.is("role_word", &w.lower))
                            || w.is_any(&["the", "a", "an"])
                    })
                    .collect();
                if let (Some(a), Some(b)) = (words.first(), words.last()) {
                    role_parts.push(text[a.span.start..b.span.end].to_string());
                }
            }
            let role = (!role_parts.is_empty()).then(|| role_parts.join(", "));
            return Some(SpeakerPhrase {
                span: if role.is_some() { span } else { name_span },
                name: text[name_span.start..name_span.end].to_string(),
                role,
                country,
                person: true,
                pronoun: false,
            });
        }
    }
    let name = text[span.start..span.end].to_string();
    Some(SpeakerPhrase {
        span,
        name,
        role: None,
        country,
        person: false,
        pronoun: false,
    })
}

/// A capitalised word that can be part of a person's name.
fn is_name_word(classes: &Words, w: &Word<'_>, toponyms: &[Toponym]) -> bool {
    w.is_capitalised()
        && !classes.is("role_word", &w.lower)
        && !w.lower.ends_with("'s")
        && !w.lower.ends_with("’s")
        && !toponyms.iter().any(|t| t.span.overlaps(w.span))
        && w.text.chars().skip(1).any(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    fn check(text: &str) -> String {
        let lex = Lexicon::load().unwrap();
        let hits = lex.scan(text);
        let refs: Vec<&Hit> = hits.iter().collect();
        match attribute(&lex.words, text, Span::new(0, text.len()), &refs, &[]) {
            None => "none".to_string(),
            Some(a) => {
                let s = a.speaker.unwrap();
                format!(
                    "name={:?} role={:?} stance={} content={:?}",
                    s.name,
                    s.role,
                    a.stance,
                    &text[a.content.start..a.content.end]
                )
            }
        }
    }

    #[test]
    fn reads_speakers_in_common_shapes() {
        assert_eq!(
            check(
                "Armenian Defense Ministry representative Artsrun Hovhannisyan said Saturday that the army is using rockets."
            ),
            "name=\"Artsrun Hovhannisyan\" role=Some(\"Armenian Defense Ministry representative\") stance=alleges content=\"the army is using rockets.\""
        );
        assert_eq!(
            check(
                "Azerbaijan is using cluster munitions, the Human Rights Defender of Artsakh (Nagorno-Karabakh), Artak Beglaryan, said on Sunday, October 4."
            ),
            "name=\"Artak Beglaryan\" role=Some(\"Human Rights Defender of Artsakh\") stance=alleges content=\"Azerbaijan is using cluster munitions\""
        );
        assert_eq!(
            check("According to the Defence Ministry, shells hit Tartar."),
            "name=\"Defence Ministry\" role=None stance=alleges content=\"shells hit Tartar.\""
        );
        assert_eq!(
            check("Armenia's Defence Ministry denied firing at Ganja."),
            "name=\"Armenia's Defence Ministry\" role=None stance=denies content=\"denied firing at Ganja.\""
        );
        assert_eq!(check("Shells hit the town on Sunday."), "none");
    }
}
