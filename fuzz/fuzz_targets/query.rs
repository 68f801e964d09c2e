//! A whole search (query understanding, the plan, ranking, facets,
//! highlights) on a one-report index without embeddings.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use rapporteur::index::writer::{self, IngestOptions, Silent};
use rapporteur::ingest::{Layout, Source};
use rapporteur::search::{SearchRequest, Searcher};

static SEARCHER: LazyLock<Searcher> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("rapporteur-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report = dir.join("report.txt");
    std::fs::write(
        &report,
        "1. The representative of Japan noted the duplication of work.\n2. The Meeting noted the money pledged by the Republic of Korea.\n",
    )
    .expect("write");
    let mut options = IngestOptions::new(dir.join("index"));
    options.embed = false;
    writer::ingest(&Source::from_files(vec![report], Layout::Auto), &options, &Silent)
        .expect("ingest");
    Searcher::open(&options.index).expect("open")
});

fuzz_target!(|q: &str| {
    let _ = SEARCHER.search(&SearchRequest::new(q));
});
