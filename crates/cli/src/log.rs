//! `ombud log`: the archive's Merkle log for people who must prove later that nothing changed:
//! its checkpoint, a document's inclusion proof, and whether the log extends an old checkpoint.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use pipeline::{Checkpoint, InclusionProof, Service};
use serde_json::json;

use crate::commands::{Context, open, print_json};

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("action")
        .args(["prove", "extends", "sign", "public_key", "check", "tiles", "cosign", "witness_key"])
        .multiple(false)
))]
pub struct LogArgs {
    /// Print the proof that a document (its SHA-256, or a unique prefix of 8 or more hex
    /// digits, as `ombud documents` lists it) is in the log.
    #[arg(long, value_name = "SHA256")]
    prove: Option<String>,
    /// Check that the log still holds, unchanged and in order, every document it held at an
    /// earlier checkpoint, given as its size and root.
    #[arg(long, num_args = 2, value_names = ["SIZE", "ROOT"])]
    extends: Option<Vec<String>>,
    /// Print the checkpoint signed with this log's key (made on first use, kept in the data
    /// directory): a signed note others can check with `--public-key`'s output.
    #[arg(long)]
    sign: bool,
    /// Print the key others verify this log's signed checkpoints with.
    #[arg(long)]
    public_key: bool,
    /// Sign the checkpoint now and write the log into this folder in the C2SP tlog-tiles
    /// layout (`checkpoint`, `tile/...`): static files a web server can publish so that
    /// transparency-log tools and witnesses can follow the log. `ombud serve` serves the same
    /// under /log/.
    #[arg(long, value_name = "DIR")]
    tiles: Option<std::path::PathBuf>,
    /// Check a signed checkpoint (a file, or - for stdin) with `--key`, then prove the log
    /// still holds everything it held then. With `--policy`, it must also carry the witnesses'
    /// cosignatures the policy requires.
    #[arg(long, value_name = "FILE", requires = "key")]
    check: Option<std::path::PathBuf>,
    /// The verifier key a signed checkpoint must be signed by (as `--public-key` prints it):
    /// this log's with `--check`, the witnessed log's with `--cosign`.
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// A witness policy for `--check`: lines `witness <verifier key>` (as `--witness-key`
    /// prints it on each witness) and `quorum <n>` (how many must have cosigned; all, if no
    /// quorum line).
    #[arg(long, value_name = "FILE", requires = "check")]
    policy: Option<std::path::PathBuf>,
    /// Witness another ombud's log: check its signed checkpoint (a file, or -) with `--key`
    /// (that log's key), check it is consistent with the checkpoint of that log this data
    /// directory cosigned last (a proof built from the log's tiles, `--from-tiles`), then
    /// print it with this witness's cosignature added (C2SP tlog-cosignature). Needs no record.
    #[arg(long, value_name = "FILE", requires = "key")]
    cosign: Option<std::path::PathBuf>,
    /// The witnessed log's tiles, as its `ombud log --tiles DIR` wrote them.
    #[arg(long, value_name = "DIR", requires = "cosign")]
    from_tiles: Option<std::path::PathBuf>,
    /// Print the key others check this data directory's cosignatures with (made on first use).
    #[arg(long)]
    witness_key: bool,
    /// Replace the log's signing key (a key that may have leaked, or a scheduled change): the
    /// old key signs the checkpoint as it stands and a statement announcing the new key, which
    /// is logged as a leaf; the new key signs from then on. Whoever holds the old public key
    /// can still check new checkpoints with `--check FILE --key OLD_KEY`.
    #[arg(long)]
    rotate_key: bool,
    /// List the keys this log was signed with, oldest first, and the logged statement that
    /// handed each on.
    #[arg(long)]
    keys: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub async fn log(ctx: &Context, args: LogArgs) -> Result<ExitCode> {
    // A witness needs its key, not a record.
    if args.witness_key || args.cosign.is_some() {
        return witness(ctx, &args);
    }
    if args.key.is_some() && args.check.is_none() {
        anyhow::bail!("--key goes with --check (this log's key) or --cosign (the witnessed log's)");
    }
    // The record must exist: a log without a data directory is a mistyped --data-dir.
    let service = open(ctx, false).await?;
    let code = act(ctx, &service, &args).await;
    service.close().await?;
    code
}

async fn act(ctx: &Context, service: &Service, args: &LogArgs) -> Result<ExitCode> {
    if let Some(prefix) = &args.prove {
        let proven = service.prove(prefix)?;
        return show_inclusion(&proven.proof, proven.intact, args.json);
    }
    if args.sign {
        print!("{}", service.signed_checkpoint()?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = &args.tiles {
        let (checkpoint, written) = service.write_tiles(dir)?;
        if args.json {
            print_json(
                &json!({"size": checkpoint.size, "root": checkpoint.root, "tiles_written": written}),
            )?;
        } else if !ctx.quiet {
            println!(
                "{}: checkpoint of size {}, root {}, signed; {written} tile(s) written",
                dir.display(),
                checkpoint.size,
                checkpoint.root
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.public_key {
        println!("{}", service.verifier_key()?);
        return Ok(ExitCode::SUCCESS);
    }
    if args.rotate_key {
        let r = service.rotate_key()?;
        if args.json {
            print_json(&json!({
                "old_key": r.old_key, "new_key": r.new_key,
                "statement": r.statement, "sha256": r.sha256, "signed": r.signed,
            }))?;
        } else {
            println!("{}", r.new_key);
            if !ctx.quiet {
                eprintln!(
                    "the log's new key is above; the old key ({}) signed the statement that hands \
                     over, logged as leaf {}. Publish the new key; holders of the old one can \
                     check new checkpoints with it through the log.",
                    r.old_key, r.sha256
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.keys {
        let chain = service.key_chain()?;
        let current = service.verifier_key()?;
        if args.json {
            let links: Vec<serde_json::Value> = chain
                .iter()
                .map(|(sha, r)| {
                    json!({"old_key": r.old_key, "new_key": r.new_key, "statement": sha,
                           "size": r.size, "root": ledger_hex(&r.root)})
                })
                .collect();
            print_json(&json!({"current": current, "rotations": links}))?;
        } else {
            for (sha, r) in &chain {
                println!(
                    "{}\n  signed until size {} (root {}), then handed on by statement {sha}",
                    r.old_key,
                    r.size,
                    ledger_hex(&r.root)
                );
            }
            println!("{current}\n  signs now");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let (Some(file), Some(key)) = (&args.check, &args.key) {
        let note = if file.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())?
        } else {
            std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", file.display()))?
        };
        if let Some(policy_file) = &args.policy {
            let policy = std::fs::read_to_string(policy_file)
                .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", policy_file.display()))?;
            let report =
                pipeline::check_cosignatures(&note, &policy, &policy_file.display().to_string())?;
            if !report.met {
                if args.json {
                    print_json(&json!({"cosignatures": report, "verified": false}))?;
                } else {
                    for w in &report.witnesses {
                        let state = match (&w.at, &w.problem) {
                            (Some(_), _) => "cosigned".to_string(),
                            (None, Some(p)) => format!("bad cosignature: {p}"),
                            (None, None) => "no cosignature".to_string(),
                        };
                        println!("  {}: {state}", w.witness);
                    }
                    println!(
                        "FAILED: {}: {} of the {} cosignatures the policy requires",
                        file.display(),
                        report.witnesses.iter().filter(|w| w.at.is_some()).count(),
                        report.quorum
                    );
                }
                return Ok(ExitCode::FAILURE);
            }
            if !args.json {
                println!(
                    "cosignatures good: {} of {} witnesses, quorum {}",
                    report.witnesses.iter().filter(|w| w.at.is_some()).count(),
                    report.witnesses.len(),
                    report.quorum
                );
            }
        }
        let (origin, old) = match service.check_signed_through_rotations(&note, key)? {
            Ok((origin, old, rotations)) => {
                if let Some((sha, last)) = rotations.last()
                    && !args.json
                {
                    println!(
                        "signed by a later key of this log ({}), handed on from the key given \
                         through {} logged rotation(s), the last in leaf {sha}",
                        last.new_key,
                        rotations.len()
                    );
                }
                (origin, old)
            }
            Err(why) => {
                if args.json {
                    print_json(
                        &json!({"signature": "bad", "reason": why.to_string(), "verified": false}),
                    )?;
                } else {
                    println!("FAILED: {}: {why}", file.display());
                }
                return Ok(ExitCode::FAILURE);
            }
        };
        if !args.json {
            println!(
                "signature good: {origin}'s checkpoint of size {}, root {}",
                old.size, old.root
            );
        }
        return extends(service, &old, args.json).await;
    }
    if let Some(old) = &args.extends {
        let bad_arguments = |message: String| {
            eprintln!("error: {message}");
            Ok(ExitCode::from(2))
        };
        let [size, root] = old.as_slice() else {
            return bad_arguments("--extends takes a size and a root".into());
        };
        let Ok(size) = size.parse::<u64>() else {
            return bad_arguments(format!(
                "--extends {size:?}: the size is a whole number of documents"
            ));
        };
        if !is_hash(root) {
            return bad_arguments(format!(
                "--extends {size} {root:?}: the root is 64 hex digits, as `ombud log` prints it"
            ));
        }
        let old = Checkpoint {
            size,
            root: root.to_ascii_lowercase(),
        };
        return extends(service, &old, args.json).await;
    }
    let checkpoint = service.checkpoint()?;
    if args.json {
        print_json(&json!({"size": checkpoint.size, "root": checkpoint.root}))?;
    } else {
        println!("log of {}", ctx.data_dir.display());
        println!("  size  {}", checkpoint.size);
        println!("  root  {}", checkpoint.root);
        println!(
            "Keep this checkpoint where ombud cannot change it (print it, publish it, send it to a colleague).\nLater, `ombud log --extends {} {}` proves the log still holds every document it holds now.",
            checkpoint.size, checkpoint.root
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_note(file: &std::path::Path) -> Result<String> {
    if file.as_os_str() == "-" {
        return Ok(std::io::read_to_string(std::io::stdin())?);
    }
    std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", file.display()))
}

fn witness(ctx: &Context, args: &LogArgs) -> Result<ExitCode> {
    let witness = pipeline::DataDir::at(&ctx.data_dir).witness();
    if args.witness_key {
        println!("{}", witness.verifier_key()?);
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(file), Some(key)) = (&args.cosign, &args.key) else {
        anyhow::bail!("--cosign FILE needs --key (the witnessed log's verifier key)");
    };
    let note = read_note(file)?;
    let now = jiff::Timestamp::now().as_second().max(0) as u64;
    match witness.cosign(&note, key, args.from_tiles.as_deref(), now) {
        Ok((cosigned, cp, last)) => {
            print!("{cosigned}");
            if !ctx.quiet {
                let since = last.map_or(
                    "the first checkpoint of this log it cosigns".to_string(),
                    |l| format!("consistent with size {} it cosigned last", l.size),
                );
                eprintln!("cosigned size {}, root {}: {since}", cp.size, cp.root);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("FAILED: {}: {e}", file.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn show_inclusion(proof: &InclusionProof, intact: bool, json: bool) -> Result<ExitCode> {
    let verified = proof.verify() && intact;
    if json {
        print_json(&json!({
            "sha256": proof.sha256,
            "index": proof.index,
            "size": proof.checkpoint.size,
            "root": proof.checkpoint.root,
            "path": proof.path,
            "bytes_intact": intact,
            "verified": verified,
        }))?;
    } else {
        println!(
            "document {} is leaf {} of the log at size {}, root {}",
            proof.sha256, proof.index, proof.checkpoint.size, proof.checkpoint.root
        );
        println!("audit path, leaf to root (RFC 9162 inclusion proof):");
        for h in &proof.path {
            println!("  {h}");
        }
        println!(
            "{}",
            if verified {
                "verified: the path leads from the document to the root, and its archived bytes still hash to it"
            } else if !intact {
                "FAILED: the document is logged, but its archived bytes are missing or altered (`ombud verify` says which)"
            } else {
                "FAILED: the path does not lead to the root"
            }
        );
    }
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Proves, and says, whether the log now extends the checkpoint `old`.
async fn extends(service: &Service, old: &Checkpoint, json: bool) -> Result<ExitCode> {
    let Some(proof) = service.consistency(old)? else {
        // Shorter than the checkpoint: direct evidence of removal, not an error of use.
        let reason = format!(
            "the log holds fewer documents than the checkpoint's {}: documents were removed or the log was rolled back, or the checkpoint is not this log's",
            old.size
        );
        if json {
            print_json(&json!({"verified": false, "reason": reason}))?;
        } else {
            println!("FAILED: {reason}");
        }
        return Ok(ExitCode::FAILURE);
    };
    let tree = proof.verify();
    // The tree says the digests are there and in order; the bytes they name must be too.
    let (blobs, bad) = service.check_logged_blobs(old.size).await?;
    let verified = tree && bad.is_empty();
    if json {
        print_json(&json!({
            "old": {"size": proof.old.size, "root": proof.old.root},
            "new": {"size": proof.new.size, "root": proof.new.root},
            "path": proof.path,
            "tree_verified": tree,
            "blobs_checked": blobs,
            "blobs_failed": bad,
            "verified": verified,
        }))?;
    } else if verified {
        println!(
            "verified: the log at size {} (root {}) extends the checkpoint of size {} (root {}), and the {blobs} blob(s) logged by then still hash to their names: every document and decision logged then is still there, unchanged and in order",
            proof.new.size, proof.new.root, proof.old.size, proof.old.root
        );
    } else if tree {
        for b in &bad {
            println!("FAILED {}: {}", b.sha256, b.problem);
        }
        println!(
            "FAILED: the log at size {} extends the checkpoint of size {} (its digests are there, in order), but {} of the {blobs} blob(s) logged by then are gone or altered",
            proof.new.size,
            proof.old.size,
            bad.len()
        );
    } else {
        println!(
            "FAILED: the log at size {} (root {}) does not extend the checkpoint of size {} (root {}): documents logged before it were altered, removed or reordered, or the checkpoint is not this log's",
            proof.new.size, proof.new.root, proof.old.size, proof.old.root
        );
    }
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn ledger_hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}
