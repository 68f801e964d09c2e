//! From pieces to paragraphs: each speech turn's speaker (a State, the
//! presidency, the Secretary-General, a guest's office), its language and
//! number, the agenda item it stands under, and the votes.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::cover::{self, Cover};
use super::labels::{Label, Who};
use super::pieces::{self, Line, Piece};
use super::votes;
use crate::ingest::speakers::gazetteer;
use crate::ingest::structure::heading_case;
use crate::model::{AgendaItem, Paragraph, Speaker, SpeakerKind, Statement, Vote};

/// What the pieces became.
pub(crate) struct Built {
    pub paragraphs: Vec<Paragraph>,
    pub agenda: Vec<AgendaItem>,
    pub turns: u32,
    pub warnings: Vec<String>,
}

/// "I shall now make a statement in my capacity as the representative of France."
static CAPACITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"in (?:my|his|her) capacity as (?:the )?representative of (?P<state>[^.;:]{3,80})")
        .expect("capacity pattern")
});

static RESUME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)resume (?:my|the|his|her) functions as (?:President|Chair)")
        .expect("resume pattern")
});

/// "I invite Mr. Jean-Pierre Lacroix, Under-Secretary-General for Peace
/// Operations, to participate": a guest's office.
static INVITATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:invite|call on|give the floor to)\s+(?P<person>(?:Mr|Ms|Mrs|Dr|Dame|Sir|Judge|General)\.?\s+[A-Z][\p{L}'’ .-]{1,50}?),\s+(?P<office>[^,;]{5,120}?)(?:,|\s+to participate|\s+to brief|\.)")
        .expect("invitation pattern")
});

/// "Mr. Nyakyi (United Republic of Tanzania), Vice-President, took the Chair."
static TOOK_CHAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<person>(?:Mr|Ms|Mrs|Dr|Dame|Sir|Sheikh|Sheikha)\.?\s+[^(,]+)[(,].*took the Chair",
    )
    .expect("chair pattern")
});

/// The current turn.
#[derive(Debug, Clone)]
struct Turn {
    number: u32,
    speaker: Speaker,
    person: Option<String>,
    language: Option<String>,
    presiding: bool,
    /// Whom the presiding officer speaks for after "in my capacity as ...".
    capacity: Option<Speaker>,
}

#[derive(Default)]
struct Builder<'a> {
    cover: Option<&'a Cover>,
    guests: HashMap<String, String>,
    acting: Option<String>,
    turn: Option<Turn>,
    turns: u32,
    codes: Vec<String>,
    agenda_title: Option<String>,
    topic: Option<String>,
    agenda: Vec<(String, String)>,
    paragraphs: Vec<Paragraph>,
    warnings: Vec<String>,
}

/// Builds the record's paragraphs from its pieces.
pub(crate) fn build(found: &[Piece], lines: &[Line], cover: &Cover) -> Built {
    let widths = column_widths(lines);
    let mut b = Builder {
        cover: Some(cover),
        guests: guests(lines),
        topic: cover.agenda.first().cloned(),
        ..Builder::default()
    };
    for piece in found {
        match piece {
            Piece::Heading(heading) => b.heading(heading),
            Piece::Label(label) => b.label(label),
            Piece::Language(language) => {
                if let Some(turn) = &mut b.turn {
                    turn.language = Some(language.clone());
                }
            }
            Piece::Speech(speech) => {
                let width = |page| widths.get(&page).copied().unwrap_or(50);
                for para in pieces::paragraphs(speech, width) {
                    b.speech(&para);
                }
            }
            Piece::Procedural(lines) => b.procedural(lines),
            Piece::Vote(lines) => b.vote(lines),
        }
    }
    b.settle_votes();
    Built {
        agenda: cover::agenda_items(&b.agenda),
        turns: b.turns,
        warnings: b.warnings,
        paragraphs: b.paragraphs,
    }
}

/// Each page's column width: the 70th percentile of its line lengths.
fn column_widths(lines: &[Line]) -> HashMap<u32, usize> {
    let mut by_page: HashMap<u32, Vec<usize>> = HashMap::new();
    for (page, line) in lines {
        by_page.entry(*page).or_default().push(line.chars().count());
    }
    by_page
        .into_iter()
        .map(|(page, mut lengths)| {
            lengths.sort_unstable();
            (page, lengths[lengths.len() * 7 / 10])
        })
        .collect()
}

