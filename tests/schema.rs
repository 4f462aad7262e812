//! schema.json is the package contract; the Rust types must say the same.
//! A property (or a function argument or result) in one and not the other, a
//! secret flag, a default or a replace-on-change flag that disagrees fails here.

use std::collections::BTreeSet;

use pulumi_resource_awsecr::config::{CONFIG_KEYS, SECRET_KEYS};
use pulumi_resource_awsecr::functions::{FUNCTIONS, get_repository};
use pulumi_resource_awsecr::naming::NamingContext;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::repository_settings::ENCRYPTION_TYPES;
use pulumi_resource_awsecr::resource::{inputs, outputs, replace_on_change};
use pulumi_resource_awsecr::resources::RESOURCES;
use pulumi_resource_awsecr::server::{SCHEMA, VERSION};
use serde_json::Value as Json;

fn schema() -> Json {
    serde_json::from_str(SCHEMA).expect("schema.json parses")
}

fn keys(v: &Json) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn version_matches_cargo() {
    assert_eq!(schema()["version"], VERSION);
}

#[test]
fn resources_match() {
    let tokens: Vec<&str> = RESOURCES.iter().map(|r| r.token).collect();
    assert_eq!(keys(&schema()["resources"]), set(&tokens));
}

#[test]
fn resource_inputs_and_outputs_match_the_property_tables() {
    let s = schema();
    for resource in RESOURCES {
        let (token, props) = (resource.token, resource.properties);
        let r = &s["resources"][token];
        assert_eq!(keys(&r["inputProperties"]), set(&inputs(props)), "inputs of {token}");
        let all: Vec<&str> = inputs(props).into_iter().chain(outputs(props)).collect();
        assert_eq!(keys(&r["properties"]), set(&all), "properties of {token}");
        for req in r["required"].as_array().unwrap() {
            assert!(all.contains(&req.as_str().unwrap()), "{token}: required {req} is not a property");
        }
        for (k, v) in r["properties"].as_object().unwrap() {
            let secret = props.iter().find(|p| p.name == k).unwrap().secret;
            assert_eq!(v["secret"] == Json::Bool(true), secret, "{token}: secret flag of {k}");
        }
    }
}

#[test]
fn replace_on_change_flags_match_the_diff() {
    let s = schema();
    for resource in RESOURCES {
        let inputs = &s["resources"][resource.token]["inputProperties"];
        let flagged: BTreeSet<String> = inputs
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| v["replaceOnChanges"] == Json::Bool(true))
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(flagged, set(&replace_on_change(resource.properties)), "{}", resource.token);
    }
}

#[test]
fn defaults_match_what_check_applies() {
    let s = schema();
    for resource in RESOURCES {
        let token = resource.token;
        let inputs = &s["resources"][token]["inputProperties"];
        let (checked, failures) = resource.handler.check(
            &Map::new(),
            &Map::new(),
            &NamingContext { resource_name: "x".into(), ..Default::default() },
            &Default::default(),
        );
        // A resource with a required input (no name to generate) fails only on that.
        assert!(failures.iter().all(|f| f.reason.starts_with("is required")), "{token}: {failures:?}");
        for (k, v) in inputs.as_object().unwrap() {
            if let Some(default) = v.get("default") {
                assert_eq!(checked.get(k), Some(&Value::from_json(default)), "{token}: default of {k}");
            }
        }
        // Every default Check applies (other than a generated name) is in the schema.
        for k in checked.keys().filter(|k| !k.starts_with("__")) {
            let named = checked.get("__defaults").is_some_and(|d| *d == Value::Array(vec![Value::from(k.as_str())]));
            // Pulumi's schema takes only scalar defaults: a list default is
            // stated in the description, in the form Check applies it.
            let stated = match checked.get(k) {
                Some(Value::Array(items)) => {
                    let text = inputs[k]["description"].as_str().unwrap_or_default();
                    let listed: Vec<String> =
                        items.iter().map(|v| format!("`{}`", v.as_str().unwrap_or_default())).collect();
                    text.contains(&format!("Defaults to {}.", listed.join(" and ")))
                }
                _ => false,
            };
            assert!(
                named || stated || inputs[k].get("default").is_some(),
                "{token}: {k} has a default in Check but not in schema.json"
            );
        }
    }
}

