//! What the docs tell a user to paste works where they paste it.
//!
//! Every GitHub Actions workflow shown in README.md and docs/ uses in each
//! `${{ ... }}` expression (and each `if:`) only the contexts GitHub makes
//! available at that place of a workflow: `runner` in a job's `env`, say,
//! makes GitHub reject the whole workflow. The table is GitHub's "Context
//! availability" (docs.github.com, Actions, "Contexts reference"), for the
//! keys docs here use; an expression at a key the table does not list fails
//! the test until the key's row is added from GitHub's table.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{root, venv};
use serde_json::Value as Json;

/// GitHub's context availability, per workflow key (a job's keys as
/// `jobs.<job_id>.<key>`, a step's as `jobs.<job_id>.steps.<key>`).
const AVAILABLE: &[(&str, &[&str])] = &[
    ("run-name", &["github", "inputs", "vars"]),
    ("concurrency", &["github", "inputs", "vars"]),
    ("env", &["github", "secrets", "inputs", "vars"]),
    ("jobs.<job_id>.concurrency", &["github", "needs", "strategy", "matrix", "inputs", "vars"]),
    ("jobs.<job_id>.continue-on-error", &["github", "needs", "strategy", "vars", "matrix", "inputs"]),
    ("jobs.<job_id>.defaults.run", &["github", "needs", "strategy", "matrix", "env", "vars", "inputs"]),
    ("jobs.<job_id>.env", &["github", "needs", "strategy", "matrix", "vars", "secrets", "inputs"]),
    ("jobs.<job_id>.environment", &["github", "needs", "strategy", "matrix", "vars", "inputs"]),
    ("jobs.<job_id>.if", &["github", "needs", "vars", "inputs"]),
    ("jobs.<job_id>.name", &["github", "needs", "strategy", "matrix", "vars", "inputs"]),
    (
        "jobs.<job_id>.outputs.<output_id>",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    ),
    ("jobs.<job_id>.runs-on", &["github", "needs", "strategy", "matrix", "vars", "inputs"]),
    ("jobs.<job_id>.strategy", &["github", "needs", "vars", "inputs"]),
    ("jobs.<job_id>.timeout-minutes", &["github", "needs", "strategy", "matrix", "vars", "inputs"]),
    (
        "jobs.<job_id>.steps.continue-on-error",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    ),
    (
        "jobs.<job_id>.steps.env",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    ),
    (
        "jobs.<job_id>.steps.if",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "steps", "inputs"],
    ),
    (
        "jobs.<job_id>.steps.name",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    ),
    (
        "jobs.<job_id>.steps.run",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    ),
    (
        "jobs.<job_id>.steps.timeout-minutes",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    ),
    (
        "jobs.<job_id>.steps.with",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    ),
    (
        "jobs.<job_id>.steps.working-directory",
        &["github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps", "inputs"],
    ),
];

/// Keys whose values take no expression (`uses`, `id`, `permissions`, ...):
/// an expression there fails like one at an unknown key.
const NO_EXPRESSIONS: &[&str] = &["jobs.<job_id>.permissions", "jobs.<job_id>.steps.uses", "jobs.<job_id>.steps.id"];

/// The fenced ```yaml blocks of a Markdown text.
fn yaml_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match &mut current {
            None if trimmed.starts_with("```yaml") || trimmed.starts_with("```yml") => current = Some(Vec::new()),
            None => {}
            Some(lines) if trimmed.starts_with("```") => {
                let indent = line.len() - trimmed.len();
                blocks.push(
                    lines.iter().map(|l| l.get(indent..).unwrap_or(l.trim_start())).collect::<Vec<_>>().join("\n"),
                );
                current = None;
            }
            Some(lines) => lines.push(line),
        }
    }
    blocks
}

