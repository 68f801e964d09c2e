//! Facet counts. Each facet's counts leave out that facet's own filter, so a
//! user can widen a choice. Speakers are counted on the statements that match
//! (who said it), the rest on the matching records.
//!
//! Facets whose query is the main query ride on the main search pass; only a
//! facet with its own filter set (or speakers, where statements are records of
//! their own) costs a pass of its own. Counting is by ordinal
//! (`facet_counter`), added up by global ordinal (`facet_names`), and only the
//! top values are named: tantivy's FacetCollector walks the whole dictionary
//! per segment, which costs milliseconds on a field with ten thousand
//! documents. A facet that follows from the document (`derived`) is summed
//! from the document facet's counts.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{FruitHandle, MultiCollector, MultiFruit};
use tantivy::query::Query;

use super::catalog::FacetField;
use super::derived::{self, DocumentValues, Matched};
use super::facet_counter::{Counter, Counts, merge};
use super::facet_names::FacetNames;
use super::filters::{FilterKind, combine_matching};
use super::plan::QueryPlan;
use super::response::{FacetCount, Facets};
use super::searcher::Snapshot;
use crate::error::Result;
use crate::index::Fields;
use crate::index::schema::KIND_STATEMENT;

/// Values listed per facet where the request does not say.
const TOP: usize = super::request::DEFAULT_FACET_LIMIT;
/// Where a query names voting States, votes are counted whole (every State,
/// three ways) and cut afterwards, so that a State asked for keeps its rows
/// however few they are.
const ALL_VOTES: usize = 3 * 250;

/// One facet to count: its field and the filter its counts leave out.
struct Spec {
    display: FacetField,
    own: FilterKind,
    /// Values kept when counting.
    top: usize,
    slot: fn(&mut Facets) -> &mut Vec<FacetCount>,
}

/// The facets of a plan: its values per facet, and every vote where it names voting States.
fn specs_of(f: &Fields, plan: &QueryPlan) -> [Spec; 10] {
    specs(f, plan.facet_limit, !plan.interpreted.votes.is_empty())
}

fn specs(f: &Fields, top: usize, every_vote: bool) -> [Spec; 10] {
    let spec = |field, own, parents, slot| Spec {
        display: FacetField {
            field,
            speaker: field == f.speaker,
            parents,
        },
        own,
        top: if field == f.vote && every_vote {
            ALL_VOTES.max(top)
        } else {
            top
        },
        slot,
    };
    [
        spec(f.speaker, FilterKind::Speaker, false, |x: &mut Facets| {
            &mut x.speaker
        }),
        spec(f.agenda, FilterKind::Agenda, true, |x| &mut x.agenda_item),
        spec(f.topic, FilterKind::Topic, false, |x| &mut x.topic),
        spec(f.document, FilterKind::Document, false, |x| &mut x.document),
        spec(f.year, FilterKind::Year, false, |x| &mut x.year),
        spec(f.sdg, FilterKind::Sdg, false, |x| &mut x.sdg),
        spec(f.vote, FilterKind::Vote, false, |x| &mut x.vote),
        spec(f.body, FilterKind::Body, false, |x| &mut x.body),
        spec(f.meeting, FilterKind::Meeting, false, |x| &mut x.meeting),
        spec(f.subject, FilterKind::Subject, false, |x| &mut x.subject),
    ]
}

/// The facet fields and how they display: what the catalog names per generation.
pub(crate) fn fields(f: &Fields) -> Vec<FacetField> {
    specs(f, TOP, false).iter().map(|s| s.display).collect()
}

impl Spec {
    /// Whether this facet counts over exactly the main query's matches.
    fn rides_on_main(&self, plan: &QueryPlan, snapshot: &Snapshot<'_>) -> bool {
        !plan.filters.has(self.own)
            && (!self.display.speaker
                || plan.kind == KIND_STATEMENT
                || !snapshot.catalog.separate_statements)
    }
}

