//! Facets that follow from the document: a record's year, body and meeting
//! are its document's, and in a speech collection so is its speaker. Where
//! that holds in every counted record of a segment (checked once per index
//! generation), a facet's counts are the document facet's counts summed by
//! the document's value, and the main pass reads one column fewer per match.
//! Exact: a segment where any record breaks the rule (no document but a year,
//! two years, two documents) has that facet counted match by match.

use std::collections::HashMap;

use tantivy::columnar::{Cardinality, Column};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, SegmentReader};

use super::facet_counter::SegmentCounts;
use super::facet_names::FacetNames;
use super::filters::term;
use super::vector::DocSet;
use crate::index::Fields;
use crate::index::schema::KIND_DOCUMENT;

/// Per segment, for each document ordinal, the ordinal of the derived
/// field's value (global once the catalog has mapped it, [`NO_VALUE`] where
/// the document has none), empty where no document of the segment has one;
/// None where the segment breaks the rule.
pub(crate) type DocumentValues = Vec<Option<Vec<u32>>>;

/// The document has no value in the derived field.
pub(crate) const NO_VALUE: u32 = u32::MAX;
/// Not yet seen while building.
const UNSEEN: u32 = u32::MAX - 1;

/// The facets that may follow from the document: all but the document itself
/// and the agenda, whose parents ("5" above "5e") are counted per record.
pub(crate) fn candidates(f: &Fields) -> [Field; 8] {
    [
        f.speaker, f.topic, f.year, f.sdg, f.vote, f.body, f.meeting, f.subject,
    ]
}

/// For each of `derived`, its ordinals by document ordinal in every segment.
pub(crate) fn load(
    searcher: &tantivy::Searcher,
    f: &Fields,
    derived: &[Field],
) -> tantivy::Result<HashMap<Field, DocumentValues>> {
    let (document, kind) = (f.document, f.kind);
    let schema = searcher.schema();
    // A document's own record (its summary) holds no text and is never
    // counted: it need not agree.
    let summaries = searcher.search(&*term(kind, KIND_DOCUMENT), &DocSet)?;
    let mut out: HashMap<Field, DocumentValues> = HashMap::new();
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let documents = ords(segment, schema.get_field_name(document))?;
        let counted = |doc: DocId| !summaries.contains(&DocAddress::new(ordinal as u32, doc));
        for &field in derived {
            let values = ords(segment, schema.get_field_name(field))?;
            let map = match (&documents, values) {
                (Some(documents), Some(values)) => {
                    by_document(segment, &counted, documents, &values)
                }
                _ => None,
            };
            out.entry(field).or_default().push(map);
        }
    }
    Ok(out)
}

/// A string column's ordinals per record, and how many terms it has.
type Terms = (Column<u64>, usize);

fn ords(segment: &SegmentReader, field: &str) -> tantivy::Result<Option<Terms>> {
    Ok(segment
        .fast_fields()
        .str(field)?
        .map(|column| (column.ords().clone(), column.num_terms())))
}

/// Each document ordinal's value ordinal, if every record agrees.
fn by_document(
    segment: &SegmentReader,
    counted: &dyn Fn(DocId) -> bool,
    documents: &Terms,
    values: &Terms,
) -> Option<Vec<u32>> {
    let mut map: Vec<u32> = vec![UNSEEN; documents.1];
    let (documents, values) = (&documents.0, &values.0);
    let single = |c: &Column<u64>| c.get_cardinality() != Cardinality::Multivalued;
    let mut agree = |document: Option<u64>, value: Option<u64>| -> Option<()> {
        let value = match value {
            None => NO_VALUE,
            Some(v) => u32::try_from(v).ok().filter(|&v| v < UNSEEN)?,
        };
        let Some(document) = document else {
            // A record of no document must have no value either.
            return (value == NO_VALUE).then_some(());
        };
        let slot = map.get_mut(usize::try_from(document).ok()?)?;
        if *slot == UNSEEN {
            *slot = value;
        }
        (*slot == value).then_some(())
    };
    if single(documents) && single(values) {
        // At most one value a record: read both columns a block at a time.
        let mut docs: Vec<DocId> = Vec::with_capacity(BLOCK);
        let (mut in_document, mut valued) = (vec![None; BLOCK], vec![None; BLOCK]);
        for start in (0..segment.max_doc()).step_by(BLOCK) {
            docs.clear();
            docs.extend(start..segment.max_doc().min(start + BLOCK as u32));
            let n = docs.len();
            documents.first_vals(&docs, &mut in_document[..n]);
            values.first_vals(&docs, &mut valued[..n]);
            for i in 0..n {
                if counted(docs[i]) {
                    agree(in_document[i], valued[i])?;
                }
            }
        }
    } else {
        for doc in (0..segment.max_doc()).filter(|&doc| counted(doc)) {
            let mut in_document = documents.values_for_doc(doc);
            let (document, two_documents) = (in_document.next(), in_document.next().is_some());
            let mut valued = values.values_for_doc(doc);
            let value = valued.next();
            if valued.next().is_some() || two_documents && value.is_some() {
                return None;
            }
            if !two_documents {
                agree(document, value)?;
            }
        }
    }
    Some(map)
}

