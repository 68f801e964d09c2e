//! Highlights: the byte ranges of a statement's words whose stems match the
//! query's, found with the index's own analyzer so that "duplication" lights up
//! "duplication" and "duplications". Hits found by meaning alone get their
//! closest sentence marked instead.

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;
use unicode_segmentation::UnicodeSegmentation;

use crate::error::Result;
use crate::search::response::Hit;

/// What to mark in a hit: single stems wherever they occur, and phrases
/// (a quoted phrase, a name such as "Republic of Korea") only where their
/// stems stand together, so that a name's "of" does not light up every "of".
#[derive(Debug, Default, Clone)]
pub(crate) struct Marks {
    terms: HashSet<String>,
    phrases: Vec<Vec<String>>,
}

impl Marks {
    /// Adds the stems of one literal: a phrase when it has more than one.
    pub(crate) fn add(&mut self, stems: Vec<String>) {
        match stems.len() {
            0 => {}
            1 => {
                self.terms.extend(stems);
            }
            _ if !self.phrases.contains(&stems) => self.phrases.push(stems),
            _ => {}
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.phrases.is_empty()
    }

    /// Byte ranges in `text` of the marked words, in order.
    pub(crate) fn ranges(&self, analyzer: &TextAnalyzer, text: &str) -> Vec<[usize; 2]> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut analyzer = analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        if self.phrases.is_empty() {
            // The common case: single words, marked as the stream passes, with
            // no copy of each token.
            let mut marked = Vec::new();
            while let Some(token) = stream.next() {
                if self.terms.contains(&token.text) {
                    marked.push([token.offset_from, token.offset_to]);
                }
            }
            return marked;
        }
        let mut tokens: Vec<(String, [usize; 2])> = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push((token.text.clone(), [token.offset_from, token.offset_to]));
        }
        let mut marked = vec![false; tokens.len()];
        for (i, (stem, _)) in tokens.iter().enumerate() {
            if self.terms.contains(stem) {
                marked[i] = true;
            }
        }
        for phrase in &self.phrases {
            for start in 0..tokens.len().saturating_sub(phrase.len() - 1) {
                let here = &tokens[start..start + phrase.len()];
                if here
                    .iter()
                    .zip(phrase)
                    .all(|((stem, _), want)| stem == want)
                {
                    marked[start..start + phrase.len()].fill(true);
                }
            }
        }
        tokens
            .into_iter()
            .zip(marked)
            .filter_map(|((_, range), m)| m.then_some(range))
            .collect()
    }
}

/// Sentences embedded per search to highlight hits found by meaning alone.
const MEANING_BUDGET: usize = 6;

/// For hits that hold none of the query's words (found by meaning), marks the
/// sentence closest to the query, best hits first, within a small budget of
/// sentences per search (their vectors are cached).
pub(crate) fn by_meaning(hits: &mut [Hit], query: &str) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, Stemmer};

    fn english() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::default())
            .build()
    }

    fn marked<'a>(marks: &Marks, text: &'a str) -> Vec<&'a str> {
        marks
            .ranges(&english(), text)
            .into_iter()
            .map(|[a, b]| &text[a..b])
            .collect()
    }

    #[test]
    fn a_name_is_marked_where_it_stands_whole() {
        let mut a = english();
        let mut marks = Marks::default();
        marks.add(crate::search::plan::tokens(&mut a, "money"));
        marks.add(crate::search::plan::tokens(&mut a, "Republic of Korea"));
        let text = "The representative of China noted the money of the Republic of Korea.";
        assert_eq!(marked(&marks, text), ["money", "Republic", "of", "Korea"]);
    }

    #[test]
    fn stems_match_their_inflections() {
        let mut marks = Marks::default();
        marks.add(crate::search::plan::tokens(&mut english(), "duplication"));
        assert_eq!(
            marked(&marks, "Duplications and duplication."),
            ["Duplications", "duplication"]
        );
        assert!(Marks::default().ranges(&english(), "anything").is_empty());
    }
}
