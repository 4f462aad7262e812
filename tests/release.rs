//! Release artifacts: `scripts/release.sh --host-only` packages this build's
//! plugin (linux-amd64 tarball) and the three SDK packages into one folder
//! with SHA256SUMS, checking each. Then each SDK package goes into a fresh
//! project the way a user installs it (`npm install <tgz>`, `pip install
//! <whl>` into a new venv, a Go module with a `replace` to the released
//! module), and the example program in that language runs against the
//! emulator with the plugin installed from the tarball.
//!
//! The cross-compiled platforms are a release step (`bash
//! scripts/release.sh`), checked there, not here.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::pulumi::Stack;
use common::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The Go SDK's module: the folder sdk/ of the repository, so Go finds
/// version v<version> under the tag `sdk/v<version>`.
const GO_MODULE: &str = "github.com/pulumi-awsecr/pulumi-awsecr/sdk";

/// The folder release.sh wrote, built once per test binary (a failure is
/// reported to every test, not retried). It lives in cargo's test scratch
/// space (under target/), emptied first.
fn dist() -> &'static Path {
    static DIST: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dist = DIST.get_or_init(|| {
        let dist = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release-dist");
        let _ = std::fs::remove_dir_all(&dist);
        let started = std::time::Instant::now();
        let out = Command::new("bash")
            .arg(root().join("scripts/release.sh"))
            .args(["--host-only", "--binary", env!("CARGO_BIN_EXE_pulumi-resource-awsecr"), "--out"])
            .arg(&dist)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("run scripts/release.sh: {e}"))?;
        let text = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("scripts/release.sh --host-only failed:\n{text}"));
        }
        eprintln!("scripts/release.sh --host-only took {:.0?}:\n{text}", started.elapsed());
        Ok(dist)
    });
    match dist {
        Ok(dist) => dist,
        Err(e) => panic!("{e}"),
    }
}

fn artifact(name: &str) -> PathBuf {
    let path = dist().join(name);
    assert!(path.is_file(), "release.sh wrote no {name}");
    path
}