/// Guests' offices from the President's invitations, by surname.
fn guests(lines: &[Line]) -> HashMap<String, String> {
    let text = pieces::running_text(lines);
    let mut offices = HashMap::new();
    for c in INVITATION.captures_iter(&text) {
        let office = c["office"].trim();
        if office.starts_with(|ch: char| ch.is_lowercase()) && !office.starts_with("the ") {
            continue;
        }
        if let Some(surname) = c["person"].split_whitespace().last() {
            offices.insert(
                surname.to_owned(),
                office.trim_start_matches("the ").to_owned(),
            );
        }
    }
    offices
}

impl Builder<'_> {
    fn body(&self) -> String {
        self.cover
            .and_then(|c| c.body.clone())
            .unwrap_or_else(|| "meeting".into())
    }

    fn heading(&mut self, heading: &[String]) {
        let Some(first) = heading.first() else { return };
        if let Some((codes, rest)) = cover::agenda_heading(first) {
            let title: Vec<&str> = std::iter::once(rest.as_str())
                .chain(heading[1..].iter().map(String::as_str))
                .filter(|l| !l.is_empty())
                .collect();
            let title = heading_case(&title.join(" "));
            for code in &codes {
                self.agenda.push((code.clone(), title.clone()));
            }
            self.codes = codes;
            self.agenda_title = (!title.is_empty()).then_some(title.clone());
            self.topic = (!title.is_empty()).then_some(title);
        } else {
            // A heading that opens with an item of the cover's agenda is that item.
            let joined = heading.join(" ");
            let on_cover = self.cover.and_then(|c| {
                c.agenda
                    .iter()
                    .find(|t| joined.starts_with(t.as_str()))
                    .cloned()
            });
            self.topic = Some(on_cover.unwrap_or_else(|| heading_case(&first_title(heading))));
        }
    }

    fn label(&mut self, label: &Label) {
        self.turns += 1;
        let body = self.body();
        let (speaker, person, presiding) = match &label.who {
            Who::Person {
                person,
                affiliation,
            } => (self.affiliated(affiliation), Some(person.clone()), false),
            Who::Presiding { acting, role } => {
                let office = if role.contains("Chair") {
                    "Chair".to_owned()
                } else {
                    format!("President of the {body}")
                };
                let person = if *acting {
                    self.acting.clone()
                } else {
                    self.acting
                        .clone()
                        .or_else(|| self.cover.and_then(|c| c.record.president.clone()))
                };
                (officer(&office), person, true)
            }
            Who::SecretaryGeneral { role } => (officer(role), None, false),
            Who::Guest { person } => {
                let surname = person.split_whitespace().last().unwrap_or_default();
                let speaker = match self.guests.get(surname) {
                    Some(office) => organisation_in(office).unwrap_or_else(|| officer(office)),
                    None => officer(person),
                };
                (speaker, Some(person.clone()), false)
            }
        };
        self.turn = Some(Turn {
            number: self.turns,
            speaker,
            person,
            language: label.language.clone(),
            presiding,
            capacity: None,
        });
    }

    fn affiliated(&mut self, affiliation: &str) -> Speaker {
        if let Some(speaker) = gazetteer().resolve(affiliation) {
            return speaker.clone();
        }
        if let Some(org) = organisation_in(affiliation) {
            return org;
        }
        self.warnings.push(format!(
            "a speaker label names `{affiliation}`, which is not a known State or organisation"
        ));
        Speaker {
            name: affiliation.to_owned(),
            kind: SpeakerKind::Country,
            code: None,
        }
    }

    fn speech(&mut self, lines: &[Line]) {
        let text = pieces::running_text(lines);
        let page = lines.first().map(|l| l.0);
        let Some(turn) = &mut self.turn else {
            self.push(text, page, None, None);
            return;
        };
        if turn.presiding {
            if let Some(c) = CAPACITY.captures(&text) {
                turn.capacity = gazetteer()
                    .resolve_prefix(c["state"].trim())
                    .map(|(speaker, _)| speaker.clone());
            } else if RESUME.is_match(&text) {
                turn.capacity = None;
            }
        }
        let speaker = turn
            .capacity
            .clone()
            .unwrap_or_else(|| turn.speaker.clone());
        let statement = Statement {
            person: turn.person.clone(),
            language: turn.language.clone(),
            turn: Some(turn.number),
            ..statement_of(&speaker, &text)
        };
        self.push(text, page, Some(statement), None);
    }

    fn procedural(&mut self, lines: &[Line]) {
        let text = pieces::running_text(lines);
        if let Some(c) = TOOK_CHAIR.captures(&text) {
            self.acting = Some(c["person"].trim().to_owned());
        } else if text.contains("returned to the Chair") {
            self.acting = None;
        }
        let statement = statement_of(&self.meeting(), &text);
        self.push(text, lines.first().map(|l| l.0), Some(statement), None);
    }

    fn vote(&mut self, lines: &[Line]) {
        let text = pieces::running_text(lines);
        let (vote, unknown) = votes::parse(&text);
        for name in unknown {
            self.warnings.push(format!(
                "a vote list names `{name}`, which is not a known State"
            ));
        }
        let statement = statement_of(&self.meeting(), &text);
        self.push(
            text,
            lines.first().map(|l| l.0),
            Some(statement),
            Some(vote),
        );
    }

    fn meeting(&self) -> Speaker {
        Speaker {
            name: self.body(),
            kind: SpeakerKind::Meeting,
            code: None,
        }
    }

    fn push(
        &mut self,
        text: String,
        page: Option<u32>,
        statement: Option<Statement>,
        vote: Option<Vote>,
    ) {
        let statement = statement.unwrap_or_else(|| Statement {
            text: text.clone(),
            ..Statement::default()
        });
        let mut topics: Vec<String> = self.topic.iter().cloned().collect();
        if let Some(title) = &self.agenda_title
            && !topics.contains(title)
        {
            topics.push(title.clone());
        }
        self.paragraphs.push(Paragraph {
            number: (self.paragraphs.len() + 1).to_string(),
            agenda_item: self.codes.first().cloned(),
            agenda_title: self.agenda_title.clone(),
            agenda_items: self.codes.clone(),
            topics,
            page,
            speakers: statement.speaker.iter().cloned().collect(),
            subjects: Vec::new(),
            statements: vec![statement],
            text,
            vote,
            ..Paragraph::default()
        });
    }

    /// A vote's subject from what came before it, and its result from the
    /// record's line or the President's words after it.
    fn settle_votes(&mut self) {
        for i in 0..self.paragraphs.len() {
            let Some(mut vote) = self.paragraphs[i].vote.take() else {
                continue;
            };
            for next in self.paragraphs.iter().skip(i + 1).take(2) {
                if next.vote.is_some() {
                    break;
                }
                let head: String = next.text.chars().take(600).collect();
                if votes::read_result(&mut vote, &head) {
                    break;
                }
            }
            if vote.subject.as_deref().is_none_or(|s| !s.contains('/')) {
                let before: Vec<&str> = self.paragraphs[i.saturating_sub(4)..i]
                    .iter()
                    .map(|p| p.text.as_str())
                    .collect();
                vote.subject = votes::subject(&before.join(" ")).or(vote.subject);
            }
            self.paragraphs[i].vote = Some(vote);
        }
    }
}

