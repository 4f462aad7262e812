//! Diagnostic logging to stderr, for people debugging the provider (the
//! engine hides plugin stderr unless asked: `pulumi up --logtostderr
//! --logflow -v=9`). The level comes from RUST_LOG (`error`, `warn`, `info`,
//! `debug`, `trace`; `target=level` forms count by their level). Default: off.
//!
//! Values are only ever logged through [`Redacted`], which prints secrets as
//! `[secret]`; credentials are never logged at all.

use std::fmt;
use std::sync::OnceLock;

use crate::property::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error = 1,
    Warn,
    Info,
    Debug,
    Trace,
}

/// The most verbose level named in a RUST_LOG value, if any.
pub fn parse_level(spec: &str) -> Option<Level> {
    spec.split(',')
        .filter_map(|part| {
            let level = part.rsplit('=').next().unwrap_or(part).trim().to_ascii_lowercase();
            match level.as_str() {
                "error" => Some(Level::Error),
                "warn" => Some(Level::Warn),
                "info" => Some(Level::Info),
                "debug" => Some(Level::Debug),
                "trace" => Some(Level::Trace),
                _ => None,
            }
        })
        .max()
}

fn max_level() -> Option<Level> {
    static LEVEL: OnceLock<Option<Level>> = OnceLock::new();
    *LEVEL.get_or_init(|| std::env::var("RUST_LOG").ok().as_deref().and_then(parse_level))
}

pub fn enabled(level: Level) -> bool {
    max_level().is_some_and(|max| level <= max)
}

/// Writes one line if `level` is enabled; the message is built only then.
pub fn log(level: Level, message: impl FnOnce() -> String) {
    if enabled(level) {
        eprintln!("pulumi-resource-awsecr {level:?}: {}", message());
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
    use super::*;

    #[test]
    fn levels_parse_like_rust_log() {
        assert_eq!(parse_level("trace"), Some(Level::Trace));
        assert_eq!(parse_level("pulumi_resource_awsecr=debug,hyper=warn"), Some(Level::Debug));
        assert_eq!(parse_level("INFO"), Some(Level::Info));
        assert_eq!(parse_level("nonsense"), None);
        assert_eq!(parse_level(""), None);
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
