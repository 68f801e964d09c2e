//! Speaker labels: the words that open a speech turn in a verbatim record.
//! "Mr. Delattre (France) (spoke in French):", "Mr. INSANALLY (Guyana):",
//! "The President:", "The Acting President:", "The Secretary-General:", or a
//! guest by name alone ("Ms. Keita:"). A label may wrap onto a second line.

use std::sync::LazyLock;

use regex::Regex;

/// Titles a person's label opens with.
const TITLES: &str = r"(?:Mr|Ms|Mrs|Miss|Mme|Mlle|Dr|Dame|Sir|Lord|Lady|Baroness|Baron|Sheikh|Sheikha|Prince|Princess|King|Queen|Emir|Archbishop|Cardinal|Monsignor|Msgr|Bishop|Father|Reverend|Rev|Judge|General|Ambassador|Professor|Prof|Archduke|Count|Countess)\.?";

/// A person with an affiliation: "Mr. Delattre (France)", "Mr. Toro Jiménez
/// (Bolivarian Republic of Venezuela)", "Mr. Llorentty Solíz (Bolivia
/// (Plurinational State of))".
static PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?P<person>{TITLES}\s+[^():;,]{{1,60}}?)\s*\((?P<affiliation>[^()]+(?:\([^()]*\)[^()]*)?)\)"
    ))
    .expect("person label pattern")
});

/// A role: "The President", "The Acting President", "The Secretary-General".
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^The\s+(?P<role>(?i:(?:Acting\s+|Deputy\s+|Vice-)?(?:President|Chair(?:man|person|woman)?|Secretary-General)))")
        .expect("role label pattern")
});

/// A guest by name alone: "Ms. Keita", "Mr. Jean-Pierre Lacroix".
static GUEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?P<person>{TITLES}\s+[A-Z][\p{{L}}'’-]+(?:\s+(?:[A-Z][\p{{L}}'’-]+|de|da|van|von|der|al|el|bin|ibn)){{0,4}})"
    ))
    .expect("guest label pattern")
});

/// What may follow the speaker: "(spoke in French)", "(interpretation from Arabic)".
static LANGUAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*\(\s*(?:spoke|speaking|interpretation)\s+(?:in|from)\s+(?P<language>\p{L}+)\s*\)",
    )
    .expect("language pattern")
});

/// A language note on a line of its own, as when a speaker changes language.
static LANGUAGE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\(\s*(?:spoke|speaking|interpretation)\s+(?:in|from)\s+(?P<language>\p{L}+)\s*\)$",
    )
    .expect("language line pattern")
});

/// Who a label names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Who {
    /// A person with an affiliation in brackets: a State or an organisation.
    Person { person: String, affiliation: String },
    /// The presiding officer ("President", "Acting President", "Chair").
    Presiding { acting: bool, role: String },
    /// The Secretary-General or the Deputy.
    SecretaryGeneral { role: String },
    /// A guest named without affiliation.
    Guest { person: String },
}

/// A label found at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    pub who: Who,
    pub language: Option<String>,
    /// Lines the label took (1, or 2 when it wrapped).
    pub lines: usize,
    /// The turn's first words, after the colon.
    pub rest: String,
}

/// The label opening `lines[0]`, which may wrap onto `lines[1]`; guests by
/// name alone only where `guests_allowed` (the line after a finished paragraph).
pub(crate) fn label_at(lines: &[&str], guests_allowed: bool) -> Option<Label> {
    let first = lines.first()?;
    if !opens_label(first) {
        return None;
    }
    if let Some(label) = parse(first, guests_allowed) {
        return Some(Label { lines: 1, ..label });
    }
    // A label broken across lines leaves the first line without its colon.
    let second = lines.get(1)?;
    if first.contains("):") || !first.contains('(') && !first.ends_with(" of") {
        return None;
    }
    let joined = format!("{first} {second}");
    parse(&joined, false).map(|label| Label { lines: 2, ..label })
}

fn opens_label(line: &str) -> bool {
    line.starts_with("The ")
        || line
            .split_whitespace()
            .next()
            .is_some_and(|w| w.ends_with('.') || TITLE_WORDS.contains(&w))
}

const TITLE_WORDS: &[&str] = &[
    "Dame", "Sir", "Lord", "Lady", "Sheikh", "Sheikha", "Prince", "Princess", "King", "Queen",
    "Emir",
];

