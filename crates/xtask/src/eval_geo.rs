//! `cargo xtask eval geo`: toponym recognition and resolution on GeoWebNews and LGL
//! (`../shared/eval-data/geoparsing/`), and `cargo xtask eval geo --speed`: gazetteer load time,
//! memory and articles per second on the project's own bench corpus.
//!
//! Recognition: a predicted span is right when it overlaps a gold toponym; precision over
//! predictions, recall over gold toponyms. Resolution, end to end: a gold toponym with coordinates
//! counts as correct when a predicted span overlaps it and the predicted point is within 161 km;
//! gold toponyms not found count as misses. Error km: over the gold toponyms found.
//! Options: `--ablation` also measures with the filters off and with context off;
//! `--explain NAME` shows how each occurrence of NAME in the corpora was read, and
//! `--explain-text TEXT` how a text of your own is read;
//! `--errors N` prints the N most frequent misses and false alarms (to the terminal only).

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use geocode::{Gazetteer, GeoContext, Tuning};
use model::GeoPoint;

/// One gold toponym, with byte offsets into its article's text.
struct Gold {
    start: usize,
    end: usize,
    point: Option<GeoPoint>,
}

pub(crate) struct Article {
    pub(crate) text: String,
    gold: Vec<Gold>,
    /// Annotated spans that are neither right nor wrong to find (GeoWebNews toponyms without
    /// coordinates in the geo subset: demonyms of peoples, streets without a GeoNames id).
    ignore: Vec<(usize, usize)>,
}

pub fn run(args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "--speed") {
        return speed();
    }
    if let Some(text) = args
        .iter()
        .position(|a| a == "--explain-text")
        .and_then(|i| args.get(i + 1))
    {
        let gaz = Gazetteer::new(gazetteer::embedded()?);
        for line in gaz.explain(text, &GeoContext::default()) {
            println!("{line}");
        }
        return Ok(());
    }
    let Some(dir) = crate::shared::eval_data() else {
        return Ok(());
    };
    let errors: usize = args
        .iter()
        .position(|a| a == "--errors")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let t = Instant::now();
    let gaz = Gazetteer::new(gazetteer::embedded()?);
    println!(
        "gazetteer: {} places, {} name keys, loaded in {} ms (this build's profile)",
        gaz.len(),
        gaz.name_keys(),
        t.elapsed().as_millis()
    );
    let sets = [
        ("GeoWebNews", read_gwn(&dir.join("geoparsing"))?),
        ("LGL", read_lgl(&dir.join("geoparsing/lgl.xml"))?),
    ];
    if args.iter().any(|a| a == "--why-missed") {
        why_missed(&gaz, &sets);
        return Ok(());
    }
    if let Some(word) = args
        .iter()
        .position(|a| a == "--explain")
        .and_then(|i| args.get(i + 1))
    {
        let needle = format!("{word:?}");
        let mut shown = 0;
        for (_, articles) in &sets {
            for a in articles {
                for line in gaz.explain(&a.text, &GeoContext::default()) {
                    let name = line.split_once(' ').map_or("", |(_, rest)| rest);
                    if name.starts_with(&needle) && shown < 40 {
                        println!("{line}");
                        shown += 1;
                    }
                }
            }
        }
        return Ok(());
    }
    let mut tunings = vec![("ombud", Tuning::default())];
    if args.iter().any(|a| a == "--ablation") {
        tunings.push((
            "no filters",
            Tuning {
                filters: false,
                ..Tuning::default()
            },
        ));
        tunings.push((
            "no context",
            Tuning {
                context: false,
                ..Tuning::default()
            },
        ));
    }
    let mut gaz = gaz;
    println!(
        "| corpus | setting | articles | gold | P | R | F1 | acc@161 | acc@161 found | mean km | median km |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (label, tuning) in tunings {
        gaz = gaz.with_tuning(tuning);
        for (name, articles) in &sets {
            let s = score(&gaz, articles, errors);
            println!(
                "| {name} | {label} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.0} | {:.0} |",
                articles.len(),
                s.gold,
                s.precision(),
                s.recall(),
                s.f1(),
                s.acc161(),
                s.acc161_found(),
                s.mean_km(),
                s.median_km()
            );
        }
    }
    Ok(())
}

