//! Retrieval and ranking: the nearest paragraphs by meaning, then one pass over
//! the index that ranks the matches (and counts the facets that ride on it),
//! then the ranking of the mode: keyword (BM25), semantic (cosine) or hybrid
//! (their blend, see [`super::fusion`]).

use tantivy::DocAddress;
use tantivy::collector::{Count, FruitHandle, MultiCollector, MultiFruit, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};

use super::collect::{self, Group, Matches};
use super::facets::{self, Riding};
use super::filters::{FilterKind, combine, combine_matching};
use super::fusion;
use super::hits::{At, Ranked};
use super::plan::QueryPlan;
use super::request::{Mode, Sort};
use super::searcher::Snapshot;
use super::top_blocks::TopAndBlocks;
use crate::error::Result;

/// Nearest paragraphs considered by semantic and hybrid search.
const SEMANTIC_CANDIDATES: usize = 100;

/// The nearest paragraphs by meaning among those the filters allow; none in
/// keyword mode. In hybrid mode only those close to the best one count.
pub(crate) fn meaning_candidates(snapshot: &Snapshot<'_>, plan: &QueryPlan) -> Result<Vec<Group>> {
    if plan.mode == Mode::Keyword {
        return Ok(Vec::new());
    }
    let queries: Vec<&[f32]> = plan.meaning_vectors()?.iter().map(|v| &v[..]).collect();
    let allowed = meaning_allowed(snapshot, plan);
    let k = SEMANTIC_CANDIDATES.max(plan.wanted());
    let vectors = &snapshot.catalog.vectors;
    // Semantic mode is the nearest paragraphs, as they are; the default blend
    // searches again from its first neighbours (see `search_with_feedback`),
    // where the words keep a drift in check.
    if plan.mode == Mode::Semantic {
        return vectors.search(&snapshot.searcher, &*allowed, &queries, k, None);
    }
    let mut found = vectors.search_with_feedback(&snapshot.searcher, &*allowed, &queries, k)?;
    fusion::close_enough(&mut found, plan.filters.has(FilterKind::Speaker));
    Ok(found)
}

/// The records a search by meaning may return: the plan's kind and filters.
/// The user's excluded words leave their records out, as on the word side.
pub(crate) fn meaning_allowed(snapshot: &Snapshot<'_>, plan: &QueryPlan) -> Box<dyn Query> {
    let allowed = combine(plan.kind, snapshot.fields(), None, plan.filters.all(None));
    match plan.words.as_ref().and_then(|w| w.excluded.as_deref()) {
        Some(excluded) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, allowed),
            (Occur::MustNot, excluded.box_clone()),
        ])),
        None => allowed,
    }
}

/// What a hit must match, filters aside: the words, the meaning candidates, or either.
pub(crate) fn matching(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
    semantic: &[Group],
) -> Option<Box<dyn Query>> {
    let f = snapshot.fields();
    match plan.mode {
        Mode::Keyword => plan.keyword_query().map(|q| q.box_clone()),
        Mode::Semantic => Some(fusion::paragraphs_query(f, semantic)),
        Mode::Hybrid => Some(fusion::either(
            plan.keyword_query(),
            fusion::paragraphs_query(f, semantic),
        )),
    }
}

/// The main pass over the index: the ranking's raw material, the exact total,
/// and the counts of every facet whose query is the main one.
pub(crate) struct MainPass {
    pub(crate) fruits: MultiFruit,
    pub(crate) riding: Riding,
    pub(crate) found: Found,
}

/// What the pass collected for ranking.
pub(crate) enum Found {
    /// Keyword search by relevance, paragraphs only: tantivy's own top-k (found
    /// on a pass of its own, which skips what cannot enter it) and the count.
    TopDocs(Vec<(f32, DocAddress)>, FruitHandle<usize>),
    /// Every match, to group statements under paragraphs, fuse or sort by date.
    Every(FruitHandle<Vec<collect::Match>>),
}

