//! Claims into groups, one group an incident. First the connected parts of the compatibility
//! graph (claims that could tell one incident, and claims people kept together); then, in each
//! part, incidents grown greedily in a canonical order, each admitting only claims compatible
//! with every claim already in it. So an incident never chains across days or places ("ten
//! strikes on ten days" stay ten), and the result depends only on the set of claims and
//! decisions, never on the order they came in, nor on claims outside the part.

use std::collections::{BTreeMap, HashMap, HashSet};

use model::{Claim, ClaimId, ClaimRecord};

use crate::neighbourhood::{
    NearIndex, Shape, compatible, days, founds, index_entries, probes, same_days,
};
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

/// Claims grouped by `Shape`: each shape is compared with others once, through its first
/// claim, however many claims have it.
struct Shapes {
    /// Each claim's shape, by the claim's position.
    of: Vec<usize>,
    /// Each shape's claims, by position; the first stands for them all.
    members: Vec<Vec<usize>>,
}

impl Shapes {
    fn new(claims: &[&ClaimRecord]) -> Shapes {
        let mut index: HashMap<Shape, usize> = HashMap::new();
        let mut shapes = Shapes {
            of: Vec::with_capacity(claims.len()),
            members: Vec::new(),
        };
        for (i, r) in claims.iter().enumerate() {
            let next = shapes.members.len();
            let s = *index.entry(Shape::of(&r.claim)).or_insert(next);
            if s == next {
                shapes.members.push(Vec::new());
            }
            shapes.members[s].push(i);
            shapes.of.push(s);
        }
        shapes
    }

