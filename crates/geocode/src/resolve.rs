//! Choosing one place per name from context: countries and demonyms named in the text, a
//! qualifier right after the name ("Vesele, Donetsk region"), nearby unambiguous places,
//! the publisher's country, feature type and population.

use model::{Feature, GazetteerEntry, Span, Toponym};

use crate::{Candidate, Gazetteer, GeoContext, Referent};

/// Prior weight of each kind of place, before context.
fn feature_prior(e: &GazetteerEntry) -> f64 {
    match e.feature {
        Feature::Country => 60.0,
        Feature::Region => 45.0,
        // Below a town of a few thousand: a district named after its town ("Tartar") means the town.
        Feature::Admin1 => 20.0,
        Feature::Admin2 => 15.0,
        Feature::Landmark => 25.0,
        Feature::City => 5.0 + 4.0 * ((e.population as f64) + 1.0).log10(),
    }
}

pub(crate) fn resolve(
    gaz: &Gazetteer,
    text: &str,
    mentions: &[(Span, &Vec<Candidate>)],
    ctx: &GeoContext,
) -> Vec<Toponym> {
    // Countries the text is about: every country named or implied by an unambiguous mention.
    let mut doc_countries: Vec<model::CountryCode> = Vec::new();
    let mut anchors: Vec<model::GeoPoint> = Vec::new();
    for (_, cands) in mentions {
        if cands.len() == 1 {
            let e = gaz.entry(cands[0].referent);
            if let Some(c) = e.country {
                if !doc_countries.contains(&c) {
                    doc_countries.push(c);
                }
            }
            if e.feature != Feature::Country {
                anchors.push(e.point);
            }
        }
    }
    let mut out = Vec::with_capacity(mentions.len());
    for (i, (span, cands)) in mentions.iter().enumerate() {
        // Person names: a lone town name glued to another capitalised word ("Artak Beglaryan").
        let only_towns = cands
            .iter()
            .all(|c| gaz.entry(c.referent).feature == Feature::City);
        if only_towns && glued_to_name(text, *span) {
            continue;
        }
        let qualifier = qualifier_after(gaz, mentions, i, text);
        let best = cands
            .iter()
            .map(|c| {
                let e = gaz.entry(c.referent);
                let mut score = feature_prior(e);
                if e.country.is_some_and(|k| doc_countries.contains(&k)) {
                    score += 40.0;
                }
                if e.country.is_some() && e.country == ctx.publisher_country {
                    score += 10.0;
                }
                if let Some(q) = qualifier {
                    let qe = gaz.entry(q);
                    let same_country = qe.feature == Feature::Country && qe.country == e.country;
                    let same_admin = qe.feature == Feature::Admin1
                        && qe.country == e.country
                        && admin_matches(&e.admin1, &qe.name);
                    let inside_region =
                        qe.feature == Feature::Region && qe.point.distance_km(e.point) < 120.0;
                    if same_admin {
                        score += 150.0;
                    } else if inside_region {
                        score += 120.0;
                    } else if same_country {
                        score += 100.0;
                    }
                }
                if e.feature != Feature::Country {
                    let nearest = anchors
                        .iter()
                        .map(|a| a.distance_km(e.point))
                        .filter(|d| *d > 0.5)
                        .fold(f64::INFINITY, f64::min);
                    if nearest < 50.0 {
                        score += 30.0;
                    } else if nearest < 150.0 {
                        score += 15.0;
                    } else if nearest < 500.0 {
                        score += 5.0;
                    }
                }
                (score, c)
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| tie_break(gaz, b.1, a.1)));
        let Some((_, cand)) = best else { continue };
        let e = gaz.entry(cand.referent);
        out.push(Toponym {
            span: *span,
            name: e.name.clone(),
            geonameid: e.geonameid,
            lat: e.point.lat(),
            lon: e.point.lon(),
            country: e.country,
            admin1: e.admin1.clone(),
            feature: e.feature,
            population: e.population,
            demonym: cand.demonym,
            also_known_as: also_known_as(e, &text[span.start..span.end]),
        });
    }
    out
}

/// Deterministic order among equal scores: the lower geonameid, then the name.
fn tie_break(gaz: &Gazetteer, a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    let (ea, eb) = (gaz.entry(a.referent), gaz.entry(b.referent));
    ea.geonameid
        .cmp(&eb.geonameid)
        .then_with(|| ea.name.cmp(&eb.name))
}

/// True when the admin-1 name of a place matches a region's name ("Donetsk" and "Donetsk Oblast").
fn admin_matches(admin1: &str, region: &str) -> bool {
    let norm = |s: &str| {
        crate::fold(s)
            .to_ascii_lowercase()
            .replace(" oblast", "")
            .replace(" region", "")
            .replace(" province", "")
            .replace(" district", "")
            .replace(" governorate", "")
            .replace(" marz", "")
    };
    !admin1.is_empty() && norm(admin1) == norm(region)
}

