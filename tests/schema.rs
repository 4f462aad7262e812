//! schema.json is the package contract; the Rust types must say the same.
//! A property in one and not the other, a secret flag, a default or a
//! replace-on-change flag that disagrees fails here.

use std::collections::BTreeSet;

use pulumi_resource_awsecr::config::{CONFIG_KEYS, SECRET_KEYS};
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::repository::args::{self, ENCRYPTION_TYPES, INPUTS, NamingContext};
use pulumi_resource_awsecr::repository::diff::REPLACE_ON_CHANGE;
use pulumi_resource_awsecr::repository::outputs::OUTPUTS;
use pulumi_resource_awsecr::server::{RESOURCES, SCHEMA, VERSION};
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
    assert_eq!(keys(&schema()["resources"]), set(RESOURCES));
}

#[test]
fn repository_inputs_and_outputs_match_the_rust_types() {
    let s = schema();
    let r = &s["resources"]["awsecr:index:Repository"];
    assert_eq!(keys(&r["inputProperties"]), set(INPUTS));
    let all: Vec<&str> = INPUTS.iter().chain(OUTPUTS).copied().collect();
    assert_eq!(keys(&r["properties"]), set(&all));
    for req in r["required"].as_array().unwrap() {
        assert!(all.contains(&req.as_str().unwrap()), "required {req} is not a property");
    }
}

#[test]
fn replace_on_change_flags_match_the_diff() {
    let s = schema();
    let inputs = &s["resources"]["awsecr:index:Repository"]["inputProperties"];
    let flagged: BTreeSet<String> = inputs
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["replaceOnChanges"] == Json::Bool(true))
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(flagged, set(REPLACE_ON_CHANGE));
}

#[test]
fn defaults_match_what_check_applies() {
    let s = schema();
    let inputs = &s["resources"]["awsecr:index:Repository"]["inputProperties"];
    let (checked, failures) = args::check(
        &Map::new(),
        &Map::new(),
        &NamingContext { resource_name: "x".into(), ..Default::default() },
        &Default::default(),
    );
    assert!(failures.is_empty());
    for (k, v) in inputs.as_object().unwrap() {
        if let Some(default) = v.get("default") {
            assert_eq!(checked.get(k), Some(&Value::from_json(default)), "default of {k}");
        }
    }
    // Every default Check applies (other than the generated name) is in the schema.
    for k in checked.keys().filter(|k| *k != "repositoryName" && !k.starts_with("__")) {
        assert!(inputs[k].get("default").is_some(), "{k} has a default in Check but not in schema.json");
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
        set(&["expireUntaggedAfterDays", "maxImageCount"])
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
}
