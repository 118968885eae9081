//! The lexicons (`lexicons/*.tsv`), compiled into one case-insensitive automaton that finds every
//! weapon, trigger, actor, attribution and legal phrase of a document in a single pass.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use model::{ActorKind, CountryCode, LegalTag, Span, Stance, SubEventType, WeaponCategory};

const WEAPONS: &str = include_str!("../lexicons/weapons.tsv");
const TRIGGERS: &str = include_str!("../lexicons/triggers.tsv");
const ACTORS: &str = include_str!("../lexicons/actors.tsv");
const ATTRIBUTION: &str = include_str!("../lexicons/attribution.tsv");
const LEGAL: &str = include_str!("../lexicons/legal.tsv");
const WORDS: &str = include_str!("../lexicons/words.tsv");

/// Every lexicon file compiled in, by name: what an extraction run's lexicon digest covers.
pub(crate) const SOURCES: &[(&str, &str)] = &[
    ("weapons.tsv", WEAPONS),
    ("triggers.tsv", TRIGGERS),
    ("actors.tsv", ACTORS),
    ("attribution.tsv", ATTRIBUTION),
    ("legal.tsv", LEGAL),
    ("words.tsv", WORDS),
];

/// The word classes the rules ask about; `words.tsv` may use no other, and must fill each.
pub(crate) const WORD_CLASSES: &[&str] = &[
    "use_verb",
    "generic",
    "tally",
    "anaphora",
    "agreeing",
    "breach",
    "role_word",
    "speaker_noun",
    "killed",
    "injured",
    "missing",
    "killed_or_injured",
    "civilian",
    "military",
    "people",
    "breakdown",
    "target",
    "protest",
    "authority_force",
    "intervention",
    "protester_violence",
    "seize_verb",
    "weapon_object",
    "base_verb",
    "base_noun",
    "withdraw_verb",
    "takeover",
    "redeploy",
    "disaster",
    "responsibility",
    "territory_noun",
    "air_context",
    "battle_cue",
    "evidence",
    "unopposed",
    "protest_anticipated",
    "declared_act",
    "not_speaker_edge",
    "reaction",
    "expectation",
    "launch_verb",
    "rise_verb",
    "toll_noun",
];

// Class sets are bits of a u64.
const _: () = assert!(WORD_CLASSES.len() <= 64);

/// Word classes from `lexicons/words.tsv`, compiled into one automaton: membership for single
/// words, and every class present in a text in one pass.
#[derive(Debug)]
pub(crate) struct Words {
    /// Each phrase with the classes it belongs to, as bits of `WORD_CLASSES` indexes.
    members: HashMap<String, u64, BuildHasherDefault<Fnv>>,
    automaton: AhoCorasick,
    /// For pattern `i`, its classes (indexes into `WORD_CLASSES`) with the row's value.
    pattern_classes: Vec<Vec<(usize, String)>>,
}

/// FNV-1a: a fast hash for the short words the rules look up (no untrusted keys at stake).
#[derive(Debug, Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// The word classes present in a text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClassSet(u64);

