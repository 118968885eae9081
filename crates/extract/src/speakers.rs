//! Attribution: who says a sentence's content, how the sentence frames it, and which part of the
//! sentence is the reported content ("X said Saturday that CONTENT", "CONTENT, X said",
//! "according to X, CONTENT", quotations attributed before or after).

use model::{CountryCode, Feature, Span, Stance, Toponym};

use crate::lexicon::{AttributionKind, Hit, Sense};
use crate::words::{Word, words};

/// Words that make a noun phrase a role or an office rather than a person's name.
const ROLE_WORDS: &[&str] = &[
    "president", "minister", "ministry", "defense", "defence", "foreign", "affairs", "interior",
    "spokesman", "spokeswoman", "spokesperson", "representative", "official", "officials", "human",
    "rights", "defender", "ombudsman", "ombudsperson", "head", "chief", "commander", "general",
    "gen", "colonel", "col", "major", "maj", "lieutenant", "lt", "captain", "capt", "sergeant",
    "prime", "deputy", "secretary", "director", "governor", "mayor", "chairman", "chairwoman",
    "aide", "assistant", "adviser", "advisor", "office", "press", "service", "department",
    "council", "committee", "agency", "army", "forces", "police", "prosecutor", "state", "national",
    "security", "emergency", "emergencies", "situations", "investigative", "republic", "parliament",
    "speaker", "envoy", "ambassador", "leader", "mr", "mrs", "ms", "dr", "general's", "watch",
    "international", "amnesty", "united", "nations", "un", "red", "cross", "committee's", "side",
    "government", "military", "armed", "authorities", "administration", "staff", "bureau", "unit",
    "mission", "organization", "organisation", "institute", "center", "centre", "news", "agency's",
    "health", "monitor", "observatory", "defence's", "defense's", "spokesperson's", "ministry's",
];

/// Nouns that can head a speaker phrase without a capital letter.
const SPEAKER_NOUNS: &[&str] = &[
    "spokesman", "spokeswoman", "spokesperson", "official", "officials", "ministry", "side",
    "residents", "resident", "witnesses", "witness", "sources", "source", "police", "army",
    "military", "government", "authorities", "ombudsman", "office", "researchers", "investigators",
    "monitors", "activists", "medics", "doctors", "villagers", "journalists", "survivors",
    "commander", "leader", "president", "minister", "representative", "defender", "officer",
];

const PRONOUNS: &[&str] = &["he", "she", "they", "it", "we", "i"];

/// Words that may sit between a speaker and the speech verb ("has", "also", "later").
const AUXILIARIES: &[&str] = &[
    "has", "have", "had", "was", "were", "is", "are", "also", "later", "earlier", "previously",
    "again", "repeatedly", "had", "further", "then", "separately", "firmly", "strongly",
    "categorically", "flatly", "officially", "publicly", "once", "not", "did", "does", "would",
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
}

/// Finds the attribution of sentence `sent`, given the lexicon hits inside it.
pub(crate) fn attribute(text: &str, sent: Span, hits: &[&Hit], toponyms: &[Toponym]) -> Option<Attribution> {
    let ws = words(text, sent);
    let cues: Vec<(Span, AttributionKind, Stance)> = hits
        .iter()
        .filter_map(|h| match h.sense {
            Sense::Attribution { kind: k @ (AttributionKind::Verb | AttributionKind::According), stance } => {
                Some((h.span, k, stance))
            }
            _ => None,
        })
        .collect();
    for (cue, kind, stance) in cues {
        let Some(v) = ws.iter().position(|w| w.span.start == cue.start) else { continue };
        let v_end = ws.iter().position(|w| w.span.end >= cue.end).unwrap_or(v);
        let found = match kind {
            AttributionKind::According => according(text, sent, &ws, v, v_end, toponyms),
            _ => preposed(text, sent, &ws, v, v_end, toponyms)
                .or_else(|| postposed(text, sent, &ws, v, v_end, toponyms)),
        };
        if let Some((speaker, content)) = found {
            return Some(Attribution { speaker: Some(speaker), cue, stance, content });
        }
    }
    None
}

