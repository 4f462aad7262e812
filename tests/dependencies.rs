//! The binary holds one HTTP stack and one TLS stack: the AWS SDK's HTTPS
//! client is the current one (hyper 1, h2 0.4, rustls 0.23), the same lines
//! tonic serves gRPC with, and no legacy copy (hyper 0.14, h2 0.3, rustls
//! 0.21) comes along. Read from `cargo tree` over the locked dependencies.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Every package of the provider's normal (shipped) dependency graph, with
/// the versions present.
fn shipped_packages() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "--locked", "-e", "normal", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree: {}", String::from_utf8_lossy(&out.stderr));
    let mut packages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut parts = line.split_whitespace();
        if let (Some(name), Some(version)) = (parts.next(), parts.next()) {
            packages.entry(name.to_string()).or_default().insert(version.trim_start_matches('v').to_string());
        }
    }
    packages
}

#[test]
fn one_http_and_one_tls_stack() {
    let packages = shipped_packages();
    for (name, line) in [("hyper", "1."), ("h2", "0.4."), ("rustls", "0.23."), ("http", "1."), ("http-body", "1.")] {
        let versions = packages.get(name).unwrap_or_else(|| panic!("{name} is not in the graph"));
        assert_eq!(versions.len(), 1, "{name} in more than one version: {versions:?}");
        let v = versions.iter().next().unwrap();
        assert!(v.starts_with(line), "{name} {v} is not the {line}x line");
    }
    for legacy in ["hyper-rustls", "tokio-rustls"] {
        let versions = &packages[legacy];
        assert_eq!(versions.len(), 1, "{legacy}: {versions:?}");
    }
    // One crypto provider for rustls: ring (aws-lc-rs only with the
    // measurement feature crypto-aws-lc).
    assert!(packages.contains_key("ring"));
    assert!(!packages.contains_key("aws-lc-rs"), "aws-lc-rs is built in as well");
}
