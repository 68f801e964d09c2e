//! The HTTP server: a JSON API over [`Searcher`] ([`api`]), a search page and
//! permalink pages ([`pages`]), one error shape ([`error`]).
//!
//! Every call into the searcher runs behind a concurrency cap and a time
//! limit ([`state`]), so slow searches can neither starve the async threads
//! nor pile up without bound.

pub mod api;
pub(crate) mod error;
pub(crate) mod feed;
pub(crate) mod pages;
mod state;

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::error::Error;
use crate::search::Searcher;
pub use error::ApiError;
pub use state::AppState;

/// Largest request body accepted (a search is a few hundred bytes).
pub(crate) const BODY_LIMIT: usize = 64 * 1024;
/// How long one request may wait for and run a search.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The whole application: API, pages, fallbacks and limits.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::search_page))
        .route("/p/{*path}", get(pages::permalink_page))
        .route("/compare", get(pages::compare_page))
        .route("/assets/{name}", get(pages::asset))
        .route("/api/search", get(api::search_get).post(api::search_post))
        .route("/api/documents", get(api::documents))
        .route("/api/documents/{*id}", get(api::document))
        .route("/api/paragraphs/{*path}", get(api::paragraph))
        .route("/api/similar/{*path}", get(api::similar))
        .route("/api/speakers", get(api::speakers))
        .route("/api/facets", get(api::facets))
        .route("/api/timeline", get(api::timeline))
        .route("/api/compare", get(api::compare))
        .route("/api/distinctive", get(api::distinctive))
        .route("/api/search.atom", get(feed::search_feed))
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
    /// The index could not be opened.
    #[error(transparent)]
    Index(#[from] Error),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why binding failed.
        #[source]
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the index, binds `addr` ("127.0.0.1:7878"; port 0 picks a free one),
/// prints `listening on http://ADDR` to stderr and serves until Ctrl-C or SIGTERM.
pub async fn serve(addr: &str, index: &Path, limits: ConnectionLimits) -> Result<(), ServeError> {
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
    serve_with_limits(listener, state, limits).await?;
    Ok(())
}

/// Limits on a connection before any handler runs.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time a client has to send its request line and headers (slow clients).
    pub header_timeout: Duration,
    /// Largest request head; beyond it the answer is 431.
    pub header_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            header_bytes: 64 * 1024,
        }
    }
}

/// Serves with HTTP/1.1 connection limits: a client that trickles its headers
/// is cut off, and an oversized head is refused. On Ctrl-C or SIGTERM open
/// requests finish (up to 10 s) before the server stops.
async fn serve_with_limits(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let app = app(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.header_bytes.max(8192));
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    // Whether accepting has been failing since the last connection (said once).
    let mut failing = false;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                failing = false;
                stream
            }
            // One client gave up before it was accepted: take the next at once.
            Err(e) if is_connection_error(&e) => continue,
            // Out of file descriptors (EMFILE, ENFILE) or memory: accepting again at
            // once fails again at once, at 100 % CPU. Wait for connections to end
            // and free some, as hyper and axum::serve do.
            Err(e) => {
                if !failing {
                    eprintln!(
                        "rapporteur serve: cannot accept connections: {e}; retrying every {} s",
                        ACCEPT_BACKOFF.as_secs_f64()
                    );
                    failing = true;
                }
                tokio::select! {
                    _ = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                    _ = &mut shutdown => break,
                }
            }
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
    Ok(())
}

/// How long the accept loop waits after an error that is not one client's.
const ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Errors of one connection, not of the listener: the next accept may succeed.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
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
