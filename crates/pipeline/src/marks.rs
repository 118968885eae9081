//! The words behind each field of a set of claims, as labelled spans of their document's text,
//! and the text with those spans marked: shown by `ombud extract --explain` on a terminal and by
//! the server's document and incident pages as highlights.

use model::{Claim, Span};

/// Which field of a claim a span supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Speaker,
    Perpetrator,
    Target,
    Weapon,
    Place,
    Date,
    Casualty,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Speaker => "speaker",
            Field::Perpetrator => "perpetrator",
            Field::Target => "target",
            Field::Weapon => "weapon",
            Field::Place => "place",
            Field::Date => "date",
            Field::Casualty => "casualty",
        }
    }
}

/// One labelled span of the text: the field it supports, of which claim (its index in the list
/// given), and a label saying what was read there ("1:place Barda (40.38, 47.12)").
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub span: Span,
    pub label: String,
    pub field: Field,
    pub claim: usize,
}

/// Every span of `claims` that supports a field, once each.
pub fn marks(claims: &[&Claim]) -> Vec<Mark> {
    let mut out: Vec<Mark> = Vec::new();
    let mut push = |span: Span, label: String, field: Field, claim: usize| {
        if !span.is_empty() && !out.iter().any(|m| m.span == span && m.label == label) {
            out.push(Mark {
                span,
                label,
                field,
                claim,
            });
        }
    };
    for (i, c) in claims.iter().enumerate() {
        let n = i + 1;
        if let Some(s) = &c.speaker {
            push(
                s.span,
                format!("{n}:speaker {} {}", s.name, c.stance),
                Field::Speaker,
                i,
            );
        }
        if let Some(p) = &c.perpetrator {
            let country = p.country.map(|k| format!(" {k}")).unwrap_or_default();
            push(
                p.span,
                format!("{n}:perpetrator{country}"),
                Field::Perpetrator,
                i,
            );
        }
        if let Some(t) = &c.target {
            push(
                t.span,
                format!("{n}:target {:?}", t.kind).to_lowercase(),
                Field::Target,
                i,
            );
        }
        for w in &c.weapons {
            push(
                w.span,
                format!("{n}:weapon {} ({})", w.name, w.category),
                Field::Weapon,
                i,
            );
        }
        for p in &c.places {
            push(
                p.span,
                format!("{n}:place {} ({:.2}, {:.2})", p.name, p.lat, p.lon),
                Field::Place,
                i,
            );
        }
        if let Some(d) = c.date.as_ref()
            && let Some(span) = d.span
        {
            let range = if d.start == d.end {
                d.start.to_string()
            } else {
                format!("{}..{}", d.start, d.end)
            };
            push(span, format!("{n}:date {range}"), Field::Date, i);
        }
        for k in &c.casualties {
            let num = |v: Option<u32>| v.map_or("?".to_string(), |v| v.to_string());
            push(
                k.span,
                format!(
                    "{n}:{} {} {}-{}",
                    k.group.as_str(),
                    k.outcome.as_str(),
                    num(k.min),
                    num(k.max)
                ),
                Field::Casualty,
                i,
            );
        }
    }
    out
}

/// The text with marks inserted: `open` before a mark, `close` after it, `plain` around text
/// between them (to escape it). Nested marks nest; a mark that crosses an open one is left out
/// (its label still says what was read).
pub fn render(
    text: &str,
    marks: &[Mark],
    open: &dyn Fn(&Mark) -> String,
    close: &dyn Fn(&Mark) -> String,
    plain: &dyn Fn(&str) -> String,
) -> String {
    let mut marks: Vec<&Mark> = marks
        .iter()
        .filter(|m| {
            m.span.end <= text.len()
                && text.is_char_boundary(m.span.start)
                && text.is_char_boundary(m.span.end)
        })
        .collect();
    // Outer marks open first and close last.
    marks.sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
    let mut out = String::with_capacity(text.len() * 2);
    let mut stack: Vec<&Mark> = Vec::new();
    let mut pos = 0;
    for m in marks {
        // Close every open mark that ends before this one starts.
        while let Some(top) = stack.last() {
            if top.span.end <= m.span.start {
                out.push_str(&plain(&text[pos..top.span.end]));
                pos = top.span.end;
                out.push_str(&close(top));
                stack.pop();
            } else {
                break;
            }
        }
        if m.span.start < pos || stack.last().is_some_and(|top| m.span.end > top.span.end) {
            continue;
        }
        out.push_str(&plain(&text[pos..m.span.start]));
        pos = m.span.start;
        out.push_str(&open(m));
        stack.push(m);
    }
    while let Some(top) = stack.pop() {
        out.push_str(&plain(&text[pos..top.span.end]));
        pos = top.span.end;
        out.push_str(&close(top));
    }
    out.push_str(&plain(&text[pos..]));
    out
}
