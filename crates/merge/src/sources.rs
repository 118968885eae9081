//! Independence of sources: an origin (a quoted body, or the publisher in its own voice) is one
//! source however many outlets relay it, and syndicated copies of the same text count once.

use std::collections::{BTreeMap, HashMap};

use model::{ClaimId, ClaimRecord, Origin, Stance};

/// Word trigrams of a sentence, for recognising copies.
fn shingles(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out: Vec<String> = words.windows(3).map(|w| w.join(" ")).collect();
    if out.is_empty() && !words.is_empty() {
        out.push(words.join(" "));
    }
    out.sort();
    out.dedup();
    out
}

/// Share of trigrams two sentences have in common (Jaccard).
fn similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
    common as f64 / (a.len() + b.len() - common) as f64
}

/// For each claim, the claim whose origin it speaks with: the first earlier claim of another
/// publisher whose sentence it nearly copies (followed to that claim's own), else itself.
///
/// Claims are compared by distinct sentence: for each, the earliest claim having it and the
/// earliest of another publisher than that one are enough to find the first earlier claim of
/// any publisher but a given one. So ten thousand reprints of one sentence cost one comparison
/// each, not ten thousand.
pub(crate) fn copied_from(claims: &[&ClaimRecord]) -> Vec<usize> {
    struct Sentence {
        shingles: Vec<String>,
        /// The earliest claim with this sentence.
        first: usize,
        /// The earliest with it from another publisher than `first`'s.
        other: Option<usize>,
    }
    let mut sentences: Vec<Sentence> = Vec::new();
    let mut by_shingles: HashMap<Vec<String>, usize> = HashMap::new();
    let mut root: Vec<usize> = (0..claims.len()).collect();
    for i in 0..claims.len() {
        let shingled = shingles(&claims[i].sentence_text);
        let publisher = &claims[i].publisher.name;
        let earliest = sentences
            .iter()
            .filter_map(|s| {
                let j = if claims[s.first].publisher.name != *publisher {
                    s.first
                } else {
                    s.other?
                };
                (similarity(&shingled, &s.shingles) >= 0.6).then_some(j)
            })
            .min();
        if let Some(j) = earliest {
            root[i] = root[j];
        }
        match by_shingles.get(&shingled) {
            Some(&k) => {
                let s = &mut sentences[k];
                if s.other.is_none() && claims[s.first].publisher.name != *publisher {
                    s.other = Some(i);
                }
            }
            None => {
                by_shingles.insert(shingled.clone(), sentences.len());
                sentences.push(Sentence {
                    shingles: shingled,
                    first: i,
                    other: None,
                });
            }
        }
    }
    root
}

/// An origin and the claims that trace to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Voice {
    pub origin: Origin,
    pub claims: Vec<ClaimId>,
}

/// The independent origins asserting and denying an incident, each with its claims, in name
/// order. A claim whose sentence is a near-copy of an earlier claim's from another publisher
/// (syndication, a statement run by several outlets) speaks with that claim's origin.
pub fn independent_origins(claims: &[&ClaimRecord]) -> (Vec<Voice>, Vec<Voice>) {
    let root = copied_from(claims);
    let mut for_: BTreeMap<String, Voice> = BTreeMap::new();
    let mut against: BTreeMap<String, Voice> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        let origin = &claims[root[i]].origin;
        let side = if c.claim.stance == Stance::Denies {
            &mut against
        } else {
            &mut for_
        };
        side.entry(origin.key())
            .or_insert_with(|| Voice {
                origin: origin.clone(),
                claims: Vec::new(),
            })
            .claims
            .push(c.id.clone());
    }
    (
        for_.into_values().collect(),
        against.into_values().collect(),
    )
}

/// `copied_from` as first written, comparing each claim with every earlier one: what the tests
/// hold it to.
#[cfg(test)]
pub(crate) fn copied_from_every_pair(claims: &[&ClaimRecord]) -> Vec<usize> {
    let shingled: Vec<Vec<String>> = claims.iter().map(|c| shingles(&c.sentence_text)).collect();
    let mut root: Vec<usize> = (0..claims.len()).collect();
    for i in 0..claims.len() {
        for j in 0..i {
            let different_publishers = claims[i].publisher.name != claims[j].publisher.name;
            if different_publishers && similarity(&shingled[i], &shingled[j]) >= 0.6 {
                root[i] = root[j];
                break;
            }
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_copies_are_similar_and_others_are_not() {
        let a = shingles(
            "A missile struck a residential area of Ganja overnight, killing 10 civilians, officials said on Sunday.",
        );
        let b = shingles(
            "A missile struck a residential area of Ganja overnight, killing ten civilians, officials said on Sunday.",
        );
        let c = shingles(
            "Armenia's defence ministry denied firing at Ganja and called the reports false.",
        );
        assert!(similarity(&a, &b) >= 0.6, "{}", similarity(&a, &b));
        assert!(similarity(&a, &c) < 0.2);
    }
}
