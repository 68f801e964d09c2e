//! The query plan: a search understood once. Every stage (vectors, ranking,
//! fusion, facets, highlights, speaker counts) reads this plan, so none of them
//! can understand the query differently. The words are parsed once, by
//! tantivy's own query grammar, and the plan keeps what each stage needs of
//! them: the BM25 query, the stems to cover, the phrases to mark, and whether
//! the query names something. Where meaning is searched, a question in
//! everyday words also gets the records' terms for it (`search::thesaurus`).

use std::sync::OnceLock;

use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Query, QueryParser, QueryParserError};
use tantivy::query_grammar::{
    self, Delimiter, Occur, UserInputAst, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::{Facet, Term};
use tantivy::tokenizer::TextAnalyzer;

use super::acronyms::{acronym_alternatives, with_acronyms};
use super::filters::Filters;
use super::fusion;
use super::highlight::Marks;
use super::query::{self, Interpreted};
use super::request::{Mode, SearchRequest, Sort};
use super::searcher::Snapshot;
use super::thesaurus::{Expansion, Thesaurus};
use crate::embed::{Embedder, Vector};
use crate::error::{Error, QueryError, RequestError, Result};
use crate::index::schema::{KIND_PARAGRAPH, KIND_STATEMENT};
use crate::ingest::speakers::gazetteer;

/// What a plan is for: a full search, or the filters and words alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A search in the mode asked for (meaning included).
    Search,
    /// Keyword matching only (who said it the most; similar paragraphs).
    Words,
}

/// A search, understood.
pub(crate) struct QueryPlan {
    /// The query as typed.
    pub(crate) original: String,
    /// What was understood, explicit filters merged in.
    pub(crate) interpreted: Interpreted,
    /// The mode the search runs in.
    pub(crate) mode: Mode,
    /// Why the mode is not the one asked for, or what it cannot reach.
    pub(crate) notice: Option<String>,
    /// The record kind matched: statements for a speaker search, else paragraphs.
    pub(crate) kind: &'static str,
    /// The words, parsed; None when the query has none (filters alone).
    pub(crate) words: Option<Words>,
    /// What the meaning side embeds.
    pub(crate) meaning: Vec<String>,
    /// Where the thesaurus's terms for the question lie (the mean of their
    /// vectors, summed over its concepts): the first wording's vector is
    /// moved by it, at no second call of the model.
    pub(crate) meaning_shift: Option<Vec<f32>>,
    /// The meaning side's vectors, made on first use (see [`QueryPlan::meaning_vectors`]).
    vectors: OnceLock<Vec<Vector>>,
    /// The filters as tantivy queries.
    pub(crate) filters: Filters,
    pub(crate) sort: Sort,
    pub(crate) limit: usize,
    pub(crate) offset: usize,
    /// Values listed per facet.
    pub(crate) facet_limit: usize,
    pub(crate) semantic_ratio: f32,
    /// The index's analyzer of the text field: stems for marks and coverage.
    pub(crate) analyzer: TextAnalyzer,
}

/// The keyword side of a plan.
pub(crate) struct Words {
    /// BM25: the user's words and the names of the agents they name.
    pub(crate) query: Box<dyn Query>,
    /// The agents' names alone (`"Republic of Korea" OR ROK`), one unit of coverage.
    pub(crate) agents: Option<Box<dyn Query>>,
    /// The stems of the user's own positive words, each once: word coverage.
    pub(crate) stems: Vec<String>,
    /// What highlighting marks: the user's positive words and the agents' names.
    pub(crate) marks: Marks,
    /// Every one of the user's words required, where the query names something
    /// (a phrase, a number, a capitalised name): exact-match protection.
    pub(crate) strict: Option<Box<dyn Query>>,
    /// Every word required (operators kept): what counts as a mention when
    /// paragraphs are counted over time or words are compared.
    pub(crate) every: Box<dyn Query>,
    /// Other forms that cover a stem of `stems`: an acronym's long forms, and
    /// the acronym of a long form the user spelled out.
    pub(crate) alternatives: Vec<(String, Box<dyn Query>)>,
    /// The records' terms for the question's concept (the thesaurus), any of
    /// them, under the user's required and excluded words: a paragraph that
    /// holds one covers the question's words.
    pub(crate) concept: Option<Box<dyn Query>>,
    /// The user's required (`+`, `AND`) and excluded (`-`, `NOT`) words at
    /// the top of the query, which the thesaurus's terms keep too.
    constraints: Vec<(Option<Occur>, UserInputAst)>,
    /// Any of the excluded words: the meaning side leaves their records out too.
    pub(crate) excluded: Option<Box<dyn Query>>,
}

