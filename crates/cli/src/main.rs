//! The `ombud` command line: parses arguments, calls the pipeline, presents the results as
//! tables for people or JSON for programs.

mod commands;
mod evidence;
mod explain;
mod log;
mod review;
mod serve;
mod table;
mod user;
mod view;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status when the command ran but some inputs were rejected.
pub const EXIT_PARTIAL: u8 = 3;

const AFTER_HELP: &str = "\
Exit status: 0 success; 1 error; 2 bad arguments; 3 done, but some inputs were rejected.

Examples:
  ombud demo                              ingest the bundled examples and list their incidents
  ombud ingest reports/ feed.xml          archive, extract and merge files and directories
  ombud extract report.txt                claims of one report as JSON, no store touched
  ombud incidents --place Stepanakert     incidents at a place (any of its names)
  ombud show inc-3f9a2c1b7d-0             one incident with every claim and its quote
  ombud review grade inc-3f9a2c1b7d-0 discounted --note 'military target, per two NGOs'
  ombud history inc-3f9a2c1b7d-0          every decision about an incident
  ombud log                               the checkpoint that pins every archived document
  ombud export-evidence inc-3f9a2c1b7d-0 --zip case.zip   sources, claims, proofs for a court
  ombud verify-evidence case.zip --key KEY                check a package, no database needed
  ombud export --format geojson --out incidents.geojson
  ombud user add ana --role reviewer      an account for the web pages (prints its password)
  ombud serve                             the record on http://127.0.0.1:8080/
  ombud --database postgres://me@db/ombud ingest reports/   the record in PostgreSQL, for a team";

/// ombud turns reports of attacks in armed conflict into a verified, sourced, tamper-evident
/// record of incidents: who is alleged to have done what to whom, where, when, with which weapon,
/// who says so and who denies it, and how well it is corroborated.
#[derive(Debug, Parser)]
#[command(name = "ombud", version, about, long_about = None, after_help = AFTER_HELP)]
struct Cli {
    /// Where ombud keeps its archive, the log's key and (by default) its SQLite database.
    #[arg(long, global = true, env = "OMBUD_DATA", default_value = "ombud-data")]
    data_dir: PathBuf,

    /// Keep the record in this database instead of the data directory's SQLite file: a
    /// PostgreSQL URL such as postgres://user@host:5432/ombud (for a team), or sqlite://PATH.
    /// The archive stays in the data directory.
    #[arg(long, global = true, env = "OMBUD_DATABASE", value_name = "URL")]
    database: Option<String>,

    /// Print only errors (no progress, no summaries).
    #[arg(long, short, global = true)]
    quiet: bool,

