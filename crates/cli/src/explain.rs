//! `ombud extract --explain`: the text with every extracted span marked and labelled, so a
//! person sees why each field is what it is. Colour on a terminal, brackets otherwise.

use model::{Claim, Span};

/// One labelled span of the text.
#[derive(Clone, Debug, PartialEq)]
struct Mark {
    span: Span,
    label: String,
    /// ANSI colour code for the terminal form.
    colour: u8,
}

fn marks(claims: &[Claim]) -> Vec<Mark> {
    let mut out: Vec<Mark> = Vec::new();
    let mut push = |span: Span, label: String, colour: u8| {
        if !span.is_empty() && !out.iter().any(|m| m.span == span && m.label == label) {
            out.push(Mark {
                span,
                label,
                colour,
            });
        }
    };
    for (i, c) in claims.iter().enumerate() {
        let n = i + 1;
        if let Some(s) = &c.speaker {
            push(s.span, format!("{n}:speaker {} {}", s.name, c.stance), 35);
        }
        if let Some(p) = &c.perpetrator {
            let country = p.country.map(|k| format!(" {k}")).unwrap_or_default();
            push(p.span, format!("{n}:perpetrator{country}"), 31);
        }
        if let Some(t) = &c.target {
            push(
                t.span,
                format!("{n}:target {:?}", t.kind).to_lowercase(),
                33,
            );
        }
        for w in &c.weapons {
            push(
                w.span,
                format!("{n}:weapon {} ({})", w.name, w.category),
                36,
            );
        }
        for p in &c.places {
            push(
                p.span,
                format!("{n}:place {} ({:.2}, {:.2})", p.name, p.lat, p.lon),
                32,
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
            push(span, format!("{n}:date {range}"), 34);
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
                91,
            );
        }
    }
    out
}

/// The text with marks inserted. Nested marks nest; marks that cross are shown where they start.
pub fn render(text: &str, claims: &[Claim], colour: bool) -> String {
    let mut marks = marks(claims);
    // Outer marks open first and close last.
    marks.sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
    let mut out = String::with_capacity(text.len() * 2);
    let mut open: Vec<&Mark> = Vec::new();
    let mut pos = 0;
    let close = |out: &mut String, m: &Mark| {
        if colour {
            out.push_str(&format!("\x1b[0m\x1b[2m⟨{}⟩\x1b[0m", m.label));
        } else {
            out.push_str(&format!("]{{{}}}", m.label));
        }
    };
    for m in &marks {
        // Close every open mark that ends before this one starts.
        while let Some(top) = open.last() {
            if top.span.end <= m.span.start {
                out.push_str(&text[pos..top.span.end]);
                pos = top.span.end;
                close(&mut out, top);
                open.pop();
            } else {
                break;
            }
        }
        if m.span.start < pos || open.last().is_some_and(|top| m.span.end > top.span.end) {
            continue; // crosses an open mark; its label still appears in the summary
        }
        out.push_str(&text[pos..m.span.start]);
        pos = m.span.start;
        if colour {
            out.push_str(&format!("\x1b[{}m", m.colour));
        } else {
            out.push('[');
        }
        open.push(m);
    }
    while let Some(top) = open.pop() {
        out.push_str(&text[pos..top.span.end]);
        pos = top.span.end;
        close(&mut out, top);
    }
    out.push_str(&text[pos..]);
    out
}

/// One line per claim: number, stance, type, speaker.
pub fn summary(claims: &[Claim]) -> String {
    let mut out = String::new();
    for (i, c) in claims.iter().enumerate() {
        let speaker = c
            .speaker
            .as_ref()
            .map_or("the publisher".to_string(), |s| s.name.clone());
        let date = c
            .date
            .as_ref()
            .map(|d| d.start.to_string())
            .unwrap_or_else(|| "undated".into());
        out.push_str(&format!(
            "  claim {}: {} {} ({}), {} says, dated {date}\n",
            i + 1,
            c.stance,
            c.sub_event_type,
            c.event_type,
            speaker
        ));
    }
    if claims.is_empty() {
        out.push_str("  no claims: the text reports no event of ACLED's taxonomy\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Actor, ActorKind, CountryCode, EventType, Stance, SubEventType};

    #[test]
    fn marks_nest_in_brackets() {
        let text = "Azerbaijani forces shelled Stepanakert.";
        let claim = Claim {
            stance: Stance::Reports,
            speaker: None,
            event_type: EventType::ExplosionsRemoteViolence,
            sub_event_type: SubEventType::ShellingArtilleryMissileAttack,
            weapons: vec![],
            perpetrator: Some(Actor {
                name: "Azerbaijani forces".into(),
                country: CountryCode::new("AZ"),
                kind: ActorKind::StateForces,
                span: Span::new(0, 18),
            }),
            target: None,
            civilian_targeting: false,
            places: vec![],
            date: None,
            casualties: vec![],
            legal: vec![],
            sentence: Span::new(0, text.len()),
            event_word: None,
        };
        assert_eq!(
            render(text, &[claim], false),
            "[Azerbaijani forces]{1:perpetrator AZ} shelled Stepanakert."
        );
    }
}
