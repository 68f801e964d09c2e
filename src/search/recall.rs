//! How well the approximate vector index (HNSW) agrees with the exact scan:
//! recall@k of the nearest paragraphs by meaning, under the filters a user
//! sets. Measured on real vectors by `rapporteur bench --recall`.

use serde::Serialize;

use super::plan::{Purpose, QueryPlan};
use super::rank;
use super::request::{DEFAULT_LIMIT, SearchRequest};
use super::searcher::Searcher;
use super::vector::Scan;
use crate::error::Result;

/// One request's nearest paragraphs by meaning, found both ways.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Recall {
    /// Paragraphs of the exact top k that the approximate index found too.
    pub found: usize,
    /// Paragraphs in the exact top k (fewer than k when the filters allow fewer).
    pub wanted: usize,
    /// Whether the approximate index answered; false where there is none or
    /// its candidates held too few allowed records (then the scan is exact).
    pub approximate: bool,
}

impl Searcher {
    /// The `k` nearest paragraphs to `request`'s meaning under its filters,
    /// through the approximate index as a search finds them and by the exact
    /// scan: how many of the exact ones the search found.
    pub fn meaning_recall(&self, request: &SearchRequest, k: usize) -> Result<Recall> {
        let snapshot = self.snapshot()?;
        let plan = QueryPlan::new(request, &snapshot, Purpose::Search, DEFAULT_LIMIT)?;
        let queries: Vec<&[f32]> = plan.meaning_vectors()?.iter().map(|v| &v[..]).collect();
        let allowed = rank::meaning_allowed(&snapshot, &plan);
        let store = &snapshot.catalog.vectors;
        let nearest =
            |scan| store.search_by(scan, &snapshot.searcher, &*allowed, &queries, k, None);
        let (exact, _) = nearest(Scan::Exact)?;
        let (approximate, answered) = nearest(Scan::Graph)?;
        let found = exact
            .iter()
            .filter(|e| approximate.iter().any(|a| a.para == e.para))
            .count();
        Ok(Recall {
            found,
            wanted: exact.len(),
            approximate: answered,
        })
    }
}
