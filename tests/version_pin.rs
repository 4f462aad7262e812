//! The Pulumi version pin: `tools/pulumi/VERSION` is the one place the Pulumi
//! version is written. Scripts read it (`scripts/lib.sh`); files that must
//! state a version themselves (go.mod, go.sum, package.json, requirements.txt,
//! pyproject.toml, schema.json's language dependencies, the generated SDKs,
//! README) are found by scanning the whole tree for the forms Pulumi
//! versions are written in, and each one must agree with the pin. A mention
//! of the pinned version in a form this file does not know fails too, so a new
//! literal cannot slip past the check.
//!
//! The extra CLIs the end-to-end YAML tests also run against
//! (`tools/pulumi/compat/<name>`: the newest and the oldest of the README's
//! supported range) state other versions on purpose. Each has its own pin,
//! `tools/pulumi/compat/<name>/VERSION`, and the files under its directory are
//! checked against that one the same way. The README's "Pulumi CLI" statements
//! may name any tested CLI, and its supported range must be exactly the oldest
//! to the newest of them.

use std::path::{Path, PathBuf};

const PIN: &str = "tools/pulumi/VERSION";

/// The extra CLIs, one directory each with its own `VERSION`.
const COMPAT: &str = "tools/pulumi/compat/";

/// Paths (prefixes, relative to the root) that state other Pulumi versions on
/// purpose, with the reason.
const EXEMPT: &[(&str, &str)] = &[
    (
        "tools/pulumi/yaml/",
        "the YAML host's module requires the Pulumi modules of its pulumi-yaml release, not the pin",
    ),
    (
        "tools/pulumi/compat/newest/yaml/",
        "the newest CLI's YAML host requires the Pulumi modules of its pulumi-yaml release",
    ),
    (
        "tools/pulumi/compat/oldest/yaml/",
        "the oldest CLI's YAML host requires the Pulumi modules of its pulumi-yaml release",
    ),
    ("docs/performance.md", "records the version one benchmark run measured; bench/run.sh writes it"),
    ("tests/version_pin.rs", "this checker, whose own samples disagree on purpose"),
];

/// Directories never scanned: version control, build outputs, installed
/// dependencies.
const SKIP_DIRS: &[&str] = &[".git", "target", "node_modules", "dist", "bin", "build", "__pycache__", "venv", ".venv"];

/// The forms a Pulumi version is written in: the text right before the
/// version (comparison operators and a `v` may sit between the two).
struct Form {
    prefix: &'static str,
    what: &'static str,
    /// Only when a comparison operator follows the prefix (`pulumi==`, not `pulumi up`).
    needs_operator: bool,
}

const FORMS: &[Form] = &[
    Form { prefix: "github.com/pulumi/pulumi/pkg/v3 ", what: "Go module pkg/v3", needs_operator: false },
    Form { prefix: "github.com/pulumi/pulumi/sdk/v3 ", what: "Go module sdk/v3", needs_operator: false },
    Form { prefix: "\"@pulumi/pulumi\": \"", what: "npm dependency @pulumi/pulumi", needs_operator: false },
    Form { prefix: "@pulumi/pulumi@", what: "npm package @pulumi/pulumi", needs_operator: false },
    Form { prefix: "`@pulumi/pulumi` ", what: "@pulumi/pulumi requirement", needs_operator: false },
    Form { prefix: "\"pulumi\": \"", what: "Python dependency pulumi", needs_operator: false },
    Form { prefix: "pulumi", what: "Python requirement pulumi", needs_operator: true },
    Form { prefix: "Pulumi CLI ", what: CLI_FORM, needs_operator: false },
];

/// A statement of a Pulumi CLI version, which may name any CLI the tests run.
const CLI_FORM: &str = "Pulumi CLI version";

const OPERATORS: &[char] = &['=', '<', '>', '~', '!', '^'];

/// One statement of a Pulumi version found in a file.
#[derive(Debug, PartialEq)]
struct Statement {
    line: usize,
    what: &'static str,
    version: String,
    /// Byte range of the version in the line.
    span: (usize, usize),
    /// go.sum's `/go.mod` lines may name any version of the module graph:
    /// recognised, not compared.
    compared: bool,
}

