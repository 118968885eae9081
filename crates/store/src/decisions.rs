//! Decisions: appended, never changed; each with the claims it names, so re-merging finds the
//! decisions that touch a claim.

use model::{Decision, DecisionId};

use crate::conn::{Arg, Conn};
use crate::{JSON_VERSION, StoreResult, corrupt, q};

/// The id the next decision will get.
pub(crate) async fn next_id(conn: &mut Conn<'_>) -> StoreResult<DecisionId> {
    let doing = "numbering a decision";
    let rows = conn
        .fetch("SELECT COALESCE(MAX(id), 0) + 1 FROM decisions", &[])
        .await
        .map_err(q(doing))?;
    let id = rows
        .first()
        .ok_or_else(|| corrupt(doing, "no id came back"))?
        .int(0)
        .map_err(|e| corrupt(doing, e))?;
    Ok(DecisionId(id as u64))
}

/// Appends a decision under its id (`next_id`, or the next one when it is 0). Returns it as
/// stored.
pub(crate) async fn append(conn: &mut Conn<'_>, decision: &Decision) -> StoreResult<Decision> {
    let doing = "recording a decision";
    let json = serde_json::to_string(&decision.action).map_err(|e| corrupt(doing, e))?;
    let id = match decision.id.0 {
        0 => next_id(conn).await?.0,
        n => n,
    } as i64;
    let rows = conn
        .fetch(
            "INSERT INTO decisions (id, action, json, json_version, reviewer, at, note, sha256) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                Arg::Int(id),
                Arg::Text(decision.action.kind()),
                Arg::Text(&json),
                Arg::Int(JSON_VERSION),
                Arg::Text(&decision.reviewer),
                Arg::Text(&decision.at),
                Arg::Text(&decision.note),
                Arg::OptText(decision.leaf.as_deref()),
            ],
        )
        .await
        .map_err(q(doing))?;
    let id = rows
        .first()
        .ok_or_else(|| corrupt(doing, "no id came back"))?
        .int(0)
        .map_err(|e| corrupt(doing, e))?;
    let keys: Vec<String> = decision
        .action
        .claims()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut args: Vec<Arg<'_>> = Vec::with_capacity(keys.len() * 2);
    for k in &keys {
        args.extend([Arg::Int(id), Arg::Text(k)]);
    }
    conn.insert_rows(
        "INSERT INTO decision_claims (decision_id, claim_key)",
        2,
        &args,
        "",
    )
    .await
    .map_err(q(doing))?;
    Ok(Decision {
        id: DecisionId(id as u64),
        ..decision.clone()
    })
}

/// Every decision, oldest first.
pub(crate) async fn list(conn: &mut Conn<'_>) -> StoreResult<Vec<Decision>> {
    let doing = "reading decisions";
    let rows = conn
        .fetch(
            "SELECT id, json, reviewer, at, note, sha256 FROM decisions ORDER BY id",
            &[],
        )
        .await
        .map_err(q(doing))?;
    rows.iter()
        .map(|r| {
            let c = |e: sqlx::Error| corrupt(doing, e);
            Ok(Decision {
                id: DecisionId(r.int(0).map_err(c)? as u64),
                action: serde_json::from_str(&r.text(1).map_err(c)?)
                    .map_err(|e| corrupt(doing, e))?,
                reviewer: r.text(2).map_err(c)?,
                at: r.text(3).map_err(c)?,
                note: r.text(4).map_err(c)?,
                leaf: r.opt_text(5).map_err(c)?,
            })
        })
        .collect()
}
