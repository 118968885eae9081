//! ombud's vocabulary: the types every other crate speaks (spans, dates, claims, incidents, places).
//!
//! These types derive `serde` deliberately: they *are* the extraction contract of DESIGN.md
//! (`"schema": 1`), so their field names are a public, versioned format. Add fields freely; rename
//! or remove one only with a schema bump.

pub mod claim;
pub mod country;
pub mod date;
pub mod decision;
pub mod document;
pub mod incident;
pub mod place;
pub mod span;
pub mod taxonomy;
pub mod treaty;

pub use claim::{
    Actor, ActorKind, Casualty, CasualtyGroup, CasualtyOutcome, Claim, DateRange, Diagnostic,
    LegalTag, Speaker, Stance, Target, TargetKind, WeaponCategory, WeaponMention,
};
pub use country::{Country, CountryCode, countries};
pub use date::{Date, DatePrecision};
pub use decision::{Action, Correction, Decision, DecisionId, PurgedInput, in_force};
pub use document::{DocumentMeta, DocumentRecord, DocumentStatus, Publisher, SourceKind};
pub use incident::{
    Casualties, CasualtyRange, ClaimId, ClaimRecord, Grade, GradeReason, Incident, IncidentId,
    IncidentPlace, NumberRange, Origin, Period, Perpetrator, Side, normalise_name,
};
pub use place::{Feature, GazetteerEntry, GeoPoint, GeoPrecision, PlaceRef, Toponym};
pub use span::Span;
pub use taxonomy::{EventType, SubEventType};
pub use treaty::{Treaty, TreatyStatus, treaty_status};

/// Version of the JSON contract printed by `ombud extract` and `ombud geoparse`.
pub const SCHEMA_VERSION: u32 = 1;
