//! Independence of sources: a quoted speaker is one source however many outlets relay them, and
//! syndicated copies of the same text count once.

use std::collections::BTreeMap;

use model::{ClaimRecord, Stance};

/// Who is the origin of a claim: the speaker when quoted, else the publisher.
pub fn source_key(record: &ClaimRecord) -> String {
    match &record.claim.speaker {
        Some(s) => normalise(&s.name),
        None => normalise(&record.publisher.name),
    }
}

fn normalise(name: &str) -> String {
    name.to_lowercase()
        .replace("defense", "defence")
        .replace("’", "'")
        .trim_start_matches("the ")
        .to_string()
}

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

/// The independent sources asserting and denying an incident, as display names. Claims whose
/// sentences are near-copies of each other (syndication) share the source of the earliest.
pub(crate) fn independent_sources(claims: &[&ClaimRecord]) -> (Vec<String>, Vec<String>) {
    let shingled: Vec<Vec<String>> = claims.iter().map(|c| shingles(&c.sentence_text)).collect();
    let mut origin: Vec<usize> = (0..claims.len()).collect();
    for i in 0..claims.len() {
        for j in 0..i {
            let different_publishers = claims[i].publisher.name != claims[j].publisher.name;
            if different_publishers && similarity(&shingled[i], &shingled[j]) >= 0.6 {
                origin[i] = origin[j];
                break;
            }
        }
    }
    let mut for_: BTreeMap<String, ()> = BTreeMap::new();
    let mut against: BTreeMap<String, ()> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        let root = claims[origin[i]];
        // A publisher's own staff ("Field Evidence Watch researchers") speak as the publisher.
        let name = match &root.claim.speaker {
            Some(s)
                if !s
                    .name
                    .to_lowercase()
                    .starts_with(&root.publisher.name.to_lowercase()) =>
            {
                s.name.clone()
            }
            _ => root.publisher.name.clone(),
        };
        if c.claim.stance == Stance::Denies {
            against.insert(name, ());
        } else {
            for_.insert(name, ());
        }
    }
    // Keys are display names; two spellings of one body ("Defense"/"Defence") are one source.
    let dedup = |m: BTreeMap<String, ()>| {
        let mut seen: Vec<String> = Vec::new();
        let mut out: Vec<String> = Vec::new();
        for name in m.into_keys() {
            let key = normalise(&name);
            if !seen.contains(&key) {
                seen.push(key);
                out.push(name);
            }
        }
        out
    };
    (dedup(for_), dedup(against))
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
