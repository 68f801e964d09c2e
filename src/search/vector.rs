//! Vector search over the embeddings stored in the index. Exact while it is
//! cheap: every allowed vector is scored (a dot product the compiler
//! vectorises), well under a millisecond at the shipped corpus's size. From
//! [`APPROXIMATE_FROM`] vectors an HNSW graph (instant-distance) proposes the
//! nearest candidates instead. Either way filters are applied before the top-k
//! cut: the allowed records come from the same tantivy filters as a keyword
//! search, so "what Japan said" ranks Japan's own statements; when the graph's
//! candidates hold too few allowed records, the exact scan answers.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::collect::{self, Group, Match};
use super::filters::term;
use super::top_k::{self, TopK};
use crate::embed::dot;
use crate::error::{Error, Result, VectorFileError};
use crate::index::Fields;
use crate::index::schema::KIND_PARAGRAPH;
use crate::index::vectors::{self, Vectors};

/// The embedded records of one index generation and the vectors file they
/// point into (its chunks are shared with the other generations).
#[derive(Default)]
pub(crate) struct VectorStore {
    /// Embedded records, by position of their vector in the file.
    records: Vec<Record>,
    vectors: Vectors,
    /// The graph over the file's first vectors, once one is built.
    graph: GraphSlot,
    /// Paragraphs in this generation, and how many of them have a vector.
    pub(crate) paragraphs: usize,
    pub(crate) embedded_paragraphs: usize,
}

/// A graph shared by the generations it was built for, filled in when its
/// background build ends.
pub(crate) type GraphSlot = Arc<RwLock<Option<Arc<Approximate>>>>;

/// Vectors from which an approximate index proposes the candidates.
pub(crate) const APPROXIMATE_FROM: usize = 50_000;

/// [`APPROXIMATE_FROM`], or `$RAPPORTEUR_APPROXIMATE_FROM` where set: a
/// smaller collection can be measured with its graph (`bench --recall`).
fn approximate_from() -> usize {
    static FROM: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *FROM.get_or_init(|| {
        std::env::var("RAPPORTEUR_APPROXIMATE_FROM")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(APPROXIMATE_FROM)
            .max(1)
    })
}

/// Candidates the graph proposes per search (its `ef_search`).
const APPROXIMATE_CANDIDATES: usize = 400;

#[derive(Clone)]
struct Unit(Arc<[f32]>);

impl instant_distance::Point for Unit {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - dot(&self.0, &other.0)
    }
}

/// An HNSW graph over the first `covered` vectors of a vectors file, by
/// position, answering by cosine.
pub(crate) struct Approximate {
    map: instant_distance::HnswMap<Unit, u32>,
    pub(crate) covered: usize,
}

impl Approximate {
    /// The graph over every vector read so far.
    pub(crate) fn build(vectors: &Vectors) -> Approximate {
        let covered = vectors.len();
        let points: Vec<Unit> = (0..covered as u32)
            .map(|p| Unit(vectors.at(p).into()))
            .collect();
        let values: Vec<u32> = (0..covered as u32).collect();
        let map = instant_distance::Builder::default()
            .ef_search(APPROXIMATE_CANDIDATES)
            .seed(7)
            .build(points, values);
        Approximate { map, covered }
    }

    /// Hands `visit` the nearest positions, best first, with their cosine,
    /// until it says it has enough (true); false when the graph's candidates
    /// ran out first (a narrow filter): the caller then scans exactly.
    pub(crate) fn nearest(&self, query: &[f32], mut visit: impl FnMut(u32, f32) -> bool) -> bool {
        let mut search = instant_distance::Search::default();
        let point = Unit(query.into());
        self.map
            .search(&point, &mut search)
            .any(|item| visit(*item.value, 1.0 - item.distance))
    }
}

#[derive(Debug, Clone, Copy)]
struct Record {
    address: DocAddress,
    position: u32,
    para: u64,
    statement: Option<u64>,
    date: u64,
    speech: u64,
    /// How far the cosine is trusted: short texts match short queries by accident.
    trust: f32,
}

/// Texts whose mean moves a query in [`VectorStore::search_with_feedback`],
/// and how far (the query itself weighs 1). Measured on the graded questions.
const FEEDBACK_TEXTS: usize = 5;
const FEEDBACK_WEIGHT: f32 = 0.4;

