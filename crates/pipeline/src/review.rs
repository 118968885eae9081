//! Review: what a person decides about the record (merge, split, grade, reject, correct, undo),
//! turned from the ids and words they type into decisions, and the history of an incident.
//! Each decision is logged and then recorded by `Service::decide`.

use model::{
    Action, Actor, ActorKind, Casualty, CasualtyGroup, CasualtyOutcome, ClaimId, Correction, Date,
    DatePrecision, DateRange, Decision, DecisionId, Grade, IncidentId, PlaceRef, Stance,
    SubEventType,
};

use crate::{PipelineError, Service, StoredClaim};

/// Who decides and why: every decision carries both, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reviewer {
    pub name: String,
    /// When, RFC 3339 UTC (the face reads the clock).
    pub at: String,
    pub note: String,
}

/// The fields `review correct` takes, with what their values look like.
pub const CORRECTABLE: &[(&str, &str)] = &[
    (
        "place",
        "a place name, optionally with its country code (\"Ganja\", \"Ganja, AZ\")",
    ),
    ("date", "YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, or none"),
    (
        "perpetrator",
        "who is alleged to have done it (\"Armenian forces\"), or none",
    ),
    (
        "killed, injured, missing",
        "a number or range (\"9\", \"9-10\", \"none\"); civilian_killed, military_injured... for a group",
    ),
    (
        "sub_event_type",
        "an ACLED sub-event type (shelling_artillery_missile_attack...)",
    ),
    ("stance", "alleges, reports, confirms, denies or hedged"),
];

fn bad(message: String) -> PipelineError {
    PipelineError::BadArgument(message)
}

impl Service {
    /// A claim by its id or short id (`ombud show` prints them: the document's first hex digits,
    /// then the spans).
    pub async fn claim(&self, given: &str) -> Result<StoredClaim, PipelineError> {
        let not_found = || PipelineError::NotFound {
            what: "claim",
            given: given.to_string(),
            hint: "`ombud show INCIDENT` and `ombud claims` print claim ids",
        };
        let (prefix, rest) = given.split_once(':').ok_or_else(not_found)?;
        let document = if prefix.len() == 64 {
            prefix.to_string()
        } else {
            self.document(prefix).await?.sha256
        };
        let id: ClaimId = format!("{document}:{rest}").parse().map_err(bad)?;
        let mut found = self.store().claims_by_id(std::slice::from_ref(&id)).await?;
        match found.pop() {
            Some(c) => Ok(c),
            None => {
                // A claim re-extracted since: follow its alias.
                let mut tx = self.store().snapshot().await?;
                let now = tx.resolve_claims(std::slice::from_ref(&id)).await?;
                drop(tx);
                match now.get(&id).cloned().flatten() {
                    Some(new) if new != id => self
                        .store()
                        .claims_by_id(&[new])
                        .await?
                        .pop()
                        .ok_or_else(not_found),
                    _ => Err(not_found()),
                }
            }
        }
    }

    /// Keeps incidents together as one, whatever merging would say.
    pub async fn review_merge(
        &self,
        incidents: &[String],
        by: &Reviewer,
    ) -> Result<Decision, PipelineError> {
        if incidents.len() < 2 {
            return Err(bad("a merge takes two incidents or more".into()));
        }
        let mut ids: Vec<IncidentId> = Vec::new();
        let mut claims: Vec<ClaimId> = Vec::new();
        for given in incidents {
            let detail = self.incident(given).await?;
            if ids.contains(&detail.incident.id) {
                return Err(bad(format!(
                    "{given} is incident {} already named: nothing to merge",
                    detail.incident.id
                )));
            }
            ids.push(detail.incident.id.clone());
            claims.extend(detail.incident.claims.iter().cloned());
        }
        self.decide(
            Action::Merge {
                incidents: ids,
                claims,
            },
            &by.name,
            &by.at,
            &by.note,
        )
        .await
    }

