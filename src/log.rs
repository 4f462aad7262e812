//! Diagnostic logging to stderr through the `tracing` facade, for people
//! debugging the provider (the engine hides plugin stderr unless asked:
//! `pulumi up --logtostderr --logflow -v=9`). The provider's own events and
//! the AWS SDK's (its retries, back-off and client rate limiter, endpoint
//! resolution, the credential chain) go through one subscriber, filtered by
//! RUST_LOG in `tracing-subscriber`'s env-filter syntax (`debug`,
//! `aws_smithy_runtime=debug`, `pulumi_resource_awsecr=trace,warn`). Without
//! RUST_LOG (or with it empty) no subscriber is installed and nothing is
//! written. stdout is never touched: its first line is the engine's port.
//!
//! Secrets: the provider logs values only through [`Redacted`], which prints
//! secrets as `[secret]`, and never logs credentials. The SDK and the HTTP
//! and gRPC stacks print whole requests and responses (the `Authorization`
//! header, a session token, GetAuthorizationToken's token), the resolved
//! credentials and the signing inputs at `trace`; endpoint resolution (its
//! parameters hold the resolved identity) and the shared-config profile and
//! STS credential providers print access key ids at `info` and `debug`. So
//! [`CAPS`] bound every target but the provider's, whatever RUST_LOG asks.

use std::fmt;

use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::property::{Map, Value};

/// The target of the provider's own events (`RUST_LOG=pulumi_resource_awsecr=debug`).
pub const TARGET: &str = "pulumi_resource_awsecr";

/// The level of one of the provider's own events ([`log`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error = 1,
    Warn,
    Info,
    Debug,
    Trace,
}

/// The most verbose level each target may log at, whatever RUST_LOG says
/// (the longest matching target prefix wins; anything else: [`OTHERS`]).
pub const CAPS: &[(&str, LevelFilter)] = &[
    // The provider's own events: values only through `Redacted`.
    (TARGET, LevelFilter::TRACE),
    // The shared-config profile provider prints the credentials it loaded
    // (access key id) at info and debug; the STS providers the access key
    // id of the role's credentials at debug.
    ("aws_config::profile", LevelFilter::WARN),
    ("aws_config::sts", LevelFilter::WARN),
    // Endpoint resolution prints its parameters at debug, and they carry the
    // resolved identity (the access key id).
    ("aws_smithy_runtime::client::orchestrator::endpoints", LevelFilter::INFO),
    ("aws_smithy_runtime::client::orchestrator::auth", LevelFilter::INFO),
];

/// Every other target (the SDK, hyper, h2, tonic, rustls): `debug` at most.
/// Their `trace` events dump requests and responses with their headers and
/// bodies, the resolved identity and the signing inputs.
pub const OTHERS: LevelFilter = LevelFilter::DEBUG;

/// The caps as a filter.
fn caps() -> Targets {
    Targets::new().with_default(OTHERS).with_targets(CAPS.iter().copied())
}

/// The filter RUST_LOG asks for. Directives that do not parse are skipped
/// with a warning on stderr (env-filter's own).
fn requested(spec: &str) -> EnvFilter {
    EnvFilter::builder().with_default_directive(LevelFilter::OFF.into()).parse_lossy(spec)
}

/// Installs the stderr subscriber when RUST_LOG is set to something; called
/// once, first thing in `main`. Without it every event is a no-op.
pub fn init() {
    let spec = match std::env::var("RUST_LOG") {
        Ok(s) if !s.trim().is_empty() => s,
        _ => return,
    };
    let _ = subscriber(&spec, std::io::stderr).try_init();
}

/// The caps, then what RUST_LOG asks for, then the formatter writing to
/// `writer`: an event is written only when both filters let it through.
fn subscriber<W>(spec: &str, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::registry()
        .with(caps())
        .with(requested(spec))
        .with(tracing_subscriber::fmt::layer().with_writer(writer))
}

/// Logs one event of the provider's at `level`; the message is built only
/// when the subscriber wants it.
pub fn log(level: Level, message: impl FnOnce() -> String) {
    match level {
        Level::Error => tracing::error!(target: TARGET, "{}", message()),
        Level::Warn => tracing::warn!(target: TARGET, "{}", message()),
        Level::Info => tracing::info!(target: TARGET, "{}", message()),
        Level::Debug => tracing::debug!(target: TARGET, "{}", message()),
        Level::Trace => tracing::trace!(target: TARGET, "{}", message()),
    }
}

/// Displays a property map with every secret replaced by `[secret]`.
pub struct Redacted<'a>(pub &'a Map);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_map(f, self.0)
    }
}

fn write_map(f: &mut fmt::Formatter<'_>, m: &Map) -> fmt::Result {
    f.write_str("{")?;
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{k:?}: ")?;
        write_value(f, v)?;
    }
    f.write_str("}")
}

