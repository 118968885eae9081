//! Copies: documents that are near-duplicates of each other (a republished wire story, a
//! lightly edited reprint, one statement run by several outlets). Each document gets a MinHash
//! sketch of its word 5-shingles; documents whose sketches agree on a whole band (locality-
//! sensitive hashing) are candidates, found through an index of band keys rather than by
//! comparing every pair, and a candidate is a copy when the shingles the two texts share are
//! at least `COPY_THRESHOLD` of the shingles of the shorter.
//!
//! The thresholds are measured by `cargo xtask eval copies` (docs/QUALITY.md).

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 5;
/// MinHash values in a sketch.
pub const SKETCH_SIZE: usize = 40;
/// Values per band: two documents are candidates when they agree on all values of one band.
pub const BAND_ROWS: usize = 4;
/// Bands per sketch.
pub const BANDS: usize = SKETCH_SIZE / BAND_ROWS;
/// Share of the shorter text's shingles the two texts must share to be copies (containment:
/// a reprint that adds a paragraph of its own is still a copy).
pub const COPY_THRESHOLD: f64 = 0.6;
/// Texts with fewer words than this are too short to call copies of anything (a headline, a
/// one-line feed item): two outlets may write the same few words independently.
pub const MIN_WORDS: usize = 12;

/// SplitMix64's finaliser: a strong, fixed mixing function (no randomness, no seed state).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a of a string, then mixed.
fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// The words of a text as shingles are made of: lower case, letters and digits only.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The hashes of a text's word 5-shingles, distinct, sorted.
pub fn shingle_hashes(text: &str) -> Vec<u64> {
    let words = words(text);
    let mut out: Vec<u64> = if words.len() < SHINGLE_WORDS {
        vec![hash_str(&words.join(" "))]
    } else {
        words
            .windows(SHINGLE_WORDS)
            .map(|w| hash_str(&w.join(" ")))
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// A document's MinHash sketch, or `None` for a text too short to be a copy of anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sketch(pub [u32; SKETCH_SIZE]);

impl Sketch {
    pub fn of(text: &str) -> Option<Sketch> {
        if words(text).len() < MIN_WORDS {
            return None;
        }
        Some(Sketch::of_hashes(&shingle_hashes(text)))
    }

    fn of_hashes(hashes: &[u64]) -> Sketch {
        let mut out = [u32::MAX; SKETCH_SIZE];
        for &h in hashes {
            for (i, slot) in out.iter_mut().enumerate() {
                let v = (mix(h ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)) >> 32) as u32;
                if v < *slot {
                    *slot = v;
                }
            }
        }
        Sketch(out)
    }

    /// The keys of its bands, as the store indexes them.
    pub fn band_keys(&self) -> Vec<i64> {
        self.0
            .chunks(BAND_ROWS)
            .enumerate()
            .map(|(band, rows)| {
                let mut h = mix(band as u64 + 1);
                for &r in rows {
                    h = mix(h ^ u64::from(r));
                }
                h as i64
            })
            .collect()
    }

    /// Written as hex, for the store.
    pub fn encode(&self) -> String {
        self.0.iter().map(|v| format!("{v:08x}")).collect()
    }

    pub fn decode(s: &str) -> Option<Sketch> {
        if s.len() != SKETCH_SIZE * 8 {
            return None;
        }
        let mut out = [0u32; SKETCH_SIZE];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = u32::from_str_radix(s.get(i * 8..i * 8 + 8)?, 16).ok()?;
        }
        Some(Sketch(out))
    }
}

/// The share of the shorter text's shingles the two texts share (containment of the shorter).
pub fn containment(a: &str, b: &str) -> f64 {
    contained(&shingle_hashes(a), &shingle_hashes(b))
}

