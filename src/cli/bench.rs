//! `rapporteur bench`: query latency as users measure it. Runs a set of queries
//! with warm-up, for a duration or a count, at a concurrency, in-process or
//! against a running server (HTTP keep-alive), and records every latency in an
//! HdrHistogram. The same queries through a bare tantivy top-10 search give the
//! floor, so what rapporteur adds over the raw engine shows as a ratio.
//!
//! Part of the binary: it uses the library's public API only.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;

use rapporteur::search::{SearchRequest, Searcher};

/// Questions that make sense on meeting reports and on speech collections alike.
pub const BUILT_IN: &[&str] = &[
    "money pledged by Seoul",
    "big cats",
    "overlap with other organisations' work",
    "duplication",
    "climate change",
    "nuclear disarmament",
    "human rights",
    "sustainable development",
    "cooperation",
    "what did Japan say on nuclear disarmament",
    "what did China say about development",
    "speaker:Mongolia environment",
    "\"international cooperation\"",
    "peace AND security",
    "year:2018 cooperation",
];

/// The baselines' names in reports.
pub const BARE: &str = "bare tantivy";
pub const AGGREGATIONS: &str = "tantivy + aggregations";

/// Where queries go.
#[derive(Clone)]
pub enum Target {
    InProcess(Arc<Searcher>),
    /// A running `rapporteur serve`: "http://127.0.0.1:7878".
    Server(String),
    /// tantivy alone: parse the query's words, top 10 by BM25, nothing else.
    BareTantivy(Arc<Searcher>),
    /// tantivy's top 10 plus its aggregation collector: exact terms counts on
    /// the facet fields an answer counts.
    TantivyAggregations(Arc<Searcher>),
}

