//! Facet counts with tantivy's FacetCollector. Each facet's counts leave out that
//! facet's own filter, so a user can widen a choice. Speakers are counted on the
//! statements that match (who said it), the rest on the matching paragraphs.

use tantivy::collector::FacetCollector;
use tantivy::query::Query;
use tantivy::schema::Field;

use super::{FacetCount, Facets, FilterKind, Filters, combine};
use crate::error::Result;
use crate::index::Fields;
use crate::index::schema::KIND_STATEMENT;

const TOP: usize = 50;
const SPEAKER_KINDS: [&str; 5] = [
    "/country",
    "/organization",
    "/officer",
    "/secretariat",
    "/meeting",
];

pub fn count(
    searcher: &tantivy::Searcher,
    f: &Fields,
    kind: &str,
    text: Option<&dyn Query>,
    filters: &Filters,
) -> Result<Facets> {
    // A FacetCollector takes either "/" or facets below it, so top-level counts
    // and nested ones ("/5" → "/5/a") are two collectors run in one pass.
    let run = |field: Field,
               own: FilterKind,
               kind: &str,
               top: bool,
               nested: &[&str]|
     -> Result<Vec<FacetCount>> {
        let query = combine(kind, f, text, filters.all(Some(own)));
        let name = searcher.schema().get_field_name(field);
        let mut root = FacetCollector::for_field(name);
        root.add_facet("/");
        let mut below = FacetCollector::for_field(name);
        for n in nested {
            below.add_facet(*n);
        }
        let (root_counts, nested_counts) = searcher.search(&*query, &(root, below))?;
        let mut out: Vec<FacetCount> = Vec::new();
        let mut push = |facet: &tantivy::schema::Facet, n: u64| {
            let path = facet.to_path();
            // Speakers list the name, not the "/country" level above it.
            let value = if field == f.speaker {
                path.last().map(|s| s.to_string()).unwrap_or_default()
            } else {
                path.concat()
            };
            if !value.is_empty() && !out.iter().any(|c| c.value == value) {
                out.push(FacetCount { value, count: n });
            }
        };
        if top {
            for (facet, n) in root_counts.get("/") {
                push(facet, n);
            }
        }
        for parent in nested {
            for (facet, n) in nested_counts.get(*parent) {
                push(facet, n);
            }
        }
        out.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        out.truncate(TOP);
        Ok(out)
    };
    let agenda_parents = agenda_parents(searcher, f.agenda)?;
    let parents: Vec<&str> = agenda_parents.iter().map(String::as_str).collect();
    Ok(Facets {
        speaker: run(
            f.speaker,
            FilterKind::Speaker,
            KIND_STATEMENT,
            false,
            &SPEAKER_KINDS,
        )?,
        agenda_item: run(f.agenda, FilterKind::Agenda, kind, true, &parents)?,
        topic: run(f.topic, FilterKind::Topic, kind, true, &[])?,
        document: run(f.document, FilterKind::Document, kind, true, &[])?,
        year: run(f.year, FilterKind::Year, kind, true, &[])?,
    })
}

/// Top-level agenda facets ("/5") that have sub-items, read from the term dictionary.
fn agenda_parents(searcher: &tantivy::Searcher, field: Field) -> Result<Vec<String>> {
    let mut parents = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            let Ok(facet) = tantivy::schema::Facet::from_encoded(stream.key().to_vec()) else {
                continue;
            };
            let path = facet.to_path();
            if path.len() == 2 {
                parents.insert(format!("/{}", path[0]));
            }
        }
    }
    Ok(parents.into_iter().collect())
}
