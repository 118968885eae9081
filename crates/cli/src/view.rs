//! How incidents, claims and documents look to a person reading a terminal.

use model::{CasualtyRange, Claim, DocumentRecord, Incident, IncidentPlace};
use pipeline::{IngestReport, StoredClaim};

use crate::table::Table;

/// "civilian killed 9-10, injured 30+" style summary of casualties.
pub fn casualties(list: &[CasualtyRange]) -> String {
    list.iter()
        .map(CasualtyRange::label)
        .collect::<Vec<_>>()
        .join(", ")
}

fn perpetrators(i: &Incident) -> String {
    i.perpetrators
        .iter()
        .map(model::Perpetrator::label)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn incidents_table(incidents: &[&Incident]) -> String {
    let mut t = Table::new(vec![
        "id",
        "date",
        "place",
        "event",
        "weapons",
        "alleged perpetrator",
        "grade",
        "sources",
    ])
    .limit(2, 30)
    .limit(3, 34)
    .limit(4, 28)
    .limit(5, 28);
    for i in incidents {
        t.row(vec![
            i.id.0.clone(),
            i.period_label(),
            i.places
                .first()
                .map(IncidentPlace::label)
                .unwrap_or_else(|| "(no place)".into()),
            i.sub_event_type.to_string(),
            i.weapons.join(", "),
            perpetrators(i),
            i.grade.to_string(),
            i.n_independent_sources.to_string(),
        ]);
    }
    if t.is_empty() {
        "no incidents match\n".to_string()
    } else {
        t.render()
    }
}

fn speaker(c: &Claim) -> String {
    match &c.speaker {
        None => "(publisher)".to_string(),
        Some(s) => match &s.role {
            Some(role) => format!("{} ({role})", s.name),
            None => s.name.clone(),
        },
    }
}

pub fn incident_detail(
    i: &Incident,
    claims: &[StoredClaim],
    explanation: &pipeline::Explanation,
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{}  {}  {}\n",
        i.id,
        i.period_label(),
        i.sub_event_type
    ));
    let places: Vec<String> = i
        .places
        .iter()
        .map(|p| {
            format!(
                "{} ({:.4}, {:.4}; precision {})",
                p.label(),
                p.lat,
                p.lon,
                p.precision as u8
            )
        })
        .collect();
    let line = |label: &str, value: String| {
        if value.is_empty() {
            String::new()
        } else {
            format!("  {label:<21}{value}\n")
        }
    };
    out.push_str(&line("places", places.join("; ")));
    out.push_str(&line("weapons", i.weapons.join(", ")));
    out.push_str(&line("alleged perpetrator", perpetrators(i)));
    out.push_str(&line(
        "civilian targeting",
        if i.civilian_targeting {
            "alleged".into()
        } else {
            String::new()
        },
    ));
    out.push_str(&line("casualties", casualties(&i.casualties.ranges())));
    out.push_str(&line("grade", i.grade.to_string()));
    for r in &i.grade_reasons {
        let claims: Vec<String> = r.claims.iter().map(|c| c.short()).collect();
        out.push_str(&format!("  {:<21}- {}", "", r.reason));
        if !claims.is_empty() {
            out.push_str(&format!(" [{}]", claims.join(", ")));
        }
        out.push('\n');
    }
    let origins = |list: &[model::Origin]| {
        list.iter()
            .map(|o| match o.side {
                Some(side) => format!("{} ({side})", o.name),
                None => format!("{} (side unknown)", o.name),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(&line("origins for", origins(&i.origins_for)));
    out.push_str(&line("origins against", origins(&i.origins_against)));
    out.push_str(&line("published by", i.publishers.join(", ")));
    for t in &i.treaty {
        let bound = match t.bound {
            Some(true) => "bound",
            Some(false) => "not bound",
            None => "unknown",
        };
        out.push_str(&line(
            "treaty",
            format!(
                "{} ({}): {bound} by the {} on the day ({})",
                t.party.name(),
                t.party,
                t.treaty.title(),
                t.reason
            ),
        ));
    }
    out.push_str(&line(
        "decisions",
        i.decisions
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
            + if i.decisions.is_empty() {
                ""
            } else {
                "  (`ombud history` shows them)"
            },
    ));
    if !i.aliases.is_empty() {
        out.push_str(&line(
            "also known as",
            i.aliases
                .iter()
                .map(|a| a.0.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    out.push_str(&format!("\n  {} claim(s):\n", claims.len()));
    for c in claims {
        out.push_str(&format!(
            "\n  [{}] {} · {} · {}\n      document sha256 {}\n      {} {}\n      \"{}\"\n",
            c.id.short(),
            c.publisher.as_deref().unwrap_or("unknown publisher"),
            c.published
                .map(|d| d.to_string())
                .unwrap_or_else(|| "undated".into()),
            c.origin,
            match &c.copy_of {
                Some(o) => format!(
                    "{}\n      copy of {} ({}): it adds no independent source",
                    c.id.document,
                    o.get(..12).unwrap_or(o),
                    c.original_publisher
                        .as_deref()
                        .unwrap_or("unknown publisher")
                ),
                None => c.id.document.clone(),
            },
            speaker(&c.claim),
            c.claim.stance,
            c.quote.split_whitespace().collect::<Vec<_>>().join(" "),
        ));
        if let Some(m) = explanation.members.iter().find(|m| m.claim == c.id) {
            out.push_str(&format!("      in it: {}\n", m.why));
        }
    }
    if !explanation.kept_out.is_empty() {
        out.push_str("\n  nearest claims kept out:\n");
        for k in &explanation.kept_out {
            out.push_str(&format!(
                "    [{}] {}: {}\n",
                k.claim.short(),
                k.incident
                    .as_ref()
                    .map(|i| format!("in {i}"))
                    .unwrap_or_else(|| "in no incident".into()),
                k.why
            ));
        }
    }
    out
}

pub fn claims_table(claims: &[&StoredClaim]) -> String {
    let mut t = Table::new(vec![
        "claim",
        "date",
        "publisher",
        "speaker",
        "stance",
        "event",
        "places",
        "quote",
    ]);
    for c in claims {
        t.row(vec![
            c.id.short(),
            c.claim
                .date
                .as_ref()
                .map(|d| d.start.to_string())
                .unwrap_or_default(),
            c.publisher.clone().unwrap_or_default(),
            speaker(&c.claim),
            c.claim.stance.to_string(),
            c.claim.sub_event_type.to_string(),
            c.claim
                .places
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            c.quote.split_whitespace().collect::<Vec<_>>().join(" "),
        ]);
    }
    if t.is_empty() {
        "no claims match\n".to_string()
    } else {
        t.render()
    }
}

pub fn documents_table(docs: &[DocumentRecord]) -> String {
    let mut t = Table::new(vec![
        "sha256",
        "published",
        "publisher",
        "lang",
        "claims",
        "status",
        "origin",
        "copy of",
    ]);
    for d in docs {
        t.row(vec![
            d.sha256.get(..12).unwrap_or(&d.sha256).to_string(),
            d.meta.published.map(|p| p.to_string()).unwrap_or_default(),
            d.meta.publisher.clone().unwrap_or_default(),
            d.meta.language.clone().unwrap_or_default(),
            d.n_claims.to_string(),
            d.status.as_str().to_string(),
            d.origin.clone(),
            d.copy_of
                .as_deref()
                .map(|c| c.get(..12).unwrap_or(c).to_string())
                .unwrap_or_default(),
        ]);
    }
    if t.is_empty() {
        "no documents\n".to_string()
    } else {
        t.render()
    }
}

pub fn ingest_summary(r: &IngestReport) -> String {
    let mut out = format!(
        "{} input(s): {} new document(s), {} duplicate(s), {} rejected; {} claim(s); {} incident(s) in the store",
        r.inputs,
        r.new,
        r.duplicate,
        r.rejected.len(),
        r.claims,
        r.incidents
    );
    if r.not_extracted > 0 {
        out.push_str(&format!(
            "; {} document(s) archived but not extracted (language)",
            r.not_extracted
        ));
    }
    out.push('\n');
    for rej in &r.rejected {
        out.push_str(&format!("  rejected: {}\n", rej.reason));
    }
    out
}

/// The inputs ingest refused whole, as `documents --rejected` lists them.
pub fn rejected_table(held: &[pipeline::Quarantined]) -> String {
    let mut t = Table::new(vec!["sha256", "bytes", "refused at", "origin", "why"]).limit(4, 72);
    for q in held {
        t.row(vec![
            q.sha256.get(..12).unwrap_or(&q.sha256).to_string(),
            q.bytes.to_string(),
            q.at.clone(),
            q.origin.clone(),
            q.reasons.first().cloned().unwrap_or_default(),
        ]);
    }
    if t.is_empty() {
        "no refused inputs in quarantine\n".to_string()
    } else {
        t.render()
    }
}