impl ClassSet {
    pub fn has(self, class: &str) -> bool {
        WORD_CLASSES
            .iter()
            .position(|c| *c == class)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

impl Words {
    /// True when the lowercase `word` (or phrase) is in `class`.
    pub fn is(&self, class: &str, word: &str) -> bool {
        let Some(id) = WORD_CLASSES.iter().position(|c| *c == class) else {
            return false;
        };
        self.members
            .get(word)
            .is_some_and(|bits| bits & (1 << id) != 0)
    }

    /// Every class with a phrase in `haystack` on word boundaries, in one pass.
    pub fn classes_in(&self, haystack: &str) -> ClassSet {
        let mut set = 0u64;
        for m in self.automaton.find_overlapping_iter(haystack) {
            if on_word_boundaries(haystack, Span::new(m.start(), m.end())) {
                for (class, _) in &self.pattern_classes[m.pattern().as_usize()] {
                    set |= 1 << class;
                }
            }
        }
        ClassSet(set)
    }

    /// Where the first phrase of `class` in `haystack` is.
    pub fn first_match(&self, class: &str, haystack: &str) -> Option<Span> {
        self.matches_in(class, haystack)
            .first()
            .map(|(span, _)| *span)
    }

    /// True when a phrase of `class` occurs in `haystack` on word boundaries.
    pub fn any_in(&self, class: &str, haystack: &str) -> bool {
        self.classes_in(haystack).has(class)
    }

    /// The phrases of `class` in `haystack` (byte spans into it) with their values, leftmost
    /// longest first where they overlap.
    pub fn matches_in<'a>(&'a self, class: &str, haystack: &str) -> Vec<(Span, &'a str)> {
        let Some(id) = WORD_CLASSES.iter().position(|c| *c == class) else {
            return vec![];
        };
        let mut found: Vec<(Span, &str)> = Vec::new();
        for m in self.automaton.find_overlapping_iter(haystack) {
            let span = Span::new(m.start(), m.end());
            if !on_word_boundaries(haystack, span) {
                continue;
            }
            if let Some((_, value)) = self.pattern_classes[m.pattern().as_usize()]
                .iter()
                .find(|(c, _)| *c == id)
            {
                found.push((span, value.as_str()));
            }
        }
        found.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
        let mut out: Vec<(Span, &str)> = Vec::new();
        for (span, value) in found {
            if out.last().is_none_or(|(last, _)| span.start >= last.end) {
                out.push((span, value));
            }
        }
        out
    }
}

/// True when `phrase` occurs in `haystack` on word boundaries.
pub(crate) fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(i) = haystack[from..].find(phrase) {
        let at = from + i;
        if on_word_boundaries(haystack, Span::new(at, at + phrase.len())) {
            return true;
        }
        from = at + phrase.len().max(1);
    }
    false
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Weapon {
    pub name: String,
    pub category: WeaponCategory,
    pub cluster_capable: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ActorEntry {
    pub kind: ActorKind,
    pub country: Option<CountryCode>,
    /// Canonical name; empty for generic force nouns.
    pub name: String,
    /// A generic noun ("forces") that needs a country before it.
    pub force_noun: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AttributionKind {
    Verb,
    According,
    Hedge,
    Denial,
}

/// What one lexicon phrase means.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Sense {
    Weapon(usize),
    Trigger {
        sub_event: SubEventType,
        weight: u8,
    },
    Actor(usize),
    Attribution {
        kind: AttributionKind,
        stance: Stance,
    },
    Legal {
        tag: LegalTag,
        needs_breach: bool,
    },
}

/// A lexicon phrase found in a text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Hit {
    pub span: Span,
    pub sense: Sense,
}

/// Every lexicon, compiled once and shared by all extraction calls.
#[derive(Debug)]
pub(crate) struct Lexicon {
    pub weapons: Vec<Weapon>,
    pub actors: Vec<ActorEntry>,
    pub words: Words,
    automaton: AhoCorasick,
    /// For pattern `i`, every sense the phrase has (a phrase may be a weapon and a trigger).
    senses: Vec<Vec<Sense>>,
}

/// A malformed lexicon row: the lexicons are compiled into the binary, so this is a build bug
/// caught by the unit tests, never a user error.
#[derive(Debug)]
pub(crate) struct LexiconError(pub String);

fn rows(tsv: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    tsv.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1) // header
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
}

impl Lexicon {
    pub fn load() -> Result<Lexicon, LexiconError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut senses: Vec<Vec<Sense>> = Vec::new();
        let mut add = |pattern: &str, sense: Sense| {
            let pattern = pattern.trim();
            if pattern.is_empty() {
                return;
            }
            match patterns
                .iter()
                .position(|p| p.eq_ignore_ascii_case(pattern))
            {
                Some(i) => {
                    if !senses[i].contains(&sense) {
                        senses[i].push(sense);
                    }
                }
                None => {
                    patterns.push(pattern.to_string());
                    senses.push(vec![sense]);
                }
            }
        };
        let bad = |file: &str, line: usize, what: &str| {
            LexiconError(format!("lexicons/{file}:{line}: {what}"))
        };

