//! Ingest progress: a bar on a terminal (indicatif), plain lines otherwise.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use rapporteur::error::Error;
use rapporteur::index::writer::Progress;
use rapporteur::model::Document;

/// `PATH: why` for a file that failed, naming the file once: most errors
/// already start with it.
pub fn failure(path: &Path, error: &Error) -> String {
    match error.file() {
        Some(file) if file == path => error.to_string(),
        _ => format!("{}: {error}", path.display()),
    }
}

/// What embedding the whole run will cost, where it is more than a minute.
fn estimate(texts: usize, seconds: f64) -> Option<String> {
    (seconds > 60.0).then(|| {
        format!(
            "embedding will take about {} (about {texts} texts at {:.0}/s); for a large collection, `ingest --no-embed` then `rapporteur embed` (resumable) makes it searchable by keyword at once",
            super::embed::human_duration(seconds),
            texts as f64 / seconds
        )
    })
}

pub trait Reporter: Progress {
    fn finish(&self);
}

pub fn for_terminal() -> Box<dyn Reporter> {
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} files {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Box::new(Bar(bar))
    } else {
        Box::new(Lines::default())
    }
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, files: usize) {
        self.0.set_length(files as u64);
    }
    fn parsed(&self, path: &Path, outcome: Result<&Document, &Error>) {
        if let Err(e) = outcome {
            self.0.println(format!("skipped {}", failure(path, e)));
        }
        self.0.inc(1);
    }
    fn embedding(&self, done: usize, total: usize) {
        self.0.set_message(format!("embedding {done}/{total}"));
    }
    fn embedding_estimate(&self, texts: usize, seconds: f64) {
        if let Some(line) = estimate(texts, seconds) {
            self.0.println(line);
        }
    }
    fn committing(&self) {
        self.0.set_message("committing");
    }
}

impl Reporter for Bar {
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A line per file for small runs; for large collections a line per thousand.
#[derive(Default)]
struct Lines {
    total: AtomicUsize,
    done: AtomicUsize,
}

const LINE_PER_FILE_UP_TO: usize = 100;

impl Progress for Lines {
    fn start(&self, files: usize) {
        self.total.store(files, Ordering::Relaxed);
        eprintln!("ingesting {files} files");
    }
    fn parsed(&self, path: &Path, outcome: Result<&Document, &Error>) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.total.load(Ordering::Relaxed);
        match outcome {
            Ok(doc) if total <= LINE_PER_FILE_UP_TO => eprintln!(
                "parsed {} ({} paragraphs)",
                path.display(),
                doc.paragraphs.len()
            ),
            Ok(_) if done.is_multiple_of(1000) => eprintln!("parsed {done}/{total} files"),
            // Failures are listed once, at the end of the run.
            Ok(_) | Err(_) => {}
        }
    }
    fn embedding(&self, done: usize, total: usize) {
        // Start, end, and about every tenth in between.
        let step = (total / 10).max(64);
        if done == 0 || done == total || done % step < 8 {
            eprintln!("embedding {done}/{total} texts");
        }
    }
    fn embedding_estimate(&self, texts: usize, seconds: f64) {
        if let Some(line) = estimate(texts, seconds) {
            eprintln!("{line}");
        }
    }
    fn committing(&self) {
        eprintln!("committing");
    }
}

impl Reporter for Lines {
    fn finish(&self) {}
}
