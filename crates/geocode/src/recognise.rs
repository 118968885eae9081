//! Finding names in text: the longest run of capitalised words (with connectors such as "of" or
//! "el-") whose key is in the index, and the cues around it that say place or not-a-place.

use model::Span;

use crate::Gazetteer;
use crate::index::{Cand, KeyHash, MAX_WORDS};
use crate::stoplists::{
    is_admin_term, is_compass, is_connector, is_institution, is_locative, is_pact, is_place_noun,
    is_speech_verb, is_title,
};
use crate::tokens::{Token, joinable};

/// What the words around a name say about it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Cues {
    /// First word of a sentence: capitalisation says nothing.
    pub sentence_start: bool,
    /// A single word that is a common lower-case English word.
    pub common_word: bool,
    /// A single word that is a frequent given name or surname.
    pub person_name: bool,
    /// Another capitalised word right before (not a compass word or sentence start).
    pub glued_before: bool,
    /// Another capitalised word right after.
    pub glued_after: bool,
    /// A title before ("President", "Mr").
    pub title_before: bool,
    /// A speech verb after ("said").
    pub speech_after: bool,
    /// A locative word before ("in", "near", "village of").
    pub locative_before: bool,
    /// Followed by an administrative term ("Oblast", "province") that the span includes.
    pub admin_term: bool,
    /// Written in capitals, three letters or fewer ("US", "UK").
    pub short_caps: bool,
    /// The text's spelling equals the entry's main name or one alternate, case included (with
    /// the full stop after it for abbreviations such as "Ky.").
    pub exact_case: bool,
    /// The word before is a frequent given name ("Lisa" Trapani).
    pub given_name_before: bool,
    /// Matched only as an abbreviation with its full stop ("Mass.", "Ind.").
    pub dotted: bool,
    /// An institution of the place follows ("Alexandria Police", "DuPage Sheriff").
    pub institution_after: bool,
    /// Placed as a state abbreviation is: after "Town, " or before a lower-case word ("Ga. pastor").
    pub abbreviation_slot: bool,
    /// Part of the name of a body or an agreement called after a place ("the OSCE Minsk Group",
    /// "the Paris Agreement"), which says nothing of where anything happened.
    pub names_pact: bool,
    /// Right after a capitalised name and a comma ("Vilne Pole, Donetsk"): where a division of
    /// this name exists, the name qualifies the one before, as ACLED and wire copy write places.
    pub after_name_comma: bool,
    /// Set by resolution: the mention qualifies the name before it, so it names the division
    /// ("Donetsk" of "Pavlivka, Donetsk" is Donetsk Oblast, not the city).
    pub qualifier_slot: bool,
}

/// A name found in the text, before resolution.
#[derive(Clone, Debug)]
pub(crate) struct Mention<'g> {
    pub span: Span,
    /// Words `first..end` of the text.
    pub first: usize,
    pub end: usize,
    /// Words of the name itself, before an administrative term was added.
    pub words: usize,
    pub key_hash: u64,
    pub cands: &'g [Cand],
    pub cues: Cues,
}

/// Every indexed name in the text, longest first, left to right, with its cues.
pub(crate) fn mentions<'g>(gaz: &'g Gazetteer, text: &str, toks: &[Token]) -> Vec<Mention<'g>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let particle_start = !t.cap
            && matches!(
                t.key.as_str(),
                "al" | "el" | "ad" | "as" | "ash" | "ar" | "an" | "az"
            )
            && i + 1 < toks.len()
            && &text[t.end..toks[i + 1].start] == "-"
            && toks[i + 1].cap;
        if !(t.cap || particle_start)
            || t.contraction
            || t.key.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            i += 1;
            continue;
        }
        // The name as spelled; failing that, its romanisation skeleton ("Novomykhaylivka").
        let best = longest_name(gaz, text, toks, i, false)
            .or_else(|| longest_name(gaz, text, toks, i, true));
        let Some((n, key_hash)) = best else {
            i += 1;
            continue;
        };
        let end = i + n;
        let mut m = Mention {
            span: Span::new(toks[i].start, toks[end - 1].end),
            first: i,
            end,
            words: n,
            key_hash,
            cands: gaz.index.get(key_hash),
            cues: Cues::default(),
        };
        m.cues = cues(gaz, text, toks, &mut m);
        i = m.end;
        out.push(m);
    }
    out
}

/// The longest indexed name starting at word `i`: its number of words and key hash. With
/// `skeleton`, words are looked up by their romanisation skeleton, among the skeletons of the
/// places of the countries indexed by them (`ROMANISED`).
fn longest_name(
    gaz: &Gazetteer,
    text: &str,
    toks: &[Token],
    i: usize,
    skeleton: bool,
) -> Option<(usize, u64)> {
    let mut h = if skeleton {
        KeyHash::skeletons()
    } else {
        KeyHash::new()
    };
    let mut best: Option<(usize, u64)> = None;
    for n in 1..=MAX_WORDS {
        let j = i + n - 1;
        if j >= toks.len() || (n > 1 && !joinable(text, toks, j - 1)) {
            break;
        }
        let tj = &toks[j];
        if n > 1 && !tj.cap && !is_connector(&tj.key) {
            break;
        }
        let skel;
        let key = if skeleton {
            skel = crate::fold::romanisation_skeleton(&tj.key);
            skel.as_str()
        } else {
            tj.key.as_str()
        };
        let f = h.word(key).finish();
        if tj.cap && !gaz.index.get(f).is_empty() {
            best = Some((n, f));
        }
        h = h.word(crate::fold::article_form(key));
        if !gaz.index.is_prefix(h.finish()) {
            break;
        }
    }
    best
}