/// What the thesaurus adds to a question's meaning (see [`Thesaurus::expand`]).
fn thesaurus_expansion(meaning: &str, analyzer: &mut TextAnalyzer) -> Result<Option<Expansion>> {
    // A State's name alone is no concept's, though terms name places
    // ("Occupied Palestinian Territory").
    let states = gazetteer().states_named(meaning);
    let named = |at: usize| states.iter().any(|m| (m.start..m.end).contains(&at));
    let more_than_states = meaning
        .char_indices()
        .any(|(at, c)| c.is_alphanumeric() && !named(at));
    if !more_than_states {
        return Ok(None);
    }
    let Some(thesaurus) = Thesaurus::shared() else {
        return Ok(None);
    };
    let vector = Embedder::shared()?.query(meaning)?;
    // Function words aside on both sides: the question has lost them unless
    // quoted ("\"right to food\""), and a term may hold them.
    let mut content = |text: &str| -> Vec<String> {
        let mut words = tokens(analyzer, text);
        words.retain(|w| !query::is_stopword(w));
        words
    };
    let asked = content(meaning);
    Ok(thesaurus.expand(meaning, &vector, |concept| {
        concept.terms.iter().any(|t| {
            let term = content(t);
            !term.is_empty() && asked.windows(term.len()).any(|w| w == term)
        })
    }))
}

/// BM25's weight of the thesaurus's terms against the user's own words.
const TERMS_BOOST: f32 = 0.5;

impl QueryPlan {
    /// Understands `request` against one index generation. `default_limit` is
    /// the page size of the endpoint where the request gives none.
    pub(crate) fn new(
        request: &SearchRequest,
        snapshot: &Snapshot<'_>,
        purpose: Purpose,
        default_limit: usize,
    ) -> Result<QueryPlan> {
        request.check_bounds()?;
        let mut interpreted = query::interpret(&request.q)?;
        words_for_unknown_subjects(&mut interpreted, snapshot)?;
        for (field, value) in request.filter_pairs() {
            query::add_filter(&mut interpreted, field, &value)?;
        }
        let fields = snapshot.fields();
        let analyzer = snapshot.index.index.tokenizer_for_field(fields.text)?;
        let filters = Filters::new(&interpreted, &snapshot.catalog, fields)?;
        let mut words = Words::parse(&request.q, &interpreted, snapshot, analyzer.clone())?;
        let (mode, notice) = match purpose {
            Purpose::Words => (Mode::Keyword, None),
            Purpose::Search => mode_for(request.mode, snapshot, words.is_some())?,
        };
        let kind = if interpreted.speakers.is_empty() {
            KIND_PARAGRAPH
        } else {
            KIND_STATEMENT
        };
        let meaning: Vec<String> = query::meaning_wordings(&interpreted)
            .iter()
            .map(|wording| snapshot.catalog.acronyms.spelled_out(wording))
            .collect();
        // The records' terms for an everyday wording, where meaning is searched
        // anyway (keyword search is the words as typed, and needs no model).
        let mut meaning_shift = None;
        let expands = purpose == Purpose::Search
            && mode != Mode::Keyword
            && !request.literal
            && !interpreted.text.trim().is_empty();
        if let (true, Some(words), Some(first)) = (expands, words.as_mut(), meaning.first())
            && let Some(expansion) = thesaurus_expansion(first, &mut analyzer.clone())?
        {
            words.add_terms(&expansion.terms, snapshot, analyzer.clone())?;
            meaning_shift = Some(expansion.direction);
            interpreted.also_searched = expansion.terms;
        }
        Ok(QueryPlan {
            original: request.q.clone(),
            meaning,
            meaning_shift,
            vectors: OnceLock::new(),
            interpreted,
            mode,
            notice,
            kind,
            words,
            filters,
            sort: request.sort,
            limit: request.limit_or(default_limit),
            offset: request.offset,
            facet_limit: request
                .facet_limit
                .unwrap_or(super::request::DEFAULT_FACET_LIMIT),
            semantic_ratio: request.semantic_ratio(),
            analyzer,
        })
    }