impl MainPass {
    pub(crate) fn run(
        snapshot: &Snapshot<'_>,
        plan: &QueryPlan,
        matching: Option<&dyn Query>,
    ) -> Result<MainPass> {
        let main = main_query(snapshot, plan, matching);
        let mut multi = MultiCollector::new();
        let fast = plan.mode == Mode::Keyword && !plan.by_speaker() && plan.sort != Sort::Date;
        if !fast {
            let every = multi.add_collector(Matches);
            let riding = facets::ride(&mut multi, snapshot, plan);
            let fruits = snapshot.search(&*main, &multi)?;
            return Ok(MainPass {
                fruits,
                riding,
                found: Found::Every(every),
            });
        }
        let top = TopDocs::with_limit(plan.wanted().max(1)).order_by_score();
        let count = multi.add_collector(Count);
        let riding = facets::ride(&mut multi, snapshot, plan);
        let (top, fruits) = if main.is::<TermQuery>() {
            // A lone word: tantivy's top-k skips the blocks that cannot
            // enter it (block-max WAND), and the total and the facets read
            // the matches a block at a time without scores.
            let top = snapshot.search(&*main, &top)?;
            (top, snapshot.search(&*main, &multi)?)
        } else {
            // Elsewhere one pass: a union of frequent words, a phrase or a
            // filter lets WAND skip little, and a second pass reads every
            // posting (and position) again. The top hits see each scored
            // match; the counts get them a block at a time.
            let both = TopAndBlocks { top, rest: multi };
            snapshot.search(&*main, &both)?
        };
        let found = Found::TopDocs(top, count);
        Ok(MainPass {
            fruits,
            riding,
            found,
        })
    }
}

/// A union of terms and unions of terms as one union of terms, which scores
/// the same (the sum of the matching terms' scores) and which tantivy can
/// prune: an acronym's long form nests one ("sustainable development goals"
/// also ranks the records that say "SDGs"). None for anything else.
fn union_of_terms(query: &dyn Query) -> Option<BooleanQuery> {
    let is_union = |b: &BooleanQuery| {
        b.get_minimum_number_should_match() <= 1
            && b.clauses().iter().all(|(occur, _)| *occur == Occur::Should)
    };
    let outer = query
        .downcast_ref::<BooleanQuery>()
        .filter(|b| is_union(b))?;
    let mut terms: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (_, clause) in outer.clauses() {
        if clause.is::<TermQuery>() {
            terms.push((Occur::Should, clause.box_clone()));
            continue;
        }
        let inner = clause
            .downcast_ref::<BooleanQuery>()
            .filter(|b| is_union(b))?;
        for (_, term) in inner.clauses() {
            if !term.is::<TermQuery>() {
                return None;
            }
            terms.push((Occur::Should, term.box_clone()));
        }
    }
    Some(BooleanQuery::new(terms))
}

/// kind AND matching AND filters (see [`combine_matching`]).
fn main_query(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
    matching: Option<&dyn Query>,
) -> Box<dyn Query> {
    let query = combine_matching(
        snapshot.catalog.separate_statements,
        plan.kind,
        snapshot.fields(),
        matching,
        plan.filters.all(None),
    );
    // Where that is the words alone: tantivy's top-k skips blocks (block-max
    // WAND) only on a union of terms at the top.
    match union_of_terms(&*query) {
        Some(flat) => Box::new(flat),
        None => query,
    }
}

/// The total of matching paragraphs and the page asked for.
pub(crate) struct Ranking {
    pub(crate) total: usize,
    pub(crate) page: Vec<Ranked>,
}

/// The nearest paragraphs by meaning and, for a hybrid search, the word side
/// of the fusion. One after the other: the word side costs tens of
/// microseconds, about what a second thread costs to start.
pub(crate) fn candidates(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
) -> Result<(Vec<Group>, Option<fusion::WordSide>)> {
    let semantic = meaning_candidates(snapshot, plan)?;
    let words = match plan.mode {
        Mode::Hybrid => Some(fusion::WordSide::new(snapshot, plan)?),
        _ => None,
    };
    Ok((semantic, words))
}

