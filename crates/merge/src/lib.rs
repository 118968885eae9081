//! Merging claims into incidents: claims about the same moment in time and space become one
//! incident with ranges where sources disagree, the independent sources for and against, and a
//! grade with its reasons.
//!
//! Pure and deterministic: the same claims and decisions in any order give the same incidents.
//! Merging is local: which incident a claim joins depends only on the claims it could share an
//! incident with (`neighbourhood`), so a store can re-merge just the part a new claim touches
//! (the claims its index entries reach, transitively) and get what a full merge would give.

mod build;
mod cluster;
mod constraints;
pub mod copies;
mod grade;
mod identity;
mod neighbourhood;
mod origins;
mod sources;

use model::{ClaimRecord, Incident};

pub use build::build;
pub use cluster::cluster;
pub use constraints::{Constraints, GradeOverride};
pub use grade::{apply_grade_override, grade};
pub use identity::{Assignment, Prior, assign_ids, base_id};
pub use neighbourhood::{
    Apart, CELL_DEGREES, DENIAL_SLACK_DAYS, IndexEntry, MAX_RANGE_DAYS, NearIndex, PlaceKey, Shape,
    compatible, days, finest, founds, index_entries, is_precise, probe_matches, probes, reach,
    same_days, why_apart,
};
pub use origins::{Body, OriginRegistry};
pub use sources::{Voice, independent_origins};

/// How close two claims must be to describe the same incident.
#[derive(Clone, Copy, Debug)]
pub struct MergeConfig {
    /// Largest distance between town-level places, in kilometres.
    pub max_km: f64,
}

impl Default for MergeConfig {
    fn default() -> MergeConfig {
        MergeConfig { max_km: 10.0 }
    }
}

/// Merges every claim from scratch: decisions applied, claims grouped, ids minted afresh,
/// incidents built and graded; sorted by date, then id. The oracle of the incremental merge.
pub fn merge(
    records: &[ClaimRecord],
    constraints: &Constraints,
    config: &MergeConfig,
) -> Vec<Incident> {
    let effective: Vec<ClaimRecord> = records
        .iter()
        .filter_map(|r| constraints.apply(r))
        .collect();
    let groups = cluster(&effective, constraints, config);
    let assignment = assign_ids(&[], &groups, &|_| false);
    let by_id: std::collections::HashMap<&model::ClaimId, &ClaimRecord> =
        effective.iter().map(|r| (&r.id, r)).collect();
    let mut incidents: Vec<Incident> = groups
        .iter()
        .zip(assignment.ids)
        .map(|(group, id)| {
            let claims: Vec<&ClaimRecord> =
                group.iter().filter_map(|c| by_id.get(c).copied()).collect();
            let grade = constraints.grade_for(&[&id]);
            finish(build(id, &claims), constraints, grade)
        })
        .collect();
    incidents.sort_by(|a, b| (a.date_start, &a.id).cmp(&(b.date_start, &b.id)));
    incidents
}

/// An incident built from its claims, with the decisions in force that shaped it and the grade
/// a reviewer set (if any).
pub fn finish(
    mut incident: Incident,
    constraints: &Constraints,
    grade: Option<&GradeOverride>,
) -> Incident {
    let mut decisions: Vec<model::DecisionId> = incident
        .claims
        .iter()
        .flat_map(|c| constraints.decisions_of(c).iter().copied())
        .collect();
    decisions.sort();
    decisions.dedup();
    incident.decisions = decisions;
    if let Some(o) = grade {
        apply_grade_override(&mut incident, o);
    }
    incident
}

#[cfg(test)]
mod tests;