/// The three-number version at the start of `s`, if any.
fn version_at(s: &str) -> Option<&str> {
    let bytes = s.as_bytes();
    let mut end = 0;
    let mut parts = 0;
    loop {
        let start = end;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            return None;
        }
        parts += 1;
        if parts == 3 {
            break;
        }
        if bytes.get(end) != Some(&b'.') {
            return None;
        }
        end += 1;
    }
    // Not the start of a longer number (3.248.0.1 or 3.248.01).
    match bytes.get(end) {
        Some(b) if b.is_ascii_digit() => None,
        Some(b'.') if bytes.get(end + 1).is_some_and(u8::is_ascii_digit) => None,
        _ => Some(&s[..end]),
    }
}

/// Whether `c` can continue a name, so that `pulumi` right after it is part
/// of another word (`pulumi_awsecr`, `@pulumi-awsecr/pulumi`).
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_./@".contains(c)
}

/// Every statement of a Pulumi version in `text`.
fn statements(path: &str, text: &str) -> Vec<Statement> {
    let go_sum = path.ends_with("go.sum");
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for form in FORMS {
            let mut from = 0;
            while let Some(at) = line[from..].find(form.prefix).map(|i| i + from) {
                from = at + form.prefix.len();
                let starts_word = form.prefix.starts_with(|c: char| c.is_ascii_alphanumeric());
                if starts_word && line[..at].chars().next_back().is_some_and(name_char) {
                    continue;
                }
                let rest = &line[from..];
                let after_operator = rest.trim_start_matches(|c| OPERATORS.contains(&c));
                if form.needs_operator && after_operator.len() == rest.len() {
                    continue;
                }
                let after_v = after_operator.trim_start_matches(' ').strip_prefix('v');
                let candidate = after_v.unwrap_or_else(|| after_operator.trim_start_matches(' '));
                let Some(version) = version_at(candidate) else { continue };
                let start = line.len() - candidate.len();
                let end = start + version.len();
                found.push(Statement {
                    line: index + 1,
                    what: form.what,
                    version: version.to_string(),
                    span: (start, end),
                    compared: !(go_sum && line[end..].starts_with("/go.mod ")),
                });
            }
        }
    }
    found
}

/// Code must read the pin rather than state it.
fn is_code(path: &str) -> bool {
    path.starts_with(".ci/") || [".sh", ".py", ".rs"].iter().any(|ext| path.ends_with(ext))
}

/// Where `version` occurs in `line` as a whole three-number version.
fn occurrences(line: &str, version: &str) -> Vec<usize> {
    let mut at = Vec::new();
    let mut from = 0;
    while let Some(i) = line[from..].find(version).map(|i| i + from) {
        from = i + 1;
        let before = line[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_digit() || c == '.') {
            continue;
        }
        if version_at(&line[i..]) == Some(version) {
            at.push(i);
        }
    }
    at
}

/// The pins: the project's, and one per extra CLI.
struct Pins {
    pin: String,
    /// (directory under `COMPAT`, its version)
    compat: Vec<(String, String)>,
}

impl Pins {
    fn only(pin: &str) -> Pins {
        Pins { pin: pin.to_string(), compat: Vec::new() }
    }

    /// The version files under `path` must state, and the file that pins it.
    fn for_path(&self, path: &str) -> (&str, String) {
        for (name, version) in &self.compat {
            if path.strip_prefix(COMPAT).and_then(|p| p.strip_prefix(name.as_str())).is_some_and(|p| p.starts_with('/'))
            {
                return (version, format!("{COMPAT}{name}/VERSION"));
            }
        }
        (&self.pin, PIN.to_string())
    }

    /// Every version a CLI is tested with.
    fn tested(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.pin.as_str()).chain(self.compat.iter().map(|(_, v)| v.as_str()))
    }
}

/// What is wrong with one file against the pin: one sentence per line at
/// fault, naming the file and the line.
fn check(pins: &Pins, path: &str, text: &str) -> Vec<String> {
    if EXEMPT.iter().any(|(prefix, _)| path.starts_with(prefix)) {
        return Vec::new();
    }
    let (pin, pin_file) = pins.for_path(path);
    let found = statements(path, text);
    let mut problems = Vec::new();
    for s in &found {
        if is_code(path) {
            problems.push(format!(
                "{path}:{}: states Pulumi {} ({}); scripts and code read {PIN} (scripts/lib.sh: pulumi_version) instead",
                s.line, s.version, s.what
            ));
        } else if s.what == CLI_FORM && pins.tested().any(|v| v == s.version) {
            // A Pulumi CLI the tests run: the pinned one or an extra one.
        } else if s.compared && s.version != pin {
            problems.push(format!("{path}:{}: {} is {}, but {pin_file} pins {pin}", s.line, s.what, s.version));
        }
    }
    for (index, line) in text.lines().enumerate() {
        for at in occurrences(line, pin) {
            let known = found.iter().any(|s| s.line == index + 1 && s.span.0 == at);
            if !known {
                problems.push(format!(
                    "{path}:{}: mentions the pinned version {pin} in a form tests/version_pin.rs does not check; \
                     read {PIN} instead, or teach tests/version_pin.rs this form",
                    index + 1
                ));
            }
        }
    }
    problems
}

