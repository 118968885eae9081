//! `cargo xtask bench scale`: the record at scale. Generates short synthetic reports in the
//! project's own words over real gazetteer places and dates (about a third re-reporting an
//! earlier event from another publisher), ingests them into a fresh SQLite data directory or
//! PostgreSQL schema, and measures documents/s, peak memory, the p50/p99 latency of typical
//! queries, export speed, and adding 1,000 reports to the full store.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use pipeline::{
    ExportFormat, IncidentFilter, IngestEvent, IngestOptions, OpenOptions, Page, Service,
};

const USAGE: &str = "\
usage: cargo xtask bench scale [--docs N] [--database postgres|URL] [--jobs N] [--queries N]
                               [--dir DIR] [--json]
  --docs N          reports to ingest (default 10000), then 1000 more into the full store
  --database URL    PostgreSQL instead of SQLite; `postgres` for a scratch schema on the test
                    server (OMBUD_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test)
  --queries N       runs of each query kind for latencies (default 200)
  --dir DIR         work here and keep it (default: a temporary directory, removed)";

struct Args {
    docs: u64,
    database: Option<String>,
    jobs: usize,
    queries: usize,
    dir: Option<PathBuf>,
    json: bool,
}

fn parse(args: &[String]) -> Result<Args> {
    let mut a = Args {
        docs: 10_000,
        database: None,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        queries: 200,
        dir: None,
        json: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{arg} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--docs" => a.docs = value()?.replace('_', "").parse()?,
            "--database" => a.database = Some(value()?.clone()),
            "--jobs" => a.jobs = value()?.parse()?,
            "--queries" => a.queries = value()?.parse()?,
            "--dir" => a.dir = Some(PathBuf::from(value()?)),
            "--json" => a.json = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown option {other:?}\n\n{USAGE}"),
        }
    }
    Ok(a)
}

/// Towns and cities of 100,000 people or more: names the geoparser knows.
fn places() -> Result<Vec<String>> {
    let mut entries = gazetteer::embedded()?;
    entries.retain(|e| e.population >= 100_000 && e.feature == model::Feature::City);
    entries.sort_by_key(|e| e.geonameid);
    let mut names: Vec<String> = entries.into_iter().map(|e| e.name).collect();
    names.dedup();
    Ok(names)
}

fn write_reports(path: &Path, from: u64, to: u64, places: &[&str]) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in from..to {
        writeln!(out, "{}", test_support::synthetic_report(i, places))?;
    }
    out.flush()?;
    Ok(())
}

/// The process's peak resident memory, in MiB (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A small deterministic generator for query parameters.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

