//! The subcommands: arguments and what each does with the pipeline's `Service`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use model::{CountryCode, Date, Grade, Incident, Publisher, SourceKind, Stance};
use pipeline::{
    ClaimQuery, DocumentQuery, ExportFormat, ExtractOptions, Format, IncidentFilter, IngestEvent,
    IngestOptions, OpenOptions, Page, Reference, Service,
};

use crate::{EXIT_PARTIAL, view};

/// What every command gets from the global options.
#[derive(Debug)]
pub struct Context {
    pub data_dir: PathBuf,
    pub database: Option<String>,
    pub quiet: bool,
    /// Open the record for reading only (`--read-only`).
    pub read_only: bool,
}

pub(crate) fn default_jobs() -> usize {
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

pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// The time now, RFC 3339 UTC: the CLI is where the clock is read.
pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// Opens the record of the data directory (or `--database`); `create` for commands that add to it.
pub(crate) async fn open(ctx: &Context, create: bool) -> Result<Service> {
    // A data directory ombud cannot write (a court's copy on read-only media) is opened for
    // reading: checking and reading commands work; writing ones fail at their first write.
    let read_only =
        ctx.read_only || (ctx.database.is_none() && !pipeline::DataDir::writable(&ctx.data_dir));
    Ok(Service::open(&OpenOptions {
        data_dir: ctx.data_dir.clone(),
        database: ctx.database.clone(),
        create: create && !read_only,
        read_only,
    })
    .await?)
}

/// How a listing prints: a table for people, or JSON for programs.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Print a JSON array (streamed) instead of a table.
    #[arg(long, conflicts_with = "jsonl")]
    json: bool,
    /// Print one JSON object per line (streamed).
    #[arg(long)]
    jsonl: bool,
    /// At most this many (tables show 100 unless told; JSON shows all).
    #[arg(long)]
    limit: Option<usize>,
    /// Start after this item (the last id of the page before), to page through.
    #[arg(long, value_name = "ID")]
    after: Option<String>,
}

/// Rows a table shows when `--limit` is not given.
const TABLE_ROWS: usize = 100;

/// Streams JSON items as an array or as lines.
struct JsonOut<'a> {
    out: std::io::StdoutLock<'a>,
    lines: bool,
    first: bool,
}

impl JsonOut<'_> {
    fn start(lines: bool) -> Result<JsonOut<'static>> {
        let mut out = std::io::stdout().lock();
        if !lines {
            out.write_all(b"[")?;
        }
        Ok(JsonOut {
            out,
            lines,
            first: true,
        })
    }

    fn item(&mut self, value: &impl serde::Serialize) -> std::io::Result<()> {
        if self.lines {
            serde_json::to_writer(&mut self.out, value)?;
            self.out.write_all(b"\n")
        } else {
            self.out
                .write_all(if self.first { b"\n" } else { b",\n" })?;
            self.first = false;
            serde_json::to_writer_pretty(&mut self.out, value).map_err(std::io::Error::other)
        }
    }

    fn finish(mut self) -> Result<()> {
        if !self.lines {
            self.out
                .write_all(if self.first { b"]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(())
    }
}

fn io_err(e: std::io::Error) -> pipeline::PipelineError {
    pipeline::PipelineError::Io {
        path: PathBuf::from("-"),
        source: e,
    }
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
        database: None,
        quiet: ctx.quiet,
        read_only: false,
    };
    let code = ingest(
        &demo_ctx,
        IngestArgs {
            paths: vec![examples],
            format: None,
            jobs: default_jobs(),
            collected_by: None,
            json: false,
        },
    )
    .await?;
    let service = open(&demo_ctx, false).await?;
    let incidents = service
        .incidents(&IncidentFilter::default(), &Page::default())
        .await?;
    let refs: Vec<&Incident> = incidents.iter().collect();
    println!();
    print!("{}", view::incidents_table(&refs));
    service.close().await?;
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
    /// Who is collecting these reports, as each document's collection record (and its evidence
    /// package) will name them: a name, an e-mail address, a team. Default: your login name
    /// (`$USER`), with the machine's name.
    #[arg(long, value_name = "WHO")]
    collected_by: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// Who runs this ingest, as the collection record names them: the login name and the machine.
fn login_name() -> Option<String> {
    let user = ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))?;
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    Some(match host {
        Some(host) => format!("{user} on {host} (ombud ingest)"),
        None => format!("{user} (ombud ingest)"),
    })
}

