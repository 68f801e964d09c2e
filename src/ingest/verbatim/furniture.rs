//! Page furniture of verbatim records that the layout pass leaves: job numbers,
//! bar codes, the cover's boilerplate when it falls after the opening,
//! distribution lines and running headers; and the ligature artefacts of the
//! PDFs' text layer ("f loor").

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

/// Lines that are furniture wherever they stand.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:",
        r"\d{2}-\d{5}\s*(?:\([A-Z]\))?(?:\s+\d{1,3}/\d{1,3})?", // job number "18-43649 (E)"
        r"|\d{1,3}/\d{1,3}\s+\d{2}-\d{5}",                        // "2/9 18-43649"
        r"|\d{1,3}\s+\d{2}-\d{5}|\d{2}-\d{5}\s+\d{1,3}|\d{1,3}",       // "3 10-70469", a page number
        r"|\*\d{6,}\*",                                           // bar code
        r"|Distr\.?:?\s*[A-Z]+|ENGLISH|Original:\s*\w+|Official Records|Provisional",
        r"|(?:[AS]/\s?(?:[\w.-]+/)*PV\.\s?\d+)",                  // the symbol alone
        r"|\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}",
        r"|(?:\d{1,3}\s+)?(?:General Assembly|Security Council)\s*[-–—]\s*[\w-]+\s+(?:session|year)(?:\s+\d{1,3})?",
        r"|\.",
        r")$"
    ))
    .expect("furniture pattern")
});

/// The first line of the boilerplate about the record and its corrections.
static BOILERPLATE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:This record (?:contains the text|is subject to correction)|Corrections (?:should|will) be)")
        .expect("boilerplate pattern")
});

/// The boilerplate's last line.
static BOILERPLATE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:corrigendum\.|documents\.un\.org\)?\.?|incorporated in a copy of the record\.)$",
    )
    .expect("boilerplate end pattern")
});

/// Whether `line` (whitespace collapsed) is furniture on its own.
pub(crate) fn is_furniture(line: &str) -> bool {
    FURNITURE.is_match(line)
}

/// Drops furniture and the boilerplate block from `lines`, which keep their
/// page numbers.
pub(crate) fn remove(lines: Vec<(u32, String)>) -> Vec<(u32, String)> {
    let mut out = Vec::with_capacity(lines.len());
    let mut in_boilerplate = 0usize;
    for (page, line) in lines {
        if in_boilerplate > 0 {
            in_boilerplate -= 1;
            if BOILERPLATE_END.is_match(&line) || is_furniture(&line) {
                in_boilerplate = 0;
            }
            continue;
        }
        if BOILERPLATE_START.is_match(&line) {
            // At most eight lines: a sentence of a speech that opens the same
            // way must not swallow the page.
            in_boilerplate = if BOILERPLATE_END.is_match(&line) {
                0
            } else {
                8
            };
            continue;
        }
        if is_furniture(&line) {
            continue;
        }
        out.push((page, line));
    }
    out
}

