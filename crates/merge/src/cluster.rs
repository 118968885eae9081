//! Claims into groups, one group an incident. First the connected parts of the compatibility
//! graph (claims that could tell one incident, and claims people kept together); then, in each
//! part, incidents grown greedily in a canonical order, each admitting only claims compatible
//! with every claim already in it. So an incident never chains across days or places ("ten
//! strikes on ten days" stay ten), and the result depends only on the set of claims and
//! decisions, never on the order they came in, nor on claims outside the part.

use std::collections::{BTreeMap, HashMap};

use model::{ClaimId, ClaimRecord};

use crate::neighbourhood::{NearIndex, compatible, days, founds, index_entries, probes, same_days};
use crate::{Constraints, MergeConfig};

/// Union-find over indices; the smaller root wins, so unions commute.
pub(crate) struct Sets {
    parent: Vec<usize>,
}

impl Sets {
    pub(crate) fn new(n: usize) -> Sets {
        Sets {
            parent: (0..n).collect(),
        }
    }

    pub(crate) fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi] = lo;
    }

    /// The sets, each sorted, in the order of their smallest member.
    pub(crate) fn sets(&mut self) -> Vec<Vec<usize>> {
        let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..self.parent.len() {
            let root = self.find(i);
            by_root.entry(root).or_default().push(i);
        }
        by_root.into_values().collect()
    }
}

/// Groups claims into incidents. `records` are the claims as merging reads them (rejected ones
/// left out, corrections applied: `Constraints::apply`); duplicates of an id count once. Each
/// group is sorted by claim id, and groups are in the order of their first claim.
pub fn cluster(
    records: &[ClaimRecord],
    constraints: &Constraints,
    config: &MergeConfig,
) -> Vec<Vec<ClaimId>> {
    let mut sorted: Vec<&ClaimRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    sorted.dedup_by(|a, b| a.id == b.id);

    let mut parts = Sets::new(sorted.len());
    let mut near: NearIndex<usize> = NearIndex::default();
    for (i, r) in sorted.iter().enumerate() {
        near.insert(&index_entries(&r.claim), i);
    }
    for (i, r) in sorted.iter().enumerate() {
        for j in near.near(&probes(&r.claim, config)) {
            if j > i && compatible(&r.claim, &sorted[j].claim, config) {
                parts.union(i, j);
            }
        }
    }
    let position: HashMap<&ClaimId, usize> =
        sorted.iter().enumerate().map(|(i, r)| (&r.id, i)).collect();
    for group in constraints.groups() {
        let present: Vec<usize> = group
            .iter()
            .filter_map(|id| position.get(id))
            .copied()
            .collect();
        for w in present.windows(2) {
            parts.union(w[0], w[1]);
        }
    }

    let mut groups: Vec<Vec<ClaimId>> = Vec::new();
    for part in parts.sets() {
        let members: Vec<&ClaimRecord> = part.iter().map(|&i| sorted[i]).collect();
        groups.extend(cluster_part(&members, constraints, config));
    }
    groups.sort();
    groups
}

/// Claims kept together by decisions, clustered as one unit.
struct Atom<'a> {
    claims: Vec<&'a ClaimRecord>,
    /// Some claim of it can found an incident (`neighbourhood::founds`).
    founding: bool,
    /// Canonical position: earliest last day, earliest first day, smallest id.
    order: (i64, i64, &'a ClaimId),
}

