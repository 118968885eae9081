//! Geoparsing against the gazetteer ombud ships: the project's own news-style corpus
//! (`test_data/bench/*.txt`, expected output beside each as `.expect`; `UPDATE_EXPECT=1`
//! refreshes them) and the names in all their forms that must meet at one place.

use std::path::Path;
use std::sync::OnceLock;

use expect_test::expect_file;
use geocode::{Gazetteer, GeoContext};

fn gazetteer() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| Gazetteer::new(gazetteer::embedded().expect("the embedded gazetteer reads")))
}

/// One line per toponym: the words used, the place, its id, kind, country.
fn render(text: &str) -> String {
    let mut out = String::new();
    for t in gazetteer().geoparse(text, &GeoContext::default()) {
        out.push_str(&format!(
            "{} = {} #{} {} {}{}\n",
            &text[t.span.start..t.span.end],
            t.name,
            t.geonameid,
            t.feature,
            t.country.map(|c| c.to_string()).unwrap_or_default(),
            if t.demonym { " (demonym)" } else { "" }
        ));
    }
    out
}

#[test]
fn corpus_reads_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/bench");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 6);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        expect_file![f.with_extension("expect")].assert_eq(&render(&text));
    }
}

#[test]
fn names_in_all_their_forms_meet_at_one_place() {
    let groups: &[&[&str]] = &[
        &["Stepanakert", "Khankendi", "Xankəndi"],
        &["Shushi", "Shusha", "Şuşa"],
        &["Artsakh", "Nagorno-Karabakh", "Nagorno Karabakh"],
        &["Tartar", "Terter", "Tərtər"],
        &["Kyiv", "Kiev"],
        &["Mykolaiv", "Nikolaev", "Mykolayiv"],
        &["Kharkiv", "Kharkov"],
        &["Martakert", "Aghdara"],
        &["Jisr al-Shughur", "Jisr ash-Shughur", "Jisr ash Shughur"],
        &["Deir ez-Zor", "Deir al-Zor", "Deir ez Zor"],
    ];
    for group in groups {
        let ids: Vec<(u64, String)> = group
            .iter()
            .map(|name| {
                let text = format!("Shelling was reported in {name} on Monday.");
                let found = gazetteer().geoparse(&text, &GeoContext::default());
                assert_eq!(found.len(), 1, "{name}: {found:?}");
                assert_eq!(
                    &text[found[0].span.start..found[0].span.end],
                    *name,
                    "the span keeps the name used"
                );
                (found[0].geonameid, found[0].name.clone())
            })
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] == w[1]),
            "{group:?} resolve apart: {ids:?}"
        );
    }
}

#[test]
fn demonyms_resolve_to_their_country() {
    let text = "Syrian, Azerbaijani and Ukrainian officials met.";
    let found = gazetteer().geoparse(text, &GeoContext::default());
    let got: Vec<(String, bool)> = found.iter().map(|t| (t.name.clone(), t.demonym)).collect();
    assert_eq!(
        got,
        [
            ("Syria".to_string(), true),
            ("Azerbaijan".to_string(), true),
            ("Ukraine".to_string(), true)
        ]
    );
}

#[test]
fn villages_of_a_loaded_geonames_dump_resolve_in_their_region() {
    // The project's own small dump in the GeoNames format (invented villages in Donetsk oblast),
    // loaded on top of the embedded gazetteer as `ombud gazetteer import` does.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../gazetteer/test_data/geonames-sample.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let base = gazetteer::embedded().unwrap();
    let dump = gazetteer::geonames::parse_with(&text, "geonames-sample.txt", &base).unwrap();
    let gaz = Gazetteer::new(gazetteer::extend(base, dump));
    let text = "Shelling hit Testovoye, Donetsk region, and Ombudivka on Monday.";
    let found: Vec<String> = gaz
        .geoparse(text, &GeoContext::default())
        .iter()
        .map(|t| {
            format!(
                "{} = {} #{} {}",
                &text[t.span.start..t.span.end],
                t.name,
                t.geonameid,
                t.admin1
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            "Testovoye = Testove #990000003 Donetsk",
            "Donetsk region = Donetsk #0 Donetsk",
            "Ombudivka = Ombudivka #990000004 Donetsk",
        ]
    );
}