/// "according to X, CONTENT" or "CONTENT, according to X".
fn according(
    text: &str,
    sent: Span,
    ws: &[Word<'_>],
    v: usize,
    v_end: usize,
    toponyms: &[Toponym],
) -> Option<(SpeakerPhrase, Span)> {
    let np_start = v_end + 1;
    let np_end = (np_start..ws.len()).find(|&k| ws[k].is_any(&[",", ".", ";", ":", "that"])).unwrap_or(ws.len());
    if np_end <= np_start {
        return None;
    }
    let speaker = speaker_phrase(text, &ws[np_start..np_end], toponyms)?;
    let content = if v == 0 || ws[..v].iter().all(Word::is_punct) {
        Span::new(ws.get(np_end + 1).map_or(sent.end, |w| w.span.start), sent.end)
    } else {
        Span::new(sent.start, ws[v].span.start)
    };
    Some((speaker, content))
}

/// "X said (on Saturday) (that) CONTENT".
fn preposed(
    text: &str,
    sent: Span,
    ws: &[Word<'_>],
    v: usize,
    v_end: usize,
    toponyms: &[Toponym],
) -> Option<(SpeakerPhrase, Span)> {
    let mut end = v;
    while end > 0 && (ws[end - 1].is_any(AUXILIARIES) || is_date_word(&ws[end - 1])) {
        end -= 1;
    }
    if end == 0 || ws[end - 1].is_punct() && !ws[end - 1].is(")") {
        return None;
    }
    // The phrase starts after the last clause break before it.
    let start = (0..end)
        .rev()
        .find(|&k| ws[k].is_any(&[",", ";", ":", "\"", "“", "”", "—", "–"]) || ws[k].is("that"))
        .map_or(0, |k| k + 1);
    if end - start > 12 {
        return None;
    }
    let speaker = speaker_phrase(text, &ws[start..end], toponyms)?;
    // Content: after the verb, its date and "that".
    let mut c = v_end + 1;
    while c < ws.len() && (is_date_word(&ws[c]) || ws[c].is_any(&["that", ",", ":"]) || ws[c].is_capitalised() && is_weekday(&ws[c])) {
        c += 1;
    }
    let content_start = ws.get(c).map_or(sent.end, |w| w.span.start);
    let content = if start > 0 && ws[start - 1].is(",") && c >= ws.len().saturating_sub(1) {
        // "CONTENT, X said." reads as postposed.
        Span::new(sent.start, ws[start - 1].span.start)
    } else {
        Span::new(content_start, sent.end)
    };
    Some((speaker, content))
}

/// "CONTENT, X(, role), said (on Sunday)." and "CONTENT, said X."
fn postposed(
    text: &str,
    sent: Span,
    ws: &[Word<'_>],
    v: usize,
    v_end: usize,
    toponyms: &[Toponym],
) -> Option<(SpeakerPhrase, Span)> {
    // Inverted: "CONTENT, said X, the role."
    if v > 0 && ws[v - 1].is(",") {
        let mut np_start = v_end + 1;
        while np_start < ws.len() && (is_date_word(&ws[np_start]) || ws[np_start].is(",")) {
            np_start += 1;
        }
        let np_end = (np_start..ws.len()).find(|&k| ws[k].is_any(&[".", ";"])).unwrap_or(ws.len());
        if np_end > np_start && np_end - np_start <= 14 {
            if let Some(speaker) = speaker_phrase(text, &ws[np_start..np_end], toponyms) {
                return Some((speaker, Span::new(sent.start, ws[v - 1].span.start)));
            }
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
    let mut seg_end = end - 1;
    let mut np_start = None;
    loop {
        let seg_start = (0..seg_end).rev().find(|&k| ws[k].is(",")).map_or(0, |k| k + 1);
        let seg = &ws[seg_start..seg_end];
        if seg.is_empty() || seg.len() > 10 || !looks_like_name_or_role(seg) {
            break;
        }
        np_start = Some(seg_start);
        if seg_start == 0 {
            break;
        }
        seg_end = seg_start - 1;
    }
    let np_start = np_start?;
    if np_start == 0 {
        return None;
    }
    let np: Vec<Word<'_>> = ws[np_start..end - 1].to_vec();
    let speaker = speaker_phrase(text, &np, toponyms)?;
    Some((speaker, Span::new(sent.start, ws[np_start - 1].span.start)))
}

fn looks_like_name_or_role(seg: &[Word<'_>]) -> bool {
    let content: Vec<&Word<'_>> = seg.iter().filter(|w| !w.is_punct()).collect();
    if content.is_empty() {
        return seg.iter().all(|w| w.is("(") || w.is(")"));
    }
    let first = content[0];
    let starts_ok = first.is_capitalised() || first.is_any(&["the", "a", "an", "its", "his", "her"]);
    starts_ok
        && content.iter().all(|w| {
            w.is_capitalised() || w.is_any(&["the", "a", "an", "of", "for", "and", "to", "in", "its", "his", "her", "de", "al"])
                || w.is_any(ROLE_WORDS) || w.is_any(SPEAKER_NOUNS)
        })
}

fn is_weekday(w: &Word<'_>) -> bool {
    w.is_any(&["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}

/// Words of a statement date next to a speech verb ("on Sunday, October 4", "Saturday").
fn is_date_word(w: &Word<'_>) -> bool {
    is_weekday(w)
        || w.is_any(&["on", "late", "early", "yesterday", "today", "earlier", "night", "morning", "evening", "afternoon", "last", "this"])
        || crate::dates::is_month_word(&w.lower)
        || (w.text.len() <= 2 && w.text.chars().all(|c| c.is_ascii_digit()))
}

/// Reads a speaker noun phrase: a person's name with a role, a body, or a pronoun.
fn speaker_phrase(text: &str, np: &[Word<'_>], toponyms: &[Toponym]) -> Option<SpeakerPhrase> {
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
    while kept.first().is_some_and(|w| w.is_any(&["the", "a", "an", ","])) {
        kept.remove(0);
    }
    while kept.last().is_some_and(|w| w.is_punct()) {
        kept.pop();
    }
    let (first, last) = (kept.first()?, kept.last()?);
    let span = first.span.cover(last.span);
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
    let plausible = kept.iter().any(|w| w.is_capitalised() && !w.is_any(&["the", "a"]))
        || kept.iter().any(|w| w.is_any(SPEAKER_NOUNS));
    if !plausible || kept.iter().any(|w| w.is_any(&["which", "who", "when", "where", "because", "if"])) {
        return None;
    }
    let country = toponyms
        .iter()
        .filter(|t| t.feature == Feature::Country && span.contains(t.span))
        .find_map(|t| t.country);
    // The person's name is the last run of capitalised words that are not role words, in the
    // last comma-separated segment that has one.
    let segments: Vec<&[&Word<'_>]> = kept.split(|w| w.is(",")).filter(|s| !s.is_empty()).collect();
    for (si, seg) in segments.iter().enumerate().rev() {
        let mut k = seg.len();
        while k > 0 && is_name_word(seg[k - 1], toponyms) {
            k -= 1;
        }
        let run = &seg[k..];
        if !run.is_empty() && k < seg.len() && (run.len() >= 2 || seg.len() == 1) {
            let name_span = run[0].span.cover(run[run.len() - 1].span);
            let mut role_parts: Vec<String> = Vec::new();
            for (sj, other) in segments.iter().enumerate() {
                let words: &[&Word<'_>] = if sj == si { &seg[..k] } else { other };
                let words: Vec<&&Word<'_>> = words.iter().skip_while(|w| w.is_any(&["the", "a", "an"])).collect();
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
    Some(SpeakerPhrase { span, name, role: None, country, person: false, pronoun: false })
}

/// A capitalised word that can be part of a person's name.
fn is_name_word(w: &Word<'_>, toponyms: &[Toponym]) -> bool {
    w.is_capitalised()
        && !w.is_any(ROLE_WORDS)
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
        match attribute(text, Span::new(0, text.len()), &refs, &[]) {
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
            check("Armenian Defense Ministry representative Artsrun Hovhannisyan said Saturday that the army is using rockets."),
            "name=\"Artsrun Hovhannisyan\" role=Some(\"Armenian Defense Ministry representative\") stance=alleges content=\"the army is using rockets.\""
        );
        assert_eq!(
            check("Azerbaijan is using cluster munitions, the Human Rights Defender of Artsakh (Nagorno-Karabakh), Artak Beglaryan, said on Sunday, October 4."),
            "name=\"Artak Beglaryan\" role=Some(\"Human Rights Defender of Artsakh\") stance=alleges content=\"Azerbaijan is using cluster munitions\""
        );
        assert_eq!(
            check("According to the Defence Ministry, shells hit Tartar."),
            "name=\"Defence Ministry\" role=None stance=alleges content=\"shells hit Tartar.\""
        );
        assert_eq!(
            check("Armenia's Defence Ministry denied firing at Ganja."),
            "name=\"Armenia's Defence Ministry\" role=None stance=denies content=\"firing at Ganja.\""
        );
        assert_eq!(check("Shells hit the town on Sunday."), "none");
    }
}
