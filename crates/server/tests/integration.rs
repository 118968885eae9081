//! The server through its router, as a browser and a program would use it: the example corpus
//! ingested into a fresh data directory, accounts of each role, then every page and endpoint,
//! the refusals (no account, wrong role, missing anti-forgery token, a foreign origin,
//! malformed JSON, an oversized upload, a cursor from another selection, too many failed
//! sign-ins) and the OpenAPI document checked against the answers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use pipeline::{IncidentFilter, IngestOptions, OpenOptions, Page, Role, Service};
use serde_json::Value;
use tower::ServiceExt;

const NOW: &str = "2026-12-02T10:00:00Z";
const PASSWORD: &str = "correct horse battery";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A served record of the example corpus, with a viewer, a reviewer and a token for each.
struct Served {
    _dir: test_support::TempDir,
    service: Arc<Service>,
    app: Router,
    viewer_token: String,
    reviewer_token: String,
}

async fn served(options: server::ServeOptions) -> Served {
    served_from(options, None).await
}

/// `served`, with the record in the database at `database` (a PostgreSQL URL) when given.
async fn served_from(options: server::ServeOptions, database: Option<String>) -> Served {
    let dir = test_support::temp_dir();
    let service = Service::open(&OpenOptions {
        data_dir: dir.path().to_path_buf(),
        database,
        create: true,
        read_only: false,
    })
    .await
    .unwrap();
    service
        .ingest(
            &[test_support::examples_dir()],
            &IngestOptions::new(NOW.into(), 2),
            &mut |_| {},
        )
        .await
        .unwrap();
    let now = jiff::Timestamp::now();
    service
        .add_account("vi", Role::Viewer, PASSWORD, now)
        .await
        .unwrap();
    service
        .add_account("re", Role::Reviewer, PASSWORD, now)
        .await
        .unwrap();
    let viewer_token = service.issue_token("vi", "tests", now).await.unwrap();
    let reviewer_token = service.issue_token("re", "tests", now).await.unwrap();
    let service = Arc::new(service);
    let app = server::router(service.clone(), options);
    Served {
        _dir: dir,
        service,
        app,
        viewer_token,
        reviewer_token,
    }
}

/// What came back: status, headers, body.
struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The error code of a JSON error.
    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.split(';')
                    .next()
                    .and_then(|kv| kv.split_once('='))
                    .filter(|(k, v)| *k == name && !v.is_empty())
                    .map(|(_, v)| v.to_string())
            })
    }
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

fn get(uri: &str) -> axum::http::request::Builder {
    Request::builder().method("GET").uri(uri)
}

fn post(uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, "localhost")
}

