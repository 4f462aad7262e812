//! Typed archive rules in `lifecyclePolicy` (archive by age or since the
//! last pull, expire archived images), over gRPC against the real provider
//! binary and the emulator, for Repository and RepositoryTemplate: created,
//! refreshed and imported with no diff; a policy written by hand in another
//! spelling (key order, priorities with gaps, `storageClass: standard`
//! written out) imports into the typed fields. The emulator's
//! PutLifecyclePolicy checks a repository's policy with ECR's rules
//! (tests/support/ecr_lifecycle.py); its template stand-in stores the text
//! unchecked.

mod common;

use common::env::Env;
use common::*;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc::diff_response::DiffChanges;
use serde_json::{Value as Json, json};

const TEMPLATE: &str = "awsecr:index:RepositoryTemplate";

/// Every kind of typed rule: untagged images archived when not pulled for
/// 30 days, pull-request images expired after 7 days, releases archived 180
/// days after push, nightlies archived when not pulled for 14 days, at most
/// 500 images, archived images expired a year after archiving.
fn every_kind() -> Value {
    Value::from_json(&json!({
        "archiveUntaggedNotPulledForDays": 30,
        "maxImageCount": 500,
        "expireArchivedAfterDays": 365,
        "tagged": [
            {"tagPatterns": ["pr-*"], "expireAfterDays": 7},
            {"tagPrefixes": ["v"], "archiveAfterDays": 180},
            {"tagPatterns": ["nightly-*"], "archiveNotPulledForDays": 14},
            {"tagPrefixes": ["release"], "keepLast": 20},
        ],
    }))
}

/// The same rules as `every_kind` (untagged archived after 9 days since push
/// instead), as another tool would write them: keys in another order,
/// priorities with gaps, the archived-image rule first, the standard
/// storage class written out.
const BY_HAND: &str = r#"{"rules":[
  {"rulePriority":1,"description":"archived a year","selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":365},"action":{"type":"expire"}},
  {"action":{"targetStorageClass":"archive","type":"transition"},"selection":{"countNumber":9,"countUnit":"days","countType":"sinceImagePushed","storageClass":"standard","tagStatus":"untagged"},"rulePriority":10},
  {"rulePriority":20,"selection":{"tagStatus":"tagged","tagPatternList":["pr-*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}},
  {"rulePriority":30,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"sinceImagePushed","countUnit":"days","countNumber":180},"action":{"type":"transition","targetStorageClass":"archive"}},
  {"rulePriority":40,"selection":{"tagStatus":"tagged","tagPatternList":["nightly-*"],"countType":"sinceImagePulled","countUnit":"days","countNumber":14},"action":{"type":"transition","targetStorageClass":"archive"}},
  {"rulePriority":50,"selection":{"tagStatus":"tagged","tagPrefixList":["release"],"countType":"imageCountMoreThan","countNumber":20},"action":{"type":"expire"}},
  {"rulePriority":99,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":500},"action":{"type":"expire"}}]}"#;

fn by_hand_typed() -> Value {
    let mut v = every_kind();
    if let Value::Object(m) = &mut v {
        m.remove("archiveUntaggedNotPulledForDays");
        m.insert("archiveUntaggedAfterDays".into(), Value::Number(9.0));
    }
    v
}

/// The held policy's rules: (action type, target, count type, storage class).
fn shape(text: &str) -> Vec<(Json, Json, Json, Json)> {
    let doc: Json = serde_json::from_str(text).unwrap();
    doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = &r["selection"];
            (
                r["action"]["type"].clone(),
                r["action"]["targetStorageClass"].clone(),
                s["countType"].clone(),
                s["storageClass"].clone(),
            )
        })
        .collect()
}

fn expected_shape() -> Vec<(Json, Json, Json, Json)> {
    let t = |a: &str, target: Json, count: &str, class: Json| (json!(a), target, json!(count), class);
    let archive = || json!("archive");
    vec![
        t("transition", archive(), "sinceImagePulled", Json::Null),
        t("expire", Json::Null, "sinceImagePushed", Json::Null),
        t("transition", archive(), "sinceImagePushed", Json::Null),
        t("transition", archive(), "sinceImagePulled", Json::Null),
        t("expire", Json::Null, "imageCountMoreThan", Json::Null),
        t("expire", Json::Null, "imageCountMoreThan", Json::Null),
        t("expire", Json::Null, "sinceImageTransitioned", archive()),
    ]
}

/// Create, refresh with no diff, import with no diff: the typed rules come
/// back as they were declared, never as `lifecyclePolicyDocument`.
async fn round_trip(env: &mut Env, name: &str, id: &str, news: Map) -> String {
    let inputs = env.checked(name, &news).await;
    let (created_id, out) = env.create(name, &inputs, false).await.unwrap();
    assert_eq!(created_id, id);
    let text = out["lifecyclePolicyText"].as_str().expect("the policy in force").to_string();
    assert_eq!(shape(&text), expected_shape(), "{text}");

    // Refresh.
    let (read_out, read_in) = env.read_found(name, id, &out, &inputs).await;
    assert_eq!(read_in.get("lifecyclePolicy").map(Value::plain), Some(every_kind().plain()), "refresh");
    assert!(!read_in.contains_key("lifecyclePolicyDocument"), "{read_in:?}");
    let d = env.diff(name, id, &read_out, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "refresh: {:?}", d.diffs);

    // Import: no old state, no inputs.
    let (imported, imported_in) = env.read_found(name, id, &Map::new(), &Map::new()).await;
    assert_eq!(imported_in.get("lifecyclePolicy").map(Value::plain), Some(every_kind().plain()), "import");
    assert!(!imported_in.contains_key("lifecyclePolicyDocument"), "{imported_in:?}");
    let (checked, failures) = env.check(name, &imported_in, &Map::new()).await;
    assert!(failures.is_empty(), "{failures:?}");
    let d = env.diff(name, id, &imported, &checked).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "import: {:?}", d.diffs);
    assert!(env.warnings().is_empty(), "{:?}", env.warnings());
    text
}