fn cues(gaz: &Gazetteer, text: &str, toks: &[Token], m: &mut Mention<'_>) -> Cues {
    let (i, end) = (m.first, m.end);
    let single = end - i == 1;
    let key = toks[i].key.as_str();
    let ascii = text[m.span.start..m.span.end].is_ascii();
    let mut c = Cues {
        sentence_start: toks[i].sentence_start,
        // Written with diacritics ("Tərtər"), a name is not the English word ("tartar").
        common_word: single && ascii && gaz.stop.common_words.contains(key),
        person_name: single && ascii && gaz.stop.person_names.contains(key),
        // Three capitals or fewer is an acronym, and four when it spells a word or a name
        // ("NICE", "SWAT"), unless written so in the gazetteer ("USA").
        short_caps: single
            && toks[i].all_caps
            && match text[m.span.start..m.span.end].chars().count() {
                0..=3 => true,
                4 => gaz.stop.common_words.contains(key) || gaz.stop.person_names.contains(key),
                _ => false,
            },
        ..Cues::default()
    };
    let used = &text[m.span.start..m.span.end];
    let dotted = text[m.span.end..]
        .starts_with('.')
        .then(|| format!("{used}."));
    let same = |n: &str| n == used || dotted.as_deref() == Some(n);
    let plain = |n: &str| n == used;
    c.dotted = single
        && dotted.is_some()
        && !m.cands.iter().any(|cand| {
            let e = &gaz.entries[cand.entry()];
            plain(&e.name) || e.alt_names.iter().any(|a| plain(a))
        });
    c.exact_case = m.cands.iter().any(|cand| {
        let e = &gaz.entries[cand.entry()];
        let demonyms = if cand.demonym() {
            e.country
                .and_then(model::CountryCode::country)
                .map(|k| k.demonyms.as_slice())
        } else {
            None
        };
        same(&e.name)
            || e.alt_names.iter().any(|a| same(a))
            || demonyms.is_some_and(|d| d.iter().any(|a| same(a)))
    });
    if i > 0 {
        let p = &toks[i - 1];
        let tight = joinable(text, toks, i - 1) || &text[p.end..toks[i].start] == ". ";
        if tight && is_title(&p.key) && p.cap {
            c.title_before = true;
        }
        if joinable(text, toks, i - 1) && p.cap && !is_compass(&p.key) && !p.all_caps {
            c.glued_before = true;
            c.given_name_before = gaz.stop.given_names.contains(p.key.as_str());
        }
        let gap = &text[p.end..toks[i].start];
        if gap.trim().is_empty() || gap.trim() == "-" {
            c.locative_before =
                is_locative(&p.key) || (p.key == "of" && i > 1 && is_place_noun(&toks[i - 2].key));
        }
        c.abbreviation_slot = gap == ", " && p.cap;
        c.after_name_comma = gap == ", " && p.cap && !p.all_caps && !toks[i - 1].sentence_start
            || gap == ", " && p.cap && i >= 2 && toks[i - 2].cap;
        // A politician's party and home: "Marty Seifert, R-Marshall", "(D-Texas)".
        if gap == "-" && p.cap && matches!(p.key.as_str(), "r" | "d" | "i") && p.end - p.start == 1
        {
            c.locative_before = true;
            c.glued_before = false;
            c.given_name_before = false;
        }
    }
    if end < toks.len() {
        let nx = &toks[end];
        if joinable(text, toks, end - 1) && is_admin_term(&nx.key) {
            c.admin_term = true;
            m.end = end + 1;
            m.span = Span::new(m.span.start, nx.end);
        } else if joinable(text, toks, end - 1) && nx.cap && is_institution(&nx.key) {
            c.institution_after = true;
        } else if joinable(text, toks, end - 1) && nx.cap && is_pact(&nx.key) {
            c.names_pact = true;
        } else if joinable(text, toks, end - 1) && nx.cap && !nx.all_caps {
            c.glued_after = true;
        } else if joinable(text, toks, end - 1)
            && is_article(&nx.key)
            && end + 1 < toks.len()
            && &text[nx.end..toks[end + 1].start] == "-"
            && toks[end + 1].cap
        {
            // "Jisr al-Shughur": the name goes on past the Arabic article.
            c.glued_after = true;
        } else if nx.key == "and" && end + 2 < toks.len() {
            // "Jackson and Barrow counties": the term after the last name covers the first.
            let plural = &toks[end + 2];
            if toks[end + 1].cap && is_admin_term(&plural.key) && plural.key.ends_with('s') {
                c.admin_term = true;
            }
        }
        let gap = &text[toks[end - 1].end..nx.start];
        if gap == ". " && !nx.cap && nx.key.chars().all(char::is_alphabetic) {
            c.abbreviation_slot = true;
        }
        if (gap == " " || gap == ", ") && is_speech_verb(&nx.key) {
            c.speech_after = true;
        }
    }
    c
}

/// The Arabic article as transliterated before a name ("al-", "el-", "ash-").
fn is_article(key: &str) -> bool {
    matches!(
        key,
        "al" | "el" | "ad" | "as" | "ash" | "ar" | "an" | "az" | "at" | "ath" | "adh"
    )
}
