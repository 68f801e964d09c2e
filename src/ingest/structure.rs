//! Find the report's structure in its lines: numbered paragraphs (with
//! sub-numbered or restarted recommendation lists), sections, lettered
//! subsections, agenda headings and the adopted agenda itself.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::agenda;
use super::layout::{Layout, Line};
use crate::model::AgendaItem;

/// A paragraph as found, before attribution.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawParagraph {
    pub number: String,
    pub section: Option<String>,
    pub subsection: Option<String>,
    /// Agenda codes named by the heading above ("Agenda item 5 a)").
    pub agenda_codes: Vec<String>,
    /// The heading's own title after the code, if any.
    pub agenda_heading_title: Option<String>,
    pub page: u32,
    pub text: String,
}

#[derive(Debug, Default)]
pub(crate) struct Structure {
    pub paragraphs: Vec<RawParagraph>,
    pub agenda: Vec<AgendaItem>,
    /// Agenda code printed on the cover ("Agenda item 6"), for the whole document.
    pub cover_agenda: Option<(String, Option<String>)>,
    /// Lines before the first paragraph: where the title page lives.
    pub front_matter: Vec<String>,
    pub numbered: bool,
}

static PARA_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,6})\.\s+(\S.*)$").unwrap());
/// A paragraph number whose full stop the text layer lost ("106  Sierra Leone noted").
static PARA_START_UNDOTTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,4})\s+(\p{Lu}.*)$").unwrap());
static SUB_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,5})\.(\d{1,3})\.?\s+(\S.*)$").unwrap());
static SECTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([IVX]{1,6})\.\s+(\S.{0,160})$").unwrap());
/// A numbered section heading of minutes ("2  SPECIFIC TRADE CONCERNS"), whose
/// paragraphs are numbered within it (2.1., 2.2., ...).
static NUMBERED_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})\.?\s+(\p{Lu}.{0,160})$").unwrap());
static SUBSECTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Z])\.\s+(\S.{0,160})$").unwrap());
static INTRODUCTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?i:introduction)$").unwrap());
static ANNEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:ANNEX(?:ES)?|Annex(?:es)?)(\s+[IVX\d]+)?\s*$").unwrap());
static AGENDA_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(?\s*Agenda\s+items?\s+(\d.*?)\s*\)?\s*$").unwrap());
static AGENDA_LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})\.\s+(\S.*)$").unwrap());
static AGENDA_SUB_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\(([a-z])\)|([a-z])[).])\s+(\S.*)$").unwrap());
static BULLET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[•·▪◦\-–*]\s*(\S.*)$").unwrap());
static PUNCTUATION_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\s.·•*_\-–—=]+$").unwrap());

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Before paragraph 1: cover page and front matter.
    Front,
    /// Inside paragraph text.
    Paragraph,
    /// Between a heading and the next paragraph.
    Heading,
    /// Inside the numbered list of the adopted agenda.
    AgendaList,
    /// After an annex heading: not part of the report's paragraphs.
    Annex,
}

/// The list that a paragraph opened ("the following recommendations were made: 1. ... 2. ...").
#[derive(Debug, Clone, Copy)]
struct SubList {
    parent: u32,
    last: u32,
}

struct Parser<'a> {
    lines: &'a [Line],
    /// Index of the line being read.
    at: usize,
    out: Structure,
    mode: Mode,
    last_top: u32,
    sub: Option<SubList>,
    section: Option<String>,
    section_index: usize,
    subsection_letter: Option<char>,
    subsection: Option<String>,
    agenda_codes: Vec<String>,
    agenda_title: Option<String>,
    /// Where the agenda list mode was entered: a heading or a paragraph that introduces it.
    agenda_in_paragraph: bool,
    footnote_marks: &'a HashSet<String>,
    last_heading_mentions_agenda: bool,
}

pub(crate) fn structure(layout: &Layout) -> Structure {
    let mut p = Parser {
        lines: &layout.lines,
        at: 0,
        out: Structure::default(),
        mode: Mode::Front,
        last_top: 0,
        sub: None,
        section: None,
        section_index: 0,
        subsection_letter: None,
        subsection: None,
        agenda_codes: Vec::new(),
        agenda_title: None,
        agenda_in_paragraph: false,
        footnote_marks: &layout.footnote_marks,
        last_heading_mentions_agenda: false,
    };
    for (at, line) in layout.lines.iter().enumerate() {
        p.at = at;
        p.line(line);
    }
    p.out.numbered = !p.out.paragraphs.is_empty();
    if !p.out.numbered {
        p.out.paragraphs = fallback_paragraphs(layout);
    }
    for para in &mut p.out.paragraphs {
        para.text = super::text::clean_running_text(&para.text, p.footnote_marks);
    }
    p.out.paragraphs.retain(|para| !para.text.is_empty());
    p.out
}