/// Import of a policy another tool wrote: the typed fields, and the program
/// pulumi import writes from them changes nothing.
async fn imports_by_hand(env: &mut Env, name: &str, id: &str) {
    let (imported, imported_in) = env.read_found(name, id, &Map::new(), &Map::new()).await;
    assert_eq!(imported_in.get("lifecyclePolicy").map(Value::plain), Some(by_hand_typed().plain()));
    assert!(!imported_in.contains_key("lifecyclePolicyDocument"), "{imported_in:?}");
    let (checked, failures) = env.check(name, &imported_in, &Map::new()).await;
    assert!(failures.is_empty(), "{failures:?}");
    let d = env.diff(name, id, &imported, &checked).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);
}

#[tokio::test]
async fn a_repository_with_archive_rules_round_trips() {
    let mut env = Env::new().await;
    let news = obj(&[("repositoryName", "platform/archive".into()), ("lifecyclePolicy", every_kind())]);
    let text = round_trip(&mut env, "archive", "platform/archive", news).await;
    // What ECR holds is what the output says (the emulator checked it).
    assert_eq!(env.lifecycle_policy("platform/archive").await.as_deref(), Some(text.as_str()));

    let ecr = env.moto.ecr().await;
    ecr.create_repository().repository_name("legacy/archive").send().await.unwrap();
    ecr.put_lifecycle_policy().repository_name("legacy/archive").lifecycle_policy_text(BY_HAND).send().await.unwrap();
    imports_by_hand(&mut env, "legacy", "legacy/archive").await;
}

#[tokio::test]
async fn a_template_with_archive_rules_round_trips() {
    let mut env = Env::with_config(Moto::start(), &[]).await.of_type(TEMPLATE);
    let news = obj(&[("prefix", "archived".into()), ("lifecyclePolicy", every_kind())]);
    let text = round_trip(&mut env, "archived", "archived", news).await;
    let ecr = env.moto.ecr().await;
    let held = ecr.describe_repository_creation_templates().prefixes("archived").send().await.unwrap();
    assert_eq!(held.repository_creation_templates()[0].lifecycle_policy(), Some(text.as_str()));

    ecr.create_repository_creation_template()
        .prefix("legacy")
        .applied_for(aws_sdk_ecr::types::RctAppliedFor::CreateOnPush)
        .lifecycle_policy(BY_HAND)
        .send()
        .await
        .unwrap();
    imports_by_hand(&mut env, "legacy", "legacy").await;
}

/// Check refuses what ECR would, naming the field and what is allowed.
#[tokio::test]
async fn check_refuses_archive_rules_ecr_refuses() {
    let mut env = Env::new().await;
    let cases = [
        (json!({"expireArchivedAfterDays": 30}), "lifecyclePolicy.expireArchivedAfterDays", "at least 90 days"),
        (
            json!({"expireUntaggedAfterDays": 7, "archiveUntaggedAfterDays": 30}),
            "lifecyclePolicy.archiveUntaggedAfterDays",
            "one rule for untagged images",
        ),
        (
            json!({"tagged": [{"tagPrefixes": ["v"], "keepLast": 3, "archiveNotPulledForDays": 30}]}),
            "lifecyclePolicy.tagged[0]",
            "archiveAfterDays and archiveNotPulledForDays",
        ),
        (
            json!({"tagged": [{"tagPrefixes": ["v"], "keepLast": 3}, {"tagPrefixes": ["v"], "archiveAfterDays": 30}]}),
            "lifecyclePolicy.tagged[1].tagPrefixes",
            "same prefixes",
        ),
    ];
    for (policy, path, reason) in cases {
        let news = obj(&[("repositoryName", "r".into()), ("lifecyclePolicy", Value::from_json(&policy))]);
        let (_, failures) = env.check("r", &news, &Map::new()).await;
        let got: Vec<(String, String)> = failures.iter().map(path_and_reason).collect();
        assert!(got.iter().any(|(p, r)| p == path && r.contains(reason)), "{policy}: {got:?}");
    }
}
