//! Query understanding: turn what a person types ("what did Japan say on
//! duplication", "China's position on the Belt and Road Initiative",
//! "speaker:Japan agenda:5e topic:\"Core Fund\" duplication") into the text to
//! search and the filters to apply.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::{QueryError, Result};
use crate::ingest::agenda::normalise_code;
use crate::ingest::speakers::gazetteer;
use crate::model::SpeakerKind;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

/// What was understood from the query and the explicit filters together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Interpreted {
    /// The words searched for (question words and recognised speakers removed).
    pub text: String,
    /// Canonical speaker names: a filter on statements.
    pub speakers: Vec<String>,
    /// Normalised agenda codes ("5e").
    pub agenda: Vec<String>,
    /// Topics; each matches every topic containing its words.
    pub topics: Vec<String>,
    /// Document references (id, symbol, file name or slug).
    pub documents: Vec<String>,
    /// Meeting years.
    pub years: Vec<i32>,
    /// Speakers named as agents ("pledged by Seoul"): searched for by their
    /// names, not as a filter, since others may report what they did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agents: Vec<String>,
    /// Sustainable Development Goals ("13 Climate action").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sdgs: Vec<String>,
    /// Bodies that met ("Security Council"), as the documents name them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bodies: Vec<String>,
    /// Meetings ("SOM-22", "Security Council, 8422nd meeting").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meetings: Vec<String>,
    /// States the paragraphs are about (canonical names).
    pub subjects: Vec<String>,
    /// States whose votes are asked for, in verbatim records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<String>,
    /// The records' own terms searched too, from the thesaurus, where the
    /// question is worded otherwise ("people who flee and ask for
    /// protection": asylum seekers, refugees); by meaning and hybrid search.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_searched: Vec<String>,
    /// First meeting date, ISO, inclusive.
    pub from: Option<String>,
    /// Last meeting date, ISO, inclusive.
    pub to: Option<String>,
}

static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(speaker|agenda|topic|doc|document|year|sdg|vote|body|meeting|subject|from|to):(?:"([^"]*)"|(\S+))"#,
    )
    .unwrap()
});
static QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:what|how|where|when|why)\s+(?:did|does|do|has|have|had|was|is)\s+(?:the\s+)?(.+?)\s+(?:say|said|state|stated|think|propose|proposed|suggest|suggested|mention|mentioned|recommend|recommended|express|expressed|announce|announced|contribute|contributed|pledge|pledged|note|noted|stress|stressed|do|raise|raised)\b(?:\s+(?:about|on|regarding|concerning|in relation to|with regard to|as to|in|of|for))?\s*(.*)$").unwrap()
});
static POSITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:the\s+)?(.+?)(?:'s|’s)\s+(?:position|positions|view|views|statement|statements|stance|remarks?|comments?|proposals?|contribution|contributions|say|words|recommendations?|concerns?|suggestions?|questions?|priorities|pledges?|commitments?|objections?|reservations?)\s+(?:on|about|regarding|concerning|in relation to|with regard to|to|for)\s+(.*)$").unwrap()
});
static ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:the\s+)?(.+?)\s+(?:on|about|regarding|concerning)\s+(.+)$").unwrap()
});
static BY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(.+?)\s+by\s+(?:the\s+)?(.+)$").unwrap());
static WHO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^who\s+(?:said|says|spoke|talked|mentioned|raised|proposed|suggested)\s+(?:about\s+|on\s+|of\s+)?(.*)$").unwrap()
});

/// Interprets a query; explicit filters (flags, API parameters) are merged in by the caller.
pub fn interpret(query: &str) -> Result<Interpreted> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong {
            max: MAX_QUERY_CHARS,
        }
        .into());
    }
    if query
        .chars()
        .any(|c| c.is_control() && c != '\t' && c != '\n')
    {
        return Err(QueryError::ControlCharacters.into());
    }
    let mut out = Interpreted::default();
    let mut rest = String::new();
    let mut last = 0;
    for c in FIELD.captures_iter(query) {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        rest.push_str(&query[last..whole.start]);
        last = whole.end;
        let value = c.get(2).or(c.get(3)).map_or("", |m| m.as_str()).trim();
        if value.is_empty() {
            return Err(QueryError::MissingValue {
                field: c[1].to_owned(),
            }
            .into());
        }
        add_filter(&mut out, &c[1].to_lowercase(), value)?;
    }
    rest.push_str(&query[last..]);
    let text = rest
        .trim()
        .trim_end_matches(['?', '.', '!'])
        .trim()
        .to_owned();
    let understood = understand_question(&text, &mut out.speakers, &mut out.agents);
    let understood = take_subject(&understood, &mut out.subjects);
    // An apostrophe is part of a word to a reader ("organisations' work") but
    // syntax to the query parser; the tokenizer splits there anyway.
    let understood = understood.replace(['\'', '’'], " ");
    out.text = without_stopwords(&understood);
    Ok(out)
}