    fn first(&self, s: usize) -> usize {
        self.members[s][0]
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

    // The connected parts of the compatibility graph, found between shapes: claims of one
    // shape are compatible with the same claims, so each is joined to the first claim of a
    // shape compatible with theirs, and the shapes' first claims to each other.
    let shapes = Shapes::new(&sorted);
    let claim = |s: usize| &sorted[shapes.first(s)].claim;
    let mut parts = Sets::new(sorted.len());
    let mut near: NearIndex<usize> = NearIndex::default();
    for s in 0..shapes.members.len() {
        near.insert(&index_entries(claim(s)), s);
    }
    let mut partners: Vec<Vec<usize>> = vec![Vec::new(); shapes.members.len()];
    for s in 0..shapes.members.len() {
        if compatible(claim(s), claim(s), config) {
            for &m in &shapes.members[s] {
                parts.union(shapes.first(s), m);
            }
        }
        for t in near.near(&probes(claim(s), config)) {
            if t > s && compatible(claim(s), claim(t), config) {
                partners[s].push(t);
                partners[t].push(s);
            }
        }
    }
    for (s, found) in partners.iter().enumerate() {
        if let Some((&p, rest)) = found.split_first() {
            for &m in &shapes.members[s] {
                parts.union(m, shapes.first(p));
            }
            for &q in rest {
                parts.union(shapes.first(s), shapes.first(q));
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

    let firsts: Vec<&Claim> = (0..shapes.members.len()).map(claim).collect();
    let pairs = Pairs {
        firsts: &firsts,
        config,
    };
    let mut groups: Vec<Vec<ClaimId>> = Vec::new();
    for part in parts.sets() {
        let members: Vec<(&ClaimRecord, usize)> =
            part.iter().map(|&i| (sorted[i], shapes.of[i])).collect();
        groups.extend(cluster_part(&members, constraints, &pairs));
    }
    groups.sort();
    groups
}

/// Compatibility between shapes, read through each shape's first claim. (Not remembered per
/// pair: a busy part has as many shapes as claims, and a table of their pairs would grow with
/// its square.)
struct Pairs<'a> {
    /// Each shape's first claim.
    firsts: &'a [&'a Claim],
    config: &'a MergeConfig,
}

impl Pairs<'_> {
    /// True when a claim of shape `s` that no decision keeps apart from anything may share an
    /// incident with `atom` (as `fits` decides).
    fn admits(&self, s: usize, atom: &Atom<'_>, exact: bool) -> bool {
        let x = self.firsts[s];
        let linked = |y: &Claim| compatible(x, y, self.config) && (!exact || same_days(x, y));
        match atom.plain {
            Some(t) => linked(self.firsts[t]),
            None => atom.claims.iter().any(|y| linked(&y.claim)),
        }
    }
}

/// Claims kept together by decisions, clustered as one unit.
struct Atom<'a> {
    claims: Vec<&'a ClaimRecord>,
    /// Some claim of it can found an incident (`neighbourhood::founds`).
    founding: bool,
    /// Canonical position: earliest last day, earliest first day, smallest id.
    order: (i64, i64, &'a ClaimId),
    /// For a single claim no decision names in a merge or a split: its shape. Such atoms fit
    /// wherever another claim of their shape fits.
    plain: Option<usize>,
}

fn atoms<'a>(members: &[(&'a ClaimRecord, usize)], constraints: &Constraints) -> Vec<Atom<'a>> {
    let position: HashMap<&ClaimId, usize> = members
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (&r.id, i))
        .collect();
    let mut sets = Sets::new(members.len());
    for (i, (r, _)) in members.iter().enumerate() {
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
            let claims: Vec<&ClaimRecord> = set.iter().map(|&i| members[i].0).collect();
            let order = claims
                .iter()
                .map(|c| {
                    let (start, end) = days(&c.claim).unwrap_or((i64::MAX, i64::MAX));
                    (end, start, &c.id)
                })
                .min()
                .unwrap_or((i64::MAX, i64::MAX, &claims[0].id));
            let plain = match set.as_slice() {
                [one] if !constraints.kept_apart(&members[*one].0.id) => Some(members[*one].1),
                _ => None,
            };
            Atom {
                founding: claims.iter().any(|c| founds(&c.claim)),
                claims,
                order,
                plain,
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

/// An incident as it grows: its atoms, and what an atom must fit to join it, the shapes of its
/// plain atoms once each and its other atoms whole. So a thousand claims of one shape cost one
/// check, and growing an incident is linear in its claims, not quadratic.
struct Growing<'a, 'b> {
    atoms: Vec<&'b Atom<'a>>,
    shapes: Vec<usize>,
    has_shape: HashSet<usize>,
    others: Vec<&'b Atom<'a>>,
}

impl<'a, 'b> Growing<'a, 'b> {
    fn new(atom: &'b Atom<'a>) -> Growing<'a, 'b> {
        let mut incident = Growing {
            atoms: Vec::new(),
            shapes: Vec::new(),
            has_shape: HashSet::new(),
            others: Vec::new(),
        };
        incident.push(atom);
        incident
    }

    fn push(&mut self, atom: &'b Atom<'a>) {
        self.atoms.push(atom);
        match atom.plain {
            Some(s) => {
                if self.has_shape.insert(s) {
                    self.shapes.push(s);
                }
            }
            None => self.others.push(atom),
        }
    }

    /// True when `atom` fits every atom of the incident.
    fn admits(
        &self,
        atom: &Atom<'_>,
        exact: bool,
        constraints: &Constraints,
        pairs: &Pairs<'_>,
    ) -> bool {
        self.shapes.iter().all(|&s| pairs.admits(s, atom, exact))
            && self
                .others
                .iter()
                .all(|k| fits(k, atom, exact, constraints, pairs.config))
    }
}

/// The incidents of one connected part: founding atoms grown greedily in canonical order, each
/// incident taking an atom only when it fits every atom already in it; then each other atom
/// (vague dates, denials) joined to the one incident it fits, or left on its own when it fits
/// none or several: an undated "shelling of the town" is not pinned to one of several days. A
/// denial first looks for the one incident on its own days, then allows a day of slack.
fn cluster_part(
    members: &[(&ClaimRecord, usize)],
    constraints: &Constraints,
    pairs: &Pairs<'_>,
) -> Vec<Vec<ClaimId>> {
    let atoms = atoms(members, constraints);
    let (founding, joining): (Vec<&Atom<'_>>, Vec<&Atom<'_>>) =
        atoms.iter().partition(|a| a.founding);

    let mut incidents: Vec<Growing<'_, '_>> = Vec::new();
    let mut taken = vec![false; founding.len()];
    for i in 0..founding.len() {
        if taken[i] {
            continue;
        }
        taken[i] = true;
        let mut incident = Growing::new(founding[i]);
        for j in i + 1..founding.len() {
            if !taken[j] && incident.admits(founding[j], false, constraints, pairs) {
                taken[j] = true;
                incident.push(founding[j]);
            }
        }
        incidents.push(incident);
    }
    let founded = incidents.len();
    let mut joins: Vec<Vec<&Atom<'_>>> = vec![Vec::new(); founded];
    let mut alone: Vec<&Atom<'_>> = Vec::new();
    // Plain atoms of one shape fit the same incidents: the choice is made once per shape.
    let mut chosen_for: HashMap<usize, Option<usize>> = HashMap::new();
    for atom in joining {
        let choose = || {
            let fitting = |exact: bool| -> Vec<usize> {
                (0..founded)
                    .filter(|&i| incidents[i].admits(atom, exact, constraints, pairs))
                    .collect()
            };
            let exact = fitting(true);
            match exact.as_slice() {
                [one] => Some(*one),
                [] => match fitting(false).as_slice() {
                    [one] => Some(*one),
                    _ => None,
                },
                _ => None,
            }
        };
        let chosen = match atom.plain {
            Some(s) => match chosen_for.get(&s) {
                Some(known) => *known,
                None => {
                    let c = choose();
                    chosen_for.insert(s, c);
                    c
                }
            },
            None => choose(),
        };
        match chosen {
            Some(i) => joins[i].push(atom),
            None => alone.push(atom),
        }
    }
    let mut out: Vec<Vec<&Atom<'_>>> = incidents.into_iter().map(|g| g.atoms).collect();
    for (incident, extra) in out.iter_mut().zip(joins) {
        incident.extend(extra);
    }
    out.extend(alone.into_iter().map(|a| vec![a]));
    out.into_iter()
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
