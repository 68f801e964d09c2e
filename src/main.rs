//! The `rapporteur` binary: a thin shell over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rapporteur: {e:#}");
            ExitCode::from(2)
        }
    }
}
