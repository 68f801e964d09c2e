//! Highlights: the byte ranges of a statement's words whose stems match the
//! query's, found with the index's own analyzer so that "duplication" lights up
//! "duplication" and "duplications". Hits found by meaning alone get their
//! closest sentence marked instead.

use std::borrow::Cow;
use std::collections::HashSet;

use unicode_segmentation::UnicodeSegmentation;

use crate::error::Result;
use crate::search::response::Hit;

/// `en_stem`'s stemmer (tantivy's `Stemmer` filter runs this one), for one
/// lower-cased word.
fn stem(lower: &str) -> Cow<'_, str> {
    frostem::Stemmer::new(frostem::Algorithm::English).stem(lower)
}

/// `en_stem` drops tokens of this many bytes or more (its `RemoveLongFilter`).
const LONGEST_WORD: usize = 40;

/// The words `en_stem` reads in `text`, before lower-casing and stemming: runs
/// of alphanumeric characters (tantivy's `SimpleTokenizer`) shorter than
/// [`LONGEST_WORD`] bytes, as byte ranges. Scanned here rather than through
/// the analyzer, which copies every token: most words of a hit are only
/// looked at, never stemmed.
fn word_ranges(text: &str) -> impl Iterator<Item = [usize; 2]> + '_ {
    // Whether the character at byte `at` is part of a word, and its length.
    let class = |at: usize| -> (bool, usize) {
        let byte = text.as_bytes()[at];
        if byte.is_ascii() {
            return (byte.is_ascii_alphanumeric(), 1);
        }
        text[at..]
            .chars()
            .next()
            .map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8()))
    };
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            while at < text.len() {
                let (word, len) = class(at);
                if word {
                    break;
                }
                at += len;
            }
            if at == text.len() {
                return None;
            }
            let start = at;
            while at < text.len() {
                let (word, len) = class(at);
                if !word {
                    break;
                }
                at += len;
            }
            if at - start < LONGEST_WORD {
                return Some([start, at]);
            }
        }
    })
}

/// A word's opening (its first two characters, lower-cased as `en_stem` does)
/// as one number: the opening's UTF-8 bytes, at most eight. Two ASCII letters,
/// the usual case, are read without decoding or lower-casing a string.
fn opening_key(word: &str) -> u64 {
    let bytes = word.as_bytes();
    let pack = |bytes: &[u8]| {
        bytes
            .iter()
            .take(8)
            .enumerate()
            .fold(0u64, |key, (i, &b)| key | (u64::from(b) << (8 * i)))
    };
    match bytes {
        [a, b, ..] if a.is_ascii() && b.is_ascii() => {
            pack(&[a.to_ascii_lowercase(), b.to_ascii_lowercase()])
        }
        [a] if a.is_ascii() => pack(&[a.to_ascii_lowercase()]),
        _ => {
            let mut head = String::new();
            head.extend(word.chars().flat_map(char::to_lowercase).take(2));
            pack(head.as_bytes())
        }
    }
}

/// `word` lower-cased as `en_stem`'s `LowerCaser` does it, into `out`.
fn lower_into(word: &str, out: &mut String) {
    out.clear();
    out.extend(word.chars().flat_map(char::to_lowercase));
}

/// What to mark in a hit: single stems wherever they occur, and phrases
/// (a quoted phrase, a name such as "Republic of Korea") only where their
/// stems stand together, so that a name's "of" does not light up every "of".
#[derive(Debug, Default, Clone)]
pub(crate) struct Marks {
    terms: HashSet<String>,
    phrases: Vec<Vec<String>>,
    /// The first two characters of every stem marked. English (Porter2)
    /// stemming changes only a word's ending (but for "dying", "vying" and
    /// the like), so a word whose first two characters are none of these cannot
    /// stem to a mark and is not stemmed: stemming every word of every hit was
    /// a sixth of a keyword search.
    openings: Vec<u64>,
}

