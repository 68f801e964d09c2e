//! The searcher: one open index, and a search as its stages.

use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{Query, QueryParser};

use super::catalog::{Catalog, CatalogWarmer};
use super::facets;
use super::filters::term;
use super::hits;
use super::parallel;
use super::plan::{Purpose, QueryPlan};
use super::rank::{self, MainPass};
use super::request::{DEFAULT_LIMIT, Mode, SearchRequest};
use super::response::SearchResponse;
use super::thesaurus::Thesaurus;
use crate::embed::Embedder;
use crate::error::{QueryError, Result};
use crate::index::schema::{KIND_DOCUMENT, KIND_PARAGRAPH};
use crate::index::{Fields, Index};

/// Searches one index. Cheap to share between threads.
pub struct Searcher {
    index: Index,
    /// Kept alive here: tantivy holds its warmers weakly.
    warmer: Arc<CatalogWarmer>,
    /// Searches running now, to search on two threads where one runs alone.
    load: parallel::Load,
}

/// One index generation as a request sees it: tantivy's searcher and the
/// catalog warmed for it. Every stage of one request reads the same snapshot.
pub(crate) struct Snapshot<'a> {
    pub(crate) index: &'a Index,
    pub(crate) searcher: tantivy::Searcher,
    pub(crate) catalog: Arc<Catalog>,
    /// Whether [`Snapshot::search`] may share the segments with a second thread.
    pub(crate) parallel: bool,
}

impl Snapshot<'_> {
    pub(crate) fn fields(&self) -> &Fields {
        &self.index.fields
    }

    /// tantivy's `Searcher::search`, with the segments after the first
    /// collected on rayon's threads while this one collects the first, where
    /// the snapshot is [`Snapshot::parallel`] and they are large.
    pub(crate) fn search<C: Collector>(
        &self,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        let searcher = &self.searcher;
        if self.parallel && parallel::worth_sharing(searcher.segment_readers()) {
            return parallel::search(searcher, query, collector);
        }
        searcher.search(query, collector)
    }
}

impl Searcher {
    /// Opens the index at `path`; its catalog is built before this returns.
    pub fn open(path: &std::path::Path) -> Result<Searcher> {
        let warmer = Arc::new(CatalogWarmer::new(path, facets::fields));
        let weak = Arc::downgrade(&warmer);
        let index = Index::open_warmed(path, vec![weak])?;
        Ok(Searcher {
            index,
            warmer,
            load: parallel::Load::default(),
        })
    }

    /// Keeps an approximate vector index (HNSW) for large collections, built
    /// in the background when a generation has enough vectors; until it is
    /// ready, searches by meaning scan exactly. For long-lived processes.
    pub fn keep_approximate_index(&self) {
        self.warmer.keep_approximate_index();
    }

    /// Whether the approximate vector index is being built (searches by
    /// meaning scan exactly meanwhile).
    pub fn building_approximate_index(&self) -> bool {
        self.warmer.building_approximate_index()
    }

    /// The open index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The engine underneath, for honest latency comparisons: the same words
    /// through tantivy's `QueryParser` and a top-`limit` `TopDocs`, with no
    /// filters, grouping, facets, highlights or stored fields. Returns how
    /// many hits came back.
    pub fn bare_tantivy(&self, q: &str, limit: usize) -> Result<usize> {
        let parsed = self.baseline_query(q)?;
        let top = TopDocs::with_limit(limit.max(1)).order_by_score();
        Ok(self.index.reader.searcher().search(&parsed, &top)?.len())
    }

    /// The second baseline of `rapporteur bench`: tantivy's own top `limit`
    /// by BM25 plus its aggregation collector, a terms aggregation (top 50,
    /// exact counts) on each facet field an answer counts, in one pass; no
    /// highlights, statements or filters. Returns the number of hits.
    pub fn tantivy_with_aggregations(&self, q: &str, limit: usize) -> Result<usize> {
        use tantivy::aggregation::AggregationCollector;
        use tantivy::aggregation::agg_req::Aggregations;
        let parsed = self.baseline_query(q)?;
        let schema = self.index.index.schema();
        let terms: serde_json::Map<String, serde_json::Value> = facets::fields(&self.index.fields)
            .iter()
            .map(|facet| {
                let name = schema.get_field_name(facet.field).to_owned();
                let terms = serde_json::json!({ "terms": { "field": name, "size": 50 } });
                (name, terms)
            })
            .collect();
        let aggregations: Aggregations =
            serde_json::from_value(serde_json::Value::Object(terms))
                .map_err(|e| tantivy::TantivyError::InvalidArgument(e.to_string()))?;
        let collector = (
            TopDocs::with_limit(limit.max(1)).order_by_score(),
            AggregationCollector::from_aggs(aggregations, Default::default()),
        );
        let (top, _counts) = self.index.reader.searcher().search(&parsed, &collector)?;
        Ok(top.len())
    }

