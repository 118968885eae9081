//! Origins: the body or person each claim traces to, and the side it speaks for. Bodies and
//! their names come from a registry users edit (`origins.tsv`); a name the registry does not
//! know stays as written, and its side stays unknown unless the text says it (a speaker who
//! speaks for a country).

use std::collections::HashMap;

use model::{Claim, Origin, Publisher, Side, SourceKind, normalise_name};

/// One body of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub name: String,
    /// Other names it goes by ("Azerbaijan's Prosecutor General's Office").
    pub aliases: Vec<String>,
    pub side: Option<Side>,
    pub kind: SourceKind,
    /// The origin it is counted as: the government it belongs to ("Government of Azerbaijan"
    /// for its ministries, its prosecutor and its spokespeople), or itself when empty.
    pub group: String,
}

/// The bodies by every name they go by.
#[derive(Clone, Debug, Default)]
pub struct OriginRegistry {
    bodies: Vec<Body>,
    by_name: HashMap<String, usize>,
}

impl OriginRegistry {
    /// A registry of these bodies; a later body's name wins over an earlier one's (a user's
    /// file read after the bundled one).
    pub fn new(bodies: Vec<Body>) -> OriginRegistry {
        let mut by_name = HashMap::new();
        for (i, b) in bodies.iter().enumerate() {
            for name in std::iter::once(&b.name).chain(&b.aliases) {
                for key in keys(name) {
                    by_name.insert(key, i);
                }
            }
        }
        OriginRegistry { bodies, by_name }
    }

    pub fn bodies(&self) -> &[Body] {
        &self.bodies
    }

    /// The body a name means, if the registry knows it.
    pub fn body(&self, name: &str) -> Option<&Body> {
        keys(name)
            .iter()
            .find_map(|k| self.by_name.get(k))
            .map(|&i| &self.bodies[i])
    }

    /// The origin of a claim in a document by `publisher`: the quoted speaker when there is
    /// one (a publisher's own staff speak as the publisher), else the publisher; for a copy,
    /// `original` is the publisher of the document it copies.
    pub fn origin(
        &self,
        claim: &Claim,
        publisher: &Publisher,
        original: Option<&Publisher>,
    ) -> Origin {
        let voice = original.unwrap_or(publisher);
        let of_publisher = |p: &Publisher| match self.body(&p.name) {
            Some(b) => self.origin_of_body(b),
            None => Origin {
                name: p.name.clone(),
                side: publisher_side(p),
                kind: p.kind,
            },
        };
        let Some(speaker) = &claim.speaker else {
            return of_publisher(voice);
        };
        let key = normalise_name(&speaker.name);
        if key.starts_with(&normalise_name(&voice.name)) {
            return of_publisher(voice);
        }
        if let Some(b) = self.body(&speaker.name) {
            return self.origin_of_body(b);
        }
        // "Azerbaijani officials", "Armenia's foreign ministry": a state's voice.
        if let Some(country) = speaker.country
            && is_state_voice(&key)
        {
            return Origin {
                name: government_of(country),
                side: Some(Side::Party(country)),
                kind: SourceKind::Government,
            };
        }
        Origin {
            name: speaker.name.clone(),
            side: speaker.country.map(Side::Party),
            kind: SourceKind::Unknown,
        }
    }

    fn origin_of_body(&self, b: &Body) -> Origin {
        let name = match (b.group.is_empty(), b.side, b.kind) {
            (false, _, _) => b.group.clone(),
            (true, Some(Side::Party(c)), SourceKind::Government | SourceKind::ArmedForces) => {
                government_of(c)
            }
            _ => b.name.clone(),
        };
        Origin {
            name,
            side: b.side,
            kind: b.kind,
        }
    }
}

/// The origin a state's bodies are counted as: a government and its ministries are one.
fn government_of(country: model::CountryCode) -> String {
    format!("Government of {}", country.name())
}

/// Words that make a speaker with a country the voice of that country's state.
const STATE_WORDS: &[&str] = &[
    "officials",
    "official",
    "authorities",
    "government",
    "ministry",
    "ministries",
    "president",
    "presidency",
    "office",
    "army",
    "forces",
    "military",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "prosecutor",
    "prosecutors",
    "embassy",
    "mission",
    "defence",
];

