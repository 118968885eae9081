//! Geoparsing: finds every place named in a text (names, alternate and contested names,
//! demonyms) and resolves each to one gazetteer entry using the rest of the text as context.
//!
//! Pure: the gazetteer is built from entries handed in, and `geoparse` is a function of the text
//! and that gazetteer. It is `Sync` and shared across threads.

mod fold;
mod resolve;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use model::{CountryCode, GazetteerEntry, GeoPoint, Toponym};

pub use fold::fold;

/// Context a document gives beyond its text.
#[derive(Clone, Copy, Debug, Default)]
pub struct GeoContext {
    /// The publisher's country, a weak hint for ambiguous names.
    pub publisher_country: Option<CountryCode>,
}

/// What a name in the index can refer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Referent {
    Place(usize),
    Country(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub referent: Referent,
    /// The text used an adjective or demonym ("Azerbaijani").
    pub demonym: bool,
}

/// The gazetteer, indexed for finding names in text.
#[derive(Debug)]
pub struct Gazetteer {
    pub(crate) places: Vec<GazetteerEntry>,
    pub(crate) countries: Vec<GazetteerEntry>,
    automaton: AhoCorasick,
    /// For pattern `i`, the places it can name.
    candidates: Vec<Vec<Candidate>>,
}

/// Capitalised words that are place names somewhere but nearly always something else in news.
const NOT_PLACES: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "Of",
    "As",
    "Is",
    "It",
    "He",
    "She",
    "We",
    "They",
    "This",
    "That",
    "March",
    "May",
    "Police",
    "Army",
    "Union",
    "Mobile",
    "Nice",
    "Bath",
    "Reading",
    "Split",
    "Male",
    "Victoria",
    "Lincoln",
    "Sale",
    "Hope",
    "Grad",
    "Human",
    "Rights",
    "Ministry",
    "Defense",
    "Defence",
    "Republic",
    "Convention",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Stop",
    "Start",
    "Because",
    "International",
    "President",
    "General",
    "Mission",
    "Liberty",
    "Independence",
    "Progress",
    "Unity",
    "Hospital",
    "Church",
    "Center",
    "Centre",
    "Mine",
    "Smerch",
    "Uragan",
    "Tochka",
    "Lancet",
    "Iskander",
    "Harop",
    "Kalibr",
];

impl Gazetteer {
    /// Indexes `places` (from the `gazetteer` crate) together with ombud's country table.
    pub fn new(places: Vec<GazetteerEntry>) -> Gazetteer {
        let countries: Vec<GazetteerEntry> = model::countries()
            .iter()
            .filter_map(|c| {
                Some(GazetteerEntry {
                    geonameid: c.geonameid,
                    name: c.name.clone(),
                    alt_names: c.alt_names.clone(),
                    point: GeoPoint::new(c.lat, c.lon)?,
                    country: Some(c.code),
                    admin1: String::new(),
                    admin2: String::new(),
                    feature: model::Feature::Country,
                    population: c.population,
                })
            })
            .collect();
        let mut patterns: Vec<String> = Vec::new();
        let mut candidates: Vec<Vec<Candidate>> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut add = |name: &str, cand: Candidate| {
            let name = name.trim();
            if name.chars().count() < 2 || NOT_PLACES.contains(&name) {
                return;
            }
            for variant in [name.to_string(), fold(name)] {
                let key = variant.to_ascii_lowercase();
                let i = *index.entry(key).or_insert_with(|| {
                    patterns.push(variant.clone());
                    candidates.push(Vec::new());
                    patterns.len() - 1
                });
                if !candidates[i].contains(&cand) {
                    candidates[i].push(cand);
                }
            }
        };
        for (i, c) in countries.iter().enumerate() {
            let cand = Candidate {
                referent: Referent::Country(i),
                demonym: false,
            };
            add(&c.name, cand);
            for alt in &c.alt_names {
                add(alt, cand);
            }
            let demonyms = model::countries()
                .iter()
                .find(|k| Some(k.code) == c.country)
                .map(|k| k.demonyms.clone());
            for d in demonyms.unwrap_or_default() {
                add(
                    &d,
                    Candidate {
                        referent: Referent::Country(i),
                        demonym: true,
                    },
                );
            }
        }
        for (i, p) in places.iter().enumerate() {
            let cand = Candidate {
                referent: Referent::Place(i),
                demonym: false,
            };
            add(&p.name, cand);
            for alt in &p.alt_names {
                add(alt, cand);
            }
        }
        // Internal invariant: patterns are plain strings; building only fails past memory limits.
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .unwrap_or_else(|e| panic!("cannot index the gazetteer: {e}"));
        Gazetteer {
            places,
            countries,
            automaton,
            candidates,
        }
    }

    /// Number of places (not counting countries).
    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    pub(crate) fn entry(&self, r: Referent) -> &GazetteerEntry {
        match r {
            Referent::Place(i) => &self.places[i],
            Referent::Country(i) => &self.countries[i],
        }
    }

    /// Every place named in `text`, resolved, in text order.
    pub fn geoparse(&self, text: &str, ctx: &GeoContext) -> Vec<Toponym> {
        let mut mentions = Vec::new();
        for m in self.automaton.find_iter(text) {
            let span = model::Span::new(m.start(), m.end());
            let matched = &text[span.start..span.end];
            let before = text[..span.start].chars().next_back();
            let after = text[span.end..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            if !matched.chars().next().is_some_and(|c| c.is_uppercase())
                || NOT_PLACES.contains(&matched)
            {
                continue;
            }
            mentions.push((span, &self.candidates[m.pattern().as_usize()]));
        }
        resolve::resolve(self, text, &mentions, ctx)
    }

    /// Places whose name or alternate name is `name` (case- and diacritic-insensitive).
    pub fn lookup(&self, name: &str) -> Vec<&GazetteerEntry> {
        let key = fold(name.trim()).to_ascii_lowercase();
        let mut out: Vec<&GazetteerEntry> = Vec::new();
        for e in self.countries.iter().chain(self.places.iter()) {
            let hit = std::iter::once(&e.name)
                .chain(e.alt_names.iter())
                .any(|n| fold(n).to_ascii_lowercase() == key);
            if hit {
                out.push(e);
            }
        }
        out
    }
}
