//! Grades in the sense Airwars uses them, each with the reasons that produced it.

use model::{ClaimRecord, Grade, Incident, Stance};

/// Grades an incident from its claims and its independent sources for and against.
///
/// - Confirmed: an independent investigator (NGO, UN) confirms it, or the accused party's own side
///   confirms it.
/// - Contested: someone denies it, or different parties are accused, and nothing confirms it.
/// - Fair: two or more independent sources assert it and nobody denies it.
/// - Weak: a single source.
/// - Discounted is a human decision, taken in review.
pub fn grade(
    claims: &[&ClaimRecord],
    sources_for: &[String],
    sources_against: &[String],
) -> (Grade, Vec<String>) {
    let mut reasons = Vec::new();
    let investigators: Vec<&str> = claims
        .iter()
        .filter(|c| c.claim.stance == Stance::Confirms && c.publisher.kind.is_investigator())
        .map(|c| c.publisher.name.as_str())
        .collect();
    let admissions: Vec<String> = claims
        .iter()
        .filter(|c| c.claim.stance == Stance::Confirms)
        .filter_map(|c| {
            let speaker = c.claim.speaker.as_ref()?;
            let perpetrator = c.claim.perpetrator.as_ref()?;
            (speaker.country.is_some() && speaker.country == perpetrator.country)
                .then(|| speaker.name.clone())
        })
        .collect();
    let mut accused: Vec<model::CountryCode> = claims
        .iter()
        .filter(|c| c.claim.stance != Stance::Denies)
        .filter_map(|c| c.claim.perpetrator.as_ref().and_then(|p| p.country))
        .collect();
    accused.sort();
    accused.dedup();

    let n = sources_for.len();
    reasons.push(match n {
        0 => "no source asserts it".to_string(),
        1 => format!("1 independent source asserts it ({})", sources_for[0]),
        _ => format!(
            "{n} independent sources assert it ({})",
            sources_for.join(", ")
        ),
    });
    if !sources_against.is_empty() {
        reasons.push(format!("denied by {}", sources_against.join(", ")));
    }
    if accused.len() > 1 {
        let names: Vec<&str> = accused.iter().map(|c| c.as_str()).collect();
        reasons.push(format!(
            "different parties are accused ({})",
            names.join(", ")
        ));
    }
    let grade = if let Some(inv) = investigators.first() {
        reasons.push(format!("confirmed by an independent investigation ({inv})"));
        Grade::Confirmed
    } else if let Some(who) = admissions.first() {
        reasons.push(format!("the accused party's own side says so ({who})"));
        Grade::Confirmed
    } else if !sources_against.is_empty() || accused.len() > 1 {
        Grade::Contested
    } else if n >= 2 {
        Grade::Fair
    } else {
        Grade::Weak
    };
    (grade, reasons)
}

/// Sets the grade a reviewer decided, keeping the computed reasons after the reviewer's.
pub fn apply_grade_override(incident: &mut Incident, o: &crate::GradeOverride) {
    let computed = incident.grade;
    incident.grade = o.grade;
    incident.grade_reasons.insert(
        0,
        format!(
            "set to {} by {} ({}): {}; the claims alone give {computed}",
            o.grade, o.reviewer, o.decision, o.note
        ),
    );
}
