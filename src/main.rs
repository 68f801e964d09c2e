use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "rapporteur", version, about = "Search the records of intergovernmental meetings: who said what, on which agenda item, in which meeting")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse one document and print what was understood.
    Parse {
        file: PathBuf,
        /// Print one JSON object instead of the human summary.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rapporteur: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse { file, json } => {
            let doc = rapporteur::ingest::parse_file(&file)?;
            for w in &doc.warnings {
                eprintln!("warning: {w}");
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                println!("{} ({} paragraphs, {} statements)", doc.id, doc.paragraphs.len(), doc.statement_count());
                for p in &doc.paragraphs {
                    let first: String = p.text.chars().take(60).collect();
                    println!("{:>6} [{}] {} | {}", p.number, p.agenda_item.as_deref().unwrap_or("-"), p.speakers.join(", "), first);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
