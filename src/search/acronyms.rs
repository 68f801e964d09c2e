//! The collection's acronyms, from what its documents define (see
//! `ingest::acronyms`): a question's "MINUSCA" also searches "United Nations
//! Multidimensional Integrated Stabilization Mission in the Central African
//! Republic", by words and by meaning, as records that spell it out match.

use std::collections::HashMap;

use tantivy::query::Query;
use tantivy::query_grammar::{Delimiter, Occur, UserInputAst, UserInputLeaf};
use tantivy::tokenizer::TextAnalyzer;

use super::fusion::bare;
use super::highlight::Marks;
use super::plan::{quoted, tokens, word};
use crate::error::Result;
use crate::model::DocumentSummary;

/// Long forms kept per acronym: a few documents may spell it differently
/// ("Convention against Torture", "Committee against Torture").
const LONG_FORMS: usize = 3;

/// Letters from which an acronym is recognised however it is typed ("dprk",
/// "Ohchr"); shorter ones only as defined ("CAT", not "cat").
const ANY_CASE_FROM: usize = 4;

/// An acronym a question typed, with the long forms it also matches.
pub(crate) type Typed = (String, Vec<String>);
/// An acronym whose long form a question spelled out, with those words.
pub(crate) type SpelledOut<'w> = (String, Vec<&'w str>);

#[derive(Debug, Default)]
pub(crate) struct Acronyms {
    /// Each acronym as defined, its long forms, most documents first.
    long_forms: HashMap<String, Vec<String>>,
    /// Lower-cased acronyms of `ANY_CASE_FROM` letters or more, to the key.
    any_case: HashMap<String, String>,
    /// Each long form as lower-cased words, by its first word, with its acronym.
    by_first_word: HashMap<String, Vec<(Vec<String>, String)>>,
}

impl Acronyms {
    pub(crate) fn of(documents: &[DocumentSummary]) -> Acronyms {
        let mut counts: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
        for d in documents {
            for (short, long) in &d.acronyms {
                *counts.entry(short).or_default().entry(long).or_default() += 1;
            }
        }
        let mut acronyms = Acronyms::default();
        for (short, longs) in counts {
            let mut longs: Vec<(&str, usize)> = longs.into_iter().collect();
            longs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let forms: Vec<String> = longs
                .into_iter()
                .take(LONG_FORMS)
                .map(|(l, _)| l.to_owned())
                .collect();
            if short.chars().count() >= ANY_CASE_FROM {
                acronyms
                    .any_case
                    .insert(short.to_lowercase(), short.to_owned());
            }
            for form in &forms {
                let words = lower_words(form);
                if let Some(first) = words.first() {
                    acronyms
                        .by_first_word
                        .entry(first.clone())
                        .or_default()
                        .push((words, short.to_owned()));
                }
            }
            acronyms.long_forms.insert(short.to_owned(), forms);
        }
        acronyms
    }

    /// The acronyms whose long form `words` spell out, each with the words
    /// that spell it: "female genital mutilation" → FGM.
    pub(crate) fn abbreviated<'w>(&self, words: &[&'w str]) -> Vec<SpelledOut<'w>> {
        let lower: Vec<String> = words.iter().map(|w| bare(w).to_lowercase()).collect();
        let mut out = Vec::new();
        for start in 0..lower.len() {
            for (form, short) in self.by_first_word.get(&lower[start]).into_iter().flatten() {
                let end = start + form.len();
                if end <= lower.len()
                    && lower[start..end] == form[..]
                    && !out.iter().any(|(s, _): &(String, _)| s == short)
                {
                    out.push((short.clone(), words[start..end].to_vec()));
                }
            }
        }
        out
    }

    /// The long forms of `word` where it is a known acronym.
    pub(crate) fn long_forms(&self, word: &str) -> Option<&[String]> {
        if let Some(forms) = self.long_forms.get(word) {
            return Some(forms);
        }
        let key = self.any_case.get(&word.to_lowercase())?;
        self.long_forms.get(key).map(Vec::as_slice)
    }

    /// `text` with each known acronym followed by its first long form in
    /// parentheses, for the meaning side: "MINUSCA (United Nations ...) mandate".
    pub(crate) fn spelled_out(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for (i, word) in text.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
            if let Some(long) = self.long_forms(bare(word)).and_then(|f| f.first()) {
                out.push_str(" (");
                out.push_str(long);
                out.push(')');
            }
        }
        out
    }

    /// `ast` with each word that is a known acronym replaced by "the acronym
    /// or any of its long forms" (a phrase each), and the words so replaced
    /// with their long forms. Excluded words stay as they are.
    pub(crate) fn expand(&self, ast: UserInputAst) -> (UserInputAst, Vec<Typed>) {
        let mut expanded = Vec::new();
        if self.long_forms.is_empty() {
            return (ast, expanded);
        }
        let ast = self.expand_into(ast, &mut expanded);
        (ast, expanded)
    }

    fn expand_into(&self, ast: UserInputAst, expanded: &mut Vec<Typed>) -> UserInputAst {
        match ast {
            UserInputAst::Clause(clauses) => UserInputAst::Clause(
                clauses
                    .into_iter()
                    .map(|(occur, sub)| match occur {
                        Some(Occur::MustNot) => (occur, sub),
                        _ => (occur, self.expand_into(sub, expanded)),
                    })
                    .collect(),
            ),
            UserInputAst::Boost(sub, boost) => {
                UserInputAst::Boost(Box::new(self.expand_into(*sub, expanded)), boost)
            }
            UserInputAst::Leaf(leaf) => match *leaf {
                UserInputLeaf::Literal(literal)
                    if literal.delimiter == Delimiter::None && !literal.prefix =>
                {
                    match self.long_forms(&literal.phrase) {
                        Some(forms) => {
                            let mut either = vec![UserInputAst::Leaf(Box::new(
                                UserInputLeaf::Literal(literal.clone()),
                            ))];
                            either.extend(forms.iter().map(|form| quoted(form)));
                            expanded.push((literal.phrase.clone(), forms.to_vec()));
                            UserInputAst::or(either)
                        }
                        None => UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(literal))),
                    }
                }
                other => UserInputAst::Leaf(Box::new(other)),
            },
        }
    }
}

