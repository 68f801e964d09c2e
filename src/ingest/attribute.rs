//! Sentence-level attribution: cut a paragraph into sentences, find who speaks
//! in each (the grammatical subject or the agent of a statement, never a State
//! that is merely mentioned), carry speakers over pronouns, and merge runs of
//! sentences by the same speakers into statements.

use std::sync::LazyLock;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use super::speakers::{Mention, gazetteer};
use crate::model::{Speaker, SpeakerKind, Statement};

/// What the document tells about speakers who are not named in the sentence.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    /// "The delegation", "The State under review" in a UPR report.
    pub state_under_review: Option<Speaker>,
    /// "The host Government", "the host country".
    pub host: Option<Speaker>,
    /// The paragraph's first sentence without a named speaker belongs to this one
    /// (sections such as "Presentation by the State under review").
    pub default_speaker: Option<Speaker>,
    /// A recommendation: each clause belongs to the States in brackets after it.
    pub recommendation: bool,
}

pub(crate) fn attribute(text: &str, ctx: &Context) -> Vec<Statement> {
    let sentences = sentences(text);
    let named: Vec<Vec<Speaker>> = sentences
        .iter()
        .map(|&(s, e)| sentence_speakers(&text[s..e], ctx))
        .collect();
    let has_named_subject = named.iter().any(|n| !n.is_empty());
    if (ctx.recommendation || !has_named_subject)
        && let Some(statements) = bracketed_clauses(text)
    {
        return statements;
    }
    // Runs of sentences by the same speakers, as byte ranges; text is cut once at the end.
    let mut runs: Vec<(Vec<Speaker>, usize, usize)> = Vec::new();
    let mut previous: Vec<Speaker> = Vec::new();
    for (index, (&(start, end), mut speakers)) in sentences.iter().zip(named).enumerate() {
        if speakers.is_empty() {
            speakers = if index == 0 {
                ctx.default_speaker.clone().into_iter().collect()
            } else {
                previous.clone()
            };
        }
        match runs.last_mut() {
            Some(last) if last.0 == speakers => last.2 = end,
            _ => runs.push((speakers.clone(), start, end)),
        }
        previous = speakers;
    }
    runs.iter()
        .map(|(speakers, start, end)| statement(speakers, text[*start..*end].trim()))
        .collect()
}

fn statement(speakers: &[Speaker], text: &str) -> Statement {
    let first = speakers.first();
    Statement {
        speaker: first.map(|s| s.name.clone()),
        speaker_kind: first.map(|s| s.kind),
        speaker_code: first.and_then(|s| s.code.clone()),
        joint: if speakers.len() > 1 {
            speakers.to_vec()
        } else {
            Vec::new()
        },
        text: text.to_owned(),
        ..Statement::default()
    }
}

static ABBREVIATION_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\b(?:Mr|Ms|Mrs|Dr|Prof|St|No|Nos|Art|para|paras|e\.g|i\.e|etc|vs|cf|Rev|Add|Corr|Vol|Jr|Sr|H\.E|U\.S|U\.K|[A-Z])\.|\b[A-Z]\.[A-Z]\.)\s*$")
        .unwrap()
});

