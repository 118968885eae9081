//! The filters of a selection of incidents as a URL carries them (`?since=2020-10-01&place=
//! Barda&grade=contested`), shared by the pages, the map, the timeline, the exports and the API,
//! so every view can be shared as a link; and the cursors that page through a selection.

use model::{Date, Grade};
use pipeline::{IncidentFilter, Page};

use crate::error::ApiError;

/// A selection's filters as given (empty fields, as a form sends them, mean no filter).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct FilterParams {
    #[serde(default)]
    pub(crate) since: Option<String>,
    #[serde(default)]
    pub(crate) until: Option<String>,
    #[serde(default)]
    pub(crate) place: Option<String>,
    #[serde(default)]
    pub(crate) weapon: Option<String>,
    #[serde(default, rename = "type")]
    pub(crate) event_type: Option<String>,
    #[serde(default)]
    pub(crate) actor: Option<String>,
    #[serde(default)]
    pub(crate) grade: Option<String>,
    #[serde(default)]
    pub(crate) q: Option<String>,
    #[serde(default)]
    pub(crate) limit: Option<String>,
    #[serde(default)]
    pub(crate) cursor: Option<String>,
}

/// Items a page holds when the request does not say, and at most.
pub(crate) const PAGE: usize = 50;
pub(crate) const MAX_PAGE: usize = 1000;

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn date(name: &str, v: &Option<String>) -> Result<Option<Date>, ApiError> {
    given(v)
        .map(|s| {
            s.parse::<Date>().map_err(|e| {
                ApiError::bad_request("bad_filter", format!("{name}={s:?}: {e} (YYYY-MM-DD)"))
            })
        })
        .transpose()
}

impl FilterParams {
    /// The filter's fields in URL order, without the page.
    fn fields(&self) -> [(&'static str, Option<&str>); 8] {
        [
            ("since", given(&self.since)),
            ("until", given(&self.until)),
            ("place", given(&self.place)),
            ("weapon", given(&self.weapon)),
            ("type", given(&self.event_type)),
            ("actor", given(&self.actor)),
            ("grade", given(&self.grade)),
            ("q", given(&self.q)),
        ]
    }

    pub(crate) fn filter(&self) -> Result<IncidentFilter, ApiError> {
        let text = |v: &Option<String>| given(v).map(str::to_string);
        let grade = given(&self.grade)
            .map(|g| {
                Grade::parse(g).ok_or_else(|| {
                    ApiError::bad_request(
                        "bad_filter",
                        format!(
                            "grade={g:?} is not a grade: confirmed, fair, weak, contested or discounted"
                        ),
                    )
                })
            })
            .transpose()?;
        Ok(IncidentFilter {
            since: date("since", &self.since)?,
            until: date("until", &self.until)?,
            place: text(&self.place),
            weapon: text(&self.weapon),
            event_type: text(&self.event_type),
            actor: text(&self.actor),
            grade,
            text: text(&self.q),
        })
    }

    /// The page asked for: its size, and where it starts (a cursor this selection gave).
    pub(crate) fn page(&self) -> Result<Page, ApiError> {
        let limit = match given(&self.limit) {
            None => PAGE,
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "bad_filter",
                        format!("limit={s:?}: give a number from 1 to {MAX_PAGE}"),
                    )
                })?,
        };
        let after = match given(&self.cursor) {
            None => None,
            Some(c) => Some(self.open_cursor(c)?),
        };
        Ok(Page {
            limit: Some(limit),
            after,
        })
    }

    /// A fingerprint of the filters (FNV-1a over the fields), which a cursor carries so that
    /// a cursor from one selection is refused by another.
    fn digest(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (k, v) in self.fields() {
            for b in k
                .bytes()
                .chain([0])
                .chain(v.unwrap_or("").bytes())
                .chain([1])
            {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }

    /// The cursor of the page after the incident `last`.
    pub(crate) fn cursor_after(&self, last: &str) -> String {
        format!("{}.{}", self.digest(), encode(last))
    }

    fn open_cursor(&self, cursor: &str) -> Result<String, ApiError> {
        let refused = || {
            ApiError::bad_request(
                "bad_cursor",
                "the cursor belongs to another selection (other filters): start again without it",
            )
        };
        let (digest, after) = cursor.split_once('.').ok_or_else(refused)?;
        if digest != self.digest() {
            return Err(refused());
        }
        decode(after).ok_or_else(refused)
    }

    /// The filters as a query string (`since=...&place=...`), without the page.
    pub(crate) fn query_string(&self) -> String {
        self.fields()
            .iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", encode(v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The value a form field shows.
    pub(crate) fn value(&self, name: &str) -> &str {
        self.fields()
            .iter()
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| *v)
            .unwrap_or("")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(place: &str) -> FilterParams {
        FilterParams {
            place: Some(place.into()),
            grade: Some("contested".into()),
            since: Some(String::new()),
            ..Default::default()
        }
    }

    #[test]
    fn a_cursor_opens_only_in_its_own_selection() {
        let p = params("Barda");
        let c = p.cursor_after("inc-84e5caef70-815");
        let with = FilterParams {
            cursor: Some(c.clone()),
            ..p.clone()
        };
        assert_eq!(
            with.page().unwrap().after.as_deref(),
            Some("inc-84e5caef70-815")
        );
        let other = FilterParams {
            cursor: Some(c),
            ..params("Ganja")
        };
        assert_eq!(other.page().unwrap_err().code, "bad_cursor");
    }

    #[test]
    fn empty_fields_are_no_filter_and_bad_ones_are_named() {
        let p = params("Barda & Tartar");
        assert_eq!(
            p.query_string(),
            "place=Barda%20%26%20Tartar&grade=contested"
        );
        let f = p.filter().unwrap();
        assert_eq!((f.since, f.grade), (None, Some(Grade::Contested)));
        let bad = FilterParams {
            since: Some("10/04/2020".into()),
            ..Default::default()
        };
        assert!(
            bad.filter()
                .unwrap_err()
                .message
                .starts_with("since=\"10/04/2020\"")
        );
        let big = FilterParams {
            limit: Some("5000".into()),
            ..Default::default()
        };
        assert_eq!(big.page().unwrap_err().code, "bad_filter");
    }
}