fn is_state_voice(key: &str) -> bool {
    let words: Vec<&str> = key
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.len() == 1 || words.iter().any(|w| STATE_WORDS.contains(w))
}

/// The side a registered publisher speaks for: its alignment, or independent when the registry
/// says it is aligned with none; unknown for a publisher the registry does not know.
fn publisher_side(p: &Publisher) -> Option<Side> {
    match (p.alignment, p.kind) {
        (Some(c), _) => Some(Side::Party(c)),
        (None, SourceKind::Unknown) => None,
        (None, _) => Some(Side::Independent),
    }
}

/// The keys a name is found by: normalised, and without a possessive country prefix turned
/// round ("Azerbaijan's Prosecutor General's Office" and "the Prosecutor General's Office of
/// Azerbaijan" are one key).
fn keys(name: &str) -> Vec<String> {
    let n = normalise_name(name);
    let mut out = vec![n.clone()];
    if let Some((owner, rest)) = n.split_once("'s ")
        && owner.split(' ').count() <= 2
    {
        out.push(format!("{rest} of {owner}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{CountryCode, Span, Speaker};

    fn registry() -> OriginRegistry {
        OriginRegistry::new(vec![Body {
            name: "Prosecutor General's Office of Azerbaijan".into(),
            aliases: vec!["Azerbaijani Prosecutor General's Office".into()],
            side: CountryCode::new("AZ").map(Side::Party),
            kind: SourceKind::Government,
            group: String::new(),
        }])
    }

    fn claim_by(speaker: Option<&str>, country: Option<&str>) -> Claim {
        let mut c = crate::tests::at_day(4, crate::tests::town("Ganja", 1, 40.68, 46.36));
        c.speaker = speaker.map(|s| Speaker {
            name: s.into(),
            role: None,
            country: country.and_then(CountryCode::new),
            span: Span::new(0, 1),
        });
        c
    }

    #[test]
    fn one_body_under_several_names_is_one_origin() {
        let r = registry();
        let outlet = Publisher::unknown("Some Outlet");
        let names = [
            "Azerbaijan's Prosecutor General's Office",
            "the Prosecutor General's Office of Azerbaijan",
            "Azerbaijani Prosecutor General's Office",
        ];
        let mut origins: Vec<Origin> = names
            .iter()
            .map(|n| r.origin(&claim_by(Some(n), None), &outlet, None))
            .collect();
        // The country itself, and its officials, speak with the same voice.
        for n in ["Azerbaijan", "Azerbaijani officials"] {
            origins.push(r.origin(&claim_by(Some(n), Some("AZ")), &outlet, None));
        }
        assert!(origins.iter().all(|o| *o == origins[0]), "{origins:?}");
        assert_eq!(origins[0].side, CountryCode::new("AZ").map(Side::Party));
    }

    #[test]
    fn unknown_stays_unknown_and_copies_speak_with_the_original() {
        let r = registry();
        let outlet = Publisher::unknown("Some Outlet");
        let o = r.origin(&claim_by(Some("a local resident"), None), &outlet, None);
        assert_eq!((o.name.as_str(), o.side), ("a local resident", None));
        let o = r.origin(&claim_by(None, None), &outlet, None);
        assert_eq!(
            o.side, None,
            "a publisher nobody registered has no known side"
        );
        let wire = Publisher {
            kind: SourceKind::Wire,
            ..Publisher::unknown("Caucasus Wire")
        };
        let o = r.origin(&claim_by(None, None), &outlet, Some(&wire));
        assert_eq!(
            (o.name.as_str(), o.side),
            ("Caucasus Wire", Some(Side::Independent))
        );
        let o = r.origin(
            &claim_by(Some("Armenia's defence ministry"), Some("AM")),
            &outlet,
            None,
        );
        assert_eq!(
            o.side,
            CountryCode::new("AM").map(Side::Party),
            "the text says so"
        );
        let o = r.origin(&claim_by(Some("Artak Beglaryan"), None), &outlet, None);
        assert_eq!(o.side, None, "a person nobody registered");
    }
}
