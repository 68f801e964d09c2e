//! What each paragraph is about, as distinct from who speaks in it: the State
//! under review in a UPR report, and the States named in the paragraph or its
//! topic ("The situation in the Central African Republic") that are not its
//! speakers. "Torture in Egypt" asks for this field; "what did Egypt say
//! about torture" asks for the speakers.

use super::speakers::gazetteer;
use crate::model::{Document, Statement};

/// How far into a statement its speaker's own name is the attribution
/// ("The representative of Mongolia informed", "Mongolia noted") rather than
/// what is spoken of.
const ATTRIBUTION_BYTES: usize = 60;

/// Fills `subjects` of every paragraph of `document`.
pub(crate) fn assign(document: &mut Document, under_review: Option<&str>) {
    for paragraph in &mut document.paragraphs {
        let in_topics = paragraph
            .topics
            .iter()
            .flat_map(|topic| gazetteer().states_named(topic))
            .map(|m| m.speaker.name);
        let in_text: Vec<String> = if paragraph.statements.is_empty() {
            gazetteer()
                .states_named(&paragraph.text)
                .into_iter()
                .map(|m| m.speaker.name)
                .collect()
        } else {
            paragraph
                .statements
                .iter()
                .flat_map(states_spoken_of)
                .collect()
        };
        let mut subjects: Vec<String> = under_review.map(str::to_owned).into_iter().collect();
        for name in in_topics.chain(in_text) {
            if !subjects.contains(&name) {
                subjects.push(name);
            }
        }
        paragraph.subjects = subjects;
    }
}

/// States named in a statement, except where the name only says who speaks:
/// the speaker's name near its start, or in the closing "(France, Spain)"
/// of a recommendation.
fn states_spoken_of(statement: &Statement) -> Vec<String> {
    let text = statement.text.as_str();
    let speakers: Vec<String> = statement.speakers().into_iter().map(|s| s.name).collect();
    let closing_parenthesis = text
        .trim_end_matches(['.', ';', ',', ' ', '\n'])
        .ends_with(')')
        .then(|| text.rfind('('))
        .flatten();
    gazetteer()
        .states_named(text)
        .into_iter()
        .filter(|m| {
            let speaks = speakers.contains(&m.speaker.name);
            let attribution = m.start < ATTRIBUTION_BYTES
                || closing_parenthesis.is_some_and(|open| m.start > open);
            !(speaks && attribution)
        })
        .map(|m| m.speaker.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Paragraph, Speaker, SpeakerKind};

    fn paragraph(text: &str, speakers: &[&str], topics: &[&str]) -> Paragraph {
        let joint = speakers
            .iter()
            .map(|name| Speaker {
                name: (*name).to_owned(),
                kind: SpeakerKind::Country,
                code: None,
            })
            .collect();
        Paragraph {
            text: text.to_owned(),
            speakers: speakers.iter().map(|s| (*s).to_owned()).collect(),
            topics: topics.iter().map(|s| (*s).to_owned()).collect(),
            statements: vec![Statement {
                text: text.to_owned(),
                joint,
                ..Statement::default()
            }],
            ..Paragraph::default()
        }
    }

    fn subjects_of(p: Paragraph, under_review: Option<&str>) -> Vec<String> {
        let mut document = Document {
            paragraphs: vec![p],
            ..Document::default()
        };
        assign(&mut document, under_review);
        document.paragraphs.remove(0).subjects
    }

    #[test]
    fn the_state_under_review_is_the_subject_of_its_review() {
        let p = paragraph(
            "Abolish the death penalty (France).",
            &["France"],
            &["Conclusions and recommendations"],
        );
        assert_eq!(subjects_of(p, Some("Egypt")), ["Egypt"]);
    }

    #[test]
    fn a_state_speaking_of_itself_is_its_own_subject() {
        let p = paragraph(
            "The representative of Mongolia informed the meeting of the spread of desertification in Mongolia since 1990.",
            &["Mongolia"],
            &[],
        );
        assert_eq!(subjects_of(p, None), ["Mongolia"]);
        let p = paragraph(
            "Mongolia noted the duplication of work.",
            &["Mongolia"],
            &[],
        );
        assert!(subjects_of(p, None).is_empty());
    }

    #[test]
    fn a_state_named_but_not_speaking_is_a_subject() {
        let p = paragraph(
            "Serbia welcomed Nigeria’s ratification of the Optional Protocol.",
            &["Serbia"],
            &[],
        );
        assert_eq!(subjects_of(p, None), ["Nigeria"]);
        let p = paragraph(
            "The Council heard a briefing.",
            &[],
            &["The situation in the Central African Republic"],
        );
        assert_eq!(subjects_of(p, None), ["Central African Republic"]);
    }
}
