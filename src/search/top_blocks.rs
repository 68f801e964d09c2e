//! One pass for the top hits and the counts: a collector that feeds every
//! scored match to a top-k collector, and the same matches, a block at a
//! time, to collectors that need no scores.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Matches handed on at once.
const BLOCK: usize = 64;

pub(crate) struct TopAndBlocks<T, C> {
    pub(crate) top: T,
    pub(crate) rest: C,
}

pub(crate) struct TopAndBlocksChild<T, C> {
    top: T,
    rest: C,
    block: Vec<DocId>,
}

impl<T: Collector, C: Collector> Collector for TopAndBlocks<T, C> {
    type Fruit = (T::Fruit, C::Fruit);
    type Child = TopAndBlocksChild<T::Child, C::Child>;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(TopAndBlocksChild {
            top: self.top.for_segment(ordinal, segment)?,
            rest: self.rest.for_segment(ordinal, segment)?,
            block: Vec::with_capacity(BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        let (tops, rests): (Vec<_>, Vec<_>) = fruits.into_iter().unzip();
        Ok((self.top.merge_fruits(tops)?, self.rest.merge_fruits(rests)?))
    }
}

impl<T: SegmentCollector, C: SegmentCollector> SegmentCollector for TopAndBlocksChild<T, C> {
    type Fruit = (T::Fruit, C::Fruit);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.top.collect(doc, score);
        self.block.push(doc);
        if self.block.len() == BLOCK {
            self.rest.collect_block(&self.block);
            self.block.clear();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.rest.collect_block(&self.block);
        (self.top.harvest(), self.rest.harvest())
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::QueryParser;

    use super::*;
    use crate::search::test_index::of_texts;

    #[test]
    fn one_pass_finds_the_top_hits_and_counts_of_two() {
        // More matches than a block, in two segments, with tied scores.
        let words = [
            "climate change",
            "climate",
            "change of climate change",
            "other",
        ];
        let segment = |shift: usize| (0..300).map(|i| words[(i + shift) % 4]).collect();
        let (index, text) = of_texts(&[segment(0), segment(1)]);
        let searcher = index.reader().expect("reader").searcher();
        let parser = QueryParser::for_index(&index, vec![text]);
        for words in ["climate change", "change", "\"climate change\"", "nothing"] {
            let query = parser.parse_query(words).expect("query");
            let top = || TopDocs::with_limit(7).order_by_score();
            let both = TopAndBlocks {
                top: top(),
                rest: Count,
            };
            let (hits, count) = searcher.search(&query, &both).expect("one pass");
            assert_eq!(
                hits,
                searcher.search(&query, &top()).expect("top"),
                "{words}"
            );
            assert_eq!(
                count,
                searcher.search(&query, &Count).expect("count"),
                "{words}"
            );
        }
    }
}