impl Marks {
    /// Adds the stems of one literal: a phrase when it has more than one.
    pub(crate) fn add(&mut self, stems: Vec<String>) {
        for stem in &stems {
            let mut add = |key: u64| {
                if !self.openings.contains(&key) {
                    self.openings.push(key);
                }
            };
            add(opening_key(stem));
            // Porter2's only change of a second letter: "dying" → "die".
            if stem.len() == 3 && stem.is_ascii() && stem.ends_with("ie") {
                add(opening_key(&format!("{}y", &stem[..1])));
            }
        }
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

    /// Byte ranges in `text` of the marked words, in order, as the index's
    /// `en_stem` analyzer reads them.
    pub(crate) fn ranges(&self, text: &str) -> Vec<[usize; 2]> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut lower = String::new();
        // Whether a word may be marked: a word whose opening is no mark's is
        // not lower-cased or stemmed.
        let may_match = |word: &str| self.openings.contains(&opening_key(word));
        if self.phrases.is_empty() {
            // The common case: single words, marked as the scan passes.
            return word_ranges(text)
                .filter(|&[from, to]| {
                    let word = &text[from..to];
                    may_match(word) && {
                        lower_into(word, &mut lower);
                        self.terms.contains(stem(&lower).as_ref())
                    }
                })
                .collect();
        }
        let tokens: Vec<(String, [usize; 2])> = word_ranges(text)
            .map(|[from, to]| {
                let word = &text[from..to];
                if !may_match(word) {
                    return (String::new(), [from, to]);
                }
                lower_into(word, &mut lower);
                (stem(&lower).into_owned(), [from, to])
            })
            .collect();
        self.marked(tokens)
    }