/// Why gold toponyms were not found: the rule that dropped the name, or "not in the gazetteer".
fn why_missed(gaz: &Gazetteer, sets: &[(&str, Vec<Article>)]) {
    for (name, articles) in sets {
        let mut reasons: HashMap<String, usize> = HashMap::new();
        let mut examples: HashMap<String, Vec<String>> = HashMap::new();
        for a in articles {
            let found = gaz.geoparse(&a.text, &GeoContext::default());
            let trace = gaz.explain(&a.text, &GeoContext::default());
            let spans: Vec<(usize, usize, &str)> = trace
                .iter()
                .filter_map(|l| {
                    let (span, rest) = l.strip_prefix('[')?.split_once(") ")?;
                    let (s, e) = span.split_once(',')?;
                    Some((s.parse().ok()?, e.parse().ok()?, rest))
                })
                .collect();
            for g in &a.gold {
                if found
                    .iter()
                    .any(|t| overlap((t.span.start, t.span.end), (g.start, g.end)) > 0)
                {
                    continue;
                }
                let why = spans
                    .iter()
                    .find(|(s, e, _)| overlap((*s, *e), (g.start, g.end)) > 0)
                    .map(|(_, _, rest)| {
                        let r = rest.split_once(['{']).map_or(*rest, |x| x.0);
                        let r = r.split_once(" rejected: ").map_or(r, |x| x.1);
                        let r = r.split_once(" dropped: ").map_or(r, |x| x.1);
                        r.split(':').next().unwrap_or("").trim().to_string()
                    })
                    .unwrap_or_else(|| "not found in the gazetteer".to_string());
                let ex = examples.entry(why.clone()).or_default();
                if ex.len() < 12 {
                    let from = a.text[..g.start]
                        .char_indices()
                        .rev()
                        .nth(25)
                        .map_or(0, |(i, _)| i);
                    let to = a.text[g.end..]
                        .char_indices()
                        .nth(25)
                        .map_or(a.text.len(), |(i, _)| g.end + i);
                    ex.push(a.text[from..to].replace('\n', " "));
                }
                *reasons.entry(why).or_default() += 1;
            }
        }
        let mut v: Vec<_> = reasons.into_iter().collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        println!("{name}: gold toponyms missed, by reason");
        for (why, n) in v {
            println!("  {n:5} {why}");
            if std::env::var_os("OMBUD_EXAMPLES").is_some() {
                for e in examples.get(&why).into_iter().flatten() {
                    println!("          {e}");
                }
            }
        }
    }
}

#[derive(Default)]
struct Scores {
    predicted: usize,
    predicted_right: usize,
    gold: usize,
    gold_found: usize,
    geo_gold: usize,
    geo_right: usize,
    errors_km: Vec<f64>,
}