fn lower_words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| bare(w).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// `keyword`, and for ranking alone the acronyms whose long forms it spells
/// out: optional, so that counting and exactness keep the user's words.
pub(crate) fn with_acronyms(keyword: &UserInputAst, spelled: &[SpelledOut<'_>]) -> UserInputAst {
    if spelled.is_empty() {
        return keyword.clone();
    }
    let acronyms = UserInputAst::or(spelled.iter().map(|(a, _)| word(a)).collect());
    UserInputAst::Clause(vec![
        (None, keyword.clone()),
        (Some(Occur::Should), acronyms),
    ])
}

/// What acronyms add to the word side, with their marks: an acronym the user
/// typed is covered by its long forms, and each word of a long form the user
/// spelled out by the acronym.
pub(crate) fn acronym_alternatives(
    typed: &[Typed],
    spelled: &[SpelledOut<'_>],
    build: impl Fn(&UserInputAst) -> Result<Box<dyn Query>>,
    analyzer: &mut TextAnalyzer,
    marks: &mut Marks,
) -> Result<Vec<(String, Box<dyn Query>)>> {
    let mut alternatives = Vec::new();
    for (acronym, long_forms) in typed {
        let either = build(&UserInputAst::or(
            long_forms.iter().map(|form| quoted(form)).collect(),
        ))?;
        for stem in tokens(analyzer, acronym) {
            alternatives.push((stem, either.box_clone()));
        }
        for form in long_forms {
            marks.add(tokens(analyzer, form));
        }
    }
    for (acronym, words) in spelled {
        let short = build(&word(acronym))?;
        for stem in tokens(analyzer, &words.join(" ")) {
            alternatives.push((stem, short.box_clone()));
        }
        marks.add(tokens(analyzer, acronym));
    }
    Ok(alternatives)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(acronyms: &[(&str, &str)]) -> DocumentSummary {
        DocumentSummary {
            acronyms: acronyms
                .iter()
                .map(|(s, l)| (s.to_string(), l.to_string()))
                .collect(),
            ..DocumentSummary::default()
        }
    }

    #[test]
    fn the_most_documents_long_form_comes_first() {
        let acronyms = Acronyms::of(&[
            document(&[("CAT", "Committee against Torture")]),
            document(&[
                ("CAT", "Convention against Torture"),
                ("DPRK", "Democratic People's Republic of Korea"),
            ]),
            document(&[("CAT", "Convention against Torture")]),
        ]);
        assert_eq!(
            acronyms.long_forms("CAT").unwrap(),
            ["Convention against Torture", "Committee against Torture"]
        );
        // Short acronyms only as written; longer ones in any case.
        assert!(acronyms.long_forms("cat").is_none());
        assert!(acronyms.long_forms("dprk").is_some());
        assert_eq!(
            acronyms.spelled_out("what did the DPRK say"),
            "what did the DPRK (Democratic People's Republic of Korea) say"
        );
        assert_eq!(acronyms.spelled_out("big cats"), "big cats");
    }

    #[test]
    fn a_long_form_in_a_question_is_known_by_its_acronym() {
        let acronyms = Acronyms::of(&[document(&[("FGM", "female genital mutilation")])]);
        let words = ["ending", "Female", "genital", "mutilation,", "now"];
        assert_eq!(
            acronyms.abbreviated(&words),
            [("FGM".to_owned(), vec!["Female", "genital", "mutilation,"])]
        );
        assert!(acronyms.abbreviated(&["genital", "mutilation"]).is_empty());
    }

    #[test]
    fn a_query_word_that_is_an_acronym_matches_its_long_forms_too() {
        let acronyms =
            Acronyms::of(&[document(&[("DLD", "desertification and land degradation")])]);
        let ast = tantivy::query_grammar::parse_query("DLD work -NEAMPAN").unwrap();
        let (expanded, words) = acronyms.expand(ast);
        assert_eq!(
            words,
            [(
                "DLD".to_owned(),
                vec!["desertification and land degradation".to_owned()]
            )]
        );
        let shown = format!("{expanded:?}");
        assert!(
            shown.contains("\"desertification and land degradation\""),
            "{shown}"
        );
        assert!(
            shown.contains("NEAMPAN") && shown.contains("work"),
            "{shown}"
        );
    }
}
