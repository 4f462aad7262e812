//! Interruptions end to end: Ctrl-C (SIGINT) in the middle of `pulumi up`,
//! sent to the CLI alone and to its whole process group as a terminal does,
//! and a provider killed outright (SIGKILL) during an update. In both cases
//! the documented recovery (`pulumi refresh`, then `pulumi up`) converges with
//! nothing orphaned and nothing lost.
//!
//! The provider is installed behind a small wrapper script that records each
//! provider process's pid and exit code, so the tests can see how it ended.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::proxy::{Fault, FaultProxy};
use common::pulumi::Stack;
use common::*;

fn program(n: usize, team: &str) -> TempDir {
    let dir = TempDir::new("interrupt-program");
    let mut yaml = String::from("name: awsecr-interrupt\nruntime: yaml\nresources:\n");
    for i in 0..n {
        yaml.push_str(&format!(
            "  repo{i:02}:\n    type: awsecr:index:Repository\n    properties:\n      repositoryName: int-{i:02}\n      forceDelete: true\n      tags:\n        team: {team}\n"
        ));
    }
    std::fs::write(dir.path().join("Pulumi.yaml"), yaml).unwrap();
    dir
}

/// Installs a wrapper as the awsecr plugin that records pids and exit codes in `record`.
fn install_wrapper(stack: &Stack, record: &std::path::Path) {
    let script = record.join("pulumi-resource-awsecr");
    let real = env!("CARGO_BIN_EXE_pulumi-resource-awsecr");
    // In Python rather than bash: bash's `wait`, woken by a trapped signal
    // while its child exits, can lose the child's status (it once reported
    // -1), and the test would blame the provider. Python retries the wait
    // after a signal and reports the status the kernel gave, negative when
    // the child died of a signal.
    let body = format!(
        r#"#!/usr/bin/env python3
import signal, subprocess, sys

child = None
pending = False

def forward(signum, frame):
    global pending
    if child is None:
        pending = True
        return
    try:
        child.send_signal(signal.SIGINT)
    except ProcessLookupError:
        pass

# The handlers first, so an interrupt during start-up is forwarded too.
signal.signal(signal.SIGINT, forward)
signal.signal(signal.SIGTERM, forward)
child = subprocess.Popen([{real:?}] + sys.argv[1:])
with open("{dir}/pids", "a") as f:
    f.write(f"{{child.pid}}\n")
if pending:
    forward(signal.SIGINT, None)
code = child.wait()
with open("{dir}/exits", "a") as f:
    f.write(f"{{child.pid}} {{code}}\n")
sys.exit(code if code >= 0 else 128 - code)
"#,
        dir = record.display()
    );
    std::fs::write(&script, body).unwrap();
    Command::new("chmod").arg("+x").arg(&script).status().unwrap();
    stack.ok(&["plugin", "rm", "resource", "awsecr", "--all", "--yes"]);
    stack.ok(&[
        "plugin",
        "install",
        "resource",
        "awsecr",
        env!("CARGO_PKG_VERSION"),
        "--file",
        script.to_str().unwrap(),
    ]);
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(str::to_string).collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(120), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn ctrl_c_during_up_stops_cleanly_and_converges() {
    ctrl_c_during_up(false).await;
}

/// A terminal's Ctrl-C reaches the CLI's whole process group at once: the
/// CLI, the language host and the provider all get SIGINT.
#[tokio::test]
async fn ctrl_c_to_the_whole_process_group_stops_cleanly_and_converges() {
    ctrl_c_during_up(true).await;
}

async fn ctrl_c_during_up(to_group: bool) {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    // Slow creates, so the interrupt lands in the middle of the update.
    proxy.inject("CreateRepository", Fault::Delay(Duration::from_millis(800)), None);
    let source = program(30, "a");
    let stack = Stack::new(source.path(), &moto);
    stack.ok(&["config", "set", "awsecr:endpoint", &proxy.endpoint()]);
    let record = TempDir::new("wrapper");
    install_wrapper(&stack, record.path());

    let mut command =
        stack.command(&["up", "--yes", "--non-interactive", "--skip-preview", "--parallel", "4", "--color", "never"]);
    // A group of its own, as a shell gives a foreground job.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let up = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut created = 0;
    let start = Instant::now();
    while created < 4 {
        assert!(start.elapsed() < Duration::from_secs(120), "no repository was created");
        tokio::time::sleep(Duration::from_millis(50)).await;
        created = moto.inventory().await.len();
    }
    // The group's id is the CLI's pid; `kill -INT -<pgid>` signals every member.
    let target = if to_group { format!("-{}", up.id()) } else { up.id().to_string() };
    let status = Command::new("kill").args(["-INT", "--", &target]).status().unwrap();
    assert!(status.success(), "kill -INT {target}");
    let out = tokio::task::spawn_blocking(move || up.wait_with_output().unwrap()).await.unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "the interrupted up reports failure: {text}");

    // Every provider process ended, and each exited 0.
    wait_until("the providers to exit", || {
        lines(&record.path().join("exits")).len() == lines(&record.path().join("pids")).len()
    });
    let exits = lines(&record.path().join("exits"));
    assert!(!exits.is_empty());
    for e in &exits {
        assert!(e.ends_with(" 0"), "a provider did not exit 0: {exits:?}\n{text}");
    }
    let interrupted = moto.inventory().await;
    assert!(interrupted.len() < 30, "the interrupt stopped the update midway: {}", interrupted.len());
    // In-flight creates finished and were recorded: the stack knows exactly what exists.
    assert_eq!(interrupted, stack.state_ids(), "no orphans after the interrupt");

    proxy.clear();
    stack.ok(&["refresh", "--skip-preview"]);
    stack.ok(&["up", "--skip-preview"]);
    let all: BTreeSet<String> = (0..30).map(|i| format!("int-{i:02}")).collect();
    assert_eq!(moto.inventory().await, all);
    assert_eq!(stack.state_ids(), all);
    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);
}

