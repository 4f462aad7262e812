//! The Registry resource and the getImage function over gRPC, against the
//! real provider binary and the emulator: each group owned only when
//! declared, taking over refused unless adopt, semantic diffs, import by id,
//! drift, delete restoring the defaults of owned groups only; every
//! operation's calls counted with the emulator's recorder.

mod common;

use aws_sdk_ecr::types::{
    RegistryScanningRule, ReplicationConfiguration, ReplicationDestination, ReplicationRule, ScanFrequency, ScanType,
    ScanningRepositoryFilter, ScanningRepositoryFilterType,
};
use common::env::Env;
use common::inspect::manifest;
use common::*;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc;
use tonic::Code;

const REGISTRY: &str = "awsecr:index:Registry";
const GET_IMAGE: &str = "awsecr:index:getImage";
const OTHER: &str = "210987654321";

fn registry_id() -> String {
    format!("{ACCOUNT}/{REGION}")
}

async fn env() -> Env {
    Env::with_config(Moto::start(), &[]).await.of_type(REGISTRY)
}

fn list(items: &[&str]) -> Value {
    strings(items)
}

fn scanning(kind: &str, on_push: &[&str], continuous: &[&str]) -> Value {
    let mut m = obj(&[("type", kind.into()), ("scanOnPush", list(on_push))]);
    if !continuous.is_empty() {
        m.insert("continuous".into(), list(continuous));
    }
    Value::Object(m)
}

fn rule(destinations: &[(&str, Option<&str>)], prefixes: &[&str]) -> Value {
    let dests = destinations
        .iter()
        .map(|(region, id)| {
            let mut d = obj(&[("region", (*region).into()), ("backfill", false.into())]);
            if let Some(id) = id {
                d.insert("registryId".into(), (*id).into());
            }
            Value::Object(d)
        })
        .collect();
    let mut r = obj(&[("destinations", Value::Array(dests))]);
    if !prefixes.is_empty() {
        r.insert("repositoryPrefixes".into(), list(prefixes));
    }
    Value::Object(r)
}

