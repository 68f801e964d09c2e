//! Speech collections: documents that are one speaker's statement, whose
//! metadata comes from outside the text (a file-name convention such as the UN
//! General Debate Corpus's `JPN_73_2018.txt`, or a manifest). Every paragraph
//! is a statement of that speaker; lines wrapped at a fixed width are joined.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use unicode_segmentation::UnicodeSegmentation;

use super::read::RawText;
use super::speakers::gazetteer;
use crate::error::{Error, Result, SpeechError};
use crate::model::{Document, Paragraph, Speaker, SpeakerKind, Statement};

/// What a speech collection says about one file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeechMeta {
    /// File path; in a manifest, relative to the manifest's folder.
    pub path: String,
    /// Document id; default: the file name without extension.
    pub id: Option<String>,
    /// A State, organisation or person; resolved against the gazetteer.
    pub speaker: String,
    /// ISO 8601 date, or just the year.
    pub date: Option<String>,
    /// The body that met ("General Assembly").
    pub body: Option<String>,
    /// The meeting or session ("General Assembly, 73rd session, General Debate").
    pub meeting: Option<String>,
    /// The document's title; default: the file name without extension.
    pub title: Option<String>,
}

static UNGDC_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Z]{2,3})_(\d{1,3})_(\d{4})$").unwrap());

/// The metadata a UN General Debate Corpus file name carries (`JPN_73_2018.txt`).
pub fn ungdc_meta(path: &Path) -> Result<SpeechMeta> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let invalid = |source| Error::Speech {
        path: path.into(),
        source,
    };
    let caps = UNGDC_NAME
        .captures(stem)
        .ok_or_else(|| invalid(SpeechError::UngdcName))?;
    let code = &caps[1];
    let speaker = gazetteer().resolve(code).ok_or_else(|| {
        invalid(SpeechError::UnknownCountry {
            code: code.to_owned(),
        })
    })?;
    let session: u32 = caps[2].parse().unwrap_or(0);
    let year = &caps[3];
    Ok(SpeechMeta {
        path: path.display().to_string(),
        id: Some(stem.to_owned()),
        speaker: speaker.name.clone(),
        date: Some(year.to_owned()),
        body: Some("General Assembly".into()),
        meeting: Some(format!(
            "General Assembly, {} session, General Debate",
            ordinal(session)
        )),
        title: Some(format!(
            "{}: statement in the General Debate of the {} session ({year})",
            speaker.name,
            ordinal(session)
        )),
    })
}

/// Whether a file name follows the UNGDC convention with a known State code.
pub fn is_ungdc_name(path: &Path) -> bool {
    ungdc_meta(path).is_ok()
}

pub(crate) fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The speaker a collection names: canonical when the gazetteer knows it, else
/// kept as written (a person, say) as an officer.
fn speaker_of(name: &str) -> Speaker {
    gazetteer().resolve(name).cloned().unwrap_or(Speaker {
        name: name.trim().to_owned(),
        kind: SpeakerKind::Officer,
        code: None,
    })
}