/// What a search by meaning embeds: the text. Agents' names are left to the
/// keyword side (a name pulls the meaning towards every text about that State,
/// "money pledged by the Republic of Korea" towards its human rights review);
/// with no other words, each of their names.
pub fn meaning_wordings(i: &Interpreted) -> Vec<String> {
    if !i.text.trim().is_empty() || i.agents.is_empty() {
        // "refugees -children" means refugees: the excluded words are the word
        // side's to exclude, and would pull the meaning towards them.
        let wanted = without_negations(&i.text);
        return vec![if wanted.is_empty() {
            i.text.clone()
        } else {
            wanted
        }];
    }
    agent_forms(i)
}

/// `text` without what the query grammar excludes: `-word`, `-"a phrase"`,
/// `NOT word`, `NOT "a phrase"`.
fn without_negations(text: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        let excluded = if word == "NOT" {
            words.next()
        } else if word.len() > 1 && word.starts_with('-') {
            Some(&word[1..])
        } else {
            kept.push(word);
            continue;
        };
        // An excluded phrase runs to its closing quote.
        let opens_phrase =
            excluded.is_some_and(|w| w.starts_with('"') && (w.len() == 1 || !w[1..].contains('"')));
        if opens_phrase {
            for rest in words.by_ref() {
                if rest.contains('"') {
                    break;
                }
            }
        }
    }
    kept.join(" ")
}

/// Every name of the agents a query names ("Republic of Korea", "ROK", ...):
/// the keyword side searches them as one alternative.
pub(crate) fn agent_forms(i: &Interpreted) -> Vec<String> {
    i.agents.iter().flat_map(|a| gazetteer().forms(a)).collect()
}

/// Function words match nearly every paragraph and drown the ranking, so they are
/// dropped outside quoted phrases (unless nothing else is left).
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "in", "on", "to", "for", "with", "by", "at", "as", "is",
    "was", "were", "are", "be", "been", "its", "it", "their", "this", "that", "these", "those",
    "from", "about", "into", "any", "all",
];

/// Whether `word` (lower case) is one of the function words left out of a query.
pub(crate) fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

fn without_stopwords(text: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut in_quotes = false;
    for word in text.split_whitespace() {
        let quotes = word.matches('"').count();
        let operator = matches!(word, "AND" | "OR" | "NOT");
        let keep = in_quotes || quotes > 0 || operator || !is_stopword(&word.to_lowercase());
        if quotes % 2 == 1 {
            in_quotes = !in_quotes;
        }
        if keep {
            kept.push(word);
        }
    }
    if kept.is_empty() {
        text.to_owned()
    } else {
        kept.join(" ")
    }
}

/// Adds one filter, by its field name, validating the value. An empty value
/// is refused, as it is in the query's own `speaker:` syntax.
pub fn add_filter(out: &mut Interpreted, field: &str, value: &str) -> Result<()> {
    let value = value.trim();
    // An SDG is a choice among 17 goals: the error lists them.
    if value.is_empty() && field != "sdg" {
        return Err(QueryError::MissingValue {
            field: field.to_owned(),
        }
        .into());
    }
    match field {
        "speaker" => {
            let speaker = gazetteer()
                .resolve(value)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| value.to_owned());
            push_unique(&mut out.speakers, speaker);
        }
        "agenda" => {
            let code = normalise_code(value).ok_or_else(|| QueryError::Agenda {
                value: value.to_owned(),
            })?;
            push_unique(&mut out.agenda, code);
        }
        "topic" => push_unique(&mut out.topics, value.to_owned()),
        "doc" | "document" => push_unique(&mut out.documents, value.to_owned()),
        "year" => {
            let year: i32 = value.parse().map_err(|_| QueryError::Year {
                value: value.to_owned(),
            })?;
            if !out.years.contains(&year) {
                out.years.push(year);
            }
        }
        "sdg" => {
            let goal = crate::embed::sdg::resolve(value).ok_or_else(|| QueryError::Sdg {
                value: value.to_owned(),
                goals: crate::embed::sdg::list(),
            })?;
            push_unique(&mut out.sdgs, goal);
        }
        "body" => push_unique(&mut out.bodies, value.to_owned()),
        "meeting" => push_unique(&mut out.meetings, value.to_owned()),
        "subject" => {
            let state = gazetteer()
                .resolve(value)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| value.to_owned());
            push_unique(&mut out.subjects, state);
        }
        "vote" => {
            let state = gazetteer()
                .resolve(value)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| value.to_owned());
            push_unique(&mut out.votes, state);
        }
        "from" => out.from = Some(parse_date(value)?),
        "to" => out.to = Some(parse_date(value)?),
        other => {
            return Err(QueryError::UnknownFilter {
                field: other.to_owned(),
            }
            .into());
        }
    }
    Ok(())
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Accepts 2018, 2018-10 or 2018-10-25; returns a full date.
pub fn parse_date(value: &str) -> Result<String> {
    static DATE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$").unwrap());
    let c = DATE
        .captures(value.trim())
        .ok_or_else(|| QueryError::DateFormat {
            value: value.to_owned(),
        })?;
    let month: u32 = c.get(2).map_or(Ok(1), |m| m.as_str().parse()).unwrap_or(0);
    let day: u32 = c.get(3).map_or(Ok(1), |m| m.as_str().parse()).unwrap_or(0);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(QueryError::Date {
            value: value.to_owned(),
        }
        .into());
    }
    Ok(format!("{}-{month:02}-{day:02}", &c[1]))
}

