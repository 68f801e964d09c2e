//! Votes in a verbatim record: "A recorded vote was taken. In favour: ...
//! Against: ... Abstaining: ...", and the result the President or the record
//! states ("was adopted by 120 votes to 2, with 3 abstentions (resolution 65/200)").

use std::sync::LazyLock;

use regex::Regex;

use crate::ingest::speakers::gazetteer;
use crate::model::Vote;

/// The heads of a vote's lists.
static LIST_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<head>In favour|Against|Abstaining|Abstentions?|Absent|Not voting)\s*:")
        .expect("list pattern")
});

/// What a result sentence says: "... was adopted by 13 votes ...", "has not been adopted".
static RESULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:was|were|has been|have been|is)\s+(?P<not>not\s+)?(?P<result>adopted|rejected|retained|approved)\b|\b(?:has|have)\s+not\s+been\s+(?P<result2>adopted)\b")
        .expect("result pattern")
});

static RESOLUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(resolution\s+(?P<ga>\d+/\d+[A-Z]?)\)|as resolution\s+(?P<sc>\d+\s*\(\d{4}\)|\d+/\d+[A-Z]?)").expect("resolution pattern")
});

/// What is put to the vote, as the text names it.
static SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?P<subject>draft\s+(?:resolution|decision)s?\s+(?:(?:contained\s+)?in\s+document\s+)?(?:[A-Z]/[\w./-]*\w(?:\s+and\s+Corr\.\s?\d+)?|[IVXL]+\b|[A-Z]\b)",
        r"|(?:the\s+)?amendments?\s+(?:contained\s+in\s+document\s+)?[A-Z]/[\w./-]*\w",
        r"|(?:the\s+)?(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\w+teenth|\w+tieth)\s+)?(?:preambular|operative)\s+paragraph(?:s)?(?:\s+\d+(?:\s+and\s+\d+)?)?",
        r"|(?:the\s+)?\bmotion\s+[^.,;]{3,60})"
    ))
    .expect("subject pattern")
});

/// Whether `line` opens one of a vote's lists ("In favour:", "Against:", ...).
pub(crate) fn opens_list(line: &str) -> bool {
    LIST_HEAD.find(line).is_some_and(|m| m.start() == 0)
}

/// The lists of a vote block, and names in them the gazetteer does not know.
pub(crate) fn parse(block: &str) -> (Vote, Vec<String>) {
    let mut vote = Vote {
        method: method(block),
        ..Vote::default()
    };
    let mut unknown = Vec::new();
    let heads: Vec<_> = LIST_HEAD.captures_iter(block).collect();
    for (i, head) in heads.iter().enumerate() {
        let whole = head.get(0).map_or(0..0, |m| m.range());
        let end = heads
            .get(i + 1)
            .and_then(|next| next.get(0))
            .map_or(block.len(), |m| m.start());
        let (names, residue) = names_in(&block[whole.end..end]);
        unknown.extend(residue);
        match &head["head"] {
            "In favour" => vote.in_favour = names,
            "Against" => vote.against = names,
            h if h.starts_with("Abstain") || h.starts_with("Abstention") => vote.abstaining = names,
            _ => {}
        }
    }
    (vote, unknown)
}

/// "show of hands" or "recorded vote", where the block says.
fn method(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    [
        "show of hands",
        "recorded vote",
        "roll-call vote",
        "secret ballot",
    ]
    .iter()
    .find(|m| lower.contains(*m))
    .map(|m| m.to_string())
}