impl Scores {
    fn precision(&self) -> f64 {
        ratio(self.predicted_right, self.predicted)
    }
    fn recall(&self) -> f64 {
        ratio(self.gold_found, self.gold)
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn acc161(&self) -> f64 {
        ratio(self.geo_right, self.geo_gold)
    }
    fn acc161_found(&self) -> f64 {
        ratio(self.geo_right, self.errors_km.len())
    }
    fn mean_km(&self) -> f64 {
        self.errors_km.iter().sum::<f64>() / self.errors_km.len().max(1) as f64
    }
    fn median_km(&self) -> f64 {
        let mut v = self.errors_km.clone();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

fn score(gaz: &Gazetteer, articles: &[Article], show_errors: usize) -> Scores {
    let mut s = Scores::default();
    let mut misses: HashMap<String, usize> = HashMap::new();
    let mut false_alarms: HashMap<String, usize> = HashMap::new();
    let mut far: HashMap<String, usize> = HashMap::new();
    for a in articles {
        let found = gaz.geoparse(&a.text, &GeoContext::default());
        for t in &found {
            let span = (t.span.start, t.span.end);
            let right = a.gold.iter().any(|g| overlap(span, (g.start, g.end)) > 0);
            let ignored = a.ignore.iter().any(|&g| overlap(span, g) > 0);
            if right {
                s.predicted += 1;
                s.predicted_right += 1;
            } else if !ignored {
                s.predicted += 1;
                *false_alarms
                    .entry(format!("{} -> {}", &a.text[span.0..span.1], t.name))
                    .or_default() += 1;
            }
        }
        for g in &a.gold {
            s.gold += 1;
            let best = found
                .iter()
                .filter(|t| overlap((t.span.start, t.span.end), (g.start, g.end)) > 0)
                .max_by_key(|t| overlap((t.span.start, t.span.end), (g.start, g.end)));
            if best.is_some() {
                s.gold_found += 1;
            } else {
                *misses
                    .entry(a.text[g.start..g.end].to_string())
                    .or_default() += 1;
            }
            let Some(point) = g.point else { continue };
            s.geo_gold += 1;
            if let Some(t) = best {
                let km = t.point().map_or(20_000.0, |p| p.distance_km(point));
                s.errors_km.push(km);
                if km <= 161.0 {
                    s.geo_right += 1;
                } else {
                    *far.entry(format!(
                        "{} -> {} {}",
                        &a.text[g.start..g.end],
                        t.name,
                        t.country.map(|c| c.to_string()).unwrap_or_default()
                    ))
                    .or_default() += 1;
                }
            }
        }
    }
    if show_errors > 0 {
        for (title, map) in [
            ("missed", &misses),
            ("false alarms", &false_alarms),
            ("far", &far),
        ] {
            let mut v: Vec<(&String, &usize)> = map.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let total: usize = map.values().sum();
            println!("  {title} ({total}):");
            for (k, n) in v.iter().take(show_errors) {
                println!("    {n:4} {k}");
            }
        }
    }
    s
}

/// The byte span of a toponym element's `<start>` and `<end>`, given in characters.
fn xml_span(tp: &str, char_to_byte: &[usize]) -> Option<(usize, usize)> {
    let at = |open: &str, close: &str| {
        between(tp, open, close)
            .and_then(|x| x.parse::<usize>().ok())
            .and_then(|c| char_to_byte.get(c).copied())
    };
    Some((at("<start>", "</start>")?, at("<end>", "</end>")?))
}

/// Text between `open` and the next `close`.
fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)? + a;
    Some(&s[a..b])
}

/// Byte offset of each character offset (and of the end) in `text`.
fn char_to_byte(text: &str) -> Vec<usize> {
    let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    v.push(text.len());
    v
}

fn point(lat: Option<&str>, lon: Option<&str>) -> Option<GeoPoint> {
    GeoPoint::new(lat?.trim().parse().ok()?, lon?.trim().parse().ok()?)
}

pub(crate) fn read_gwn(dir: &Path) -> Result<Vec<Article>> {
    let xml_path = dir.join("GWN.xml");
    let xml =
        std::fs::read_to_string(&xml_path).with_context(|| format!("{}", xml_path.display()))?;
    let full_path = dir.join("gwn_full.txt");
    let full =
        std::fs::read_to_string(&full_path).with_context(|| format!("{}", full_path.display()))?;
    let lines: Vec<&str> = full.trim_end_matches('\n').split('\n').collect();
    let mut out = Vec::new();
    for (k, chunk) in xml.split("<article ").skip(1).enumerate() {
        let text = sources::decode_entities(
            between(chunk, "<text>", "</text>").context("GWN article without text")?,
        );
        let map = char_to_byte(&text);
        let byte = |c: usize| map.get(c).copied();
        let mut gold = Vec::new();
        for item in lines
            .get(k)
            .copied()
            .unwrap_or("")
            .split("||")
            .filter(|x| !x.is_empty())
        {
            let p: Vec<&str> = item.split(",,").collect();
            if p.len() < 6 {
                continue;
            }
            let (Some(start), Some(end)) = (
                p[4].parse().ok().and_then(byte),
                p[5].parse().ok().and_then(byte),
            ) else {
                continue;
            };
            gold.push(Gold {
                start,
                end,
                point: point(Some(p[2]), Some(p[3])),
            });
        }
        let mut ignore = Vec::new();
        for tp in chunk.split("<toponym>").skip(1) {
            let ty = between(tp, "<type>", "</type>").unwrap_or("");
            let has_id =
                between(tp, "<geonamesID>", "</geonamesID>").is_some_and(|x| !x.is_empty());
            let located = tp.contains("<latitude>");
            let excluded = ty == "Demonym" || (located && !has_id);
            if !excluded {
                continue;
            }
            let Some((start, end)) = xml_span(tp, &map) else {
                continue;
            };
            ignore.push((start, end));
        }
        out.push(Article { text, gold, ignore });
    }
    Ok(out)
}

pub(crate) fn read_lgl(path: &Path) -> Result<Vec<Article>> {
    let xml = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let mut out = Vec::new();
    for chunk in xml.split("<article ").skip(1) {
        let raw = between(chunk, "<text>", "</text>").context("LGL article without text")?;
        let text = match between(raw, "<![CDATA[", "]]>") {
            Some(t) => t.to_string(),
            None => sources::decode_entities(raw),
        };
        let map = char_to_byte(&text);
        let mut gold = Vec::new();
        for tp in chunk.split("<toponym>").skip(1) {
            let Some((start, end)) = xml_span(tp, &map) else {
                continue;
            };
            gold.push(Gold {
                start,
                end,
                point: point(
                    between(tp, "<lat>", "</lat>"),
                    between(tp, "<lon>", "</lon>"),
                ),
            });
        }
        out.push(Article {
            text,
            gold,
            ignore: Vec::new(),
        });
    }
    Ok(out)
}

/// CPU time of this process so far (all threads, user and system), in ms (Linux, 10 ms ticks).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name in parentheses: utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    let ticks = field(11) + field(12);
    ticks * 10.0
}

