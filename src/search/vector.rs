//! Vector search over the embeddings stored in the index. Exact: every allowed
//! vector is scored (a dot product the compiler vectorises), which at this
//! corpus size costs well under a millisecond. Filters are applied before the
//! top-k cut: the allowed records come from the same tantivy filters as a
//! keyword search, so "what Japan said" ranks Japan's own statements.

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
pub struct VectorStore {
    records: Vec<Record>,
    data: Vec<f32>,
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
    pub fn load(searcher: &tantivy::Searcher, f: &Fields) -> Result<VectorStore> {
        let stored = crate::index::vectors::read(searcher, f)?;
        let mut store = VectorStore {
            records: Vec::with_capacity(stored.len()),
            data: Vec::with_capacity(stored.len() * DIM),
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
        Ok(store)
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The vector of a record, if it has one.
    pub fn vector_of(&self, address: DocAddress) -> Option<&[f32]> {
        self.records
            .iter()
            .position(|r| r.address == address)
            .map(|i| &self.data[i * DIM..(i + 1) * DIM])
    }

    /// The `k` paragraphs closest to the query among the records `allowed`
    /// matches (kind and filters), grouped by paragraph. A query may come in
    /// several wordings (one per name of an entity): the closest counts.
    pub fn search(
        &self,
        searcher: &tantivy::Searcher,
        allowed: &dyn Query,
        queries: &[&[f32]],
        k: usize,
        exclude_para: Option<u64>,
    ) -> Result<Vec<Group>> {
        let allowed = searcher.search(allowed, &DocSet)?;
        // Records of one paragraph can each be close; keep enough to fill k paragraphs.
        let mut heap: BinaryHeap<Scored> = BinaryHeap::new();
        let keep = k.saturating_mul(4).max(k);
        for (i, r) in self.records.iter().enumerate() {
            if Some(r.para) == exclude_para || !allowed.contains(&r.address) {
                continue;
            }
            let v = &self.data[i * DIM..(i + 1) * DIM];
            let score = r.trust * queries.iter().map(|q| dot(q, v)).fold(f32::MIN, f32::max);
            if heap.len() < keep {
                heap.push(Scored(-score, i));
            } else if heap.peek().is_some_and(|min| -min.0 < score) {
                heap.pop();
                heap.push(Scored(-score, i));
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
    pub fn contains(&self, address: &DocAddress) -> bool {
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
