//! `sse-chat-server`: parses flags, binds, announces the address on stdout
//! and serves until SIGINT/SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use sse_chat_server::{App, Config};
use tokio::net::TcpListener;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    init_logging();
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sse-chat-server: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
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
    app.serve(listener, shutdown_signal()).await
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

/// Completes on the first SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("received SIGINT"),
        () = terminate => tracing::info!("received SIGTERM"),
    }
}