/// Recognises "what did X say on Y", "X's position on Y", "X on Y", "who said Y";
/// X becomes a speaker filter when it names a speaker, and Y is what is searched.
fn understand_question(text: &str, speakers: &mut Vec<String>, agents: &mut Vec<String>) -> String {
    if let Some(c) = WHO.captures(text) {
        return c[1].trim().to_owned();
    }
    // "money pledged by Seoul": an agent at the end.
    if let Some(c) = BY.captures(text)
        && let Some(speaker) = resolve_speaker_phrase(&c[2])
    {
        push_unique(agents, speaker);
        return c[1].trim().to_owned();
    }
    for re in [&*QUESTION, &*POSITION, &*ON] {
        if let Some(c) = re.captures(text)
            && let Some(speaker) = resolve_speaker_phrase(&c[1])
        {
            push_unique(speakers, speaker);
            return c[2].trim().to_owned();
        }
    }
    // "what did the ROK say" with nothing after: all of its statements.
    if let Some(c) = QUESTION.captures(text) {
        let who = c[1].trim();
        if let Some(speaker) = resolve_speaker_phrase(who) {
            push_unique(speakers, speaker);
            return c[2].trim().to_owned();
        }
        return format!("{who} {}", &c[2]).trim().to_owned();
    }
    text.to_owned()
}

/// "torture in Egypt", "Belarus's record on freedom of expression", "concerns
/// about Iran": a State the words are about, not a speaker. It becomes a
/// subject filter and leaves the words.
fn take_subject(text: &str, subjects: &mut Vec<String>) -> String {
    static PREPOSITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\s(?:in|inside|within|about|concerning|regarding|against|towards)\s")
            .unwrap()
    });
    static RECORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:the\s+)?(.+?)(?:'s|’s|')\s+(?:(?:human\s+rights\s+|track\s+)?record|situation|review|performance|progress|efforts)(?:\s+(?:on|in|of|regarding|concerning|with regard to)\s+(.*))?$").unwrap()
    });
    let state_named = |phrase: &str| {
        let phrase = phrase.trim();
        let phrase = phrase.strip_prefix("the ").unwrap_or(phrase);
        gazetteer()
            .resolve(phrase)
            .filter(|s| s.kind == SpeakerKind::Country)
            .map(|s| s.name.clone())
    };
    if let Some(c) = RECORD.captures(text)
        && let Some(state) = state_named(&c[1])
    {
        push_unique(subjects, state);
        return c.get(2).map_or("", |m| m.as_str()).trim().to_owned();
    }
    // "freedom of expression in Belarus": the first preposition after which
    // only States are named.
    for m in PREPOSITION.find_iter(text) {
        let states: Option<Vec<String>> = text[m.end()..]
            .split([',', '&'])
            .flat_map(|part| part.split(" and "))
            .filter(|part| !part.trim().is_empty())
            .map(state_named)
            .collect();
        if let Some(states) = states.filter(|s| !s.is_empty()) {
            for state in states {
                push_unique(subjects, state);
            }
            return text[..m.start()].trim().to_owned();
        }
    }
    text.to_owned()
}