/// The pinned version: one line, three numbers.
fn read_pin(text: &str) -> Result<&str, String> {
    let version = text.strip_suffix('\n').unwrap_or(text);
    if version.contains('\n') || version_at(version) != Some(version) {
        return Err(format!("{PIN} must hold one line with one version such as 3.1.0, got {text:?}"));
    }
    Ok(version)
}

/// The project's pin and every extra CLI's.
fn read_pins(root: &Path) -> Pins {
    let text = std::fs::read_to_string(root.join(PIN)).unwrap_or_else(|e| panic!("{PIN}: {e}"));
    let pin = read_pin(&text).unwrap_or_else(|e| panic!("{e}")).to_string();
    let mut compat = Vec::new();
    for entry in std::fs::read_dir(root.join(COMPAT)).unwrap_or_else(|e| panic!("{COMPAT}: {e}")) {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let file = format!("{COMPAT}{name}/VERSION");
        let text = std::fs::read_to_string(root.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let version = read_pin(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        compat.push((name, version.to_string()));
    }
    compat.sort();
    Pins { pin, compat }
}

/// A version as numbers, to order versions.
fn numbers(version: &str) -> Vec<u64> {
    version.split('.').map(|n| n.parse().unwrap()).collect()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every text file of the tree, as (path relative to the root, text).
fn files(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            let name = entry.file_name().to_string_lossy().to_string();
            if kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                if !SKIP_DIRS.contains(&name.as_str()) && !name.ends_with(".egg-info") {
                    dirs.push(entry.path());
                }
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            if text.contains('\0') {
                continue;
            }
            let path = entry.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((path, text));
        }
    }
    out.sort();
    out
}

#[test]
fn every_file_agrees_with_the_pulumi_version_pin() {
    let root = root();
    let pins = read_pins(&root);
    let pin = pins.pin.as_str();
    let files = files(&root);
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for (path, text) in &files {
        let is_compat_pin =
            path.strip_prefix(COMPAT).is_some_and(|p| p.split_once('/').is_some_and(|(_, f)| f == "VERSION"));
        if path == PIN || is_compat_pin {
            continue;
        }
        problems.extend(check(&pins, path, text));
        if statements(path, text).iter().any(|s| s.compared) && !EXEMPT.iter().any(|(p, _)| path.starts_with(p)) {
            checked.push(path.as_str());
        }
    }
    assert!(
        problems.is_empty(),
        "files that disagree with {PIN} ({pin}); see README, \"The Pulumi version\":\n{}",
        problems.join("\n")
    );
    // The scan finds what it must: a rule that stopped matching would pass
    // everything silently.
    for expected in [
        "README.md",
        "examples/go/go.mod",
        "examples/go/go.sum",
        "examples/python/requirements.txt",
        "examples/typescript/package.json",
        "examples/typescript-component/package.json",
        "schema.json",
        "sdk/go.mod",
        "sdk/nodejs/package.json",
        "sdk/python/pyproject.toml",
        "tests/e2e/go-import/go.mod",
        "tests/e2e/typescript-functions/package.json",
        "tests/e2e/typescript-import/package.json",
        "tests/requirements.txt",
        "tools/bench-peer/go.mod",
        "tools/pulumi/cli/go.mod",
        "tools/pulumi/cli/go.sum",
        "tools/pulumi/hosts/go.mod",
        "tools/pulumi/compat/newest/cli/go.mod",
        "tools/pulumi/compat/newest/cli/go.sum",
        "tools/pulumi/compat/oldest/cli/go.mod",
        "tools/pulumi/compat/oldest/cli/go.sum",
    ] {
        assert!(checked.contains(&expected), "{expected} states the Pulumi version but was not checked: {checked:?}");
    }
}

/// The README claims exactly the range the tests run: from the oldest tested
/// CLI to the newest, and the extra CLIs are the newest and the oldest.
#[test]
fn the_readme_claims_the_tested_cli_range() {
    let root = root();
    let pins = read_pins(&root);
    let names: Vec<&str> = pins.compat.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["newest", "oldest"], "the extra CLIs of {COMPAT}");
    let by_name = |name: &str| pins.compat.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap();
    let (oldest, newest) = (by_name("oldest"), by_name("newest"));
    for v in pins.tested() {
        assert!(numbers(oldest) <= numbers(v) && numbers(v) <= numbers(newest), "{v} outside {oldest}..{newest}");
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let claim = format!("Pulumi CLI v{oldest} to v{newest}");
    assert!(readme.contains(&claim), "README.md states the supported range as \"{claim}\"");
}

#[test]
fn scripts_read_the_pin() {
    for script in ["scripts/pulumi-toolchain.sh", "sdk-gen/gen.sh", "sdk-gen/build.sh"] {
        let text = std::fs::read_to_string(root().join(script)).unwrap();
        assert!(text.contains("$(pulumi_version)"), "{script} reads the version with pulumi_version");
    }
    let lib = std::fs::read_to_string(root().join("scripts/lib.sh")).unwrap();
    assert!(lib.contains(PIN), "scripts/lib.sh reads {PIN}");
}

#[test]
fn the_pin_is_one_version() {
    assert_eq!(read_pin("3.248.0\n"), Ok("3.248.0"));
    assert_eq!(read_pin("3.248.0"), Ok("3.248.0"));
    for bad in ["v3.248.0\n", "3.248\n", "3.248.0\n3.249.0\n", "", "3.248.0 \n", "latest\n"] {
        assert!(read_pin(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn every_form_is_recognised() {
    let samples = [
        ("go.mod", "\tgithub.com/pulumi/pulumi/sdk/v3 v3.248.0", "Go module sdk/v3"),
        ("go.mod", "\tgithub.com/pulumi/pulumi/pkg/v3 v3.248.0 // indirect", "Go module pkg/v3"),
        ("go.sum", "github.com/pulumi/pulumi/sdk/v3 v3.248.0 h1:TwY9=", "Go module sdk/v3"),
        ("package.json", r#"        "@pulumi/pulumi": "^3.248.0""#, "npm dependency @pulumi/pulumi"),
        ("README.md", "npm install @pulumi/pulumi@3.248.0", "npm package @pulumi/pulumi"),
        ("README.md", "Needs `@pulumi/pulumi` 3.248.0 or later", "@pulumi/pulumi requirement"),
        ("schema.json", r#"        "pulumi": ">=3.248.0,<4.0.0""#, "Python dependency pulumi"),
        ("requirements.txt", "pulumi==3.248.0", "Python requirement pulumi"),
        (
            "pyproject.toml",
            r#"dependencies = ["parver>=0.2.1", "pulumi>=3.248.0,<4.0.0"]"#,
            "Python requirement pulumi",
        ),
        ("README.md", "next to `pulumi>=3.248.0`;", "Python requirement pulumi"),
        ("docs.md", "Python 3.11.7; Pulumi CLI v3.248.0; moto 5.2.5", "Pulumi CLI version"),
    ];
    for (path, line, what) in samples {
        let found = statements(path, line);
        assert_eq!(found.len(), 1, "{line}: {found:?}");
        assert_eq!((found[0].what, found[0].version.as_str()), (what, "3.248.0"), "{line}");
        assert_eq!(&line[found[0].span.0..found[0].span.1], "3.248.0", "{line}");
        assert!(check(&Pins::only("3.248.0"), path, line).is_empty(), "{line}");
    }
    // Words that only look like a statement.
    for line in [
        "pulumi up --yes",
        "pulumi_awsecr==0.1.0",
        "@pulumi-awsecr/pulumi==1.2.3",
        "pulumi-awsecr>=0.1.0",
        "github.com/pulumi/pulumi-yaml v1.32.0",
        "The Pulumi CLI and its hosts",
        "pulumi>=3.248",
    ] {
        assert_eq!(statements("README.md", line), vec![], "{line}");
    }
}

#[test]
fn a_disagreeing_file_is_named_with_its_line() {
    let go_mod = "module m\n\ngo 1.25\n\nrequire (\n\tgithub.com/pulumi/pulumi/sdk/v3 v3.247.0\n)\n";
    assert_eq!(
        check(&Pins::only("3.248.0"), "examples/go/go.mod", go_mod),
        ["examples/go/go.mod:6: Go module sdk/v3 is 3.247.0, but tools/pulumi/VERSION pins 3.248.0"]
    );
    let package = "{\n  \"dependencies\": {\n    \"@pulumi/pulumi\": \"^3.250.1\"\n  }\n}\n";
    assert_eq!(
        check(&Pins::only("3.248.0"), "sdk/nodejs/package.json", package),
        ["sdk/nodejs/package.json:3: npm dependency @pulumi/pulumi is 3.250.1, but tools/pulumi/VERSION pins 3.248.0"]
    );
    let requirements = "boto3\npulumi==3.100.0\n";
    let problems = check(&Pins::only("3.248.0"), "tests/requirements.txt", requirements);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("tests/requirements.txt:2: "), "{problems:?}");
    // A go.sum line of the module's content is compared; its /go.mod line may
    // name another version of the module graph.
    let go_sum =
        "github.com/pulumi/pulumi/sdk/v3 v3.230.0/go.mod h1:a=\ngithub.com/pulumi/pulumi/sdk/v3 v3.247.0 h1:b=\n";
    let problems = check(&Pins::only("3.248.0"), "tools/pulumi/cli/go.sum", go_sum);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("tools/pulumi/cli/go.sum:2: "), "{problems:?}");
}

#[test]
fn code_states_no_version_and_unknown_forms_fail() {
    let script = "set -euo pipefail\nnpm install @pulumi/pulumi@3.248.0\n";
    let problems = check(&Pins::only("3.248.0"), "sdk-gen/build.sh", script);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("sdk-gen/build.sh:2: ") && problems[0].contains("pulumi_version"), "{problems:?}");

    let script = "set -euo pipefail\nPULUMI_VERSION=v3.248.0\n";
    let problems = check(&Pins::only("3.248.0"), "scripts/pulumi-toolchain.sh", script);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("scripts/pulumi-toolchain.sh:2: ") && problems[0].contains("does not check"));

    // Not the pinned version: another number that merely contains it.
    assert!(check(&Pins::only("3.248.0"), "README.md", "version 13.248.0 and 3.248.01 and 3.248.0.1").is_empty());
    // Exempt paths state other versions on purpose.
    assert!(
        check(&Pins::only("3.248.0"), "tools/pulumi/yaml/go.mod", "\tgithub.com/pulumi/pulumi/sdk/v3 v3.230.0\n")
            .is_empty()
    );
}

#[test]
fn an_extra_cli_is_checked_against_its_own_pin() {
    let pins = Pins {
        pin: "3.248.0".to_string(),
        compat: vec![("newest".to_string(), "3.276.0".to_string()), ("oldest".to_string(), "3.142.0".to_string())],
    };
    let go_mod = "\tgithub.com/pulumi/pulumi/pkg/v3 v3.276.0 // indirect\n";
    assert!(check(&pins, "tools/pulumi/compat/newest/cli/go.mod", go_mod).is_empty());
    assert_eq!(
        check(&pins, "tools/pulumi/compat/oldest/cli/go.mod", go_mod),
        [
            "tools/pulumi/compat/oldest/cli/go.mod:1: Go module pkg/v3 is 3.276.0, but tools/pulumi/compat/oldest/VERSION pins 3.142.0"
        ]
    );
    // Elsewhere the project's pin holds, and a directory merely starting
    // with an extra CLI's name is not that CLI's.
    assert_eq!(check(&pins, "tools/bench-peer/go.mod", go_mod).len(), 1);
    assert_eq!(check(&pins, "tools/pulumi/compat/newest-but-not/go.mod", go_mod).len(), 1);
    // The project's pin mentioned under an extra CLI in an unknown form is
    // no mention of the pin there.
    assert!(check(&pins, "tools/pulumi/compat/newest/cli/go.mod", "// built next to 3.248.0\n").is_empty());
    // "Pulumi CLI" statements may name any tested CLI, and no other.
    assert!(check(&pins, "README.md", "the Pulumi CLI v3.142.0 to v3.276.0").is_empty());
    assert!(check(&pins, "README.md", "Pulumi CLI v3.276.0 on CI").is_empty());
    assert_eq!(check(&pins, "README.md", "Pulumi CLI v3.200.0").len(), 1);
    // Other forms still state the project's pin, whatever the extra CLIs are.
    assert_eq!(check(&pins, "README.md", "npm install @pulumi/pulumi@3.276.0").len(), 1);
}
