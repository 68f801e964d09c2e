//! A collector that gathers every match as (score, paragraph, statement, date)
//! from fast fields, for the searches that group statements under their
//! paragraph or sort by date: no stored document is read.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Match {
    pub(crate) score: Score,
    /// [`crate::index::schema::paragraph_id`] of the paragraph.
    pub(crate) para: u64,
    pub(crate) statement: Option<u64>,
    pub(crate) date: u64,
    /// [`crate::index::schema::speech_id`] of its speech turn; 0 outside one.
    pub(crate) speech: u64,
}

pub(crate) struct Matches;

pub(crate) struct SegmentMatches {
    para: Column<u64>,
    statement: Column<u64>,
    date: Column<u64>,
    speech: Column<u64>,
    out: Vec<Match>,
}

impl Collector for Matches {
    type Fruit = Vec<Match>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        Ok(SegmentMatches {
            para: fast.u64("para")?,
            statement: fast.u64("statement")?,
            date: fast.u64("date")?,
            speech: fast.u64("speech")?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Match>>) -> tantivy::Result<Vec<Match>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<Match>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.out.push(Match {
            score,
            para: self.para.first(doc).unwrap_or(0),
            statement: self.statement.first(doc),
            date: self.date.first(doc).unwrap_or(0),
            speech: self.speech.first(doc).unwrap_or(0),
        });
    }

    fn harvest(self) -> Vec<Match> {
        self.out
    }
}

/// The paragraph ids of every match, unscored: who holds a word.
pub(crate) struct Paragraphs;

pub(crate) struct SegmentParagraphs {
    para: Column<u64>,
    out: Vec<u64>,
}

impl Collector for Paragraphs {
    type Fruit = Vec<u64>;
    type Child = SegmentParagraphs;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(SegmentParagraphs {
            para: segment.fast_fields().u64("para")?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentParagraphs {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.out.push(self.para.first(doc).unwrap_or(0));
    }

    fn harvest(self) -> Vec<u64> {
        self.out
    }
}

/// A paragraph's best match and the statements of it that matched.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) para: u64,
    pub(crate) score: Score,
    pub(crate) date: u64,
    pub(crate) statements: Vec<u64>,
    /// The speech turn of its first statement in one; 0 outside any.
    pub(crate) speech: u64,
}

/// Groups matches by paragraph, keeping each group's best score, ranked by
/// score (or by date, newest first, then score).
pub(crate) fn group(matches: Vec<Match>, by_date: bool) -> Vec<Group> {
    let mut groups = group_unordered(matches, false);
    if by_date {
        groups.sort_by(|a, b| b.date.cmp(&a.date).then(b.score.total_cmp(&a.score)));
    } else {
        groups.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.para.cmp(&b.para)));
    }
    groups
}

/// Groups matches by paragraph, in the order they came (for a caller that
/// orders them itself, such as fusion). `one_per_paragraph`: each match is
/// its own paragraph (no statement has a record of its own), so there is
/// nothing to merge.
pub(crate) fn group_unordered(matches: Vec<Match>, one_per_paragraph: bool) -> Vec<Group> {
    if one_per_paragraph {
        debug_assert!({
            let mut paras: Vec<u64> = matches.iter().map(|m| m.para).collect();
            paras.sort_unstable();
            paras.windows(2).all(|w| w[0] != w[1])
        });
        return matches
            .into_iter()
            .map(|m| Group {
                para: m.para,
                score: m.score,
                date: m.date,
                statements: m.statement.into_iter().collect(),
                speech: m.speech,
            })
            .collect();
    }
    let mut index: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for m in matches {
        let i = *index.entry(m.para).or_insert_with(|| {
            groups.push(Group {
                para: m.para,
                score: m.score,
                date: m.date,
                statements: Vec::new(),
                speech: m.speech,
            });
            groups.len() - 1
        });
        let g = &mut groups[i];
        g.score = g.score.max(m.score);
        if g.speech == 0 {
            g.speech = m.speech;
        }
        if let Some(s) = m.statement
            && !g.statements.contains(&s)
        {
            g.statements.push(s);
        }
    }
    groups
}
