//! Parse, ingest and search latency on the shipped corpus, and on the UN General
//! Debate corpus when `RAPPORTEUR_UNGDC` names its unpacked folder (`ungdc/`).
//! Run with `cargo bench`; BENCHMARKS.md has the numbers and `rapporteur bench`.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use rapporteur::index::writer::{self, IngestOptions, Silent};
use rapporteur::ingest::{Layout, Source};
use rapporteur::search::{Mode, SearchRequest, Searcher};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Keyword only: these benchmarks measure the engine, not the embedding model.
fn build_index(dir: &Path, paths: &[PathBuf], layout: Layout) -> PathBuf {
    let files = writer::collect_files(paths).expect("corpus is readable");
    let index = dir.join("index");
    let mut options = IngestOptions::new(&index);
    options.embed = false;
    writer::ingest(&Source::from_files(files, layout), &options, &Silent).expect("ingests");
    index
}

fn keyword(q: &str) -> SearchRequest {
    SearchRequest {
        mode: Some(Mode::Keyword),
        ..SearchRequest::new(q)
    }
}

fn search(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let searcher =
        Searcher::open(&build_index(dir.path(), &[corpus()], Layout::Auto)).expect("index opens");
    let filtered = SearchRequest {
        agenda: vec!["5e".into()],
        ..keyword("duplication")
    };
    let mut group = c.benchmark_group("corpus");
    for (name, request) in [
        ("keyword", keyword("duplication")),
        ("keyword + agenda filter", filtered),
        (
            "speaker question",
            keyword("what did Japan say on duplication"),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| searcher.search(&request).expect("search"))
        });
    }
    group.finish();
}

fn parse_and_ingest(c: &mut Criterion) {
    let file = corpus().join("neaspec-som22-report.txt");
    c.bench_function("parse neaspec report", |b| {
        b.iter(|| rapporteur::ingest::parse_file(&file).expect("parses"))
    });
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.bench_function("shipped corpus, keyword index", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            build_index(dir.path(), &[corpus()], Layout::Auto)
        })
    });
    group.finish();
}

fn ungdc(c: &mut Criterion) {
    let Some(root) = std::env::var_os("RAPPORTEUR_UNGDC").map(PathBuf::from) else {
        eprintln!("RAPPORTEUR_UNGDC is not set: skipping the UN General Debate benchmarks");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let searcher = Searcher::open(&build_index(
        dir.path(),
        std::slice::from_ref(&root),
        Layout::Ungdc,
    ))
    .expect("opens");
    let mut group = c.benchmark_group("ungdc");
    for q in [
        "nuclear disarmament",
        "apartheid",
        "climate change",
        "what did Japan say on nuclear disarmament",
        "year:1975 decolonization",
    ] {
        let request = keyword(q);
        group.bench_function(q, |b| b.iter(|| searcher.search(&request).expect("search")));
    }
    let file = root.join("session-73-2018/JPN_73_2018.txt");
    if file.exists() {
        group.bench_function("parse one speech", |b| {
            b.iter(|| Source::Ungdc(file.clone()).parse().expect("parses"))
        });
    }
    group.finish();
}

criterion_group!(benches, search, parse_and_ingest, ungdc);
criterion_main!(benches);