/// The first title of a heading: its first line, and the next while a line
/// breaks off after a word like "of" ("The situation concerning the
/// Democratic Republic of the" / "Congo"). The lines after it are the
/// reports under the item.
fn first_title(heading: &[String]) -> String {
    const OPEN: &[&str] = &[
        "of",
        "the",
        "and",
        "in",
        "on",
        "for",
        "to",
        "concerning",
        "between",
        "a",
    ];
    let mut title = String::new();
    for line in heading {
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(line);
        let last = line.rsplit(' ').next().unwrap_or_default();
        if !OPEN.contains(&last) {
            break;
        }
    }
    title
}

fn officer(name: &str) -> Speaker {
    Speaker {
        name: name.to_owned(),
        kind: SpeakerKind::Officer,
        code: None,
    }
}

/// The organisation an office or affiliation names, if the gazetteer knows one.
fn organisation_in(text: &str) -> Option<Speaker> {
    gazetteer()
        .mentions(text)
        .into_iter()
        .map(|m| m.speaker)
        .find(|s| s.kind == SpeakerKind::Organization)
}

fn statement_of(speaker: &Speaker, text: &str) -> Statement {
    Statement {
        speaker: Some(speaker.name.clone()),
        speaker_kind: Some(speaker.kind),
        speaker_code: speaker.code.clone(),
        text: text.to_owned(),
        ..Statement::default()
    }
}
