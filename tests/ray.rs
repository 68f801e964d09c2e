//! Distributed embedding on a real Ray cluster on this machine: a head and two
//! worker nodes started here, `scripts/ray-embed.py` over two sessions of the
//! General Debate, one worker node killed mid-run. Every text must get its
//! vector, once, the same as a local `embed` makes. Ray comes from
//! `scripts/setup-ray.sh`; without it the test says so and passes, except
//! under CI (`CI=true`), where that is a failure.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{run, stderr, stdout, ungdc_sample};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The Python of the Ray environment, if set up.
fn ray_python() -> Option<PathBuf> {
    let python = std::env::var_os("RAPPORTEUR_RAY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(REPO).join(".ray-venv/bin/python"));
    if python.is_file() {
        return Some(python);
    }
    assert!(
        std::env::var("CI").is_err(),
        "the Ray test cannot run in CI: no {} (scripts/setup-ray.sh)",
        python.display()
    );
    eprintln!(
        "skipping the Ray test: no {} (scripts/setup-ray.sh)",
        python.display()
    );
    None
}

/// A free port below Linux's ephemeral range: the ports Ray's own processes
/// take at random are in that range, and one chosen here must stay free until
/// the node binds it.
fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let _ = NEXT.compare_exchange(
        0,
        20_000 + (std::process::id() % 5_000) as u16,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    loop {
        let port = NEXT.fetch_add(1, Ordering::SeqCst);
        assert!(port < 32_000, "no free port left below 32000");
        if TcpListener::bind(("0.0.0.0", port)).is_ok() {
            return port;
        }
    }
}

/// A Ray cluster of this test's own processes, each node in a process group
/// of its own, stopped by those groups' ids when dropped.
struct Cluster {
    ray: PathBuf,
    address: String,
    temp: tempfile::TempDir,
    nodes: Vec<Child>,
    /// Each node's node manager port, which names it in `ray.nodes()`.
    node_manager_ports: Vec<u16>,
}

impl Cluster {
    fn start(python: &Path, workers: usize) -> Cluster {
        let ray = python.with_file_name("ray");
        // Short: Ray's socket paths live under it and a socket path has a limit.
        let temp = tempfile::Builder::new()
            .prefix("ray")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let port = free_port();
        let mut cluster = Cluster {
            ray,
            address: format!("127.0.0.1:{port}"),
            temp,
            nodes: Vec::new(),
            node_manager_ports: Vec::new(),
        };
        let head_port = port.to_string();
        let temp_dir = cluster.temp.path().to_str().expect("utf-8 path").to_owned();
        cluster.start_node(&[
            "--head",
            "--port",
            &head_port,
            "--num-cpus",
            "0",
            "--include-dashboard",
            "false",
            "--temp-dir",
            &temp_dir,
        ]);
        for n in 1..=workers {
            let address = cluster.address.clone();
            // One at a time: nodes starting together on one machine race for
            // the session's file names.
            cluster.start_node(&["--address", &address, "--num-cpus", "1"]);
            debug_assert_eq!(cluster.nodes.len(), n + 1);
        }
        cluster.wait_for_nodes(workers + 1);
        cluster
    }

    /// Starts a node in the foreground (`--block`), with ports of its own, and
    /// waits until it says it runs. Generous deadlines: the whole test suite
    /// shares two cores with this cluster.
    fn start_node(&mut self, args: &[&str]) {
        let number = self.nodes.len();
        self.spawn_node(args);
        let log = self.temp.path().join(format!("node-{number}.log"));
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            if said.contains("Ray runtime started") {
                return;
            }
            let exited = self.nodes[number].try_wait().ok().flatten();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "Ray node {number} did not start ({exited:?}): {}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn spawn_node(&mut self, args: &[&str]) {
        let ports: Vec<u16> = (0..6).map(|_| free_port()).collect();
        self.node_manager_ports.push(ports[0]);
        let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
        let child = Command::new(&self.ray)
            .arg("start")
            .args(args)
            .args([
                "--node-ip-address",
                "127.0.0.1",
                "--block",
                "--disable-usage-stats",
            ])
            .args(["--object-store-memory", "100000000"])
            .args(["--node-manager-port", &ports[0]])
            .args(["--object-manager-port", &ports[1]])
            .args(["--dashboard-agent-listen-port", &ports[2]])
            .args(["--dashboard-agent-grpc-port", &ports[3]])
            .args(["--runtime-env-agent-port", &ports[4]])
            .args(["--metrics-export-port", &ports[5]])
            .env("RAY_USAGE_STATS_ENABLED", "0")
            // A node of a machine this busy answers health checks late: it is
            // declared dead after 10 missed checks, not 5 (the killed node too).
            .env("RAY_health_check_failure_threshold", "10")
            .stdout(self.log(self.nodes.len()))
            .stderr(self.log(self.nodes.len()))
            .process_group(0)
            .spawn()
            .expect("ray start runs");
        self.nodes.push(child);
    }

    fn log(&self, node: usize) -> std::fs::File {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.temp.path().join(format!("node-{node}.log")))
            .expect("log file")
    }

    /// What the nodes said, for a failure's message.
    fn logs(&self) -> String {
        (0..self.nodes.len())
            .map(|n| {
                std::fs::read_to_string(self.temp.path().join(format!("node-{n}.log")))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n---\n")
    }

    fn alive_nodes(&self) -> usize {
        let out = Command::new(&self.ray)
            .args(["status", "--address", &self.address])
            .output()
            .expect("ray status runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let active = text.split("Pending:").next().unwrap_or("");
        active
            .lines()
            .filter(|l| l.trim().starts_with("1 node_"))
            .count()
    }

    fn wait_for_nodes(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(600);
        while self.alive_nodes() < n {
            assert!(
                Instant::now() < deadline,
                "the Ray cluster never had {n} nodes: {}",
                self.logs()
            );
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    /// The last worker node whose raylet the driver is not attached to: the
    /// driver's own node is the machine a job cannot lose.
    fn worker_apart_from(&self, driver_port: Option<u16>) -> usize {
        (1..self.nodes.len())
            .rev()
            .find(|&i| Some(self.node_manager_ports[i]) != driver_port)
            .expect("two worker nodes")
    }

    /// Kills node `i` and every process of its group, as a machine lost would.
    fn kill_node(&mut self, i: usize) {
        let group = self.nodes[i].id() as i32;
        // SAFETY: signals a process group this test made.
        unsafe { libc::kill(-group, libc::SIGKILL) };
        let _ = self.nodes[i].wait();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in self.nodes.iter_mut().rev() {
            let group = node.id() as i32;
            // SAFETY: signals process groups this test made.
            unsafe { libc::kill(-group, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(20);
            while node.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            unsafe { libc::kill(-group, libc::SIGKILL) };
            let _ = node.wait();
        }
    }
}

/// The records of a vectors file: (key, vector).
fn vectors(file: &Path) -> Vec<(u64, Vec<f32>)> {
    let bytes = std::fs::read(file).expect("vectors file");
    let header = 16 + u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
    bytes[header..]
        .chunks_exact(8 + 384 * 4)
        .map(|record| {
            let key = u64::from_le_bytes(record[..8].try_into().expect("8 bytes"));
            let vector = record[8..]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect();
            (key, vector)
        })
        .collect()
}

#[test]
fn a_ray_cluster_embeds_everything_once_though_a_worker_node_dies() {
    let Some(python) = ray_python() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(corpus) = ungdc_sample(dir.path(), [2008, 2012].into_iter()) else {
        return;
    };
    let index = dir.path().join("index");
    let index_arg = index.to_str().expect("utf-8 path");
    let out = run(&[
        "ingest",
        "--layout",
        "ungdc",
        "--no-embed",
        corpus.to_str().expect("utf-8 path"),
        "--index",
        index_arg,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let missing = run(&["embed", "--missing-texts", "-", "--index", index_arg]);
    let missing = stdout(&missing);
    let texts = missing.lines().count();
    let sample_lines: String = missing
        .lines()
        .step_by(50)
        .take(40)
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(texts > 1500, "a few thousand real paragraphs: {texts}");

    let mut cluster = Cluster::start(&python, 2);
    let mut launcher = Command::new(&python)
        .arg("-u")
        .arg(Path::new(REPO).join("scripts/ray-embed.py"))
        .args(["--address", &cluster.address, "--index", index_arg])
        .args(["--shard-size", "100"])
        .arg("--rapporteur")
        .arg(env!("CARGO_BIN_EXE_rapporteur"))
        .arg("--models")
        .arg(rapporteur::embed::models_dir())
        .current_dir(REPO)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("launcher.err")).expect("log file"))
        .spawn()
        .expect("ray-embed.py runs");
    // A cluster that stalls must fail the test, not hang it.
    let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watchdog = {
        let (finished, pid) = (finished.clone(), launcher.id() as i32);
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(900);
            while !finished.load(std::sync::atomic::Ordering::SeqCst) {
                if Instant::now() > deadline {
                    // SAFETY: signals the launcher this test started.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    return;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    let lines = BufReader::new(launcher.stdout.take().expect("stdout"));
    let mut seen = Vec::new();
    let mut killed = false;
    let mut driver_port = None;
    for line in lines.lines().map_while(Result::ok) {
        if let Some(port) = line.split("(node manager port ").nth(1) {
            driver_port = port.trim_end_matches(')').parse::<u16>().ok();
        }
        if !killed && line.contains("vectors imported") {
            // A shard is done and the others are running on both nodes.
            cluster.kill_node(cluster.worker_apart_from(driver_port));
            killed = true;
        }
        seen.push(line);
    }
    let status = launcher.wait().expect("ray-embed.py ends");
    finished.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = watchdog.join();
    let log = seen.join("\n")
        + "\n"
        + &std::fs::read_to_string(dir.path().join("launcher.err")).unwrap_or_default();
    assert!(killed, "no shard came back: {log}");
    assert!(driver_port.is_some(), "the launcher names its node: {log}");
    assert!(status.success(), "{log}\n{}", cluster.logs());
    let shards = texts.div_ceil(100);
    assert_eq!(
        seen.iter()
            .filter(|l| l.contains("vectors imported"))
            .count(),
        shards,
        "every shard once: {log}"
    );
    assert!(
        log.contains(&format!("imported {texts} vectors for {texts} texts"))
            && log.contains("0 texts still lack a vector"),
        "{log}"
    );

    // None missing, none twice.
    let missing = run(&["embed", "--missing-texts", "-", "--index", index_arg]);
    assert_eq!(stdout(&missing).lines().count(), 0);
    let made = vectors(&index.join("vectors.bin"));
    assert_eq!(made.len(), texts, "one vector per text");
    let keys: std::collections::HashSet<u64> = made.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys.len(), texts, "no text imported twice");

    // The same vectors as a local `embed` of the same texts.
    let sample = dir.path().join("sample.jsonl");
    std::fs::write(&sample, sample_lines).expect("write sample");
    let local = dir.path().join("local.bin");
    let out = run(&[
        "embed",
        "--texts",
        sample.to_str().expect("utf-8 path"),
        "--out",
        local.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let by_key: std::collections::HashMap<u64, &Vec<f32>> =
        made.iter().map(|(k, v)| (*k, v)).collect();
    let local = vectors(&local);
    assert_eq!(local.len(), 40);
    for (key, vector) in &local {
        let remote = by_key
            .get(key)
            .expect("the sample's text has a vector from the cluster");
        let cosine: f32 = vector.iter().zip(remote.iter()).map(|(a, b)| a * b).sum();
        assert!(cosine >= 0.9999, "cosine {cosine}");
    }
}
