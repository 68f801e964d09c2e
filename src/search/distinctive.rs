//! Distinctive words: what one speaker says on a topic that the others do not.
//! The words and two-word phrases of the speaker's matching statements are
//! weighed against those of everyone else's matching statements by the
//! log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and
//! Quinn 2008, "Fightin' Words"), whose z-score does not crown a word for
//! being rare: a word said twice by one side and never by the other scores
//! low, a word said forty times against four scores high.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use std::time::Instant;

use crate::index::stored::StoredTexts;
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};
use unicode_segmentation::UnicodeSegmentation;
use utoipa::ToSchema;

use super::filters::{FilterKind, combine};
use super::plan::{Purpose, QueryPlan};
use super::request::SearchRequest;
use super::searcher::{Searcher, Snapshot};
use crate::error::{RequestError, Result};
use crate::index::schema::KIND_STATEMENT;
use crate::ingest::speakers::gazetteer;

/// Statements read of the speaker, best matches first: enough for stable
/// counts, bounded so that a query matching half the corpus stays fast.
const SPEAKER_TEXTS: usize = 5_000;
/// Statements read of the others: the background needs fewer.
const OTHERS_TEXTS: usize = 2_500;
/// Terms listed where the request does not say.
pub const DEFAULT_TERMS: usize = 20;
/// The prior's total mass, spread over the vocabulary by how often each term
/// occurs on both sides together.
const PRIOR_MASS: f64 = 1_000.0;
/// A term the speaker used fewer times than this is not listed.
const MIN_COUNT: u64 = 3;

/// One term that sets a speaker apart.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DistinctiveTerm {
    /// A word or a two-word phrase, lower case.
    pub term: String,
    /// Times the speaker used it in the matching statements.
    pub speaker_count: u64,
    /// Times the others used it in theirs.
    pub others_count: u64,
    /// The log-odds ratio's z-score: above about 2, the speaker uses it
    /// clearly more than the others.
    pub z: f64,
}

/// What one speaker says on a search that the others do not.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Distinctive {
    /// The query as asked.
    pub query: String,
    /// The speaker's canonical name.
    pub speaker: String,
    /// The speaker's matching statements read.
    pub statements: u64,
    /// The others' matching statements read.
    pub others: u64,
    /// Most distinctive first.
    pub terms: Vec<DistinctiveTerm>,
    /// Time spent in the library.
    pub took_ms: f64,
}

impl Searcher {
    /// The words and phrases most associated with the request's one speaker
    /// against the rest of the matching statements.
    pub fn distinctive(&self, request: &SearchRequest, limit: usize) -> Result<Distinctive> {
        let started = Instant::now();
        let snapshot = self.snapshot()?;
        let plan = QueryPlan::new(request, &snapshot, Purpose::Words, DEFAULT_TERMS)?;
        let [speaker] = &plan.interpreted.speakers[..] else {
            return Err(RequestError::DistinctiveSpeaker.into());
        };
        let mut out = distinctive_in(&snapshot, &plan, speaker, limit)?;
        out.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(out)
    }
}

/// Distinctive terms of `speaker` under a plan that filters on that speaker.
pub(crate) fn distinctive_in(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
    speaker: &str,
    limit: usize,
) -> Result<Distinctive> {
    let f = snapshot.fields();
    let words = plan.counting_query();
    let mine = combine(KIND_STATEMENT, f, words, plan.filters.all(None));
    let mut others_clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Must,
        combine(
            KIND_STATEMENT,
            f,
            words,
            plan.filters.all(Some(FilterKind::Speaker)),
        ),
    )];
    others_clauses.extend(
        plan.filters
            .of(FilterKind::Speaker)
            .into_iter()
            .map(|q| (Occur::MustNot, q)),
    );
    let others = BooleanQuery::new(others_clauses);
    let own_names = own_names(speaker);
    let (mine, n_mine) = counts(snapshot, &*mine, &own_names, SPEAKER_TEXTS)?;
    let (theirs, n_theirs) = counts(snapshot, &others, &own_names, OTHERS_TEXTS)?;
    Ok(Distinctive {
        query: plan.original.clone(),
        speaker: speaker.to_owned(),
        statements: n_mine,
        others: n_theirs,
        terms: rank(&mine, &theirs, limit),
        took_ms: 0.0,
    })
}