#[derive(Debug, serde::Serialize)]
struct Latency {
    query: &'static str,
    runs: usize,
    /// Rows returned per run, on average: a query that finds nothing measures nothing.
    mean_rows: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn latency(query: &'static str, mut times: Vec<Duration>, rows: usize) -> Latency {
    times.sort();
    let at = |q: f64| {
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Latency {
        query,
        runs: times.len(),
        mean_rows: rows as f64 / times.len().max(1) as f64,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
    }
}

#[derive(Debug, serde::Serialize)]
struct Summary {
    database: String,
    documents: u64,
    claims: u64,
    incidents: u64,
    ingest_seconds: f64,
    ingest_docs_per_second: f64,
    peak_rss_mib: Option<f64>,
    add_1000_seconds: f64,
    export_incidents_per_second: f64,
    latencies: Vec<Latency>,
}

pub fn run(args: &[String]) -> Result<()> {
    let args = parse(args)?;
    // `OMBUD_LOG=pipeline=debug` shows each group's timings, as for `ombud ingest`.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("OMBUD_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> Result<()> {
    let temp = tempfile::Builder::new().prefix("ombud-scale-").tempdir()?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let names = places()?;
    let places: Vec<&str> = names.iter().map(String::as_str).collect();
    let (reports, more) = (dir.join("reports.jsonl"), dir.join("more.jsonl"));
    eprintln!(
        "writing {} reports over {} places to {}",
        args.docs,
        places.len(),
        reports.display()
    );
    write_reports(&reports, 0, args.docs, &places)?;
    write_reports(&more, args.docs, args.docs + 1000, &places)?;

    let mut scratch = None;
    let database = match args.database.as_deref() {
        Some("postgres") => {
            let server = pipeline::scratch::test_server()
                .await
                .map_err(anyhow::Error::msg)?
                .context("no PostgreSQL server answers: set OMBUD_TEST_POSTGRES")?;
            let s = pipeline::scratch::ScratchPostgres::create(&server, "scale").await?;
            let url = match &s.target {
                pipeline::StoreTarget::Postgres(u) => u.clone(),
                pipeline::StoreTarget::Sqlite(p) => p.display().to_string(),
            };
            scratch = Some(s);
            Some(url)
        }
        other => other.map(str::to_string),
    };
    let service = Service::open(&OpenOptions {
        data_dir: dir.join("data"),
        database,
        create: true,
        read_only: false,
    })
    .await?;
    let now = "2026-12-01T00:00:00Z".to_string();
    let started = Instant::now();
    let mut last = Instant::now();
    let mut on_event = |e: IngestEvent| {
        if let IngestEvent::Stored { documents, .. } = e
            && last.elapsed() >= Duration::from_secs(10)
        {
            last = Instant::now();
            eprintln!(
                "  {documents} documents in {:.0} s ({:.0}/s), peak {:.0} MiB",
                started.elapsed().as_secs_f64(),
                documents as f64 / started.elapsed().as_secs_f64(),
                peak_rss_mib().unwrap_or(0.0)
            );
        }
    };
    let report = service
        .ingest(
            std::slice::from_ref(&reports),
            &IngestOptions::new(now.clone(), args.jobs),
            &mut on_event,
        )
        .await?;
    let ingest_seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    if !report.rejected.is_empty() {
        bail!(
            "{} reports rejected: {:?}",
            report.rejected.len(),
            report.rejected.first()
        );
    }

    // Export everything (and sample ids for `show` on the way).
    let mut sample: Vec<String> = Vec::new();
    let mut rng = Lcg(7);
    let mut seen = 0usize;
    let started = Instant::now();
    let mut sink = std::io::sink();
    let exported = service
        .export(&IncidentFilter::default(), ExportFormat::Csv, &mut sink)
        .await?
        .written;
    let export_seconds = started.elapsed().as_secs_f64();
    service
        .each_incident(&IncidentFilter::default(), &Page::default(), &mut |i| {
            seen += 1;
            if sample.len() < 1000 {
                sample.push(i.id.0.clone());
            } else {
                let j = rng.next(seen);
                if j < sample.len() {
                    sample[j] = i.id.0.clone();
                }
            }
            Ok(())
        })
        .await?;

    // Typical queries, each with random parameters.
    let mut latencies = Vec::new();
    let page = |after: Option<String>| Page {
        limit: Some(50),
        after,
    };
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..args.queries {
        let id = sample[rng.next(sample.len())].clone();
        let t = Instant::now();
        rows += service.incident(&id).await?.claims.len();
        times.push(t.elapsed());
    }
    latencies.push(latency("show ID (rows: claims)", times, rows));
    let day0 = model::Date::new(2020, 1, 1).context("a date")?;
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..args.queries {
        let since = day0.add_days(rng.next(1100) as i64);
        let filter = IncidentFilter {
            since: Some(since),
            until: Some(since.add_days(6)),
            ..Default::default()
        };
        let t = Instant::now();
        rows += service.incidents(&filter, &page(None)).await?.len();
        times.push(t.elapsed());
    }
    latencies.push(latency(
        "incidents --since D --until D+6 --limit 50",
        times,
        rows,
    ));
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..args.queries {
        let filter = IncidentFilter {
            place: Some(places[rng.next(places.len())].to_string()),
            ..Default::default()
        };
        let t = Instant::now();
        rows += service.incidents(&filter, &page(None)).await?.len();
        times.push(t.elapsed());
    }
    latencies.push(latency("incidents --place P --limit 50", times, rows));
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..args.queries {
        let filter = IncidentFilter {
            grade: Some(model::Grade::Fair),
            ..Default::default()
        };
        let after = sample[rng.next(sample.len())].clone();
        let t = Instant::now();
        rows += service.incidents(&filter, &page(Some(after))).await?.len();
        times.push(t.elapsed());
    }
    latencies.push(latency(
        "incidents --grade fair --limit 50 --after ID",
        times,
        rows,
    ));
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..args.queries {
        let since = day0.add_days(rng.next(1100) as i64);
        let filter = IncidentFilter {
            since: Some(since),
            event_type: Some("air".into()),
            ..Default::default()
        };
        let t = Instant::now();
        rows += service.incidents(&filter, &page(None)).await?.len();
        times.push(t.elapsed());
    }
    latencies.push(latency(
        "incidents --since D --type air --limit 50",
        times,
        rows,
    ));

    // A thousand more reports into the full store.
    let started = Instant::now();
    service
        .ingest(
            std::slice::from_ref(&more),
            &IngestOptions::new(now.clone(), args.jobs),
            &mut |_| {},
        )
        .await?;
    let add_1000_seconds = started.elapsed().as_secs_f64();
    let counts = service.counts().await?;
    let summary = Summary {
        database: service.database(),
        documents: report.new as u64,
        claims: report.claims as u64,
        incidents: report.incidents,
        ingest_seconds,
        ingest_docs_per_second: report.new as f64 / ingest_seconds,
        peak_rss_mib: peak,
        add_1000_seconds,
        export_incidents_per_second: exported as f64 / export_seconds.max(1e-9),
        latencies,
    };
    service.close().await?;
    if let Some(s) = scratch {
        s.drop_schema().await?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("database    {}", summary.database);
        println!(
            "ingest      {} documents, {} claims, {} incidents in {:.1} s: {:.0} documents/s; peak RSS {:.0} MiB",
            summary.documents,
            summary.claims,
            summary.incidents,
            summary.ingest_seconds,
            summary.ingest_docs_per_second,
            summary.peak_rss_mib.unwrap_or(0.0)
        );
        println!(
            "add 1000    {:.2} s into the full store ({} documents now)",
            summary.add_1000_seconds, counts.documents
        );
        println!(
            "export      {:.0} incidents/s (CSV, {exported} incidents)",
            summary.export_incidents_per_second
        );
        for l in &summary.latencies {
            println!(
                "query       {:<46} p50 {:>7.2} ms  p99 {:>7.2} ms  ({} runs, {:.1} rows each)",
                l.query, l.p50_ms, l.p99_ms, l.runs, l.mean_rows
            );
        }
    }
    Ok(())
}