impl Target {
    fn name(&self) -> String {
        match self {
            Target::InProcess(_) => "in-process".into(),
            Target::Server(url) => url.clone(),
            Target::BareTantivy(_) => BARE.into(),
            Target::TantivyAggregations(_) => AGGREGATIONS.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub queries: Vec<String>,
    /// Search mode passed with each request (None: the default).
    pub mode: Option<String>,
    pub limit: usize,
    pub warmup: Duration,
    /// Stop after this long...
    pub duration: Option<Duration>,
    /// ... or after this many requests, whichever comes first.
    pub count: Option<usize>,
    pub concurrency: usize,
    /// In-process: empty the query-embedding cache before each request, so
    /// every semantic or hybrid query pays for its embedding.
    pub cold_cache: bool,
}

/// Latencies in microseconds.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub target: String,
    pub mode: Option<String>,
    pub queries: usize,
    pub concurrency: usize,
    pub cold_cache: bool,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub qps: f64,
    pub min_us: u64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    pub mean_us: f64,
}

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{path}: cannot read file: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no queries (one per line)")]
    NoQueries { path: PathBuf },
    #[error("no queries to run")]
    Empty,
    #[error("{target} failed during warm-up on `{query}`: {source}")]
    WarmUp {
        target: String,
        query: String,
        #[source]
        source: Box<Failure>,
    },
    #[error("latency histograms do not add up: {0}")]
    Histogram(#[from] hdrhistogram::errors::AdditionError),
}

/// Why one request failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Search(#[from] rapporteur::Error),
    #[error(transparent)]
    Http(#[from] ureq::Error),
}

/// Reads a query file: one query per line (field syntax gives filters:
/// `speaker:Japan year:2018 nuclear`), blank lines and `#` comments skipped.
pub fn read_queries(path: &Path) -> Result<Vec<String>, BenchError> {
    let text = std::fs::read_to_string(path).map_err(|source| BenchError::Read {
        path: path.into(),
        source,
    })?;
    let queries: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if queries.is_empty() {
        return Err(BenchError::NoQueries { path: path.into() });
    }
    Ok(queries)
}

/// One request: Ok(()) when it answered.
fn run_one(
    target: &Target,
    agent: &ureq::Agent,
    q: &str,
    opts: &BenchOptions,
) -> Result<(), Failure> {
    match target {
        Target::InProcess(searcher) => {
            if opts.cold_cache {
                searcher.forget_questions();
            }
            let request = SearchRequest {
                // An unknown mode is the library's RequestError::Mode.
                mode: opts.mode.as_deref().map(str::parse).transpose()?,
                limit: Some(opts.limit),
                ..SearchRequest::new(q)
            };
            searcher.search(&request)?;
            Ok(())
        }
        Target::Server(url) => {
            let mut request = agent
                .get(format!("{}/api/search", url.trim_end_matches('/')))
                .query("q", q)
                .query("limit", opts.limit.to_string());
            if let Some(mode) = &opts.mode {
                request = request.query("mode", mode);
            }
            let mut response = request.call()?;
            // Read the whole body: a client has not got its answer before that.
            response.body_mut().read_to_vec()?;
            Ok(())
        }
        Target::BareTantivy(searcher) => {
            searcher.bare_tantivy(q, opts.limit)?;
            Ok(())
        }
        Target::TantivyAggregations(searcher) => {
            searcher.tantivy_with_aggregations(q, opts.limit)?;
            Ok(())
        }
    }
}

/// Runs the benchmark against one target.
pub fn run(target: &Target, opts: &BenchOptions) -> Result<BenchReport, BenchError> {
    if opts.queries.is_empty() {
        return Err(BenchError::Empty);
    }
    let concurrency = opts.concurrency.clamp(1, 1024);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(true)
        .build()
        .into();
    // Warm-up: caches, the catalog and the page cache, outside the measurement.
    let warm_until = Instant::now() + opts.warmup;
    let mut i = 0;
    while Instant::now() < warm_until || i < opts.queries.len() {
        let q = &opts.queries[i % opts.queries.len()];
        if let Err(source) = run_one(target, &agent, q, opts)
            && i < opts.queries.len()
        {
            return Err(BenchError::WarmUp {
                target: target.name(),
                query: q.clone(),
                source: Box::new(source),
            });
        }
        i += 1;
    }

    let next = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let deadline = opts.duration.map(|d| Instant::now() + d);
    let started = Instant::now();
    let histograms: Vec<Histogram<u64>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let agent = agent.clone();
                let (next, errors, stop) = (&next, &errors, &stop);
                scope.spawn(move || {
                    let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
                        .expect("static histogram bounds are valid");
                    loop {
                        if stop.load(Ordering::Relaxed)
                            || deadline.is_some_and(|d| Instant::now() >= d)
                        {
                            break;
                        }
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if opts.count.is_some_and(|c| n >= c) {
                            stop.store(true, Ordering::Relaxed);
                            break;
                        }
                        let q = &opts.queries[n % opts.queries.len()];
                        let t = Instant::now();
                        let outcome = run_one(target, &agent, q, opts);
                        let us = t.elapsed().as_micros().max(1) as u64;
                        match outcome {
                            Ok(()) => h.saturating_record(us),
                            Err(_) => {
                                errors.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    h
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Histogram::new(3).expect("static histogram precision is valid")
                })
            })
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
        .expect("static histogram bounds are valid");
    for h in &histograms {
        all.add(h)?;
    }
    let requests = all.len();
    Ok(BenchReport {
        target: target.name(),
        mode: opts.mode.clone(),
        queries: opts.queries.len(),
        concurrency,
        cold_cache: opts.cold_cache && matches!(target, Target::InProcess(_)),
        requests,
        errors: errors.load(Ordering::Relaxed) as u64,
        seconds,
        qps: requests as f64 / seconds.max(1e-9),
        min_us: all.min(),
        p50_us: all.value_at_quantile(0.5),
        p90_us: all.value_at_quantile(0.9),
        p99_us: all.value_at_quantile(0.99),
        p999_us: all.value_at_quantile(0.999),
        max_us: all.max(),
        mean_us: all.mean(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_files_skip_comments_and_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.txt");
        std::fs::write(
            &path,
            "# warm questions\nnuclear\n\n speaker:Japan year:2018 trade \n",
        )
        .unwrap();
        assert_eq!(
            read_queries(&path).unwrap(),
            ["nuclear", "speaker:Japan year:2018 trade"]
        );
        std::fs::write(&path, "# nothing\n").unwrap();
        assert!(read_queries(&path).is_err());
    }
}
