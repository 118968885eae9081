//! `ombud review` and `ombud history`: a person's decisions about the record, and what was
//! decided about an incident.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use model::{Decision, Grade};
use pipeline::Reviewer;

use crate::commands::{Context, now, open, print_json};

/// Who decides, and why.
#[derive(Debug, Args)]
pub struct DecisionArgs {
    /// Why, in your words: kept with the decision for good.
    #[arg(long, short)]
    note: String,
    /// Who decides (else $OMBUD_REVIEWER, else the login name).
    #[arg(long, env = "OMBUD_REVIEWER")]
    reviewer: Option<String>,
    /// Print the decision as JSON.
    #[arg(long)]
    json: bool,
}

impl DecisionArgs {
    pub(crate) fn reviewer(&self) -> Result<Reviewer> {
        let name = self
            .reviewer
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("LOGNAME").ok())
            .filter(|n| !n.trim().is_empty());
        let Some(name) = name else {
            bail!("who decides? pass --reviewer NAME or set OMBUD_REVIEWER");
        };
        if self.note.trim().is_empty() {
            bail!("--note is empty: say why, so whoever reads the record later knows");
        }
        Ok(Reviewer {
            name: name.trim().to_string(),
            at: now(),
            note: self.note.trim().to_string(),
        })
    }
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    action: ReviewAction,
}

#[derive(Debug, Subcommand)]
enum ReviewAction {
    /// These incidents are one: their claims stay together from now on.
    Merge {
        /// Two incidents or more (ids, aliases or unique beginnings).
        #[arg(required = true, num_args = 2..)]
        incidents: Vec<String>,
        #[command(flatten)]
        decision: DecisionArgs,
    },
    /// These claims of an incident are another incident: they stay apart from its other claims.
    Split {
        incident: String,
        /// Claim ids as `ombud show` prints them.
        #[arg(required = true)]
        claims: Vec<String>,
        #[command(flatten)]
        decision: DecisionArgs,
    },
    /// Sets the incident's grade whatever its claims say (discounted is only set this way).
    Grade {
        incident: String,
        /// confirmed, fair, weak, contested or discounted.
        grade: String,
        #[command(flatten)]
        decision: DecisionArgs,
    },
    /// The claim is wrong (no such event, a misreading): it joins no incident.
    Reject {
        claim: String,
        #[command(flatten)]
        decision: DecisionArgs,
    },
    /// Corrects a field the machine read wrong: place, date, perpetrator, a count, the event
    /// or the stance.
    ///
    /// Fields and values: place NAME[, CC] (from the gazetteer); date YYYY-MM-DD[..YYYY-MM-DD]
    /// or none; perpetrator NAME or none; killed, injured, missing (or civilian_killed,
    /// military_injured...) N, N-M or none; sub_event_type TYPE; stance alleges|reports|
    /// confirms|denies|hedged. The claim's words stay as they were; the correction applies on
    /// top of them, through re-extraction and rebuilds.
    Correct {
        claim: String,
        field: String,
        value: String,
        #[command(flatten)]
        decision: DecisionArgs,
    },
    /// Takes back a decision (an undo of an undo restores it).
    Undo {
        /// The decision: d3 or 3 (`ombud history INCIDENT` lists them).
        decision: String,
        #[command(flatten)]
        decision_args: DecisionArgs,
    },
}

pub async fn review(ctx: &Context, args: ReviewArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let (decision, json) = match &args.action {
        ReviewAction::Merge {
            incidents,
            decision,
        } => (
            service
                .review_merge(incidents, &decision.reviewer()?)
                .await?,
            decision.json,
        ),
        ReviewAction::Split {
            incident,
            claims,
            decision,
        } => (
            service
                .review_split(incident, claims, &decision.reviewer()?)
                .await?,
            decision.json,
        ),
        ReviewAction::Grade {
            incident,
            grade,
            decision,
        } => {
            let Some(grade) = Grade::parse(grade) else {
                bail!(
                    "{grade:?} is not a grade: use confirmed, fair, weak, contested or discounted"
                );
            };
            (
                service
                    .review_grade(incident, grade, &decision.reviewer()?)
                    .await?,
                decision.json,
            )
        }
        ReviewAction::Reject { claim, decision } => (
            service.review_reject(claim, &decision.reviewer()?).await?,
            decision.json,
        ),
        ReviewAction::Correct {
            claim,
            field,
            value,
            decision,
        } => (
            service
                .review_correct(claim, field, value, &decision.reviewer()?)
                .await?,
            decision.json,
        ),
        ReviewAction::Undo {
            decision,
            decision_args,
        } => (
            service
                .review_undo(decision, &decision_args.reviewer()?)
                .await?,
            decision_args.json,
        ),
    };
    if json {
        print_json(&decision)?;
    } else if !ctx.quiet {
        println!("{}", describe(&decision));
        for id in decision.action.incidents() {
            if let Ok(detail) = service.incident(&id.0).await {
                println!(
                    "  {id} is now {} ({}; {} claim(s))",
                    detail.incident.id,
                    detail.incident.grade,
                    detail.incident.claims.len()
                );
            }
        }
    }
    service.close().await?;
    Ok(ExitCode::SUCCESS)
}

