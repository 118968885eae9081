//! Evidence packages: one incident's sources (their original bytes), the text ombud read from
//! each, its claims with the words behind every field, its grade and reasons, the decisions
//! people took about it, the log's signed checkpoint and key, and the inclusion proof of every
//! source and decision against that checkpoint: a folder (or a zip of one) that a court can
//! check with `sha256sum`, `openssl` and the RFC 9162 steps, or with `ombud verify-evidence`,
//! without the database and without a network.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use model::{Decision, Incident};
use serde::{Deserialize, Serialize};

use crate::{Checkpoint, InclusionProof, OMBUD_VERSION, PipelineError, Service};

/// The first field of every manifest: a reader refuses a format it does not know.
pub const PACKAGE_FORMAT: &str = "ombud-evidence 1";

const MANIFEST: &str = "manifest.json";
const SUMS: &str = "SHA256SUMS";
const CHECKPOINT: &str = "checkpoint";
const KEY: &str = "log-key.vkey";
const PEM: &str = "log-key.pem";
const INCIDENT: &str = "incident.json";
const CLAIMS: &str = "claims.json";
const README: &str = "README.txt";

/// The package's table of contents, `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// When the package was made (RFC 3339, UTC) and by which ombud.
    pub made_at: String,
    pub made_with: String,
    /// The incident's id (the live one when an alias was asked for).
    pub incident: String,
    pub log: LogEntry,
    pub sources: Vec<SourceEntry>,
    pub decisions: Vec<DecisionEntry>,
}

/// The log the proofs lead to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The log's name, the first line of its checkpoints.
    pub name: String,
    /// The key its checkpoints are signed with (a C2SP verifier key).
    pub verifier_key: String,
    pub checkpoint: Checkpoint,
    /// The signed checkpoint (a C2SP signed note), the key, and the key as PEM for openssl.
    pub checkpoint_file: String,
    pub key_file: String,
    pub pem_file: String,
    /// The statements that handed the log from key to key, oldest first, each a leaf with its
    /// proof: a person holding an earlier key checks the checkpoint through them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rotations: Vec<RotationEntry>,
}

/// A key rotation statement in a package (`keys/rotation-<sha256>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RotationEntry {
    pub file: String,
    pub sha256: String,
    pub old_key: String,
    pub new_key: String,
    pub leaf_index: u64,
    pub inclusion_proof: Vec<String>,
}

/// One source: its original bytes, the text read from them, its proof and how it was collected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceEntry {
    pub sha256: String,
    pub bytes: u64,
    /// The original bytes, named by their SHA-256.
    pub file: String,
    /// The text ombud read from them, which every claim's spans index into (UTF-8).
    pub text_file: String,
    pub text_sha256: String,
    /// The source this one is a near-copy of (a reprint of a wire story), when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<String>,
    /// Its leaf in the log and the audit path from that leaf to the checkpoint's root (hex).
    pub leaf_index: u64,
    pub inclusion_proof: Vec<String>,
    pub collection: Collection,
    /// The ids of the incident's claims read from it.
    pub claims: Vec<String>,
}

/// The collection record of a source, in the terms of the Berkeley Protocol on Digital Open
/// Source Investigations (identification, collection, preservation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    /// Its unique identifier: the SHA-256 of its bytes.
    pub identifier: String,
    pub hash_algorithm: String,
    /// Where the bytes came from when collected: a path (with `:line` for one line of a JSON
    /// Lines file or one item of a feed) or `-` for standard input.
    pub source_location: String,
    /// The web address the source itself gives, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When ombud received the bytes (RFC 3339, UTC).
    pub collected_at: String,
    /// Who collected them: the account that uploaded them, when they came through the web.
    pub collected_by: String,
    /// The tool and the reader that read them.
    pub collection_tool: String,
    pub format: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// One human decision about the incident, as logged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionEntry {
    pub id: String,
    pub summary: String,
    pub reviewer: String,
    pub at: String,
    pub note: String,
    /// The logged bytes of the decision and their proof; absent for a decision recorded before
    /// ombud logged decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf_index: Option<u64>,
    #[serde(default)]
    pub inclusion_proof: Vec<String>,
}

/// One claim as `claims.json` gives it: its sentence and the words behind each field, each as
/// a byte range of its source's text and the words found there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimEntry {
    pub id: String,
    pub source: String,
    pub stance: String,
    pub sub_event_type: String,
    pub quote: Quoted,
    pub fields: Vec<FieldEntry>,
    /// The claim as ombud's extraction contract gives it (every span, every value).
    pub claim: serde_json::Value,
}

/// Words of a source's text: their byte range `[start, end)` and what is there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quoted {
    pub start: usize,
    pub end: usize,
    pub words: String,
}

/// The words behind one field of a claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldEntry {
    pub field: String,
    /// What ombud read there ("place Barda (40.38, 47.12)").
    pub read_as: String,
    #[serde(flatten)]
    pub words: Quoted,
}