/// Builds the document of one speech.
pub fn parse_speech(path: &Path, raw: &RawText, meta: &SpeechMeta) -> Result<Document> {
    if meta.speaker.trim().is_empty() {
        return Err(Error::Speech {
            path: path.into(),
            source: SpeechError::NoSpeaker,
        });
    }
    let speaker = speaker_of(&meta.speaker);
    let text = raw.pages.join("\n");
    let paragraphs: Vec<Paragraph> = paragraphs(&text)
        .into_iter()
        .enumerate()
        .map(|(i, text)| Paragraph {
            number: (i + 1).to_string(),
            section: None,
            subsection: None,
            agenda_item: None,
            agenda_title: None,
            agenda_items: Vec::new(),
            topics: Vec::new(),
            sdgs: Vec::new(),
            page: None,
            speakers: vec![speaker.name.clone()],
            statements: vec![Statement {
                speaker: Some(speaker.name.clone()),
                speaker_kind: Some(speaker.kind),
                speaker_code: speaker.code.clone(),
                joint: Vec::new(),
                text: text.clone(),
                ..Statement::default()
            }],
            text,
            ..Paragraph::default()
        })
        .collect();
    if paragraphs.is_empty() {
        return Err(Error::NoParagraphs { path: path.into() });
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("speech")
        .to_owned();
    let mut document = Document {
        id: meta.id.clone().unwrap_or_else(|| stem.clone()),
        symbol: None,
        title: meta.title.clone().or(Some(stem)),
        body: meta.body.clone(),
        meeting: meta.meeting.clone(),
        date: meta.date.clone(),
        place: None,
        source: path.display().to_string(),
        format: raw.format.as_str().to_owned(),
        agenda: Vec::new(),
        warnings: Vec::new(),
        paragraphs,
        record: None,
    };
    super::subjects::assign(&mut document, None);
    Ok(document)
}

static NUMBER_LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\(?\d{1,3}[.)]\s+").unwrap());

/// Longest paragraph kept whole; longer ones (a speech with no breaks at all)
/// are cut at sentence ends so that each stays a readable, embeddable unit.
const MAX_PARAGRAPH_CHARS: usize = 3000;
const TARGET_PARAGRAPH_CHARS: usize = 1200;

/// The paragraphs of a speech. A line break ends a paragraph unless the line
/// is visibly cut: it ends mid-sentence, the next line goes on in lower case,
/// it ends in a hyphenated word, or (in text wrapped at a fixed width) it fills
/// the line. Blank lines do not end a sentence that goes on after them.
pub fn paragraphs(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let lengths: Vec<usize> = {
        let mut l: Vec<usize> = lines
            .iter()
            .filter(|l| !l.is_empty())
            .map(|l| l.chars().count())
            .collect();
        l.sort_unstable();
        l
    };
    let width = lengths
        .get(lengths.len().saturating_mul(9) / 10)
        .copied()
        .unwrap_or(0);
    let wrapped = lengths.len() >= 8 && width <= 100;

    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut last_len = 0usize;
    for line in lines.iter().filter(|l| !l.is_empty()) {
        let numbered = NUMBER_LABEL.find(line);
        let body = numbered.map_or(*line, |m| &line[m.end()..]);
        if body.is_empty() {
            continue;
        }
        let hyphenated = numbered.is_none() && ends_with_letter_hyphen(&current);
        if current.is_empty() || hyphenated {
            current.push_str(body);
        } else if numbered.is_none() && goes_on(&current, body, wrapped, last_len, width) {
            current.push(' ');
            current.push_str(body);
        } else {
            out.push(std::mem::take(&mut current));
            current.push_str(body);
        }
        last_len = line.chars().count();
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .flat_map(|p| split_long(&p))
        .collect()
}

fn ends_with_letter_hyphen(s: &str) -> bool {
    let mut rev = s.chars().rev();
    rev.next() == Some('-') && rev.next().is_some_and(char::is_alphabetic)
}

fn goes_on(current: &str, next: &str, wrapped: bool, last_len: usize, width: usize) -> bool {
    let last = current.trim_end_matches(['"', '\'', '”', '’', ')', ']']);
    let ends_sentence = last.ends_with(['.', '!', '?', ':', ';', '…']);
    let first = next.chars().next().unwrap_or(' ');
    if !ends_sentence || first.is_lowercase() {
        return true;
    }
    // A full line that happens to end with a full stop is wrapped text going on.
    wrapped && last_len * 100 >= width * 92
}

fn split_long(paragraph: &str) -> Vec<String> {
    if paragraph.len() <= MAX_PARAGRAPH_CHARS {
        return vec![paragraph.to_owned()];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for sentence in paragraph.split_sentence_bounds() {
        if current.len() + sentence.len() > TARGET_PARAGRAPH_CHARS && !current.trim().is_empty() {
            out.push(current.trim().to_owned());
            current.clear();
        }
        current.push_str(sentence);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_lines_wrapped_at_a_fixed_width() {
        let text = "I should like, on behalf of the\nGovernment of Japan, to begin my statement at the General\n\
            Assembly by extending my felicitations on the fiftieth\nanniversary of the United Nations.\n\
            Half a century has passed since the United Nations\nwas founded. When we recall that its predecessor, the\n\
            League of Nations, endured for just a little over 20 years,\nwe should consider the very longevity of this Organization\n\
            a blessing. Although during the past 50 years the peace-\nkeeping functions were paralysed.\n";
        let p = paragraphs(text);
        assert_eq!(p.len(), 2, "{p:#?}");
        assert!(p[0].starts_with("I should like") && p[0].ends_with("United Nations."));
        assert!(p[1].contains("peace-keeping functions"));
    }

    #[test]
    fn keeps_one_paragraph_per_line_and_bridges_stray_blank_lines() {
        let text = "As I address the General Assembly\n \ntoday for the sixth year, I do so with resolve.\n\
            In the next three years, I will do everything in my power.\n\n1.\t This is numbered.\n";
        let p = paragraphs(text);
        assert_eq!(
            p,
            [
                "As I address the General Assembly today for the sixth year, I do so with resolve.",
                "In the next three years, I will do everything in my power.",
                "This is numbered."
            ]
        );
    }

    #[test]
    fn ungdc_file_names_give_speaker_session_and_year() {
        let m = ungdc_meta(Path::new("x/session-73-2018/JPN_73_2018.txt")).unwrap();
        assert_eq!(m.speaker, "Japan");
        assert_eq!(m.date.as_deref(), Some("2018"));
        assert_eq!(m.id.as_deref(), Some("JPN_73_2018"));
        assert!(m.meeting.unwrap().contains("73rd session"));
        assert_eq!(
            ungdc_meta(Path::new("EU_66_2011.txt")).unwrap().speaker,
            "European Union"
        );
        assert!(ungdc_meta(Path::new("notes.txt")).is_err());
        assert!(ungdc_meta(Path::new("XXX_73_2018.txt")).is_err());
    }

    #[test]
    fn a_speech_without_breaks_is_cut_at_sentence_ends() {
        let text = "This is a sentence of some length that goes on. ".repeat(200);
        let p = paragraphs(&text);
        assert!(p.len() > 3);
        assert!(
            p.iter()
                .all(|p| p.len() <= MAX_PARAGRAPH_CHARS && p.ends_with('.'))
        );
    }
}
