//! Load benchmark of the reference server (`cargo xtask bench`): N named
//! subscribers in one room, then M messages per second for S seconds.
//!
//! Prints delivery latency p50/p99 (POST sent → event parsed by a
//! subscriber), lost and duplicated deliveries, the bytes of presence
//! traffic all subscribers received, whether every subscriber's presence
//! converged to all N users (listed, or counted in a large room; see
//! PROTOCOL.md), and the server's CPU time (from
//! `/proc/<pid>/stat`). Figures only: nothing is asserted.
//!
//! ```text
//! load_bench --server target/release/sse-chat-server
//!            [--subscribers 1000] [--rate 100] [--seconds 10] [--db]
//! ```
//!
//! The server runs as a child process on a free loopback port, with
//! `--memory` (or a temporary database file with `--db`). Subscribers are
//! raw HTTP/1.1 connections with a minimal SSE parser, so that the client
//! side costs as little CPU as possible on a machine it shares with the
//! server.

use std::collections::HashSet;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

struct Args {
    server: String,
    subscribers: usize,
    rate: u64,
    seconds: u64,
    db: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        server: "target/release/sse-chat-server".into(),
        subscribers: 1000,
        rate: 100,
        seconds: 10,
        db: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--server" => args.server = value()?,
            "--subscribers" => args.subscribers = value()?.parse().map_err(|e| format!("{e}"))?,
            "--rate" => args.rate = value()?.parse().map_err(|e| format!("{e}"))?,
            "--seconds" => args.seconds = value()?.parse().map_err(|e| format!("{e}"))?,
            "--db" => args.db = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// What all subscribers report, shared.
#[derive(Default)]
struct Totals {
    ready: AtomicUsize,
    /// Subscribers whose presence list has every subscriber.
    converged: AtomicUsize,
    presence_bytes: AtomicU64,
    presence_events: AtomicU64,
}

/// What one subscriber saw.
struct Seen {
    ids: Vec<i64>,
    /// Latencies in microseconds.
    latencies: Vec<u32>,
}

/// The server process and how to read its CPU time.
struct Server {
    child: Child,
    addr: String,
    _db_dir: Option<std::path::PathBuf>,
}

impl Server {
    fn start(path: &str, db: bool) -> Result<Server, String> {
        let mut command = Command::new(path);
        command.args(["--addr", "127.0.0.1:0", "--heartbeat", "15"]);
        let db_dir = if db {
            let dir = std::env::temp_dir().join(format!("sse-load-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            command.arg("--db").arg(dir.join("chat.db"));
            Some(dir)
        } else {
            command.arg("--memory");
            None
        };
        let mut child = command
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{path}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| format!("unexpected first line {line:?}"))?
            .to_owned();
        Ok(Server {
            child,
            addr,
            _db_dir: db_dir,
        })
    }

    /// User + system CPU seconds of the server process so far.
    fn cpu_seconds(&self) -> f64 {
        cpu_seconds(&format!("/proc/{}/stat", self.child.id()))
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        if let Some(dir) = &self._db_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// User + system CPU seconds of a process, from its `/proc/PID/stat`.
fn cpu_seconds(stat_path: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    // Fields after the command name (which is in parentheses): state is
    // field 3, utime 14 and stime 15.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / clock_ticks()
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Incremental reader of a chunked HTTP body carrying SSE events.
struct SseReader {
    stream: TcpStream,
    raw: Vec<u8>,
    /// Decoded body bytes not yet split into events.
    body: Vec<u8>,
    head_done: bool,
    /// Bytes left in the current chunk.
    chunk_left: usize,
}

impl SseReader {
    async fn open(addr: &str, path: &str) -> std::io::Result<SseReader> {
        let mut stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        Ok(SseReader {
            stream,
            raw: Vec::with_capacity(16 * 1024),
            body: Vec::new(),
            head_done: false,
            chunk_left: 0,
        })
    }

    /// The next complete event block (without the blank line), or `None`
    /// at the end of the stream.
    async fn next_block(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(at) = find(&self.body, b"\n\n") {
                let block = self.body[..at].to_vec();
                self.body.drain(..at + 2);
                return Some(block);
            }
            self.decode();
            if find(&self.body, b"\n\n").is_some() {
                continue;
            }
            // Straight into the spare capacity: no buffer to zero per read.
            self.raw.reserve(16 * 1024);
            match self.stream.read_buf(&mut self.raw).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Moves what `raw` holds of the chunked body into `body`.
    fn decode(&mut self) {
        if !self.head_done {
            let Some(at) = find(&self.raw, b"\r\n\r\n") else {
                return;
            };
            self.raw.drain(..at + 4);
            self.head_done = true;
        }
        loop {
            if self.chunk_left > 0 {
                let take = self.chunk_left.min(self.raw.len());
                self.body.extend_from_slice(&self.raw[..take]);
                self.raw.drain(..take);
                self.chunk_left -= take;
                if self.chunk_left > 0 {
                    return;
                }
            }
            // "\r\n" after a chunk, then "SIZE\r\n".
            let start = usize::from(self.raw.starts_with(b"\r\n")) * 2;
            let Some(end) = find(&self.raw[start..], b"\r\n") else {
                return;
            };
            let size = std::str::from_utf8(&self.raw[start..start + end])
                .ok()
                .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
                .unwrap_or(0);
            self.raw.drain(..start + end + 2);
            if size == 0 {
                return;
            }
            self.chunk_left = size;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One field of an event block (`event`, `data`, `id`).
fn field<'a>(block: &'a str, name: &str) -> Option<&'a str> {
    block
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
}

fn names(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// A subscriber's view of the room: the listed names and, in a large
/// room, the count of everybody.
#[derive(Default)]
struct Present {
    listed: HashSet<String>,
    count: Option<usize>,
}

impl Present {
    fn total(&self) -> usize {
        self.count.unwrap_or(0).max(self.listed.len())
    }

    /// Applies a presence event (snapshot, delta, or an old-style event
    /// with both), as PROTOCOL.md says a client does.
    fn apply(&mut self, data: &str) {
        let Ok(value) = serde_json::from_str::<Value>(data) else {
            return;
        };
        self.count = value["count"].as_u64().map(|n| n as usize);
        if let Some(users) = value.get("users") {
            self.listed = names(users).into_iter().collect();
            return;
        }
        self.listed.extend(names(&value["joined"]));
        for name in names(&value["left"]) {
            self.listed.remove(&name);
        }
    }
}

/// Where a subscriber connects and reports to.
struct Subscriber {
    addr: String,
    user: String,
    everybody: usize,
    start: Instant,
    totals: Arc<Totals>,
    /// How many messages to wait for (0: not known yet).
    expected: watch::Receiver<usize>,
    /// Held until the stream is ready, to limit concurrent connects.
    connecting: Option<OwnedSemaphorePermit>,
}

/// A subscriber: reads its stream until it has the expected number of
/// messages, counting presence bytes and recording ids and latencies.
async fn subscribe(sub: Subscriber) -> Seen {
    let Subscriber {
        addr,
        user,
        everybody,
        start,
        totals,
        mut expected,
        mut connecting,
    } = sub;
    let path = format!("/api/events?rooms=general&user={user}");
    let mut seen = Seen {
        ids: Vec::new(),
        latencies: Vec::new(),
    };
    let Ok(mut reader) = SseReader::open(&addr, &path).await else {
        eprintln!("bench: load: {user} could not connect");
        totals.ready.fetch_add(1, Ordering::Relaxed);
        return seen;
    };
    let mut present = Present::default();
    let mut converged = false;
    loop {
        let wanted = *expected.borrow();
        if wanted > 0 && seen.ids.len() >= wanted {
            break;
        }
        let block = tokio::select! {
            block = reader.next_block() => block,
            _ = expected.changed() => continue,
        };
        let Some(block) = block else { break };
        let block = String::from_utf8_lossy(&block);
        match field(&block, "event") {
            Some("message") => {
                let now = start.elapsed().as_micros() as u64;
                let id = field(&block, "id")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(-1);
                seen.ids.push(id);
                if let Some(sent) = field(&block, "data").and_then(sent_micros) {
                    seen.latencies.push(now.saturating_sub(sent) as u32);
                }
            }
            Some("presence") => {
                totals
                    .presence_bytes
                    .fetch_add(block.len() as u64 + 2, Ordering::Relaxed);
                totals.presence_events.fetch_add(1, Ordering::Relaxed);
                present.apply(field(&block, "data").unwrap_or(""));
                if !converged && present.total() == everybody {
                    converged = true;
                    totals.converged.fetch_add(1, Ordering::Relaxed);
                }
            }
            Some("ready") => {
                totals.ready.fetch_add(1, Ordering::Relaxed);
                connecting.take();
            }
            _ => {}
        }
    }
    seen
}

/// The send time a message text carries (`t<micros>`).
fn sent_micros(data: &str) -> Option<u64> {
    let at = data.find("\"text\":\"t")? + 9;
    let digits: String = data[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Posts `rate` messages per second for `seconds`; returns their ids.
async fn post_messages(addr: &str, rate: u64, seconds: u64, start: Instant) -> Vec<i64> {
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/api/messages");
    let total = rate * seconds;
    let period = Duration::from_secs_f64(1.0 / rate as f64);
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut posts = Vec::new();
    for _ in 0..total {
        ticks.tick().await;
        let client = client.clone();
        let url = url.clone();
        let text = format!("t{}", start.elapsed().as_micros());
        posts.push(tokio::spawn(async move {
            let body = serde_json::json!({"room": "general", "user": "poster", "text": text});
            let reply = client.post(&url).json(&body).send().await.ok()?;
            let value: Value = reply.json().await.ok()?;
            value["id"].as_i64()
        }));
    }
    let mut ids = Vec::new();
    for post in posts {
        if let Ok(Some(id)) = post.await {
            ids.push(id);
        }
    }
    ids
}

async fn wait_until(what: &str, deadline: Duration, done: impl Fn() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > deadline {
            eprintln!("bench: load: gave up waiting for {what} after {deadline:?}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[at]) / 1000.0
}

async fn run(args: Args) -> Result<(), String> {
    let server = Server::start(&args.server, args.db)?;
    let addr = server.addr.clone();
    let start = Instant::now();
    let totals = Arc::new(Totals::default());
    let (expected, expected_rx) = watch::channel(0usize);
    let cpu_start = server.cpu_seconds();
    println!(
        "bench: load: {} named subscribers in one room, {} msg/s for {} s, {} database",
        args.subscribers,
        args.rate,
        args.seconds,
        if args.db { "file" } else { "in-memory" }
    );

    let connect_start = Instant::now();
    let connecting = Arc::new(Semaphore::new(64));
    let mut subscribers = Vec::new();
    for i in 0..args.subscribers {
        let permit = Arc::clone(&connecting)
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        subscribers.push(tokio::spawn(subscribe(Subscriber {
            addr: addr.clone(),
            // Names as long as people's (12 characters), not "u1".
            user: format!("member-{i:05}"),
            everybody: args.subscribers,
            start,
            totals: Arc::clone(&totals),
            expected: expected_rx.clone(),
            connecting: Some(permit),
        })));
    }
    let n = args.subscribers;
    let t = Arc::clone(&totals);
    wait_until("streams", Duration::from_secs(120), || {
        t.ready.load(Ordering::Relaxed) >= n
    })
    .await;
    let connected = connect_start.elapsed();
    let t = Arc::clone(&totals);
    let converged = wait_until("presence", Duration::from_secs(120), || {
        t.converged.load(Ordering::Relaxed) >= n
    })
    .await;
    let cpu_connected = server.cpu_seconds();
    let own_cpu_connected = cpu_seconds("/proc/self/stat");
    let presence_after_connect = totals.presence_bytes.load(Ordering::Relaxed);
    println!(
        "bench: load: connect: {n} streams ready after {:.2} s (at most 64 connecting at \
         once), presence converged {:.2} s later ({}/{n} subscribers know of all {n} users); server CPU {:.2} s",
        connected.as_secs_f64(),
        converged.as_secs_f64(),
        totals.converged.load(Ordering::Relaxed),
        cpu_connected - cpu_start
    );

    let posting = Instant::now();
    let posted = post_messages(&addr, args.rate, args.seconds, start).await;
    let post_time = posting.elapsed();
    expected.send_replace(posted.len());
    let mut results = Vec::new();
    let drain = async {
        for subscriber in subscribers {
            results.push(subscriber.await.map_err(|e| e.to_string())?);
        }
        Ok::<_, String>(())
    };
    if tokio::time::timeout(Duration::from_secs(30), drain)
        .await
        .is_err()
    {
        eprintln!("bench: load: some subscribers did not receive every message within 30 s");
    }
    let cpu_end = server.cpu_seconds();
    let wall = posting.elapsed();
    let own_cpu = cpu_seconds("/proc/self/stat") - own_cpu_connected;
    report(&args, &posted, &results, &totals, presence_after_connect);
    println!(
        "bench: load: server CPU while posting and delivering: {:.2} s over {:.2} s \
         ({:.0}% of one core; posting took {:.2} s; the benchmark's own clients used {:.2} s)",
        cpu_end - cpu_connected,
        wall.as_secs_f64(),
        100.0 * (cpu_end - cpu_connected) / wall.as_secs_f64(),
        post_time.as_secs_f64(),
        own_cpu
    );
    server.stop();
    Ok(())
}

fn report(args: &Args, posted: &[i64], results: &[Seen], totals: &Totals, presence_connect: u64) {
    let wanted: HashSet<i64> = posted.iter().copied().collect();
    let (mut lost, mut duplicated, mut delivered) = (0usize, 0usize, 0usize);
    let mut latencies = Vec::new();
    for seen in results {
        let got: HashSet<i64> = seen.ids.iter().copied().collect();
        lost += wanted.difference(&got).count();
        duplicated += seen.ids.len() - got.len();
        delivered += seen.ids.len();
        latencies.extend_from_slice(&seen.latencies);
    }
    lost += (args.subscribers - results.len()) * wanted.len();
    latencies.sort_unstable();
    println!(
        "bench: load: delivery: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {delivered} \
         deliveries of {} messages; lost {lost}, duplicated {duplicated}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
        posted.len()
    );
    let bytes = totals.presence_bytes.load(Ordering::Relaxed);
    println!(
        "bench: load: presence traffic: {:.2} MB in {} events to all subscribers ({:.2} MB \
         while connecting)",
        bytes as f64 / 1e6,
        totals.presence_events.load(Ordering::Relaxed),
        presence_connect as f64 / 1e6
    );
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("load_bench: {err}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(err) = runtime.block_on(run(args)) {
        eprintln!("load_bench: {err}");
        std::process::exit(1);
    }
}
