//! Regions and where a failure's sentence stands.
//!
//! - The regions the provider accepts are the ones the AWS SDK in Cargo.lock
//!   lists (its endpoint metadata, compiled into aws-sdk-ecr): an SDK upgrade
//!   that adds a region fails here until `src/partition.rs` lists it too.
//! - Every place a region is given (the provider's `region`, a replication
//!   destination, an ecr upstream's URL) refuses one the SDK does not list, at
//!   Check, with no AWS call; `skipRegionValidation: true` accepts a newer
//!   region of a partition's form.
//! - A failure inside a nested value reaches the user as the provider's
//!   sentence with its path, first and short, on the pinned, the newest and
//!   the oldest supported Pulumi CLI.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::pulumi::{Cli, Stack};
use common::*;
use pulumi_resource_awsecr::partition::PARTITIONS;
use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;

/// The source of the aws-sdk-ecr that Cargo.lock pins, in cargo's registry.
fn sdk_source() -> PathBuf {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("read Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"aws-sdk-ecr\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .and_then(|v| v.strip_suffix('"'))
        .expect("aws-sdk-ecr in Cargo.lock")
        .to_string();
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"));
    let registry = home.join("registry/src");
    let found = std::fs::read_dir(&registry)
        .unwrap_or_else(|e| panic!("{}: {e}", registry.display()))
        .filter_map(|d| d.ok())
        .map(|d| d.path().join(format!("aws-sdk-ecr-{version}")))
        .find(|p| p.is_dir());
    found.unwrap_or_else(|| panic!("aws-sdk-ecr-{version} is not under {}", registry.display()))
}

/// The partitions JSON the SDK compiles in: the byte string its default
/// partition resolver is built from (`endpoint_lib.rs`).
fn sdk_partitions() -> serde_json::Value {
    let path = sdk_source().join("src/endpoint_lib.rs");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let marker = "new_from_json(b\"";
    let start = text.find(marker).unwrap_or_else(|| panic!("{}: no {marker}", path.display())) + marker.len();
    let mut json = String::new();
    let mut chars = text[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => json.push(chars.next().expect("an escaped character")),
            c => json.push(c),
        }
    }
    serde_json::from_str(&json).expect("the SDK's partitions are JSON")
}

#[test]
fn the_region_list_is_the_sdks() {
    let sdk = sdk_partitions();
    let sdk = sdk["partitions"].as_array().expect("partitions");
    let ids: Vec<&str> = sdk.iter().map(|p| p["id"].as_str().unwrap()).collect();
    let ours: Vec<&str> = PARTITIONS.iter().map(|p| p.id).collect();
    assert_eq!(ours, ids, "the partitions");
    for (p, s) in PARTITIONS.iter().zip(sdk) {
        assert_eq!(p.region_regex, s["regionRegex"].as_str().unwrap(), "{}: the region pattern", p.id);
        assert_eq!(p.dns_suffix, s["outputs"]["dnsSuffix"].as_str().unwrap(), "{}: the DNS suffix", p.id);
        let listed: Vec<&str> = s["regions"].as_object().unwrap().keys().map(String::as_str).collect();
        // Only the pseudo-regions of global endpoints (`aws-global`, ...),
        // which have no region form, are left out.
        let (regions, others): (Vec<&str>, Vec<&str>) = listed.into_iter().partition(|r| p.matches(r));
        assert!(others.iter().all(|r| r.ends_with("-global")), "{}: left out {others:?}", p.id);
        let mut regions = regions;
        regions.sort_unstable();
        assert_eq!(p.regions, regions.as_slice(), "{}: the regions src/partition.rs lists", p.id);
    }
}

fn o(pairs: &[(&str, Value)]) -> Value {
    Value::Object(obj(pairs))
}

fn registry_with_destination(region: &str) -> Map {
    obj(&[(
        "replication",
        Value::Array(vec![o(&[("destinations", Value::Array(vec![o(&[("region", region.into())])]))])]),
    )])
}

