//! Exports of incidents: CSV with ACLED's column names where they overlap, GeoJSON for QGIS,
//! JSON Lines for programs.

use std::io::Write;
use std::str::FromStr;

use model::{CasualtyGroup, CasualtyOutcome, Incident};
use serde_json::json;

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

/// ACLED's columns (where ombud has them), then ombud's own.
pub const CSV_COLUMNS: &[&str] = &[
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "time_precision",
    "source",
    "notes",
    "fatalities",
    "incident_id",
    "grade",
    "n_independent_sources",
    "weapons",
    "civilian_killed_min",
    "civilian_killed_max",
    "admin2",
    "geonameid",
    "location_as_written",
];

fn killed(i: &Incident, group: Option<CasualtyGroup>) -> (Option<u32>, Option<u32>) {
    let ranges: Vec<_> = i
        .casualties
        .iter()
        .filter(|c| c.outcome == CasualtyOutcome::Killed && group.is_none_or(|g| c.group == g))
        .collect();
    if ranges.is_empty() {
        return (None, None);
    }
    let sum = |f: fn(&model::NumberRange) -> Option<u32>| {
        ranges
            .iter()
            .filter_map(|c| f(&c.range))
            .reduce(|a, b| a + b)
    };
    (sum(|r| r.min), sum(|r| r.max))
}

/// One row of values for an incident, in `CSV_COLUMNS` order.
fn row(i: &Incident) -> Vec<String> {
    let place = i.places.first();
    let (civ_min, civ_max) = killed(i, Some(CasualtyGroup::Civilian));
    let (all_min, _) = killed(i, None);
    let opt = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
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
        i.grade_reasons.join("; ")
    );
    vec![
        i.date_start.map(|d| d.to_string()).unwrap_or_default(),
        i.event_type.to_string(),
        i.sub_event_type.to_string(),
        i.perpetrators
            .first()
            .map(|p| p.0.clone())
            .unwrap_or_default(),
        place
            .and_then(|p| p.country)
            .map(|c| c.name().to_string())
            .unwrap_or_default(),
        place.map(|p| p.admin1.clone()).unwrap_or_default(),
        place.map(|p| p.name.clone()).unwrap_or_default(),
        place.map(|p| format!("{:.5}", p.lat)).unwrap_or_default(),
        place.map(|p| format!("{:.5}", p.lon)).unwrap_or_default(),
        place
            .map(|p| (p.precision as u8).to_string())
            .unwrap_or_default(),
        i.date_precision
            .map(|p| p.acled_code().to_string())
            .unwrap_or_default(),
        i.sources_for.join("; "),
        notes,
        opt(all_min).to_string(),
        i.id.0.clone(),
        i.grade.to_string(),
        i.n_independent_sources.to_string(),
        i.weapons.join("; "),
        opt(civ_min),
        opt(civ_max),
        place.map(|p| p.admin2.clone()).unwrap_or_default(),
        place.map(|p| p.geonameid.to_string()).unwrap_or_default(),
        // Every name the reports used for the place ("Stepanakert; Khankendi").
        place.map(|p| p.written.join("; ")).unwrap_or_default(),
    ]
}

/// An export being written, one incident at a time: nothing is held but the incident at hand.
pub(crate) enum Writer<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Geojson { out: &'a mut dyn Write, first: bool },
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
                Writer::Geojson { out, first: true }
            }
            ExportFormat::Jsonl => Writer::Jsonl(out),
        })
    }

    /// Writes one incident (GeoJSON leaves out incidents with no place).
    pub(crate) fn write(&mut self, i: &Incident) -> Result<(), PipelineError> {
        match self {
            Writer::Csv(w) => w.write_record(row(i)).map_err(err),
            Writer::Geojson { out, first } => {
                let Some(place) = i.places.first() else {
                    return Ok(());
                };
                let mut properties = serde_json::Map::new();
                for (k, v) in CSV_COLUMNS.iter().zip(row(i)) {
                    if !matches!(*k, "latitude" | "longitude") {
                        properties.insert((*k).to_string(), json!(v));
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

    /// Ends the export and flushes it.
    pub(crate) fn finish(self) -> Result<(), PipelineError> {
        match self {
            Writer::Csv(mut w) => w.flush().map_err(err),
            Writer::Geojson { out, .. } => {
                out.write_all(b"\n]}\n").map_err(err)?;
                out.flush().map_err(err)
            }
            Writer::Jsonl(out) => out.flush().map_err(err),
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
    w.finish()
}
