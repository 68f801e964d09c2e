//! Build or update the index: parse files in parallel, replace each document by
//! id, and commit once, so an interrupted run leaves the previous index intact.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use tantivy::schema::Facet;
use tantivy::{TantivyDocument, Term};

use super::schema::{
    self, Fields, KIND_DOCUMENT, KIND_PARAGRAPH, KIND_STATEMENT, date_number, paragraph_id,
    speech_id,
};
use super::vectors::{self, VectorWriter, Vectors, vector_key};
use crate::embed::sdg::Goals;
use crate::embed::{Embedder, Vector};
use crate::error::{Error, Result};
use crate::ingest::Source;
use crate::ingest::acronyms;
use crate::ingest::agenda::code_path;
use crate::model::{Document, DocumentSummary, Paragraph};

/// File extensions ingest reads when it walks a folder.
pub const EXTENSIONS: &[&str] = &["txt", "text", "pdf"];

/// How an ingest runs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The index folder, created if missing.
    pub index: PathBuf,
    /// tantivy writer memory budget.
    pub heap_bytes: usize,
    /// Compute embeddings (semantic search, SDG topics); needs the model.
    pub embed: bool,
}

impl IngestOptions {
    /// Ingest into `index` with embeddings and a 256 MB writer budget.
    pub fn new(index: impl Into<PathBuf>) -> IngestOptions {
        IngestOptions {
            index: index.into(),
            heap_bytes: 256 * 1024 * 1024,
            embed: true,
        }
    }
}

/// What an ingest did, for the CLI's summary and `--json`.
#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    /// Documents added or replaced.
    pub documents: usize,
    /// Paragraphs indexed.
    pub paragraphs: usize,
    /// Attributed statements in those paragraphs.
    pub statements: usize,
    /// Texts embedded in this run, and those whose vector was reused.
    pub embedded: usize,
    /// Texts whose stored vector was reused: their text had not changed.
    pub reused_vectors: usize,
    /// Bytes of source read.
    pub bytes: u64,
    /// Wall time of the whole ingest.
    #[serde(serialize_with = "as_secs")]
    pub elapsed: Duration,
    /// Files that could not be ingested, and why.
    #[serde(serialize_with = "as_messages")]
    pub failures: Vec<(PathBuf, Error)>,
    /// Documents ingested with a caveat (no numbered paragraphs, ...).
    pub warnings: Vec<String>,
}

