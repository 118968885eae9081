//! Copy detection across the whole store, inside a group's transaction: each new document's
//! sketch is looked up by its band keys (an indexed read, never a scan), candidates are checked
//! on their words, and each group of copies takes the earliest document (by publication date,
//! then hash) as its original, so the groups do not depend on the order documents came in.

use std::collections::{BTreeSet, HashMap, VecDeque};

use merge::copies::{self, Sketch};
use model::Date;
use store::{CopyChange, RecordTx};

use crate::PipelineError;

/// A document new to the store, as copy detection reads it.
pub(crate) struct NewText<'a> {
    pub sha256: &'a str,
    pub text: &'a str,
    pub published: Option<Date>,
    pub publisher: Option<&'a str>,
    pub sketch: Option<Sketch>,
}

/// What copy detection decided.
#[derive(Debug, Default)]
pub(crate) struct Copies {
    /// For each new document, the document it copies (`None`: none, or it is the original).
    pub copy_of: HashMap<String, Option<String>>,
    /// The publisher of each original a new document copies.
    pub original_publisher: HashMap<String, Option<String>>,
    /// Stored documents whose original changed (a new document is earlier than their group's).
    pub changed: Vec<CopyChange>,
    /// What the search cost: stored candidates read, those whose words were compared, pairs
    /// compared by words.
    pub cost: (usize, usize, usize),
    /// Milliseconds reading bands, reading candidates, filing them, and comparing.
    pub ms: (u64, u64, u64, u64),
}

impl Copies {
    /// The band keys a new document is filed under: its own when it is an original, none
    /// when it is a copy (found through its original).
    pub fn bands_of(&self, sha256: &str, sketch: Option<&Sketch>) -> Vec<i64> {
        match (self.copy_of.get(sha256), sketch) {
            (Some(Some(_)), _) | (_, None) => Vec::new(),
            (_, Some(s)) => s.band_keys(),
        }
    }
}

/// Where a document stands in the order originals are chosen in (`earliest`).
type Seniority = (bool, Option<Date>, bool, String);

/// The order originals are chosen in: the earliest published first (undated last), on one day
/// a wire service before those that reprint it, then by hash.
fn earliest(published: Option<Date>, wire: bool, sha256: &str) -> Seniority {
    (published.is_none(), published, !wire, sha256.to_string())
}

