//! Highlights: the byte ranges of a statement's words whose stems match the
//! query's, found with the index's own analyzer so that "duplication" lights up
//! "duplication" and "duplications".

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;

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