/// Failures as `[path, message]` pairs.
fn as_messages<S: serde::Serializer>(
    failures: &[(PathBuf, Error)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(failures.iter().map(|(path, e)| (path, e.to_string())))
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl IngestReport {
    /// Source megabytes read per second of wall time.
    pub fn megabytes_per_second(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// What ingest tells its caller as it goes (a progress bar, log lines).
pub trait Progress: Sync {
    /// The walk found `files` files to read.
    fn start(&self, files: usize);
    /// One file was parsed, or failed to.
    fn parsed(&self, path: &Path, outcome: std::result::Result<&Document, &Error>);
    /// Texts embedded so far out of those this chunk needs.
    fn embedding(&self, _done: usize, _total: usize) {}
    /// After the first chunk: about how many texts the whole run embeds, and
    /// how long that takes at the rate measured.
    fn embedding_estimate(&self, _texts: usize, _seconds: f64) {}
    /// Everything is written; tantivy is committing.
    fn committing(&self);
}

/// No output at all.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: usize) {}
    fn parsed(&self, _: &Path, _: std::result::Result<&Document, &Error>) {}
    fn committing(&self) {}
}

/// Files under the given paths (folders are walked, sorted for a stable order).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| Error::Io {
            path: dir.into(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e.to_lowercase().as_str()))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Opens the index for writing, creating it if needed.
pub fn open_or_create(path: &Path) -> Result<tantivy::Index> {
    let index_err = |source| Error::Index {
        path: path.into(),
        source,
    };
    if path.join(super::MANIFEST).exists() {
        super::check_manifest(path)?;
        return tantivy::Index::open_in_dir(path).map_err(index_err);
    }
    let has_other_files = std::fs::read_dir(path)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if has_other_files && path.join("meta.json").exists() {
        return Err(Error::SchemaVersion {
            path: path.into(),
            found: 0,
            expected: schema::SCHEMA_VERSION,
        });
    }
    std::fs::create_dir_all(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    let (schema, _) = schema::build();
    let index = tantivy::Index::create_in_dir(path, schema).map_err(index_err)?;
    super::write_manifest(path)?;
    Ok(index)
}

/// Parses and indexes documents; failures are reported, the rest indexed.
pub fn ingest(
    sources: &[Source],
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport> {
    let started = Instant::now();
    let index = open_or_create(&options.index)?;
    let index_err = |source| Error::Index {
        path: options.index.clone(),
        source,
    };
    let fields = Fields::from_schema(&index.schema()).map_err(index_err)?;
    let mut writer: tantivy::IndexWriter =
        index.writer(options.heap_bytes).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked {
                path: options.index.clone(),
            },
            other => index_err(other),
        })?;
    // A run killed in its commit leaves files the next commit writes again
    // under the same names (a segment's deletes at the same opstamp).
    writer.garbage_collect_files().wait().map_err(index_err)?;
    let mut report = IngestReport::default();
    let mut embedding = if options.embed {
        Some(Embedding::start(&options.index, &mut report)?)
    } else {
        None
    };
    progress.start(sources.len());
    let mut seen_ids = HashSet::new();
    let total_bytes: u64 = sources
        .iter()
        .map(|s| std::fs::metadata(s.path()).map_or(0, |m| m.len()))
        .sum();
    let mut first_chunk = true;
    // Parse in chunks so that memory stays bounded on large collections.
    for chunk in sources.chunks(256) {
        let parsed: Vec<(PathBuf, Result<Document>, u64)> = chunk
            .par_iter()
            .map(|source| {
                let path = source.path();
                let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                let result = source.parse();
                progress.parsed(path, result.as_ref());
                (path.to_owned(), result, bytes)
            })
            .collect();
        let mut parsed = parsed;
        if let Some(e) = embedding.as_mut() {
            let mut docs: Vec<&mut Document> = parsed
                .iter_mut()
                .filter_map(|(_, r, _)| r.as_mut().ok())
                .collect();
            let (before, started) = (report.embedded, Instant::now());
            e.prepare(&mut docs, progress, &mut report)?;
            if first_chunk && report.embedded > before {
                let chunk_bytes: u64 = parsed.iter().map(|(_, _, b)| *b).sum();
                let texts = (report.embedded - before) as f64 * total_bytes as f64
                    / chunk_bytes.max(1) as f64;
                let rate = (report.embedded - before) as f64 / started.elapsed().as_secs_f64();
                progress.embedding_estimate(texts as usize, texts / rate.max(1e-9));
            }
        }
        first_chunk = false;
        for (path, result, bytes) in parsed {
            match result {
                Ok(mut doc) => {
                    if !seen_ids.insert(doc.id.clone()) {
                        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("copy");
                        report.warnings.push(format!(
                            "{}: id {} already used in this run; indexed as {}-{stem}",
                            path.display(),
                            doc.id,
                            doc.id
                        ));
                        doc.id = format!("{}-{stem}", doc.id);
                    }
                    report.warnings.extend(doc.warnings.iter().cloned());
                    report.documents += 1;
                    report.paragraphs += doc.paragraphs.len();
                    report.statements += doc.statement_count();
                    report.bytes += bytes;
                    add_document(&writer, &fields, &doc)?;
                }
                Err(e) => report.failures.push((path, e)),
            }
        }
    }
    progress.committing();
    // Vectors first: a record is never visible before its vector is durable.
    if let Some(e) = embedding.as_mut() {
        e.out.commit()?;
    }
    writer.commit().map_err(index_err)?;
    writer.wait_merging_threads().map_err(index_err)?;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn tantivy_err(e: tantivy::TantivyError) -> Error {
    Error::Tantivy(e)
}

/// The texts of a document that get a vector: every paragraph, and each
/// statement that is not its whole paragraph.
fn embedded_texts(doc: &Document) -> impl Iterator<Item = &str> {
    doc.paragraphs.iter().flat_map(|p| {
        let own = (!is_one_statement(p)).then_some(&p.statements);
        std::iter::once(p.text.as_str()).chain(
            own.into_iter()
                .flatten()
                .map(|s| s.text.as_str())
                .filter(|t| !t.trim().is_empty()),
        )
    })
}

/// Embeddings during one ingest: the vectors file beside the index (vectors
/// of texts seen before, and the writer new ones go to), and the SDG goals.
struct Embedding {
    embedder: std::sync::Arc<Embedder>,
    goals: Goals,
    known: Vectors,
    /// Made in this run.
    fresh: HashMap<u64, Vector>,
    out: VectorWriter,
}

impl Embedding {
    fn start(index: &Path, report: &mut IngestReport) -> Result<Embedding> {
        let embedder = Embedder::shared()?;
        let goals = Goals::load(&embedder)?;
        let (out, note) = vectors::open_index_writer(index)?;
        report.warnings.extend(note);
        Ok(Embedding {
            embedder,
            goals,
            known: Vectors::of_index_current(index)?,
            fresh: HashMap::new(),
            out,
        })
    }

    fn vector(&self, key: u64) -> Option<&[f32]> {
        self.known
            .get(key)
            .or_else(|| self.fresh.get(&key).map(|v| &v[..]))
    }

    /// Embeds the texts not seen before (appended to the vectors file) and
    /// tags each paragraph's goals.
    fn prepare(
        &mut self,
        docs: &mut [&mut Document],
        progress: &dyn Progress,
        report: &mut IngestReport,
    ) -> Result<()> {
        let mut wanted: Vec<&str> = Vec::new();
        let mut seen = HashSet::new();
        for doc in docs.iter() {
            for text in embedded_texts(doc) {
                let key = vector_key(text);
                if self.vector(key).is_some() {
                    report.reused_vectors += 1;
                } else if seen.insert(key) {
                    wanted.push(text);
                }
            }
        }
        if !wanted.is_empty() {
            let total = wanted.len();
            progress.embedding(0, total);
            let vectors = self
                .embedder
                .embed(&wanted, &|done| progress.embedding(done, total))?;
            report.embedded += total;
            for (text, v) in wanted.iter().zip(vectors) {
                let key = vector_key(text);
                self.out.append(key, &v)?;
                self.fresh.insert(key, v.into());
            }
        }
        for doc in docs.iter_mut() {
            for p in doc.paragraphs.iter_mut() {
                if let Some(v) = self.vector(vector_key(&p.text)) {
                    p.sdgs = self.goals.of(v);
                }
            }
        }
        Ok(())
    }
}

/// The key of a record's vector, and the words it is made of: "Ratify the
/// OP-CAT; (Chile);" is three words of meaning, and trusted as three.
fn add_vector_key(record: &mut TantivyDocument, f: &Fields, text: &str) {
    record.add_u64(f.vector_hash, vector_key(text));
    let embedded = crate::embed::content(text);
    record.add_u64(f.words, embedded.split_whitespace().count() as u64);
}

/// Replaces any earlier version of `doc` and adds its records.
pub fn add_document(writer: &tantivy::IndexWriter, f: &Fields, doc: &Document) -> Result<()> {
    writer.delete_term(Term::from_field_text(f.doc_id, &doc.id));
    let date = date_number(doc.date.as_deref());
    let year = doc.year();

    let mut record = TantivyDocument::default();
    record.add_text(f.kind, KIND_DOCUMENT);
    record.add_text(f.doc_id, &doc.id);
    let mut outline = doc.clone();
    // The outline keeps structure and speakers; the text lives in the paragraph records.
    outline.paragraphs.iter_mut().for_each(|p| {
        p.text.clear();
        p.statements.iter_mut().for_each(|s| s.text.clear());
    });
    record.add_text(
        f.payload,
        serde_json::to_string(&outline).unwrap_or_default(),
    );
    let summary = DocumentSummary::of(doc);
    record.add_text(
        f.summary,
        serde_json::to_string(&summary).unwrap_or_default(),
    );
    add_document_facets(&mut record, f, doc, date, year);
    writer.add_document(record).map_err(tantivy_err)?;

    // The acronyms the document defines, indexed with their long forms
    // wherever it uses them alone.
    let defined = &summary.acronyms;
    for (ordinal, para) in doc.paragraphs.iter().enumerate() {
        let key = format!("{}#{}", doc.id, para.number);
        let mut p = TantivyDocument::default();
        p.add_text(f.kind, KIND_PARAGRAPH);
        // A paragraph that is one whole statement (every paragraph of a speech)
        // is its own statement record: half the records for speech collections.
        let whole_statement = is_one_statement(para);
        if whole_statement {
            p.add_text(f.kind, KIND_STATEMENT);
            p.add_u64(f.statement, 0);
            if let Some(turn) = para.statements.first().and_then(|s| s.turn) {
                p.add_u64(f.turn, u64::from(turn));
                p.add_u64(f.speech, speech_id(&doc.id, turn));
            }
        }
        add_paragraph_fields(&mut p, f, doc, para, &key, ordinal, date, year);
        p.add_text(f.text, &para.text);
        // A vote is found by what was voted on and how it ended, which its
        // lists of States do not say: "how did China vote on 2448".
        if let Some(vote) = &para.vote {
            let about = [&vote.subject, &vote.result, &vote.resolution, &vote.method];
            for words in about.into_iter().flatten() {
                p.add_text(f.text, words);
            }
        }
        add_vector_key(&mut p, f, &para.text);
        // "prohibiting FGM" is found by "female genital mutilation" too.
        for long in acronyms::used(&para.text, defined) {
            p.add_text(f.text, long);
        }
        for speaker in &para.speakers {
            p.add_text(f.speaker_name, speaker);
        }
        for s in para.statements.iter().flat_map(|s| s.speakers()) {
            p.add_facet(
                f.speaker,
                Facet::from_path([s.kind.as_str(), s.name.as_str()]),
            );
        }
        p.add_text(f.payload, paragraph_payload(para));
        writer.add_document(p).map_err(tantivy_err)?;
        if whole_statement {
            continue;
        }

        for (i, st) in para.statements.iter().enumerate() {
            let mut s = TantivyDocument::default();
            s.add_text(f.kind, KIND_STATEMENT);
            add_paragraph_fields(&mut s, f, doc, para, &key, ordinal, date, year);
            s.add_u64(f.statement, i as u64);
            if let Some(turn) = st.turn {
                s.add_u64(f.turn, u64::from(turn));
                s.add_u64(f.speech, speech_id(&doc.id, turn));
            }
            s.add_text(f.text, &st.text);
            for long in acronyms::used(&st.text, defined) {
                s.add_text(f.text, long);
            }
            add_vector_key(&mut s, f, &st.text);
            for speaker in st.speakers() {
                s.add_text(f.speaker_name, &speaker.name);
                s.add_facet(
                    f.speaker,
                    Facet::from_path([speaker.kind.as_str(), speaker.name.as_str()]),
                );
            }
            writer.add_document(s).map_err(tantivy_err)?;
        }
    }
    Ok(())
}

fn is_one_statement(para: &Paragraph) -> bool {
    matches!(&para.statements[..], [only] if only.text == para.text)
}

/// The paragraph as stored JSON, without the text the `text` field already
/// stores (statement texts equal to it included); `index::stored::paragraph_of`
/// puts it back.
fn paragraph_payload(para: &Paragraph) -> String {
    let mut compact = para.clone();
    compact.text.clear();
    for st in compact.statements.iter_mut() {
        if st.text == para.text {
            st.text.clear();
        }
    }
    serde_json::to_string(&compact).unwrap_or_default()
}

fn add_document_facets(
    record: &mut TantivyDocument,
    f: &Fields,
    doc: &Document,
    date: Option<u64>,
    year: Option<i32>,
) {
    record.add_facet(f.document, Facet::from_path([doc.id.as_str()]));
    if let Some(body) = &doc.body {
        record.add_facet(f.body, Facet::from_path([body.as_str()]));
    }
    if let Some(meeting) = &doc.meeting {
        record.add_facet(f.meeting, Facet::from_path([meeting.as_str()]));
    }
    if let Some(year) = year {
        record.add_facet(f.year, Facet::from_path([year.to_string()]));
    }
    record.add_u64(f.date, date.unwrap_or(0));
}

#[allow(clippy::too_many_arguments)]
fn add_paragraph_fields(
    record: &mut TantivyDocument,
    f: &Fields,
    doc: &Document,
    para: &Paragraph,
    key: &str,
    ordinal: usize,
    date: Option<u64>,
    year: Option<i32>,
) {
    record.add_text(f.doc_id, &doc.id);
    record.add_text(f.key, key);
    record.add_text(f.number, &para.number);
    record.add_u64(f.ordinal, ordinal as u64);
    record.add_u64(f.para, paragraph_id(key));
    add_document_facets(record, f, doc, date, year);
    for code in &para.agenda_items {
        record.add_facet(f.agenda, Facet::from_path(code_path(code)));
    }
    for topic in &para.topics {
        record.add_facet(f.topic, Facet::from_path([topic.as_str()]));
    }
    for goal in &para.sdgs {
        record.add_facet(f.sdg, Facet::from_path([goal.as_str()]));
    }
    for state in &para.subjects {
        record.add_facet(f.subject, Facet::from_path([state.as_str()]));
    }
    if let Some(vote) = &para.vote {
        for (state, position) in vote.positions() {
            record.add_facet(f.vote, Facet::from_path([format!("{state}: {position}")]));
        }
    }
}
