//! Replays the inputs kept from fuzzing (fuzz/regressions/<target>/) through
//! the same entry points as the fuzz targets: each must return, error or not,
//! without panicking and in reasonable time. See fuzz/README.md.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, LazyLock};
use std::thread;
use std::time::{Duration, Instant};

use rapporteur::index::writer::{self, IngestOptions, Silent};
use rapporteur::ingest::{self, Layout, Source};
use rapporteur::search::{SearchRequest, Searcher};

/// Far above what any input takes on a quiet machine: CI machines are noisy.
const LIMIT: Duration = Duration::from_secs(10);

type Entry = fn(&[u8]);

fn regressions(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    files
}

/// Runs every input of `target` on its own thread, so that a panic or a hang
/// in one is reported with its file name instead of ending the test run.
fn replay(target: &str, entry: Entry) {
    let mut failures = Vec::new();
    for path in regressions(target) {
        let bytes: Arc<[u8]> = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .into();
        let (done, finished) = mpsc::channel();
        let input = Arc::clone(&bytes);
        let started = Instant::now();
        thread::spawn(move || {
            entry(&input);
            // The receiver is gone only after a timeout, already reported.
            let _ = done.send(());
        });
        match finished.recv_timeout(LIMIT) {
            Ok(()) => {}
            // The sender was dropped without sending: the call panicked.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                failures.push(format!("{}: panicked", path.display()));
            }
            // Left running: the test process ends it.
            Err(mpsc::RecvTimeoutError::Timeout) => failures.push(format!(
                "{}: still running after {:?}",
                path.display(),
                started.elapsed()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} input(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn parse_text(bytes: &[u8]) {
    let _ = ingest::parse_bytes(Path::new("x.txt"), bytes);
}

fn parse_pdf(bytes: &[u8]) {
    let _ = ingest::parse_bytes(Path::new("x.pdf"), bytes);
}

fn speech(bytes: &[u8]) {
    let _ = ingest::speech::paragraphs(&String::from_utf8_lossy(bytes));
}

/// An empty index with the real schema is all the query parser needs.
/// A one-report index without embeddings: the whole query plan runs on it,
/// and the default mode falls back to keyword without loading a model.
static SEARCHER: LazyLock<(tempfile::TempDir, Searcher)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.txt");
    std::fs::write(
        &report,
        "1. The representative of Japan noted the duplication of work.\n2. The Meeting noted the money pledged by the Republic of Korea.\n",
    )
    .expect("write");
    let mut options = IngestOptions::new(dir.path().join("index"));
    options.embed = false;
    writer::ingest(
        &Source::from_files(vec![report], Layout::Auto),
        &options,
        &Silent,
    )
    .expect("ingest");
    let searcher = Searcher::open(&options.index).expect("open");
    (dir, searcher)
});

/// A whole search: query understanding, the plan, ranking, facets, highlights.
fn query(bytes: &[u8]) {
    let q = String::from_utf8_lossy(bytes);
    let _ = SEARCHER.1.search(&SearchRequest::new(q.into_owned()));
}

#[test]
fn text_inputs_parse_or_fail_cleanly() {
    replay("parse_text", parse_text);
}

#[test]
fn pdf_inputs_parse_or_fail_cleanly() {
    replay("parse_pdf", parse_pdf);
}

#[test]
fn speech_inputs_split_into_paragraphs() {
    replay("speech", speech);
}

#[test]
fn query_inputs_are_interpreted_or_refused() {
    replay("query", query);
}