/// Words from which a text's cosine is fully trusted; below, it shrinks with
/// the square root of the length ("Ratify CAT (Turkey);" is not about cats).
const TRUSTED_WORDS: f32 = 12.0;

impl VectorStore {
    /// The records of `searcher`'s generation that `vectors` has a vector for.
    pub(crate) fn load(
        searcher: &tantivy::Searcher,
        f: &Fields,
        vectors: Vectors,
        graph: GraphSlot,
    ) -> Result<VectorStore> {
        let paragraphs = searcher.search(&*term(f.kind, KIND_PARAGRAPH), &DocSet)?;
        let mut store = VectorStore {
            vectors,
            graph,
            ..VectorStore::default()
        };
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            let fast = segment.fast_fields();
            let (keys, para, statement, date, words, speech) = (
                fast.u64("vector_hash")?,
                fast.u64("para")?,
                fast.u64("statement")?,
                fast.u64("date")?,
                fast.u64("words")?,
                fast.u64("speech")?,
            );
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let Some(key) = keys.first(doc) else { continue };
                let address = DocAddress::new(ordinal as u32, doc);
                let is_paragraph = paragraphs.contains(&address);
                store.paragraphs += usize::from(is_paragraph);
                let Some(position) = store.vectors.position(key) else {
                    continue;
                };
                store.embedded_paragraphs += usize::from(is_paragraph);
                store.records.push(Record {
                    address,
                    position,
                    para: para.first(doc).unwrap_or(0),
                    statement: statement.first(doc),
                    date: date.first(doc).unwrap_or(0),
                    speech: speech.first(doc).unwrap_or(0),
                    trust: (words.first(doc).unwrap_or(0) as f32 / TRUSTED_WORDS)
                        .min(1.0)
                        .sqrt(),
                });
            }
        }
        store.records.sort_by_key(|r| r.position);
        Ok(store)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The vector of a record, if it has one.
    pub(crate) fn vector_of(&self, address: DocAddress) -> Option<&[f32]> {
        self.records
            .iter()
            .find(|r| r.address == address)
            .map(|r| self.vectors.at(r.position))
    }

    /// Where the records whose vector is at `position` are in `records`.
    fn at_position(&self, position: u32) -> std::ops::Range<usize> {
        let from = self.records.partition_point(|r| r.position < position);
        let to = from + self.records[from..].partition_point(|r| r.position == position);
        from..to
    }

    /// The `k` paragraphs closest to the query among the records `allowed`
    /// matches (kind and filters), grouped by paragraph. A query may come in
    /// several wordings (one per name of an entity): the closest counts.
    pub(crate) fn search(
        &self,
        searcher: &tantivy::Searcher,
        allowed: &dyn Query,
        queries: &[&[f32]],
        k: usize,
        exclude_para: Option<u64>,
    ) -> Result<Vec<Group>> {
        let (groups, _) =
            self.search_by(Scan::Graph, searcher, allowed, queries, k, exclude_para)?;
        Ok(groups)
    }

    /// [`VectorStore::search`] by the given scan, and whether the graph
    /// answered (false where there is none, or its candidates ran out).
    pub(crate) fn search_by(
        &self,
        scan: Scan,
        searcher: &tantivy::Searcher,
        allowed: &dyn Query,
        queries: &[&[f32]],
        k: usize,
        exclude_para: Option<u64>,
    ) -> Result<(Vec<Group>, bool)> {
        let allowed = searcher.search(allowed, &DocSet)?;
        let accept = |r: &Record| Some(r.para) != exclude_para && allowed.contains(&r.address);
        let (nearest, answered) = self.nearest(scan, &accept, queries, k);
        Ok((self.groups(nearest, k), answered))
    }

    /// [`VectorStore::search`] with pseudo-relevance feedback (Rocchio): the
    /// query moved towards the mean of its [`FEEDBACK_TEXTS`] nearest texts
    /// rescores the nearest records. A question worded without the documents'
    /// words ("smog drifting across borders") lands near a few of the
    /// paragraphs it means; their mean lies nearer the rest of them. One scan:
    /// the moved query only reorders the first one's candidates (four per
    /// paragraph wanted), which costs a few hundred dot products, not a second
    /// pass over every vector.
    pub(crate) fn search_with_feedback(
        &self,
        searcher: &tantivy::Searcher,
        allowed: &dyn Query,
        queries: &[&[f32]],
        k: usize,
    ) -> Result<Vec<Group>> {
        let allowed = searcher.search(allowed, &DocSet)?;
        let accept = |r: &Record| allowed.contains(&r.address);
        let (mut nearest, _) = self.nearest(Scan::Graph, &accept, queries, k);
        if let Some(moved) = self.moved_towards(queries, &nearest) {
            let moved: Vec<&[f32]> = moved.iter().map(|q| &q[..]).collect();
            for (score, i) in &mut nearest {
                let v = self.vectors.at(self.records[*i].position);
                *score = self.records[*i].trust * closest(&moved, v);
            }
            best_first(&mut nearest);
        }
        Ok(self.groups(nearest, k))
    }

    /// Each query plus [`FEEDBACK_WEIGHT`] times the mean of the `nearest`
    /// texts' vectors (`nearest` is best first), normalised; None where there
    /// are none.
    fn moved_towards(&self, queries: &[&[f32]], nearest: &[(f32, usize)]) -> Option<Vec<Vec<f32>>> {
        let mut positions: Vec<u32> = Vec::with_capacity(FEEDBACK_TEXTS);
        for &(_, i) in nearest {
            let position = self.records[i].position;
            if positions.len() == FEEDBACK_TEXTS {
                break;
            }
            if !positions.contains(&position) {
                positions.push(position);
            }
        }
        if positions.is_empty() {
            return None;
        }
        let weight = FEEDBACK_WEIGHT / positions.len() as f32;
        Some(
            queries
                .iter()
                .map(|q| {
                    let mut moved = q.to_vec();
                    for &p in &positions {
                        for (m, x) in moved.iter_mut().zip(self.vectors.at(p)) {
                            *m += weight * x;
                        }
                    }
                    crate::embed::normalise(&mut moved);
                    moved
                })
                .collect(),
        )
    }

    /// The records nearest the queries (the closest wording counts) among
    /// those `accept`ed, best first, as (score, index into `records`): enough
    /// to fill `k` paragraphs. Whether the graph answered.
    fn nearest(
        &self,
        scan: Scan,
        accept: &dyn Fn(&Record) -> bool,
        queries: &[&[f32]],
        k: usize,
    ) -> (Vec<(f32, usize)>, bool) {
        // Records of one paragraph can each be close; keep enough to fill k paragraphs.
        let keep = k.saturating_mul(4).max(k);
        let top = std::cell::RefCell::new(TopK::new(keep));
        let offer = |i: usize, cosine: f32| {
            top.borrow_mut().offer(self.records[i].trust * cosine, i);
        };
        let graph = match scan {
            Scan::Graph => self.graph.read().unwrap_or_else(|e| e.into_inner()).clone(),
            Scan::Exact => None,
        };
        let scan_from = match (graph, queries) {
            (Some(graph), [query]) => {
                let mut accepted = 0;
                let answered = graph.nearest(query, |position, cosine| {
                    for i in self.at_position(position) {
                        if accept(&self.records[i]) {
                            offer(i, cosine);
                            accepted += 1;
                        }
                    }
                    accepted >= keep
                });
                if answered {
                    // The graph answers for what it covers; the rest is scanned.
                    graph.covered as u32
                } else {
                    top.borrow_mut().clear();
                    0
                }
            }
            _ => 0,
        };
        let from = self.records.partition_point(|r| r.position < scan_from);
        // Records sharing a vector (a paragraph and its one statement) are neighbours.
        let mut last: Option<(u32, f32)> = None;
        for (i, r) in self.records.iter().enumerate().skip(from) {
            if accept(r) {
                let cosine = match last {
                    Some((position, cosine)) if position == r.position => cosine,
                    _ => closest(queries, self.vectors.at(r.position)),
                };
                last = Some((r.position, cosine));
                offer(i, cosine);
            }
        }
        let nearest = top.into_inner().into_sorted();
        (nearest, scan_from > 0)
    }

    /// The best `k` paragraphs of `nearest`, each with its close statements.
    fn groups(&self, nearest: Vec<(f32, usize)>, k: usize) -> Vec<Group> {
        let matches: Vec<Match> = nearest
            .into_iter()
            .map(|(score, i)| {
                let r = self.records[i];
                Match {
                    score,
                    para: r.para,
                    statement: r.statement,
                    date: r.date,
                    speech: r.speech,
                }
            })
            .collect();
        let mut groups = collect::group(matches, false);
        groups.truncate(k);
        groups
    }
}

