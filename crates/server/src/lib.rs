//! `ombud serve`: the record on the web for a team. Server-rendered pages (incidents with a map
//! and a timeline, incident and document pages where every field shows its words, review forms,
//! upload, sign-in) and a JSON API under `/api/v1`, both over the one façade,
//! `pipeline::Service`. Nothing is writable without an account; reading needs one too unless
//! the server is started `--public`.
//!
//! The face decides nothing about the record: it parses requests, checks who is asking, calls
//! the façade and presents the answer.

mod api;
mod assets;
mod auth;
mod error;
mod filters;
mod html;
mod openapi;
mod pages;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::ServerError;
pub use openapi::openapi;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Readable without signing in.
    pub public: bool,
    /// A tile server's URL template (`https://tile.example/{z}/{x}/{y}.png`) for the map's base
    /// layer; without one the map draws country outlines shipped with ombud, offline.
    pub tiles: Option<String>,
    /// Sets cookies `Secure`: the server is reached over TLS (through a proxy that terminates
    /// it). Also on when a request says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// The largest upload, in bytes.
    pub upload_limit: usize,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            public: false,
            tiles: None,
            secure_cookies: false,
            upload_limit: UPLOAD_LIMIT,
        }
    }
}

/// The largest uploaded file by default (a long report with its images stripped fits many
/// times over; an archive of a site does not belong in one request).
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// The largest body of any other request: a form or a JSON decision.
pub const BODY_LIMIT: usize = 64 * 1024;

/// What every handler shares.
#[derive(Clone, Debug)]
pub(crate) struct AppState {
    pub(crate) service: Arc<pipeline::Service>,
    pub(crate) options: Arc<ServeOptions>,
    pub(crate) limiter: Arc<auth::LoginLimiter>,
}

/// The routes: pages at the root, the API under `/api/v1`, assets under `/assets`.
pub fn router(service: Arc<pipeline::Service>, options: ServeOptions) -> Router {
    let upload_limit = options.upload_limit;
    let state = AppState {
        service,
        options: Arc::new(options),
        limiter: Arc::new(auth::LoginLimiter::default()),
    };
    let uploads = Router::new()
        .route("/api/v1/uploads", post(api::upload))
        .layer(DefaultBodyLimit::max(upload_limit));
    Router::new()
        .route("/", get(pages::incidents))
        .route("/incidents/{id}", get(pages::incident))
        .route("/documents/{sha}", get(pages::document))
        .route("/documents/{sha}/original", get(api::original))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/review", get(pages::review_queue))
        .route("/review/{action}", post(pages::review))
        .route("/upload", get(pages::upload))
        .route("/assets/{*file}", get(assets::asset))
        .route("/favicon.ico", get(assets::favicon))
        .route("/log/checkpoint", get(api::log_checkpoint))
        .route("/log/tile/{*path}", get(api::log_tile))
        .route("/api/v1/openapi.json", get(api::openapi_document))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/incidents", get(api::incidents))
        .route("/api/v1/incidents/{id}", get(api::incident))
        .route("/api/v1/incidents/{id}/history", get(api::history))
        .route("/api/v1/documents/{sha}", get(api::document))
        .route("/api/v1/documents/{sha}/proof", get(api::proof))
        .route("/api/v1/map", get(api::map))
        .route("/api/v1/timeline", get(api::timeline))
        .route("/api/v1/export/{format}", get(api::export))
        .route("/api/v1/review/{action}", post(api::review))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn(pages::come_back_after_sign_in))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::security_headers,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .merge(uploads)
        .with_state(state)
}

/// Serves until Ctrl-C (or SIGTERM), calling `ready` with the address once it listens.
pub async fn serve(
    service: Arc<pipeline::Service>,
    options: ServeOptions,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: listen,
        source,
    })?;
    ready(addr);
    let app = router(service, options).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(ServerError::Serve)
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
