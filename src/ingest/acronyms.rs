//! Acronyms a document defines: "desertification and land degradation (DLD)",
//! "the United Nations Multidimensional Integrated Stabilization Mission in
//! the Central African Republic (MINUSCA)". Meeting records use the short
//! form afterwards; a question may use either, and the embedding model knows
//! neither "DLD" nor "MINUSCA". Search reads these to match both forms.
//!
//! The long form is found as Schwartz and Hearst do (2003): the acronym's
//! letters in order in the words before the parenthesis, the first at the
//! start of a word. UN acronyms of French names (MINUSCA, MONUSCO) do not
//! follow the English word order; for them, the shortest run of words ending
//! at the parenthesis whose capitalised initials hold every letter counts.

use std::collections::BTreeMap;

/// Letters an acronym may have: "UN" is a word of its own, longer is rare.
const LETTERS: std::ops::RangeInclusive<usize> = 2..=10;

/// The acronyms `texts` define, each with the long form it is first given.
/// Names of speakers ("Republic of Korea (ROK)", "African Union (AU)") are
/// left to the gazetteer, which knows their forms and which of them is meant.
pub(crate) fn defined<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    let names = super::speakers::gazetteer();
    let mut out = BTreeMap::new();
    for text in texts {
        for (short, long) in definitions(text) {
            if names.resolve(&short).is_none() && names.resolve(&long).is_none() {
                out.entry(short).or_insert(long);
            }
        }
    }
    out
}

/// The long forms of the `defined` acronyms that `text` uses, each once,
/// where it does not spell them out itself.
pub(crate) fn used<'d>(text: &str, defined: &'d BTreeMap<String, String>) -> Vec<&'d str> {
    let mut out: Vec<&str> = Vec::new();
    if defined.is_empty() {
        return out;
    }
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '&')) {
        if let Some(long) = defined.get(word)
            && !out.contains(&long.as_str())
            && !text.contains(long.as_str())
        {
            out.push(long);
        }
    }
    out
}

/// Every "long form (SHORT)" of one text, in order.
pub(crate) fn definitions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices('(') {
        let after = &text[at + 1..];
        let Some(close) = after.find(')') else { break };
        let short = after[..close].trim();
        if is_acronym(short)
            && let Some(long) = long_form(short, &text[..at])
        {
            out.push((short.to_owned(), long));
        }
    }
    out
}

/// Two or more capitals, maybe digits, '&' or '-', maybe a plural "s": "DLD",
/// "MPAs", "G-77", "R&D"; not "A/HRC/8/44", "2018", "France" or "i".
fn is_acronym(word: &str) -> bool {
    let core = word.strip_suffix('s').unwrap_or(word);
    let capitals = core.chars().filter(char::is_ascii_uppercase).count();
    LETTERS.contains(&core.chars().count())
        && capitals >= 2
        && core.starts_with(|c: char| c.is_ascii_uppercase())
        && core
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '&' || c == '-')
}

/// The long form of `short` at the end of `before`, if one is there.
fn long_form(short: &str, before: &str) -> Option<String> {
    let letters: Vec<char> = short
        .strip_suffix('s')
        .unwrap_or(short)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if letters.len() < 2 {
        return None;
    }
    let words: Vec<&str> = before
        .split_whitespace()
        .rev()
        .take(letters.len() * 2)
        // Not past the end of a sentence or clause, nor into a parenthesis.
        .take_while(|w| !w.ends_with(['.', ';', ':', ')']) && !w.contains('('))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let start = in_order(&letters, &words).or_else(|| by_initials(&letters, &words))?;
    let long = words[start..]
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned();
    let long_words = long.split_whitespace().count();
    (long_words >= 2 && long.len() > short.len() && !long.contains(short)).then_some(long)
}

/// Schwartz and Hearst: the acronym's letters, last first, found backwards in
/// the words, the first letter at a word's start. Returns the first word.
fn in_order(letters: &[char], words: &[&str]) -> Option<usize> {
    struct Char {
        word: usize,
        lower: char,
        /// Where a long form may begin: a word's start, not "of" or "and".
        may_begin: bool,
    }
    let mut chars = Vec::new();
    for (word, text) in words.iter().enumerate() {
        let mut previous = ' ';
        let connective = is_connective(text);
        for c in text.chars() {
            chars.push(Char {
                word,
                lower: c.to_ascii_lowercase(),
                may_begin: !previous.is_alphanumeric() && !connective,
            });
            previous = c;
        }
    }
    let mut at = chars.len();
    for (i, &letter) in letters.iter().enumerate().rev() {
        loop {
            at = at.checked_sub(1)?;
            let c = &chars[at];
            if c.lower == letter && (i > 0 || c.may_begin) {
                break;
            }
        }
    }
    let first_word = chars[at].word;
    // At most min(letters + 5, letters × 2) words, as in the paper.
    let used = words.len() - first_word;
    (used <= (letters.len() + 5).min(letters.len() * 2)).then_some(first_word)
}

