//! A verbatim record's running text cut into pieces: headings, speech turns
//! opened by a label, procedural lines (the record's own) and votes.

use std::sync::LazyLock;

use regex::Regex;

use super::labels::{self, Label};
use super::votes;

/// One line of running text and its page.
pub(crate) type Line = (u32, String);

/// A piece of the record, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    /// Heading lines: an agenda item and its title, or a topic.
    Heading(Vec<String>),
    /// A label opening a new turn.
    Label(Label),
    /// A language note ("(spoke in English)") inside a turn.
    Language(String),
    /// Lines said by the current turn's speaker.
    Speech(Vec<Line>),
    /// A procedural sentence: the record's own voice.
    Procedural(Vec<Line>),
    /// A vote block: how it was taken and its lists.
    Vote(Vec<Line>),
}

/// The record's procedural sentences, matched on a whole sentence.
static PROCEDURAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:The meeting (?:was called to order|rose|was suspended|was resumed|resumed|was adjourned|was closed)",
        r"|The agenda was adopted",
        r"|The provisional agenda was adopted",
        r"|It was so decided",
        r"|A (?:separate,? )?recorded vote (?:has been|was|had been) requested",
        r"|There being no objection, it (?:is|was) so decided",
        r"|At the invitation of the (?:President|Chair)",
        r"|The (?:President|Chair(?:man|person)?) returned to the Chair",
        r"|.{3,120}\btook the Chair\.$",
        r"|.{3,120}\b(?:took|resumed) (?:a|his|her|their) (?:seat|seats|place|places)\b",
        r"|(?:The )?(?:draft|amendment|motion|proposal|(?:\w+ )?(?:preambular|operative) paragraph)[^:]{0,300}\b(?:was|were) (?:adopted|rejected|retained|approved)\b",
        r")"
    ))
    .expect("procedural pattern")
});

/// A sentence that opens a vote block.
static VOTE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:A (?:recorded |roll-call |separate,? recorded )?vote was taken|In favour\s*:)")
        .expect("vote start pattern")
});

/// Whether a line ends a sentence: full stop, question or exclamation mark,
/// colon or semicolon, perhaps inside closing quotes or brackets.
pub(crate) fn ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end_matches(['”', '’', '"', '\'', ')', ']', ' ']);
    trimmed.ends_with(['.', '?', '!', ':', ';'])
}

/// The number of lines from `i` that make one sentence (at most four).
fn sentence_len(lines: &[Line], i: usize) -> usize {
    (i..lines.len().min(i + 4))
        .position(|j| ends_sentence(&lines[j].1))
        .map_or(1, |k| k + 1)
}

/// Lines from `i` that make a procedural sentence, if they do.
fn procedural_at(lines: &[Line], i: usize) -> Option<usize> {
    let n = sentence_len(lines, i);
    PROCEDURAL
        .is_match(&running_text(&lines[i..i + n]))
        .then_some(n)
}

fn label_at(lines: &[Line], i: usize, after_sentence: bool) -> Option<Label> {
    let window: Vec<&str> = lines[i..lines.len().min(i + 2)]
        .iter()
        .map(|(_, l)| l.as_str())
        .collect();
    labels::label_at(&window, after_sentence)
}

/// A run of heading lines from `i`, ended by a label, a procedural sentence or
/// another agenda heading: their count.
fn heading_at(lines: &[Line], i: usize) -> Option<usize> {
    let agenda = super::cover::agenda_heading(&lines[i].1).is_some();
    let most = if agenda { 8 } else { 6 };
    for n in 1..=most {
        let j = i + n - 1;
        let (_, line) = lines.get(j)?;
        let heading_like = line.len() <= 110
            && !ends_sentence(line)
            && !line.ends_with(',')
            // A sentence broken off ("individuals —") is speech, never a heading.
            && !line.ends_with(['—', '–'])
            && (j > i || line.starts_with(|c: char| c.is_uppercase() || c == '('));
        if !heading_like {
            return None;
        }
        let next = lines.get(j + 1)?;
        if label_at(lines, j + 1, true).is_some()
            || procedural_at(lines, j + 1).is_some()
            || VOTE_START.is_match(&next.1)
            || (n > 1 || !agenda) && super::cover::agenda_heading(&next.1).is_some()
        {
            return Some(n);
        }
    }
    None
}

/// Cuts the running text into pieces.
pub(crate) fn cut(lines: &[Line]) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut open: Option<Piece> = None;
    let mut after_sentence = true;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i].1;
        let in_vote = matches!(open, Some(Piece::Vote(_)));
        if let Some(language) = labels::language_note(line) {
            pieces.extend(open.take());
            pieces.push(Piece::Language(language));
            i += 1;
            continue;
        }
        if let Some(label) = label_at(lines, i, after_sentence) {
            pieces.extend(open.take());
            let rest = label.rest.clone();
            let page = lines[i].0;
            i += label.lines;
            after_sentence = rest.is_empty() || ends_sentence(&rest);
            pieces.push(Piece::Label(label));
            open = Some(Piece::Speech(if rest.is_empty() {
                Vec::new()
            } else {
                vec![(page, rest)]
            }));
            continue;
        }
        if in_vote && (votes::opens_list(line) || !votes::is_prose(line)) {
            if let Some(Piece::Vote(v)) = &mut open {
                v.push(lines[i].clone());
            }
            i += 1;
            continue;
        }
        if (after_sentence || in_vote) && VOTE_START.is_match(line) {
            pieces.extend(open.take());
            let n = if votes::opens_list(line) {
                1
            } else {
                sentence_len(lines, i)
            };
            open = Some(Piece::Vote(lines[i..i + n].to_vec()));
            i += n;
            after_sentence = true;
            continue;
        }
        if after_sentence || in_vote {
            if let Some(n) = procedural_at(lines, i) {
                pieces.extend(open.take());
                pieces.push(Piece::Procedural(lines[i..i + n].to_vec()));
                i += n;
                after_sentence = true;
                continue;
            }
            if let Some(n) = heading_at(lines, i) {
                pieces.extend(open.take());
                pieces.push(Piece::Heading(
                    lines[i..i + n].iter().map(|(_, l)| l.clone()).collect(),
                ));
                i += n;
                after_sentence = true;
                continue;
            }
        }
        match &mut open {
            Some(Piece::Speech(speech)) => speech.push(lines[i].clone()),
            _ => {
                // Text after a procedural line or a vote: the turn goes on.
                pieces.extend(open.take());
                open = Some(Piece::Speech(vec![lines[i].clone()]));
            }
        }
        after_sentence = ends_sentence(line);
        i += 1;
    }
    pieces.extend(open);
    pieces.retain(|p| !matches!(p, Piece::Speech(lines) if lines.is_empty()));
    pieces
}

