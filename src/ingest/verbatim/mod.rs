//! Verbatim records (S/PV.…, A/…/PV.…): who said what, turn by turn.
//!
//! cover (metadata) → furniture (page furniture out) → pieces (headings,
//! labels, speech, procedural lines, votes) → turns (speakers and paragraphs).

mod cover;
mod furniture;
mod labels;
mod pieces;
mod turns;
mod votes;

use std::path::Path;

use super::layout;
use super::read::RawText;
use crate::error::{Error, Result};
use crate::model::Document;

/// Whether `raw` is a verbatim record: its first page carries a PV symbol and
/// the record opens a meeting or labels its speakers.
pub(crate) fn is_verbatim(raw: &RawText) -> bool {
    let Some(first) = raw.pages.first() else {
        return false;
    };
    if cover::symbol(first).is_none() {
        return false;
    }
    let opening: String = raw.pages.iter().take(3).map(String::as_str).collect();
    opening.contains("called to order")
        || opening
            .lines()
            .filter(|l| {
                let line = l.split_whitespace().collect::<Vec<_>>().join(" ");
                labels::label_at(&[&line], false).is_some()
            })
            .count()
            >= 2
}

/// Parses a verbatim record into paragraphs whose statements are each turn's.
pub(crate) fn parse(path: &Path, raw: &RawText) -> Result<Document> {
    let cover = cover::read(raw.pages.first().map_or("", String::as_str));
    let cleaned: Vec<(u32, String)> = layout::layout(raw)
        .lines
        .into_iter()
        .map(|l| {
            (
                l.page,
                l.text.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .filter(|(_, l)| !l.is_empty())
        .collect();
    // The cover block stands before the opening; without one, the first label.
    let start = cleaned
        .iter()
        .position(|(_, l)| l.starts_with("The meeting was called to order"))
        .or_else(|| {
            (0..cleaned.len()).find(|&i| {
                let window: Vec<&str> = cleaned[i..cleaned.len().min(i + 2)]
                    .iter()
                    .map(|(_, l)| l.as_str())
                    .collect();
                labels::label_at(&window, false).is_some()
            })
        })
        .unwrap_or(0);
    let lines: Vec<(u32, String)> = furniture::remove(cleaned[start..].to_vec())
        .into_iter()
        .map(|(page, line)| (page, furniture::repair_text_layer(&line)))
        .collect();
    let vocabulary = furniture::vocabulary(lines.iter().map(|(_, l)| l.as_str()));
    let lines: Vec<(u32, String)> = lines
        .into_iter()
        .map(|(page, line)| (page, furniture::repair_ligatures(&line, &vocabulary)))
        .collect();
    let pieces = pieces::cut(&lines);
    let mut built = turns::build(&pieces, &lines, &cover);
    // A ligature split at a line's end ("conf" / "lict") meets its half only
    // once the lines are joined.
    for paragraph in &mut built.paragraphs {
        paragraph.text = furniture::repair_ligatures(&paragraph.text, &vocabulary);
        for statement in &mut paragraph.statements {
            statement.text = furniture::repair_ligatures(&statement.text, &vocabulary);
        }
    }
    if built.paragraphs.is_empty() {
        return Err(Error::NoParagraphs { path: path.into() });
    }
    let mut warnings: Vec<String> = built
        .warnings
        .iter()
        .map(|w| format!("{}: {w}", path.display()))
        .collect();
    if built.turns == 0 {
        warnings.push(format!(
            "{}: a verbatim record with no speaker labels: its paragraphs are nobody's",
            path.display()
        ));
    }
    if !lines.iter().any(|(_, l)| l.starts_with("The meeting rose")) {
        warnings.push(format!(
            "{}: the record does not end with \"The meeting rose\": it may be truncated",
            path.display()
        ));
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("record")
        .to_owned();
    let meeting = match (
        &cover.body,
        cover.record.number.as_deref().and_then(|n| n.parse().ok()),
    ) {
        (Some(body), Some(n)) => Some(format!("{body}, {} meeting", super::speech::ordinal(n))),
        (body, _) => body.clone(),
    };
    let topic = built
        .agenda
        .first()
        .map(|a| a.title.clone())
        .or_else(|| cover.agenda.first().cloned());
    let title = match (&meeting, topic) {
        (Some(m), Some(t)) => Some(format!("{m}: {t}")),
        (m, t) => m.clone().or(t).or(Some(stem.clone())),
    };
    let mut record = cover.record.clone();
    record.turns = built.turns;
    let mut document = Document {
        id: cover.symbol.clone().unwrap_or(stem),
        symbol: cover.symbol.clone(),
        title,
        body: cover.body.clone(),
        meeting,
        date: cover.date.clone(),
        place: cover.place.clone(),
        source: path.display().to_string(),
        format: raw.format.as_str().to_owned(),
        agenda: built.agenda,
        warnings,
        record: Some(record),
        paragraphs: built.paragraphs,
    };
    super::subjects::assign(&mut document, None);
    Ok(document)
}
