//! Incidents: claims about the same moment in time and space, with ranges, sources and a grade.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    CasualtyGroup, CasualtyOutcome, Claim, CountryCode, Date, DatePrecision, EventType, Publisher,
    SubEventType,
};

/// A claim's stable identity: the document's SHA-256 and the claim's index in it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClaimId {
    pub document: String,
    pub index: u32,
}

impl fmt::Display for ClaimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = self.document.get(..12).unwrap_or(&self.document);
        write!(f, "{short}#{}", self.index)
    }
}

/// A claim with what merging needs to know about where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimRecord {
    pub id: ClaimId,
    pub claim: Claim,
    pub publisher: Publisher,
    pub published: Option<Date>,
    /// The text of the claim's sentence, for recognising syndicated copies.
    pub sentence_text: String,
}

/// How well an incident is corroborated, in the sense Airwars uses the words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// Admitted by the party accused, or confirmed by an independent investigation.
    Confirmed,
    /// Two or more independent sources and no denial.
    Fair,
    /// A single source.
    Weak,
    /// Denied, or attributed to competing perpetrators, without confirmation.
    Contested,
    /// Judged not to be civilian harm by this party, by review.
    Discounted,
}

impl Grade {
    pub const ALL: [Grade; 5] = [
        Grade::Confirmed,
        Grade::Fair,
        Grade::Weak,
        Grade::Contested,
        Grade::Discounted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Confirmed => "confirmed",
            Grade::Fair => "fair",
            Grade::Weak => "weak",
            Grade::Contested => "contested",
            Grade::Discounted => "discounted",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        Grade::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable incident identifier such as `inc-3f9a2c1b7d`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IncidentId(pub String);

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A closed range of numbers; where sources disagree, the range spans them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRange {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// A place of an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentPlace {
    pub name: String,
    pub geonameid: u64,
    pub lat: f64,
    pub lon: f64,
    pub country: Option<CountryCode>,
    pub admin1: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub admin2: String,
    pub precision: crate::GeoPrecision,
    /// The names the reports wrote for it, the most used first ("Stepanakert", where the
    /// gazetteer's name is Khankendi).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<String>,
}

impl IncidentPlace {
    /// The name to show a person: the one the reports used most, with the gazetteer's name
    /// beside it when they differ ("Stepanakert (Khankendi)"), so neither side's name is hidden.
    pub fn label(&self) -> String {
        match self.written.first() {
            Some(w) if !self.name.to_lowercase().contains(&w.to_lowercase()) => {
                format!("{w} ({})", self.name)
            }
            _ => self.name.clone(),
        }
    }
}

/// Casualties of one group and outcome across an incident's claims.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CasualtyRange {
    pub group: CasualtyGroup,
    pub outcome: CasualtyOutcome,
    #[serde(flatten)]
    pub range: NumberRange,
}

/// Claims that refer to the same moment in time and space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    /// The day the incident happened, or began (the start of `date_start..date_end`).
    #[serde(default)]
    pub date: Option<Date>,
    pub date_start: Option<Date>,
    pub date_end: Option<Date>,
    pub date_precision: Option<DatePrecision>,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub places: Vec<IncidentPlace>,
    /// Canonical weapon names, sorted.
    pub weapons: Vec<String>,
    /// Alleged perpetrators by name, with country where known.
    pub perpetrators: Vec<(String, Option<CountryCode>)>,
    pub civilian_targeting: bool,
    pub casualties: Vec<CasualtyRange>,
    pub grade: Grade,
    /// Why the grade is what it is, one sentence each.
    pub grade_reasons: Vec<String>,
    /// Independent sources asserting the incident (syndicated copies and relays count once).
    pub sources_for: Vec<String>,
    /// Independent sources denying it.
    pub sources_against: Vec<String>,
    pub n_independent_sources: usize,
    pub claims: Vec<ClaimId>,
}