impl Parser<'_> {
    fn line(&mut self, line: &Line) {
        let text = line.text.as_str();
        if self.mode == Mode::Annex || PUNCTUATION_ONLY.is_match(text) {
            return;
        }
        if self.try_paragraph_start(line) {
            return;
        }
        if self.mode == Mode::AgendaList && self.try_agenda_list_line(text) {
            return;
        }
        if self.try_heading(text) {
            return;
        }
        match self.mode {
            Mode::Paragraph => self.append(line),
            Mode::Front => self.out.front_matter.push(text.to_owned()),
            _ => {}
        }
    }

    fn try_paragraph_start(&mut self, line: &Line) -> bool {
        let text = line.text.as_str();
        if let Some(c) = SUB_START.captures(text) {
            let (n, k) = (
                c[1].parse::<u32>().unwrap_or(0),
                c[2].parse::<u32>().unwrap_or(0),
            );
            let expected_sub = self.sub.filter(|s| s.parent == n).map_or(1, |s| s.last + 1);
            if n == self.last_top
                && self.last_top > 0
                && k == expected_sub
                && self.mode != Mode::Front
            {
                self.sub = Some(SubList { parent: n, last: k });
                self.start(format!("{n}.{k}"), &c[3], line);
                return true;
            }
            // "128.12" inside list 129 at item 11: a misprinted parent. The
            // item number is what keeps the list in order.
            if let Some(sub) = self.sub
                && self.mode == Mode::Paragraph
                && sub.parent == self.last_top
                && n != sub.parent
                && k == sub.last + 1
                && k >= 2
            {
                self.sub = Some(SubList {
                    parent: sub.parent,
                    last: k,
                });
                self.start(format!("{}.{k}", sub.parent), &c[3], line);
                return true;
            }
        }
        if let Some((n, rest)) = self.misprinted_paragraph_start(text) {
            self.last_top = n;
            self.sub = None;
            self.start(n.to_string(), &rest, line);
            return true;
        }
        let Some(c) = PARA_START.captures(text) else {
            return false;
        };
        let n: u32 = c[1].parse().unwrap_or(0);
        let rest = &c[2];
        let continues_list =
            self.sub.is_some_and(|s| n == s.last + 1) && self.mode == Mode::Paragraph;
        if n == self.last_top + 1
            && !(self.mode == Mode::AgendaList
                && !self.agenda_in_paragraph
                && n == self.agenda_next())
            && !(continues_list && self.list_goes_on(n))
        {
            self.last_top = n;
            self.sub = None;
            self.start(n.to_string(), rest, line);
            return true;
        }
        if let Some(sub) = self.sub
            && n == sub.last + 1
            && matches!(self.mode, Mode::Paragraph)
        {
            self.sub = Some(SubList {
                parent: sub.parent,
                last: n,
            });
            self.start(format!("{}.{n}", sub.parent), rest, line);
            return true;
        }
        if n == 1 && self.mode == Mode::Paragraph && self.sub.is_none() {
            let intro = self
                .out
                .paragraphs
                .last()
                .map(|p| p.text.trim_end().to_owned())
                .unwrap_or_default();
            if intro.to_lowercase().contains("agenda") && intro.ends_with(':') {
                self.mode = Mode::AgendaList;
                self.agenda_in_paragraph = true;
                return self.try_agenda_list_line(text);
            }
            if intro.ends_with(':') {
                self.sub = Some(SubList {
                    parent: self.last_top,
                    last: 1,
                });
                self.start(format!("{}.1", self.last_top), rest, line);
                return true;
            }
        }
        if n == 1 && self.mode == Mode::Heading && self.last_heading_mentions_agenda {
            self.mode = Mode::AgendaList;
            self.agenda_in_paragraph = false;
            return self.try_agenda_list_line(text);
        }
        false
    }

    /// A paragraph start that the text layer garbled, so that the paragraph
    /// before would swallow the rest of the report: "106  Sierra Leone"
    /// without its full stop, or "108." after a lost "107.". Accepted only
    /// after a finished sentence and when the paragraph after it follows.
    fn misprinted_paragraph_start(&self, text: &str) -> Option<(u32, String)> {
        if self.mode != Mode::Paragraph || self.sub.is_some() || self.last_top == 0 {
            return None;
        }
        let previous_ends_sentence = self
            .out
            .paragraphs
            .last()
            .is_some_and(|p| p.text.trim_end().ends_with(['.', ';', ':', ')', '”', '"']));
        if !previous_ends_sentence {
            return None;
        }
        let (n, rest) = if let Some(c) = PARA_START_UNDOTTED.captures(text) {
            let n: u32 = c[1].parse().ok()?;
            (n == self.last_top + 1).then(|| (n, c[2].to_owned()))?
        } else {
            let c = PARA_START.captures(text)?;
            let n: u32 = c[1].parse().ok()?;
            let skipped = n == self.last_top + 2
                && c[2].starts_with(char::is_uppercase)
                && !self.starts_a_later_line(self.last_top + 1);
            skipped.then(|| (n, c[2].to_owned()))?
        };
        self.starts_a_later_line(n + 1).then_some((n, rest))
    }

    /// Whether the next lines, before any other heading of the sequence, open
    /// item "N.1." (the section's first paragraph in minutes).
    fn first_item_follows(&self, n: u32) -> bool {
        let first = format!("{n}.1");
        self.lines[self.at + 1..].iter().take(12).any(|l| {
            l.text.strip_prefix(&first).is_some_and(|rest| {
                rest.starts_with(". ")
                    || rest.starts_with(".\t")
                    || rest.starts_with(char::is_whitespace)
            })
        })
    }

    /// Whether "N." opens a line further on.
    fn starts_a_later_line(&self, n: u32) -> bool {
        let prefix = format!("{n}.");
        self.lines[self.at + 1..].iter().any(|l| {
            l.text
                .strip_prefix(&prefix)
                .is_some_and(|rest| rest.starts_with(char::is_whitespace))
        })
    }

    /// A list inside paragraph P can reach item P+1: "91." is then the list's item
    /// when the report's own paragraph 91 comes later, or when the previous item
    /// ends like a list item (";", "and") rather than a sentence.
    fn list_goes_on(&self, n: u32) -> bool {
        let later = self.starts_a_later_line(n);
        let previous = self
            .out
            .paragraphs
            .last()
            .map(|p| p.text.trim_end().to_owned())
            .unwrap_or_default();
        later || previous.ends_with(';') || previous.ends_with(" and") || previous.ends_with(',')
    }

    fn agenda_next(&self) -> u32 {
        self.out
            .agenda
            .iter()
            .filter_map(|a| a.code.parse::<u32>().ok())
            .max()
            .map_or(1, |n| n + 1)
    }

    /// Lines of the adopted agenda: "4. Statements by ...", "a) Opening remarks", "• Nature Conservation".
    fn try_agenda_list_line(&mut self, text: &str) -> bool {
        if let Some(c) = AGENDA_LIST_ITEM.captures(text) {
            let n: u32 = c[1].parse().unwrap_or(0);
            if n == self.agenda_next() {
                self.out.agenda.push(AgendaItem {
                    code: n.to_string(),
                    title: c[2].trim().to_owned(),
                });
                self.echo_into_paragraph(text);
                return true;
            }
            return false;
        }
        let parent = self
            .out
            .agenda
            .iter()
            .rev()
            .find(|a| a.code.chars().all(|c| c.is_ascii_digit()))
            .map(|a| a.code.clone());
        let Some(parent) = parent else { return false };
        let sub_title = AGENDA_SUB_ITEM
            .captures(text)
            .map(|c| c[3].to_owned())
            .or_else(|| BULLET.captures(text).map(|c| c[1].to_owned()));
        if let Some(title) = sub_title {
            let used = self
                .out
                .agenda
                .iter()
                .filter(|a| a.code.starts_with(&parent) && a.code.len() > parent.len())
                .count();
            let letter = (b'a' + used as u8) as char;
            self.out.agenda.push(AgendaItem {
                code: format!("{parent}{letter}"),
                title: title.trim().to_owned(),
            });
            self.echo_into_paragraph(text);
            return true;
        }
        if SECTION.is_match(text) || SUBSECTION.is_match(text) || AGENDA_HEADING.is_match(text) {
            return false;
        }
        // A wrapped agenda title continues the last item.
        if let Some(last) = self.out.agenda.last_mut() {
            last.title = format!("{} {}", last.title, text.trim());
            self.echo_into_paragraph(text);
            return true;
        }
        false
    }

    /// An agenda listed inside a paragraph stays part of that paragraph's text.
    fn echo_into_paragraph(&mut self, text: &str) {
        if self.agenda_in_paragraph
            && let Some(p) = self.out.paragraphs.last_mut()
        {
            p.text.push('\n');
            p.text.push_str(text);
        }
    }

    fn try_heading(&mut self, text: &str) -> bool {
        if ANNEX.is_match(text) && self.last_top > 0 {
            self.mode = Mode::Annex;
            return true;
        }
        if let Some(c) = AGENDA_HEADING.captures(text) {
            let (codes, title) = agenda::parse_heading(&c[1]);
            if !codes.is_empty() {
                if self.mode == Mode::Front {
                    self.out.cover_agenda = Some((codes[0].clone(), title));
                    return true;
                }
                self.agenda_codes = codes;
                self.agenda_title = title;
                self.mode = Mode::Heading;
                return true;
            }
        }
        if INTRODUCTION.is_match(text) {
            self.set_section("Introduction".into());
            return true;
        }
        let next_letter = self
            .subsection_letter
            .map_or('A', |c| (c as u8 + 1) as char);
        if let Some(c) = SUBSECTION.captures(text)
            && c[1].starts_with(next_letter)
            && looks_like_heading(&c[2])
            && self.mode != Mode::Front
        {
            self.subsection_letter = Some(next_letter);
            self.subsection = Some(format!("{next_letter}. {}", heading_case(&c[2])));
            self.after_heading(&c[2]);
            return true;
        }
        if let Some(c) = NUMBERED_HEADING.captures(text)
            && let Ok(n) = c[1].parse::<u32>()
            && n == self.last_top + 1
            && self.sub.is_none_or(|s| s.parent + 1 == n)
            && looks_like_heading(&c[2])
            && !c[2].trim_end().ends_with(['.', ';', ':'])
            && self.first_item_follows(n)
        {
            self.last_top = n;
            self.sub = Some(SubList { parent: n, last: 0 });
            self.set_section(format!("{n}. {}", heading_case(&c[2])));
            self.mode = Mode::Heading;
            return true;
        }
        if let Some(c) = SECTION.captures(text)
            && roman_value(&c[1]) == Some(self.section_index + 1)
            && looks_like_heading(&c[2])
        {
            self.section_index += 1;
            self.set_section(format!("{}. {}", &c[1], heading_case(&c[2])));
            self.after_heading(&c[2]);
            return true;
        }
        false
    }

    fn set_section(&mut self, section: String) {
        self.section = Some(section);
        self.subsection = None;
        self.subsection_letter = None;
        self.after_heading("");
    }

    fn after_heading(&mut self, title: &str) {
        self.agenda_codes.clear();
        self.agenda_title = None;
        self.last_heading_mentions_agenda = title.to_lowercase().contains("agenda");
        if self.mode != Mode::Front || self.last_top > 0 {
            self.mode = Mode::Heading;
        }
    }

    fn start(&mut self, number: String, rest: &str, line: &Line) {
        self.mode = Mode::Paragraph;
        self.out.paragraphs.push(RawParagraph {
            number,
            section: self.section.clone(),
            subsection: self.subsection.clone(),
            agenda_codes: self.agenda_codes.clone(),
            agenda_heading_title: self.agenda_title.clone(),
            page: line.page,
            text: rest.to_owned(),
        });
    }

    fn append(&mut self, line: &Line) {
        if let Some(p) = self.out.paragraphs.last_mut() {
            p.text.push('\n');
            p.text.push_str(&line.text);
        }
    }
}

