//! Highlights: the byte ranges of a statement's words whose stems match the
//! query's, found with the index's own analyzer so that "duplication" lights up
//! "duplication" and "duplications". Hits found by meaning alone get their
//! closest sentence marked instead.

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;
use unicode_segmentation::UnicodeSegmentation;

use crate::error::Result;

pub fn analyzer(index: &tantivy::Index, field: tantivy::schema::Field) -> Result<TextAnalyzer> {
    Ok(index.tokenizer_for_field(field)?)
}

const OPERATORS: &[&str] = &["AND", "OR", "NOT"];

/// The stems of the words a query searches for (operators and negated words left out).
pub fn query_terms(
    index: &tantivy::Index,
    field: tantivy::schema::Field,
    text: &str,
) -> Result<HashSet<String>> {
    let mut analyzer = analyzer(index, field)?;
    let mut terms = HashSet::new();
    let mut negate_next = false;
    for word in text.split_whitespace() {
        if word == "NOT" {
            negate_next = true;
            continue;
        }
        if OPERATORS.contains(&word) {
            continue;
        }
        let negated = negate_next || word.starts_with('-');
        negate_next = false;
        if negated {
            continue;
        }
        let mut stream = analyzer.token_stream(word);
        while let Some(token) = stream.next() {
            terms.insert(token.text.clone());
        }
    }
    Ok(terms)
}

/// Byte ranges in `text` of the tokens whose stem is in `terms`.
pub fn ranges(analyzer: &TextAnalyzer, text: &str, terms: &HashSet<String>) -> Vec<[usize; 2]> {
    if terms.is_empty() {
        return Vec::new();
    }
    let mut analyzer = analyzer.clone();
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if terms.contains(&token.text) {
            out.push([token.offset_from, token.offset_to]);
        }
    }
    out
}

/// Sentences embedded per search to highlight hits found by meaning alone.
const MEANING_BUDGET: usize = 6;

/// For hits that hold none of the query's words (found by meaning), marks the
/// sentence closest to the query, best hits first, within a small budget of
/// sentences per search (their vectors are cached).
pub fn by_meaning(hits: &mut [super::Hit], query: &str) -> Result<()> {
    let needy: Vec<usize> = (0..hits.len())
        .filter(|&i| hits[i].statements.iter().all(|s| s.highlights.is_empty()))
        .collect();
    if needy.is_empty() || query.trim().is_empty() {
        return Ok(());
    }
    // (hit, statement, byte range) of each candidate sentence.
    let mut spans: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    'hits: for &h in &needy {
        for (s, st) in hits[h].statements.iter().enumerate() {
            for (start, sentence) in st.text.split_sentence_bound_indices() {
                let trimmed = sentence.trim_end();
                if trimmed.split_whitespace().count() < 3 {
                    continue;
                }
                if texts.len() == MEANING_BUDGET {
                    break 'hits;
                }
                spans.push((h, s, start, start + trimmed.len()));
                texts.push(trimmed);
            }
        }
    }
    if texts.is_empty() {
        return Ok(());
    }
    let embedder = crate::embed::Embedder::shared()?;
    let q = embedder.query(query)?;
    let vectors = embedder.embed_cached(&texts)?;
    let mut best: std::collections::HashMap<usize, (f32, usize)> = Default::default();
    for (i, v) in vectors.iter().enumerate() {
        let score = crate::embed::dot(&q, v);
        let e = best.entry(spans[i].0).or_insert((f32::MIN, i));
        if score > e.0 {
            *e = (score, i);
        }
    }
    for (_, i) in best.into_values() {
        let (h, s, start, end) = spans[i];
        hits[h].statements[s].highlights = vec![[start, end]];
    }
    Ok(())
}
