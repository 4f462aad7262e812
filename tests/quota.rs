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
//! The provider's own pacing (src/pacing.rs) is shown as an outcome too:
//! Reads going out at once after ECR has throttled wait for their turn, and
//! ECR refuses none of them.
//!
//! `AWSECR_QUOTA_REPOS=<n>`, `AWSECR_QUOTA_RATE=<requests a second>` and
//! `AWSECR_QUOTA_PARALLEL=<n>` (`--parallel` of every command) run other sizes.

mod common;

use std::collections::BTreeSet;

use common::proxy::{FaultProxy, Quota};
use common::pulumi::Stack;
use common::*;
use pulumi_resource_awsecr::property::Value;
use pulumi_resource_awsecr::proto::pulumirpc;

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

/// Reads of this many repositories go out at once in each wave (a refresh
/// sends four reads for each).
const AT_ONCE: usize = 32;
/// The pacing test's quota: small, so a few waves reach it quickly.
const PACED_QUOTA: Quota = Quota { rate: 50.0, burst: 10.0 };

/// Waves of `AT_ONCE` Reads at once, one right after another, through a
/// fresh provider (pacing on or off): how many Reads failed, and the
/// requests ECR refused in each wave.
async fn waves(moto: &Moto, proxy: &FaultProxy, pacing: &str, log: &std::path::Path) -> (usize, [usize; 2]) {
    let mut p = ProviderProcess::start_with_log(None, log, &[("AWSECR_PACING", pacing)]).await;
    p.configure(moto, &[("endpoint", Value::from(proxy.endpoint()))]).await.expect("Configure");
    proxy.quota(PACED_QUOTA);
    let mut failed = 0;
    let mut refused = [0; 2];
    for wave in refused.iter_mut() {
        proxy.reset_counts();
        let mut reads = tokio::task::JoinSet::new();
        for i in 0..AT_ONCE {
            let mut client = p.client.clone();
            reads.spawn(async move {
                let name = format!("paced-{i:02}");
                client
                    .read(pulumirpc::ReadRequest {
                        id: name.clone(),
                        urn: urn(&name),
                        name,
                        r#type: "awsecr:index:Repository".into(),
                        ..Default::default()
                    })
                    .await
            });
        }
        while let Some(read) = reads.join_next().await {
            match read.unwrap() {
                Ok(r) if !r.get_ref().id.is_empty() => {}
                Ok(_) => panic!("a repository was not found"),
                Err(e) => {
                    eprintln!("pacing {pacing}: a read failed: {}", e.message());
                    failed += 1;
                }
            }
        }
        *wave = proxy.counts().refused_per_second.values().sum();
    }
    (failed, refused)
}

/// The provider's pacing (src/pacing.rs): once ECR has throttled, reads
/// going out at once wait for their turn instead of bursting into refusals.
/// Two waves of 32 Reads at once (128 ECR requests each) against 50
/// requests a second with a burst of 10, the second right after the first,
/// on an empty bucket. The first wave finds the quota either way. With
/// pacing every Read succeeds and ECR refuses none of the second wave's
/// requests. Without (AWSECR_PACING=off: the SDK's adaptive retries alone)
/// it refused some in each of four runs here (2 to 13: the SDK's own rate
/// limiter, on after the first wave, lets part of a wave through at once);
/// that side is not run here, as a count that small could come out 0 by
/// chance. Requests are counted, never timed.
#[tokio::test]
async fn reads_at_once_wait_for_their_turn_once_ecr_throttles() {
    const BOUND: usize = 1;
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let ecr = moto.ecr().await;
    for i in 0..AT_ONCE {
        ecr.create_repository().repository_name(format!("paced-{i:02}")).send().await.unwrap();
    }
    let dir = TempDir::new("quota-pacing");
    let (failed, paced) = waves(&moto, &proxy, "on", &dir.path().join("on.log")).await;
    eprintln!("refused by wave with pacing {paced:?}");
    assert_eq!(failed, 0, "with pacing every read succeeded");
    assert!(paced[0] > 0, "the first wave reached the quota: {paced:?}");
    assert!(paced[1] < BOUND, "with pacing the second wave was refused under {BOUND} requests: {paced:?}");
}
