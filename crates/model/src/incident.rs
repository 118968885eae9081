//! Incidents: claims about the same moment in time and space, with ranges, sources and a grade.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    CasualtyGroup, CasualtyOutcome, Claim, CountryCode, Date, DatePrecision, EventType, Publisher,
    Span, SubEventType,
};

/// A claim's stable identity, derived from its content and never from its position in a list:
/// the SHA-256 of its document, the byte span of its sentence and the span of its event word.
/// Re-reading the same document with the same rules gives the same ids; `repeat` tells apart
/// the rare claims that share all three (counted in the order extraction gives them).
///
/// Written as `SHA256:START-END:EVSTART-EVEND` (`SHA256:START-END` without an event word), with
/// `~N` after it when `repeat` is N > 0.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClaimId {
    pub document: String,
    pub sentence: Span,
    pub event: Option<Span>,
    pub repeat: u32,
}

impl ClaimId {
    /// The ids of a document's claims, in the order extraction gave them.
    pub fn derive(document: &str, claims: &[Claim]) -> Vec<ClaimId> {
        let mut out: Vec<ClaimId> = Vec::with_capacity(claims.len());
        for c in claims {
            let mut id = ClaimId {
                document: document.to_string(),
                sentence: c.sentence,
                event: c.event_word,
                repeat: 0,
            };
            id.repeat = out
                .iter()
                .filter(|o| o.sentence == id.sentence && o.event == id.event)
                .count() as u32;
            out.push(id);
        }
        out
    }

    /// The short form people read in tables: the document's first 12 hex digits and the spans.
    pub fn short(&self) -> String {
        let full = self.to_string();
        match full.split_once(':') {
            Some((doc, rest)) => format!("{}:{rest}", doc.get(..12).unwrap_or(doc)),
            None => full,
        }
    }

    /// How much of two claims' words are the same: 0 when their sentences do not overlap, else
    /// the overlap of their sentences (as a share of the longer) plus that of their event words.
    /// Re-extraction maps an old claim to the new claim it overlaps most.
    pub fn overlap(&self, other: &ClaimId) -> f64 {
        if self.document != other.document || !self.sentence.overlaps(other.sentence) {
            return 0.0;
        }
        let share = |a: Span, b: Span| {
            let common = a.end.min(b.end).saturating_sub(a.start.max(b.start));
            common as f64 / a.len().max(b.len()).max(1) as f64
        };
        let event = match (self.event, other.event) {
            (Some(a), Some(b)) => share(a, b),
            (None, None) => 0.5,
            _ => 0.0,
        };
        share(self.sentence, other.sentence) + event
    }

    /// Where this claim went in a new reading of its document: itself when it is still there,
    /// else the new claim its words overlap most (ties to the first), else none.
    pub fn best_match<'a>(&self, candidates: &'a [ClaimId]) -> Option<&'a ClaimId> {
        if let Some(same) = candidates.iter().find(|c| *c == self) {
            return Some(same);
        }
        let mut best: Option<(&ClaimId, f64)> = None;
        for c in candidates {
            let score = self.overlap(c);
            if score > 0.0 && best.is_none_or(|(_, b)| score > b) {
                best = Some((c, score));
            }
        }
        best.map(|(c, _)| c)
    }
}

impl fmt::Display for ClaimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}-{}",
            self.document, self.sentence.start, self.sentence.end
        )?;
        if let Some(e) = self.event {
            write!(f, ":{}-{}", e.start, e.end)?;
        }
        if self.repeat > 0 {
            write!(f, "~{}", self.repeat)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ClaimId {
    type Err = String;

    fn from_str(s: &str) -> Result<ClaimId, String> {
        let bad = || format!("{s:?} is not a claim id (SHA256:START-END:START-END)");
        let (body, repeat) = match s.split_once('~') {
            Some((b, n)) => (b, n.parse::<u32>().map_err(|_| bad())?),
            None => (s, 0),
        };
        let mut parts = body.split(':');
        let document = parts.next().filter(|d| !d.is_empty()).ok_or_else(bad)?;
        let span = |p: Option<&str>| -> Result<Option<Span>, String> {
            let Some(p) = p else { return Ok(None) };
            let (a, b) = p.split_once('-').ok_or_else(bad)?;
            let (a, b) = (
                a.parse::<usize>().map_err(|_| bad())?,
                b.parse::<usize>().map_err(|_| bad())?,
            );
            if a > b {
                return Err(bad());
            }
            Ok(Some(Span::new(a, b)))
        };
        let sentence = span(parts.next())?.ok_or_else(bad)?;
        let event = span(parts.next())?;
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(ClaimId {
            document: document.to_string(),
            sentence,
            event,
            repeat,
        })
    }
}

impl Serialize for ClaimId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClaimId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ClaimId, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
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
    /// The body or person the claim traces to, and the side it speaks for.
    pub origin: Origin,
    /// The document the claim's document is a copy of (republished wire copy, a reprint), if
    /// any: a copy adds no independent source.
    #[serde(default)]
    pub copy_of: Option<String>,
}

