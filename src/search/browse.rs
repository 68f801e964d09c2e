//! Browsing: the documents, a document's outline, a paragraph with its
//! neighbours (the permalink).

use std::collections::BTreeMap;

use crate::index::stored::StoredTexts;
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur};

use super::filters::term;
use super::hits::{self, At};
use super::searcher::{Searcher, Snapshot};
use crate::error::{NotFound, Result};
use crate::index::schema::{KIND_DOCUMENT, paragraph_id};
use crate::model::{AgendaItem, Document, DocumentSummary, Paragraph};

/// A paragraph with its place in the meeting: the permalink target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParagraphView {
    /// The permalink: "<document-id>#<number>".
    pub id: String,
    /// The document it belongs to.
    pub document: DocumentSummary,
    /// The paragraph, with its statements.
    pub paragraph: Paragraph,
    /// The paragraph before it, if any.
    pub previous: Option<Paragraph>,
    /// The paragraph after it, if any.
    pub next: Option<Paragraph>,
    /// How to cite it (see [`crate::search::Hit::citation`]).
    pub citation: String,
    /// The official document on undocs.org, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The outline of a document: where each section, agenda item and speaker is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outline {
    /// The document.
    pub document: DocumentSummary,
    /// The adopted agenda, as the document lists it.
    pub agenda: Vec<AgendaItem>,
    /// Sections (and subsections) in document order.
    pub sections: Vec<OutlineEntry>,
    /// Runs of paragraphs under each agenda item.
    pub agenda_items: Vec<OutlineEntry>,
    /// Speakers, most paragraphs first.
    pub speakers: Vec<OutlineEntry>,
}

/// A run of paragraphs under one section, agenda item or speaker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutlineEntry {
    /// The section, agenda item or speaker.
    pub name: String,
    /// Paragraph numbers, first and last, in document order.
    pub first: String,
    /// The last of them.
    pub last: String,
    /// How many paragraphs.
    pub paragraphs: usize,
}

impl Searcher {
    /// Resolves a document reference (id, symbol, file name stem or slug) to
    /// the document with its outline (paragraph texts left out).
    pub fn resolve_document(&self, reference: &str) -> Result<Document> {
        document_in(&self.snapshot()?, reference)
    }

    /// Every document, newest first.
    pub fn documents(&self) -> Result<Vec<DocumentSummary>> {
        Ok(self.snapshot()?.catalog.documents.clone())
    }

    /// "<document>#<number>" with the paragraphs before and after it.
    pub fn paragraph(&self, doc_ref: &str, number: &str) -> Result<ParagraphView> {
        let snapshot = self.snapshot()?;
        let doc = document_in(&snapshot, doc_ref)?;
        let position = doc
            .paragraphs
            .iter()
            .position(|p| p.number == number)
            .ok_or_else(|| NotFound::Paragraph {
                document: doc.id.clone(),
                number: number.to_owned(),
            })?;
        let load = |i: usize| -> Result<Option<Paragraph>> {
            let Some(p) = doc.paragraphs.get(i) else {
                return Ok(None);
            };
            let at = At::Para(paragraph_id(&format!("{}#{}", doc.id, p.number)));
            Ok(hits::paragraph_at(&snapshot, at)?.map(|(_, p)| p))
        };
        let paragraph = load(position)?.ok_or_else(|| NotFound::Paragraph {
            document: doc.id.clone(),
            number: number.to_owned(),
        })?;
        let previous = if position > 0 {
            load(position - 1)?
        } else {
            None
        };
        let document = DocumentSummary::of(&doc);
        Ok(ParagraphView {
            id: format!("{}#{}", doc.id, number),
            citation: super::citation::cite(Some(&document), &doc.id, &paragraph),
            url: super::citation::official_url(document.symbol.as_deref()),
            document,
            paragraph,
            previous,
            next: load(position + 1)?,
        })
    }

    /// Where each section, agenda item and speaker of a document is.
    pub fn outline(&self, doc_ref: &str) -> Result<Outline> {
        let doc = self.resolve_document(doc_ref)?;
        let mut sections: Vec<OutlineEntry> = Vec::new();
        let mut agenda_items: Vec<OutlineEntry> = Vec::new();
        let mut speakers: BTreeMap<String, OutlineEntry> = BTreeMap::new();
        for p in &doc.paragraphs {
            let section = match (&p.section, &p.subsection) {
                (Some(s), Some(sub)) => format!("{s} / {sub}"),
                (Some(s), None) => s.clone(),
                (None, Some(sub)) => sub.clone(),
                (None, None) => "(opening)".into(),
            };
            extend_run(&mut sections, &section, &p.number);
            if let Some(code) = &p.agenda_item {
                let name = match &p.agenda_title {
                    Some(t) => format!("{code} {t}"),
                    None => code.clone(),
                };
                extend_run(&mut agenda_items, &name, &p.number);
            }
            for s in &p.speakers {
                let e = speakers.entry(s.clone()).or_insert_with(|| OutlineEntry {
                    name: s.clone(),
                    first: p.number.clone(),
                    last: p.number.clone(),
                    paragraphs: 0,
                });
                e.last = p.number.clone();
                e.paragraphs += 1;
            }
        }
        let mut speakers: Vec<OutlineEntry> = speakers.into_values().collect();
        speakers.sort_by(|a, b| b.paragraphs.cmp(&a.paragraphs).then(a.name.cmp(&b.name)));
        Ok(Outline {
            document: DocumentSummary::of(&doc),
            agenda: doc.agenda.clone(),
            sections,
            agenda_items,
            speakers,
        })
    }
}

fn extend_run(entries: &mut Vec<OutlineEntry>, name: &str, number: &str) {
    match entries.last_mut() {
        Some(last) if last.name == name => {
            last.last = number.to_owned();
            last.paragraphs += 1;
        }
        _ => entries.push(OutlineEntry {
            name: name.to_owned(),
            first: number.to_owned(),
            last: number.to_owned(),
            paragraphs: 1,
        }),
    }
}

/// The document `reference` names, with its outline, as `snapshot` sees it:
/// the stages of one request read the same index generation.
pub(crate) fn document_in(snapshot: &Snapshot<'_>, reference: &str) -> Result<Document> {
    let (searcher, catalog) = (&snapshot.searcher, &snapshot.catalog);
    let not_found = || NotFound::Document {
        reference: reference.to_owned(),
    };
    let id = catalog.find(reference).ok_or_else(not_found)?.id.clone();
    let f = snapshot.fields();
    let q = BooleanQuery::new(vec![
        (Occur::Must, term(f.doc_id, &id)),
        (Occur::Must, term(f.kind, KIND_DOCUMENT)),
    ]);
    let found = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    let (_, address) = found.first().ok_or_else(not_found)?;
    let stored: StoredTexts = searcher.doc(*address)?;
    stored
        .first(f.payload)
        .and_then(|p| serde_json::from_str(p).ok())
        .ok_or_else(|| not_found().into())
}