    /// The baselines' query: the question's words through tantivy's own
    /// `QueryParser` on the text field.
    fn baseline_query(&self, q: &str) -> Result<Box<dyn tantivy::query::Query>> {
        let text = super::query::interpret(q)?.text;
        let parser = QueryParser::for_index(&self.index.index, vec![self.index.fields.text]);
        Ok(parser
            .parse_query(&text)
            .map_err(|source| QueryError::Syntax { source })?)
    }

    pub(crate) fn snapshot(&self) -> Result<Snapshot<'_>> {
        let searcher = self.index.reader.searcher();
        let catalog = self.warmer.catalog(&searcher)?;
        Ok(Snapshot {
            index: &self.index,
            searcher,
            catalog,
            parallel: false,
        })
    }

    /// A search: plan → meaning candidates → one pass that ranks and counts →
    /// ranking in the plan's mode → the other facets → the page of hits.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        let alone = parallel::Alone::enter(&self.load);
        let snapshot = Snapshot {
            parallel: alone.is_alone(),
            ..self.snapshot()?
        };
        let plan = QueryPlan::new(request, &snapshot, Purpose::Search, DEFAULT_LIMIT)?;
        let candidates = rank::candidates(&snapshot, &plan)?;
        let matching = rank::matching(&snapshot, &plan, &candidates.0);
        let MainPass {
            mut fruits,
            riding,
            found,
        } = MainPass::run(&snapshot, &plan, matching.as_deref())?;
        let ranking = rank::rank(&snapshot, &plan, found, &mut fruits, candidates)?;
        let facets = facets::finish(riding, &mut fruits, &snapshot, &plan, matching.as_deref())?;
        let hits = hits::page(&snapshot, &plan, ranking.page)?;
        Ok(SearchResponse {
            query: plan.original,
            interpreted: plan.interpreted,
            mode: plan.mode,
            notice: plan.notice,
            total: ranking.total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            facets,
        })
    }

    /// Whether a search in `mode` may first have to load the embedding model
    /// (seconds): not in keyword mode, not once this process has loaded it,
    /// and not on a collection without vectors, which is searched by words.
    pub fn may_load_model(&self, mode: Option<Mode>) -> bool {
        if mode == Some(Mode::Keyword) || (Embedder::is_loaded() && Thesaurus::is_loaded()) {
            return false;
        }
        self.snapshot()
            .map_or(true, |snapshot| !snapshot.catalog.vectors.is_empty())
    }

    /// Forgets what the process keeps of questions asked before: their
    /// vectors and the thesaurus's concepts near them (benchmarks of the
    /// cold path). The model stays loaded.
    pub fn forget_questions(&self) {
        if Embedder::is_loaded()
            && let Ok(embedder) = Embedder::shared()
        {
            embedder.clear_cache();
        }
        Thesaurus::forget_questions();
    }

    /// Documents and paragraphs in the index (health checks).
    pub fn counts(&self) -> Result<(usize, usize)> {
        let searcher = self.index.reader.searcher();
        let f = &self.index.fields;
        let paragraphs = searcher.search(&term(f.kind, KIND_PARAGRAPH), &Count)?;
        let documents = searcher.search(&term(f.kind, KIND_DOCUMENT), &Count)?;
        Ok((documents, paragraphs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::writer::{self, IngestOptions, Silent};
    use crate::ingest::{Layout, Source};
    use crate::search::{Mode, Sort};

    const REPORT: &str = "\
Report of the Meeting

I. PROCEEDINGS

1. The Meeting was opened by the Secretariat, which welcomed the participants.
2. The representative of Mongolia noted the possible duplication of work on desertification.
3. The representative of Japan also recognized the duplication of activities of the
programmes. The representative of China stressed cooperation on air pollution.
4. The Meeting noted the money pledged by the Republic of Korea to the Core Fund, and
the contribution of China to the Core Fund.
";

    fn tiny() -> (tempfile::TempDir, Searcher) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tiny-report.txt");
        std::fs::write(&file, REPORT).unwrap();
        let mut options = IngestOptions::new(dir.path().join("index"));
        options.embed = false;
        writer::ingest(
            &Source::from_files(vec![file], Layout::Auto),
            &options,
            &Silent,
        )
        .unwrap();
        let searcher = Searcher::open(&options.index).unwrap();
        (dir, searcher)
    }

    fn keyword(q: &str) -> SearchRequest {
        SearchRequest {
            mode: Some(Mode::Keyword),
            ..SearchRequest::new(q)
        }
    }

    fn ids(r: &SearchResponse) -> Vec<&str> {
        r.hits.iter().map(|h| h.id.as_str()).collect()
    }

    /// A collection without vectors is searched by words whatever the mode
    /// asked: no search of it waits for the model.
    #[test]
    fn no_search_of_a_collection_without_vectors_loads_the_model() {
        let (_dir, s) = tiny();
        for mode in [None, Some(Mode::Keyword), Some(Mode::Hybrid)] {
            assert!(!s.may_load_model(mode), "{mode:?}");
        }
    }

    #[test]
    fn a_speaker_question_matches_that_speakers_statements_only() {
        let (_dir, s) = tiny();
        let all = s.search(&keyword("duplication")).unwrap();
        assert_eq!(all.total, 2);
        let not_japan = s.search(&keyword("duplication AND NOT Japan")).unwrap();
        assert_eq!(ids(&not_japan), ["tiny-report#2"]);
        let minus_japan = s.search(&keyword("duplication -Japan")).unwrap();
        assert_eq!(ids(&minus_japan), ["tiny-report#2"]);
        let japan = s
            .search(&keyword("what did Japan say on duplication"))
            .unwrap();
        assert_eq!(ids(&japan), ["tiny-report#3"]);
        // Only Japan's statement, with its word marked.
        let statements = &japan.hits[0].statements;
        assert_eq!(statements.len(), 1);
        let st = &statements[0];
        assert_eq!(st.speaker.as_deref(), Some("Japan"));
        let [a, b] = st.highlights[0];
        assert_eq!(&st.text[a..b], "duplication");
        assert_eq!(&*japan.facets.speaker[0].value, "Japan");
    }

    #[test]
    fn an_agent_is_searched_by_its_names_and_marked_only_where_they_stand() {
        let (_dir, s) = tiny();
        let r = s.search(&keyword("money pledged by Seoul")).unwrap();
        assert_eq!(ids(&r)[0], "tiny-report#4");
        let st = &r.hits[0].statements[0];
        let marked: Vec<&str> = st.highlights.iter().map(|&[a, b]| &st.text[a..b]).collect();
        assert_eq!(marked, ["money", "pledged", "Republic", "of", "Korea"]);
        // Who said it the most searches the same words: the Meeting reported it.
        let speakers = s
            .speakers(&SearchRequest::new("money pledged by Seoul"))
            .unwrap();
        let top = speakers[0].top.as_ref().unwrap();
        assert_eq!(top.id, "tiny-report#4");
    }

    #[test]
    fn paging_sorting_and_bounds() {
        let (_dir, s) = tiny();
        let page = s
            .search(&SearchRequest {
                limit: Some(1),
                offset: 1,
                sort: Sort::Date,
                ..keyword("Meeting")
            })
            .unwrap();
        assert_eq!(page.hits.len(), 1);
        assert!(page.total >= 2);
        let over = SearchRequest {
            limit: Some(101),
            ..keyword("x")
        };
        assert!(s.search(&over).is_err());
        let empty_sdg = SearchRequest {
            sdg: vec![String::new()],
            ..keyword("x")
        };
        let message = s.search(&empty_sdg).unwrap_err().to_string();
        assert!(message.contains("13 Climate action"), "{message}");
    }
}
