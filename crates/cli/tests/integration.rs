//! The `ombud` binary tested as a process against temporary data directories: the seed
//! acceptance test, ingest of the example corpus, bad input, crash recovery, exports, verify,
//! the tamper-evident log.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn ombud(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ombud"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("OMBUD_DATA")
        .output()
        .unwrap_or_else(|e| panic!("cannot run ombud: {e}"))
}

fn ombud_stdin(data: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ombud"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

/// A temporary data directory (`data` inside the returned one) with the example corpus ingested.
fn examples_ingested() -> (test_support::TempDir, std::path::PathBuf) {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let examples = test_support::examples_dir();
    let out = ombud(
        &data,
        &[
            "ingest",
            "-q",
            "--collected-by",
            "Test desk",
            examples.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, data)
}

/// The text a span covers, checked to be inside the text and on character boundaries.
fn covered<'a>(text: &'a str, span: &Value, what: &str) -> &'a str {
    let (s, e) = (
        span[0].as_u64().unwrap() as usize,
        span[1].as_u64().unwrap() as usize,
    );
    assert!(
        s < e && e <= text.len(),
        "{what}: span {span} outside the text ({} bytes)",
        text.len()
    );
    text.get(s..e)
        .unwrap_or_else(|| panic!("{what}: span {span} not on character boundaries"))
}

