//! The subcommands: arguments and what each does with the pipeline.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use model::{CountryCode, Date, Grade, Publisher, SourceKind, Stance};
use pipeline::{
    ClaimFilter, DataDir, ExportFormat, ExtractOptions, Format, IncidentFilter, IngestEvent,
    IngestOptions, Reference,
};

use crate::{EXIT_PARTIAL, view};

/// What every command gets from the global options.
#[derive(Debug)]
pub struct Context {
    pub data_dir: PathBuf,
    pub quiet: bool,
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>().map_err(|e| e.to_string())
}

fn parse_grade(s: &str) -> Result<Grade, String> {
    Grade::parse(s).ok_or_else(|| {
        format!("{s:?} is not a grade: use confirmed, fair, weak, contested or discounted")
    })
}

fn parse_stance(s: &str) -> Result<Stance, String> {
    match s {
        "alleges" => Ok(Stance::Alleges),
        "reports" => Ok(Stance::Reports),
        "confirms" => Ok(Stance::Confirms),
        "denies" => Ok(Stance::Denies),
        "hedged" => Ok(Stance::Hedged),
        _ => Err(format!(
            "{s:?} is not a stance: use alleges, reports, confirms, denies or hedged"
        )),
    }
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

pub(crate) async fn open(ctx: &Context) -> Result<store::Store> {
    let dir = DataDir::open(&ctx.data_dir)?;
    if !dir.database().exists() {
        bail!(
            "{}: no ombud data here yet: run `ombud ingest PATH` first, or pass --data-dir (or set OMBUD_DATA)",
            ctx.data_dir.display()
        );
    }
    Ok(pipeline::open_store(&dir).await?)
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The example corpus to ingest.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))]
    examples: PathBuf,
    /// Data directory for the demo (kept, so `ombud --data-dir ... show ID` works afterwards).
    #[arg(long, default_value = "ombud-demo")]
    demo_dir: PathBuf,
}

pub async fn demo(ctx: &Context, args: DemoArgs) -> Result<ExitCode> {
    let examples = args.examples.canonicalize().with_context(|| {
        format!("{}: the example corpus is not there: run the demo from an ombud checkout, or pass --examples DIR", args.examples.display())
    })?;
    let demo_ctx = Context {
        data_dir: args.demo_dir.clone(),
        quiet: ctx.quiet,
    };
    let code = ingest(
        &demo_ctx,
        IngestArgs {
            paths: vec![examples],
            format: None,
            jobs: default_jobs(),
            json: false,
        },
    )
    .await?;
    let store = open(&demo_ctx).await?;
    let incidents = store.incidents().await?;
    let refs: Vec<&model::Incident> = incidents.iter().collect();
    println!();
    print!("{}", view::incidents_table(&refs));
    if !ctx.quiet {
        eprintln!(
            "\nnext: ombud --data-dir {dir} show ID   (every claim behind an incident, with its quote)\n      ombud --data-dir {dir} export --format geojson --out incidents.geojson\n      ombud --data-dir {dir} log   (the checkpoint that proves later no report was altered)",
            dir = args.demo_dir.display()
        );
    }
    Ok(code)
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files, directories (read recursively) or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Read every input as this format instead of detecting it: text, jsonl, html, feed or warc.
    #[arg(long)]
    format: Option<Format>,
    /// Threads for extraction and geocoding.
    #[arg(long, short, default_value_t = default_jobs())]
    jobs: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn ingest(ctx: &Context, args: IngestArgs) -> Result<ExitCode> {
    let dir = DataDir::open(&ctx.data_dir)?;
    let reference = Reference::load()?;
    let now = jiff::Timestamp::now();
    let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let options = IngestOptions {
        format: args.format,
        jobs: args.jobs,
        retrieved_at: now.to_string(),
        retrieved_on: Date::new(
            i32::from(today.year()),
            today.month() as u32,
            today.day() as u32,
        ),
    };
    let bar = if ctx.quiet || args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} inputs  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut on_event = |e: IngestEvent| match e {
        IngestEvent::Started { inputs } => bar.set_length(inputs as u64),
        IngestEvent::InputDone { origin } => {
            bar.inc(1);
            bar.set_message(origin);
        }
        IngestEvent::Rejected(r) => {
            bar.inc(u64::from(r.line.is_none()));
            bar.suspend(|| eprintln!("rejected: {}", r.reason));
        }
    };
    let report = pipeline::ingest(&dir, &reference, &args.paths, &options, &mut on_event).await?;
    bar.finish_and_clear();
    if args.json {
        print_json(&report)?;
    } else if !ctx.quiet {
        eprint!(
            "{}",
            view::ingest_summary(&report)
                .lines()
                .next()
                .map(|l| format!("{l}\n"))
                .unwrap_or_default()
        );
    }
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The report to read; `-` or nothing for stdin.
    #[arg(default_value = "-")]
    input: PathBuf,
    /// Read the input as this format instead of detecting it: text, jsonl, html, feed or warc.
    #[arg(long)]
    format: Option<Format>,
    /// Include the document's text (spans index it).
    #[arg(long)]
    with_text: bool,
    /// Show the text with every extracted span marked and labelled, for people (not JSON).
    #[arg(long)]
    explain: bool,
    /// Threads.
    #[arg(long, short, default_value_t = default_jobs())]
    jobs: usize,
}

