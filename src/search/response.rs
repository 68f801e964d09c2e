//! What a search answers: the same serde types for the CLI's `--json` and the API.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::query::Interpreted;
use super::request::Mode;
use crate::model::SpeakerKind;

/// One statement of a hit: who said it and where the query's words are.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementHit {
    /// The speaker's canonical name; None for an unattributed sentence.
    pub speaker: Option<String>,
    /// Country, organisation, officer, secretariat or the meeting itself.
    pub speaker_kind: Option<SpeakerKind>,
    /// Everyone a joint statement is by ("(Belgium, Italy, Mexico)"), the speaker first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint: Vec<crate::model::Speaker>,
    /// In a verbatim record, the person as the label prints them ("Mr. Delattre").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// In a verbatim record, the language spoken ("French").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// In a verbatim record, the speech turn within the meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<u32>,
    /// The statement's text.
    pub text: String,
    /// Byte ranges of the matched words in `text`.
    pub highlights: Vec<[usize; 2]>,
}

impl StatementHit {
    /// A stored statement with the ranges to highlight in it.
    pub(crate) fn of(
        statement: &crate::model::Statement,
        highlights: Vec<[usize; 2]>,
    ) -> StatementHit {
        StatementHit {
            speaker: statement.speaker.clone(),
            speaker_kind: statement.speaker_kind,
            joint: statement.joint.clone(),
            person: statement.person.clone(),
            language: statement.language.clone(),
            turn: statement.turn,
            text: statement.text.clone(),
            highlights,
        }
    }
}

/// One paragraph that answers a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    /// The permalink: "<document-id>#<number>".
    pub id: String,
    /// The document's id.
    pub document: String,
    /// The paragraph's number as printed ("37", "60.1").
    pub paragraph: String,
    /// The ranking score (BM25, cosine or their blend, by mode).
    pub score: f32,
    /// The meeting ("SOM-22").
    pub meeting: Option<String>,
    /// The meeting's first day, ISO.
    pub date: Option<String>,
    /// The agenda item the paragraph relates to ("5e").
    pub agenda_item: Option<String>,
    /// That item's title.
    pub agenda_title: Option<String>,
    /// Topics of the paragraph.
    pub topics: Vec<String>,
    /// Everyone who speaks in the paragraph.
    pub speakers: Vec<String>,
    /// The paragraph's whole text.
    pub text: String,
    /// The statements that matched (a speaker's own, or those with the words).
    pub statements: Vec<StatementHit>,
    /// How to cite it: "A/HRC/8/44, para. 61 (HRC-8, 2 June 2008)", "S/PV.8422, p. 4 (…)".
    #[serde(default)]
    pub citation: String,
    /// The official document on undocs.org, where its symbol is a United Nations one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One facet value and how many matches carry it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct FacetCount {
    /// The value as displayed ("Japan", "5e", "2018"), shared with the
    /// index generation's list of names.
    #[schema(value_type = String)]
    pub value: Arc<str>,
    /// Matching records with this value.
    pub count: u64,
}

/// Counts by facet; each leaves out its own filter, so a choice can be widened.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Facets {
    /// Counted on the matching statements: who said it.
    pub speaker: Vec<FacetCount>,
    /// Agenda items, with their top-level items ("5" for "5e").
    pub agenda_item: Vec<FacetCount>,
    /// Topics.
    pub topic: Vec<FacetCount>,
    /// Documents.
    pub document: Vec<FacetCount>,
    /// Meeting years.
    pub year: Vec<FacetCount>,
    /// Sustainable Development Goals, by meaning.
    #[serde(default)]
    pub sdg: Vec<FacetCount>,
    /// Bodies that met.
    #[serde(default)]
    pub body: Vec<FacetCount>,
    /// Meetings.
    #[serde(default)]
    pub meeting: Vec<FacetCount>,
    /// The States paragraphs are about (the State under review, States named).
    #[serde(default)]
    pub subject: Vec<FacetCount>,
    /// How States voted, in verbatim records ("China: abstaining").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vote: Vec<FacetCount>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResponse {
    /// The query as asked.
    pub query: String,
    /// What was understood of it, with the explicit filters merged in.
    pub interpreted: Interpreted,
    /// The mode the search ran in.
    pub mode: Mode,
    /// Why the answer is not what was asked (semantic search unavailable, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Matching paragraphs, exact.
    pub total: usize,
    /// Time spent in the library.
    pub took_ms: f64,
    /// The page of hits asked for.
    pub hits: Vec<Hit>,
    /// Counts by facet.
    pub facets: Facets,
}

/// Paragraphs like one paragraph, by meaning.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimilarResponse {
    /// The paragraph compared with.
    pub id: String,
    /// Time spent in the library.
    pub took_ms: f64,
    /// Most similar first.
    pub hits: Vec<Hit>,
}