/// Each text parsed as YAML (PyYAML, from the test venv) into JSON; an
/// object `{"error": ...}` where it does not parse.
fn parse_yaml(texts: &[String]) -> Vec<Json> {
    let script = r#"
import json, sys, yaml
out = []
for text in json.load(sys.stdin):
    try:
        out.append(yaml.safe_load(text))
    except yaml.YAMLError as e:
        out.append({"error": str(e)})
json.dump(out, sys.stdout, default=str)
"#;
    let mut child = Command::new(venv().join("bin/python"))
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(serde_json::to_string(texts).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The named values (contexts) an expression reads: identifiers that are
/// neither a property (after `.`), a function (before `(`), a literal, nor
/// inside a string literal.
fn contexts_of(expression: &str) -> Vec<String> {
    let chars: Vec<char> = expression.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let before = chars[..start].iter().rev().find(|c| !c.is_whitespace());
            let after = chars[i..].iter().find(|c| !c.is_whitespace());
            let literal = ["true", "false", "null"].contains(&word.as_str());
            if before != Some(&'.') && after != Some(&'(') && !literal {
                found.push(word);
            }
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    found
}

/// The expressions of a value at a key: each `${{ ... }}`, or for `if` the
/// whole text when it has none.
fn expressions(key: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else {
            out.push(rest[start + 3..].to_string());
            break;
        };
        out.push(rest[start + 3..start + len].to_string());
        rest = &rest[start + len + 2..];
    }
    if out.is_empty() && key.ends_with(".if") {
        out.push(text.to_string());
    }
    out
}

/// Every string in `value`, at any depth.
fn strings(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::String(s) => out.push(s.clone()),
        Json::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Json::Object(m) => m.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Checks the expressions found under `value` against the contexts `key` allows.
fn check_key(key: &str, value: &Json, problems: &mut Vec<String>) {
    let mut texts = Vec::new();
    strings(value, &mut texts);
    let allowed = AVAILABLE.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    for text in texts {
        for expression in expressions(key, &text) {
            match allowed {
                None if NO_EXPRESSIONS.contains(&key) => {
                    problems.push(format!("{key} takes no expression: {expression:?}"))
                }
                None => problems.push(format!(
                    "{key} holds {expression:?}: add its row of GitHub's context availability table to AVAILABLE"
                )),
                Some(allowed) => {
                    for context in contexts_of(&expression) {
                        if !allowed.contains(&context.as_str()) {
                            problems.push(format!(
                                "{key} uses `{context}` in {expression:?}; available there: {}",
                                allowed.join(", ")
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// The problems of one workflow (parsed); empty when every expression is in place.
fn check_workflow(workflow: &Json) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, value) in workflow.as_object().unwrap() {
        match key.as_str() {
            "jobs" | "on" | "true" | "name" | "permissions" => {}
            _ => check_key(key, value, &mut problems),
        }
    }
    for job in workflow["jobs"].as_object().unwrap().values() {
        for (key, value) in job.as_object().unwrap() {
            match key.as_str() {
                "steps" => {
                    for step in value.as_array().unwrap() {
                        for (key, value) in step.as_object().unwrap() {
                            check_key(&format!("jobs.<job_id>.steps.{key}"), value, &mut problems);
                        }
                    }
                }
                "outputs" => check_key("jobs.<job_id>.outputs.<output_id>", value, &mut problems),
                "defaults" => check_key("jobs.<job_id>.defaults.run", value, &mut problems),
                _ => check_key(&format!("jobs.<job_id>.{key}"), value, &mut problems),
            }
        }
    }
    problems
}

/// A GitHub Actions workflow: jobs that run on a runner or have steps.
fn is_workflow(value: &Json) -> bool {
    value["jobs"].as_object().is_some_and(|jobs| {
        jobs.values().any(|j| j.get("runs-on").is_some() || j.get("steps").is_some_and(Json::is_array))
    })
}

#[test]
fn every_github_workflow_in_the_docs_uses_contexts_where_they_are_available() {
    let mut files = vec![root().join("README.md")];
    let mut dirs = vec![root().join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    let mut blocks = Vec::new();
    for file in &files {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for block in yaml_blocks(&std::fs::read_to_string(file).unwrap()) {
            blocks.push((name.clone(), block));
        }
    }
    let parsed = parse_yaml(&blocks.iter().map(|(_, b)| b.clone()).collect::<Vec<_>>());
    let mut workflows = 0;
    let mut problems = Vec::new();
    for ((file, block), value) in blocks.iter().zip(&parsed) {
        if let Some(error) = value.get("error") {
            assert!(!block.contains("runs-on:"), "{file}: a workflow that does not parse: {error}\n{block}");
            continue;
        }
        if is_workflow(value) {
            workflows += 1;
            problems.extend(check_workflow(value).into_iter().map(|p| format!("{file}: {p}")));
        }
    }
    assert!(workflows >= 1, "no GitHub Actions workflow found in {files:?}: the check would hold nothing");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check itself: `runner` in a job's `env` (what docs once said) is
/// refused, the same value in a step's `env` passes, and an `if:` without
/// `${{ }}` is read as an expression.
#[test]
fn the_context_check_refuses_what_github_refuses() {
    let workflow = |job: &str| {
        let text = format!("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n{job}");
        parse_yaml(&[text]).remove(0)
    };
    let bad = workflow(
        "    env:\n      TOKEN_FILE: ${{ runner.temp }}/token\n      RUN: github-${{ github.run_id }}\n    steps:\n      - run: echo\n",
    );
    assert_eq!(
        check_workflow(&bad),
        vec![
            "jobs.<job_id>.env uses `runner` in \" runner.temp \"; available there: github, needs, strategy, \
             matrix, vars, secrets, inputs"
                .to_string()
        ]
    );
    let good =
        workflow("    steps:\n      - run: echo\n        env:\n          TOKEN_FILE: ${{ runner.temp }}/token\n");
    assert_eq!(check_workflow(&good), Vec::<String>::new());
    let secret_if = workflow("    steps:\n      - run: echo\n        if: secrets.TOKEN != ''\n");
    assert_eq!(check_workflow(&secret_if).len(), 1, "{:?}", check_workflow(&secret_if));
    let unknown = workflow("    container:\n      image: ${{ matrix.image }}\n    steps:\n      - run: echo\n");
    assert!(check_workflow(&unknown)[0].contains("add its row"), "{:?}", check_workflow(&unknown));
    assert_eq!(
        contexts_of("format('{0}-x', github.run_id) && env.A == 'runner' || hashFiles('a') != 1.5"),
        ["github", "env"]
    );
}
