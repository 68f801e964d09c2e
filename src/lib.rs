//! rapporteur: a search engine for the records of intergovernmental meetings.
//!
//! The data flows through the modules in this order:
//! - [`ingest`]: read a report (text or PDF), find its numbered paragraphs,
//!   sections and agenda items, and attribute each sentence to its speakers;
//! - [`model`]: the documents, paragraphs and statements that ingest produces;
//! - [`error`]: the library's errors.

pub mod error;
pub mod ingest;
pub mod model;

pub use error::{Error, Result};
pub use model::{Document, Paragraph, Speaker, SpeakerKind, Statement};
pub mod http;
pub mod index;
pub mod search;