fn write_value(f: &mut fmt::Formatter<'_>, v: &Value) -> fmt::Result {
    match v {
        Value::Secret(_) | Value::Output { secret: true, .. } => f.write_str("[secret]"),
        Value::Output { value: Some(inner), .. } => write_value(f, inner),
        Value::Output { value: None, .. } | Value::Unknown => f.write_str("[unknown]"),
        Value::Null => f.write_str("null"),
        Value::Bool(b) => write!(f, "{b}"),
        Value::Number(n) => write!(f, "{n}"),
        Value::String(s) => write!(f, "{s:?}"),
        Value::Array(items) => {
            f.write_str("[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_value(f, item)?;
            }
            f.write_str("]")
        }
        Value::Object(m) | Value::Asset(m) | Value::Archive(m) => write_map(f, m),
        Value::ResourceRef { urn, .. } => write!(f, "ref({urn})"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// What a subscriber built for `spec` writes while `emit` runs.
    fn written(spec: &str, emit: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let sink = buf.clone();
        tracing::subscriber::with_default(subscriber(spec, move || sink.clone()), emit);
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
    }

    /// One event per level and target the caps treat differently.
    fn emit_all() {
        log(Level::Trace, || "provider-trace".into());
        log(Level::Debug, || "provider-debug".into());
        tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "sdk-trace");
        tracing::debug!(target: "aws_smithy_runtime::client::retries::strategy::standard", "sdk-debug");
        tracing::info!(target: "aws_config::profile::credentials", "profile-info");
        tracing::warn!(target: "aws_config::profile::credentials", "profile-warn");
        tracing::debug!(target: "aws_config::sts::assume_role", "sts-debug");
        tracing::debug!(target: "aws_config::meta::credentials::chain", "chain-debug");
        tracing::trace!(target: "h2::codec::framed_read", "h2-trace");
        tracing::debug!(target: "aws_smithy_runtime::client::orchestrator::endpoints", "endpoint-debug");
    }

    fn shown(spec: &str) -> Vec<&'static str> {
        let out = written(spec, emit_all);
        [
            "provider-trace",
            "provider-debug",
            "sdk-trace",
            "sdk-debug",
            "profile-info",
            "profile-warn",
            "sts-debug",
            "chain-debug",
            "h2-trace",
            "endpoint-debug",
        ]
        .into_iter()
        .filter(|m| out.contains(m))
        .collect()
    }

    #[test]
    fn rust_log_filters_by_target_and_level() {
        assert_eq!(shown("debug"), ["provider-debug", "sdk-debug", "profile-warn", "chain-debug"]);
        assert_eq!(shown("pulumi_resource_awsecr=trace"), ["provider-trace", "provider-debug"]);
        assert_eq!(shown("aws_smithy_runtime=debug"), ["sdk-debug"]);
        assert_eq!(shown("warn,pulumi_resource_awsecr=debug"), ["provider-debug", "profile-warn"]);
        assert_eq!(shown("off"), Vec::<&str>::new());
        // A directive that does not parse is skipped; the others still apply.
        assert_eq!(shown("pulumi_resource_awsecr=loud,aws_smithy_runtime=debug"), ["sdk-debug"]);
    }

    #[test]
    fn the_caps_hold_whatever_rust_log_asks() {
        let everything = ["provider-trace", "provider-debug", "sdk-debug", "profile-warn", "chain-debug"];
        assert_eq!(shown("trace"), everything);
        // Asked for by name, down to the module: still capped.
        assert_eq!(
            shown(
                "trace,aws_smithy_runtime::client::orchestrator=trace,aws_config::profile::credentials=trace,\
                 aws_config::sts=trace,h2=trace,aws_smithy_runtime::client::orchestrator::endpoints=debug"
            ),
            everything
        );
    }

    #[test]
    fn the_provider_line_names_level_and_target() {
        let out = written("debug", || log(Level::Debug, || "ecr:CreateRepository repository \"x\"".into()));
        assert!(out.contains(" DEBUG pulumi_resource_awsecr: ecr:CreateRepository repository \"x\""), "{out}");
        assert!(!out.contains('\u{1b}'), "no colour codes: {out:?}");
    }

    #[test]
    fn redaction_hides_every_secret() {
        let m: Map = [
            ("plain".to_string(), Value::from("visible")),
            ("key".to_string(), Value::Secret(Box::new("hunter2".into()))),
            (
                "nested".to_string(),
                Value::Object(Map::from([("deep".to_string(), Value::Secret(Box::new(Value::Number(42.0))))])),
            ),
            (
                "out".to_string(),
                Value::Output { value: Some(Box::new("s3cr3t".into())), secret: true, dependencies: vec![] },
            ),
        ]
        .into_iter()
        .collect();
        let shown = Redacted(&m).to_string();
        assert!(shown.contains("\"visible\""), "{shown}");
        assert!(!shown.contains("hunter2") && !shown.contains("42") && !shown.contains("s3cr3t"), "{shown}");
        assert_eq!(shown.matches("[secret]").count(), 3, "{shown}");
    }
}
