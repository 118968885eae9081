//! Treaty status: whether a state was bound by the Convention on Cluster Munitions or the
//! Anti-Personnel Mine Ban Convention on a given day, from the project's table
//! (`data/treaties.tsv`, with its sources).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::{CountryCode, Date};

/// The two treaties ombud reports on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treaty {
    /// The Convention on Cluster Munitions (2008).
    Ccm,
    /// The Anti-Personnel Mine Ban Convention (Ottawa, 1997).
    Apmbt,
}

impl Treaty {
    pub fn as_str(self) -> &'static str {
        match self {
            Treaty::Ccm => "ccm",
            Treaty::Apmbt => "apmbt",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Treaty::Ccm => "Convention on Cluster Munitions",
            Treaty::Apmbt => "Mine Ban Treaty",
        }
    }
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreatyRecord {
    pub country: CountryCode,
    pub treaty: Treaty,
    pub status: String,
    pub in_force: Option<Date>,
    /// When a withdrawal takes effect; `deferred` (the state is in an armed conflict) is
    /// `withdrawal_deferred`.
    pub withdrawal_effective: Option<Date>,
    pub withdrawal_deferred: bool,
    pub source: String,
}

/// Whether an alleged user was bound by a treaty on the event's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreatyStatus {
    pub party: CountryCode,
    pub treaty: Treaty,
    /// `None` when the table does not know the state, or the event has no date.
    pub bound: Option<bool>,
    /// Why, in words ("party since 2006-06-01; its withdrawal is deferred during the armed
    /// conflict").
    pub reason: String,
}

const TREATIES_TSV: &str = include_str!("../data/treaties.tsv");

/// The table, parsed once.
pub fn treaty_records() -> &'static [TreatyRecord] {
    static TABLE: OnceLock<Vec<TreatyRecord>> = OnceLock::new();
    TABLE.get_or_init(|| parse(TREATIES_TSV))
}

fn parse(tsv: &str) -> Vec<TreatyRecord> {
    let date = |s: &str| s.trim().parse::<Date>().ok();
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("iso2\t") && !l.trim().is_empty())
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let treaty = match *f.get(1)? {
                "ccm" => Treaty::Ccm,
                "apmbt" => Treaty::Apmbt,
                _ => return None,
            };
            Some(TreatyRecord {
                country: CountryCode::new(f[0])?,
                treaty,
                status: f.get(2)?.trim().to_string(),
                in_force: f.get(5).and_then(|s| date(s)),
                withdrawal_effective: f.get(7).and_then(|s| date(s)),
                withdrawal_deferred: f.get(7).is_some_and(|s| s.trim() == "deferred"),
                source: f.get(8).map(|s| s.trim().to_string()).unwrap_or_default(),
            })
        })
        .collect()
}

/// Number of data rows in the table, for checking none was skipped.
pub fn treaty_rows() -> usize {
    TREATIES_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("iso2\t") && !l.trim().is_empty())
        .count()
}

/// Whether `party` was bound by `treaty` on `day`.
pub fn treaty_status(party: CountryCode, treaty: Treaty, day: Option<Date>) -> TreatyStatus {
    // The Mine Ban Treaty bans anti-personnel mines only; reports often do not say which.
    let scope = match treaty {
        Treaty::Apmbt => "; it bans anti-personnel mines, not anti-vehicle mines",
        Treaty::Ccm => "",
    };
    let out = |bound: Option<bool>, reason: String| TreatyStatus {
        party,
        treaty,
        bound,
        reason: format!("{reason}{scope}"),
    };
    let Some(r) = treaty_records()
        .iter()
        .find(|r| r.country == party && r.treaty == treaty)
    else {
        return out(None, "not in ombud's treaty table".into());
    };
    let Some(day) = day else {
        return out(None, format!("{}; the event has no date", r.status));
    };
    match (r.in_force, r.withdrawal_effective) {
        (None, _) => out(Some(false), "not a party".into()),
        (Some(from), _) if day < from => out(Some(false), format!("a party only from {from}")),
        (Some(from), Some(until)) if day >= until => out(
            Some(false),
            format!("a party from {from}; its withdrawal took effect on {until}"),
        ),
        (Some(from), _) if r.withdrawal_deferred => out(
            Some(true),
            format!(
                "a party since {from}; its withdrawal, announced during an armed conflict, does not take effect before the conflict ends"
            ),
        ),
        (Some(from), _) => out(Some(true), format!("a party since {from}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(s: &str) -> CountryCode {
        CountryCode::new(s).unwrap()
    }

    #[test]
    fn every_row_parses_and_status_follows_the_dates() {
        assert_eq!(treaty_records().len(), treaty_rows());
        let d = |y, m, day| Date::new(y, m, day);
        assert_eq!(
            treaty_status(cc("AZ"), Treaty::Ccm, d(2020, 10, 4)).bound,
            Some(false)
        );
        let ua = treaty_status(cc("UA"), Treaty::Apmbt, d(2026, 3, 1));
        assert_eq!(
            ua.bound,
            Some(true),
            "deferred during the armed conflict: {}",
            ua.reason
        );
        assert_eq!(
            treaty_status(cc("UA"), Treaty::Apmbt, d(2005, 1, 1)).bound,
            Some(false)
        );
        assert_eq!(
            treaty_status(cc("LT"), Treaty::Ccm, d(2025, 3, 5)).bound,
            Some(true)
        );
        assert_eq!(
            treaty_status(cc("LT"), Treaty::Ccm, d(2025, 3, 6)).bound,
            Some(false)
        );
        assert_eq!(
            treaty_status(cc("FI"), Treaty::Apmbt, d(2026, 1, 9)).bound,
            Some(true)
        );
        assert_eq!(
            treaty_status(cc("PL"), Treaty::Apmbt, d(2026, 2, 20)).bound,
            Some(false)
        );
        assert_eq!(
            treaty_status(cc("FR"), Treaty::Ccm, d(2020, 1, 1)).bound,
            None,
            "unknown"
        );
    }
}
