//! Decisions: a person's acts on the record (merge, split, grade, reject, correct, undo), with
//! who, when and why. They are inputs to merging, never edits of its output, so they survive
//! re-extraction and re-merging; they are only ever appended.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    Actor, Casualty, ClaimId, DateRange, Grade, IncidentId, PlaceRef, Stance, SubEventType,
};

/// The number of a decision, in the order decisions were taken (1, 2, 3...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DecisionId(pub u64);

impl fmt::Display for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "d{}", self.0)
    }
}

/// A corrected field of a claim: what the reviewer says the text means, replacing what the
/// machine read. The claim's words stay as they are; the correction is applied on top.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum Correction {
    /// The places of the event (a wrong namesake, a missed village).
    Places(Vec<PlaceRef>),
    /// When it happened; `None` when the text does not say.
    Date(Option<DateRange>),
    /// Who is alleged to have done it; `None` when the text names nobody.
    Perpetrator(Option<Actor>),
    /// The harm, by group and outcome.
    Casualties(Vec<Casualty>),
    /// What kind of event it was (the event type follows from the sub-event type).
    SubEventType(SubEventType),
    Stance(Stance),
}

impl Correction {
    /// The field's name as commands and exports write it.
    pub fn field(&self) -> &'static str {
        match self {
            Correction::Places(_) => "places",
            Correction::Date(_) => "date",
            Correction::Perpetrator(_) => "perpetrator",
            Correction::Casualties(_) => "casualties",
            Correction::SubEventType(_) => "sub_event_type",
            Correction::Stance(_) => "stance",
        }
    }
}

/// What a decision does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// These incidents are one: their claims (as they were when decided) are kept together.
    Merge {
        incidents: Vec<IncidentId>,
        claims: Vec<ClaimId>,
    },
    /// These claims of an incident are another incident: they are kept together and apart
    /// from the incident's other claims (`rest`, as they were when decided).
    Split {
        incident: IncidentId,
        claims: Vec<ClaimId>,
        rest: Vec<ClaimId>,
    },
    /// The incident's grade, whatever the claims say (Discounted is only ever set this way).
    Grade { incident: IncidentId, grade: Grade },
    /// The claim is wrong (no such event, a misreading): it joins no incident.
    Reject { claim: ClaimId },
    /// A field of the claim, corrected.
    Correct {
        claim: ClaimId,
        correction: Correction,
    },
    /// Takes back an earlier decision (an undo of an undo takes the undo back).
    Undo { decision: DecisionId },
    /// A file a person sent to be ingested (through the server): its name as sent, the SHA-256
    /// and size of its bytes, and the documents it gave. The record of who collected what; it
    /// constrains no merging.
    Upload {
        file: String,
        sha256: String,
        bytes: u64,
        new: usize,
        duplicate: usize,
    },
    /// Inputs refused on ingest (no document could be read from them), removed from
    /// quarantine: which bytes they were, and that they are gone. They were never logged, so no
    /// checkpoint depends on them. It constrains no merging and cannot be undone.
    Purge { inputs: Vec<PurgedInput> },
    /// A source withdrawn for someone's safety: its archived bytes, its text and its claims are
    /// removed; its leaf stays in the log (earlier checkpoints still prove) and this decision,
    /// logged, says why the bytes are gone. It cannot be undone.
    Withdraw { sha256: String, origin: String },
}

/// One input a purge removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgedInput {
    pub sha256: String,
    pub origin: String,
    pub bytes: u64,
}

impl Action {
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Merge { .. } => "merge",
            Action::Split { .. } => "split",
            Action::Grade { .. } => "grade",
            Action::Reject { .. } => "reject",
            Action::Correct { .. } => "correct",
            Action::Undo { .. } => "undo",
            Action::Upload { .. } => "upload",
            Action::Purge { .. } => "purge",
            Action::Withdraw { .. } => "withdraw",
        }
    }

    /// The claims the decision names.
    pub fn claims(&self) -> Vec<&ClaimId> {
        match self {
            Action::Merge { claims, .. } => claims.iter().collect(),
            Action::Split { claims, rest, .. } => claims.iter().chain(rest).collect(),
            Action::Reject { claim } | Action::Correct { claim, .. } => vec![claim],
            Action::Grade { .. }
            | Action::Undo { .. }
            | Action::Upload { .. }
            | Action::Purge { .. }
            | Action::Withdraw { .. } => vec![],
        }
    }

    /// The incidents the decision names.
    pub fn incidents(&self) -> Vec<&IncidentId> {
        match self {
            Action::Merge { incidents, .. } => incidents.iter().collect(),
            Action::Split { incident, .. } | Action::Grade { incident, .. } => vec![incident],
            _ => vec![],
        }
    }
}

/// A decision as it is recorded: never changed, never removed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: DecisionId,
    #[serde(flatten)]
    pub action: Action,
    /// Who decided: an account or login name.
    pub reviewer: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Why, in the reviewer's words.
    pub note: String,
    /// The SHA-256 of the decision's leaf in the Merkle log (its `log_bytes`, archived); `None`
    /// for a decision recorded before decisions were logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf: Option<String>,
}

