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

use super::filters::term;
use super::vector::DocSet;
use crate::index::Fields;
use crate::index::schema::KIND_DOCUMENT;

/// Per segment, for each document ordinal, the ordinal of the derived
/// field's value ([`NO_VALUE`] where the document has none); None where the
/// segment breaks the rule.
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

/// The derived field's counts in one segment from the document counts there.
pub(crate) fn counts(by_document: &[u32], document_counts: &[u32], terms: usize) -> Vec<u32> {
    let mut out = vec![0; terms];
    for (d, &n) in document_counts.iter().enumerate() {
        if n == 0 {
            continue;
        }
        if let Some(&v) = by_document.get(d)
            && let Some(slot) = out.get_mut(v as usize)
        {
            *slot += n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_sum_the_documents_of_each_value() {
        // Documents 0 and 2 are of year ordinal 1, document 1 of none.
        let by_document = [1, NO_VALUE, 1, 0];
        assert_eq!(counts(&by_document, &[3, 5, 2, 0], 2), vec![0, 5]);
        assert_eq!(counts(&by_document, &[0, 0, 0, 4], 2), vec![4, 0]);
    }
}
