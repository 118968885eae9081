//! Exports of incidents: CSV with ACLED's column names where they overlap, GeoJSON for QGIS,
//! JSON Lines for programs.

use std::io::Write;
use std::str::FromStr;

use model::Incident;
use serde_json::{Value, json};

use crate::PipelineError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Geojson,
    Jsonl,
}

impl FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<ExportFormat, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "geojson" | "json" => Ok(ExportFormat::Geojson),
            "jsonl" | "ndjson" => Ok(ExportFormat::Jsonl),
            other => Err(format!(
                "unknown export format {other:?}: use csv, geojson or jsonl"
            )),
        }
    }
}

/// ACLED's columns in ACLED's order, then ombud's own.
pub const CSV_COLUMNS: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
    // ombud's own.
    "incident_id",
    "grade",
    "grade_reasons",
    "n_independent_sources",
    "origins_for",
    "origins_against",
    "weapons",
    "fatalities_min",
    "fatalities_max",
    "civilian_killed_min",
    "civilian_killed_max",
    "injured_min",
    "injured_max",
    "geonameid",
    "location_as_written",
    "n_claims",
    "decisions",
];

/// ACLED's standard names of state forces, with the period of the government they served, for
/// the countries ombud's examples and evaluation sets are about; others get the name without a
/// period.
const ACLED_STATE_FORCES: &[(&str, &str)] = &[
    ("AM", "Military Forces of Armenia (2018-)"),
    ("AZ", "Military Forces of Azerbaijan (2003-)"),
    ("RU", "Military Forces of Russia (2000-)"),
    ("UA", "Military Forces of Ukraine (2019-)"),
];

/// ACLED's name for an actor: state forces by their standard name, others as the reports name them.
fn acled_actor(p: &model::Perpetrator) -> String {
    use model::ActorKind;
    match (p.kind, p.country) {
        (Some(ActorKind::StateForces | ActorKind::State) | None, Some(c)) => ACLED_STATE_FORCES
            .iter()
            .find(|(code, _)| *code == c.as_str())
            .map_or_else(
                || format!("Military Forces of {}", c.name()),
                |(_, n)| (*n).to_string(),
            ),
        (Some(ActorKind::Police), Some(c)) => format!("Police Forces of {}", c.name()),
        _ => p.name.clone(),
    }
}

/// ACLED's actor type ("inter") of a perpetrator.
fn acled_inter(p: &model::Perpetrator) -> &'static str {
    use model::ActorKind;
    match p.kind {
        Some(ActorKind::StateForces | ActorKind::State | ActorKind::Police) => "State forces",
        Some(ActorKind::NonState) => "Rebel group",
        Some(ActorKind::Militia) => "Political militia",
        _ if p.country.is_some() => "State forces",
        _ => "",
    }
}

fn disorder_type(t: model::EventType) -> &'static str {
    use model::EventType as E;
    match t {
        E::Protests | E::Riots => "Demonstrations",
        E::StrategicDevelopments => "Strategic developments",
        _ => "Political violence",
    }
}

