//! Speakers compared on one search: for each, how much they said (statements,
//! paragraphs, over time), their most representative statements, and the
//! words that set them apart from the others.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::distinctive::{DistinctiveTerm, distinctive_in};
use super::plan::{Purpose, QueryPlan};
use super::request::SearchRequest;
use super::response::Hit;
use super::searcher::Searcher;
use super::timeline::{Bucket, Bucketing, MAX_SERIES, TimelineOptions, timeline_in};
use crate::error::{RequestError, Result};

/// Representative statements per speaker where the request does not say.
pub const DEFAULT_STATEMENTS: usize = 3;
/// Distinctive terms per speaker.
const TERMS: usize = 15;

/// One speaker's side of a comparison.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComparedSpeaker {
    /// The canonical name.
    pub speaker: String,
    /// Matching statements.
    pub statements: u64,
    /// Paragraphs holding them.
    pub paragraphs: u64,
    /// Matching paragraphs per step of `buckets`.
    pub counts: Vec<u64>,
    /// The speaker's paragraphs per step: what the counts are out of.
    pub out_of: Vec<u64>,
    /// Counts per `per` of the speaker's paragraphs, where asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<Vec<f64>>,
    /// The best matching statements, as hits of a search filtered on the speaker.
    #[schema(value_type = Vec<Object>)]
    pub top: Vec<Hit>,
    /// The words and phrases that set this speaker apart on the search.
    pub distinctive: Vec<DistinctiveTerm>,
}

/// Two or more speakers on one search, side by side.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Comparison {
    /// The query as asked.
    pub query: String,
    /// What one step of the counts is.
    pub by: Bucketing,
    /// The rates' denominator, where rates were asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<u32>,
    /// The steps of every speaker's counts, oldest first.
    pub buckets: Vec<Bucket>,
    /// In the order asked for.
    pub speakers: Vec<ComparedSpeaker>,
    /// Time spent in the library.
    pub took_ms: f64,
}

impl Searcher {
    /// Compares the speakers in `options.speakers` on `request`; `statements`
    /// representative hits each.
    pub fn compare(
        &self,
        request: &SearchRequest,
        options: &TimelineOptions,
        statements: usize,
    ) -> Result<Comparison> {
        let started = Instant::now();
        if options.speakers.len() < 2 {
            return Err(RequestError::CompareSpeakers.into());
        }
        if options.speakers.len() > MAX_SERIES {
            return Err(RequestError::Series { max: MAX_SERIES }.into());
        }
        let snapshot = self.snapshot()?;
        let timeline = timeline_in(&snapshot, request, &options.speakers, options)?;
        let mut speakers = Vec::with_capacity(options.speakers.len());
        for series in timeline.series.into_iter().skip(1) {
            let speaker = series.speaker.clone().unwrap_or_default();
            let theirs = SearchRequest {
                speaker: vec![speaker.clone()],
                limit: Some(statements.min(20)),
                offset: 0,
                ..request.clone()
            };
            let top = self.search(&theirs)?.hits;
            let plan = QueryPlan::new(&theirs, &snapshot, Purpose::Words, 0)?;
            let distinctive = distinctive_in(&snapshot, &plan, &speaker, TERMS)?.terms;
            speakers.push(ComparedSpeaker {
                speaker,
                statements: series.statements,
                paragraphs: series.total,
                counts: series.counts,
                out_of: series.paragraphs,
                rates: series.rates,
                top,
                distinctive,
            });
        }
        Ok(Comparison {
            query: request.q.clone(),
            by: timeline.by,
            per: timeline.per,
            buckets: timeline.buckets,
            speakers,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}
