//! The `rapporteur` binary: a thin shell over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's allocator: a search allocates and frees many
/// small values (query plan, hits, facet counts), and glibc's malloc and free
/// were 8 % of a keyword search on the shipped corpus.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        // The reader went away (`rapporteur search x | head`): nothing is wrong,
        // and there is no one left to tell. Handled here once, as ripgrep does.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rapporteur: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes, `: `-separated, leaving out a cause whose text is
/// already there: the library's messages name their cause, and keep it as the
/// error's source too.
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