/// The lower-case words of a speaker's own names: "Japan" is not news in
/// Japan's statements.
fn own_names(speaker: &str) -> Vec<String> {
    gazetteer()
        .forms(speaker)
        .iter()
        .flat_map(|form| {
            form.unicode_words()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Term counts of the best matching statements, unigrams and bigrams apart.
struct Counts {
    words: HashMap<String, u64>,
    phrases: HashMap<String, u64>,
}

fn counts(
    snapshot: &Snapshot<'_>,
    query: &dyn Query,
    skip: &[String],
    most: usize,
) -> Result<(Counts, u64)> {
    let f = snapshot.fields();
    let found = snapshot
        .searcher
        .search(query, &TopDocs::with_limit(most).order_by_score())?;
    let mut out = Counts {
        words: HashMap::new(),
        phrases: HashMap::new(),
    };
    for (_, address) in &found {
        let stored: StoredTexts = snapshot.searcher.doc(*address)?;
        if let Some(text) = stored.first(f.text) {
            add_terms(text, skip, &mut out);
        }
    }
    Ok((out, found.len() as u64))
}

/// Content words, and pairs of content words that stand side by side.
fn add_terms(text: &str, skip: &[String], out: &mut Counts) {
    let mut previous: Option<String> = None;
    for word in text.unicode_words() {
        let lower = word.to_lowercase();
        let content = lower.chars().count() >= 3
            && !lower.chars().any(|c| c.is_ascii_digit())
            && !STOPWORDS.contains(&lower.as_str())
            && !skip.contains(&lower);
        if !content {
            previous = None;
            continue;
        }
        if let Some(p) = &previous {
            *out.phrases.entry(format!("{p} {lower}")).or_default() += 1;
        }
        *out.words.entry(lower.clone()).or_default() += 1;
        previous = Some(lower);
    }
}

/// The z-scores of one vocabulary (words, or phrases), over the minimum count.
fn scored(mine: &HashMap<String, u64>, theirs: &HashMap<String, u64>) -> Vec<DistinctiveTerm> {
    let n_mine: u64 = mine.values().sum();
    let n_theirs: u64 = theirs.values().sum();
    let n_all = (n_mine + n_theirs) as f64;
    if n_all == 0.0 {
        return Vec::new();
    }
    let (n_i, n_j) = (n_mine as f64, n_theirs as f64);
    mine.iter()
        .filter(|&(_, &y)| y >= MIN_COUNT)
        .map(|(term, &y_i)| {
            let y_j = theirs.get(term).copied().unwrap_or(0);
            let alpha = PRIOR_MASS * (y_i + y_j) as f64 / n_all;
            let z = log_odds_z(y_i as f64, n_i, y_j as f64, n_j, alpha, PRIOR_MASS);
            DistinctiveTerm {
                term: term.clone(),
                speaker_count: y_i,
                others_count: y_j,
                z: (z * 100.0).round() / 100.0,
            }
        })
        .collect()
}

/// Monroe, Colaresi and Quinn's z-score of the log-odds ratio of a term used
/// `y_i` times in `n_i` against `y_j` in `n_j`, with prior `alpha` for the
/// term out of a prior mass `alpha0`.
pub(crate) fn log_odds_z(y_i: f64, n_i: f64, y_j: f64, n_j: f64, alpha: f64, alpha0: f64) -> f64 {
    debug_assert!(alpha > 0.0 && alpha0 >= alpha);
    // The rest of the vocabulary's mass, kept above nothing for a vocabulary of
    // one term.
    let odds = |y: f64, n: f64| ((y + alpha) / (n + alpha0 - y - alpha).max(0.5)).ln();
    let delta = odds(y_i, n_i) - odds(y_j, n_j);
    let variance = 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha);
    delta / variance.sqrt()
}

/// Words and phrases together, most distinctive first. A word the speaker
/// only ever says within one phrase ("society" of "civil society") adds
/// nothing to that phrase and is left out.
fn rank(mine: &Counts, theirs: &Counts, limit: usize) -> Vec<DistinctiveTerm> {
    let phrases: Vec<DistinctiveTerm> = scored(&mine.phrases, &theirs.phrases);
    let mut all: Vec<DistinctiveTerm> = scored(&mine.words, &theirs.words)
        .into_iter()
        .filter(|w| {
            !phrases.iter().any(|p| {
                p.speaker_count == w.speaker_count && p.term.split(' ').any(|x| x == w.term)
            })
        })
        .collect();
    all.extend(phrases);
    all.retain(|t| t.z > 0.0);
    all.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.term.cmp(&b.term)));
    all.truncate(limit);
    all
}

/// English function words, the words every meeting record uses of itself,
/// and its reporting verbs: one per line, `#` for comments.
static STOPWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("distinctive-stopwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rare_word_scores_below_a_frequent_one_with_the_same_ratio() {
        // 2 against 0 and 40 against 0 in equal halves: the rare one is less sure.
        let rare = log_odds_z(2.0, 1_000.0, 0.0, 1_000.0, 1.0, 1_000.0);
        let frequent = log_odds_z(40.0, 1_000.0, 0.0, 1_000.0, 20.0, 1_000.0);
        assert!(rare > 0.0 && frequent > rare, "{rare} {frequent}");
        // Used as often on both sides: nothing distinctive.
        let even = log_odds_z(10.0, 1_000.0, 10.0, 1_000.0, 10.0, 1_000.0);
        assert!(even.abs() < 1e-9);
    }

    #[test]
    fn terms_are_content_words_and_side_by_side_pairs() {
        let mut c = Counts {
            words: HashMap::new(),
            phrases: HashMap::new(),
        };
        add_terms(
            "Japan calls for nuclear disarmament and the nuclear test ban in 1995.",
            &["japan".to_owned()],
            &mut c,
        );
        assert_eq!(c.words["nuclear"], 2);
        assert!(!c.words.contains_key("japan") && !c.words.contains_key("the"));
        assert_eq!(c.phrases["nuclear disarmament"], 1);
        assert_eq!(c.phrases["test ban"], 1);
        assert!(
            !c.phrases.contains_key("disarmament nuclear"),
            "{:?}",
            c.phrases
        );
    }

    #[test]
    fn the_speakers_heavy_words_come_first_and_shared_ones_not_at_all() {
        let mine = Counts {
            words: HashMap::from([
                ("tiger".into(), 30),
                ("amur".into(), 12),
                ("cooperation".into(), 20),
            ]),
            phrases: HashMap::from([("amur tiger".into(), 12)]),
        };
        let theirs = Counts {
            words: HashMap::from([("cooperation".into(), 200), ("dust".into(), 50)]),
            phrases: HashMap::from([("sand dust".into(), 30)]),
        };
        let ranked = rank(&mine, &theirs, 10);
        let terms: Vec<&str> = ranked.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(terms[0], "tiger", "{ranked:?}");
        assert!(terms.contains(&"amur tiger"));
        // "amur" stands only in "amur tiger": the phrase says it.
        assert!(!terms.contains(&"amur"), "{ranked:?}");
        assert!(!terms.contains(&"cooperation"), "{ranked:?}");
        assert_eq!(ranked[0].others_count, 0);
    }
}