    /// Makes some claims of an incident an incident of their own.
    pub async fn review_split(
        &self,
        incident: &str,
        claims: &[String],
        by: &Reviewer,
    ) -> Result<Decision, PipelineError> {
        let detail = self.incident(incident).await?;
        let mut split: Vec<ClaimId> = Vec::new();
        for given in claims {
            let c = self.claim(given).await?;
            if !detail.incident.claims.contains(&c.id) {
                return Err(bad(format!(
                    "claim {} is not in incident {}",
                    c.id.short(),
                    detail.incident.id
                )));
            }
            if !split.contains(&c.id) {
                split.push(c.id);
            }
        }
        let rest: Vec<ClaimId> = detail
            .incident
            .claims
            .iter()
            .filter(|c| !split.contains(c))
            .cloned()
            .collect();
        if split.is_empty() || rest.is_empty() {
            return Err(bad(format!(
                "a split takes some of the incident's claims, not none or all of them ({} has {})",
                detail.incident.id,
                detail.incident.claims.len()
            )));
        }
        self.decide(
            Action::Split {
                incident: detail.incident.id,
                claims: split,
                rest,
            },
            &by.name,
            &by.at,
            &by.note,
        )
        .await
    }

    /// Sets an incident's grade by hand (Discounted is set only this way).
    pub async fn review_grade(
        &self,
        incident: &str,
        grade: Grade,
        by: &Reviewer,
    ) -> Result<Decision, PipelineError> {
        let detail = self.incident(incident).await?;
        self.decide(
            Action::Grade {
                incident: detail.incident.id,
                grade,
            },
            &by.name,
            &by.at,
            &by.note,
        )
        .await
    }

    /// Marks a claim wrong: it joins no incident.
    pub async fn review_reject(
        &self,
        claim: &str,
        by: &Reviewer,
    ) -> Result<Decision, PipelineError> {
        let c = self.claim(claim).await?;
        self.decide(Action::Reject { claim: c.id }, &by.name, &by.at, &by.note)
            .await
    }

    /// Corrects one field of a claim (see `CORRECTABLE`).
    pub async fn review_correct(
        &self,
        claim: &str,
        field: &str,
        value: &str,
        by: &Reviewer,
    ) -> Result<Decision, PipelineError> {
        let c = self.claim(claim).await?;
        let correction = self.correction(&c, field, value).await?;
        self.decide(
            Action::Correct {
                claim: c.id,
                correction,
            },
            &by.name,
            &by.at,
            &by.note,
        )
        .await
    }

    /// Takes back a decision (`d3` or `3`).
    pub async fn review_undo(
        &self,
        decision: &str,
        by: &Reviewer,
    ) -> Result<Decision, PipelineError> {
        let n: u64 = decision
            .trim()
            .trim_start_matches('d')
            .parse()
            .map_err(|_| {
                bad(format!(
                    "{decision:?} is not a decision (d1, d2... or 1, 2...)"
                ))
            })?;
        self.decide(
            Action::Undo {
                decision: DecisionId(n),
            },
            &by.name,
            &by.at,
            &by.note,
        )
        .await
    }

    /// The decisions about an incident, oldest first: those naming it (or an id that joined it)
    /// or any claim it holds or held, and the undos of those.
    pub async fn history(&self, incident: &str) -> Result<Vec<Decision>, PipelineError> {
        let (id, claims) = match self.incident(incident).await {
            Ok(detail) => (detail.incident.id, detail.incident.claims),
            // A retired incident still has a history: why it is gone.
            Err(PipelineError::Retired { id }) => (IncidentId(id), Vec::new()),
            Err(e) => return Err(e),
        };
        let mut names: Vec<IncidentId> = vec![id.clone()];
        if let Some(aliases) = self
            .store()
            .aliases_of(std::slice::from_ref(&id))
            .await?
            .remove(&id)
        {
            names.extend(aliases);
        }
        let all = self.store().decisions().await?;
        let named: Vec<ClaimId> = all
            .iter()
            .flat_map(|d| d.action.claims().into_iter().cloned())
            .collect();
        let now = if named.is_empty() {
            Default::default()
        } else {
            let mut tx = self.store().snapshot().await?;
            let now = tx.resolve_claims(&named).await?;
            drop(tx);
            now
        };
        let about = |d: &Decision| {
            d.action.incidents().iter().any(|i| names.contains(i))
                || d.action.claims().iter().any(|c| {
                    claims.contains(c)
                        || now
                            .get(*c)
                            .and_then(Option::as_ref)
                            .is_some_and(|n| claims.contains(n))
                })
        };
        let mut out: Vec<Decision> = Vec::new();
        for d in &all {
            let keep = match &d.action {
                Action::Undo { decision } => out.iter().any(|o| o.id == *decision),
                _ => about(d),
            };
            if keep {
                out.push(d.clone());
            }
        }
        Ok(out)
    }

