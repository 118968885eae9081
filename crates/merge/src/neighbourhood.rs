//! Which claims could be one incident: their pairwise compatibility, and the index entries and
//! probes that find every compatible pair without comparing all claims with all others. The
//! store's index and the in-memory merge use the same entries, so they find the same pairs.

use std::collections::HashMap;

use model::{Claim, DatePrecision, EventType, GeoPrecision, PlaceRef, Stance};

use crate::MergeConfig;

/// Size of the geographic cells towns are indexed by, in degrees of latitude and longitude.
pub const CELL_DEGREES: f64 = 0.2;

/// Date ranges longer than this (in days) join no other claim: "this year" places nothing.
pub const MAX_RANGE_DAYS: i64 = 62;

/// Days a denial may lie from the event it denies: a denial is often dated by the day it was
/// made ("on Sunday the ministry denied..."), the day after a strike at night.
pub const DENIAL_SLACK_DAYS: i64 = 1;

/// Number of cells around the globe's longitude.
const CELLS_AROUND: i32 = (360.0 / CELL_DEGREES) as i32;

/// Where a claim is, as the index files it: by the place itself (regions, and places with no
/// usable point), or by the geographic cell of a town.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlaceKey {
    Place(String),
    Cell(i32, i32),
}

impl PlaceKey {
    /// The key as one string, for a database column: `g587057`, `nNagorno-Karabakh`, `c201:235`.
    pub fn encode(&self) -> String {
        match self {
            PlaceKey::Place(key) => key.clone(),
            PlaceKey::Cell(y, x) => format!("c{y}:{x}"),
        }
    }
}

/// One row of the index: a claim's event family, a place and its days.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndexEntry {
    pub event_type: EventType,
    pub place: PlaceKey,
    /// Days since 1970-01-01, inclusive.
    pub day_start: i64,
    pub day_end: i64,
}

/// The days a claim's date covers, when it can place the claim in time for merging.
pub fn days(claim: &Claim) -> Option<(i64, i64)> {
    let d = claim.date.as_ref()?;
    let (start, end) = (d.start.to_days(), d.end.to_days());
    (end - start <= MAX_RANGE_DAYS).then_some((start, end))
}

/// True when the claim dates its event to a day (or a span of at most three days).
pub fn is_precise(claim: &Claim) -> bool {
    claim.date.as_ref().is_some_and(|d| {
        d.precision == DatePrecision::Day && d.end.to_days() - d.start.to_days() <= 2
    })
}

/// True when the claim can found an incident: it dates the event to a day and tells it rather
/// than denying it. Other claims (vague dates, denials) join an incident only when exactly one
/// fits them, and two of them never make an incident between them.
pub fn founds(claim: &Claim) -> bool {
    is_precise(claim) && claim.stance != Stance::Denies
}

/// The days a claim may share with another: its own days, widened by `DENIAL_SLACK_DAYS` for
/// a denial. Both the index and compatibility use them, so every compatible pair is found.
pub fn reach(claim: &Claim) -> Option<(i64, i64)> {
    let (start, end) = days(claim)?;
    Some(if claim.stance == Stance::Denies {
        (start - DENIAL_SLACK_DAYS, end + DENIAL_SLACK_DAYS)
    } else {
        (start, end)
    })
}

/// True when the two claims' own days meet, with no slack for denials.
pub fn same_days(a: &Claim, b: &Claim) -> bool {
    match (days(a), days(b)) {
        (Some(da), Some(db)) => da.0 <= db.1 && db.0 <= da.1,
        _ => false,
    }
}

/// A claim's most precise places: a claim naming a town is about the town, not its region.
pub fn finest(places: &[PlaceRef]) -> impl Iterator<Item = &PlaceRef> {
    let best = places.iter().map(|p| p.precision).min();
    places.iter().filter(move |p| Some(p.precision) == best)
}

/// True for places matched by distance (towns, districts) rather than only by themselves.
fn located(p: &PlaceRef) -> bool {
    p.precision != GeoPrecision::Region && p.point().is_some()
}

fn cell_of(p: &PlaceRef) -> (i32, i32) {
    (
        (p.lat / CELL_DEGREES).floor() as i32,
        (p.lon / CELL_DEGREES).floor() as i32,
    )
}

fn wrap_x(x: i32) -> i32 {
    let half = CELLS_AROUND / 2;
    (x + half).rem_euclid(CELLS_AROUND) - half
}

