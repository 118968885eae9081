//! Data-driven extraction tests: each file in `test_data/` holds short cases of one phenomenon
//! (attribution, denial, casualties, dates, weapons, perpetrator and target, background),
//! written by the project; the `.expected` file beside it holds what extraction gives today.
//! `UPDATE_EXPECT=1 cargo test -p extract` rewrites the expectations; review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;

use expect_test::expect_file;
use extract::{ExtractInput, Extractor};
use model::{Claim, CountryCode, Date, Feature, Span, Toponym};

/// A handful of places, enough for the cases; extraction tests do not depend on geocoding.
const PLACES: &[(&str, &str, Feature, bool)] = &[
    ("Azerbaijani", "AZ", Feature::Country, true),
    ("Azeri", "AZ", Feature::Country, true),
    ("Azerbaijan", "AZ", Feature::Country, false),
    ("Armenian", "AM", Feature::Country, true),
    ("Armenia", "AM", Feature::Country, false),
    ("Russian", "RU", Feature::Country, true),
    ("Russia", "RU", Feature::Country, false),
    ("Ukrainian", "UA", Feature::Country, true),
    ("Ukraine", "UA", Feature::Country, false),
    ("Syrian", "SY", Feature::Country, true),
    ("Israeli", "IL", Feature::Country, true),
    ("Nagorno-Karabakh", "AZ", Feature::Region, false),
    ("Karabakh", "AZ", Feature::Region, false),
    ("Stepanakert", "AZ", Feature::City, false),
    ("Tartar", "AZ", Feature::City, false),
    ("Ganja", "AZ", Feature::City, false),
    ("Barda", "AZ", Feature::City, false),
    ("Martuni", "AZ", Feature::City, false),
    ("Kharkiv", "UA", Feature::City, false),
    ("Belgorod", "RU", Feature::City, false),
    ("Kursk region", "RU", Feature::Admin1, false),
    ("Aleppo", "SY", Feature::City, false),
    ("Gaza", "PS", Feature::Region, false),
    ("Odesa", "UA", Feature::City, false),
    ("Mykolaiv", "UA", Feature::City, false),
    ("Moscow", "RU", Feature::City, false),
];

/// Where the cases' towns are, for those whose distance matters (the rest share one point).
fn point_of(name: &str) -> (f64, f64) {
    match name {
        "Odesa" => (46.4857, 30.7438),
        "Mykolaiv" => (46.9763, 31.9930),
        "Moscow" => (55.7558, 37.6173),
        _ => (40.0, 47.0),
    }
}

