//! Human output: hits like ripgrep (permalink, context line, highlighted
//! statements), then facet counts; CSV for export.
//!
//! Everything is written to the writer the caller passes (stdout, buffered) and
//! write errors are returned: a reader that has gone away (`| head`) is a
//! `BrokenPipe` error that `main` ends the program on, quietly.

use std::io::{self, Write};

use rapporteur::model::Document;
use rapporteur::search::{
    Hit, Outline, ParagraphView, SearchResponse, SimilarResponse, SpeakerCount,
};
use serde::Serialize;

const BOLD: &str = "\x1b[1m";
const MATCH: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const LINK: &str = "\x1b[35m";
const RESET: &str = "\x1b[0m";

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}

pub fn print_document(out: &mut dyn Write, doc: &Document) -> io::Result<()> {
    writeln!(
        out,
        "{} | {} | {} | {} | {} ({} paragraphs, {} statements)",
        doc.id,
        doc.title.as_deref().unwrap_or("-"),
        doc.meeting.as_deref().unwrap_or("-"),
        doc.date.as_deref().unwrap_or("-"),
        doc.place.as_deref().unwrap_or("-"),
        doc.paragraphs.len(),
        doc.statement_count()
    )?;
    if let Some(record) = &doc.record {
        writeln!(
            out,
            "{} turns; President: {} ({})",
            record.turns,
            record.president.as_deref().unwrap_or("-"),
            record.president_state.as_deref().unwrap_or("-")
        )?;
    }
    for p in &doc.paragraphs {
        let first: String = p.text.chars().take(60).collect();
        writeln!(
            out,
            "{:>7} [{:>3}] {} | {first}",
            p.number,
            p.agenda_item.as_deref().unwrap_or("-"),
            p.speakers.join(", ")
        )?;
        if let Some(vote) = &p.vote {
            writeln!(
                out,
                "        vote on {}: {} (in favour {}, against {}, abstaining {})",
                vote.subject.as_deref().unwrap_or("-"),
                vote.result.as_deref().unwrap_or("result not stated"),
                vote.in_favour.len(),
                vote.against.len(),
                vote.abstaining.len()
            )?;
        }
    }
    Ok(())
}

