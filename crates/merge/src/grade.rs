//! Grades in the sense Airwars uses them, each with the reasons that produced it and the claims
//! each reason rests on.

use std::collections::{BTreeSet, HashMap};

use model::{ClaimId, ClaimRecord, CountryCode, Grade, GradeReason, Incident, Side, Stance};

use crate::sources::Voice;

fn names(voices: &[&Voice]) -> String {
    voices
        .iter()
        .map(|v| v.origin.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn claims_of(voices: &[&Voice]) -> Vec<ClaimId> {
    let mut out: Vec<ClaimId> = voices.iter().flat_map(|v| v.claims.clone()).collect();
    out.sort();
    out.dedup();
    out
}

/// Grades an incident from its claims and its independent origins for and against.
///
/// - Confirmed: a party accepted responsibility (the accused side's own origin confirms it), or
///   an independent body (NGO, UN) reports its own on-site investigation, forensic examination
///   or visit (a claim that confirms).
/// - Contested: a denial, or competing attributions, and nothing confirms it.
/// - Fair: two or more independent origins, at least one not aligned with the accusing side, or
///   an independent body's own documentation.
/// - Weak: a single origin, or only origins aligned with one side.
/// - Discounted is a human decision, taken in review.
pub fn grade(
    claims: &[&ClaimRecord],
    origins_for: &[Voice],
    origins_against: &[Voice],
) -> (Grade, Vec<GradeReason>) {
    let mut reasons: Vec<GradeReason> = Vec::new();
    let by_id: ById<'_> = claims.iter().map(|c| (&c.id, *c)).collect();
    let all_for: Vec<&Voice> = origins_for.iter().collect();
    let n = all_for.len();
    reasons.push(GradeReason {
        reason: match n {
            0 => "no origin asserts it".to_string(),
            1 => format!("1 independent origin asserts it ({})", names(&all_for)),
            _ => format!("{n} independent origins assert it ({})", names(&all_for)),
        },
        claims: claims_of(&all_for),
    });

    // Who is accused, by which claims.
    let mut accused: BTreeSet<CountryCode> = BTreeSet::new();
    let mut accusing: Vec<ClaimId> = Vec::new();
    for c in claims.iter().filter(|c| c.claim.stance != Stance::Denies) {
        if let Some(country) = c.claim.perpetrator.as_ref().and_then(|p| p.country) {
            accused.insert(country);
            accusing.push(c.id.clone());
        }
    }
    let on_site: Vec<&Voice> = all_for
        .iter()
        .copied()
        .filter(|v| v.origin.is_independent_body())
        .filter(|v| confirms(&by_id, &v.claims))
        .collect();
    let admissions: Vec<&Voice> = all_for
        .iter()
        .copied()
        .filter(|v| !says_military(&by_id, &v.claims))
        .filter(|v| match v.origin.side {
            Some(Side::Party(side)) => {
                accused.contains(&side) && confirms_as(&by_id, &v.claims, side)
            }
            _ => false,
        })
        .collect();
    // The accused side's own account that it struck military targets disputes the civilian harm
    // others allege: a competing account, not a confirmation.
    let military_accounts: Vec<&Voice> = all_for
        .iter()
        .copied()
        .filter(|v| match v.origin.side {
            Some(Side::Party(side)) => accused.contains(&side) && says_military(&by_id, &v.claims),
            _ => false,
        })
        .collect();
    let civilians_alleged = claims.iter().any(|c| {
        c.claim.stance != Stance::Denies
            && (c.claim.civilian_targeting
                || c.claim
                    .target
                    .as_ref()
                    .is_some_and(|t| t.kind.is_civilian()))
    });
    let disputed = civilians_alleged && !military_accounts.is_empty();
    if disputed {
        reasons.push(GradeReason {
            reason: format!(
                "the accused side says it struck military targets ({})",
                names(&military_accounts)
            ),
            claims: claims_of(&military_accounts),
        });
    }
    let against: Vec<&Voice> = origins_against.iter().collect();
    if !against.is_empty() {
        reasons.push(GradeReason {
            reason: format!("denied by {}", names(&against)),
            claims: claims_of(&against),
        });
    }
    if accused.len() > 1 {
        let list: Vec<&str> = accused.iter().map(|c| c.as_str()).collect();
        reasons.push(GradeReason {
            reason: format!("different parties are accused ({})", list.join(", ")),
            claims: accusing,
        });
    }
    // Sides that accuse: parties among the origins for, other than the accused.
    let accusing_sides: BTreeSet<Side> = all_for
        .iter()
        .filter_map(|v| v.origin.side)
        .filter(|s| matches!(s, Side::Party(c) if !accused.contains(c)))
        .collect();
    let unaligned: Vec<&Voice> = all_for
        .iter()
        .copied()
        .filter(|v| v.origin.side.is_some_and(|s| !accusing_sides.contains(&s)))
        .collect();
    let bodies: Vec<&Voice> = all_for
        .iter()
        .copied()
        .filter(|v| v.origin.is_independent_body())
        .collect();

    let grade = if !on_site.is_empty() {
        reasons.push(GradeReason {
            reason: format!(
                "an independent body reports its own investigation ({})",
                names(&on_site)
            ),
            claims: claims_of(&on_site),
        });
        Grade::Confirmed
    } else if !admissions.is_empty() {
        reasons.push(GradeReason {
            reason: format!(
                "the accused party's own side accepts it ({})",
                names(&admissions)
            ),
            claims: claims_of(&admissions),
        });
        Grade::Confirmed
    } else if !against.is_empty() || accused.len() > 1 || disputed {
        Grade::Contested
    } else if n >= 2 && !unaligned.is_empty() {
        reasons.push(GradeReason {
            reason: format!(
                "corroborated by an origin not aligned with the accusing side ({})",
                names(&unaligned)
            ),
            claims: claims_of(&unaligned),
        });
        Grade::Fair
    } else if !bodies.is_empty() {
        reasons.push(GradeReason {
            reason: format!("documented by an independent body ({})", names(&bodies)),
            claims: claims_of(&bodies),
        });
        Grade::Fair
    } else {
        if n >= 2 {
            let sides: Vec<String> = accusing_sides.iter().map(|s| s.to_string()).collect();
            reasons.push(GradeReason {
                reason: if sides.is_empty() {
                    "no origin of a known side corroborates it".to_string()
                } else {
                    format!("only origins aligned with one side ({})", sides.join(", "))
                },
                claims: claims_of(&all_for),
            });
        }
        Grade::Weak
    };
    (grade, reasons)
}

/// True when one of these claims says the target was military.
/// An incident's claims by id, so a voice's claims are found without scanning them all.
type ById<'a> = HashMap<&'a ClaimId, &'a ClaimRecord>;

/// The claims of `ids` among the incident's.
fn those<'a>(claims: &'a ById<'a>, ids: &'a [ClaimId]) -> impl Iterator<Item = &'a ClaimRecord> {
    ids.iter().filter_map(|id| claims.get(id).copied())
}

