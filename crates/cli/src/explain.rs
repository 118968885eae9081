//! `ombud extract --explain`: the text with every extracted span marked and labelled, so a
//! person sees why each field is what it is. Colour on a terminal, brackets otherwise.

use model::Claim;
use pipeline::marks::{self, Field, Mark};

/// The terminal colour of a field.
fn colour(field: Field) -> u8 {
    match field {
        Field::Speaker => 35,
        Field::Perpetrator => 31,
        Field::Target => 33,
        Field::Weapon => 36,
        Field::Place => 32,
        Field::Date => 34,
        Field::Casualty => 91,
    }
}

/// The text with every span of the claims marked: coloured on a terminal, in brackets otherwise.
pub fn render(text: &str, claims: &[Claim], colour_on: bool) -> String {
    let refs: Vec<&Claim> = claims.iter().collect();
    let marks = marks::marks(&refs);
    let open = |m: &Mark| {
        if colour_on {
            format!("\x1b[{}m", colour(m.field))
        } else {
            "[".to_string()
        }
    };
    let close = |m: &Mark| {
        if colour_on {
            format!("\x1b[0m\x1b[2m⟨{}⟩\x1b[0m", m.label)
        } else {
            format!("]{{{}}}", m.label)
        }
    };
    marks::render(text, &marks, &open, &close, &|s: &str| s.to_string())
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
    use model::{Actor, ActorKind, CountryCode, EventType, Span, Stance, SubEventType};

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