/// Sentence byte ranges (Unicode sentence boundaries, repaired after abbreviations
/// such as "Mr." and "H.E.").
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (start, piece) in text.split_sentence_bound_indices() {
        let end = start + piece.len();
        let continues = out.last().is_some_and(|&(s, e)| {
            ABBREVIATION_END.is_match(&text[s..e])
                || piece
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
        });
        match out.last_mut() {
            Some(last) if continues => last.1 = end,
            _ if piece.trim().is_empty() => {
                if let Some(last) = out.last_mut() {
                    last.1 = end;
                }
            }
            _ => out.push((start, end)),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// Subject of a main clause, or the agent of an intervention: a speaker.
    Speaker,
    /// Subject of a reported clause ("noted that DPRK has ..."): not a speaker.
    Reported,
    Object,
}

static MEETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[Tt]he\s+(?:Senior Officials |Plenary |Ministerial |Intergovernmental |Expert )?(Meeting|Working Group|Committee|Conference|Council|Commission|Assembly|Board|Forum|Plenary|Session|Summit|Workshop)\b").unwrap()
});
static SECRETARIAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:[Tt]he\s+)?(?:[A-Z]{2,}\s+)?[Ss]ecretariat\b").unwrap());
static OFFICER_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[Tt]he\s+(Chair(?:person|man|woman)?|Vice-Chair(?:person|man|woman)?|President|Vice-President|Rapporteur|Secretary-General|Executive Secretary|Moderator|Facilitator|High Commissioner)\b").unwrap()
});
static PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:H\.E\.\s+)?(?:Mr|Ms|Mrs|Dr|Prof|Madam)\.?\s+((?:[A-Z][\p{L}'’\-]*\.?)(?:\s+[A-Z][\p{L}'’\-]*){0,3})").unwrap()
});
static STATE_UNDER_REVIEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[Tt]he\s+(?:[Dd]elegation|State under review|Government)\b(?:\s+of\b|s\b)?")
        .unwrap()
});
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[Tt]he\s+host\s+(?:[Gg]overnment|[Cc]ountry|State)\b").unwrap()
});
static REPRESENTATIVE_OF_UNKNOWN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[Rr]epresentatives?\s+of\s+(?:the\s+)?([A-Z][\p{L}'’\-]*(?:\s+(?:and|of|for|on|the|[A-Z][\p{L}'’\-]*))*)").unwrap()
});
static HEAD_BEFORE_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[Rr]epresentatives?|[Dd]elegations?|[Dd]elegates?|[Gg]overnments?|Minister|Ambassador|Head|Mission|[Oo]bservers?|Mr\.|Ms\.|H\.E\.|Director|Deputy)\b[^,.;]{0,50}\bof\s+(?:the\s+)?$").unwrap()
});
static OF_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:of|to|with|for|on|about|against|in)\s+(?:the\s+)?$").unwrap()
});
static AGENT_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:interventions?|statements?|presentations?|remarks?|briefings?|opened|delivered|introduced|presented|made|given|chaired|proposals?|messages?|address|explanations?)\s+(?:(?:was|were)\s+\w+\s+)?(?:by|from)\s+(?:the\s+)?(?:(?:representatives?|delegations?|delegates?)\s+of\s+(?:the\s+)?)?$").unwrap()
});
static THAT_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:that|whether|how|why|if|when|where|what)\b").unwrap());
static SKIP_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    // Adverbs and the words of a title, or a clause between commas that says
    // for whom or to whom: "The representative of Korea, in response to the
    // United States, said".
    Regex::new(r"^(?:\s*,?\s*(?:[’']s\s+)?(?:representatives?|delegations?|delegates?|[Gg]overnment|Minister|Ambassador|also|further|then|again|however|too|moreover|subsequently|jointly|who|which|[a-z]+ly)\b,?|\s*,\s*(?:speaking\s+)?(?:on\s+behalf\s+of|in\s+(?:response|reply)\s+to|responding\s+to|replying\s+to|speaking\s+for)\s+[^,;.]{2,80},)+").unwrap()
});

const VERBS: &[&str] = &[
    "said",
    "made",
    "took",
    "gave",
    "sought",
    "held",
    "told",
    "spoke",
    "drew",
    "put",
    "set",
    "met",
    "led",
    "brought",
    "thought",
    "felt",
    "found",
    "saw",
    "began",
    "understood",
    "was",
    "were",
    "had",
    "has",
    "have",
    "is",
    "are",
    "will",
    "would",
    "could",
    "can",
    "should",
    "may",
    "might",
    "shall",
    "must",
    "did",
    "does",
    "says",
    "notes",
    "welcomes",
    "states",
    "recommends",
    "expresses",
    "stresses",
    "urges",
    "asks",
    "calls",
    "commends",
    "supports",
    "believes",
    "considers",
    "suggests",
    "proposes",
    "requests",
    "reiterates",
    "emphasizes",
    "emphasises",
    "underlines",
    "underscores",
    "highlights",
    "acknowledges",
    "recognizes",
    "recognises",
    "encourages",
    "appreciates",
    "thanks",
    "congratulates",
    "informs",
    "indicates",
    "explains",
    "agrees",
    "regrets",
    "shares",
    "reaffirms",
    "raises",
    "wishes",
    "hopes",
    "echoed",
    "outlined",
];

