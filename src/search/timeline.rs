//! Mentions over time: the paragraphs that match a search, per year (per
//! meeting in a small collection), also per 10,000 paragraphs, optionally one
//! series per speaker. Counts are exact: the paragraphs that hold every word
//! of the query (its operators kept), as a mention is counted.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Query;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};
use utoipa::ToSchema;

use super::filters::{combine, combine_matching};
use super::plan::{Purpose, QueryPlan};
use super::request::SearchRequest;
use super::searcher::{Searcher, Snapshot};
use crate::error::{RequestError, Result};
use crate::index::schema::{KIND_PARAGRAPH, KIND_STATEMENT};

/// Speakers a timeline or comparison may name at once.
pub const MAX_SERIES: usize = 12;
/// A collection with at most this many meetings is counted per meeting.
const SMALL_COLLECTION_MEETINGS: usize = 30;

/// What one step of a timeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Bucketing {
    /// Calendar years of the meetings.
    Year,
    /// Meetings, by their date.
    Meeting,
}

/// How to cut a timeline and which series to draw.
#[derive(Debug, Clone, Default)]
pub struct TimelineOptions {
    /// Years or meetings; None: meetings in a small collection, else years.
    pub by: Option<Bucketing>,
    /// One series per named speaker.
    pub speakers: Vec<String>,
    /// Or one series for each of the `top` speakers who said it the most.
    pub top: usize,
    /// Rates per this many paragraphs (10,000 is usual).
    pub per: Option<u32>,
}

/// One step of a timeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Bucket {
    /// "2018", or the meeting ("SOM-22").
    pub label: String,
    /// The step's year.
    pub year: i32,
    /// The meeting's date, ISO, when counting by meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The search parameters that narrow a search to this step
    /// (`year=2018`, or `from` and `to` the meeting's date).
    pub filter: BTreeMap<String, String>,
}

/// One line of a timeline: everyone's matches, or one speaker's.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Series {
    /// "All speakers", or the speaker's canonical name.
    pub name: String,
    /// The speaker, for a speaker's series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Matching paragraphs in all steps.
    pub total: u64,
    /// Matching statements in all steps (a paragraph may hold several).
    pub statements: u64,
    /// Matching paragraphs per step, in the order of `buckets`.
    pub counts: Vec<u64>,
    /// The paragraphs each count is out of: all those the filters allow in
    /// that step (a speaker's series: that speaker's).
    pub paragraphs: Vec<u64>,
    /// `counts` per `per` paragraphs, where asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<Vec<f64>>,
}

/// Mentions over time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Timeline {
    /// The query as asked.
    pub query: String,
    /// What one step is.
    pub by: Bucketing,
    /// The rate's denominator, where rates were asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<u32>,
    /// Every step the collection (under the filters) has, oldest first.
    pub buckets: Vec<Bucket>,
    /// All speakers first, then one series per speaker asked for.
    pub series: Vec<Series>,
    /// Time spent in the library.
    pub took_ms: f64,
}

/// Counts of one series over the steps: keyed by step.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) paragraphs: BTreeMap<u64, u64>,
    pub(crate) statements: u64,
}

impl Searcher {
    /// Mentions over time for a search; see [`TimelineOptions`].
    pub fn timeline(&self, request: &SearchRequest, options: &TimelineOptions) -> Result<Timeline> {
        let started = Instant::now();
        let snapshot = self.snapshot()?;
        let speakers = series_speakers(&snapshot, request, options)?;
        let mut timeline = timeline_in(&snapshot, request, &speakers, options)?;
        timeline.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(timeline)
    }
}

/// The speakers to draw: those named, or the top ones by matching statements.
fn series_speakers(
    snapshot: &Snapshot<'_>,
    request: &SearchRequest,
    options: &TimelineOptions,
) -> Result<Vec<String>> {
    if options.speakers.len() > MAX_SERIES || options.top > MAX_SERIES {
        return Err(RequestError::Series { max: MAX_SERIES }.into());
    }
    if !options.speakers.is_empty() || options.top == 0 {
        return Ok(options.speakers.clone());
    }
    let plan = QueryPlan::new(request, snapshot, Purpose::Words, 0)?;
    Ok(super::facets::mentions_by_speaker(snapshot, &plan)?
        .into_iter()
        .take(options.top)
        .map(|c| c.value.to_string())
        .collect())
}

