//! Crashes, concurrent use and hostile input lose nothing: an ingest killed at
//! any moment leaves the last completed run, a second ingest is refused while
//! one runs, the server answers while another process ingests, and under load
//! and abuse it neither errs nor grows. Everything talks to loopback only.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::{Server, bin, run, stderr};
use rapporteur::search::Searcher;

/// Speeches in the UNGDC layout, big enough that an ingest takes a while.
fn speeches(dir: &Path, from: usize, to: usize) {
    let words = [
        "nuclear",
        "disarmament",
        "development",
        "climate",
        "peace",
        "security",
        "cooperation",
        "rights",
        "oceans",
        "trade",
    ];
    for i in from..to {
        let year = 1946 + i % 79; // with 8 codes, ids repeat only after 632 files
        let session = year - 1945;
        let mut text = String::new();
        for p in 0..40 {
            let sentence: Vec<&str> = (0..60).map(|w| words[(i + p + w) % words.len()]).collect();
            text.push_str(&format!("Paragraph {p} says {}.\n", sentence.join(" ")));
        }
        let code = ["JPN", "FRA", "BRA", "KEN", "IND", "MEX", "NOR", "EGY"][i % 8];
        let folder = dir.join(format!("session-{session}-{year}-{i}"));
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(folder.join(format!("{code}_{session}_{year}.txt")), text).expect("write");
    }
}

/// Two folders under `dir`: the first 150 speeches, and the first 300.
fn half_and_all(dir: &Path) -> (PathBuf, PathBuf) {
    let (half, all) = (dir.join("half"), dir.join("all"));
    speeches(&half, 0, 150);
    speeches(&all, 0, 300);
    (half, all)
}

/// A keyword-only ingest of speeches in the UNGDC layout.
fn ingest_command(files: &Path, index: &Path) -> Command {
    let mut command = bin();
    command
        .args(["ingest", "--no-embed", "--layout", "ungdc"])
        .arg(files)
        .arg("--index")
        .arg(index);
    command
}

/// Runs that ingest to its end.
fn ingest_speeches(files: &Path, index: &Path) {
    let out = ingest_command(files, index).output().expect("ingest runs");
    assert!(out.status.success(), "{}", stderr(&out));
}

fn documents(index: &Path) -> usize {
    Searcher::open(index)
        .expect("the index opens after any interruption")
        .counts()
        .expect("counts")
        .0
}

/// Starts an ingest and returns once it holds the index (it has said so),
/// with what it says on stderr, kept for a failure's message.
fn start_ingest(files: &Path, index: &Path) -> (Child, Arc<Mutex<String>>) {
    let mut child = ingest_command(files, index)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("ingest starts");
    let said = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("piped");
    let mut lines = BufReader::new(stderr).lines().map_while(Result::ok);
    for line in lines.by_ref() {
        let holds = line.starts_with("ingesting ");
        said.lock().expect("lock").push_str(&(line + "\n"));
        if holds {
            break;
        }
    }
    // Keep draining so the child never blocks on a full pipe.
    let keep = said.clone();
    std::thread::spawn(move || {
        for line in lines {
            keep.lock().expect("lock").push_str(&(line + "\n"));
        }
    });
    (child, said)
}

#[test]
fn an_ingest_killed_at_any_moment_keeps_the_last_completed_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (half, all) = half_and_all(dir.path());
    let index = dir.path().join("index");
    ingest_speeches(&half, &index);
    assert_eq!(documents(&index), 150);

    let mut lost = 0;
    let mut kill_points = 0;
    for delay_ms in [0, 50, 150, 400, 900, 1500] {
        let (mut child, said) = start_ingest(&all, &index);
        std::thread::sleep(Duration::from_millis(delay_ms));
        let ended = child.try_wait().expect("wait");
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        kill_points += 1;
        let n = documents(&index);
        // Either the run had committed (all 300) or nothing of it shows (150).
        assert!(
            n == 150 || n == 300,
            "after a kill at {delay_ms} ms: {n} documents"
        );
        // A run that ended by itself before the kill: if it succeeded, its
        // documents must all be there.
        match ended {
            Some(status) if status.success() && n == 150 => {
                lost += 1;
                eprintln!("a completed run lost: {}", said.lock().expect("lock"));
            }
            Some(status) if !status.success() => eprintln!(
                "the ingest started at {delay_ms} ms ended by itself ({status}): {}",
                said.lock().expect("lock")
            ),
            _ => {}
        }
        if n == 300 {
            break;
        }
    }
    assert!(kill_points >= 3, "the ingest was too quick to interrupt");
    assert_eq!(lost, 0);
    // Re-running completes it.
    ingest_speeches(&all, &index);
    assert_eq!(documents(&index), 300);
}

