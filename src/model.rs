//! The data rapporteur understands: a document cut into numbered paragraphs,
//! each cut into statements with their speakers. Field names are part of the
//! `parse --json` contract that other tools read: keep them.

use serde::{Deserialize, Serialize};

/// Who speaks: the kinds of speaker a meeting record names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerKind {
    /// A State, member or observer ("Japan").
    Country,
    /// An organisation ("ICLEI", "UNEP").
    Organization,
    /// An office holder or a person ("Chair", "Rapporteur", "Mr. Smith").
    Officer,
    /// The secretariat of the meeting.
    Secretariat,
    /// The meeting, or a body of it, as a whole ("The Working Group agreed ...").
    Meeting,
}

impl SpeakerKind {
    /// The kind's name as serialized: "country", "organization", ...
    pub fn as_str(self) -> &'static str {
        match self {
            SpeakerKind::Country => "country",
            SpeakerKind::Organization => "organization",
            SpeakerKind::Officer => "officer",
            SpeakerKind::Secretariat => "secretariat",
            SpeakerKind::Meeting => "meeting",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<SpeakerKind> {
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
    /// The canonical name ("Republic of Korea", not "ROK").
    pub name: String,
    /// What kind of speaker it is.
    pub kind: SpeakerKind,
    /// ISO 3166-1 alpha-3 for a country, else None.
    pub code: Option<String>,
}

/// A consecutive span of a paragraph said by one speaker (or jointly by several).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The first (or only) speaker; `null` where the text is nobody's statement.
    pub speaker: Option<String>,
    /// The first speaker's kind.
    pub speaker_kind: Option<SpeakerKind>,
    /// The first speaker's ISO 3166-1 alpha-3 code, for a country.
    pub speaker_code: Option<String>,
    /// Every speaker of a joint statement ("The representatives of China and ROK ...").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint: Vec<Speaker>,
    /// The span's text.
    pub text: String,
    /// In a verbatim record: the person as the label prints them, with their
    /// title ("Mr. Delattre", "Dame Barbara Woodward").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// In a verbatim record: the language spoken, where the record says ("French").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// In a verbatim record: the speech turn, counted from 1 within the meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<u32>,
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

/// A numbered paragraph of a document, cut into statements.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Paragraph {
    /// As printed: "24", "87.1".
    pub number: String,
    /// The heading of the roman-numbered section it stands in.
    pub section: Option<String>,
    /// The heading of the lettered subsection it stands in, if any.
    pub subsection: Option<String>,
    /// Normalised agenda code ("5a", "6"); None where none.
    pub agenda_item: Option<String>,
    /// The title of `agenda_item`.
    pub agenda_title: Option<String>,
    /// Every agenda item the paragraph was discussed under ("22 covers 5, 6 and 7");
    /// empty for a conclusion that only relates to `agenda_item` by its label.
    #[serde(default)]
    pub agenda_items: Vec<String>,
    /// Topics from the agenda item's title, else the subsection or section heading.
    pub topics: Vec<String>,
    /// Sustainable Development Goals the paragraph is about, by meaning ("13 Climate action").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sdgs: Vec<String>,
    /// The page it starts on, where the source has pages.
    pub page: Option<u32>,
    /// The paragraph's running text, without its number.
    pub text: String,
    /// Every speaker of its statements, in order of first appearance.
    pub speakers: Vec<String>,
    /// The States it is about, as distinct from its speakers: the State under
    /// review, States named in it or in its topic that do not speak in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    /// The paragraph cut into spans by speaker.
    pub statements: Vec<Statement>,
    /// The vote this paragraph records, in a verbatim record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote: Option<Vote>,
}

/// A vote as a verbatim record prints it: what was voted on, who voted how,
/// and the result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vote {
    /// What was voted on, as the record names it ("draft resolution S/2018/1016").
    pub subject: Option<String>,
    /// How: "show of hands", "recorded vote", ...
    pub method: Option<String>,
    /// The States in favour, by canonical name.
    pub in_favour: Vec<String>,
    /// The States against.
    pub against: Vec<String>,
    /// The States abstaining.
    pub abstaining: Vec<String>,
    /// "adopted", "not adopted", "rejected" or "retained", where the record says.
    pub result: Option<String>,
    /// The resolution it became ("2448 (2018)", "65/206").
    pub resolution: Option<String>,
}

