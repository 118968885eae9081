//! Who is asking: a session cookie (browsers) or a bearer token (programs), checked against the
//! store on every request; roles; the anti-forgery check on every write a browser makes; and
//! the limit on failed sign-ins.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use pipeline::{CredentialKind, Role, SignedIn};

use crate::AppState;
use crate::error::ApiError;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "ombud_session";

/// The header a program or the page's script sends the anti-forgery token in.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The secret a request carries: its bearer token, else its session cookie.
fn secret(headers: &HeaderMap) -> Option<(String, CredentialKind)> {
    if let Some(v) = headers.get(header::AUTHORIZATION)
        && let Ok(v) = v.to_str()
        && let Some(token) = v.strip_prefix("Bearer ")
    {
        return Some((token.trim().to_string(), CredentialKind::Token));
    }
    cookie(headers, COOKIE).map(|c| (c, CredentialKind::Session))
}

/// A cookie's value.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Who a request is from (`None`: no one signed in, or a secret that is not valid now).
pub(crate) async fn who(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<SignedIn>, ApiError> {
    let Some((secret, sent_as)) = secret(headers) else {
        return Ok(None);
    };
    let found = state
        .service
        .signed_in(&secret, jiff::Timestamp::now())
        .await?;
    // A session's secret works only as a cookie and a token's only as a bearer token: a
    // stolen cookie pasted into a script, or a token planted in a cookie, signs no one in.
    Ok(found.filter(|s| s.kind == sent_as))
}

/// Who may read: anyone when the server is public, else any account.
pub(crate) async fn reader(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<SignedIn>, ApiError> {
    let who = who(state, headers).await?;
    if who.is_none() && !state.options.public {
        return Err(ApiError::unauthenticated());
    }
    Ok(who)
}

/// Who may write with `role` or more: an account of that role whose request, when it comes
/// from a browser session, carries the session's anti-forgery token (`form_token`, or the
/// header) and no foreign `Origin`.
pub(crate) async fn writer(
    state: &AppState,
    headers: &HeaderMap,
    role: Role,
    form_token: Option<&str>,
) -> Result<SignedIn, ApiError> {
    let who = who(state, headers)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if who.role < role {
        return Err(ApiError::forbidden(format!(
            "{} is a {}; this needs a {} (an admin can change roles with `ombud user role`)",
            who.account,
            who.role.as_str(),
            role.as_str()
        )));
    }
    if who.kind == CredentialKind::Session {
        check_origin(headers)?;
        let sent = form_token.map(str::to_string).or_else(|| {
            headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
        if !sent.is_some_and(|s| same(&s, &who.csrf)) {
            return Err(ApiError::forbidden(
                "the form's anti-forgery token is missing or stale: reload the page and try again",
            ));
        }
    }
    Ok(who)
}

/// A write from a page of another site is refused even with a valid token.
fn check_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    if origin_host == host {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "a write from {origin} to {host} is refused: use ombud's own pages"
        )))
    }
}

/// Compares secrets in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !b.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The cookie that carries a new session.
pub(crate) fn session_cookie(token: &str, secure: bool, max_age: Option<i64>) -> String {
    // Lax, not Strict: a link to an incident from a mail or a chat opens signed in; writes are
    // guarded by the anti-forgery token and the origin check whatever the cookie's policy.
    let mut c = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    match max_age {
        Some(age) => c.push_str(&format!("; Max-Age={age}")),
        None => c.push_str("; Max-Age=0"),
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// True when cookies should be `Secure`: the server says so, or its proxy says the request
/// came over TLS.
pub(crate) fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.options.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// What every answer tells the browser: run only this site's scripts, load images only from
/// it (and the tile server, when one is set), never inside another site's frame (a review form
/// cannot be clicked through a disguise), never guess a type, and send no address elsewhere.
pub(crate) async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let tiles = state
        .options
        .tiles
        .as_deref()
        .and_then(|t| {
            let (scheme, rest) = t.split_once("://")?;
            let host = rest.split('/').next()?;
            // A template's subdomain placeholder ({s}.tile.example.org) becomes a wildcard.
            Some(format!(" {scheme}://{}", host.replace("{s}", "*")))
        })
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:{tiles}; \
         connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    );
    let h = response.headers_mut();
    if let Ok(v) = axum::http::HeaderValue::from_str(&policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        axum::http::HeaderValue::from_static("DENY"),
    );
    h.insert(
        header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("same-origin"),
    );
    response
}

/// Failed sign-ins allowed per account name, and per client address, in `WINDOW`.
const FAILURES: usize = 5;
const WINDOW: Duration = Duration::from_secs(300);

/// Counts failed sign-ins by account name and by client, refusing more than `FAILURES` in
/// `WINDOW` of either: guessing one account's password, or many accounts' from one place, is
/// slowed to a handful of tries every five minutes.
#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// How long until `keys` may try again (`None`: now).
    pub(crate) fn wait(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let mut map = self.failures.lock().ok()?;
        let mut wait = None;
        for k in keys {
            if let Some(q) = map.get_mut(k) {
                while q.front().is_some_and(|t| now.duration_since(*t) > WINDOW) {
                    q.pop_front();
                }
                if q.len() >= FAILURES
                    && let Some(first) = q.front()
                {
                    let left = WINDOW.saturating_sub(now.duration_since(*first));
                    wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
                }
            }
        }
        wait
    }

    pub(crate) fn failed(&self, keys: &[String], now: Instant) {
        if let Ok(mut map) = self.failures.lock() {
            // Bounded: past many distinct keys, forget those with nothing in the window.
            if map.len() > 10_000 {
                map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) <= WINDOW));
            }
            for k in keys {
                map.entry(k.clone()).or_default().push_back(now);
            }
        }
    }

    pub(crate) fn succeeded(&self, keys: &[String]) {
        if let Ok(mut map) = self.failures.lock()
            && let Some(name) = keys.first()
        {
            map.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_wait_out_the_window() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        let keys = vec!["name:ana".to_string(), "ip:127.0.0.1".to_string()];
        for n in 0..FAILURES {
            assert_eq!(l.wait(&keys, t0), None, "try {n}");
            l.failed(&keys, t0);
        }
        assert_eq!(l.wait(&keys, t0), Some(WINDOW));
        // Another name from the same address waits too; the window passes.
        let other = vec!["name:bo".to_string(), "ip:127.0.0.1".to_string()];
        assert!(l.wait(&other, t0 + Duration::from_secs(10)).is_some());
        assert_eq!(l.wait(&keys, t0 + WINDOW + Duration::from_secs(1)), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("ab", "abc"));
        assert!(!same("", ""));
    }
}