    /// The query's vectors, one per wording of its meaning, the first moved
    /// by the thesaurus's terms: made once per plan, and read by both the
    /// candidates and the page's highlights.
    pub(crate) fn meaning_vectors(&self) -> Result<&[Vector]> {
        if let Some(made) = self.vectors.get() {
            return Ok(made);
        }
        let embedder = Embedder::shared()?;
        let mut vectors: Vec<Vector> = self
            .meaning
            .iter()
            .map(|w| embedder.query(w))
            .collect::<Result<_>>()?;
        if let (Some(shift), Some(first)) = (&self.meaning_shift, vectors.first_mut()) {
            // The question's vector plus its concepts' terms' mean vectors (each
            // of length under one), normalised.
            let mut moved: Vec<f32> = first.iter().zip(shift).map(|(q, s)| q + s).collect();
            crate::embed::normalise(&mut moved);
            *first = moved.into();
        }
        Ok(self.vectors.get_or_init(|| vectors))
    }

    /// Whether statements are matched one by one (a speaker search).
    pub(crate) fn by_speaker(&self) -> bool {
        self.kind == KIND_STATEMENT
    }

    /// Hits up to the end of the page asked for.
    pub(crate) fn wanted(&self) -> usize {
        self.offset + self.limit
    }

    /// The BM25 query, if the search has words.
    pub(crate) fn keyword_query(&self) -> Option<&dyn Query> {
        self.words.as_ref().map(|w| &*w.query)
    }

    /// The query whose matches are counted as mentions: every word required.
    pub(crate) fn counting_query(&self) -> Option<&dyn Query> {
        self.words.as_ref().map(|w| &*w.every)
    }

    /// The marks of highlighting (none without words).
    pub(crate) fn marks(&self) -> &Marks {
        static NONE: std::sync::LazyLock<Marks> = std::sync::LazyLock::new(Marks::default);
        self.words.as_ref().map_or(&NONE, |w| &w.marks)
    }
}

impl Words {
    /// Adds the thesaurus's `terms` to the BM25 query, optional and boosted
    /// less than the user's own words, and to the marks.
    fn add_terms(
        &mut self,
        terms: &[String],
        snapshot: &Snapshot<'_>,
        mut analyzer: TextAnalyzer,
    ) -> Result<()> {
        let parser = QueryParser::for_index(&snapshot.index.index, vec![snapshot.fields().text]);
        let any = UserInputAst::or(terms.iter().map(|t| quoted(t)).collect());
        // "people who flee -children": refugees, but not those paragraphs either.
        let mut clauses = vec![(Some(Occur::Must), any)];
        clauses.extend(self.constraints.iter().cloned());
        let concept = parser
            .build_query_from_user_input_ast(UserInputAst::Clause(clauses))
            .map_err(|source| Error::from(QueryError::Syntax { source }))?;
        let own = std::mem::replace(&mut self.query, Box::new(EmptyQuery));
        let boosted = BoostQuery::new(concept.box_clone(), TERMS_BOOST);
        self.query = Box::new(BooleanQuery::new(vec![
            (tantivy::query::Occur::Should, own),
            (tantivy::query::Occur::Should, Box::new(boosted)),
        ]));
        for term in terms {
            self.marks.add(tokens(&mut analyzer, term));
        }
        self.concept = Some(concept);
        Ok(())
    }