/// The machine's one-minute load average (Linux).
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_default()
}

/// Resident memory of this process now and at its peak, in MB (Linux).
pub(crate) fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Load time, memory and throughput on `crates/geocode/test_data/bench/` (articles written by
/// the project). Run it on a release build: `cargo run --release -p xtask -- eval geo --speed`.
fn speed() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("crates/geocode/test_data/bench");
    let mut articles: Vec<String> = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("{}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    for p in names {
        articles.push(std::fs::read_to_string(&p)?);
    }
    let (rss0, _) = rss_mb();
    let cpu0 = cpu_ms();
    let t = Instant::now();
    let entries = gazetteer::embedded()?;
    let read_ms = t.elapsed().as_secs_f64() * 1e3;
    let gaz = Gazetteer::new(entries);
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let load_cpu = cpu_ms() - cpu0;
    let (rss1, peak1) = rss_mb();
    let bytes: usize = articles.iter().map(String::len).sum();
    let mut toponyms = 0;
    // Warm up, then time enough rounds for a stable figure.
    for a in &articles {
        toponyms += gaz.geoparse(a, &GeoContext::default()).len();
    }
    let rounds: usize = std::env::var("OMBUD_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);
    let cpu1 = cpu_ms();
    let t = Instant::now();
    for _ in 0..rounds {
        for a in &articles {
            toponyms += gaz.geoparse(a, &GeoContext::default()).len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu_secs = (cpu_ms() - cpu1) / 1e3;
    let docs = (rounds * articles.len()) as f64;
    let (_, peak2) = rss_mb();
    println!(
        "bench corpus: {} articles, {} bytes, mean {} bytes",
        articles.len(),
        bytes,
        bytes / articles.len().max(1)
    );
    println!(
        "gazetteer: {} places, {} name keys",
        gaz.len(),
        gaz.name_keys()
    );
    println!("machine load average: {}", load_average());
    println!(
        "load: {read_ms:.0} ms reading and unzipping, {load_ms:.0} ms in all (read + index), {load_cpu:.0} ms of CPU over all threads"
    );
    println!(
        "memory: {:.0} MB resident after load ({:.0} MB before), peak {:.0} MB during load, peak {:.0} MB overall",
        rss1, rss0, peak1, peak2
    );
    // Also on real news articles when the evaluation data is at hand (read, never stored).
    if let Some(dir) = crate::shared::eval_data() {
        let mut texts: Vec<String> = read_gwn(&dir.join("geoparsing"))?
            .into_iter()
            .map(|a| a.text)
            .collect();
        texts.extend(
            read_lgl(&dir.join("geoparsing/lgl.xml"))?
                .into_iter()
                .map(|a| a.text),
        );
        let bytes: usize = texts.iter().map(String::len).sum();
        let cpu = cpu_ms();
        let t = Instant::now();
        let mut n = 0;
        for _ in 0..5 {
            for a in &texts {
                n += gaz.geoparse(a, &GeoContext::default()).len();
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let cpu_secs = (cpu_ms() - cpu) / 1e3;
        println!(
            "geoparse on GeoWebNews + LGL texts ({} articles, mean {} bytes), one thread: {:.0} articles/s wall clock, {:.0} per CPU second ({} toponyms)",
            texts.len(),
            bytes / texts.len().max(1),
            5.0 * texts.len() as f64 / secs,
            5.0 * texts.len() as f64 / cpu_secs.max(1e-9),
            n / 5
        );
    }
    println!(
        "geoparse, one thread: {:.0} articles/s, {:.1} MB/s wall clock; {:.0} articles/s per CPU second ({} toponyms found)",
        docs / secs,
        (rounds * bytes) as f64 / secs / 1e6,
        docs / cpu_secs.max(1e-9),
        toponyms / (rounds + 1)
    );
    Ok(())
}