/// What making a package wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageSummary {
    pub incident: String,
    pub sources: usize,
    pub decisions: usize,
    pub claims: usize,
    pub files: usize,
    pub bytes: u64,
    pub checkpoint: Checkpoint,
}

/// Where a package goes: a new folder, or a zip file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackageTarget {
    Dir(PathBuf),
    Zip(PathBuf),
}

impl PackageTarget {
    fn path(&self) -> &Path {
        match self {
            PackageTarget::Dir(p) | PackageTarget::Zip(p) => p,
        }
    }
}

/// Files being written: built beside the target and renamed into place whole, so a crash or
/// an error leaves no half package under the target's name.
enum Sink {
    Dir {
        tmp: PathBuf,
    },
    Zip {
        tmp: PathBuf,
        zip: Box<zip::ZipWriter<std::fs::File>>,
    },
}

impl Sink {
    fn start(target: &PackageTarget) -> Result<Sink, PipelineError> {
        let path = target.path();
        let exists = match target {
            PackageTarget::Dir(p) => std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_some()),
            PackageTarget::Zip(p) => p.exists(),
        };
        if exists {
            return Err(PipelineError::BadArgument(format!(
                "{}: already exists; an evidence package is written once, to a new name",
                path.display()
            )));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "evidence".to_string());
        let tmp = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let io = |source| PipelineError::Io {
            path: tmp.clone(),
            source,
        };
        match target {
            PackageTarget::Dir(_) => {
                let _ = std::fs::remove_dir_all(&tmp);
                std::fs::create_dir_all(&tmp).map_err(io)?;
                Ok(Sink::Dir { tmp })
            }
            PackageTarget::Zip(_) => {
                let file = std::fs::File::create(&tmp).map_err(io)?;
                Ok(Sink::Zip {
                    zip: Box::new(zip::ZipWriter::new(file)),
                    tmp,
                })
            }
        }
    }

    fn put(&mut self, name: &str, bytes: &[u8]) -> Result<(), PipelineError> {
        match self {
            Sink::Dir { tmp } => {
                let path = tmp.join(name);
                let io = |source| PipelineError::Io {
                    path: path.clone(),
                    source,
                };
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io)?;
                }
                std::fs::write(&path, bytes).map_err(io)
            }
            Sink::Zip { tmp, zip } => {
                let io = |e: std::io::Error| PipelineError::Io {
                    path: tmp.clone(),
                    source: e,
                };
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .large_file(bytes.len() as u64 >= u32::MAX as u64);
                zip.start_file(format!("evidence/{name}"), options)
                    .map_err(|e| io(std::io::Error::other(e)))?;
                zip.write_all(bytes).map_err(io)
            }
        }
    }

    fn finish(self, target: &PackageTarget) -> Result<(), PipelineError> {
        let dest = target.path();
        let (tmp, result) = match self {
            Sink::Dir { tmp } => {
                // An empty folder given as the target is replaced.
                let _ = std::fs::remove_dir(dest);
                let r = std::fs::rename(&tmp, dest);
                (tmp, r)
            }
            Sink::Zip { tmp, zip } => {
                let file = zip.finish().map_err(|e| PipelineError::Io {
                    path: tmp.clone(),
                    source: std::io::Error::other(e),
                })?;
                let r = file.sync_all().and_then(|_| std::fs::rename(&tmp, dest));
                (tmp, r)
            }
        };
        result.map_err(|source| PipelineError::Io { path: tmp, source })
    }

    fn abandon(self) {
        match self {
            Sink::Dir { tmp } => {
                let _ = std::fs::remove_dir_all(tmp);
            }
            Sink::Zip { tmp, .. } => {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

impl Service {
    /// Writes the evidence package of one incident (by id, alias or unique prefix). The log's
    /// checkpoint is signed now (so the package's proofs lead to a checkpoint signed for it),
    /// which records it as the checkpoint signed last.
    pub async fn export_evidence(
        &self,
        incident: &str,
        target: &PackageTarget,
        made_at: &str,
    ) -> Result<PackageSummary, PipelineError> {
        let detail = self.incident(incident).await?;
        let history = self.history(&detail.incident.id.0).await?;
        // Sources: every document a claim was read from, then the originals of copies.
        let mut order: Vec<String> = Vec::new();
        let mut claims_of: HashMap<String, Vec<String>> = HashMap::new();
        for c in &detail.claims {
            let doc = c.id.document.clone();
            if !claims_of.contains_key(&doc) {
                order.push(doc.clone());
            }
            claims_of.entry(doc).or_default().push(c.id.to_string());
        }
        let mut docs = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let d = self.document(&order[i]).await?;
            if let Some(original) = &d.copy_of
                && !order.contains(original)
            {
                order.push(original.clone());
            }
            docs.push(d);
            i += 1;
        }
        let uploads: HashMap<String, String> = self
            .decisions()
            .await?
            .into_iter()
            .filter_map(|d| match d.action {
                model::Action::Upload { sha256, .. } => Some((sha256, d.reviewer)),
                _ => None,
            })
            .collect();
        let logged: Vec<&Decision> = history.iter().filter(|d| d.leaf.is_some()).collect();
        let mut digests: Vec<String> = docs.iter().map(|d| d.sha256.clone()).collect();
        digests.extend(logged.iter().filter_map(|d| d.leaf.clone()));
        let archive = self.archive()?;
        let verifier_key = archive.verifier_key()?;
        let chain = archive.key_chain()?;
        digests.extend(chain.iter().map(|(sha, _)| sha.clone()));
        let (note, proofs) = archive.signed_proofs(&digests)?;
        let proof_of: HashMap<&str, &InclusionProof> =
            proofs.iter().map(|p| (p.sha256.as_str(), p)).collect();
        let checkpoint = proofs
            .first()
            .map(|p| p.checkpoint.clone())
            .unwrap_or(archive.checkpoint()?);
        let name = note.lines().next().unwrap_or_default().to_string();

        let mut sink = Sink::start(target)?;
        let mut files: BTreeMap<String, (String, u64)> = BTreeMap::new();
        let result: Result<Manifest, PipelineError> = async {
            let mut put = |sink: &mut Sink, name: &str, bytes: &[u8]| {
                files.insert(
                    name.to_string(),
                    (archive::sha256_hex(bytes), bytes.len() as u64),
                );
                sink.put(name, bytes)
            };
            let mut sources = Vec::new();
            for d in &docs {
                let bytes = archive.get(&d.sha256)?;
                if archive::sha256_hex(&bytes) != d.sha256 {
                    return Err(PipelineError::BadArgument(format!(
                        "{}: its archived bytes no longer hash to their name; `ombud verify` says more",
                        d.sha256
                    )));
                }
                let file = format!("sources/{}", d.sha256);
                put(&mut sink, &file, &bytes)?;
                let text = d.text.clone().unwrap_or_default();
                let text_file = format!("texts/{}.txt", d.sha256);
                put(&mut sink, &text_file, text.as_bytes())?;
                let proof = proof_of[d.sha256.as_str()];
                sources.push(SourceEntry {
                    sha256: d.sha256.clone(),
                    bytes: bytes.len() as u64,
                    file,
                    text_file,
                    text_sha256: archive::sha256_hex(text.as_bytes()),
                    copy_of: d.copy_of.clone(),
                    leaf_index: proof.index,
                    inclusion_proof: proof.path.clone(),
                    collection: Collection {
                        identifier: d.sha256.clone(),
                        hash_algorithm: "SHA-256".to_string(),
                        source_location: d.origin.clone(),
                        url: d.meta.url.clone(),
                        collected_at: d.retrieved_at.clone(),
                        collected_by: d
                            .collected_by
                            .clone()
                            .or_else(|| uploads.get(&d.sha256).cloned())
                            .unwrap_or_else(|| {
                                "not recorded: ingested before ombud recorded who collected a document"
                                    .to_string()
                            }),
                        collection_tool: format!("ombud {} ({} reader)", d.ombud_version, d.format),
                        format: d.format.clone(),
                        publisher: d.meta.publisher.clone(),
                        published: d.meta.published.map(|p| p.to_string()),
                        title: d.meta.title.clone(),
                        language: d.meta.language.clone(),
                    },
                    claims: claims_of.get(&d.sha256).cloned().unwrap_or_default(),
                });
            }
            let mut decisions = Vec::new();
            for d in &history {
                let mut entry = DecisionEntry {
                    id: d.id.to_string(),
                    summary: d.action.describe(),
                    reviewer: d.reviewer.clone(),
                    at: d.at.clone(),
                    note: d.note.clone(),
                    sha256: None,
                    file: None,
                    leaf_index: None,
                    inclusion_proof: Vec::new(),
                };
                if let Some(leaf) = &d.leaf {
                    let bytes = archive.get(leaf)?;
                    let file = format!("decisions/{leaf}");
                    put(&mut sink, &file, &bytes)?;
                    let proof = proof_of[leaf.as_str()];
                    entry.sha256 = Some(leaf.clone());
                    entry.file = Some(file);
                    entry.leaf_index = Some(proof.index);
                    entry.inclusion_proof = proof.path.clone();
                }
                decisions.push(entry);
            }
            let texts: HashMap<&str, &str> = docs
                .iter()
                .map(|d| (d.sha256.as_str(), d.text.as_deref().unwrap_or("")))
                .collect();
            let claims: Vec<ClaimEntry> = detail
                .claims
                .iter()
                .map(|c| claim_entry(c, texts.get(c.id.document.as_str()).copied().unwrap_or("")))
                .collect();
            put(&mut sink, CLAIMS, &pretty(&claims)?)?;
            put(&mut sink, INCIDENT, &pretty(&detail.incident)?)?;
            put(&mut sink, CHECKPOINT, note.as_bytes())?;
            put(&mut sink, KEY, format!("{verifier_key}\n").as_bytes())?;
            let pem = ledger::public_key_pem(&verifier_key)
                .map_err(|e| PipelineError::BadArgument(format!("the log's key: {e}")))?;
            put(&mut sink, PEM, pem.as_bytes())?;
            let mut rotations = Vec::new();
            for (sha, r) in &chain {
                let file = format!("keys/rotation-{sha}");
                put(&mut sink, &file, &archive.get(sha)?)?;
                let proof = proof_of.get(sha.as_str()).ok_or_else(|| {
                    PipelineError::BadArgument(format!("the key rotation {sha} has no proof"))
                })?;
                rotations.push(RotationEntry {
                    file,
                    sha256: sha.clone(),
                    old_key: r.old_key.clone(),
                    new_key: r.new_key.clone(),
                    leaf_index: proof.index,
                    inclusion_proof: proof.path.clone(),
                });
            }
            let manifest = Manifest {
                format: PACKAGE_FORMAT.to_string(),
                made_at: made_at.to_string(),
                made_with: format!("ombud {OMBUD_VERSION}"),
                incident: detail.incident.id.0.clone(),
                log: LogEntry {
                    name: name.clone(),
                    verifier_key: verifier_key.clone(),
                    checkpoint: checkpoint.clone(),
                    checkpoint_file: CHECKPOINT.to_string(),
                    key_file: KEY.to_string(),
                    pem_file: PEM.to_string(),
                    rotations,
                },
                sources,
                decisions,
            };
            put(&mut sink, MANIFEST, &pretty(&manifest)?)?;
            let readme = readme(&manifest, &detail.incident, claims.len());
            put(&mut sink, README, readme.as_bytes())?;
            Ok(manifest)
        }
        .await;
        let manifest = match result {
            Ok(m) => m,
            Err(e) => {
                sink.abandon();
                return Err(e);
            }
        };
        let sums: String = files
            .iter()
            .map(|(name, (sha, _))| format!("{sha}  {name}\n"))
            .collect();
        let bytes = files.values().map(|(_, n)| n).sum::<u64>() + sums.len() as u64;
        if let Err(e) = sink.put(SUMS, sums.as_bytes()) {
            sink.abandon();
            return Err(e);
        }
        sink.finish(target)?;
        Ok(PackageSummary {
            incident: manifest.incident,
            sources: manifest.sources.len(),
            decisions: manifest.decisions.len(),
            claims: detail.claims.len(),
            files: files.len() + 1,
            bytes,
            checkpoint,
        })
    }
}

fn pretty<T: Serialize>(value: &T) -> Result<Vec<u8>, PipelineError> {
    let mut out = serde_json::to_vec_pretty(value)
        .map_err(|e| PipelineError::BadArgument(format!("cannot write JSON: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

fn quoted(text: &str, span: model::Span) -> Quoted {
    Quoted {
        start: span.start,
        end: span.end,
        words: text.get(span.start..span.end).unwrap_or("").to_string(),
    }
}

fn claim_entry(c: &store::StoredClaim, text: &str) -> ClaimEntry {
    let fields = crate::marks::marks(&[&c.claim])
        .into_iter()
        .map(|m| FieldEntry {
            field: m.field.as_str().to_string(),
            // Marks are numbered by claim ("1:place ..."); one claim needs no number.
            read_as: m
                .label
                .split_once(':')
                .map_or(m.label.clone(), |(_, l)| l.to_string()),
            words: quoted(text, m.span),
        })
        .collect();
    ClaimEntry {
        id: c.id.to_string(),
        source: c.id.document.clone(),
        stance: c.claim.stance.to_string(),
        sub_event_type: c.claim.sub_event_type.to_string(),
        quote: quoted(text, c.claim.sentence),
        fields,
        claim: serde_json::to_value(&c.claim).unwrap_or_default(),
    }
}

/// The README a lawyer reads first: what is in the package and how to check it by hand.
fn readme(m: &Manifest, incident: &Incident, n_claims: usize) -> String {
    let mut sources = String::new();
    for s in &m.sources {
        let who = s
            .collection
            .publisher
            .clone()
            .unwrap_or_else(|| "publisher not known".to_string());
        let copy = s
            .copy_of
            .as_ref()
            .map(|o| format!(", a copy of {}", &o[..12.min(o.len())]))
            .unwrap_or_default();
        sources.push_str(&format!(
            "  {}  {} ({} bytes), {}{copy}; collected {} from {}\n",
            s.file,
            s.collection.format,
            s.bytes,
            who,
            s.collection.collected_at,
            s.collection.source_location
        ));
    }
    let decisions = if m.decisions.is_empty() {
        "  (none: nobody has reviewed this incident)\n".to_string()
    } else {
        m.decisions
            .iter()
            .map(|d| {
                format!(
                    "  {}  {} by {} at {}: {}\n",
                    d.file
                        .as_deref()
                        .unwrap_or("(recorded before decisions were logged)"),
                    d.summary,
                    d.reviewer,
                    d.at,
                    d.note
                )
            })
            .collect()
    };
    let first = m.sources.first();
    format!(
        "EVIDENCE PACKAGE: INCIDENT {id}
{rule}

Made by {with} on {at}. {what}, {when}; graded \"{grade}\".

This folder holds everything ombud knows about this incident and the means to check, without
ombud and without trusting whoever handed it to you, that the sources are exactly the bytes that
were collected and that they were recorded in a tamper-evident log by the time of its checkpoint.

WHAT IS HERE

  README.txt        this text
  manifest.json     the table of contents, for programs: every source with its SHA-256, how and
                    when it was collected, and its proof; every decision with its proof
  incident.json     the incident as ombud states it: date, places, weapons, alleged
                    perpetrators, harm, the grade and the reasons for it (each naming its claims)
  claims.json       the {n_claims} claims behind it: who says what (alleges, confirms, denies, reports),
                    the sentence quoted, and for every field the exact words it was read from
  sources/          the original bytes of each source, as collected, named by their SHA-256
  texts/            the text ombud read from each source; the quotes are byte ranges of it
  decisions/        each decision people took about the incident, exactly as it was logged
  checkpoint        the log's checkpoint (size and root), signed with the log's Ed25519 key
  log-key.vkey      the key that signed it (C2SP note verifier key); log-key.pem is the same key
                    for openssl
  keys/             (when the log changed keys) each statement by which a key handed the log
                    on to the next, signed by both, and itself in the log
  SHA256SUMS        the SHA-256 of every other file

Sources:
{sources}
Decisions:
{decisions}
HOW TO CHECK IT BY HAND

1. Nothing in the folder changed since it was made:

     sha256sum -c SHA256SUMS

   Every line must say OK. Each file in sources/ and decisions/ is also named by its own
   SHA-256, so `sha256sum sources/*` prints each name twice.

2. The checkpoint was signed by the log's key. Compare the key in log-key.vkey with the one the
   organisation that keeps the log published (a key inside the package alone proves nothing
   about who made it). Then:

     head -n 3 checkpoint > signed.txt
     tail -n 1 checkpoint | cut -d' ' -f3 | base64 -d | tail -c 64 > signature.bin
     openssl pkeyutl -verify -pubin -inkey log-key.pem -rawin -in signed.txt -sigfile signature.bin

   It must print \"Signature Verified Successfully\". The checkpoint's three lines are the log's
   name ({name}), its size ({size} entries) and its root hash, in base64
   ({root} in hex).

3. Each source and decision is in the log (RFC 9162, section 2.1.3.2, the audit path used by
   Certificate Transparency). For a file F, manifest.json gives its leaf_index and its
   inclusion_proof, a list of SHA-256 hashes in hex. With H(x) the SHA-256 of the bytes x and
   || joining bytes:

     a. d = H(contents of F), the 32 bytes its name spells.
     b. r = H(0x00 || d), the hash of its leaf.
     c. Let fn = leaf_index and sn = size - 1 (size as in step 2).
     d. For each hash p of the path, in order: if sn is 0, stop (the proof is too long: fail).
        If fn is odd, or fn equals sn: r = H(0x01 || p || r); then, while fn is even and not
        0, halve fn and sn (drop their lowest bit). Otherwise r = H(0x01 || r || p). Then
        halve fn and sn once.
     e. At the end sn must be 0 and r must equal the checkpoint's root.

   For example, the first source, {first_file}, is leaf {first_index} of {size}.

4. The quotes are the sources' words: each claim in claims.json gives its sentence as a byte
   range [start, end) of texts/<its source's SHA-256>.txt and the words found there, and so does
   every field (who, where, when, what weapon, how many killed). Open the text at those bytes,
   or compare with the original in sources/.

`ombud verify-evidence FOLDER` does all of this (and reads every source again to check that its
text is what the bytes say) and names anything that fails; `--key` pins the key you trust.

ABOUT THE COLLECTION RECORD

manifest.json gives, for each source, what the Berkeley Protocol on Digital Open Source
Investigations asks a collector to record: a unique identifier and hash (SHA-256), the source's
location (the file, line or web address it came from), the time of collection, the collector,
and the tool that read it. ombud archives the bytes before it reads them and never changes
them; the log only grows, so a later checkpoint of the same log still proves these entries
(`ombud log --extends {size} {root}` on the log's keeper's side).

What ombud states is what the sources say, graded by how many independent origins say it; the
grade is not a finding of fact.
",
        id = m.incident,
        rule = "=".repeat(28 + m.incident.len()),
        with = m.made_with,
        at = m.made_at,
        what = incident.sub_event_type,
        when = incident.period_label(),
        grade = incident.grade,
        name = m.log.name,
        size = m.log.checkpoint.size,
        root = m.log.checkpoint.root,
        first_file = first.map_or("(none)", |s| s.file.as_str()),
        first_index = first.map_or(0, |s| s.leaf_index),
    )
}

/// What checking a package found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PackageReport {
    pub incident: String,
    pub log: String,
    pub checkpoint: Option<Checkpoint>,
    /// True when the checkpoint is signed by the key the person checking gave (not only by the
    /// key the package carries).
    pub key_given: bool,
    /// Key rotations followed from the key given to the key that signed the checkpoint.
    pub rotations_followed: usize,
    pub files: usize,
    pub sources: usize,
    pub decisions: usize,
    pub claims: usize,
    /// Sources whose text was read again from their bytes and matched the package's text.
    pub texts_rederived: usize,
    /// Sources read by another ombud version, whose text was not read again.
    pub texts_other_reader: usize,
    pub failures: Vec<PackageFailure>,
}

/// One thing in a package that does not check, and the file it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageFailure {
    pub file: String,
    pub problem: String,
}

/// A package's files, from a folder or a zip.
enum Files {
    Dir(PathBuf),
    Zip {
        names: BTreeMap<String, String>,
        zip: Box<zip::ZipArchive<std::fs::File>>,
    },
}

/// A package file name is relative, plain and inside the package.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
}

impl Files {
    fn open(path: &Path) -> Result<Files, PipelineError> {
        let io = |source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        };
        if path.is_dir() {
            return Ok(Files::Dir(path.to_path_buf()));
        }
        let file = std::fs::File::open(path).map_err(io)?;
        let zip = zip::ZipArchive::new(file).map_err(|e| {
            PipelineError::BadArgument(format!(
                "{}: neither a folder nor a zip file ({e})",
                path.display()
            ))
        })?;
        // Entries sit in one top folder (evidence/ as ombud writes them); names are read
        // relative to it.
        let mut names = BTreeMap::new();
        for full in zip.file_names() {
            let Ok(full) = full else { continue };
            if full.ends_with('/') {
                continue;
            }
            let short = full.split_once('/').map_or(&*full, |(_, rest)| rest);
            names.insert(short.to_string(), full.to_string());
        }
        Ok(Files::Zip {
            names,
            zip: Box::new(zip),
        })
    }

    fn names(&self) -> Vec<String> {
        match self {
            Files::Dir(root) => {
                let mut out = Vec::new();
                let mut stack = vec![root.clone()];
                while let Some(dir) = stack.pop() {
                    let Ok(entries) = std::fs::read_dir(&dir) else {
                        continue;
                    };
                    for e in entries.flatten() {
                        let p = e.path();
                        if p.is_dir() {
                            stack.push(p);
                        } else if let Ok(rel) = p.strip_prefix(root) {
                            out.push(rel.to_string_lossy().replace('\\', "/"));
                        }
                    }
                }
                out.sort();
                out
            }
            Files::Zip { names, .. } => names.keys().cloned().collect(),
        }
    }

    fn read(&mut self, name: &str) -> Result<Vec<u8>, String> {
        if !safe_name(name) {
            return Err(format!("{name:?} is not a plain name inside the package"));
        }
        match self {
            Files::Dir(root) => std::fs::read(root.join(name)).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => "missing".to_string(),
                _ => format!("cannot read: {e}"),
            }),
            Files::Zip { names, zip } => {
                let full = names.get(name).ok_or_else(|| "missing".to_string())?;
                let mut entry = zip.by_name(full).map_err(|e| format!("cannot read: {e}"))?;
                let mut out = Vec::new();
                entry
                    .read_to_end(&mut out)
                    .map_err(|e| format!("cannot read: {e}"))?;
                Ok(out)
            }
        }
    }
}

