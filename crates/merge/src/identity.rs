//! Incident ids: minted once and kept. When claims regroup, each earlier incident keeps its id
//! on the group holding most of its claims, the oldest incident first; an incident whose claims
//! joined an older one's becomes an alias of it, and a group no earlier incident holds gets a
//! new id. An id is never given to two incidents, not even after it stopped being used.

use std::collections::{BTreeSet, HashMap};

use model::{ClaimId, IncidentId};

/// An incident as it stood before: its id, when it was minted (smaller is older), its claims.
#[derive(Clone, Debug, PartialEq)]
pub struct Prior {
    pub id: IncidentId,
    pub seq: u64,
    pub claims: Vec<ClaimId>,
}

/// The ids of regrouped claims.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assignment {
    /// The id of each group, in the order the groups were given.
    pub ids: Vec<IncidentId>,
    /// For each group, true when its id is new.
    pub minted: Vec<bool>,
    /// Earlier incidents whose claims joined another incident: (its id, the id it joined).
    pub joined: Vec<(IncidentId, IncidentId)>,
    /// Earlier incidents none of whose claims is in any group any more (all rejected or gone).
    pub emptied: Vec<IncidentId>,
}

/// The id a new group would get before collisions: `inc-` and the first ten hex digits of its
/// first claim's document, then where that claim's event word (or else sentence) starts.
pub fn base_id(group: &[ClaimId]) -> String {
    match group.iter().min() {
        Some(first) => format!(
            "inc-{}-{}",
            first.document.get(..10).unwrap_or(&first.document),
            first.event.map_or(first.sentence.start, |e| e.start)
        ),
        None => "inc-empty".to_string(),
    }
}

/// Gives every group an id. `prior` are the incidents that held any of the groups' claims
/// before; `taken` says whether an id was ever used (by an incident, an alias or a retired id).
pub fn assign_ids(
    prior: &[Prior],
    groups: &[Vec<ClaimId>],
    taken: &dyn Fn(&str) -> bool,
) -> Assignment {
    let mut group_of: HashMap<&ClaimId, usize> = HashMap::new();
    for (g, claims) in groups.iter().enumerate() {
        for c in claims {
            group_of.insert(c, g);
        }
    }
    // (prior, group, shared claims) for every pair that shares a claim.
    let mut shares: Vec<(usize, usize, usize)> = Vec::new();
    for (p, inc) in prior.iter().enumerate() {
        let mut count: HashMap<usize, usize> = HashMap::new();
        for c in &inc.claims {
            if let Some(&g) = group_of.get(c) {
                *count.entry(g).or_default() += 1;
            }
        }
        shares.extend(count.into_iter().map(|(g, n)| (p, g, n)));
    }
    // Oldest incident first; each takes the group holding most of its claims.
    shares.sort_by(|a, b| {
        let (pa, pb) = (&prior[a.0], &prior[b.0]);
        (pa.seq, &pa.id, std::cmp::Reverse(a.2), &groups[a.1]).cmp(&(
            pb.seq,
            &pb.id,
            std::cmp::Reverse(b.2),
            &groups[b.1],
        ))
    });
    let mut ids: Vec<Option<IncidentId>> = vec![None; groups.len()];
    let mut placed = vec![false; prior.len()];
    for &(p, g, _) in &shares {
        if !placed[p] && ids[g].is_none() {
            placed[p] = true;
            ids[g] = Some(prior[p].id.clone());
        }
    }
    let mut out = Assignment::default();
    for (p, inc) in prior.iter().enumerate() {
        if placed[p] {
            continue;
        }
        // Its claims went to groups older incidents kept: it joined the one with most of them.
        let best = shares
            .iter()
            .filter(|s| s.0 == p)
            .max_by(|a, b| a.2.cmp(&b.2).then_with(|| groups[b.1].cmp(&groups[a.1])));
        match best.and_then(|s| ids[s.1].clone()) {
            Some(target) => out.joined.push((inc.id.clone(), target)),
            None => out.emptied.push(inc.id.clone()),
        }
    }
    let mut minted_now: BTreeSet<String> = BTreeSet::new();
    for (g, id) in ids.into_iter().enumerate() {
        match id {
            Some(id) => {
                out.ids.push(id);
                out.minted.push(false);
            }
            None => {
                let base = base_id(&groups[g]);
                let mut candidate = base.clone();
                let mut n = 2;
                while taken(&candidate)
                    || minted_now.contains(&candidate)
                    || prior.iter().any(|p| p.id.0 == candidate)
                {
                    candidate = format!("{base}-{n}");
                    n += 1;
                }
                minted_now.insert(candidate.clone());
                out.ids.push(IncidentId(candidate));
                out.minted.push(true);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Span;

    fn claim(doc: &str, at: usize) -> ClaimId {
        ClaimId {
            document: doc.repeat(64 / doc.len()),
            sentence: Span::new(at, at + 10),
            event: None,
            repeat: 0,
        }
    }

    fn prior(id: &str, seq: u64, claims: &[&ClaimId]) -> Prior {
        Prior {
            id: IncidentId(id.into()),
            seq,
            claims: claims.iter().map(|c| (*c).clone()).collect(),
        }
    }

    #[test]
    fn ids_are_kept_the_older_wins_and_new_groups_get_new_ids() {
        let (a, b, c, d) = (claim("a", 0), claim("b", 0), claim("c", 5), claim("d", 7));
        let never = |_: &str| false;

        // Two incidents join: the older keeps its id, the younger becomes its alias.
        let joined = assign_ids(
            &[prior("inc-young", 9, &[&a]), prior("inc-old", 2, &[&b])],
            &[vec![a.clone(), b.clone()]],
            &never,
        );
        assert_eq!(joined.ids, vec![IncidentId("inc-old".into())]);
        assert_eq!(
            joined.joined,
            vec![(IncidentId("inc-young".into()), IncidentId("inc-old".into()))]
        );

        // A split: the part with most claims keeps the id; the other is new.
        let split = assign_ids(
            &[prior("inc-x", 1, &[&a, &b, &c])],
            &[vec![a.clone(), b.clone()], vec![c.clone()], vec![d.clone()]],
            &|id| id == "inc-cccccccccc-5",
        );
        assert_eq!(split.ids[0], IncidentId("inc-x".into()));
        assert_eq!(
            split.ids[1],
            IncidentId("inc-cccccccccc-5-2".into()),
            "never reused"
        );
        assert_eq!(split.ids[2], IncidentId("inc-dddddddddd-7".into()));
        assert_eq!(split.minted, vec![false, true, true]);

        // Every claim gone: the id is retired, not reused.
        let gone = assign_ids(&[prior("inc-x", 1, &[&a])], &[vec![d.clone()]], &never);
        assert_eq!(gone.emptied, vec![IncidentId("inc-x".into())]);
    }
}