fn is_verb(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    w.chars().next().is_some_and(|c| c.is_lowercase())
        && (VERBS.contains(&w) || (w.len() > 4 && w.ends_with("ed")))
}

/// A mention with its extent grown over "The representative of ..." and its speaker.
#[derive(Debug, Clone)]
struct Candidate {
    start: usize,
    end: usize,
    speaker: Speaker,
}

fn candidates(sentence: &str, ctx: &Context) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = gazetteer()
        .mentions(sentence)
        .into_iter()
        .map(
            |Mention {
                 start,
                 end,
                 speaker,
             }| Candidate {
                start,
                end,
                speaker,
            },
        )
        .collect();
    let add = |start: usize, end: usize, speaker: Speaker, found: &mut Vec<Candidate>| {
        if !found.iter().any(|c| c.start < end && start < c.end) {
            found.push(Candidate {
                start,
                end,
                speaker,
            });
        }
    };
    for m in HOST.find_iter(sentence) {
        if let Some(host) = &ctx.host {
            add(m.start(), m.end(), host.clone(), &mut found);
        }
    }
    for m in STATE_UNDER_REVIEW.find_iter(sentence) {
        let plural_or_of = m.as_str().ends_with(" of") || m.as_str().ends_with('s');
        if let (Some(sur), false) = (&ctx.state_under_review, plural_or_of) {
            add(m.start(), m.end(), sur.clone(), &mut found);
        }
    }
    for m in SECRETARIAT.find_iter(sentence) {
        add(
            m.start(),
            m.end(),
            named("Secretariat", SpeakerKind::Secretariat),
            &mut found,
        );
    }
    for c in OFFICER_TITLE.captures_iter(sentence) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        add(
            m.start,
            m.end,
            named(&c[1], SpeakerKind::Officer),
            &mut found,
        );
    }
    for c in PERSON.captures_iter(sentence) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        add(
            m.start,
            m.end,
            named(&person_name(&c[1]), SpeakerKind::Officer),
            &mut found,
        );
    }
    for c in MEETING.captures_iter(sentence) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        add(
            m.start,
            m.end,
            named(&c[1], SpeakerKind::Meeting),
            &mut found,
        );
    }
    for c in REPRESENTATIVE_OF_UNKNOWN.captures_iter(sentence) {
        if let Some(name) = c.get(1) {
            let trimmed = trim_trailing_lowercase(name.as_str());
            if !trimmed.is_empty() {
                let end = name.start() + trimmed.len();
                add(
                    name.start(),
                    end,
                    named(trimmed, SpeakerKind::Organization),
                    &mut found,
                );
            }
        }
    }
    found.sort_by_key(|c| c.start);
    found
}

fn named(name: &str, kind: SpeakerKind) -> Speaker {
    Speaker {
        name: name.to_owned(),
        kind,
        code: None,
    }
}

fn trim_trailing_lowercase(name: &str) -> &str {
    let mut end = name.len();
    for (i, word) in name
        .split_whitespace()
        .rev()
        .map(|w| (name.rfind(w).unwrap_or(0), w))
    {
        if word.chars().next().is_some_and(|c| c.is_uppercase()) {
            break;
        }
        end = i;
    }
    name[..end].trim_end()
}