    fn parse(
        original: &str,
        interpreted: &Interpreted,
        snapshot: &Snapshot<'_>,
        mut analyzer: TextAnalyzer,
    ) -> Result<Option<Words>> {
        let user = user_ast(interpreted.text.trim())?;
        // Stems, marks and exactness are the user's words; the acronyms among
        // them also match their long forms.
        let (expanded, acronyms) = match &user {
            Some(u) => {
                let (ast, acronyms) = snapshot.catalog.acronyms.expand(u.clone());
                (Some(ast), acronyms)
            }
            None => (None, Vec::new()),
        };
        let mut user_literals = Vec::new();
        if let Some(u) = &user {
            positive_literals(u, &mut user_literals);
        }
        let user_words: Vec<&str> = user_literals
            .iter()
            .flat_map(|l| l.phrase.split_whitespace())
            .collect();
        // ... and the long forms they spell out rank their acronyms' records too.
        let abbreviated = snapshot.catalog.acronyms.abbreviated(&user_words);
        let agents = agents_ast(&query::agent_forms(interpreted));
        let keyword = match (&expanded, &agents) {
            (Some(u), Some(a)) => UserInputAst::Clause(vec![(None, u.clone()), (None, a.clone())]),
            (Some(only), None) | (None, Some(only)) => only.clone(),
            (None, None) => return Ok(None),
        };
        let ranked = with_acronyms(&keyword, &abbreviated);
        let fields = snapshot.fields();
        let mut parser = QueryParser::for_index(&snapshot.index.index, vec![fields.text]);
        let build = |parser: &QueryParser, ast: &UserInputAst| -> Result<Box<dyn Query>> {
            parser
                .build_query_from_user_input_ast(ast.clone())
                .map_err(|source| Error::from(QueryError::Syntax { source }))
        };
        let query = build(&parser, &ranked)?;
        let agents_query = agents.as_ref().map(|a| build(&parser, a)).transpose()?;
        let mut every_parser = parser.clone();
        every_parser.set_conjunction_by_default();
        let every = build(&every_parser, &keyword)?;

        let stems = distinct_stems(&user_literals, &mut analyzer);
        let mut marks = Marks::default();
        let alternatives = acronym_alternatives(
            &acronyms,
            &abbreviated,
            |ast| build(&parser, ast),
            &mut analyzer,
            &mut marks,
        )?;
        let mut all_literals = user_literals.clone();
        if let Some(a) = &agents {
            positive_literals(a, &mut all_literals);
        }
        for literal in &all_literals {
            marks.add(tokens(&mut analyzer, &literal.phrase));
        }
        let constraints = expanded.as_ref().map(constraints).unwrap_or_default();
        let excluded_words: Vec<UserInputAst> = constraints
            .iter()
            .filter(|(occur, _)| *occur == Some(Occur::MustNot))
            .map(|(_, ast)| ast.clone())
            .collect();
        let excluded = match excluded_words.is_empty() {
            true => None,
            false => Some(build(&parser, &UserInputAst::or(excluded_words))?),
        };
        let has_phrase = user_literals.iter().any(|l| l.delimiter != Delimiter::None);
        let strict = match &expanded {
            Some(u) if fusion::names_something(original, has_phrase, &user_words) => {
                parser.set_conjunction_by_default();
                // A query tantivy accepts as words is accepted strictly too; if
                // not, nothing is protected rather than the search failing.
                parser.build_query_from_user_input_ast(u.clone()).ok()
            }
            _ => None,
        };
        Ok(Some(Words {
            query,
            agents: agents_query,
            stems,
            marks,
            strict,
            every,
            alternatives,
            concept: None,
            excluded,
            constraints,
        }))
    }
}

