//! Filters for `ombud incidents` and `ombud claims`.

use geocode::Gazetteer;
use model::{Date, Grade, Incident, Stance};
use store::StoredClaim;

/// Which incidents to list. Text filters match case-insensitively on part of a name.
#[derive(Clone, Debug, Default)]
pub struct IncidentFilter {
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub place: Option<String>,
    /// GeoNames ids the place name resolves to (any of its names: Khankendi finds Stepanakert).
    pub place_ids: Vec<u64>,
    pub weapon: Option<String>,
    pub event_type: Option<String>,
    pub actor: Option<String>,
    pub grade: Option<Grade>,
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

impl IncidentFilter {
    /// Resolves `--place` through the gazetteer so every name of a place finds it.
    pub fn resolve_place(&mut self, gazetteer: &Gazetteer) {
        if let Some(name) = &self.place {
            self.place_ids = gazetteer
                .lookup(name)
                .iter()
                .map(|e| e.geonameid)
                .filter(|id| *id != 0)
                .collect();
        }
    }

    pub fn matches(&self, i: &Incident) -> bool {
        let overlaps_since = self
            .since
            .is_none_or(|s| i.date_end.or(i.date_start).is_some_and(|d| d >= s));
        let overlaps_until = self
            .until
            .is_none_or(|u| i.date_start.is_some_and(|d| d <= u));
        let place = self.place.as_deref().is_none_or(|p| {
            i.places.iter().any(|pl| {
                contains(&pl.name, p)
                    || pl.written.iter().any(|w| contains(w, p))
                    || self.place_ids.contains(&pl.geonameid)
            })
        });
        let weapon = self
            .weapon
            .as_deref()
            .is_none_or(|w| i.weapons.iter().any(|x| contains(x, w)));
        let event_type = self.event_type.as_deref().is_none_or(|t| {
            contains(i.event_type.as_str(), t) || contains(i.sub_event_type.as_str(), t)
        });
        let actor = self.actor.as_deref().is_none_or(|a| {
            i.perpetrators.iter().any(|(name, country)| {
                contains(name, a)
                    || country.is_some_and(|c| {
                        c.as_str().eq_ignore_ascii_case(a) || contains(c.name(), a)
                    })
            })
        });
        let grade = self.grade.is_none_or(|g| i.grade == g);
        overlaps_since && overlaps_until && place && weapon && event_type && actor && grade
    }
}

/// Which claims to list.
#[derive(Clone, Debug, Default)]
pub struct ClaimFilter {
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub stance: Option<Stance>,
    pub speaker: Option<String>,
    pub event_type: Option<String>,
}

impl ClaimFilter {
    pub fn matches(&self, c: &StoredClaim) -> bool {
        let date = c.claim.date.as_ref();
        self.since.is_none_or(|s| date.is_some_and(|d| d.end >= s))
            && self
                .until
                .is_none_or(|u| date.is_some_and(|d| d.start <= u))
            && self.stance.is_none_or(|s| c.claim.stance == s)
            && self.speaker.as_deref().is_none_or(|s| {
                c.claim.speaker.as_ref().map_or_else(
                    || contains("publisher", s),
                    |sp| {
                        contains(&sp.name, s) || sp.role.as_deref().is_some_and(|r| contains(r, s))
                    },
                )
            })
            && self.event_type.as_deref().is_none_or(|t| {
                contains(c.claim.event_type.as_str(), t)
                    || contains(c.claim.sub_event_type.as_str(), t)
            })
    }
}
