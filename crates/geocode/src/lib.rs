//! Geoparsing: finds every place named in a text (names, alternate and contested names,
//! demonyms) and resolves each to one gazetteer entry using the rest of the text as context.
//!
//! Pure: the gazetteer is built from entries handed in, and `geoparse` is a function of the text
//! and that gazetteer. It is `Sync` and shared across threads.
//!
//! How it works: the text is split into words (`tokens`); runs of capitalised words are looked
//! up in a hash index of every name's folded key (`index`), longest first; each match collects
//! cues (sentence start, a preposition before, a title or another capitalised word beside it,
//! the stop lists of `stoplists`); `resolve` scores every candidate place by feature, population
//! and the rest of the document, keeps the best, and keeps the mention only when the evidence that
//! it is a place outweighs the cues against.

mod fold;
mod index;
mod recognise;
mod resolve;
mod stoplists;
mod tokens;

use model::{CountryCode, Feature, GazetteerEntry, GeoPoint, Toponym};

pub use fold::{fold, name_key};

/// The word lists compiled into the geocoder, by name (they decide which words can be places).
pub fn data_sources() -> &'static [(&'static str, &'static str)] {
    stoplists::SOURCES
}
pub use resolve::Tuning;

use index::{ALT, BARE, DEMONYM, IndexBuilder, NameIndex};
use stoplists::StopLists;

/// Context a document gives beyond its text.
#[derive(Clone, Copy, Debug, Default)]
pub struct GeoContext {
    /// The publisher's country, a weak hint for ambiguous names.
    pub publisher_country: Option<CountryCode>,
}

/// The gazetteer, indexed for finding names in text.
#[derive(Debug)]
pub struct Gazetteer {
    /// Places, then countries (from `first_country` on): the places' vector is reused as it came.
    pub(crate) entries: Vec<GazetteerEntry>,
    first_country: usize,
    pub(crate) index: NameIndex,
    pub(crate) stop: StopLists,
    pub(crate) tuning: Tuning,
}

impl Gazetteer {
    /// Indexes `places` (from the `gazetteer` crate) together with ombud's country table.
    pub fn new(places: Vec<GazetteerEntry>) -> Gazetteer {
        let mut countries: Vec<GazetteerEntry> = Vec::with_capacity(260);
        countries.extend(model::countries().iter().filter_map(|c| {
            Some(GazetteerEntry {
                geonameid: c.geonameid,
                name: c.name.clone(),
                alt_names: c.alt_names.clone(),
                point: GeoPoint::new(c.lat, c.lon)?,
                country: Some(c.code),
                admin1: "".into(),
                admin2: "".into(),
                feature: Feature::Country,
                population: c.population,
            })
        }));
        // Country rows of the gazetteer refine the country table: their point and other names.
        for p in places.iter().filter(|p| p.feature == Feature::Country) {
            if let Some(c) = countries.iter_mut().find(|c| c.country == p.country) {
                c.point = p.point;
                for a in std::iter::once(&p.name).chain(&p.alt_names) {
                    if *a != c.name && !c.alt_names.contains(a) {
                        c.alt_names.push(a.clone());
                    }
                }
            }
        }
        let mut entries = places;
        entries.retain(|p| p.feature != Feature::Country);
        let first_country = entries.len();
        entries.append(&mut countries);
        // Names are reduced to keys on two threads, one half of the entries each.
        let half = entries.len() / 2;
        let mut builder = std::thread::scope(|s| {
            let all = entries.iter().map(|e| 1 + e.alt_names.len()).sum();
            let second = s.spawn(|| index_names(&entries[half..], half, 0));
            let mut first = index_names(&entries[..half], 0, all);
            let second = second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            first.append(second);
            first
        });
        for (i, e) in entries.iter().enumerate().skip(first_country) {
            let demonyms = e
                .country
                .and_then(CountryCode::country)
                .map(|c| &c.demonyms);
            for d in demonyms.into_iter().flatten() {
                builder.add(d, i as u32 | DEMONYM);
            }
        }
        // Adjectives of regions ("European", "Kurdish"): the first entry of that name and kind.
        let wanted = stoplists::region_demonyms();
        let mut found: std::collections::HashSet<(&str, Feature)> = Default::default();
        for (i, e) in entries.iter().enumerate() {
            if e.feature == Feature::City {
                continue;
            }
            for (demonym, place, feature) in &wanted {
                if e.feature == *feature && e.name == *place && found.insert((place, *feature)) {
                    builder.add(demonym, i as u32 | DEMONYM);
                }
            }
        }
        let index = builder.build();
        Gazetteer {
            entries,
            first_country,
            index,
            stop: StopLists::load(),
            tuning: Tuning::default(),
        }
    }