/// Checks an evidence package (a folder or a zip) with no database and no network: every
/// file against SHA256SUMS and its own name, the checkpoint's signature (against `key` when
/// given, else the key the package carries), every source's and decision's inclusion proof,
/// every decision's bytes, and every quoted word against its source's text, which is read again
/// from the source's bytes.
pub fn verify_evidence(path: &Path, key: Option<&str>) -> Result<PackageReport, PipelineError> {
    let mut files = Files::open(path)?;
    let mut report = PackageReport::default();
    let fail = |report: &mut PackageReport, file: &str, problem: String| {
        report.failures.push(PackageFailure {
            file: file.to_string(),
            problem,
        });
    };
    let manifest_bytes = match files.read(MANIFEST) {
        Ok(b) => b,
        Err(e) => {
            fail(&mut report, MANIFEST, e);
            return Ok(report);
        }
    };
    let manifest: Manifest = match serde_json::from_slice::<serde_json::Value>(&manifest_bytes) {
        Ok(v) if v.get("format").and_then(|f| f.as_str()) != Some(PACKAGE_FORMAT) => {
            fail(
                &mut report,
                MANIFEST,
                format!(
                    "not an evidence package of a format this ombud reads (expected {PACKAGE_FORMAT:?})"
                ),
            );
            return Ok(report);
        }
        Ok(v) => match serde_json::from_value(v) {
            Ok(m) => m,
            Err(e) => {
                fail(&mut report, MANIFEST, format!("not a manifest: {e}"));
                return Ok(report);
            }
        },
        Err(e) => {
            fail(&mut report, MANIFEST, format!("not JSON: {e}"));
            return Ok(report);
        }
    };
    report.incident = manifest.incident.clone();
    report.log = manifest.log.name.clone();

    // 1. Every file is as listed, and every file is listed.
    let mut listed = BTreeSet::new();
    match files.read(SUMS) {
        Err(e) => fail(&mut report, SUMS, e),
        Ok(sums) => {
            let text = String::from_utf8_lossy(&sums).to_string();
            for (n, line) in text.lines().enumerate() {
                let Some((sha, name)) = line.split_once("  ") else {
                    fail(
                        &mut report,
                        SUMS,
                        format!("line {}: not \"SHA256  FILE\"", n + 1),
                    );
                    continue;
                };
                listed.insert(name.to_string());
                match files.read(name) {
                    Ok(bytes) if archive::sha256_hex(&bytes) == sha => report.files += 1,
                    Ok(_) => fail(
                        &mut report,
                        name,
                        format!(
                            "altered: its SHA-256 is not the one {SUMS} gives (line {})",
                            n + 1
                        ),
                    ),
                    Err(e) => fail(&mut report, name, e),
                }
            }
        }
    }
    // What the manifest names is the package: a file it does not name is not evidence.
    let mut named: BTreeSet<String> = [MANIFEST, CLAIMS, INCIDENT, README]
        .iter()
        .map(|s| s.to_string())
        .collect();
    named.extend([
        manifest.log.checkpoint_file.clone(),
        manifest.log.key_file.clone(),
        manifest.log.pem_file.clone(),
    ]);
    named.extend(manifest.log.rotations.iter().map(|r| r.file.clone()));
    for s in &manifest.sources {
        named.extend([s.file.clone(), s.text_file.clone()]);
    }
    named.extend(manifest.decisions.iter().filter_map(|d| d.file.clone()));
    for name in files.names() {
        if name == SUMS {
            continue;
        }
        if !listed.contains(&name) {
            fail(
                &mut report,
                &name,
                format!("not listed in {SUMS}: added after the package was made"),
            );
        } else if !named.contains(&name) {
            fail(
                &mut report,
                &name,
                "not a file manifest.json names: added after the package was made".to_string(),
            );
        }
    }

    // 2. The checkpoint's signature.
    let pinned = key.map(str::trim).filter(|k| !k.is_empty());
    let carried = files
        .read(&manifest.log.key_file)
        .map(|b| String::from_utf8_lossy(&b).trim().to_string());
    if let Ok(k) = &carried
        && *k != manifest.log.verifier_key
    {
        fail(
            &mut report,
            &manifest.log.key_file,
            "differs from the key manifest.json names".to_string(),
        );
    }
    let mut verifier = pinned
        .map(str::to_string)
        .unwrap_or(manifest.log.verifier_key.clone());
    report.key_given = pinned.is_some();
    // A key given that is older than the package's: trusted on through each rotation it (and
    // then each key after it) signed; the rotations' proofs are checked with the leaves below.
    if pinned.is_some() && verifier != manifest.log.verifier_key {
        let mut followed = 0;
        for r in &manifest.log.rotations {
            if followed == 0 && r.old_key != verifier {
                continue;
            }
            let statement = match files.read(&r.file) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) => {
                    fail(&mut report, &r.file, e);
                    break;
                }
            };
            match ledger::verify_rotation(&statement, &verifier) {
                Ok(rotation) if rotation.new_key == r.new_key => {
                    verifier = rotation.new_key;
                    followed += 1;
                }
                Ok(_) => {
                    fail(
                        &mut report,
                        &r.file,
                        "announces another key than manifest.json says".to_string(),
                    );
                    break;
                }
                Err(e) => {
                    fail(
                        &mut report,
                        &r.file,
                        format!("not a rotation signed by the key before it: {e}"),
                    );
                    break;
                }
            }
        }
        report.rotations_followed = followed;
    }
    let root = match files.read(&manifest.log.checkpoint_file) {
        Err(e) => {
            fail(&mut report, &manifest.log.checkpoint_file, e);
            None
        }
        Ok(note) => {
            match crate::check_signed_checkpoint(&String::from_utf8_lossy(&note), &verifier) {
                Err(e) => {
                    let whose = if pinned.is_some() {
                        "the key given"
                    } else {
                        "the package's key"
                    };
                    fail(
                        &mut report,
                        &manifest.log.checkpoint_file,
                        format!("its signature does not check with {whose}: {e}"),
                    );
                    None
                }
                Ok((_, cp)) if cp != manifest.log.checkpoint => {
                    fail(
                        &mut report,
                        &manifest.log.checkpoint_file,
                        format!(
                            "signs size {} root {}, but manifest.json says size {} root {}",
                            cp.size,
                            cp.root,
                            manifest.log.checkpoint.size,
                            manifest.log.checkpoint.root
                        ),
                    );
                    Some(cp)
                }
                Ok((_, cp)) => Some(cp),
            }
        }
    };
    report.checkpoint = root.clone();

    // 3. Each source and decision: its bytes, its name, its proof.
    let check_leaf = |report: &mut PackageReport,
                      files: &mut Files,
                      file: &str,
                      sha: &str,
                      index: u64,
                      path: &[String]|
     -> Option<Vec<u8>> {
        let bytes = match files.read(file) {
            Ok(b) => b,
            Err(e) => {
                fail(report, file, e);
                return None;
            }
        };
        if archive::sha256_hex(&bytes) != sha {
            fail(
                report,
                file,
                "altered: its bytes do not hash to the SHA-256 manifest.json gives".to_string(),
            );
            return None;
        }
        if let Some(cp) = &root {
            let proof = InclusionProof {
                sha256: sha.to_string(),
                index,
                checkpoint: cp.clone(),
                path: path.to_vec(),
            };
            if !proof.verify() {
                fail(
                    report,
                    file,
                    format!(
                        "its inclusion proof (leaf {index}) does not lead to the checkpoint's root"
                    ),
                );
            }
        }
        Some(bytes)
    };
    for r in &manifest.log.rotations {
        if r.file != format!("keys/rotation-{}", r.sha256) {
            fail(&mut report, &r.file, "not named by its SHA-256".to_string());
        }
        check_leaf(
            &mut report,
            &mut files,
            &r.file,
            &r.sha256,
            r.leaf_index,
            &r.inclusion_proof,
        );
    }
    let mut texts: HashMap<String, String> = HashMap::new();
    for s in &manifest.sources {
        report.sources += 1;
        if s.file != format!("sources/{}", s.sha256) {
            fail(&mut report, &s.file, "not named by its SHA-256".to_string());
        }
        let Some(bytes) = check_leaf(
            &mut report,
            &mut files,
            &s.file,
            &s.sha256,
            s.leaf_index,
            &s.inclusion_proof,
        ) else {
            continue;
        };
        let text = match files.read(&s.text_file) {
            Ok(t) => t,
            Err(e) => {
                fail(&mut report, &s.text_file, e);
                continue;
            }
        };
        if archive::sha256_hex(&text) != s.text_sha256 {
            fail(
                &mut report,
                &s.text_file,
                "altered: its SHA-256 is not the one manifest.json gives".to_string(),
            );
        }
        let Ok(text) = String::from_utf8(text) else {
            fail(&mut report, &s.text_file, "not UTF-8".to_string());
            continue;
        };
        // The text must be what the bytes read as, when this ombud's readers read them.
        let made_by_this = s
            .collection
            .collection_tool
            .starts_with(&format!("ombud {OMBUD_VERSION} "));
        match s.collection.format.parse::<sources::Format>() {
            Ok(format) if made_by_this => {
                let read = sources::reread(&bytes, format, &s.collection.source_location);
                match read.documents.as_slice() {
                    [one] if one.text == text => report.texts_rederived += 1,
                    _ => fail(
                        &mut report,
                        &s.text_file,
                        format!("is not the text {} reads as", s.file),
                    ),
                }
            }
            _ => report.texts_other_reader += 1,
        }
        texts.insert(s.sha256.clone(), text);
    }
    for d in &manifest.decisions {
        report.decisions += 1;
        let (Some(sha), Some(file), Some(index)) = (&d.sha256, &d.file, d.leaf_index) else {
            continue;
        };
        let Some(bytes) = check_leaf(
            &mut report,
            &mut files,
            file,
            sha,
            index,
            &d.inclusion_proof,
        ) else {
            continue;
        };
        match Decision::from_log_bytes(&bytes) {
            Some(logged)
                if logged.id.to_string() == d.id
                    && logged.reviewer == d.reviewer
                    && logged.at == d.at
                    && logged.note == d.note => {}
            Some(_) => fail(
                &mut report,
                file,
                format!(
                    "the logged decision is not the one manifest.json describes as {}",
                    d.id
                ),
            ),
            None => fail(&mut report, file, "not a logged decision".to_string()),
        }
    }

    // 4. Every quoted word is the source's.
    match files.read(CLAIMS) {
        Err(e) => fail(&mut report, CLAIMS, e),
        Ok(bytes) => match serde_json::from_slice::<Vec<ClaimEntry>>(&bytes) {
            Err(e) => fail(
                &mut report,
                CLAIMS,
                format!("not the claims of a package: {e}"),
            ),
            Ok(claims) => {
                for c in &claims {
                    report.claims += 1;
                    let Some(text) = texts.get(&c.source) else {
                        if !manifest.sources.iter().any(|s| s.sha256 == c.source) {
                            fail(
                                &mut report,
                                CLAIMS,
                                format!(
                                    "claim {}: its source {} is not in the package",
                                    c.id, c.source
                                ),
                            );
                        }
                        continue;
                    };
                    let spans = std::iter::once(("sentence", &c.quote))
                        .chain(c.fields.iter().map(|f| (f.field.as_str(), &f.words)));
                    for (what, q) in spans {
                        if text.get(q.start..q.end) != Some(q.words.as_str()) {
                            fail(
                                &mut report,
                                CLAIMS,
                                format!(
                                    "claim {}: its {what} {:?} is not the words at bytes {}..{} of its source's text",
                                    c.id, q.words, q.start, q.end
                                ),
                            );
                        }
                    }
                }
            }
        },
    }
    Ok(report)
}
