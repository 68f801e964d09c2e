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
    let named: Vec<Voice> = sentences
        .iter()
        .map(|&(s, e)| sentence_speakers(&text[s..e], ctx))
        .collect();
    let has_named_subject = named.iter().any(|n| !n.speakers.is_empty());
    // "Mr. Smith (United Kingdom) said": brackets that label a person are no recommenders.
    let labels_persons = named.iter().any(|n| n.person.is_some());
    if (ctx.recommendation || !has_named_subject)
        && !labels_persons
        && let Some(statements) = bracketed_clauses(text)
    {
        return statements;
    }
    // Runs of sentences by the same voice, as byte ranges; text is cut once at the end.
    let mut runs: Vec<(Voice, usize, usize)> = Vec::new();
    let mut previous = Voice::default();
    for (index, (&(start, end), mut voice)) in sentences.iter().zip(named).enumerate() {
        if voice.speakers.is_empty() {
            voice = if index == 0 {
                Voice {
                    speakers: ctx.default_speaker.clone().into_iter().collect(),
                    person: None,
                }
            } else {
                previous.clone()
            };
        }
        match runs.last_mut() {
            Some(last) if last.0 == voice => last.2 = end,
            _ => runs.push((voice.clone(), start, end)),
        }
        previous = voice;
    }
    runs.iter()
        .map(|(voice, start, end)| {
            statement(
                &voice.speakers,
                voice.person.as_deref(),
                text[*start..*end].trim(),
            )
        })
        .collect()
}

/// Who speaks in a sentence: the speakers, and the person where the record
/// names one ("Mr. Smith (United Kingdom) said").
#[derive(Debug, Clone, Default, PartialEq)]
struct Voice {
    speakers: Vec<Speaker>,
    person: Option<String>,
}

fn statement(speakers: &[Speaker], person: Option<&str>, text: &str) -> Statement {
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
        person: person.map(str::to_owned),
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
static PERSON_OF_STATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:H\.E\.\s+)?(?:Mr|Ms|Mrs|Dr|Prof|Madam|Mme|Sir|Dame|Ambassador)\.?\s+(?:[A-Z][\p{L}'’\-]*\.?)(?:\s+(?:de|da|del|van|von|bin|al|[A-Z][\p{L}'’\-]*\.?)){0,4})\s*\(((?:[^()]|\([^()]*\)){2,80})\)").unwrap()
});
static OFFICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Vice-)?(?:Chair(?:person|man|woman)?|President|Rapporteur|Secretary(?:-General)?|Executive Secretary|Moderator|Facilitator)\b").unwrap()
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
    /// "Mr. John Smith" of "Mr. John Smith (United Kingdom)", as printed.
    person: Option<String>,
}

