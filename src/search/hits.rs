//! Hits: a ranked paragraph read back from its stored record, with the
//! statements that answer the query and their highlights.

use tantivy::{DocAddress, DocSet, TERMINATED, Term};

use super::highlight::{self, Marks};
use super::id_set::postings;
use super::plan::QueryPlan;
use super::request::Mode;
use super::response::{Hit, StatementHit};
use super::searcher::Snapshot;
use crate::error::Result;
use crate::index::schema::KIND_PARAGRAPH;
use crate::index::stored::{StoredTexts, paragraph_of};
use crate::model::Paragraph;

/// Where a ranked paragraph is: its record, or its paragraph id to look up.
#[derive(Debug, Clone, Copy)]
pub(crate) enum At {
    Address(DocAddress),
    Para(u64),
}

/// One paragraph of a page of results.
pub(crate) struct Ranked {
    pub(crate) score: f32,
    pub(crate) at: At,
    /// The statements that matched, for a speaker search; None: all that mention the terms.
    pub(crate) statements: Option<Vec<u64>>,
}

/// The hits of a page, best first; hits found by meaning alone get their
/// closest sentence marked.
pub(crate) fn page(
    snapshot: &Snapshot<'_>,
    plan: &QueryPlan,
    page: Vec<Ranked>,
) -> Result<Vec<Hit>> {
    let mut hits = Vec::with_capacity(page.len());
    for ranked in page {
        if let Some(hit) = hit(snapshot, plan.marks(), &ranked)? {
            hits.push(hit);
        }
    }
    if plan.mode != Mode::Keyword
        && let Some(query) = plan.meaning_vectors()?.first()
    {
        highlight::by_meaning(&mut hits, query)?;
    }
    Ok(hits)
}

/// The paragraph record of a paragraph id: its postings in each segment,
/// the first live one that is a paragraph's. Read directly, not searched: a
/// page found by meaning looks up ten of them, and a search per id weighed
/// its query and scored its match each time.
pub(crate) fn paragraph_address(snapshot: &Snapshot<'_>, para: u64) -> Result<Option<DocAddress>> {
    let f = snapshot.fields();
    let para_term = Term::from_field_u64(f.para, para);
    let kind_term = Term::from_field_text(f.kind, KIND_PARAGRAPH);
    for (ordinal, segment) in snapshot.searcher.segment_readers().iter().enumerate() {
        let (Some(mut records), Some(mut paragraphs)) = (
            postings(segment, &para_term)?,
            postings(segment, &kind_term)?,
        ) else {
            continue;
        };
        let alive = segment.alive_bitset();
        let mut doc = records.doc();
        while doc != TERMINATED {
            // A postings list seeks forward only: past `doc` already, `doc` is no paragraph.
            let at = match paragraphs.doc() {
                behind if behind < doc => paragraphs.seek(doc),
                at => at,
            };
            if at == doc && alive.is_none_or(|a| a.is_alive(doc)) {
                return Ok(Some(DocAddress::new(ordinal as u32, doc)));
            }
            doc = records.advance();
        }
    }
    Ok(None)
}

/// A paragraph and its document id, read from its record.
pub(crate) fn paragraph_at(snapshot: &Snapshot<'_>, at: At) -> Result<Option<(String, Paragraph)>> {
    let address = match at {
        At::Address(a) => a,
        At::Para(para) => match paragraph_address(snapshot, para)? {
            Some(a) => a,
            None => return Ok(None),
        },
    };
    let stored: StoredTexts = snapshot.searcher.doc(address)?;
    Ok(paragraph_of(stored, snapshot.fields()))
}

/// One hit: the paragraph with the statements that matched (a speaker's own,
/// or those holding the marked words; the first where none does).
pub(crate) fn hit(snapshot: &Snapshot<'_>, marks: &Marks, ranked: &Ranked) -> Result<Option<Hit>> {
    let Some((doc_id, para)) = paragraph_at(snapshot, ranked.at)? else {
        return Ok(None);
    };
    let only = ranked.statements.as_deref();
    let doc = snapshot.catalog.get(&doc_id);
    let mut statements: Vec<StatementHit> = Vec::new();
    for (i, st) in para.statements.iter().enumerate() {
        if only.is_some_and(|set| !set.contains(&(i as u64))) {
            continue;
        }
        let highlights = marks.ranges(&st.text);
        if only.is_none() && highlights.is_empty() && !marks.is_empty() {
            continue;
        }
        statements.push(StatementHit::of(st, highlights));
    }
    if statements.is_empty()
        && let Some(st) = para.statements.first()
    {
        statements.push(StatementHit::of(st, Vec::new()));
    }
    let citation = super::citation::cite(doc, &doc_id, &para);
    let url = super::citation::official_url(doc.and_then(|d| d.symbol.as_deref()));
    Ok(Some(Hit {
        id: format!("{doc_id}#{}", para.number),
        document: doc_id,
        paragraph: para.number.clone(),
        score: ranked.score,
        meeting: doc.and_then(|d| d.meeting.clone()),
        date: doc.and_then(|d| d.date.clone()),
        agenda_item: para.agenda_item.clone(),
        agenda_title: para.agenda_title.clone(),
        topics: para.topics.clone(),
        speakers: para.speakers.clone(),
        text: para.text.clone(),
        statements,
        citation,
        url,
    }))
}