fn ecr_rule(region: &str) -> Map {
    obj(&[
        ("ecrRepositoryPrefix", "upstream".into()),
        ("upstream", "ecr".into()),
        ("upstreamRegistryUrl", format!("210987654321.dkr.ecr.{region}.amazonaws.com").into()),
        ("customRoleArn", "arn:aws:iam::123456789012:role/ecr-pull".into()),
    ])
}

async fn check(p: &mut ProviderProcess, token: &str, news: &Map) -> Vec<pulumirpc::CheckFailure> {
    p.client
        .check(pulumirpc::CheckRequest {
            urn: format!("urn:pulumi:test::awsecr-tests::{token}::r"),
            r#type: token.into(),
            news: Some(encode_struct(news)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .failures
}

async fn check_config(p: &mut ProviderProcess, news: &Map) -> Vec<pulumirpc::CheckFailure> {
    let req = pulumirpc::CheckRequest { news: Some(encode_struct(news)), ..Default::default() };
    p.client.check_config(req).await.unwrap().into_inner().failures
}

fn paths(failures: &[pulumirpc::CheckFailure]) -> BTreeMap<String, String> {
    failures.iter().map(path_and_reason).collect()
}

#[tokio::test]
async fn every_region_is_checked_against_the_list_unless_opted_out() {
    let moto = Moto::start();
    moto.start_recording();
    let mut strict = ProviderProcess::configured(&moto, &[]).await;
    let registry = "awsecr:index:Registry";
    let rule = "awsecr:index:PullThroughCacheRule";

    let f = paths(&check_config(&mut strict, &obj(&[("region", "us-west-9".into())])).await);
    let reason = &f["region"];
    assert!(reason.starts_with("must be an AWS region, got \"us-west-9\", which aws does not have"), "{f:?}");
    assert!(reason.contains("the nearest are us-west-1, us-west-2"), "{f:?}");
    assert!(reason.contains("skipRegionValidation: true"), "{f:?}");
    let f = paths(&check_config(&mut strict, &obj(&[("region", "cn-south-1".into())])).await);
    assert!(f["region"].contains("its regions are cn-north-1, cn-northwest-1"), "{f:?}");

    let f = paths(&check(&mut strict, registry, &registry_with_destination("eu-wset-1")).await);
    let reason = &f["replication[0].destinations[0].region"];
    assert!(reason.contains("got \"eu-wset-1\", which aws does not have; the nearest are eu-west-1"), "{f:?}");
    assert!(check(&mut strict, registry, &registry_with_destination("eu-west-1")).await.is_empty());

    let f = paths(&check(&mut strict, rule, &ecr_rule("us-west-9")).await);
    let reason = &f["upstreamRegistryUrl"];
    assert!(reason.starts_with("its region must be an AWS region, got \"us-west-9\""), "{f:?}");
    assert!(check(&mut strict, rule, &ecr_rule("us-west-2")).await.is_empty());

    // The opt-in: a region of a partition's form that the SDK does not list
    // yet is accepted everywhere; a name of no region form still is not.
    let opt_in = obj(&[("region", "us-west-9".into()), ("skipRegionValidation", "true".into())]);
    assert!(check_config(&mut strict, &opt_in).await.is_empty());
    let mut lenient = ProviderProcess::configured(&moto, &[("skipRegionValidation", Value::Bool(true))]).await;
    assert!(check(&mut lenient, registry, &registry_with_destination("eu-west-9")).await.is_empty());
    assert!(check(&mut lenient, rule, &ecr_rule("us-west-9")).await.is_empty());
    let f = paths(&check(&mut lenient, registry, &registry_with_destination("mars-1")).await);
    assert!(f["replication[0].destinations[0].region"].contains("must be an AWS region name"), "{f:?}");

    assert_eq!(moto.stop_recording(), Vec::<String>::new(), "region checks made AWS calls");
}

/// The line of the CLI's output that carries the failure at `path`.
fn failure_line<'a>(out: &'a str, path: &str) -> &'a str {
    out.lines().find(|l| l.contains(path)).unwrap_or_else(|| panic!("no line names {path}:\n{out}"))
}

/// The sentence with its path leads: no dump of the value before it (or
/// anywhere), and the whole line stays short.
fn nested_failure_leads(cli: Cli) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("tests/e2e/yaml-bad-nested"), &moto, cli);
    moto.start_recording();
    stack.ok(&["config", "set", "destRegion", "us-west-9"]);
    let out = stack.fails(&["preview"]);
    let path = "replication[2].destinations[0].region: ";
    let sentence = format!("{path}must be an AWS region, got \"us-west-9\", which aws does not have");
    // The engine's line and its repetition under "Diagnostics": each gives
    // the sentence right after "has a problem: ", no value before it.
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(path)).collect();
    assert!(!lines.is_empty(), "{cli:?}: no line names {path}:\n{out}");
    for line in lines {
        assert!(line.contains(&format!("resource 'registry' has a problem: {sentence}")), "{cli:?}: {line}");
        assert!(line.chars().count() <= 320, "{cli:?}: {} characters: {line}", line.chars().count());
    }
    for dump in ["value {", "team-a", "platform/api", "<nil>"] {
        assert!(!out.contains(dump), "{cli:?}: the output shows the value ({dump}):\n{out}");
    }

    // A top-level value that is short keeps the engine's form, its value
    // shown: still short, the sentence whole.
    stack.ok(&["config", "set", "destRegion", "eu-west-1"]);
    stack.ok(&["config", "set", "awsecr:region", "us-east-9"]);
    let out = stack.fails(&["preview"]);
    let line = failure_line(&out, "us-east-9");
    assert!(line.contains("must be an AWS region, got \"us-east-9\", which aws does not have"), "{cli:?}: {line}");
    assert!(line.chars().count() <= 320, "{cli:?}: {line}");
    // With the opt-in the same region passes Check (the emulator answers
    // for any region).
    stack.ok(&["config", "set", "awsecr:skipRegionValidation", "true"]);
    stack.ok(&["preview"]);
    let calls = moto.stop_recording();
    assert!(calls.iter().all(|c| !c.contains("Put")), "{cli:?}: a preview wrote: {calls:?}");
}

