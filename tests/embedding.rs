//! `rapporteur embed`: a collection ingested with `--no-embed` embedded as a
//! job of its own, killed mid-run and resumed, split into shards made
//! elsewhere and imported, refused where it would lose or mix vectors, and
//! picked up by a running server as it commits. Needs the model.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{Server, bin, hit_ids, run, stderr, stdout};
use serde_json::Value;

/// NEASPEC and the seven verbatim records: 947 texts to embed, about 10 s.
const DOCUMENTS: [&str; 2] = ["corpus/neaspec-som22-report.txt", "corpus/verbatim"];
const TEXTS: u64 = 947;
const RECORD_BYTES: u64 = 8 + 384 * 4;

fn keyword_index(dir: &Path) -> PathBuf {
    let index = dir.join("index");
    let out = bin()
        .args(["ingest", "--no-embed", "--index"])
        .arg(&index)
        .args(DOCUMENTS)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    index
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Whole records in a vectors file.
fn records(file: &Path) -> u64 {
    let size = std::fs::metadata(file).map_or(0, |m| m.len());
    let header = 16
        + std::fs::read(file).map_or(0, |b| {
            u32::from_le_bytes([b[12], b[13], b[14], b[15]]) as u64
        });
    size.saturating_sub(header) / RECORD_BYTES
}

/// The nearest paragraphs to `q`'s own vector (`--literal`: no thesaurus
/// terms), so that answers compare the vectors themselves.
fn semantic(index: &Path, q: &str) -> Value {
    let out = run(&[
        "search",
        "--json",
        "--mode",
        "semantic",
        "--literal",
        "--index",
        path(index),
        q,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn a_killed_embed_resumes_where_it_stopped_and_nothing_runs_beside_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = keyword_index(dir.path());
    let mut child = bin()
        .args(["embed", "--commit-every", "100", "--index", path(&index)])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("embed starts");
    let lines = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = Vec::new();
    for line in lines.lines().map_while(Result::ok) {
        seen.push(line.clone());
        if line.starts_with("committed 200/") {
            break;
        }
    }
    assert!(
        seen.iter()
            .any(|l| l.starts_with("committed 200/947 texts (")),
        "plain progress lines with rate and time left: {seen:?}"
    );
    // While it runs: a second embed and an ingest are refused, clearly.
    let second = run(&["embed", "--index", path(&index)]);
    assert_eq!(second.status.code(), Some(2));
    assert!(stderr(&second).contains("locked"), "{}", stderr(&second));
    let ingest = run(&[
        "ingest",
        "--no-embed",
        "--index",
        path(&index),
        "corpus/neaspec-som22-report.txt",
    ]);
    assert_eq!(ingest.status.code(), Some(2));
    assert!(stderr(&ingest).contains("locked"), "{}", stderr(&ingest));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    let kept = records(&index.join("vectors.bin"));
    assert!(
        (200..TEXTS).contains(&kept),
        "{kept} vectors survive the kill"
    );
    // Partly embedded: hybrid answers, and says how much meaning covers.
    let out = run(&["search", "--json", "--index", path(&index), "big cats"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["mode"], "hybrid");
    let notice = v["notice"].as_str().unwrap_or_default();
    assert!(
        notice.contains("search by meaning covers") && notice.contains("rapporteur embed"),
        "{notice}"
    );

    let resumed = run(&["embed", "--index", path(&index)]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(
        stderr(&resumed).contains(&format!("embedding {} texts ({kept} have", TEXTS - kept)),
        "{}",
        stderr(&resumed)
    );
    assert!(
        stdout(&resumed).contains("947 of 947 texts now have a vector"),
        "{}",
        stdout(&resumed)
    );
    assert_eq!(records(&index.join("vectors.bin")), TEXTS);
    // Nothing left: a third run embeds nothing.
    let again = run(&["embed", "--index", path(&index)]);
    assert!(
        stdout(&again).starts_with("embedded 0 texts"),
        "{}",
        stdout(&again)
    );

    // The same answers by meaning as an ingest with embeddings (`ingest
    // corpus/neaspec-som22-report.txt corpus/verbatim`): a line about a bird,
    // then NEASPEC's tigers and leopards.
    let v = semantic(&index, "big cats");
    let first: Vec<String> = hit_ids(&v).into_iter().take(4).collect();
    assert_eq!(
        first,
        [
            "A/65/PV.71#165",
            "neaspec-som22-report#4",
            "neaspec-som22-report#27",
            "neaspec-som22-report#26"
        ],
        "{:?}",
        hit_ids(&v)
    );
    assert!(v["notice"].is_null(), "{}", v["notice"]);
}

#[test]
fn shards_made_elsewhere_are_imported_and_bad_files_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = keyword_index(dir.path());
    let mut shards = Vec::new();
    for i in 1..=2 {
        let file = dir.path().join(format!("shard-{i}.bin"));
        let out = run(&[
            "embed",
            "--shard",
            &format!("{i}/2"),
            "--out",
            path(&file),
            "--index",
            path(&index),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        shards.push((file, records(&dir.path().join(format!("shard-{i}.bin")))));
    }
    let (a, b) = (shards[0].1, shards[1].1);
    assert_eq!(a + b, TEXTS, "the shards split the texts: {a} + {b}");
    assert!(a > 300 && b > 300, "{a} / {b}");
    assert!(
        !index.join("vectors.bin").exists(),
        "--out leaves the index alone"
    );

    // Refused whole, before anything is added: another width, a file cut short.
    let bytes = std::fs::read(&shards[0].0).expect("shard");
    let cut = dir.path().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).expect("write");
    let out = run(&["embed", "--import", path(&cut), "--index", path(&index)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cut short"), "{}", stderr(&out));
    let mut narrow = bytes.clone();
    narrow[8..12].copy_from_slice(&768u32.to_le_bytes());
    std::fs::write(&cut, &narrow).expect("write");
    let out = run(&["embed", "--import", path(&cut), "--index", path(&index)]);
    assert!(
        stderr(&out).contains("vectors of 768 numbers"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&cut, b"id,vector\n1,0.5\n").expect("write");
    let out = run(&["embed", "--import", path(&cut), "--index", path(&index)]);
    assert!(
        stderr(&out).contains("not a rapporteur vectors file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(records(&index.join("vectors.bin")), 0);
    let out = bin()
        .env("RAPPORTEUR_MODELS", "/nonexistent/models")
        .args(["embed", "--index", path(&index)])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("setup-models.sh"), "{}", stderr(&out));

    for (file, n) in &shards {
        let out = run(&["embed", "--import", path(file), "--index", path(&index)]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).starts_with(&format!("imported {n} of {n} vectors")),
            "{}",
            stdout(&out)
        );
    }
    // Importing again adds nothing.
    let out = run(&[
        "embed",
        "--import",
        path(&shards[0].0),
        "--index",
        path(&index),
    ]);
    assert!(
        stdout(&out).starts_with("imported 0 of"),
        "{}",
        stdout(&out)
    );
    assert_eq!(records(&index.join("vectors.bin")), TEXTS);
    // The imported vectors answer by meaning: NEASPEC's tigers and leopards.
    let v = semantic(&index, "big cats");
    let first = &hit_ids(&v)[..4];
    for p in ["4", "26", "27"] {
        assert!(
            first.contains(&format!("neaspec-som22-report#{p}")),
            "{first:?}"
        );
    }
}

#[test]
fn a_server_picks_up_vectors_as_they_are_committed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = keyword_index(dir.path());
    let server = Server::start(&index);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let ask = || -> Value {
        let mut r = agent
            .get(server.url("/api/search?q=big+cats"))
            .call()
            .expect("request");
        serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("JSON")
    };
    assert_eq!(ask()["mode"], "keyword", "no vectors yet");
    let out = run(&["embed", "--index", path(&index)]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The reader reloads on commit, after a short delay.
    let deadline = Instant::now() + Duration::from_secs(20);
    let v = loop {
        let v = ask();
        if v["mode"] == "hybrid" && v["notice"].is_null() || Instant::now() > deadline {
            break v;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(v["mode"], "hybrid", "{v}");
    assert!(v["notice"].is_null(), "{}", v["notice"]);
    assert!(
        hit_ids(&v)[..3].contains(&"neaspec-som22-report#27".to_owned()),
        "{:?}",
        hit_ids(&v)
    );
}

#[test]
fn texts_go_out_to_a_machine_without_the_index_and_their_vectors_come_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = keyword_index(dir.path());
    let texts = dir.path().join("shard.jsonl");
    let out = run(&[
        "embed",
        "--missing-texts",
        path(&texts),
        "--shard",
        "1/8",
        "--index",
        path(&index),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shard = std::fs::read_to_string(&texts)
        .expect("texts file")
        .lines()
        .count() as u64;
    assert!(
        shard > 60 && shard < 200,
        "about an eighth of {TEXTS}: {shard}"
    );
    assert!(stderr(&out).contains(&format!("{shard} texts of shard 1/8 lack a vector")));

    // Elsewhere: no index, the texts in, a vectors file out; a rerun resumes.
    let vectors = dir.path().join("shard.bin");
    for already in [0, shard] {
        let out = run(&[
            "embed",
            "--texts",
            path(&texts),
            "--out",
            path(&vectors),
            "--threads",
            "1",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("{shard} of {shard} texts now have a vector"))
                && stdout(&out).contains(&format!("embedded {} texts", shard - already)),
            "{}",
            stdout(&out)
        );
    }
    assert_eq!(records(&vectors), shard);

    let out = run(&["embed", "--import", path(&vectors), "--index", path(&index)]);
    assert!(
        stdout(&out).contains(&format!("imported {shard} of {shard} vectors")),
        "{}",
        stdout(&out)
    );
    let left = run(&["embed", "--missing-texts", "-", "--index", path(&index)]);
    assert_eq!(stdout(&left).lines().count() as u64, TEXTS - shard);

    // A line that is not a text is refused with its number; nothing is written.
    std::fs::write(&texts, "{\"text\": \"fine\"}\n{\"words\": 1}\n").expect("write");
    let bad = dir.path().join("bad.bin");
    let out = run(&["embed", "--texts", path(&texts), "--out", path(&bad)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));

    // The GPU path without its set-up: a clear error, the CPU path untouched.
    let models = dir.path().join("models");
    std::fs::create_dir(&models).expect("models dir");
    for part in ["all-MiniLM-L6-v2", "onnxruntime"] {
        std::os::unix::fs::symlink(
            rapporteur::embed::models_dir()
                .canonicalize()
                .expect("models")
                .join(part),
            models.join(part),
        )
        .expect("link");
    }
    let out = bin()
        .args(["embed", "--device", "cuda", "--index", path(&index)])
        .env("RAPPORTEUR_MODELS", &models)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--device cuda") && stderr(&out).contains("setup-models.sh --gpu"),
        "{}",
        stderr(&out)
    );
    let left = run(&["embed", "--missing-texts", "-", "--index", path(&index)]);
    assert_eq!(stdout(&left).lines().count() as u64, TEXTS - shard);
}
