//! Facet counts. Each facet's counts leave out that facet's own filter, so a
//! user can widen a choice. Speakers are counted on the statements that match
//! (who said it), the rest on the matching records.
//!
//! Facets whose query is the main query ride on the main search pass; only a
//! facet with its own filter set (or speakers, where statements are records of
//! their own) costs a pass of its own. Counting is by facet ordinal, and only
//! the ordinals seen are turned back into names, in one sorted sweep of the
//! dictionary: tantivy's FacetCollector walks the whole dictionary per segment,
//! which costs milliseconds on a field with ten thousand documents.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, FruitHandle, MultiCollector, MultiFruit, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Query;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::catalog::{FacetField, SegmentNames};
use super::derived::{self, DocumentValues};
use super::filters::{FilterKind, combine};
use super::plan::QueryPlan;
use super::response::{FacetCount, Facets};
use super::searcher::Snapshot;
use crate::error::Result;
use crate::index::Fields;
use crate::index::schema::KIND_STATEMENT;

/// Values listed per facet where the request does not say.
const TOP: usize = super::request::DEFAULT_FACET_LIMIT;
/// Votes are counted whole (every State, three ways) and cut afterwards, so
/// that a State asked for keeps its rows however few they are.
const ALL_VOTES: usize = 3 * 250;

/// One facet to count: its field and the filter its counts leave out.
struct Spec {
    display: FacetField,
    own: FilterKind,
    /// Values kept when counting.
    top: usize,
    slot: fn(&mut Facets) -> &mut Vec<FacetCount>,
}

