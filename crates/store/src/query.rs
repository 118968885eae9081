//! What queries ask for: filters and pages, each pushed down into SQL. Text filters match
//! case-insensitively on part of a name; a page starts after the last item of the one before.

use model::{Date, Grade, Stance};

/// Where: any of the place's gazetteer ids, or its name as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaceFilter {
    /// GeoNames ids the name resolves to (Khankendi finds Stepanakert).
    pub ids: Vec<u64>,
    /// The name, matched exactly (any case) against the names incidents carry.
    pub name: String,
}

/// Which incidents, in order of date then id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IncidentQuery {
    /// Incidents that end on or after this day.
    pub since: Option<Date>,
    /// Incidents that start on or before this day.
    pub until: Option<Date>,
    pub place: Option<PlaceFilter>,
    /// Part of a weapon's name ("cluster", "Smerch").
    pub weapon: Option<String>,
    /// Part of the ACLED event or sub-event type ("shelling").
    pub event_type: Option<String>,
    /// Part of an alleged perpetrator's name, or its country (name or ISO code).
    pub actor: Option<String>,
    pub grade: Option<Grade>,
    /// Words anywhere in the incident's places, weapons, perpetrators, type or sources.
    pub text: Option<String>,
    /// At most this many.
    pub limit: Option<usize>,
    /// Start after this incident (the last id of the previous page).
    pub after: Option<String>,
}

/// How the map groups a selection of incidents: square cells `cell_e6` millionths of a degree
/// wide, inside a box (millionths of a degree too), each cell counted by `by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapGrid {
    pub cell_e6: i64,
    pub south_e6: i64,
    pub west_e6: i64,
    pub north_e6: i64,
    pub east_e6: i64,
    pub by: MapKey,
}

/// What a map cell's incidents are counted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MapKey {
    #[default]
    Grade,
    EventType,
}

/// One cell of the map: how many incidents, where on average, the first of them by id (the
/// incident itself when it is alone) and the counts by grade or event type, largest first.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MapCell {
    pub lat_e6: i64,
    pub lon_e6: i64,
    pub count: u64,
    pub first: String,
    pub by: Vec<(String, u64)>,
}

/// How many incidents start on a day (days since 1970-01-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DayCount {
    pub day: i64,
    pub count: u64,
}

/// Which claims, in order of date then id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimQuery {
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub stance: Option<Stance>,
    /// Part of the speaker's name or role; "publisher" for the publisher's own voice.
    pub speaker: Option<String>,
    pub event_type: Option<String>,
    /// Words in the claim's sentence.
    pub text: Option<String>,
    pub limit: Option<usize>,
    /// Start after this claim (its id).
    pub after: Option<String>,
}

/// Which documents, in order of publication then hash.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocumentQuery {
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// The publisher, any case.
    pub publisher: Option<String>,
    pub limit: Option<usize>,
    /// Start after this document (its hash).
    pub after: Option<String>,
}

/// Which documents to extract again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReextractSelection {
    /// Every document.
    All,
    /// Documents read by another run than this one (another ombud, other lexicons or places).
    NotRun(i64),
    /// Documents read by these runs (say, every run of ombud 0.1.3 or later).
    Runs(Vec<i64>),
    /// These documents (by SHA-256).
    Documents(Vec<String>),
}

/// `%text%` for LIKE, lower case, with LIKE's own characters escaped by `\`.
pub(crate) fn like(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The sort day of what has no date: after every dated one.
pub const UNDATED: i64 = 2_147_483_647;

/// Days since 1970-01-01, or `UNDATED`: one column both databases sort the same way.
pub(crate) fn sort_day(date: Option<Date>) -> i64 {
    date.map_or(UNDATED, Date::to_days)
}