/// "WANG Xiaolong" → "Wang Xiaolong": surnames printed in capitals are names, not acronyms.
fn person_name(raw: &str) -> String {
    raw.split_whitespace()
        .map(|w| {
            if w.chars().count() > 2 && w.chars().all(|c| !c.is_lowercase()) {
                let lower = w.to_lowercase();
                let mut cs = lower.chars();
                cs.next()
                    .map(|c| c.to_uppercase().collect::<String>() + cs.as_str())
                    .unwrap_or_default()
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Chains of mentions joined by "and" or commas share one role:
/// "The representatives of China and ROK underscored ...".
fn chains(sentence: &str, cands: &[Candidate]) -> Vec<Vec<usize>> {
    static JOINER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(?:,\s*)?(?:and\s+)?(?:the\s+)?$").unwrap());
    let named = |c: &Candidate| {
        matches!(
            c.speaker.kind,
            SpeakerKind::Country | SpeakerKind::Organization
        )
    };
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, c) in cands.iter().enumerate() {
        let joins = out
            .last()
            .and_then(|chain| chain.last())
            .is_some_and(|&prev| {
                let gap = &sentence[cands[prev].end..c.start];
                let by_and = gap.contains("and") && JOINER.is_match(gap);
                // A comma joins a list of States, not "..., the Secretariat explained".
                let by_comma = gap.trim() == "," && named(&cands[prev]) && named(c);
                by_and || by_comma
            });
        match out.last_mut() {
            Some(chain) if joins => chain.push(i),
            _ => out.push(vec![i]),
        }
    }
    out
}

fn role(sentence: &str, first: &Candidate, last: &Candidate) -> Role {
    let before = &sentence[..first.start];
    let head_of = HEAD_BEFORE_OF.is_match(before);
    if AGENT_BEFORE.is_match(before) {
        return Role::Speaker;
    }
    if !head_of && OF_BEFORE.is_match(before) {
        return Role::Object;
    }
    let after = &sentence[last.end..];
    let after = SKIP_AFTER.find(after).map_or(after, |m| &after[m.end()..]);
    if after.trim_start().starts_with(['’', '\'']) {
        return Role::Object;
    }
    let next_word = after.split_whitespace().next().unwrap_or("");
    if !is_verb(next_word) {
        return Role::Object;
    }
    let clause_start = before.rfind([';', ':']).map_or(0, |i| i + 1);
    // "he said NEASPEC has ...": reported speech, with or without "that".
    let previous_word = before
        .trim_end()
        .trim_end_matches("the")
        .trim_end()
        .rsplit(' ')
        .next()
        .unwrap_or("");
    if THAT_BEFORE.is_match(&before[clause_start..]) || is_verb(previous_word) {
        Role::Reported
    } else {
        Role::Speaker
    }
}

fn rank(kind: SpeakerKind) -> u8 {
    match kind {
        SpeakerKind::Country | SpeakerKind::Organization => 0,
        SpeakerKind::Officer => 1,
        SpeakerKind::Secretariat => 2,
        SpeakerKind::Meeting => 3,
    }
}

/// The speakers of one sentence: the best-ranked chain of speaking mentions.
fn sentence_speakers(sentence: &str, ctx: &Context) -> Vec<Speaker> {
    let cands = candidates(sentence, ctx);
    let mut best: Option<(u8, Vec<Speaker>)> = None;
    for chain in chains(sentence, &cands) {
        let (first, last) = (&cands[chain[0]], &cands[chain[chain.len() - 1]]);
        if role(sentence, first, last) != Role::Speaker {
            continue;
        }
        let mut speakers: Vec<Speaker> = Vec::new();
        for &i in &chain {
            if !speakers.contains(&cands[i].speaker) {
                speakers.push(cands[i].speaker.clone());
            }
        }
        let r = speakers.iter().map(|s| rank(s.kind)).min().unwrap_or(9);
        if best.as_ref().is_none_or(|(b, _)| r < *b) {
            best = Some((r, speakers));
        }
    }
    let mut speakers = best.map(|(_, s)| s).unwrap_or_default();
    // "The representative of Kenya, speaking on behalf of the African Group,
    // said": the group speaks too.
    if let Some(first) = cands.iter().find(|c| speakers.first() == Some(&c.speaker)) {
        for c in &cands {
            let gap = c.start.saturating_sub(first.end);
            if c.start > first.end
                && gap < 60
                && ON_BEHALF_OF.is_match(&sentence[..c.start])
                && !speakers.contains(&c.speaker)
            {
                speakers.push(c.speaker.clone());
            }
        }
    }
    speakers
}

static ON_BEHALF_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r",\s*(?:speaking\s+)?(?:on\s+behalf\s+of|speaking\s+for)\s+(?:the\s+)?$").unwrap()
});

static BRACKET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\(([^()]{2,400})\)").unwrap());