/// One line for a decision: its id, what it does, who, when, why, and its log leaf.
pub fn describe(d: &Decision) -> String {
    let what = d.action.describe();
    let leaf = d
        .leaf
        .as_deref()
        .map(|l| format!("\n    logged as {l}"))
        .unwrap_or_default();
    format!(
        "{}  {what}\n    by {} at {}: {}{leaf}",
        d.id, d.reviewer, d.at, d.note
    )
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The incident (id, alias or unique beginning; a retired id too).
    incident: String,
    /// Print the decisions as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn history(ctx: &Context, args: HistoryArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let decisions = service.history(&args.incident).await?;
    if args.json {
        print_json(&decisions)?;
    } else if decisions.is_empty() {
        println!(
            "no decisions about {}: what it shows is the machine's reading",
            args.incident
        );
    } else {
        for d in &decisions {
            println!("{}", describe(d));
        }
    }
    service.close().await?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// The refused inputs to remove (hashes or beginnings of 8 or more hex digits, as
    /// `ombud documents --rejected` lists them); all of them when none is given.
    sha256: Vec<String>,
    #[command(flatten)]
    decision: DecisionArgs,
}

/// `ombud purge`: removes refused inputs from quarantine, after logging who, when, why, which.
pub async fn purge(ctx: &Context, args: PurgeArgs) -> Result<ExitCode> {
    let by = args.decision.reviewer()?;
    let service = open(ctx, true).await?;
    let purged = service.purge(&args.sha256, &by).await?;
    service.close().await?;
    match purged {
        None => {
            if args.decision.json {
                println!("null");
            } else {
                eprintln!("quarantine is empty: nothing to purge");
            }
        }
        Some(p) => {
            if args.decision.json {
                print_json(&p)?;
            } else {
                println!("{} {}", p.decision.id, p.decision.action.describe());
                eprintln!(
                    "{} bytes removed; the purge is logged (leaf {})",
                    p.bytes,
                    p.decision.leaf.as_deref().unwrap_or("?")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// The document (its SHA-256 or a unique beginning, as `ombud documents` lists it).
    sha256: String,
    #[command(flatten)]
    decision: DecisionArgs,
}

/// `ombud withdraw`: a source's bytes, text and claims removed for someone's safety.
pub async fn withdraw(ctx: &Context, args: WithdrawArgs) -> Result<ExitCode> {
    let by = args.decision.reviewer()?;
    let service = open(ctx, false).await?;
    let done = service.withdraw(&args.sha256, &by, &now()).await?;
    service.close().await?;
    if args.decision.json {
        print_json(&done)?;
    } else {
        println!("{} {}", done.decision.id, done.decision.action.describe());
        eprintln!(
            "{} claim(s) removed, {} incident(s) re-merged{}; the withdrawal is logged (leaf {}), \
             and the source's own leaf stays, so earlier checkpoints still prove",
            done.claims_removed,
            done.incidents_written,
            if done.bytes_removed {
                ", its bytes deleted"
            } else {
                ""
            },
            done.decision.leaf.as_deref().unwrap_or("?")
        );
        if let model::Action::Withdraw { origin, .. } = &done.decision.action
            && origin
                .rsplit_once(':')
                .is_some_and(|(_, l)| l.parse::<u64>().is_ok())
        {
            let (file, at) = origin.rsplit_once(':').unwrap_or((origin.as_str(), ""));
            eprintln!(
                "note: it was part {at} of {file} (a JSON line, feed item or WARC record), which is \
                 archived whole too, with it inside: withdraw that copy as well with \
                 `ombud withdraw $(sha256sum {file} | cut -c1-64) --note ...`"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