#[test]
fn encryption_enum_matches() {
    let s = schema();
    let values: Vec<&str> = s["types"]["awsecr:index:EncryptionType"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ENCRYPTION_TYPES);
}

#[test]
fn lifecycle_type_matches() {
    let s = schema();
    assert_eq!(
        keys(&s["types"]["awsecr:index:LifecyclePolicy"]["properties"]),
        set(&[
            "expireUntaggedAfterDays",
            "maxImageCount",
            "tagged",
            "archiveUntaggedAfterDays",
            "archiveUntaggedNotPulledForDays",
            "expireArchivedAfterDays",
        ])
    );
    assert_eq!(
        keys(&s["types"]["awsecr:index:TaggedLifecycleRule"]["properties"]),
        set(&[
            "tagPatterns",
            "tagPrefixes",
            "expireAfterDays",
            "keepLast",
            "archiveAfterDays",
            "archiveNotPulledForDays"
        ])
    );
}

#[test]
fn provider_configuration_matches() {
    let s = schema();
    assert_eq!(keys(&s["config"]["variables"]), set(CONFIG_KEYS));
    assert_eq!(keys(&s["provider"]["inputProperties"]), set(CONFIG_KEYS));
    for section in [&s["config"]["variables"], &s["provider"]["inputProperties"]] {
        let secret: BTreeSet<String> = section
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| v["secret"] == Json::Bool(true))
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(secret, set(SECRET_KEYS));
    }
    // The provider resource's inputs and outputs say what the settings say.
    for section in ["inputProperties", "properties"] {
        for (k, v) in s["provider"][section].as_object().unwrap() {
            assert_eq!(v["description"], s["config"]["variables"][k]["description"], "provider {section}.{k}");
        }
    }
}

#[test]
fn functions_match() {
    let tokens: Vec<&str> = FUNCTIONS.iter().map(|f| f.spec().token).collect();
    assert_eq!(keys(&schema()["functions"]), set(&tokens));
}