/// The cosine of the closest of a query's wordings to `v`.
fn closest(queries: &[&[f32]], v: &[f32]) -> f32 {
    queries.iter().map(|q| dot(q, v)).fold(f32::MIN, f32::max)
}

/// (score, record) pairs, best first; ties in record order.
fn best_first(nearest: &mut [(f32, usize)]) {
    nearest.sort_by(top_k::best_first);
}

/// How [`VectorStore::search_by`] finds the nearest vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// The approximate index where one is built, the exact scan otherwise.
    Graph,
    /// Every allowed vector scored: the reference the graph is measured by.
    Exact,
}

/// One index's vectors file as far as it has been read, and the graph over
/// it: shared by every generation, so that a reload reads only what was
/// appended and a graph outlives the commits after it.
pub(crate) struct VectorCache {
    path: PathBuf,
    vectors: Mutex<Vectors>,
    graph: GraphSlot,
    building: Arc<AtomicBool>,
    keep_graph: AtomicBool,
}

impl VectorCache {
    pub(crate) fn new(index: &Path) -> VectorCache {
        VectorCache {
            path: index.join(vectors::FILE),
            vectors: Mutex::default(),
            graph: GraphSlot::default(),
            building: Arc::default(),
            keep_graph: AtomicBool::new(false),
        }
    }

