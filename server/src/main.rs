//! `sse-chat-server`: parses flags, binds, announces the address on stdout
//! and serves until SIGINT/SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use sse_chat_server::{App, Config, SHUTDOWN_GRACE};
use tokio::net::TcpListener;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Exit status after a second SIGINT cut the graceful shutdown short
/// (128 + SIGINT, as a shell reports a process killed by Ctrl-C).
const FORCED_EXIT: i32 = 130;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    init_logging();
    // Handlers go in before anything else: once the "listening" line is out,
    // a harness may send SIGTERM at once, and a signal that arrives before
    // its handler exists would kill the process without a graceful shutdown.
    let signals = match Signals::install() {
        Ok(signals) => signals,
        Err(err) => {
            eprintln!("sse-chat-server: error: could not install signal handlers: {err}");
            return ExitCode::FAILURE;
        }
    };
    match run(config, signals).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sse-chat-server: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config, signals: Signals) -> anyhow::Result<()> {
    let addr = config.addr;
    // Validate and open the database before binding, so a bad flag never
    // produces a "listening" line.
    let app = App::new(config)?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))?;
    let local = listener
        .local_addr()
        .context("could not read the bound address")?;
    // The one line on stdout: harnesses parse it to learn the port when
    // started with --addr 127.0.0.1:0.
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "sse-chat-server listening on http://{local}")
            .and_then(|()| stdout.flush())
            .context("could not write to stdout")?;
    }
    tracing::info!(%local, "listening");
    app.serve(listener, signals.shutdown()).await
}

/// Logs to stderr; `RUST_LOG` uses the `target=level,...` syntax.
fn init_logging() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .init();
}

/// The shutdown signals, listened for from the moment they are installed
/// (a signal received before [`Signals::shutdown`] is polled is kept).
struct Signals {
    interrupt: platform::Interrupt,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Replaces the default "terminate the process" action of SIGINT and
    /// SIGTERM (Ctrl-C / Ctrl-Break elsewhere).
    fn install() -> std::io::Result<Signals> {
        Ok(Signals {
            interrupt: platform::interrupt()?,
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?,
        })
    }

    /// Completes on the first SIGINT or SIGTERM. From then on, another
    /// SIGINT exits the process at once with status 130, without waiting
    /// for the rest of the graceful shutdown.
    async fn shutdown(self) {
        let Signals {
            mut interrupt,
            #[cfg(unix)]
            mut terminate,
        } = self;
        #[cfg(unix)]
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        #[cfg(not(unix))]
        let name = {
            interrupt.recv().await;
            "Ctrl-C"
        };
        tracing::info!(
            "received {name}; shutting down gracefully (up to {SHUTDOWN_GRACE:?}; \
             interrupt again to exit at once)"
        );
        tokio::spawn(async move {
            if interrupt.recv().await.is_some() {
                tracing::warn!("interrupted again; exiting without finishing the shutdown");
                std::process::exit(FORCED_EXIT);
            }
        });
    }
}

#[cfg(unix)]
mod platform {
    pub type Interrupt = tokio::signal::unix::Signal;

    pub fn interrupt() -> std::io::Result<Interrupt> {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    }
}

#[cfg(windows)]
mod platform {
    pub type Interrupt = tokio::signal::windows::CtrlC;

    pub fn interrupt() -> std::io::Result<Interrupt> {
        tokio::signal::windows::ctrl_c()
    }
}