/// The place named right after this one as a qualifier: "Vesele, Donetsk region", "Barda, Azerbaijan".
fn qualifier_after(
    gaz: &Gazetteer,
    mentions: &[(Span, &Vec<Candidate>)],
    i: usize,
    text: &str,
) -> Option<Referent> {
    let (span, _) = mentions[i];
    let (next_span, next_cands) = mentions.get(i + 1)?;
    let gap = &text[span.end..next_span.start];
    let qualifying = matches!(gap, ", " | " in " | " (" | ", in " | " in the ")
        || [
            " district of ",
            " region of ",
            " province of ",
            " area of ",
            " village of ",
        ]
        .iter()
        .any(|g| gap.ends_with(g) && gap.split_whitespace().count() <= 4);
    if !qualifying {
        return None;
    }
    next_cands.iter().map(|c| c.referent).find(|r| {
        matches!(
            gaz.entry(*r).feature,
            Feature::Country | Feature::Admin1 | Feature::Region
        )
    })
}

/// A match that is part of a longer capitalised name: another capitalised word right before or after.
fn glued_to_name(text: &str, span: Span) -> bool {
    let next_word = text[span.end..].strip_prefix(' ').map(|rest| {
        rest.split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("")
    });
    let prev_word = text[..span.start].strip_suffix(' ').map(|rest| {
        rest.rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("")
    });
    let capital_name = |w: &str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().skip(1).any(char::is_lowercase)
            && !matches!(
                w,
                "The"
                    | "In"
                    | "At"
                    | "On"
                    | "From"
                    | "To"
                    | "Of"
                    | "And"
                    | "Near"
                    | "North"
                    | "South"
                    | "East"
                    | "West"
                    | "Central"
            )
    };
    next_word.is_some_and(capital_name)
        || prev_word.is_some_and(|w| capital_name(w) && !w.ends_with("ern"))
}

/// Other names of the place, leaving out the one the text used, at most eight.
fn also_known_as(e: &GazetteerEntry, used: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for n in std::iter::once(&e.name).chain(e.alt_names.iter()) {
        if n.eq_ignore_ascii_case(used) || names.iter().any(|k| k.eq_ignore_ascii_case(n)) {
            continue;
        }
        names.push(n.clone());
        if names.len() == 8 {
            break;
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use crate::{Gazetteer, GeoContext};

    fn gaz() -> Gazetteer {
        let places = vec![
            entry(1, "Vesele", "UA", "Donetsk", 48.0, 38.0, 500),
            entry(2, "Vesele", "UA", "Zaporizhzhia", 47.0, 35.0, 9000),
            entry(3, "Donetsk Oblast", "UA", "Donetsk", 48.0, 37.8, 0),
            entry(4, "Stepanakert", "AZ", "", 39.8, 46.75, 55000),
        ];
        let mut places = places;
        places[2].feature = model::Feature::Admin1;
        places[3].alt_names = vec!["Khankendi".into()];
        Gazetteer::new(places)
    }

    fn entry(
        id: u64,
        name: &str,
        cc: &str,
        admin1: &str,
        lat: f64,
        lon: f64,
        pop: u64,
    ) -> model::GazetteerEntry {
        model::GazetteerEntry {
            geonameid: id,
            name: name.into(),
            alt_names: vec![],
            point: model::GeoPoint::new(lat, lon).unwrap(),
            country: model::CountryCode::new(cc),
            admin1: admin1.into(),
            admin2: String::new(),
            feature: model::Feature::City,
            population: pop,
        }
    }

    fn check(text: &str) -> Vec<String> {
        gaz()
            .geoparse(text, &GeoContext::default())
            .into_iter()
            .map(|t| {
                format!(
                    "{}={}#{}{}",
                    &text[t.span.start..t.span.end],
                    t.name,
                    t.geonameid,
                    if t.demonym { " (demonym)" } else { "" }
                )
            })
            .collect()
    }

    #[test]
    fn qualifier_and_demonyms_decide() {
        assert_eq!(
            check("Shelling hit Vesele, Donetsk Oblast."),
            vec!["Vesele=Vesele#1", "Donetsk Oblast=Donetsk Oblast#3"]
        );
        assert_eq!(check("Shelling hit Vesele."), vec!["Vesele=Vesele#2"]);
        assert_eq!(
            check("Azerbaijani forces shelled Khankendi, Azerbaijan's officials said."),
            vec![
                "Azerbaijani=Azerbaijan#587116 (demonym)",
                "Khankendi=Stepanakert#4",
                "Azerbaijan=Azerbaijan#587116"
            ]
        );
    }
}
