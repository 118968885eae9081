//! People's decisions as constraints on merging: claims kept together (merge), kept apart
//! (split), left out (reject), corrected, and grades set by hand. Decisions are read in the
//! order they were taken, so a later one wins over an earlier one about the same claims.

use std::collections::{BTreeMap, BTreeSet};

use model::{
    Action, ClaimId, ClaimRecord, Correction, Decision, DecisionId, Grade, IncidentId, in_force,
};

/// A grade a reviewer set on an incident.
#[derive(Clone, Debug, PartialEq)]
pub struct GradeOverride {
    pub incident: IncidentId,
    pub grade: Grade,
    pub decision: DecisionId,
    pub reviewer: String,
    pub note: String,
}

/// What the decisions in force require of merging.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    /// Groups of claims that must be in one incident; a claim is in at most one group.
    groups: Vec<BTreeSet<ClaimId>>,
    /// For each claim in a group, the group's index.
    group_index: BTreeMap<ClaimId, usize>,
    /// Pairs of claims that must not be in one incident, both ways.
    apart: BTreeMap<ClaimId, BTreeSet<ClaimId>>,
    rejected: BTreeSet<ClaimId>,
    /// Corrections per claim, in the order taken (later ones win field by field).
    corrections: BTreeMap<ClaimId, Vec<Correction>>,
    /// Grades set by hand, in the order taken.
    pub grades: Vec<GradeOverride>,
    /// For each claim, the decisions in force that name it.
    by_claim: BTreeMap<ClaimId, BTreeSet<DecisionId>>,
}

impl Constraints {
    /// The constraints of the decisions in force. `resolve` maps a claim id a decision named to
    /// the claim's id now (re-extraction may have changed it), or `None` when the claim is gone.
    pub fn from_decisions(
        decisions: &[Decision],
        resolve: &dyn Fn(&ClaimId) -> Option<ClaimId>,
    ) -> Constraints {
        let mut c = Constraints::default();
        let now =
            |ids: &[ClaimId]| -> BTreeSet<ClaimId> { ids.iter().filter_map(resolve).collect() };
        for d in in_force(decisions) {
            for named in d.action.claims() {
                if let Some(id) = resolve(named) {
                    c.by_claim.entry(id).or_default().insert(d.id);
                }
            }
            match &d.action {
                Action::Merge { claims, .. } => c.keep_together(&now(claims)),
                Action::Split { claims, rest, .. } => {
                    let (split, rest) = (now(claims), now(rest));
                    c.keep_apart(&split, &rest);
                }
                Action::Grade { incident, grade } => c.grades.push(GradeOverride {
                    incident: incident.clone(),
                    grade: *grade,
                    decision: d.id,
                    reviewer: d.reviewer.clone(),
                    note: d.note.clone(),
                }),
                Action::Reject { claim } => {
                    if let Some(id) = resolve(claim) {
                        c.rejected.insert(id);
                    }
                }
                Action::Correct { claim, correction } => {
                    if let Some(id) = resolve(claim) {
                        c.corrections
                            .entry(id)
                            .or_default()
                            .push(correction.clone());
                    }
                }
                Action::Undo { .. }
                | Action::Upload { .. }
                | Action::Purge { .. }
                | Action::Withdraw { .. } => {}
            }
        }
        for group in &mut c.groups {
            group.retain(|id| !c.rejected.contains(id));
        }
        c.groups.retain(|g| g.len() > 1);
        c.groups.sort();
        for (i, g) in c.groups.iter().enumerate() {
            for id in g {
                c.group_index.insert(id.clone(), i);
            }
        }
        c
    }

    /// Merge: the claims and everything already kept with them become one group, and no longer
    /// need to be apart from each other.
    fn keep_together(&mut self, claims: &BTreeSet<ClaimId>) {
        let mut joined: BTreeSet<ClaimId> = claims.clone();
        let mut i = 0;
        while i < self.groups.len() {
            if self.groups[i].iter().any(|id| claims.contains(id)) {
                joined.extend(self.groups.swap_remove(i));
            } else {
                i += 1;
            }
        }
        for id in &joined {
            if let Some(apart) = self.apart.get_mut(id) {
                apart.retain(|other| !joined.contains(other));
            }
        }
        self.apart.retain(|_, v| !v.is_empty());
        self.groups.push(joined);
    }