    /// The correction a person means by `field` and `value` for claim `c`.
    async fn correction(
        &self,
        c: &StoredClaim,
        field: &str,
        value: &str,
    ) -> Result<Correction, PipelineError> {
        let value = value.trim();
        let none = value.eq_ignore_ascii_case("none");
        let field = field.trim().to_lowercase().replace('-', "_");
        Ok(match field.as_str() {
            "place" | "places" => Correction::Places(vec![self.place(value, c.claim.sentence)?]),
            "date" => Correction::Date(if none { None } else { Some(date_range(value)?) }),
            "perpetrator" => Correction::Perpetrator(if none {
                None
            } else {
                Some(actor(value, c.claim.sentence))
            }),
            "sub_event_type" | "event" => Correction::SubEventType(
                SubEventType::parse(value)
                    .ok_or_else(|| bad(format!("{value:?} is not an ACLED sub-event type")))?,
            ),
            "stance" => Correction::Stance(Stance::parse(value).map_err(bad)?),
            other => {
                let (group, outcome) = casualty_field(other).ok_or_else(|| {
                    let fields: Vec<&str> = CORRECTABLE.iter().map(|(f, _)| *f).collect();
                    bad(format!(
                        "{other:?} is not a field a review can correct: use {}",
                        fields.join("; ")
                    ))
                })?;
                let mut list = self.corrected_casualties(c).await?;
                list.retain(|k| !(k.group == group && k.outcome == outcome));
                if !none {
                    let (min, max) = count_range(value)?;
                    list.push(Casualty {
                        group,
                        outcome,
                        min: Some(min),
                        max: Some(max),
                        span: c.claim.sentence,
                    });
                }
                Correction::Casualties(list)
            }
        })
    }

    /// The claim's casualties as the latest correction in force left them (a correction of
    /// one count keeps the others).
    async fn corrected_casualties(&self, c: &StoredClaim) -> Result<Vec<Casualty>, PipelineError> {
        let decisions = self.store().decisions().await?;
        let latest = model::in_force(&decisions)
            .into_iter()
            .rev()
            .find_map(|d| match &d.action {
                Action::Correct {
                    claim,
                    correction: Correction::Casualties(list),
                } if *claim == c.id => Some(list.clone()),
                _ => None,
            });
        Ok(latest.unwrap_or_else(|| c.claim.casualties.clone()))
    }

    /// A place by name (optionally `, CC`), the most populous of its namesakes in the country.
    fn place(&self, value: &str, span: model::Span) -> Result<PlaceRef, PipelineError> {
        let (name, country) = match value.rsplit_once(',') {
            Some((n, cc)) if model::CountryCode::new(cc.trim()).is_some() => {
                (n.trim(), model::CountryCode::new(cc.trim()))
            }
            _ => (value, None),
        };
        let gazetteer = &self.reference()?.gazetteer;
        let found: Vec<&model::GazetteerEntry> = gazetteer
            .lookup(name)
            .into_iter()
            .filter(|e| country.is_none() || e.country == country)
            .collect();
        let e = found.first().ok_or_else(|| {
            bad(format!(
                "the gazetteer has no place {value:?}: check the spelling, or add it with `ombud gazetteer import`"
            ))
        })?;
        Ok(PlaceRef {
            name: e.name.clone(),
            geonameid: e.geonameid,
            lat: e.point.lat(),
            lon: e.point.lon(),
            country: e.country,
            admin1: e.admin1.to_string(),
            admin2: e.admin2.to_string(),
            feature: e.feature,
            precision: e.feature.precision(),
            span,
            written: name.to_string(),
        })
    }
}