/// Ranks what the main pass found, in the plan's mode.
pub(crate) fn rank(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
    found: Found,
    fruits: &mut MultiFruit,
    (semantic, words): (Vec<Group>, Option<fusion::WordSide>),
) -> Result<Ranking> {
    let matches = match found {
        Found::TopDocs(top, count) => {
            let total = count.extract(fruits);
            let page = top
                .into_iter()
                .skip(plan.offset)
                .map(|(score, address)| Ranked {
                    score,
                    at: At::Address(address),
                    statements: None,
                })
                .collect();
            return Ok(Ranking { total, page });
        }
        Found::Every(every) => every.extract(fruits),
    };
    // Keyword scores are BM25; the semantic clause scores nothing.
    let keyword: Vec<collect::Match> = matches
        .into_iter()
        .filter(|m| plan.mode == Mode::Keyword || m.score > 0.0)
        .collect();
    let mut ranked = match plan.mode {
        Mode::Keyword => collect::group(keyword, false),
        Mode::Semantic => semantic,
        // Fusion orders the blend itself.
        Mode::Hybrid => {
            let one_per_paragraph = !snapshot.catalog.separate_statements;
            let keyword = collect::group_unordered(keyword, one_per_paragraph);
            let words = match words {
                Some(words) => words,
                None => fusion::WordSide::new(snapshot, plan)?,
            };
            hybrid(plan, keyword, &semantic, words)
        }
    };
    if plan.sort == Sort::Date {
        ranked.sort_by(|a, b| b.date.cmp(&a.date).then(b.score.total_cmp(&a.score)));
    }
    let total = ranked.len();
    let page = ranked
        .into_iter()
        .skip(plan.offset)
        .take(plan.limit)
        .map(|g| Ranked {
            score: g.score,
            at: At::Para(g.para),
            statements: plan.by_speaker().then_some(g.statements),
        })
        .collect();
    Ok(Ranking { total, page })
}

/// Words and meaning blended, exact matches of a named thing first.
fn hybrid(
    plan: &QueryPlan,
    mut keyword: Vec<Group>,
    semantic: &[Group],
    words: fusion::WordSide,
) -> Vec<Group> {
    fusion::scale_keyword(&mut keyword, words.coverage.as_ref());
    fusion::share_within_speeches(&mut keyword, semantic);
    // A date sort orders everything afterwards; otherwise only the page is read in order.
    let ordered = match plan.sort {
        Sort::Date => 0,
        _ => plan.offset.saturating_add(plan.limit),
    };
    fusion::fuse(
        keyword,
        semantic,
        plan.semantic_ratio,
        words.exact.as_ref(),
        ordered,
    )
}

#[cfg(test)]
mod tests {
    use tantivy::Term;
    use tantivy::collector::TopDocs;
    use tantivy::query::PhraseQuery;
    use tantivy::schema::IndexRecordOption;

    use super::*;
    use crate::search::test_index::of_texts;

    #[test]
    fn a_union_of_unions_of_terms_is_flattened_and_scores_the_same() {
        let (index, text) = of_texts(&[vec![
            "sustainable development goals",
            "the SDGs and development",
            "goals of the SDGs",
            "nothing here",
        ]]);
        let word = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let union = |clauses: Vec<Box<dyn Query>>| {
            BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Should, q)).collect())
        };
        let nested = union(vec![
            Box::new(union(vec![word("sustainable"), word("development")])),
            Box::new(union(vec![word("sdgs"), word("goals")])),
        ]);
        let flat = union_of_terms(&nested).expect("a union of unions of terms");
        assert_eq!(flat.clauses().len(), 4);
        let searcher = index.reader().expect("reader").searcher();
        let top = |q: &dyn Query| {
            searcher
                .search(q, &TopDocs::with_limit(10).order_by_score())
                .expect("search")
        };
        let (before, after) = (top(&nested), top(&flat));
        assert_eq!(before.len(), 3);
        for ((a, da), (b, db)) in before.iter().zip(&after) {
            assert_eq!(da, db);
            assert!((a - b).abs() < 1e-5, "{a} {b}");
        }
        // A phrase, a required clause or "at least two" stays as it is.
        let phrase: Box<dyn Query> = Box::new(PhraseQuery::new(vec![
            Term::from_field_text(text, "sustainable"),
            Term::from_field_text(text, "development"),
        ]));
        assert!(union_of_terms(&union(vec![word("goals"), phrase])).is_none());
        let required = BooleanQuery::new(vec![(Occur::Must, word("goals"))]);
        assert!(union_of_terms(&required).is_none());
        let two =
            BooleanQuery::union_with_minimum_required_clauses(vec![word("goals"), word("sdgs")], 2);
        assert!(union_of_terms(&two).is_none());
    }
}