/// The pinned Pulumi version, as every script reads it.
fn pulumi_version() -> String {
    let out =
        Command::new("bash").args(["-c", ". scripts/lib.sh && pulumi_version"]).current_dir(root()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// Replaces `from` by `to` in a file of the copied project; `from` must occur.
fn rewrite(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn release_folder_holds_every_artifact_with_checksums() {
    let mut names: Vec<String> =
        std::fs::read_dir(dist()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    names.sort();
    let mut expected = vec![
        format!("pulumi-resource-awsecr-v{VERSION}-linux-amd64.tar.gz"),
        format!("pulumi-awsecr-awsecr-{VERSION}.tgz"),
        format!("pulumi_awsecr-{VERSION}-py3-none-any.whl"),
        format!("pulumi_awsecr-{VERSION}.tar.gz"),
        format!("awsecr-go-sdk-v{VERSION}.zip"),
        "SHA256SUMS".to_string(),
    ];
    expected.sort();
    assert_eq!(names, expected);

    // SHA256SUMS names every other file, and each sum holds.
    let sums = std::fs::read_to_string(artifact("SHA256SUMS")).unwrap();
    let mut listed: Vec<&str> = sums.lines().map(|l| l.split_once("  ").expect(l).1).collect();
    listed.sort();
    let others: Vec<&str> = names.iter().map(String::as_str).filter(|n| *n != "SHA256SUMS").collect();
    assert_eq!(listed, others);
    run(Command::new("sha256sum").args(["--quiet", "-c", "SHA256SUMS"]).current_dir(dist()));
}

/// The example program's first and last step with the released packages:
/// up creates what it declares, with the plugin from the tarball; destroy
/// removes it.
async fn example_up_and_destroy(stack: &Stack, moto: &Moto) {
    // The plugin installed is the tarball's (a binary installed with --file
    // comes without README.md and LICENSE).
    let plugin = stack.home().join(format!("plugins/resource-awsecr-v{VERSION}"));
    for file in ["pulumi-resource-awsecr", "README.md", "LICENSE"] {
        assert!(plugin.join(file).is_file(), "{} lacks {file}", plugin.display());
    }
    moto.create_role("api-task-execution");
    let key = moto.create_kms_key();
    stack.ok(&["config", "set", "kmsKeyArn", &key]);
    let up = stack.ok(&["up", "--skip-preview"]);
    assert!(up.contains("6 created"), "{up}");
    let outputs = stack.outputs();
    assert_eq!(outputs["apiRepositoryUrl"], format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/platform/api"));
    let ecr = moto.ecr().await;
    let api = ecr.describe_repositories().repository_names("platform/api").send().await.unwrap();
    let api = &api.repositories()[0];
    assert_eq!(api.image_tag_mutability().unwrap().as_str(), "IMMUTABLE_WITH_EXCLUSION");
    assert_eq!(api.encryption_configuration().unwrap().kms_key(), Some(key.as_str()));
    stack.ok(&["destroy"]);
    assert!(!moto.exists("platform/api").await, "destroy removes the repository");
}

fn stack_for(lang: &str, moto: &Moto) -> Stack {
    let tarball = artifact(&format!("pulumi-resource-awsecr-v{VERSION}-linux-amd64.tar.gz"));
    Stack::with_plugin(&root().join("examples").join(lang), moto, &tarball)
}

#[tokio::test]
async fn npm_package_installs_and_runs_the_example() {
    let tgz = artifact(&format!("pulumi-awsecr-awsecr-{VERSION}.tgz"));
    let moto = Moto::start();
    let stack = stack_for("typescript", &moto);
    rewrite(&stack.project.join("package.json"), "file:../../sdk/nodejs/bin", &format!("file:{}", tgz.display()));
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"])
        .current_dir(&stack.project));
    let installed = stack.project.join("node_modules/@pulumi-awsecr/awsecr/package.json");
    let installed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(installed).unwrap()).unwrap();
    assert_eq!(installed["version"], VERSION);
    example_up_and_destroy(&stack, &moto).await;
}

#[tokio::test]
async fn python_wheel_installs_into_a_fresh_venv_and_runs_the_example() {
    let wheel = artifact(&format!("pulumi_awsecr-{VERSION}-py3-none-any.whl"));
    let moto = Moto::start();
    let stack = stack_for("python", &moto);
    // Pulumi.yaml says `virtualenv: venv`: a new one, in the project.
    let venv = stack.project.join("venv");
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(&wheel)
        .arg(format!("pulumi=={}", pulumi_version())));
    let shown = run(Command::new(venv.join("bin/pip")).args(["show", "--files", "pulumi_awsecr"]));
    assert!(shown.contains(&format!("Version: {VERSION}")) && shown.contains("py.typed"), "{shown}");
    example_up_and_destroy(&stack, &moto).await;
}

#[tokio::test]
async fn go_module_builds_the_example_with_a_replace() {
    let zip = artifact(&format!("awsecr-go-sdk-v{VERSION}.zip"));
    let moto = Moto::start();
    let stack = stack_for("go", &moto);
    // The module zip unpacks to <module>@v<version>/, as in Go's module cache.
    let modules = stack.project.parent().unwrap().join("modules");
    run(Command::new("python3")
        .args(["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])"])
        .arg(&zip)
        .arg(&modules));
    let module = modules.join(format!("{GO_MODULE}@v{VERSION}"));
    let go_mod =
        std::fs::read_to_string(module.join("go.mod")).unwrap_or_else(|e| panic!("{}/go.mod: {e}", module.display()));
    assert_eq!(go_mod.lines().next(), Some(format!("module {GO_MODULE}").as_str()));
    // The module's folder in the schema's repository is its tag's prefix:
    // sdk/v<version>.
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schema.json")).unwrap()).unwrap();
    let repository = schema["repository"].as_str().expect("schema.json names its repository");
    assert_eq!(format!("https://{GO_MODULE}"), format!("{repository}/sdk"));
    assert!(root().join("sdk/go.mod").is_file(), "the repository's sdk/ holds no go.mod");
    // The package the programs import is <module>/go/awsecr, and the zip holds
    // only what git keeps (no node_modules, no build output).
    assert!(module.join("go/awsecr/pulumi-plugin.json").is_file(), "{} lacks go/awsecr", module.display());
    assert!(module.join("LICENSE").is_file(), "{} lacks LICENSE", module.display());
    for unwanted in ["nodejs/node_modules", "nodejs/bin", "python/build"] {
        assert!(!module.join(unwanted).exists(), "the module zip holds {unwanted}");
    }
    rewrite(
        &stack.project.join("go.mod"),
        &format!("{GO_MODULE} => ../../sdk\n"),
        &format!("{GO_MODULE} => {}\n", module.display()),
    );
    example_up_and_destroy(&stack, &moto).await;
}