pub async fn ingest(ctx: &Context, args: IngestArgs) -> Result<ExitCode> {
    let service = open(ctx, true).await?;
    let mut options = IngestOptions::new(now(), args.jobs);
    options.format = args.format;
    options.collected_by = args
        .collected_by
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .or_else(login_name);
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
    let started = std::time::Instant::now();
    let mut on_event = |e: IngestEvent| match e {
        IngestEvent::Started { inputs } => bar.set_length(inputs as u64),
        IngestEvent::InputDone { .. } => bar.inc(1),
        IngestEvent::Stored { documents, claims } => {
            let rate = documents as f64 / started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!(
                "{documents} documents, {claims} claims stored ({rate:.0} documents/s)"
            ));
        }
        IngestEvent::Rejected(r) => {
            bar.inc(u64::from(r.line.is_none()));
            bar.suspend(|| eprintln!("rejected: {}", r.reason));
        }
    };
    let report = service.ingest(&args.paths, &options, &mut on_event).await?;
    bar.finish_and_clear();
    service.close().await?;
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

pub fn extract(ctx: &Context, args: ExtractArgs, geoparse: bool) -> Result<ExitCode> {
    // The data directory's added places (`ombud gazetteer import`) count here too.
    let reference = Reference::for_data_dir(&ctx.data_dir)?;
    let input = pipeline::InputFile {
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
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let rejected = pipeline::extract_stream(&reference, &input, &options, render, &mut |v| {
        serde_json::to_writer(&mut out, &v)?;
        writeln!(out)
    })?;
    out.flush()?;
    Ok(if rejected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}

/// Prints each document's text with its extracted spans marked, then its claims.
fn explain(
    reference: &Reference,
    input: &pipeline::InputFile,
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
    /// Only incidents whose places, weapons, perpetrators, type or sources contain these words.
    #[arg(long)]
    text: Option<String>,
}

impl IncidentFilterArgs {
    fn filter(&self) -> IncidentFilter {
        IncidentFilter {
            since: self.since,
            until: self.until,
            place: self.place.clone(),
            weapon: self.weapon.clone(),
            event_type: self.event_type.clone(),
            actor: self.actor.clone(),
            grade: self.grade,
            text: self.text.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct IncidentsArgs {
    #[command(flatten)]
    filter: IncidentFilterArgs,
    #[command(flatten)]
    output: OutputArgs,
}

pub async fn incidents(ctx: &Context, args: IncidentsArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let filter = args.filter.filter();
    let o = &args.output;
    if o.json || o.jsonl {
        let mut out = JsonOut::start(o.jsonl)?;
        let page = Page {
            limit: o.limit,
            after: o.after.clone(),
        };
        service
            .each_incident(&filter, &page, &mut |i| out.item(i).map_err(io_err))
            .await?;
        out.finish()?;
    } else {
        let limit = o.limit.unwrap_or(TABLE_ROWS);
        // One more than shown says whether there is a next page.
        let page = Page {
            limit: Some(limit + 1),
            after: o.after.clone(),
        };
        let list = service.incidents(&filter, &page).await?;
        let shown: Vec<&Incident> = list.iter().take(limit).collect();
        print!("{}", view::incidents_table(&shown));
        if list.len() > limit
            && let Some(last) = shown.last()
        {
            eprintln!("… more: add --after {} (or --limit N)", last.id);
        }
    }
    service.close().await?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The incident's id (or an id it had before it joined another), or a unique beginning.
    incident: String,
    /// Print JSON: the incident and its claims.
    #[arg(long)]
    json: bool,
}

pub async fn show(ctx: &Context, args: ShowArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let detail = service.incident(&args.incident).await?;
    let explanation = service.explain(&detail).await?;
    if args.json {
        #[derive(serde::Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            detail: &'a pipeline::IncidentDetail,
            /// Why each claim is in the incident, and why the nearest were kept out.
            explanation: &'a pipeline::Explanation,
        }
        print_json(&Shown {
            detail: &detail,
            explanation: &explanation,
        })?;
    } else {
        if let Some(alias) = &detail.alias {
            println!(
                "{alias} joined {}: its claims are part of this incident now\n",
                detail.incident.id
            );
        }
        print!(
            "{}",
            view::incident_detail(&detail.incident, &detail.claims, &explanation)
        );
    }
    service.close().await?;
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
    #[arg(long, value_parser = Stance::parse)]
    stance: Option<Stance>,
    /// Only claims by this speaker (part of the name or role; "publisher" for the publisher's voice).
    #[arg(long)]
    speaker: Option<String>,
    /// Only claims of this event or sub-event type (part of it).
    #[arg(long = "type")]
    event_type: Option<String>,
    /// Only claims whose sentence contains these words.
    #[arg(long)]
    text: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

pub async fn claims(ctx: &Context, args: ClaimsArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let query = ClaimQuery {
        since: args.since,
        until: args.until,
        stance: args.stance,
        speaker: args.speaker,
        event_type: args.event_type,
        text: args.text,
        ..Default::default()
    };
    let o = &args.output;
    if o.json || o.jsonl {
        let mut out = JsonOut::start(o.jsonl)?;
        let page = Page {
            limit: o.limit,
            after: o.after.clone(),
        };
        service
            .each_claim(&query, &page, &mut |c| out.item(c).map_err(io_err))
            .await?;
        out.finish()?;
    } else {
        let limit = o.limit.unwrap_or(TABLE_ROWS);
        let page = Page {
            limit: Some(limit + 1),
            after: o.after.clone(),
        };
        let list = service.claims(&query, &page).await?;
        let shown: Vec<&pipeline::StoredClaim> = list.iter().take(limit).collect();
        print!("{}", view::claims_table(&shown));
        if list.len() > limit
            && let Some(last) = shown.last()
        {
            eprintln!("… more: add --after {} (or --limit N)", last.id);
        }
    }
    service.close().await?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct DocumentsArgs {
    /// Show one document (hash or its beginning) with its text.
    sha256: Option<String>,
    /// Only documents by this publisher (any case).
    #[arg(long)]
    publisher: Option<String>,
    /// List instead the inputs ingest refused whole (not UTF-8, binary, empty, unreadable):
    /// their bytes are kept in quarantine, apart from the evidence archive and not logged,
    /// until `ombud purge` removes them. With a hash, show one and every reason.
    #[arg(long, conflicts_with = "publisher")]
    rejected: bool,
    #[command(flatten)]
    output: OutputArgs,
}

pub async fn documents(ctx: &Context, args: DocumentsArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let o = &args.output;
    if args.rejected {
        match &args.sha256 {
            Some(prefix) => {
                let q = service.rejected_input(prefix)?;
                if o.json || o.jsonl {
                    print_json(&[&q])?;
                } else {
                    println!(
                        "{}\n  {} bytes · refused {} · {}\n",
                        q.sha256, q.bytes, q.at, q.origin
                    );
                    for r in &q.reasons {
                        println!("  {r}");
                    }
                }
            }
            None => {
                let held = service.rejected_inputs()?;
                if o.json || o.jsonl {
                    let mut out = JsonOut::start(o.jsonl)?;
                    for q in &held {
                        out.item(q)?;
                    }
                    out.finish()?;
                } else {
                    print!("{}", view::rejected_table(&held));
                    if !held.is_empty() {
                        eprintln!(
                            "{} input(s), {} bytes in quarantine: `ombud purge --note WHY` removes them (logged)",
                            held.len(),
                            held.iter().map(|q| q.bytes).sum::<u64>()
                        );
                    }
                }
            }
        }
        service.close().await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(prefix) = &args.sha256 {
        let d = service.document(prefix).await?;
        if o.json || o.jsonl {
            print_json(&[&d])?;
        } else {
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
        let query = DocumentQuery {
            publisher: args.publisher.clone(),
            ..Default::default()
        };
        let limit = if o.json || o.jsonl {
            o.limit
        } else {
            Some(o.limit.unwrap_or(TABLE_ROWS) + 1)
        };
        let page = Page {
            limit,
            after: o.after.clone(),
        };
        if o.json || o.jsonl {
            let mut out = JsonOut::start(o.jsonl)?;
            service
                .each_document(&query, &page, &mut |d| out.item(d).map_err(io_err))
                .await?;
            out.finish()?;
        } else {
            let shown_limit = o.limit.unwrap_or(TABLE_ROWS);
            let mut docs = Vec::new();
            service
                .each_document(&query, &page, &mut |d| {
                    docs.push(d.clone());
                    Ok(())
                })
                .await?;
            let more = docs.len() > shown_limit;
            docs.truncate(shown_limit);
            print!("{}", view::documents_table(&docs));
            if more && let Some(last) = docs.last() {
                eprintln!("… more: add --after {} (or --limit N)", last.sha256);
            }
        }
    }
    service.close().await?;
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

/// Says how many incidents a map export left out, so none is dropped silently.
fn unplaced_note(ctx: &Context, unplaced: usize) {
    if unplaced > 0 && !ctx.quiet {
        eprintln!(
            "note: {unplaced} incident(s) left out of the GeoJSON: no place was reported for them (the CSV and JSON Lines exports hold them)"
        );
    }
}

pub async fn export(ctx: &Context, args: ExportArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let filter = args.filter.filter();
    match &args.out {
        Some(path) => {
            // Write beside the target and rename, so a failed export never leaves half a file.
            let tmp = path.with_extension("ombud-tmp");
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(&tmp)
                    .with_context(|| format!("{}: cannot create", tmp.display()))?,
            );
            let done = service.export(&filter, args.format, &mut file).await?;
            file.flush()?;
            drop(file);
            std::fs::rename(&tmp, path)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            if !ctx.quiet {
                eprintln!("wrote {} incident(s) to {}", done.written, path.display());
            }
            unplaced_note(ctx, done.unplaced);
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let done = service.export(&filter, args.format, &mut out).await?;
            out.flush()?;
            unplaced_note(ctx, done.unplaced);
        }
    }
    service.close().await?;
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
    let service = open(ctx, true).await?;
    if let Some(name) = &args.set {
        let current = service
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
        let written = service.set_publisher(&p).await?;
        if !ctx.quiet {
            eprintln!("{}: saved; {written} incident(s) re-graded", p.name);
        }
    }
    let list = service.publishers().await?;
    service.close().await?;
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
    let service = match open(ctx, false).await {
        Ok(s) => s,
        // A data directory an ingest was creating when it was killed: no database yet, so
        // nothing was acknowledged, and nothing logged is missing. Say so; it is not a failure.
        Err(e)
            if matches!(
                e.downcast_ref::<pipeline::PipelineError>(),
                Some(pipeline::PipelineError::NoRecord { .. })
            ) && ctx.database.is_none()
                && ctx.data_dir.is_dir()
                && pipeline::DataDir::at(&ctx.data_dir).logged_leaves()? == 0 =>
        {
            if args.json {
                print_json(&serde_json::json!({
                    "documents": 0, "failed": [], "state": "being created: no record yet",
                }))?;
            } else {
                println!(
                    "{}: a data directory whose creation stopped before its database was made \
                     (an ingest killed as it started): nothing was recorded or logged in it, so \
                     nothing is missing; `ombud ingest` starts it again",
                    ctx.data_dir.display()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e),
    };
    let bar = if ctx.quiet || args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    let report = service
        .verify(&mut |n| bar.set_message(format!("{n} documents checked")))
        .await?;
    bar.finish_and_clear();
    service.close().await?;
    if args.json {
        print_json(&report)?;
    } else {
        for u in &report.unlogged_blobs {
            println!(
                "note: archived bytes {u} are not in the log (an interrupted ingest): ingest the same input again to log them"
            );
        }
        for l in &report.leftovers {
            println!(
                "note: {l} is a temporary file a killed write left: not part of the record; the next ingest removes it"
            );
        }
        for d in &report.unlogged_decisions {
            println!("note: decision {d} was recorded before ombud logged decisions");
        }
        for b in &report.failed {
            if b.sha256.is_empty() {
                println!("FAILED {}: {}", b.origin, b.problem);
            } else {
                println!("FAILED {} ({}): {}", b.sha256, b.origin, b.problem);
            }
        }
        println!(
            "{} document(s) and {} decision(s) checked, {} failed",
            report.documents,
            report.decisions,
            report.failed.len()
        );
        println!(
            "log checkpoint: size {}, root {} (`ombud log` explains)",
            report.log.size, report.log.root
        );
        if let Some(s) = &report.signed {
            println!(
                "it extends the checkpoint signed last: size {}, root {}",
                s.size, s.root
            );
        }
        if report.withdrawn > 0 {
            println!(
                "{} source(s) withdrawn by logged decisions: their leaves stay, their bytes are gone",
                report.withdrawn
            );
        }
    }
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(Debug, Args)]
pub struct ReextractArgs {
    /// Every stored document, not only those read by another ombud, other lexicons or places.
    #[arg(long, conflicts_with = "since")]
    all: bool,
    /// Documents read by this ombud version or a later one (to redo a faulty release's work).
    #[arg(long, value_name = "VERSION")]
    since: Option<String>,
    /// Threads.
    #[arg(long, short, default_value_t = default_jobs())]
    jobs: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn reextract(ctx: &Context, args: ReextractArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let which = match (&args.since, args.all) {
        (Some(v), _) => pipeline::Reextract::Since(v.clone()),
        (None, true) => pipeline::Reextract::All,
        (None, false) => pipeline::Reextract::Stale,
    };
    let bar = if ctx.quiet || args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    let report = service
        .reextract(&which, &now(), args.jobs, &mut |p| {
            if let pipeline::Progress::Reextracted(n) = p {
                bar.set_message(format!("{n} documents re-extracted"));
            }
        })
        .await?;
    bar.finish_and_clear();
    service.close().await?;
    if args.json {
        print_json(&report)?;
    } else if !ctx.quiet {
        eprintln!(
            "{} document(s) re-extracted: {} claim(s) before, {} after; {} old claim id(s) now point at a new claim, {} found no counterpart; {} incident(s) rewritten",
            report.documents,
            report.claims_before,
            report.claims_after,
            report.moved,
            report.gone,
            report.incidents_written
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn rebuild(ctx: &Context, args: RebuildArgs) -> Result<ExitCode> {
    let service = open(ctx, false).await?;
    let bar = if ctx.quiet || args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    let report = service
        .rebuild(&mut |p| match p {
            pipeline::Progress::Copies(n) => {
                bar.set_message(format!("{n} documents checked for copies"))
            }
            pipeline::Progress::Indexed(n) => bar.set_message(format!("{n} claims indexed")),
            pipeline::Progress::Merged(n) => bar.set_message(format!("{n} claims merged")),
            pipeline::Progress::Reextracted(_) => {}
        })
        .await?;
    bar.finish_and_clear();
    service.close().await?;
    if args.json {
        print_json(&report)?;
    } else if !ctx.quiet {
        eprintln!(
            "rebuilt from {} claim(s): {} incident(s); {} id(s) retired",
            report.claims, report.incidents, report.retired
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct GazetteerArgs {
    #[command(subcommand)]
    action: GazetteerAction,
}

#[derive(Debug, clap::Subcommand)]
enum GazetteerAction {
    /// Load a GeoNames dump you downloaded (a country file such as UA.txt from
    /// download.geonames.org/export/dump, or allCountries.txt) into the data directory, so the
    /// villages it lists resolve. Then `ombud reextract` reads the stored reports again.
    Import {
        /// The dump, in GeoNames' tab-separated format.
        file: PathBuf,
    },
}

pub async fn gazetteer(ctx: &Context, args: GazetteerArgs) -> Result<ExitCode> {
    let service = open(ctx, true).await?;
    match args.action {
        GazetteerAction::Import { file } => {
            let n = service.import_gazetteer(&file)?;
            if !ctx.quiet {
                eprintln!(
                    "{}: {n} place(s) added to {}; `ombud reextract` reads the stored reports again with them (GeoNames data is CC BY 4.0: credit geonames.org)",
                    file.display(),
                    ctx.data_dir.display()
                );
            }
        }
    }
    service.close().await?;
    Ok(ExitCode::SUCCESS)
}
