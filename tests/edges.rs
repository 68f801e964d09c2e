//! Edges a new user runs into: a closed pipe (`rapporteur search x | head`)
//! and a server out of file descriptors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::util::{bin, shared_index};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn index() -> &'static Path {
    shared_index()
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

/// utime + stime of a process, in seconds (USER_HZ is 100 on Linux).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // The command name may hold spaces: the fields follow its closing parenthesis.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("comm") + 2..]
        .split_whitespace()
        .collect();
    // Fields 14 and 15 of stat(5); the list here starts at field 3.
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    ticks as f64 / 100.0
}

fn health(addr: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.starts_with("HTTP/1.1 200").then_some(answer)
}

/// Out of file descriptors, `accept` fails at once for every waiting client: a
/// loop that retries at once spins at 100 % CPU. The server must back off, and
/// serve again once descriptors are free.
#[cfg(target_os = "linux")]
#[test]
fn out_of_file_descriptors_the_server_backs_off() {
    const DESCRIPTORS: usize = 64;
    let child = Command::new("bash")
        .arg("-c")
        .arg(format!("ulimit -n {DESCRIPTORS} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_rapporteur"))
        // Idle connections stay open through the measurement.
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--header-timeout",
            "120",
            "--index",
        ])
        .arg(index())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RAPPORTEUR_INDEX")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let pid = child.id();
    let mut child = Killed(child);
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let (tx, rx) = mpsc::channel();
    let stderr = child.0.stderr.take().expect("stderr piped");
    let lines = log.clone();
    // Read stderr all along, so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("listening on http://") {
                let _ = tx.send(addr.trim().to_owned());
            }
            lines.lock().unwrap().push(line);
        }
    });
    let Ok(addr) = rx.recv_timeout(Duration::from_secs(120)) else {
        panic!("no `listening on`: {:?}", log.lock().unwrap());
    };
    assert!(health(&addr).is_some(), "the server answers at first");

    // As many clients as the server has descriptors, and more: those it cannot
    // accept wait in the listen backlog (128 deep with tokio), each one an
    // accept that fails.
    let socket: std::net::SocketAddr = addr.parse().expect("an address");
    let clients: Vec<TcpStream> = (0..DESCRIPTORS + 64)
        .map(|_| TcpStream::connect_timeout(&socket, Duration::from_secs(10)).expect("connects"))
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    let (cpu, wall) = (cpu_seconds(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(2));
    let (cpu, wall) = (cpu_seconds(pid) - cpu, wall.elapsed().as_secs_f64());
    eprintln!("server CPU time while out of descriptors: {cpu:.2} s in {wall:.2} s");
    let logged = log.lock().unwrap().clone();
    assert!(
        cpu < 0.5,
        "the server spins on failed accepts: {cpu:.2} s of CPU in {wall:.2} s; {logged:?}"
    );
    let failures: Vec<&String> = logged
        .iter()
        .filter(|l| l.contains("cannot accept"))
        .collect();
    // A line per burst, not per failed accept (64 wait in the backlog). A
    // descriptor freed meanwhile (the first health check's connection
    // closing) lets one accept through and opens a second burst.
    assert!(
        (1..=3).contains(&failures.len()),
        "one line per burst of failed accepts: {logged:?}"
    );

    drop(clients);
    let deadline = Instant::now() + Duration::from_secs(20);
    let answer = loop {
        if let Some(answer) = health(&addr) {
            break answer;
        }
        assert!(
            Instant::now() < deadline,
            "the server does not answer again once descriptors are free: {:?}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(answer.contains("\"documents\""), "{answer}");
}

/// A child process killed when the test ends, passed or failed.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