/// Headings are short titles, not wrapped sentences.
fn looks_like_heading(title: &str) -> bool {
    let first = title.chars().next().unwrap_or(' ');
    (first.is_uppercase() || first == '(')
        && title.split_whitespace().count() <= 20
        && !title.trim_end().ends_with(',')
}

/// "CONCLUSIONS AND RECOMMENDATIONS" → "Conclusions and recommendations"; mixed case stays.
pub(crate) fn heading_case(title: &str) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() || letters.iter().any(|c| c.is_lowercase()) {
        return title;
    }
    let lower = title.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

fn roman_value(roman: &str) -> Option<usize> {
    let mut total = 0usize;
    let mut prev = 0usize;
    for c in roman.chars().rev() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    Some(total)
}

/// A document without numbered paragraphs: its own paragraphs, by blank lines or
/// indentation, numbered in order.
fn fallback_paragraphs(layout: &Layout) -> Vec<RawParagraph> {
    let mut out: Vec<RawParagraph> = Vec::new();
    let use_blanks = !layout.double_spaced && layout.lines.iter().any(|l| l.blank_before);
    for line in &layout.lines {
        let starts = match out.last() {
            None => true,
            Some(_) if use_blanks => line.blank_before,
            Some(_) => line.indent > 0,
        };
        if starts || out.last().is_some_and(|p| p.text.len() > 20_000) {
            out.push(RawParagraph {
                number: (out.len() + 1).to_string(),
                page: line.page,
                text: line.text.clone(),
                ..RawParagraph::default()
            });
        } else if let Some(p) = out.last_mut() {
            p.text.push('\n');
            p.text.push_str(&line.text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One page of `lines`, as the layout stage would hand them on.
    fn layout_of(lines: &[&str]) -> Layout {
        Layout {
            lines: lines
                .iter()
                .map(|text| Line {
                    text: (*text).to_owned(),
                    page: 1,
                    indent: 0,
                    blank_before: false,
                })
                .collect(),
            footnote_marks: HashSet::new(),
            double_spaced: false,
        }
    }

    fn numbers_of(lines: &[&str]) -> Vec<String> {
        structure(&layout_of(lines))
            .paragraphs
            .into_iter()
            .map(|p| p.number)
            .collect()
    }

    #[test]
    fn a_paragraph_number_without_its_full_stop_still_starts_a_paragraph() {
        let numbers = numbers_of(&[
            "1. Serbia welcomed the ratification.",
            "2  Sierra Leone noted the accession.",
            "3. Singapore acknowledged the framework.",
        ]);
        assert_eq!(numbers, ["1", "2", "3"]);
        // Mid-sentence, a number opening a line is the sentence's.
        let numbers = numbers_of(&[
            "1. The Council noted that",
            "2 States had ratified the Convention.",
            "2. Singapore acknowledged the framework.",
        ]);
        assert_eq!(numbers.len(), 2);
    }

    #[test]
    fn a_lost_paragraph_number_does_not_join_the_rest_of_the_report() {
        let numbers = numbers_of(&[
            "1. Serbia welcomed the ratification.",
            "2, Sierra Leone noted the accession.",
            "3. Singapore acknowledged the framework.",
            "4. Slovakia remained concerned.",
        ]);
        assert_eq!(numbers, ["1", "3", "4"]);
    }

    #[test]
    fn a_misprinted_list_parent_keeps_the_list_going() {
        let numbers = numbers_of(&[
            "1. The following recommendations were made:",
            "1.1. Ratify the Convention (Mexico);",
            "1.2. Abolish the death penalty (France);",
            "11.3. Protect journalists (Canada);",
            "1.4. Invite the Special Rapporteur (Chile).",
            "2. All conclusions reflect the position of the submitting States.",
        ]);
        assert_eq!(numbers, ["1", "1.1", "1.2", "1.3", "1.4", "2"]);
    }

    #[test]
    fn minutes_number_paragraphs_within_numbered_sections() {
        let layout = layout_of(&[
            "SUMMARY OF THE MEETING OF 24-25 MARCH 2019",
            "1  ADOPTION OF THE AGENDA",
            "1.1.  The proposed agenda was adopted.",
            "2  SPECIFIC TRADE CONCERNS",
            "2.1.  The representative of Argentina said that the measures were not based on science.",
            "2.2.  The representative of the European Union replied that they were under review.",
            "3  OTHER BUSINESS",
            "3.1.  There was none.",
        ]);
        let found = structure(&layout);
        let got: Vec<(String, Option<String>)> = found
            .paragraphs
            .into_iter()
            .map(|p| (p.number, p.section))
            .collect();
        let section = |s: &str| Some(s.to_owned());
        assert_eq!(
            got,
            [
                ("1.1".to_owned(), section("1. Adoption of the agenda")),
                ("2.1".to_owned(), section("2. Specific trade concerns")),
                ("2.2".to_owned(), section("2. Specific trade concerns")),
                ("3.1".to_owned(), section("3. Other business")),
            ]
        );
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman_value("I"), Some(1));
        assert_eq!(roman_value("IV"), Some(4));
        assert_eq!(roman_value("XII"), Some(12));
    }

    #[test]
    fn heading_case_lowers_all_caps_only() {
        assert_eq!(
            heading_case("CONCLUSIONS AND RECOMMENDATIONS"),
            "Conclusions and recommendations"
        );
        assert_eq!(
            heading_case("Adoption of the agenda"),
            "Adoption of the agenda"
        );
    }
}