    /// Builds graphs from now on (off the query path), starting with one
    /// for the vectors read so far.
    pub(crate) fn keep_graph(&self) {
        self.keep_graph.store(true, Ordering::Relaxed);
        let vectors = self
            .vectors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        self.maybe_build_graph(&vectors);
    }

    /// Whether a graph build is under way.
    pub(crate) fn building(&self) -> bool {
        self.building.load(Ordering::Acquire)
    }

    /// The vector store of `searcher`'s generation, reading what the file
    /// gained since the last one.
    pub(crate) fn store(&self, searcher: &tantivy::Searcher, f: &Fields) -> Result<VectorStore> {
        let vectors = {
            let mut vectors = self.vectors.lock().unwrap_or_else(|e| e.into_inner());
            match vectors.refresh(&self.path) {
                // Another recipe's vectors match none of this one's keys.
                Err(Error::VectorFile {
                    problem: VectorFileError::Recipe { .. },
                    ..
                }) => {}
                other => other?,
            }
            vectors.clone()
        };
        self.maybe_build_graph(&vectors);
        VectorStore::load(searcher, f, vectors, self.graph.clone())
    }

    /// Starts a graph build in the background when there are enough vectors
    /// and the graph there is covers less than nine tenths of them.
    fn maybe_build_graph(&self, vectors: &Vectors) {
        let covered = self
            .graph
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or(0, |g| g.covered);
        let wanted = self.keep_graph.load(Ordering::Relaxed)
            && vectors.len() >= approximate_from()
            && covered * 10 < vectors.len() * 9;
        if !wanted || self.building.swap(true, Ordering::AcqRel) {
            return;
        }
        let (vectors, slot, building) =
            (vectors.clone(), self.graph.clone(), self.building.clone());
        std::thread::spawn(move || {
            let graph = Arc::new(Approximate::build(&vectors));
            *slot.write().unwrap_or_else(|e| e.into_inner()) = Some(graph);
            building.store(false, Ordering::Release);
        });
    }
}

/// The set of records a query matches: a bitmap per segment.
pub struct DocSet;

pub struct Allowed(Vec<Vec<u64>>);

impl Allowed {
    pub(crate) fn contains(&self, address: &DocAddress) -> bool {
        let doc = address.doc_id as usize;
        self.0
            .get(address.segment_ord as usize)
            .and_then(|bits| bits.get(doc / 64))
            .is_some_and(|word| word & (1 << (doc % 64)) != 0)
    }
}

pub struct SegmentDocSet {
    segment: SegmentOrdinal,
    bits: Vec<u64>,
}