struct Node {
    sha256: String,
    published: Option<Date>,
    publisher: Option<String>,
    copy_of: Option<String>,
    sketch: Option<Sketch>,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// The publishers the registry calls wire services, by lower-case name.
pub(crate) async fn wire_services(
    tx: &mut dyn RecordTx,
) -> Result<std::collections::HashSet<String>, PipelineError> {
    Ok(tx
        .publishers()
        .await?
        .into_iter()
        .filter(|p| p.kind == model::SourceKind::Wire)
        .map(|p| p.name.to_lowercase())
        .collect())
}

/// Finds the copies of `new` among themselves and in the store.
/// `is_wire` says whether a publisher is a wire service (from the registry).
///
/// Only originals are filed by band, and a band filed under more than
/// `copies::COMMON_BAND` originals is not used, so each new document is compared with at most
/// `BANDS * COMMON_BAND` others, first by sketch and only then by words: the cost per document
/// does not grow with the store.
pub(crate) async fn detect(
    tx: &mut dyn RecordTx,
    new: &[NewText<'_>],
    is_wire: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Copies, PipelineError> {
    let mut out = Copies::default();
    let bands: Vec<Vec<i64>> = new
        .iter()
        .map(|d| d.sketch.as_ref().map(Sketch::band_keys).unwrap_or_default())
        .collect();
    let all: BTreeSet<i64> = bands.iter().flatten().copied().collect();
    let all: Vec<i64> = all.into_iter().collect();
    let clock = std::time::Instant::now();
    let lap = |last: &mut u128| {
        let now = clock.elapsed().as_millis();
        let d = now - *last;
        *last = now;
        d as u64
    };
    let mut last = 0u128;
    let filed = if all.is_empty() {
        store::BandFiles::new()
    } else {
        tx.band_members(&all, copies::COMMON_BAND).await?
    };
    // Each new document's band finds the originals published within its reprint window (and
    // the undated; an undated document finds every one).
    let in_window = |i: usize, day: i64| match new[i].published {
        Some(d) => day == store::UNDATED || (d.to_days() - day).abs() <= copies::REPRINT_DAYS,
        None => true,
    };
    let mut wanted_shas: BTreeSet<&String> = BTreeSet::new();
    for (i, b) in bands.iter().enumerate() {
        for k in b {
            for (sha, day) in filed.get(k).into_iter().flatten().flatten() {
                if in_window(i, *day) {
                    wanted_shas.insert(sha);
                }
            }
        }
    }
    out.ms.0 = lap(&mut last);
    let stored_shas: Vec<String> = wanted_shas.into_iter().cloned().collect();
    let mut stored = if stored_shas.is_empty() {
        Vec::new()
    } else {
        tx.copy_candidates(&stored_shas, &[]).await?
    };
    out.ms.1 = lap(&mut last);
    // The stored documents' words, by node (their rows came with them).
    let stored_texts: Vec<String> = stored
        .iter_mut()
        .map(|c| std::mem::take(&mut c.text))
        .collect();

    // Nodes: the new documents, then the stored candidates.
    let mut nodes: Vec<Node> = new
        .iter()
        .map(|d| Node {
            sha256: d.sha256.to_string(),
            published: d.published,
            publisher: d.publisher.map(str::to_string),
            copy_of: None,
            sketch: d.sketch.clone(),
        })
        .collect();
    let first_stored = nodes.len();
    nodes.extend(stored.into_iter().map(|c| Node {
        sketch: c.sketch.as_deref().and_then(Sketch::decode),
        sha256: c.sha256,
        published: c.published,
        publisher: c.publisher,
        copy_of: c.copy_of,
    }));
    let mut index: HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.sha256.clone(), i))
        .collect();
    // The stored originals each new document's bands find (`None`: a common band).
    let found: Vec<Vec<Option<Vec<usize>>>> = bands
        .iter()
        .enumerate()
        .map(|(i, b)| {
            b.iter()
                .map(|k| {
                    filed.get(k).cloned().flatten().map(|shas| {
                        shas.iter()
                            .filter(|(_, day)| in_window(i, *day))
                            .filter_map(|(m, _)| index.get(m).copied())
                            .collect()
                    })
                })
                .collect()
        })
        .collect();
    let near = |a: usize, b: usize, nodes: &[Node]| match (&nodes[a].sketch, &nodes[b].sketch) {
        (Some(x), Some(y)) => {
            copies::within_reprint_window(nodes[a].published, nodes[b].published)
                && copies::estimate(x, y) >= copies::SCREEN
        }
        _ => false,
    };
    out.cost.0 = nodes.len() - first_stored;
    out.ms.2 = lap(&mut last);
    let mut prints: HashMap<usize, copies::Fingerprint> = HashMap::new();
    let mut print_of = |i: usize| -> copies::Fingerprint {
        prints
            .entry(i)
            .or_insert_with(|| {
                let text = if i < first_stored {
                    new[i].text
                } else {
                    stored_texts
                        .get(i - first_stored)
                        .map(String::as_str)
                        .unwrap_or_default()
                };
                copies::Fingerprint::of(text)
            })
            .clone()
    };

    // New documents in the order originals are chosen, so an original is filed before its
    // copies; a new document that copies none is filed under its bands for those after it,
    // and leaves each band's file when it falls out of the reprint window.
    let mut order: Vec<usize> = (0..first_stored).collect();
    let seniority = |n: &Node| {
        earliest(
            n.published,
            n.publisher.as_deref().is_some_and(is_wire),
            &n.sha256,
        )
    };
    order.sort_by_cached_key(|&i| seniority(&nodes[i]));
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    let mut linked = vec![false; nodes.len()];
    let mut tried: std::collections::HashSet<(usize, usize)> = Default::default();
    let mut batch: HashMap<i64, VecDeque<usize>> = HashMap::new();
    let mut words_read: BTreeSet<usize> = BTreeSet::new();
    for &i in &order {
        let mut copies_one = false;
        for (b, k) in bands[i].iter().enumerate() {
            let Some(stored) = &found[i][b] else {
                continue; // common in the store
            };
            let recent = batch.entry(*k).or_default();
            if let Some(day) = nodes[i].published.map(Date::to_days) {
                while recent.front().is_some_and(|&m| {
                    nodes[m]
                        .published
                        .is_some_and(|p| p.to_days() < day - copies::REPRINT_DAYS)
                }) {
                    recent.pop_front();
                }
            }
            if stored.len() + recent.len() > copies::COMMON_BAND {
                continue; // common among these
            }
            let members: Vec<usize> = stored.iter().chain(recent.iter()).copied().collect();
            for m in members {
                if !tried.insert((i, m)) || !near(i, m, &nodes) {
                    continue;
                }
                out.cost.2 += 1;
                if m >= first_stored {
                    words_read.insert(m);
                }
                let (a, b) = (print_of(i), print_of(m));
                if a.copies(&b) {
                    copies_one = true;
                    linked[i] = true;
                    linked[m] = true;
                    let (ra, rb) = (find(&mut parent, i), find(&mut parent, m));
                    parent[ra] = rb;
                }
            }
        }
        if !copies_one {
            for k in &bands[i] {
                batch.entry(*k).or_default().push_back(i);
            }
        }
    }
    out.ms.3 = lap(&mut last);
    out.cost.1 = words_read.len();
    for d in new {
        out.copy_of.insert(d.sha256.to_string(), None);
    }
    if !linked.iter().any(|l| *l) {
        return Ok(out);
    }

    // The stored groups the new copies reach, whose members are read: a group's members
    // change only when it joins another or a new document is earlier than its original. A new
    // reprint of a story reprinted ten thousand times reads none of them.
    let root_of = |n: &Node| n.copy_of.clone().unwrap_or_else(|| n.sha256.clone());
    let mut reached: HashMap<usize, (BTreeSet<String>, Option<Seniority>)> = HashMap::new();
    for i in (0..nodes.len()).filter(|&i| linked[i]) {
        let group = find(&mut parent, i);
        let (roots, first_new) = reached.entry(group).or_default();
        if i >= first_stored {
            roots.insert(root_of(&nodes[i]));
        } else {
            let key = seniority(&nodes[i]);
            if first_new.as_ref().is_none_or(|k| key < *k) {
                *first_new = Some(key);
            }
        }
    }
    let mut roots: Vec<String> = Vec::new();
    for (stored_roots, first_new) in reached.into_values() {
        let settled = match stored_roots.iter().collect::<Vec<_>>().as_slice() {
            [one] => index.get(*one).is_some_and(|&r| {
                nodes[r].copy_of.is_none()
                    && first_new.as_ref().is_none_or(|k| seniority(&nodes[r]) < *k)
            }),
            _ => stored_roots.is_empty(),
        };
        if !settled {
            roots.extend(stored_roots);
        }
    }
    roots.sort();
    roots.dedup();
    let members = if roots.is_empty() {
        Vec::new()
    } else {
        tx.copy_candidates(&[], &roots).await?
    };
    for m in members {
        if !index.contains_key(&m.sha256) {
            index.insert(m.sha256.clone(), nodes.len());
            parent.push(nodes.len());
            linked.push(true);
            nodes.push(Node {
                sketch: m.sketch.as_deref().and_then(Sketch::decode),
                sha256: m.sha256,
                published: m.published,
                publisher: m.publisher,
                copy_of: m.copy_of,
            });
        }
    }
    // A stored copy and its original are one group already.
    let stored_links: Vec<(usize, usize)> = nodes
        .iter()
        .enumerate()
        .skip(first_stored)
        .filter_map(|(i, n)| {
            let root = n.copy_of.as_ref()?;
            index.get(root).map(|&r| (i, r))
        })
        .collect();
    for (i, r) in stored_links {
        linked[i] = true;
        linked[r] = true;
        let (a, b) = (find(&mut parent, i), find(&mut parent, r));
        parent[a] = b;
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, _) in linked.iter().enumerate().filter(|(_, l)| **l) {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    for members in groups.values() {
        let Some(&original) = members.iter().min_by_key(|&&i| seniority(&nodes[i])) else {
            continue;
        };
        let original_sha = nodes[original].sha256.clone();
        for &i in members {
            let want = (i != original).then(|| original_sha.clone());
            if i < first_stored {
                if want.is_some() {
                    out.original_publisher
                        .insert(original_sha.clone(), nodes[original].publisher.clone());
                }
                out.copy_of.insert(nodes[i].sha256.clone(), want);
            } else if nodes[i].copy_of != want {
                out.changed.push(CopyChange {
                    sha256: nodes[i].sha256.clone(),
                    copy_of: want,
                    bands: nodes[i]
                        .sketch
                        .as_ref()
                        .map(Sketch::band_keys)
                        .unwrap_or_default(),
                });
            }
        }
    }
    out.changed.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    Ok(out)
}