/// Repairs the split "fl" ligatures of UN PDFs' text layer: "the f loor" →
/// "the floor", "conf licts" → "conflicts". The record's own words are the
/// word list: a fragment ending in "f" is joined to what follows where the
/// joined word occurs whole in the record, or where the fragment is no word
/// of it and the ligature was "fl" ("conf licts"; not "chief lawyer").
pub(crate) fn repair_ligatures(text: &str, vocabulary: &HashSet<String>) -> String {
    // By hand, not by a regex's replace_all: matches may overlap ("of conf lict").
    static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\p{L}+").expect("word pattern"));
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let words: Vec<regex::Match<'_>> = WORD.find_iter(text).collect();
    for pair in words.windows(2) {
        let (head, tail) = (pair[0], pair[1]);
        let apart = head.end() + 1 == tail.start() && text.as_bytes()[head.end()] == b' ';
        if !apart
            || head.start() < copied
            || !head.as_str().ends_with('f')
            || !tail.as_str().starts_with(char::is_lowercase)
        {
            continue;
        }
        let joined = format!("{}{}", head.as_str(), tail.as_str());
        let head_is_word =
            head.as_str() != "f" && vocabulary.contains(&head.as_str().to_lowercase());
        if vocabulary.contains(&joined.to_lowercase())
            || !head_is_word && tail.as_str().starts_with('l')
        {
            out.push_str(&text[copied..head.end()]);
            copied = tail.start();
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Repairs two other faults of old records' text layers. A dash encoded in
/// Mac Roman and read as Latin-1 comes out as "Ð" (en dash) or "Ñ" (em dash):
/// standing alone between words, it is a dash; its quotation marks come out as
/// "ª…º". Two short words whose space was
/// lost ("ofthe", "tothe") are parted: no such glued form is an English word.
pub(crate) fn repair_text_layer(text: &str) -> String {
    static MAC_ROMAN_DASH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(^|\s)[ÐÑ](\s|$)").expect("dash pattern"));
    static GLUED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?i)(of|to|in|on|at|by|for|and|from|with|into|that)(the|this|these|those|its|their)\b")
            .expect("glued words pattern")
    });
    // The same records' quotation marks come out as "ª" and "º", a quotation
    // often running over lines; an ordinal ("1º", "2ª", "Nº") follows a digit
    // or a capital.
    static OPENING_QUOTE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(^|[\s(\[—–-])ª(\p{L})").expect("quote pattern"));
    static CLOSING_QUOTE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\p{Ll}|[.,;:!?])º").expect("quote pattern"));
    let text = MAC_ROMAN_DASH.replace_all(text, "${1}—$2");
    let text = OPENING_QUOTE.replace_all(&text, "$1“$2");
    let text = CLOSING_QUOTE.replace_all(&text, "$1”");
    GLUED.replace_all(&text, "$1 $2").into_owned()
}

/// The lower-cased words of `lines`, for [`repair_ligatures`]. A word ending
/// in "f" before a space and an "l" may be the first half of a split "fl"
/// ligature: there it does not count, or a record whose every "conflict" reads
/// "conf lict" would vouch for "conf" itself.
pub(crate) fn vocabulary<'a>(lines: impl Iterator<Item = &'a str>) -> HashSet<String> {
    let mut words = HashSet::new();
    for line in lines {
        let mut rest = line;
        while let Some(start) = rest.find(char::is_alphabetic) {
            let from_start = &rest[start..];
            let end = from_start
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(from_start.len());
            let (word, after) = from_start.split_at(end);
            let maybe_split =
                word.ends_with('f') && after.strip_prefix(' ').is_some_and(|a| a.starts_with('l'));
            if !maybe_split {
                words.insert(word.to_lowercase());
            }
            rest = after;
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_numbers_bar_codes_and_headers_are_furniture() {
        for line in [
            "18-43649 (E)",
            "*1843649*",
            "2/9 18-43649",
            "18-43649 3/9",
            "10-70469 2",
            "3 10-70469",
            "S/PV.8422",
            "A/48/PV.46",
            "22 General Assembly - Forty-eighth session",
            "Distr. GENERAL",
        ] {
            assert!(is_furniture(line), "{line}");
        }
        assert!(!is_furniture("The meeting rose at 4.20 p.m."));
        assert!(!is_furniture("document S/2018/1016, which contains"));
    }

    #[test]
    fn boilerplate_goes_as_a_block_and_speech_stays() {
        let lines = [
            "This record is subject to correction.",
            "Corrections should be sent under the signature of a member of the delegation concerned",
            "Room C-178, and incorporated in a copy of the record.",
            "Corrections will be issued after the end of the session in a consolidated corrigendum.",
            "93-87044 (E)",
            "These inspections are essential",
        ];
        let kept = remove(lines.iter().map(|l| (1, l.to_string())).collect());
        assert_eq!(
            kept,
            vec![(1, "These inspections are essential".to_string())]
        );
    }

    #[test]
    fn mac_roman_dashes_and_glued_words_are_repaired() {
        assert_eq!(
            repair_text_layer("activities Ð terrorist activities Ð that could"),
            "activities — terrorist activities — that could"
        );
        assert_eq!(repair_text_layer("our concern Ð"), "our concern —");
        assert_eq!(
            repair_text_layer("a matter of ªprincipleº, regardless; el 1º y la 2ª, Nº 5"),
            "a matter of “principle”, regardless; el 1º y la 2ª, Nº 5"
        );
        assert_eq!(repair_text_layer("sea.º This was"), "sea.” This was");
        assert_eq!(
            repair_text_layer("in view ofthe consultations, Tothe Assembly"),
            "in view of the consultations, To the Assembly"
        );
        // Names and words that only look alike stay.
        for kept in ["Ðorđević", "Thethis", "another", "often", "bathe"] {
            assert_eq!(repair_text_layer(kept), kept);
        }
    }

    #[test]
    fn split_ligatures_are_joined_where_the_word_is_known() {
        let words = vocabulary(["chief of staff"].into_iter());
        assert_eq!(
            repair_ligatures("the f loor; conf licts; chief lawyer; of life", &words),
            "the floor; conflicts; chief lawyer; of life"
        );
    }

    #[test]
    fn a_record_whose_every_occurrence_is_split_does_not_vouch_for_the_fragment() {
        let lines = [
            "a decade of conf lict in the Central African Republic must ref lect",
            "the conf lict; a brief lull; Of course, of the Council",
        ];
        let words = vocabulary(lines.into_iter());
        assert!(!words.contains("conf") && !words.contains("ref"));
        assert_eq!(
            repair_ligatures(lines[0], &words),
            "a decade of conflict in the Central African Republic must reflect"
        );
        // A word seen elsewhere is still a word: "of life" stays apart.
        assert_eq!(repair_ligatures("of life", &words), "of life");
    }
}