fn candidates(sentence: &str, ctx: &Context) -> Vec<Candidate> {
    // "Mr. Smith (United Kingdom)" first: the person speaks for the State in brackets.
    let mut found = persons_of_states(sentence);
    for Mention {
        start,
        end,
        speaker,
    } in gazetteer().mentions(sentence)
    {
        if !found.iter().any(|c| c.start < end && start < c.end) {
            found.push(Candidate {
                start,
                end,
                speaker,
                person: None,
            });
        }
    }
    let add = |start: usize, end: usize, speaker: Speaker, found: &mut Vec<Candidate>| {
        if !found.iter().any(|c| c.start < end && start < c.end) {
            found.push(Candidate {
                start,
                end,
                speaker,
                person: None,
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

/// The summary-record form of a speaker: a title, a name, and the State or
/// organisation in brackets ("Mr. John Smith (United Kingdom)", "Ms. WANG Li
/// (China)"), or an office ("Mr. Ruiz (Chair)"). Anything else in the
/// brackets is no such form.
fn persons_of_states(sentence: &str) -> Vec<Candidate> {
    PERSON_OF_STATE
        .captures_iter(sentence)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let inside = c[2].trim();
            let speaker = match gazetteer().resolve(inside) {
                Some(speaker) => speaker.clone(),
                None => named(OFFICE.find(inside)?.as_str(), SpeakerKind::Officer),
            };
            Some(Candidate {
                start: whole.start(),
                end: whole.end(),
                speaker,
                person: Some(c[1].trim().to_owned()),
            })
        })
        .collect()
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
                let both_named = named(&cands[prev]) && named(c);
                // A comma joins a list of States, not "..., the Secretariat explained".
                let by_comma = gap.trim() == "," && both_named;
                // "The representative of Mauritius, speaking for the ACP Group,
                // and the representative of the Philippines, on behalf of the G-90, stressed".
                let by_behalf =
                    both_named && (ON_BEHALF_GAP.is_match(gap) || AND_REPRESENTATIVE.is_match(gap));
                by_and || by_comma || by_behalf
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
    // "..., on behalf of the African Group, said": the clause's closing comma.
    let after = match after.trim_start().strip_prefix(',') {
        Some(rest) if ON_BEHALF_OF.is_match(&sentence[..last.start]) => rest,
        _ => after,
    };
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
fn sentence_speakers(sentence: &str, ctx: &Context) -> Voice {
    let cands = candidates(sentence, ctx);
    let mut best: Option<(u8, Vec<usize>)> = None;
    for chain in chains(sentence, &cands) {
        let (first, last) = (&cands[chain[0]], &cands[chain[chain.len() - 1]]);
        if role(sentence, first, last) != Role::Speaker {
            continue;
        }
        let r = chain
            .iter()
            .map(|&i| rank(cands[i].speaker.kind))
            .min()
            .unwrap_or(9);
        if best.as_ref().is_none_or(|(b, _)| r < *b) {
            best = Some((r, chain));
        }
    }
    let Some((_, chain)) = best else {
        return Voice::default();
    };
    let mut speakers: Vec<Speaker> = Vec::new();
    for &i in &chain {
        if !speakers.contains(&cands[i].speaker) {
            speakers.push(cands[i].speaker.clone());
        }
    }
    // "The representative of Kenya, speaking on behalf of the African Group,
    // said": the group speaks too.
    let first = &cands[chain[0]];
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
    Voice {
        speakers,
        person: first.person.clone(),
    }
}

static ON_BEHALF_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r",\s*(?:speaking\s+)?(?:on\s+behalf\s+of|speaking\s+for)\s+(?:the\s+)?$").unwrap()
});

static ON_BEHALF_GAP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*,\s*(?:speaking\s+)?(?:on\s+behalf\s+of|speaking\s+for)\s+(?:the\s+)?$")
        .unwrap()
});
static AND_REPRESENTATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*,?\s*and\s+(?:the\s+)?(?:representatives?|delegations?|delegates?)\s+of\s+(?:the\s+)?$").unwrap()
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
        statements.push(statement(&states, None, text[clause_start..end].trim()));
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
    fn two_representatives_each_for_a_group() {
        assert_eq!(
            speakers_of(
                "The representative of Mauritius, speaking for the ACP Group, and the representative of the Philippines, on behalf of the G-90, stressed the importance of special treatment."
            ),
            [["Mauritius", "ACP Group", "Philippines", "G-90"]]
        );
    }

    #[test]
    fn summary_record_speakers_by_name_and_state() {
        let statements = attribute(
            "Mr. John Smith (United Kingdom) said that his delegation supported the proposal. He added that more work was needed. Ms. WANG Li (China) noted that the proposal was premature. Mr. Dupont (France), speaking on behalf of the European Union, disagreed with Mr. Smith (United Kingdom).",
            &Context::default(),
        );
        let voices: Vec<(Vec<String>, Option<&str>)> = statements
            .iter()
            .map(|s| {
                (
                    s.speakers().into_iter().map(|s| s.name).collect(),
                    s.person.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            voices,
            [
                (
                    vec!["United Kingdom of Great Britain and Northern Ireland".to_owned()],
                    Some("Mr. John Smith")
                ),
                (vec!["China".to_owned()], Some("Ms. WANG Li")),
                (
                    vec!["France".to_owned(), "European Union".to_owned()],
                    Some("Mr. Dupont")
                ),
            ]
        );
        assert!(statements[0].text.ends_with("more work was needed."));
        // An office in the brackets: the person speaks as its holder.
        let chair = attribute(
            "Mr. Ruiz (Chair) said the item was closed.",
            &Context::default(),
        );
        assert_eq!(chair[0].speaker.as_deref(), Some("Chair"));
        assert_eq!(chair[0].person.as_deref(), Some("Mr. Ruiz"));
        // Anything else in them is nobody's label.
        assert!(speakers_of("Mr. Ruiz (see annex) was thanked.")[0].is_empty());
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