fn highlighted(text: &str, ranges: &[[usize; 2]], style: &Style) -> String {
    let mut out = String::new();
    let mut last = 0;
    for &[start, end] in ranges {
        if start < last
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[last..start]);
        if style.color {
            out.push_str(&style.paint(MATCH, &text[start..end]));
        } else {
            out.push('[');
            out.push_str(&text[start..end]);
            out.push(']');
        }
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

fn print_hit(out: &mut dyn Write, hit: &Hit, style: &Style) -> io::Result<()> {
    let agenda = match (&hit.agenda_item, &hit.agenda_title) {
        (Some(code), Some(title)) => format!(" · agenda {code} {title}"),
        (Some(code), None) => format!(" · agenda {code}"),
        _ => String::new(),
    };
    writeln!(
        out,
        "{}  {}",
        style.paint(LINK, &hit.id),
        style.paint(
            DIM,
            &format!(
                "{} · {}{agenda}",
                hit.meeting.as_deref().unwrap_or("-"),
                hit.date.as_deref().unwrap_or("-")
            )
        )
    )?;
    if !hit.speakers.is_empty() {
        writeln!(out, "  speakers: {}", hit.speakers.join(", "))?;
    }
    for st in &hit.statements {
        let who = st.speaker.as_deref().unwrap_or("(narrative)");
        writeln!(
            out,
            "  {}: {}",
            style.paint(BOLD, who),
            highlighted(&st.text, &st.highlights, style)
        )?;
    }
    writeln!(out)?;
    Ok(())
}

pub fn print_search(out: &mut dyn Write, r: &SearchResponse, color: bool) -> io::Result<()> {
    let style = Style { color };
    for hit in &r.hits {
        print_hit(out, hit, &style)?;
    }
    let shown = r.hits.len();
    writeln!(
        out,
        "{} of {} paragraphs in {:.1} ms ({:?})",
        shown, r.total, r.took_ms, r.mode
    )?;
    if let Some(notice) = &r.notice {
        writeln!(out, "{}", style.paint(DIM, &format!("note: {notice}")))?;
    }
    if !r.interpreted.also_searched.is_empty() {
        let terms = r.interpreted.also_searched.join(", ");
        let note = format!(
            "note: also searched for the records' terms {terms} (--literal: your words alone)"
        );
        writeln!(out, "{}", style.paint(DIM, &note))?;
    }
    let facets = [
        ("speaker", &r.facets.speaker),
        ("agenda item", &r.facets.agenda_item),
        ("topic", &r.facets.topic),
        ("SDG", &r.facets.sdg),
        ("document", &r.facets.document),
        ("year", &r.facets.year),
        ("body", &r.facets.body),
        ("meeting", &r.facets.meeting),
        ("subject", &r.facets.subject),
        ("vote", &r.facets.vote),
    ];
    for (name, counts) in facets {
        if counts.is_empty() {
            continue;
        }
        let list: Vec<String> = counts
            .iter()
            .take(12)
            .map(|c| format!("{} ({})", c.value, c.count))
            .collect();
        writeln!(out, "{}: {}", style.paint(BOLD, name), list.join(", "))?;
    }
    Ok(())
}

pub fn print_similar(out: &mut dyn Write, r: &SimilarResponse, color: bool) -> io::Result<()> {
    let style = Style { color };
    for hit in &r.hits {
        print_hit(out, hit, &style)?;
    }
    writeln!(
        out,
        "{} paragraphs like {} in {:.1} ms",
        r.hits.len(),
        r.id,
        r.took_ms
    )?;
    Ok(())
}

/// One pretty-printed JSON value and a newline (`--json`).
pub fn json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// csv's errors hide the I/O error they carry from `source()`: unwrap it, so a
/// closed pipe is still recognised as one.
fn csv_error(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

pub fn print_csv(out: &mut dyn Write, r: &SearchResponse) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "permalink",
        "document",
        "date",
        "paragraph",
        "agenda_item",
        "speaker",
        "statement",
        "citation",
    ])
    .map_err(csv_error)?;
    for hit in &r.hits {
        for st in &hit.statements {
            w.write_record([
                hit.id.as_str(),
                hit.document.as_str(),
                hit.date.as_deref().unwrap_or(""),
                hit.paragraph.as_str(),
                hit.agenda_item.as_deref().unwrap_or(""),
                st.speaker.as_deref().unwrap_or(""),
                st.text.as_str(),
                hit.citation.as_str(),
            ])
            .map_err(csv_error)?;
        }
    }
    w.flush()
}

pub fn print_paragraph_view(out: &mut dyn Write, v: &ParagraphView) -> io::Result<()> {
    let d = &v.document;
    writeln!(
        out,
        "{} · {} · {} · {}",
        d.id,
        d.title.as_deref().unwrap_or("-"),
        d.meeting.as_deref().unwrap_or("-"),
        d.date.as_deref().unwrap_or("-")
    )?;
    let p = &v.paragraph;
    writeln!(
        out,
        "{} / {} · agenda {} {}",
        p.section.as_deref().unwrap_or("-"),
        p.subsection.as_deref().unwrap_or("-"),
        p.agenda_item.as_deref().unwrap_or("-"),
        p.agenda_title.as_deref().unwrap_or("")
    )?;
    if let Some(prev) = &v.previous {
        writeln!(out, "\n  {}. {}", prev.number, prev.text)?;
    }
    writeln!(out, "\n> {}. {}", p.number, p.text)?;
    for st in &p.statements {
        writeln!(
            out,
            ">   {}: {}",
            st.speaker.as_deref().unwrap_or("(narrative)"),
            st.text
        )?;
    }
    if let Some(next) = &v.next {
        writeln!(out, "\n  {}. {}", next.number, next.text)?;
    }
    writeln!(out, "\ncite: {}", v.citation)?;
    if let Some(url) = &v.url {
        writeln!(out, "official document: {url}")?;
    }
    Ok(())
}

