//! The pages: incidents (filters, map, timeline, table, exports), an incident (grade and
//! reasons, every field with the words behind it, claims by stance, copies under their
//! original, decisions, review forms), a document (its text with every span marked, its proof),
//! sign-in, the review queue and upload. Rendered on the server from the façade's view models;
//! the page script (`assets/ombud.js`) adds the map, the timeline, proofs and uploads.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use model::{Claim, Incident, Stance};
use pipeline::marks::{self, Mark};
use pipeline::{CORRECTABLE, Role, SignedIn, StoredClaim};

use crate::AppState;
use crate::api::{self, ReviewRequest};
use crate::auth;
use crate::error::{ApiError, PageError};
use crate::filters::{FilterParams, encode};
use crate::html::{Page, esc};

type PageResult = Result<Response, PageError>;

fn html(body: String) -> PageResult {
    Ok(Html(body).into_response())
}

const GRADES: [&str; 5] = ["confirmed", "fair", "weak", "contested", "discounted"];

fn incident_row(i: &Incident) -> String {
    let place = i
        .places
        .first()
        .map(model::IncidentPlace::label)
        .unwrap_or_else(|| "(no place)".into());
    let perpetrators: Vec<String> = i.perpetrators.iter().map(|p| p.label()).collect();
    format!(
        "<tr><td><a href=\"/incidents/{id}\">{ide}</a></td><td>{date}</td><td>{place}</td><td>{event}</td>\
         <td>{weapons}</td><td>{perp}</td><td><span class=\"grade {grade}\">{grade}</span></td>\
         <td class=\"num\">{sources}</td><td>{harm}</td></tr>",
        id = encode(&i.id.0),
        ide = esc(&i.id.0),
        date = esc(&i.period_label()),
        place = esc(&place),
        event = esc(&i.sub_event_type.to_string()),
        weapons = esc(&i.weapons.join(", ")),
        perp = esc(&perpetrators.join(", ")),
        grade = i.grade,
        sources = i.n_independent_sources,
        harm = esc(&i
            .casualties
            .ranges()
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>()
            .join(", ")),
    )
}

fn filter_form(p: &FilterParams) -> String {
    let field = |name: &str, label: &str, kind: &str, hint: &str| {
        format!(
            "<label>{label}<input type=\"{kind}\" name=\"{name}\" value=\"{}\" placeholder=\"{hint}\"></label>",
            esc(p.value(name))
        )
    };
    let grade_options: String = std::iter::once(("", "any grade"))
        .chain(GRADES.iter().map(|g| (*g, *g)))
        .map(|(v, l)| {
            let sel = if p.value("grade") == v {
                " selected"
            } else {
                ""
            };
            format!("<option value=\"{v}\"{sel}>{l}</option>")
        })
        .collect();
    format!(
        "<form class=\"filters\" method=\"get\" action=\"/\">{}{}{}{}{}{}<label>Grade<select name=\"grade\">{grade_options}</select></label>{}\
         <button type=\"submit\">Filter</button> <a href=\"/\">Clear</a></form>",
        field("since", "From", "date", ""),
        field("until", "To", "date", ""),
        field("place", "Place", "text", "Barda"),
        field("weapon", "Weapon", "text", "cluster"),
        field("type", "Event type", "text", "shelling"),
        field("actor", "Alleged perpetrator", "text", "AM, Armenian"),
        field("q", "Text", "search", "words anywhere"),
    )
}

