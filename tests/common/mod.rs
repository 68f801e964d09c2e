//! Shared helpers for the end-to-end tests: run the real binary, build an index
//! of the shipped corpus once per test binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapporteur"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("RAPPORTEUR_INDEX");
    c
}

pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
}

pub fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .output()
        .expect("the rapporteur binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An index of the whole shipped corpus, built once by the real `ingest`.
pub fn shared_index() -> &'static Path {
    static INDEX: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("index");
            let out = run(&[
                "ingest",
                "corpus",
                "--index",
                path.to_str().expect("utf-8 path"),
            ]);
            assert!(out.status.success(), "ingest failed: {}", stderr(&out));
            (dir, path)
        })
        .1
}

pub fn search_json(args: &[&str]) -> serde_json::Value {
    let index = shared_index().to_str().expect("utf-8 path").to_owned();
    let mut all = vec!["search", "--json", "--index", &index];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "search failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("search --json prints JSON")
}

pub fn hit_ids(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|x| x["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