    /// The same gazetteer with other recognition and resolution settings (for evaluation).
    pub fn with_tuning(mut self, tuning: Tuning) -> Gazetteer {
        self.tuning = tuning;
        self
    }

    /// Number of places (not counting countries).
    pub fn len(&self) -> usize {
        self.first_country
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of distinct name keys indexed.
    pub fn name_keys(&self) -> usize {
        self.index.keys()
    }

    /// Every place named in `text`, resolved, in text order.
    pub fn geoparse(&self, text: &str, ctx: &GeoContext) -> Vec<Toponym> {
        let toks = tokens::tokenize(text);
        let mentions = recognise::mentions(self, text, &toks);
        resolve::resolve(self, text, &toks, mentions, ctx, None)
    }

    /// How `geoparse` read `text`: one line per name found, with its cues, its best candidate
    /// and whether it was kept. For tuning and bug reports; the format is not stable.
    pub fn explain(&self, text: &str, ctx: &GeoContext) -> Vec<String> {
        let toks = tokens::tokenize(text);
        let mentions = recognise::mentions(self, text, &toks);
        let mut trace = Vec::new();
        resolve::resolve(self, text, &toks, mentions, ctx, Some(&mut trace));
        trace
    }

    /// Places whose name or alternate name is `name` (case- and diacritic-insensitive),
    /// countries first, then by population.
    pub fn lookup(&self, name: &str) -> Vec<&GazetteerEntry> {
        let key = name_key(name);
        let (h, last) = index::key_prefix(&key, |_| {});
        let mut out: Vec<&GazetteerEntry> = Vec::new();
        for c in self.index.get(h.word(last).finish()) {
            let e = &self.entries[c.entry()];
            if !out.iter().any(|o| std::ptr::eq(*o, e)) {
                out.push(e);
            }
        }
        out.sort_by_key(|e| {
            (
                e.feature != Feature::Country,
                std::cmp::Reverse(e.population),
            )
        });
        out
    }
}

/// Countries whose place names are romanised from Cyrillic, Armenian or Georgian script in
/// several competing systems: their places are also indexed by romanisation skeleton.
pub(crate) const ROMANISED: &[&str] = &["UA", "RU", "BY", "MD", "AM", "AZ", "GE", "KZ"];

/// Every name, alternate name and bare division name of `entries`, which start at entry
/// `offset` of the gazetteer, in a builder with room for at least `capacity` names.
fn index_names(entries: &[GazetteerEntry], offset: usize, capacity: usize) -> IndexBuilder {
    let names: usize = entries.iter().map(|e| 1 + e.alt_names.len()).sum();
    let mut builder = IndexBuilder::with_capacity(names.max(capacity));
    for (i, e) in entries.iter().enumerate() {
        // Cast: a gazetteer holds far fewer than 2^29 entries (checked by `debug_assert`).
        debug_assert!(offset + i < (1 << 29));
        let i = (offset + i) as u32;
        builder.add(&e.name, i);
        for alt in &e.alt_names {
            builder.add(alt, i | ALT);
        }
        // Where Latin spellings of names vary most, the romanisation skeleton finds the place
        // under any of them ("Novomykhaylivka" for Novomykhailivka).
        if e.country.is_some_and(|c| ROMANISED.contains(&c.as_str())) {
            builder.add_skeleton(&e.name, i | ALT);
            for alt in e.alt_names.iter().filter(|a| a.is_ascii()) {
                builder.add_skeleton(alt, i | ALT);
            }
        }
        // "Idlib Governorate" is also "Idlib" (and so "Idlib province").
        if matches!(e.feature, Feature::Admin1 | Feature::Admin2)
            && let Some((bare, term)) = e.name.rsplit_once(' ')
            && stoplists::is_admin_term(&name_key(term))
        {
            builder.add(bare, i | ALT | BARE);
        }
    }
    builder
}