/// The timeline on one snapshot, with one series per speaker in `speakers`.
pub(crate) fn timeline_in(
    snapshot: &Snapshot<'_>,
    request: &SearchRequest,
    speakers: &[String],
    options: &TimelineOptions,
) -> Result<Timeline> {
    let plan = QueryPlan::new(request, snapshot, Purpose::Words, 0)?;
    let everyone = tally(snapshot, &plan, true)?;
    let base = tally(snapshot, &plan, false)?;
    let by = options.by.unwrap_or_else(|| default_bucketing(&base));
    let steps = steps(&base, by);
    let mut series = vec![series_of(
        "All speakers".into(),
        None,
        &everyone,
        &base,
        &steps,
        by,
        options.per,
    )];
    for name in speakers {
        let one = SearchRequest {
            speaker: vec![name.clone()],
            ..request.clone()
        };
        let plan = QueryPlan::new(&one, snapshot, Purpose::Words, 0)?;
        let canonical = plan
            .interpreted
            .speakers
            .last()
            .cloned()
            .unwrap_or_else(|| name.clone());
        let said = tally(snapshot, &plan, true)?;
        let own = tally(snapshot, &plan, false)?;
        series.push(series_of(
            canonical.clone(),
            Some(canonical),
            &said,
            &own,
            &steps,
            by,
            options.per,
        ));
    }
    let buckets = steps.iter().map(|&key| bucket(snapshot, key, by)).collect();
    Ok(Timeline {
        query: request.q.clone(),
        by,
        per: options.per,
        buckets,
        series,
        took_ms: 0.0,
    })
}

/// Paragraphs per meeting date of the plan's matches (`words`), or of every
/// record its filters allow (the denominators).
pub(crate) fn tally(snapshot: &Snapshot<'_>, plan: &QueryPlan, words: bool) -> Result<Tally> {
    if !words && plan.kind == KIND_PARAGRAPH && plan.filters.is_empty() {
        let paragraphs = snapshot.catalog.paragraphs_by_date.clone();
        return Ok(Tally {
            statements: paragraphs.values().sum(),
            paragraphs,
        });
    }
    let text = if words { plan.counting_query() } else { None };
    let query: Box<dyn Query> = combine_matching(
        snapshot.catalog.separate_statements,
        plan.kind,
        snapshot.fields(),
        text,
        plan.filters.all(None),
    );
    let found = snapshot.searcher.search(&*query, &Dated)?;
    let mut out = Tally {
        statements: found.len() as u64,
        ..Tally::default()
    };
    // A paragraph holding several matching statements counts once; paragraph
    // records are one per paragraph already.
    let mut seen: HashSet<u64> = HashSet::new();
    let statements = plan.kind == KIND_STATEMENT;
    for (para, date) in found {
        if date > 0 && (!statements || seen.insert(para)) {
            *out.paragraphs.entry(date).or_default() += 1;
        }
    }
    Ok(out)
}

/// Meetings in a small collection where some year has several of them;
/// otherwise years (a meeting a year is its year).
fn default_bucketing(base: &Tally) -> Bucketing {
    let dates = base.paragraphs.len();
    let years = steps(base, Bucketing::Year).len();
    if dates <= SMALL_COLLECTION_MEETINGS && dates > years {
        Bucketing::Meeting
    } else {
        Bucketing::Year
    }
}

/// Paragraphs per meeting date in a whole index generation (the catalog's,
/// so that a timeline without filters does not count them per request).
pub(crate) fn paragraphs_by_date(
    searcher: &tantivy::Searcher,
    f: &crate::index::Fields,
) -> Result<BTreeMap<u64, u64>> {
    let all = combine(KIND_PARAGRAPH, f, None, Vec::new());
    let mut out = BTreeMap::new();
    for (_, date) in searcher.search(&*all, &Dated)? {
        if date > 0 {
            *out.entry(date).or_default() += 1;
        }
    }
    Ok(out)
}

/// The steps of a timeline, oldest first: meeting dates, or years.
fn steps(base: &Tally, by: Bucketing) -> Vec<u64> {
    let mut keys: Vec<u64> = base.paragraphs.keys().map(|&d| step_of(d, by)).collect();
    keys.dedup();
    keys
}

fn step_of(date: u64, by: Bucketing) -> u64 {
    match by {
        Bucketing::Year => date / 10_000,
        Bucketing::Meeting => date,
    }
}

fn per_step(tally: &Tally, by: Bucketing) -> BTreeMap<u64, u64> {
    let mut out = BTreeMap::new();
    for (&date, &n) in &tally.paragraphs {
        *out.entry(step_of(date, by)).or_default() += n;
    }
    out
}