#[test]
fn nested_failure_leads_on_the_pinned_cli() {
    nested_failure_leads(Cli::Pinned);
}

#[test]
fn nested_failure_leads_on_the_newest_cli() {
    nested_failure_leads(Cli::Newest);
}

#[test]
fn nested_failure_leads_on_the_oldest_cli() {
    nested_failure_leads(Cli::Oldest);
}

/// A region from the environment (awsecr:region unset) gets the same rule,
/// at Configure: the engine stops before any resource is read or written.
#[tokio::test]
async fn a_region_from_the_environment_is_checked_too() {
    let moto = Moto::start();
    let home = TempDir::new("region-env");
    let configure = |skip: bool| {
        let mut args = test_config(&moto);
        args.remove("region");
        if skip {
            args.insert("skipRegionValidation".into(), Value::Bool(true));
        }
        pulumirpc::ConfigureRequest { args: Some(encode_struct(&args)), accept_secrets: true, ..Default::default() }
    };
    let mut p = ProviderProcess::start_isolated(home.path(), &[("AWS_REGION", "eu-wset-1")]).await;
    let err = p.client.configure(configure(false)).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::FailedPrecondition, "{err:?}");
    assert!(err.message().starts_with("the region from AWS_REGION"), "{}", err.message());
    assert!(
        err.message().contains("got \"eu-wset-1\", which aws does not have; the nearest are eu-west-1"),
        "{}",
        err.message()
    );
    let mut p = ProviderProcess::start_isolated(home.path(), &[("AWS_REGION", "eu-west-9")]).await;
    p.client.configure(configure(true)).await.expect("the opt-in accepts a newer region");
    let mut p = ProviderProcess::start_isolated(home.path(), &[("AWS_REGION", "eu-west-1")]).await;
    p.client.configure(configure(false)).await.expect("a listed region");
}