/// The index entries of a claim: one per finest place, with the claim's days. A claim with no
/// usable date or no place has none and can join no incident but by a person's decision.
pub fn index_entries(claim: &Claim) -> Vec<IndexEntry> {
    let Some((day_start, day_end)) = reach(claim) else {
        return vec![];
    };
    let mut out: Vec<IndexEntry> = finest(&claim.places)
        .map(|p| IndexEntry {
            event_type: claim.event_type,
            place: if located(p) {
                let (y, x) = cell_of(p);
                PlaceKey::Cell(y, x)
            } else {
                PlaceKey::Place(p.key())
            },
            day_start,
            day_end,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The index entries to look up to find every claim compatible with `claim`: its regions, and
/// for its towns every cell within `max_km`. Found entries still need `compatible`.
pub fn probes(claim: &Claim, config: &MergeConfig) -> Vec<IndexEntry> {
    let Some((day_start, day_end)) = reach(claim) else {
        return vec![];
    };
    let mut out = Vec::new();
    for p in finest(&claim.places) {
        if !located(p) {
            out.push(PlaceKey::Place(p.key()));
            continue;
        }
        // The cells the box around the circle of `max_km` overlaps (one to four, mostly):
        // degrees of longitude narrow towards the poles, so the box is as wide as the circle
        // is at its most poleward latitude.
        let dlat = config.max_km / 111.32;
        let poleward = (p.lat.abs() + dlat).min(89.0);
        let dlon = (config.max_km / (111.32 * poleward.to_radians().cos())).min(180.0);
        let cell = |deg: f64| (deg / CELL_DEGREES).floor() as i32;
        for y in cell(p.lat - dlat)..=cell(p.lat + dlat) {
            for x in cell(p.lon - dlon)..=cell(p.lon + dlon) {
                out.push(PlaceKey::Cell(y, wrap_x(x)));
            }
        }
    }
    let mut entries: Vec<IndexEntry> = out
        .into_iter()
        .map(|place| IndexEntry {
            event_type: claim.event_type,
            place,
            day_start,
            day_end,
        })
        .collect();
    entries.sort();
    entries.dedup();
    entries
}

/// True when an index entry found by `probe` could belong to a compatible claim: the same
/// event family and place key, and days that meet.
pub fn probe_matches(probe: &IndexEntry, entry: &IndexEntry) -> bool {
    probe.event_type == entry.event_type
        && probe.place == entry.place
        && entry.day_start <= probe.day_end
        && entry.day_end >= probe.day_start
}

/// Values filed by event family, place key and every day of their index entries, so that the
/// values near a claim are found in time proportional to how many there are, however many
/// claims a busy town has on other days.
#[derive(Clone, Debug)]
pub struct NearIndex<T> {
    by_day: HashMap<(EventType, PlaceKey, i64), Vec<T>>,
}

impl<T> Default for NearIndex<T> {
    fn default() -> NearIndex<T> {
        NearIndex {
            by_day: HashMap::new(),
        }
    }
}

impl<T: Clone + Eq + std::hash::Hash> NearIndex<T> {
    /// Files `value` under a claim's index entries.
    pub fn insert(&mut self, entries: &[IndexEntry], value: T) {
        for e in entries {
            for day in e.day_start..=e.day_end {
                self.by_day
                    .entry((e.event_type, e.place.clone(), day))
                    .or_default()
                    .push(value.clone());
            }
        }
    }

    /// The values filed under any day of any of `probes`, each once.
    pub fn near(&self, probes: &[IndexEntry]) -> Vec<T> {
        let mut out: Vec<T> = Vec::new();
        let mut seen: std::collections::HashSet<&T> = std::collections::HashSet::new();
        for p in probes {
            for day in p.day_start..=p.day_end {
                if let Some(values) = self.by_day.get(&(p.event_type, p.place.clone(), day)) {
                    for v in values {
                        if seen.insert(v) {
                            out.push(v.clone());
                        }
                    }
                }
            }
        }
        out
    }
}

/// True when two claims could tell the same incident: the same event family, days that meet
/// (a denial's with a day of slack), at least one of them able to found an incident, and the
/// same place or towns within `max_km`.
pub fn compatible(a: &Claim, b: &Claim, config: &MergeConfig) -> bool {
    why_apart(a, b, config).is_none()
}

/// Why two claims cannot tell one incident (`None`: they can).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Apart {
    /// Different families of event (a strike and an agreement).
    OtherEvent,
    /// Neither dates the event to a day nor tells it: two vague claims make no incident.
    NeitherFounds,
    /// One of them cannot be placed in time (no date, or a period longer than two months).
    Undated,
    /// Their days do not meet.
    OtherDays,
    /// No place of one is near a place of the other.
    OtherPlaces,
    /// Both say what was hit and with what, and neither the targets' words nor the kinds of
    /// weapon have anything in common: two strikes, told apart by the reports.
    ToldApart { targets: (String, String) },
}

impl std::fmt::Display for Apart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Apart::OtherEvent => write!(f, "another kind of event"),
            Apart::NeitherFounds => write!(f, "neither claim dates a reported event to a day"),
            Apart::Undated => write!(f, "no date precise enough to place it"),
            Apart::OtherDays => write!(f, "another day"),
            Apart::OtherPlaces => write!(f, "another place"),
            Apart::ToldApart { targets } => write!(
                f,
                "another strike: \"{}\" against \"{}\", with another kind of weapon",
                targets.0, targets.1
            ),
        }
    }
}

