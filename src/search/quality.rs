//! Retrieval quality: graded questions (a paragraph judged 3 answers it, 2 is
//! relevant, 1 marginal, unlisted 0) and nDCG@k of the searcher's answers,
//! per question class. `rapporteur eval` prints it; BENCHMARKS.md reports it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::request::{Mode, SearchRequest};
use super::searcher::Searcher;
use crate::error::{Error, Result};

/// A file of graded questions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GradedQuestions {
    /// How the judgements were made.
    #[serde(default)]
    pub about: String,
    /// The questions.
    pub questions: Vec<GradedQuestion>,
    /// The opening words of each judged paragraph (its text with white
    /// space collapsed, [`OPENING`] characters), as judged: a paragraph
    /// renumbered since is caught, not scored as another one.
    #[serde(default)]
    pub openings: BTreeMap<String, String>,
}

/// Characters of a judged paragraph's text kept as its opening.
pub const OPENING: usize = 80;

/// One question and its judged paragraphs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GradedQuestion {
    /// A short name: "speaker-01".
    pub id: String,
    /// What kind of question: speaker, topical, reworded, subject.
    pub class: String,
    /// As a user would type it.
    pub question: String,
    /// Paragraph id (`DOC#NUMBER`) → grade 1..=3.
    pub judgements: HashMap<String, u8>,
}

/// nDCG@k of one mode over a question set.
#[derive(Debug, Clone, Serialize)]
pub struct QualityReport {
    /// The search mode measured.
    pub mode: Mode,
    /// The cut-off.
    pub k: usize,
    /// Mean nDCG@k per class, with the number of questions.
    pub classes: BTreeMap<String, (f64, usize)>,
    /// Mean nDCG@k over every question.
    pub overall: f64,
    /// Each question's nDCG@k, in file order.
    pub questions: Vec<(String, f64)>,
}

impl GradedQuestions {
    /// Reads a questions file (the JSON of `benches/questions/graded.json`).
    pub fn load(path: &Path) -> Result<GradedQuestions> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.into(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| Error::Questions {
            path: path.into(),
            source: source.into(),
        })
    }

    /// Checks that every judged paragraph still opens with its recorded
    /// opening in `searcher`'s index (where the file records openings at
    /// all); `path` names the file in the error.
    pub fn verify(&self, searcher: &Searcher, path: &Path) -> Result<()> {
        if self.openings.is_empty() {
            return Ok(());
        }
        let judged: BTreeSet<&String> = self
            .questions
            .iter()
            .flat_map(|q| q.judgements.keys())
            .collect();
        let mut stale = Vec::new();
        for id in judged {
            let Some(judged) = self.openings.get(id) else {
                stale.push(format!("{id} has no opening recorded"));
                continue;
            };
            let (document, number) = id.rsplit_once('#').unwrap_or((id, ""));
            let now = match searcher.paragraph(document, number) {
                Ok(view) => opening(&view.paragraph.text),
                Err(Error::NotFound(_)) => "(no such paragraph)".to_owned(),
                Err(other) => return Err(other),
            };
            if now != *judged {
                stale.push(format!("{id} now opens \"{now}\""));
            }
        }
        if stale.is_empty() {
            return Ok(());
        }
        Err(Error::StaleJudgements {
            path: path.into(),
            count: stale.len(),
            examples: stale[..stale.len().min(3)].join("; "),
        })
    }
}

/// A paragraph's opening: its first [`OPENING`] characters, white space collapsed.
pub fn opening(text: &str) -> String {
    let mut out = String::with_capacity(OPENING);
    let mut chars = 0;
    for word in text.split_whitespace() {
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        out.push_str(word);
        chars += word.chars().count();
        if chars >= OPENING {
            break;
        }
    }
    out.chars().take(OPENING).collect()
}

/// Runs every question in `mode` (hybrid with `semantic_ratio`, or the
/// default) and scores the top `k`.
pub fn evaluate(
    searcher: &Searcher,
    questions: &GradedQuestions,
    mode: Mode,
    semantic_ratio: Option<f32>,
    k: usize,
) -> Result<QualityReport> {
    let mut per_class: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut scored = Vec::with_capacity(questions.questions.len());
    for q in &questions.questions {
        let answer = searcher.search(&SearchRequest {
            mode: Some(mode),
            semantic_ratio,
            limit: Some(k),
            ..SearchRequest::new(&q.question)
        })?;
        let ranked: Vec<&str> = answer.hits.iter().map(|h| h.id.as_str()).collect();
        let score = ndcg(&ranked, &q.judgements, k);
        per_class.entry(q.class.clone()).or_default().push(score);
        scored.push((q.id.clone(), score));
    }
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
    let all: Vec<f64> = scored.iter().map(|(_, s)| *s).collect();
    Ok(QualityReport {
        mode,
        k,
        classes: per_class
            .into_iter()
            .map(|(class, xs)| (class, (mean(&xs), xs.len())))
            .collect(),
        overall: mean(&all),
        questions: scored,
    })
}

/// Normalised discounted cumulative gain of `ranked` at `k`, gain 2^grade - 1.
pub fn ndcg(ranked: &[&str], judgements: &HashMap<String, u8>, k: usize) -> f64 {
    let gain = |grade: u8| f64::from((1u32 << grade.min(8)) - 1);
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| gain(judgements.get(*id).copied().unwrap_or(0)) * discount(i))
        .sum();
    let mut ideal: Vec<u8> = judgements.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| gain(*g) * discount(i))
        .sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_is_one_for_the_ideal_order_and_less_otherwise() {
        let judged = HashMap::from([("a".to_owned(), 3), ("b".to_owned(), 1)]);
        assert!((ndcg(&["a", "b"], &judged, 10) - 1.0).abs() < 1e-9);
        let swapped = ndcg(&["b", "a"], &judged, 10);
        assert!(swapped < 1.0 && swapped > 0.5, "{swapped}");
        assert_eq!(ndcg(&["x", "y"], &judged, 10), 0.0);
        // Beyond the cut-off nothing counts.
        assert_eq!(ndcg(&["x", "a"], &judged, 1), 0.0);
    }

    #[test]
    fn an_opening_is_the_first_characters_with_white_space_collapsed() {
        assert_eq!(
            opening("  China  condemns\nall forms "),
            "China condemns all forms"
        );
        let long = "word ".repeat(40);
        assert_eq!(opening(&long).chars().count(), OPENING);
        assert_eq!(opening("Ärzte ohne Grenzen"), "Ärzte ohne Grenzen");
    }
}