pub fn extract(_ctx: &Context, args: ExtractArgs, geoparse: bool) -> Result<ExitCode> {
    let reference = Reference::load()?;
    let input = sources::InputFile {
        path: (args.input.as_os_str() != "-").then_some(args.input),
    };
    if args.explain && !geoparse {
        return explain(&reference, &input, args.format);
    }
    let options = ExtractOptions {
        format: args.format,
        with_text: args.with_text,
        jobs: args.jobs,
    };
    let render = if geoparse {
        pipeline::geoparse_json
    } else {
        pipeline::extract_json
    };
    let (values, rejected) = pipeline::extract_inputs(&reference, &input, &options, render)?;
    let mut out = std::io::stdout().lock();
    for v in values {
        serde_json::to_writer(&mut out, &v)?;
        writeln!(out)?;
    }
    Ok(if rejected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}

/// Prints each document's text with its extracted spans marked, then its claims.
fn explain(
    reference: &Reference,
    input: &sources::InputFile,
    format: Option<Format>,
) -> Result<ExitCode> {
    use std::io::IsTerminal;
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let parsed = pipeline::read_input(input, format)?;
    let mut out = std::io::stdout().lock();
    for doc in &parsed.documents {
        let analysis = pipeline::analyse(reference, &doc.text, &doc.meta);
        let claims = &analysis.extraction.claims;
        let title = doc
            .meta
            .id
            .clone()
            .or(doc.meta.title.clone())
            .unwrap_or_else(|| input.origin());
        writeln!(
            out,
            "== {title} ({}, {})\n",
            doc.meta.publisher.as_deref().unwrap_or("unknown publisher"),
            doc.meta
                .published
                .map(|d| d.to_string())
                .unwrap_or_else(|| "undated".into())
        )?;
        writeln!(
            out,
            "{}\n",
            crate::explain::render(&doc.text, claims, colour)
        )?;
        write!(out, "{}", crate::explain::summary(claims))?;
        for d in &analysis.extraction.diagnostics {
            writeln!(out, "  note: {}", d.message)?;
        }
        writeln!(out)?;
    }
    for e in &parsed.rejected {
        eprintln!("rejected: {e}");
    }
    Ok(if parsed.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}

/// Which incidents: shared by `incidents` and `export`.
#[derive(Debug, Args)]
pub struct IncidentFilterArgs {
    /// Only incidents on or after this date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    since: Option<Date>,
    /// Only incidents on or before this date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    until: Option<Date>,
    /// Only incidents at this place (any of its names: Khankendi finds Stepanakert).
    #[arg(long)]
    place: Option<String>,
    /// Only incidents with this weapon (part of its name: "cluster", "Smerch").
    #[arg(long)]
    weapon: Option<String>,
    /// Only incidents of this ACLED event or sub-event type (part of it: "shelling").
    #[arg(long = "type")]
    event_type: Option<String>,
    /// Only incidents alleged against this actor (name, country name or ISO code).
    #[arg(long)]
    actor: Option<String>,
    /// Only incidents with this grade: confirmed, fair, weak, contested, discounted.
    #[arg(long, value_parser = parse_grade)]
    grade: Option<Grade>,
}

impl IncidentFilterArgs {
    fn filter(&self, reference: &Reference) -> IncidentFilter {
        let mut f = IncidentFilter {
            since: self.since,
            until: self.until,
            place: self.place.clone(),
            place_ids: vec![],
            weapon: self.weapon.clone(),
            event_type: self.event_type.clone(),
            actor: self.actor.clone(),
            grade: self.grade,
        };
        f.resolve_place(&reference.gazetteer);
        f
    }
}

#[derive(Debug, Args)]
pub struct IncidentsArgs {
    #[command(flatten)]
    filter: IncidentFilterArgs,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn incidents(ctx: &Context, args: IncidentsArgs) -> Result<ExitCode> {
    let store = open(ctx).await?;
    let reference = Reference::load()?;
    let filter = args.filter.filter(&reference);
    let all = store.incidents().await?;
    let list: Vec<&model::Incident> = all.iter().filter(|i| filter.matches(i)).collect();
    if args.json {
        print_json(&list)?;
    } else {
        print!("{}", view::incidents_table(&list));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The incident's id, or a unique beginning of it.
    incident: String,
    /// Print JSON: the incident and its claims.
    #[arg(long)]
    json: bool,
}

pub async fn show(ctx: &Context, args: ShowArgs) -> Result<ExitCode> {
    let store = open(ctx).await?;
    let Some((incident, claims)) = pipeline::incident_detail(&store, &args.incident).await? else {
        bail!(
            "no incident {:?}: `ombud incidents` lists them",
            args.incident
        );
    };
    if args.json {
        print_json(&serde_json::json!({"incident": incident, "claims": claims}))?;
    } else {
        print!("{}", view::incident_detail(&incident, &claims));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// Only claims dated on or after this date.
    #[arg(long, value_parser = parse_date)]
    since: Option<Date>,
    /// Only claims dated on or before this date.
    #[arg(long, value_parser = parse_date)]
    until: Option<Date>,
    /// Only claims with this stance: alleges, reports, confirms, denies, hedged.
    #[arg(long, value_parser = parse_stance)]
    stance: Option<Stance>,
    /// Only claims by this speaker (part of the name or role; "publisher" for the publisher's voice).
    #[arg(long)]
    speaker: Option<String>,
    /// Only claims of this event or sub-event type (part of it).
    #[arg(long = "type")]
    event_type: Option<String>,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn claims(ctx: &Context, args: ClaimsArgs) -> Result<ExitCode> {
    let store = open(ctx).await?;
    let filter = ClaimFilter {
        since: args.since,
        until: args.until,
        stance: args.stance,
        speaker: args.speaker,
        event_type: args.event_type,
    };
    let all = store.claims().await?;
    let list: Vec<&store::StoredClaim> = all.iter().filter(|c| filter.matches(c)).collect();
    if args.json {
        print_json(&list)?;
    } else {
        print!("{}", view::claims_table(&list));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct DocumentsArgs {
    /// Show one document (hash or its beginning) with its text.
    sha256: Option<String>,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn documents(ctx: &Context, args: DocumentsArgs) -> Result<ExitCode> {
    let store = open(ctx).await?;
    let docs = match &args.sha256 {
        Some(prefix) => {
            let found = store.document(prefix).await?;
            if found.is_empty() {
                bail!("no document with hash {prefix:?}: `ombud documents` lists them");
            }
            found
        }
        None => store.documents(false).await?,
    };
    if args.json {
        print_json(&docs)?;
    } else if args.sha256.is_some() {
        for d in &docs {
            println!(
                "{}\n  {} · {} · {} · {}\n",
                d.sha256,
                d.meta.publisher.as_deref().unwrap_or("?"),
                d.meta.published.map(|p| p.to_string()).unwrap_or_default(),
                d.origin,
                d.retrieved_at
            );
            println!("{}\n", d.text.as_deref().unwrap_or_default());
        }
    } else {
        print!("{}", view::documents_table(&docs));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// csv (ACLED's column names), geojson (points, [lon, lat]) or jsonl.
    #[arg(long, default_value = "csv")]
    format: ExportFormat,
    /// Write here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    filter: IncidentFilterArgs,
}

pub async fn export(ctx: &Context, args: ExportArgs) -> Result<ExitCode> {
    let store = open(ctx).await?;
    let reference = Reference::load()?;
    let filter = args.filter.filter(&reference);
    let list: Vec<model::Incident> = store
        .incidents()
        .await?
        .into_iter()
        .filter(|i| filter.matches(i))
        .collect();
    match &args.out {
        Some(path) => {
            // Write beside the target and rename, so a failed export never leaves half a file.
            let tmp = path.with_extension("ombud-tmp");
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(&tmp)
                    .with_context(|| format!("{}: cannot create", tmp.display()))?,
            );
            pipeline::export(&list, args.format, &mut file)?;
            file.flush()?;
            drop(file);
            std::fs::rename(&tmp, path)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            if !ctx.quiet {
                eprintln!("wrote {} incident(s) to {}", list.len(), path.display());
            }
        }
        None => pipeline::export(&list, args.format, &mut std::io::stdout().lock())?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct PublishersArgs {
    /// Set this publisher's entry (added if new).
    #[arg(long)]
    set: Option<String>,
    /// With --set: ISO 3166-1 country the publisher is based in.
    #[arg(long, requires = "set")]
    country: Option<String>,
    /// With --set: media, government, armed_forces, ngo, un, wire, social.
    #[arg(long, requires = "set")]
    kind: Option<String>,
    /// With --set: ISO code of the party it is aligned with, or `none`.
    #[arg(long, requires = "set")]
    alignment: Option<String>,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn publishers(ctx: &Context, args: PublishersArgs) -> Result<ExitCode> {
    let dir = DataDir::open(&ctx.data_dir)?;
    let store = pipeline::open_store(&dir).await?;
    if let Some(name) = &args.set {
        let current = store
            .publishers()
            .await?
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(name));
        let mut p = current.unwrap_or_else(|| Publisher::unknown(name));
        let code = |s: &str| -> Result<Option<CountryCode>> {
            if s == "none" {
                return Ok(None);
            }
            CountryCode::new(s)
                .map(Some)
                .with_context(|| format!("{s:?} is not an ISO 3166-1 alpha-2 country code"))
        };
        if let Some(c) = &args.country {
            p.country = code(c)?;
        }
        if let Some(a) = &args.alignment {
            p.alignment = code(a)?;
        }
        if let Some(k) = &args.kind {
            p.kind = SourceKind::parse(k).with_context(|| format!("{k:?} is not a kind: use media, government, armed_forces, ngo, un, wire or social"))?;
        }
        store.upsert_publisher(&p).await?;
        pipeline::rebuild_incidents(&store).await?;
    }
    let list = store.publishers().await?;
    if args.json {
        print_json(&list)?;
    } else {
        let mut t =
            crate::table::Table::new(vec!["publisher", "country", "kind", "alignment", "note"]);
        for p in &list {
            t.row(vec![
                p.name.clone(),
                p.country.map(String::from).unwrap_or_default(),
                p.kind.to_string(),
                p.alignment
                    .map(String::from)
                    .unwrap_or_else(|| "none".into()),
                p.note.clone(),
            ]);
        }
        print!("{}", t.render());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print a JSON report.
    #[arg(long)]
    json: bool,
}

pub async fn verify(ctx: &Context, args: VerifyArgs) -> Result<ExitCode> {
    let store = open(ctx).await?;
    let dir = DataDir::open(&ctx.data_dir)?;
    let archive = dir.archive()?;
    let docs = store.documents(false).await?;
    let logged: std::collections::HashSet<String> = archive.log_leaves()?.into_iter().collect();
    let mut bad: Vec<serde_json::Value> = Vec::new();
    for d in &docs {
        let problem = match archive.verify(&d.sha256) {
            Ok(true) if logged.contains(&d.sha256) => continue,
            Ok(true) => "not in the log: it was archived but never logged".to_string(),
            Ok(false) => "altered: the bytes no longer hash to their name".to_string(),
            Err(e) => e.to_string(),
        };
        bad.push(serde_json::json!({"sha256": d.sha256, "origin": d.origin, "problem": problem}));
    }
    let checkpoint = archive.checkpoint()?;
    // Blobs a crash left unlogged: not tampering, and logged when their input is ingested again.
    let unlogged = archive.unlogged()?;
    if args.json {
        print_json(&serde_json::json!({
            "documents": docs.len(),
            "failed": bad,
            "unlogged_blobs": unlogged,
            "log": {"size": checkpoint.size, "root": checkpoint.root},
        }))?;
    } else {
        for u in &unlogged {
            println!(
                "note: archived bytes {u} are not in the log (an interrupted ingest): ingest the same input again to log them"
            );
        }
        for b in &bad {
            println!(
                "FAILED {} ({}): {}",
                b["sha256"].as_str().unwrap_or(""),
                b["origin"].as_str().unwrap_or(""),
                b["problem"].as_str().unwrap_or("")
            );
        }
        println!("{} document(s) checked, {} failed", docs.len(), bad.len());
        println!(
            "log checkpoint: size {}, root {} (`ombud log` explains)",
            checkpoint.size, checkpoint.root
        );
    }
    Ok(if bad.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