#[tokio::test]
async fn provider_killed_during_update_recovers_with_refresh_and_up() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let source = program(10, "a");
    let stack = Stack::new(source.path(), &moto);
    stack.ok(&["config", "set", "awsecr:endpoint", &proxy.endpoint()]);
    let record = TempDir::new("wrapper");
    install_wrapper(&stack, record.path());
    stack.ok(&["up", "--skip-preview"]);

    // Change every repository's tags, slowly, and kill the provider midway.
    std::fs::copy(program(10, "b").path().join("Pulumi.yaml"), stack.project.join("Pulumi.yaml")).unwrap();
    proxy.inject("TagResource", Fault::Delay(Duration::from_millis(1000)), None);
    std::fs::remove_file(record.path().join("pids")).unwrap();
    let up = stack
        .command(&["up", "--yes", "--non-interactive", "--skip-preview", "--parallel", "2", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the provider to start", || !lines(&record.path().join("pids")).is_empty());
    // Kill the provider as soon as the first repository has its new tags,
    // while the others are still waiting for theirs.
    let ecr = moto.ecr().await;
    let start = Instant::now();
    loop {
        assert!(start.elapsed() < Duration::from_secs(120), "no update was applied");
        let mut updated = 0;
        for i in 0..10 {
            let arn = format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/int-{i:02}");
            let r = ecr.list_tags_for_resource().resource_arn(arn).send().await;
            if r.is_ok_and(|t| t.tags().iter().any(|t| t.value() == "b")) {
                updated += 1;
            }
        }
        if updated > 0 {
            assert!(updated < 10, "the kill came too late to interrupt anything");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for pid in lines(&record.path().join("pids")) {
        Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    }
    let out = tokio::task::spawn_blocking(move || up.wait_with_output().unwrap()).await.unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "the update fails when its provider dies: {text}");

    // The documented recovery: refresh, then up.
    proxy.clear();
    stack.ok(&["refresh", "--skip-preview"]);
    stack.ok(&["up", "--skip-preview"]);
    let all: BTreeSet<String> = (0..10).map(|i| format!("int-{i:02}")).collect();
    assert_eq!(moto.inventory().await, all, "nothing lost, nothing extra");
    assert_eq!(stack.state_ids(), all);
    for name in &all {
        let arn = format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}");
        let tags = ecr.list_tags_for_resource().resource_arn(&arn).send().await.unwrap();
        assert!(tags.tags().iter().any(|t| t.key() == "team" && t.value() == "b"), "{name} has the declared tags");
    }
    stack.ok(&["preview", "--expect-no-changes"]);
}