async fn get_with(app: &Router, uri: &str, token: &str) -> Answer {
    send(
        app,
        get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// Signs in through the form as a browser does; returns the session cookie and the page's
/// anti-forgery token.
async fn sign_in(app: &Router, name: &str, password: &str) -> Result<(String, String), Answer> {
    let form = send(app, get("/login").body(Body::empty()).unwrap()).await;
    let pre = form.cookie("ombud_login").unwrap();
    let csrf = hidden(&form.text(), "csrf");
    let answer = send(
        app,
        post("/login")
            .header(header::COOKIE, format!("ombud_login={pre}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "name={name}&password={}&csrf={csrf}",
                password.replace(' ', "+")
            )))
            .unwrap(),
    )
    .await;
    let Some(session) = answer.cookie("ombud_session") else {
        return Err(answer);
    };
    let home = send(
        app,
        get("/")
            .header(header::COOKIE, format!("ombud_session={session}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let page_csrf = home
        .text()
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    Ok((session, page_csrf))
}

/// The value of a hidden form field.
fn hidden(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        .to_string()
}

#[test]
fn nothing_is_read_or_written_without_the_right_account_token_and_origin() {
    rt().block_on(async {
        let s = served(server::ServeOptions::default()).await;
        let app = &s.app;
        // No account: the API says so in JSON, pages send the browser to sign in.
        let anon = send(app, get("/api/v1/incidents").body(Body::empty()).unwrap()).await;
        assert_eq!(
            (anon.status, anon.code().as_str()),
            (StatusCode::UNAUTHORIZED, "unauthenticated")
        );
        let page = send(app, get("/").body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.headers[header::LOCATION], "/login");
        // A link to an incident comes back to it after signing in, and never to another site.
        let deep = send(
            app,
            get("/incidents/inc-x?a=1").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(
            deep.headers[header::LOCATION],
            "/login?next=%2Fincidents%2Finc-x%3Fa%3D1"
        );
        let form = send(
            app,
            get("/login?next=%2Fincidents%2Finc-x")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(hidden(&form.text(), "next"), "/incidents/inc-x");
        let away = send(
            app,
            get("/login?next=%2F%2Fevil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(hidden(&away.text(), "next"), "/");
        // A bearer token that is not one, and a session secret sent as a token, sign no one in.
        let fake = get_with(app, "/api/v1/incidents", "ombud_0000").await;
        assert_eq!(fake.status, StatusCode::UNAUTHORIZED);
        let (session, csrf) = sign_in(app, "re", PASSWORD).await.ok().unwrap();
        let as_token = get_with(app, "/api/v1/incidents", &session).await;
        assert_eq!(as_token.status, StatusCode::UNAUTHORIZED);

        let decision = r#"{"incident": "inc-none", "grade": "weak", "note": "n"}"#;
        let review = |auth: (&'static str, String), csrf: Option<&str>, origin: Option<&str>| {
            let mut b = post("/api/v1/review/grade")
                .header(auth.0, auth.1)
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(c) = csrf {
                b = b.header("x-csrf-token", c);
            }
            if let Some(o) = origin {
                b = b.header(header::ORIGIN, o);
            }
            b.body(Body::from(decision)).unwrap()
        };
        // A viewer may not decide.
        let viewer = send(
            app,
            review(
                ("authorization", format!("Bearer {}", s.viewer_token)),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(
            (viewer.status, viewer.code().as_str()),
            (StatusCode::FORBIDDEN, "forbidden")
        );
        // A reviewer's browser session needs the anti-forgery token, and its own origin.
        let cookie = ("cookie", format!("ombud_session={session}"));
        let no_csrf = send(app, review(cookie.clone(), None, None)).await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
        assert!(
            no_csrf.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("anti-forgery")
        );
        let wrong = send(app, review(cookie.clone(), Some("00"), None)).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        let foreign = send(
            app,
            review(cookie.clone(), Some(&csrf), Some("https://evil.example")),
        )
        .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        assert!(foreign.text().contains("evil.example"));
        // With both, the request reaches the record (and the made-up incident is not there).
        let through = send(
            app,
            review(cookie.clone(), Some(&csrf), Some("http://localhost")),
        )
        .await;
        assert_eq!(
            (through.status, through.code().as_str()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{}",
            through.text()
        );
        // A page's form without its token is refused too.
        let form = send(
            app,
            post("/review/grade")
                .header(cookie.0, cookie.1.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("incident=inc&grade=weak&note=n"))
                .unwrap(),
        )
        .await;
        assert_eq!(form.status, StatusCode::FORBIDDEN);
        // Signing out needs the token, then the session is gone.
        let out = send(
            app,
            post("/logout")
                .header(cookie.0, cookie.1.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        let after = send(
            app,
            get("/api/v1/me")
                .header(cookie.0, cookie.1)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(after.json()["account"], Value::Null);
    });
}

#[test]
fn bad_requests_get_a_code_and_a_message() {
    rt().block_on(async {
        let s = served(server::ServeOptions {
            upload_limit: 1024,
            ..Default::default()
        })
        .await;
        let app = &s.app;
        let token = format!("Bearer {}", s.reviewer_token);
        let malformed = send(
            app,
            post("/api/v1/review/grade")
                .header(header::AUTHORIZATION, &token)
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
        assert_eq!(
            (malformed.status, malformed.code().as_str()),
            (StatusCode::BAD_REQUEST, "malformed_json")
        );
        let unknown_field = send(
            app,
            post("/api/v1/review/grade")
                .header(header::AUTHORIZATION, &token)
                .body(Body::from(
                    r#"{"incident": "x", "grade": "weak", "note": "n", "by": "me"}"#,
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(unknown_field.code(), "malformed_json");
        let no_note = send(
            app,
            post("/api/v1/review/grade")
                .header(header::AUTHORIZATION, &token)
                .body(Body::from(
                    r#"{"incident": "x", "grade": "weak", "note": " "}"#,
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(no_note.code(), "note_required");
        let too_big = send(
            app,
            post("/api/v1/uploads?name=big.txt")
                .header(header::AUTHORIZATION, &token)
                .body(Body::from(vec![b'a'; 4096]))
                .unwrap(),
        )
        .await;
        assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
        let big_form = send(
            app,
            post("/api/v1/review/grade")
                .header(header::AUTHORIZATION, &token)
                .body(Body::from(vec![b' '; server::BODY_LIMIT + 1]))
                .unwrap(),
        )
        .await;
        assert_eq!(big_form.status, StatusCode::PAYLOAD_TOO_LARGE);
        // A cursor from one selection is refused by another.
        let first = get_with(
            app,
            "/api/v1/incidents?limit=2&place=Ganja",
            &s.viewer_token,
        )
        .await;
        let cursor = first.json()["next_cursor"].as_str().unwrap().to_string();
        let other = get_with(
            app,
            &format!("/api/v1/incidents?limit=2&place=Barda&cursor={cursor}"),
            &s.viewer_token,
        )
        .await;
        assert_eq!(
            (other.status, other.code().as_str()),
            (StatusCode::BAD_REQUEST, "bad_cursor")
        );
        let bad_date = get_with(app, "/api/v1/incidents?since=4%20Oct", &s.viewer_token).await;
        assert_eq!(bad_date.code(), "bad_filter");
        let nowhere = get_with(app, "/api/v1/nothing", &s.viewer_token).await;
        assert_eq!(
            (nowhere.status, nowhere.code().as_str()),
            (StatusCode::NOT_FOUND, "not_found")
        );
        let no_incident = get_with(app, "/api/v1/incidents/inc-none", &s.viewer_token).await;
        assert_eq!(no_incident.status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn failed_sign_ins_are_limited_and_do_not_say_which_part_was_wrong() {
    rt().block_on(async {
        let s = served(server::ServeOptions::default()).await;
        let app = &s.app;
        let unknown = sign_in(app, "nobody", PASSWORD).await.err().unwrap();
        let wrong = sign_in(app, "re", "not the password").await.err().unwrap();
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.text().contains("Wrong account name or password."));
        assert!(unknown.text().contains("Wrong account name or password."));
        for _ in 0..4 {
            assert!(sign_in(app, "re", "still not it").await.is_err());
        }
        // Five failures: even the right password waits now.
        let limited = sign_in(app, "re", PASSWORD).await.err().unwrap();
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(limited.text().contains("Too many failed sign-ins"));
        // Another account is not held up by them.
        assert!(sign_in(app, "vi", PASSWORD).await.is_ok());
        // A stale form (no sign-in cookie) is refused before any password is checked.
        let stale = send(
            app,
            post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("name=vi&password={PASSWORD}&csrf=abc")))
                .unwrap(),
        )
        .await;
        assert!(stale.cookie("ombud_session").is_none());
        assert!(stale.text().contains("stale"));
    });
}

#[test]
fn pages_show_incidents_their_words_and_documents() {
    rt().block_on(async {
        let s = served(server::ServeOptions::default()).await;
        let app = &s.app;
        let (session, _) = sign_in(app, "vi", PASSWORD).await.ok().unwrap();
        let page = |uri: String| {
            let cookie = format!("ombud_session={session}");
            async move {
                send(
                    app,
                    get(&uri)
                        .header(header::COOKIE, cookie)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
            }
        };
        let home = page("/?place=Barda".into()).await;
        assert_eq!(home.status, StatusCode::OK);
        let csp = home.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(home.headers[header::X_FRAME_OPTIONS], "DENY");
        let html = home.text();
        assert!(html.contains("Barda"), "{html}");
        assert!(html.contains("id=\"map\"") && html.contains("id=\"timeline\""));
        assert!(html.contains("data-query=\"place=Barda\""));
        assert!(html.contains("/api/v1/export/csv?place=Barda"));
        // Barda's strike: the incident page shows its grade, its claims by stance, and each
        // field's words as links into the document.
        let barda = s
            .service
            .incidents(
                &IncidentFilter {
                    place: Some("Barda".into()),
                    ..Default::default()
                },
                &Page::default(),
            )
            .await
            .unwrap();
        let id = &barda[0].id.0;
        let incident = page(format!("/incidents/{id}")).await;
        let html = incident.text();
        assert_eq!(incident.status, StatusCode::OK, "{html}");
        assert!(
            html.contains("<span class=\"grade confirmed\">confirmed</span>"),
            "{html}"
        );
        assert!(html.contains("<h3>Alleges</h3>") || html.contains("<h3>Reports</h3>"));
        assert!(
            html.contains("<h3>Denies</h3>"),
            "the denial is shown apart"
        );
        assert!(html.contains("class=\"mark place\" href=\"/documents/"));
        assert!(html.contains("class=\"mark weapon\""));
        assert!(
            !html.contains("action=\"/review/grade\""),
            "a viewer sees no review forms"
        );
        // The document page marks the same spans, at the anchors the links name.
        let link = html
            .split("class=\"mark place\" href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let (doc, anchor) = link.split_once('#').unwrap();
        let document = page(doc.to_string()).await;
        let dhtml = document.text();
        assert_eq!(document.status, StatusCode::OK);
        assert!(
            dhtml.contains(&format!("id=\"{anchor}\"")),
            "{anchor} in {dhtml}"
        );
        assert!(dhtml.contains("Download the original bytes"));
        // The original bytes come back as they were archived.
        let sha = doc.trim_start_matches("/documents/");
        let original = page(format!("/documents/{sha}/original")).await;
        assert_eq!(original.status, StatusCode::OK);
        assert_eq!(archive::sha256_hex(&original.body), sha);
        // Text never becomes markup.
        let escaped = page("/?q=%3Cscript%3E".into()).await;
        assert!(
            !escaped.text().contains("<script>alert") && escaped.text().contains("&lt;script&gt;")
        );
        // A copy is listed under its original, not as another voice.
        let mut with_copy = None;
        for i in s
            .service
            .incidents(&IncidentFilter::default(), &Page::default())
            .await
            .unwrap()
        {
            let d = s.service.incident(&i.id.0).await.unwrap();
            let docs: Vec<&str> = d.claims.iter().map(|c| c.id.document.as_str()).collect();
            if let Some(copy) = d
                .claims
                .iter()
                .find(|c| c.copy_of.as_deref().is_some_and(|o| docs.contains(&o)))
            {
                with_copy = Some((i.id.0.clone(), copy.id.document.clone()));
                break;
            }
        }
        let (id, copy) = with_copy.expect("the examples hold a republished report");
        let html = page(format!("/incidents/{id}")).await.text();
        let listed = html
            .split("Republished as copies")
            .nth(1)
            .unwrap_or_else(|| panic!("{html}"));
        assert!(listed.contains(&format!("/documents/{copy}")), "{listed}");
        // Static files, and the review pages are for reviewers only.
        let js = page("/assets/ombud.js".into()).await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(
            js.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        let queue = page("/review".into()).await;
        assert_eq!(queue.status, StatusCode::FORBIDDEN);
    });
}

#[test]
fn the_api_pages_maps_counts_exports_and_answers_as_its_openapi_document_says() {
    rt().block_on(async {
        let s = served(server::ServeOptions::default()).await;
        let app = &s.app;
        let token = &s.viewer_token;
        let everything = s
            .service
            .incidents(&IncidentFilter::default(), &Page::default())
            .await
            .unwrap();
        // Cursor pages give every incident once, in order.
        let mut seen = Vec::new();
        let mut uri = "/api/v1/incidents?limit=3".to_string();
        loop {
            let page = get_with(app, &uri, token).await.json();
            for i in page["items"].as_array().unwrap() {
                seen.push(i["id"].as_str().unwrap().to_string());
            }
            match page["next_cursor"].as_str() {
                Some(c) => uri = format!("/api/v1/incidents?limit=3&cursor={c}"),
                None => break,
            }
        }
        let ids: Vec<String> = everything.iter().map(|i| i.id.0.clone()).collect();
        assert_eq!(seen, ids);
        // The map counts every placed incident once; the timeline every dated one.
        let map = get_with(app, "/api/v1/map?zoom=3", token).await.json();
        let placed = everything.iter().filter(|i| !i.places.is_empty()).count() as u64;
        assert_eq!(map["total"], placed);
        let cells = map["cells"].as_array().unwrap();
        assert_eq!(
            cells
                .iter()
                .map(|c| c["count"].as_u64().unwrap())
                .sum::<u64>(),
            placed
        );
        for c in cells {
            assert_eq!(c["id"].is_string(), c["count"] == 1, "{c}");
        }
        let timeline = get_with(app, "/api/v1/timeline", token).await.json();
        let dated = everything.iter().filter(|i| i.date_start.is_some()).count() as u64;
        let days = timeline["days"].as_array().unwrap();
        assert_eq!(
            days.iter()
                .map(|d| d["count"].as_u64().unwrap())
                .sum::<u64>(),
            dated
        );
        // Exports stream the whole selection.
        let csv = get_with(app, "/api/v1/export/csv", token).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(
            csv.text().lines().count(),
            everything.len() + 1,
            "{}",
            csv.text()
        );
        assert!(csv.text().starts_with("event_id_cnty,"));
        let jsonl = get_with(app, "/api/v1/export/jsonl?grade=contested", token).await;
        let contested = everything
            .iter()
            .filter(|i| i.grade == model::Grade::Contested)
            .count();
        assert_eq!(jsonl.text().lines().count(), contested);
        let geojson = get_with(app, "/api/v1/export/geojson", token).await.json();
        assert_eq!(geojson["features"].as_array().unwrap().len() as u64, placed);

        // Every path the OpenAPI document names answers with what it promises.
        let doc = get_with(app, "/api/v1/openapi.json", token).await.json();
        let mut paths: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            vec![
                "/documents/{sha}",
                "/documents/{sha}/proof",
                "/export/{format}",
                "/incidents",
                "/incidents/{id}",
                "/incidents/{id}/history",
                "/map",
                "/me",
                "/openapi.json",
                "/review/{action}",
                "/timeline",
                "/uploads",
            ]
        );
        let sha = everything[0].claims[0].document.clone();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let Some(op) = item.get("get") else { continue };
            let uri = format!("/api/v1{path}")
                .replace("{id}", &ids[0])
                .replace("{sha}", &sha)
                .replace("{format}", "jsonl");
            let answer = get_with(app, &uri, token).await;
            assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text());
            let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
            if let Some(required) = schema["required"].as_array() {
                let body = answer.json();
                for key in required {
                    let key = key.as_str().unwrap();
                    assert!(body.get(key).is_some(), "{uri} lacks {key}: {body}");
                }
            }
        }
        let proof = get_with(app, &format!("/api/v1/documents/{sha}/proof"), token)
            .await
            .json();
        assert_eq!(
            (proof["verifies"].as_bool(), proof["intact"].as_bool()),
            (Some(true), Some(true))
        );
    });
}

#[test]
fn a_reviewer_merges_with_a_note_and_the_decision_is_logged_and_in_the_history() {
    rt().block_on(async {
        let s = served(server::ServeOptions::default()).await;
        let app = &s.app;
        let (session, csrf) = sign_in(app, "re", PASSWORD).await.ok().unwrap();
        let ganja = s
            .service
            .incidents(
                &IncidentFilter {
                    place: Some("Ganja".into()),
                    ..Default::default()
                },
                &Page::default(),
            )
            .await
            .unwrap();
        assert!(ganja.len() >= 2, "the examples hold several strikes on Ganja");
        let (a, b) = (&ganja[0].id.0, &ganja[1].id.0);
        let queue = send(
            app,
            get("/review")
                .header(header::COOKIE, format!("ombud_session={session}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(queue.status, StatusCode::OK);
        for part in ["Contested", "Likely duplicates", "Weak but much reported", "Uncertain"] {
            assert!(queue.text().contains(part), "the queue lacks {part}");
        }
        let before = s.service.checkpoint().unwrap();
        // The page's form, as a browser posts it.
        let merged = send(
            app,
            post("/review/merge")
                .header(header::COOKIE, format!("ombud_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "csrf={csrf}&incident={a}&incidents={b}&note=one+salvo%2C+two+reports"
                )))
                .unwrap(),
        )
        .await;
        assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.text());
        let to = merged.headers[header::LOCATION].to_str().unwrap().to_string();
        assert!(to.starts_with("/incidents/"), "{to}");
        let history = s.service.history(a).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!((last.reviewer.as_str(), last.note.as_str()), ("re", "one salvo, two reports"));
        assert!(matches!(last.action, model::Action::Merge { .. }));
        // The decision is a leaf of the log, which extends the checkpoint before it.
        let leaf = last.leaf.clone().unwrap();
        let after = s.service.checkpoint().unwrap();
        assert_eq!(after.size, before.size + 1);
        assert!(s.service.consistency(&before).unwrap().unwrap().verify());
        assert_eq!(s.service.prove(&leaf).unwrap().proof.index, before.size);
        // The incident page shows it in its history.
        let page = send(
            app,
            get(&to)
                .header(header::COOKIE, format!("ombud_session={session}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(page.text().contains("one salvo, two reports"), "{}", page.text());
        // A program does the same with its token and JSON; then an upload goes in.
        let graded = send(
            app,
            post("/api/v1/review/grade")
                .header(header::AUTHORIZATION, format!("Bearer {}", s.reviewer_token))
                .body(Body::from(format!(
                    r#"{{"incident": "{a}", "grade": "contested", "note": "the ministry denies it"}}"#
                )))
                .unwrap(),
        )
        .await;
        assert_eq!(graded.status, StatusCode::OK, "{}", graded.text());
        assert_eq!(graded.json()["decision"]["action"], "grade");
        let report = "A drone struck a bakery in Tovuz on 3 November 2020, killing two civilians, the district governor said.";
        let upload = send(
            app,
            post("/api/v1/uploads?name=..%2Ftovuz.txt")
                .header(header::AUTHORIZATION, format!("Bearer {}", s.reviewer_token))
                .body(Body::from(report))
                .unwrap(),
        )
        .await;
        let u = upload.json();
        assert_eq!(upload.status, StatusCode::OK, "{u}");
        assert_eq!((u["name"].as_str(), u["new"].as_u64()), (Some("tovuz.txt"), Some(1)));
        // Who sent it is a decision of its own, logged like the others.
        let decisions = s.service.decisions().await.unwrap();
        let last = decisions.last().unwrap();
        assert_eq!(u["decision"].as_str(), Some(last.id.to_string().as_str()));
        assert_eq!(last.reviewer, "re");
        match &last.action {
            model::Action::Upload { file, sha256, bytes, new, .. } => {
                assert_eq!((file.as_str(), *bytes, *new), ("tovuz.txt", report.len() as u64, 1));
                assert_eq!(sha256, &archive::sha256_hex(report.as_bytes()));
            }
            other => panic!("{other:?}"),
        }
        assert!(last.leaf.is_some());
        let again = send(
            app,
            post("/api/v1/uploads?name=tovuz.txt")
                .header(header::AUTHORIZATION, format!("Bearer {}", s.reviewer_token))
                .body(Body::from(report))
                .unwrap(),
        )
        .await;
        assert_eq!(again.json()["duplicate"].as_u64(), Some(1));
    });
}

#[test]
fn a_team_server_over_postgresql_signs_in_lists_maps_and_decides() {
    rt().block_on(async {
        let url = match pipeline::scratch::test_server().await {
            Err(e) => panic!("{e}"),
            Ok(None) => return, // no server here; `.ci/run` requires one
            Ok(Some(url)) => url,
        };
        let scratch = pipeline::scratch::ScratchPostgres::create(&url, "serve")
            .await
            .unwrap();
        let pipeline::StoreTarget::Postgres(db) = &scratch.target else {
            panic!("a scratch schema is PostgreSQL")
        };
        let s = served_from(server::ServeOptions::default(), Some(db.clone())).await;
        let app = &s.app;
        let (session, csrf) = sign_in(app, "re", PASSWORD).await.ok().unwrap();
        let list = get_with(app, "/api/v1/incidents?place=Ganja", &s.viewer_token)
            .await
            .json();
        let ids: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert!(ids.len() >= 2, "{list}");
        let map = get_with(app, "/api/v1/map?zoom=4", &s.viewer_token)
            .await
            .json();
        assert!(map["total"].as_u64().unwrap() > 0);
        let merged = send(
            app,
            post("/review/merge")
                .header(header::COOKIE, format!("ombud_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "csrf={csrf}&incident={}&incidents={}&note=one+strike",
                    ids[0], ids[1]
                )))
                .unwrap(),
        )
        .await;
        assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.text());
        let history = s.service.history(ids[0]).await.unwrap();
        assert_eq!(history.last().unwrap().reviewer, "re");
        drop(s);
        scratch.drop_schema().await.unwrap();
    });
}

#[test]
fn the_log_is_served_as_tlog_tiles_that_rebuild_its_signed_root() {
    rt().block_on(async {
        let s = served(server::ServeOptions::default()).await;
        let app = &s.app;
        let token = &s.viewer_token;
        // Before any signing there is no checkpoint to serve.
        let none = get_with(app, "/log/checkpoint", token).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.text());
        let signed = s.service.signed_checkpoint().unwrap();
        let key = s.service.verifier_key().unwrap();
        // Nothing without an account.
        let anonymous = send(app, get("/log/checkpoint").body(Body::empty()).unwrap()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let note = get_with(app, "/log/checkpoint", token).await;
        assert_eq!(note.status, StatusCode::OK);
        assert_eq!(note.text(), signed);
        let (_, checkpoint) = pipeline::check_signed_checkpoint(&note.text(), &key).unwrap();
        let size = checkpoint.size;
        assert!(
            size > 1 && size < 256,
            "the example log fits one partial tile: {size}"
        );

        // The leaf hashes of the one partial tile give the signed root, and each is the hash of
        // its entry's data (the digest of a logged blob).
        let tile = get_with(app, &format!("/log/tile/0/000.p/{size}"), token).await;
        assert_eq!(tile.status, StatusCode::OK, "{}", tile.text());
        assert_eq!(tile.body.len() as u64, size * 32);
        let leaves: Vec<[u8; 32]> = tile
            .body
            .chunks(32)
            .map(|c| c.try_into().unwrap())
            .collect();
        assert_eq!(ledger::to_hex(&ledger::root(&leaves)), checkpoint.root);
        let entries = get_with(app, &format!("/log/tile/entries/000.p/{size}"), token).await;
        assert_eq!(entries.body.len() as u64, size * 34);
        for (entry, leaf) in entries.body.chunks(34).zip(&leaves) {
            assert_eq!(&entry[..2], &[0, 32]);
            assert_eq!(ledger::leaf_hash(&entry[2..]), *leaf);
        }
        // A smaller tree's tile is a prefix; tiles the log lacks, and non-tiles, are not found.
        let part = get_with(app, "/log/tile/0/000.p/1", token).await;
        assert_eq!(part.body, tile.body[..32]);
        for missing in [
            format!("/log/tile/0/000.p/{}", size + 1),
            "/log/tile/0/000".to_string(),
            "/log/tile/1/000.p/1".to_string(),
            "/log/tile/0/x000/000".to_string(),
            "/log/tile/../../keys".to_string(),
        ] {
            let answer = get_with(app, &missing, token).await;
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{missing}: {}",
                answer.text()
            );
        }
    });
}