fn says_military(claims: &ById<'_>, ids: &[ClaimId]) -> bool {
    those(claims, ids).any(|c| {
        c.claim
            .target
            .as_ref()
            .is_some_and(|t| t.kind == model::TargetKind::Military)
    })
}

/// True when one of these claims confirms (an on-site finding, an admission).
fn confirms(claims: &ById<'_>, ids: &[ClaimId]) -> bool {
    those(claims, ids).any(|c| c.claim.stance == Stance::Confirms)
}

/// True when one of these claims confirms that `side`'s own forces did it.
fn confirms_as(claims: &ById<'_>, ids: &[ClaimId], side: CountryCode) -> bool {
    those(claims, ids).any(|c| {
        c.claim.stance == Stance::Confirms
            && c.claim.perpetrator.as_ref().and_then(|p| p.country) == Some(side)
    })
}

/// Sets the grade a reviewer decided, keeping the computed reasons after the reviewer's.
pub fn apply_grade_override(incident: &mut Incident, o: &crate::GradeOverride) {
    let computed = incident.grade;
    incident.grade = o.grade;
    incident.grade_reasons.insert(
        0,
        GradeReason {
            reason: format!(
                "set to {} by {} ({}): {}; the claims alone give {computed}",
                o.grade, o.reviewer, o.decision, o.note
            ),
            claims: Vec::new(),
        },
    );
    if !incident.decisions.contains(&o.decision) {
        incident.decisions.push(o.decision);
        incident.decisions.sort();
    }
}
