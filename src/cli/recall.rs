//! `rapporteur bench --recall`: the approximate vector index against the exact
//! scan, recall@k of the nearest paragraphs by meaning, for each query alone
//! and under a speaker, a year and a speaker-and-year filter (the filters are
//! drawn in turn from the index's own speakers and years).

use std::io::{self, Write};

use serde::Serialize;

use rapporteur::search::{Mode, SearchRequest, Searcher};

/// Recall over every search of one kind of filter.
#[derive(Debug, Clone, Serialize)]
pub struct RecallRow {
    pub filter: &'static str,
    pub searches: usize,
    /// Searches the approximate index answered (the others scanned exactly).
    pub approximate: usize,
    pub found: usize,
    pub wanted: usize,
    pub recall: f64,
}

/// Speakers and years the filters are drawn from: every value the index has.
fn values(searcher: &Searcher, speaker: Option<&str>) -> anyhow::Result<(Vec<String>, Vec<i32>)> {
    let all = searcher.search(&SearchRequest {
        mode: Some(Mode::Keyword),
        facet_limit: Some(1_000),
        speaker: speaker.map(str::to_owned).into_iter().collect(),
        ..SearchRequest::default()
    })?;
    let speakers = all
        .facets
        .speaker
        .into_iter()
        .map(|f| f.value.to_string())
        .collect();
    let years = all
        .facets
        .year
        .iter()
        .filter_map(|f| f.value.parse().ok())
        .collect();
    Ok((speakers, years))
}

/// Recall@k for each query under no filter, a speaker, a year, and both.
pub fn run(searcher: &Searcher, queries: &[String], k: usize) -> anyhow::Result<Vec<RecallRow>> {
    let (speakers, years) = values(searcher, None)?;
    anyhow::ensure!(
        !speakers.is_empty() && !years.is_empty(),
        "the index has no speakers or no years to filter on"
    );
    let mut rows: Vec<RecallRow> = ["none", "speaker", "year", "speaker+year"]
        .into_iter()
        .map(|filter| RecallRow {
            filter,
            searches: 0,
            approximate: 0,
            found: 0,
            wanted: 0,
            recall: 0.0,
        })
        .collect();
    for (i, q) in queries.iter().enumerate() {
        // Strides prime to most list lengths spread the draws.
        let speaker = &speakers[(i * 7) % speakers.len()];
        let year = years[(i * 11) % years.len()];
        let (_, speaker_years) = values(searcher, Some(speaker))?;
        let base = SearchRequest {
            q: q.clone(),
            mode: Some(Mode::Semantic),
            ..SearchRequest::default()
        };
        let requests = [
            base.clone(),
            SearchRequest {
                speaker: vec![speaker.clone()],
                ..base.clone()
            },
            SearchRequest {
                year: vec![year],
                ..base.clone()
            },
            SearchRequest {
                speaker: vec![speaker.clone()],
                year: speaker_years
                    .get(i % speaker_years.len().max(1))
                    .copied()
                    .into_iter()
                    .collect(),
                ..base
            },
        ];
        for (row, request) in rows.iter_mut().zip(&requests) {
            let recall = searcher.meaning_recall(request, k)?;
            row.searches += 1;
            row.approximate += usize::from(recall.approximate);
            row.found += recall.found;
            row.wanted += recall.wanted;
        }
    }
    for row in &mut rows {
        row.recall = row.found as f64 / row.wanted.max(1) as f64;
    }
    Ok(rows)
}

/// One line per kind of filter.
pub fn print(out: &mut dyn Write, rows: &[RecallRow], k: usize) -> io::Result<()> {
    writeln!(
        out,
        "{:<14} {:>8} {:>12} {:>10}",
        "filter",
        "searches",
        "approximate",
        format!("recall@{k}")
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<14} {:>8} {:>12} {:>10.3}",
            r.filter, r.searches, r.approximate, r.recall
        )?;
    }
    Ok(())
}
