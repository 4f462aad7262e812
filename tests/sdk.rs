//! The generated SDKs: one version number everywhere, and the stale-SDK check
//! of sdk-gen/gen.sh fails after a schema edit and passes after regeneration.

mod common;

use std::path::Path;
use std::process::Command;

use common::inspect::copy_dir;
use common::{TempDir, root};

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
