//! Hybrid ranking: BM25 and cosine scores, each scaled to 0..1 within its own
//! candidates, blended with a tunable weight. Unlike reciprocal rank fusion
//! this keeps how much better one hit is than the next. A query that names
//! something (a quoted phrase, a capitalised name, a number or code) keeps the
//! paragraphs that contain all its words first: meaning must not bury them.

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{BooleanQuery, EmptyQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::collect::{Group, Paragraphs};
use super::filters::{combine_matching, term};
use super::id_set::IdSetQuery;
use super::plan::QueryPlan;
use super::searcher::Snapshot;
use crate::error::Result;
use crate::index::Fields;

/// Share of the best cosine a semantic candidate needs to join a hybrid search.
pub(crate) const CLOSE_ENOUGH: f32 = 0.6;
/// The same among one speaker's statements, where the question asks what
/// that speaker said: their few closest statements are the answer's
/// candidates even when the best is only loosely worded like the question.
pub(crate) const CLOSE_ENOUGH_FOR_A_SPEAKER: f32 = 0.4;

/// The share of a question's words a paragraph that holds one of the
/// thesaurus's terms for it counts as holding.
pub(crate) const CONCEPT_COVERS: f32 = 1.0;

/// Keeps the semantic candidates close to the best one: a query always has
/// nearest neighbours, most of them unrelated. Sorted best first.
pub(crate) fn close_enough(semantic: &mut Vec<Group>, one_speaker: bool) {
    let share = if one_speaker {
        CLOSE_ENOUGH_FOR_A_SPEAKER
    } else {
        CLOSE_ENOUGH
    };
    let cut = semantic.first().map_or(0.0, |g| g.score) * share;
    semantic.retain(|g| g.score >= cut);
}

/// Records of the given paragraphs, scoring nothing (their rank comes from the vectors).
pub(crate) fn paragraphs_query(f: &Fields, groups: &[Group]) -> Box<dyn Query> {
    if groups.is_empty() {
        return Box::new(EmptyQuery);
    }
    Box::new(IdSetQuery::new(f.para, groups.iter().map(|g| g.para)))
}

/// Matches of the words or of the meaning.
pub(crate) fn either(text: Option<&dyn Query>, meaning: Box<dyn Query>) -> Box<dyn Query> {
    let mut clauses = vec![(Occur::Should, meaning)];
    if let Some(t) = text {
        clauses.push((Occur::Should, t.box_clone()));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Whether a query names something that exact matches must answer: a quoted
/// phrase, a number or code, or a capitalised word past the first of what was
/// typed. `words` are the words searched for, as the query grammar read them.
pub(crate) fn names_something(original: &str, has_phrase: bool, words: &[&str]) -> bool {
    if has_phrase || words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
        return true;
    }
    let searched: HashSet<String> = words.iter().map(|w| bare(w).to_lowercase()).collect();
    original.split_whitespace().skip(1).any(|w| {
        let word = bare(w);
        word.chars().next().is_some_and(char::is_uppercase)
            && searched.contains(&word.to_lowercase())
    })
}

/// A word without the punctuation around it.
pub(crate) fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

/// Scales keyword scores for blending: BM25 over the best keyword hit, times
/// the square of the share of the query's words the paragraph holds
/// (Meilisearch's "words" rule: "big cats" matching only `CAT` counts little).
pub(crate) fn scale_keyword(keyword: &mut [Group], coverage: Option<&Coverage>) {
    let best = keyword
        .iter()
        .map(|g| g.score)
        .fold(0f32, f32::max)
        .max(1e-6);
    for g in keyword {
        let words = coverage.map_or(1.0, |c| c.of(g.para));
        g.score = g.score / best * words * words;
    }
}

/// The share of its speech's best keyword score a paragraph of that speech
/// gets: a speaker's turn is one intervention on one matter, and its later
/// paragraphs ("We therefore cannot support it") need not repeat the words
/// that its first one used.
pub(crate) const SPEECH_SHARE: f32 = 0.5;

/// Gives each paragraph of a speech turn `SPEECH_SHARE` of the best keyword
/// score in that turn, when more than its own: keyword hits' scores rise, and
/// meaning's candidates from such a turn join the keyword side. Keyword
/// scores are already scaled (see [`scale_keyword`]).
pub(crate) fn share_within_speeches(keyword: &mut Vec<Group>, semantic: &[Group]) {
    let mut best: HashMap<u64, f32> = HashMap::new();
    for g in keyword.iter().filter(|g| g.speech != 0) {
        let b = best.entry(g.speech).or_default();
        *b = b.max(g.score);
    }
    if best.is_empty() {
        return;
    }
    let shared = |g: &Group| best.get(&g.speech).map_or(0.0, |b| b * SPEECH_SHARE);
    let mut on_keyword_side = HashSet::with_capacity(keyword.len());
    for g in keyword.iter_mut() {
        g.score = g.score.max(shared(g));
        on_keyword_side.insert(g.para);
    }
    for g in semantic {
        if g.speech != 0 && !on_keyword_side.contains(&g.para) && best.contains_key(&g.speech) {
            keyword.push(Group {
                score: shared(g),
                ..g.clone()
            });
        }
    }
}

/// The share of the query's words each paragraph holds, sorted by paragraph.
#[derive(Debug, Default)]
pub(crate) struct Coverage(Vec<(u64, f32)>);

impl Coverage {
    /// From each word's paragraphs (in any order, repeats allowed).
    pub(crate) fn of_words(per_word: Vec<Vec<u64>>) -> Coverage {
        let share = 1.0 / per_word.len().max(1) as f32;
        let mut all: Vec<u64> = Vec::new();
        for mut paras in per_word {
            paras.sort_unstable();
            paras.dedup();
            all.extend(paras);
        }
        all.sort_unstable();
        let mut out: Vec<(u64, f32)> = Vec::new();
        for para in all {
            match out.last_mut() {
                Some((last, n)) if *last == para => *n += share,
                _ => out.push((para, share)),
            }
        }
        Coverage(out)
    }

    /// Raises the share of each of `paras` (any order) to at least `share`.
    pub(crate) fn raise(&mut self, mut paras: Vec<u64>, share: f32) {
        paras.sort_unstable();
        paras.dedup();
        let mut merged = Vec::with_capacity(self.0.len() + paras.len());
        let mut own = self.0.iter().copied().peekable();
        for para in paras {
            while let Some(&(p, n)) = own.peek().filter(|(p, _)| *p < para) {
                merged.push((p, n));
                own.next();
            }
            match own.peek() {
                Some(&(p, n)) if p == para => {
                    merged.push((p, n.max(share)));
                    own.next();
                }
                _ => merged.push((para, share)),
            }
        }
        merged.extend(own);
        debug_assert!(merged.windows(2).all(|w| w[0].0 < w[1].0));
        self.0 = merged;
    }

    /// The share of the words `para` holds.
    pub(crate) fn of(&self, para: u64) -> f32 {
        self.0
            .binary_search_by_key(&para, |(p, _)| *p)
            .map_or(0.0, |i| self.0[i].1)
    }
}

/// What the fusion needs from the words alone: which paragraphs hold every
/// word of a query that names something, and how many of its words each holds.
pub(crate) struct WordSide {
    pub(crate) exact: Option<HashSet<u64>>,
    pub(crate) coverage: Option<Coverage>,
}

impl WordSide {
    pub(crate) fn new(snapshot: &Snapshot<'_>, plan: &QueryPlan) -> Result<WordSide> {
        Ok(WordSide {
            exact: exact_matches(snapshot, plan)?,
            coverage: word_coverage(snapshot, plan)?,
        })
    }
}

/// For each paragraph, the share of the query's words (stems, and the agents'
/// names as one more) it contains; None when there are fewer than two.
pub(crate) fn word_coverage(snapshot: &Snapshot<'_>, plan: &QueryPlan) -> Result<Option<Coverage>> {
    let Some(words) = &plan.words else {
        return Ok(None);
    };
    let f = snapshot.fields();
    let mut parts: Vec<Box<dyn Query>> = words
        .stems
        .iter()
        .map(|stem| {
            let word: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(f.text, stem),
                IndexRecordOption::Basic,
            ));
            // An acronym is covered by its long form too.
            let long: Vec<(Occur, Box<dyn Query>)> = words
                .alternatives
                .iter()
                .filter(|(s, _)| s == stem)
                .map(|(_, q)| (Occur::Should, q.box_clone()))
                .collect();
            if long.is_empty() {
                return word;
            }
            let either = std::iter::once((Occur::Should, word)).chain(long).collect();
            Box::new(BooleanQuery::new(either)) as Box<dyn Query>
        })
        .collect();
    parts.extend(words.agents.iter().map(|q| q.box_clone()));
    if parts.len() < 2 {
        return Ok(None);
    }
    let of_kind = |part: Box<dyn Query>| {
        BooleanQuery::new(vec![
            (Occur::Must, term(f.kind, plan.kind)),
            (Occur::Must, part),
        ])
    };
    let per_word = parts
        .into_iter()
        .map(|part| snapshot.search(&of_kind(part), &Paragraphs))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut coverage = Coverage::of_words(per_word);
    // The records' term for the concept covers the question however it is worded.
    if let Some(concept) = &words.concept {
        let paras = snapshot.search(&of_kind(concept.box_clone()), &Paragraphs)?;
        coverage.raise(paras, CONCEPT_COVERS);
    }
    Ok(Some(coverage))
}

