//! One search on two cores. A large collection's segments are searched at
//! once, the first on the calling thread and the others on rayon's, where
//! no other search is running nor has run beside another for a while: at
//! concurrency 1 the second core idles otherwise, and under load it is busy
//! with another search, where handing work over only adds wake-ups.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};

/// How long after two searches ran at once a search still keeps to one
/// thread: between the requests of a loaded server there are moments with
/// one search running, and its second thread would take the core that the
/// next request needs.
const CROWDED_FOR: Duration = Duration::from_millis(100);

/// The searches of one searcher running now, and when two last ran at once.
#[derive(Default)]
pub(crate) struct Load {
    running: AtomicUsize,
    /// Milliseconds since [`epoch`], plus one; 0: never.
    crowded_at: AtomicU64,
}

/// Counts a search among those running while it lives.
pub(crate) struct Alone<'a> {
    load: &'a Load,
    alone: bool,
}

impl<'a> Alone<'a> {
    pub(crate) fn enter(load: &'a Load) -> Alone<'a> {
        let others = load.running.fetch_add(1, Ordering::AcqRel);
        let now = epoch().elapsed().as_millis() as u64 + 1;
        let alone = if others > 0 {
            load.crowded_at.store(now, Ordering::Relaxed);
            false
        } else {
            let crowded_at = load.crowded_at.load(Ordering::Relaxed);
            crowded_at == 0 || now.saturating_sub(crowded_at) > CROWDED_FOR.as_millis() as u64
        };
        Alone { load, alone }
    }

    /// Whether no other search is running nor ran beside another lately, on
    /// a machine with a second core.
    pub(crate) fn is_alone(&self) -> bool {
        self.alone && cores() > 1
    }
}

impl Drop for Alone<'_> {
    fn drop(&mut self) {
        self.load.running.fetch_sub(1, Ordering::AcqRel);
    }
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Records in the segments after the first from which another thread takes
/// them: on the shipped corpus (8,000 records) a search is done sooner than
/// a sleeping thread wakes (keyword p50 0.083 -> 0.107 ms, hybrid 0.44 ->
/// 0.50 ms on two threads); on the UNGDC's (178,281) it takes a quarter off.
pub(crate) const SHARED_FROM: u32 = 50_000;

/// Whether the segments after the first hold enough records to share.
pub(crate) fn worth_sharing(segments: &[tantivy::SegmentReader]) -> bool {
    segments.iter().skip(1).map(|s| s.max_doc()).sum::<u32>() >= SHARED_FROM
}

/// tantivy's `Searcher::search`, the first segment collected on this thread
/// while rayon's collect the others. The fruits are merged in segment order,
/// as tantivy's own executors merge them: the answer is the same.
pub(crate) fn search<C: Collector>(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let segments = searcher.segment_readers();
    if segments.len() < 2 {
        return searcher.search(query, collector);
    }
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    collector.check_schema(searcher.schema())?;
    let collect = |ordinal: usize| {
        collector.collect_segment(weight.as_ref(), ordinal as u32, &segments[ordinal])
    };
    let mut others: Vec<Option<tantivy::Result<_>>> = (1..segments.len()).map(|_| None).collect();
    let first = rayon::in_place_scope(|scope| {
        for (slot, ordinal) in others.iter_mut().zip(1..) {
            let collect = &collect;
            scope.spawn(move |_| *slot = Some(collect(ordinal)));
        }
        collect(0)
    });
    let mut fruits = Vec::with_capacity(segments.len());
    fruits.push(first?);
    for fruit in others {
        // A scope ends when all it spawned has ended: every slot is filled.
        let fruit = fruit.ok_or_else(|| {
            tantivy::TantivyError::InternalError("a segment was not searched".into())
        })?;
        fruits.push(fruit?);
    }
    collector.merge_fruits(fruits)
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::QueryParser;

    use super::*;
    use crate::search::test_index;

    /// The same hits, scores and total as tantivy's own search, over three
    /// segments of which the first is empty of matches.
    #[test]
    fn it_answers_as_tantivys_search() {
        let (index, text) = test_index::of_texts(&[
            vec!["nothing here", "still nothing"],
            vec!["climate change", "change of plan", "the climate"],
            vec![
                "climate",
                "a changing climate",
                "climate change, climate change",
            ],
        ]);
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let query = QueryParser::for_index(&index, vec![text])
            .parse_query("climate change")
            .expect("parses");
        let collector = (TopDocs::with_limit(4).order_by_score(), Count);
        let ours = search(&searcher, &*query, &collector).expect("searches");
        let theirs = searcher.search(&*query, &collector).expect("searches");
        assert_eq!(ours.1, 6);
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_search_alone_is_told_so_until_another_runs_beside_it() {
        let load = Load::default();
        let first = Alone::enter(&load);
        assert_eq!(first.is_alone(), cores() > 1);
        let second = Alone::enter(&load);
        assert!(!second.is_alone());
        drop((first, second));
        // Alone again, but two ran at once a moment ago.
        assert!(!Alone::enter(&load).is_alone());
        assert_eq!(load.running.load(Ordering::Acquire), 0);
    }
}