    /// The ranges of the (stem, range) tokens that are marked: single stems
    /// anywhere, phrases where their stems stand together. An empty stem (a
    /// word not stemmed) marks nothing.
    fn marked(&self, tokens: Vec<(String, [usize; 2])>) -> Vec<[usize; 2]> {
        let mut marked = vec![false; tokens.len()];
        for (i, (stem, _)) in tokens.iter().enumerate() {
            if !stem.is_empty() && self.terms.contains(stem) {
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
pub(crate) fn by_meaning(hits: &mut [Hit], q: &[f32]) -> Result<()> {
    let needy: Vec<usize> = (0..hits.len())
        .filter(|&i| hits[i].statements.iter().all(|s| s.highlights.is_empty()))
        .collect();
    if needy.is_empty() {
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
    let vectors = embedder.embed_cached(&texts)?;
    let mut best: std::collections::HashMap<usize, (f32, usize)> = Default::default();
    for (i, v) in vectors.iter().enumerate() {
        let score = crate::embed::dot(q, v);
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
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    fn english() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::default())
            .build()
    }

    fn marked<'a>(marks: &Marks, text: &'a str) -> Vec<&'a str> {
        marks
            .ranges(text)
            .into_iter()
            .map(|[a, b]| &text[a..b])
            .collect()
    }

    /// Every word stemmed by the index's own analyzer: what `ranges` must equal.
    fn stemming_everything(marks: &Marks, text: &str) -> Vec<[usize; 2]> {
        let mut analyzer = tantivy::tokenizer::TokenizerManager::default()
            .get("en_stem")
            .unwrap();
        let mut stream = analyzer.token_stream(text);
        let mut tokens: Vec<(String, [usize; 2])> = Vec::new();
        while let Some(t) = stream.next() {
            tokens.push((t.text.clone(), [t.offset_from, t.offset_to]));
        }
        marks.marked(tokens)
    }

    #[test]
    fn only_words_that_may_match_are_stemmed_and_the_marks_are_the_same() {
        let text = "The Working Group studied studies of policies and the policy's \
            duplication; Duplications, dying and ties were noted by the Republic of Korea, \
            Korean studies, ugly early skies and the generously general generalization of \
            Ärzte, ÆSOP and naïve naïveté in Côte d'Ivoire's 2018 report: a-b-c, I, x.";
        let mut analyzer = english();
        for query in [
            "study",
            "policies duplication",
            "Republic of Korea",
            "die tie",
            "ugly early sky",
            "general generously",
            "naïve Côte d'Ivoire",
            "ärzte æsop",
            "2018 I x",
            "report noted",
        ] {
            let mut marks = Marks::default();
            for word in query.split(' ') {
                marks.add(crate::search::plan::tokens(&mut analyzer, word));
            }
            if query.contains("of") {
                marks.add(crate::search::plan::tokens(&mut analyzer, query));
            }
            assert_eq!(
                marks.ranges(text),
                stemming_everything(&marks, text),
                "{query}"
            );
            assert!(!marks.ranges(text).is_empty(), "{query}");
        }
    }

    /// The scan reads the words `en_stem` reads, at the same offsets, and
    /// lower-cases them as it does.
    #[test]
    fn the_word_scan_is_en_stems_tokenizer() {
        use tantivy::tokenizer::{LowerCaser, RemoveLongFilter};
        let report = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/neaspec-som22-report.txt"
        ))
        .unwrap();
        let tricky = "Ärzte ÆSOP İstanbul ΣΊΣΥΦΟΣ naïveté Côte d'Ivoire 2018-19 a\u{301}b \
            x_y co-operation ½ ⅷ 東京 Supercalifragilisticexpialidociousnessesss \
            Supercalifragilisticexpialidociousnessess… abcdefghijklmnopqrstuvwxyzabcdefghijklm \
            abcdefghijklmnopqrstuvwxyzabcdefghijklmn end";
        for text in [report.as_str(), tricky, "", "—", "word"] {
            let mut tantivy = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(LONGEST_WORD))
                .filter(LowerCaser)
                .build();
            let mut stream = tantivy.token_stream(text);
            let mut expected = Vec::new();
            while let Some(t) = stream.next() {
                expected.push((t.text.clone(), [t.offset_from, t.offset_to]));
            }
            let mut lower = String::new();
            let scanned: Vec<(String, [usize; 2])> = word_ranges(text)
                .map(|[a, b]| {
                    lower_into(&text[a..b], &mut lower);
                    (lower.clone(), [a, b])
                })
                .collect();
            assert_eq!(scanned, expected);
        }
    }

    #[test]
    fn an_opening_is_the_first_two_characters_lower_cased() {
        for (word, opening) in [
            ("Duplication", "du"),
            ("I", "i"),
            ("ÄRZTE", "är"),
            ("İstanbul", "i\u{307}"),
            ("ΣΊΣΥΦΟΣ", "σί"),
            ("aÆ", "aæ"),
            ("東京", "東京"),
        ] {
            assert_eq!(opening_key(word), opening_key(opening), "{word}");
            assert_ne!(opening_key(word), opening_key("xx"), "{word}");
        }
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
        assert!(Marks::default().ranges("anything").is_empty());
    }
}

#[cfg(test)]
mod opening_invariant {
    use super::*;
    use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer};

    /// Every word of a real report keeps its opening under `en_stem`, or is
    /// one of the exceptions `Marks::add` knows; and `stem` is `en_stem`'s
    /// own stemming filter, word for word.
    #[test]
    fn stems_keep_their_first_two_letters_on_a_whole_report() {
        let path = std::env::var("OPENING_TEXT").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/corpus/neaspec-som22-report.txt"
            )
            .to_owned()
        });
        let text = std::fs::read_to_string(path).unwrap();
        let mut stemmer = TextAnalyzer::builder(RawTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build();
        let mut lower = String::new();
        let mut checked = 0;
        for [from, to] in word_ranges(&text) {
            lower_into(&text[from..to], &mut lower);
            let mut marks = Marks::default();
            let stem = stemmer.token_stream(&lower).next().unwrap().text.clone();
            assert_eq!(super::stem(&lower), stem);
            marks.add(vec![stem.clone()]);
            assert!(
                marks.openings.contains(&opening_key(&text[from..to])),
                "{lower} → {stem}"
            );
            checked += 1;
        }
        assert!(checked > 3_000, "{checked}");
    }
}