/// The first reason two claims cannot tell one incident, checked from the cheapest.
pub fn why_apart(a: &Claim, b: &Claim, config: &MergeConfig) -> Option<Apart> {
    if a.event_type != b.event_type {
        return Some(Apart::OtherEvent);
    }
    if !(founds(a) || founds(b)) {
        return Some(Apart::NeitherFounds);
    }
    let (Some(da), Some(db)) = (reach(a), reach(b)) else {
        return Some(Apart::Undated);
    };
    if da.0 > db.1 || db.0 > da.1 {
        return Some(Apart::OtherDays);
    }
    if !finest(&a.places).any(|pa| finest(&b.places).any(|pb| same_place(pa, pb, config))) {
        return Some(Apart::OtherPlaces);
    }
    told_apart(a, b)
}

/// Everything compatibility reads of a claim: two claims of one shape are compatible with
/// exactly the same claims (`compatible`, `same_days`, `founds` read nothing else), so merging
/// compares a shape once however many claims have it: a feed of a thousand copies of one
/// sentence costs one comparison, not a million.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    event_type: EventType,
    founds: bool,
    denies: bool,
    days: Option<(i64, i64)>,
    /// The finest places: key, matched by distance, and the point's bits.
    places: Vec<(String, bool, u64, u64)>,
    /// The target's naming words, sorted; empty when there is no target.
    target: Vec<String>,
    /// The weapons' kinds, sorted (`None`: no weapon, or one that may be of any kind).
    weapons: Option<Vec<u8>>,
}

impl Shape {
    pub fn of(claim: &Claim) -> Shape {
        let mut places: Vec<(String, bool, u64, u64)> = finest(&claim.places)
            .map(|p| (p.key(), located(p), p.lat.to_bits(), p.lon.to_bits()))
            .collect();
        places.sort();
        places.dedup();
        let mut target = claim
            .target
            .as_ref()
            .map(|t| target_words(&t.text))
            .unwrap_or_default();
        target.sort();
        target.dedup();
        let weapons = (!claim.weapons.is_empty())
            .then(|| {
                claim
                    .weapons
                    .iter()
                    .map(|w| weapon_family(w.category))
                    .collect::<Option<Vec<u8>>>()
            })
            .flatten()
            .map(|mut f| {
                f.sort_unstable();
                f.dedup();
                f
            });
        Shape {
            event_type: claim.event_type,
            founds: founds(claim),
            denies: claim.stance == Stance::Denies,
            days: days(claim),
            places,
            target,
            weapons,
        }
    }
}

/// Words of a target's description that say nothing about which object it was.
const TARGET_STOPWORDS: &[&str] = &[
    "the", "a", "an", "of", "in", "on", "at", "and", "its", "their", "his", "her", "local", "city",
    "town", "village", "nearby", "several", "two", "three", "one",
];

/// The words of a target's description that name the object ("hardware", "store").
fn target_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.len() > 2 && !TARGET_STOPWORDS.contains(&w.as_str()))
        .map(|w| w.strip_suffix('s').map(str::to_string).unwrap_or(w))
        .collect()
}

