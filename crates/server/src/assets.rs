//! Static files: the page script and stylesheet (this project's, in `assets/`), and the map's
//! library and base layer when `npm ci --prefix web` installed them before the build (see
//! `build.rs`). Served with their type and a long cache life for the vendor files.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub(crate) const LEAFLET_JS: &str = "/assets/vendor/leaflet.js";
pub(crate) const LEAFLET_CSS: &str = "/assets/vendor/leaflet.css";
pub(crate) const TOPOJSON_JS: &str = "/assets/vendor/topojson-client.js";

/// (path under `/assets/`, content type, bytes).
type Asset = (&'static str, &'static str, &'static [u8]);

const OWN: &[Asset] = &[
    (
        "ombud.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/ombud.js"),
    ),
    (
        "ombud.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/ombud.css"),
    ),
];

#[cfg(ombud_vendor)]
const VENDOR: &[Asset] = &[
    (
        "vendor/leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!(env!("OMBUD_VENDOR_LEAFLET_JS")),
    ),
    (
        "vendor/leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!(env!("OMBUD_VENDOR_LEAFLET_CSS")),
    ),
    (
        "vendor/topojson-client.js",
        "text/javascript; charset=utf-8",
        include_bytes!(env!("OMBUD_VENDOR_TOPOJSON_JS")),
    ),
    (
        "vendor/countries.json",
        "application/json",
        include_bytes!(env!("OMBUD_VENDOR_COUNTRIES")),
    ),
];

#[cfg(not(ombud_vendor))]
const VENDOR: &[Asset] = &[];

/// True when the map's library was built in.
pub(crate) fn has_map_library() -> bool {
    !VENDOR.is_empty()
}

pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    let found = OWN.iter().chain(VENDOR).find(|(name, _, _)| *name == file);
    match found {
        Some((name, kind, bytes)) => {
            let cache = if name.starts_with("vendor/") {
                "public, max-age=604800"
            } else {
                "no-cache"
            };
            (
                [(header::CONTENT_TYPE, *kind), (header::CACHE_CONTROL, cache)],
                *bytes,
            )
                .into_response()
        }
        None if file.starts_with("vendor/") => (
            StatusCode::NOT_FOUND,
            "the map's library is not built into this ombud: run `npm ci --prefix web`, then build again",
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

/// No icon: an empty answer, so browsers stop asking and logs stay quiet.
pub(crate) async fn favicon() -> StatusCode {
    StatusCode::NO_CONTENT
}