fn atoms<'a>(members: &[&'a ClaimRecord], constraints: &Constraints) -> Vec<Atom<'a>> {
    let position: HashMap<&ClaimId, usize> = members
        .iter()
        .enumerate()
        .map(|(i, r)| (&r.id, i))
        .collect();
    let mut sets = Sets::new(members.len());
    for (i, r) in members.iter().enumerate() {
        if let Some(group) = constraints.together_with(&r.id) {
            for other in group {
                if let Some(&j) = position.get(other) {
                    sets.union(i, j);
                }
            }
        }
    }
    let mut out: Vec<Atom<'a>> = sets
        .sets()
        .into_iter()
        .map(|set| {
            let claims: Vec<&ClaimRecord> = set.iter().map(|&i| members[i]).collect();
            let order = claims
                .iter()
                .map(|c| {
                    let (start, end) = days(&c.claim).unwrap_or((i64::MAX, i64::MAX));
                    (end, start, &c.id)
                })
                .min()
                .unwrap_or((i64::MAX, i64::MAX, &claims[0].id));
            Atom {
                founding: claims.iter().any(|c| founds(&c.claim)),
                claims,
                order,
            }
        })
        .collect();
    out.sort_by(|a, b| a.order.cmp(&b.order));
    out
}

/// True when atom `b` may share an incident with atom `a`: some claim of one is compatible
/// with some claim of the other (people vouched for each atom's claims belonging together), no
/// decision keeps any two of them apart, and, when `exact`, those compatible claims' own days
/// meet (no denial slack).
fn fits(
    a: &Atom<'_>,
    b: &Atom<'_>,
    exact: bool,
    constraints: &Constraints,
    config: &MergeConfig,
) -> bool {
    let linked = a.claims.iter().any(|x| {
        b.claims.iter().any(|y| {
            compatible(&x.claim, &y.claim, config) && (!exact || same_days(&x.claim, &y.claim))
        })
    });
    linked
        && !a.claims.iter().any(|x| {
            b.claims
                .iter()
                .any(|y| constraints.must_be_apart(&x.id, &y.id))
        })
}

/// The incidents of one connected part: founding atoms grown greedily in canonical order, each
/// incident taking an atom only when it fits every atom already in it; then each other atom
/// (vague dates, denials) joined to the one incident it fits, or left on its own when it fits
/// none or several: an undated "shelling of the town" is not pinned to one of several days. A
/// denial first looks for the one incident on its own days, then allows a day of slack.
fn cluster_part(
    members: &[&ClaimRecord],
    constraints: &Constraints,
    config: &MergeConfig,
) -> Vec<Vec<ClaimId>> {
    let atoms = atoms(members, constraints);
    let (founding, joining): (Vec<&Atom<'_>>, Vec<&Atom<'_>>) =
        atoms.iter().partition(|a| a.founding);

    let mut incidents: Vec<Vec<&Atom<'_>>> = Vec::new();
    let mut taken = vec![false; founding.len()];
    for i in 0..founding.len() {
        if taken[i] {
            continue;
        }
        taken[i] = true;
        let mut incident = vec![founding[i]];
        for j in i + 1..founding.len() {
            if !taken[j]
                && incident
                    .iter()
                    .all(|k| fits(k, founding[j], false, constraints, config))
            {
                taken[j] = true;
                incident.push(founding[j]);
            }
        }
        incidents.push(incident);
    }
    let founded = incidents.len();
    let mut joins: Vec<Vec<&Atom<'_>>> = vec![Vec::new(); founded];
    for atom in joining {
        let fitting = |exact: bool| -> Vec<usize> {
            (0..founded)
                .filter(|&i| {
                    incidents[i]
                        .iter()
                        .all(|k| fits(k, atom, exact, constraints, config))
                })
                .collect()
        };
        let exact = fitting(true);
        let chosen = match exact.as_slice() {
            [one] => Some(*one),
            [] => match fitting(false).as_slice() {
                [one] => Some(*one),
                _ => None,
            },
            _ => None,
        };
        match chosen {
            Some(i) => joins[i].push(atom),
            None => incidents.push(vec![atom]),
        }
    }
    for (incident, extra) in incidents.iter_mut().zip(joins) {
        incident.extend(extra);
    }
    incidents
        .into_iter()
        .map(|atoms| {
            let mut ids: Vec<ClaimId> = atoms
                .iter()
                .flat_map(|a| a.claims.iter().map(|c| c.id.clone()))
                .collect();
            ids.sort();
            ids
        })
        .collect()
}
