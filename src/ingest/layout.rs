//! Undo what page layout and text extraction did: find page breaks, drop page
//! headers and footers, footnotes and the table of contents, and hand on the
//! lines of running text with their page numbers.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::read::{Format, RawText};

/// A line of the document's running text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    pub page: u32,
    /// Leading spaces in the source: indented blocks start paragraphs in un-numbered text.
    pub indent: usize,
    /// An empty line stood before this one (meaningless in double-spaced extractions).
    pub blank_before: bool,
}

/// The cleaned lines and what was learned along the way.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub lines: Vec<Line>,
    /// Numbers of the footnotes whose text was removed; their markers are removed too.
    pub footnote_marks: HashSet<String>,
    /// Every line was followed by an empty one, so empty lines said nothing.
    pub double_spaced: bool,
}

static FOOTNOTE_RULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(_{5,}|\s{20,})\s*$").unwrap());
static FOOTNOTE_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,3}|\*{1,3})\s+\S").unwrap());
static DOT_LEADER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\.\s?){5,}|…{2,}").unwrap());
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(page\s+\d+(\s+of\s+\d+)?|-\s*\d+\s*-|\d{1,3})\s*$").unwrap()
});
static JOB_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*GE\.\d{2}-\d{4,6}").unwrap());
/// A UN document symbol standing alone on a line: a running header.
pub(crate) static SYMBOL_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[A-Z]{1,8}(/[A-Z0-9][A-Za-z0-9.\-]*){2,}\s*$").unwrap());
static CONTENTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(contents|table of contents)\s*$").unwrap());
static FIRST_PARAGRAPH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*1\.\s+\S").unwrap());

pub(crate) fn layout(raw: &RawText) -> Layout {
    let mut pages: Vec<Vec<String>> = raw
        .pages
        .iter()
        .map(|p| p.lines().map(|l| l.replace('\t', " ")).collect())
        .collect();
    let double_spaced = pages.iter().all(|p| is_double_spaced(p));
    if raw.format == Format::Text && pages.len() == 1 && double_spaced {
        pages = split_double_spaced_pages(&pages[0]);
    }
    let repeated = repeated_margin_lines(&pages);
    let mut out = Layout {
        double_spaced,
        ..Layout::default()
    };
    for (index, page) in pages.iter().enumerate() {
        let page_number = index as u32 + 1;
        clean_page(page, page_number, &repeated, &mut out);
    }
    out
}

fn is_double_spaced(lines: &[String]) -> bool {
    let non_empty = lines.iter().filter(|l| !l.trim().is_empty()).count();
    if non_empty < 10 {
        return false;
    }
    let followed_by_empty = lines
        .windows(2)
        .filter(|w| !w[0].trim().is_empty() && w[1].trim().is_empty())
        .count();
    followed_by_empty * 10 >= non_empty * 8
}

/// In a double-spaced extraction a page break shows as a line that starts with a
/// space right after a text line, the empty line between them lost.
fn split_double_spaced_pages(lines: &[String]) -> Vec<Vec<String>> {
    let mut pages = vec![Vec::new()];
    for (i, line) in lines.iter().enumerate() {
        let breaks = i > 0
            && line.starts_with(' ')
            && !line.trim().is_empty()
            && !lines[i - 1].trim().is_empty()
            && !pages.last().is_some_and(|p: &Vec<String>| p.is_empty());
        if breaks {
            pages.push(Vec::new());
        }
        if let Some(page) = pages.last_mut() {
            page.push(line.clone());
        }
    }
    pages
}

