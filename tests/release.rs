//! Release artifacts: `scripts/release.sh --host-only` packages this build's
//! plugin (linux-amd64 tarball) and the three SDK packages into one folder
//! with SHA256SUMS, checking each. Then they are installed exactly as
//! docs/installation-configuration.md, section "From a release's files",
//! says: each ```sh block of that section runs as written, in bash, in the
//! program's folder, with `DIST` the release folder (README's section of the
//! same name must show the same blocks). The plugin from its tarball, the
//! npm package, the wheel into a new venv, the Go module unpacked with a
//! `replace` (each followed by the example program of its language against
//! the emulator, up then destroy) and the Go module served from a folder as
//! a module proxy (the example then builds).
//!
//! The environment stands in for the network (tests talk to 127.0.0.1 only):
//! npm prefers its cache, pip is held to the pinned `pulumi` by a constraint
//! file, and Go's "usual proxy" is the local module cache's download folder.
//!
//! The cross-compiled platforms are a release step (`bash
//! scripts/release.sh`), checked there, not here.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::pulumi::Stack;
use common::*;

/// Where the install steps are written; this test runs them as written.
const DOC: &str = "docs/installation-configuration.md";
const SECTION: &str = "### From a release's files";

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

/// The ```sh blocks of the section `heading` of a Markdown file (up to the
/// next heading of its level or above), in order.
fn section_blocks(file: &str, heading: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut lines = text.lines().skip_while(|l| *l != heading);
    assert!(lines.next().is_some(), "{file} has no {heading}");
    let mut blocks = Vec::new();
    let mut block: Option<Vec<&str>> = None;
    for line in lines {
        match &mut block {
            Some(b) if line == "```" => {
                blocks.push(b.join("\n"));
                block = None;
            }
            Some(b) => b.push(line),
            None if line == "```sh" => block = Some(Vec::new()),
            None if line.starts_with('#') && line.chars().take_while(|c| *c == '#').count() <= level => break,
            None => {}
        }
    }
    blocks
}

/// The one block of the documented steps that contains `marker`.
fn step(marker: &str) -> String {
    let blocks = section_blocks(DOC, SECTION);
    let found: Vec<&String> = blocks.iter().filter(|b| b.contains(marker)).collect();
    assert_eq!(found.len(), 1, "{DOC}, {SECTION}: one block with {marker:?}, found {found:?}");
    found[0].clone()
}

/// Runs a documented step (bash, in the project, DIST the release folder).
fn run_step(stack: &Stack, marker: &str, env: &[(&str, &std::ffi::OsStr)]) -> String {
    let mut cmd = stack.shell(&step(marker));
    cmd.env("DIST", dist());
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd)
}

/// The plugin, installed by the documented step; the one installed is the
/// tarball's (a binary installed with --file comes without README.md and
/// LICENSE).
fn install_plugin(stack: &Stack) {
    run_step(stack, "pulumi plugin install", &[]);
    let plugin = stack.home().join(format!("plugins/resource-awsecr-v{VERSION}"));
    for file in ["pulumi-resource-awsecr", "README.md", "LICENSE"] {
        assert!(plugin.join(file).is_file(), "{} lacks {file}", plugin.display());
    }
}

/// The example of `lang` as a program that does not use this SDK yet.
fn stack_for(lang: &str, moto: &Moto) -> Stack {
    let stack = Stack::without_plugin(&root().join("examples").join(lang), moto);
    install_plugin(&stack);
    stack
}

/// A Go program without the checkout's SDK: its go.mod neither requires
/// nor replaces the module.
fn drop_go_module(project: &Path) {
    let edit = format!("-dropreplace={GO_MODULE}");
    run(Command::new("go").args(["mod", "edit", &edit, &format!("-droprequire={GO_MODULE}")]).current_dir(project));
    let go_mod = std::fs::read_to_string(project.join("go.mod")).unwrap();
    assert!(!go_mod.contains(GO_MODULE), "{go_mod}");
}

/// The steps are the doc's, and README shows the same ones.
#[test]
fn readme_shows_the_documented_install_steps() {
    let doc = section_blocks(DOC, SECTION);
    for marker in ["pulumi plugin install", "npm install", "pip install", "go mod edit", "GOPROXY="] {
        step(marker);
    }
    assert_eq!(doc.len(), 5, "{doc:#?}");
    assert_eq!(section_blocks("README.md", SECTION), doc, "README.md, {SECTION}: the commands of {DOC}");
    for block in &doc {
        assert!(block.contains(VERSION), "the steps name this version's files: {block}");
    }
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

#[tokio::test]
async fn npm_package_installs_and_runs_the_example() {
    artifact(&format!("pulumi-awsecr-awsecr-{VERSION}.tgz"));
    let moto = Moto::start();
    let stack = stack_for("typescript", &moto);
    // A program without the SDK: package.json names @pulumi/pulumi only.
    let path = stack.project.join("package.json");
    let mut package: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    package["dependencies"].as_object_mut().unwrap().remove("@pulumi-awsecr/awsecr").expect("the example's SDK");
    std::fs::write(&path, serde_json::to_string_pretty(&package).unwrap()).unwrap();
    let offline = [
        ("npm_config_prefer_offline", "true".as_ref()),
        ("npm_config_audit", "false".as_ref()),
        ("npm_config_fund", "false".as_ref()),
        ("npm_config_loglevel", "error".as_ref()),
    ];
    run_step(&stack, "npm install", &offline);
    let package: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        package["dependencies"]["@pulumi-awsecr/awsecr"].as_str().is_some_and(|s| s.ends_with(".tgz")),
        "npm recorded the tarball in package.json: {package}"
    );
    let installed = stack.project.join("node_modules/@pulumi-awsecr/awsecr/package.json");
    let installed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(installed).unwrap()).unwrap();
    assert_eq!(installed["version"], VERSION);
    example_up_and_destroy(&stack, &moto).await;
}