/// `killed`, `civilian_injured`, `military_missing`...: the group (unspecified when not given)
/// and outcome.
fn casualty_field(field: &str) -> Option<(CasualtyGroup, CasualtyOutcome)> {
    let (group, outcome) = match field.split_once('_') {
        Some((g, o)) => (g, o),
        None => ("unspecified", field),
    };
    let group = [
        CasualtyGroup::Civilian,
        CasualtyGroup::Military,
        CasualtyGroup::Unspecified,
    ]
    .into_iter()
    .find(|g| g.as_str() == group)?;
    let outcome = [
        CasualtyOutcome::Killed,
        CasualtyOutcome::Injured,
        CasualtyOutcome::Missing,
    ]
    .into_iter()
    .find(|o| o.as_str() == outcome)?;
    Some((group, outcome))
}

/// "9" or "9-10".
fn count_range(value: &str) -> Result<(u32, u32), PipelineError> {
    let n = |s: &str| {
        s.trim().parse::<u32>().map_err(|_| {
            bad(format!(
                "{value:?} is not a count: use a number, a range like 9-10, or none"
            ))
        })
    };
    let (min, max) = match value.split_once('-') {
        Some((a, b)) => (n(a)?, n(b)?),
        None => (n(value)?, n(value)?),
    };
    if min > max {
        return Err(bad(format!("{value:?}: the range runs backwards")));
    }
    Ok((min, max))
}

/// "2020-10-11" or "2020-10-11..2020-10-12".
fn date_range(value: &str) -> Result<DateRange, PipelineError> {
    let d = |s: &str| {
        s.trim()
            .parse::<Date>()
            .map_err(|e| bad(format!("{value:?}: {e}")))
    };
    let (start, end) = match value.split_once("..") {
        Some((a, b)) => (d(a)?, d(b)?),
        None => (d(value)?, d(value)?),
    };
    if end < start {
        return Err(bad(format!("{value:?}: the period ends before it starts")));
    }
    let days = end.to_days() - start.to_days();
    let precision = match days {
        0 => DatePrecision::Day,
        1..=6 => DatePrecision::Week,
        7..=30 => DatePrecision::Month,
        _ => DatePrecision::Year,
    };
    Ok(DateRange {
        start,
        end,
        precision,
        span: None,
    })
}

/// An alleged perpetrator by name; its country when the name says it ("Armenian forces").
fn actor(value: &str, span: model::Span) -> Actor {
    let lower = value.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let country = model::countries().iter().find(|c| {
        std::iter::once(&c.name)
            .chain(&c.alt_names)
            .chain(&c.demonyms)
            .any(|n| {
                let n = n.to_lowercase();
                let name: Vec<&str> = n.split_whitespace().collect();
                !name.is_empty() && words.windows(name.len()).any(|w| w == name.as_slice())
            })
    });
    Actor {
        name: value.to_string(),
        country: country.map(|c| c.code),
        kind: if country.is_some() {
            ActorKind::StateForces
        } else {
            ActorKind::Unidentified
        },
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_a_reviewer_types_are_read() {
        assert_eq!(count_range("9-10").unwrap(), (9, 10));
        assert_eq!(count_range("7").unwrap(), (7, 7));
        assert!(count_range("10-9").is_err());
        assert!(count_range("many").is_err());
        assert_eq!(
            casualty_field("civilian_killed"),
            Some((CasualtyGroup::Civilian, CasualtyOutcome::Killed))
        );
        assert_eq!(
            casualty_field("injured"),
            Some((CasualtyGroup::Unspecified, CasualtyOutcome::Injured))
        );
        assert_eq!(casualty_field("weapon"), None);
        let d = date_range("2020-10-11..2020-10-12").unwrap();
        assert_eq!(d.precision, DatePrecision::Week);
        assert!(date_range("2020-10-12..2020-10-11").is_err());
        let span = model::Span::new(0, 1);
        assert_eq!(
            actor("Armenian forces", span).country,
            model::CountryCode::new("AM")
        );
        assert_eq!(actor("unknown gunmen", span).country, None);
    }
}