/// Paragraphs that contain every word of the query (or its phrases), where the
/// query names something: hybrid search keeps them first.
pub(crate) fn exact_matches(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
) -> Result<Option<HashSet<u64>>> {
    let Some(strict) = plan.words.as_ref().and_then(|w| w.strict.as_deref()) else {
        return Ok(None);
    };
    let q = combine_matching(
        snapshot.catalog.separate_statements,
        plan.kind,
        snapshot.fields(),
        Some(strict),
        plan.filters.all(None),
    );
    Ok(Some(
        snapshot.search(&*q, &Paragraphs)?.into_iter().collect(),
    ))
}

/// Blends keyword and semantic candidates: (1 - ratio) × keyword score (BM25
/// already scaled to 0..1 by the caller) + ratio × cosine scaled between the
/// last and the best semantic candidate. With `exact`, those paragraphs come first.
pub(crate) fn fuse(
    keyword: Vec<Group>,
    semantic: &[Group],
    ratio: f32,
    exact: Option<&HashSet<u64>>,
    ordered: usize,
) -> Vec<Group> {
    let best_meaning = semantic.first().map_or(0.0, |g| g.score);
    let floor = semantic.last().map_or(0.0, |g| g.score);
    let span = (best_meaning - floor).max(1e-6);
    let mut fused = keyword;
    fused.reserve(semantic.len());
    fused.iter_mut().for_each(|g| g.score *= 1.0 - ratio);
    // Meaning's candidates are few: look their paragraphs up, not every keyword hit's.
    let wanted: HashSet<u64> = semantic.iter().map(|g| g.para).collect();
    let at: HashMap<u64, usize> = fused
        .iter()
        .enumerate()
        .filter(|(_, g)| wanted.contains(&g.para))
        .map(|(i, g)| (g.para, i))
        .collect();
    for g in semantic {
        let meaning = ratio * (g.score - floor) / span;
        match at.get(&g.para) {
            Some(&i) => {
                let into = &mut fused[i];
                into.score += meaning;
                for s in &g.statements {
                    if !into.statements.contains(s) {
                        into.statements.push(*s);
                    }
                }
            }
            None => fused.push(Group {
                score: meaning,
                ..g.clone()
            }),
        }
    }
    let first = |g: &Group| exact.is_some_and(|e| e.contains(&g.para));
    let order = |a: &Group, b: &Group| {
        first(b)
            .cmp(&first(a))
            .then(b.score.total_cmp(&a.score))
            .then(a.para.cmp(&b.para))
    };
    // Only the first `ordered` are read in order (a page); the rest are counted.
    if ordered < fused.len() {
        fused.select_nth_unstable_by(ordered, order);
        fused[..ordered].sort_by(order);
    } else {
        fused.sort_by(order);
    }
    fused
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(para: u64, score: f32) -> Group {
        Group {
            para,
            score,
            date: 0,
            statements: Vec::new(),
            speech: 0,
        }
    }

    #[test]
    fn one_speakers_statements_keep_looser_neighbours() {
        let cosines = [0.8, 0.4, 0.2];
        let kept = |one_speaker| {
            let mut semantic: Vec<Group> = (0..3).map(|i| group(i, cosines[i as usize])).collect();
            close_enough(&mut semantic, one_speaker);
            semantic.len()
        };
        // 0.4 is half the best: too far in the whole collection, close
        // enough among one speaker's statements; 0.2 is too far for both.
        assert_eq!((kept(false), kept(true)), (1, 2));
    }

    #[test]
    fn blends_both_lists_and_keeps_hits_of_either() {
        let keyword = [group(1, 1.0), group(2, 0.5)];
        let mut semantic = vec![group(3, 0.8), group(2, 0.7), group(5, 0.5), group(4, 0.2)];
        close_enough(&mut semantic, false);
        let fused = fuse(keyword.to_vec(), &semantic, 0.5, None, usize::MAX);
        let order: Vec<u64> = fused.iter().map(|g| g.para).collect();
        // 2 is good on both counts; 1 only by words; 3 and 5 only by meaning;
        // 4 is too far from the best meaning to count.
        assert_eq!(order, [2, 1, 3, 5]);
        assert_eq!(
            fuse(keyword.to_vec(), &semantic, 0.0, None, usize::MAX)[0].para,
            1
        );
        assert_eq!(
            fuse(keyword.to_vec(), &semantic, 1.0, None, usize::MAX)[0].para,
            3
        );
    }

    #[test]
    fn a_speech_turns_paragraphs_share_its_best_keyword_score() {
        let in_speech = |para, score, speech| Group {
            speech,
            ..group(para, score)
        };
        // 1 and 2 are one turn, 3 another; 4 is in no turn; 5 is found by
        // meaning alone in 1's turn, 6 by meaning alone in no turn.
        let mut keyword = vec![
            in_speech(1, 0.8, 10),
            in_speech(2, 0.1, 10),
            in_speech(3, 0.3, 11),
            in_speech(4, 0.9, 0),
        ];
        let semantic = [in_speech(5, 0.7, 10), in_speech(6, 0.7, 0)];
        share_within_speeches(&mut keyword, &semantic);
        let scores: Vec<(u64, f32)> = keyword.iter().map(|g| (g.para, g.score)).collect();
        assert_eq!(scores, [(1, 0.8), (2, 0.4), (3, 0.3), (4, 0.9), (5, 0.4)]);
    }

    #[test]
    fn exact_matches_stay_first_whatever_the_meaning_says() {
        let keyword = [group(7, 1.0)];
        let semantic = [group(3, 0.9), group(4, 0.8), group(7, 0.1)];
        let exact = HashSet::from([7]);
        let fused = fuse(keyword.to_vec(), &semantic, 0.9, Some(&exact), 1);
        assert_eq!(fused[0].para, 7);
        assert_eq!(fuse(keyword.to_vec(), &semantic, 0.9, None, 1)[0].para, 3);
    }

    #[test]
    fn knows_when_a_query_names_something() {
        assert!(names_something(
            "\"Core Fund\" review",
            true,
            &["Core", "Fund", "review"]
        ));
        assert!(names_something(
            "what about the Amur tiger",
            false,
            &["Amur", "tiger"]
        ));
        assert!(names_something(
            "resolution 1540",
            false,
            &["resolution", "1540"]
        ));
        assert!(!names_something("Big cats", false, &["big", "cats"]));
        assert!(!names_something(
            "money pledged by Seoul",
            false,
            &["money", "pledged"]
        ));
    }

    #[test]
    fn a_concepts_paragraphs_cover_the_question() {
        let mut coverage = Coverage::of_words(vec![vec![2, 4, 6], vec![4]]);
        coverage.raise(vec![9, 4, 1, 2, 9], 0.8);
        let shares: Vec<f32> = [1, 2, 3, 4, 6, 9].map(|p| coverage.of(p)).to_vec();
        assert_eq!(shares, [0.8, 0.8, 0.0, 1.0, 0.5, 0.8]);
    }

    #[test]
    fn keyword_scores_scale_by_the_best_and_the_words_covered() {
        let mut keyword = vec![group(1, 8.0), group(2, 4.0), group(3, 8.0)];
        let coverage = Coverage::of_words(vec![vec![1, 2, 3, 3], vec![2, 1]]);
        scale_keyword(&mut keyword, Some(&coverage));
        let scores: Vec<f32> = keyword.iter().map(|g| g.score).collect();
        assert_eq!(scores, [1.0, 0.5, 0.25]);
        let mut alone = vec![group(1, 2.0), group(2, 1.0)];
        scale_keyword(&mut alone, None);
        assert_eq!(alone[1].score, 0.5);
    }
}
