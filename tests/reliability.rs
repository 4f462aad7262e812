//! Reliability end to end: the real Pulumi CLI and provider against the
//! emulator behind a fault-injecting proxy (throttling, server errors, and
//! replies lost or delayed after ECR has done the write).
//!
//! The load test runs 20 repositories by default; the full size of the
//! reliability issue is `AWSECR_LOAD_REPOS=50 cargo test --test reliability`.
//! `AWSECR_FAULT_SEED=<n>` replays a schedule of faults.

mod common;

use std::collections::BTreeSet;

use common::proxy::{Fault, FaultProxy, Plan};
use common::pulumi::Stack;
use common::*;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A YAML program with `n` repositories named load-000, load-001, ...
fn load_program(n: u64) -> TempDir {
    let dir = TempDir::new("load-program");
    let mut yaml = String::from("name: awsecr-load\nruntime: yaml\nresources:\n");
    for i in 0..n {
        yaml.push_str(&format!(
            "  repo{i:03}:\n    type: awsecr:index:Repository\n    properties:\n      repositoryName: load-{i:03}\n      forceDelete: true\n      lifecyclePolicy:\n        maxImageCount: 10\n"
        ));
    }
    std::fs::write(dir.path().join("Pulumi.yaml"), yaml).unwrap();
    dir
}

#[tokio::test]
async fn up_and_destroy_under_throttling_and_server_errors() {
    let n = env_number("AWSECR_LOAD_REPOS", 20);
    let seed = env_number("AWSECR_FAULT_SEED", 20261129);
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let program = load_program(n);
    let stack = Stack::new(program.path(), &moto);
    stack.ok(&["config", "set", "awsecr:endpoint", &proxy.endpoint()]);
    proxy.random(Plan { seed, throttle: 30, server_error: 5, lose_reply: 5, slow_reply: 2, ..Plan::default() });
    // Whatever the schedule draws, at least two creates lose their reply
    // after ECR made the repository (one as a 500, one as a dropped connection).
    proxy.inject("CreateRepository", Fault::LoseReply(Some(500)), Some(1));
    proxy.inject("CreateRepository", Fault::LoseReply(None), Some(1));

    stack.ok(&["up", "--parallel", "10", "--skip-preview"]);
    let faults = proxy.counts();
    let created = faults.succeeded.get("CreateRepository").copied().unwrap_or(0);
    assert_eq!(created as u64, n, "every repository is created exactly once (seed {seed}): {faults:?}");
    assert!(faults.throttled > 0 && faults.server_errors > 0, "faults were injected: {faults:?}");
    assert!(
        faults.lost_by_operation.get("CreateRepository").copied().unwrap_or(0) >= 2,
        "create replies were lost after the write: {faults:?}"
    );

    let expected: BTreeSet<String> = (0..n).map(|i| format!("load-{i:03}")).collect();
    assert_eq!(moto.inventory().await, expected, "the emulator holds exactly the stack (seed {seed})");
    assert_eq!(stack.state_ids(), expected, "the state holds exactly the emulator's repositories (seed {seed})");

    stack.ok(&["preview", "--expect-no-changes", "--parallel", "10"]);

    stack.ok(&["destroy", "--parallel", "10", "--skip-preview"]);
    assert_eq!(moto.inventory().await, BTreeSet::new(), "destroy removed everything (seed {seed})");
    assert_eq!(stack.state_ids(), BTreeSet::new());
}

#[tokio::test]
async fn failure_after_create_is_recorded_and_the_next_up_finishes() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let program = load_program(1);
    let stack = Stack::new(program.path(), &moto);
    stack.ok(&["config", "set", "awsecr:endpoint", &proxy.endpoint()]);
    proxy.inject(
        "PutLifecyclePolicy",
        Fault::Error { status: 400, code: "AccessDeniedException", message: "not allowed" },
        Some(1),
    );

    let failed = stack.fails(&["up", "--skip-preview"]);
    assert!(failed.contains("ecr:PutLifecyclePolicy"), "{failed}");
    // The repository exists and the stack knows it: nothing is orphaned.
    assert_eq!(moto.inventory().await, BTreeSet::from(["load-000".to_string()]));
    assert_eq!(stack.state_ids(), BTreeSet::from(["load-000".to_string()]));
    assert!(moto.ecr().await.get_lifecycle_policy().repository_name("load-000").send().await.is_err());

    moto.start_recording();
    stack.ok(&["up", "--skip-preview"]);
    let calls = moto.stop_recording();
    assert!(!calls.contains(&"CreateRepository".to_string()), "not created twice: {calls:?}");
    assert!(calls.contains(&"PutLifecyclePolicy".to_string()), "{calls:?}");
    assert!(moto.ecr().await.get_lifecycle_policy().repository_name("load-000").send().await.is_ok());
    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);
}