#[test]
fn function_inputs_and_outputs_match_the_rust_constants() {
    let s = schema();
    for function in FUNCTIONS {
        let spec = function.spec();
        let (token, args, results, secret) = (spec.token, spec.args, spec.results, spec.secret_results);
        let f = &s["functions"][token];
        assert!(f["description"].as_str().is_some_and(|d| !d.is_empty()), "{token} has a description");
        assert_eq!(keys(&f["inputs"]["properties"]), set(args), "inputs of {token}");
        assert_eq!(keys(&f["outputs"]["properties"]), set(&results), "outputs of {token}");
        for section in ["inputs", "outputs"] {
            for (k, v) in f[section]["properties"].as_object().unwrap() {
                assert!(
                    v["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{token} {section}.{k} has a description"
                );
            }
            for req in f[section]["required"].as_array().into_iter().flatten() {
                assert!(
                    f[section]["properties"].get(req.as_str().unwrap()).is_some(),
                    "{token}: required {req} is not a property"
                );
            }
        }
        let flagged: BTreeSet<String> = f["outputs"]["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| v["secret"] == Json::Bool(true))
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(flagged, set(secret), "secret outputs of {token}");
    }
}

#[test]
fn get_repository_returns_what_the_resource_has() {
    let s = schema();
    let resource = &s["resources"]["awsecr:index:Repository"]["properties"];
    let outputs = &s["functions"][get_repository::TOKEN]["outputs"]["properties"];
    for (k, v) in outputs.as_object().unwrap() {
        let r = &resource[k];
        assert_eq!(v.get("type"), r.get("type"), "type of {k}");
        assert_eq!(v.get("$ref"), r.get("$ref"), "$ref of {k}");
    }
}

/// What the registry page and the package managers read from the schema: the
/// names the SDKs are published under, where the project lives, and that the
/// committed schema names no plugin download location (a release stamps it:
/// `sdk-gen/gen.sh --plugin-download-url`).
#[test]
fn package_metadata_is_complete() {
    let s = schema();
    for key in ["displayName", "description", "homepage", "repository", "publisher", "license"] {
        assert!(s[key].as_str().is_some_and(|v| !v.is_empty()), "schema.json has no {key}");
    }
    assert_eq!(s["license"], "Apache-2.0", "the license Cargo.toml and LICENSE give");
    let keywords: Vec<&str> = s["keywords"].as_array().unwrap().iter().filter_map(Json::as_str).collect();
    for k in ["category/cloud", "kind/native"] {
        assert!(keywords.contains(&k), "keywords lack {k}");
    }
    assert!(s.get("logoUrl").is_none(), "there is no logo to point at");
    assert!(s.get("pluginDownloadURL").is_none(), "the committed schema leaves the download location to a release");
    let lang = &s["language"];
    assert_eq!(lang["nodejs"]["packageName"], "@pulumi-awsecr/awsecr");
    assert_eq!(lang["python"]["packageName"], "pulumi_awsecr");
    assert_eq!(lang["python"]["pyproject"]["enabled"], true);
    assert_eq!(lang["go"]["importBasePath"], "github.com/pulumi-awsecr/pulumi-awsecr/sdk/go/awsecr");
    for l in ["nodejs", "python", "go"] {
        assert_eq!(lang[l]["respectSchemaVersion"], true, "{l}: respectSchemaVersion");
    }
}

/// Every resource and function description carries Pulumi's examples section
/// with each example in TypeScript, Python, Go and YAML: the SDKs' doc
/// comments keep their language's blocks, the registry page shows all four.
/// (`sdk-gen/check-examples.sh` compiles them against the SDKs.)
#[test]
fn every_description_has_examples_in_four_languages() {
    let s = schema();
    for section in ["resources", "functions"] {
        for (token, spec) in s[section].as_object().unwrap() {
            let text = spec["description"].as_str().unwrap_or_default();
            let (_, rest) = text
                .split_once("{{% examples %}}\n## Example Usage\n")
                .unwrap_or_else(|| panic!("{token}: no {{{{% examples %}}}} section opening with ## Example Usage"));
            let (examples, _) =
                rest.split_once("{{% /examples %}}").unwrap_or_else(|| panic!("{token}: examples not closed"));
            let bodies: Vec<&str> = examples.split("{{% example %}}").skip(1).collect();
            assert!(!bodies.is_empty(), "{token}: no {{{{% example %}}}}");
            for (n, body) in bodies.iter().enumerate() {
                assert!(body.contains("{{% /example %}}"), "{token}: example {n} not closed");
                assert!(body.trim_start().starts_with("### "), "{token}: example {n} has no ### title");
                for lang in ["typescript", "python", "go", "yaml"] {
                    assert_eq!(body.matches(&format!("```{lang}\n")).count(), 1, "{token}: example {n} in {lang}");
                }
            }
        }
    }
}

/// A function looks up; it creates, replaces and defaults nothing. Its
/// outputs say what the looked-up thing is, never what a resource's input
/// does (copied from the resource, "Changing it replaces the repository"
/// would tell a reader of getRepository something untrue).
#[test]
fn function_outputs_speak_as_lookups() {
    const RESOURCE_ONLY: &[&str] = &[
        "replaces",
        "Defaults to",
        "defaults to",
        "Changing it",
        "Removing it",
        "is refused",
        "Not allowed",
        "The provider writes",
        "next update",
        "next `pulumi up`",
        "on refresh",
    ];
    let s = schema();
    let mut found = Vec::new();
    for (token, f) in s["functions"].as_object().unwrap() {
        for (k, v) in f["outputs"]["properties"].as_object().unwrap() {
            let text = v["description"].as_str().unwrap_or_default();
            for phrase in RESOURCE_ONLY.iter().filter(|p| text.contains(**p)) {
                found.push(format!("{token} output {k}: \"{phrase}\" in {text:?}"));
            }
        }
    }
    assert!(found.is_empty(), "resource-only words in function outputs:\n{}", found.join("\n"));
}

/// The names written in src/names.rs, the one place a property's name is
/// spelled.
fn declared_names() -> BTreeSet<String> {
    let text = include_str!("../src/names.rs");
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("pub const ")?.split_once(": &str = \"")?.1.strip_suffix("\";"))
        .map(str::to_string)
        .collect()
}

/// Every property name the schema gives: resources' inputs and outputs,
/// functions' arguments and results, object types' fields, configuration keys.
fn schema_names() -> BTreeSet<String> {
    let s = schema();
    let mut all = keys(&s["config"]["variables"]);
    for r in s["resources"].as_object().unwrap().values() {
        all.extend(keys(&r["inputProperties"]));
        all.extend(keys(&r["properties"]));
    }
    for f in s["functions"].as_object().unwrap().values() {
        all.extend(keys(&f["inputs"]["properties"]));
        all.extend(keys(&f["outputs"]["properties"]));
    }
    for t in s["types"].as_object().unwrap().values() {
        if let Some(p) = t.get("properties") {
            all.extend(keys(p));
        }
    }
    all
}

#[test]
fn names_rs_holds_every_property_name_of_the_schema() {
    assert_eq!(declared_names(), schema_names());
}

/// Where the same word is spelled again in src, it is another vocabulary,
/// not a property of this package: (file under src/, the word).
const OTHER_VOCABULARIES: &[(&str, &[&str])] = &[
    // pulumi-aws's property names, read from a pulumi-aws stack's state.
    (
        "inventory/from_stack.rs",
        &["arn", "ecrRepositoryPrefix", "forceDelete", "name", "prefix", "region", "registryId", "type"],
    ),
    // The inventory report's and import file's own JSON keys.
    ("inventory/report.rs", &["name", "prefix", "region", "registryId"]),
    ("inventory/mod.rs", &["name", "type"]),
    ("inventory/list.rs", &["type"]),
    // AWS's lifecycle policy JSON (keys and tagStatus values), and nouns in messages.
    ("policy/lifecycle.rs", &["description", "tagStatus", "tagged", "type", "tags"]),
    ("resources/repository/expiry.rs", &["description", "tagStatus", "type"]),
    // An ARN's first part.
    ("policy/access.rs", &["arn"]),
    // Nouns in messages ("must hold 1 to 100 principals").
    ("resources/registry/args.rs", &["actions", "organizations", "principals", "values"]),
    ("repository_settings.rs", &["organizations", "principals"]),
    // Pulumi's wire format (a secret's "value"), doc comments and log words.
    ("property.rs", &["value"]),
    ("validate.rs", &["value"]),
    ("error.rs", &["name"]),
    ("server.rs", &["profile"]),
];

/// The code of a source file without its unit tests.
fn without_tests(text: &str) -> &str {
    text.find("\n#[cfg(test)]\nmod ").map_or(text, |i| &text[..i])
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn each_property_name_is_spelled_once_in_src() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let names = declared_names();
    let mut spelled_again = Vec::new();
    for path in files {
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        if rel == "names.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let allowed: &[&str] = OTHER_VOCABULARIES.iter().find(|(f, _)| *f == rel).map_or(&[], |(_, w)| w);
        for word in allowed {
            let used = without_tests(&text).contains(&format!("\"{word}\""));
            assert!(used, "OTHER_VOCABULARIES lists \"{word}\" for src/{rel}, which no longer spells it: remove it");
        }
        for (i, line) in without_tests(&text).lines().enumerate() {
            for name in &names {
                if line.contains(&format!("\"{name}\"")) && !allowed.contains(&name.as_str()) {
                    spelled_again.push(format!("src/{rel}:{}: \"{name}\" (use crate::names)", i + 1));
                }
            }
        }
    }
    assert!(spelled_again.is_empty(), "property names spelled outside src/names.rs:\n{}", spelled_again.join("\n"));
}
