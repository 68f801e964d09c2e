//! Search: query understanding ([`query`]), retrieval with tantivy, grouping of
//! statements under their paragraphs, highlights ([`highlight`]) and facet
//! counts ([`facets`]). The CLI and the HTTP API both call [`Searcher`].

pub mod catalog;
pub mod collect;
pub mod facets;
pub mod fusion;
pub mod highlight;
pub mod query;
pub mod vector;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, MultiCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{DocAddress, TantivyDocument, Term};

use crate::embed::Embedder;
use crate::error::{Error, NotFound, QueryError, RequestError, Result};
use crate::index::schema::{
    KIND_DOCUMENT, KIND_PARAGRAPH, KIND_STATEMENT, date_number, paragraph_id,
};
use crate::index::{Index, paragraph_of};
use crate::ingest::agenda::code_path;
pub use crate::model::DocumentSummary;
use crate::model::{Document, Paragraph, SpeakerKind};
use catalog::Catalog;
pub use query::Interpreted;

/// Most hits one request may ask for, and deepest offset.
pub const MAX_LIMIT: usize = 100;
pub const MAX_OFFSET: usize = 10_000;
/// Matches considered for grouping and sorting; beyond it totals are still exact.
const CANDIDATES: usize = 20_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

/// How hits are found: by the report's words (BM25), by meaning (embeddings),
/// or both fused, the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Keyword,
    Semantic,
    #[default]
    Hybrid,
}

impl Mode {
    pub fn parse(s: &str) -> Result<Mode> {
        match s.trim().to_lowercase().as_str() {
            "keyword" => Ok(Mode::Keyword),
            "semantic" => Ok(Mode::Semantic),
            "hybrid" => Ok(Mode::Hybrid),
            other => Err(RequestError::Mode {
                value: other.to_owned(),
            }
            .into()),
        }
    }
}

/// Weight of meaning against words in hybrid search (0: keyword only, 1: semantic only).
pub const DEFAULT_SEMANTIC_RATIO: f32 = 0.5;
/// Nearest paragraphs considered by semantic and hybrid search.
const SEMANTIC_CANDIDATES: usize = 100;

/// One search, as the CLI flags and the API parameters give it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchRequest {
    pub q: String,
    pub speaker: Vec<String>,
    pub agenda: Vec<String>,
    pub topic: Vec<String>,
    pub doc: Vec<String>,
    pub year: Vec<i32>,
    /// Sustainable Development Goals: 13, "sdg13", "climate action".
    pub sdg: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// keyword, semantic or hybrid (the default).
    pub mode: Option<String>,
    /// Hybrid only: weight of meaning, 0 to 1.
    pub semantic_ratio: Option<f32>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            speaker: Vec::new(),
            agenda: Vec::new(),
            topic: Vec::new(),
            doc: Vec::new(),
            year: Vec::new(),
            sdg: Vec::new(),
            from: None,
            to: None,
            mode: None,
            semantic_ratio: None,
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
        }
    }
}