/// `/`: the selection with its map, timeline, table, pages and exports.
pub(crate) async fn incidents(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<FilterParams>,
) -> PageResult {
    let who = auth::reader(&state, &headers).await?;
    let (items, next) = api::incident_page(&state, &params).await?;
    let qs = params.query_string();
    let amp = if qs.is_empty() { "" } else { "&" };
    let counts = state.service.counts().await?;
    let rows: String = items.iter().map(incident_row).collect();
    let table = if items.is_empty() {
        "<p class=\"empty\">No incidents match these filters.</p>".to_string()
    } else {
        format!(
            "<table class=\"incidents\"><thead><tr><th>Id</th><th>Date</th><th>Place</th><th>Event</th><th>Weapons</th>\
             <th>Alleged perpetrator</th><th>Grade</th><th>Sources</th><th>Harm</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    let more = match next {
        Some(c) => format!(
            "<a class=\"next\" href=\"/?{qs}{amp}cursor={}\">Next page →</a>",
            encode(&c)
        ),
        None => String::new(),
    };
    let first = if params.cursor.as_deref().is_some_and(|c| !c.is_empty()) {
        format!("<a href=\"/?{qs}\">← First page</a> ")
    } else {
        String::new()
    };
    let tiles = state.options.tiles.as_deref().unwrap_or("");
    let exports = ["csv", "geojson", "jsonl"]
        .iter()
        .map(|f| {
            format!(
                "<a href=\"/api/v1/export/{f}?{qs}\" download>{}</a>",
                f.to_uppercase()
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let body = format!(
        "<h1>Incidents</h1><p class=\"counts\">{} incidents from {} documents, {} claims.</p>{}\
         <section class=\"views\" data-query=\"{q}\" data-tiles=\"{tiles}\">\
         <div id=\"map\" class=\"map\" aria-label=\"map of the selection\"><noscript>The map needs JavaScript.</noscript></div>\
         <div class=\"map-tools\">Colour by <select id=\"colour\"><option value=\"grade\">grade</option><option value=\"type\">event type</option></select> <span id=\"map-status\"></span></div>\
         <div id=\"timeline\" class=\"timeline\" aria-label=\"incidents per day; drag over a period to filter\"></div></section>\
         <p class=\"exports\">Export the whole selection: {exports}</p>{table}<p class=\"pages\">{first}{more}</p>",
        counts.incidents,
        counts.documents,
        counts.claims,
        filter_form(&params),
        q = esc(&qs),
        tiles = esc(tiles),
    );
    let mut page = Page::new("Incidents", who.as_ref()).class("wide");
    if crate::assets::has_map_library() {
        page = page
            .style(crate::assets::LEAFLET_CSS)
            .script(crate::assets::LEAFLET_JS)
            .script(crate::assets::TOPOJSON_JS);
    }
    html(page.script("/assets/ombud.js").section(&body).render())
}

/// The claim's sentence with the words behind each field marked, each mark a link to the
/// same words in the archived document.
fn quote_with_marks(c: &StoredClaim) -> String {
    let start = c.claim.sentence.start;
    let end = start + c.quote.len();
    let shifted: Vec<Mark> = marks::marks(&[&c.claim])
        .into_iter()
        .filter(|m| m.span.start >= start && m.span.end <= end)
        .map(|mut m| {
            m.span = model::Span::new(m.span.start - start, m.span.end - start);
            m
        })
        .collect();
    let doc = encode(&c.id.document);
    let open = |m: &Mark| {
        format!(
            "<a class=\"mark {}\" href=\"/documents/{doc}#at-{}-{}\" title=\"{}\">",
            m.field.as_str(),
            m.span.start + start,
            m.span.end + start,
            esc(m.label.split_once(':').map_or(&m.label, |(_, l)| l))
        )
    };
    let close = |_: &Mark| "</a>".to_string();
    marks::render(&c.quote, &shifted, &open, &close, &|s: &str| esc(s))
}

fn speaker(c: &Claim) -> String {
    match &c.speaker {
        None => "the publisher".to_string(),
        Some(s) => match &s.role {
            Some(role) => format!("{} ({role})", s.name),
            None => s.name.clone(),
        },
    }
}

fn claim_card(
    c: &StoredClaim,
    n: usize,
    why: Option<&str>,
    who: Option<&SignedIn>,
    incident: &str,
) -> String {
    let date = c
        .claim
        .date
        .as_ref()
        .map(|d| {
            if d.start == d.end {
                d.start.to_string()
            } else {
                format!("{}..{}", d.start, d.end)
            }
        })
        .unwrap_or_else(|| "undated".into());
    let published = c
        .published
        .map(|d| d.to_string())
        .unwrap_or_else(|| "no date".into());
    let copy = match (&c.copy_of, &c.original_publisher) {
        (Some(orig), p) => format!(
            "<p class=\"copy\">A copy of <a href=\"/documents/{}\">{}</a>{}: it adds no independent source.</p>",
            encode(orig),
            esc(&orig[..orig.len().min(12)]),
            p.as_ref()
                .map(|p| format!(" ({})", esc(p)))
                .unwrap_or_default()
        ),
        _ => String::new(),
    };
    let why = why
        .map(|w| format!("<p class=\"why\">In it: {}</p>", esc(w)))
        .unwrap_or_default();
    let review = match who {
        Some(w) if w.role >= Role::Reviewer => {
            let fields: String = CORRECTABLE
                .iter()
                .flat_map(|(f, _)| f.split(", "))
                .map(|f| format!("<option>{}</option>", esc(f)))
                .collect();
            format!(
                "<details class=\"review no-print\"><summary>Review this claim</summary>\
                 <form method=\"post\" action=\"/review/reject\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <input type=\"hidden\" name=\"claim\" value=\"{id}\"><input type=\"hidden\" name=\"incident\" value=\"{inc}\">\
                 <label>Note<input name=\"note\" required placeholder=\"why it is not a claim of this event\"></label>\
                 <button type=\"submit\">Reject</button></form>\
                 <form method=\"post\" action=\"/review/correct\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <input type=\"hidden\" name=\"claim\" value=\"{id}\"><input type=\"hidden\" name=\"incident\" value=\"{inc}\">\
                 <label>Field<select name=\"field\">{fields}</select></label><label>Value<input name=\"value\" required></label>\
                 <label>Note<input name=\"note\" required placeholder=\"the source of the correction\"></label>\
                 <button type=\"submit\">Correct</button></form></details>",
                csrf = esc(&w.csrf),
                id = esc(&c.id.to_string()),
                inc = esc(incident),
            )
        }
        _ => String::new(),
    };
    format!(
        "<article class=\"claim\" id=\"claim-{n}\"><header><span class=\"n\">{n}</span> <strong>{speaker}</strong> {stance} · \
         {origin} · {publisher}, published {published} · event {date}</header>\
         <blockquote>{quote}</blockquote>{copy}{why}<p class=\"claim-id\">{tick}<code>{ids}</code> · <a href=\"/documents/{doc}\">the document</a></p>{review}</article>",
        speaker = esc(&speaker(&c.claim)),
        stance = c.claim.stance,
        origin = esc(&c.origin),
        publisher = esc(c.publisher.as_deref().unwrap_or("unknown publisher")),
        quote = quote_with_marks(c),
        ids = esc(&c.id.short()),
        doc = encode(&c.id.document),
        tick = if who.is_some_and(|w| w.role >= Role::Reviewer) {
            format!(
                "<label class=\"no-print\"><input type=\"checkbox\" form=\"split\" name=\"claims\" value=\"{}\"> </label>",
                esc(&c.id.to_string())
            )
        } else {
            String::new()
        },
    )
}

/// The copies of a document, one line per copy: who republished it and when.
fn copies_list(claims: &[&StoredClaim]) -> String {
    let mut docs: Vec<(&str, String)> = claims
        .iter()
        .map(|c| {
            (
                c.id.document.as_str(),
                format!(
                    "{}, published {}",
                    c.publisher.as_deref().unwrap_or("unknown publisher"),
                    c.published.map_or("no date".to_string(), |d| d.to_string())
                ),
            )
        })
        .collect();
    docs.sort();
    docs.dedup();
    let items: String = docs
        .iter()
        .map(|(doc, who)| {
            format!(
                "<li><a href=\"/documents/{}\">{}</a></li>",
                encode(doc),
                esc(who)
            )
        })
        .collect();
    format!(
        "<div class=\"copies\"><p>Republished as copies of the report above ({n}): they add no independent source.</p><ul>{items}</ul></div>",
        n = docs.len()
    )
}

fn stance_heading(s: Stance) -> &'static str {
    match s {
        Stance::Alleges => "Alleges",
        Stance::Confirms => "Confirms",
        Stance::Denies => "Denies",
        Stance::Reports => "Reports",
        Stance::Hedged => "Hedged",
    }
}

/// `/incidents/{id}`.
pub(crate) async fn incident(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let who = auth::reader(&state, &headers).await?;
    let detail = state.service.incident(&id).await?;
    if detail.alias.is_some() {
        return Ok(
            Redirect::to(&format!("/incidents/{}", encode(&detail.incident.id.0))).into_response(),
        );
    }
    let explanation = state.service.explain(&detail).await?;
    let history = state.service.history(&detail.incident.id.0).await?;
    let i = &detail.incident;
    // Claims are numbered in the order shown; reasons link to those numbers.
    let mut ordered: Vec<&StoredClaim> = detail.claims.iter().collect();
    ordered.sort_by_key(|c| {
        (
            stance_order(c.claim.stance),
            c.copy_of.is_some(),
            c.published,
            c.id.to_string(),
        )
    });
    // A copy of a document whose own claims are here is listed under its original's first claim
    // (it adds no independent source); a copy whose original is elsewhere is shown as a claim.
    let here: std::collections::HashSet<&str> = ordered
        .iter()
        .filter(|c| c.copy_of.is_none())
        .map(|c| c.id.document.as_str())
        .collect();
    let (copies, ordered): (Vec<&StoredClaim>, Vec<&StoredClaim>) = ordered
        .into_iter()
        .partition(|c| c.copy_of.as_deref().is_some_and(|o| here.contains(o)));
    let mut number: BTreeMap<String, usize> = ordered
        .iter()
        .enumerate()
        .map(|(n, c)| (c.id.to_string(), n + 1))
        .collect();
    // The copies of each original document, and the card they are listed under.
    let mut copies_of: BTreeMap<&str, Vec<&StoredClaim>> = BTreeMap::new();
    for c in &copies {
        if let Some(o) = c.copy_of.as_deref() {
            copies_of.entry(o).or_default().push(c);
        }
    }
    let mut listed_under: BTreeMap<&str, usize> = BTreeMap::new();
    for (n, c) in ordered.iter().enumerate() {
        listed_under.entry(c.id.document.as_str()).or_insert(n + 1);
    }
    for c in &copies {
        if let Some(n) = c.copy_of.as_deref().and_then(|o| listed_under.get(o)) {
            number.insert(c.id.to_string(), *n);
        }
    }
    let link = |ids: &[model::ClaimId]| -> String {
        ids.iter()
            .filter_map(|c| number.get(&c.to_string()))
            .map(|n| format!("<a href=\"#claim-{n}\">{n}</a>"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reasons: String = i
        .grade_reasons
        .iter()
        .map(|r| {
            let claims = link(&r.claims);
            let claims = if claims.is_empty() {
                String::new()
            } else {
                format!(" (claims {claims})")
            };
            format!("<li>{}{claims}</li>", esc(&r.reason))
        })
        .collect();
    let list = |items: Vec<String>| -> String {
        if items.is_empty() {
            "<span class=\"none\">none reported</span>".to_string()
        } else {
            items.iter().map(|s| esc(s)).collect::<Vec<_>>().join(", ")
        }
    };
    let treaty: Vec<String> = i
        .treaty
        .iter()
        .map(|t| format!("{} ({}): {}", t.treaty.as_str(), t.party, t.reason))
        .collect();
    let facts = format!(
        "<dl class=\"facts\"><dt>Date</dt><dd>{date}</dd><dt>Event</dt><dd>{event} ({etype})</dd>\
         <dt>Places</dt><dd>{places}</dd><dt>Weapons</dt><dd>{weapons}</dd><dt>Alleged perpetrators</dt><dd>{perps}</dd>\
         <dt>Harm to people</dt><dd>{harm}</dd><dt>Treaties</dt><dd>{treaty}</dd>\
         <dt>Sources</dt><dd>{n} independent; {docs} documents, {claims} claims</dd></dl>",
        date = esc(&i.period_label()),
        event = esc(&i.sub_event_type.to_string()),
        etype = esc(&i.event_type.to_string()),
        places = list(i.places.iter().map(|p| p.label()).collect()),
        weapons = list(i.weapons.clone()),
        perps = list(i.perpetrators.iter().map(|p| p.label()).collect()),
        harm = list(i.casualties.ranges().iter().map(|c| c.label()).collect()),
        treaty = list(treaty),
        n = i.n_independent_sources,
        docs = i.n_documents,
        claims = i.n_claims,
    );
    let why: BTreeMap<String, &str> = explanation
        .members
        .iter()
        .map(|m| (m.claim.to_string(), m.why.as_str()))
        .collect();
    let mut claims_html = String::new();
    let mut current: Option<Stance> = None;
    for (n, c) in ordered.iter().enumerate() {
        if current != Some(c.claim.stance) {
            if current.is_some() {
                claims_html.push_str("</section>");
            }
            current = Some(c.claim.stance);
            claims_html.push_str(&format!(
                "<section class=\"stance\"><h3>{}</h3>",
                stance_heading(c.claim.stance)
            ));
        }
        claims_html.push_str(&claim_card(
            c,
            n + 1,
            why.get(&c.id.to_string()).copied(),
            who.as_ref(),
            &i.id.0,
        ));
        if listed_under.get(c.id.document.as_str()) == Some(&(n + 1))
            && let Some(list) = copies_of.get(c.id.document.as_str())
        {
            claims_html.push_str(&copies_list(list));
        }
    }
    if current.is_some() {
        claims_html.push_str("</section>");
    }
    let kept_out: String = explanation
        .kept_out
        .iter()
        .map(|k| {
            let inc = k
                .incident
                .as_ref()
                .map(|x| {
                    format!(
                        " (in <a href=\"/incidents/{}\">{}</a>)",
                        encode(&x.0),
                        esc(&x.0)
                    )
                })
                .unwrap_or_default();
            format!(
                "<li><code>{}</code>{inc}: {}</li>",
                esc(&k.claim.short()),
                esc(&k.why)
            )
        })
        .collect();
    let kept_out = if kept_out.is_empty() {
        String::new()
    } else {
        format!(
            "<section class=\"kept-out\"><h2>Nearest claims kept out</h2><ul>{kept_out}</ul></section>"
        )
    };
    let decisions: String = history
        .iter()
        .map(|d| {
            format!(
                "<li><strong>{}</strong> {} <span class=\"by\">by {} at {}</span>: {}{}</li>",
                d.id,
                esc(&d.action.describe()),
                esc(&d.reviewer),
                esc(&d.at),
                esc(&d.note),
                d.leaf
                    .as_ref()
                    .map(|l| format!(
                        " <code title=\"its leaf in the log\">{}</code>",
                        esc(&l[..l.len().min(16)])
                    ))
                    .unwrap_or_default()
            )
        })
        .collect();
    let decisions = if decisions.is_empty() {
        "<p class=\"none\">No one has decided anything about this incident: it shows the machine's reading.</p>".to_string()
    } else {
        format!("<ol class=\"history\">{decisions}</ol>")
    };
    let review = match &who {
        Some(w) if w.role >= Role::Reviewer => review_forms(w, &i.id.0),
        _ => String::new(),
    };
    let aliases = if i.aliases.is_empty() {
        String::new()
    } else {
        format!(
            "<p class=\"aliases\">Also known as {}</p>",
            esc(&i
                .aliases
                .iter()
                .map(|a| a.0.as_str())
                .collect::<Vec<_>>()
                .join(", "))
        )
    };
    let body = format!(
        "<p class=\"no-print\"><a href=\"/\">← Incidents</a> · <button type=\"button\" class=\"link\" data-print>Print</button> · \
         <a href=\"/api/v1/incidents/{ide}\">JSON</a></p>\
         <h1>{title}</h1><p class=\"id\"><code>{id}</code></p>{aliases}\
         <section class=\"grade-box\"><span class=\"grade {grade}\">{grade}</span><ul class=\"reasons\">{reasons}</ul></section>{facts}\
         <h2>Claims</h2><p class=\"hint no-print\">Each highlighted word is what a field was read from: click it to see it in the archived document.</p>\
         {claims_html}{kept_out}<h2>Decisions</h2>{decisions}{review}",
        ide = encode(&i.id.0),
        title = esc(&format!(
            "{} in {}, {}",
            i.sub_event_type,
            i.places
                .first()
                .map(|p| p.label())
                .unwrap_or_else(|| "an unknown place".into()),
            i.period_label()
        )),
        id = esc(&i.id.0),
        grade = i.grade,
    );
    html(
        Page::new(&format!("Incident {}", i.id.0), who.as_ref())
            .script("/assets/ombud.js")
            .section(&body)
            .render(),
    )
}

fn stance_order(s: Stance) -> u8 {
    match s {
        Stance::Alleges => 0,
        Stance::Confirms => 1,
        Stance::Denies => 2,
        Stance::Reports => 3,
        Stance::Hedged => 4,
    }
}

fn review_forms(w: &SignedIn, id: &str) -> String {
    let csrf = esc(&w.csrf);
    let id = esc(id);
    let grades: String = GRADES
        .iter()
        .map(|g| format!("<option>{g}</option>"))
        .collect();
    format!(
        "<section class=\"review no-print\"><h2>Review</h2>\
         <form method=\"post\" action=\"/review/grade\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"incident\" value=\"{id}\">\
         <label>Grade<select name=\"grade\">{grades}</select></label><label>Note<input name=\"note\" required placeholder=\"why this grade\"></label><button type=\"submit\">Set grade</button></form>\
         <form method=\"post\" action=\"/review/merge\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"incident\" value=\"{id}\">\
         <label>Merge with<input name=\"incidents\" required placeholder=\"another incident's id\"></label><label>Note<input name=\"note\" required placeholder=\"why they are one event\"></label><button type=\"submit\">Merge</button></form>\
         <form method=\"post\" action=\"/review/split\" id=\"split\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"incident\" value=\"{id}\">\
         <p>Tick the claims above that belong to another event, then</p><label>Note<input name=\"note\" required placeholder=\"why they are another event\"></label><button type=\"submit\">Split them out</button></form>\
         </section>"
    )
}

/// `POST /review/{action}` from a page's form: the decision, then back to the incident.
pub(crate) async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(action): Path<String>,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> PageResult {
    let Form(pairs) = form.map_err(|e| ApiError::bad_request("malformed_form", e.body_text()))?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let csrf = get("csrf");
    let who = auth::writer(&state, &headers, Role::Reviewer, csrf.as_deref()).await?;
    let request = ReviewRequest {
        incidents: pairs
            .iter()
            .filter(|(k, _)| k == "incidents")
            .map(|(_, v)| v.clone())
            .collect(),
        incident: get("incident"),
        claims: pairs
            .iter()
            .filter(|(k, _)| k == "claims")
            .map(|(_, v)| v.clone())
            .collect(),
        claim: get("claim"),
        grade: get("grade"),
        field: get("field"),
        value: get("value"),
        decision: get("decision"),
        note: get("note").unwrap_or_default(),
    };
    let (_, now) = api::decide(&state, &who, &action, &request).await?;
    let to = match now {
        Some(id) => format!("/incidents/{}", encode(&id)),
        None => "/review".to_string(),
    };
    Ok(Redirect::to(&to).into_response())
}

/// `/documents/{sha}`: the archived text with every extracted span marked.
pub(crate) async fn document(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> PageResult {
    let who = auth::reader(&state, &headers).await?;
    let doc = state.service.document(&sha).await?;
    let claims = state.service.document_claims(&doc.sha256).await?;
    let refs: Vec<&Claim> = claims.iter().map(|c| &c.claim).collect();
    let found = marks::marks(&refs);
    let text = doc.text.clone().unwrap_or_default();
    let open = |m: &Mark| {
        format!(
            "<mark class=\"{}\" id=\"at-{}-{}\" title=\"{}\">",
            m.field.as_str(),
            m.span.start,
            m.span.end,
            esc(&m.label)
        )
    };
    let marked = marks::render(
        &text,
        &found,
        &open,
        &|_: &Mark| "</mark>".into(),
        &|s: &str| esc(s),
    );
    let meta = &doc.meta;
    let row = |k: &str, v: String| format!("<dt>{k}</dt><dd>{}</dd>", esc(&v));
    let incidents: Vec<String> = {
        let mut ids: Vec<String> = claims
            .iter()
            .filter_map(|c| c.incident.as_ref().map(|i| i.0.clone()))
            .collect();
        ids.sort();
        ids.dedup();
        ids.iter()
            .map(|i| format!("<a href=\"/incidents/{}\">{}</a>", encode(i), esc(i)))
            .collect()
    };
    let body = format!(
        "<p class=\"no-print\"><a href=\"/\">← Incidents</a></p><h1>{title}</h1>\
         <dl class=\"facts\">{}{}{}{}{}{}{}{}{}<dt>Incidents</dt><dd>{incs}</dd></dl>\
         <p><a href=\"/documents/{sha}/original\" download>Download the original bytes</a> · <a href=\"/api/v1/documents/{sha}\">JSON</a></p>\
         <section class=\"proof\" data-proof=\"/api/v1/documents/{sha}/proof\"><button type=\"button\" class=\"no-print\">Check its inclusion proof against the log</button><pre></pre></section>\
         <h2>Text</h2><p class=\"hint\">Marked: the words each claim's fields were read from ({n} claims).</p><div class=\"doc-text\">{marked}</div>",
        row("SHA-256", doc.sha256.clone()),
        row(
            "Publisher",
            meta.publisher.clone().unwrap_or_else(|| "unknown".into())
        ),
        row(
            "Published",
            meta.published
                .map(|d| d.to_string())
                .unwrap_or_else(|| "no date".into())
        ),
        row("URL", meta.url.clone().unwrap_or_default()),
        row("Origin", doc.origin.clone()),
        row("Retrieved", doc.retrieved_at.clone()),
        row(
            "Collected by",
            doc.collected_by
                .clone()
                .unwrap_or_else(|| "not recorded (stored before ombud recorded it)".into())
        ),
        row("Format", format!("{} ({} bytes)", doc.format, doc.size)),
        row(
            "Copy of",
            doc.copy_of
                .clone()
                .unwrap_or_else(|| "none: an original".into())
        ),
        title = esc(meta.title.as_deref().unwrap_or("Document")),
        incs = if incidents.is_empty() {
            "none".into()
        } else {
            incidents.join(", ")
        },
        sha = encode(&doc.sha256),
        n = claims.len(),
    );
    html(
        Page::new(meta.title.as_deref().unwrap_or("Document"), who.as_ref())
            .script("/assets/ombud.js")
            .section(&body)
            .render(),
    )
}

/// The cookie a sign-in form's anti-forgery value travels in before there is a session.
const LOGIN_COOKIE: &str = "ombud_login";

/// A page that sends a visitor to sign in names itself as the place to come back to:
/// `/login?next=/incidents/ID`.
pub(crate) async fn come_back_after_sign_in(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let asked = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let get = request.method() == axum::http::Method::GET;
    let mut response = next.run(request).await;
    let to_login = response
        .headers()
        .get(header::LOCATION)
        .is_some_and(|l| l == "/login");
    if get
        && to_login
        && asked != "/"
        && let Ok(v) = axum::http::HeaderValue::from_str(&format!("/login?next={}", encode(&asked)))
    {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// Where to go after signing in: a path of this site, never another site.
fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/login")
        && !next.contains('\\');
    if ok { next } else { "/" }
}

fn login_page(csrf: &str, next: &str, message: Option<&str>) -> String {
    let message = message
        .map(|m| format!("<p class=\"error\">{}</p>", esc(m)))
        .unwrap_or_default();
    Page::new("Sign in", None)
        .section(&format!(
            "<h1>Sign in</h1>{message}<form method=\"post\" action=\"/login\" class=\"login\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"next\" value=\"{}\">\
             <label>Account<input name=\"name\" autocomplete=\"username\" required autofocus></label>\
             <label>Password<input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\
             <button type=\"submit\">Sign in</button></form>\
             <p class=\"hint\">An admin adds accounts with <code>ombud user add NAME --role viewer|reviewer|admin</code>.</p>",
            esc(csrf),
            esc(safe_next(next))
        ))
        .render()
}

fn with_login_cookie(
    state: &AppState,
    headers: &HeaderMap,
    next: &str,
    message: Option<&str>,
) -> PageResult {
    let csrf = pipeline::random_hex(32)?;
    let mut cookie =
        format!("{LOGIN_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
    if auth::secure(state, headers) {
        cookie.push_str("; Secure");
    }
    let status = if message.is_some() {
        axum::http::StatusCode::UNAUTHORIZED
    } else {
        axum::http::StatusCode::OK
    };
    Ok((
        status,
        [(header::SET_COOKIE, cookie)],
        Html(login_page(&csrf, next, message)),
    )
        .into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct LoginQuery {
    #[serde(default)]
    next: String,
}

pub(crate) async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> PageResult {
    with_login_cookie(&state, &headers, &q.next, None)
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`: checks the password (slowly, and only a few times in five minutes for a
/// name or a client) and sets the session cookie.
pub(crate) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    connect: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> PageResult {
    let Form(form) = form.map_err(|e| ApiError::bad_request("malformed_form", e.body_text()))?;
    let expected = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != form.csrf {
        return with_login_cookie(
            &state,
            &headers,
            &form.next,
            Some("The sign-in form was stale: try again."),
        );
    }
    let mut keys = vec![format!("name:{}", form.name.to_lowercase())];
    if let Some(axum::Extension(axum::extract::ConnectInfo(addr))) = connect {
        keys.push(format!("ip:{}", addr.ip()));
    }
    let now = std::time::Instant::now();
    if let Some(wait) = state.limiter.wait(&keys, now) {
        let message = format!(
            "Too many failed sign-ins: try again in {} seconds.",
            wait.as_secs().max(1)
        );
        let mut r = with_login_cookie(&state, &headers, &form.next, Some(&message))?;
        *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
        return Ok(r);
    }
    match state
        .service
        .sign_in(form.name.trim(), &form.password, jiff::Timestamp::now())
        .await?
    {
        Some(session) => {
            state.limiter.succeeded(&keys);
            let cookie = auth::session_cookie(
                &session.token,
                auth::secure(&state, &headers),
                Some(pipeline::SESSION_HOURS * 3600),
            );
            let clear = format!("{LOGIN_COOKIE}=; Path=/login; Max-Age=0");
            let mut r = Redirect::to("/").into_response();
            r.headers_mut()
                .append(header::SET_COOKIE, header_value(&cookie)?);
            r.headers_mut()
                .append(header::SET_COOKIE, header_value(&clear)?);
            Ok(r)
        }
        None => {
            state.limiter.failed(&keys, now);
            with_login_cookie(
                &state,
                &headers,
                &form.next,
                Some("Wrong account name or password."),
            )
        }
    }
}

fn header_value(s: &str) -> Result<axum::http::HeaderValue, PageError> {
    axum::http::HeaderValue::from_str(s)
        .map_err(|e| PageError(ApiError::bad_request("bad_header", e.to_string())))
}

/// `POST /logout`: ends the session (its anti-forgery token required, so no other site can
/// sign a person out).
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> PageResult {
    let Form(pairs) = form.map_err(|e| ApiError::bad_request("malformed_form", e.body_text()))?;
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    auth::writer(&state, &headers, Role::Viewer, csrf).await?;
    if let Some(token) = auth::cookie(&headers, auth::COOKIE) {
        state
            .service
            .sign_out(&token, jiff::Timestamp::now())
            .await?;
    }
    let cookie = auth::session_cookie("", auth::secure(&state, &headers), None);
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, header_value(&cookie)?);
    Ok(r)
}

/// `/review`: the incidents that need a person first: contested ones, then single-source ones
/// that many claims rest on.
pub(crate) async fn review_queue(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let who = auth::who(&state, &headers)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if who.role < Role::Reviewer {
        return Err(PageError(ApiError::forbidden(
            "the review queue is for reviewers",
        )));
    }
    let page = pipeline::Page {
        limit: Some(100),
        after: None,
    };
    let contested = state
        .service
        .incidents(
            &pipeline::IncidentFilter {
                grade: Some(model::Grade::Contested),
                ..Default::default()
            },
            &page,
        )
        .await?;
    let weak: Vec<Incident> = state
        .service
        .incidents(
            &pipeline::IncidentFilter {
                grade: Some(model::Grade::Weak),
                ..Default::default()
            },
            &pipeline::Page {
                limit: Some(1000),
                after: None,
            },
        )
        .await?
        .into_iter()
        .filter(|i| i.n_claims >= 3)
        .take(100)
        .collect();
    let table = |list: &[Incident], why: &str| -> String {
        if list.is_empty() {
            return format!("<p class=\"empty\">No incidents are {why}.</p>");
        }
        format!(
            "<table class=\"incidents\"><thead><tr><th>Id</th><th>Date</th><th>Place</th><th>Event</th><th>Weapons</th>\
             <th>Alleged perpetrator</th><th>Grade</th><th>Sources</th><th>Harm</th></tr></thead><tbody>{}</tbody></table>",
            list.iter().map(incident_row).collect::<String>()
        )
    };
    let duplicates = state.service.likely_duplicates(50).await?;
    let csrf = esc(&who.csrf);
    let duplicates_html: String = duplicates
        .iter()
        .map(|group| {
            let ids: Vec<&str> = group.iter().map(|i| i.id.0.as_str()).collect();
            format!(
                "{}<form method=\"post\" action=\"/review/merge\" class=\"review\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <input type=\"hidden\" name=\"incident\" value=\"{first}\"><input type=\"hidden\" name=\"incidents\" value=\"{rest}\">\
                 <label>Note<input name=\"note\" required placeholder=\"why they are one event\"></label><button type=\"submit\">Merge these {n}</button></form>",
                table(group, "here"),
                first = esc(ids[0]),
                rest = esc(&ids[1..].join(" ")),
                n = ids.len(),
            )
        })
        .collect();
    let duplicates_html = if duplicates_html.is_empty() {
        "<p class=\"empty\">No two incidents start on the same day at the same place.</p>"
            .to_string()
    } else {
        duplicates_html
    };
    let hedged = state
        .service
        .claims(
            &pipeline::ClaimQuery {
                stance: Some(Stance::Hedged),
                ..Default::default()
            },
            &pipeline::Page {
                limit: Some(50),
                after: None,
            },
        )
        .await?;
    let hedged_html: String = hedged
        .iter()
        .map(|c| {
            let inc = c
                .incident
                .as_ref()
                .map(|i| format!("<a href=\"/incidents/{}\">{}</a>", encode(&i.0), esc(&i.0)))
                .unwrap_or_else(|| "in no incident".into());
            format!(
                "<li>{inc}: <q>{}</q> ({})</li>",
                esc(&c.quote),
                esc(c.publisher.as_deref().unwrap_or("unknown publisher"))
            )
        })
        .collect();
    let hedged_html = if hedged_html.is_empty() {
        "<p class=\"empty\">No hedged claims.</p>".to_string()
    } else {
        format!("<ul class=\"hedged\">{hedged_html}</ul>")
    };
    let body = format!(
        "<h1>Review queue</h1><h2>Contested: denied, or blamed on both sides</h2>{}\
         <h2>Likely duplicates: the same day and place, kept apart</h2>{duplicates_html}\
         <h2>Weak but much reported: one origin, three claims or more</h2>{}\
         <h2>Uncertain: claims the report itself hedges</h2>{hedged_html}",
        table(&contested, "contested"),
        table(&weak, "weak with many claims")
    );
    html(
        Page::new("Review queue", Some(&who))
            .section(&body)
            .render(),
    )
}

/// `/upload`: drop files to ingest them.
pub(crate) async fn upload(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let who = auth::who(&state, &headers)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if who.role < Role::Reviewer {
        return Err(PageError(ApiError::forbidden("uploading is for reviewers")));
    }
    let body = format!(
        "<h1>Upload reports</h1><p>Drop files here (text, HTML, JSON Lines, RSS or Atom feeds, WARC), or choose them. \
         Each is archived under its SHA-256, read and merged into the record, as <code>ombud ingest</code> does. At most {} MB a file.</p>\
         <div id=\"drop\" class=\"drop\" tabindex=\"0\">Drop files here<br><input type=\"file\" id=\"files\" multiple></div>\
         <table class=\"uploads\"><thead><tr><th>File</th><th>Result</th></tr></thead><tbody id=\"upload-results\"></tbody></table>",
        state.options.upload_limit / (1024 * 1024)
    );
    html(
        Page::new("Upload", Some(&who))
            .script("/assets/ombud.js")
            .section(&body)
            .render(),
    )
}
