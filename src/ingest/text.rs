//! Running text from wrapped lines: join them, repair hyphenation at line ends,
//! drop footnote markers, normalise whitespace and typography.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

static FOOTNOTE_MARKER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z\)\]])(\d{1,3}|\*{1,3})([.,;:]?)(\s|$)").unwrap());

/// Joins the lines of a paragraph (separated by '\n') into one clean string.
pub(crate) fn clean_running_text(text: &str, footnote_marks: &HashSet<String>) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str(line);
            continue;
        }
        // "25-" + "26 October" and "action-" + "oriented" keep the hyphen, lose the break.
        let joins_tight = out.ends_with('-')
            && !out.ends_with(" -")
            && line.chars().next().is_some_and(|c| c.is_alphanumeric());
        if !joins_tight {
            out.push(' ');
        }
        out.push_str(line);
    }
    let mut text = normalise_whitespace(&out);
    if !footnote_marks.is_empty() {
        text = remove_footnote_markers(&text, footnote_marks);
    }
    text
}

pub(crate) fn normalise_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // Extraction puts spaces before punctuation sometimes: "Turkey ," → "Turkey,".
    out.replace(" ,", ",").replace(" ;", ";").replace(" .", ".")
}

/// "organizations1." → "organizations." but only for footnotes the page really had,
/// so "SDG Goal14" keeps its number.
fn remove_footnote_markers(text: &str, marks: &HashSet<String>) -> String {
    FOOTNOTE_MARKER
        .replace_all(text, |c: &regex::Captures| {
            if marks.contains(&c[2]) {
                format!("{}{}{}", &c[1], &c[3], &c[4])
            } else {
                c[0].to_owned()
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_lines_and_keeps_number_ranges() {
        let marks = HashSet::new();
        assert_eq!(
            clean_running_text("held on 25-\n26 October 2018.", &marks),
            "held on 25-26 October 2018."
        );
        assert_eq!(
            clean_running_text("the habitat\n management of", &marks),
            "the habitat management of"
        );
    }

    #[test]
    fn removes_known_footnote_markers_only() {
        let marks: HashSet<String> = ["1".to_owned()].into();
        assert_eq!(
            clean_running_text(
                "international organizations1. Then SDG Goal14 applies.",
                &marks
            ),
            "international organizations. Then SDG Goal14 applies."
        );
    }
}
