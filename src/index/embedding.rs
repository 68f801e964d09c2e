//! Embedding as a job of its own: `rapporteur embed` embeds the texts the
//! index has no vector for (a collection ingested with `--no-embed`, documents
//! added since, or one shard of them) and appends their vectors to the vectors
//! file, committing every few thousand texts, so that a killed run loses only
//! the texts in flight and the next run resumes. Each commit also publishes a
//! new index generation, and a running server picks the vectors up. Vectors
//! made elsewhere (`--shard I/N --out FILE` on other machines) come back with
//! [`import`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::DocAddress;

use super::vectors::{self, VectorWriter, Vectors, vector_key};
use super::{Fields, Index};
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::index::stored::StoredTexts;

/// What an `embed` run does.
#[derive(Debug, Clone)]
pub struct EmbedOptions {
    /// The index folder.
    pub index: PathBuf,
    /// Only the texts of shard I of N (1-based), chosen by content hash.
    pub shard: Option<(u32, u32)>,
    /// Write the vectors to this file (for `--import` elsewhere) instead of the index.
    pub out: Option<PathBuf>,
    /// Texts between commits: what a kill can lose.
    pub commit_every: usize,
}

impl EmbedOptions {
    /// Everything missing, into the index, committed every 4,096 texts.
    pub fn new(index: impl Into<PathBuf>) -> EmbedOptions {
        EmbedOptions {
            index: index.into(),
            shard: None,
            out: None,
            commit_every: 4096,
        }
    }
}

/// What an `embed` run did.
#[derive(Debug, Default, Serialize)]
pub struct EmbedReport {
    /// Distinct texts of the index (of the shard) that get a vector.
    pub texts: usize,
    /// Of those, the ones that had one before this run.
    pub already: usize,
    /// Embedded in this run.
    pub embedded: usize,
    /// Wall time.
    #[serde(serialize_with = "as_secs")]
    pub elapsed: Duration,
    /// Notes (a vectors file of an older recipe set aside).
    pub warnings: Vec<String>,
}

impl EmbedReport {
    /// Texts embedded per second of wall time.
    pub fn per_second(&self) -> f64 {
        self.embedded as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// What `embed` tells its caller as it goes.
pub trait EmbedProgress: Sync {
    /// `todo` texts to embed; `already` had vectors.
    fn start(&self, todo: usize, already: usize);
    /// `done` of them embedded so far (not yet durable).
    fn embedded(&self, done: usize);
    /// `done` of them are durable.
    fn committed(&self, done: usize);
}

/// Where vectors go: the index's own file (with the index locked, so that
/// no ingest runs meanwhile, and a generation published per commit), or a
/// file of their own.
struct Destination {
    vectors: VectorWriter,
    publisher: Option<tantivy::IndexWriter>,
}

impl Destination {
    fn open(index: &Index, out: Option<&Path>, report: &mut EmbedReport) -> Result<Destination> {
        match out {
            Some(out) => Ok(Destination {
                vectors: VectorWriter::open(out)?,
                publisher: None,
            }),
            None => {
                let publisher = lock_index(index)?;
                let (vectors, note) = vectors::open_index_writer(&index.path)?;
                report.warnings.extend(note);
                Ok(Destination {
                    vectors,
                    publisher: Some(publisher),
                })
            }
        }
    }

    /// Makes what was appended durable, then visible to searchers.
    fn commit(&mut self, done: usize) -> Result<()> {
        self.vectors.commit()?;
        if let Some(writer) = self.publisher.as_mut() {
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&format!("embedded {done}"));
            commit.commit()?;
        }
        Ok(())
    }
}

/// The index's writer lock, held while vectors are appended.
fn lock_index(index: &Index) -> Result<tantivy::IndexWriter> {
    index
        .index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked {
                path: index.path.clone(),
            },
            source => Error::Index {
                path: index.path.clone(),
                source,
            },
        })
}

/// Every live record's vector key, once each, with a record holding its text.
pub(super) fn keyed_records(searcher: &tantivy::Searcher) -> Result<Vec<(u64, DocAddress)>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let keys = segment.fast_fields().u64("vector_hash")?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            if let Some(key) = keys.first(doc)
                && seen.insert(key)
            {
                out.push((key, DocAddress::new(ordinal as u32, doc)));
            }
        }
    }
    Ok(out)
}