/// Kinds of weapon a report may confuse with each other ("missile" and "rocket"); `None` for
/// what may be any of them (a cluster munition comes by rocket, missile or bomb; "explosives").
fn weapon_family(c: model::WeaponCategory) -> Option<u8> {
    use model::WeaponCategory as W;
    match c {
        W::BallisticMissile | W::CruiseMissile | W::Missile | W::RocketArtillery => Some(0),
        W::TubeArtillery | W::Mortar => Some(1),
        W::AirDroppedBomb | W::BarrelBomb | W::Aircraft => Some(2),
        W::Drone | W::LoiteringMunition => Some(3),
        W::Landmine | W::Ied => Some(4),
        W::SmallArms | W::Grenade => Some(5),
        W::ClusterMunition | W::Incendiary | W::Chemical | W::Explosive => None,
    }
}

/// Two claims of one place and day tell two strikes when both name what was hit and with
/// what, the targets share no word and the weapons no kind: "a guided bomb hit a hardware store"
/// and "a missile hit a printing house".
fn told_apart(a: &Claim, b: &Claim) -> Option<Apart> {
    let (ta, tb) = (a.target.as_ref()?, b.target.as_ref()?);
    let families = |c: &Claim| -> Option<Vec<u8>> {
        if c.weapons.is_empty() {
            return None;
        }
        c.weapons
            .iter()
            .map(|w| weapon_family(w.category))
            .collect()
    };
    let (fa, fb) = (families(a)?, families(b)?);
    if fa.iter().any(|f| fb.contains(f)) {
        return None;
    }
    let (wa, wb) = (target_words(&ta.text), target_words(&tb.text));
    if wa.is_empty() || wb.is_empty() || wa.iter().any(|w| wb.contains(w)) {
        return None;
    }
    Some(Apart::ToldApart {
        targets: (ta.text.clone(), tb.text.clone()),
    })
}

fn same_place(a: &PlaceRef, b: &PlaceRef, config: &MergeConfig) -> bool {
    if a.key() == b.key() {
        return true;
    }
    // Regions and countries only match themselves; towns match towns nearby.
    if !located(a) || !located(b) {
        return false;
    }
    match (a.point(), b.point()) {
        (Some(pa), Some(pb)) => pa.distance_km(pb) <= config.max_km,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{at_day, town};

    #[test]
    fn every_compatible_pair_is_found_by_a_probe() {
        let config = MergeConfig::default();
        // Towns just across cell edges, near the antimeridian and far north.
        let spots = [
            (40.399, 47.199),
            (40.401, 47.201),
            (40.45, 47.25),
            (69.99, 23.0),
            (70.03, 23.15),
            (-16.1, 179.99),
            (-16.1, -179.98),
        ];
        let claims: Vec<Claim> = spots
            .iter()
            .enumerate()
            .map(|(i, (lat, lon))| at_day(3, town(&format!("t{i}"), 100 + i as u64, *lat, *lon)))
            .collect();
        for a in &claims {
            let probes = probes(a, &config);
            for b in &claims {
                if compatible(a, b, &config) {
                    let found = index_entries(b)
                        .iter()
                        .any(|e| probes.iter().any(|p| probe_matches(p, e)));
                    assert!(found, "{:?} near {:?} not found", b.places, a.places);
                }
            }
        }
        assert!(compatible(&claims[5], &claims[6], &config), "across ±180°");
        assert!(compatible(&claims[3], &claims[4], &config), "far north");
    }

    proptest::proptest! {
        /// Two towns within reach of each other, anywhere on the globe: each one's probes
        /// find the other's index entry.
        #[test]
        fn probes_find_every_town_within_reach(
            lat in -85.0f64..85.0,
            lon in -180.0f64..180.0,
            dlat in -0.1f64..0.1,
            dlon in -0.3f64..0.3,
        ) {
            let config = MergeConfig::default();
            let other_lon = if lon + dlon > 180.0 { lon + dlon - 360.0 } else if lon + dlon < -180.0 { lon + dlon + 360.0 } else { lon + dlon };
            let a = at_day(3, town("a", 1, lat, lon));
            let b = at_day(3, town("b", 2, (lat + dlat).clamp(-89.0, 89.0), other_lon));
            if compatible(&a, &b, &config) {
                for (x, y) in [(&a, &b), (&b, &a)] {
                    let probes = probes(x, &config);
                    let found = index_entries(y)
                        .iter()
                        .any(|e| probes.iter().any(|p| probe_matches(p, e)));
                    proptest::prop_assert!(found, "{:?} not found from {:?}", y.places[0], x.places[0]);
                }
            }
        }
    }
}
