//! Embeddings stored in the index, one per paragraph or statement record, in
//! a bytes fast field: they are committed, deleted and merged with the records
//! they belong to, so the vectors never disagree with the text.

use std::collections::HashMap;

use tantivy::DocAddress;

use super::Fields;
use crate::embed::{Vector, from_bytes};
use crate::error::Result;

/// A record's stored vector.
pub(crate) struct StoredVector {
    /// The record it belongs to.
    pub(crate) address: DocAddress,
    /// [`content_hash`](super::schema::content_hash) of the embedded text.
    pub(crate) hash: u64,
    /// The embedding.
    pub(crate) vector: Vec<f32>,
}

/// Every live record's vector.
pub(crate) fn read(searcher: &tantivy::Searcher, f: &Fields) -> Result<Vec<StoredVector>> {
    let vector_name = searcher.schema().get_field_name(f.vector).to_owned();
    let hash_name = searcher.schema().get_field_name(f.vector_hash).to_owned();
    let mut out = Vec::new();
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let fast = segment.fast_fields();
        let Some(bytes) = fast.bytes(&vector_name)? else {
            continue;
        };
        if bytes.num_terms() == 0 {
            continue;
        }
        // One sweep of the dictionary, then each document's ordinal.
        let mut by_ord: Vec<Vec<f32>> = Vec::with_capacity(bytes.num_terms());
        let mut stream = bytes
            .dictionary()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            by_ord.push(from_bytes(stream.key()).unwrap_or_default());
        }
        let hashes = fast.u64(&hash_name)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let Some(ord) = bytes.term_ords(doc).next() else {
                continue;
            };
            let Some(vector) = by_ord.get(ord as usize).filter(|v| !v.is_empty()) else {
                continue;
            };
            out.push(StoredVector {
                address: DocAddress::new(ordinal as u32, doc),
                hash: hashes.first(doc).unwrap_or(0),
                vector: vector.clone(),
            });
        }
    }
    Ok(out)
}

/// Vectors by content hash, for re-ingesting unchanged text at no cost.
pub(crate) fn by_hash(searcher: &tantivy::Searcher, f: &Fields) -> Result<HashMap<u64, Vector>> {
    Ok(read(searcher, f)?
        .into_iter()
        .map(|s| (s.hash, Vector::from(s.vector)))
        .collect())
}
