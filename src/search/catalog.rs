//! The catalog: what the index holds, read once per index generation. Document
//! summaries (not their outlines), topics, facet value names (`facet_names`), and
//! whether statements have records of their own.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, RwLock};

use crate::index::stored::StoredTexts;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur};
use tantivy::schema::Field;

use super::facet_names::FacetNames;
use super::filters::term;
use super::vector::{VectorCache, VectorStore};
use crate::error::Result;
use crate::index::Fields;
use crate::index::schema::{KIND_DOCUMENT, KIND_PARAGRAPH, KIND_STATEMENT};
use crate::model::DocumentSummary;

pub(crate) struct Catalog {
    pub generation: u64,
    /// Newest first.
    pub documents: Vec<DocumentSummary>,
    by_id: HashMap<String, usize>,
    pub topics: Vec<String>,
    /// What the documents' acronyms stand for.
    pub acronyms: super::acronyms::Acronyms,
    /// False when every statement is a whole paragraph (speech collections):
    /// speaker counts can then ride on the paragraph pass.
    pub separate_statements: bool,
    facet_names: HashMap<Field, Arc<FacetNames>>,
    /// Global ordinals of the facets that may follow from the document, by
    /// document ordinal, per segment (see `search::derived`).
    derived: HashMap<Field, Arc<super::derived::DocumentValues>>,
    pub vectors: VectorStore,
    /// Paragraphs per meeting date: a timeline's denominators without filters.
    pub paragraphs_by_date: std::collections::BTreeMap<u64, u64>,
}

impl Catalog {
    pub(crate) fn load(
        searcher: &tantivy::Searcher,
        f: &Fields,
        facets: &[FacetField],
        vectors: VectorStore,
    ) -> Result<Catalog> {
        let generation = searcher.generation().generation_id();
        let addresses = searcher.search(
            &*term(f.kind, KIND_DOCUMENT),
            &TopDocs::with_limit(10_000_000).order_by_score(),
        )?;
        let mut documents = Vec::with_capacity(addresses.len());
        for (_, address) in addresses {
            let stored: StoredTexts = searcher.doc(address)?;
            if let Some(summary) = stored.first(f.summary)
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
        let acronyms = super::acronyms::Acronyms::of(&documents);
        let statement_only = BooleanQuery::new(vec![
            (Occur::Must, term(f.kind, KIND_STATEMENT)),
            (Occur::MustNot, term(f.kind, KIND_PARAGRAPH)),
        ]);
        let separate_statements = searcher.search(&statement_only, &Count)? > 0;
        let facet_names: HashMap<Field, Arc<FacetNames>> = FacetNames::load_all(searcher, facets)?
            .into_iter()
            .collect();
        let derived = super::derived::load(searcher, f, &super::derived::candidates(f))?
            .into_iter()
            .map(|(field, mut values)| {
                if let Some(names) = facet_names.get(&field) {
                    super::derived::to_global(&mut values, names);
                }
                (field, Arc::new(values))
            })
            .collect();
        Ok(Catalog {
            generation,
            documents,
            by_id,
            topics: topics.into_iter().collect(),
            acronyms,
            separate_statements,
            facet_names,
            derived,
            vectors,
            paragraphs_by_date: super::timeline::paragraphs_by_date(searcher, f)?,
        })
    }

    /// A facet field's values and their global ordinals.
    pub(crate) fn facet_names(&self, field: Field) -> Arc<FacetNames> {
        self.facet_names.get(&field).cloned().unwrap_or_default()
    }

    /// A facet's value ordinals by document ordinal, per segment, where the
    /// field follows from the document in every segment.
    pub(crate) fn derived(&self, field: Field) -> Option<Arc<super::derived::DocumentValues>> {
        self.derived
            .get(&field)
            .filter(|segments| segments.iter().all(Option::is_some))
            .cloned()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&DocumentSummary> {
        self.by_id.get(id).map(|&i| &self.documents[i])
    }

    /// A document by id, symbol, file name stem or URL slug, in that order.
    pub(crate) fn find(&self, reference: &str) -> Option<&DocumentSummary> {
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
                        || slug(&d.id) == slug(r)
                })
            })
    }
}

/// A facet field and how its values are displayed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FacetField {
    pub(crate) field: Field,
    /// Speakers list the name without the kind above it ("Japan", not "country/Japan").
    pub(crate) speaker: bool,
    /// Top-level values are counted too ("5" for "5/e").
    pub(crate) parents: bool,
}

/// "A/HRC/8/44" → "a-hrc-8-44": a reference that fits in a URL segment.
pub fn slug(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Builds the catalog of each index generation as tantivy loads it (at open
/// and after every commit), so that no user request pays for it, and drops the
/// catalogs of generations no searcher uses any more.
pub(crate) struct CatalogWarmer {
    /// The facet fields of a schema (the facets module's list).
    facets: fn(&Fields) -> Vec<FacetField>,
    by_generation: RwLock<HashMap<u64, Arc<Catalog>>>,
    vectors: VectorCache,
}

impl CatalogWarmer {
    pub(crate) fn new(index: &Path, facets: fn(&Fields) -> Vec<FacetField>) -> CatalogWarmer {
        CatalogWarmer {
            facets,
            by_generation: RwLock::default(),
            vectors: VectorCache::new(index),
        }
    }

    /// Build the approximate vector index in the background when a
    /// generation has enough vectors (a server does; a one-shot search,
    /// which would exit before it is ready, does not).
    pub(crate) fn keep_approximate_index(&self) {
        self.vectors.keep_graph();
    }

    /// Whether an approximate index is being built.
    pub(crate) fn building_approximate_index(&self) -> bool {
        self.vectors.building()
    }

    /// The catalog of `searcher`'s generation; built here only if warming it
    /// failed (the error is then the user's to see).
    pub(crate) fn catalog(&self, searcher: &tantivy::Searcher) -> Result<Arc<Catalog>> {
        let generation = searcher.generation().generation_id();
        let cached = self
            .by_generation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&generation)
            .cloned();
        match cached {
            Some(catalog) => Ok(catalog),
            None => self.build(searcher),
        }
    }

    fn build(&self, searcher: &tantivy::Searcher) -> Result<Arc<Catalog>> {
        let fields = Fields::from_schema(searcher.schema())?;
        let vectors = self.vectors.store(searcher, &fields)?;
        let catalog = Arc::new(Catalog::load(
            searcher,
            &fields,
            &(self.facets)(&fields),
            vectors,
        )?);
        self.by_generation
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(catalog.generation, catalog.clone());
        Ok(catalog)
    }
}

impl tantivy::Warmer for CatalogWarmer {
    fn warm(&self, searcher: &tantivy::Searcher) -> tantivy::Result<()> {
        self.build(searcher)
            .map(|_| ())
            .map_err(|e| tantivy::TantivyError::InternalError(format!("catalog: {e}")))
    }

    fn garbage_collect(&self, live: &[&tantivy::SearcherGeneration]) {
        let live: Vec<u64> = live.iter().map(|g| g.generation_id()).collect();
        self.by_generation
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|generation, _| live.contains(generation));
    }
}
