//! `cargo xtask hostile [--scale S] [--keep DIR] [--limit SECONDS]`: writes the hostile corpus
//! (`test_support::hostile_corpus`, the sizes issue 10 names at scale 1) and ingests each file
//! alone with the release `ombud`, then all of them in one batch beside a good report, under
//! `/usr/bin/time`: wall time, peak resident memory and the outcome of each (a run past the limit,
//! 120 s by default, is stopped and said so). Build first with
//! `cargo build --release -p cli`.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

pub fn run(args: &[String]) -> Result<()> {
    let mut scale = 1.0;
    let mut keep: Option<PathBuf> = None;
    let mut limit: u64 = 120;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--scale" => scale = it.next().context("--scale S")?.parse()?,
            "--keep" => keep = Some(PathBuf::from(it.next().context("--keep DIR")?)),
            "--limit" => limit = it.next().context("--limit SECONDS")?.parse()?,
            other => {
                bail!("unknown argument {other:?}: cargo xtask hostile [--scale S] [--keep DIR]")
            }
        }
    }
    let ombud = test_support::repo_root().join("target/release/ombud");
    if !ombud.exists() {
        bail!(
            "{}: build it first: cargo build --release -p cli",
            ombud.display()
        );
    }
    let tmp = test_support::temp_dir();
    let dir = keep.unwrap_or_else(|| tmp.path().join("inputs"));
    std::fs::create_dir_all(&dir)?;
    let corpus = test_support::hostile_corpus(&dir, scale);
    let good = dir.join("good.txt");
    std::fs::write(
        &good,
        " date 2020-10-05 Caspian Observer - \nShelling hit the town of Tartar on Monday, the district administration said. Two houses were damaged.\n",
    )?;
    println!("| input | bytes | exit | seconds | peak resident MB | what ombud said |");
    println!("|---|---|---|---|---|---|");
    let mut all: Vec<PathBuf> = corpus.iter().map(|h| h.path.clone()).collect();
    all.push(good.clone());
    let mut runs: Vec<(String, Vec<PathBuf>)> = corpus
        .iter()
        .map(|h| (h.name.to_string(), vec![h.path.clone()]))
        .collect();
    runs.push(("all of them and a good report, one batch".to_string(), all));
    for (i, (name, inputs)) in runs.iter().enumerate() {
        let data = tmp.path().join(format!("data-{i}"));
        let mut child = Command::new("/usr/bin/time")
            .args(["-f", "%e %M"])
            .arg(&ombud)
            .arg("--data-dir")
            .arg(&data)
            .args(["ingest", "--jobs", "1"])
            .args(inputs)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .context("cannot run /usr/bin/time")?;
        // A run that does not end within the limit is stopped and said so.
        let started = std::time::Instant::now();
        let mut stopped = false;
        while child.try_wait()?.is_none() {
            if started.elapsed().as_secs() >= limit {
                // /usr/bin/time passes the signal on to ombud, its child.
                let _ = Command::new("pkill")
                    .args(["-f", &data.to_string_lossy()])
                    .status();
                stopped = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let out = child.wait_with_output()?;
        if stopped {
            println!(
                "| {name} | | stopped | more than {limit} | | did not finish within {limit} s |"
            );
            continue;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut lines: Vec<&str> = stderr.lines().collect();
        let measured = lines.pop().unwrap_or("");
        let (secs, kb) = measured.split_once(' ').unwrap_or(("?", "0"));
        let mb = kb.trim().parse::<f64>().unwrap_or(0.0) / 1024.0;
        let said: Vec<String> = lines
            .iter()
            .filter(|l| l.contains("rejected") || l.contains("error") || l.contains("warning"))
            .map(|l| l.replace(&*dir.to_string_lossy(), "").replace('|', "/"))
            .collect();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let summary = stdout.lines().last().unwrap_or("").to_string();
        let bytes: u64 = inputs
            .iter()
            .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .sum();
        println!(
            "| {name} | {bytes} | {} | {secs} | {mb:.0} | {} |",
            out.status
                .code()
                .map_or("killed".to_string(), |c| c.to_string()),
            if said.is_empty() {
                summary
            } else {
                said.join("; ")
            }
        );
    }
    Ok(())
}