/// Where the document facet is in [`specs`].
const DOCUMENT: usize = 3;

/// The facets counted on the main pass, by their collectors' handles, and
/// those summed from the document facet's counts there (see [`derived`]).
pub(crate) struct Riding {
    handles: Vec<(usize, FruitHandle<Counts>)>,
    from_documents: Vec<(usize, Arc<DocumentValues>)>,
}

/// Adds a counter to the main pass for every facet whose query is the main
/// one, but for those that follow from the document where it rides too.
pub(crate) fn ride(
    multi: &mut MultiCollector<'_>,
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
) -> Riding {
    let specs = specs_of(snapshot.fields(), plan);
    debug_assert!(specs[DOCUMENT].display.field == snapshot.fields().document);
    let documents_ride = specs[DOCUMENT].rides_on_main(plan, snapshot);
    let mut riding = Riding {
        handles: Vec::new(),
        from_documents: Vec::new(),
    };
    for (i, spec) in specs.iter().enumerate() {
        if !spec.rides_on_main(plan, snapshot) {
            continue;
        }
        match snapshot.catalog.derived(spec.display.field) {
            Some(values) if documents_ride => riding.from_documents.push((i, values)),
            _ => riding
                .handles
                .push((i, multi.add_collector(counter(snapshot, spec)))),
        }
    }
    riding
}

/// Reads the counts of the main pass and counts the other facets in passes of
/// their own (each without its own filter).
pub(crate) fn finish(
    riding: Riding,
    fruits: &mut MultiFruit,
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
    matching: Option<&dyn Query>,
) -> Result<Facets> {
    let specs = specs_of(snapshot.fields(), plan);
    let mut facets = Facets::default();
    for (i, handle) in riding.handles {
        let counts = handle.extract(fruits);
        if i == DOCUMENT && !riding.from_documents.is_empty() {
            let matched = Matched::of(&counts);
            for (j, values) in &riding.from_documents {
                *(specs[*j].slot)(&mut facets) =
                    sum_by_document(snapshot, &specs[*j], values, &matched);
            }
        }
        *(specs[i].slot)(&mut facets) = read(&counts, snapshot, &specs[i]);
    }
    for spec in specs.iter().filter(|s| !s.rides_on_main(plan, snapshot)) {
        *(spec.slot)(&mut facets) = count_alone(snapshot, &specs, spec, plan, matching)?;
    }
    // The votes of the States asked for; else the most frequent, as elsewhere.
    let states = &plan.interpreted.votes;
    if states.is_empty() {
        facets.vote.truncate(plan.facet_limit);
    } else {
        facets.vote.retain(|c| {
            states.iter().any(|s| {
                c.value
                    .strip_prefix(s.as_str())
                    .is_some_and(|r| r.starts_with(": "))
            })
        });
    }
    Ok(facets)
}

/// The top values of a facet counted match by match.
fn read(counts: &Counts, snapshot: &Snapshot<'_>, spec: &Spec) -> Vec<FacetCount> {
    let names = snapshot.catalog.facet_names(spec.display.field);
    top(merge(counts, &names), &names, spec.top)
}

/// The top values of a facet that follows from the document, from the
/// matches per document.
fn sum_by_document(
    snapshot: &Snapshot<'_>,
    spec: &Spec,
    values: &DocumentValues,
    matched: &Matched,
) -> Vec<FacetCount> {
    let names = snapshot.catalog.facet_names(spec.display.field);
    top(
        derived::counts(values, matched, names.values.len()),
        &names,
        spec.top,
    )
}

/// The `keep` most frequent values, most frequent first, ties by name.
fn top(totals: Vec<u64>, names: &FacetNames, keep: usize) -> Vec<FacetCount> {
    most_frequent(&totals, keep)
        .into_iter()
        .filter_map(|(global, count)| {
            let value = Arc::clone(names.values.get(global)?);
            Some(FacetCount { value, count })
        })
        .collect()
}