/// `containment` over two texts' shingle hashes as `shingle_hashes` gives them (sorted, unique).
pub fn contained(a: &[u64], b: &[u64]) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < small.len() && j < large.len() {
        match small[i].cmp(&large[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / small.len() as f64
}

/// Share of the shorter text's names (capitalised words: places, people, bodies, months) that
/// the other must have. Formulaic reports of different events (a ministry's bulletin, a wire's
/// template: "X was shelled on D. Officials said ...") share most of their shingles and differ
/// in exactly these words; a reprint keeps them.
pub const NAMES_AGREE: f64 = 0.8;

/// What deciding whether two texts are copies needs of each, computed once per text.
#[derive(Clone, Debug, Default)]
pub struct Fingerprint {
    /// Its word 5-shingles (`shingle_hashes`).
    pub shingles: Vec<u64>,
    /// Its capitalised words (not those all in capitals), lower-cased and hashed, distinct,
    /// sorted.
    pub names: Vec<u64>,
    /// How many words it has.
    pub words: usize,
}

impl Fingerprint {
    pub fn of(text: &str) -> Fingerprint {
        let mut names: Vec<u64> = text
            .split(|c: char| !c.is_alphanumeric())
            // Capitalised, not shouted: a headline in capitals is not a name.
            .filter(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().any(char::is_lowercase)
            })
            .map(|w| hash_str(&w.to_lowercase()))
            .collect();
        names.sort_unstable();
        names.dedup();
        Fingerprint {
            shingles: shingle_hashes(text),
            names,
            words: words(text).len(),
        }
    }

    /// True when the two texts are copies of each other: both long enough, the shorter's
    /// shingles contained in the other at `COPY_THRESHOLD`, and its names in the other's at
    /// `NAMES_AGREE`.
    pub fn copies(&self, other: &Fingerprint) -> bool {
        if self.words < MIN_WORDS || other.words < MIN_WORDS {
            return false;
        }
        contained(&self.shingles, &other.shingles) >= COPY_THRESHOLD && self.names_agree(other)
    }

    /// True when the shorter text's names are in the other's at `NAMES_AGREE`.
    pub fn names_agree(&self, other: &Fingerprint) -> bool {
        // The share of one text's names the other has.
        let kept = |short: &Fingerprint, long: &Fingerprint| -> bool {
            if short.names.is_empty() {
                return true;
            }
            let kept = short
                .names
                .iter()
                .filter(|n| long.names.binary_search(n).is_ok())
                .count();
            kept as f64 / short.names.len() as f64 >= NAMES_AGREE
        };
        match self.shingles.len().cmp(&other.shingles.len()) {
            std::cmp::Ordering::Less => kept(self, other),
            std::cmp::Ordering::Greater => kept(other, self),
            // Neither is the shorter: both ways, so the answer does not depend on which is asked.
            std::cmp::Ordering::Equal => kept(self, other) && kept(other, self),
        }
    }
}

/// True when two texts are copies of each other (`Fingerprint::copies`).
pub fn is_copy(a: &str, b: &str) -> bool {
    Fingerprint::of(a).copies(&Fingerprint::of(b))
}

/// The share of sketch values two sketches agree on: an estimate of their texts' Jaccard
/// similarity, cheap enough to screen candidates before their words are compared.
pub fn estimate(a: &Sketch, b: &Sketch) -> f64 {
    a.0.iter().zip(&b.0).filter(|(x, y)| x == y).count() as f64 / SKETCH_SIZE as f64
}

/// Candidates whose sketches agree on fewer values than this are not compared word by word
/// (a copy by containment of 0.6 has a Jaccard similarity well above it).
pub const SCREEN: f64 = 0.2;

/// A band key filed under more originals than this is common: fixed phrases of a template or a
/// publisher's boilerplate, shared by reports that are not copies. Common bands are not used to
/// find candidates (each document has nine others), so the cost of finding a document's copies
/// stays bounded however large the store grows.
pub const COMMON_BAND: usize = 20;

/// Days between the publication of an original and its copies at most. Formulaic reports (a
/// ministry's daily bulletin, a wire's template) can share most of their words and still tell
/// different events months apart; a reprint follows its original within weeks.
pub const REPRINT_DAYS: i64 = 30;

/// True when documents published on these dates may be copies (undated ones always may).
pub fn within_reprint_window(a: Option<model::Date>, b: Option<model::Date>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a.to_days() - b.to_days()).abs() <= REPRINT_DAYS,
        _ => true,
    }
}

/// True when two sketches agree on at least one whole band (LSH candidates).
pub fn candidates(a: &Sketch, b: &Sketch) -> bool {
    a.band_keys()
        .iter()
        .zip(b.band_keys())
        .any(|(x, y)| *x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIRE: &str = "A missile struck a residential area of Ganja overnight, killing ten civilians and wounding dozens, officials said on Sunday. Rescue workers searched the rubble of a five-storey building as relatives waited nearby. Armenia's defence ministry denied firing at the city.";

    #[test]
    fn a_reprint_is_a_copy_and_another_story_is_not() {
        let reprint = format!("{WIRE} The regional paper adds that schools were closed on Monday.");
        let edited = WIRE
            .replace("ten civilians", "10 civilians")
            .replace("dozens", "more than 30");
        let other = "Shelling hit Stepanakert on Sunday evening, damaging the maternity hospital and cutting power to several districts, the local emergency service said in a statement.";
        assert!(is_copy(WIRE, &reprint), "{}", containment(WIRE, &reprint));
        assert!(is_copy(WIRE, &edited), "{}", containment(WIRE, &edited));
        assert!(!is_copy(WIRE, other), "{}", containment(WIRE, other));
        assert!(
            !is_copy("Missile strike on Ganja.", "Missile strike on Ganja."),
            "too short"
        );
        let (a, b) = (Sketch::of(WIRE).unwrap(), Sketch::of(&reprint).unwrap());
        assert!(candidates(&a, &b), "near-identical texts share a band");
        assert_eq!(Sketch::decode(&a.encode()), Some(a.clone()));
        assert!(!candidates(&a, &Sketch::of(other).unwrap()));
    }

    #[test]
    fn formulaic_reports_of_other_events_are_not_copies() {
        let a = "Chiba was shelled on 2 June 2020. Local officials said a drone struck a residential street, killing 8 civilians and wounding 7 others.";
        let b = "Osasco was shelled on 2 June 2020. Local officials said a drone struck a residential street, killing 8 civilians and wounding 7 others.";
        assert!(
            containment(a, b) >= COPY_THRESHOLD,
            "the words alone say copy"
        );
        assert!(!is_copy(a, b), "another place is another event");
        let (x, y) = (
            Fingerprint::of(a),
            Fingerprint::of(&b.replace("Local officials", "Officials")),
        );
        assert_eq!(x.copies(&y), y.copies(&x), "the same answer both ways");
        assert!(is_copy(a, &a.replace("8 civilians", "eight civilians")));
        assert!(within_reprint_window(
            None,
            Some(model::Date::new(2020, 6, 2).unwrap())
        ));
    }
}