/// A State that a question is about ("torture in Egypt") filters by subject
/// only where the index has paragraphs about it; elsewhere it stays a word.
fn words_for_unknown_subjects(
    interpreted: &mut Interpreted,
    snapshot: &Snapshot<'_>,
) -> Result<()> {
    let field = snapshot.fields().subject;
    let mut known = Vec::new();
    for state in std::mem::take(&mut interpreted.subjects) {
        let term = Term::from_facet(field, &Facet::from_path([state.as_str()]));
        if snapshot.searcher.doc_freq(&term)? > 0 {
            known.push(state);
        } else {
            interpreted.text = format!("{} {state}", interpreted.text).trim().to_owned();
        }
    }
    interpreted.subjects = known;
    Ok(())
}

/// The required and excluded clauses at the top of a query.
fn constraints(ast: &UserInputAst) -> Vec<(Option<Occur>, UserInputAst)> {
    match ast {
        UserInputAst::Clause(clauses) => clauses
            .iter()
            .filter(|(occur, _)| matches!(occur, Some(Occur::Must | Occur::MustNot)))
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

/// The user's words as tantivy's grammar reads them; None without words.
fn user_ast(text: &str) -> Result<Option<UserInputAst>> {
    if text.is_empty() {
        return Ok(None);
    }
    let ast = query_grammar::parse_query(text).map_err(|_| QueryError::Syntax {
        source: QueryParserError::SyntaxError(text.to_owned()),
    })?;
    Ok(Some(lift_negations(ast)))
}

/// The stems of `literals`, each once, in order.
fn distinct_stems(literals: &[UserInputLiteral], analyzer: &mut TextAnalyzer) -> Vec<String> {
    let mut stems: Vec<String> = Vec::new();
    for literal in literals {
        for stem in tokens(analyzer, &literal.phrase) {
            if !stems.contains(&stem) {
                stems.push(stem);
            }
        }
    }
    stems
}

/// The agents' names as one alternative: `"Republic of Korea" OR ROK`.
fn agents_ast(forms: &[String]) -> Option<UserInputAst> {
    let leaves: Vec<UserInputAst> = forms
        .iter()
        .map(|form| {
            if form.contains(' ') {
                quoted(form)
            } else {
                word(form)
            }
        })
        .collect();
    (!leaves.is_empty()).then(|| UserInputAst::or(leaves))
}

/// A phrase of the text field, quoted.
pub(crate) fn quoted(text: &str) -> UserInputAst {
    literal(text, Delimiter::DoubleQuotes)
}

/// A word of the text field.
pub(crate) fn word(text: &str) -> UserInputAst {
    literal(text, Delimiter::None)
}

fn literal(text: &str, delimiter: Delimiter) -> UserInputAst {
    UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
        field_name: None,
        phrase: text.to_owned(),
        delimiter,
        slop: 0,
        prefix: false,
    })))
}

/// The grammar reads "a AND NOT b" as a AND (NOT b): a required clause of
/// nothing but an exclusion, which no document matches. Lifted, it is the
/// exclusion the user meant: a, and not b.
fn lift_negations(ast: UserInputAst) -> UserInputAst {
    match ast {
        UserInputAst::Clause(clauses) => UserInputAst::Clause(
            clauses
                .into_iter()
                .map(|(occur, sub)| match lift_negations(sub) {
                    UserInputAst::Clause(mut inner)
                        if occur != Some(Occur::MustNot)
                            && inner.len() == 1
                            && inner[0].0 == Some(Occur::MustNot) =>
                    {
                        let (_, excluded) = inner.remove(0);
                        (Some(Occur::MustNot), excluded)
                    }
                    sub => (occur, sub),
                })
                .collect(),
        ),
        UserInputAst::Boost(sub, boost) => {
            UserInputAst::Boost(Box::new(lift_negations(*sub)), boost)
        }
        leaf => leaf,
    }
}