/// Whom an origin speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// A party to the conflict (its government, ministries, forces and aligned outlets).
    Party(CountryCode),
    /// No party: an NGO, a UN body, a wire service's own reporting, an outlet aligned with none.
    Independent,
}

impl Serialize for Side {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Side::Party(c) => s.serialize_str(c.as_str()),
            Side::Independent => s.serialize_str("independent"),
        }
    }
}

impl<'de> Deserialize<'de> for Side {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Side, D::Error> {
        let s = String::deserialize(d)?;
        Side::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{s:?} is not a side (a country code or independent)"
            ))
        })
    }
}

impl Side {
    /// "independent", or an ISO country code for a party.
    pub fn parse(s: &str) -> Option<Side> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("independent") || s.eq_ignore_ascii_case("none") {
            Some(Side::Independent)
        } else {
            CountryCode::new(s).map(Side::Party)
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Side::Party(c) => f.write_str(c.as_str()),
            Side::Independent => f.write_str("independent"),
        }
    }
}

/// The body or person a claim traces to: the quoted speaker when there is one (normalised
/// through the origins registry, so one body under several names is one origin), else the
/// publisher (of the original, for a copy).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Origin {
    /// The registry's name for the body, or the name as written when the registry has none.
    pub name: String,
    /// The side it speaks for; `None` when nobody said (unknown stays unknown).
    pub side: Option<Side>,
    /// What kind of body (NGO, UN, government, media...).
    #[serde(default)]
    pub kind: crate::SourceKind,
}

impl Origin {
    /// The key origins are compared by: one body however its name was written.
    pub fn key(&self) -> String {
        normalise_name(&self.name)
    }

    /// An NGO or UN body speaking for no party.
    pub fn is_independent_body(&self) -> bool {
        self.side == Some(Side::Independent) && self.kind.is_investigator()
    }
}

/// A body's name as origins are compared: lower case, British spelling, no leading article,
/// straight apostrophes, single spaces.
pub fn normalise_name(name: &str) -> String {
    let lower = name
        .to_lowercase()
        .replace("defense", "defence")
        .replace(['’', '`'], "'");
    let words: Vec<&str> = lower.split_whitespace().collect();
    let words = match words.first() {
        Some(&"the") => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
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

/// When an incident happened: the span of its claims' most precise dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: Date,
    pub end: Date,
    pub precision: DatePrecision,
}

/// An alleged perpetrator.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Perpetrator {
    pub name: String,
    pub country: Option<CountryCode>,
    /// State forces, a militia...; `None` when no claim says.
    #[serde(default)]
    pub kind: Option<crate::ActorKind>,
}

/// One reason for a grade, with the claims it rests on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeReason {
    pub reason: String,
    pub claims: Vec<ClaimId>,
}

/// The harm an incident's independent origins report, as ranges (`None`: nobody gave it).
/// Counts of people without a group ("nine people were killed") join the civilian range when
/// the incident's claims say the victims were civilians; otherwise they stay unspecified.
/// `killed` and `injured` are the totals over every group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Casualties {
    pub civilian_killed: Option<NumberRange>,
    pub civilian_injured: Option<NumberRange>,
    pub military_killed: Option<NumberRange>,
    pub military_injured: Option<NumberRange>,
    pub unspecified_killed: Option<NumberRange>,
    pub unspecified_injured: Option<NumberRange>,
    pub missing: Option<NumberRange>,
    pub killed: Option<NumberRange>,
    pub injured: Option<NumberRange>,
}