fn opt(v: Option<u32>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// One row of typed values for an incident, in `CSV_COLUMNS` order (numbers as numbers, for
/// GeoJSON; the CSV writes them as text).
fn row(i: &Incident) -> Vec<Value> {
    let place = i.places.first();
    let text = |s: String| Value::String(s);
    let killed = i.casualties.killed;
    let civilian = i.casualties.civilian_killed;
    let injured = i.casualties.injured;
    let first = i.perpetrators.first();
    let civilians_hit = i.civilian_targeting
        || i.casualties.civilian_killed.is_some()
        || i.casualties.civilian_injured.is_some();
    let country = place.and_then(|p| p.country);
    let actor2 = if civilians_hit {
        format!(
            "Civilians ({})",
            country.map_or("International", |c| c.name())
        )
    } else {
        String::new()
    };
    let inter1 = first.map(acled_inter).unwrap_or("");
    let inter2 = if civilians_hit { "Civilians" } else { "" };
    let interaction = match (inter1, inter2) {
        ("", "") => String::new(),
        (a, "") => format!("{a} only"),
        ("", b) => format!("Unidentified-{b}"),
        (a, b) => format!("{a}-{b}"),
    };
    let reasons: Vec<&str> = i.grade_reasons.iter().map(|r| r.reason.as_str()).collect();
    let notes = format!(
        "{} on {}{}{}. Grade {}: {}.",
        i.sub_event_type,
        i.date_start
            .map(|d| d.to_string())
            .unwrap_or_else(|| "an unknown date".into()),
        place
            .map(|p| format!(" in {}", p.label()))
            .unwrap_or_default(),
        if i.weapons.is_empty() {
            String::new()
        } else {
            format!(" with {}", i.weapons.join(", "))
        },
        i.grade,
        reasons.join("; ")
    );
    let names = |list: &[model::Origin]| {
        list.iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    vec![
        text(i.id.0.clone()),
        text(i.date_start.map(|d| d.to_string()).unwrap_or_default()),
        i.date_start.map_or(Value::Null, |d| Value::from(d.year())),
        i.date_precision
            .map_or(Value::Null, |p| Value::from(p.acled_code())),
        text(disorder_type(i.event_type).to_string()),
        text(i.event_type.to_string()),
        text(i.sub_event_type.to_string()),
        text(first.map(acled_actor).unwrap_or_default()),
        text(
            i.perpetrators
                .iter()
                .skip(1)
                .map(acled_actor)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        text(inter1.to_string()),
        text(actor2),
        text(String::new()),
        text(inter2.to_string()),
        text(interaction),
        text(if i.civilian_targeting {
            "Civilian targeting".into()
        } else {
            String::new()
        }),
        // ACLED's numeric ISO 3166 code and its region's name, from the country table.
        country
            .and_then(|c| c.country())
            .and_then(|c| c.iso_numeric)
            .map_or(Value::Null, Value::from),
        text(
            country
                .and_then(|c| c.country())
                .map(|c| c.acled_region.clone())
                .unwrap_or_default(),
        ),
        text(country.map(|c| c.name().to_string()).unwrap_or_default()),
        text(place.map(|p| p.admin1.clone()).unwrap_or_default()),
        text(place.map(|p| p.admin2.clone()).unwrap_or_default()),
        text(String::new()),
        text(place.map(|p| p.name.clone()).unwrap_or_default()),
        place.map_or(Value::Null, |p| json!((p.lat * 1e5).round() / 1e5)),
        place.map_or(Value::Null, |p| json!((p.lon * 1e5).round() / 1e5)),
        place.map_or(Value::Null, |p| Value::from(p.precision as u8)),
        text(i.publishers.join("; ")),
        text(String::new()),
        text(notes),
        // ACLED's figure is the most conservative: the lowest credible count.
        Value::from(killed.and_then(|k| k.min).unwrap_or(0)),
        text(String::new()),
        Value::Null,
        text(i.id.0.clone()),
        text(i.grade.to_string()),
        text(reasons.join("; ")),
        Value::from(i.n_independent_sources),
        text(names(&i.origins_for)),
        text(names(&i.origins_against)),
        text(i.weapons.join("; ")),
        opt(killed.and_then(|k| k.min)),
        opt(killed.and_then(|k| k.max)),
        opt(civilian.and_then(|k| k.min)),
        opt(civilian.and_then(|k| k.max)),
        opt(injured.and_then(|k| k.min)),
        opt(injured.and_then(|k| k.max)),
        place.map_or(Value::Null, |p| Value::from(p.geonameid)),
        // Every name the reports used for the place ("Stepanakert; Khankendi").
        text(place.map(|p| p.written.join("; ")).unwrap_or_default()),
        Value::from(i.n_claims),
        text(
            i.decisions
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ]
}

/// A value as a CSV cell: text as it is, numbers as written, nothing for null.
fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Where a paused export stands: whether a feature was written yet, and how many incidents
/// were left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Paused {
    first: bool,
    unplaced: usize,
}

/// An export being written, one incident at a time: nothing is held but the incident at hand.
pub(crate) enum Writer<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Geojson {
        out: &'a mut dyn Write,
        first: bool,
        /// Incidents left out because no place was reported.
        unplaced: usize,
    },
    Jsonl(&'a mut dyn Write),
}

fn err(e: impl std::fmt::Display) -> PipelineError {
    PipelineError::Export(e.to_string())
}

impl<'a> Writer<'a> {
    /// Starts an export: the CSV header, or the GeoJSON collection's opening.
    pub(crate) fn start(
        format: ExportFormat,
        out: &'a mut dyn Write,
    ) -> Result<Writer<'a>, PipelineError> {
        Ok(match format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_COLUMNS).map_err(err)?;
                Writer::Csv(Box::new(w))
            }
            ExportFormat::Geojson => {
                out.write_all(b"{\"type\": \"FeatureCollection\", \"features\": [\n")
                    .map_err(err)?;
                Writer::Geojson {
                    out,
                    first: true,
                    unplaced: 0,
                }
            }
            ExportFormat::Jsonl => Writer::Jsonl(out),
        })
    }

    /// Writes one incident (GeoJSON leaves out incidents with no place).
    pub(crate) fn write(&mut self, i: &Incident) -> Result<(), PipelineError> {
        match self {
            Writer::Csv(w) => w.write_record(row(i).iter().map(cell)).map_err(err),
            Writer::Geojson {
                out,
                first,
                unplaced,
            } => {
                let Some(place) = i.places.first() else {
                    *unplaced += 1;
                    return Ok(());
                };
                let mut properties = serde_json::Map::new();
                for (k, v) in CSV_COLUMNS.iter().zip(row(i)) {
                    if !matches!(*k, "latitude" | "longitude") {
                        properties.insert((*k).to_string(), v);
                    }
                }
                let feature = json!({
                    "type": "Feature",
                    "id": i.id.0,
                    "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                    "properties": properties,
                });
                if !*first {
                    out.write_all(b",\n").map_err(err)?;
                }
                *first = false;
                serde_json::to_writer(&mut **out, &feature).map_err(err)
            }
            Writer::Jsonl(out) => {
                serde_json::to_writer(&mut **out, i).map_err(err)?;
                out.write_all(b"\n").map_err(err)
            }
        }
    }

    /// Takes up an export `pause` left, writing to a new output (the next chunk).
    pub(crate) fn resume(format: ExportFormat, out: &'a mut dyn Write, at: Paused) -> Writer<'a> {
        match format {
            ExportFormat::Csv => Writer::Csv(Box::new(csv::Writer::from_writer(out))),
            ExportFormat::Geojson => Writer::Geojson {
                out,
                first: at.first,
                unplaced: at.unplaced,
            },
            ExportFormat::Jsonl => Writer::Jsonl(out),
        }
    }

    /// Flushes what is written so far and gives where the export stands, to `resume` it on
    /// another output.
    pub(crate) fn pause(self) -> Result<Paused, PipelineError> {
        match self {
            Writer::Csv(mut w) => {
                w.flush().map_err(err)?;
                Ok(Paused {
                    first: false,
                    unplaced: 0,
                })
            }
            Writer::Geojson {
                out,
                first,
                unplaced,
            } => {
                out.flush().map_err(err)?;
                Ok(Paused { first, unplaced })
            }
            Writer::Jsonl(out) => {
                out.flush().map_err(err)?;
                Ok(Paused {
                    first: false,
                    unplaced: 0,
                })
            }
        }
    }

    /// Ends the export and flushes it; returns how many incidents it left out for want of a
    /// place (GeoJSON only), so a caller can say so.
    pub(crate) fn finish(self) -> Result<usize, PipelineError> {
        match self {
            Writer::Csv(mut w) => w.flush().map_err(err).map(|()| 0),
            Writer::Geojson { out, unplaced, .. } => {
                out.write_all(b"\n]}\n").map_err(err)?;
                out.flush().map_err(err)?;
                Ok(unplaced)
            }
            Writer::Jsonl(out) => out.flush().map_err(err).map(|()| 0),
        }
    }
}

/// Writes `incidents` to `out` in `format`.
pub fn export(
    incidents: &[Incident],
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<(), PipelineError> {
    let mut w = Writer::start(format, out)?;
    for i in incidents {
        w.write(i)?;
    }
    w.finish().map(|_| ())
}
