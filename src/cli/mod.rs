//! The command line: argument definitions and human output. All the work is in
//! the library; this module only turns its answers into text, JSON or CSV.

pub mod analysis;
pub mod bench;
pub mod embed;
pub mod eval;
pub mod output;
pub mod progress;
pub mod recall;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use bench::Target;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rapporteur::index::writer::{self, IngestOptions};
use rapporteur::ingest::{Layout, Source};
use rapporteur::search::{Bucketing, SearchRequest, Searcher, TimelineOptions};

#[derive(Parser)]
#[command(
    name = "rapporteur",
    version,
    about = "Search the records of intergovernmental meetings: who said what, on which agenda item, in which meeting"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct IndexArg {
    /// Index folder.
    #[arg(long, env = "RAPPORTEUR_INDEX", default_value = "index", global = true)]
    pub index: PathBuf,
}

/// How a timeline is cut: `--by`, `--per`.
#[derive(Args, Clone)]
pub struct StepArgs {
    /// year or meeting (default: meetings in a collection of at most 30, else years).
    #[arg(long, value_enum)]
    pub by: Option<Bucketing>,
    /// Also give rates per this many paragraphs of each step: --per 10000.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub per: Option<u32>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum Format {
    Text,
    Json,
    Csv,
}

#[derive(Subcommand)]
pub enum Command {
    /// Parse one document and print what was understood.
    Parse {
        file: PathBuf,
        /// Print one JSON object instead of the human summary.
        #[arg(long)]
        json: bool,
        /// Print the cleaned text the parser reads, `page: line`, instead.
        #[arg(long, conflicts_with = "json")]
        text: bool,
    },
    /// Add documents (files or folders, recursively) to the index; re-ingesting replaces.
    Ingest {
        /// Files or folders; default: corpus/ (none with --manifest)
        paths: Vec<PathBuf>,
        /// How files are read: reports, or a speech collection by its file names.
        #[arg(long, value_enum, default_value = "auto")]
        layout: LayoutArg,
        /// A JSONL or CSV file listing speeches: path, speaker, date, body, meeting, title.
        #[arg(long)]
        manifest: Vec<PathBuf>,
        /// tantivy indexing memory in MB, shared by its threads.
        #[arg(long, default_value_t = 256)]
        heap_mb: usize,
        /// Skip embeddings (fast, for very large collections): semantic and
        /// hybrid search then say they are unavailable for these documents.
        #[arg(long)]
        no_embed: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Embed what the index lacks (after `ingest --no-embed`, or documents added since):
    /// resumable, committed every few thousand texts; or import vectors made elsewhere.
    Embed(embed::EmbedArgs),
    /// Search: "what did Japan say on duplication", "speaker:Japan agenda:5e duplication".
    Search {
        query: String,
        #[command(flatten)]
        request: SearchRequest,
        /// Print the API's JSON object.
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[arg(long, value_enum, default_value = "auto")]
        color: Color,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Show a paragraph with its neighbours (`DOC#NUMBER`) or a document's outline (`DOC`).
    Show {
        reference: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Paragraphs most like one paragraph by meaning (`DOC#NUMBER`), in other meetings.
    Similar {
        reference: String,
        #[command(flatten)]
        request: SearchRequest,
        /// Include paragraphs of the same document.
        #[arg(long)]
        same_document: bool,
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "auto")]
        color: Color,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Serve the search page and the JSON API (ingests corpus/ first if the index is empty).
    Serve {
        /// Address to listen on; loopback by default, port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:7878")]
        addr: String,
        /// Seconds a client has to send its request headers.
        #[arg(long, default_value_t = 10.0)]
        header_timeout: f64,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Measure query latency: in-process or against a running server, with two
    /// tantivy baselines on the same queries for comparison (its top hits alone,
    /// and with its terms aggregations on the facet fields).
    Bench {
        /// Query file, one per line (field syntax for filters); default: built-in questions.
        #[arg(long)]
        queries: Option<PathBuf>,
        /// A running server instead of the index in-process: http://127.0.0.1:7878
        #[arg(long)]
        url: Option<String>,
        /// Search modes to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "keyword,semantic,hybrid")]
        mode: Vec<String>,
        /// Seconds of measurement per mode.
        #[arg(long, default_value_t = 5.0)]
        duration: f64,
        /// Stop after this many requests per mode (before --duration if sooner).
        #[arg(long)]
        count: Option<usize>,
        /// Seconds of warm-up before each measurement.
        #[arg(long, default_value_t = 1.0)]
        warmup: f64,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// Hits per query.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Skip the tantivy baselines.
        #[arg(long)]
        no_baseline: bool,
        /// In-process: empty the query-embedding cache before every request.
        #[arg(long)]
        cold_cache: bool,
        /// Instead of latency: recall@10 of the approximate vector index
        /// against the exact scan, with no filter, a speaker, a year and both.
        #[arg(long, conflicts_with = "url")]
        recall: bool,
        /// Print the reports as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Retrieval quality: nDCG@k of graded questions, per question class,
    /// for each search mode side by side.
    Eval {
        /// Graded questions (JSON: questions with their judged paragraphs).
        #[arg(long, default_value = "benches/questions/graded.json")]
        questions: PathBuf,
        /// Search modes to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "keyword,semantic,hybrid")]
        mode: Vec<String>,
        /// The cut-off: hits scored per question.
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// Meaning's share in hybrid mode, 0 to 1 (default: the search's own).
        #[arg(long)]
        semantic_ratio: Option<f32>,
        /// Also print each question's score.
        #[arg(long)]
        per_question: bool,
        /// Print the reports as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Mentions over time: matching paragraphs per year (or meeting), with a
    /// series per --speaker, or for the --top N speakers.
    Timeline {
        query: String,
        /// Every filter of a search; here --speaker draws one series per speaker.
        #[command(flatten)]
        request: SearchRequest,
        #[command(flatten)]
        steps: StepArgs,
        /// One series for each of the N speakers who said it the most.
        #[arg(long, default_value_t = 0, conflicts_with = "speaker")]
        top: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Two or more speakers side by side on one query: counts, timelines,
    /// representative statements and distinctive words.
    Compare {
        query: String,
        /// The speakers to compare: --speaker Japan --speaker China, and any search filter.
        #[command(flatten)]
        request: SearchRequest,
        #[command(flatten)]
        steps: StepArgs,
        /// Representative statements per speaker.
        #[arg(long, default_value_t = rapporteur::search::DEFAULT_STATEMENTS)]
        statements: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// What one speaker (--speaker) says on a query that the others do not:
    /// words and phrases by log-odds ratio with an informative prior.
    Distinctive {
        query: String,
        #[command(flatten)]
        request: SearchRequest,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Shell completions: `rapporteur completions bash > /etc/bash_completion.d/rapporteur`.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// The manual page (roff): `rapporteur man | man -l -`.
    Man,
    /// Who said it the most: statements per speaker for a query.
    Speakers {
        query: String,
        #[command(flatten)]
        request: SearchRequest,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LayoutArg {
    /// Reports, and UNGDC speeches where the file name says so (JPN_73_2018.txt).
    Auto,
    /// Meeting reports with numbered paragraphs.
    Report,
    /// UN General Debate Corpus: ISO3_SESSION_YEAR.txt, one State's speech per file.
    Ungdc,
}

impl From<LayoutArg> for Layout {
    fn from(l: LayoutArg) -> Layout {
        match l {
            LayoutArg::Auto => Layout::Auto,
            LayoutArg::Report => Layout::Report,
            LayoutArg::Ungdc => Layout::Ungdc,
        }
    }
}

/// Exit statuses, like grep: 0 with hits, 1 without, 2 on error.
pub const NO_HITS: u8 = 1;

/// Runs a command with its output buffered on stdout. A write error, a closed
/// pipe (`| head`) included, is returned: `main` ends quietly on a closed pipe.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let code = execute(cli, &mut out)?;
    out.flush()?;
    Ok(code)
}

fn execute(cli: Cli, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse {
            file, text: true, ..
        } => {
            for (page, line) in rapporteur::ingest::cleaned_lines(&file)? {
                writeln!(out, "{page:>4}: {line}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Parse { file, json, .. } => {
            let doc = rapporteur::ingest::parse_file(&file)?;
            for w in &doc.warnings {
                eprintln!("warning: {w}");
            }
            if json {
                output::json(out, &doc)?;
            } else {
                output::print_document(out, &doc)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest {
            paths,
            layout,
            manifest,
            heap_mb,
            no_embed,
            index,
        } => {
            let paths = if paths.is_empty() && manifest.is_empty() {
                vec![PathBuf::from("corpus")]
            } else {
                paths
            };
            let mut sources = Source::from_files(writer::collect_files(&paths)?, layout.into());
            for m in &manifest {
                sources.extend(rapporteur::ingest::manifest::read(m)?);
            }
            let mut options = IngestOptions::new(&index.index);
            options.heap_bytes = heap_mb.clamp(16, 4096) * 1024 * 1024;
            options.embed = !no_embed;
            ingest(&sources, &options)
        }
        Command::Search {
            query,
            request,
            json,
            format,
            color,
            index,
        } => {
            let searcher = Searcher::open(&index.index)?;
            let response = searcher.search(&SearchRequest {
                q: query,
                ..request
            })?;
            let format = if json { Format::Json } else { format };
            match format {
                Format::Json => output::json(out, &response)?,
                Format::Csv => output::print_csv(out, &response)?,
                Format::Text => output::print_search(out, &response, use_color(color))?,
            }
            Ok(if response.hits.is_empty() {
                ExitCode::from(NO_HITS)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Show {
            reference,
            json,
            index,
        } => {
            let searcher = Searcher::open(&index.index)?;
            match reference.rsplit_once('#') {
                Some((doc, number)) => {
                    let view = searcher.paragraph(doc, number)?;
                    if json {
                        output::json(out, &view)?;
                    } else {
                        output::print_paragraph_view(out, &view)?;
                    }
                }
                None => {
                    let outline = searcher.outline(&reference)?;
                    if json {
                        output::json(out, &outline)?;
                    } else {
                        output::print_outline(out, &outline)?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            addr,
            header_timeout,
            index,
        } => {
            // A first run has nothing to search yet: build the index from the bundled corpus.
            if rapporteur::http::needs_ingest(&index.index)? {
                eprintln!(
                    "index at {} is missing or empty: ingesting corpus/ first",
                    index.index.display()
                );
                let files = writer::collect_files(&[PathBuf::from("corpus")])?;
                ingest(
                    &Source::from_files(files, Layout::Auto),
                    &IngestOptions::new(&index.index),
                )?;
            }
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let limits = rapporteur::http::ConnectionLimits {
                header_timeout: std::time::Duration::from_secs_f64(
                    header_timeout.clamp(0.1, 3600.0),
                ),
                ..Default::default()
            };
            let served = runtime.block_on(rapporteur::http::serve(&addr, &index.index, limits));
            // A search still running after shutdown must not hold the process open.
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
            served?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Similar {
            reference,
            request,
            same_document,
            json,
            color,
            index,
        } => {
            let (doc, number) = reference.rsplit_once('#').ok_or_else(|| {
                anyhow::anyhow!(
                    "`{reference}` is not a paragraph reference like neaspec-som22-report#24"
                )
            })?;
            let searcher = Searcher::open(&index.index)?;
            let similar = searcher.similar(doc, number, &request, same_document)?;
            if json {
                output::json(out, &similar)?;
            } else {
                output::print_similar(out, &similar, use_color(color))?;
            }
            Ok(if similar.hits.is_empty() {
                ExitCode::from(NO_HITS)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Bench {
            queries,
            url,
            mode,
            duration,
            count,
            warmup,
            concurrency,
            limit,
            no_baseline,
            cold_cache,
            recall,
            json,
            index,
        } => {
            let queries = match &queries {
                Some(path) => bench::read_queries(path)?,
                None => bench::BUILT_IN.iter().map(|s| s.to_string()).collect(),
            };
            let seconds = |s: f64| std::time::Duration::from_secs_f64(s.clamp(0.0, 86_400.0));
            let mut options = bench::BenchOptions {
                queries,
                mode: None,
                limit: limit.min(100),
                warmup: seconds(warmup),
                duration: Some(seconds(duration)),
                count,
                concurrency,
                cold_cache,
            };
            let local = match &url {
                Some(_) if no_baseline => None,
                _ => Some(std::sync::Arc::new(Searcher::open(&index.index)?)),
            };
            let target = match (&url, &local) {
                (Some(url), _) => Target::Server(url.clone()),
                (None, Some(searcher)) => {
                    // Measured as a server runs: with its approximate vector index.
                    searcher.keep_approximate_index();
                    if searcher.building_approximate_index() {
                        eprintln!("waiting for the approximate vector index to be built");
                        while searcher.building_approximate_index() {
                            std::thread::sleep(std::time::Duration::from_millis(200));
                        }
                    }
                    Target::InProcess(searcher.clone())
                }
                (None, None) => unreachable!("an in-process bench opens the index"),
            };
            if let (true, Some(searcher)) = (recall, &local) {
                let k = limit.clamp(1, 100);
                let rows = recall::run(searcher, &options.queries, k)?;
                if json {
                    output::json(out, &rows)?;
                } else {
                    recall::print(out, &rows, k)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let mut reports = Vec::new();
            for m in &mode {
                options.mode = Some(m.clone());
                // A mode this index cannot serve (no embeddings) is skipped, said once.
                match bench::run(&target, &options) {
                    Ok(report) => reports.push(report),
                    Err(e) if mode.len() > 1 => eprintln!("skipping mode {m}: {e}"),
                    Err(e) => return Err(e.into()),
                }
            }
            if let (false, Some(searcher)) = (no_baseline, &local) {
                options.mode = None;
                for baseline in [
                    Target::BareTantivy(searcher.clone()),
                    Target::TantivyAggregations(searcher.clone()),
                ] {
                    reports.push(bench::run(&baseline, &options)?);
                }
            }
            if json {
                output::json(out, &reports)?;
            } else {
                output::print_bench(out, &reports)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            questions,
            mode,
            k,
            semantic_ratio,
            per_question,
            json,
            index,
        } => {
            let reports = eval::run(
                &index.index,
                &questions,
                &mode,
                semantic_ratio,
                k.clamp(1, 100),
            )?;
            if json {
                output::json(out, &reports)?;
            } else {
                eval::print(out, &reports, per_question)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Timeline {
            query,
            request,
            steps,
            top,
            json,
            index,
        } => {
            let searcher = Searcher::open(&index.index)?;
            let (request, options) = series_request(query, request, &steps, top);
            let timeline = searcher.timeline(&request, &options)?;
            if json {
                output::json(out, &timeline)?;
            } else {
                analysis::print_timeline(out, &timeline)?;
            }
            Ok(if timeline.series[0].total == 0 {
                ExitCode::from(NO_HITS)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Compare {
            query,
            request,
            steps,
            statements,
            json,
            index,
        } => {
            let searcher = Searcher::open(&index.index)?;
            let (request, options) = series_request(query, request, &steps, 0);
            let comparison = searcher.compare(&request, &options, statements)?;
            if json {
                output::json(out, &comparison)?;
            } else {
                analysis::print_comparison(out, &comparison)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Distinctive {
            query,
            request,
            json,
            index,
        } => {
            let searcher = Searcher::open(&index.index)?;
            let limit = request.limit_or(rapporteur::search::DEFAULT_TERMS);
            let request = SearchRequest {
                q: query,
                limit: None,
                ..request
            };
            let distinctive = searcher.distinctive(&request, limit.min(200))?;
            if json {
                output::json(out, &distinctive)?;
            } else {
                analysis::print_distinctive(out, &distinctive)?;
            }
            Ok(if distinctive.terms.is_empty() {
                ExitCode::from(NO_HITS)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let generator = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(generator, &mut command, "rapporteur", out);
            Ok(ExitCode::SUCCESS)
        }
        Command::Embed(args) => embed::run(args, out),
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Speakers {
            query,
            request,
            json,
            index,
        } => {
            let searcher = Searcher::open(&index.index)?;
            let counts = searcher.speakers(&SearchRequest {
                q: query,
                ..request
            })?;
            if json {
                output::json(out, &counts)?;
            } else {
                output::print_speakers(out, &counts)?;
            }
            Ok(if counts.is_empty() {
                ExitCode::from(NO_HITS)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// A timeline's or comparison's search: `--speaker` names the series, not a filter.
fn series_request(
    query: String,
    request: SearchRequest,
    steps: &StepArgs,
    top: usize,
) -> (SearchRequest, TimelineOptions) {
    let options = TimelineOptions {
        by: steps.by,
        speakers: request.speaker.clone(),
        top,
        per: steps.per,
    };
    let request = SearchRequest {
        q: query,
        speaker: Vec::new(),
        ..request
    };
    (request, options)
}

fn use_color(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

pub fn ingest(sources: &[Source], options: &IngestOptions) -> anyhow::Result<ExitCode> {
    let index = &options.index;
    let progress = progress::for_terminal();
    let report = writer::ingest(sources, options, progress.as_ref())?;
    progress.finish();
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for (path, error) in &report.failures {
        eprintln!("error: {}", progress::failure(path, error));
    }
    let vectors = if options.embed {
        format!(
            ", {} texts embedded ({} vectors reused)",
            report.embedded, report.reused_vectors
        )
    } else {
        String::new()
    };
    eprintln!(
        "ingested {} documents, {} paragraphs, {} statements{vectors}, {:.1} MB in {:.2} s ({:.2} MB/s) into {}{}",
        report.documents,
        report.paragraphs,
        report.statements,
        report.bytes as f64 / 1e6,
        report.elapsed.as_secs_f64(),
        report.megabytes_per_second(),
        index.display(),
        if report.failures.is_empty() {
            String::new()
        } else {
            format!("; {} failed", report.failures.len())
        }
    );
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