/// Lines that recur in the top or bottom margin of many pages (digits ignored) are
/// running headers and footers.
fn repeated_margin_lines(pages: &[Vec<String>]) -> HashSet<String> {
    if pages.len() < 3 {
        return HashSet::new();
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let text: Vec<&String> = page.iter().filter(|l| !l.trim().is_empty()).collect();
        let margin: HashSet<String> = text
            .iter()
            .take(3)
            .chain(text.iter().rev().take(2))
            .map(|l| margin_key(l))
            .collect();
        for key in margin {
            *counts.entry(key).or_default() += 1;
        }
    }
    let threshold = (pages.len() / 3).max(3);
    counts
        .into_iter()
        .filter(|(k, n)| *n >= threshold && !k.is_empty())
        .map(|(k, _)| k)
        .collect()
}

fn margin_key(line: &str) -> String {
    line.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

fn clean_page(page: &[String], page_number: u32, repeated: &HashSet<String>, out: &mut Layout) {
    let text_rows: Vec<usize> = (0..page.len())
        .filter(|&i| !page[i].trim().is_empty())
        .collect();
    let margin: HashSet<usize> = text_rows
        .iter()
        .take(4)
        .chain(text_rows.iter().rev().take(3))
        .copied()
        .collect();
    let in_contents = page.iter().any(|l| CONTENTS.is_match(l));
    let mut skipping_contents = false;
    let mut blank_before = false;
    let mut i = 0;
    while i < page.len() {
        let raw = &page[i];
        let line = raw.trim_end();
        if line.trim().is_empty() {
            if FOOTNOTE_RULE.is_match(raw) && footnotes_follow(page, i) {
                i = skip_footnotes(page, i + 1, out);
                continue;
            }
            blank_before = true;
            i += 1;
            continue;
        }
        if FOOTNOTE_RULE.is_match(raw) && footnotes_follow(page, i) {
            i = skip_footnotes(page, i + 1, out);
            continue;
        }
        if in_contents && CONTENTS.is_match(line) {
            skipping_contents = true;
        }
        if skipping_contents && FIRST_PARAGRAPH.is_match(line) {
            skipping_contents = false;
        }
        let is_margin = margin.contains(&i)
            && (repeated.contains(&margin_key(line))
                || PAGE_NUMBER.is_match(line)
                || SYMBOL_LINE.is_match(line)
                || JOB_NUMBER.is_match(line));
        let noise = skipping_contents
            || is_margin
            || DOT_LEADER.is_match(line)
            || JOB_NUMBER.is_match(line);
        if !noise {
            let indent = line.len() - line.trim_start().len();
            out.lines.push(Line {
                text: line.trim().to_owned(),
                page: page_number,
                indent,
                blank_before,
            });
            blank_before = false;
        }
        i += 1;
    }
}

fn footnotes_follow(page: &[String], rule: usize) -> bool {
    page[rule + 1..]
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| FOOTNOTE_TEXT.is_match(l))
}

/// Skips the footnote block below a rule, to the end of the page, and records the
/// footnote numbers so their markers can be removed from the text.
fn skip_footnotes(page: &[String], mut i: usize, out: &mut Layout) -> usize {
    while i < page.len() {
        if let Some(c) = FOOTNOTE_TEXT.captures(&page[i]) {
            out.footnote_marks.insert(c[1].to_owned());
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawText {
        RawText {
            pages: vec![text.to_owned()],
            format: Format::Text,
            scanned_pages: Vec::new(),
        }
    }

    #[test]
    fn double_spaced_page_breaks_and_footnotes() {
        let mut text = String::new();
        for i in 0..12 {
            text.push_str(&format!("line {i} of the first page\n\n"));
        }
        text.push_str("last line before footnote.\n\n                                        \n1 Please see Annex I.\n");
        text.push_str(" C. Election of officers\n\nnext page text\n\n");
        let layout = layout(&raw(&text));
        assert!(layout.double_spaced);
        assert!(layout.footnote_marks.contains("1"));
        let c = layout
            .lines
            .iter()
            .find(|l| l.text == "C. Election of officers")
            .unwrap();
        assert_eq!(c.page, 2);
        assert!(!layout.lines.iter().any(|l| l.text.contains("Please see")));
    }
}
