//! The filters of a search as tantivy queries, and how they combine with the
//! words: every stage (ranking, vectors, facets) filters the same way.

use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};

use super::catalog::Catalog;
use super::query::Interpreted;
use crate::error::{RequestError, Result};
use crate::index::Fields;
use crate::index::schema::date_number;
use crate::ingest::agenda::code_path;

pub(crate) fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

pub(crate) fn facet_term(field: Field, facet: &Facet) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_facet(field, facet),
        IndexRecordOption::Basic,
    ))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// Which facet a filter belongs to, so its own counts can leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FilterKind {
    Speaker,
    Agenda,
    Topic,
    Document,
    Year,
    Sdg,
    Vote,
    Body,
    Meeting,
    Subject,
    Dates,
}

/// The filters of one request as tantivy queries.
pub(crate) struct Filters {
    parts: Vec<(FilterKind, Box<dyn Query>)>,
}

impl Filters {
    pub(crate) fn new(i: &Interpreted, catalog: &Catalog, f: &Fields) -> Result<Filters> {
        let mut parts: Vec<(FilterKind, Box<dyn Query>)> = Vec::new();
        if !i.speakers.is_empty() {
            parts.push((
                FilterKind::Speaker,
                any_of(i.speakers.iter().map(|s| term(f.speaker_name, s)).collect()),
            ));
        }
        if !i.agenda.is_empty() {
            let q = i
                .agenda
                .iter()
                .map(|code| facet_term(f.agenda, &Facet::from_path(code_path(code))))
                .collect();
            parts.push((FilterKind::Agenda, any_of(q)));
        }
        if !i.topics.is_empty() {
            // A topic filter matches every topic that contains the words: "Core Fund"
            // finds "Review of the Core Fund" too.
            let mut q = Vec::new();
            for wanted in &i.topics {
                let w = wanted.to_lowercase();
                q.extend(
                    catalog
                        .topics
                        .iter()
                        .filter(|t| t.to_lowercase().contains(&w))
                        .map(|t| facet_term(f.topic, &Facet::from_path([t.as_str()]))),
                );
            }
            if q.is_empty() {
                q.push(facet_term(
                    f.topic,
                    &Facet::from_path([i.topics[0].as_str()]),
                ));
            }
            parts.push((FilterKind::Topic, any_of(q)));
        }
        if !i.documents.is_empty() {
            let mut q = Vec::new();
            for r in &i.documents {
                let id = catalog.find(r).map_or(r.clone(), |d| d.id.clone());
                q.push(term(f.doc_id, &id));
            }
            parts.push((FilterKind::Document, any_of(q)));
        }
        if !i.years.is_empty() {
            let q = i
                .years
                .iter()
                .map(|y| facet_term(f.year, &Facet::from_path([y.to_string()])))
                .collect();
            parts.push((FilterKind::Year, any_of(q)));
        }
        if !i.sdgs.is_empty() {
            let q = i
                .sdgs
                .iter()
                .map(|g| facet_term(f.sdg, &Facet::from_path([g.as_str()])))
                .collect();
            parts.push((FilterKind::Sdg, any_of(q)));
        }
        for (values, field, kind) in [
            (&i.bodies, f.body, FilterKind::Body),
            (&i.meetings, f.meeting, FilterKind::Meeting),
            (&i.subjects, f.subject, FilterKind::Subject),
        ] {
            if !values.is_empty() {
                let q = values
                    .iter()
                    .map(|v| facet_term(field, &Facet::from_path([v.as_str()])))
                    .collect();
                parts.push((kind, any_of(q)));
            }
        }
        if !i.votes.is_empty() {
            // A State's vote, whichever way it went.
            let q = i
                .votes
                .iter()
                .flat_map(|state| {
                    crate::model::Vote::POSITIONS.iter().map(move |position| {
                        facet_term(f.vote, &Facet::from_path([format!("{state}: {position}")]))
                    })
                })
                .collect();
            parts.push((FilterKind::Vote, any_of(q)));
        }
        if i.from.is_some() || i.to.is_some() {
            let from = date_number(i.from.as_deref()).unwrap_or(0);
            let to = date_number(i.to.as_deref()).unwrap_or(99_991_231);
            if from > to {
                return Err(RequestError::DatesReversed {
                    from: i.from.clone().unwrap_or_default(),
                    to: i.to.clone().unwrap_or_default(),
                }
                .into());
            }
            let range = RangeQuery::new(
                std::ops::Bound::Included(Term::from_field_u64(f.date, from)),
                std::ops::Bound::Included(Term::from_field_u64(f.date, to)),
            );
            parts.push((FilterKind::Dates, Box::new(range)));
        }
        Ok(Filters { parts })
    }

