//! The generated SDKs: one version number everywhere, the Python floor they
//! state is the one the `pulumi` package they need has, the Go floor the
//! docs state is the module's, and the stale-SDK check of sdk-gen/gen.sh
//! fails after a schema edit and passes after regeneration.

mod common;

use std::path::Path;
use std::process::Command;

use common::inspect::copy_dir;
use common::{TempDir, root, venv};

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn one_version_everywhere() {
    let version = env!("CARGO_PKG_VERSION");
    let schema: serde_json::Value = serde_json::from_str(&read("schema.json")).unwrap();
    assert_eq!(schema["version"], version, "schema.json");
    let package: serde_json::Value = serde_json::from_str(&read("sdk/nodejs/package.json")).unwrap();
    assert_eq!(package["version"], version, "sdk/nodejs/package.json");
    assert_eq!(package["pulumi"]["version"], version, "sdk/nodejs/package.json pulumi.version");
    assert!(
        read("sdk/python/pyproject.toml").contains(&format!("version = \"{version}\"")),
        "sdk/python/pyproject.toml"
    );
    for plugin in ["sdk/python/pulumi_awsecr/pulumi-plugin.json", "sdk/go/awsecr/pulumi-plugin.json"] {
        let p: serde_json::Value = serde_json::from_str(&read(plugin)).unwrap();
        assert_eq!(p["version"], version, "{plugin}");
    }
    assert!(
        read("sdk/go/awsecr/internal/pulumiUtilities.go").contains(&format!("semver.MustParse(\"{version}\")")),
        "sdk/go/awsecr/internal/pulumiUtilities.go"
    );
}

/// `3.10` out of `>=3.10` (the lower bound of a `>=` clause), as numbers.
fn lower_bound(spec: &str, what: &str) -> Vec<u32> {
    let clause = spec
        .split(',')
        .map(str::trim)
        .find_map(|c| c.strip_prefix(">="))
        .unwrap_or_else(|| panic!("{what}: no >= bound in {spec:?}"));
    clause.trim().split('.').map(|n| n.parse().unwrap_or_else(|_| panic!("{what}: {spec:?}"))).collect()
}

fn dotted(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

/// The Python floor of the SDK (`requires-python` of sdk/python/pyproject.toml,
/// generated from schema.json's `language.python.pythonRequires`) is not lower
/// than the one of the oldest `pulumi` the SDK accepts, as that package's own
/// metadata says (the test venv holds it: tests/requirements.txt pins it), so
/// pip never installs the SDK where its `pulumi` cannot go; and the docs state
/// that floor.
#[test]
fn python_floor_is_not_below_what_pulumi_requires() {
    let pyproject = read("sdk/python/pyproject.toml");
    let field = |key: &str| -> String {
        let line = pyproject
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(&format!("{key} =")))
            .unwrap_or_else(|| panic!("sdk/python/pyproject.toml has no {key}"));
        line.split_once('=').unwrap().1.trim().to_string()
    };
    let floor = lower_bound(field("requires-python").trim_matches('"'), "requires-python");
    let dependencies = field("dependencies");
    let pulumi_spec = dependencies
        .split('"')
        .find_map(|d| d.strip_prefix("pulumi").filter(|rest| rest.starts_with(['>', '=', '<', '~', '!'])))
        .unwrap_or_else(|| panic!("the SDK does not depend on pulumi: {dependencies}"));
    let oldest_pulumi = lower_bound(pulumi_spec, "the SDK's pulumi requirement");

    let out = Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('pulumi')); print(m.metadata('pulumi')['Requires-Python'])",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let (installed, requires) = text.trim().split_once('\n').expect("a version and Requires-Python");
    assert_eq!(
        installed.split('.').map(|n| n.parse::<u32>().unwrap()).collect::<Vec<_>>(),
        oldest_pulumi,
        "the test venv's pulumi is the oldest the SDK accepts ({pulumi_spec}), so its metadata is the one to compare"
    );
    let pulumi_floor = lower_bound(requires, "pulumi's Requires-Python");
    assert!(
        floor >= pulumi_floor,
        "the SDK says Python {} or later, but pulumi {installed} needs {requires}: set language.python.pythonRequires \
         in schema.json and run sdk-gen/gen.sh",
        dotted(&floor)
    );

    // Every "Python 3.N or later" a user reads is the SDK's floor.
    let stated = format!("Python {} or later", dotted(&floor));
    for doc in ["README.md", "docs/installation-configuration.md"] {
        let text = read(doc);
        assert!(text.contains(&stated), "{doc} states \"{stated}\"");
        for (at, _) in text.match_indices("Python 3.") {
            let rest = &text[at + "Python ".len()..];
            let version: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            if rest[version.len()..].starts_with(" or later") {
                assert_eq!(format!("Python {version} or later"), stated, "{doc}");
            }
        }
    }
}

/// The Go floor users read is the `go` line of the Go SDK's module
/// (sdk/go.mod, written by `go mod tidy` in sdk-gen/gen.sh): a program whose
/// Go is older cannot build against it.
#[test]
fn go_floor_is_the_one_the_module_states() {
    let go_mod = read("sdk/go.mod");
    let floor = go_mod
        .lines()
        .find_map(|l| l.strip_prefix("go "))
        .unwrap_or_else(|| panic!("sdk/go.mod has no go line"))
        .trim()
        .to_string();
    for doc in ["README.md", "docs/installation-configuration.md"] {
        let text = read(doc);
        let mut stated = 0;
        for (at, _) in text.match_indices("Go ") {
            let rest = text[at + 3..].trim_start_matches('(');
            let version: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            if !version.is_empty() && rest[version.len()..].starts_with(" or later") {
                assert_eq!(version, floor, "{doc} says Go {version} or later; sdk/go.mod says go {floor}");
                stated += 1;
            }
        }
        assert!(stated > 0, "{doc} states no \"Go {floor} or later\"");
    }
}

fn generate(dir: &Path, check: bool) -> (bool, String) {
    let mut cmd = Command::new("bash");
    cmd.arg(dir.join("sdk-gen/gen.sh"));
    if check {
        cmd.arg("--check");
    }
    let out = cmd.current_dir(dir).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn stale_sdk_check_fails_after_a_schema_edit_and_passes_after_regeneration() {
    let tree = TempDir::new("sdk-check");
    std::fs::copy(root().join("schema.json"), tree.path().join("schema.json")).unwrap();
    for dir in ["sdk", "sdk-gen", "scripts", "tools/pulumi"] {
        copy_dir(&root().join(dir), &tree.path().join(dir), &["node_modules", "bin", "__pycache__"]);
    }
    let (ok, text) = generate(tree.path(), true);
    assert!(ok, "the committed SDKs are current: {text}");

    let schema_path = tree.path().join("schema.json");
    let schema = std::fs::read_to_string(&schema_path).unwrap();
    let edited = schema
        .replace("Scan every pushed image for vulnerabilities.", "Scan each pushed image for known vulnerabilities.");
    assert_ne!(edited, schema, "the edit applies");
    std::fs::write(&schema_path, edited).unwrap();
    let (ok, text) = generate(tree.path(), true);
    assert!(!ok, "a schema edit makes the SDKs stale");
    assert!(text.contains("is stale") && text.contains("run 'bash sdk-gen/gen.sh'"), "{text}");

    let (ok, text) = generate(tree.path(), false);
    assert!(ok, "{text}");
    let (ok, text) = generate(tree.path(), true);
    assert!(ok, "regeneration makes them current again: {text}");
}
