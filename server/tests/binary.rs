//! The real binary: `--help`, the "listening" line, and graceful shutdown on
//! SIGTERM/SIGINT (signals are sent with the `kill` command).

mod support;

use std::net::SocketAddr;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

use clap::CommandFactory;
use serde_json::json;
use sse_chat_server::Config;
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinHandle;

const BIN: &str = env!("CARGO_BIN_EXE_sse-chat-server");
const LISTENING: &str = "sse-chat-server listening on http://";

/// A running `sse-chat-server` process (killed if the test fails).
struct Process {
    child: Child,
    pid: u32,
    addr: SocketAddr,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<String>>,
    /// Collects stderr; finishes at its end of file.
    stderr_task: Option<JoinHandle<()>>,
}

impl Process {
    /// Starts the binary with `--addr 127.0.0.1:0 --memory` and waits for
    /// its "listening" line.
    async fn start() -> Process {
        let mut child = Command::new(BIN)
            .args(["--addr", "127.0.0.1:0", "--memory"])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the server binary");
        let pid = child.id().expect("pid");
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_task = {
            let stderr = Arc::clone(&stderr);
            let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
            tokio::spawn(async move {
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut log = stderr.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            })
        };
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let line = tokio::time::timeout(DEADLINE, stdout.next_line())
            .await
            .expect("the listening line in time")
            .expect("read stdout")
            .unwrap_or_else(|| panic!("no line on stdout; stderr: {}", stderr.lock().unwrap()));
        let addr = line
            .strip_prefix(LISTENING)
            .unwrap_or_else(|| panic!("unexpected stdout line {line:?}"))
            .parse()
            .unwrap_or_else(|e| panic!("bad address in {line:?}: {e}"));
        Process {
            child,
            pid,
            addr,
            stdout,
            stderr,
            stderr_task: Some(stderr_task),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    async fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.pid.to_string()])
            .status()
            .await
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed: {status}");
    }

    /// Waits for the process to exit and for the end of its output; asserts
    /// it printed nothing more on stdout.
    async fn exit_status(&mut self) -> ExitStatus {
        let status = tokio::time::timeout(DEADLINE, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("no exit in time; stderr: {}", self.stderr()))
            .expect("wait for the server");
        let rest = tokio::time::timeout(DEADLINE, self.stdout.next_line())
            .await
            .expect("stdout closed")
            .expect("read stdout");
        assert_eq!(rest, None, "exactly one line on stdout");
        if let Some(task) = self.stderr_task.take() {
            tokio::time::timeout(DEADLINE, task)
                .await
                .expect("stderr closed")
                .expect("stderr collector");
        }
        status
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

#[test]
fn help_exits_zero_and_mentions_every_flag() {
    let output = std::process::Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(output.status.success(), "{:?}", output.status);
    let help = String::from_utf8(output.stdout).expect("UTF-8 help");
    let mut flags: Vec<String> = [
        "addr",
        "db",
        "memory",
        "history",
        "heartbeat",
        "allow-origin",
        "static",
        "test-hooks",
        "help",
        "version",
    ]
    .iter()
    .map(|f| format!("--{f}"))
    .collect();
    // Also whatever clap knows about, so a new flag cannot go undocumented.
    flags.extend(
        Config::command()
            .get_arguments()
            .filter(|arg| !arg.is_hide_set())
            .filter_map(|arg| arg.get_long().map(|long| format!("--{long}"))),
    );
    for flag in flags {
        let mentioned = help
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(|word| word == flag);
        assert!(mentioned, "--help does not mention {flag}:\n{help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_open_streams_and_exits_successfully() {
    let mut server = Process::start().await;
    let client = client();
    let posted = post_json(
        &client,
        &server.url("/api/messages"),
        &json!({"room": "general", "user": "alice", "text": "before shutdown"}),
    )
    .await;
    assert_eq!(posted.status.as_u16(), 201, "{}", posted.raw);
    let mut events = SseStream::connect(&client, &server.url("/api/events?user=alice"), None).await;
    let (before, _) = events.until_ready().await;
    assert_eq!(before.iter().filter(|e| e.event == "message").count(), 1);

    server.signal("TERM").await;
    // The stream ends with a proper end of body, not a reset.
    events.expect_end().await;
    assert_eq!(events.error, None, "the stream ended cleanly");
    let status = server.exit_status().await;
    let log = server.stderr();
    assert!(status.success(), "exit status {status}; stderr:\n{log}");
    assert!(log.contains("received SIGTERM"), "{log}");
    assert!(log.contains("database closed"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_right_after_the_listening_line_is_still_graceful() {
    let mut server = Process::start().await;
    server.signal("TERM").await;
    let status = server.exit_status().await;
    let log = server.stderr();
    assert!(status.success(), "exit status {status}; stderr:\n{log}");
    assert!(log.contains("database closed"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_sigint_during_the_grace_period_exits_at_once() {
    let mut server = Process::start().await;
    let client = client();
    let mut events = SseStream::connect(&client, &server.url("/api/events"), None).await;
    events.until_ready().await;

    // A request whose body never arrives keeps its connection busy, so the
    // graceful shutdown would wait the whole grace period for it. The
    // `100 Continue` proves the handler is already reading the body.
    let mut stuck = TcpStream::connect(server.addr).await.expect("connect");
    let head = format!(
        "POST /api/messages HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 64\r\nExpect: 100-continue\r\n\r\n",
        server.addr
    );
    stuck.write_all(head.as_bytes()).await.expect("send head");
    let expected = b"HTTP/1.1 100 Continue\r\n\r\n";
    let mut got = vec![0; expected.len()];
    tokio::time::timeout(DEADLINE, stuck.read_exact(&mut got))
        .await
        .expect("100 Continue in time")
        .expect("read 100 Continue");
    assert_eq!(got, expected);

    server.signal("INT").await;
    // Streams end as soon as the shutdown starts: the first SIGINT was
    // handled, and the process is now in its grace period.
    events.expect_end().await;
    server.signal("INT").await;
    let status = server.exit_status().await;
    let log = server.stderr();
    assert_eq!(status.code(), Some(130), "stderr:\n{log}");
    assert!(log.contains("interrupted again"), "{log}");
    drop(stuck);
}