/// "Japan", "the ROK", "the representative of China", "Japan and China" → canonical name.
fn resolve_speaker_phrase(phrase: &str) -> Option<String> {
    let phrase = phrase.trim();
    let phrase = phrase
        .strip_prefix("the representative of ")
        .or_else(|| phrase.strip_prefix("representative of "))
        .or_else(|| phrase.strip_prefix("the delegation of "))
        .unwrap_or(phrase);
    gazetteer()
        .resolve(phrase)
        .or_else(|| gazetteer().resolve_capital(phrase))
        .map(|s| s.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meaning_leaves_out_the_excluded_words() {
        assert_eq!(
            without_negations("refugees -children camps"),
            "refugees camps"
        );
        assert_eq!(without_negations("refugees NOT children"), "refugees");
        assert_eq!(
            without_negations("refugees -\"unaccompanied minor children\" camps"),
            "refugees camps"
        );
        assert_eq!(
            without_negations("refugees NOT \"minors\" camps"),
            "refugees camps"
        );
        assert_eq!(
            without_negations("self-employment in-kind"),
            "self-employment in-kind"
        );
        let only_excluded = Interpreted {
            text: "-children".into(),
            ..Interpreted::default()
        };
        assert_eq!(meaning_wordings(&only_excluded), ["-children"]);
    }

    #[test]
    fn a_state_a_question_is_about_is_its_subject_not_its_speaker() {
        let understood = |q: &str| {
            let i = interpret(q).unwrap();
            (i.text, i.speakers, i.subjects)
        };
        let egypt = || vec!["Egypt".to_owned()];
        assert_eq!(
            understood("torture in Egypt"),
            ("torture".into(), vec![], egypt())
        );
        assert_eq!(
            understood("freedom of expression in Belarus"),
            (
                "freedom expression".into(),
                vec![],
                vec!["Belarus".to_owned()]
            )
        );
        assert_eq!(
            understood("Egypt's record on torture"),
            ("torture".into(), vec![], egypt())
        );
        assert_eq!(
            understood("what did France recommend on torture in Egypt"),
            ("torture".into(), vec!["France".to_owned()], egypt())
        );
        assert_eq!(
            understood("death penalty in the Islamic Republic of Iran and Saudi Arabia").2,
            ["Iran (Islamic Republic of)", "Saudi Arabia"]
        );
        // Words that are not States stay words.
        assert_eq!(
            understood("cooperation in East Asia"),
            ("cooperation East Asia".into(), vec![], vec![])
        );
        assert_eq!(understood("subject:Egypt torture").2, egypt());
    }

    #[test]
    fn questions_become_speaker_filters() {
        let q = interpret("what did Japan say on duplication").unwrap();
        assert_eq!(
            (q.text.as_str(), q.speakers.clone()),
            ("duplication", vec!["Japan".to_owned()])
        );
        let q = interpret("China's position on the Belt and Road Initiative").unwrap();
        assert_eq!(
            (q.text.as_str(), q.speakers.clone()),
            ("Belt Road Initiative", vec!["China".to_owned()])
        );
        let q = interpret("Norway's recommendations on human rights defenders").unwrap();
        assert_eq!(
            (q.text.as_str(), q.speakers.clone()),
            ("human rights defenders", vec!["Norway".to_owned()])
        );
        let q = interpret("what did the ROK say about contributions?").unwrap();
        assert_eq!(
            (q.text.as_str(), q.speakers.clone()),
            ("contributions", vec!["Republic of Korea".to_owned()])
        );
        let q = interpret("money pledged by Seoul").unwrap();
        assert_eq!(
            (q.text.as_str(), q.agents.clone(), q.speakers.len()),
            ("money pledged", vec!["Republic of Korea".to_owned()], 0)
        );
        let q = interpret("what did Tokyo say on duplication").unwrap();
        assert_eq!(q.speakers, ["Japan"]);
        assert_eq!(
            interpret("overlap with other organisations' work")
                .unwrap()
                .text,
            "overlap other organisations work"
        );
        let q = interpret("Japan on duplication").unwrap();
        assert_eq!(q.speakers, vec!["Japan".to_owned()]);
        let q = interpret("cooperation on air pollution").unwrap();
        assert_eq!(
            (q.text.as_str(), q.speakers.len()),
            ("cooperation air pollution", 0)
        );
        assert_eq!(
            interpret(r#""avoiding duplication with" AND the"#)
                .unwrap()
                .text,
            r#""avoiding duplication with" AND"#
        );
    }

    #[test]
    fn field_syntax() {
        let q =
            interpret(r#"speaker:ROK agenda:5e topic:"Core Fund" year:2018 duplication"#).unwrap();
        assert_eq!(q.speakers, ["Republic of Korea"]);
        assert_eq!(q.agenda, ["5e"]);
        assert_eq!(q.topics, ["Core Fund"]);
        assert_eq!(q.years, [2018]);
        assert_eq!(q.text, "duplication");
        assert!(interpret("year:abc x").is_err());
        assert!(interpret(&"x".repeat(1001)).is_err());
    }
}
