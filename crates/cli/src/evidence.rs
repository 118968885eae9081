//! `ombud export-evidence` and `ombud verify-evidence`: one incident's evidence as a package a
//! court can check, and the check itself, which needs no database and no network.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use pipeline::PackageTarget;

use crate::commands::{Context, now, open, print_json};

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").args(["out", "zip"]).required(true)))]
pub struct ExportEvidenceArgs {
    /// The incident (its id, an alias, or a unique prefix, as `ombud incidents` lists it).
    incident: String,
    /// Write the package into this new folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write the package as this new zip file (one folder, `evidence/`, inside).
    #[arg(long, value_name = "FILE")]
    zip: Option<PathBuf>,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn export_evidence(ctx: &Context, args: ExportEvidenceArgs) -> Result<ExitCode> {
    let target = match (args.out, args.zip) {
        (Some(dir), _) => PackageTarget::Dir(dir),
        (None, Some(zip)) => PackageTarget::Zip(zip),
        (None, None) => anyhow::bail!("give --out DIR or --zip FILE"),
    };
    let service = open(ctx, false).await?;
    let made = service
        .export_evidence(&args.incident, &target, &now())
        .await;
    service.close().await?;
    let summary = made?;
    let where_ = match &target {
        PackageTarget::Dir(p) | PackageTarget::Zip(p) => p.display().to_string(),
    };
    if args.json {
        print_json(&summary)?;
    } else if !ctx.quiet {
        println!(
            "{where_}: evidence package of incident {}: {} source(s), {} claim(s), {} decision(s), {} files, {} bytes",
            summary.incident,
            summary.sources,
            summary.claims,
            summary.decisions,
            summary.files,
            summary.bytes
        );
        println!(
            "proofs lead to the checkpoint signed now: size {}, root {}",
            summary.checkpoint.size, summary.checkpoint.root
        );
        println!(
            "its README.txt says how to check it by hand; `ombud verify-evidence {where_}` checks it"
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct VerifyEvidenceArgs {
    /// The package: the folder `export-evidence --out` wrote, or the zip `--zip` wrote.
    package: PathBuf,
    /// The verifier key the checkpoint must be signed by, as the log's keeper published it
    /// (`ombud log --public-key`). Without it the key inside the package is used, which shows
    /// the package is whole but not who made it.
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// Print a JSON report.
    #[arg(long)]
    json: bool,
}

pub fn verify_evidence(args: VerifyEvidenceArgs) -> Result<ExitCode> {
    let report = pipeline::verify_evidence(&args.package, args.key.as_deref())?;
    if args.json {
        print_json(&report)?;
    } else {
        for f in &report.failures {
            println!("FAILED {}: {}", f.file, f.problem);
        }
        println!(
            "incident {}: {} file(s) hashed, {} source(s), {} decision(s), {} claim(s) checked, {} failed",
            if report.incident.is_empty() {
                "?"
            } else {
                &report.incident
            },
            report.files,
            report.sources,
            report.decisions,
            report.claims,
            report.failures.len()
        );
        if let Some(cp) = &report.checkpoint {
            let through = format!(
                "a later key the key given handed on to through {} logged rotation(s)",
                report.rotations_followed
            );
            let by = if report.key_given && report.rotations_followed > 0 {
                through.as_str()
            } else if report.key_given {
                "the key given"
            } else {
                "the key inside the package (give --key to check who signed it)"
            };
            println!(
                "checkpoint of log {}: size {}, root {}, signed by {by}",
                report.log, cp.size, cp.root
            );
        }
        if report.texts_other_reader > 0 {
            println!(
                "note: {} source(s) were read by another ombud version; their text was checked against the quotes, not read again",
                report.texts_other_reader
            );
        }
    }
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