/// The States named in a bracket, if it names nothing else: "(Canada, Netherlands)".
pub(crate) fn bracketed_states(inner: &str) -> Option<Vec<Speaker>> {
    let mut out: Vec<Speaker> = Vec::new();
    for part in inner.split([',', ';']).flat_map(|p| p.split(" and ")) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let speaker = gazetteer().resolve(part)?;
        if !out.contains(speaker) {
            out.push(speaker.clone());
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Recommendations: each clause ends with the States that made it in brackets.
fn bracketed_clauses(text: &str) -> Option<Vec<Statement>> {
    let mut statements = Vec::new();
    let mut clause_start = 0;
    for c in BRACKET.captures_iter(text) {
        let Some(states) = bracketed_states(&c[1]) else {
            continue;
        };
        let mut end = c.get(0).map_or(0, |m| m.end());
        let tail = &text[end..];
        let punct = tail.len() - tail.trim_start_matches([';', '.', ',', ' ']).len();
        end += punct;
        statements.push(statement(&states, text[clause_start..end].trim()));
        clause_start = end;
    }
    if statements.is_empty() {
        return None;
    }
    let rest = text[clause_start..].trim();
    if !rest.is_empty()
        && let Some(last) = statements.last_mut()
    {
        last.text = format!("{} {rest}", last.text);
    }
    Some(statements)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speakers_of(text: &str) -> Vec<Vec<String>> {
        attribute(text, &Context::default())
            .iter()
            .map(|s| s.speakers().into_iter().map(|s| s.name).collect())
            .collect()
    }

    #[test]
    fn subject_not_object() {
        assert_eq!(
            speakers_of(
                "The Meeting also encouraged DPRK to participate noting that DPRK has recently become a member."
            ),
            [["Meeting"]]
        );
        assert_eq!(
            speakers_of(
                "The representative of Mongolia noted the possible duplication. The representative of Japan also recognized the duplication."
            ),
            [["Mongolia"], ["Japan"]]
        );
    }

    #[test]
    fn pronouns_carry_the_speaker() {
        assert_eq!(
            speakers_of(
                "The representative of Japan highlighted the experiences. He also underscored the importance of avoiding duplication."
            ),
            [["Japan"]]
        );
    }

    #[test]
    fn joint_statements_and_agents() {
        assert_eq!(
            speakers_of("The representatives of China and ROK underscored the need."),
            [["China", "Republic of Korea"]]
        );
        assert_eq!(
            speakers_of(
                "In responses to the question from the representative of the Russian Federation, the Secretariat explained the delay."
            ),
            [["Secretariat"]]
        );
        assert_eq!(
            speakers_of(
                "The Meeting had an intervention from the representative of ICLEI who suggested NEACAP to place more connection."
            ),
            [["ICLEI"]]
        );
        assert_eq!(
            speakers_of("The ROK representative proposed to adopt the draft."),
            [["Republic of Korea"]]
        );
    }

    #[test]
    fn clauses_between_the_speaker_and_the_verb() {
        assert_eq!(
            speakers_of(
                "The representative of Korea, in response to the United States, said that its notification was complete."
            ),
            vec![vec!["Republic of Korea".to_string()]]
        );
        assert_eq!(
            speakers_of(
                "The representative of Kenya, speaking on behalf of the African Group, said that the Group was concerned."
            ),
            vec![vec!["Kenya".to_string(), "African Group".to_string()]]
        );
        assert_eq!(
            speakers_of("The representative of Hong Kong, China said that it agreed."),
            vec![vec!["Hong Kong, China".to_string()]]
        );
    }

    #[test]
    fn officers_by_name() {
        assert_eq!(
            speakers_of(
                "The Meeting was opened by Mr. Sangmin Nam, Interim Head of the ESCAP East and North-East Asia Office. He welcomed delegates."
            ),
            [["Sangmin Nam"]]
        );
    }

    #[test]
    fn recommendations_by_bracket() {
        let ctx = Context {
            recommendation: true,
            ..Context::default()
        };
        let st = attribute(
            "Ratify the Protocol (Albania), the Convention (United Kingdom, Mexico); Sign the Second Protocol (Portugal);",
            &ctx,
        );
        let names: Vec<Vec<String>> = st
            .iter()
            .map(|s| s.speakers().into_iter().map(|s| s.name).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["Albania".to_owned()],
                vec![
                    "United Kingdom of Great Britain and Northern Ireland".to_owned(),
                    "Mexico".to_owned()
                ],
                vec!["Portugal".to_owned()]
            ]
        );
    }

    #[test]
    fn sentences_survive_abbreviations() {
        let text = "It was opened by Mr. Sangmin Nam. He said H.E. Mr. Akimoto spoke.";
        assert_eq!(sentences(text).len(), 2);
    }
}