    /// Open the record for reading only: nothing is created, migrated or written, so `verify`,
    /// `log`, listings and exports work on a copy on read-only media (ombud does this by itself
    /// when it cannot write the data directory). Writing commands fail.
    #[arg(long, global = true)]
    read_only: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ingest the bundled example corpus into a data directory and print its incidents.
    Demo(commands::DemoArgs),
    /// Archive reports, extract their claims, geocode them and merge incidents.
    ///
    /// Reads files, directories (recursively) and `-` for stdin. Formats are detected: plain
    /// text (with an optional first line ` date YYYY-MM-DD Publisher - `), JSON Lines (`text`
    /// and optional `id`, `title`, `url`, `published`, `publisher`, `language`), HTML, RSS 2.0
    /// and Atom, and WARC web archives (plain or gzipped; each captured page or text is a document).
    /// The raw bytes are archived under their SHA-256 before anything else; the same
    /// bytes twice are one document. A bad file is reported with its path (and line) and the
    /// rest goes in.
    Ingest(commands::IngestArgs),
    /// Print the claims of reports as JSON (one object per document); touches no store.
    ///
    /// The output follows ombud's extraction contract (`"schema": 1`): document metadata,
    /// claims whose every field carries the byte span `[start, end)` of the words it came from,
    /// and diagnostics. JSON Lines in gives JSON Lines out, one line per input line, in order.
    Extract(commands::ExtractArgs),
    /// Print every place named in reports, resolved to coordinates, as JSON; touches no store.
    Geoparse(commands::ExtractArgs),
    /// List incidents, with filters, in order of date; page with --limit and --after.
    ///
    /// Filters run in the database, so they stay fast on a large record. A table shows 100
    /// rows unless --limit says otherwise and ends with the --after that shows the next page;
    /// --json and --jsonl stream every match.
    Incidents(commands::IncidentsArgs),
    /// Show one incident with every claim behind it, its quote, speaker, stance and source.
    ///
    /// An incident's id is kept for good: when two incidents join, the older id stays and the
    /// other still finds it.
    Show(commands::ShowArgs),
    /// List claims, with filters, in order of date; page with --limit and --after.
    Claims(commands::ClaimsArgs),
    /// List archived documents in order of publication; page with --limit and --after.
    Documents(commands::DocumentsArgs),
    /// Export incidents as CSV (ACLED's column names), GeoJSON or JSON Lines.
    Export(commands::ExportArgs),
    /// List the publisher registry, or set one publisher's entry.
    Publishers(commands::PublishersArgs),
    /// Check that every archived document still hashes to its recorded SHA-256 and is in the log.
    Verify(commands::VerifyArgs),
    /// The tamper-evident log of archived documents: its checkpoint, proofs, and checks.
    ///
    /// Every archived document is a leaf of an append-only Merkle tree (RFC 9162, as Certificate
    /// Transparency uses). `ombud log` prints the checkpoint (size and root); keep it where ombud
    /// cannot change it. `--prove SHA256` prints the proof that a document is in the log;
    /// `--extends SIZE ROOT` proves the log still holds, unchanged and in order, every document
    /// it held at that earlier checkpoint. `--sign` prints the checkpoint signed with the log's
    /// Ed25519 key (a C2SP signed note), `--public-key` the key to check it with, and
    /// `--check FILE --key KEY` checks a signed checkpoint and that the log still extends it.
    Log(log::LogArgs),
    /// Write one incident's evidence package: the original bytes of every source behind it,
    /// the text read from each, its claims with the words behind every field, its grade and
    /// reasons, the decisions people took, the signed checkpoint and the log's key, and an
    /// inclusion proof for every source and decision; with a README that tells a lawyer how to
    /// check it by hand (sha256sum, openssl, the RFC 9162 steps).
    ExportEvidence(evidence::ExportEvidenceArgs),
    /// Check an evidence package (a folder or zip) with no database and no network, and name
    /// every file that fails: hashes, the checkpoint's signature, every inclusion proof, the
    /// logged decisions, and every quoted word against its source.
    VerifyEvidence(evidence::VerifyEvidenceArgs),
    /// Extract stored documents again, after an upgrade of ombud or of its word lists or places.
    ///
    /// By default, the documents read by another ombud version, other lexicons or another
    /// gazetteer than this one's; --all for every document; --since VERSION for those read by
    /// that version or a later one. Each old claim id is mapped to the new claim whose words it
    /// overlaps most, so decisions about it hold; incident ids are kept.
    Reextract(commands::ReextractArgs),
    /// Derive the claim index and every incident again from the stored claims and decisions.
    ///
    /// Ingest keeps incidents up to date as it goes; a rebuild is the slow, sure way, kept for
    /// checking and after a migration (it runs by itself then). Incident ids are kept.
    Rebuild(commands::RebuildArgs),
    /// Add places to the gazetteer: `ombud gazetteer import UA.txt` loads a GeoNames dump.
    Gazetteer(commands::GazetteerArgs),
    /// Decide what the machine got wrong: merge, split, grade, reject, correct, undo.
    ///
    /// A decision names its reviewer (--reviewer, $OMBUD_REVIEWER or the login name), the time
    /// and a --note saying why. It is appended, never edited (an undo is another decision),
    /// logged as a leaf of the tamper-evident log (so `ombud log --extends` covers it), and
    /// holds through re-extraction and rebuilds.
    Review(review::ReviewArgs),
    /// The decisions people took about an incident, oldest first.
    History(review::HistoryArgs),
    /// Remove inputs ingest refused (`ombud documents --rejected`) from quarantine, for good.
    ///
    /// Their bytes were never part of the evidence archive or the log; the purge itself is a
    /// decision (who, when, --note why, each input's hash, origin and size), logged like any
    /// other, so the record says what was thrown away.
    Purge(review::PurgeArgs),
    /// Withdraw a source for someone's safety (a witness named in it): its archived bytes, its
    /// text and its claims are removed, and the incidents they were in re-merged.
    ///
    /// The source's leaf stays in the log, so every checkpoint signed before still proves; the
    /// withdrawal is a logged decision (who, when, --note why), and `verify` accepts the missing
    /// bytes because of it. It cannot be undone.
    Withdraw(review::WithdrawArgs),
    /// Serve the record on the web: incidents on a map and a timeline, incident and document
    /// pages where every field shows its words, review, upload, and the HTTP API (/api/v1).
    ///
    /// Nothing is writable without an account (`ombud user add`), and nothing readable either
    /// unless --public. Runs offline: the map's base layer ships with ombud.
    Serve(serve::ServeArgs),
    /// Manage the accounts of `ombud serve`: add, list, remove, reset-password, role, token.
    User(user::UserArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = if cli.quiet { "error" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OMBUD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .without_time()
        .init();
    // The server answers many requests at once; every other command needs one thread.
    let mut builder = match cli.command {
        Command::Serve(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ctx = commands::Context {
        data_dir: cli.data_dir,
        database: cli.database,
        quiet: cli.quiet,
        read_only: cli.read_only,
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo(a) => commands::demo(&ctx, a).await,
            Command::Ingest(a) => commands::ingest(&ctx, a).await,
            Command::Extract(a) => commands::extract(&ctx, a, false),
            Command::Geoparse(a) => commands::extract(&ctx, a, true),
            Command::Incidents(a) => commands::incidents(&ctx, a).await,
            Command::Show(a) => commands::show(&ctx, a).await,
            Command::Claims(a) => commands::claims(&ctx, a).await,
            Command::Documents(a) => commands::documents(&ctx, a).await,
            Command::Export(a) => commands::export(&ctx, a).await,
            Command::Publishers(a) => commands::publishers(&ctx, a).await,
            Command::Verify(a) => commands::verify(&ctx, a).await,
            Command::Log(a) => log::log(&ctx, a).await,
            Command::ExportEvidence(a) => evidence::export_evidence(&ctx, a).await,
            Command::VerifyEvidence(a) => evidence::verify_evidence(a),
            Command::Reextract(a) => commands::reextract(&ctx, a).await,
            Command::Rebuild(a) => commands::rebuild(&ctx, a).await,
            Command::Gazetteer(a) => commands::gazetteer(&ctx, a).await,
            Command::Review(a) => review::review(&ctx, a).await,
            Command::History(a) => review::history(&ctx, a).await,
            Command::Purge(a) => review::purge(&ctx, a).await,
            Command::Withdraw(a) => review::withdraw(&ctx, a).await,
            Command::Serve(a) => serve::serve(&ctx, a).await,
            Command::User(a) => user::user(&ctx, a).await,
        }
    });
    match result {
        Ok(code) => code,
        // The reader of our output went away (`ombud incidents | head`): nothing to say.
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", chain(&e));
            ExitCode::FAILURE
        }
    }
}

fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// An error and its causes on one line, leaving out a cause its message already quotes
/// ("x.txt: cannot read: No such file" is not followed by "No such file" again).
fn chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}