fn parse(line: &str, guests_allowed: bool) -> Option<Label> {
    let (who, after) = if let Some(c) = PERSON.captures(line) {
        let person = c["person"].trim().to_owned();
        if person.ends_with("President") || person.split_whitespace().count() > 6 {
            return None;
        }
        let who = Who::Person {
            person,
            affiliation: c["affiliation"]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        };
        (who, c.get(0).map_or(0, |m| m.end()))
    } else if let Some(c) = ROLE.captures(line) {
        let role = c["role"].split_whitespace().collect::<Vec<_>>().join(" ");
        let lower = role.to_lowercase();
        let who = if lower.contains("secretary-general") {
            Who::SecretaryGeneral {
                role: title_case(&role),
            }
        } else {
            Who::Presiding {
                acting: lower.starts_with("acting") || lower.starts_with("vice"),
                role: title_case(&role),
            }
        };
        (who, c.get(0).map_or(0, |m| m.end()))
    } else if guests_allowed && let Some(c) = GUEST.captures(line) {
        let person = c["person"].to_owned();
        if person.ends_with("President") {
            return None;
        }
        (Who::Guest { person }, c.get(0).map_or(0, |m| m.end()))
    } else {
        return None;
    };
    let mut rest = &line[after..];
    let mut language = None;
    while let Some(c) = LANGUAGE.captures(rest) {
        language = Some(title_case(&c["language"]));
        rest = &rest[c.get(0).map_or(0, |m| m.end())..];
    }
    let rest = rest.trim_start().strip_prefix(':')?;
    Some(Label {
        who,
        language,
        lines: 1,
        rest: rest.trim().to_owned(),
    })
}

/// The language of a note on a line of its own: "(spoke in English)".
pub(crate) fn language_note(line: &str) -> Option<String> {
    LANGUAGE_LINE
        .captures(line)
        .map(|c| title_case(&c["language"]))
}

/// "PRESIDENT" → "President", "acting president" → "Acting President".
fn title_case(words: &str) -> String {
    words
        .split(' ')
        .map(|w| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
        .replace("-general", "-General")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Label {
        label_at(&[line], true).unwrap_or_else(|| panic!("no label in {line:?}"))
    }

    #[test]
    fn a_person_with_a_state_and_a_language() {
        let label = one("Mr. Delattre (France) (spoke in French): France welcomes");
        assert_eq!(
            label.who,
            Who::Person {
                person: "Mr. Delattre".into(),
                affiliation: "France".into()
            }
        );
        assert_eq!(label.language.as_deref(), Some("French"));
        assert_eq!(label.rest, "France welcomes");
        let old = one("Mr. Elaraby (Egypt)(interpretation from Arabic):");
        assert_eq!(old.language.as_deref(), Some("Arabic"));
        assert_eq!(old.rest, "");
        let upper = one("Mr. INSANALLY (Guyana): I thank");
        assert!(matches!(upper.who, Who::Person { ref person, .. } if person == "Mr. INSANALLY"));
    }

    #[test]
    fn nested_brackets_and_wrapped_labels() {
        let bolivia =
            one("Mr. Llorentty Solíz (Bolivia (Plurinational State of)) (spoke in Spanish): We");
        assert!(
            matches!(bolivia.who, Who::Person { ref affiliation, .. } if affiliation == "Bolivia (Plurinational State of)")
        );
        let wrapped = label_at(
            &[
                "Mr. Toro Jiménez (Bolivarian Republic of",
                "Venezuela) (spoke in Spanish): The delegation",
            ],
            true,
        )
        .expect("a wrapped label");
        assert_eq!(wrapped.lines, 2);
        assert_eq!(wrapped.rest, "The delegation");
        let language_wrapped = label_at(
            &[
                "Mr. Belinga Eboutou (Cameroon) (spoke in",
                "French): First of all",
            ],
            true,
        )
        .expect("a label whose language wraps");
        assert_eq!(language_wrapped.language.as_deref(), Some("French"));
    }

    #[test]
    fn roles_and_guests() {
        assert!(matches!(
            one("The PRESIDENT: I should like").who,
            Who::Presiding { acting: false, .. }
        ));
        assert!(matches!(
            one("The Acting President: May I").who,
            Who::Presiding { acting: true, .. }
        ));
        assert!(matches!(
            one("The Secretary-General: I thank").who,
            Who::SecretaryGeneral { .. }
        ));
        assert!(matches!(one("Ms. Keita: Thank you").who, Who::Guest { .. }));
        assert!(label_at(&["Ms. Keita: Thank you"], false).is_none());
    }

    #[test]
    fn prose_is_not_a_label() {
        for line in [
            "Mr. President, we hope that our request",
            "The Security Council will now begin its",
            "Mr. Nyakyi (United Republic of Tanzania), Vice-",
            "The representative of Israel has asked",
        ] {
            assert!(
                label_at(&[line, "President, took the Chair."], true).is_none(),
                "{line}"
            );
        }
        assert_eq!(
            language_note("(spoke in English)").as_deref(),
            Some("English")
        );
    }
}
