//! Paragraphs like one paragraph, the way a reader means it: close by meaning
//! and sharing its distinctive words (tantivy's more-like-this, on the text
//! without States' names), blended as a hybrid search blends them. Meaning
//! alone drifts to whatever is generic; words alone miss a paraphrase.

use std::time::Instant;

use tantivy::TantivyDocument;
use tantivy::query::{AllQuery, BooleanQuery, MoreLikeThisQuery, Occur, Query};
use tantivy::schema::{Facet, OwnedValue, Term, Value};

use super::collect::{self, Group, Matches};
use super::filters::{combine, term};
use super::fusion;
use super::highlight::Marks;
use super::hits::{self, At, Ranked};
use super::plan::{self, Purpose, QueryPlan};
use super::request::{DEFAULT_LIMIT, SearchRequest};
use super::response::SimilarResponse;
use super::searcher::{Searcher, Snapshot};
use crate::embed;
use crate::error::{NotFound, RequestError, Result};
use crate::index::schema::{KIND_PARAGRAPH, paragraph_id};

/// Candidates each side brings.
const CANDIDATES: usize = 50;
/// Distinctive words of the paragraph that its word side searches.
const WORDS: usize = 25;
/// Topics given to fewer than this share of the paragraphs say what a paragraph is about.
const SPECIFIC_TOPIC_SHARE: f64 = 0.02;
/// The weight of a specific topic's meaning against the paragraph's own.
const TOPIC_WEIGHT: f32 = 1.5;
/// How often a specific topic counts among the words.
const TOPIC_REPEATS: usize = 3;
/// Meaning's share of the blend.
const MEANING_SHARE: f32 = 0.5;

/// Function words and the verbs of reporting, which every paragraph has
/// (stemmed by the field's analyzer before use, as the index's terms are).
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "in",
    "on",
    "to",
    "for",
    "with",
    "by",
    "at",
    "as",
    "is",
    "was",
    "were",
    "are",
    "be",
    "been",
    "its",
    "it",
    "their",
    "this",
    "that",
    "these",
    "those",
    "from",
    "about",
    "into",
    "any",
    "all",
    "also",
    "which",
    "had",
    "has",
    "have",
    "would",
    "could",
    "should",
    "if",
    "under",
    "other",
    "representative",
    "delegation",
    "noted",
    "stated",
    "suggested",
    "recognized",
    "meeting",
    "made",
    "recommendation",
    "recommendations",
];

impl Searcher {
    /// Paragraphs most like `doc#number`, in other documents unless
    /// `same_document`; the request's filters apply, its text is ignored.
    pub fn similar(
        &self,
        doc_ref: &str,
        number: &str,
        request: &SearchRequest,
        same_document: bool,
    ) -> Result<SimilarResponse> {
        let started = Instant::now();
        let snapshot = self.snapshot()?;
        let filters_only = SearchRequest {
            q: String::new(),
            ..request.clone()
        };
        let plan = QueryPlan::new(&filters_only, &snapshot, Purpose::Words, DEFAULT_LIMIT)?;
        let doc = super::browse::document_in(&snapshot, doc_ref)?;
        let key = format!("{}#{number}", doc.id);
        let own = paragraph_id(&key);
        let address =
            hits::paragraph_address(&snapshot, own)?.ok_or_else(|| NotFound::Paragraph {
                document: doc.id.clone(),
                number: number.to_owned(),
            })?;
        let vector = snapshot.catalog.vectors.vector_of(address).ok_or_else(|| {
            RequestError::NotEmbedded {
                paragraph: key.clone(),
            }
        })?;
        let f = snapshot.fields();
        let mut allowed = plan.filters.all(None);
        if !same_document {
            allowed.push(Box::new(BooleanQuery::new(vec![
                (Occur::Should, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, term(f.doc_id, &doc.id)),
            ])));
        }
        let allowed = combine(KIND_PARAGRAPH, f, None, allowed);
        let wanted = plan.limit.max(1) + plan.offset;
        let stored: TantivyDocument = snapshot.searcher.doc(address)?;
        let topics = specific_topics(&snapshot, &stored)?;
        let in_context = with_topics(vector, &topics)?;
        let meaning = snapshot.catalog.vectors.search(
            &snapshot.searcher,
            &*allowed,
            &[&in_context],
            CANDIDATES.max(wanted),
            Some(own),
        )?;
        // Every word the paragraph is indexed with: its text, and the long
        // forms of the acronyms it uses ("DLD" is desertification).
        let indexed: Vec<&str> = stored.get_all(f.text).filter_map(|v| v.as_str()).collect();
        let mut text = embed::content(&indexed.join(". ")).into_owned();
        // A specific topic weighs as its most frequent words do.
        for topic in topics.iter().flat_map(|t| [t; TOPIC_REPEATS]) {
            text.push_str(". ");
            text.push_str(topic);
        }
        let stop_words = plan::tokens(&mut plan.analyzer.clone(), &STOP_WORDS.join(" "));
        let mut words = shared_words(
            &snapshot,
            &text,
            stop_words,
            &*allowed,
            own,
            CANDIDATES.max(wanted),
        )?;
        fusion::scale_keyword(&mut words, None);
        let blended = fusion::fuse(words.clone(), &meaning, MEANING_SHARE, None, usize::MAX);
        let mut hits = Vec::new();
        for g in blended
            .into_iter()
            .skip(plan.offset)
            .take(plan.limit.max(1))
        {
            let ranked = Ranked {
                score: g.score,
                at: At::Para(g.para),
                statements: None,
            };
            if let Some(hit) = hits::hit(&snapshot, &Marks::default(), &ranked)? {
                hits.push(hit);
            }
        }
        Ok(SimilarResponse {
            id: key,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
        })
    }
}

