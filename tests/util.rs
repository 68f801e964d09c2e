//! Shared helpers for the end-to-end tests: run the real binary, build one index
//! of the shipped corpus for every module of the test binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The process's embedder (`Embedder::shared`) and its query cache are shared by
/// every module of this one binary. Tests that embed in-process (the HTTP
/// handlers, the reference vectors) hold this lock to read; the test that counts
/// cache hits holds it to write, so that no other query lands between its counts.
static EMBEDDER: RwLock<()> = RwLock::const_new(());

/// Shared use of the in-process embedder, for async tests.
pub async fn embedder_shared() -> RwLockReadGuard<'static, ()> {
    EMBEDDER.read().await
}

/// Shared use of the in-process embedder, for plain (non-async) tests.
pub fn embedder_shared_blocking() -> RwLockReadGuard<'static, ()> {
    EMBEDDER.blocking_read()
}

/// Sole use of the in-process embedder (plain tests only: it blocks the thread).
pub fn embedder_alone() -> RwLockWriteGuard<'static, ()> {
    EMBEDDER.blocking_write()
}

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

/// An index of the whole shipped corpus with embeddings, built once per test
/// run by the real `ingest` and shared by every module: read-only for all.
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

/// `search --json` on the shared index, in keyword mode unless `args` name a
/// mode: most tests pin BM25 behaviour (exact totals, phrases, facet counts);
/// the `semantic` module covers the hybrid default.
pub fn search_json(args: &[&str]) -> serde_json::Value {
    let index = shared_index().to_str().expect("utf-8 path").to_owned();
    let mut all = vec!["search", "--json", "--index", &index];
    if !args.contains(&"--mode") {
        all.extend_from_slice(&["--mode", "keyword"]);
    }
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

/// The real binary serving an index on an ephemeral loopback port; killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(index: &Path) -> Server {
        Server::start_with(index, &[])
    }

    /// With more `serve` flags.
    pub fn start_with(index: &Path, flags: &[&str]) -> Server {
        let mut child = bin()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(flags)
            .arg("--index")
            .arg(index)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the rapporteur binary starts");
        let stderr = child.stderr.take().expect("stderr piped");
        let (tx, rx) = mpsc::channel();
        // Keep reading stderr all along, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.trim().to_owned());
                }
            }
        });
        // Generous: a server on a missing index first ingests the whole corpus
        // with embeddings (about 45 s alone on two cores, more beside other tests).
        match rx.recv_timeout(Duration::from_secs(600)) {
            Ok(base) => Server { child, base },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not print `listening on` in time");
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sample of the UN General Debate: forty States' speeches of the sessions
/// of `years`, extracted from the shared dataset; None where it is absent.
pub fn ungdc_sample(root: &Path, years: impl Iterator<Item = i32>) -> Option<PathBuf> {
    let dataset = std::env::var_os("RAPPORTEUR_DATASETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets"))
        .join("ungdc-1946-2024.tar.zst");
    if !dataset.exists() {
        eprintln!("skipping the UNGDC sample: no {}", dataset.display());
        return None;
    }
    let sessions: Vec<String> = years
        .map(|year| format!("ungdc/session-{}-{year}/*", year - 1945))
        .collect();
    let status = Command::new("tar")
        .args(["--zstd", "-xf"])
        .arg(&dataset)
        .arg("-C")
        .arg(root)
        .arg("--wildcards")
        .args(&sessions)
        .status()
        .expect("tar runs");
    assert!(status.success(), "tar could not extract the sample");
    const STATES: &[&str] = &[
        "USA", "GBR", "FRA", "CHN", "IND", "BRA", "NGA", "JPN", "CAN", "AUS", "SWE", "NOR", "MEX",
        "EGY", "KEN", "ZMB", "TZA", "ARG", "CHL", "ITA", "NLD", "DNK", "FIN", "IRL", "NZL", "PAK",
        "GHA", "SEN", "CUB", "VEN", "IDN", "PHL", "THA", "MAR", "DZA", "TUN", "ETH", "UGA", "AUT",
        "BEL",
    ];
    let corpus = root.join("ungdc");
    for session in std::fs::read_dir(&corpus).expect("sessions") {
        for file in std::fs::read_dir(session.expect("entry").path()).expect("files") {
            let path = file.expect("entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !STATES.iter().any(|s| name.starts_with(&format!("{s}_"))) {
                std::fs::remove_file(&path).expect("remove");
            }
        }
    }
    Some(corpus)
}
