//! The cover block of a verbatim record: symbol, body, session or year,
//! meeting number, date and hour, place, the President and the members.

use std::sync::LazyLock;

use regex::Regex;

use crate::ingest::metadata::first_date;
use crate::ingest::speakers::gazetteer;
use crate::model::{AgendaItem, MeetingRecord};

/// "S/PV.8422", "S/ PV.8422", "A/48/PV.46", "A/ES-10/PV.21".
static SYMBOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?P<body>[AS])/\s?(?:(?P<session>ES-\d{1,2}|\d{1,3})/\s?)?PV\.\s?(?P<number>\d{1,5})\b",
    )
    .expect("symbol pattern")
});

static SESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?P<session>(?:[a-z]+-)?[a-z]+(?:\s+special|\s+emergency special)?\s+(?:session|year))\b")
        .expect("session pattern")
});

static MEETING_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?P<number>\d{1,5})(?:st|nd|rd|th)\s+(?:plenary\s+)?meeting\b")
        .expect("meeting pattern")
});

static HOUR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4},?\s+(?:at\s+)?(?P<hour>\d{1,2}(?:\.\d{2})?\s*[ap]\.\s?m\.)")
        .expect("hour pattern")
});

static PRESIDENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"President:\s*(?P<name>(?:(?:Mr|Ms|Mrs|Miss|Dr|Dame|Sir|Sheikh|Sheikha|Prince|Princess)\.?\s+)?[^.(…]+?)\s*[.\s…]*\((?P<state>[^()]+(?:\([^()]*\)[^()]*)?)\)")
        .expect("president pattern")
});

/// A member line: "France .......... Mr. Delattre".
static MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Members:\s*)?(?P<state>[^.…]+?)\s*[.…]{2,}[.…\s]*(?:Mr|Ms|Mrs|Dame|Sir|Sheikh|Sheikha|Miss|Dr)\.?\s")
        .expect("member pattern")
});

static PLACES: &[&str] = &["New York", "Geneva", "Vienna", "Nairobi", "Addis Ababa"];

/// What the cover says.
#[derive(Debug, Default, Clone)]
pub(crate) struct Cover {
    pub symbol: Option<String>,
    pub body: Option<String>,
    pub date: Option<String>,
    pub place: Option<String>,
    pub record: MeetingRecord,
    /// The agenda printed on a Security Council cover.
    pub agenda: Vec<String>,
}

/// The document symbol anywhere in `text`, normalised ("S/PV.8422").
pub(crate) fn symbol(text: &str) -> Option<String> {
    let c = SYMBOL.captures(text)?;
    Some(match c.name("session") {
        Some(session) => format!("{}/{}/PV.{}", &c["body"], session.as_str(), &c["number"]),
        None => format!("{}/PV.{}", &c["body"], &c["number"]),
    })
}

/// Reads the cover from the first page's raw lines.
pub(crate) fn read(first_page: &str) -> Cover {
    let lines: Vec<String> = first_page
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    let flat = lines.join(" ");
    let symbol = symbol(&flat);
    let body = match symbol.as_deref().map(|s| s.as_bytes()[0]) {
        Some(b'S') => Some("Security Council".to_owned()),
        Some(_) => Some("General Assembly".to_owned()),
        None if flat.to_lowercase().contains("security council") => {
            Some("Security Council".to_owned())
        }
        None => Some("General Assembly".to_owned()),
    };
    let mut record = MeetingRecord {
        session: SESSION
            .captures(&flat)
            .map(|c| sentence_case(&c["session"])),
        number: MEETING_NUMBER
            .captures(&flat)
            .map(|c| c["number"].to_owned())
            .or_else(|| SYMBOL.captures(&flat).map(|c| c["number"].to_owned())),
        time: HOUR
            .captures(&flat)
            .map(|c| c["hour"].replace("p. m.", "p.m.").replace("a. m.", "a.m.")),
        ..MeetingRecord::default()
    };
    if let Some(c) = PRESIDENT.captures(&flat) {
        record.president = Some(c["name"].trim().to_owned());
        let state = c["state"].trim();
        record.president_state = Some(
            gazetteer()
                .resolve(state)
                .map_or_else(|| state.to_owned(), |s| s.name.clone()),
        );
    }
    for line in &lines {
        if let Some(c) = MEMBER.captures(line)
            && let Some(state) = gazetteer().resolve(c["state"].trim())
            && !record.members.contains(&state.name)
        {
            record.members.push(state.name.clone());
        }
    }
    let place = PLACES
        .iter()
        .find(|p| lines.iter().any(|l| l.eq_ignore_ascii_case(p)))
        .map(|p| p.to_string());
    Cover {
        symbol,
        body,
        date: first_date(&flat),
        place,
        record,
        agenda: cover_agenda(&lines),
    }
}

/// The titles under "Agenda" on the cover, up to the boilerplate.
fn cover_agenda(lines: &[String]) -> Vec<String> {
    let Some(start) = lines.iter().position(|l| l == "Agenda") else {
        return Vec::new();
    };
    let mut titles: Vec<String> = Vec::new();
    for line in &lines[start + 1..] {
        if line.starts_with("This record") || super::furniture::is_furniture(line) {
            break;
        }
        // A wrapped title goes on in lower case or with its document symbol.
        match titles.last_mut() {
            Some(last) if line.starts_with(|c: char| c.is_lowercase() || c == '(') => {
                last.push(' ');
                last.push_str(line);
            }
            _ => titles.push(line.clone()),
        }
    }
    titles
}

