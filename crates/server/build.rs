//! Finds the front-end packages `npm ci --prefix web` installs (Leaflet, topojson-client and
//! Natural Earth's outlines from world-atlas) and lets `assets.rs` embed them. Without them the
//! server builds and serves every page; the map says how to install its library.

use std::path::PathBuf;

/// (the name the server serves it under, its path under `web/node_modules`, its env variable).
const VENDOR: [(&str, &str, &str); 4] = [
    (
        "leaflet.js",
        "leaflet/dist/leaflet.js",
        "OMBUD_VENDOR_LEAFLET_JS",
    ),
    (
        "leaflet.css",
        "leaflet/dist/leaflet.css",
        "OMBUD_VENDOR_LEAFLET_CSS",
    ),
    (
        "topojson-client.js",
        "topojson-client/dist/topojson-client.min.js",
        "OMBUD_VENDOR_TOPOJSON_JS",
    ),
    (
        "countries.json",
        "world-atlas/countries-50m.json",
        "OMBUD_VENDOR_COUNTRIES",
    ),
];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ombud_vendor)");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let modules = manifest.join("../../web/node_modules");
    println!("cargo::rerun-if-changed={}", modules.display());
    let mut all = true;
    for (_, path, var) in VENDOR {
        let file = modules.join(path);
        println!("cargo::rerun-if-changed={}", file.display());
        match file.canonicalize() {
            Ok(abs) => println!("cargo::rustc-env={var}={}", abs.display()),
            Err(_) => all = false,
        }
    }
    if all {
        println!("cargo::rustc-cfg=ombud_vendor");
    } else {
        println!(
            "cargo::warning=web/node_modules is not installed: the map has no library until `npm ci --prefix web` runs (then rebuild)"
        );
    }
}