/// The shortest run of words ending at the parenthesis whose capitalised
/// initials hold each of the acronym's letters (as often as it has them).
fn by_initials(letters: &[char], words: &[&str]) -> Option<usize> {
    let mut wanted: BTreeMap<char, usize> = BTreeMap::new();
    for &l in letters {
        *wanted.entry(l).or_default() += 1;
    }
    for start in (0..words.len()).rev() {
        let word = words[start].trim_start_matches(|c: char| !c.is_alphanumeric());
        let Some(initial) = word.chars().next() else {
            continue;
        };
        if initial.is_ascii_uppercase() {
            let key = initial.to_ascii_lowercase();
            if let Some(n) = wanted.get_mut(&key) {
                *n = n.saturating_sub(1);
            }
        } else if !is_connective(word) {
            return None;
        }
        if wanted.values().all(|&n| n == 0) {
            return initial.is_ascii_uppercase().then_some(start);
        }
    }
    None
}

/// Small words inside a name: "Mission *in the* Central African Republic".
fn is_connective(word: &str) -> bool {
    matches!(
        word,
        "of" | "in" | "the" | "for" | "and" | "on" | "to" | "de" | "des" | "du" | "la" | "et"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(text: &str) -> Vec<(String, String)> {
        definitions(text)
    }

    #[test]
    fn english_acronyms_follow_their_words() {
        assert_eq!(
            long("suggested continuing desertification and land degradation (DLD) related work"),
            [(
                "DLD".to_owned(),
                "desertification and land degradation".to_owned()
            )]
        );
        assert_eq!(
            long("The representative of the Republic of Korea (ROK) informed"),
            [("ROK".to_owned(), "Republic of Korea".to_owned())]
        );
        assert_eq!(
            long("North-East Asian Subregional Programme for Environmental Cooperation (NEASPEC)"),
            [(
                "NEASPEC".to_owned(),
                "North-East Asian Subregional Programme for Environmental Cooperation".to_owned()
            )]
        );
        assert_eq!(
            long("the Office of the High Commissioner for Human Rights (OHCHR) and"),
            [(
                "OHCHR".to_owned(),
                "Office of the High Commissioner for Human Rights".to_owned()
            )]
        );
        assert_eq!(
            long("establish marine protected areas (MPAs) in the region"),
            [("MPAs".to_owned(), "marine protected areas".to_owned())]
        );
    }

    #[test]
    fn french_ordered_acronyms_come_from_capitalised_initials() {
        let text = "resolution 2448 (2018), which renews the mandate of the United Nations \
                    Multidimensional Integrated Stabilization Mission in the Central African \
                    Republic (MINUSCA) for one year";
        assert_eq!(
            long(text),
            [(
                "MINUSCA".to_owned(),
                "United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn what_is_not_an_acronym_definition() {
        for text in [
            "adopted resolution 2448 (2018) by vote",
            "the representative of France (France) said",
            "see document A/HRC/8/44 (A/HRC/8/44/Add.1)",
            "as it said (see above)",
            "the mandate was renewed (MINUSCA)",
            "(UN) at the start",
        ] {
            assert_eq!(long(text), [], "{text}");
        }
    }

    #[test]
    fn a_text_uses_the_acronyms_it_does_not_spell_out() {
        let d = defined(["female genital mutilation (FGM) and land degradation (LD)"]);
        assert_eq!(
            used("Enact a law prohibiting FGM (Austria);", &d),
            ["female genital mutilation"]
        );
        assert!(used("on female genital mutilation (FGM)", &d).is_empty());
        assert!(used("FGMs and LDN are other words", &d).is_empty());
    }

    #[test]
    fn speakers_names_are_the_gazetteers() {
        let d = defined([
            "the Republic of Korea (ROK) and the African Union (AU) on land degradation (LD)",
        ]);
        assert_eq!(d.keys().collect::<Vec<_>>(), ["LD"]);
    }

    #[test]
    fn a_document_keeps_the_first_long_form_of_each() {
        let texts = [
            "land degradation (LD) first",
            "later land degradation (LD) again, and Amur tiger and leopard (ATL)",
        ];
        let d = defined(texts);
        assert_eq!(d.len(), 2);
        assert_eq!(d["LD"], "land degradation");
        assert_eq!(d["ATL"], "Amur tiger and leopard");
    }
}
