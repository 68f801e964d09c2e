//! Human output of the analysts' commands: a timeline as a table with a bar
//! chart, speakers compared side by side, distinctive words with their counts.

use std::io::{self, Write};

use rapporteur::search::{Bucket, Bucketing, Comparison, Distinctive, DistinctiveTerm, Timeline};

/// Widest bar of a terminal chart, in cells.
const BAR_WIDTH: usize = 40;

/// A bar of `value` out of `max`, in eighths of a cell.
fn bar(value: f64, max: f64) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if max <= 0.0 || value <= 0.0 {
        return String::new();
    }
    let eighths = ((value / max) * (BAR_WIDTH * 8) as f64).round().max(1.0) as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(EIGHTHS[eighths % 8 - 1]);
    }
    out
}

/// Widest step label.
const LABEL_WIDTH: usize = 44;
/// Widest series name in a table's head.
const SERIES_WIDTH: usize = 20;

/// A meeting with its date ("2018-12-13 Security Council, 8422nd meeting"); a year.
fn step_label(b: &Bucket) -> String {
    match &b.date {
        Some(date) if *date != b.label => format!("{date} {}", b.label),
        _ => b.label.clone(),
    }
}

/// At most `width` characters, an ellipsis marking a cut.
fn clipped(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn step_name(by: Bucketing) -> &'static str {
    match by {
        Bucketing::Year => "year",
        Bucketing::Meeting => "meeting",
    }
}

/// The value a series shows at step `i`: its rate where asked for, else its count.
fn shown(counts: &[u64], rates: Option<&Vec<f64>>, i: usize) -> f64 {
    match rates {
        Some(r) => r[i],
        None => counts[i] as f64,
    }
}

fn cell(counts: &[u64], rates: Option<&Vec<f64>>, i: usize) -> String {
    match rates {
        Some(r) => format!("{} ({:.1})", counts[i], r[i]),
        None => counts[i].to_string(),
    }
}

/// A table (one row per step, one column per series) with a bar of the
/// first series, everyone's, or the rate where rates were asked for.
pub fn print_timeline(out: &mut dyn Write, t: &Timeline) -> io::Result<()> {
    let unit = match t.per {
        Some(per) => format!("matching paragraphs (per {per} paragraphs)"),
        None => "matching paragraphs".to_owned(),
    };
    writeln!(out, "{} · by {} · {unit}", t.query, step_name(t.by))?;
    let labels: Vec<String> = t.buckets.iter().map(step_label).collect();
    let label_width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, LABEL_WIDTH);
    let columns: Vec<Vec<String>> = t
        .series
        .iter()
        .map(|s| {
            (0..t.buckets.len())
                .map(|i| cell(&s.counts, s.rates.as_ref(), i))
                .collect()
        })
        .collect();
    let names: Vec<String> = t
        .series
        .iter()
        .map(|s| clipped(&s.name, SERIES_WIDTH))
        .collect();
    let widths: Vec<usize> = names
        .iter()
        .zip(&columns)
        .map(|(name, col)| {
            col.iter()
                .map(|c| c.chars().count())
                .chain([name.chars().count()])
                .max()
                .unwrap_or(1)
        })
        .collect();
    write!(out, "{:<label_width$}", step_name(t.by))?;
    for (name, w) in names.iter().zip(&widths) {
        write!(out, "  {name:>w$}")?;
    }
    writeln!(out)?;
    let first = &t.series[0];
    let max = (0..t.buckets.len())
        .map(|i| shown(&first.counts, first.rates.as_ref(), i))
        .fold(0.0, f64::max);
    for (i, label) in labels.iter().enumerate() {
        write!(out, "{:<label_width$}", clipped(label, label_width))?;
        for (col, w) in columns.iter().zip(&widths) {
            write!(out, "  {:>w$}", col[i])?;
        }
        writeln!(
            out,
            "  {}",
            bar(shown(&first.counts, first.rates.as_ref(), i), max)
        )?;
    }
    write!(out, "{:<label_width$}", "total")?;
    for (s, w) in t.series.iter().zip(&widths) {
        write!(out, "  {:>w$}", s.total)?;
    }
    writeln!(out)
}

fn print_terms(out: &mut dyn Write, terms: &[DistinctiveTerm], indent: &str) -> io::Result<()> {
    for t in terms {
        writeln!(
            out,
            "{indent}{:<32} {:>6.2}  {:>5} vs {:>5}",
            t.term, t.z, t.speaker_count, t.others_count
        )?;
    }
    Ok(())
}

pub fn print_distinctive(out: &mut dyn Write, d: &Distinctive) -> io::Result<()> {
    writeln!(
        out,
        "what {} says on {} that the others do not ({} of its statements against {} of others')",
        d.speaker, d.query, d.statements, d.others
    )?;
    writeln!(
        out,
        "{:<32} {:>6}  {:>5}    {:>5}",
        "term", "z", "it", "others"
    )?;
    print_terms(out, &d.terms, "")
}

pub fn print_comparison(out: &mut dyn Write, c: &Comparison) -> io::Result<()> {
    writeln!(out, "{} · compared by {}", c.query, step_name(c.by))?;
    for s in &c.speakers {
        writeln!(
            out,
            "\n{}: {} statements in {} paragraphs",
            s.speaker, s.statements, s.paragraphs
        )?;
        let max = (0..c.buckets.len())
            .map(|i| shown(&s.counts, s.rates.as_ref(), i))
            .fold(0.0, f64::max);
        for (i, b) in c.buckets.iter().enumerate() {
            if s.counts[i] == 0 {
                continue;
            }
            writeln!(
                out,
                "  {:<LABEL_WIDTH$} {:>12}  {}",
                clipped(&step_label(b), LABEL_WIDTH),
                cell(&s.counts, s.rates.as_ref(), i),
                bar(shown(&s.counts, s.rates.as_ref(), i), max)
            )?;
        }
        if !s.distinctive.is_empty() {
            writeln!(out, "  distinctive (z, {} vs others):", s.speaker)?;
            print_terms(out, &s.distinctive, "    ")?;
        }
        for hit in &s.top {
            if let Some(st) = hit.statements.first() {
                let text: String = st.text.chars().take(200).collect();
                writeln!(out, "  {}  {text}", hit.citation)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_widest_and_show_any_nonzero_value() {
        assert_eq!(bar(10.0, 10.0).chars().count(), BAR_WIDTH);
        assert_eq!(bar(0.0, 10.0), "");
        assert_eq!(bar(0.001, 10.0), "▏");
        assert_eq!(bar(5.0, 10.0), "█".repeat(BAR_WIDTH / 2));
    }
}
