//! One search as a user asks it: the CLI's flags, the API's GET parameters and
//! its POST body are all this one struct (clap, serde and utoipa derive from
//! it), so a new filter is written once.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{RequestError, Result};

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset one request may ask for.
pub const MAX_OFFSET: usize = 10_000;
/// Hits per page where the request does not say.
pub const DEFAULT_LIMIT: usize = 10;
/// Values listed per facet where the request does not say.
pub const DEFAULT_FACET_LIMIT: usize = 50;
/// Most values one facet may list (the UN has 193 member States).
pub const MAX_FACET_LIMIT: usize = 1_000;
/// Weight of meaning against words in hybrid search (0: keyword only, 1: semantic only).
pub const DEFAULT_SEMANTIC_RATIO: f32 = 0.5;

/// The order of the hits.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest meeting first, then best match.
    Date,
}

/// How hits are found: by the report's words (BM25), by meaning (embeddings),
/// or both fused, the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 on the report's words.
    Keyword,
    /// The nearest paragraphs by meaning; it always has an answer.
    Semantic,
    /// Words and meaning blended; exact matches of a named thing first.
    #[default]
    Hybrid,
}

impl std::str::FromStr for Mode {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Mode> {
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

/// One search: the words (or a question), its filters, mode and page.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, IntoParams, clap::Args,
)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query, style = Form)]
pub struct SearchRequest {
    /// What to search: words, "quoted phrases", AND/OR/NOT, inline filters
    /// (speaker:Japan agenda:5e topic:"Core Fund" doc:… year:2018), or a question
    /// like "what did Japan say on duplication".
    #[arg(skip)]
    #[param(example = "what did Japan say on duplication")]
    pub q: String,
    /// Only statements by this speaker (repeatable).
    #[arg(long)]
    pub speaker: Vec<String>,
    /// Agenda item code: 5, 5e, 5(e) (repeatable).
    #[arg(long)]
    pub agenda: Vec<String>,
    /// Topic; matches every topic containing the words (repeatable).
    #[arg(long)]
    pub topic: Vec<String>,
    /// Document id, symbol (A/HRC/8/44) or file name (repeatable).
    #[arg(long)]
    pub doc: Vec<String>,
    /// Meeting year (repeatable).
    #[arg(long)]
    pub year: Vec<i32>,
    /// Sustainable Development Goal by meaning: 13, "sdg 13", "climate action" (repeatable).
    #[arg(long)]
    pub sdg: Vec<String>,
    /// The body that met, as the facet names it: "Security Council" (repeatable).
    #[arg(long)]
    pub body: Vec<String>,
    /// The meeting, as the facet names it: "SOM-22" (repeatable).
    #[arg(long)]
    pub meeting: Vec<String>,
    /// What paragraphs are about, as distinct from who speaks: "Egypt" finds
    /// Egypt's review and what others said of Egypt (repeatable).
    #[arg(long)]
    pub subject: Vec<String>,
    /// A State's votes in verbatim records: the vote paragraphs where it voted (repeatable).
    #[arg(long)]
    pub vote: Vec<String>,
    /// First meeting date: 2018, 2018-10 or 2018-10-25.
    #[arg(long)]
    pub from: Option<String>,
    /// Last meeting date, same forms.
    #[arg(long)]
    pub to: Option<String>,
    /// keyword (the report's words, BM25), semantic (meaning, embeddings) or
    /// hybrid (both fused; the default).
    #[arg(long, value_parser = str::parse::<Mode>)]
    pub mode: Option<Mode>,
    /// Hybrid: weight of meaning against words, 0 to 1 (default 0.5).
    #[arg(long)]
    pub semantic_ratio: Option<f32>,
    /// relevance (the default) or date, newest first.
    #[arg(long, value_enum, default_value_t)]
    pub sort: Sort,
    /// Hits per page, at most 100 (default 10; 20 for speakers).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Hits to skip, at most 10000.
    #[arg(long, default_value_t)]
    pub offset: usize,
    /// Values listed per facet, most frequent first: at most 1000 (default 50).
    #[arg(long)]
    pub facet_limit: Option<usize>,
    /// The question's own words only: no terms of the records added from the
    /// thesaurus for an everyday wording (by meaning and hybrid search).
    #[arg(long)]
    pub literal: bool,
}

impl SearchRequest {
    /// A search for `q` with no filters, in the default mode.
    pub fn new(q: impl Into<String>) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }

    /// The page size: the request's, or `default` where it gives none.
    pub fn limit_or(&self, default: usize) -> usize {
        self.limit.unwrap_or(default)
    }

    /// The weight of meaning in hybrid search.
    pub fn semantic_ratio(&self) -> f32 {
        self.semantic_ratio.unwrap_or(DEFAULT_SEMANTIC_RATIO)
    }

    /// Checks the bounds that do not depend on the query's words.
    pub fn check_bounds(&self) -> Result<()> {
        if let Some(limit) = self.limit.filter(|&l| l > MAX_LIMIT) {
            return Err(RequestError::Limit {
                limit,
                max: MAX_LIMIT,
            }
            .into());
        }
        if let Some(limit) = self.facet_limit.filter(|&l| l > MAX_FACET_LIMIT) {
            return Err(RequestError::FacetLimit {
                limit,
                max: MAX_FACET_LIMIT,
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
        if let Some(ratio) = self.semantic_ratio
            && !(0.0..=1.0).contains(&ratio)
        {
            return Err(RequestError::SemanticRatio { ratio }.into());
        }
        Ok(())
    }

    /// The explicit filters as (field, value) pairs, in the names the query's
    /// own field syntax uses (`speaker:`, `year:`, ...).
    pub(crate) fn filter_pairs(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        let lists = [
            ("speaker", &self.speaker),
            ("agenda", &self.agenda),
            ("topic", &self.topic),
            ("doc", &self.doc),
            ("sdg", &self.sdg),
            ("vote", &self.vote),
            ("body", &self.body),
            ("meeting", &self.meeting),
            ("subject", &self.subject),
        ];
        lists
            .into_iter()
            .flat_map(|(field, values)| values.iter().map(move |v| (field, v.clone())))
            .chain(self.year.iter().map(|y| ("year", y.to_string())))
            .chain(self.from.iter().map(|v| ("from", v.clone())))
            .chain(self.to.iter().map(|v| ("to", v.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let too_many = SearchRequest {
            limit: Some(MAX_LIMIT + 1),
            ..SearchRequest::new("x")
        };
        assert!(too_many.check_bounds().is_err());
        let ratio = SearchRequest {
            semantic_ratio: Some(1.5),
            ..SearchRequest::new("x")
        };
        assert!(ratio.check_bounds().is_err());
        assert!(SearchRequest::new("x").check_bounds().is_ok());
        assert_eq!(SearchRequest::new("x").limit_or(DEFAULT_LIMIT), 10);
    }

    #[test]
    fn every_field_serialises_so_the_api_documents_them_all() {
        let v = serde_json::to_value(SearchRequest::default()).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 20);
        assert_eq!(
            "semantic".parse::<Mode>().unwrap(),
            Mode::Semantic,
            "modes parse case-blind"
        );
        assert!("magic".parse::<Mode>().is_err());
    }
}
