//! The lexicons (`lexicons/*.tsv`), compiled into one case-insensitive automaton that finds every
//! weapon, trigger, actor, attribution and legal phrase of a document in a single pass.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use model::{ActorKind, CountryCode, LegalTag, Span, Stance, SubEventType, WeaponCategory};

const WEAPONS: &str = include_str!("../lexicons/weapons.tsv");
const TRIGGERS: &str = include_str!("../lexicons/triggers.tsv");
const ACTORS: &str = include_str!("../lexicons/actors.tsv");
const ATTRIBUTION: &str = include_str!("../lexicons/attribution.tsv");
const LEGAL: &str = include_str!("../lexicons/legal.tsv");
const WORDS: &str = include_str!("../lexicons/words.tsv");

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
];

/// Word classes from `lexicons/words.tsv`: membership for single words, phrase lists (longest
/// first) for phrases, and a value per phrase where the class has one (target kinds).
#[derive(Debug, Default)]
pub(crate) struct Words {
    sets: HashMap<&'static str, HashSet<String>>,
    lists: HashMap<&'static str, Vec<(String, String)>>,
}

impl Words {
    /// True when the lowercase `word` (or phrase) is in `class`.
    pub fn is(&self, class: &str, word: &str) -> bool {
        self.sets.get(class).is_some_and(|s| s.contains(word))
    }

    /// The phrases of `class` with their values, longest first.
    pub fn phrases(&self, class: &str) -> &[(String, String)] {
        self.lists.get(class).map_or(&[], Vec::as_slice)
    }

    /// True when a phrase of `class` occurs in the lowercase `haystack` on word boundaries.
    pub fn any_in(&self, class: &str, haystack: &str) -> bool {
        self.phrases(class)
            .iter()
            .any(|(p, _)| contains_phrase(haystack, p))
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
        let mut words = Words::default();
        for (line, f) in rows(WORDS) {
            let (Some(class), Some(phrase)) = (f.first(), f.get(1)) else {
                return Err(bad("words.tsv", line, "expected 3 columns"));
            };
            let Some(class) = WORD_CLASSES.iter().find(|c| *c == class) else {
                return Err(bad("words.tsv", line, "unknown class"));
            };
            let phrase = phrase.trim().to_lowercase();
            let value = f.get(2).map_or(String::new(), |v| v.trim().to_string());
            words.sets.entry(class).or_default().insert(phrase.clone());
            words.lists.entry(class).or_default().push((phrase, value));
        }
        for class in WORD_CLASSES {
            let list = words.lists.get_mut(class).ok_or_else(|| {
                LexiconError(format!("lexicons/words.tsv: class {class} has no rows"))
            })?;
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
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
