//! Copy detection across the whole store, inside a group's transaction: each new document's
//! sketch is looked up by its band keys (an indexed read, never a scan), candidates are checked
//! on their words, and each group of copies takes the earliest document (by publication date,
//! then hash) as its original, so the groups do not depend on the order documents came in.

use std::collections::{BTreeSet, HashMap};

use merge::copies::{self, Sketch};
use model::Date;
use store::{CopyCandidate, RecordTx};

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
    pub changed: Vec<(String, Option<String>)>,
}

/// The order originals are chosen in: the earliest published first (undated last), on one day
/// a wire service before those that reprint it, then by hash.
fn earliest(
    published: Option<Date>,
    wire: bool,
    sha256: &str,
) -> (bool, Option<Date>, bool, String) {
    (published.is_none(), published, !wire, sha256.to_string())
}

struct Node {
    sha256: String,
    published: Option<Date>,
    publisher: Option<String>,
    copy_of: Option<String>,
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
pub(crate) async fn detect(
    tx: &mut dyn RecordTx,
    new: &[NewText<'_>],
    is_wire: &dyn Fn(&str) -> bool,
) -> Result<Copies, PipelineError> {
    let mut out = Copies::default();
    let bands: Vec<Vec<i64>> = new
        .iter()
        .map(|d| d.sketch.as_ref().map(Sketch::band_keys).unwrap_or_default())
        .collect();
    let all: BTreeSet<i64> = bands.iter().flatten().copied().collect();
    let all: Vec<i64> = all.into_iter().collect();
    let stored: Vec<CopyCandidate> = if all.is_empty() {
        Vec::new()
    } else {
        tx.copy_candidates(&all, &[]).await?
    };

    // Nodes: the new documents, then the stored candidates.
    let mut nodes: Vec<Node> = new
        .iter()
        .map(|d| Node {
            sha256: d.sha256.to_string(),
            published: d.published,
            publisher: d.publisher.map(str::to_string),
            copy_of: None,
        })
        .collect();
    let mut by_band: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, b) in bands.iter().enumerate() {
        for k in b {
            by_band.entry(*k).or_default().push(i);
        }
    }
    let first_stored = nodes.len();
    for (j, c) in stored.iter().enumerate() {
        for k in &c.bands {
            by_band.entry(*k).or_default().push(first_stored + j);
        }
        nodes.push(Node {
            sha256: c.sha256.clone(),
            published: c.published,
            publisher: c.publisher.clone(),
            copy_of: c.copy_of.clone(),
        });
    }
    let stored_sketches: Vec<Option<Sketch>> = stored
        .iter()
        .map(|c| c.sketch.as_deref().and_then(Sketch::decode))
        .collect();
    let sketch = |i: usize| -> Option<&Sketch> {
        if i < first_stored {
            new[i].sketch.as_ref()
        } else {
            stored_sketches[i - first_stored].as_ref()
        }
    };
    let text = |i: usize| -> &str {
        if i < first_stored {
            new[i].text
        } else {
            &stored[i - first_stored].text
        }
    };
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    let mut linked = vec![false; nodes.len()];
    // Each pair that shares a band, once, with a new document in it.
    let mut tried: BTreeSet<(usize, usize)> = BTreeSet::new();
    for members in by_band.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                let pair = (a.min(b), a.max(b));
                if pair.0 >= first_stored || pair.0 == pair.1 || !tried.insert(pair) {
                    continue;
                }
                // Sketches screen first; only near ones have their words compared.
                let near = match (sketch(pair.0), sketch(pair.1)) {
                    (Some(a), Some(b)) => copies::estimate(a, b) >= copies::SCREEN,
                    _ => true,
                };
                if near && copies::is_copy(text(pair.0), text(pair.1)) {
                    linked[pair.0] = true;
                    linked[pair.1] = true;
                    let (ra, rb) = (find(&mut parent, pair.0), find(&mut parent, pair.1));
                    parent[ra] = rb;
                }
            }
        }
    }
    if !linked[..first_stored].iter().any(|l| *l) {
        for d in new {
            out.copy_of.insert(d.sha256.to_string(), None);
        }
        return Ok(out);
    }

    // The stored groups the new copies reach: every member of each, originals included.
    let roots: BTreeSet<String> = (first_stored..nodes.len())
        .filter(|&i| linked[i])
        .map(|i| {
            nodes[i]
                .copy_of
                .clone()
                .unwrap_or_else(|| nodes[i].sha256.clone())
        })
        .collect();
    let roots: Vec<String> = roots.into_iter().collect();
    let members = tx.copy_candidates(&[], &roots).await?;
    let mut index: HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.sha256.clone(), i))
        .collect();
    for m in members {
        if !index.contains_key(&m.sha256) {
            index.insert(m.sha256.clone(), nodes.len());
            parent.push(nodes.len());
            linked.push(true);
            nodes.push(Node {
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
        let (a, b) = (find(&mut parent, i), find(&mut parent, r));
        parent[a] = b;
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, _) in linked.iter().enumerate().filter(|(_, l)| **l) {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    for members in groups.values() {
        let Some(&original) = members.iter().min_by_key(|&&i| {
            let n = &nodes[i];
            earliest(
                n.published,
                n.publisher.as_deref().is_some_and(is_wire),
                &n.sha256,
            )
        }) else {
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
                out.changed.push((nodes[i].sha256.clone(), want));
            }
        }
    }
    for d in new {
        out.copy_of.entry(d.sha256.to_string()).or_insert(None);
    }
    out.changed.sort();
    Ok(out)
}
