//! Errors: the server's own (it could not listen), and what a request gets when it fails, as
//! JSON with a stable code and a message for the API, and as a page for a browser.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pipeline::PipelineError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source} (is another server there? pass --listen ADDR:PORT)")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// A request that failed: its status, a code a program can rely on and a sentence for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(crate) fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first (or send an API token as `Authorization: Bearer TOKEN`)",
        )
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl From<PipelineError> for ApiError {
    fn from(e: PipelineError) -> ApiError {
        let message = e.to_string();
        let (status, code) = match &e {
            PipelineError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            PipelineError::Ambiguous { .. } => (StatusCode::BAD_REQUEST, "ambiguous"),
            PipelineError::Retired { .. } => (StatusCode::GONE, "retired"),
            PipelineError::Cursor { .. } => (StatusCode::BAD_REQUEST, "bad_cursor"),
            PipelineError::BadArgument(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            PipelineError::Sources(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unreadable"),
            _ => {
                tracing::error!(error = %message, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        ApiError {
            status,
            code,
            message,
        }
    }
}

#[derive(serde::Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(serde::Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// A failure shown to a browser: the same status and words, as a page.
#[derive(Debug)]
pub(crate) struct PageError(pub(crate) ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        let title = e.status.canonical_reason().unwrap_or("error").to_string();
        let body = crate::html::Page::new(&title, None)
            .section(&format!(
                "<h1>{}</h1><p class=\"error\">{}</p><p><a href=\"/\">Back to the incidents</a></p>",
                crate::html::esc(&title),
                crate::html::esc(&e.message)
            ))
            .render();
        (e.status, axum::response::Html(body)).into_response()
    }
}