/// A shard is I of N with 1 <= I <= N.
pub(super) fn check_shard(shard: Option<(u32, u32)>) -> Result<()> {
    match shard {
        Some((i, n)) if n == 0 || i == 0 || i > n => Err(Error::Shard { shard: i, of: n }),
        _ => Ok(()),
    }
}

/// Whether `key` belongs to shard I of N.
pub(super) fn in_shard(key: u64, shard: Option<(u32, u32)>) -> bool {
    shard.is_none_or(|(i, n)| key % u64::from(n) == u64::from(i - 1))
}

/// The text a record's vector is made of: its first `text` value (a
/// paragraph's own text; vote words follow it).
pub(super) fn text_of(
    searcher: &tantivy::Searcher,
    f: &Fields,
    address: DocAddress,
) -> Result<String> {
    let mut stored: StoredTexts = searcher.doc(address)?;
    Ok(stored.take(f.text).unwrap_or_default())
}

/// Embeds what the index (or the shard) lacks.
pub fn embed_missing(options: &EmbedOptions, progress: &dyn EmbedProgress) -> Result<EmbedReport> {
    let started = Instant::now();
    check_shard(options.shard)?;
    let index = Index::open(&options.index)?;
    let mut report = EmbedReport::default();
    let mut destination = Destination::open(&index, options.out.as_deref(), &mut report)?;
    // Before loading the model: a locked index is said at once.
    let embedder = Embedder::shared()?;
    let known = Vectors::of_index_current(&index.path)?;
    let mut elsewhere = Vectors::default();
    if let Some(out) = &options.out {
        elsewhere.refresh(out)?;
    }
    let has = |key: u64| known.contains(key) || elsewhere.contains(key);
    let searcher = index.reader.searcher();
    let mut todo = Vec::new();
    for (key, address) in keyed_records(&searcher)? {
        if !in_shard(key, options.shard) {
            continue;
        }
        report.texts += 1;
        if has(key) {
            report.already += 1;
        } else {
            todo.push((key, address));
        }
    }
    progress.start(todo.len(), report.already);
    let every = options.commit_every.max(1);
    for group in todo.chunks(every) {
        let texts: Vec<String> = group
            .iter()
            .map(|(_, address)| text_of(&searcher, &index.fields, *address))
            .collect::<Result<_>>()?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let before = report.embedded;
        let made = embedder.embed(&refs, &|done| progress.embedded(before + done))?;
        for ((key, _), (text, vector)) in group.iter().zip(texts.iter().zip(&made)) {
            debug_assert_eq!(*key, vector_key(text));
            destination.vectors.append(*key, vector)?;
        }
        report.embedded += group.len();
        destination.commit(report.embedded)?;
        progress.committed(report.embedded);
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Records in the file.
    pub records: usize,
    /// Added to the index.
    pub added: usize,
    /// Texts the index had a vector for already.
    pub already: usize,
    /// Records for texts the index does not hold.
    pub unused: usize,
}

/// Adds the vectors of a file made by `embed --out` (this format and recipe,
/// checked whole before anything is added) for the index's texts that lack one.
pub fn import(index: &Path, file: &Path) -> Result<ImportReport> {
    let incoming = vectors::read_all(file)?;
    let index = Index::open(index)?;
    let mut report = ImportReport {
        records: incoming.len(),
        ..ImportReport::default()
    };
    let mut embed_report = EmbedReport::default();
    let mut destination = Destination::open(&index, None, &mut embed_report)?;
    let known = Vectors::of_index_current(&index.path)?;
    let searcher = index.reader.searcher();
    let wanted: HashSet<u64> = keyed_records(&searcher)?
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    let mut added = HashSet::new();
    for position in 0..incoming.len() as u32 {
        let key = incoming.key_at(position);
        if !wanted.contains(&key) {
            report.unused += 1;
        } else if known.contains(key) || !added.insert(key) {
            report.already += 1;
        } else {
            destination.vectors.append(key, incoming.at(position))?;
            report.added += 1;
        }
    }
    destination.commit(report.added)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_keys_between_them() {
        let keys: Vec<u64> = (0..1000)
            .map(|i| vector_key(&format!("text {i}")))
            .collect();
        let counts: Vec<usize> = (1..=3)
            .map(|i| keys.iter().filter(|k| in_shard(**k, Some((i, 3)))).count())
            .collect();
        assert_eq!(counts.iter().sum::<usize>(), keys.len());
        assert!(counts.iter().all(|&c| c > 250), "{counts:?}");
        assert!(keys.iter().all(|k| in_shard(*k, None)));
    }
}
