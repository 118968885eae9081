//! Places: coordinates, gazetteer entries, toponyms found in text, and places attached to claims.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{CountryCode, Span};

/// A WGS84 point with latitude in [-90, 90] and longitude in [-180, 180].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Option<GeoPoint> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            .then_some(GeoPoint { lat, lon })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Great-circle distance in kilometres (haversine, mean Earth radius).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6371.0088 * a.sqrt().min(1.0).asin()
    }
}

/// What kind of place a gazetteer entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    City,
    Admin1,
    Admin2,
    Country,
    Region,
    Landmark,
}

impl Feature {
    pub fn parse(s: &str) -> Option<Feature> {
        Some(match s.trim() {
            "city" => Feature::City,
            "admin1" => Feature::Admin1,
            "admin2" => Feature::Admin2,
            "country" => Feature::Country,
            "region" => Feature::Region,
            "landmark" => Feature::Landmark,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Feature::City => "city",
            Feature::Admin1 => "admin1",
            Feature::Admin2 => "admin2",
            Feature::Country => "country",
            Feature::Region => "region",
            Feature::Landmark => "landmark",
        }
    }

    /// The ACLED geo_precision a place of this kind gives an event.
    pub fn precision(self) -> GeoPrecision {
        match self {
            Feature::City | Feature::Landmark => GeoPrecision::Town,
            Feature::Admin2 => GeoPrecision::District,
            Feature::Admin1 | Feature::Country | Feature::Region => GeoPrecision::Region,
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// ACLED's geo_precision: 1 the named town, 2 a nearby or district-level place, 3 a region or country.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum GeoPrecision {
    Town = 1,
    District = 2,
    Region = 3,
}

impl From<GeoPrecision> for u8 {
    fn from(p: GeoPrecision) -> u8 {
        p as u8
    }
}

impl TryFrom<u8> for GeoPrecision {
    type Error = String;
    fn try_from(n: u8) -> Result<GeoPrecision, String> {
        match n {
            1 => Ok(GeoPrecision::Town),
            2 => Ok(GeoPrecision::District),
            3 => Ok(GeoPrecision::Region),
            _ => Err(format!("geo precision must be 1, 2 or 3, not {n}")),
        }
    }
}

/// One place in the gazetteer.
#[derive(Clone, Debug, PartialEq)]
pub struct GazetteerEntry {
    /// GeoNames id, 0 for places the curated overlay adds.
    pub geonameid: u64,
    pub name: String,
    /// Other names: transliterations, the other side's names, old names.
    pub alt_names: Vec<String>,
    pub point: GeoPoint,
    /// `None` for disputed regions no single country holds (Kashmir).
    pub country: Option<CountryCode>,
    /// The region and district it lies in, by name. Shared: a few thousand names serve the
    /// quarter of a million places, so the gazetteer holds each once.
    pub admin1: std::sync::Arc<str>,
    pub admin2: std::sync::Arc<str>,
    pub feature: Feature,
    pub population: u64,
}

/// A place named in a text, resolved against the gazetteer (the geoparsing contract).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Toponym {
    pub span: Span,
    /// The place's gazetteer name; the words used are `span` of the text.
    pub name: String,
    pub geonameid: u64,
    pub lat: f64,
    pub lon: f64,
    pub country: Option<CountryCode>,
    pub admin1: String,
    /// Second-level division, when the gazetteer knows it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub admin2: String,
    pub feature: Feature,
    pub population: u64,
    /// True when the text used an adjective or demonym ("Azerbaijani") rather than a name.
    #[serde(default)]
    pub demonym: bool,
    /// Other names of the same place (Stepanakert also Khankendi).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_known_as: Vec<String>,
    /// The text named the district around the place ("the Martuni district"), not the place
    /// itself: an event there is located to the district (precision 2), not to the town.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub district: bool,
}

impl Toponym {
    /// The ACLED geo_precision this mention gives an event.
    pub fn precision(&self) -> GeoPrecision {
        match self.feature.precision() {
            GeoPrecision::Town if self.district => GeoPrecision::District,
            p => p,
        }
    }

    pub fn point(&self) -> Option<GeoPoint> {
        GeoPoint::new(self.lat, self.lon)
    }
}

/// A place attached to a claim: a toponym with the precision it gives the event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaceRef {
    pub name: String,
    pub geonameid: u64,
    pub lat: f64,
    pub lon: f64,
    pub country: Option<CountryCode>,
    #[serde(default)]
    pub admin1: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub admin2: String,
    pub feature: Feature,
    pub precision: GeoPrecision,
    pub span: Span,
    /// The name as the report wrote it ("Stepanakert" for the place named Khankendi).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub written: String,
}

impl PlaceRef {
    /// The place a toponym of `text` names, keeping the words the text used.
    pub fn new(t: &Toponym, text: &str) -> PlaceRef {
        PlaceRef {
            name: t.name.clone(),
            geonameid: t.geonameid,
            lat: t.lat,
            lon: t.lon,
            country: t.country,
            admin1: t.admin1.clone(),
            admin2: t.admin2.clone(),
            feature: t.feature,
            precision: t.precision(),
            span: t.span,
            written: text
                .get(t.span.start..t.span.end)
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// Identity for merging: the gazetteer id, or the name when the place has none.
    pub fn key(&self) -> String {
        if self.geonameid != 0 {
            format!("g{}", self.geonameid)
        } else {
            format!("n{}", self.name)
        }
    }

    pub fn point(&self) -> Option<GeoPoint> {
        GeoPoint::new(self.lat, self.lon)
    }
}