pub fn print_outline(out: &mut dyn Write, o: &Outline) -> io::Result<()> {
    let d = &o.document;
    writeln!(
        out,
        "{} · {} · {} · {} · {} · {} paragraphs, {} statements",
        d.id,
        d.title.as_deref().unwrap_or("-"),
        d.body.as_deref().unwrap_or("-"),
        d.meeting.as_deref().unwrap_or("-"),
        d.date.as_deref().unwrap_or("-"),
        d.paragraphs,
        d.statements
    )?;
    writeln!(out, "\nsections:")?;
    for s in &o.sections {
        writeln!(out, "  {:>7}-{:<7} {}", s.first, s.last, s.name)?;
    }
    if !o.agenda_items.is_empty() {
        writeln!(out, "\nagenda items:")?;
        for a in &o.agenda_items {
            writeln!(out, "  {:>7}-{:<7} {}", a.first, a.last, a.name)?;
        }
    }
    writeln!(out, "\nspeakers:")?;
    for s in &o.speakers {
        writeln!(
            out,
            "  {:>4} paragraphs  {} ({}-{})",
            s.paragraphs, s.name, s.first, s.last
        )?;
    }
    Ok(())
}

pub fn print_speakers(out: &mut dyn Write, counts: &[SpeakerCount]) -> io::Result<()> {
    for c in counts {
        let turns = if c.turns > 0 {
            format!(", {:>3} turns", c.turns)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:>4} statements in {:>3} paragraphs{turns}  {} ({})",
            c.statements,
            c.paragraphs,
            c.speaker,
            c.speaker_kind.as_str()
        )?;
        if let Some(top) = &c.top
            && let Some(st) = top.statements.first()
        {
            let text: String = st.text.chars().take(160).collect();
            writeln!(out, "       {}  {text}", top.id)?;
        }
    }
    Ok(())
}

/// Latency table, one row per run, then each run's p50 and p99 against the two tantivy baselines.
pub fn print_bench(out: &mut dyn Write, reports: &[super::bench::BenchReport]) -> io::Result<()> {
    let ms = |us: u64| format!("{:.3}", us as f64 / 1000.0);
    writeln!(
        out,
        "{:<28} {:>9} {:>6} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "target / mode",
        "requests",
        "errors",
        "qps",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "min ms"
    )?;
    for r in reports {
        let name = match &r.mode {
            Some(m) => format!("{} / {m}", r.target),
            None => r.target.clone(),
        };
        writeln!(
            out,
            "{:<28} {:>9} {:>6} {:>8.0} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            name,
            r.requests,
            r.errors,
            r.qps,
            ms(r.p50_us),
            ms(r.p90_us),
            ms(r.p99_us),
            ms(r.p999_us),
            ms(r.max_us),
            ms(r.min_us)
        )?;
    }
    use super::bench::{AGGREGATIONS, BARE};
    let baselines = [
        (BARE, "BM25 top hits only"),
        (
            AGGREGATIONS,
            "top hits and exact terms counts of every facet",
        ),
    ];
    for (baseline, what) in baselines {
        let Some(base) = reports.iter().find(|r| r.target == baseline) else {
            continue;
        };
        for r in reports
            .iter()
            .filter(|r| r.target != BARE && r.target != AGGREGATIONS)
        {
            writeln!(
                out,
                "{} / {}: p50 {:.1}x, p99 {:.1}x {baseline} ({what})",
                r.target,
                r.mode.as_deref().unwrap_or("default"),
                r.p50_us as f64 / base.p50_us.max(1) as f64,
                r.p99_us as f64 / base.p99_us.max(1) as f64,
            )?;
        }
    }
    writeln!(
        out,
        "{} queries, concurrency {}",
        reports.first().map_or(0, |r| r.queries),
        reports.first().map_or(1, |r| r.concurrency)
    )?;
    Ok(())
}