/// The topics of a paragraph that say what it is about: those of few
/// paragraphs ("Desertification and Land Degradation"), not those of whole
/// reports ("Conclusions and recommendations"). "The duplication" of #37 is of
/// work on desertification, which only its agenda item says.
fn specific_topics(snapshot: &Snapshot<'_>, stored: &TantivyDocument) -> Result<Vec<String>> {
    let f = snapshot.fields();
    let paragraphs = snapshot
        .searcher
        .doc_freq(&Term::from_field_text(f.kind, KIND_PARAGRAPH))?;
    let mut topics = Vec::new();
    for value in stored.get_all(f.topic).filter_map(|v| v.as_facet()) {
        let Ok(facet) = Facet::from_encoded(value.as_bytes().to_vec()) else {
            continue;
        };
        let with_it = snapshot
            .searcher
            .doc_freq(&Term::from_facet(f.topic, &facet))?;
        if (with_it as f64) < SPECIFIC_TOPIC_SHARE * paragraphs as f64 {
            topics.extend(facet.to_path().iter().map(|s| (*s).to_owned()));
        }
    }
    Ok(topics)
}

/// The paragraph's vector moved towards its topics' meaning.
fn with_topics(vector: &[f32], topics: &[String]) -> Result<Vec<f32>> {
    let mut sum = vector.to_vec();
    if topics.is_empty() {
        return Ok(sum);
    }
    let topic = embed::Embedder::shared()?.query(&topics.join(". "))?;
    for (s, t) in sum.iter_mut().zip(topic.iter()) {
        *s += TOPIC_WEIGHT * t;
    }
    embed::normalise(&mut sum);
    Ok(sum)
}

/// The paragraphs sharing most of `text`'s distinctive words, best first.
fn shared_words(
    snapshot: &Snapshot<'_>,
    text: &str,
    stop_words: Vec<String>,
    allowed: &dyn Query,
    own: u64,
    limit: usize,
) -> Result<Vec<Group>> {
    let f = snapshot.fields();
    let like = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(2)
        .with_min_term_frequency(1)
        .with_min_word_length(3)
        .with_max_query_terms(WORDS)
        .with_stop_words(stop_words)
        .with_document_fields(vec![(f.text, vec![OwnedValue::Str(text.to_owned())])]);
    let query = BooleanQuery::new(vec![
        (Occur::Must, Box::new(like) as Box<dyn Query>),
        (Occur::Must, allowed.box_clone()),
    ]);
    let mut groups = collect::group(snapshot.searcher.search(&query, &Matches)?, false);
    groups.retain(|g| g.para != own);
    groups.truncate(limit);
    Ok(groups)
}