/// The States a list names, by canonical name, and any words left over.
fn names_in(list: &str) -> (Vec<String>, Vec<String>) {
    let list = list.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut names: Vec<String> = Vec::new();
    let mut residue = String::new();
    let mut last = 0;
    for mention in gazetteer().mentions(&list) {
        if mention.start < last {
            continue;
        }
        residue.push_str(&list[last..mention.start]);
        residue.push(' ');
        if !names.contains(&mention.speaker.name) {
            names.push(mention.speaker.name.clone());
        }
        last = mention.end;
    }
    residue.push_str(&list[last..]);
    let leftover: Vec<String> = residue
        .split([',', ';'])
        .map(|part| {
            part.split_whitespace()
                .filter(|w| {
                    !matches!(
                        *w,
                        "and"
                            | "None"
                            | "none"
                            | "the"
                            | "The"
                            | "former"
                            | "Former"
                            | "."
                            | "-"
                            | "—"
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|part| part.chars().any(char::is_alphabetic))
        .collect();
    (names, leftover)
}

/// Whether a line is prose rather than part of a list of States: lists hold
/// few lower-case words ("of", "and", "the former").
pub(crate) fn is_prose(line: &str) -> bool {
    line.split_whitespace()
        .filter(|w| !w.contains(['’', '\'']))
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
        .filter(|w| w.starts_with(|c: char| c.is_lowercase()))
        .filter(|w| {
            !matches!(
                *w,
                "of" | "and" | "the" | "former" | "da" | "de" | "del" | "du" | "des"
            )
        })
        .count()
        >= 2
}

/// Fills `vote`'s result and resolution from a sentence that states them.
pub(crate) fn read_result(vote: &mut Vote, sentence: &str) -> bool {
    let Some(c) = RESULT.captures(sentence) else {
        return false;
    };
    let word = c
        .name("result")
        .or_else(|| c.name("result2"))
        .map_or("adopted", |m| m.as_str())
        .to_lowercase();
    let negated = c.name("not").is_some() || c.name("result2").is_some();
    vote.result = Some(if negated { format!("not {word}") } else { word });
    if let Some(r) = RESOLUTION.captures(sentence) {
        vote.resolution = r
            .name("ga")
            .or_else(|| r.name("sc"))
            .map(|m| m.as_str().to_owned());
    }
    if vote.subject.is_none() {
        vote.subject = subject(sentence);
    }
    true
}

/// "document S/2018/1016, which contains the text of a draft resolution".
static CONTAINS_DRAFT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"document\s+(?P<symbol>[A-Z]/[\w./-]*\w),\s+which\s+contains\s+the\s+text\s+of\s+a\s+draft\s+(?P<kind>resolution|decision)")
        .expect("draft document pattern")
});

/// The last thing `text` names as put to the vote.
pub(crate) fn subject(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let named = SUBJECT.captures_iter(&text).last().map(|c| {
        let m = c.name("subject").map_or(0..0, |m| m.range());
        (
            m.start,
            text[m]
                .trim()
                .trim_start_matches("the ")
                .replace(" in document ", " ")
                .replace(" contained", ""),
        )
    });
    let contained = CONTAINS_DRAFT.captures_iter(&text).last().map(|c| {
        let start = c.get(0).map_or(0, |m| m.start());
        (start, format!("draft {} {}", &c["kind"], &c["symbol"]))
    });
    match (named, contained) {
        (Some(n), Some(c)) => Some(if n.0 > c.0 && n.1.contains('/') {
            n.1
        } else {
            c.1
        }),
        (n, c) => n.or(c).map(|(_, s)| s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_show_of_hands() {
        let (vote, unknown) = parse(
            "A vote was taken by show of hands. In favour: Bolivia (Plurinational State of), \
             Côte d’Ivoire, Equatorial Guinea, Ethiopia, France, Kazakhstan, Kuwait, Netherlands, \
             Peru, Poland, Sweden, United Kingdom of Great Britain and Northern Ireland and United \
             States of America Against: None Abstaining: China and Russian Federation",
        );
        assert_eq!(vote.method.as_deref(), Some("show of hands"));
        assert_eq!(vote.in_favour.len(), 13, "{:?}", vote.in_favour);
        assert!(vote.against.is_empty());
        assert_eq!(vote.abstaining, vec!["China", "Russian Federation"]);
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn results_and_subjects() {
        let mut vote = Vote::default();
        assert!(read_result(
            &mut vote,
            "The draft resolution received 13 votes in favour, none against and two abstentions. \
             The draft resolution has been adopted as resolution 2448 (2018)."
        ));
        assert_eq!(vote.result.as_deref(), Some("adopted"));
        assert_eq!(vote.resolution.as_deref(), Some("2448 (2018)"));
        let mut vetoed = Vote::default();
        read_result(
            &mut vetoed,
            "The draft resolution has not been adopted, owing to the negative vote",
        );
        assert_eq!(vetoed.result.as_deref(), Some("not adopted"));
        let mut ga = Vote::default();
        read_result(
            &mut ga,
            "Draft resolution A/65/L.33 was adopted by 120 votes to 2, with 3 abstentions (resolution 65/200).",
        );
        assert_eq!(ga.resolution.as_deref(), Some("65/200"));
        assert_eq!(ga.subject.as_deref(), Some("Draft resolution A/65/L.33"));
        assert_eq!(
            subject("I shall now put to the vote the draft resolution in document S/1997/241.")
                .as_deref(),
            Some("draft resolution S/1997/241")
        );
        assert_eq!(
            subject(
                "Members of the Council have before them document S/2018/1016, which contains \
                 the text of a draft resolution submitted by France. I shall put the draft \
                 resolution to the vote now."
            )
            .as_deref(),
            Some("draft resolution S/2018/1016")
        );
        assert!(is_prose(
            "The eighth preambular paragraph was retained by 105"
        ));
        assert!(!is_prose(
            "Sweden, the former Yugoslav Republic of Macedonia,"
        ));
    }
}