#[tokio::test]
async fn python_wheel_installs_into_a_fresh_venv_and_runs_the_example() {
    artifact(&format!("pulumi_awsecr-{VERSION}-py3-none-any.whl"));
    let moto = Moto::start();
    let stack = stack_for("python", &moto);
    // Pulumi.yaml says `virtualenv: venv`: the step makes it in the project.
    // pip takes the pinned pulumi (the SDK allows any later 3.x).
    let constraints = stack.scratch().join("constraints.txt");
    std::fs::write(&constraints, format!("pulumi=={}\n", pulumi_version())).unwrap();
    let quiet = [
        ("PIP_CONSTRAINT", constraints.as_os_str()),
        ("PIP_QUIET", "1".as_ref()),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1".as_ref()),
    ];
    run_step(&stack, "pip install", &quiet);
    let venv = stack.project.join("venv");
    let shown = run(Command::new(venv.join("bin/pip")).args(["show", "--files", "pulumi_awsecr"]));
    assert!(shown.contains(&format!("Version: {VERSION}")) && shown.contains("py.typed"), "{shown}");
    let shown = run(Command::new(venv.join("bin/pip")).args(["show", "pulumi"]));
    assert!(shown.contains(&format!("Version: {}", pulumi_version())), "{shown}");
    example_up_and_destroy(&stack, &moto).await;
}

#[tokio::test]
async fn go_module_builds_the_example_with_a_replace() {
    artifact(&format!("awsecr-go-sdk-v{VERSION}.zip"));
    let moto = Moto::start();
    let stack = stack_for("go", &moto);
    drop_go_module(&stack.project);
    run_step(&stack, "go mod edit", &[]);
    // The module zip unpacks to <module>@v<version>/, as in Go's module
    // cache, next to the program (the step's ../awsecr-go-sdk).
    let module = stack.project.parent().unwrap().join("awsecr-go-sdk").join(format!("{GO_MODULE}@v{VERSION}"));
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
    let go_mod = std::fs::read_to_string(stack.project.join("go.mod")).unwrap();
    assert!(go_mod.contains(&format!("{GO_MODULE} => ../awsecr-go-sdk/{GO_MODULE}@v{VERSION}")), "{go_mod}");
    example_up_and_destroy(&stack, &moto).await;
}

/// The Go module served from a folder laid out as a module proxy: go.mod
/// requires it with no replace, and the program builds against it; once
/// fetched, a build needs neither the folder nor GONOSUMDB (the docs say
/// so). HOME and Go's module cache are the test's own, so the module never
/// reaches the machine's cache; the machine's cache's download folder stands
/// in for the usual proxy.
#[test]
fn go_module_served_from_a_folder_builds_the_example() {
    artifact(&format!("awsecr-go-sdk-v{VERSION}.zip"));
    let dir = TempDir::new("go-proxy");
    let project = dir.path().join("project");
    common::inspect::copy_dir(&root().join("examples/go"), &project, &[]);
    drop_go_module(&project);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let go_env = |key: &str| run(Command::new("go").args(["env", key])).trim().to_string();
    let usual = format!("file://{}/cache/download", go_env("GOMODCACHE"));
    let go = |cmd: &mut Command| {
        cmd.current_dir(&project)
            .env("HOME", &home)
            .env("GOMODCACHE", dir.path().join("modcache"))
            .env("GOCACHE", go_env("GOCACHE"))
            .env("GOPROXY", &usual)
            .env("GOFLAGS", "-modcacherw -buildvcs=false")
            .env_remove("GONOSUMDB")
            .env_remove("GOPRIVATE");
        run(cmd)
    };
    go(Command::new("bash").args(["-euo", "pipefail", "-c", &step("GOPROXY=")]).env("DIST", dist()));
    let go_mod = std::fs::read_to_string(project.join("go.mod")).unwrap();
    assert!(go_mod.contains(&format!("{GO_MODULE} v{VERSION}")) && !go_mod.contains("replace"), "{go_mod}");
    go(Command::new("go").args(["build", "-trimpath", "-o", "/dev/null", "."]));
    let from = go(Command::new("go").args(["list", "-m", "-f", "{{.Dir}}", GO_MODULE]));
    assert_eq!(Path::new(from.trim()), dir.path().join(format!("modcache/{GO_MODULE}@v{VERSION}")));
}
