//! `rapporteur eval`: nDCG@k of graded questions, per question class, for
//! each search mode side by side.

use std::io::{self, Write};
use std::path::Path;

use rapporteur::search::quality::{self, GradedQuestions, QualityReport};
use rapporteur::search::{Mode, Searcher};

/// Measures every mode asked for on the questions of `path`.
pub fn run(
    index: &Path,
    path: &Path,
    modes: &[String],
    semantic_ratio: Option<f32>,
    k: usize,
) -> anyhow::Result<Vec<QualityReport>> {
    let questions = GradedQuestions::load(path)?;
    let searcher = Searcher::open(index)?;
    questions.verify(&searcher, path)?;
    let mut reports = Vec::new();
    for mode in modes {
        let mode: Mode = mode.parse()?;
        reports.push(quality::evaluate(
            &searcher,
            &questions,
            mode,
            semantic_ratio,
            k,
        )?);
    }
    Ok(reports)
}

/// One row per question class, one column per mode; then each question's
/// scores where `per_question`.
pub fn print(out: &mut dyn Write, reports: &[QualityReport], per_question: bool) -> io::Result<()> {
    let Some(first) = reports.first() else {
        return Ok(());
    };
    write!(out, "{:<12} {:>4}", format!("nDCG@{}", first.k), "n")?;
    for r in reports {
        write!(out, " {:>9}", format!("{:?}", r.mode).to_lowercase())?;
    }
    writeln!(out)?;
    for (class, (_, n)) in &first.classes {
        write!(out, "{class:<12} {n:>4}")?;
        for r in reports {
            write!(out, " {:>9.3}", r.classes.get(class).map_or(0.0, |c| c.0))?;
        }
        writeln!(out)?;
    }
    write!(out, "{:<12} {:>4}", "overall", first.questions.len())?;
    for r in reports {
        write!(out, " {:>9.3}", r.overall)?;
    }
    writeln!(out)?;
    if per_question {
        writeln!(out)?;
        for (i, (id, _)) in first.questions.iter().enumerate() {
            write!(out, "{id:<17}")?;
            for r in reports {
                write!(out, " {:>9.3}", r.questions[i].1.max(0.0))?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}
