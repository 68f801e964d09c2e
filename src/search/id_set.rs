//! The records of a set of ids (the paragraphs found by meaning), as a query
//! that scores nothing. tantivy's `TermSetQuery` compiles its terms into
//! a new FST each time a weight is made, a fifth of a hybrid search on a small
//! collection; a hundred paragraph ids are looked up one by one instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::postings::SegmentPostings;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// The records of one segment that hold `term`, in order; None where none does.
pub(crate) fn postings(
    segment: &SegmentReader,
    term: &Term,
) -> tantivy::Result<Option<SegmentPostings>> {
    Ok(segment
        .inverted_index(term.field())?
        .read_postings(term, IndexRecordOption::Basic)?)
}

/// Records whose `field` (a u64 id, indexed) is one of `ids`, each scoring 0.
#[derive(Clone)]
pub(crate) struct IdSetQuery {
    field: Field,
    /// Sorted and distinct, so that the term dictionary is read in order.
    ids: Vec<u64>,
    /// Each segment's records, once looked up: one search runs the query in
    /// several passes (the hits, a filter's own facet, the exact matches),
    /// and its clones share what the first pass found.
    found: Arc<Mutex<HashMap<SegmentId, BitSet>>>,
}

impl std::fmt::Debug for IdSetQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdSetQuery")
            .field("field", &self.field)
            .field("ids", &self.ids)
            .finish()
    }
}

impl IdSetQuery {
    pub(crate) fn new(field: Field, ids: impl IntoIterator<Item = u64>) -> IdSetQuery {
        let mut ids: Vec<u64> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        IdSetQuery {
            field,
            ids,
            found: Arc::default(),
        }
    }
}

impl Query for IdSetQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, _: &mut dyn FnMut(&'a Term, bool)) {
        // Ids are no words: nothing for highlighting or statistics.
    }
}

impl IdSetQuery {
    /// The records of one segment that hold one of the ids.
    fn look_up(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let mut found = BitSet::with_max_value(reader.max_doc());
        for &id in &self.ids {
            if let Some(mut records) = postings(reader, &Term::from_field_u64(self.field, id))? {
                while records.doc() != TERMINATED {
                    found.insert(records.doc());
                    records.advance();
                }
            }
        }
        Ok(found)
    }
}

impl Weight for IdSetQuery {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let segment = reader.segment_id();
        let known = self
            .found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&segment)
            .cloned();
        let found = match known {
            Some(found) => found,
            None => {
                let found = self.look_up(reader)?;
                self.found
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(segment, found.clone());
                found
            }
        };
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(found), 0.0)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new(
                "one of the paragraphs found by meaning",
                0.0,
            ))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "record {doc} is none of the paragraphs"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::DocSetCollector;
    use tantivy::query::TermSetQuery;
    use tantivy::schema::{INDEXED, Schema};

    use super::*;

    /// The same records as tantivy's own TermSetQuery, over several segments,
    /// with ids absent, repeated and out of order.
    #[test]
    fn it_matches_what_a_term_set_query_matches() {
        let mut schema = Schema::builder();
        let field = schema.add_u64_field("para", INDEXED);
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for segment in 0..3u64 {
            for i in 0..700u64 {
                writer
                    .add_document(tantivy::doc!(field => (i * 7 + segment) % 500))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        for ids in [
            vec![],
            vec![3],
            vec![499, 2, 2, 77, 100_000, 0],
            (0..600).step_by(3).collect(),
        ] {
            let query = IdSetQuery::new(field, ids.clone());
            let ours = searcher.search(&query, &DocSetCollector).unwrap();
            // A second pass reads what the first one found.
            assert_eq!(query.found.lock().unwrap().len(), 3);
            let again = searcher.search(&query, &DocSetCollector).unwrap();
            assert_eq!(ours, again, "{ids:?}");
            let theirs = searcher
                .search(
                    &TermSetQuery::new(ids.iter().map(|&id| Term::from_field_u64(field, id))),
                    &DocSetCollector,
                )
                .unwrap();
            assert_eq!(ours, theirs, "{ids:?}");
            assert_eq!(ours.is_empty(), ids.iter().all(|&id| id >= 500));
        }
    }
}