impl Collector for DocSet {
    type Fruit = Allowed;
    type Child = SegmentDocSet;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentDocSet> {
        Ok(SegmentDocSet {
            segment,
            bits: vec![0; reader.max_doc() as usize / 64 + 1],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(SegmentOrdinal, Vec<u64>)>) -> tantivy::Result<Allowed> {
        let mut per_segment: Vec<Vec<u64>> = Vec::new();
        for (segment, bits) in fruits {
            let i = segment as usize;
            if per_segment.len() <= i {
                per_segment.resize(i + 1, Vec::new());
            }
            per_segment[i] = bits;
        }
        Ok(Allowed(per_segment))
    }
}

impl SegmentCollector for SegmentDocSet {
    type Fruit = (SegmentOrdinal, Vec<u64>);

    fn collect(&mut self, doc: DocId, _: Score) {
        self.bits[doc as usize / 64] |= 1 << (doc % 64);
    }

    fn harvest(self) -> (SegmentOrdinal, Vec<u64>) {
        (self.segment, self.bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::DIM;

    /// Deterministic unit vectors in clusters, as topics make them.
    fn clustered(n: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut state = seed;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 10_000) as f32 / 5_000.0 - 1.0
        };
        let centres: Vec<Vec<f32>> = (0..20)
            .map(|_| (0..DIM).map(|_| next()).collect())
            .collect();
        (0..n)
            .map(|i| {
                let mut v: Vec<f32> = centres[i % centres.len()]
                    .iter()
                    .map(|c| c + 0.8 * next())
                    .collect();
                crate::embed::normalise(&mut v);
                v
            })
            .collect()
    }

    /// The points in a vectors file, read back.
    fn stored(points: &[Vec<f32>]) -> (tempfile::TempDir, Vectors) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.bin");
        let mut w = crate::index::vectors::VectorWriter::open(&path).unwrap();
        for (i, p) in points.iter().enumerate() {
            w.append(i as u64, p).unwrap();
        }
        w.commit().unwrap();
        let mut v = Vectors::default();
        v.refresh(&path).unwrap();
        (dir, v)
    }

    /// The graph's `k` nearest that `accept` lets through.
    fn nearest(
        graph: &Approximate,
        q: &[f32],
        k: usize,
        accept: impl Fn(usize) -> bool,
    ) -> Option<Vec<(usize, f32)>> {
        let mut found = Vec::new();
        graph
            .nearest(q, |p, c| {
                if accept(p as usize) {
                    found.push((p as usize, c));
                }
                found.len() >= k
            })
            .then_some(found)
    }

    #[test]
    fn the_graph_finds_what_the_exact_scan_finds_with_a_filter() {
        let points = clustered(3000, 0x9e37_79b9_7f4a_7c15);
        let (_dir, vectors) = stored(&points);
        let graph = Approximate::build(&vectors);
        let queries = clustered(40, 0x2545_f491_4f6c_dd1d);
        let accept = |i: usize| !i.is_multiple_of(3);
        let (mut found, mut wanted) = (0, 0);
        for q in &queries {
            let mut exact: Vec<(usize, f32)> = (0..points.len())
                .filter(|&i| accept(i))
                .map(|i| (i, dot(q, &points[i])))
                .collect();
            exact.sort_by(|a, b| b.1.total_cmp(&a.1));
            let exact: Vec<usize> = exact.iter().take(10).map(|(i, _)| *i).collect();
            let approximate = nearest(&graph, q, 10, accept).expect("enough candidates");
            assert!(
                approximate.iter().all(|(i, _)| accept(*i)),
                "the filter holds"
            );
            found += approximate
                .iter()
                .filter(|(i, _)| exact.contains(i))
                .count();
            wanted += exact.len();
        }
        let recall = found as f32 / wanted as f32;
        eprintln!("recall@10 over {} queries: {recall}", queries.len());
        assert!(recall >= 0.95, "recall@10 {recall}");
    }

    #[test]
    fn a_narrow_filter_falls_back_to_the_exact_scan() {
        let points = clustered(500, 11);
        let (_dir, vectors) = stored(&points);
        let graph = Approximate::build(&vectors);
        assert!(nearest(&graph, &points[0], 10, |i| i == 7).is_none());
    }
}