#[test]
fn seed_acceptance() {
    let Some(seed) = test_support::seed_report() else {
        return;
    };
    let dir = test_support::temp_dir();
    let out = ombud(
        dir.path(),
        &["extract", "--with-text", seed.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["schema"], 1);
    let d = &doc["document"];
    assert_eq!(d["publisher"], "PanARMENIAN.Net");
    assert_eq!(d["published"], "2020-10-04");
    assert_eq!(d["language"], "en");
    let text = d["text"].as_str().unwrap();
    let claims = doc["claims"].as_array().unwrap();
    assert!(
        !dir.path().join("ombud.db").exists(),
        "extract must not touch the store"
    );

    // Every span lies inside the text and covers the words it claims.
    for c in claims {
        let sentence = covered(text, &c["sentence"], "sentence");
        if let Some(sp) = c["speaker"].as_object() {
            let words = covered(text, &sp["span"], "speaker");
            let name = sp["name"].as_str().unwrap();
            let surname = name.rsplit(' ').next().unwrap();
            assert!(
                words.contains(surname) || words.contains(name),
                "speaker span {words:?} does not name {name:?}"
            );
        }
        for w in c["weapons"].as_array().unwrap() {
            let words = covered(text, &w["span"], "weapon").to_lowercase();
            let name = w["name"].as_str().unwrap().to_lowercase();
            let stem = name.split(' ').next().unwrap();
            assert!(
                words.contains(stem) || words.contains("rocket") || words.contains("calib"),
                "weapon span {words:?} vs {name:?}"
            );
        }
        if let Some(p) = c["perpetrator"].as_object() {
            let words = covered(text, &p["span"], "perpetrator");
            assert!(
                words.starts_with("Azer") || words.starts_with("Azeri"),
                "perpetrator span {words:?}"
            );
        }
        if let Some(t) = c["target"].as_object() {
            assert_eq!(
                covered(text, &t["span"], "target"),
                t["text"].as_str().unwrap()
            );
        }
        for p in c["places"].as_array().unwrap() {
            let words = covered(text, &p["span"], "place");
            assert!(
                words.chars().next().unwrap().is_uppercase(),
                "place span {words:?}"
            );
        }
        if let Some(span) = c["date"]["span"].as_array() {
            let words = covered(text, &Value::from(span.clone()), "date");
            assert!(
                words.chars().any(|ch| ch.is_ascii_digit()) || words.contains("day"),
                "date span {words:?}"
            );
        }
        for k in c["casualties"].as_array().unwrap() {
            let words = covered(text, &k["span"], "casualty").to_lowercase();
            assert!(
                ["death", "injur", "kill", "wound"]
                    .iter()
                    .any(|w| words.contains(w)),
                "casualty span {words:?}"
            );
        }
        let _ = sentence;
    }

    let speaker_is = |c: &Value, name: &str| c["speaker"]["name"].as_str() == Some(name);
    let beglaryan = claims
        .iter()
        .find(|c| speaker_is(c, "Artak Beglaryan"))
        .expect("a claim by Artak Beglaryan");
    assert_eq!(
        beglaryan["speaker"]["role"],
        "Human Rights Defender of Artsakh"
    );
    assert_eq!(beglaryan["stance"], "alleges");
    assert!(
        beglaryan["weapons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["category"] == "cluster_munition")
    );
    assert_eq!(beglaryan["perpetrator"]["country"], "AZ");
    assert_eq!(beglaryan["civilian_targeting"], true);
    assert_eq!(
        beglaryan["sub_event_type"],
        "Shelling/artillery/missile attack"
    );
    assert!(
        beglaryan["places"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Nagorno-Karabakh"),
        "Beglaryan's claim is placed in Nagorno-Karabakh (Artsakh): {}",
        beglaryan["places"]
    );

    let hovhannisyan = claims
        .iter()
        .find(|c| speaker_is(c, "Artsrun Hovhannisyan"))
        .expect("a claim by Artsrun Hovhannisyan");
    assert!(
        hovhannisyan["speaker"]["role"]
            .as_str()
            .unwrap()
            .contains("Armenian Defense Ministry representative")
    );
    let lar = hovhannisyan["weapons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "LAR-160")
        .expect("LAR-160");
    assert_eq!(lar["category"], "rocket_artillery");
    assert_eq!(lar["cluster_capable"], true);
    assert_eq!(hovhannisyan["perpetrator"]["country"], "AZ");
    assert_eq!(hovhannisyan["date"]["start"], "2020-10-03");
    assert_eq!(hovhannisyan["date"]["precision"], "day");

    let offensive = claims
        .iter()
        .find(|c| c["speaker"].is_null() && c["date"]["start"] == "2020-09-27")
        .expect("a claim in the publisher's voice dated 2020-09-27");
    assert_eq!(offensive["perpetrator"]["country"], "AZ");
    assert_eq!(
        offensive["sub_event_type"],
        "Shelling/artillery/missile attack"
    );
    assert_eq!(offensive["civilian_targeting"], true);
    let offensive_weapons: Vec<&str> = offensive["weapons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["category"].as_str().unwrap())
        .collect();
    assert!(
        offensive_weapons.contains(&"rocket_artillery")
            && offensive_weapons.contains(&"tube_artillery"),
        "{offensive_weapons:?}"
    );

    // "The Armenian side has reported deaths and injuries ... among civilians and the military."
    let harm = claims
        .iter()
        .find(|c| c["casualties"].as_array().unwrap().len() >= 4)
        .expect("the deaths and injuries the Armenian side reported");
    let same_claim = std::ptr::eq(harm, offensive);
    assert!(
        same_claim
            || harm["speaker"]["name"]
                .as_str()
                .unwrap_or("")
                .contains("Armenian side"),
        "{}",
        harm["speaker"]
    );
    let mut groups: Vec<String> = harm["casualties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert!(
                k["min"].is_null() && k["max"].is_null(),
                "numbers unknown: {k}"
            );
            format!(
                "{} {}",
                k["group"].as_str().unwrap(),
                k["outcome"].as_str().unwrap()
            )
        })
        .collect();
    groups.sort();
    assert_eq!(
        groups,
        [
            "civilian injured",
            "civilian killed",
            "military injured",
            "military killed"
        ]
    );

    // Background and definitions are not incidents.
    for c in claims {
        let sentence = covered(text, &c["sentence"], "sentence");
        assert!(
            !sentence.contains("1990s"),
            "a claim from the landmine background: {sentence}"
        );
        assert!(
            !sentence.contains("is a form of"),
            "a claim from the definition: {sentence}"
        );
        assert!(
            !sentence.contains("ratify the Convention"),
            "a claim from the Convention: {sentence}"
        );
        assert!(
            !sentence.contains("bomblets"),
            "a claim from the definition: {sentence}"
        );
    }
}

#[test]
fn ingest_examples_then_query_and_export() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let examples = test_support::examples_dir();
    let out = ombud(&data, &["ingest", "--json", examples.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["rejected"].as_array().unwrap().len(), 0, "{report}");
    let new = report["new"].as_u64().unwrap();
    assert!(new >= 14, "{report}");

    // The same bytes twice are one document.
    let again = json(&ombud(
        &data,
        &["ingest", "--json", examples.to_str().unwrap()],
    ));
    assert_eq!(again["new"], 0);
    assert_eq!(again["duplicate"].as_u64().unwrap(), new);

    let docs = json(&ombud(&data, &["documents", "--json"]));
    let docs = docs.as_array().unwrap();
    assert_eq!(docs.len() as u64, new);
    for d in docs {
        assert_eq!(d["sha256"].as_str().unwrap().len(), 64);
        assert!(d["origin"].as_str().unwrap().contains("examples"));
        assert!(d["publisher"].is_string(), "{d}");
        assert!(d["published"].is_string(), "{d}");
    }
    // The WARC capture: its page, address and capture time, its record named in the origin.
    let warc = docs
        .iter()
        .find(|d| d["format"] == "warc")
        .expect("a WARC document");
    assert_eq!(
        warc["url"],
        "https://caspian-observer.example/region/mingachevir"
    );
    assert_eq!(warc["retrieved_at"], "2020-10-05T07:12:10Z");
    assert!(
        warc["origin"].as_str().unwrap().ends_with(".warc:3"),
        "{warc}"
    );

    let incidents = json(&ombud(&data, &["incidents", "--json"]));
    let incidents = incidents.as_array().unwrap();
    assert!(!incidents.is_empty());
    for i in incidents {
        // The incident contract of `--json` (issue 8).
        for key in [
            "id",
            "aliases",
            "date",
            "places",
            "event_type",
            "sub_event_type",
            "weapons",
            "perpetrators",
            "grade",
            "grade_reasons",
            "n_claims",
            "n_documents",
            "n_independent_sources",
            "origins_for",
            "origins_against",
            "casualties",
            "decisions",
        ] {
            assert!(i.get(key).is_some(), "incident lacks {key}: {i}");
        }
        for key in ["civilian_killed", "civilian_injured", "killed", "injured"] {
            assert!(
                i["casualties"].get(key).is_some(),
                "casualties lack {key}: {i}"
            );
        }
        if !i["date"].is_null() {
            assert!(i["date"]["start"].is_string() && i["date"]["end"].is_string());
        }
        for r in i["grade_reasons"].as_array().unwrap() {
            assert!(r["reason"].is_string() && r["claims"].is_array(), "{r}");
        }
    }
    // Cluster munitions alleged: whether each alleged user was bound by the convention then.
    let cluster = incidents
        .iter()
        .find(|i| {
            i["weapons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w == "cluster munition")
                && i["perpetrators"][0]["country"] == "AZ"
        })
        .expect("an incident where cluster munitions are alleged");
    let treaty = &cluster["treaty"][0];
    assert_eq!(
        (&treaty["party"], &treaty["treaty"], &treaty["bound"]),
        (&Value::from("AZ"), &Value::from("ccm"), &Value::from(false)),
        "{cluster}"
    );

    // Barda on 2020-10-28: several independent sources, an NGO's on-site confirmation.
    let barda = json(&ombud(
        &data,
        &[
            "incidents",
            "--json",
            "--place",
            "Barda",
            "--since",
            "2020-10-28",
            "--until",
            "2020-10-28",
        ],
    ));
    let barda = barda.as_array().unwrap();
    assert_eq!(barda.len(), 1, "{barda:?}");
    assert_eq!(
        barda[0]["grade"], "confirmed",
        "{}",
        barda[0]["grade_reasons"]
    );
    assert!(barda[0]["n_independent_sources"].as_u64().unwrap() >= 2);

    // Every name of a place finds it.
    let by_other_name = json(&ombud(
        &data,
        &["incidents", "--json", "--place", "Stepanakert"],
    ));
    let by_geonames_name = json(&ombud(
        &data,
        &["incidents", "--json", "--place", "Khankendi"],
    ));
    assert!(!by_other_name.as_array().unwrap().is_empty());
    assert_eq!(by_other_name, by_geonames_name);

    let id = barda[0]["id"].as_str().unwrap();
    let show = ombud(&data, &["show", id]);
    assert!(show.status.success(), "{}", stderr(&show));
    let text = stdout(&show);
    assert!(
        text.contains("Field Evidence Watch") && text.contains("confirms"),
        "{text}"
    );
    assert!(text.contains('"'), "show quotes each claim's words: {text}");

    let table = stdout(&ombud(&data, &["incidents"]));
    assert!(
        table.starts_with("ID  ") && table.contains("Barda"),
        "{table}"
    );

    let csv = stdout(&ombud(&data, &["export", "--format", "csv"]));
    let header = csv.lines().next().unwrap();
    // ACLED's columns in ACLED's order, then ombud's own.
    assert!(
        header.starts_with(
            "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp,incident_id,"
        ),
        "{header}"
    );
    let barda_row = csv
        .lines()
        .find(|l| l.contains(&format!(",{id},")))
        .unwrap();
    assert!(
        barda_row.contains("Military Forces of Armenia (2018-)"),
        "ACLED's actor name: {barda_row}"
    );
    assert_eq!(
        csv.lines().count(),
        incidents.len() + 1,
        "one row per incident"
    );

    let geo_path = dir.path().join("incidents.geojson");
    let out = ombud(
        &data,
        &[
            "export",
            "--format",
            "geojson",
            "--out",
            geo_path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let geo: Value = serde_json::from_str(&std::fs::read_to_string(&geo_path).unwrap()).unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let barda_feature = geo["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap();
    assert!(
        barda_feature["properties"]["n_independent_sources"].is_u64()
            && barda_feature["properties"]["year"] == 2020,
        "numbers as numbers: {barda_feature}"
    );
    let coords = barda_feature["geometry"]["coordinates"].as_array().unwrap();
    assert!(
        (coords[0].as_f64().unwrap() - 47.1).abs() < 0.2,
        "longitude first: {coords:?}"
    );
    assert!(
        (coords[1].as_f64().unwrap() - 40.4).abs() < 0.2,
        "latitude second: {coords:?}"
    );

    let verify = ombud(&data, &["verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
}

#[test]
fn bad_input_is_reported_and_the_rest_goes_in() {
    let dir = test_support::temp_dir();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::write(
        inputs.join("batch.jsonl"),
        "{\"id\": \"a\", \"text\": \"Shelling hit Tartar on Monday, killing two civilians, officials said.\", \"published\": \"2020-09-29\", \"publisher\": \"Baku Monitor\"}\n{not json\n{\"id\": \"c\", \"title\": \"no text\"}\n",
    )
    .unwrap();
    std::fs::write(inputs.join("latin1.txt"), b"Shelling hit Barda \xe9\xe9.").unwrap();
    let data = dir.path().join("data");
    let out = ombud(&data, &["ingest", inputs.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "exit 3: done, but some inputs were rejected"
    );
    let err = stderr(&out);
    assert!(err.contains("batch.jsonl:2: not a JSON object"), "{err}");
    assert!(err.contains("batch.jsonl:3: no \"text\""), "{err}");
    assert!(err.contains("latin1.txt: not UTF-8"), "{err}");
    assert!(err.contains("1 new document(s)"), "{err}");
    let missing = ombud(
        &data,
        &["ingest", dir.path().join("nope.txt").to_str().unwrap()],
    );
    assert_eq!(missing.status.code(), Some(3));
    assert!(
        stderr(&missing).contains("nope.txt: cannot read"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn extract_jsonl_keeps_lines_ids_and_order() {
    let dir = test_support::temp_dir();
    let input = "{\"id\": \"first\", \"text\": \"Rockets hit Barda on Wednesday, killing 21 civilians, officials said.\", \"published\": \"2020-10-28\"}\nbroken\n{\"id\": 3, \"text\": \"Nothing happened.\"}\n";
    let out = ombud_stdin(dir.path(), &["extract", "-"], input.as_bytes());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["document"]["id"], "first");
    let claim = &lines[0]["claims"][0];
    assert_eq!(claim["sub_event_type"], "Shelling/artillery/missile attack");
    assert_eq!(claim["date"]["start"], "2020-10-28");
    assert_eq!(claim["casualties"][0]["min"], 21);
    assert_eq!(claim["places"][0]["name"], "Barda");
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("not a JSON object")
    );
    assert_eq!(lines[2]["document"]["id"], "3");
    assert_eq!(lines[2]["claims"].as_array().unwrap().len(), 0);
}

#[test]
fn geoparse_finds_every_place_and_demonyms() {
    let dir = test_support::temp_dir();
    let text = "{\"id\": \"g\", \"text\": \"Azerbaijani forces shelled Stepanakert and Shushi; Armenia said Ganja was not targeted.\"}\n";
    let out = ombud_stdin(dir.path(), &["geoparse"], text.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["document"]["id"], "g");
    let names: Vec<String> = doc["toponyms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{}={}/{}",
                covered(text.split('"').nth(7).unwrap(), &t["span"], "toponym"),
                t["name"].as_str().unwrap(),
                t["feature"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "Azerbaijani=Azerbaijan/country",
            "Stepanakert=Khankendi/city",
            "Shushi=Shusha/city",
            "Armenia=Armenia/country",
            "Ganja=Ganja/city"
        ]
    );
}

#[test]
fn interrupted_ingest_completes_without_duplicates() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let examples = test_support::examples_dir();
    let some = examples.join("wire.jsonl");
    let first = json(&ombud(&data, &["ingest", "--json", some.to_str().unwrap()]));
    let all = json(&ombud(
        &data,
        &["ingest", "--json", examples.to_str().unwrap()],
    ));
    assert_eq!(all["duplicate"], first["new"]);
    // A crash after archiving but before storing: the archive has the bytes, the store does not.
    std::fs::remove_file(data.join("ombud.db")).unwrap();
    let _ = std::fs::remove_file(data.join("ombud.db-wal"));
    let _ = std::fs::remove_file(data.join("ombud.db-shm"));
    let redo = json(&ombud(
        &data,
        &["ingest", "--json", examples.to_str().unwrap()],
    ));
    let total = first["new"].as_u64().unwrap() + all["new"].as_u64().unwrap();
    assert_eq!(redo["new"].as_u64().unwrap(), total);
    assert_eq!(redo["duplicate"], 0);
}

#[test]
fn verify_names_an_altered_document() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let report =
        test_support::examples_dir().join("2020-10-17_ganja-herald_ganja-missile-strike.txt");
    assert!(
        ombud(&data, &["ingest", report.to_str().unwrap()])
            .status
            .success()
    );
    let docs = json(&ombud(&data, &["documents", "--json"]));
    let sha = docs[0]["sha256"].as_str().unwrap().to_string();
    let blob = data.join("archive/sha256").join(&sha[..2]).join(&sha);
    std::fs::write(&blob, b"altered").unwrap();
    let out = ombud(&data, &["verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!("FAILED {sha}")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_log_proves_documents_and_catches_a_rewritten_past() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let examples = test_support::examples_dir();
    let first = examples.join("2020-10-17_ganja-herald_ganja-missile-strike.txt");
    let second = examples.join("2020-10-28_yerevan-daily-wire_barda-denial.txt");
    assert!(
        ombud(&data, &["ingest", first.to_str().unwrap()])
            .status
            .success()
    );
    let old = json(&ombud(&data, &["log", "--json"]));
    let (old_size, old_root) = (
        old["size"].to_string(),
        old["root"].as_str().unwrap().to_string(),
    );
    assert_eq!(old_size, "1");

    let sha = json(&ombud(&data, &["documents", "--json"]))[0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let proof = json(&ombud(&data, &["log", "--prove", &sha[..12], "--json"]));
    assert_eq!(proof["sha256"], sha.as_str());
    assert_eq!(proof["verified"], true);

    // A signed checkpoint, checked later with the log's public key.
    let note = stdout(&ombud(&data, &["log", "--sign"]));
    let key = stdout(&ombud(&data, &["log", "--public-key"]))
        .trim()
        .to_string();
    let note_path = dir.path().join("checkpoint.txt");
    std::fs::write(&note_path, &note).unwrap();
    let forged_path = dir.path().join("forged.txt");
    std::fs::write(&forged_path, note.replacen("\n1\n", "\n2\n", 1)).unwrap();

    // The log grows and still holds what it held.
    assert!(
        ombud(&data, &["ingest", second.to_str().unwrap()])
            .status
            .success()
    );
    let check = ombud(
        &data,
        &["log", "--check", note_path.to_str().unwrap(), "--key", &key],
    );
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert!(
        stdout(&check).starts_with("signature good"),
        "{}",
        stdout(&check)
    );
    let forged = ombud(
        &data,
        &[
            "log",
            "--check",
            forged_path.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(forged.status.code(), Some(1));
    assert!(
        stdout(&forged).contains("altered or forged"),
        "{}",
        stdout(&forged)
    );
    let extends = ombud(&data, &["log", "--extends", &old_size, &old_root]);
    assert!(extends.status.success(), "{}", stdout(&extends));
    assert!(
        stdout(&extends).starts_with("verified"),
        "{}",
        stdout(&extends)
    );

    // Rewriting the past (the first document replaced in the log) is caught.
    let leaves = data.join("archive/log/leaves");
    let text = std::fs::read_to_string(&leaves).unwrap();
    std::fs::write(&leaves, text.replacen(&sha, &"0".repeat(64), 1)).unwrap();
    let forged = ombud(&data, &["log", "--extends", &old_size, &old_root]);
    assert_eq!(forged.status.code(), Some(1), "{}", stdout(&forged));
    assert!(stdout(&forged).starts_with("FAILED"), "{}", stdout(&forged));
    let verify = ombud(&data, &["verify"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        stdout(&verify).contains("not in the log"),
        "{}",
        stdout(&verify)
    );
    // The signed checkpoint is kept beside the key, so verify names the rewritten log too.
    assert!(
        stdout(&verify).contains(
            "FAILED the log: the log no longer extends the checkpoint its key signed last"
        ),
        "{}",
        stdout(&verify)
    );
    std::fs::write(&leaves, &text).unwrap();
    assert!(ombud(&data, &["verify"]).status.success());

    // The log deleted: an error every command names, never a new history built silently.
    let log_dir = data.join("archive/log");
    let saved = data.join("saved-log");
    std::fs::rename(&log_dir, &saved).unwrap();
    let gone = ombud(&data, &["verify"]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(
        stderr(&gone).contains("restore archive/log from a backup"),
        "{}",
        stderr(&gone)
    );
    // Its mark deleted as well: the log built again from the blobs is another history, which
    // verify names and the key refuses to sign.
    std::fs::remove_file(data.join("archive/LOGGED")).unwrap();
    let rebuilt = ombud(&data, &["verify"]);
    assert_eq!(rebuilt.status.code(), Some(1), "{}", stdout(&rebuilt));
    assert!(
        stdout(&rebuilt).contains("FAILED the log"),
        "{}",
        stdout(&rebuilt)
    );
    let sign = ombud(&data, &["log", "--sign"]);
    assert_eq!(sign.status.code(), Some(1));
    assert!(
        stderr(&sign).contains("refusing to sign"),
        "{}",
        stderr(&sign)
    );
    std::fs::remove_dir_all(&log_dir).unwrap();
    std::fs::rename(&saved, &log_dir).unwrap();
    assert!(ombud(&data, &["verify"]).status.success());
    assert!(ombud(&data, &["log", "--sign"]).status.success());
}

#[test]
fn help_teaches_and_errors_say_what_to_do() {
    let dir = test_support::temp_dir();
    let help = stdout(&ombud(dir.path(), &["--help"]));
    for word in [
        "ingest",
        "extract",
        "incidents",
        "show",
        "export",
        "Examples:",
        "Exit status",
    ] {
        assert!(help.contains(word), "--help lacks {word}: {help}");
    }
    let out = ombud(&dir.path().join("empty"), &["incidents"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("run `ombud ingest PATH` first"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn explain_marks_every_field_with_its_words() {
    let dir = test_support::temp_dir();
    let input = "{\"id\": \"x\", \"text\": \"Azerbaijani forces shelled Stepanakert on Sunday, killing two civilians, officials said.\", \"published\": \"2020-10-04\"}\n";
    let out = ombud_stdin(dir.path(), &["extract", "--explain", "-"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("[Azerbaijani forces]{1:perpetrator AZ}"),
        "{text}"
    );
    assert!(text.contains("[on Sunday]{1:date 2020-10-04}"), "{text}");
    assert!(text.contains("{1:civilian killed 2-2}"), "{text}");
    assert!(
        text.contains("claim 1: alleges Shelling/artillery/missile attack"),
        "{text}"
    );
    assert!(
        !text.contains("\u{1b}["),
        "no colour when not on a terminal"
    );
}

#[test]
fn a_language_ombud_cannot_read_is_archived_and_reported() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let input = "{\"id\": \"ru\", \"text\": \"Азербайджанские войска обстреляли Степанакерт в воскресенье, погибли двое мирных жителей, сообщили местные власти.\", \"published\": \"2020-10-04\"}\n";
    let out = ombud_stdin(&data, &["ingest", "--json", "-"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["new"], 1);
    assert_eq!(report["not_extracted"], 1);
    let docs = json(&ombud(&data, &["documents", "--json"]));
    assert_eq!(docs[0]["status"], "not_extracted");
    assert_eq!(docs[0]["language"], "ru");
    let extracted = json(&ombud_stdin(&data, &["extract", "-"], input.as_bytes()));
    assert_eq!(
        extracted["diagnostics"][0]["code"],
        "language_not_supported"
    );
    assert_eq!(extracted["claims"].as_array().unwrap().len(), 0);
}

fn lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn listings_page_with_limit_and_after_and_stream_as_json_lines() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let examples = test_support::examples_dir();
    assert!(
        ombud(&data, &["ingest", examples.to_str().unwrap()])
            .status
            .success()
    );
    let all: Vec<String> = lines(&ombud(&data, &["incidents", "--jsonl"]))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert!(all.len() > 6, "{all:?}");
    // A reader that goes away (`ombud claims --jsonl | head -1`) is no error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ombud"))
        .arg("--data-dir")
        .arg(&data)
        .args(["claims", "--jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let gone = child.wait_with_output().unwrap();
    assert!(gone.status.success(), "{}", stderr(&gone));
    assert!(!stderr(&gone).contains("error"), "{}", stderr(&gone));
    // Pages of three, each naming the --after of the next, give the whole list in order.
    let mut paged: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = vec!["incidents", "--limit", "3"];
        if let Some(a) = &after {
            args.extend(["--after", a.as_str()]);
        }
        let out = ombud(&data, &args);
        assert!(out.status.success(), "{}", stderr(&out));
        let rows: Vec<String> = stdout(&out)
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect();
        paged.extend(rows.iter().cloned());
        match stderr(&out).split("--after ").nth(1) {
            Some(rest) => after = Some(rest.split_whitespace().next().unwrap().to_string()),
            None => break,
        }
    }
    assert_eq!(paged, all);
    let second = json(&ombud(
        &data,
        &["incidents", "--json", "--limit", "2", "--after", &all[1]],
    ));
    let second: Vec<&str> = second
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(second, [all[2].as_str(), all[3].as_str()]);

    let claims = lines(&ombud(&data, &["claims", "--jsonl"]));
    let docs = json(&ombud(&data, &["documents", "--json"]));
    let total: u64 = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["n_claims"].as_u64().unwrap())
        .sum();
    assert_eq!(claims.len() as u64, total, "every claim, streamed");
    assert!(
        claims
            .iter()
            .all(|c| c["id"].as_str().unwrap().contains(':')),
        "content keys"
    );
    assert_eq!(
        lines(&ombud(&data, &["documents", "--jsonl", "--limit", "2"])).len(),
        2
    );

    let bad = ombud(&data, &["incidents", "--after", "inc-nothing"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("--after \"inc-nothing\""),
        "{}",
        stderr(&bad)
    );
    let unknown = ombud(&data, &["show", "inc-nothing"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no incident \"inc-nothing\": `ombud incidents` lists them"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn reextract_and_rebuild_keep_incidents_and_ids() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let examples = test_support::examples_dir();
    assert!(
        ombud(&data, &["ingest", examples.to_str().unwrap()])
            .status
            .success()
    );
    let before = json(&ombud(&data, &["incidents", "--json"]));
    let stale = ombud(&data, &["reextract"]);
    assert!(stale.status.success(), "{}", stderr(&stale));
    assert!(
        stderr(&stale).starts_with("0 document(s) re-extracted"),
        "{}",
        stderr(&stale)
    );
    let all = json(&ombud(&data, &["reextract", "--all", "--json"]));
    assert_eq!(
        all["documents"],
        json(&ombud(&data, &["documents", "--json"]))
            .as_array()
            .unwrap()
            .len()
    );
    assert_eq!(all["claims_before"], all["claims_after"]);
    assert_eq!(all["gone"], 0);
    assert_eq!(json(&ombud(&data, &["incidents", "--json"])), before);
    let rebuilt = json(&ombud(&data, &["rebuild", "--json"]));
    assert_eq!(rebuilt["incidents"], before.as_array().unwrap().len());
    assert_eq!(json(&ombud(&data, &["incidents", "--json"])), before);
    let help = stdout(&ombud(&data, &["reextract", "--help"]));
    assert!(
        help.contains("--since <VERSION>") && help.contains("overlaps most"),
        "{help}"
    );
}

#[test]
fn a_killed_ingest_loses_nothing_it_acknowledged() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let input = dir.path().join("reports.jsonl");
    let places = [
        "Kharkiv",
        "Izium",
        "Bakhmut",
        "Kupiansk",
        "Kramatorsk",
        "Sloviansk",
    ];
    let n = 6000u64;
    let body: String = (0..n)
        .map(|i| test_support::synthetic_report(i, &places) + "\n")
        .collect();
    std::fs::write(&input, body).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ombud"))
        .arg("--data-dir")
        .arg(&data)
        .args(["ingest", input.to_str().unwrap()])
        .env("OMBUD_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL: no chance to clean up) right after its first group is durable.
    let mut acknowledged = 0u64;
    {
        use std::io::BufRead;
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        for line in stderr.lines() {
            let line = line.unwrap();
            if let Some(rest) = line.split("documents=").nth(1) {
                acknowledged = rest.split_whitespace().next().unwrap().parse().unwrap();
                child.kill().unwrap();
                break;
            }
        }
    }
    child.wait().unwrap();
    assert!(acknowledged > 0 && acknowledged < n, "{acknowledged}");
    let docs = lines(&ombud(&data, &["documents", "--jsonl"]));
    assert!(
        docs.len() as u64 >= acknowledged,
        "{} stored, {acknowledged} acknowledged",
        docs.len()
    );
    // No half document: every stored document has all its claims.
    let claims = lines(&ombud(&data, &["claims", "--jsonl"]));
    let expected: u64 = docs.iter().map(|d| d["n_claims"].as_u64().unwrap()).sum();
    assert_eq!(claims.len() as u64, expected);
    let verify = ombud(&data, &["verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    // The same input again completes the ingest, without duplicates.
    let again = json(&ombud(
        &data,
        &["ingest", "--json", input.to_str().unwrap()],
    ));
    assert_eq!(
        again["new"].as_u64().unwrap() + docs.len() as u64,
        n,
        "{again}"
    );
    assert_eq!(again["duplicate"].as_u64().unwrap(), docs.len() as u64);
    let finished = lines(&ombud(&data, &["documents", "--jsonl"]));
    assert_eq!(finished.len() as u64, n);
    assert!(ombud(&data, &["verify"]).status.success());
}

#[test]
fn a_rotated_key_is_trusted_through_the_log_by_holders_of_the_old_one() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let examples = test_support::examples_dir();
    let report = examples.join("2020-10-17_ganja-herald_ganja-missile-strike.txt");
    assert!(
        ombud(&data, &["ingest", report.to_str().unwrap()])
            .status
            .success()
    );
    let old_key = stdout(&ombud(&data, &["log", "--public-key"]))
        .trim()
        .to_string();
    let old_note = dir.path().join("old.note");
    std::fs::write(&old_note, stdout(&ombud(&data, &["log", "--sign"]))).unwrap();

    let rotated = json(&ombud(&data, &["log", "--rotate-key", "--json"]));
    let new_key = rotated["new_key"].as_str().unwrap().to_string();
    assert_eq!(rotated["old_key"], old_key.as_str());
    assert_ne!(new_key, old_key);
    assert_eq!(
        stdout(&ombud(&data, &["log", "--public-key"])).trim(),
        new_key
    );
    // The statement is a leaf; the old key's checkpoint still checks and the log extends it.
    let proof = json(&ombud(
        &data,
        &[
            "log",
            "--prove",
            rotated["sha256"].as_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(proof["verified"], true);
    let check = |note: &Path, key: &str| {
        ombud(
            &data,
            &["log", "--check", note.to_str().unwrap(), "--key", key],
        )
    };
    let out = check(&old_note, &old_key);
    assert!(out.status.success(), "{}", stdout(&out));
    // A checkpoint the new key signs checks with the old key, through the logged rotation.
    let more = examples.join("2020-10-28_yerevan-daily-wire_barda-denial.txt");
    assert!(
        ombud(&data, &["ingest", more.to_str().unwrap()])
            .status
            .success()
    );
    let new_note = dir.path().join("new.note");
    std::fs::write(&new_note, stdout(&ombud(&data, &["log", "--sign"]))).unwrap();
    let out = check(&new_note, &old_key);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("1 logged rotation"),
        "{}",
        stdout(&out)
    );
    assert!(check(&new_note, &new_key).status.success());
    let keys = json(&ombud(&data, &["log", "--keys", "--json"]));
    assert_eq!(keys["current"], new_key.as_str());
    assert_eq!(keys["rotations"][0]["old_key"], old_key.as_str());
    assert_eq!(keys["rotations"][0]["size"], 1);
    let verify = ombud(&data, &["verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    // An evidence package made now carries the rotation: it checks with the old key, by ombud
    // and by the independent verifier, and not with a key never announced.
    let incident = json(&ombud(&data, &["incidents", "--json"]))[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let package = dir.path().join("package");
    let out = ombud(
        &data,
        &[
            "export-evidence",
            &incident,
            "--out",
            package.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let checked = ombud(
        &data,
        &[
            "verify-evidence",
            package.to_str().unwrap(),
            "--key",
            &old_key,
        ],
    );
    assert!(checked.status.success(), "{}", stdout(&checked));
    assert!(
        stdout(&checked).contains("1 logged rotation"),
        "{}",
        stdout(&checked)
    );
    if let Some(script) = independent_verifier() {
        assert!(independently_accepted(&script, &package, Some(&old_key)));
        assert!(independently_accepted(&script, &package, None));
    }
    // A key never announced is not trusted; a rotation record altered is named by verify.
    let other = dir.path().join("other");
    assert!(
        ombud(&other, &["ingest", report.to_str().unwrap()])
            .status
            .success()
    );
    let stranger = stdout(&ombud(&other, &["log", "--public-key"]))
        .trim()
        .to_string();
    assert!(stranger.starts_with("ombud-"), "{stranger}");
    assert!(!check(&new_note, &stranger).status.success());
    let refused = ombud(
        &data,
        &[
            "verify-evidence",
            package.to_str().unwrap(),
            "--key",
            &stranger,
        ],
    );
    assert!(!refused.status.success(), "{}", stdout(&refused));
    if let Some(script) = independent_verifier() {
        assert!(!independently_accepted(&script, &package, Some(&stranger)));
    }
    let record = data.join("keys").join("log-key-rotations");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(
        &record,
        text.replace(rotated["sha256"].as_str().unwrap(), &"0".repeat(64)),
    )
    .unwrap();
    let verify = ombud(&data, &["verify"]);
    assert!(!verify.status.success());
    assert!(stdout(&verify).contains("keys"), "{}", stdout(&verify));
}

#[test]
fn a_withdrawn_source_loses_bytes_text_and_claims_and_every_checkpoint_still_proves() {
    let (_dir, data) = examples_ingested();
    let examples = test_support::examples_dir();
    let before = json(&ombud(&data, &["log", "--json"]));
    let docs = json(&ombud(&data, &["documents", "--json"]));
    let doc = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["origin"].as_str().unwrap().ends_with("barda-denial.txt"))
        .unwrap();
    let sha = doc["sha256"].as_str().unwrap().to_string();
    let claims_of = |data: &Path| {
        lines(&ombud(data, &["claims", "--jsonl", "--limit", "100000"]))
            .into_iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with(sha.as_str()))
            .count()
    };
    assert!(claims_of(&data) > 0);
    let no_reason = ombud(
        &data,
        &["withdraw", &sha[..12], "--reviewer", "ana", "--note", ""],
    );
    assert!(!no_reason.status.success());
    let done = json(&ombud(
        &data,
        &[
            "withdraw",
            &sha[..12],
            "--reviewer",
            "ana",
            "--note",
            "names a witness",
            "--json",
        ],
    ));
    assert_eq!(done["decision"]["action"], "withdraw");
    assert_eq!(done["bytes_removed"], true);
    assert!(done["claims_removed"].as_u64().unwrap() > 0, "{done}");
    assert_eq!(claims_of(&data), 0, "its claims are gone");
    assert!(
        !data
            .join("archive/sha256")
            .join(&sha[..2])
            .join(&sha)
            .exists()
    );
    let shown = json(&ombud(&data, &["documents", &sha, "--json"]));
    assert_eq!(shown[0]["status"], "withdrawn");
    assert_eq!(shown[0]["text"], "");
    let incidents = stdout(&ombud(&data, &["incidents", "--json"]));
    assert!(!incidents.contains(&sha), "no incident holds its claims");
    // The log kept its leaf and gained the decision's; the old checkpoint still proves.
    let after = json(&ombud(&data, &["log", "--json"]));
    assert_eq!(after["size"], before["size"].as_u64().unwrap() + 1);
    let root = before["root"].as_str().unwrap();
    let size = before["size"].to_string();
    let extends = ombud(&data, &["log", "--extends", &size, root]);
    assert!(extends.status.success(), "{}", stdout(&extends));
    let verify = ombud(&data, &["verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    assert!(
        stdout(&verify).contains("1 source(s) withdrawn"),
        "{}",
        stdout(&verify)
    );
    // Run again, it changes nothing; it cannot be undone.
    let again = json(&ombud(
        &data,
        &[
            "withdraw",
            &sha,
            "--reviewer",
            "ana",
            "--note",
            "again",
            "--json",
        ],
    ));
    assert_eq!(again["decision"]["id"], done["decision"]["id"]);
    assert_eq!(
        json(&ombud(&data, &["log", "--json"]))["size"],
        after["size"]
    );
    let id = done["decision"]["id"].to_string();
    let undo = ombud(
        &data,
        &["review", "undo", &id, "--reviewer", "ana", "--note", "oops"],
    );
    assert!(!undo.status.success());
    // A line of a JSON Lines file: the file holds it too, and ombud says how to withdraw that.
    let line = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["origin"].as_str().unwrap().contains("wire.jsonl:"))
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let out = ombud(
        &data,
        &[
            "withdraw",
            &line,
            "--reviewer",
            "ana",
            "--note",
            "a witness",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("sha256sum"), "{}", stderr(&out));
    // A whole input file, by its digest; and bytes deleted without a decision are still caught.
    let wire = archive_sha(&examples.join("wire.jsonl"));
    let out = ombud(
        &data,
        &[
            "withdraw",
            &wire,
            "--reviewer",
            "ana",
            "--note",
            "holds the line",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(ombud(&data, &["verify"]).status.success());
    let other = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["origin"]
                .as_str()
                .unwrap()
                .ends_with("martuni-shelling.txt")
        })
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(data.join("archive/sha256").join(&other[..2]).join(&other)).unwrap();
    let caught = ombud(&data, &["verify"]);
    assert!(!caught.status.success());
    assert!(stdout(&caught).contains(&other), "{}", stdout(&caught));
}

#[test]
fn refused_inputs_stay_out_of_the_log_until_a_logged_purge_removes_them() {
    let dir = test_support::temp_dir();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(inputs.join("program.bin"), &binary).unwrap();
    std::fs::write(inputs.join("empty.txt"), b"").unwrap();
    std::fs::write(
        inputs.join("good.txt"),
        " date 2020-10-05 Caspian Observer - \nShelling hit the town of Tartar on Monday, the district administration said.\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = ombud(&data, &["ingest", inputs.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // Only the report is evidence: one leaf, and the refused bytes are not in the archive.
    assert_eq!(json(&ombud(&data, &["log", "--json"]))["size"], 1);
    let held = json(&ombud(&data, &["documents", "--rejected", "--json"]));
    let held = held.as_array().unwrap();
    assert_eq!(held.len(), 2, "{held:?}");
    let bin = held
        .iter()
        .find(|q| q["origin"].as_str().unwrap().ends_with("program.bin"))
        .expect("the binary file is held");
    let sha = bin["sha256"].as_str().unwrap();
    assert_eq!(sha, archive_sha(&inputs.join("program.bin")));
    assert_eq!(bin["bytes"], 4096);
    assert!(
        bin["reasons"][0].as_str().unwrap().contains("not UTF-8"),
        "{bin}"
    );
    assert!(!ombud(&data, &["log", "--prove", sha]).status.success());
    let table = stdout(&ombud(&data, &["documents", "--rejected"]));
    assert!(
        table.contains(&sha[..12]) && table.contains("program.bin"),
        "{table}"
    );
    let one = stdout(&ombud(&data, &["documents", "--rejected", &sha[..10]]));
    assert!(one.contains("not UTF-8"), "{one}");
    assert!(ombud(&data, &["verify"]).status.success());

    // A purge needs a reason, removes the bytes, and is itself logged.
    let no_reason = ombud(&data, &["purge", "--reviewer", "ana", "--note", " "]);
    assert!(!no_reason.status.success());
    let purged = json(&ombud(
        &data,
        &[
            "purge",
            &sha[..12],
            "--reviewer",
            "ana",
            "--note",
            "a program sent by mistake",
            "--json",
        ],
    ));
    assert_eq!(purged["bytes"], 4096);
    assert_eq!(purged["decision"]["action"], "purge");
    assert_eq!(purged["decision"]["inputs"][0]["sha256"], sha);
    let left = json(&ombud(&data, &["documents", "--rejected", "--json"]));
    assert_eq!(
        left.as_array().unwrap().len(),
        1,
        "the empty file is still held"
    );
    assert_eq!(json(&ombud(&data, &["log", "--json"]))["size"], 2);
    let leaf = purged["decision"]["leaf"].as_str().unwrap();
    let proof = json(&ombud(&data, &["log", "--prove", leaf, "--json"]));
    assert_eq!(proof["verified"], true);
    // It cannot be undone; the rest goes with no hash named; then nothing is left.
    let undo = ombud(
        &data,
        &[
            "review",
            "undo",
            "d1",
            "--reviewer",
            "ana",
            "--note",
            "oops",
        ],
    );
    assert!(!undo.status.success(), "{}", stdout(&undo));
    assert!(
        stderr(&undo).contains("cannot be undone"),
        "{}",
        stderr(&undo)
    );
    assert!(
        ombud(
            &data,
            &["purge", "--reviewer", "ana", "--note", "empty file"]
        )
        .status
        .success()
    );
    let empty = ombud(&data, &["purge", "--reviewer", "ana", "--note", "again"]);
    assert!(empty.status.success());
    assert!(
        stderr(&empty).contains("nothing to purge"),
        "{}",
        stderr(&empty)
    );
    let verify = ombud(&data, &["verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
}

/// What a data directory holds, for comparing two runs: each document (digest and origin), each
/// claim's id, and the incidents as `incidents --json` lists them, less their ids and aliases.
/// An id is minted from the claims an incident had when it was first seen and kept from then
/// on, so it depends on how the record grew (which reports a commit held), not only on what
/// it holds: two uninterrupted runs whose commits fell differently mint different ids for
/// the same incident. Everything else must agree.
fn record_of(data: &Path) -> (Vec<(String, String)>, Vec<String>, Value) {
    let mut docs: Vec<(String, String)> = lines(&ombud(data, &["documents", "--jsonl"]))
        .iter()
        .map(|d| {
            (
                d["sha256"].as_str().unwrap().to_string(),
                d["origin"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    docs.sort();
    let mut claims: Vec<String> = lines(&ombud(data, &["claims", "--jsonl", "--limit", "1000000"]))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    claims.sort();
    let mut incidents: Vec<Value> = json(&ombud(data, &["incidents", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let mut i = i.clone();
            let o = i.as_object_mut().unwrap();
            o.remove("id");
            o.remove("aliases");
            i
        })
        .collect();
    incidents.sort_by_key(|i| i["claims"].to_string());
    (docs, claims, Value::Array(incidents))
}

/// Issue 10's crash campaign: `ombud ingest` of a few thousand documents (the example corpus
/// and a JSON Lines file of synthetic reports) is SIGKILLed at a random moment, `OMBUD_KILLS`
/// times (6 by default; `.ci/run` sets more, `docs/QUALITY.md` says how many were measured).
/// After each kill `verify` must pass, every document the ingest acknowledged must be there
/// exactly once, and ingesting again must finish with the record of one uninterrupted run.
#[test]
fn killed_at_random_moments_ingest_always_resumes_to_the_same_record() {
    let kills: u64 = std::env::var("OMBUD_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let mut rng: u64 = std::env::var("OMBUD_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x6b696c6c);
    let mut next = move || {
        // xorshift64*: reproducible moments from the seed.
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let dir = test_support::temp_dir();
    let inputs = dir.path().join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    for e in std::fs::read_dir(test_support::examples_dir()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, inputs.join(p.file_name().unwrap())).unwrap();
    }
    let places = ["Kharkiv", "Izium", "Bakhmut", "Kupiansk", "Kramatorsk"];
    let body: String = (0..2500u64)
        .map(|i| test_support::synthetic_report(i, &places) + "\n")
        .collect();
    std::fs::write(inputs.join("reports.jsonl"), body).unwrap();
    let inputs_arg = inputs.to_str().unwrap();

    // One uninterrupted run: the record every killed one must come back to, and how long a
    // run takes (kills fall anywhere from the start to just past the end).
    let whole = dir.path().join("whole");
    let started = std::time::Instant::now();
    let out = ombud(&whole, &["--quiet", "ingest", inputs_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let span_ms = started.elapsed().as_millis() as u64 * 11 / 10;
    let expected = record_of(&whole);
    assert!(expected.0.len() > 2000, "{} documents", expected.0.len());
    // Two uninterrupted runs agree (however their work falls into groups), or no resumed run
    // could be held to one.
    let twice = dir.path().join("twice");
    assert!(
        ombud(&twice, &["--quiet", "ingest", inputs_arg])
            .status
            .success()
    );
    let same = |got: &(Vec<(String, String)>, Vec<String>, Value), context: &str| {
        assert_eq!(got.0, expected.0, "{context}: documents");
        assert_eq!(got.1, expected.1, "{context}: claims");
        if got.2 != expected.2 {
            let summary = |v: &Value| -> Vec<String> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.to_string())
                    .collect()
            };
            let (g, e) = (summary(&got.2), summary(&expected.2));
            let only_got: Vec<&String> = g.iter().filter(|x| !e.contains(x)).take(3).collect();
            let only_expected: Vec<&String> = e.iter().filter(|x| !g.contains(x)).take(3).collect();
            panic!(
                "{context}: incidents differ ({} vs {}; the first three of each side):\nhere only: {only_got:#?}\nuninterrupted only: {only_expected:#?}",
                g.len(),
                e.len()
            );
        }
    };
    same(&record_of(&twice), "a second uninterrupted run");

    let (mut early, mut not_begun) = (0, 0);
    for trial in 0..kills {
        let data = dir.path().join(format!("killed-{trial}"));
        // Half the kills in the first tenth of the run (creating the directory, the schema
        // and the log is where a crash leaves the oddest states), half anywhere.
        let at_ms = if trial % 2 == 0 {
            next() % (span_ms / 10).max(1)
        } else {
            next() % span_ms.max(1)
        };
        if at_ms < 500 {
            early += 1;
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_ombud"))
            .arg("--data-dir")
            .arg(&data)
            .args(["ingest", inputs_arg])
            .env("OMBUD_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let acknowledged = std::thread::spawn(move || {
            use std::io::BufRead;
            let mut last = 0u64;
            for line in std::io::BufReader::new(stderr_pipe).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("documents=").nth(1) {
                    last = rest.split_whitespace().next().unwrap().parse().unwrap();
                }
            }
            last
        });
        std::thread::sleep(std::time::Duration::from_millis(at_ms));
        let _ = child.kill(); // SIGKILL; it may have finished already
        child.wait().unwrap();
        let acknowledged = acknowledged.join().unwrap();
        let context = format!("trial {trial}, killed at {at_ms} ms, {acknowledged} acknowledged");

        // Killed before it made the directory: nothing exists, so nothing can be missing (and
        // `verify` rightly calls a directory that is not there a mistyped path).
        if !data.exists() {
            assert_eq!(
                acknowledged, 0,
                "{context}: acknowledged, then no directory"
            );
            not_begun += 1;
        } else {
            let verify = ombud(&data, &["verify"]);
            assert!(
                verify.status.success(),
                "{context}: verify after the kill\n{}{}",
                stdout(&verify),
                stderr(&verify)
            );
        }
        if data.join("ombud.db").exists() {
            let (docs, _, _) = record_of(&data);
            assert!(
                docs.len() as u64 >= acknowledged,
                "{context}: {} stored",
                docs.len()
            );
            let mut unique = docs.clone();
            unique.dedup_by(|a, b| a.0 == b.0);
            assert_eq!(
                unique.len(),
                docs.len(),
                "{context}: a document stored twice"
            );
        } else {
            assert_eq!(acknowledged, 0, "{context}: acknowledged, then no record");
        }
        let again = ombud(&data, &["--quiet", "ingest", inputs_arg]);
        assert!(again.status.success(), "{context}: {}", stderr(&again));
        same(&record_of(&data), &format!("{context}, resumed"));
        let verify = ombud(&data, &["verify"]);
        assert!(verify.status.success(), "{context}: {}", stdout(&verify));
        std::fs::remove_dir_all(&data).unwrap();
    }
    eprintln!(
        "{kills} kills ({early} in the first half second, {not_begun} before the data directory existed), every one resumed to the same record"
    );
}

#[test]
fn postgres_holds_the_same_record() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = match runtime.block_on(pipeline::scratch::test_server()) {
        Ok(Some(url)) => url,
        Ok(None) => return,
        Err(e) => panic!("{e}"),
    };
    let scratch = runtime
        .block_on(pipeline::scratch::ScratchPostgres::create(&server, "cli"))
        .unwrap();
    let url = match &scratch.target {
        pipeline::StoreTarget::Postgres(url) => url.clone(),
        other => panic!("{other:?}"),
    };
    let dir = test_support::temp_dir();
    let (lite, pg) = (dir.path().join("lite"), dir.path().join("pg"));
    let examples = test_support::examples_dir();
    assert!(
        ombud(&lite, &["ingest", examples.to_str().unwrap()])
            .status
            .success()
    );
    let with_pg = |args: &[&str]| {
        let mut all = vec!["--database", url.as_str()];
        all.extend_from_slice(args);
        ombud(&pg, &all)
    };
    let out = with_pg(&["ingest", "--json", examples.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !pg.join("ombud.db").exists(),
        "no SQLite file when the record is in PostgreSQL"
    );
    let incidents = json(&with_pg(&["incidents", "--json"]));
    assert_eq!(
        incidents,
        json(&ombud(&lite, &["incidents", "--json"])),
        "the same incidents, ids and all"
    );
    let barda = json(&with_pg(&[
        "incidents",
        "--json",
        "--place",
        "Barda",
        "--since",
        "2020-10-28",
        "--until",
        "2020-10-28",
    ]));
    assert_eq!(barda.as_array().unwrap().len(), 1);
    let id = barda[0]["id"].as_str().unwrap();
    assert!(with_pg(&["show", id]).status.success());
    assert_eq!(
        stdout(&with_pg(&["export", "--format", "csv"])),
        stdout(&ombud(&lite, &["export", "--format", "csv"]))
    );
    assert!(with_pg(&["verify"]).status.success());
    runtime.block_on(scratch.drop_schema()).unwrap();
}

#[test]
fn an_imported_geonames_dump_places_its_villages_and_reextract_uses_it() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let report = "{\"id\": \"t1\", \"published\": \"2024-03-02\", \"publisher\": \"Synthetic Wire\", \"text\": \"Shelling hit Testove in the Donetsk region on 1 March 2024, killing two civilians, local officials said.\"}\n";
    let input = dir.path().join("r.jsonl");
    std::fs::write(&input, report).unwrap();
    let places = |o: &Output| -> Vec<String> {
        json(o)["toponyms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        ombud(&data, &["ingest", input.to_str().unwrap()])
            .status
            .success()
    );
    let before = ombud(&data, &["geoparse", input.to_str().unwrap()]);
    assert!(
        !places(&before).contains(&"Testove".to_string()),
        "{:?}",
        places(&before)
    );

    let dump = test_support::repo_root().join("crates/gazetteer/test_data/geonames-sample.txt");
    let out = ombud(&data, &["gazetteer", "import", dump.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("place(s) added"), "{}", stderr(&out));
    let after = ombud(&data, &["geoparse", input.to_str().unwrap()]);
    assert!(
        places(&after).contains(&"Testove".to_string()),
        "{:?}",
        places(&after)
    );

    // The stored report was read without the village: its run is stale now.
    let redo = json(&ombud(&data, &["reextract", "--json"]));
    assert_eq!(redo["documents"], 1, "{redo}");
    let incidents = json(&ombud(&data, &["incidents", "--json"]));
    assert_eq!(incidents[0]["places"][0]["name"], "Testove", "{incidents}");
}

#[test]
fn review_decisions_are_attributed_logged_and_listed() {
    let (_dir, data) = examples_ingested();
    let incidents = json(&ombud(&data, &["incidents", "--json"]));
    let first = incidents[0]["id"].as_str().unwrap().to_string();
    let second = incidents[1]["id"].as_str().unwrap().to_string();
    let size = |data: &Path| -> u64 {
        let log = json(&ombud(data, &["log", "--json"]));
        log["size"].as_u64().unwrap()
    };
    let before = size(&data);

    // No note, no decision.
    let out = ombud(&data, &["review", "grade", &first, "weak"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--note"), "{}", stderr(&out));
    // A bad grade is refused with what would do.
    let out = ombud(
        &data,
        &[
            "review",
            "grade",
            &first,
            "sure",
            "--note",
            "x",
            "--reviewer",
            "ana",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a grade"), "{}", stderr(&out));

    let out = Command::new(env!("CARGO_BIN_EXE_ombud"))
        .arg("--data-dir")
        .arg(&data)
        .args([
            "review",
            "merge",
            &first,
            &second,
            "--note",
            "one salvo",
            "--json",
        ])
        .env("OMBUD_REVIEWER", "ana")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let merge = json(&out);
    assert_eq!(
        (merge["id"].as_u64(), merge["reviewer"].as_str()),
        (Some(1), Some("ana"))
    );
    assert_eq!(merge["action"], "merge");
    assert_eq!(size(&data), before + 1, "the decision is a leaf of the log");
    let leaf = merge["leaf"].as_str().unwrap();
    assert!(ombud(&data, &["log", "--prove", leaf]).status.success());

    let history = ombud(&data, &["history", &second]);
    assert!(history.status.success(), "{}", stderr(&history));
    let text = stdout(&history);
    assert!(
        text.contains("d1") && text.contains("by ana") && text.contains("one salvo"),
        "{text}"
    );
    let shown = stdout(&ombud(&data, &["show", &first]));
    assert!(
        shown.contains("decisions") && shown.contains("d1"),
        "{shown}"
    );

    let undo = ombud(
        &data,
        &[
            "review",
            "undo",
            "d1",
            "--note",
            "two salvos after all",
            "--reviewer",
            "ana",
        ],
    );
    assert!(undo.status.success(), "{}", stderr(&undo));
    let again = json(&ombud(&data, &["incidents", "--json"]));
    assert_eq!(
        again.as_array().unwrap().len(),
        incidents.as_array().unwrap().len()
    );
    assert!(ombud(&data, &["verify"]).status.success());
}

/// The SHA-256 of a file's bytes, as the archive names it.
fn archive_sha(path: &Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir` with its bytes.
fn files_of(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn checking_and_reading_commands_write_nothing_with_read_only() {
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let examples = test_support::examples_dir();
    assert!(
        ombud(&data, &["ingest", examples.to_str().unwrap()])
            .status
            .success()
    );
    let checkpoint = json(&ombud(&data, &["log", "--json"]));
    let (size, root) = (
        checkpoint["size"].to_string(),
        checkpoint["root"].as_str().unwrap().to_string(),
    );
    let before = files_of(&data);
    let incidents = json(&ombud(&data, &["--read-only", "incidents", "--json"]));
    let id = incidents[0]["id"].as_str().unwrap().to_string();
    for args in [
        vec!["verify"],
        vec!["log"],
        vec!["log", "--extends", &size, &root],
        vec!["documents"],
        vec!["incidents"],
        vec!["show", &id],
        vec!["history", &id],
        vec!["export", "--format", "csv"],
    ] {
        let mut all = vec!["--read-only"];
        all.extend(args.iter().copied());
        let out = ombud(&data, &all);
        assert!(out.status.success(), "{all:?}: {}", stderr(&out));
    }
    assert!(
        files_of(&data) == before,
        "a read-only command changed the data directory"
    );
    // A logged blob deleted (the whole JSON Lines file here, which no document row names) is
    // named by verify.
    let wire = archive_sha(&examples.join("wire.jsonl"));
    let blob = data.join("archive/sha256").join(&wire[..2]).join(&wire);
    let saved = std::fs::read(&blob).unwrap();
    std::fs::remove_file(&blob).unwrap();
    let gone = ombud(&data, &["--read-only", "verify"]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(
        stdout(&gone).contains(&format!(
            "FAILED {wire} (the log): logged, but its archived bytes are gone"
        )),
        "{}",
        stdout(&gone)
    );
    std::fs::write(&blob, saved).unwrap();
    // A temporary file a killed write left is a note, not a failure; the next ingest clears it.
    let left = blob.with_file_name(format!(".{wire}.0.3.tmp"));
    std::fs::write(&left, b"half a file").unwrap();
    let noted = ombud(&data, &["--read-only", "verify"]);
    assert!(noted.status.success(), "{}", stdout(&noted));
    assert!(
        stdout(&noted).contains("a temporary file a killed write left"),
        "{}",
        stdout(&noted)
    );
    assert!(
        ombud(&data, &["ingest", examples.to_str().unwrap()])
            .status
            .success()
    );
    assert!(!left.exists());
    // A writing command says why it cannot.
    let review = ombud(
        &data,
        &[
            "--read-only",
            "review",
            "grade",
            &id,
            "weak",
            "--note",
            "n",
            "--reviewer",
            "t",
        ],
    );
    assert_eq!(review.status.code(), Some(1));
    assert!(stderr(&review).contains("readonly"), "{}", stderr(&review));
}

#[test]
fn writers_started_together_on_a_new_data_directory_all_succeed() {
    // Four ingests of different reports, started at once on a directory that does not exist
    // yet: each creates the archive, its log and the schema, or uses its peer's.
    let examples = test_support::examples_dir();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    for round in 0..3 {
        let dir = test_support::temp_dir();
        let data = dir.path().join(format!("data-{round}"));
        let children: Vec<std::process::Child> = files[..4]
            .iter()
            .map(|f| {
                Command::new(env!("CARGO_BIN_EXE_ombud"))
                    .arg("--data-dir")
                    .arg(&data)
                    .args(["--quiet", "ingest"])
                    .arg(f)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        let docs = json(&ombud(&data, &["documents", "--json"]));
        assert_eq!(docs.as_array().unwrap().len(), 4, "round {round}");
        let verify = ombud(&data, &["verify"]);
        assert!(
            verify.status.success(),
            "round {round}: {}",
            stdout(&verify)
        );
    }
}

/// What the browser test needs: Chromium, Node.js and `npm ci --prefix web`. Absent on a user's
/// machine, the test says so and passes; `.ci/run` installs them and sets
/// `OMBUD_REQUIRE_BROWSER=1`, under which their absence fails.
fn browser_tools() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let chromium = std::env::var_os("OMBUD_CHROMIUM")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    let web = test_support::repo_root().join("web");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let ok = chromium.exists() && node && web.join("node_modules/playwright-core").exists();
    if ok {
        return Some((chromium, web));
    }
    let why = "needs Chromium (apt install chromium), Node.js and `npm ci --prefix web`";
    if std::env::var_os("OMBUD_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
        panic!("the browser test {why}");
    }
    eprintln!("skipped: the browser test {why}");
    None
}

/// `ombud serve` on a free port of this machine, stopped when dropped.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Server {
    fn start(data: &Path) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_ombud"))
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = std::io::BufReader::new(stderr).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("ombud serve stopped before it listened")
                .unwrap();
            if let Some(rest) = line.split(" on ").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
            }
        };
        // Keep reading what it says, so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_web_pages_work_in_a_real_browser() {
    let Some((chromium, web)) = browser_tools() else {
        return;
    };
    let dir = test_support::temp_dir();
    let data = dir.path().join("data");
    let out = ombud(
        &data,
        &["ingest", test_support::examples_dir().to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let password = "browser test password";
    let add = ombud_stdin(
        &data,
        &[
            "user",
            "add",
            "rev",
            "--role",
            "reviewer",
            "--password-stdin",
        ],
        format!("{password}\n").as_bytes(),
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let incidents = json(&ombud(&data, &["incidents", "--json"]));
    let placed = incidents
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !i["places"].as_array().unwrap().is_empty())
        .count();
    let before = json(&ombud(&data, &["log", "--json"]))["size"]
        .as_u64()
        .unwrap();

    let server = Server::start(&data);
    let shots = std::env::var("OMBUD_SCREENSHOTS").unwrap_or_default();
    let run = Command::new("node")
        .arg(web.join("tests/browser.mjs"))
        .env("OMBUD_URL", &server.url)
        .env("OMBUD_USER", "rev")
        .env("OMBUD_PASSWORD", password)
        .env("OMBUD_PLACED", placed.to_string())
        .env("OMBUD_CHROMIUM", &chromium)
        .env("OMBUD_SCREENSHOTS", &shots)
        .output()
        .unwrap();
    drop(server);
    assert!(run.status.success(), "{}\n{}", stdout(&run), stderr(&run));
    let seen: Value = serde_json::from_str(stdout(&run).lines().last().unwrap()).unwrap();
    assert_eq!(seen["map"]["total"].as_u64(), Some(placed as u64));
    // The merge made in the browser is in `ombud history` and is a new leaf of `ombud log`.
    let merged = seen["merged"][0].as_str().unwrap();
    let history = stdout(&ombud(&data, &["history", merged]));
    assert!(
        history.contains("merge") && history.contains("(browser test)"),
        "{history}"
    );
    assert!(history.contains("by rev at"), "{history}");
    let after = json(&ombud(&data, &["log", "--json"]))["size"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before + 1);
}

/// The independent verifier of evidence packages (Python and openssl, not ombud's code). Absent
/// on a user's machine, the test says so and checks with ombud alone; `.ci/run` sets
/// `OMBUD_REQUIRE_PYTHON=1`, under which its absence fails.
fn independent_verifier() -> Option<std::path::PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evidence/check_package.py");
    let works = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works("python3", "--version") && works("openssl", "version") {
        return Some(script);
    }
    if std::env::var_os("OMBUD_REQUIRE_PYTHON").is_some_and(|v| v == "1") {
        panic!("the evidence test needs python3 and openssl for its independent verifier");
    }
    eprintln!("skipped: the independent verifier needs python3 and openssl");
    None
}

/// Runs the independent verifier on a package; true when it accepts it.
fn independently_accepted(script: &Path, package: &Path, key: Option<&str>) -> bool {
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(package);
    if let Some(k) = key {
        cmd.arg(k);
    }
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "the verifier broke: {}{}",
        stdout(&out),
        stderr(&out)
    );
    out.status.success()
}

/// Writes the package's SHA256SUMS again, as a forger who changed a file would.
fn resum(package: &Path) {
    let mut sums = String::new();
    for (path, _) in files_of(package) {
        let rel = path
            .strip_prefix(package)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if rel != "SHA256SUMS" {
            sums.push_str(&format!("{}  {rel}\n", archive_sha(&path)));
        }
    }
    std::fs::write(package.join("SHA256SUMS"), sums).unwrap();
}

#[test]
fn an_evidence_package_checks_without_ombud_and_every_tamper_is_named() {
    let (dir, data) = examples_ingested();
    let examples = test_support::examples_dir();
    let incidents = json(&ombud(&data, &["incidents", "--json"]));
    let busiest = incidents
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|i| i["n_claims"].as_u64())
        .unwrap();
    let id = busiest["id"].as_str().unwrap().to_string();
    let out = ombud(
        &data,
        &[
            "review",
            "grade",
            &id,
            "contested",
            "--note",
            "a denial",
            "--reviewer",
            "ana",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let key = stdout(&ombud(&data, &["log", "--public-key"]))
        .trim()
        .to_string();
    let package = dir.path().join("package");
    let out = ombud(
        &data,
        &[
            "export-evidence",
            &id,
            "--out",
            package.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary["sources"].as_u64().unwrap() >= 2, "{summary}");
    assert_eq!(summary["decisions"], 1);
    // Written once: the same name again is refused, and nothing is half-written beside it.
    let again = ombud(
        &data,
        &["export-evidence", &id, "--out", package.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let manifest: Value =
        serde_json::from_slice(&std::fs::read(package.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "ombud-evidence 1");
    assert_eq!(manifest["incident"], id.as_str());
    let source = &manifest["sources"][0];
    for field in [
        "source_location",
        "collected_at",
        "collected_by",
        "collection_tool",
    ] {
        assert!(source["collection"][field].is_string(), "{field}: {source}");
    }
    assert_eq!(source["collection"]["collected_by"], "Test desk");
    let readme = std::fs::read_to_string(package.join("README.txt")).unwrap();
    for step in [
        "sha256sum -c SHA256SUMS",
        "openssl pkeyutl -verify",
        "RFC 9162",
    ] {
        assert!(readme.contains(step), "the README does not say {step:?}");
    }
    // The README's steps work as written: every file hashes as listed.
    if Command::new("sha256sum").arg("--version").output().is_ok() {
        let out = Command::new("sha256sum")
            .args(["-c", "--quiet", "SHA256SUMS"])
            .current_dir(&package)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stdout(&out));
    }

    let check = |p: &Path, key: Option<&str>| -> Output {
        let mut args = vec!["verify-evidence", p.to_str().unwrap(), "--json"];
        if let Some(k) = key {
            args.extend(["--key", k]);
        }
        // No data directory: the check needs none.
        ombud(&dir.path().join("nowhere"), &args)
    };
    let out = check(&package, Some(&key));
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let report = json(&out);
    assert_eq!(report["key_given"], true);
    assert!(report["texts_rederived"].as_u64().unwrap() >= 2, "{report}");
    assert!(
        !dir.path().join("nowhere").exists(),
        "verify-evidence made a data directory"
    );
    let verifier = independent_verifier();
    if let Some(script) = &verifier {
        assert!(independently_accepted(script, &package, Some(&key)));
    }

    // The same package as a zip checks too.
    let zip = dir.path().join("package.zip");
    let out = ombud(
        &data,
        &["export-evidence", &id, "--zip", zip.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(check(&zip, Some(&key)).status.success());

    // Each tamper, made on a fresh copy: what ombud must name, and whether a forger who also
    // rewrote SHA256SUMS is still caught by the independent verifier.
    let src = source["file"].as_str().unwrap().to_string();
    let decision = manifest["decisions"][0]["file"]
        .as_str()
        .unwrap()
        .to_string();
    type Tamper = Box<dyn Fn(&Path)>;
    let flip = |name: String, at: usize| -> Tamper {
        Box::new(move |p: &Path| {
            let path = p.join(&name);
            let mut bytes = std::fs::read(&path).unwrap();
            let i = at.min(bytes.len() - 1);
            bytes[i] ^= 0x20;
            std::fs::write(&path, bytes).unwrap();
        })
    };
    let edit_json = |name: &'static str, f: fn(&mut Value)| -> Tamper {
        Box::new(move |p: &Path| {
            let path = p.join(name);
            let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            f(&mut v);
            std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
        })
    };
    let other = dir.path().join("other");
    assert!(
        ombud(
            &other,
            &[
                "ingest",
                "-q",
                examples.join("wire.jsonl").to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let other_key = stdout(&ombud(&other, &["log", "--public-key"]))
        .trim()
        .to_string();
    let cases: Vec<(&str, Tamper, bool, &str)> = vec![
        (
            "a source's byte",
            flip(src.clone(), 40),
            false,
            src.as_str(),
        ),
        (
            "a source's byte, sums rewritten",
            flip(src.clone(), 7),
            true,
            src.as_str(),
        ),
        (
            "a decision's byte",
            flip(decision.clone(), 30),
            true,
            decision.as_str(),
        ),
        (
            "a proof's hash",
            edit_json("manifest.json", |m| {
                let p = &mut m["sources"][0]["inclusion_proof"][0];
                let h = p.as_str().unwrap().to_string();
                *p = Value::String(format!(
                    "{}{}",
                    if h.starts_with('0') { "1" } else { "0" },
                    &h[1..]
                ));
            }),
            true,
            "sources/",
        ),
        (
            "a leaf moved",
            edit_json("manifest.json", |m| {
                let i = &mut m["sources"][0]["leaf_index"];
                *i = Value::from(i.as_u64().unwrap() ^ 1);
            }),
            true,
            "sources/",
        ),
        (
            "a quoted word",
            edit_json("claims.json", |c| {
                let q = &mut c[0]["quote"]["words"];
                *q = Value::String(q.as_str().unwrap().replacen(' ', "  ", 1));
            }),
            true,
            "claims.json",
        ),
        (
            "a field's words",
            edit_json("claims.json", |c| {
                let claims = c.as_array_mut().unwrap();
                let f = claims
                    .iter_mut()
                    .find(|c| !c["fields"].as_array().unwrap().is_empty())
                    .unwrap();
                f["fields"][0]["words"] = Value::String("Someone Else".into());
            }),
            true,
            "claims.json",
        ),
        (
            "the text read",
            flip(
                format!("texts/{}.txt", source["sha256"].as_str().unwrap()),
                3,
            ),
            true,
            "texts/",
        ),
        (
            "the checkpoint",
            flip("checkpoint".into(), 16),
            true,
            "checkpoint",
        ),
        (
            "a file added",
            Box::new(|p: &Path| std::fs::write(p.join("sources/extra"), b"planted").unwrap()),
            true,
            "sources/extra",
        ),
        (
            "a source removed",
            Box::new(move |p: &Path| {
                std::fs::remove_file(p.join(manifest["sources"][1]["file"].as_str().unwrap()))
                    .unwrap()
            }),
            false,
            "sources/",
        ),
    ];
    let n = cases.len();
    for (i, (what, tamper, rewrite_sums, named)) in cases.into_iter().enumerate() {
        let copy = dir.path().join(format!("tampered-{i}"));
        for (path, bytes) in files_of(&package) {
            let to = copy.join(path.strip_prefix(&package).unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(to, bytes).unwrap();
        }
        tamper(&copy);
        if rewrite_sums {
            resum(&copy);
        }
        let out = check(&copy, Some(&key));
        assert_eq!(
            out.status.code(),
            Some(1),
            "{what}: not caught\n{}",
            stdout(&out)
        );
        let report = json(&out);
        assert!(
            report["failures"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["file"].as_str().unwrap().starts_with(named)),
            "{what}: {named} not named: {report}"
        );
        if let Some(script) = &verifier {
            assert!(
                !independently_accepted(script, &copy, Some(&key)),
                "{what}: the independent verifier accepted it"
            );
        }
    }
    assert_eq!(n, 11);
    // A package checked against another log's key is refused by both.
    let out = check(&package, Some(&other_key));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("signature"), "{}", stdout(&out));
    if let Some(script) = &verifier {
        assert!(!independently_accepted(script, &package, Some(&other_key)));
    }
}

#[test]
fn a_witness_cosigns_only_a_consistent_log_and_check_requires_the_cosignatures_a_policy_names() {
    let dir = test_support::temp_dir();
    let examples = test_support::examples_dir();
    let log = dir.path().join("log");
    let witness = dir.path().join("witness");
    let tiles = dir.path().join("tiles");
    let ingest = |data: &Path, what: &str| {
        let out = ombud(
            data,
            &["ingest", "-q", examples.join(what).to_str().unwrap()],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let publish = |data: &Path, tiles: &Path| -> String {
        let out = ombud(data, &["log", "--tiles", tiles.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::read_to_string(tiles.join("checkpoint")).unwrap()
    };
    let cosign = |note: &str, key: &str, tiles: &Path| -> Output {
        let file = dir.path().join("to-cosign");
        std::fs::write(&file, note).unwrap();
        ombud(
            &witness,
            &[
                "log",
                "--cosign",
                file.to_str().unwrap(),
                "--key",
                key,
                "--from-tiles",
                tiles.to_str().unwrap(),
            ],
        )
    };
    ingest(&log, "wire.jsonl");
    let key = stdout(&ombud(&log, &["log", "--public-key"]))
        .trim()
        .to_string();
    let first = publish(&log, &tiles);
    let out = cosign(&first, &key, &tiles);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("the first checkpoint of this log"),
        "{}",
        stderr(&out)
    );

    // A copy of the log as it was, with the same key: a second history once it grows apart.
    let fork = dir.path().join("fork");
    copy_tree(&log, &fork);
    ingest(&log, "feed-field-evidence.atom.xml");
    let second = publish(&log, &tiles);
    let out = cosign(&second, &key, &tiles);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("consistent with size"),
        "{}",
        stderr(&out)
    );
    let cosigned = stdout(&out);

    // The witness refuses the fork, an older checkpoint, and a note the log did not sign.
    for what in [
        "2020-10-04_caspian-observer_mingachevir.warc",
        "2020-10-28_ganja-herald_barda-strike.html",
    ] {
        ingest(&fork, what);
    }
    let fork_tiles = dir.path().join("fork-tiles");
    let forked = publish(&fork, &fork_tiles);
    let out = cosign(&forked, &key, &fork_tiles);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("not consistent") || stdout(&out).contains("smaller"),
        "{}",
        stdout(&out)
    );
    let out = cosign(&first, &key, &tiles);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("smaller than the one this witness cosigned last"),
        "{}",
        stdout(&out)
    );
    let out = cosign(&second.replacen("\n", "\n9", 1), &key, &tiles);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("not signed by the log's key"),
        "{}",
        stdout(&out)
    );

    // --check with a policy: the cosigned note passes, the bare one and a forged line do not.
    let witness_key = stdout(&ombud(&witness, &["log", "--witness-key"]))
        .trim()
        .to_string();
    let policy = dir.path().join("policy");
    std::fs::write(
        &policy,
        format!("# who must have seen it\nwitness {witness_key}\nquorum 1\n"),
    )
    .unwrap();
    let check = |note: &str| -> Output {
        let file = dir.path().join("to-check");
        std::fs::write(&file, note).unwrap();
        ombud(
            &log,
            &[
                "log",
                "--check",
                file.to_str().unwrap(),
                "--key",
                &key,
                "--policy",
                policy.to_str().unwrap(),
            ],
        )
    };
    let out = check(&cosigned);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("cosignatures good: 1 of 1"),
        "{}",
        stdout(&out)
    );
    let out = check(&second);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("0 of the 1 cosignatures"),
        "{}",
        stdout(&out)
    );
    let last = cosigned.trim_end().rsplit_once(' ').unwrap().1.to_string();
    let mut forged_sig = last.clone().into_bytes();
    forged_sig[20] = if forged_sig[20] == b'A' { b'B' } else { b'A' };
    let forged = cosigned.replace(&last, &String::from_utf8(forged_sig).unwrap());
    let out = check(&forged);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    // A policy that cannot be read says where.
    std::fs::write(&policy, "witnes nobody\n").unwrap();
    let out = check(&cosigned);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(":1:"), "{}", stderr(&out));
}

/// A copy of a folder, file by file.
fn copy_tree(from: &Path, to: &Path) {
    for (path, bytes) in files_of(from) {
        let target = to.join(path.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, bytes).unwrap();
    }
}

#[test]
fn hostile_inputs_are_refused_or_read_and_never_stop_the_batch() {
    let dir = test_support::temp_dir();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    // A fiftieth of the sizes issue 10 names (`cargo xtask hostile` measures the full ones).
    let corpus = test_support::hostile_corpus(&inputs, 0.02);
    std::fs::write(
        inputs.join("good.txt"),
        " date 2020-10-05 Caspian Observer - \nShelling hit the town of Tartar on Monday, the district administration said.\n",
    )
    .unwrap();
    // Past the text limit: refused once the limit is read, not after reading it all.
    let sentence = "Shelling hit Tartar on Monday and officials counted the damage ";
    let too_long = sentence.repeat((4 << 20) / sentence.len() + 2048); // sources::MAX_TEXT_BYTES
    std::fs::write(inputs.join("too-long.txt"), &too_long).unwrap();
    let data = dir.path().join("data");
    let out = ombud(&data, &["ingest", inputs.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "done, some rejected: {err}");
    assert!(
        err.lines()
            .any(|l| l.contains("too-long.txt") && l.contains("more than")),
        "{err}"
    );
    let documents = lines(&ombud(&data, &["documents", "--jsonl"]));
    let origins: Vec<&str> = documents
        .iter()
        .map(|d| d["origin"].as_str().unwrap())
        .collect();
    for h in &corpus {
        let file = h.path.file_name().unwrap().to_str().unwrap();
        let read = origins.iter().any(|o| o.contains(file));
        let refused = err.lines().any(|l| l.contains(file));
        assert!(
            read || refused,
            "{}: neither read nor refused by name\n{err}",
            h.name
        );
    }
    assert!(
        origins.iter().any(|o| o.ends_with("good.txt")),
        "{origins:?}"
    );
    assert_eq!(
        origins
            .iter()
            .filter(|o| o.contains("broken.jsonl"))
            .count(),
        6,
        "the lines around the broken one"
    );
    assert!(err.contains("broken.jsonl:4"), "{err}");
    assert!(err.contains("not UTF-8"), "{err}");
    // What was read checks: bytes, log, and the text of the one-line report read in pieces.
    let out = ombud(&data, &["verify"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let long = documents
        .iter()
        .find(|d| d["origin"].as_str().unwrap().ends_with("one-line.txt"))
        .expect("the one-line text is read");
    let sha = long["sha256"].as_str().unwrap();
    let claims = lines(&ombud(&data, &["claims", "--jsonl", "--limit", "100000"]));
    let text = String::from_utf8(std::fs::read(inputs.join("one-line.txt")).unwrap()).unwrap();
    let mut checked = 0;
    for c in claims
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with(sha))
    {
        let s = &c["sentence"];
        covered(&text, s, "sentence");
        checked += 1;
    }
    assert!(
        checked > 10,
        "claims read from the pieces of the long line: {checked}"
    );
}
