//! Counting one facet field's values among a query's matches: a tantivy
//! collector that reads each match's ordinals from the segment's table in
//! memory (see `facet_names`), and adds the segments' counts up by global
//! ordinal.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::facet_names::{FacetNames, NOT_COUNTED};

/// One segment's counts.
pub(crate) struct SegmentCounts {
    /// By segment ordinal, and one slot past the last for the records
    /// without a value (ignored).
    pub(crate) leaves: Vec<u32>,
    /// By global ordinal of the top-level value; empty without parents.
    pub(crate) parents: Vec<u32>,
    pub(crate) segment: SegmentOrdinal,
}

/// Counts of every segment.
pub(crate) type Counts = Vec<SegmentCounts>;

/// Counts the values of one facet field among the matches.
pub(crate) struct Counter {
    pub(crate) field: String,
    pub(crate) names: Arc<FacetNames>,
}

/// Matches waiting to be counted when they come one at a time (a pass with
/// scores); a pass without them hands over blocks of its own.
const BLOCK: usize = 64;

pub(crate) struct SegmentCounter {
    segment: SegmentOrdinal,
    names: Arc<FacetNames>,
    leaves: Vec<u32>,
    parents: Vec<u32>,
    block: Vec<DocId>,
    /// Parents already counted for the current record.
    seen: Vec<u32>,
}

impl SegmentCounter {
    /// Counts the values of `docs` from the segment's ordinal table.
    fn count_docs(&mut self, docs: &[DocId]) {
        let Some(segment) = self.names.segment(self.segment) else {
            return;
        };
        let Some(table) = segment.table().filter(|t| !t.is_empty()) else {
            return;
        };
        if self.parents.is_empty() {
            table.count(docs, &mut self.leaves);
            return;
        }
        for &doc in docs {
            // A parent counts once per record, however many of its children it has.
            self.seen.clear();
            for ord in table.of(doc) {
                if let Some(n) = self.leaves.get_mut(ord as usize) {
                    *n += 1;
                }
                if let Some(&p) = segment.parent.get(ord as usize)
                    && p != NOT_COUNTED
                    && !self.seen.contains(&p)
                {
                    self.seen.push(p);
                    self.parents[p as usize] += 1;
                }
            }
        }
    }

    fn count_waiting(&mut self) {
        let block = std::mem::take(&mut self.block);
        self.count_docs(&block);
        self.block = block;
        self.block.clear();
    }
}

impl Collector for Counter {
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let names = self.names.segment(ordinal).ok_or_else(|| {
            tantivy::TantivyError::InternalError("facet names of another index generation".into())
        })?;
        if names.table().is_none() {
            let no_column = format!("no facet column {}", self.field);
            return Err(tantivy::TantivyError::SchemaError(no_column));
        }
        Ok(SegmentCounter {
            segment: ordinal,
            leaves: vec![0; names.global.len() + 1],
            parents: if names.parent.is_empty() {
                Vec::new()
            } else {
                vec![0; self.names.values.len()]
            },
            names: self.names.clone(),
            block: Vec::with_capacity(BLOCK),
            seen: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.block.push(doc);
        if self.block.len() == BLOCK {
            self.count_waiting();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.count_waiting();
        self.count_docs(docs);
    }

    fn harvest(mut self) -> Counts {
        self.count_waiting();
        vec![SegmentCounts {
            leaves: self.leaves,
            parents: self.parents,
            segment: self.segment,
        }]
    }
}

/// The counts of every segment by global ordinal. Without a branch per
/// value: a value not counted as itself ([`NOT_COUNTED`]) adds to a slot past
/// the end, dropped; a document facet has a value for every document of the
/// collection, however few a search matched.
pub(crate) fn merge(segments: &Counts, names: &FacetNames) -> Vec<u64> {
    let len = names.values.len();
    let mut totals = vec![0u64; len + 1];
    for counts in segments {
        let Some(map) = names.segment(counts.segment) else {
            continue;
        };
        for (&n, &global) in counts.leaves.iter().zip(&map.global) {
            totals[(global as usize).min(len)] += u64::from(n);
        }
        for (total, &n) in totals.iter_mut().zip(&counts.parents) {
            *total += u64::from(n);
        }
    }
    totals.truncate(len);
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::facet_names::SegmentNames;

    #[test]
    fn segments_add_up_by_global_ordinal_and_parents_count_once() {
        // Global: "5", "5a", "5b", "7"; top-level values are counted through
        // their children ("7" is its own child), once per record.
        let names = FacetNames {
            values: vec!["5".into(), "5a".into(), "5b".into(), "7".into()],
            segments: vec![
                SegmentNames::new(vec![NOT_COUNTED, 1, NOT_COUNTED], vec![0, 0, 3], None, 0),
                SegmentNames::new(vec![2, NOT_COUNTED], vec![0, 3], None, 0),
            ],
        };
        let counts = vec![
            SegmentCounts {
                leaves: vec![4, 2, 1],
                parents: vec![5, 0, 0, 1],
                segment: 0,
            },
            SegmentCounts {
                leaves: vec![3, 6],
                parents: vec![3, 0, 0, 6],
                segment: 1,
            },
        ];
        assert_eq!(merge(&counts, &names), vec![8, 2, 3, 7]);
    }
}
