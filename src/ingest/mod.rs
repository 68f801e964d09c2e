//! Ingest: read a report (text or PDF), clean its layout, find its numbered
//! paragraphs and structure, and attribute each sentence to its speakers.
//!
//! read → layout → structure → metadata → attribute, one module each; a
//! verbatim record (S/PV.…, A/…/PV.…) goes through [`verbatim`] instead.

pub(crate) mod acronyms;
pub mod agenda;
pub mod attribute;
pub mod layout;
pub mod manifest;
pub mod metadata;
pub mod read;
pub mod speakers;
pub mod speech;
pub mod structure;
pub(crate) mod subjects;
pub mod text;
pub(crate) mod verbatim;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, ManifestLineError, Result};
use crate::model::{Document, Paragraph};
use attribute::Context;
use read::RawText;

/// How the files of a collection are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// Meeting reports, except files named like a speech collection's (`JPN_73_2018.txt`).
    #[default]
    Auto,
    /// Meeting reports: numbered paragraphs, metadata from the text.
    Report,
    /// The UN General Debate Corpus: one State's speech per file, named ISO3_SESSION_YEAR.txt.
    Ungdc,
}

/// One thing to ingest, with where its metadata comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A meeting report, its metadata read from its text.
    Report(PathBuf),
    /// A UNGDC speech, its metadata read from its file name.
    Ungdc(PathBuf),
    /// A speech whose metadata a manifest gives.
    Speech {
        /// The speech's file.
        path: PathBuf,
        /// What the manifest says of it.
        meta: speech::SpeechMeta,
    },
    /// A manifest line that could not be used; reported, not ingested.
    Broken {
        /// The manifest and line: `speeches.jsonl:3`.
        origin: PathBuf,
        /// Why it could not be used.
        reason: ManifestLineError,
    },
}

impl Source {
    /// The files of a walk, read with `layout`.
    pub fn from_files(files: Vec<PathBuf>, layout: Layout) -> Vec<Source> {
        files
            .into_iter()
            .map(|path| match layout {
                Layout::Report => Source::Report(path),
                Layout::Ungdc => Source::Ungdc(path),
                Layout::Auto if speech::is_ungdc_name(&path) => Source::Ungdc(path),
                Layout::Auto => Source::Report(path),
            })
            .collect()
    }

    /// The file (or manifest line) this source names.
    pub fn path(&self) -> &Path {
        match self {
            Source::Report(p) | Source::Ungdc(p) => p,
            Source::Speech { path, .. } => path,
            Source::Broken { origin, .. } => origin,
        }
    }

    /// Reads and parses the source into a document.
    pub fn parse(&self) -> Result<Document> {
        match self {
            Source::Report(path) => parse_file(path),
            Source::Ungdc(path) => {
                let meta = speech::ungdc_meta(path)?;
                speech::parse_speech(path, &read::read_file(path)?, &meta)
            }
            Source::Speech { path, meta } => {
                speech::parse_speech(path, &read::read_file(path)?, meta)
            }
            Source::Broken { origin, reason } => Err(Error::ManifestLine {
                line: origin.clone(),
                source: reason.clone(),
            }),
        }
    }
}

/// Parses one file into a document.
pub fn parse_file(path: &Path) -> Result<Document> {
    let raw = read::read_file(path)?;
    parse_raw(path, &raw)
}

/// The cleaned running text of a file, each line with its page: what the
/// parser reads once page furniture and line-end hyphenation are gone, with
/// the source's indentation.
pub fn cleaned_lines(path: &Path) -> Result<Vec<(u32, String)>> {
    let raw = read::read_file(path)?;
    Ok(layout::layout(&raw)
        .lines
        .into_iter()
        .map(|line| {
            (
                line.page,
                format!("{}{}", " ".repeat(line.indent), line.text),
            )
        })
        .collect())
}

/// Parses text already in memory (tests, fuzzing, uploads).
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Document> {
    let raw = read::read_bytes(path, bytes)?;
    parse_raw(path, &raw)
}

static LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Z][^.:;!?]{2,80}?):\s+\S").unwrap());

fn parse_raw(path: &Path, raw: &RawText) -> Result<Document> {
    let mut document = if verbatim::is_verbatim(raw) {
        verbatim::parse(path, raw)?
    } else {
        parse_report(path, raw)?
    };
    if !raw.scanned_pages.is_empty() {
        let pages: Vec<String> = raw.scanned_pages.iter().map(u32::to_string).collect();
        document.warnings.push(format!(
            "{}: page(s) {} are scanned images without a text layer; their text is not read (run OCR first)",
            path.display(),
            pages.join(", ")
        ));
    }
    Ok(document)
}

