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
use tantivy::fastfield::FacetReader;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::catalog::Catalog;
use super::{FacetCount, Facets, FilterKind, Filters, combine};
use crate::error::Result;
use crate::index::Fields;
use crate::index::schema::KIND_STATEMENT;

const TOP: usize = 50;

/// One facet to count.
pub struct Spec {
    field: Field,
    own: FilterKind,
    /// Counted on statement records, listed by name without the kind above it.
    speaker: bool,
    /// Also count top-level values ("5" for "5/e"), each document once.
    parents: bool,
}

pub fn specs(f: &Fields) -> Vec<Spec> {
    let spec = |field, own, parents| Spec {
        field,
        own,
        speaker: field == f.speaker,
        parents,
    };
    vec![
        spec(f.speaker, FilterKind::Speaker, false),
        spec(f.agenda, FilterKind::Agenda, true),
        spec(f.topic, FilterKind::Topic, false),
        spec(f.document, FilterKind::Document, false),
        spec(f.year, FilterKind::Year, false),
        spec(f.sdg, FilterKind::Sdg, false),
    ]
}

impl Spec {
    /// Whether this facet counts over exactly the main query's matches.
    pub fn rides_on_main(&self, main_kind: &str, filters: &Filters, catalog: &Catalog) -> bool {
        !filters.has(self.own)
            && (!self.speaker || main_kind == KIND_STATEMENT || !catalog.separate_statements)
    }
}

/// One segment's counts by ordinal, with the names to read them.
pub struct SegmentCounts {
    names: Arc<SegmentNames>,
    leaves: Vec<u32>,
    parents: Vec<u32>,
}

/// Counts of every segment; names are looked up only when they are read.
type Counts = Vec<SegmentCounts>;

/// The values of one facet field in one segment, by ordinal, as they are
/// displayed; built once per index generation (see the catalog).
pub struct SegmentNames {
    values: Vec<String>,
    /// Ordinal → index of its top-level value in `parents` (agenda "5" for "5e").
    parent_of: Vec<u32>,
    parents: Vec<String>,
}

impl SegmentNames {
    pub fn load(
        segment: &SegmentReader,
        field: &str,
        speaker: bool,
        parents: bool,
    ) -> tantivy::Result<SegmentNames> {
        let reader = segment.facet_reader(field)?;
        let mut names = SegmentNames {
            values: Vec::with_capacity(reader.num_facets()),
            parent_of: Vec::new(),
            parents: Vec::new(),
        };
        let mut stream = reader.facet_dict().stream()?;
        while stream.advance() {
            let path: Vec<&[u8]> = stream.key().split(|&b| b == 0).collect();
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            // Speakers list the name, not the "/country" level above it.
            let value = if speaker {
                path.last().map(|b| text(b)).unwrap_or_default()
            } else {
                path.iter().map(|b| text(b)).collect::<String>()
            };
            names.values.push(value);
            if parents {
                let top = text(path.first().copied().unwrap_or_default());
                let i = match names.parents.iter().position(|p| *p == top) {
                    Some(i) => i,
                    None => {
                        names.parents.push(top);
                        names.parents.len() - 1
                    }
                };
                names.parent_of.push(i as u32);
            }
        }
        Ok(names)
    }
}

/// Counts the values of one facet field among the matches.
pub struct Counter {
    field: String,
    /// Per segment ordinal.
    names: Arc<Vec<Arc<SegmentNames>>>,
}

pub struct SegmentCounter {
    reader: FacetReader,
    names: Arc<SegmentNames>,
    leaves: Vec<u32>,
    parent_counts: Vec<u32>,
    seen: Vec<u32>,
}

impl Collector for Counter {
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let reader = segment.facet_reader(&self.field)?;
        let names = self.names.get(ordinal as usize).cloned().ok_or_else(|| {
            tantivy::TantivyError::InternalError("facet names of another index generation".into())
        })?;
        Ok(SegmentCounter {
            leaves: vec![0; reader.num_facets()],
            parent_counts: vec![0; names.parents.len()],
            reader,
            names,
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
        self.seen.clear();
        for ord in self.reader.facet_ords(doc) {
            if let Some(n) = self.leaves.get_mut(ord as usize) {
                *n += 1;
            }
            if let Some(&p) = self.names.parent_of.get(ord as usize)
                && !self.seen.contains(&p)
            {
                self.seen.push(p);
                self.parent_counts[p as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        vec![SegmentCounts {
            names: self.names,
            leaves: self.leaves,
            parents: self.parent_counts,
        }]
    }
}

pub fn add(
    multi: &mut MultiCollector<'_>,
    searcher: &tantivy::Searcher,
    catalog: &Catalog,
    spec: &Spec,
) -> FruitHandle<Counts> {
    multi.add_collector(Counter {
        field: searcher.schema().get_field_name(spec.field).to_owned(),
        names: catalog.facet_names(spec.field),
    })
}

/// Names of every facet field, per segment: what the catalog caches.
pub fn load_names(
    searcher: &tantivy::Searcher,
    f: &Fields,
) -> Result<HashMap<Field, Arc<Vec<Arc<SegmentNames>>>>> {
    let mut out = HashMap::new();
    for spec in specs(f) {
        let name = searcher.schema().get_field_name(spec.field);
        let per_segment = searcher
            .segment_readers()
            .iter()
            .map(|s| SegmentNames::load(s, name, spec.speaker, spec.parents).map(Arc::new))
            .collect::<tantivy::Result<Vec<_>>>()?;
        out.insert(spec.field, Arc::new(per_segment));
    }
    Ok(out)
}

pub fn read(handle: FruitHandle<Counts>, fruits: &mut MultiFruit) -> Vec<FacetCount> {
    let segments = handle.extract(fruits);
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
    if top.len() > TOP {
        top.select_nth_unstable_by(TOP, order);
        top.truncate(TOP);
    }
    top.sort_by(order);
    top.into_iter()
        .map(|(value, count)| FacetCount {
            value: value.to_owned(),
            count,
        })
        .collect()
}

/// Counts one facet in a pass of its own (its own filter left out).
pub fn count_alone(
    searcher: &tantivy::Searcher,
    catalog: &Catalog,
    f: &Fields,
    spec: &Spec,
    main_kind: &str,
    text: Option<&dyn Query>,
    filters: &Filters,
) -> Result<Vec<FacetCount>> {
    let kind = if spec.speaker {
        KIND_STATEMENT
    } else {
        main_kind
    };
    let query = combine(kind, f, text, filters.all(Some(spec.own)));
    let mut multi = MultiCollector::new();
    let handle = add(&mut multi, searcher, catalog, spec);
    let mut fruits = searcher.search(&*query, &multi)?;
    Ok(read(handle, &mut fruits))
}

/// Puts counts into their place in the response.
pub fn assign(facets: &mut Facets, f: &Fields, spec: &Spec, counts: Vec<FacetCount>) {
    let slot = if spec.field == f.speaker {
        &mut facets.speaker
    } else if spec.field == f.agenda {
        &mut facets.agenda_item
    } else if spec.field == f.topic {
        &mut facets.topic
    } else if spec.field == f.document {
        &mut facets.document
    } else if spec.field == f.sdg {
        &mut facets.sdg
    } else {
        &mut facets.year
    };
    *slot = counts;
}
