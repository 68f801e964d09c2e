//! rapporteur: a search engine for the records of intergovernmental meetings,
//! *who said what, on which agenda item, in which meeting*.
//!
//! Ingest a report, then ask it a question:
//!
//! ```
//! use rapporteur::index::writer::{self, IngestOptions, Silent};
//! use rapporteur::ingest::{Layout, Source};
//! use rapporteur::search::{Mode, SearchRequest, Searcher};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let report = dir.path().join("som-22.txt");
//! std::fs::write(
//!     &report,
//!     "1. The representative of Mongolia noted the possible duplication of work.\n\
//!      2. The representative of Japan also recognized the duplication of activities.\n",
//! )?;
//! let mut options = IngestOptions::new(dir.path().join("index"));
//! options.embed = false; // keyword search needs no embedding model
//! writer::ingest(&Source::from_files(vec![report], Layout::Auto), &options, &Silent)?;
//!
//! let searcher = Searcher::open(&options.index)?;
//! let answer = searcher.search(&SearchRequest {
//!     mode: Some(Mode::Keyword),
//!     ..SearchRequest::new("what did Japan say on duplication")
//! })?;
//! // Paragraph 2, and in it Japan's own words, not Mongolia's.
//! assert_eq!(answer.hits[0].id, "som-22#2");
//! assert_eq!(answer.hits[0].statements[0].speaker.as_deref(), Some("Japan"));
//! # Ok(())
//! # }
//! ```
//!
//! The data flows through the modules in this order:
//! - [`ingest`]: read a report (text or PDF) or a speech, find its paragraphs,
//!   sections and agenda items, and attribute each sentence to its speakers;
//! - [`model`]: the documents, paragraphs and statements that ingest produces;
//! - [`embed`]: sentence embeddings (all-MiniLM-L6-v2 on ONNX Runtime) and SDG topics;
//! - [`index`]: the tantivy schema, the writer, and the stored vectors;
//! - [`search`]: the query plan, retrieval, ranking, facets, highlights;
//! - [`http`]: the JSON API and the search page over [`search`];
//! - [`error`]: the library's errors.
//!
//! The `rapporteur` binary (`src/main.rs`, `src/cli/`) is a thin shell over
//! this library: clap commands, output, progress and `rapporteur bench`.

#![warn(missing_docs)]

pub mod embed;
pub mod error;
pub mod http;
pub mod index;
pub mod ingest;
pub mod model;
pub mod search;

pub use error::{Error, Result};
pub use model::{Document, Paragraph, Speaker, SpeakerKind, Statement};
