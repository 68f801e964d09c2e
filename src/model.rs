//! The data rapporteur understands: a document cut into numbered paragraphs,
//! each cut into statements with their speakers. Field names are part of the
//! `parse --json` contract that other tools read: keep them.

use serde::{Deserialize, Serialize};

/// Who speaks: the kinds of speaker a meeting record names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerKind {
    Country,
    Organization,
    Officer,
    Secretariat,
    Meeting,
}

impl SpeakerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpeakerKind::Country => "country",
            SpeakerKind::Organization => "organization",
            SpeakerKind::Officer => "officer",
            SpeakerKind::Secretariat => "secretariat",
            SpeakerKind::Meeting => "meeting",
        }
    }

    pub fn parse(s: &str) -> Option<SpeakerKind> {
        Some(match s {
            "country" => SpeakerKind::Country,
            "organization" => SpeakerKind::Organization,
            "officer" => SpeakerKind::Officer,
            "secretariat" => SpeakerKind::Secretariat,
            "meeting" => SpeakerKind::Meeting,
            _ => return None,
        })
    }
}

/// A canonical speaker: "Japan" (country, JPN), "ICLEI" (organization), ...
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Speaker {
    pub name: String,
    pub kind: SpeakerKind,
    /// ISO 3166-1 alpha-3 for a country, else None.
    pub code: Option<String>,
}

/// A consecutive span of a paragraph said by one speaker (or jointly by several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The first (or only) speaker; `null` where the text is nobody's statement.
    pub speaker: Option<String>,
    pub speaker_kind: Option<SpeakerKind>,
    pub speaker_code: Option<String>,
    /// Every speaker of a joint statement ("The representatives of China and ROK ...").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint: Vec<Speaker>,
    pub text: String,
}

impl Statement {
    /// All speakers of the span, the first one included.
    pub fn speakers(&self) -> Vec<Speaker> {
        if !self.joint.is_empty() {
            return self.joint.clone();
        }
        match (&self.speaker, self.speaker_kind) {
            (Some(name), Some(kind)) => vec![Speaker {
                name: name.clone(),
                kind,
                code: self.speaker_code.clone(),
            }],
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paragraph {
    /// As printed: "24", "87.1".
    pub number: String,
    pub section: Option<String>,
    pub subsection: Option<String>,
    /// Normalised agenda code ("5a", "6"); None where none.
    pub agenda_item: Option<String>,
    pub agenda_title: Option<String>,
    /// Every agenda item the paragraph was discussed under ("22 covers 5, 6 and 7");
    /// empty for a conclusion that only relates to `agenda_item` by its label.
    #[serde(default)]
    pub agenda_items: Vec<String>,
    pub topics: Vec<String>,
    /// Sustainable Development Goals the paragraph is about, by meaning ("13 Climate action").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sdgs: Vec<String>,
    pub page: Option<u32>,
    pub text: String,
    pub speakers: Vec<String>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// Normalised code: "5", "5a".
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub symbol: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub meeting: Option<String>,
    /// ISO 8601, the meeting's first day where known.
    pub date: Option<String>,
    pub place: Option<String>,
    pub source: String,
    pub format: String,
    /// The adopted agenda, where the document carries one.
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
    /// Problems met while reading that did not stop it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub paragraphs: Vec<Paragraph>,
}

impl Document {
    /// The year of the meeting, from its date.
    pub fn year(&self) -> Option<i32> {
        self.date
            .as_deref()
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse().ok())
    }

    pub fn statement_count(&self) -> usize {
        self.paragraphs.iter().map(|p| p.statements.len()).sum()
    }
}

/// A document's metadata and size, without its paragraphs: what lists and the
/// search catalog hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub id: String,
    pub symbol: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub meeting: Option<String>,
    pub date: Option<String>,
    pub place: Option<String>,
    pub source: String,
    pub format: String,
    pub paragraphs: usize,
    pub statements: usize,
    pub speakers: usize,
    /// Every topic of its paragraphs, sorted.
    #[serde(default)]
    pub topics: Vec<String>,
}

impl DocumentSummary {
    pub fn of(d: &Document) -> DocumentSummary {
        let speakers: std::collections::HashSet<&String> = d
            .paragraphs
            .iter()
            .flat_map(|p| p.speakers.iter())
            .collect();
        let mut topics: Vec<String> = d
            .paragraphs
            .iter()
            .flat_map(|p| p.topics.iter().cloned())
            .collect();
        topics.sort();
        topics.dedup();
        DocumentSummary {
            id: d.id.clone(),
            symbol: d.symbol.clone(),
            title: d.title.clone(),
            body: d.body.clone(),
            meeting: d.meeting.clone(),
            date: d.date.clone(),
            place: d.place.clone(),
            source: d.source.clone(),
            format: d.format.clone(),
            paragraphs: d.paragraphs.len(),
            statements: d.statement_count(),
            speakers: speakers.len(),
            topics,
        }
    }
}
