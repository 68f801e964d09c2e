//! The HTTP server: a JSON API over [`Searcher`] ([`api`]), a search page and
//! permalink pages ([`pages`]), one error shape ([`error`]).
//!
//! Every call into the searcher runs on tokio's blocking pool, behind a
//! concurrency cap and a time limit, so slow searches can neither starve the
//! async threads nor pile up without bound.

pub mod api;
pub mod error;
pub mod pages;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout_at};

use crate::error::Error;
use crate::search::Searcher;
pub use error::ApiError;

/// Largest request body accepted (a search is a few hundred bytes).
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long one request may wait for and run a search.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler shares: the searcher and the limits on using it.
#[derive(Clone)]
pub struct AppState {
    searcher: Arc<Searcher>,
    permits: Arc<Semaphore>,
    timeout: Duration,
}

impl AppState {
    pub fn new(searcher: Searcher) -> AppState {
        // Searches are CPU-bound: more at once than cores only adds latency to all.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AppState {
            searcher: Arc::new(searcher),
            permits: Arc::new(Semaphore::new(cores.max(2))),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    pub fn open(index: &Path) -> crate::Result<AppState> {
        Ok(AppState::new(Searcher::open(index)?))
    }

    /// The time limit of one request, waiting for a slot included.
    pub fn with_timeout(mut self, timeout: Duration) -> AppState {
        self.timeout = timeout;
        self
    }

    /// How many searcher calls may run at once (at least one).
    pub fn with_concurrency(mut self, n: usize) -> AppState {
        self.permits = Arc::new(Semaphore::new(n.max(1)));
        self
    }

    pub fn searcher(&self) -> &Arc<Searcher> {
        &self.searcher
    }

    /// Runs `f` on the blocking pool within the limits; library errors become API errors.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Searcher) -> crate::Result<T> + Send + 'static,
    {
        let deadline = Instant::now() + self.timeout;
        let permit = match timeout_at(deadline, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) | Err(_) => {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "the server is busy with other searches; try again shortly",
                ));
            }
        };
        let searcher = self.searcher.clone();
        // The permit moves into the task: a search that outlives its request still
        // holds its slot until it really ends, so the cap stays true.
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f(&searcher)
        });
        match timeout_at(deadline, task).await {
            Ok(Ok(result)) => result.map_err(ApiError::from),
            Ok(Err(join)) => Err(ApiError::internal(format!(
                "the search failed unexpectedly: {join}"
            ))),
            Err(_) => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                format!(
                    "the search took longer than {:.1} s; narrow it with more words or filters",
                    self.timeout.as_secs_f64()
                ),
            )),
        }
    }
}

/// The whole application: API, pages, fallbacks and limits.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::search_page))
        .route("/p/{*path}", get(pages::permalink_page))
        .route("/assets/{name}", get(pages::asset))
        .route("/api/search", get(api::search_get).post(api::search_post))
        .route("/api/documents", get(api::documents))
        .route("/api/documents/{*id}", get(api::document))
        .route("/api/paragraphs/{*path}", get(api::paragraph))
        .route("/api/similar/{*path}", get(api::similar))
        .route("/api/speakers", get(api::speakers))
        .route("/api/facets", get(api::facets))
        .route("/api/health", get(api::health))
        .route("/api/openapi.json", get(api::openapi))
        .fallback(error::not_found)
        // After the routes: it applies to those already added.
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Whether `index` has no documents yet (missing or empty), so the caller should ingest first.
pub fn needs_ingest(index: &Path) -> crate::Result<bool> {
    match Searcher::open(index) {
        Ok(searcher) => Ok(searcher.counts()?.0 == 0),
        Err(Error::NoIndex { .. }) => Ok(true),
        Err(e) => Err(e),
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Index(#[from] Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the index, binds `addr` ("127.0.0.1:7878"; port 0 picks a free one),
/// prints `listening on http://ADDR` to stderr and serves until Ctrl-C or SIGTERM.
pub async fn serve(addr: &str, index: &Path) -> Result<(), ServeError> {
    let state = AppState::open(index)?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: addr.to_owned(),
            source,
        })?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        eprintln!(
            "warning: listening on {local}, not loopback: anyone who can reach this machine can search the index"
        );
    }
    // Tests and scripts read this line to learn the port.
    eprintln!("listening on http://{local}");
    serve_on(listener, state).await?;
    Ok(())
}

/// Serves `app(state)` on an already bound listener until a shutdown signal.
pub async fn serve_on(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Resolves on Ctrl-C or SIGTERM; open requests then finish before the server stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    eprintln!("shutting down");
}
