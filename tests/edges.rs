//! Edges a new user runs into: a closed pipe (`rapporteur search x | head`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapporteur"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("RAPPORTEUR_INDEX");
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The shipped corpus, ingested once without embeddings (keyword search only).
fn index() -> &'static Path {
    static INDEX: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("index");
            let out = bin()
                .args(["ingest", "corpus", "--no-embed", "--index"])
                .arg(&path)
                .output()
                .expect("the rapporteur binary runs");
            assert!(out.status.success(), "ingest failed: {}", text(&out.stderr));
            (dir, path)
        })
        .1
}

/// The size the test's pipe is shrunk to: far less than any output tested,
/// so the program is still writing when the reader goes away.
const PIPE_BYTES: usize = 4096;

/// Runs `args` with stdout on a small pipe, reads the first 100 bytes and
/// closes the pipe: the program must end with status 0 and say nothing.
fn reader_goes_away(args: &[&str]) {
    let whole = bin().args(args).output().expect("runs");
    assert_eq!(whole.status.code(), Some(0), "{}", text(&whole.stderr));
    assert!(
        whole.stdout.len() > 4 * PIPE_BYTES,
        "{args:?} prints only {} bytes: too little to fill the pipe",
        whole.stdout.len()
    );

    let (mut reader, writer) = std::io::pipe().expect("a pipe");
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl on a descriptor this test owns, with an integer argument.
        let size = unsafe { libc::fcntl(reader.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_BYTES) };
        assert!(
            size >= 0,
            "F_SETPIPE_SZ: {}",
            std::io::Error::last_os_error()
        );
    }
    // The command, and the write end it holds, are gone after this statement.
    let child = bin()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut head = [0u8; 100];
    reader.read_exact(&mut head).expect("the first 100 bytes");
    assert_eq!(head[..], whole.stdout[..100]);
    drop(reader);
    let out = child.wait_with_output().expect("ends");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?} after the pipe closed: {}",
        text(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{args:?} after the pipe closed: {}",
        text(&out.stderr)
    );
}

fn search(format: &[&str]) -> Vec<String> {
    let index = index().to_str().expect("utf-8 path").to_owned();
    let mut args: Vec<String> = [
        "search",
        "human rights",
        "--limit",
        "100",
        "--mode",
        "keyword",
        "--index",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(index);
    args.extend(format.iter().map(|s| s.to_string()));
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn a_closed_pipe_ends_search_json_quietly() {
    reader_goes_away(&strs(&search(&["--json"])));
}

#[test]
fn a_closed_pipe_ends_search_csv_quietly() {
    reader_goes_away(&strs(&search(&["--format", "csv"])));
}

#[test]
fn a_closed_pipe_ends_search_text_quietly() {
    reader_goes_away(&strs(&search(&[])));
}

#[test]
fn a_closed_pipe_ends_parse_json_quietly() {
    reader_goes_away(&["parse", "corpus/neaspec-som22-report.txt", "--json"]);
}