impl SearchRequest {
    pub fn new(q: impl Into<String>) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }

    /// Checks the bounds and merges the query's own filters with the explicit ones.
    /// The mode is None where the request leaves it to the default.
    pub fn interpret(&self) -> Result<(Interpreted, Option<Mode>)> {
        if self.limit > MAX_LIMIT {
            return Err(RequestError::Limit {
                limit: self.limit,
                max: MAX_LIMIT,
            }
            .into());
        }
        if self.offset > MAX_OFFSET {
            return Err(RequestError::Offset {
                offset: self.offset,
                max: MAX_OFFSET,
            }
            .into());
        }
        let mode = self.mode.as_deref().map(Mode::parse).transpose()?;
        if let Some(r) = self.semantic_ratio
            && !(0.0..=1.0).contains(&r)
        {
            return Err(RequestError::SemanticRatio { ratio: r }.into());
        }
        let mut i = query::interpret(&self.q)?;
        for s in &self.speaker {
            query::add_filter(&mut i, "speaker", s)?;
        }
        for a in &self.agenda {
            query::add_filter(&mut i, "agenda", a)?;
        }
        for t in &self.topic {
            query::add_filter(&mut i, "topic", t)?;
        }
        for d in &self.doc {
            query::add_filter(&mut i, "doc", d)?;
        }
        for y in &self.year {
            query::add_filter(&mut i, "year", &y.to_string())?;
        }
        for g in &self.sdg {
            query::add_filter(&mut i, "sdg", g)?;
        }
        if let Some(f) = &self.from {
            query::add_filter(&mut i, "from", f)?;
        }
        if let Some(t) = &self.to {
            query::add_filter(&mut i, "to", t)?;
        }
        Ok((i, mode))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementHit {
    pub speaker: Option<String>,
    pub speaker_kind: Option<SpeakerKind>,
    pub text: String,
    /// Byte ranges of the matched words in `text`.
    pub highlights: Vec<[usize; 2]>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    /// The permalink: "<document-id>#<number>".
    pub id: String,
    pub document: String,
    pub paragraph: String,
    pub score: f32,
    pub meeting: Option<String>,
    pub date: Option<String>,
    pub agenda_item: Option<String>,
    pub agenda_title: Option<String>,
    pub topics: Vec<String>,
    pub speakers: Vec<String>,
    pub text: String,
    pub statements: Vec<StatementHit>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Facets {
    pub speaker: Vec<FacetCount>,
    pub agenda_item: Vec<FacetCount>,
    pub topic: Vec<FacetCount>,
    pub document: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    /// Sustainable Development Goals, by meaning.
    #[serde(default)]
    pub sdg: Vec<FacetCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResponse {
    pub query: String,
    pub interpreted: Interpreted,
    pub mode: Mode,
    /// Why the answer is not what was asked (semantic search unavailable, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// Paragraphs like one paragraph, by meaning.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimilarResponse {
    /// The paragraph compared with.
    pub id: String,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
}

/// The mode a search runs in, and a notice where it is not the one asked for.
fn mode_for(
    asked: Option<Mode>,
    catalog: &Catalog,
    has_text: bool,
) -> Result<(Mode, Option<String>)> {
    let wanted = asked.unwrap_or_default();
    // Without words there is nothing to mean: filters alone browse by keyword.
    if wanted == Mode::Keyword || !has_text {
        return Ok((Mode::Keyword, None));
    }
    let unavailable = if catalog.vectors.is_empty() {
        Some(Error::from(RequestError::NoEmbeddings))
    } else {
        // The search loads the model next anyway; a missing or broken one is known here.
        Embedder::shared().err()
    };
    match (unavailable, asked) {
        (Some(e), Some(_)) => Err(e),
        (Some(e), None) => Ok((Mode::Keyword, Some(format!("{e}; answered by keyword")))),
        (None, _) => Ok((
            wanted,
            (catalog.paragraphs_without_vectors > 0).then(|| {
                format!(
                    "{} paragraphs were ingested with --no-embed: search by meaning does not reach them",
                    catalog.paragraphs_without_vectors
                )
            }),
        )),
    }
}

/// A paragraph with its place in the meeting: the permalink target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParagraphView {
    pub id: String,
    pub document: DocumentSummary,
    pub paragraph: Paragraph,
    pub previous: Option<Paragraph>,
    pub next: Option<Paragraph>,
}

/// The outline of a document: where each section, agenda item and speaker is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outline {
    pub document: DocumentSummary,
    pub agenda: Vec<crate::model::AgendaItem>,
    pub sections: Vec<OutlineEntry>,
    pub agenda_items: Vec<OutlineEntry>,
    pub speakers: Vec<OutlineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutlineEntry {
    pub name: String,
    /// Paragraph numbers, first and last, in document order.
    pub first: String,
    pub last: String,
    pub paragraphs: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpeakerCount {
    pub speaker: String,
    pub speaker_kind: SpeakerKind,
    pub statements: u64,
    pub paragraphs: u64,
    pub top: Option<Hit>,
}

/// Searches one index. Cheap to share between threads.
pub struct Searcher {
    index: Index,
    catalog: Mutex<Option<Arc<Catalog>>>,
}

impl Searcher {
    pub fn open(path: &std::path::Path) -> Result<Searcher> {
        Ok(Searcher {
            index: Index::open(path)?,
            catalog: Mutex::new(None),
        })
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    fn catalog(&self, searcher: &tantivy::Searcher) -> Result<Arc<Catalog>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.catalog.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cached.as_ref().filter(|c| c.generation == generation) {
            return Ok(c.clone());
        }
        let catalog = Arc::new(Catalog::load(searcher, &self.index.fields)?);
        *cached = Some(catalog.clone());
        Ok(catalog)
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        let (interpreted, asked) = request.interpret()?;
        let searcher = self.index.reader.searcher();
        let catalog = self.catalog(&searcher)?;
        let f = &self.index.fields;
        let keyword_text = query::keyword_text(&interpreted);
        let text_query = self.text_query(&keyword_text)?;
        let by_speaker = !interpreted.speakers.is_empty();
        let kind = if by_speaker {
            KIND_STATEMENT
        } else {
            KIND_PARAGRAPH
        };
        let filters = Filters::new(&interpreted, &catalog, f)?;
        let (mode, notice) = mode_for(asked, &catalog, text_query.is_some())?;
        let wordings = query::meaning_wordings(&interpreted);
        let wanted = request.offset + request.limit;

        // Meaning first: the nearest paragraphs among those the filters allow.
        let semantic = if mode == Mode::Keyword {
            Vec::new()
        } else {
            let embedder = Embedder::shared()?;
            let vectors = wordings
                .iter()
                .map(|w| embedder.query(w))
                .collect::<Result<Vec<_>>>()?;
            let queries: Vec<&[f32]> = vectors.iter().map(|v| &v[..]).collect();
            let allowed = combine(kind, f, None, filters.all(None));
            let mut found = catalog.vectors.search(
                &searcher,
                &*allowed,
                &queries,
                SEMANTIC_CANDIDATES.max(wanted),
                None,
            )?;
            if mode == Mode::Hybrid {
                fusion::close_enough(&mut found);
            }
            found
        };
        let matching: Option<Box<dyn Query>> = match mode {
            Mode::Keyword => text_query.as_ref().map(|q| q.box_clone()),
            Mode::Semantic => Some(fusion::paragraphs_query(f, &semantic)),
            Mode::Hybrid => Some(fusion::either(
                text_query.as_deref(),
                fusion::paragraphs_query(f, &semantic),
            )),
        };
        // Only paragraph (and statement) records hold text: where no statement
        // is a record of its own, the words alone pick the right records, and
        // tantivy is spared intersecting every match with the kind's postings.
        let main = match matching.as_deref() {
            Some(m) if !catalog.separate_statements => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, m.box_clone())];
                clauses.extend(filters.all(None).into_iter().map(|q| (Occur::Must, q)));
                Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>
            }
            _ => combine(kind, f, matching.as_deref(), filters.all(None)),
        };

        // One pass: the ranking, the total, and every facet whose query is the main one.
        let specs = facets::specs(f);
        let mut multi = MultiCollector::new();
        let fast = mode == Mode::Keyword && !by_speaker && request.sort != Sort::Date;
        let top_handle =
            fast.then(|| multi.add_collector(TopDocs::with_limit(wanted.max(1)).order_by_score()));
        let count_handle = fast.then(|| multi.add_collector(Count));
        let matches_handle = (!fast).then(|| multi.add_collector(collect::Matches));
        let mut pending = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            if spec.rides_on_main(kind, &filters, &catalog) {
                pending.push((i, facets::add(&mut multi, &searcher, &catalog, spec)));
            }
        }
        let mut fruits = searcher.search(&*main, &multi)?;

        let (total, page): (usize, Vec<Ranked>) = match (top_handle, count_handle, matches_handle) {
            (Some(top), Some(count), _) => {
                let total = count.extract(&mut fruits);
                let page = top
                    .extract(&mut fruits)
                    .into_iter()
                    .skip(request.offset)
                    .map(|(score, address)| Ranked {
                        score,
                        at: At::Address(address),
                        statements: None,
                    })
                    .collect();
                (total, page)
            }
            (_, _, Some(matches)) => {
                // Keyword scores are BM25; the semantic clause scores nothing.
                let keyword: Vec<collect::Match> = matches
                    .extract(&mut fruits)
                    .into_iter()
                    .filter(|m| mode == Mode::Keyword || m.score > 0.0)
                    .collect();
                let keyword = collect::group(keyword, false);
                let mut ranked = match mode {
                    Mode::Keyword => keyword,
                    Mode::Semantic => semantic,
                    Mode::Hybrid => {
                        let exact = if fusion::names_something(&request.q, &interpreted.text) {
                            Some(self.exact_matches(
                                &searcher,
                                &interpreted.text,
                                kind,
                                &filters,
                            )?)
                        } else {
                            None
                        };
                        // Meilisearch's "words" rule: a paragraph with more of the
                        // query's words is a better keyword match.
                        let coverage = self.term_coverage(&searcher, &interpreted, kind)?;
                        let best = keyword
                            .iter()
                            .map(|g| g.score)
                            .fold(0f32, f32::max)
                            .max(1e-6);
                        let keyword: Vec<collect::Group> = keyword
                            .into_iter()
                            .map(|mut g| {
                                let words = coverage
                                    .as_ref()
                                    .map_or(1.0, |c| c.get(&g.para).copied().unwrap_or(0.0));
                                g.score = g.score / best * words * words;
                                g
                            })
                            .collect();
                        fusion::fuse(
                            &keyword,
                            &semantic,
                            request.semantic_ratio.unwrap_or(DEFAULT_SEMANTIC_RATIO),
                            exact.as_ref(),
                        )
                    }
                };
                if request.sort == Sort::Date {
                    ranked.sort_by(|a, b| b.date.cmp(&a.date).then(b.score.total_cmp(&a.score)));
                }
                let total = ranked.len();
                let page = ranked
                    .into_iter()
                    .skip(request.offset)
                    .take(request.limit)
                    .map(|g| Ranked {
                        score: g.score,
                        at: At::Para(g.para),
                        statements: by_speaker.then_some(g.statements),
                    })
                    .collect();
                (total, page)
            }
            _ => (0, Vec::new()),
        };

        let mut facet_counts = Facets::default();
        for (i, p) in pending {
            let counts = facets::read(p, &mut fruits);
            facets::assign(&mut facet_counts, f, &specs[i], counts);
        }
        for spec in specs
            .iter()
            .filter(|s| !s.rides_on_main(kind, &filters, &catalog))
        {
            let counts = facets::count_alone(
                &searcher,
                &catalog,
                f,
                spec,
                kind,
                matching.as_deref(),
                &filters,
            )?;
            facets::assign(&mut facet_counts, f, spec, counts);
        }

        let terms = highlight::query_terms(&self.index.index, f.text, &keyword_text)?;
        let analyzer = highlight::analyzer(&self.index.index, f.text)?;
        let mut hits = Vec::with_capacity(page.len());
        for ranked in page {
            if let Some(hit) = self.hit(&searcher, &catalog, &analyzer, &ranked, &terms)? {
                hits.push(hit);
            }
        }
        if mode != Mode::Keyword {
            highlight::by_meaning(&mut hits, &wordings[0])?;
        }
        Ok(SearchResponse {
            query: request.q.clone(),
            interpreted,
            mode,
            notice,
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            facets: facet_counts,
        })
    }

    /// For each paragraph, the share of the query's words (stems, and the
    /// agents' names as one more) it contains; None for a one-word query.
    fn term_coverage(
        &self,
        searcher: &tantivy::Searcher,
        interpreted: &Interpreted,
        kind: &str,
    ) -> Result<Option<std::collections::HashMap<u64, f32>>> {
        let f = &self.index.fields;
        let mut parts: Vec<Box<dyn Query>> =
            highlight::query_terms(&self.index.index, f.text, &interpreted.text)?
                .into_iter()
                .map(|t| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.text, &t),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect();
        if let Some(names) = query::agent_alternatives(interpreted)
            && let Some(q) = self.text_query(&names)?
        {
            parts.push(q);
        }
        if parts.len() < 2 {
            return Ok(None);
        }
        let share = 1.0 / parts.len() as f32;
        let mut found: std::collections::HashMap<u64, f32> = Default::default();
        for part in parts {
            let q = BooleanQuery::new(vec![(Occur::Must, term(f.kind, kind)), (Occur::Must, part)]);
            let paras: HashSet<u64> = searcher
                .search(&q, &collect::Matches)?
                .into_iter()
                .map(|m| m.para)
                .collect();
            for p in paras {
                *found.entry(p).or_default() += share;
            }
        }
        Ok(Some(found))
    }

    /// Paragraphs that contain every word of the query (or its phrases): the
    /// exact matches hybrid search keeps first when the query names something.
    fn exact_matches(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
        kind: &str,
        filters: &Filters,
    ) -> Result<HashSet<u64>> {
        let mut parser = QueryParser::for_index(&self.index.index, vec![self.index.fields.text]);
        parser.set_conjunction_by_default();
        let Ok(strict) = parser.parse_query(text) else {
            return Ok(HashSet::new());
        };
        let q = combine(kind, &self.index.fields, Some(&*strict), filters.all(None));
        Ok(searcher
            .search(&*q, &collect::Matches)?
            .into_iter()
            .map(|m| m.para)
            .collect())
    }

    /// Paragraphs most like `doc#number` by meaning, in other documents unless
    /// `same_document`; the request's filters apply, its text is ignored.
    pub fn similar(
        &self,
        doc_ref: &str,
        number: &str,
        request: &SearchRequest,
        same_document: bool,
    ) -> Result<SimilarResponse> {
        let started = Instant::now();
        let (interpreted, _) = request.interpret()?;
        let doc = self.resolve_document(doc_ref)?;
        let key = format!("{}#{number}", doc.id);
        let searcher = self.index.reader.searcher();
        let catalog = self.catalog(&searcher)?;
        let f = &self.index.fields;
        let address = self
            .paragraph_address(&searcher, paragraph_id(&key))?
            .ok_or_else(|| NotFound::Paragraph {
                document: doc.id.clone(),
                number: number.to_owned(),
            })?;
        let vector = catalog
            .vectors
            .vector_of(address)
            .ok_or_else(|| RequestError::NotEmbedded {
                paragraph: key.clone(),
            })?;
        let filters = Filters::new(&interpreted, &catalog, f)?;
        let mut allowed = filters.all(None);
        if !same_document {
            allowed.push(Box::new(BooleanQuery::new(vec![
                (Occur::Should, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, term(f.doc_id, &doc.id)),
            ])));
        }
        let allowed = combine(KIND_PARAGRAPH, f, None, allowed);
        let groups = catalog.vectors.search(
            &searcher,
            &*allowed,
            &[vector],
            request.limit.max(1) + request.offset,
            Some(paragraph_id(&key)),
        )?;
        let analyzer = highlight::analyzer(&self.index.index, f.text)?;
        let no_terms = HashSet::new();
        let mut hits = Vec::new();
        for g in groups.into_iter().skip(request.offset) {
            let ranked = Ranked {
                score: g.score,
                at: At::Para(g.para),
                statements: None,
            };
            if let Some(hit) = self.hit(&searcher, &catalog, &analyzer, &ranked, &no_terms)? {
                hits.push(hit);
            }
        }
        Ok(SimilarResponse {
            id: key,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
        })
    }

    fn text_query(&self, text: &str) -> Result<Option<Box<dyn Query>>> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let parser = QueryParser::for_index(&self.index.index, vec![self.index.fields.text]);
        parser
            .parse_query(text)
            .map(Some)
            .map_err(|source| QueryError::Syntax { source }.into())
    }

    /// The paragraph record of a paragraph id.
    fn paragraph_address(
        &self,
        searcher: &tantivy::Searcher,
        para: u64,
    ) -> Result<Option<DocAddress>> {
        let f = &self.index.fields;
        let q = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.para, para),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
            (Occur::Must, term(f.kind, KIND_PARAGRAPH)),
        ]);
        let found = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        Ok(found.first().map(|(_, a)| *a))
    }

    fn paragraph_at(
        &self,
        searcher: &tantivy::Searcher,
        at: At,
    ) -> Result<Option<(String, Paragraph)>> {
        let address = match at {
            At::Address(a) => a,
            At::Para(para) => match self.paragraph_address(searcher, para)? {
                Some(a) => a,
                None => return Ok(None),
            },
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let f = &self.index.fields;
        let Some(doc_id) = doc.get_first(f.doc_id).and_then(|v| v.as_str()) else {
            return Ok(None);
        };
        Ok(paragraph_of(&doc, f).map(|p| (doc_id.to_owned(), p)))
    }

    fn paragraph_by_key(
        &self,
        searcher: &tantivy::Searcher,
        key: &str,
    ) -> Result<Option<Paragraph>> {
        Ok(self
            .paragraph_at(searcher, At::Para(paragraph_id(key)))?
            .map(|(_, p)| p))
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        catalog: &Catalog,
        analyzer: &tantivy::tokenizer::TextAnalyzer,
        ranked: &Ranked,
        terms: &HashSet<String>,
    ) -> Result<Option<Hit>> {
        let Some((doc_id, para)) = self.paragraph_at(searcher, ranked.at)? else {
            return Ok(None);
        };
        let only = ranked.statements.as_deref();
        let doc = catalog.get(&doc_id);
        let mut statements: Vec<StatementHit> = Vec::new();
        for (i, st) in para.statements.iter().enumerate() {
            if only.is_some_and(|set| !set.contains(&(i as u64))) {
                continue;
            }
            let highlights = highlight::ranges(analyzer, &st.text, terms);
            if only.is_none() && highlights.is_empty() && !terms.is_empty() {
                continue;
            }
            statements.push(StatementHit {
                speaker: st.speaker.clone(),
                speaker_kind: st.speaker_kind,
                text: st.text.clone(),
                highlights,
            });
        }
        if statements.is_empty()
            && let Some(st) = para.statements.first()
        {
            statements.push(StatementHit {
                speaker: st.speaker.clone(),
                speaker_kind: st.speaker_kind,
                text: st.text.clone(),
                highlights: Vec::new(),
            });
        }
        Ok(Some(Hit {
            id: format!("{doc_id}#{}", para.number),
            document: doc_id,
            paragraph: para.number.clone(),
            score: ranked.score,
            meeting: doc.and_then(|d| d.meeting.clone()),
            date: doc.and_then(|d| d.date.clone()),
            agenda_item: para.agenda_item.clone(),
            agenda_title: para.agenda_title.clone(),
            topics: para.topics.clone(),
            speakers: para.speakers.clone(),
            text: para.text.clone(),
            statements,
        }))
    }

    /// Resolves a document reference (id, symbol, file name stem or slug) to
    /// the document with its outline (paragraph texts left out).
    pub fn resolve_document(&self, reference: &str) -> Result<Document> {
        let searcher = self.index.reader.searcher();
        let catalog = self.catalog(&searcher)?;
        let not_found = || NotFound::Document {
            reference: reference.to_owned(),
        };
        let id = catalog.find(reference).ok_or_else(not_found)?.id.clone();
        let f = &self.index.fields;
        let q = BooleanQuery::new(vec![
            (Occur::Must, term(f.doc_id, &id)),
            (Occur::Must, term(f.kind, KIND_DOCUMENT)),
        ]);
        let found = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        let (_, address) = found.first().ok_or_else(not_found)?;
        let doc: TantivyDocument = searcher.doc(*address)?;
        doc.get_first(f.payload)
            .and_then(|v| v.as_str())
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(not_found)
    }

    pub fn documents(&self) -> Result<Vec<DocumentSummary>> {
        let searcher = self.index.reader.searcher();
        Ok(self.catalog(&searcher)?.documents.clone())
    }

    /// "<document>#<number>" with the paragraphs before and after it.
    pub fn paragraph(&self, doc_ref: &str, number: &str) -> Result<ParagraphView> {
        let doc = self.resolve_document(doc_ref)?;
        let position = doc
            .paragraphs
            .iter()
            .position(|p| p.number == number)
            .ok_or_else(|| NotFound::Paragraph {
                document: doc.id.clone(),
                number: number.to_owned(),
            })?;
        let searcher = self.index.reader.searcher();
        let load = |i: usize| -> Result<Option<Paragraph>> {
            match doc.paragraphs.get(i) {
                Some(p) => self.paragraph_by_key(&searcher, &format!("{}#{}", doc.id, p.number)),
                None => Ok(None),
            }
        };
        let paragraph = load(position)?
            .ok_or_else(|| NotFound::Paragraph {
                document: doc.id.clone(),
                number: number.to_owned(),
            })?;
        let previous = if position > 0 {
            load(position - 1)?
        } else {
            None
        };
        Ok(ParagraphView {
            id: format!("{}#{}", doc.id, number),
            document: DocumentSummary::of(&doc),
            paragraph,
            previous,
            next: load(position + 1)?,
        })
    }

    pub fn outline(&self, doc_ref: &str) -> Result<Outline> {
        let doc = self.resolve_document(doc_ref)?;
        let mut sections: Vec<OutlineEntry> = Vec::new();
        let mut agenda_items: Vec<OutlineEntry> = Vec::new();
        let mut speakers: BTreeMap<String, OutlineEntry> = BTreeMap::new();
        for p in &doc.paragraphs {
            let section = match (&p.section, &p.subsection) {
                (Some(s), Some(sub)) => format!("{s} / {sub}"),
                (Some(s), None) => s.clone(),
                (None, Some(sub)) => sub.clone(),
                (None, None) => "(opening)".into(),
            };
            extend_run(&mut sections, &section, &p.number);
            if let Some(code) = &p.agenda_item {
                let name = match &p.agenda_title {
                    Some(t) => format!("{code} {t}"),
                    None => code.clone(),
                };
                extend_run(&mut agenda_items, &name, &p.number);
            }
            for s in &p.speakers {
                let e = speakers.entry(s.clone()).or_insert_with(|| OutlineEntry {
                    name: s.clone(),
                    first: p.number.clone(),
                    last: p.number.clone(),
                    paragraphs: 0,
                });
                e.last = p.number.clone();
                e.paragraphs += 1;
            }
        }
        let mut speakers: Vec<OutlineEntry> = speakers.into_values().collect();
        speakers.sort_by(|a, b| b.paragraphs.cmp(&a.paragraphs).then(a.name.cmp(&b.name)));
        Ok(Outline {
            document: DocumentSummary::of(&doc),
            agenda: doc.agenda.clone(),
            sections,
            agenda_items,
            speakers,
        })
    }

    /// Who said it the most: statements per speaker for a query, with the best one of each.
    pub fn speakers(&self, request: &SearchRequest) -> Result<Vec<SpeakerCount>> {
        let (interpreted, _) = request.interpret()?;
        let searcher = self.index.reader.searcher();
        let catalog = self.catalog(&searcher)?;
        let f = &self.index.fields;
        let text_query = self.text_query(&interpreted.text)?;
        let filters = Filters::new(&interpreted, &catalog, f)?;
        let q = combine(KIND_STATEMENT, f, text_query.as_deref(), filters.all(None));
        let matches = searcher.search(&*q, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
        let mut by_speaker: BTreeMap<(String, String), SpeakerTally> = BTreeMap::new();
        for (score, address) in matches {
            let doc: TantivyDocument = searcher.doc(address)?;
            let key = doc
                .get_first(f.key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let statement = doc
                .get_first(f.statement)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            for value in doc.get_all(f.speaker) {
                let Some(facet) = value.as_facet() else {
                    continue;
                };
                let Ok(facet) = Facet::from_encoded(facet.as_bytes().to_vec()) else {
                    continue;
                };
                let parts: Vec<String> = facet.to_path().iter().map(|s| s.to_string()).collect();
                let [kind, name] = &parts[..] else { continue };
                let entry = by_speaker.entry((name.clone(), kind.clone())).or_default();
                entry.0 += 1;
                entry.1.insert(key.clone());
                if entry.2.is_none() {
                    entry.2 = Some((score, key.clone(), statement));
                }
            }
        }
        let terms = highlight::query_terms(&self.index.index, f.text, &interpreted.text)?;
        let analyzer = highlight::analyzer(&self.index.index, f.text)?;
        let mut out: Vec<SpeakerCount> = Vec::new();
        for ((name, kind), (statements, paragraphs, best)) in by_speaker {
            let top = match best {
                Some((score, key, statement)) => self.hit(
                    &searcher,
                    &catalog,
                    &analyzer,
                    &Ranked {
                        score,
                        at: At::Para(paragraph_id(&key)),
                        statements: Some(vec![statement]),
                    },
                    &terms,
                )?,
                None => None,
            };
            out.push(SpeakerCount {
                speaker: name,
                speaker_kind: SpeakerKind::parse(&kind).unwrap_or(SpeakerKind::Organization),
                statements,
                paragraphs: paragraphs.len() as u64,
                top,
            });
        }
        out.sort_by(|a, b| {
            b.statements
                .cmp(&a.statements)
                .then(a.speaker.cmp(&b.speaker))
        });
        out.truncate(request.limit.max(1));
        Ok(out)
    }

    /// Documents and paragraphs in the index (health checks).
    pub fn counts(&self) -> Result<(usize, usize)> {
        let searcher = self.index.reader.searcher();
        let paragraphs = searcher.search(&term(self.index.fields.kind, KIND_PARAGRAPH), &Count)?;
        let documents = searcher.search(&term(self.index.fields.kind, KIND_DOCUMENT), &Count)?;
        Ok((documents, paragraphs))
    }
}

/// Where a ranked paragraph is: its record, or its paragraph id to look up.
#[derive(Debug, Clone, Copy)]
enum At {
    Address(DocAddress),
    Para(u64),
}

/// One paragraph of a page of results.
struct Ranked {
    score: f32,
    at: At,
    /// The statements that matched, for a speaker search; None: all that mention the terms.
    statements: Option<Vec<u64>>,
}

/// Statements, paragraph keys, and the best (score, key, statement) of one speaker.
type SpeakerTally = (u64, HashSet<String>, Option<(f32, String, u64)>);

fn extend_run(entries: &mut Vec<OutlineEntry>, name: &str, number: &str) {
    match entries.last_mut() {
        Some(last) if last.name == name => {
            last.last = number.to_owned();
            last.paragraphs += 1;
        }
        _ => entries.push(OutlineEntry {
            name: name.to_owned(),
            first: number.to_owned(),
            last: number.to_owned(),
            paragraphs: 1,
        }),
    }
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


pub(crate) fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn facet_term(field: tantivy::schema::Field, facet: &Facet) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_facet(field, facet),
        IndexRecordOption::Basic,
    ))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// Which facet a filter belongs to, so its own counts can leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKind {
    Speaker,
    Agenda,
    Topic,
    Document,
    Year,
    Sdg,
    Dates,
}