/// Puts a scanning configuration behind the provider's back.
async fn scanning_by_hand(moto: &Moto, filter: &str) {
    let rule = RegistryScanningRule::builder()
        .scan_frequency(ScanFrequency::ScanOnPush)
        .repository_filters(
            ScanningRepositoryFilter::builder()
                .filter(filter)
                .filter_type(ScanningRepositoryFilterType::Wildcard)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    moto.ecr().await.put_registry_scanning_configuration().scan_type(ScanType::Basic).rules(rule).send().await.unwrap();
}

async fn replication_by_hand(moto: &Moto, region: &str) {
    let config = ReplicationConfiguration::builder()
        .rules(
            ReplicationRule::builder()
                .destinations(ReplicationDestination::builder().region(region).registry_id(ACCOUNT).build().unwrap())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    moto.ecr().await.put_replication_configuration().replication_configuration(config).send().await.unwrap();
}

async fn scanning_in_force(moto: &Moto) -> (String, Vec<(String, Vec<String>)>) {
    let c = moto.ecr().await.get_registry_scanning_configuration().send().await.unwrap();
    let c = c.scanning_configuration().unwrap();
    let rules = c
        .rules()
        .iter()
        .map(|r| {
            (
                r.scan_frequency().as_str().to_string(),
                r.repository_filters().iter().map(|f| f.filter().to_string()).collect(),
            )
        })
        .collect();
    (c.scan_type().unwrap().as_str().to_string(), rules)
}

async fn replication_destinations(moto: &Moto) -> Vec<Vec<(String, String)>> {
    let r = moto.ecr().await.describe_registry().send().await.unwrap();
    r.replication_configuration()
        .map(|c| {
            c.rules()
                .iter()
                .map(|r| {
                    r.destinations().iter().map(|d| (d.region().to_string(), d.registry_id().to_string())).collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn policy_in_force(moto: &Moto) -> Option<serde_json::Value> {
    match moto.ecr().await.get_registry_policy().send().await {
        Ok(p) => Some(serde_json::from_str(p.policy_text().unwrap()).unwrap()),
        Err(e) => {
            assert_eq!(aws_sdk_ecr::error::ProvideErrorMetadata::code(&e), Some("RegistryPolicyNotFoundException"));
            None
        }
    }
}

#[tokio::test]
async fn scanning_is_owned_alone_and_its_life_costs_the_minimum_calls() {
    let mut env = env().await;
    // Someone else's replication rule: never read, changed or reset here.
    replication_by_hand(&env.moto, "eu-west-1").await;

    env.moto.start_recording();
    let inputs = env.checked("scan", &obj(&[("scanning", scanning("ENHANCED", &["*"], &["prod/*"]))])).await;
    let (_, preview) = env.create("scan", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check and preview make no call");
    assert_eq!(preview["registryId"], Value::Unknown);
    assert_eq!(preview["region"], Value::from(REGION));

    env.moto.start_recording();
    let (id, out) = env.create("scan", &inputs, false).await.unwrap();
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRegistry", "GetRegistryScanningConfiguration", "PutRegistryScanningConfiguration"]
    );
    assert_eq!(id, registry_id());
    assert_eq!(out["registryId"], Value::from(ACCOUNT));
    let (kind, rules) = scanning_in_force(&env.moto).await;
    assert_eq!(kind, "ENHANCED");
    assert!(rules.contains(&("SCAN_ON_PUSH".to_string(), vec!["*".to_string()])), "{rules:?}");
    assert!(rules.contains(&("CONTINUOUS_SCAN".to_string(), vec!["prod/*".to_string()])), "{rules:?}");

    // Refresh: one call, no diff; filters in another order are no change.
    env.moto.start_recording();
    let (read_out, read_in) = env.read_found("scan", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["GetRegistryScanningConfiguration"]);
    assert!(!read_in.contains_key("replication"), "an unowned group is never read: {read_in:?}");
    let d = env.diff("scan", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Update: one call for the one group that changed.
    let news = env.checked("scan", &obj(&[("scanning", scanning("BASIC", &["prod/*", "team/*"], &[]))])).await;
    let d = env.diff("scan", &id, &read_out, &news).await;
    assert_eq!(d.diffs, vec!["scanning"]);
    env.moto.start_recording();
    let updated = env.updated("scan", &id, &read_out, &news, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["PutRegistryScanningConfiguration"]);
    let reordered = env.checked("scan", &obj(&[("scanning", scanning("BASIC", &["team/*", "prod/*"], &[]))])).await;
    let d = env.diff("scan", &id, &updated, &reordered).await;
    assert!(d.diffs.is_empty(), "filter order is no change: {:?}", d.diffs);

    // Delete: the scanning default again, the replication rule untouched.
    env.moto.start_recording();
    env.delete("scan", &id, &updated).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["PutRegistryScanningConfiguration"]);
    assert_eq!(scanning_in_force(&env.moto).await, ("BASIC".to_string(), vec![]));
    assert_eq!(replication_destinations(&env.moto).await, vec![vec![("eu-west-1".to_string(), ACCOUNT.to_string())]]);
}

/// Removing a declared group from the program hands it back to AWS's default
/// (what README and the schema say): preview shows it as the group's removal
/// and makes no call; the update makes the one reset call; the other group
/// is not touched.
#[tokio::test]
async fn removing_a_declared_group_resets_it_and_preview_shows_it() {
    let mut env = env().await;
    let both = obj(&[
        ("scanning", scanning("ENHANCED", &["*"], &["prod/*"])),
        ("replication", Value::Array(vec![rule(&[("eu-west-1", None)], &[])])),
    ]);
    let inputs = env.checked("reg", &both).await;
    let (id, out) = env.create("reg", &inputs, false).await.unwrap();

    let fewer = env.checked("reg", &obj(&[("replication", inputs["replication"].clone())])).await;
    let d = env.diff("reg", &id, &out, &fewer).await;
    assert_eq!(d.diffs, vec!["scanning"]);
    assert_eq!(d.detailed_diff["scanning"].kind, pulumirpc::property_diff::Kind::Delete as i32);
    env.moto.start_recording();
    env.updated("reg", &id, &out, &fewer, true).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "preview makes no call");
    assert_eq!(scanning_in_force(&env.moto).await.0, "ENHANCED", "preview changes nothing");

    env.moto.start_recording();
    let state = env.updated("reg", &id, &out, &fewer, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["PutRegistryScanningConfiguration"]);
    assert_eq!(scanning_in_force(&env.moto).await, ("BASIC".to_string(), vec![]), "AWS's default again");
    assert_eq!(replication_destinations(&env.moto).await, vec![vec![("eu-west-1".to_string(), ACCOUNT.to_string())]]);
    assert!(!state.contains_key("scanning"), "no longer owned: {state:?}");

    // Not declared any more: a scanning configuration made by hand now is
    // never read, changed or reset by this resource.
    scanning_by_hand(&env.moto, "legacy/*").await;
    env.moto.start_recording();
    let (read_out, _) = env.read_found("reg", &id, &state, &fewer).await;
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry"], "only the owned group is read");
    let d = env.diff("reg", &id, &read_out, &fewer).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);
    env.delete("reg", &id, &read_out).await.unwrap();
    assert_eq!(scanning_in_force(&env.moto).await.1[0].1, vec!["legacy/*".to_string()]);
}

/// `scanOnPush: []` writes no scan-on-push rule (the schema's words): with
/// ENHANCED only `continuous` filters remain; with BASIC no rule at all,
/// AWS's default, where each repository's own `scanOnPush` decides.
#[tokio::test]
async fn an_empty_scan_on_push_list_writes_no_rule() {
    let mut env = env().await;
    let enhanced = env.checked("reg", &obj(&[("scanning", scanning("ENHANCED", &[], &["prod/*"]))])).await;
    let (id, out) = env.create("reg", &enhanced, false).await.unwrap();
    assert_eq!(
        scanning_in_force(&env.moto).await,
        ("ENHANCED".to_string(), vec![("CONTINUOUS_SCAN".to_string(), vec!["prod/*".to_string()])])
    );
    let basic = env.checked("reg", &obj(&[("scanning", scanning("BASIC", &[], &[]))])).await;
    env.updated("reg", &id, &out, &basic, false).await;
    assert_eq!(scanning_in_force(&env.moto).await, ("BASIC".to_string(), vec![]));
}

#[tokio::test]
async fn taking_over_a_configuration_is_refused_unless_adopt() {
    let mut env = env().await;
    scanning_by_hand(&env.moto, "legacy/*").await;
    let inputs = env.checked("scan", &obj(&[("scanning", scanning("BASIC", &["*"], &[]))])).await;
    env.moto.start_recording();
    let err = env.create("scan", &inputs, false).await.unwrap_err();
    let calls = env.moto.stop_recording();
    assert!(calls.iter().all(|c| !c.starts_with("Put")), "nothing was written: {calls:?}");
    assert_eq!(err.code(), Code::FailedPrecondition);
    for words in [
        "already has a scanning configuration (BASIC; scan on push: legacy/*)",
        "pulumi import awsecr:index:Registry scan 123456789012/us-east-1",
        "adopt: true",
    ] {
        assert!(err.message().contains(words), "{words}: {}", err.message());
    }
    assert_eq!(scanning_in_force(&env.moto).await.1[0].1, vec!["legacy/*".to_string()]);

    let adopting =
        env.checked("scan", &obj(&[("scanning", scanning("BASIC", &["*"], &[])), ("adopt", true.into())])).await;
    env.moto.start_recording();
    env.create("scan", &adopting, false).await.expect("adopt takes it over");
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRegistry", "PutRegistryScanningConfiguration"],
        "no check read with adopt"
    );
    assert_eq!(scanning_in_force(&env.moto).await.1[0].1, vec!["*".to_string()]);
}

#[tokio::test]
async fn replication_rules_and_source_accounts_compare_by_meaning() {
    let mut env = env().await;
    let news = obj(&[
        (
            "replication",
            Value::Array(vec![
                rule(&[("eu-west-1", None), ("us-west-2", Some(OTHER))], &["prod"]),
                rule(&[("ap-south-1", None)], &[]),
            ]),
        ),
        ("replicationSourceAccounts", list(&[OTHER, "111122223333"])),
    ]);
    let inputs = env.checked("rep", &news).await;
    env.moto.start_recording();
    let (id, out) = env.create("rep", &inputs, false).await.unwrap();
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRegistry", "GetRegistryPolicy", "PutReplicationConfiguration", "PutRegistryPolicy"]
    );
    let rules = replication_destinations(&env.moto).await;
    assert_eq!(rules.len(), 2);
    assert!(rules[0].contains(&("eu-west-1".to_string(), ACCOUNT.to_string())), "own account spelled out: {rules:?}");
    assert!(rules[0].contains(&("us-west-2".to_string(), OTHER.to_string())));
    let policy = policy_in_force(&env.moto).await.expect("a registry policy");
    assert_eq!(policy["Statement"][0]["Resource"], format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"));
    assert_eq!(policy["Statement"][0]["Action"], serde_json::json!(["ecr:CreateRepository", "ecr:ReplicateImage"]));
    let text: serde_json::Value = serde_json::from_str(out["registryPolicyText"].as_str().unwrap()).unwrap();
    assert_eq!(text, policy);

    // Rules, destinations and accounts in another order, and this account
    // spelled out: no change.
    let reordered = obj(&[
        (
            "replication",
            Value::Array(vec![
                rule(&[("ap-south-1", Some(ACCOUNT))], &[]),
                rule(&[("us-west-2", Some(OTHER)), ("eu-west-1", None)], &["prod"]),
            ]),
        ),
        ("replicationSourceAccounts", list(&["111122223333", OTHER])),
    ]);
    let reordered = env.checked("rep", &reordered).await;
    let d = env.diff("rep", &id, &out, &reordered).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);
    env.moto.start_recording();
    let (read_out, read_in) = env.read_found("rep", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry", "GetRegistryPolicy"], "one read per owned group");
    assert_eq!(read_in["replication"], inputs["replication"], "the user's spelling is kept");
    let d = env.diff("rep", &id, &read_out, &inputs).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);

    // Dropping the source accounts: the live policy is read (statements of
    // others would be kept) and, ours being the only one, deleted.
    let fewer = env.checked("rep", &obj(&[("replication", inputs["replication"].clone())])).await;
    let d = env.diff("rep", &id, &read_out, &fewer).await;
    assert_eq!(d.diffs, vec!["replicationSourceAccounts"]);
    env.moto.start_recording();
    let state = env.updated("rep", &id, &read_out, &fewer, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["GetRegistryPolicy", "DeleteRegistryPolicy"]);
    assert_eq!(policy_in_force(&env.moto).await, None);
    assert!(!state.contains_key("registryPolicyText"));

    env.moto.start_recording();
    env.delete("rep", &id, &state).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["PutReplicationConfiguration"]);
    assert!(replication_destinations(&env.moto).await.is_empty());
}

#[tokio::test]
async fn import_reads_every_group_that_holds_a_configuration() {
    let mut env = env().await;
    scanning_by_hand(&env.moto, "legacy/*").await;
    replication_by_hand(&env.moto, "eu-west-1").await;
    env.moto.start_recording();
    let (out, inputs) = env.read_found("imported", &registry_id(), &Map::new(), &Map::new()).await;
    assert_eq!(
        env.moto.stop_recording(),
        vec!["GetRegistryScanningConfiguration", "DescribeRegistry", "GetSigningConfiguration", "GetRegistryPolicy"]
    );
    assert_eq!(inputs["scanning"], scanning("BASIC", &["legacy/*"], &[]));
    assert_eq!(inputs["replication"], Value::Array(vec![rule(&[("eu-west-1", None)], &[])]));
    assert!(!inputs.contains_key("replicationSourceAccounts"), "no registry policy, no group: {inputs:?}");
    assert!(!inputs.contains_key("signing"), "no signing configuration, no group: {inputs:?}");
    let checked = env.checked("imported", &inputs).await;
    let d = env.diff("imported", &registry_id(), &out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // An id of another region is refused with the region to use.
    let err = env.try_read("imported", &format!("{ACCOUNT}/eu-west-1"), &Map::new(), &Map::new()).await.unwrap_err();
    assert!(err.message().contains("use a provider for eu-west-1"), "{}", err.message());
}

#[tokio::test]
async fn drift_is_a_diff_with_a_warning_and_the_next_update_restores() {
    let mut env = env().await;
    let inputs = env.checked("scan", &obj(&[("scanning", scanning("BASIC", &["*"], &[]))])).await;
    let (id, out) = env.create("scan", &inputs, false).await.unwrap();
    scanning_by_hand(&env.moto, "hand/*").await;
    let (read_out, _) = env.read_found("scan", &id, &out, &inputs).await;
    assert!(
        env.warnings().iter().any(|w| w.contains("scanning of ECR registry 123456789012 was changed outside Pulumi")),
        "{:?}",
        env.warnings()
    );
    let d = env.diff("scan", &id, &read_out, &inputs).await;
    assert_eq!(d.diffs, vec!["scanning"]);
    env.updated("scan", &id, &read_out, &inputs, false).await;
    assert_eq!(scanning_in_force(&env.moto).await.1[0].1, vec!["*".to_string()]);
}

#[tokio::test]
async fn bad_registries_are_refused_before_any_call() {
    let mut env = env().await;
    env.moto.start_recording();
    let cases: Vec<(Map, &str, &str)> = vec![
        (obj(&[("scanning", scanning("BASIC", &["*"], &["prod/*"]))]), "scanning.continuous", "only for type ENHANCED"),
        (
            obj(&[("replication", Value::Array(vec![rule(&[(REGION, None)], &[])]))]),
            "replication[0].destinations[0].region",
            "cannot replicate to itself",
        ),
        (obj(&[("replicationSourceAccounts", list(&["12345"]))]), "replicationSourceAccounts[0]", "12-digit"),
    ];
    for (news, path, words) in cases {
        let (_, failures) = env.check("bad", &news, &Map::new()).await;
        assert!(
            failures.iter().map(path_and_reason).any(|(p, r)| p == path && r.contains(words)),
            "{path}: {failures:?}"
        );
    }
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
    // This account named explicitly as a destination in its own region: only
    // the create knows the account, and refuses before writing.
    let inputs =
        env.checked("self", &obj(&[("replication", Value::Array(vec![rule(&[(REGION, Some(ACCOUNT))], &[])]))])).await;
    env.moto.start_recording();
    let err = env.create("self", &inputs, false).await.unwrap_err();
    assert!(err.message().contains("replication[0].destinations[0] is this registry itself"), "{}", err.message());
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry"]);
}

#[tokio::test]
async fn get_image_finds_by_tag_digest_and_most_recent() {
    let moto = Moto::start();
    let mut env = Env::with_config(moto, &[]).await;
    env.moto.ecr().await.create_repository().repository_name("apps/api").send().await.unwrap();
    // Five images (more than one page of the strict emulator's lists).
    for i in 0..5 {
        let manifest = manifest(i);
        env.moto
            .ecr()
            .await
            .put_image()
            .repository_name("apps/api")
            .image_manifest(manifest)
            .image_tag(format!("v{i}"))
            .send()
            .await
            .unwrap();
        if i == 3 {
            // The emulator keeps push times in whole seconds: the last image
            // is pushed a second later, so it is the most recent one.
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
    }
    let by = |pairs: &[(&str, Value)]| {
        let mut m = obj(&[("repositoryName", "apps/api".into())]);
        m.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())));
        m
    };
    // By tag: the reads at once, and the scan (there is none) asked again
    // by digest, since the tag may have moved between the calls.
    env.moto.start_recording();
    let tagged = env.invoke(GET_IMAGE, &by(&[("imageTag", "v2".into())])).await.unwrap();
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeImages", "DescribeImageSigningStatus", "DescribeImageScanFindings", "DescribeImageScanFindings"]
    );
    let tagged = decode(&tagged.r#return);
    let digest = tagged["imageDigest"].as_str().unwrap().to_string();
    assert!(digest.starts_with("sha256:"), "{digest}");
    assert_eq!(tagged["imageTags"], list(&["v2"]));
    assert_eq!(tagged["imageUri"], Value::from(format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/apps/api@{digest}")));
    assert!(tagged["imagePushedAt"].as_str().unwrap().ends_with('Z'), "{:?}", tagged["imagePushedAt"]);

    let by_digest =
        decode(&env.invoke(GET_IMAGE, &by(&[("imageDigest", digest.clone().into())])).await.unwrap().r#return);
    assert_eq!(by_digest["imageTags"], list(&["v2"]));

    env.moto.start_recording();
    let latest = decode(&env.invoke(GET_IMAGE, &by(&[("mostRecent", true.into())])).await.unwrap().r#return);
    let calls = env.moto.stop_recording();
    let pages = calls.iter().filter(|c| *c == "DescribeImages").count();
    assert!(pages >= 3, "every page is read: {calls:?}");
    assert_eq!(calls.len(), pages + 2, "and the signing status and the scan of the one chosen: {calls:?}");
    assert_eq!(latest["imageTags"], list(&["v4"]));

    let err = env.invoke(GET_IMAGE, &by(&[("imageTag", "v9".into())])).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains("\"apps/api\" in us-east-1 has no image tagged \"v9\""), "{}", err.message());
    let err = env
        .invoke(GET_IMAGE, &obj(&[("repositoryName", "apps/none".into()), ("imageTag", "v1".into())]))
        .await
        .unwrap_err();
    assert!(err.message().contains("\"apps/none\" does not exist in us-east-1"), "{}", err.message());
    let failed = env.invoke(GET_IMAGE, &by(&[])).await.unwrap();
    assert!(failed.failures.iter().any(|f| f.reason.contains("exactly one of imageTag, imageDigest or mostRecent")));
}