/// Records read at once while checking a segment.
const BLOCK: usize = 1024;

/// Maps each segment's value ordinals to global ordinals (unknown ones to
/// [`NO_VALUE`]); a segment where no document has a value is left empty, and
/// a search adds nothing up there.
pub(crate) fn to_global(values: &mut DocumentValues, names: &FacetNames) {
    for (segment, values) in values.iter_mut().enumerate() {
        let Some(values) = values else { continue };
        let global = names.segment(segment as u32).map(|s| &s.global[..]);
        for v in values.iter_mut().filter(|v| **v != NO_VALUE) {
            *v = global
                .and_then(|g| g.get(*v as usize).copied())
                .unwrap_or(NO_VALUE);
        }
        if values.iter().all(|&v| v == NO_VALUE) {
            *values = Vec::new();
        }
    }
}

/// The documents a search matched, per segment: (document ordinal, matches).
pub(crate) struct Matched(Vec<(u32, Vec<(u32, u32)>)>);

impl Matched {
    /// From the document facet's counts. Without a branch per document: a
    /// collection of ten thousand speeches has ten thousand documents,
    /// matched or not, and which are is unpredictable.
    pub(crate) fn of(documents: &[SegmentCounts]) -> Matched {
        Matched(
            documents
                .iter()
                .map(|counted| {
                    // The last slot holds the records of no document.
                    let documents = counted.leaves.len().saturating_sub(1);
                    let mut matched = vec![(0, 0); documents];
                    let mut len = 0;
                    for (document, &n) in counted.leaves[..documents].iter().enumerate() {
                        matched[len] = (document as u32, n);
                        len += usize::from(n != 0);
                    }
                    matched.truncate(len);
                    (counted.segment, matched)
                })
                .collect(),
        )
    }
}

/// The derived field's counts by global ordinal (`terms` of them): each
/// matched document's matches added to its value's count (a document with
/// no value adds to a slot past the end, dropped).
pub(crate) fn counts(by_document: &DocumentValues, matched: &Matched, terms: usize) -> Vec<u64> {
    let mut out = vec![0u64; terms + 1];
    for (segment, documents) in &matched.0 {
        let Some(Some(values)) = by_document.get(*segment as usize) else {
            continue;
        };
        if values.is_empty() {
            continue;
        }
        for &(document, n) in documents {
            let value = values.get(document as usize).copied().unwrap_or(NO_VALUE);
            out[(value as usize).min(terms)] += u64::from(n);
        }
    }
    out.truncate(terms);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::facet_names::SegmentNames;

    #[test]
    fn counts_sum_the_documents_of_each_value() {
        let documents = |segment, leaves: Vec<u32>| SegmentCounts {
            leaves,
            parents: Vec::new(),
            segment,
        };
        // Segment 0: documents 0 and 2 are of year 1, document 1 of none;
        // segment 1 breaks the rule and is counted elsewhere; no document
        // of segment 2 has a year. The slot past the last document holds
        // the records of none.
        let by_document = vec![Some(vec![1, NO_VALUE, 1, 0]), None, Some(Vec::new())];
        let matched = vec![
            documents(0, vec![3, 5, 2, 0, 6]),
            documents(1, vec![7]),
            documents(2, vec![4, 4]),
        ];
        assert_eq!(counts(&by_document, &Matched::of(&matched), 2), vec![0, 5]);
        let last = Matched::of(&[documents(0, vec![0, 0, 0, 4, 9])]);
        assert_eq!(counts(&by_document, &last, 2), vec![4, 0]);
    }

    #[test]
    fn segment_ordinals_become_global() {
        let names = FacetNames {
            values: vec!["1990".into(), "2000".into(), "2010".into()],
            segments: vec![
                SegmentNames::new(vec![0, 2], Vec::new(), None, 0),
                SegmentNames::new(vec![1], Vec::new(), None, 0),
            ],
        };
        let mut values = vec![
            Some(vec![1, NO_VALUE, 0]),
            Some(vec![0, 5]),
            None,
            Some(vec![NO_VALUE, NO_VALUE]),
        ];
        to_global(&mut values, &names);
        assert_eq!(
            values,
            vec![
                Some(vec![2, NO_VALUE, 0]),
                Some(vec![1, NO_VALUE]),
                None,
                Some(Vec::new())
            ]
        );
    }
}