fn specs(f: &Fields, top: usize) -> [Spec; 10] {
    let spec = |field, own, parents, slot| Spec {
        display: FacetField {
            field,
            speaker: field == f.speaker,
            parents,
        },
        own,
        top: if field == f.vote {
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
    specs(f, TOP).iter().map(|s| s.display).collect()
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
    let specs = specs(snapshot.fields(), plan.facet_limit);
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

/// The counts of a facet that follows from the document, per segment.
fn sum_by_document(
    documents: &Counts,
    values: &DocumentValues,
    names: &[Arc<SegmentNames>],
) -> Counts {
    documents
        .iter()
        .filter_map(|seg| {
            let segment = seg.segment as usize;
            let (values, names) = (values.get(segment)?.as_ref()?, names.get(segment)?);
            Some(SegmentCounts {
                leaves: derived::counts(values, &seg.leaves, names.values.len()),
                names: names.clone(),
                parents: Vec::new(),
                segment: seg.segment,
            })
        })
        .collect()
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
    let specs = specs(snapshot.fields(), plan.facet_limit);
    let mut facets = Facets::default();
    for (i, handle) in riding.handles {
        let counts = handle.extract(fruits);
        if i == DOCUMENT {
            for (j, values) in &riding.from_documents {
                let names = snapshot.catalog.facet_names(specs[*j].display.field);
                let derived = sum_by_document(&counts, values, &names);
                *(specs[*j].slot)(&mut facets) = read(derived, specs[*j].top);
            }
        }
        *(specs[i].slot)(&mut facets) = read(counts, specs[i].top);
    }
    for spec in specs.iter().filter(|s| !s.rides_on_main(plan, snapshot)) {
        *(spec.slot)(&mut facets) = count_alone(snapshot, spec, plan, matching)?;
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

/// One segment's counts by ordinal, with the names to read them.
struct SegmentCounts {
    names: Arc<SegmentNames>,
    leaves: Vec<u32>,
    parents: Vec<u32>,
    segment: SegmentOrdinal,
}

/// Counts of every segment; names are looked up only when they are read.
type Counts = Vec<SegmentCounts>;

/// Counts the values of one facet field among the matches.
struct Counter {
    field: String,
    /// Per segment ordinal.
    names: Arc<Vec<Arc<SegmentNames>>>,
}

/// Matches are counted in blocks: the facet column's ordinals are read for a
/// block of documents at once (tantivy-columnar's batch lookups, as its own
/// aggregations do), not document by document.
const BLOCK: usize = 64;

struct SegmentCounter {
    segment: SegmentOrdinal,
    ords: Column<u64>,
    names: Arc<SegmentNames>,
    leaves: Vec<u32>,
    parent_counts: Vec<u32>,
    /// Documents waiting to be counted.
    block: Vec<DocId>,
    /// The block's values: each value's document and ordinal.
    value_docs: Vec<DocId>,
    rows: Vec<u32>,
    values: Vec<u64>,
    seen: Vec<u32>,
}

impl SegmentCounter {
    fn count_block(&mut self) {
        self.value_docs.clear();
        self.rows.clear();
        self.ords
            .index
            .docids_to_rowids(&self.block, &mut self.value_docs, &mut self.rows);
        self.block.clear();
        self.values.resize(self.rows.len(), 0);
        self.ords.values.get_vals(&self.rows, &mut self.values);
        let with_parents = !self.names.parent_of.is_empty();
        let mut current = None;
        for (&doc, &ord) in self.value_docs.iter().zip(&self.values) {
            if let Some(n) = self.leaves.get_mut(ord as usize) {
                *n += 1;
            }
            if !with_parents {
                continue;
            }
            // A parent counts once per document, however many of its children it has.
            if current != Some(doc) {
                current = Some(doc);
                self.seen.clear();
            }
            if let Some(&p) = self.names.parent_of.get(ord as usize)
                && !self.seen.contains(&p)
            {
                self.seen.push(p);
                self.parent_counts[p as usize] += 1;
            }
        }
    }
}

impl Collector for Counter {
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let column = segment.fast_fields().str(&self.field)?.ok_or_else(|| {
            tantivy::TantivyError::SchemaError(format!("no facet column {}", self.field))
        })?;
        let names = self.names.get(ordinal as usize).cloned().ok_or_else(|| {
            tantivy::TantivyError::InternalError("facet names of another index generation".into())
        })?;
        Ok(SegmentCounter {
            segment: ordinal,
            leaves: vec![0; column.num_terms()],
            parent_counts: vec![0; names.parents.len()],
            ords: column.ords().clone(),
            names,
            block: Vec::with_capacity(BLOCK),
            value_docs: Vec::with_capacity(BLOCK),
            rows: Vec::with_capacity(BLOCK),
            values: Vec::with_capacity(BLOCK),
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
            self.count_block();
        }
    }

    fn harvest(mut self) -> Counts {
        self.count_block();
        vec![SegmentCounts {
            names: self.names,
            leaves: self.leaves,
            parents: self.parent_counts,
            segment: self.segment,
        }]
    }
}

fn read(segments: Counts, keep: usize) -> Vec<FacetCount> {
    // Names are borrowed until the top values are known: a document facet can
    // have thousands of values in a broad search.
    let mut merged: HashMap<&str, u64> = HashMap::new();
    for seg in &segments {
        let with_parents = !seg.names.parent_of.is_empty();
        for (ord, &n) in seg.leaves.iter().enumerate() {
            let Some(value) = seg.names.values.get(ord).filter(|_| n > 0) else {
                continue;
            };
            // With parents, a top-level value is counted once per document below.
            if value.is_empty() || (with_parents && seg.names.parents.contains(value)) {
                continue;
            }
            *merged.entry(value.as_str()).or_default() += u64::from(n);
        }
        for (name, &n) in seg.names.parents.iter().zip(&seg.parents) {
            if n > 0 {
                *merged.entry(name.as_str()).or_default() += u64::from(n);
            }
        }
    }
    let mut top: Vec<(&str, u64)> = merged.into_iter().collect();
    let order = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
    if top.len() > keep {
        top.select_nth_unstable_by(keep, order);
        top.truncate(keep);
    }
    top.sort_by(order);
    top.into_iter()
        .map(|(value, count)| FacetCount {
            value: value.to_owned(),
            count,
        })
        .collect()
}

/// Who said it, counted on the statements that hold every word of the plan
/// (mentions, as timelines count them), all filters but the speaker's kept.
pub(crate) fn mentions_by_speaker(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
) -> Result<Vec<FacetCount>> {
    let specs = specs(snapshot.fields(), plan.facet_limit);
    count_alone(snapshot, &specs[0], plan, plan.counting_query())
}

/// Counts one facet in a pass of its own (its own filter left out).
fn count_alone(
    snapshot: &Snapshot<'_>,
    spec: &Spec,
    plan: &QueryPlan,
    matching: Option<&dyn Query>,
) -> Result<Vec<FacetCount>> {
    let kind = if spec.display.speaker {
        KIND_STATEMENT
    } else {
        plan.kind
    };
    let query = combine(
        kind,
        snapshot.fields(),
        matching,
        plan.filters.all(Some(spec.own)),
    );
    let segments = snapshot
        .searcher
        .search(&*query, &counter(snapshot, spec))?;
    Ok(read(segments, spec.top))
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
