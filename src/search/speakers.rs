//! Who said it the most: statements per speaker for a search, with the best
//! statement of each. It reads the same plan as a search, so its words (an
//! agent's names included) are the search's.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::collector::TopDocs;
use tantivy::schema::{Facet, Value};

use super::filters::combine;
use super::hits::{self, At, Ranked};
use super::plan::{Purpose, QueryPlan};
use super::request::SearchRequest;
use super::response::Hit;
use super::searcher::Searcher;
use crate::error::Result;
use crate::index::schema::{KIND_STATEMENT, paragraph_id};
use crate::model::SpeakerKind;

/// Matching statements considered.
const CANDIDATES: usize = 20_000;
/// Speakers listed where the request does not say.
pub const DEFAULT_SPEAKERS: usize = 20;

/// One speaker's share of a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpeakerCount {
    /// The speaker's canonical name.
    pub speaker: String,
    /// Country, organisation, officer, ...
    pub speaker_kind: SpeakerKind,
    /// Matching statements by this speaker.
    pub statements: u64,
    /// Paragraphs holding them.
    pub paragraphs: u64,
    /// Speech turns holding them, in verbatim records (0 elsewhere).
    pub turns: u64,
    /// The best of them, as a hit.
    pub top: Option<Hit>,
}

/// Statements, paragraph keys, and the best (score, key, statement) of one speaker.
#[derive(Default)]
struct Tally {
    statements: u64,
    paragraphs: HashSet<String>,
    turns: HashSet<(String, u64)>,
    best: Option<(f32, String, u64)>,
}

impl Searcher {
    /// Who said it the most: statements per speaker for a query, with the best one of each.
    pub fn speakers(&self, request: &SearchRequest) -> Result<Vec<SpeakerCount>> {
        let snapshot = self.snapshot()?;
        let plan = QueryPlan::new(request, &snapshot, Purpose::Words, DEFAULT_SPEAKERS)?;
        let f = snapshot.fields();
        let q = combine(
            KIND_STATEMENT,
            f,
            plan.keyword_query(),
            plan.filters.all(None),
        );
        let matches = snapshot
            .searcher
            .search(&*q, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
        let mut by_speaker: BTreeMap<(String, String), Tally> = BTreeMap::new();
        for (score, address) in matches {
            let doc: TantivyDocument = snapshot.searcher.doc(address)?;
            let key = doc
                .get_first(f.key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let statement = doc
                .get_first(f.statement)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            let turn = doc.get_first(f.turn).and_then(|v| v.as_u64());
            for value in doc.get_all(f.speaker) {
                let Some(facet) = value.as_facet() else {
                    continue;
                };
                let Ok(facet) = Facet::from_encoded(facet.as_bytes().to_vec()) else {
                    continue;
                };
                let parts: Vec<String> = facet.to_path().iter().map(|s| s.to_string()).collect();
                let [kind, name] = &parts[..] else { continue };
                let tally = by_speaker.entry((name.clone(), kind.clone())).or_default();
                tally.statements += 1;
                tally.paragraphs.insert(key.clone());
                if let (Some(turn), Some((document, _))) = (turn, key.rsplit_once('#')) {
                    tally.turns.insert((document.to_owned(), turn));
                }
                if tally.best.is_none() {
                    tally.best = Some((score, key.clone(), statement));
                }
            }
        }
        let mut out: Vec<SpeakerCount> = Vec::new();
        for ((name, kind), tally) in by_speaker {
            let top = match tally.best {
                Some((score, key, statement)) => hits::hit(
                    &snapshot,
                    plan.marks(),
                    &Ranked {
                        score,
                        at: At::Para(paragraph_id(&key)),
                        statements: Some(vec![statement]),
                    },
                )?,
                None => None,
            };
            out.push(SpeakerCount {
                speaker: name,
                speaker_kind: SpeakerKind::parse(&kind).unwrap_or(SpeakerKind::Organization),
                statements: tally.statements,
                paragraphs: tally.paragraphs.len() as u64,
                turns: tally.turns.len() as u64,
                top,
            });
        }
        out.sort_by(|a, b| {
            b.statements
                .cmp(&a.statements)
                .then(a.speaker.cmp(&b.speaker))
        });
        out.truncate(plan.limit.max(1));
        Ok(out)
    }
}