        let mut weapons = Vec::new();
        for (line, f) in rows(WEAPONS) {
            let [name, category, capable, pats] = f[..] else {
                return Err(bad("weapons.tsv", line, "expected 4 columns"));
            };
            let category = WeaponCategory::parse(category)
                .ok_or_else(|| bad("weapons.tsv", line, "unknown category"))?;
            let id = weapons.len();
            weapons.push(Weapon {
                name: name.to_string(),
                category,
                cluster_capable: capable == "yes",
            });
            for p in pats.split(';') {
                add(p, Sense::Weapon(id));
            }
        }
        for (line, f) in rows(TRIGGERS) {
            let [pattern, sub, weight] = f[..] else {
                return Err(bad("triggers.tsv", line, "expected 3 columns"));
            };
            let sub_event = SubEventType::parse(sub)
                .ok_or_else(|| bad("triggers.tsv", line, "unknown sub-event type"))?;
            let weight = weight
                .trim()
                .parse()
                .map_err(|_| bad("triggers.tsv", line, "bad weight"))?;
            add(pattern, Sense::Trigger { sub_event, weight });
        }
        let mut actors = Vec::new();
        for (line, f) in rows(ACTORS) {
            if f.len() < 4 {
                return Err(bad("actors.tsv", line, "expected 5 columns"));
            }
            let kind = match f[1] {
                "state_forces" => ActorKind::StateForces,
                "state" => ActorKind::State,
                "police" => ActorKind::Police,
                "non_state" => ActorKind::NonState,
                "militia" => ActorKind::Militia,
                "unidentified" => ActorKind::Unidentified,
                _ => return Err(bad("actors.tsv", line, "unknown kind")),
            };
            let country = if f[2].is_empty() {
                None
            } else {
                Some(
                    CountryCode::new(f[2])
                        .ok_or_else(|| bad("actors.tsv", line, "unknown country"))?,
                )
            };
            let id = actors.len();
            actors.push(ActorEntry {
                kind,
                country,
                name: f[3].to_string(),
                force_noun: f.get(4).is_some_and(|v| v.trim() == "yes"),
            });
            add(f[0], Sense::Actor(id));
        }
        for (line, f) in rows(ATTRIBUTION) {
            let [pattern, kind, stance] = f[..] else {
                return Err(bad("attribution.tsv", line, "expected 3 columns"));
            };
            let kind = match kind {
                "verb" => AttributionKind::Verb,
                "according" => AttributionKind::According,
                "hedge" => AttributionKind::Hedge,
                "denial" => AttributionKind::Denial,
                _ => return Err(bad("attribution.tsv", line, "unknown kind")),
            };
            let stance = match stance {
                "alleges" => Stance::Alleges,
                "reports" => Stance::Reports,
                "confirms" => Stance::Confirms,
                "denies" => Stance::Denies,
                "hedged" => Stance::Hedged,
                _ => return Err(bad("attribution.tsv", line, "unknown stance")),
            };
            add(pattern, Sense::Attribution { kind, stance });
        }
        for (line, f) in rows(LEGAL) {
            let [pattern, tag, needs] = f[..] else {
                return Err(bad("legal.tsv", line, "expected 3 columns"));
            };
            let tag = LegalTag::parse(tag).ok_or_else(|| bad("legal.tsv", line, "unknown tag"))?;
            add(
                pattern,
                Sense::Legal {
                    tag,
                    needs_breach: needs == "yes",
                },
            );
        }
        let mut members: HashMap<String, u64, BuildHasherDefault<Fnv>> = HashMap::default();
        let mut filled = 0u64;
        let mut phrases: Vec<String> = Vec::new();
        let mut pattern_classes: Vec<Vec<(usize, String)>> = Vec::new();
        for (line, f) in rows(WORDS) {
            let (Some(class), Some(phrase)) = (f.first(), f.get(1)) else {
                return Err(bad("words.tsv", line, "expected 3 columns"));
            };
            let Some(id) = WORD_CLASSES.iter().position(|c| c == class) else {
                return Err(bad("words.tsv", line, "unknown class"));
            };
            let phrase = phrase.trim().to_lowercase();
            if phrase.is_empty() {
                continue;
            }
            let value = f.get(2).map_or(String::new(), |v| v.trim().to_string());
            *members.entry(phrase.clone()).or_default() |= 1 << id;
            filled |= 1 << id;
            let p = match phrases.iter().position(|x| *x == phrase) {
                Some(p) => p,
                None => {
                    phrases.push(phrase);
                    pattern_classes.push(Vec::new());
                    phrases.len() - 1
                }
            };
            pattern_classes[p].push((id, value));
        }
        for (id, class) in WORD_CLASSES.iter().enumerate() {
            if filled & (1 << id) == 0 {
                return Err(LexiconError(format!(
                    "lexicons/words.tsv: class {class} has no rows"
                )));
            }
        }
        let words = Words {
            members,
            automaton: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&phrases)
                .map_err(|e| LexiconError(format!("cannot build the word-class automaton: {e}")))?,
            pattern_classes,
        };
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| LexiconError(format!("cannot build the lexicon automaton: {e}")))?;
        Ok(Lexicon {
            weapons,
            actors,
            words,
            automaton,
            senses,
        })
    }

    /// Every lexicon phrase in `text` that stands on word boundaries, in text order; where
    /// phrases overlap, the leftmost longest wins. Overlapping search first, so a longer phrase
    /// that fails the word-boundary check ("artillery shell" in "artillery shelled") does not
    /// hide the shorter ones that pass.
    pub fn scan(&self, text: &str) -> Vec<Hit> {
        let mut found: Vec<(Span, usize)> = self
            .automaton
            .find_overlapping_iter(text)
            .map(|m| (Span::new(m.start(), m.end()), m.pattern().as_usize()))
            .filter(|(span, _)| on_word_boundaries(text, *span))
            .collect();
        found.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
        let mut hits = Vec::new();
        let mut covered_to = 0;
        for (span, pattern) in found {
            if span.start < covered_to {
                continue;
            }
            covered_to = span.end;
            for sense in &self.senses[pattern] {
                hits.push(Hit {
                    span,
                    sense: sense.clone(),
                });
            }
        }
        hits
    }
}

/// True when the span neither starts nor ends inside a word.
pub(crate) fn on_word_boundaries(text: &str, span: Span) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicons_load_and_share_phrases() {
        let lex = Lexicon::load().unwrap();
        assert!(
            lex.weapons
                .iter()
                .any(|w| w.name == "LAR-160" && w.cluster_capable)
        );
        let hits = lex.scan("Rocket attack on Tartar; the LAR-160 fired. Nothing in Grading.");
        let names: Vec<_> = hits
            .iter()
            .map(|h| match &h.sense {
                Sense::Weapon(i) => format!("weapon:{}", lex.weapons[*i].name),
                Sense::Trigger { sub_event, .. } => format!("trigger:{sub_event}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "weapon:rocket",
                "trigger:Shelling/artillery/missile attack",
                "weapon:LAR-160"
            ]
        );
    }
}
