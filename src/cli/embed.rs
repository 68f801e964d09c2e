//! `rapporteur embed`: embeds what the index lacks, resumably, with a
//! progress bar (rate and time left) on a terminal and plain lines otherwise.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rapporteur::embed::{Device, Embedder, Settings};
use rapporteur::index::detached;
use rapporteur::index::embedding::{self, EmbedOptions, EmbedProgress};

use super::{IndexArg, output};

#[derive(Args)]
pub struct EmbedArgs {
    /// Only shard I of N of the missing texts (by content hash), for N
    /// processes or machines sharing the work: `--shard 2/4`.
    #[arg(long, value_parser = parse_shard, value_name = "I/N")]
    shard: Option<(u32, u32)>,
    /// Write the vectors to FILE (for `--import` into the index elsewhere)
    /// instead of into the index.
    #[arg(long, value_name = "FILE", conflicts_with = "import")]
    out: Option<PathBuf>,
    /// Add the vectors of FILE (made by `embed --out`) for the texts that lack one.
    #[arg(long, value_name = "FILE")]
    import: Option<PathBuf>,
    /// Write the texts that lack a vector (of the shard, with `--shard`) to
    /// FILE as JSON lines `{"text": ...}`, for a machine without the index
    /// (`-`: standard output); nothing is embedded.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["import", "out", "texts"])]
    missing_texts: Option<PathBuf>,
    /// Embed the texts of FILE (JSON lines, as `--missing-texts` writes them;
    /// `-`: standard input) into the vectors file `--out`, without an index.
    #[arg(long, value_name = "FILE", requires = "out", conflicts_with_all = ["import", "shard"])]
    texts: Option<PathBuf>,
    /// Where the model runs: cpu, or cuda (an NVIDIA GPU, after
    /// `scripts/setup-models.sh --gpu`).
    #[arg(long, default_value = "cpu", value_name = "DEVICE")]
    device: Device,
    /// Inference sessions side by side, one thread each (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Texts between commits: a killed run loses at most these.
    #[arg(long, default_value_t = 4096, value_name = "TEXTS")]
    commit_every: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    index: IndexArg,
}

fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?}: a shard is I/N, such as 2/4"))?;
    let number = |x: &str| {
        x.trim()
            .parse::<u32>()
            .map_err(|_| format!("{s:?}: {x:?} is not a number"))
    };
    let (i, n) = (number(i)?, number(n)?);
    if i == 0 || i > n {
        return Err(format!("{s:?}: I must be between 1 and N"));
    }
    Ok((i, n))
}

pub fn run(args: EmbedArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let index = args.index.index;
    if let Some(file) = &args.import {
        let report = embedding::import(&index, file)?;
        if args.json {
            output::json(out, &report)?;
        } else {
            writeln!(
                out,
                "imported {} of {} vectors from {} into {} ({} already there, {} for texts the index does not hold)",
                report.added,
                report.records,
                file.display(),
                index.display(),
                report.already,
                report.unused
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(file) = &args.missing_texts {
        let texts = detached::missing_texts(&index, args.shard)?;
        write_to(file, |w| detached::write_texts(&texts, w))?;
        eprintln!(
            "{} texts{} lack a vector; written to {}",
            texts.len(),
            shard_words(args.shard),
            file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    Embedder::configure(Settings {
        device: args.device,
        threads: args.threads.map(usize::from),
    })?;
    if let (Some(file), Some(into)) = (&args.texts, &args.out) {
        let texts = read_from(file)?;
        let progress = Reporter::new();
        let report = detached::embed_texts(&texts, into, args.commit_every, &progress)?;
        progress.finish();
        return summary(out, &report, into, None, args.json);
    }
    let options = EmbedOptions {
        index: index.clone(),
        shard: args.shard,
        out: args.out.clone(),
        commit_every: args.commit_every,
    };
    let progress = Reporter::new();
    let report = embedding::embed_missing(&options, &progress)?;
    progress.finish();
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    summary(
        out,
        &report,
        args.out.as_ref().unwrap_or(&index),
        args.shard,
        args.json,
    )
}

/// The last line of an `embed` run, or its report as JSON.
fn summary(
    out: &mut dyn Write,
    report: &embedding::EmbedReport,
    into: &Path,
    shard: Option<(u32, u32)>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if json {
        output::json(out, report)?;
    } else {
        writeln!(
            out,
            "embedded {} texts in {:.1} s ({:.1}/s) into {}; {} of {} texts{} now have a vector",
            report.embedded,
            report.elapsed.as_secs_f64(),
            report.per_second(),
            into.display(),
            report.already + report.embedded,
            report.texts,
            shard_words(shard),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn shard_words(shard: Option<(u32, u32)>) -> String {
    shard
        .map(|(i, n)| format!(" of shard {i}/{n}"))
        .unwrap_or_default()
}

/// Writes to FILE, or to standard output for `-`.
fn write_to(
    file: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if file == Path::new("-") {
        return Ok(write(&mut std::io::stdout().lock())?);
    }
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(file).with_context(|| format!("cannot create {}", file.display()))?,
    );
    write(&mut w).with_context(|| format!("cannot write {}", file.display()))?;
    Ok(())
}

/// Texts from FILE, or from standard input for `-`.
fn read_from(file: &Path) -> anyhow::Result<Vec<String>> {
    if file == Path::new("-") {
        return Ok(detached::read_texts(&mut std::io::stdin().lock(), file)?);
    }
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    Ok(detached::read_texts(&mut std::io::BufReader::new(f), file)?)
}

/// A bar on a terminal; otherwise a line per commit with rate and time left.
struct Reporter {
    bar: Option<ProgressBar>,
    started: Instant,
    todo: Mutex<usize>,
}

impl Reporter {
    fn new() -> Reporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} texts {per_sec} {eta} left",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Reporter {
            bar,
            started: Instant::now(),
            todo: Mutex::new(0),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl EmbedProgress for Reporter {
    fn start(&self, todo: usize, already: usize) {
        *self.todo.lock().unwrap_or_else(|e| e.into_inner()) = todo;
        match &self.bar {
            Some(bar) => bar.set_length(todo as u64),
            None => eprintln!("embedding {todo} texts ({already} have a vector already)"),
        }
    }

    fn embedded(&self, done: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        }
    }

    fn committed(&self, done: usize) {
        if self.bar.is_some() {
            return;
        }
        let todo = *self.todo.lock().unwrap_or_else(|e| e.into_inner());
        let seconds = self.started.elapsed().as_secs_f64().max(1e-9);
        let rate = done as f64 / seconds;
        let left = todo.saturating_sub(done) as f64 / rate.max(1e-9);
        eprintln!(
            "committed {done}/{todo} texts ({rate:.1}/s, about {} left)",
            human_duration(left)
        );
    }
}

/// "45 s", "12 min", "1 h 5 min".
pub fn human_duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..=89 => format!("{s} s"),
        90..=3599 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600 + 30) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_parsed_and_checked() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("2").is_err());
        assert_eq!(human_duration(3725.0), "1 h 2 min");
        assert_eq!(human_duration(600.0), "10 min");
    }
}