    /// All filters but the one of kind `except`.
    pub(crate) fn all(&self, except: Option<FilterKind>) -> Vec<Box<dyn Query>> {
        self.parts
            .iter()
            .filter(|(k, _)| Some(*k) != except)
            .map(|(_, q)| q.box_clone())
            .collect()
    }

    /// The filters of kind `kind` alone.
    pub(crate) fn of(&self, kind: FilterKind) -> Vec<Box<dyn Query>> {
        self.parts
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, q)| q.box_clone())
            .collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    pub(crate) fn has(&self, kind: FilterKind) -> bool {
        self.parts.iter().any(|(k, _)| *k == kind)
    }
}

/// [`combine`] where the words may stand for the kind: in a collection where
/// no statement is a record of its own, only paragraph records hold text, and
/// words that match text alone pick them whichever kind is asked for.
/// tantivy is then spared intersecting every match with the kind's postings,
/// which hold nearly every record.
pub(crate) fn combine_matching(
    separate_statements: bool,
    kind: &str,
    f: &Fields,
    text: Option<&dyn Query>,
    filters: Vec<Box<dyn Query>>,
) -> Box<dyn Query> {
    match text {
        Some(t) if !separate_statements && matches_text_only(t, f.text) => {
            if filters.is_empty() {
                return t.box_clone();
            }
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, t.box_clone())];
            clauses.extend(filters.into_iter().map(|q| (Occur::Must, q)));
            Box::new(BooleanQuery::new(clauses))
        }
        _ => combine(kind, f, text, filters),
    }
}

/// Whether every record `query` matches must hold one of its terms in the
/// `text` field. False for what it cannot see into: `*` (every record, a
/// document's summary too), a range, a boost, a field other than the text.
fn matches_text_only(query: &dyn Query, text: Field) -> bool {
    if let Some(term) = query.downcast_ref::<TermQuery>() {
        return term.term().field() == text;
    }
    if let Some(phrase) = query.downcast_ref::<PhraseQuery>() {
        return phrase.field() == text;
    }
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return false;
    };
    let clauses = boolean.clauses();
    let text_only = |clause: &&(Occur, Box<dyn Query>)| matches_text_only(&*clause.1, text);
    if clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        // A match matches every required clause: one of text suffices.
        clauses
            .iter()
            .filter(|(occur, _)| *occur == Occur::Must)
            .any(|c| text_only(&c))
    } else {
        // A match matches one of the optional clauses, any of them.
        let optional = || clauses.iter().filter(|(occur, _)| *occur == Occur::Should);
        optional().next().is_some() && optional().all(|c| text_only(&c))
    }
}

/// kind AND text AND filters.
pub(crate) fn combine(
    kind: &str,
    f: &Fields,
    text: Option<&dyn Query>,
    filters: Vec<Box<dyn Query>>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, term(f.kind, kind))];
    match text {
        Some(t) => clauses.push((Occur::Must, t.box_clone())),
        None => clauses.push((Occur::Must, Box::new(AllQuery))),
    }
    clauses.extend(filters.into_iter().map(|q| (Occur::Must, q)));
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_queries_that_must_match_a_text_term_stand_for_the_kind() {
        let (text, kind) = (Field::from_field_id(0), Field::from_field_id(1));
        let word = |w: &str| term(text, w);
        let all = || -> Box<dyn Query> { Box::new(AllQuery) };
        let both = |a: Occur, x: Box<dyn Query>, b: Occur, y: Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![(a, x), (b, y)]))
        };
        let phrase = |field: Field| -> Box<dyn Query> {
            Box::new(PhraseQuery::new(vec![
                Term::from_field_text(field, "climate"),
                Term::from_field_text(field, "change"),
            ]))
        };
        let stands = [
            (word("climate"), true),
            (phrase(text), true),
            (
                both(
                    Occur::Should,
                    word("climate"),
                    Occur::Should,
                    word("change"),
                ),
                true,
            ),
            (
                both(Occur::Must, word("climate"), Occur::Must, term(kind, "p")),
                true,
            ),
            (
                both(Occur::Must, word("climate"), Occur::MustNot, all()),
                true,
            ),
            (term(kind, "d"), false),
            (phrase(kind), false),
            (all(), false),
            (
                both(Occur::Should, word("climate"), Occur::Should, all()),
                false,
            ),
            (
                both(Occur::Must, all(), Occur::Should, word("climate")),
                false,
            ),
            (
                both(
                    Occur::MustNot,
                    word("climate"),
                    Occur::MustNot,
                    word("change"),
                ),
                false,
            ),
        ];
        for (i, (query, expected)) in stands.iter().enumerate() {
            assert_eq!(matches_text_only(&**query, text), *expected, "query {i}");
        }
    }
}