fn toponyms(text: &str) -> Vec<Toponym> {
    let mut out = Vec::new();
    for (name, cc, feature, demonym) in PLACES {
        let mut from = 0;
        while let Some(i) = text[from..].find(name) {
            let start = from + i;
            let end = start + name.len();
            from = end;
            let boundary = !text[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && !text[end..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if !boundary
                || out
                    .iter()
                    .any(|t: &Toponym| t.span.overlaps(Span::new(start, end)))
            {
                continue;
            }
            let canonical = match (*feature, *demonym) {
                (Feature::Country, true) => CountryCode::new(cc)
                    .map(|c| c.name().to_string())
                    .unwrap_or_default(),
                _ => name.to_string(),
            };
            let (lat, lon) = point_of(name);
            out.push(Toponym {
                span: Span::new(start, end),
                name: canonical,
                geonameid: 0,
                lat,
                lon,
                country: CountryCode::new(cc),
                admin1: String::new(),
                admin2: String::new(),
                feature: *feature,
                population: 0,
                demonym: *demonym,
                also_known_as: vec![],
                district: false,
            });
        }
    }
    out.sort_by_key(|t| t.span);
    out
}

fn quote(text: &str, span: Span) -> String {
    format!("{:?}", span.slice(text).unwrap_or("<bad span>"))
}

/// One claim as a few readable lines, every field with the words it came from.
fn render(text: &str, c: &Claim) -> String {
    let mut out = format!(
        "- {} {} <- {}\n",
        c.stance,
        c.sub_event_type,
        quote(text, c.sentence)
    );
    if let Some(s) = &c.speaker {
        out += &format!(
            "    speaker: {}{} = {}\n",
            s.name,
            s.role
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            quote(text, s.span)
        );
    }
    if let Some(p) = &c.perpetrator {
        out += &format!(
            "    perpetrator: {} [{}] = {}\n",
            p.name,
            p.country.map(String::from).unwrap_or_default(),
            quote(text, p.span)
        );
    }
    if let Some(t) = &c.target {
        out += &format!(
            "    target: {:?} = {}{}\n",
            t.kind,
            quote(text, t.span),
            if c.civilian_targeting {
                " (civilian targeting)"
            } else {
                ""
            }
        );
    }
    for w in &c.weapons {
        out += &format!(
            "    weapon: {} ({}) = {}\n",
            w.name,
            w.category,
            quote(text, w.span)
        );
    }
    for p in &c.places {
        out += &format!("    place: {} = {}\n", p.name, quote(text, p.span));
    }
    if let Some(d) = &c.date {
        let words = d.span.map_or("inferred".to_string(), |s| quote(text, s));
        out += &format!(
            "    date: {}..{} {} = {}\n",
            d.start,
            d.end,
            d.precision.as_str(),
            words
        );
    }
    for k in &c.casualties {
        let n = |v: Option<u32>| v.map_or("?".to_string(), |v| v.to_string());
        out += &format!(
            "    casualties: {} {} {}..{} = {}\n",
            k.group.as_str(),
            k.outcome.as_str(),
            n(k.min),
            n(k.max),
            quote(text, k.span)
        );
    }
    if !c.legal.is_empty() {
        out += &format!(
            "    legal: {}\n",
            c.legal
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}

/// Runs every case of one file. A case starts with `=== name`, then `published: YYYY-MM-DD`,
/// then the text (paragraphs separated by blank lines).
fn check(file: &str) {
    let extractor = Extractor::new();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(file);
    let input =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut actual = String::new();
    for case in input.split("=== ").filter(|c| !c.trim().is_empty()) {
        let (name, rest) = case.split_once('\n').unwrap_or((case, ""));
        let (header, text) = rest.split_once('\n').unwrap_or(("", rest));
        let published: Option<Date> = header
            .strip_prefix("published: ")
            .and_then(|d| d.trim().parse().ok());
        let text = text.trim_end();
        let places = toponyms(text);
        let extraction = extractor.extract(&ExtractInput {
            text,
            published,
            language: Some("en"),
            toponyms: &places,
        });
        actual += &format!("=== {}\n", name.trim());
        if extraction.claims.is_empty() {
            actual += "(no claims)\n";
        }
        for c in &extraction.claims {
            for span in c.spans() {
                assert!(
                    span.slice(text).is_some(),
                    "{name}: span {span:?} outside the text"
                );
            }
            actual += &render(text, c);
        }
        for d in &extraction.diagnostics {
            actual += &format!(
                "  note: {} ({})\n",
                d.code,
                d.span
                    .map_or(String::new(), |s| quote(text, s).chars().take(50).collect())
            );
        }
        actual += "\n";
    }
    expect_file![path.with_extension("expected")].assert_eq(&actual);
}

#[test]
fn attribution() {
    check("attribution.txt");
}

#[test]
fn denial_and_hedging() {
    check("denial.txt");
}

#[test]
fn casualties() {
    check("casualties.txt");
}

#[test]
fn dates() {
    check("dates.txt");
}

#[test]
fn weapons() {
    check("weapons.txt");
}

#[test]
fn perpetrator_and_target() {
    check("perpetrator_target.txt");
}

#[test]
fn background_is_not_an_incident() {
    check("background.txt");
}

#[test]
fn event_types() {
    check("event_types.txt");
}

#[test]
fn never_panics_on_real_news() {
    // Every article of the GeoWebNews and LGL corpora (third-party text, read in place from
    // ../shared), and each again with a multi-byte character after every word.
    let Some(shared) = test_support_shared() else {
        return;
    };
    let extractor = Extractor::new();
    for file in ["geoparsing/lgl.xml", "geoparsing/GWN.xml"] {
        let xml = std::fs::read_to_string(shared.join("eval-data").join(file)).unwrap();
        for (i, article) in xml.split("<text>").skip(1).enumerate() {
            let text = article.split("</text>").next().unwrap_or("");
            let curly = text.replace(' ', "’ ");
            for t in [text, curly.as_str()] {
                let places = toponyms(t);
                let out = extractor.extract(&ExtractInput {
                    text: t,
                    published: Date::new(2020, 10, 4),
                    language: Some("en"),
                    toponyms: &places,
                });
                for c in &out.claims {
                    for span in c.spans() {
                        assert!(
                            span.slice(t).is_some(),
                            "{file} article {i}: span {span:?} does not index the text"
                        );
                    }
                }
            }
        }
    }
}

/// `../shared`, through test-support's rules (skip where absent, fail under OMBUD_REQUIRE_SHARED).
fn test_support_shared() -> Option<std::path::PathBuf> {
    test_support::shared_dir()
}

#[test]
fn never_panics_on_mangled_text() {
    // Deterministic mutations of a real-looking report: cut at every char boundary, shuffled
    // punctuation, unbalanced quotes. Extraction must return, and every span must index the text.
    let extractor = Extractor::new();
    let base = "GANJA, Azerbaijan - \"A missile hit Ganja on Sunday, killing 10 civilians,\" officials said. Armenia's Defence Ministry denied it… «Lies», it said; 3–5 October: 1,200 shells. Ёжик — 火箭 hit Tartar?!";
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let boundaries: Vec<usize> = base
        .char_indices()
        .map(|(i, _)| i)
        .chain([base.len()])
        .collect();
    for _ in 0..400 {
        let a = boundaries[(next() % boundaries.len() as u64) as usize];
        let b = boundaries[(next() % boundaries.len() as u64) as usize];
        let (a, b) = (a.min(b), a.max(b));
        let mut text = String::from(&base[a..b]);
        let junk = [
            "\"", "“", ".", "\n\n", "(", ")", " - ", "said", "Sunday", "12", "killed",
        ];
        text.insert_str(0, junk[(next() % junk.len() as u64) as usize]);
        text.push_str(junk[(next() % junk.len() as u64) as usize]);
        let places = toponyms(&text);
        let published = Date::new(2020, 10, 11);
        let out = extractor.extract(&ExtractInput {
            text: &text,
            published,
            language: Some("en"),
            toponyms: &places,
        });
        for c in &out.claims {
            for span in c.spans() {
                assert!(
                    span.slice(&text).is_some(),
                    "span {span:?} does not index {text:?}"
                );
            }
        }
    }
}

/// Extracts `text` with the test places and checks every span of the output: inside the text
/// and on character boundaries. Returns the number of claims.
fn extract_checked(extractor: &Extractor, text: &str) -> usize {
    let places = toponyms(text);
    let out = extractor.extract(&ExtractInput {
        text,
        published: Date::new(2022, 5, 2),
        language: Some("en"),
        toponyms: &places,
    });
    for c in &out.claims {
        for span in c.spans() {
            assert!(
                span.slice(text).is_some(),
                "span {span:?} does not index the text ({} bytes)",
                text.len()
            );
        }
    }
    for d in &out.diagnostics {
        if let Some(span) = d.span {
            assert!(span.slice(text).is_some(), "diagnostic span {span:?}");
        }
    }
    out.claims.len()
}

/// Words, numbers, marks and scripts that stress the readers: huge and odd numbers, quotation
/// marks of every kind, sentence ends, dates, speech verbs, pronouns, multi-byte characters.
const ADVERSARIAL_TOKENS: &[&str] = &[
    "Russian",
    "forces",
    "shelled",
    "Kharkiv",
    "killed",
    "wounded",
    "civilians",
    "people",
    "said",
    "denied",
    "it",
    "the",
    "ministry",
    "he",
    "a",
    "and",
    "of",
    "on",
    "Monday",
    "12",
    "October",
    "2020-10-11",
    "5000000",
    "4294967295",
    "18446744073709551616",
    "thousand",
    "hundred",
    "at least",
    "more than",
    "up to",
    "no",
    "casualties",
    "dozens",
    "killing",
    "since",
    "rose to",
    "death toll",
    "\"",
    "“",
    "”",
    "«",
    "»",
    "‘",
    "’",
    "(",
    ")",
    ".",
    ",",
    ";",
    ":",
    "—",
    "–",
    "-",
    "…",
    "?!",
    "\n",
    "\n\n",
    "Ёжик",
    "火箭",
    "🚀",
    "ٱلْعَرَبِيَّة",
    "e\u{301}",
    "\u{200d}",
    "\u{feff}",
    "Mr.",
    "U.S.",
    "No.",
    "3–5",
    "1,200",
    "6.5",
    "100000000000000000000",
    "9223372036854775807 days ago",
    "twenty-one",
    "Aleppo",
    "Gaza",
    "Azerbaijani",
    "drone",
    "strike",
    "missile",
    "artillery",
    "attack",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_on_adversarial_word_salad(
        words in proptest::collection::vec(proptest::sample::select(ADVERSARIAL_TOKENS), 0..120),
        glue in proptest::collection::vec(proptest::sample::select(&[" ", "", " ", "\n", ", "][..]), 120),
    ) {
        let mut text = String::new();
        for (w, g) in words.iter().zip(glue.iter().cycle()) {
            text.push_str(w);
            text.push_str(g);
        }
        extract_checked(&Extractor::new(), &text);
    }

    #[test]
    fn never_panics_on_arbitrary_unicode(text in "\\PC{0,300}") {
        extract_checked(&Extractor::new(), &text);
    }
}

#[test]
fn long_sentences_deep_quotes_and_huge_numbers_end_with_checked_spans() {
    let extractor = Extractor::new();
    // A sentence of about 1 MB with no punctuation at all.
    let phrase =
        "Russian forces shelled Kharkiv killing 5 civilians and wounding 4294967295 people ";
    let long = phrase.repeat((1 << 20) / phrase.len());
    let claims = extract_checked(&extractor, &long);
    assert!(claims >= 1, "the long sentence still reports shelling");
    // Quotations nested ten thousand deep, and ten thousand unbalanced marks.
    let nested = format!(
        "{}Shells hit Kharkiv on Monday, he said.{}",
        "“\"«".repeat(10_000),
        "»\"”".repeat(10_000)
    );
    extract_checked(&extractor, &nested);
    extract_checked(&extractor, &"\" “ ” ‘ ’ « »".repeat(10_000));
    // Many sentences, many claims: the look-back of follow-ups stays bounded.
    let many =
        "A missile hit Kharkiv on Monday, killing 3 civilians. It said 2 more died. ".repeat(5_000);
    assert!(extract_checked(&extractor, &many) >= 5_000);
}

#[test]
fn precision_on_real_news_shapes() {
    check("precision.txt");
}