impl Vote {
    /// The three ways a State votes, as the vote facet names them.
    pub const POSITIONS: [&'static str; 3] = ["in favour", "against", "abstaining"];

    /// Every State with how it voted.
    pub fn positions(&self) -> impl Iterator<Item = (&str, &'static str)> {
        let lists = [&self.in_favour, &self.against, &self.abstaining];
        lists
            .into_iter()
            .zip(Vote::POSITIONS)
            .flat_map(|(states, position)| states.iter().map(move |s| (s.as_str(), position)))
    }
}

/// What the cover of a verbatim record says of its meeting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetingRecord {
    /// The session or year ("Seventy-third year", "Sixtieth session").
    pub session: Option<String>,
    /// The meeting's number ("8422").
    pub number: Option<String>,
    /// The hour the meeting was convened ("3 p.m.").
    pub time: Option<String>,
    /// The presiding officer, as printed ("Mr. Adom").
    pub president: Option<String>,
    /// The State of the presiding officer.
    pub president_state: Option<String>,
    /// The members present, where the cover lists them (the Security Council's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Speech turns in the meeting.
    pub turns: u32,
}

/// An item of the adopted agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// Normalised code: "5", "5a".
    pub code: String,
    /// The item's title as the agenda prints it.
    pub title: String,
}

/// One ingested file: a meeting report or a speech, with its metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The UN symbol where the document carries one, else the file name stem.
    pub id: String,
    /// The UN document symbol ("A/HRC/8/44").
    pub symbol: Option<String>,
    /// The title; the file name stem where the text has none.
    pub title: Option<String>,
    /// The body that met ("Human Rights Council").
    pub body: Option<String>,
    /// The meeting's short name ("SOM-22", "HRC-8").
    pub meeting: Option<String>,
    /// ISO 8601, the meeting's first day where known.
    pub date: Option<String>,
    /// Where the meeting was held.
    pub place: Option<String>,
    /// The path of the file it was read from.
    pub source: String,
    /// The file's format: "text" or "pdf".
    pub format: String,
    /// The adopted agenda, where the document carries one.
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
    /// Problems met while reading that did not stop it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// What a verbatim record's cover says of its meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<MeetingRecord>,
    /// The numbered paragraphs, in order.
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

    /// How many statements its paragraphs hold.
    pub fn statement_count(&self) -> usize {
        self.paragraphs.iter().map(|p| p.statements.len()).sum()
    }
}

/// A document's metadata and size, without its paragraphs: what lists and the
/// search catalog hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummary {
    /// As [`Document::id`].
    pub id: String,
    /// As [`Document::symbol`].
    pub symbol: Option<String>,
    /// As [`Document::title`].
    pub title: Option<String>,
    /// As [`Document::body`].
    pub body: Option<String>,
    /// As [`Document::meeting`].
    pub meeting: Option<String>,
    /// As [`Document::date`].
    pub date: Option<String>,
    /// As [`Document::place`].
    pub place: Option<String>,
    /// As [`Document::source`].
    pub source: String,
    /// As [`Document::format`].
    pub format: String,
    /// How many paragraphs it has.
    pub paragraphs: usize,
    /// How many statements its paragraphs hold.
    pub statements: usize,
    /// How many different speakers it has.
    pub speakers: usize,
    /// Every topic of its paragraphs, sorted.
    #[serde(default)]
    pub topics: Vec<String>,
    /// The acronyms it defines, with their long forms: "DLD" → "desertification
    /// and land degradation".
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub acronyms: std::collections::BTreeMap<String, String>,
}

impl DocumentSummary {
    /// The summary of a document.
    pub(crate) fn of(d: &Document) -> DocumentSummary {
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
            acronyms: crate::ingest::acronyms::defined(
                d.paragraphs.iter().map(|p| p.text.as_str()),
            ),
        }
    }
}
