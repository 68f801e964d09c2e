//! Document metadata from the text itself: the UN symbol from the running
//! headers, the body and session from the cover page, the meeting, its place and
//! first day from the opening paragraph ("... was held in Beijing on 25-26 October 2018").

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::speakers::gazetteer;
use super::structure::heading_case;
use crate::model::Speaker;

#[derive(Debug, Default, Clone)]
pub(crate) struct Metadata {
    pub symbol: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub meeting: Option<String>,
    pub date: Option<String>,
    pub place: Option<String>,
    pub state_under_review: Option<Speaker>,
    pub host: Option<Speaker>,
}

static SYMBOL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z]{1,8}(?:/[A-Z0-9][A-Za-z0-9.\-]*){2,}").unwrap());
/// English month names, January first: dates in the records and in citations.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})(?:\s*(?:-|–|to|and)\s*\d{1,2})?\s+(January|February|March|April|May|June|July|August|September|October|November|December)(?:\s*(?:-|–|to)\s*\d{1,2}\s+\w+)?\s+(\d{4})\b").unwrap()
});
static HELD_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bheld\s+(?:at\s+[^,.]*?\s+)?in\s+([A-Z][\p{L}\-]+(?:\s+[A-Z][\p{L}\-]+){0,2})")
        .unwrap()
});
static ORDINAL_MEETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:[A-Z][a-z]+-)?[A-Z][a-z]+|\d{1,3}(?:st|nd|rd|th))\s+((?:[A-Z][a-z]+\s+){0,4}(?:Meeting|Session|Conference|Forum|Summit))\s+\(([A-Z]{2,8})\)\s+of\s+(?:the\s+)?([A-Z][A-Za-z\-]+)").unwrap()
});
static SESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*((?:[a-z]+-)?[a-z]+|\d{1,3}(?:st|nd|rd|th))\s+(?:regular\s+|special\s+)?session\s*$").unwrap()
});
static REVIEW_OF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[Rr]eview of (?:the )?").unwrap());
static HOSTED_BY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bhosted by (?:the )?(?:Government of (?:the )?)?").unwrap());

const BODIES: &[&str] = &[
    "General Assembly",
    "Security Council",
    "Economic and Social Council",
    "Human Rights Council",
    "Trusteeship Council",
    "Commission on Human Rights",
    "Committee against Torture",
    "Human Rights Committee",
    "Conference on Disarmament",
];

pub(crate) fn extract(
    pages: &[String],
    front_matter: &[String],
    first_paragraphs: &[&str],
) -> Metadata {
    let mut meta = Metadata {
        symbol: document_symbol(pages),
        ..Metadata::default()
    };
    let opening = first_paragraphs.join(" ");

    for line in front_matter {
        let trimmed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(body) = BODIES.iter().find(|b| b.eq_ignore_ascii_case(&trimmed)) {
            meta.body = Some((*body).to_owned());
        }
    }
    let session = front_matter
        .iter()
        .find_map(|l| SESSION.captures(l).and_then(|c| ordinal_value(&c[1])));
    if let (Some(n), Some(symbol)) = (session, &meta.symbol) {
        let organ = symbol.split('/').nth(1).unwrap_or("");
        meta.meeting = Some(format!("{organ}-{n}"));
    }

    if let Some(c) = ORDINAL_MEETING.captures(&opening) {
        let name = c[2].trim();
        meta.body.get_or_insert_with(|| format!("{} {name}", &c[4]));
        if let Some(n) = ordinal_value(&c[1]) {
            meta.meeting.get_or_insert_with(|| format!("{}-{n}", &c[3]));
        }
        meta.title
            .get_or_insert_with(|| format!("Report of the {} {name} of {}", &c[1], &c[4]));
    }

    // The date that follows "held" is the meeting's, not a resolution's cited before it.
    meta.date = opening
        .match_indices("held")
        .find_map(|(i, _)| first_date(opening[i..].get(..160).unwrap_or(&opening[i..])))
        .or_else(|| first_date(&opening))
        .or_else(|| front_matter.iter().find_map(|l| first_date(l)));
    meta.place = HELD_IN.captures(&opening).map(|c| c[1].to_owned());

    if let Some(m) = REVIEW_OF.find_iter(&opening).next() {
        meta.state_under_review = gazetteer()
            .resolve_prefix(&opening[m.end()..])
            .map(|(s, _)| s.clone());
    }
    if let Some(m) = HOSTED_BY.find(&opening) {
        meta.host = gazetteer()
            .resolve_prefix(&opening[m.end()..])
            .map(|(s, _)| s.clone());
    }

    if let Some(i) = front_matter
        .iter()
        .position(|l| l.trim_start().starts_with("Report of"))
    {
        let clean = |l: &String| l.trim().trim_end_matches('*').trim().to_owned();
        let mut title = clean(&front_matter[i]);
        let mut rest = front_matter[i + 1..]
            .iter()
            .map(clean)
            .filter(|l| !l.is_empty())
            .peekable();
        // A wrapped title line continues until the subject (a State) or a note.
        while let Some(next) = rest.peek() {
            let continues = gazetteer().resolve(next).is_none()
                && next.chars().next().is_some_and(char::is_alphabetic)
                && !title.ends_with(['.', ':'])
                && title.len() + next.len() < 200;
            if !continues {
                break;
            }
            title = format!("{title} {next}");
            rest.next();
        }
        if let Some(subject) = rest.next().filter(|s| gazetteer().resolve(s).is_some()) {
            title = format!("{title}: {subject}");
        }
        meta.title = Some(title);
    }
    if meta.title.is_none() {
        meta.title = front_matter
            .iter()
            .map(|l| l.trim())
            .find(|l| {
                l.split_whitespace().count() >= 3
                    && l.chars().any(|c| c.is_alphabetic())
                    && !SYMBOL.is_match(l)
            })
            .map(heading_case);
    }
    meta
}