/// The files of an index directory, by name.
fn file_names(dir: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("index dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_commit_cut_short_leaves_nothing_that_blocks_the_next_ingest() {
    // A kill after a commit wrote a segment's deletes but before meta.json
    // names them: rebuilt here exactly, by giving an index the deletes file
    // that the same run wrote in a copy, registered as tantivy registers it.
    let dir = tempfile::tempdir().expect("temp dir");
    let (half, all) = half_and_all(dir.path());
    // Ten that the second run does not re-ingest keep their segment alive,
    // and with it the file of its deletes.
    speeches(&half, 400, 410);
    let (cut, done) = (dir.path().join("cut"), dir.path().join("done"));
    ingest_speeches(&half, &cut);
    std::fs::create_dir_all(&done).expect("mkdir");
    for name in file_names(&cut) {
        std::fs::copy(cut.join(&name), done.join(&name)).expect("copy");
    }
    ingest_speeches(&all, &done);
    let before = file_names(&cut);
    let left: Vec<String> = file_names(&done)
        .into_iter()
        .filter(|name| name.ends_with(".del") && !before.contains(name))
        .collect();
    assert!(!left.is_empty(), "the re-ingest deleted nothing");
    let managed = cut.join(".managed.json");
    let mut paths: Vec<String> =
        serde_json::from_slice(&std::fs::read(&managed).expect("managed")).expect("json");
    for name in &left {
        std::fs::copy(done.join(name), cut.join(name)).expect("copy");
        paths.push(name.clone());
    }
    std::fs::write(&managed, serde_json::to_vec(&paths).expect("json")).expect("write");
    assert_eq!(documents(&cut), 160, "meta.json still names the first run");

    ingest_speeches(&all, &cut);
    assert_eq!(documents(&cut), 310);
}

#[test]
fn a_second_ingest_is_refused_while_one_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = dir.path().join("speeches");
    speeches(&files, 0, 300);
    let index = dir.path().join("index");
    let (mut first, _) = start_ingest(&files, &index);
    let second = bin()
        .args([
            "ingest",
            "--no-embed",
            "corpus/neaspec-som22-report.txt",
            "--index",
        ])
        .arg(&index)
        .output()
        .expect("runs");
    let first_done = first.wait().expect("first ends");
    assert!(first_done.success());
    assert_eq!(second.status.code(), Some(2));
    assert!(
        stderr(&second).contains("locked by another process"),
        "{}",
        stderr(&second)
    );
    assert_eq!(
        documents(&index),
        300,
        "the running ingest was not disturbed"
    );
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn get(agent: &ureq::Agent, url: &str) -> (u16, String) {
    match agent.get(url).call() {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(e) => (0, e.to_string()),
    }
}

#[test]
fn the_server_answers_while_another_process_ingests() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (first, more) = (dir.path().join("first"), dir.path().join("more"));
    speeches(&first, 0, 100);
    speeches(&more, 100, 300);
    let index = dir.path().join("index");
    ingest_speeches(&first, &index);
    let server = Server::start(&index);
    let agent = agent();
    let (mut ingest, _) = start_ingest(&more, &index);
    let mut answered = 0;
    let mut slowest = Duration::ZERO;
    while ingest.try_wait().expect("wait").is_none() {
        let started = Instant::now();
        let (status, body) = get(
            &agent,
            &server.url("/api/search?q=nuclear+disarmament&mode=keyword"),
        );
        slowest = slowest.max(started.elapsed());
        assert_eq!(status, 200, "{body}");
        answered += 1;
    }
    assert!(ingest.wait().expect("ends").success());
    assert!(answered > 0);
    assert!(
        slowest < Duration::from_secs(5),
        "slowest answer {slowest:?}"
    );
    // The commit is picked up without a restart.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = get(&agent, &server.url("/api/health"));
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        if v["documents"] == 300 {
            break;
        }
        assert!(Instant::now() < deadline, "new documents not seen: {body}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn resident_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn thousands_of_requests_at_concurrency_64_without_errors_or_growth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = dir.path().join("speeches");
    speeches(&files, 0, 100);
    let index = dir.path().join("index");
    ingest_speeches(&files, &index);
    let server = Server::start(&index);
    let queries = [
        "/api/search?q=nuclear&mode=keyword",
        "/api/search?q=climate+peace&mode=keyword&sort=date",
        "/api/search?q=what+did+Japan+say+on+trade&mode=keyword",
        "/api/facets?q=oceans&mode=keyword",
        "/api/health",
    ];
    let fire = |requests: usize| -> usize {
        let next = AtomicUsize::new(0);
        let errors = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..64 {
                scope.spawn(|| {
                    let agent = agent();
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= requests {
                            break;
                        }
                        let (status, _) = get(&agent, &server.url(queries[n % queries.len()]));
                        if status != 200 {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        errors.load(Ordering::Relaxed)
    };
    assert_eq!(fire(500), 0, "warm-up");
    let before = resident_kb(server.child.id());
    assert_eq!(fire(3000), 0, "errors under load");
    let after = resident_kb(server.child.id());
    assert!(
        after < before + 64 * 1024,
        "memory grew from {before} KB to {after} KB"
    );
}

#[test]
fn hostile_requests_get_a_400_or_a_quick_answer_never_a_500() {
    let server = Server::start(crate::util::shared_index());
    let agent = agent();
    let long_term = "a".repeat(900);
    let nested = format!("{}duplication{}", "(".repeat(200), ")".repeat(200));
    let cases = [
        "/api/search?q=%00%01%02".to_owned(),
        "/api/search?q=%FF%FE%FD".to_owned(),
        format!("/api/search?q={long_term}"),
        format!("/api/search?q={}", "b".repeat(5000)),
        format!("/api/search?q={nested}"),
        "/api/search?q=a*+b*+c*+d*".to_owned(),
        "/api/search?q=%2F.*%2F".to_owned(),
        "/api/search?q=duplication~2".to_owned(),
        "/api/search?q=%22%22%22".to_owned(),
        "/api/search?q=speaker%3A".to_owned(),
        "/api/search?q=year%3A99999999999999999999".to_owned(),
        "/api/search?q=x&limit=99999999999999999999999".to_owned(),
        "/api/search?q=NOT+NOT+NOT".to_owned(),
        format!("/api/search?q={}", "x+OR+".repeat(300)),
    ];
    for path in &cases {
        let started = Instant::now();
        let (status, body) = get(&agent, &server.url(path));
        assert!(status == 200 || status == 400, "{path}: {status} {body}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    for path in [
        "/p/../../etc/passwd",
        "/p/..%2F..%2Fetc%2Fpasswd/1",
        "/api/paragraphs/..%2F..%2F..%2Fetc%2Fpasswd/1",
        "/api/documents/..%2F..%2FCargo.toml",
        "/assets/..%2F..%2FCargo.toml",
        "/assets/../Cargo.toml",
    ] {
        let (status, body) = get(&agent, &server.url(path));
        assert!(status == 404 || status == 400, "{path}: {status} {body}");
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{path}: {body}"
        );
    }
    // Still healthy afterwards.
    assert_eq!(get(&agent, &server.url("/api/health")).0, 200);
}

#[test]
fn an_index_from_another_schema_version_asks_for_a_re_ingest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path().join("index");
    let out = run(&[
        "ingest",
        "--no-embed",
        "corpus/neaspec-som22-report.txt",
        "--index",
        index.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = index.join("rapporteur.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let old = text.replace(
        &format!("\"schema_version\": {}", rapporteur::index::SCHEMA_VERSION),
        "\"schema_version\": 1",
    );
    assert_ne!(old, text);
    std::fs::write(&manifest, old).expect("write");
    let out = run(&[
        "search",
        "--index",
        index.to_str().expect("utf-8"),
        "duplication",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("schema version 1"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("re-ingest"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn slow_clients_and_oversized_heads_are_cut_off() {
    use std::io::{Read, Write};
    let server = Server::start_with(crate::util::shared_index(), &["--header-timeout", "1"]);
    let address = server.base.trim_start_matches("http://").to_owned();
    // Headers that never end: the connection is closed once the time is up.
    let mut slow = std::net::TcpStream::connect(&address).expect("connects");
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        .expect("writes");
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = slow.read_to_end(&mut answer);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a slow client held its connection for {:?}",
        started.elapsed()
    );
    assert!(
        !answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    // A request head of a megabyte is refused.
    let mut big = std::net::TcpStream::connect(&address).expect("connects");
    let head = format!(
        "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let _ = big.write_all(head.as_bytes());
    big.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut answer = [0u8; 64];
    let n = big.read(&mut answer).unwrap_or(0);
    assert!(
        answer[..n].starts_with(b"HTTP/1.1 431") || n == 0,
        "{}",
        String::from_utf8_lossy(&answer[..n])
    );
    // Well-behaved clients are still served.
    assert_eq!(get(&agent(), &server.url("/api/health")).0, 200);
}
