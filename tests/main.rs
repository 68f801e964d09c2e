//! The integration tests: one binary (Cargo.toml sets `autotests = false`), one
//! module per area, sharing one ingest of the shipped corpus with embeddings
//! (`util::shared_index`). Run one area with a filter: `cargo test --test main cli::`.

mod util;

mod analysis;
mod browser;
mod cli;
mod edges;
mod embedding;
mod fuzz_inputs;
mod http;
mod ingest;
mod quality;
mod ray;
mod reliability;
mod semantic;
mod speeches;
mod verbatim;
