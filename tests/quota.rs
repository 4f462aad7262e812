//! ECR's request quotas, CI-sized: the real Pulumi CLI and provider against
//! the emulator behind the fault proxy's token bucket (ECR's throttling
//! error beyond a steady rate and a burst). Up, refresh, an update touching
//! every repository and destroy of 150 repositories (each with a lifecycle
//! policy and a pull grant) at the engine's default parallelism, against 30
//! requests a second with a burst of 40: every command succeeds and ECR
//! holds exactly the declared repositories after each. Only outcomes are
//! asserted; how well the quota is used (time, refused share) is measured
//! by `bash bench/run.sh` at 1,000 repositories (docs/performance.md).
//!
//! `AWSECR_QUOTA_REPOS=<n>`, `AWSECR_QUOTA_RATE=<requests a second>` and
//! `AWSECR_QUOTA_PARALLEL=<n>` (`--parallel` of every command) run other sizes.

mod common;

use std::collections::BTreeSet;

use common::proxy::{FaultProxy, Quota};
use common::pulumi::Stack;
use common::*;

/// A YAML program with `n` repositories named quota-000, ..., each expiring
/// images beyond `keep` and granting pull to another account.
fn program(dir: &std::path::Path, n: u64, keep: u64) {
    let mut yaml = String::from("name: awsecr-quota\nruntime: yaml\nresources:\n");
    for i in 0..n {
        yaml.push_str(&format!(
            "  repo{i:03}:\n    type: awsecr:index:Repository\n    properties:\n      repositoryName: quota-{i:03}\n      forceDelete: true\n      lifecyclePolicy:\n        maxImageCount: {keep}\n      pullPrincipals: [\"210987654321\"]\n"
        ));
    }
    std::fs::write(dir.join("Pulumi.yaml"), yaml).unwrap();
}

#[tokio::test]
async fn a_hundred_and_fifty_repositories_within_a_request_quota() {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let n = var("AWSECR_QUOTA_REPOS").unwrap_or(150);
    let rate = var("AWSECR_QUOTA_RATE").unwrap_or(30) as f64;
    let parallel = var("AWSECR_QUOTA_PARALLEL").map(|p| p.to_string());
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let dir = TempDir::new("quota-program");
    program(dir.path(), n, 10);
    let stack = Stack::new(dir.path(), &moto);
    stack.ok(&["config", "set", "awsecr:endpoint", &proxy.endpoint()]);
    let run = |command: &str| {
        let mut args = vec![command, "--skip-preview"];
        if let Some(p) = &parallel {
            args.extend(["--parallel", p.as_str()]);
        }
        stack.ok(&args)
    };
    proxy.quota(Quota { rate, burst: 40.0 });
    let expected: BTreeSet<String> = (0..n).map(|i| format!("quota-{i:03}")).collect();

    run("up");
    assert_eq!(moto.inventory().await, expected, "up made exactly the declared repositories");
    assert_eq!(stack.state_ids(), expected, "and the state knows each once");

    run("refresh");
    assert_eq!(stack.state_ids(), expected, "refresh lost nothing");

    program(&stack.project, n, 20);
    run("up");
    let ecr = moto.ecr().await;
    for name in [format!("quota-{:03}", 0), format!("quota-{:03}", n - 1)] {
        let text = ecr.get_lifecycle_policy().repository_name(&name).send().await.unwrap();
        let text = text.lifecycle_policy_text().unwrap_or_default();
        assert!(text.contains("20") && !text.contains("10"), "{name} was updated: {text}");
    }
    assert_eq!(moto.inventory().await, expected);

    run("destroy");
    assert_eq!(moto.inventory().await, BTreeSet::new(), "destroy removed everything");
    assert_eq!(stack.state_ids(), BTreeSet::new());

    let counts = proxy.counts();
    let (accepted, refused): (usize, usize) =
        (counts.accepted_per_second.values().sum(), counts.refused_per_second.values().sum());
    eprintln!("quota {rate}/s: {accepted} requests accepted, {refused} refused");
    assert!(refused > 0, "the quota was reached, so the run was tested under it: {counts:?}");
}
