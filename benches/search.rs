//! Search latency on the shipped corpus: keyword, keyword + facet filter, and a
//! speaker question. Run with `cargo bench`.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use rapporteur::index::writer::{self, IngestOptions, Silent};
use rapporteur::search::{SearchRequest, Searcher};

fn build_index(dir: &Path) -> PathBuf {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let files = writer::collect_files(&[corpus]).expect("corpus/ is readable");
    let index = dir.join("index");
    let sources = rapporteur::ingest::Source::from_files(files, rapporteur::ingest::Layout::Auto);
    writer::ingest(&sources, &IngestOptions::new(&index), &Silent).expect("the corpus ingests");
    index
}

fn search(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let searcher = Searcher::open(&build_index(dir.path())).expect("index opens");
    let keyword = SearchRequest::new("duplication");
    let filtered = SearchRequest {
        agenda: vec!["5e".into()],
        ..SearchRequest::new("duplication")
    };
    let question = SearchRequest::new("what did Japan say on duplication");
    c.bench_function("keyword", |b| {
        b.iter(|| searcher.search(&keyword).expect("search"))
    });
    c.bench_function("keyword + agenda filter", |b| {
        b.iter(|| searcher.search(&filtered).expect("search"))
    });
    c.bench_function("speaker question", |b| {
        b.iter(|| searcher.search(&question).expect("search"))
    });
}

fn parse(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/neaspec-som22-report.txt");
    c.bench_function("parse neaspec report", |b| {
        b.iter(|| rapporteur::ingest::parse_file(&file).expect("parses"))
    });
}

criterion_group!(benches, search, parse);
criterion_main!(benches);