impl Action {
    /// What it does, in a line ("grade inc-… discounted", "merge A + B (5 claims kept together)").
    pub fn describe(&self) -> String {
        match self {
            Action::Merge { incidents, claims } => format!(
                "merge {} ({} claims kept together)",
                incidents
                    .iter()
                    .map(|i| i.0.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
                claims.len()
            ),
            Action::Split {
                incident, claims, ..
            } => format!(
                "split {} claim(s) out of {incident}: {}",
                claims.len(),
                claims
                    .iter()
                    .map(|c| c.short())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Action::Grade { incident, grade } => format!("grade {incident} {grade}"),
            Action::Reject { claim } => format!("reject claim {}", claim.short()),
            Action::Correct { claim, correction } => format!(
                "correct {} of claim {}: {}",
                correction.field(),
                claim.short(),
                serde_json::to_value(correction)
                    .ok()
                    .and_then(|v| v.get("value").map(|v| v.to_string()))
                    .unwrap_or_default()
            ),
            Action::Undo { decision } => format!("undo {decision}"),
            Action::Upload {
                file,
                sha256,
                bytes,
                new,
                duplicate,
            } => format!(
                "upload {file} ({bytes} bytes, SHA-256 {}…): {new} new document(s), {duplicate} already archived",
                &sha256[..sha256.len().min(12)]
            ),
            Action::Withdraw { sha256, origin } => format!(
                "withdraw source {}… ({origin}): its bytes, text and claims removed",
                &sha256[..sha256.len().min(12)]
            ),
            Action::Purge { inputs } => format!(
                "purge {} refused input(s) from quarantine ({} bytes): {}",
                inputs.len(),
                inputs.iter().map(|i| i.bytes).sum::<u64>(),
                inputs
                    .iter()
                    .map(|i| i.origin.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl Decision {
    /// The bytes that are archived and logged for this decision: its JSON without `leaf`, with
    /// a marker that tells it apart from a source document. Fixed once written: the log proves
    /// these bytes.
    pub fn log_bytes(&self) -> Vec<u8> {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("leaf");
            map.insert("ombud_decision".into(), serde_json::Value::from(1));
        }
        let mut out = serde_json::to_vec(&value).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Reads the bytes `log_bytes` wrote (`None` when they are not a decision).
    pub fn from_log_bytes(bytes: &[u8]) -> Option<Decision> {
        let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        value.get("ombud_decision")?;
        serde_json::from_value(value).ok()
    }
}

/// The decisions still in force: those no undo in force takes back.
pub fn in_force(decisions: &[Decision]) -> Vec<&Decision> {
    let mut sorted: Vec<&Decision> = decisions.iter().collect();
    sorted.sort_by_key(|d| d.id);
    let mut undone: std::collections::BTreeSet<DecisionId> = Default::default();
    let mut out: Vec<&Decision> = Vec::new();
    // Newest first: an undo counts only if no later undo in force took it back.
    for d in sorted.iter().rev() {
        if undone.contains(&d.id) {
            continue;
        }
        if let Action::Undo { decision } = d.action {
            undone.insert(decision);
        } else {
            out.push(d);
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(id: u64) -> Decision {
        Decision {
            id: DecisionId(id),
            action: Action::Grade {
                incident: IncidentId("inc-a".into()),
                grade: Grade::Discounted,
            },
            reviewer: "r".into(),
            at: "2026-12-01T00:00:00Z".into(),
            note: "n".into(),
            leaf: None,
        }
    }

    fn undo(id: u64, of: u64) -> Decision {
        Decision {
            action: Action::Undo {
                decision: DecisionId(of),
            },
            ..grade(id)
        }
    }

    #[test]
    fn undo_takes_back_and_an_undo_of_an_undo_restores() {
        let ids = |ds: &[Decision]| -> Vec<u64> { in_force(ds).iter().map(|d| d.id.0).collect() };
        assert_eq!(ids(&[grade(1), grade(2)]), vec![1, 2]);
        assert_eq!(ids(&[grade(1), undo(2, 1)]), Vec::<u64>::new());
        assert_eq!(ids(&[grade(1), undo(2, 1), undo(3, 2)]), vec![1]);
        assert_eq!(
            ids(&[undo(3, 2), grade(1), undo(2, 1)]),
            vec![1],
            "order given"
        );
    }

    #[test]
    fn old_claim_ids_map_to_the_new_claim_their_words_overlap_most() {
        let id = |s: &str| -> ClaimId { s.parse().unwrap() };
        let new = vec![
            id("ab:0-40:10-16"),
            id("ab:41-90:50-57"),
            id("ab:41-90:60-66"),
        ];
        assert_eq!(
            id("ab:0-40:10-16").best_match(&new),
            Some(&new[0]),
            "unchanged"
        );
        assert_eq!(
            id("ab:0-38:10-14").best_match(&new),
            Some(&new[0]),
            "a shorter reading"
        );
        assert_eq!(
            id("ab:41-90:61-66").best_match(&new),
            Some(&new[2]),
            "by event word"
        );
        assert_eq!(
            id("ab:91-120").best_match(&new),
            None,
            "the sentence is no claim any more"
        );
        assert_eq!(
            id("cd:0-40:10-16").best_match(&new),
            None,
            "another document"
        );
    }

    #[test]
    fn decisions_round_trip_as_json() {
        let d = Decision {
            action: Action::Split {
                incident: IncidentId("inc-1".into()),
                claims: vec!["ab:0-5:1-2".parse().unwrap()],
                rest: vec!["ab:6-9".parse().unwrap()],
            },
            ..grade(7)
        };
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""action":"split""#), "{json}");
        assert_eq!(serde_json::from_str::<Decision>(&json).unwrap(), d);
        let logged = Decision {
            leaf: Some("ab".into()),
            ..d.clone()
        };
        let bytes = logged.log_bytes();
        assert!(!String::from_utf8_lossy(&bytes).contains("leaf"));
        assert_eq!(Decision::from_log_bytes(&bytes), Some(d));
        assert_eq!(Decision::from_log_bytes(b"{\"text\": \"a report\"}"), None);
    }
}
