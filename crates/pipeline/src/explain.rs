//! Why an incident holds the claims it holds, and why the claims nearest to it (the same kind
//! of event, near in place and time) were kept out: what `ombud show` prints under the claims,
//! so an analyst can check the machine's merging as they would a colleague's.

use std::collections::BTreeSet;

use merge::{Apart, MergeConfig};
use model::{ClaimId, ClaimRecord, IncidentId};
use serde::Serialize;

use crate::remerge::{MAX_SPAN, MergeInputs, probe_rows};
use crate::{IncidentDetail, PipelineError, Service};

/// Candidates kept out that are explained, at most.
const KEPT_OUT_SHOWN: usize = 5;

/// Claims near the incident read to choose them from, at most: a busy town's weeks can hold
/// thousands, and `show` must stay a few reads.
const NEAR_READ: usize = 200;

/// Why a claim is in its incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Membership {
    pub claim: ClaimId,
    pub why: String,
}

/// Why a claim near the incident is not in it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeptOut {
    pub claim: ClaimId,
    /// The incident it is in instead (none when it was rejected).
    pub incident: Option<IncidentId>,
    pub why: String,
}

/// An incident's merging, explained.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Explanation {
    pub members: Vec<Membership>,
    /// The nearest claims kept out, those closest to joining first.
    pub kept_out: Vec<KeptOut>,
}

/// How close a reason comes to joining: smaller is closer.
fn closeness(reason: &Apart) -> u8 {
    match reason {
        Apart::ToldApart { .. } => 0,
        Apart::OtherDays => 1,
        Apart::OtherPlaces => 2,
        Apart::NeitherFounds | Apart::Undated => 3,
        Apart::OtherEvent => 4,
    }
}

/// Where two claims meet, in words: "Kharkiv, 2024-05-25".
fn meeting(a: &ClaimRecord) -> String {
    let place = merge::finest(&a.claim.places)
        .next()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "no place".into());
    let day = a
        .claim
        .date
        .as_ref()
        .map(|d| {
            if d.start == d.end {
                d.start.to_string()
            } else {
                format!("{}..{}", d.start, d.end)
            }
        })
        .unwrap_or_else(|| "no date".into());
    format!("{place}, {day}")
}

/// Why `c` belongs with `members`.
fn why_in(
    c: &ClaimRecord,
    members: &[ClaimRecord],
    inputs: &MergeInputs,
    config: &MergeConfig,
) -> String {
    let others: Vec<&ClaimRecord> = members.iter().filter(|m| m.id != c.id).collect();
    if others.is_empty() {
        return "the incident's only claim".into();
    }
    if let Some(together) = inputs.constraints.together_with(&c.id)
        && let Some(m) = others.iter().find(|m| together.contains(&m.id))
    {
        return format!("kept with {} by a reviewer's decision", m.id.short());
    }
    let fits: Vec<&&ClaimRecord> = others
        .iter()
        .filter(|m| merge::compatible(&c.claim, &m.claim, config))
        .collect();
    match fits.as_slice() {
        [] => "joined by a reviewer's decision".into(),
        [one] => format!(
            "the same kind of event at the same place and time as {} ({})",
            one.id.short(),
            meeting(c)
        ),
        many => format!(
            "the same kind of event at the same place and time as {} other claims ({})",
            many.len(),
            meeting(c)
        ),
    }
}

/// Why `k`, near the incident, is not one of `members`.
fn why_out(
    k: &ClaimRecord,
    members: &[ClaimRecord],
    inputs: &MergeInputs,
    config: &MergeConfig,
) -> (u8, String) {
    if let Some(m) = members
        .iter()
        .find(|m| inputs.constraints.must_be_apart(&k.id, &m.id))
    {
        return (
            0,
            format!("kept apart from {} by a reviewer's decision", m.id.short()),
        );
    }
    let reasons: Vec<(&ClaimRecord, Option<Apart>)> = members
        .iter()
        .map(|m| (m, merge::why_apart(&k.claim, &m.claim, config)))
        .collect();
    let fitting = reasons.iter().filter(|(_, r)| r.is_none()).count();
    let nearest = reasons
        .iter()
        .filter_map(|(m, r)| r.as_ref().map(|r| (m, r)))
        .min_by_key(|(_, r)| closeness(r));
    match (fitting, nearest) {
        (0, Some((m, reason))) => (
            1 + closeness(reason),
            format!("{reason} (nearest: {}, {})", m.id.short(), meeting(m)),
        ),
        (_, Some((m, reason))) => (
            0,
            format!(
                "fits {fitting} of its claims but not {}: {reason} (an incident's claims must all fit each other)",
                m.id.short()
            ),
        ),
        (_, None) => (
            0,
            "fits every claim here, but also another incident: a claim that fits several joins none of them"
                .into(),
        ),
    }
}

impl Service {
    /// Why the incident of `detail` holds its claims, and why the claims nearest to it were
    /// kept out. Reads the decisions and the claims the incident's probes find in the index.
    pub async fn explain(&self, detail: &IncidentDetail) -> Result<Explanation, PipelineError> {
        let config = MergeConfig::default();
        let mut tx = self.store().snapshot().await?;
        let inputs = MergeInputs::load(&mut *tx, config, self.origins()).await?;
        let members: Vec<ClaimRecord> = detail
            .claims
            .iter()
            .filter_map(|c| inputs.constraints.apply(&inputs.record(c)))
            .collect();
        let mut out = Explanation {
            members: members
                .iter()
                .map(|c| Membership {
                    claim: c.id.clone(),
                    why: why_in(c, &members, &inputs, &config),
                })
                .collect(),
            kept_out: Vec::new(),
        };
        let inside: BTreeSet<&ClaimId> = detail.claims.iter().map(|c| &c.id).collect();
        let probes: Vec<store::IndexRow> = detail
            .claims
            .iter()
            .flat_map(|c| probe_rows(&c.claim, &config))
            .collect();
        let near: Vec<ClaimId> = if probes.is_empty() {
            Vec::new()
        } else {
            tx.neighbours(&probes, MAX_SPAN)
                .await?
                .into_iter()
                .filter(|id| !inside.contains(id))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .take(NEAR_READ)
                .collect()
        };
        let stored = if near.is_empty() {
            Vec::new()
        } else {
            tx.load_claims(&near).await?
        };
        let mut kept: Vec<(u8, KeptOut)> = stored
            .iter()
            .map(|s| {
                let record = inputs.record(s);
                let (rank, why) = match inputs.constraints.apply(&record) {
                    None => (0, "rejected by a reviewer".to_string()),
                    Some(r) => why_out(&r, &members, &inputs, &config),
                };
                (
                    rank,
                    KeptOut {
                        claim: s.id.clone(),
                        incident: s.incident.clone(),
                        why,
                    },
                )
            })
            .collect();
        kept.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.claim.cmp(&b.1.claim)));
        out.kept_out = kept
            .into_iter()
            .take(KEPT_OUT_SHOWN)
            .map(|(_, k)| k)
            .collect();
        // Nothing written: the transaction is dropped, so it rolls back.
        drop(tx);
        Ok(out)
    }
}
