//! The catalog: what the index holds, read once per index generation. Document
//! summaries (not their outlines), topics, facet value names per segment, and
//! whether statements have records of their own.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ExistsQuery, Occur};
use tantivy::schema::{Field, Value};

use super::facets::SegmentNames;
use super::term;
use super::vector::VectorStore;
use crate::error::Result;
use crate::index::Fields;
use crate::index::schema::{KIND_DOCUMENT, KIND_PARAGRAPH, KIND_STATEMENT};
use crate::model::DocumentSummary;

pub struct Catalog {
    pub generation: u64,
    /// Newest first.
    pub documents: Vec<DocumentSummary>,
    by_id: HashMap<String, usize>,
    pub topics: Vec<String>,
    /// False when every statement is a whole paragraph (speech collections):
    /// speaker counts can then ride on the paragraph pass.
    pub separate_statements: bool,
    facet_names: HashMap<Field, Arc<Vec<Arc<SegmentNames>>>>,
    pub vectors: VectorStore,
    /// Paragraphs ingested with --no-embed: semantic search cannot reach them.
    pub paragraphs_without_vectors: usize,
}

impl Catalog {
    pub fn load(searcher: &tantivy::Searcher, f: &Fields) -> Result<Catalog> {
        let generation = searcher.generation().generation_id();
        let addresses = searcher.search(
            &*term(f.kind, KIND_DOCUMENT),
            &TopDocs::with_limit(10_000_000).order_by_score(),
        )?;
        let mut documents = Vec::with_capacity(addresses.len());
        for (_, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(summary) = doc.get_first(f.summary).and_then(|v| v.as_str())
                && let Ok(d) = serde_json::from_str::<DocumentSummary>(summary)
            {
                documents.push(d);
            }
        }
        documents.sort_by(|a, b| b.date.cmp(&a.date).then(a.id.cmp(&b.id)));
        let by_id = documents
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.clone(), i))
            .collect();
        let topics: BTreeSet<String> = documents
            .iter()
            .flat_map(|d| d.topics.iter().cloned())
            .collect();
        let statement_only = BooleanQuery::new(vec![
            (Occur::Must, term(f.kind, KIND_STATEMENT)),
            (Occur::MustNot, term(f.kind, KIND_PARAGRAPH)),
        ]);
        let separate_statements = searcher.search(&statement_only, &Count)? > 0;
        Ok(Catalog {
            generation,
            documents,
            by_id,
            topics: topics.into_iter().collect(),
            separate_statements,
            facet_names: super::facets::load_names(searcher, f)?,
            vectors: VectorStore::load(searcher, f)?,
            paragraphs_without_vectors: searcher.search(
                &BooleanQuery::new(vec![
                    (Occur::Must, term(f.kind, KIND_PARAGRAPH)),
                    (
                        Occur::MustNot,
                        Box::new(ExistsQuery::new("vector_hash".into(), false)),
                    ),
                ]),
                &Count,
            )?,
        })
    }

    /// A facet field's values by segment and ordinal.
    pub fn facet_names(&self, field: Field) -> Arc<Vec<Arc<SegmentNames>>> {
        self.facet_names.get(&field).cloned().unwrap_or_default()
    }

    pub fn get(&self, id: &str) -> Option<&DocumentSummary> {
        self.by_id.get(id).map(|&i| &self.documents[i])
    }

    /// A document by id, symbol, file name stem or URL slug, in that order.
    pub fn find(&self, reference: &str) -> Option<&DocumentSummary> {
        let r = reference.trim();
        self.get(r)
            .or_else(|| {
                self.documents.iter().find(|d| {
                    d.id.eq_ignore_ascii_case(r)
                        || d.symbol
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case(r))
                })
            })
            .or_else(|| {
                self.documents.iter().find(|d| {
                    std::path::Path::new(&d.source)
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .is_some_and(|s| s.eq_ignore_ascii_case(r))
                        || super::slug(&d.id) == super::slug(r)
                })
            })
    }
}