    /// Split: `split` becomes a group of its own, taken out of any group it shared with
    /// `rest`, and each of its claims must stay apart from each of `rest`.
    fn keep_apart(&mut self, split: &BTreeSet<ClaimId>, rest: &BTreeSet<ClaimId>) {
        for group in &mut self.groups {
            group.retain(|id| !split.contains(id));
        }
        self.groups.retain(|g| g.len() > 1);
        if split.len() > 1 {
            self.groups.push(split.clone());
        }
        for a in split {
            for b in rest {
                if a != b {
                    self.apart.entry(a.clone()).or_default().insert(b.clone());
                    self.apart.entry(b.clone()).or_default().insert(a.clone());
                }
            }
        }
    }

    /// The claims that must share an incident with `id` (itself included when it has any).
    pub fn together_with(&self, id: &ClaimId) -> Option<&BTreeSet<ClaimId>> {
        self.group_index.get(id).map(|&g| &self.groups[g])
    }

    /// Every group of claims kept together.
    pub fn groups(&self) -> &[BTreeSet<ClaimId>] {
        &self.groups
    }

    pub fn must_be_apart(&self, a: &ClaimId, b: &ClaimId) -> bool {
        self.apart.get(a).is_some_and(|s| s.contains(b))
    }

    /// True when a decision keeps the claim apart from some other claim.
    pub fn kept_apart(&self, id: &ClaimId) -> bool {
        self.apart.get(id).is_some_and(|s| !s.is_empty())
    }

    /// The decisions in force that name a claim.
    pub fn decisions_of(&self, id: &ClaimId) -> &BTreeSet<DecisionId> {
        static NONE: BTreeSet<DecisionId> = BTreeSet::new();
        self.by_claim.get(id).unwrap_or(&NONE)
    }

    pub fn is_rejected(&self, id: &ClaimId) -> bool {
        self.rejected.contains(id)
    }

    /// Every claim a decision touches (kept together, apart, rejected or corrected).
    pub fn claims(&self) -> BTreeSet<&ClaimId> {
        let mut out: BTreeSet<&ClaimId> = self.groups.iter().flatten().collect();
        out.extend(self.apart.keys());
        out.extend(&self.rejected);
        out.extend(self.corrections.keys());
        out
    }

    /// The corrections of a claim, oldest first.
    pub fn corrections_of(&self, id: &ClaimId) -> &[Correction] {
        self.corrections.get(id).map_or(&[], Vec::as_slice)
    }

    /// The claim as merging should read it: `None` when rejected, else with its corrections
    /// applied (later corrections of a field win).
    pub fn apply(&self, record: &ClaimRecord) -> Option<ClaimRecord> {
        if self.rejected.contains(&record.id) {
            return None;
        }
        let mut out = record.clone();
        for correction in self.corrections_of(&record.id) {
            let claim = &mut out.claim;
            match correction {
                Correction::Places(p) => claim.places = p.clone(),
                Correction::Date(d) => claim.date = d.clone(),
                Correction::Perpetrator(p) => claim.perpetrator = p.clone(),
                Correction::Casualties(c) => claim.casualties = c.clone(),
                Correction::SubEventType(s) => {
                    claim.sub_event_type = *s;
                    claim.event_type = s.event_type();
                }
                Correction::Stance(s) => claim.stance = *s,
            }
        }
        Some(out)
    }

    /// The grade set by hand on an incident, the latest first among those naming any of `ids`.
    pub fn grade_for(&self, ids: &[&IncidentId]) -> Option<&GradeOverride> {
        self.grades
            .iter()
            .rev()
            .find(|g| ids.contains(&&g.incident))
    }
}
