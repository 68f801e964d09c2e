//! Search. A request ([`SearchRequest`]) is understood once into a query plan
//! (`plan`: the interpreted question and filters, the mode, the words parsed by
//! tantivy's query grammar); then [`Searcher::search`] runs its stages, each in
//! the module that owns it:
//!
//! 1. `rank::candidates`: the nearest paragraphs by meaning (`vector`) and,
//!    for a hybrid search, the word side of the fusion;
//! 2. `rank::MainPass`: the pass over the index that collects the matches
//!    (`collect`) and counts the facets riding on it (`facets`, from the
//!    ordinal tables of `facet_names` by `facet_counter`); a keyword search
//!    by relevance finds its top hits on a pass of their own;
//! 3. `rank::rank`: keyword, semantic or hybrid ranking (`fusion`);
//! 4. `facets::finish`: the facets that need a pass of their own;
//! 5. `hits::page`: the page of hits with their statements and highlights.
//!
//! Browsing (documents, outlines, permalinks) is in `browse`, paragraphs like
//! one paragraph in `similar`, who said it the most in `speakers`; for
//! analysts, mentions over time in `timeline`, speakers side by side in
//! `compare`, a speaker's distinctive words in `distinctive`, and how to cite
//! a paragraph in `citation`; how the approximate vector index agrees with
//! the exact scan in `recall`. The per-generation catalog (document summaries,
//! facet value names, vectors) is built by a tantivy warmer in `catalog`.

mod acronyms;
mod browse;
mod catalog;
pub mod citation;
mod collect;
mod compare;
mod derived;
mod distinctive;
mod facet_counter;
mod facet_names;
mod facets;
mod filters;
mod fusion;
mod highlight;
mod hits;
mod id_set;
mod parallel;
mod plan;
pub mod quality;
pub mod query;
mod rank;
mod recall;
mod request;
mod response;
mod searcher;
mod similar;
mod speakers;
mod thesaurus;
mod timeline;
mod top_blocks;
mod top_k;
mod vector;

#[cfg(test)]
pub(crate) mod test_index;

pub use browse::{Outline, OutlineEntry, ParagraphView};
pub use catalog::slug;
pub use compare::{ComparedSpeaker, Comparison, DEFAULT_STATEMENTS};
pub use distinctive::{DEFAULT_TERMS, Distinctive, DistinctiveTerm};
pub use query::Interpreted;
pub use recall::Recall;
pub use request::{
    DEFAULT_LIMIT, DEFAULT_SEMANTIC_RATIO, MAX_LIMIT, MAX_OFFSET, Mode, SearchRequest, Sort,
};
pub use response::{FacetCount, Facets, Hit, SearchResponse, SimilarResponse, StatementHit};
pub use searcher::Searcher;
pub use speakers::{DEFAULT_SPEAKERS, SpeakerCount};
pub use timeline::{Bucket, Bucketing, MAX_SERIES, Series, Timeline, TimelineOptions};

pub use crate::model::DocumentSummary;
