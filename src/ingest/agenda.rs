//! Agenda codes and titles: parse "Agenda item 5 a) Transboundary Air Pollution",
//! normalise codes ("5 a)" → "5a"), and link headings or programme-area labels to
//! the adopted agenda by the words they share.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::AgendaItem;

static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*,?\s*(?:and\s+)?(\d{1,3})(?:\s*\(?([a-z])\)|\.(\d{1,2})\b|([a-z])\b)?")
        .unwrap()
});

/// "5 a) Transboundary Air Pollution" → (["5a"], Some(title)); "5, 6, and 7" → (["5","6","7"], None).
pub(crate) fn parse_heading(rest: &str) -> (Vec<String>, Option<String>) {
    let mut codes = Vec::new();
    let mut rest = rest.trim();
    while let Some(c) = CODE.captures(rest) {
        let mut code = c[1].to_owned();
        if let Some(letter) = c.get(2).or(c.get(4)) {
            code.push_str(letter.as_str());
        } else if let Some(sub) = c.get(3) {
            code = format!("{code}.{}", sub.as_str());
        }
        codes.push(code);
        rest = rest[c.get(0).map_or(0, |m| m.end())..].trim_start();
        rest = rest.trim_start_matches([':', '-', '–', '.']).trim_start();
    }
    let title = rest.trim().trim_end_matches(')').trim();
    (codes, (!title.is_empty()).then(|| title.to_owned()))
}

/// Normalises a user's or a document's agenda code: "5 a)", "5(a)", "5A" → "5a".
pub(crate) fn normalise_code(code: &str) -> Option<String> {
    let (codes, _) = parse_heading(&code.to_lowercase());
    codes.into_iter().next()
}

/// The facet path of a code: "5a" → ["5", "a"], "5.1" → ["5", "1"].
pub(crate) fn code_path(code: &str) -> Vec<String> {
    let digits: String = code.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = code[digits.len()..].trim_start_matches('.');
    if rest.is_empty() {
        vec![digits]
    } else {
        vec![digits, rest.to_owned()]
    }
}

const STOPWORDS: &[&str] = &[
    "the", "of", "and", "for", "on", "in", "to", "a", "an", "by", "with", "at", "its", "their",
    "review", "matters", "other", "issues",
];

fn content_words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            w.strip_suffix('s')
                .filter(|s| s.len() > 3)
                .map(str::to_owned)
                .unwrap_or(w)
        })
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// The agenda item whose title best matches a heading or label, if its score
/// (share of the label's words found in the title, plus half the share of the
/// title's words found in the label) reaches `min_score`.
pub(crate) fn best_match<'a>(
    label: &str,
    agenda: &'a [AgendaItem],
    min_score: f32,
) -> Option<&'a AgendaItem> {
    let words = content_words(label);
    if words.is_empty() {
        return None;
    }
    let mut best: Option<(f32, &AgendaItem)> = None;
    for item in agenda {
        let title = content_words(&item.title);
        let shared = words.intersection(&title).count();
        if shared == 0 {
            continue;
        }
        let score =
            shared as f32 / words.len() as f32 + shared as f32 / (title.len().max(1) as f32) * 0.5;
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, item));
        }
    }
    best.filter(|(score, _)| *score >= min_score)
        .map(|(_, item)| item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, title: &str) -> AgendaItem {
        AgendaItem {
            code: code.into(),
            title: title.into(),
        }
    }

    #[test]
    fn parses_headings() {
        assert_eq!(
            parse_heading("5 a) Transboundary Air Pollution"),
            (
                vec!["5a".into()],
                Some("Transboundary Air Pollution".into())
            )
        );
        assert_eq!(
            parse_heading("5, 6, and 7"),
            (vec!["5".into(), "6".into(), "7".into()], None)
        );
        assert_eq!(
            parse_heading("6 External Evaluation of NEASPEC").0,
            vec!["6".to_owned()]
        );
        assert_eq!(normalise_code("5(a)"), Some("5a".into()));
        assert_eq!(normalise_code("5E"), Some("5e".into()));
        assert_eq!(code_path("5a"), vec!["5", "a"]);
    }

    #[test]
    fn matches_labels_to_agenda() {
        let agenda = vec![
            item("1", "Opening of the meeting"),
            item("2", "Election of officers"),
            item("5d", "Low Carbon Cities"),
            item("7", "Review of the Core Fund"),
            item(
                "8",
                "Venue, date and provisional agenda of the Twenty-Third SOM",
            ),
        ];
        assert_eq!(best_match("Core Fund", &agenda, 0.5).unwrap().code, "7");
        assert_eq!(best_match("Plan for the Next SOM", &agenda, 0.5), None);
        assert_eq!(
            best_match("Plan for the Next SOM", &agenda, 0.3)
                .unwrap()
                .code,
            "8"
        );
        assert_eq!(
            best_match("Opening session", &agenda, 0.5).unwrap().code,
            "1"
        );
        assert_eq!(best_match("Attendance", &agenda, 0.3), None);
    }
}