/// Splits a speech's lines into the record's paragraphs: a paragraph ends on
/// a line that ends a sentence and falls short of the column's width.
pub(crate) fn paragraphs(lines: &[Line], column_width: impl Fn(u32) -> usize) -> Vec<Vec<Line>> {
    let mut out: Vec<Vec<Line>> = Vec::new();
    let mut current: Vec<Line> = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        current.push(line.clone());
        let width = column_width(line.0);
        let short = line.1.chars().count() * 100 < width * 85;
        let last = k + 1 == lines.len();
        if last || (ends_sentence(&line.1) && short) {
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

/// Joins lines into running text; a line ending in a hyphen joins the next
/// without a space ("Secretary-" "General").
pub(crate) fn running_text(lines: &[Line]) -> String {
    let mut text = String::new();
    for (_, line) in lines {
        let hyphenated = text.ends_with('-') && !text.ends_with(" -");
        if !text.is_empty() && !hyphenated {
            text.push(' ');
        }
        text.push_str(line);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line> {
        text.lines().map(|l| (1, l.to_owned())).collect()
    }

    #[test]
    fn a_vote_and_the_turns_around_it() {
        let text = "The meeting was called to order at 3.10 p.m.\n\
                    Adoption of the agenda\n\
                    The agenda was adopted.\n\
                    The situation in the Central African Republic\n\
                    The President (spoke in French): I shall put the draft resolution\n\
                    to the vote now.\n\
                    A vote was taken by show of hands.\n\
                    In favour:\n\
                    Bolivia (Plurinational State of), Côte d’Ivoire,\n\
                    and United States of America\n\
                    Against:\n\
                    None\n\
                    Abstaining:\n\
                    China and Russian Federation\n\
                    The President (spoke in French): The draft\n\
                    resolution received 13 votes in favour.\n\
                    Mr. Delattre (France) (spoke in French): France\n\
                    welcomes the adoption of resolution 2448 (2018).";
        let pieces = cut(&lines(text));
        let kinds: Vec<&str> = pieces
            .iter()
            .map(|p| match p {
                Piece::Heading(_) => "heading",
                Piece::Label(_) => "label",
                Piece::Language(_) => "language",
                Piece::Speech(_) => "speech",
                Piece::Procedural(_) => "procedural",
                Piece::Vote(_) => "vote",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "procedural",
                "heading",
                "procedural",
                "heading",
                "label",
                "speech",
                "vote",
                "label",
                "speech",
                "label",
                "speech"
            ]
        );
        let Piece::Vote(vote) = &pieces[6] else {
            panic!("no vote")
        };
        assert_eq!(vote.len(), 8);
    }

    #[test]
    fn a_sentence_broken_off_is_no_heading() {
        let text = "in the voting on the resolution as a whole.\n\
                    As seen here a few minutes ago, on this occasion\n\
                    the United States has again abstained, which clearly\n\
                    demonstrates the manipulative nature of its amendment\n\
                    and the fact that this proposal really has nothing to do\n\
                    with defending the sexual orientation of individuals —\n\
                    The President (spoke in French): I give the floor\n\
                    to the representative of the United States of America.";
        let pieces = cut(&lines(text));
        assert!(
            pieces.iter().all(|p| !matches!(p, Piece::Heading(_))),
            "{pieces:?}"
        );
    }

    #[test]
    fn a_vice_president_taking_the_chair_is_procedural() {
        let text = "world.\n\
                    Mr. Nyakyi (United Republic of Tanzania), Vice-\n\
                    President, took the Chair.\n\
                    We believe that";
        let pieces = cut(&lines(text));
        assert!(
            matches!(&pieces[1], Piece::Procedural(l) if l.len() == 2),
            "{pieces:?}"
        );
    }

    #[test]
    fn paragraphs_end_on_short_lines_that_end_a_sentence() {
        let speech = lines(
            "In a context that is characterized by ongoing serious\n\
             violence, it was essential to act.\n\
             In order to promote consensus, we have sought\n\
             relentlessly, through extensive consultations and,\n\
             of course, with respect.",
        );
        let paras = paragraphs(&speech, |_| 54);
        assert_eq!(paras.len(), 2);
        assert_eq!(
            running_text(&[(1, "the Secretary-".into()), (1, "General’s report".into())]),
            "the Secretary-General’s report"
        );
    }
}
