//! rapporteur: a search engine for the records of intergovernmental meetings.
//!
//! The data flows through the modules in this order:
//! - [`ingest`]: read a report (text or PDF) or a speech, find its paragraphs,
//!   sections and agenda items, and attribute each sentence to its speakers;
//! - [`model`]: the documents, paragraphs and statements that ingest produces;
//! - [`embed`]: sentence embeddings (all-MiniLM-L6-v2 on ONNX Runtime) and SDG topics;
//! - [`index`]: the tantivy schema, the writer, and the stored vectors;
//! - [`search`]: query understanding, retrieval, grouping, facets, highlights;
//! - [`http`]: the JSON API and the search page over [`search`];
//! - [`error`]: the library's errors.

pub mod embed;
pub mod error;
pub mod http;
pub mod index;
pub mod ingest;
pub mod model;
pub mod search;

pub use error::{Error, Result};
pub use model::{Document, Paragraph, Speaker, SpeakerKind, Statement};
