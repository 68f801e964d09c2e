//! What every handler shares: the searcher, a cap on searches at once and a
//! time limit. A search answers in well under a millisecond (tens of
//! milliseconds for `*` on 377,044 paragraphs); handing it to another thread
//! and back cost 0.1 ms of wake-ups, a sixth of an answer over HTTP, and a
//! third of the throughput at eight clients. So a search runs on the async
//! worker that read its request, one per worker at most, as a thread-per-core
//! server does: the cap on searches at once is the number of cores either
//! way. Everything that reads a whole collection (timelines, comparisons),
//! and a search by meaning that may first load the embedding model, runs on
//! tokio's blocking pool, where the time limit can answer for it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, timeout_at};

use super::DEFAULT_TIMEOUT;
use super::error::ApiError;
use crate::search::{SearchRequest, SearchResponse, Searcher};

/// The searcher and the limits on using it.
#[derive(Clone)]
pub struct AppState {
    searcher: Arc<Searcher>,
    permits: Arc<Semaphore>,
    /// Searches running on async workers now.
    on_workers: Arc<AtomicUsize>,
    timeout: Duration,
}

impl AppState {
    /// The state over `searcher`, with as many searches at once as cores (at least 2).
    pub(crate) fn new(searcher: Searcher) -> AppState {
        // Searches are CPU-bound: more at once than cores only adds latency to all.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AppState {
            searcher: Arc::new(searcher),
            permits: Arc::new(Semaphore::new(cores.max(2))),
            on_workers: Arc::default(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Opens the index at `index` for serving.
    pub fn open(index: &Path) -> crate::Result<AppState> {
        let searcher = Searcher::open(index)?;
        searcher.keep_approximate_index();
        Ok(AppState::new(searcher))
    }

    /// The time limit of one request, waiting for a slot included.
    pub fn with_timeout(mut self, timeout: Duration) -> AppState {
        self.timeout = timeout;
        self
    }

    /// Runs `f` on the blocking pool within the limits; library errors become API errors.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Searcher) -> crate::Result<T> + Send + 'static,
    {
        let deadline = Instant::now() + self.timeout;
        let permit = self.permit(deadline).await?;
        self.on_blocking_pool(permit, deadline, f).await
    }

    /// Runs a search within the limits, as [`AppState::quick`] does, unless
    /// it may have to load the embedding model first (seconds, on a
    /// server's first search by meaning): that one goes to the blocking pool,
    /// so that searches arriving together at start-up cannot hold every
    /// worker while the model loads.
    pub async fn search(&self, request: SearchRequest) -> Result<SearchResponse, ApiError> {
        if self.searcher.may_load_model(request.mode) {
            return self.run(move |s| s.search(&request)).await;
        }
        self.quick(move |s| s.search(&request)).await
    }

    /// Runs `f`, a short call, within the limits: on this worker where no
    /// other search holds it, on the blocking pool otherwise. A call on a
    /// worker cannot be cut off at the time limit: it answers when it ends,
    /// with the time-out error if that is past the limit.
    pub async fn quick<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Searcher) -> crate::Result<T> + Send + 'static,
    {
        let deadline = Instant::now() + self.timeout;
        let permit = self.permit(deadline).await?;
        let Some(_slot) = WorkerSlot::take(&self.on_workers) else {
            return self.on_blocking_pool(permit, deadline, f).await;
        };
        let answer = catch_unwind(AssertUnwindSafe(|| f(&self.searcher)));
        drop(permit);
        match answer {
            _ if Instant::now() > deadline => Err(self.timed_out()),
            Ok(result) => result.map_err(ApiError::from),
            Err(_) => Err(ApiError::internal("the search failed unexpectedly")),
        }
    }

    /// A slot among the searches at once, waited for until `deadline`.
    async fn permit(&self, deadline: Instant) -> Result<OwnedSemaphorePermit, ApiError> {
        match timeout_at(deadline, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is busy with other searches; try again shortly",
            )),
        }
    }

    async fn on_blocking_pool<T, F>(
        &self,
        permit: OwnedSemaphorePermit,
        deadline: Instant,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Searcher) -> crate::Result<T> + Send + 'static,
    {
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
            Err(_) => Err(self.timed_out()),
        }
    }

    fn timed_out(&self) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the search took longer than {:.1} s; narrow it with more words or filters",
                self.timeout.as_secs_f64()
            ),
        )
    }
}

/// One of the runtime's workers, taken for a search; given back on drop.
struct WorkerSlot<'a>(&'a AtomicUsize);

impl<'a> WorkerSlot<'a> {
    /// A slot where fewer searches than workers run on workers.
    fn take(on_workers: &'a AtomicUsize) -> Option<WorkerSlot<'a>> {
        let workers = tokio::runtime::Handle::try_current()
            .map_or(1, |runtime| runtime.metrics().num_workers());
        let taken = on_workers.fetch_add(1, Ordering::AcqRel);
        let slot = WorkerSlot(on_workers);
        (taken < workers).then_some(slot)
    }
}

impl Drop for WorkerSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