/// "SIXTIETH SESSION" → "Sixtieth session".
fn sentence_case(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Agenda headings in the record: "Agenda item 13", "AGENDA ITEM 14
/// (continued)", "Agenda items 21 to 26", "Agenda item 48 and 114".
static AGENDA_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^agenda\s+items?\s+(?P<codes>\d+(?:\s*\([a-z]\)|[a-z]\b)?(?:\s*(?:,|and|to)\s*\d+(?:\s*\([a-z]\)|[a-z]\b)?)*)(?:\s*\(continued\))?\s*(?P<rest>.*)$")
        .expect("agenda heading pattern")
});

/// The item codes an agenda heading names, and the title that follows it on the line.
pub(crate) fn agenda_heading(line: &str) -> Option<(Vec<String>, String)> {
    let c = AGENDA_HEADING.captures(line)?;
    let spec = c["codes"].to_lowercase();
    let mut codes: Vec<String> = Vec::new();
    let numbers: Vec<&str> = spec
        .split(|ch: char| ch == ',' || ch.is_whitespace())
        .filter(|w| !w.is_empty() && *w != "and")
        .collect();
    let mut i = 0;
    while i < numbers.len() {
        let word = numbers[i].replace(['(', ')'], "");
        if word == "to"
            && let (Some(from), Some(to)) = (
                codes.last().and_then(|c| c.parse::<u32>().ok()),
                numbers.get(i + 1).and_then(|n| n.parse::<u32>().ok()),
            )
            && to > from
            && to - from < 50
        {
            codes.extend((from + 1..=to).map(|n| n.to_string()));
            i += 2;
            continue;
        }
        if word.chars().all(|ch| ch.is_ascii_lowercase()) && word.len() == 1 {
            if let Some(last) = codes.last_mut() {
                last.push_str(&word);
            }
        } else if !word.is_empty() && word.chars().all(|ch| ch.is_ascii_digit()) {
            codes.push(word);
        }
        i += 1;
    }
    Some((codes, c["rest"].trim().to_owned()))
}

/// Agenda items from headings, first title kept, in code order.
pub(crate) fn agenda_items(found: &[(String, String)]) -> Vec<AgendaItem> {
    let mut items: Vec<AgendaItem> = Vec::new();
    for (code, title) in found {
        if !items.iter().any(|i| &i.code == code) {
            items.push(AgendaItem {
                code: code.clone(),
                title: title.clone(),
            });
        }
    }
    items.sort_by_key(|i| {
        let digits: String = i.code.chars().take_while(char::is_ascii_digit).collect();
        (digits.parse::<u32>().unwrap_or(u32::MAX), i.code.clone())
    });
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_normalised() {
        assert_eq!(
            symbol("United Nations S/ PV.8422").as_deref(),
            Some("S/PV.8422")
        );
        assert_eq!(
            symbol("A/48/PV.46 22 November").as_deref(),
            Some("A/48/PV.46")
        );
        assert_eq!(symbol("A/ES-10/PV.21").as_deref(), Some("A/ES-10/PV.21"));
        assert_eq!(symbol("document S/2018/1016"), None);
    }

    #[test]
    fn a_security_council_cover() {
        let cover = read(
            "United Nations S/PV.8422\nSecurity Council\nSeventy-third year\n8422nd meeting\n\
             Thursday, 13 December 2018, 3 p.m.\nNew York\nProvisional\n\
             President: Mr. Adom ...................... (Côte d’Ivoire)\n\
             Members: Bolivia (Plurinational State of) ........ Mr. Llorentty Solíz\n\
             China .......... Mr. Ma Zhaoxu\nAgenda\nThe situation in the Central African Republic\n\
             This record contains the text of speeches",
        );
        assert_eq!(cover.symbol.as_deref(), Some("S/PV.8422"));
        assert_eq!(cover.body.as_deref(), Some("Security Council"));
        assert_eq!(cover.date.as_deref(), Some("2018-12-13"));
        assert_eq!(cover.place.as_deref(), Some("New York"));
        assert_eq!(cover.record.session.as_deref(), Some("Seventy-third year"));
        assert_eq!(cover.record.number.as_deref(), Some("8422"));
        assert_eq!(cover.record.time.as_deref(), Some("3 p.m."));
        assert_eq!(cover.record.president.as_deref(), Some("Mr. Adom"));
        assert_eq!(
            cover.record.president_state.as_deref(),
            Some("Côte d'Ivoire")
        );
        assert_eq!(cover.record.members.len(), 2, "{:?}", cover.record.members);
        assert_eq!(
            cover.agenda,
            vec!["The situation in the Central African Republic"]
        );
    }

    #[test]
    fn agenda_headings_name_their_items() {
        assert_eq!(
            agenda_heading("Agenda item 13").map(|h| h.0),
            Some(vec!["13".into()])
        );
        assert_eq!(
            agenda_heading("AGENDA ITEM 14 (continued)").map(|h| h.0),
            Some(vec!["14".into()])
        );
        assert_eq!(
            agenda_heading("Agenda items 21 to 26").map(|h| h.0.len()),
            Some(6)
        );
        assert_eq!(
            agenda_heading("Agenda item 48 and 114 (continued)").map(|h| h.0),
            Some(vec!["48".into(), "114".into()])
        );
        assert_eq!(agenda_heading("The agenda was adopted."), None);
    }
}
