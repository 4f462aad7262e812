//! Entry point: read argv as the engine passes it, listen on a free loopback
//! port, print that port as the first line of stdout, serve until SIGINT or
//! SIGTERM (or, on Unix, until the process that started it is gone), and exit
//! 0 after in-flight work has finished.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use pulumi_resource_awsecr::engine::EngineLog;
use pulumi_resource_awsecr::proto::pulumirpc::resource_provider_server::ResourceProviderServer;
use pulumi_resource_awsecr::server::{Provider, VERSION, incoming};
use tokio::net::TcpListener;

/// The engine's own message limit.
const MAX_MESSAGE: usize = 400 * 1024 * 1024;
/// How long in-flight calls may take to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// The engine address: the one positional argument, if any
/// (`[--logtostderr] [-v=N] [--tracing X] <engine-address>`).
fn engine_address(args: &[String]) -> Option<&str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--tracing" || a == "-tracing" {
            it.next();
        } else if !a.starts_with('-') {
            return Some(a);
        }
    }
    None
}

#[tokio::main]
async fn main() -> ExitCode {
    // Diagnostics on stderr, when RUST_LOG asks (stdout is the engine's).
    pulumi_resource_awsecr::log::init();
    // Take over SIGINT and SIGTERM first thing, so a signal that arrives
    // while the provider is still starting is a clean shutdown too.
    let shutdown = shutdown_signal();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("inventory") {
        return pulumi_resource_awsecr::inventory::main(&args[1..]).await;
    }
    if args.iter().any(|a| a == "--version") {
        println!("{VERSION}");
        return ExitCode::SUCCESS;
    }
    let log = EngineLog::default();
    if let Some(address) = engine_address(&args) {
        log.connect(address);
    }
    let provider = Provider::new(log);
    let cancel = provider.cancel_token();

    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pulumi-resource-awsecr: cannot listen on 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{port}");
        let _ = out.flush();
    }

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let service = ResourceProviderServer::new(provider)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE);
    let server = tonic::transport::Server::builder().add_service(service).serve_with_incoming_shutdown(
        incoming(listener),
        async {
            let _ = stop_rx.await;
        },
    );
    let mut server = tokio::spawn(server);

    tokio::select! {
        result = &mut server => {
            return match result {
                Ok(Ok(())) => ExitCode::SUCCESS,
                Ok(Err(e)) => { eprintln!("pulumi-resource-awsecr: server failed: {e}"); ExitCode::FAILURE }
                Err(e) => { eprintln!("pulumi-resource-awsecr: server task failed: {e}"); ExitCode::FAILURE }
            };
        }
        _ = shutdown => {}
    }
    // Stop reads at once; writes already under way finish (see repository::Ctx).
    cancel.cancel();
    let _ = stop_tx.send(());
    match tokio::time::timeout(DRAIN, server).await {
        Ok(Ok(Ok(()))) | Err(_) => ExitCode::SUCCESS,
        Ok(Ok(Err(e))) => {
            eprintln!("pulumi-resource-awsecr: server failed while stopping: {e}");
            ExitCode::FAILURE
        }
        Ok(Err(e)) => {
            eprintln!("pulumi-resource-awsecr: server task failed while stopping: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Registers the SIGINT and SIGTERM handlers now, and returns a future that
/// ends at the first of them, or when the process that started the provider
/// (the engine) is gone: a CLI that exits without stopping its plugins (it
/// was killed, or failed early) leaves no provider behind. A provider started
/// by init (parent 1) has no such parent to watch.
#[cfg(unix)]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let parent = std::os::unix::process::parent_id();
    let orphaned = async move {
        if parent == 1 {
            return std::future::pending().await;
        }
        let mut tick = tokio::time::interval(PARENT_CHECK);
        // Reparented (to init or a subreaper): the parent has exited.
        while std::os::unix::process::parent_id() == parent {
            tick.tick().await;
        }
    };
    async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
            _ = orphaned => eprintln!("pulumi-resource-awsecr: the engine that started this provider is gone; stopping"),
        }
    }
}

/// How often the provider looks whether the engine that started it is gone.
#[cfg(unix)]
const PARENT_CHECK: Duration = Duration::from_secs(1);

/// Windows has no SIGTERM: the console's Ctrl-C, Ctrl-Break and close events
/// stand for SIGINT and SIGTERM (the engine interrupts a plugin with
/// Ctrl-Break before it ends the process).
#[cfg(windows)]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close};
    let mut int = ctrl_c().expect("Ctrl-C handler");
    let mut brk = ctrl_break().expect("Ctrl-Break handler");
    let mut close = ctrl_close().expect("console close handler");
    async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = brk.recv() => {}
            _ = close.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::engine_address;

    #[test]
    fn engine_address_is_the_positional_argument() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            engine_address(&a(&["--logtostderr", "-v=9", "--tracing", "x:1", "127.0.0.1:5"])),
            Some("127.0.0.1:5")
        );
        assert_eq!(engine_address(&a(&["127.0.0.1:9"])), Some("127.0.0.1:9"));
        assert_eq!(engine_address(&a(&["--logtostderr"])), None);
    }
}