/// A report, minutes or a speech collection: numbered (or plain) paragraphs.
fn parse_report(path: &Path, raw: &RawText) -> Result<Document> {
    let layout = layout::layout(raw);
    let found = structure::structure(&layout);
    if found.paragraphs.is_empty() {
        return Err(Error::NoParagraphs { path: path.into() });
    }
    let opening: Vec<&str> = found
        .paragraphs
        .iter()
        .take(2)
        .map(|p| p.text.as_str())
        .collect();
    let meta = metadata::extract(&raw.pages, &found.front_matter, &opening);
    let mut warnings = Vec::new();
    if !found.numbered {
        warnings.push(format!(
            "{}: no numbered paragraphs found; using the text's own paragraphs, numbered in order",
            path.display()
        ));
    }

    let paragraphs = found
        .paragraphs
        .iter()
        .map(|raw_para| {
            let (agenda_item, agenda_title, agenda_items, mut topics) =
                place_on_agenda(raw_para, &found);
            let subsection_title = raw_para.subsection.as_deref().map(strip_numbering);
            if topics.is_empty()
                && let Some(title) =
                    subsection_title.or(raw_para.section.as_deref().map(strip_numbering))
            {
                topics.push(title.to_owned());
            }
            let in_review_section = raw_para
                .subsection
                .as_deref()
                .or(raw_para.section.as_deref())
                .is_some_and(|s| s.to_lowercase().contains("state under review"));
            let ctx = Context {
                state_under_review: meta.state_under_review.clone(),
                host: meta.host.clone(),
                default_speaker: meta
                    .state_under_review
                    .clone()
                    .filter(|_| in_review_section),
                recommendation: raw_para.number.contains('.'),
            };
            let statements = attribute::attribute(&raw_para.text, &ctx);
            let mut speakers: Vec<String> = Vec::new();
            for s in statements.iter().flat_map(|s| s.speakers()) {
                if !speakers.contains(&s.name) {
                    speakers.push(s.name);
                }
            }
            Paragraph {
                number: raw_para.number.clone(),
                section: raw_para.section.clone(),
                subsection: raw_para.subsection.clone(),
                agenda_item,
                agenda_title,
                agenda_items,
                topics,
                sdgs: Vec::new(),
                page: Some(raw_para.page),
                text: raw_para.text.clone(),
                speakers,
                subjects: Vec::new(),
                statements,
                vote: None,
            }
        })
        .collect();

    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("document")
        .to_owned();
    let under_review = meta.state_under_review.as_ref().map(|s| s.name.clone());
    let mut document = Document {
        id: meta.symbol.clone().unwrap_or_else(|| stem.clone()),
        symbol: meta.symbol,
        title: meta.title.or(Some(stem)),
        body: meta.body,
        meeting: meta.meeting,
        date: meta.date,
        place: meta.place,
        source: path.display().to_string(),
        format: raw.format.as_str().to_owned(),
        agenda: found.agenda.clone(),
        warnings,
        paragraphs,
        record: None,
    };
    subjects::assign(&mut document, under_review.as_deref());
    Ok(document)
}

/// "B. Opening session" → "Opening session".
fn strip_numbering(heading: &str) -> &str {
    heading.split_once(". ").map_or(heading, |(_, rest)| rest)
}

type Placement = (Option<String>, Option<String>, Vec<String>, Vec<String>);

/// The agenda item of a paragraph: from the heading above it, else from its
/// programme-area label ("Core Fund: ..."), else from its subsection's title
/// matched against the adopted agenda, else the document's own agenda item.
fn place_on_agenda(para: &structure::RawParagraph, found: &structure::Structure) -> Placement {
    let agenda = &found.agenda;
    let title_of = |code: &str| {
        agenda
            .iter()
            .find(|a| a.code == code)
            .map(|a| a.title.clone())
    };
    let mut topics = Vec::new();
    // A programme-area label is a short title, not a clause: "Core Fund:", not "The Meeting elected the following officers:".
    let label = LABEL
        .captures(&para.text)
        .map(|c| c[1].trim().to_owned())
        .filter(|l| {
            l.split_whitespace().count() <= 6
                && !l
                    .split_whitespace()
                    .any(|w| w.len() > 4 && w.ends_with("ed"))
        });

    let mut from_label = false;
    let (codes, heading_title): (Vec<String>, Option<String>) = if !para.agenda_codes.is_empty() {
        (para.agenda_codes.clone(), para.agenda_heading_title.clone())
    } else if let Some(item) = label
        .as_deref()
        .and_then(|l| agenda::best_match(l, agenda, 0.3))
    {
        from_label = true;
        (vec![item.code.clone()], None)
    } else if let Some(item) = para
        .subsection
        .as_deref()
        .map(strip_numbering)
        .and_then(|t| agenda::best_match(t, agenda, 0.5))
    {
        (vec![item.code.clone()], None)
    } else if let Some((code, title)) = &found.cover_agenda {
        (vec![code.clone()], title.clone())
    } else {
        (Vec::new(), None)
    };

    if let Some(label) = &label
        && (!codes.is_empty() || para.number.parse::<u32>().is_ok())
        && para
            .section
            .as_deref()
            .is_some_and(|s| s.to_lowercase().contains("conclusion"))
    {
        topics.push(label.clone());
    }
    let first = codes.first().cloned();
    let title = first.as_deref().and_then(title_of).or(heading_title);
    for code in &codes {
        if let Some(t) = title_of(code).or_else(|| {
            (Some(code) == first.as_ref())
                .then(|| title.clone())
                .flatten()
        }) {
            topics.push(t);
        }
        let parent: String = code.chars().take_while(|c| c.is_ascii_digit()).collect();
        if parent != *code
            && let Some(t) = title_of(&parent)
        {
            topics.push(t);
        }
    }
    let mut seen = std::collections::HashSet::new();
    topics.retain(|t| seen.insert(t.to_lowercase()));
    // A conclusion relates to its item (`agenda_item`) but was not discussed under
    // it: `agenda_items`, which the agenda filter uses, stays for the proceedings.
    let discussed_under = if from_label { Vec::new() } else { codes };
    (first, title, discussed_under, topics)
}
