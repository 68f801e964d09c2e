//! What of a text is embedded: its content, without the names of States and
//! the boilerplate of attribution. A small model reads "Turkey appreciated
//! ..." as being about the bird and "(Switzerland)" as being about Switzerland;
//! who spoke is the speaker filter's business, not the meaning's.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::ingest::speakers::gazetteer;

/// Sentences that only say that recommendations were made.
static MADE_RECOMMENDATIONS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(^|[.;:]\s+)(?:\S+\s+){0,4}?made\s+(?:a\s+|several\s+|some\s+)?recommendations?\s*\.",
    )
    .expect("boilerplate pattern")
});
/// What introduces a State's name: "the representative of", "the delegation of".
static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:the\s+)?(?:representatives?|delegations?|delegates?|Government|Permanent\s+Representative|Ambassador)\s+of(?:\s+the)?\s*$").expect("attribution pattern")
});
/// Parentheses, brackets or list punctuation left with no words inside.
static EMPTY_GROUP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(\s*(?:[,;&]|and\b|\s)*\)").expect("empty group pattern"));
static SPACES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").expect("spaces pattern"));

/// `text` without States' names and attribution boilerplate; `text` itself
/// where that would leave fewer than two words (a query that is a name).
pub(crate) fn content(text: &str) -> Cow<'_, str> {
    let mentions = gazetteer().states_named(text);
    let boilerplate = MADE_RECOMMENDATIONS.is_match(text);
    if mentions.is_empty() && !boilerplate {
        return Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(text.len());
    let mut at = 0;
    for m in &mentions {
        if m.start < at {
            continue;
        }
        let before = &text[at..m.start];
        let before = ATTRIBUTION
            .find(before)
            .map_or(before, |found| &before[..found.start()]);
        kept.push_str(before);
        at = m.end;
        for possessive in ["'s", "’s"] {
            if text[at..].starts_with(possessive) {
                at += possessive.len();
            }
        }
    }
    kept.push_str(&text[at..]);
    let kept = MADE_RECOMMENDATIONS.replace_all(&kept, "$1");
    let kept = EMPTY_GROUP.replace_all(&kept, "");
    let kept = SPACES.replace_all(kept.trim(), " ").into_owned();
    let words = kept
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    if words < 2 {
        return Cow::Borrowed(text);
    }
    Cow::Owned(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_attribution_are_left_out() {
        assert_eq!(
            content(
                "Turkey appreciated the Government’s commitment to the Constitution. Turkey made a recommendation."
            ),
            "appreciated the Government’s commitment to the Constitution."
        );
        assert_eq!(
            content("Abolish the death penalty (France, Spain and Italy);"),
            "Abolish the death penalty ;"
        );
        assert_eq!(
            content("The representative of the Republic of Korea supported the workshop."),
            "supported the workshop."
        );
    }

    #[test]
    fn a_text_that_is_only_a_name_stays() {
        assert_eq!(content("Japan"), "Japan");
        assert_eq!(content("big cats"), "big cats");
    }
}