fn series_of(
    name: String,
    speaker: Option<String>,
    said: &Tally,
    base: &Tally,
    steps: &[u64],
    by: Bucketing,
    per: Option<u32>,
) -> Series {
    let (said_steps, base_steps) = (per_step(said, by), per_step(base, by));
    let at = |m: &BTreeMap<u64, u64>, k: &u64| m.get(k).copied().unwrap_or(0);
    let counts: Vec<u64> = steps.iter().map(|k| at(&said_steps, k)).collect();
    let paragraphs: Vec<u64> = steps.iter().map(|k| at(&base_steps, k)).collect();
    let rates = per.map(|per| {
        counts
            .iter()
            .zip(&paragraphs)
            .map(|(&c, &n)| rate(c, n, per))
            .collect()
    });
    Series {
        name,
        speaker,
        total: said_steps.values().sum(),
        statements: said.statements,
        counts,
        paragraphs,
        rates,
    }
}

/// `count` per `per` of `out_of`, to two decimals; 0 where there is nothing to count.
pub(crate) fn rate(count: u64, out_of: u64, per: u32) -> f64 {
    if out_of == 0 {
        return 0.0;
    }
    (count as f64 * f64::from(per) / out_of as f64 * 100.0).round() / 100.0
}

fn bucket(snapshot: &Snapshot<'_>, key: u64, by: Bucketing) -> Bucket {
    match by {
        Bucketing::Year => Bucket {
            label: key.to_string(),
            year: key as i32,
            date: None,
            filter: BTreeMap::from([("year".to_owned(), key.to_string())]),
        },
        Bucketing::Meeting => {
            let iso = format!(
                "{:04}-{:02}-{:02}",
                key / 10_000,
                key / 100 % 100,
                key % 100
            );
            let mut meetings: Vec<&str> = snapshot
                .catalog
                .documents
                .iter()
                .filter(|d| d.date.as_deref().is_some_and(|d| d.starts_with(&iso)))
                .filter_map(|d| d.meeting.as_deref())
                .collect();
            meetings.sort_unstable();
            meetings.dedup();
            Bucket {
                label: if meetings.is_empty() {
                    iso.clone()
                } else {
                    meetings.join(" / ")
                },
                year: (key / 10_000) as i32,
                date: Some(iso.clone()),
                filter: BTreeMap::from([("from".to_owned(), iso.clone()), ("to".to_owned(), iso)]),
            }
        }
    }
}

/// Every match as (paragraph id, meeting date), from fast fields, unscored.
struct Dated;

struct SegmentDated {
    para: Column<u64>,
    date: Column<u64>,
    out: Vec<(u64, u64)>,
}

impl Collector for Dated {
    type Fruit = Vec<(u64, u64)>;
    type Child = SegmentDated;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentDated> {
        let fast = segment.fast_fields();
        Ok(SegmentDated {
            para: fast.u64("para")?,
            date: fast.u64("date")?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, u64)>>) -> tantivy::Result<Vec<(u64, u64)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentDated {
    type Fruit = Vec<(u64, u64)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.out.push((
            self.para.first(doc).unwrap_or(0),
            self.date.first(doc).unwrap_or(0),
        ));
    }

    fn harvest(self) -> Vec<(u64, u64)> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_per_the_denominator_and_zero_on_nothing() {
        assert_eq!(rate(3, 1_000, 10_000), 30.0);
        assert_eq!(rate(1, 3, 10_000), 3333.33);
        assert_eq!(rate(0, 0, 10_000), 0.0);
    }

    #[test]
    fn steps_are_years_or_meeting_dates_oldest_first() {
        let base = Tally {
            paragraphs: BTreeMap::from([(20_080_602, 5), (20_081_020, 2), (20_100_101, 1)]),
            statements: 8,
        };
        assert_eq!(steps(&base, Bucketing::Year), [2008, 2010]);
        assert_eq!(
            steps(&base, Bucketing::Meeting),
            [20_080_602, 20_081_020, 20_100_101]
        );
        let said = Tally {
            paragraphs: BTreeMap::from([(20_080_602, 2), (20_081_020, 1)]),
            statements: 4,
        };
        let s = series_of(
            "All".into(),
            None,
            &said,
            &base,
            &steps(&base, Bucketing::Year),
            Bucketing::Year,
            Some(10),
        );
        assert_eq!(s.counts, [3, 0]);
        assert_eq!(s.paragraphs, [7, 1]);
        assert_eq!(s.rates.unwrap(), [4.29, 0.0]);
        assert_eq!((s.total, s.statements), (3, 4));
    }
}