/// The `keep` (global ordinal, count) pairs of largest count, ties by
/// ordinal (the names' order), in one pass that keeps only those in a heap
/// whose top is the weakest kept: a field of ten thousand documents would
/// otherwise list every document matched, and votes keep hundreds.
fn most_frequent(totals: &[u64], keep: usize) -> Vec<(usize, u64)> {
    if keep == 0 {
        return Vec::new();
    }
    // Max-heap on (fewest matches, latest ordinal): the first to go.
    let mut kept: BinaryHeap<(Reverse<u64>, usize)> = BinaryHeap::with_capacity(keep + 1);
    // What a value must beat to be kept: nothing (but zero) until the heap
    // is full, then its weakest. Ordinals come in increasing order, so a tie
    // with the weakest loses. One predictable branch a value: most values
    // of a large field are zero or too few.
    let mut beat = 0;
    for (global, &count) in totals.iter().enumerate() {
        if count <= beat {
            continue;
        }
        kept.push((Reverse(count), global));
        if kept.len() > keep {
            kept.pop();
        }
        if kept.len() == keep {
            beat = kept.peek().map_or(0, |&(Reverse(weakest), _)| weakest);
        }
    }
    // Ascending in (fewest, latest) is most frequent first, ties by ordinal.
    let best: Vec<(usize, u64)> = kept
        .into_sorted_vec()
        .into_iter()
        .map(|(Reverse(count), global)| (global, count))
        .collect();
    debug_assert!(best.windows(2).all(|w| w[0].1 >= w[1].1));
    best
}

/// Who said it, counted on the statements that hold every word of the plan
/// (mentions, as timelines count them), all filters but the speaker's kept.
pub(crate) fn mentions_by_speaker(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
) -> Result<Vec<FacetCount>> {
    let specs = specs_of(snapshot.fields(), plan);
    count_alone(snapshot, &specs, &specs[0], plan, plan.counting_query())
}

/// Counts one facet in a pass of its own (its own filter left out); a facet
/// that follows from the document by counting the documents.
fn count_alone(
    snapshot: &Snapshot<'_>,
    specs: &[Spec],
    spec: &Spec,
    plan: &QueryPlan,
    matching: Option<&dyn Query>,
) -> Result<Vec<FacetCount>> {
    let kind = if spec.display.speaker {
        KIND_STATEMENT
    } else {
        plan.kind
    };
    let query = combine_matching(
        snapshot.catalog.separate_statements,
        kind,
        snapshot.fields(),
        matching,
        plan.filters.all(Some(spec.own)),
    );
    let derived = snapshot.catalog.derived(spec.display.field);
    let counted = match &derived {
        Some(_) => &specs[DOCUMENT],
        None => spec,
    };
    let counts = snapshot.search(&*query, &counter(snapshot, counted))?;
    Ok(match derived {
        Some(values) => sum_by_document(snapshot, spec, &values, &Matched::of(&counts)),
        None => read(&counts, snapshot, spec),
    })
}

fn counter(snapshot: &Snapshot<'_>, spec: &Spec) -> Counter {
    Counter {
        field: snapshot
            .searcher
            .schema()
            .get_field_name(spec.display.field)
            .to_owned(),
        names: snapshot.catalog.facet_names(spec.display.field),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_frequent_values_in_one_pass_are_those_of_a_full_sort() {
        let mut state = 7u64;
        for len in [0, 1, 5, 40, 1_000] {
            let totals: Vec<u64> = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    (state >> 60) % 6
                })
                .collect();
            for keep in [0, 1, 3, 12, 2_000] {
                let mut sorted: Vec<(usize, u64)> = totals
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|&(_, n)| n > 0)
                    .collect();
                sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                sorted.truncate(keep);
                assert_eq!(most_frequent(&totals, keep), sorted, "{len} {keep}");
            }
        }
    }
}