/// The symbol printed most often (running headers repeat it; cited ones appear once).
fn document_symbol(pages: &[String]) -> Option<String> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    fn symbols(page: &str) -> Vec<&str> {
        SYMBOL
            .find_iter(page)
            .map(|m| m.as_str().trim_end_matches(['.', '-']))
            .collect()
    }
    for (order, symbol) in pages.iter().flat_map(|p| symbols(p)).enumerate() {
        counts.entry(symbol).or_insert((0, order)).0 += 1;
    }
    let first_page: Vec<&str> = pages.first().map(|p| symbols(p)).unwrap_or_default();
    counts
        .into_iter()
        .filter(|(s, (n, _))| *n >= 2 || first_page.first() == Some(s))
        .max_by_key(|(_, (n, order))| (*n, std::cmp::Reverse(*order)))
        .map(|(s, _)| s.to_owned())
}

/// "25-26 October 2018" → "2018-10-25".
pub(crate) fn first_date(text: &str) -> Option<String> {
    let c = DATE.captures(text)?;
    let day: u32 = c[1].parse().ok()?;
    let month = MONTHS.iter().position(|m| *m == &c[2])? + 1;
    let year: u32 = c[3].parse().ok()?;
    (1..=31)
        .contains(&day)
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// "Twenty-Second" → 22, "eighth" → 8, "10th" → 10.
pub(crate) fn ordinal_value(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    if let Some(n) = lower
        .trim_end_matches(|c: char| c.is_alphabetic())
        .parse::<u32>()
        .ok()
        .filter(|_| lower.ends_with(['t', 'd', 'h']))
    {
        return Some(n);
    }
    const UNITS: [&str; 20] = [
        "",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
    ];
    const TENS: [(&str, &str, u32); 8] = [
        ("twenty", "twentieth", 20),
        ("thirty", "thirtieth", 30),
        ("forty", "fortieth", 40),
        ("fifty", "fiftieth", 50),
        ("sixty", "sixtieth", 60),
        ("seventy", "seventieth", 70),
        ("eighty", "eightieth", 80),
        ("ninety", "ninetieth", 90),
    ];
    if let Some(i) = UNITS.iter().position(|u| !u.is_empty() && *u == lower) {
        return Some(i as u32);
    }
    for (tens, tenth, value) in TENS {
        if lower == tenth {
            return Some(value);
        }
        if let Some(unit) = lower.strip_prefix(tens).and_then(|r| r.strip_prefix('-')) {
            return UNITS
                .iter()
                .position(|u| !u.is_empty() && *u == unit)
                .map(|i| value + i as u32);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ordinals() {
        assert_eq!(
            first_date("held in Beijing on 25-26 October 2018"),
            Some("2018-10-25".into())
        );
        assert_eq!(
            first_date("from 5 to 19 May 2008"),
            Some("2008-05-05".into())
        );
        assert_eq!(ordinal_value("Twenty-Second"), Some(22));
        assert_eq!(ordinal_value("Eighth"), Some(8));
        assert_eq!(ordinal_value("10th"), Some(10));
    }
}