impl Casualties {
    /// The ranges by group and outcome (the totals left out), for people to read.
    pub fn ranges(&self) -> Vec<CasualtyRange> {
        use crate::{CasualtyGroup as G, CasualtyOutcome as O};
        [
            (G::Civilian, O::Killed, self.civilian_killed),
            (G::Civilian, O::Injured, self.civilian_injured),
            (G::Military, O::Killed, self.military_killed),
            (G::Military, O::Injured, self.military_injured),
            (G::Unspecified, O::Killed, self.unspecified_killed),
            (G::Unspecified, O::Injured, self.unspecified_injured),
            (G::Unspecified, O::Missing, self.missing),
        ]
        .into_iter()
        .filter_map(|(group, outcome, range)| {
            range.map(|range| CasualtyRange {
                group,
                outcome,
                range,
            })
        })
        .collect()
    }

    /// The range of a group and outcome.
    pub fn get(&self, group: CasualtyGroup, outcome: CasualtyOutcome) -> Option<NumberRange> {
        self.ranges()
            .into_iter()
            .find(|r| r.group == group && r.outcome == outcome)
            .map(|r| r.range)
    }
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

impl CasualtyRange {
    /// "civilian killed 9-10" for people to read.
    pub fn label(&self) -> String {
        let n = match (self.range.min, self.range.max) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a}-{b}"),
            (Some(a), None) => format!("{a}+"),
            (None, Some(b)) => format!("≤{b}"),
            (None, None) => "?".to_string(),
        };
        format!("{} {} {n}", self.group.as_str(), self.outcome.as_str())
    }
}

impl Perpetrator {
    /// "Armenian forces", or "the army (AM)" when the name does not say whose.
    pub fn label(&self) -> String {
        match self.country {
            Some(c) if !self.name.contains(c.name()) => format!("{} ({c})", self.name),
            _ => self.name.clone(),
        }
    }
}

impl Incident {
    /// "2020-10-28", "2020-10-10..2020-10-11", or "?" when no claim dates it.
    pub fn period_label(&self) -> String {
        match (self.date_start, self.date_end) {
            (Some(s), Some(e)) if s == e => s.to_string(),
            (Some(s), Some(e)) => format!("{s}..{e}"),
            (Some(s), None) => s.to_string(),
            _ => "?".to_string(),
        }
    }
}

/// Claims that refer to the same moment in time and space. Serialised as it is, this is the
/// incident contract of `ombud incidents --json` and the JSON Lines export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    /// Ids of incidents that joined this one and still find it (filled when read).
    #[serde(default)]
    pub aliases: Vec<IncidentId>,
    /// When it happened: the span of the claims' most precise dates.
    pub date: Option<Period>,
    /// The start of `date` (flat, for tables and sorting).
    pub date_start: Option<Date>,
    /// The end of `date`.
    pub date_end: Option<Date>,
    pub date_precision: Option<DatePrecision>,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub places: Vec<IncidentPlace>,
    /// Canonical weapon names, sorted.
    pub weapons: Vec<String>,
    /// Alleged perpetrators, one name per country.
    pub perpetrators: Vec<Perpetrator>,
    pub civilian_targeting: bool,
    pub casualties: Casualties,
    pub grade: Grade,
    /// Why the grade is what it is, each reason with the claims it rests on.
    pub grade_reasons: Vec<GradeReason>,
    /// Independent origins asserting the incident (copies and relays of one origin count once).
    pub origins_for: Vec<Origin>,
    /// Independent origins denying it.
    pub origins_against: Vec<Origin>,
    pub n_independent_sources: usize,
    pub n_claims: usize,
    pub n_documents: usize,
    /// The publishers of the documents behind it, in name order (ACLED's `source`).
    #[serde(default)]
    pub publishers: Vec<String>,
    /// Where cluster munitions or mines are alleged: whether each alleged user was bound by the
    /// treaty that bans them on the event's date.
    #[serde(default)]
    pub treaty: Vec<crate::TreatyStatus>,
    /// The decisions in force that shaped it (merges, splits, corrections, a grade set by hand).
    #[serde(default)]
    pub decisions: Vec<crate::DecisionId>,
    pub claims: Vec<ClaimId>,
}