/// The literals a document must or may contain: not those under NOT or `-`.
fn positive_literals(ast: &UserInputAst, out: &mut Vec<UserInputLiteral>) {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (occur, sub) in clauses {
                if *occur != Some(Occur::MustNot) {
                    positive_literals(sub, out);
                }
            }
        }
        UserInputAst::Boost(sub, _) => positive_literals(sub, out),
        UserInputAst::Leaf(leaf) => {
            if let UserInputLeaf::Literal(literal) = &**leaf {
                out.push(literal.clone());
            }
        }
    }
}

/// The stems of `text` by the index's analyzer, in order.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// The mode a search runs in, and a notice where it is not the one asked for.
fn mode_for(
    asked: Option<Mode>,
    snapshot: &Snapshot<'_>,
    has_words: bool,
) -> Result<(Mode, Option<String>)> {
    let wanted = asked.unwrap_or_default();
    // Without words there is nothing to mean: filters alone browse by keyword.
    if wanted == Mode::Keyword || !has_words {
        return Ok((Mode::Keyword, None));
    }
    let catalog = &snapshot.catalog;
    let unavailable = if catalog.vectors.is_empty() {
        Some(Error::from(RequestError::NoEmbeddings))
    } else {
        // The search loads the model next anyway; a missing or broken one is known here.
        Embedder::shared().err()
    };
    match (unavailable, asked) {
        (Some(e), Some(_)) => Err(e),
        (Some(e), None) => Ok((Mode::Keyword, Some(format!("{e}; answered by keyword")))),
        (None, _) => Ok((wanted, coverage_notice(&catalog.vectors))),
    }
}

/// What share of the paragraphs search by meaning reaches, where not all.
fn coverage_notice(vectors: &super::vector::VectorStore) -> Option<String> {
    let (all, embedded) = (vectors.paragraphs, vectors.embedded_paragraphs);
    (embedded < all).then(|| {
        format!(
            "search by meaning covers {embedded} of {all} paragraphs ({:.0}%), by words all of them: `rapporteur embed` embeds the rest",
            100.0 * embedded as f64 / all.max(1) as f64
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals(q: &str) -> Vec<String> {
        let mut out = Vec::new();
        positive_literals(&query_grammar::parse_query(q).unwrap(), &mut out);
        out.into_iter().map(|l| l.phrase).collect()
    }

    #[test]
    fn negated_words_are_not_positive() {
        assert_eq!(literals("duplication AND NOT Japan"), ["duplication"]);
        assert_eq!(literals("duplication -Japan"), ["duplication"]);
        assert_eq!(
            literals("\"avoiding duplication with\" AND work"),
            ["avoiding duplication with", "work"]
        );
        assert_eq!(literals("a OR (b AND c)"), ["a", "b", "c"]);
    }

    #[test]
    fn and_not_excludes() {
        let ast = lift_negations(query_grammar::parse_query("duplication AND NOT Japan").unwrap());
        let UserInputAst::Clause(clauses) = ast else {
            panic!("a clause")
        };
        let occurs: Vec<Option<Occur>> = clauses.iter().map(|(o, _)| *o).collect();
        assert_eq!(occurs, [Some(Occur::Must), Some(Occur::MustNot)]);
    }

    #[test]
    fn agents_are_one_alternative_of_their_names() {
        let ast = agents_ast(&["Republic of Korea".into(), "ROK".into()]).unwrap();
        let mut out = Vec::new();
        positive_literals(&ast, &mut out);
        assert_eq!(out[0].delimiter, Delimiter::DoubleQuotes);
        assert_eq!(out[1].delimiter, Delimiter::None);
        assert!(agents_ast(&[]).is_none());
    }
}
