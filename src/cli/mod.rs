//! The command line: argument definitions and human output. All the work is in
//! the library; this module only turns its answers into text, JSON or CSV.

pub mod output;
pub mod progress;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rapporteur::index::writer::{self, IngestOptions};
use rapporteur::search::{SearchRequest, Searcher, Sort};

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
    },
    /// Add documents (files or folders, recursively) to the index; re-ingesting replaces.
    Ingest {
        /// Files or folders; default: corpus/
        paths: Vec<PathBuf>,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Search: "what did Japan say on duplication", "speaker:Japan agenda:5e duplication".
    Search {
        query: String,
        #[command(flatten)]
        filters: FilterArgs,
        #[arg(long, value_enum, default_value = "relevance")]
        sort: SortArg,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
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
    /// Serve the search page and the JSON API (ingests corpus/ first if the index is empty).
    Serve {
        /// Address to listen on; loopback by default, port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:7878")]
        addr: String,
        #[command(flatten)]
        index: IndexArg,
    },
    /// Who said it the most: statements per speaker for a query.
    Speakers {
        query: String,
        #[command(flatten)]
        filters: FilterArgs,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        index: IndexArg,
    },
}

#[derive(Args, Clone, Default)]
pub struct FilterArgs {
    /// Only statements by this speaker (repeatable).
    #[arg(long)]
    pub speaker: Vec<String>,
    /// Agenda item code: 5, 5e, 5(e) (repeatable).
    #[arg(long)]
    pub agenda: Vec<String>,
    #[arg(long)]
    pub topic: Vec<String>,
    /// Document id, symbol or file name.
    #[arg(long)]
    pub doc: Vec<String>,
    #[arg(long)]
    pub year: Vec<i32>,
    /// First meeting date: 2018, 2018-10 or 2018-10-25.
    #[arg(long)]
    pub from: Option<String>,
    #[arg(long)]
    pub to: Option<String>,
    /// keyword (semantic and hybrid need the embedding model)
    #[arg(long)]
    pub mode: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SortArg {
    Relevance,
    Date,
}

impl FilterArgs {
    pub fn request(&self, q: &str, limit: usize, offset: usize, sort: Sort) -> SearchRequest {
        SearchRequest {
            q: q.to_owned(),
            speaker: self.speaker.clone(),
            agenda: self.agenda.clone(),
            topic: self.topic.clone(),
            doc: self.doc.clone(),
            year: self.year.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            mode: self.mode.clone(),
            sort,
            limit,
            offset,
        }
    }
}

/// Exit statuses, like grep: 0 with hits, 1 without, 2 on error.
pub const NO_HITS: u8 = 1;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse { file, json } => {
            let doc = rapporteur::ingest::parse_file(&file)?;
            for w in &doc.warnings {
                eprintln!("warning: {w}");
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                output::print_document(&doc);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest { paths, index } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from("corpus")]
            } else {
                paths
            };
            ingest(&paths, &index.index)
        }
        Command::Search {
            query,
            filters,
            sort,
            limit,
            offset,
            json,
            format,
            color,
            index,
        } => {
            let searcher = Searcher::open(&index.index)?;
            let sort = match sort {
                SortArg::Relevance => Sort::Relevance,
                SortArg::Date => Sort::Date,
            };
            let response = searcher.search(&filters.request(&query, limit, offset, sort))?;
            let format = if json { Format::Json } else { format };
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&response)?),
                Format::Csv => output::print_csv(&response)?,
                Format::Text => output::print_search(&response, use_color(color)),
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
                        println!("{}", serde_json::to_string_pretty(&view)?);
                    } else {
                        output::print_paragraph_view(&view);
                    }
                }
                None => {
                    let outline = searcher.outline(&reference)?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&outline)?);
                    } else {
                        output::print_outline(&outline);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { addr, index } => {
            // A first run has nothing to search yet: build the index from the bundled corpus.
            if rapporteur::http::needs_ingest(&index.index)? {
                eprintln!(
                    "index at {} is missing or empty: ingesting corpus/ first",
                    index.index.display()
                );
                ingest(&[PathBuf::from("corpus")], &index.index)?;
            }
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let served = runtime.block_on(rapporteur::http::serve(&addr, &index.index));
            // A search still running after shutdown must not hold the process open.
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
            served?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Speakers {
            query,
            filters,
            limit,
            json,
            index,
        } => {
            let searcher = Searcher::open(&index.index)?;
            let counts =
                searcher.speakers(&filters.request(&query, limit.min(100), 0, Sort::Relevance))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&counts)?);
            } else {
                output::print_speakers(&counts);
            }
            Ok(if counts.is_empty() {
                ExitCode::from(NO_HITS)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn use_color(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

pub fn ingest(paths: &[PathBuf], index: &std::path::Path) -> anyhow::Result<ExitCode> {
    let files = writer::collect_files(paths)?;
    let progress = progress::for_terminal();
    let report = writer::ingest(&files, &IngestOptions::new(index), progress.as_ref())?;
    progress.finish();
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for (path, error) in &report.failures {
        let message = error
            .strip_prefix(&format!("{}: ", path.display()))
            .unwrap_or(error);
        eprintln!("error: {}: {message}", path.display());
    }
    eprintln!(
        "ingested {} documents, {} paragraphs, {} statements, {:.1} MB in {:.2} s ({:.2} MB/s) into {}{}",
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