/// The filters of one request as tantivy queries.
pub struct Filters {
    parts: Vec<(FilterKind, Box<dyn Query>)>,
}

impl Filters {
    fn new(i: &Interpreted, catalog: &Catalog, f: &crate::index::Fields) -> Result<Filters> {
        let mut parts: Vec<(FilterKind, Box<dyn Query>)> = Vec::new();
        if !i.speakers.is_empty() {
            parts.push((
                FilterKind::Speaker,
                any_of(i.speakers.iter().map(|s| term(f.speaker_name, s)).collect()),
            ));
        }
        if !i.agenda.is_empty() {
            let q = i
                .agenda
                .iter()
                .map(|code| facet_term(f.agenda, &Facet::from_path(code_path(code))))
                .collect();
            parts.push((FilterKind::Agenda, any_of(q)));
        }
        if !i.topics.is_empty() {
            // A topic filter matches every topic that contains the words: "Core Fund"
            // finds "Review of the Core Fund" too.
            let mut q = Vec::new();
            for wanted in &i.topics {
                let w = wanted.to_lowercase();
                q.extend(
                    catalog
                        .topics
                        .iter()
                        .filter(|t| t.to_lowercase().contains(&w))
                        .map(|t| facet_term(f.topic, &Facet::from_path([t.as_str()]))),
                );
            }
            if q.is_empty() {
                q.push(facet_term(
                    f.topic,
                    &Facet::from_path([i.topics[0].as_str()]),
                ));
            }
            parts.push((FilterKind::Topic, any_of(q)));
        }
        if !i.documents.is_empty() {
            let mut q = Vec::new();
            for r in &i.documents {
                let id = catalog.find(r).map_or(r.clone(), |d| d.id.clone());
                q.push(term(f.doc_id, &id));
            }
            parts.push((FilterKind::Document, any_of(q)));
        }
        if !i.years.is_empty() {
            let q = i
                .years
                .iter()
                .map(|y| facet_term(f.year, &Facet::from_path([y.to_string()])))
                .collect();
            parts.push((FilterKind::Year, any_of(q)));
        }
        if !i.sdgs.is_empty() {
            let q = i
                .sdgs
                .iter()
                .map(|g| facet_term(f.sdg, &Facet::from_path([g.as_str()])))
                .collect();
            parts.push((FilterKind::Sdg, any_of(q)));
        }
        if i.from.is_some() || i.to.is_some() {
            let from = date_number(i.from.as_deref()).unwrap_or(0);
            let to = date_number(i.to.as_deref()).unwrap_or(99_991_231);
            if from > to {
                return Err(RequestError::DatesReversed {
                    from: i.from.clone().unwrap_or_default(),
                    to: i.to.clone().unwrap_or_default(),
                }
                .into());
            }
            let range = RangeQuery::new(
                std::ops::Bound::Included(Term::from_field_u64(f.date, from)),
                std::ops::Bound::Included(Term::from_field_u64(f.date, to)),
            );
            parts.push((FilterKind::Dates, Box::new(range)));
        }
        Ok(Filters { parts })
    }

    /// All filters but the one of kind `except`.
    pub fn all(&self, except: Option<FilterKind>) -> Vec<Box<dyn Query>> {
        self.parts
            .iter()
            .filter(|(k, _)| Some(*k) != except)
            .map(|(_, q)| q.box_clone())
            .collect()
    }

    pub fn has(&self, kind: FilterKind) -> bool {
        self.parts.iter().any(|(k, _)| *k == kind)
    }
}

/// kind AND text AND filters.
pub fn combine(
    kind: &str,
    f: &crate::index::Fields,
    text: Option<&dyn Query>,
    filters: Vec<Box<dyn Query>>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, term(f.kind, kind))];
    match text {
        Some(t) => clauses.push((Occur::Must, t.box_clone())),
        None => clauses.push((Occur::Must, Box::new(AllQuery))),
    }
    clauses.extend(filters.into_iter().map(|q| (Occur::Must, q)));
    Box::new(BooleanQuery::new(clauses))
}
