//! Packaging: the tarball scripts/package.sh builds installs with
//! `pulumi plugin install resource awsecr <version> --file <tarball>`, and the
//! installed plugin serves its schema to `pulumi package get-schema`.

mod common;

use std::process::Command;

use common::pulumi::toolchain;
use common::{TempDir, root};

#[test]
fn tarball_installs_and_serves_the_schema() {
    let dir = TempDir::new("package");
    let version = env!("CARGO_PKG_VERSION");
    let out = Command::new("bash")
        .arg(root().join("scripts/package.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_pulumi-resource-awsecr"), "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tarball = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(tarball.ends_with(&format!("pulumi-resource-awsecr-v{version}-linux-amd64.tar.gz")), "{tarball}");

    let listing = Command::new("tar").args(["-tzf", &tarball]).output().unwrap();
    let mut files: Vec<String> = String::from_utf8(listing.stdout).unwrap().lines().map(str::to_string).collect();
    files.sort();
    assert_eq!(files, ["LICENSE", "README.md", "pulumi-resource-awsecr"]);

    let pulumi = |args: &[&str]| {
        let out = Command::new(toolchain().join("pulumi"))
            .args(args)
            .current_dir(dir.path())
            .env("PULUMI_HOME", dir.path().join("home"))
            .env("PULUMI_SKIP_UPDATE_CHECK", "true")
            .env("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
            .env("PULUMI_IGNORE_AMBIENT_PLUGINS", "true")
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "pulumi {}: {text}", args.join(" "));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    pulumi(&["plugin", "install", "resource", "awsecr", version, "--file", &tarball]);
    let listed = pulumi(&["plugin", "ls"]);
    assert!(listed.contains("awsecr") && listed.contains(version), "{listed}");
    let schema: serde_json::Value = serde_json::from_str(&pulumi(&["package", "get-schema", "awsecr"])).unwrap();
    assert_eq!(schema["name"], "awsecr");
    assert_eq!(schema["version"], version);
    assert!(schema["resources"]["awsecr:index:Repository"].is_object());
}
