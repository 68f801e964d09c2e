//! Vector search over the embeddings stored in the index. Exact while it is
//! cheap: every allowed vector is scored (a dot product the compiler
//! vectorises), well under a millisecond at the shipped corpus's size. From
//! [`APPROXIMATE_FROM`] vectors an HNSW graph (instant-distance) proposes the
//! nearest candidates instead. Either way filters are applied before the top-k
//! cut: the allowed records come from the same tantivy filters as a keyword
//! search, so "what Japan said" ranks Japan's own statements; when the graph's
//! candidates hold too few allowed records, the exact scan answers.

use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::collect::{self, Group, Match};
use crate::embed::{DIM, dot};
use crate::error::Result;
use crate::index::Fields;

/// The vectors of one index generation, in one contiguous block.
#[derive(Default)]
pub(crate) struct VectorStore {
    records: Vec<Record>,
    data: Vec<f32>,
    approximate: Option<Approximate>,
}

/// Vectors from which an approximate index proposes the candidates.
pub(crate) const APPROXIMATE_FROM: usize = 50_000;
/// Candidates the graph proposes per search (its `ef_search`).
const APPROXIMATE_CANDIDATES: usize = 400;

#[derive(Clone)]
struct Unit(std::sync::Arc<[f32]>);

impl instant_distance::Point for Unit {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - dot(&self.0, &other.0)
    }
}

/// An HNSW graph over unit vectors, answering by cosine.
pub(crate) struct Approximate {
    map: instant_distance::HnswMap<Unit, u32>,
}

impl Approximate {
    pub(crate) fn build(vectors: &[&[f32]]) -> Approximate {
        let points: Vec<Unit> = vectors.iter().map(|v| Unit((*v).into())).collect();
        let values: Vec<u32> = (0..vectors.len() as u32).collect();
        let map = instant_distance::Builder::default()
            .ef_search(APPROXIMATE_CANDIDATES)
            .seed(7)
            .build(points, values);
        Approximate { map }
    }

    /// The `k` nearest points `accept` lets through, best first, with their
    /// cosine; None when the graph's candidates hold fewer than `k` of them
    /// (a narrow filter): the caller then scans exactly.
    pub(crate) fn nearest(
        &self,
        query: &[f32],
        k: usize,
        accept: impl Fn(usize) -> bool,
    ) -> Option<Vec<(usize, f32)>> {
        let mut search = instant_distance::Search::default();
        let point = Unit(query.into());
        let found: Vec<(usize, f32)> = self
            .map
            .search(&point, &mut search)
            .map(|item| (*item.value as usize, 1.0 - item.distance))
            .filter(|(i, _)| accept(*i))
            .take(k)
            .collect();
        (found.len() == k).then_some(found)
    }
}

#[derive(Debug, Clone, Copy)]
struct Record {
    address: DocAddress,
    para: u64,
    statement: Option<u64>,
    date: u64,
    /// How far the cosine is trusted: short texts match short queries by accident.
    trust: f32,
}

/// Words from which a text's cosine is fully trusted; below, it shrinks with
/// the square root of the length ("Ratify CAT (Turkey);" is not about cats).
const TRUSTED_WORDS: f32 = 12.0;

impl VectorStore {
    pub(crate) fn load(searcher: &tantivy::Searcher, f: &Fields) -> Result<VectorStore> {
        let stored = crate::index::vectors::read(searcher, f)?;
        let mut store = VectorStore {
            records: Vec::with_capacity(stored.len()),
            data: Vec::with_capacity(stored.len() * DIM),
            approximate: None,
        };
        let mut columns = Vec::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            columns.push((
                fast.u64("para")?,
                fast.u64("statement")?,
                fast.u64("date")?,
                fast.u64("words")?,
            ));
        }
        for s in stored {
            let (para, statement, date, words) = &columns[s.address.segment_ord as usize];
            let doc = s.address.doc_id;
            store.records.push(Record {
                address: s.address,
                para: para.first(doc).unwrap_or(0),
                statement: statement.first(doc),
                date: date.first(doc).unwrap_or(0),
                trust: (words.first(doc).unwrap_or(0) as f32 / TRUSTED_WORDS)
                    .min(1.0)
                    .sqrt(),
            });
            store.data.extend_from_slice(&s.vector);
        }
        if store.records.len() >= APPROXIMATE_FROM {
            let vectors: Vec<&[f32]> = store.data.chunks_exact(DIM).collect();
            store.approximate = Some(Approximate::build(&vectors));
        }
        Ok(store)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The vector of a record, if it has one.
    pub(crate) fn vector_of(&self, address: DocAddress) -> Option<&[f32]> {
        self.records
            .iter()
            .position(|r| r.address == address)
            .map(|i| &self.data[i * DIM..(i + 1) * DIM])
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
        let allowed = searcher.search(allowed, &DocSet)?;
        let accept = |i: usize| {
            Some(self.records[i].para) != exclude_para && allowed.contains(&self.records[i].address)
        };
        // Records of one paragraph can each be close; keep enough to fill k paragraphs.
        let keep = k.saturating_mul(4).max(k);
        let proposed = match (&self.approximate, queries) {
            (Some(graph), [query]) => graph.nearest(query, keep, accept),
            _ => None,
        };
        let mut heap: BinaryHeap<Scored> = BinaryHeap::new();
        let mut offer = |i: usize, cosine: f32| {
            let score = self.records[i].trust * cosine;
            if heap.len() < keep {
                heap.push(Scored(-score, i));
            } else if heap.peek().is_some_and(|min| -min.0 < score) {
                heap.pop();
                heap.push(Scored(-score, i));
            }
        };
        match proposed {
            Some(candidates) => candidates.into_iter().for_each(|(i, c)| offer(i, c)),
            None => {
                for i in (0..self.records.len()).filter(|&i| accept(i)) {
                    let v = &self.data[i * DIM..(i + 1) * DIM];
                    offer(
                        i,
                        queries.iter().map(|q| dot(q, v)).fold(f32::MIN, f32::max),
                    );
                }
            }
        }
        let matches: Vec<Match> = heap
            .into_iter()
            .map(|Scored(neg, i)| {
                let r = self.records[i];
                Match {
                    score: -neg,
                    para: r.para,
                    statement: r.statement,
                    date: r.date,
                }
            })
            .collect();
        let mut groups = collect::group(matches, false);
        groups.truncate(k);
        Ok(groups)
    }
}

/// A min-heap entry: the negated score, then the record.
struct Scored(f32, usize);

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
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

    #[test]
    fn the_graph_finds_what_the_exact_scan_finds_with_a_filter() {
        let points = clustered(3000, 0x9e37_79b9_7f4a_7c15);
        let refs: Vec<&[f32]> = points.iter().map(Vec::as_slice).collect();
        let graph = Approximate::build(&refs);
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
            let approximate = graph.nearest(q, 10, accept).expect("enough candidates");
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
        let refs: Vec<&[f32]> = points.iter().map(Vec::as_slice).collect();
        let graph = Approximate::build(&refs);
        assert!(graph.nearest(&points[0], 10, |i| i == 7).is_none());
    }
}
