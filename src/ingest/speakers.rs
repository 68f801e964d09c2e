//! The speaker gazetteer: canonical names and aliases of every UN member State
//! and observer (ISO 3166-1 alpha-3 codes) and of the organisations that speak in
//! meeting records. Ingest and query understanding share it, so "ROK" in a
//! question finds what "The ROK representative" said.

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::model::{Speaker, SpeakerKind};

const COUNTRIES_TSV: &str = include_str!("countries.tsv");
const ORGANIZATIONS_TSV: &str = include_str!("organizations.tsv");
const CAPITALS_TSV: &str = include_str!("capitals.tsv");

/// A speaker name found in text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mention {
    pub start: usize,
    pub end: usize,
    pub speaker: Speaker,
}

pub(crate) struct Gazetteer {
    matcher: AhoCorasick,
    /// Speaker of each matcher pattern.
    patterns: Vec<usize>,
    speakers: Vec<Speaker>,
    /// Lower-cased alias, name or code → speaker index, for resolving user input.
    lookup: HashMap<String, usize>,
    /// Lower-cased capital → speaker index ("Seoul" for the Republic of Korea).
    capitals: HashMap<String, usize>,
    /// Acronyms a speaker goes by ("ROK"), per speaker index.
    acronyms: Vec<Vec<String>>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::build);

pub(crate) fn gazetteer() -> &'static Gazetteer {
    &GAZETTEER
}

impl Gazetteer {
    fn build() -> Gazetteer {
        let mut speakers = Vec::new();
        let mut aliases: Vec<(String, usize)> = Vec::new();
        for line in COUNTRIES_TSV.lines().filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [code, name, alias_list] = cols[..] else {
                continue;
            };
            let index = speakers.len();
            speakers.push(Speaker {
                name: name.to_owned(),
                kind: SpeakerKind::Country,
                code: Some(code.to_owned()),
            });
            for alias in alias_list.split('|').chain([name]) {
                for variant in spelling_variants(alias) {
                    aliases.push((variant, index));
                }
            }
        }
        for line in ORGANIZATIONS_TSV.lines().filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [name, alias_list] = cols[..] else {
                continue;
            };
            let index = speakers.len();
            speakers.push(Speaker {
                name: name.to_owned(),
                kind: SpeakerKind::Organization,
                code: None,
            });
            for alias in alias_list.split('|').chain([name]) {
                aliases.push((alias.to_owned(), index));
            }
        }
        aliases.sort();
        aliases.dedup();
        let mut lookup = HashMap::new();
        for (alias, index) in &aliases {
            lookup.entry(alias.to_lowercase()).or_insert(*index);
        }
        for (index, speaker) in speakers.iter().enumerate() {
            if let Some(code) = &speaker.code {
                lookup.entry(code.to_lowercase()).or_insert(index);
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(aliases.iter().map(|(a, _)| a.as_str()))
            .expect("the alias tables build a valid automaton");
        let mut acronyms = vec![Vec::new(); speakers.len()];
        for (alias, index) in &aliases {
            if (2..=5).contains(&alias.len()) && alias.chars().all(|c| c.is_ascii_uppercase()) {
                acronyms[*index].push(alias.clone());
            }
        }
        let mut capitals = HashMap::new();
        for line in CAPITALS_TSV.lines() {
            let Some((code, names)) = line.split_once('\t') else {
                continue;
            };
            let Some(index) = speakers
                .iter()
                .position(|s| s.code.as_deref() == Some(code))
            else {
                continue;
            };
            for name in names.split('|') {
                capitals.insert(name.trim().to_lowercase(), index);
            }
        }
        Gazetteer {
            matcher,
            patterns: aliases.iter().map(|(_, i)| *i).collect(),
            speakers,
            lookup,
            capitals,
            acronyms,
        }
    }

    /// Every whole-word speaker name in `text`, longest first at each position.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        self.matcher
            .find_iter(text)
            .filter(|m| is_word_boundary(text, m.start(), m.end()))
            .map(|m| Mention {
                start: m.start(),
                end: m.end(),
                speaker: self.speakers[self.patterns[m.pattern().as_usize()]].clone(),
            })
            .collect()
    }

    /// The States (not organisations or officers) named in `text`.
    pub fn states_named(&self, text: &str) -> Vec<Mention> {
        let mut found = self.mentions(text);
        found.retain(|m| m.speaker.kind == SpeakerKind::Country);
        found
    }

    /// Resolves a name a user typed ("rok", "Japan", "JPN", "the Russian Federation").
    pub fn resolve(&self, name: &str) -> Option<&Speaker> {
        let key = name.trim().to_lowercase();
        let key = key.strip_prefix("the ").unwrap_or(&key);
        let key = key.trim_end_matches("'s").trim_end_matches("’s");
        self.lookup.get(key).map(|&i| &self.speakers[i])
    }

    /// The ways records name a speaker: its canonical name and its acronyms.
    pub fn forms(&self, name: &str) -> Vec<String> {
        let Some(&i) = self.lookup.get(&name.to_lowercase()) else {
            return vec![name.to_owned()];
        };
        std::iter::once(self.speakers[i].name.clone())
            .chain(self.acronyms[i].iter().cloned())
            .collect()
    }

    /// The State whose capital this is, as diplomatic usage says "Seoul" for the
    /// Government of the Republic of Korea. For questions only: in reports a
    /// capital is usually a place ("the workshop in Seoul").
    pub fn resolve_capital(&self, name: &str) -> Option<&Speaker> {
        let key = name.trim().to_lowercase();
        let key = key.trim_end_matches("'s").trim_end_matches("’s");
        self.capitals.get(key).map(|&i| &self.speakers[i])
    }

    /// The longest speaker name at the start of `text`, with its length in bytes.
    pub fn resolve_prefix(&self, text: &str) -> Option<(&Speaker, usize)> {
        let lower = text.to_lowercase();
        let mut best = None;
        for (i, c) in lower.char_indices().chain([(lower.len(), ' ')]) {
            if i > 0
                && !c.is_alphanumeric()
                && let Some(&index) = self.lookup.get(lower[..i].trim())
            {
                best = Some((&self.speakers[index], i));
            }
            if i > 80 {
                break;
            }
        }
        best
    }
}

fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
        && !after.is_some_and(|c| c.is_alphanumeric())
}

/// Spellings reports use for the same name: typographic or straight apostrophes,
/// and the frequent misspelling "Peoples'".
fn spelling_variants(alias: &str) -> Vec<String> {
    let mut out = vec![alias.to_owned()];
    for (from, to) in [
        ("’", "'"),
        ("'", "’"),
        ("People's", "Peoples'"),
        ("People’s", "Peoples’"),
    ] {
        let more: Vec<String> = out
            .iter()
            .filter(|a| a.contains(from))
            .map(|a| a.replace(from, to))
            .collect();
        out.extend(more);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_countries_by_alias() {
        let g = gazetteer();
        let found: Vec<String> =
            g.mentions("The ROK representative and the Russian Federation; DPRK’s and the Democratic Peoples’ Republic of Korea")
                .into_iter()
                .map(|m| m.speaker.name)
                .collect();
        assert_eq!(
            found,
            [
                "Republic of Korea",
                "Russian Federation",
                "Democratic People's Republic of Korea",
                "Democratic People's Republic of Korea"
            ]
        );
    }

    #[test]
    fn resolves_user_names() {
        let g = gazetteer();
        assert_eq!(g.resolve("rok").unwrap().code.as_deref(), Some("KOR"));
        assert_eq!(
            g.resolve("the Russian Federation").unwrap().name,
            "Russian Federation"
        );
        assert_eq!(g.resolve("JPN").unwrap().name, "Japan");
        assert_eq!(g.resolve("Turkey").unwrap().name, "Türkiye");
        assert_eq!(g.resolve("UK").unwrap().code.as_deref(), Some("GBR"));
        assert_eq!(
            g.resolve_prefix("Japan say on duplication")
                .map(|(s, n)| (s.name.as_str(), n)),
            Some(("Japan", 5))
        );
    }

    #[test]
    fn no_match_inside_words() {
        assert!(
            gazetteer()
                .mentions("Japanese technologies and Chinaware")
                .is_empty()
        );
    }
}
