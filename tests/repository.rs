//! The Repository resource over gRPC, against the real provider binary and a
//! local ECR emulator. What ECR holds is checked with an independent AWS SDK
//! client; API calls are counted with moto's request recorder.

mod common;

use common::env::{Env, TYPE};
use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::error::init_failure_of;
use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;
use tonic::Code;

fn lifecycle(days: Option<f64>, count: Option<f64>) -> Value {
    let mut m = Map::new();
    if let Some(d) = days {
        m.insert("expireUntaggedAfterDays".into(), Value::Number(d));
    }
    if let Some(c) = count {
        m.insert("maxImageCount".into(), Value::Number(c));
    }
    Value::Object(m)
}

fn mutability(repo: &aws_sdk_ecr::types::Repository) -> String {
    repo.image_tag_mutability().unwrap().as_str().to_string()
}

#[tokio::test]
async fn create_with_defaults_makes_one_call_and_applies_production_defaults() {
    let mut env = Env::new().await;
    env.moto.start_recording();
    let inputs = env.checked("defaults", &Map::new()).await;
    let (preview_id, preview) = env.create("defaults", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check and preview make no AWS call");
    assert_eq!(preview_id, "");
    assert_eq!(preview["arn"], Value::Unknown);
    assert_eq!(preview["repositoryUrl"], Value::Unknown);

    env.moto.start_recording();
    let (id, out) = env.create("defaults", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepository"]);
    let name = inputs["repositoryName"].as_str().unwrap().to_string();
    assert!(name.starts_with("defaults-"), "{name}");
    assert_eq!(id, name);

    let repo = env.describe(&name).await.expect("repository exists");
    assert_eq!(mutability(&repo), "IMMUTABLE");
    assert!(repo.image_scanning_configuration().unwrap().scan_on_push());
    assert_eq!(repo.encryption_configuration().unwrap().encryption_type().as_str(), "AES256");
    assert_eq!(env.lifecycle_policy(&name).await, None);
    assert_eq!(out["arn"].as_str(), repo.repository_arn());
    assert_eq!(out["repositoryUrl"].as_str(), repo.repository_uri());
    assert_eq!(out["registryId"], Value::from(ACCOUNT));
    assert_eq!(out["imageTagMutability"], Value::from("IMMUTABLE"));
    assert!(!out.contains_key("lifecyclePolicyText"));
}

#[tokio::test]
async fn create_full_then_read_back_matches_and_diff_is_empty() {
    let mut env = Env::new().await;
    let key = env.moto.create_kms_key();
    let news = obj(&[
        ("repositoryName", "platform/api".into()),
        ("encryptionType", "KMS".into()),
        ("kmsKey", key.clone().into()),
        ("lifecyclePolicy", lifecycle(Some(14.0), Some(100.0))),
        ("mutableTagExclusions", strings(&["latest"])),
        ("tags", string_map(&[("team", "platform"), ("cost-center", "42")])),
    ]);
    let inputs = env.checked("api", &news).await;
    env.moto.start_recording();
    let (id, out) = env.create("api", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepository", "PutLifecyclePolicy"]);
    assert_eq!(id, "platform/api");

    let repo = env.describe("platform/api").await.unwrap();
    assert_eq!(mutability(&repo), "IMMUTABLE_WITH_EXCLUSION");
    let filters: Vec<&str> = repo.image_tag_mutability_exclusion_filters().iter().map(|f| f.filter()).collect();
    assert_eq!(filters, vec!["latest"]);
    let enc = repo.encryption_configuration().unwrap();
    assert_eq!(enc.encryption_type().as_str(), "KMS");
    assert_eq!(enc.kms_key(), Some(key.as_str()));
    let policy: serde_json::Value = serde_json::from_str(&env.lifecycle_policy("platform/api").await.unwrap()).unwrap();
    assert_eq!(policy["rules"][0]["selection"]["tagStatus"], "untagged");
    assert_eq!(policy["rules"][0]["selection"]["countNumber"], 14);
    assert_eq!(policy["rules"][1]["selection"]["tagStatus"], "any");
    assert_eq!(policy["rules"][1]["selection"]["countNumber"], 100);
    let tags = env.tags(repo.repository_arn().unwrap()).await;
    assert_eq!(
        tags,
        [("cost-center".to_string(), "42".to_string()), ("team".to_string(), "platform".to_string())].into()
    );

    env.moto.start_recording();
    let read = env.read("api", &id, &out, &inputs).await;
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRepositories", "GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"]
    );
    assert_eq!(read.id, id);
    let read_inputs = decode(&read.inputs);
    let read_out = decode(&read.properties);
    for k in [
        "repositoryName",
        "encryptionType",
        "kmsKey",
        "lifecyclePolicy",
        "mutableTagExclusions",
        "tags",
        "immutableTags",
        "scanOnPush",
    ] {
        assert_eq!(read_inputs.get(k).map(Value::plain), inputs.get(k).map(Value::plain), "{k}");
    }
    env.moto.start_recording();
    let d = env.diff("api", &id, &read_out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Diff makes no AWS call");
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
}

#[tokio::test]
async fn each_setting_updates_alone_with_one_call() {
    let mut env = Env::new().await;
    let base = obj(&[
        ("repositoryName", "svc".into()),
        ("lifecyclePolicy", lifecycle(Some(7.0), None)),
        ("tags", string_map(&[("team", "a"), ("keep", "x")])),
    ]);
    let inputs = env.checked("svc", &base).await;
    let (id, mut state) = env.create("svc", &inputs, false).await.unwrap();

    // Each step changes one setting of the inputs in force (None removes it).
    type Step = (&'static str, Vec<(&'static str, Option<Value>)>, Vec<&'static str>);
    let steps: Vec<Step> = vec![
        ("immutableTags", vec![("immutableTags", Some(false.into()))], vec!["PutImageTagMutability"]),
        (
            "immutableTagExclusions",
            vec![("immutableTagExclusions", Some(strings(&["release-*"])))],
            vec!["PutImageTagMutability"],
        ),
        ("scanOnPush", vec![("scanOnPush", Some(false.into()))], vec!["PutImageScanningConfiguration"]),
        (
            "lifecyclePolicy",
            vec![("lifecyclePolicy", Some(lifecycle(Some(7.0), Some(50.0))))],
            vec!["PutLifecyclePolicy"],
        ),
        ("tags", vec![("tags", Some(string_map(&[("team", "b"), ("keep", "x")])))], vec!["TagResource"]),
        ("tags", vec![("tags", Some(string_map(&[("team", "b")])))], vec!["UntagResource"]),
        ("forceDelete", vec![("forceDelete", Some(true.into()))], vec![]),
        ("lifecyclePolicy", vec![("lifecyclePolicy", None)], vec!["DeleteLifecyclePolicy"]),
    ];
    let mut declared = base.clone();
    for (key, changes, calls) in steps {
        for (k, v) in changes {
            match v {
                Some(v) => declared.insert(k.into(), v),
                None => declared.remove(k),
            };
        }
        let (news, failures) = env.check("svc", &declared, &state).await;
        assert!(failures.is_empty(), "{failures:?}");
        let d = env.diff("svc", &id, &state, &news).await;
        assert_eq!(d.diffs, vec![key.to_string()], "diff for {key}");
        assert!(d.replaces.is_empty());
        env.moto.start_recording();
        env.update("svc", &id, &state, &news, true).await.unwrap();
        // New lifecycle rules are previewed by ECR (its first read IN_PROGRESS
        // in the emulator); the repository holds no image, so no count follows.
        let preview_calls: Vec<String> = if calls == ["PutLifecyclePolicy"] {
            ["StartLifecyclePolicyPreview", "GetLifecyclePolicyPreview", "GetLifecyclePolicyPreview"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        };
        assert_eq!(
            env.moto.stop_recording(),
            preview_calls,
            "preview of {key} makes no call but the lifecycle preview"
        );
        env.moto.start_recording();
        state = env.update("svc", &id, &state, &news, false).await.unwrap();
        assert_eq!(env.moto.stop_recording(), calls, "calls for {key}");
        // Nothing left to do afterwards.
        let d = env.diff("svc", &id, &state, &news).await;
        assert!(d.diffs.is_empty(), "after {key}: {:?}", d.diffs);
    }
    // The emulator holds the final state.
    let repo = env.describe("svc").await.unwrap();
    assert_eq!(mutability(&repo), "MUTABLE_WITH_EXCLUSION");
    assert!(!repo.image_scanning_configuration().unwrap().scan_on_push());
    assert_eq!(env.lifecycle_policy("svc").await, None);
    assert_eq!(env.tags(repo.repository_arn().unwrap()).await, [("team".to_string(), "b".to_string())].into());
    assert_eq!(state["forceDelete"], Value::Bool(true));
}

#[tokio::test]
async fn encryption_change_replaces_the_repository() {
    let mut env = Env::new().await;
    let inputs = env.checked("enc", &obj(&[("repositoryName", "enc".into())])).await;
    let (id, state) = env.create("enc", &inputs, false).await.unwrap();
    let news = env.checked("enc", &obj(&[("repositoryName", "enc".into()), ("encryptionType", "KMS".into())])).await;
    let d = env.diff("enc", &id, &state, &news).await;
    assert_eq!(d.replaces, vec!["encryptionType".to_string()]);
    assert!(d.delete_before_replace, "same name: the old one must go first");
    assert_eq!(d.detailed_diff["encryptionType"].kind, pulumirpc::property_diff::Kind::UpdateReplace as i32);
    // The engine then deletes and creates.
    env.delete("enc", &id, &state).await.unwrap();
    env.create("enc", &news, false).await.unwrap();
    let repo = env.describe("enc").await.unwrap();
    assert_eq!(repo.encryption_configuration().unwrap().encryption_type().as_str(), "KMS");
}

#[tokio::test]
async fn import_reconstructs_inputs_with_no_diff() {
    let mut env = Env::new().await;
    let ecr = env.moto.ecr().await;
    use aws_sdk_ecr::types::*;
    let created = ecr
        .create_repository()
        .repository_name("legacy/web")
        .image_tag_mutability(ImageTagMutability::Mutable)
        .image_scanning_configuration(ImageScanningConfiguration::builder().scan_on_push(false).build())
        .tags(Tag::builder().key("owner").value("web").build().unwrap())
        .send()
        .await
        .unwrap();
    let policy = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}"#;
    ecr.put_lifecycle_policy().repository_name("legacy/web").lifecycle_policy_text(policy).send().await.unwrap();

    let read = env.read("web", "legacy/web", &Map::new(), &Map::new()).await;
    assert_eq!(read.id, "legacy/web");
    let inputs = decode(&read.inputs);
    assert_eq!(inputs["immutableTags"], Value::Bool(false));
    assert_eq!(inputs["scanOnPush"], Value::Bool(false));
    assert_eq!(inputs["lifecyclePolicy"], lifecycle(Some(3.0), None));
    assert_eq!(tags_of(&inputs, "tags"), [("owner".to_string(), "web".to_string())].into());
    assert_eq!(decode(&read.properties)["arn"].as_str(), created.repository().unwrap().repository_arn());
    // The program pulumi import writes uses these inputs: no diff.
    let (checked, failures) = env.check("web", &inputs, &Map::new()).await;
    assert!(failures.is_empty(), "{failures:?}");
    let d = env.diff("web", "legacy/web", &decode(&read.properties), &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
}

#[tokio::test]
async fn refresh_reports_out_of_band_changes() {
    let mut env = Env::new().await;
    let inputs = env
        .checked(
            "drift",
            &obj(&[
                ("repositoryName", "drift".into()),
                ("lifecyclePolicy", lifecycle(None, Some(10.0))),
                ("tags", string_map(&[("team", "a")])),
            ]),
        )
        .await;
    let (id, state) = env.create("drift", &inputs, false).await.unwrap();
    let ecr = env.moto.ecr().await;
    use aws_sdk_ecr::types::*;
    ecr.put_image_tag_mutability()
        .repository_name("drift")
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .unwrap();
    ecr.put_image_scanning_configuration()
        .repository_name("drift")
        .image_scanning_configuration(ImageScanningConfiguration::builder().scan_on_push(false).build())
        .send()
        .await
        .unwrap();
    let hand_edited = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#;
    ecr.put_lifecycle_policy().repository_name("drift").lifecycle_policy_text(hand_edited).send().await.unwrap();
    ecr.tag_resource()
        .resource_arn(state["arn"].as_str().unwrap())
        .tags(Tag::builder().key("extra").value("1").build().unwrap())
        .send()
        .await
        .unwrap();

    let read = env.read("drift", &id, &state, &inputs).await;
    let out = decode(&read.properties);
    assert_eq!(out["immutableTags"], Value::Bool(false));
    assert_eq!(out["scanOnPush"], Value::Bool(false));
    // The hand-edited policy is visible, not dropped.
    let text: serde_json::Value = serde_json::from_str(out["lifecyclePolicyText"].as_str().unwrap()).unwrap();
    assert_eq!(text["rules"][0]["selection"]["tagStatus"], "tagged");
    assert_eq!(tags_of(&out, "tagsAll").get("extra").map(String::as_str), Some("1"));

    let d = env.diff("drift", &id, &out, &inputs).await;
    let mut diffs = d.diffs.clone();
    diffs.sort();
    assert_eq!(diffs, vec!["immutableTags", "lifecyclePolicy", "scanOnPush", "tags"]);
    // And the next update restores what was declared.
    let restored = env.update("drift", &id, &out, &inputs, false).await.unwrap();
    let repo = env.describe("drift").await.unwrap();
    assert_eq!(mutability(&repo), "IMMUTABLE");
    assert!(repo.image_scanning_configuration().unwrap().scan_on_push());
    let policy: serde_json::Value = serde_json::from_str(&env.lifecycle_policy("drift").await.unwrap()).unwrap();
    assert_eq!(policy["rules"][0]["selection"]["tagStatus"], "any");
    assert_eq!(env.tags(restored["arn"].as_str().unwrap()).await, [("team".to_string(), "a".to_string())].into());
}

#[tokio::test]
async fn refresh_of_a_deleted_repository_returns_empty_id() {
    let mut env = Env::new().await;
    let inputs = env.checked("gone", &obj(&[("repositoryName", "gone".into())])).await;
    let (id, state) = env.create("gone", &inputs, false).await.unwrap();
    env.moto.ecr().await.delete_repository().repository_name("gone").send().await.unwrap();
    let read = env.read("gone", &id, &state, &inputs).await;
    assert_eq!(read.id, "");
    // Deleting something already gone succeeds.
    env.delete("gone", &id, &state).await.unwrap();
}

#[tokio::test]
async fn delete_keeps_images_unless_force_delete() {
    let mut env = Env::new().await;
    let inputs = env.checked("full", &obj(&[("repositoryName", "full".into())])).await;
    let (id, state) = env.create("full", &inputs, false).await.unwrap();
    env.moto.push_image("full", "v1").await;

    let err = env.delete("full", &id, &state).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("still holds images") && err.message().contains("forceDelete"), "{}", err.message());
    assert!(env.describe("full").await.is_some(), "the repository is still there");
    let images = env.moto.ecr().await.list_images().repository_name("full").send().await.unwrap();
    assert_eq!(images.image_ids().len(), 1, "and so is its image");

    // Setting forceDelete is a state-only update: no AWS call.
    let news = env.checked("full", &obj(&[("repositoryName", "full".into()), ("forceDelete", true.into())])).await;
    env.moto.start_recording();
    let state = env.update("full", &id, &state, &news, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
    env.moto.start_recording();
    env.delete("full", &id, &state).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["DeleteRepository"]);
    assert!(env.describe("full").await.is_none());
}

#[tokio::test]
async fn already_existing_repository_suggests_import() {
    let mut env = Env::new().await;
    env.moto.ecr().await.create_repository().repository_name("taken").send().await.unwrap();
    let inputs = env.checked("mine", &obj(&[("repositoryName", "taken".into())])).await;
    let err = env.create("mine", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(err.message().contains("pulumi import awsecr:index:Repository mine taken"), "{}", err.message());
}

#[tokio::test]
async fn failure_after_create_records_the_repository() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    proxy.inject(
        "PutLifecyclePolicy",
        Fault::Error { status: 400, code: "AccessDeniedException", message: "not allowed" },
        Some(1),
    );
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let inputs = env
        .checked(
            "partial",
            &obj(&[("repositoryName", "partial".into()), ("lifecyclePolicy", lifecycle(Some(5.0), None))]),
        )
        .await;
    let err = env.create("partial", &inputs, false).await.unwrap_err();
    assert!(err.message().contains("ecr:PutLifecyclePolicy"), "names the IAM action: {}", err.message());
    assert_eq!(err.code(), Code::PermissionDenied);
    let init = init_failure_of(&err).expect("ErrorResourceInitFailed in the status details");
    assert_eq!(init.id, "partial");
    let recorded = decode(&init.properties);
    assert!(recorded["arn"].as_str().unwrap().ends_with("repository/partial"));
    assert!(!recorded.contains_key("lifecyclePolicyText"), "the policy was not applied");
    assert!(env.describe("partial").await.is_some(), "the repository exists and is recorded, not orphaned");

    // The next `up` updates the recorded repository and applies the policy.
    let d = env.diff("partial", "partial", &recorded, &inputs).await;
    assert_eq!(d.diffs, vec!["lifecyclePolicy".to_string()]);
    env.update("partial", "partial", &recorded, &inputs, false).await.unwrap();
    assert!(env.lifecycle_policy("partial").await.is_some());
}

#[tokio::test]
async fn timeout_is_honoured() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    proxy.inject("DeleteRepository", Fault::Delay(std::time::Duration::from_secs(5)), None);
    let mut p = ProviderProcess::start(&[]).await;
    p.configure(&moto, &[("endpoint", proxy.endpoint().into())]).await.unwrap();
    let err = p
        .client
        .delete(pulumirpc::DeleteRequest {
            id: "slow".into(),
            urn: urn("slow"),
            r#type: TYPE.into(),
            properties: Some(encode_struct(&obj(&[("repositoryName", "slow".into())]))),
            timeout: 1.0,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::DeadlineExceeded, "{}", err.message());
    assert!(err.message().contains("timeout"), "{}", err.message());
}

#[tokio::test]
async fn check_failures_name_the_path_and_make_no_call() {
    let mut env = Env::new().await;
    env.moto.start_recording();
    let (_, failures) = env
        .check(
            "bad",
            &obj(&[
                ("repositoryName", "Bad Name".into()),
                ("lifecyclePolicy", lifecycle(None, Some(0.0))),
                ("kmsKey", "alias/x".into()),
                ("tags", string_map(&[("aws:x", "y")])),
            ]),
            &Map::new(),
        )
        .await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
    let got: Vec<(String, String)> = failures.iter().map(path_and_reason).collect();
    let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"repositoryName"), "{got:?}");
    assert!(
        got.contains(&("lifecyclePolicy.maxImageCount".into(), "must be between 1 and 10000, got 0".into())),
        "{got:?}"
    );
    assert!(paths.contains(&"kmsKey"), "{got:?}");
    assert!(paths.contains(&"tags.aws:x"), "{got:?}");
}

#[tokio::test]
async fn secret_inputs_give_secret_outputs() {
    let mut env = Env::new().await;
    let news = obj(&[
        ("repositoryName", "secretive".into()),
        ("tags", Value::Secret(Box::new(string_map(&[("owner", "alice")])))),
    ]);
    let inputs = env.checked("secretive", &news).await;
    assert!(matches!(inputs["tags"], Value::Secret(_)));
    let (_, out) = env.create("secretive", &inputs, false).await.unwrap();
    assert!(matches!(out["tags"], Value::Secret(_)));
    assert!(matches!(out["tagsAll"], Value::Secret(_)));
    assert!(!matches!(out["arn"], Value::Secret(_)));
}

#[tokio::test]
async fn exhausted_throttling_says_so() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    proxy.inject(
        "CreateRepository",
        Fault::Error { status: 400, code: "ThrottlingException", message: "Rate exceeded" },
        None,
    );
    let mut env =
        Env::with_config(moto, &[("endpoint", proxy.endpoint().into()), ("maxRetries", Value::Number(1.0))]).await;
    let inputs = env.checked("busy", &obj(&[("repositoryName", "busy".into())])).await;
    let err = env.create("busy", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    assert!(err.message().contains("kept throttling") && err.message().contains("maxRetries"), "{}", err.message());
    assert!(env.describe("busy").await.is_none());
}

/// Retries count against maxRetries: N throttled answers cost N+1 attempts,
/// and one more than maxRetries allows fails the call.
#[tokio::test]
async fn retries_are_counted_against_max_retries() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let throttle = Fault::Error { status: 400, code: "ThrottlingException", message: "Rate exceeded" };
    let mut env =
        Env::with_config(moto, &[("endpoint", proxy.endpoint().into()), ("maxRetries", Value::Number(3.0))]).await;

    proxy.inject("CreateRepository", throttle.clone(), Some(3));
    let inputs = env.checked("patient", &obj(&[("repositoryName", "patient".into())])).await;
    env.create("patient", &inputs, false).await.expect("three throttles are within maxRetries=3");
    let c = proxy.counts();
    assert_eq!(c.throttled, 3);
    assert_eq!(c.forwarded_by_operation.get("CreateRepository"), Some(&1), "the fourth attempt reached ECR");

    proxy.clear();
    proxy.inject("CreateRepository", throttle, Some(4));
    let inputs = env.checked("impatient", &obj(&[("repositoryName", "impatient".into())])).await;
    let err = env.create("impatient", &inputs, false).await.unwrap_err();
    assert!(err.message().contains("after 3 retries"), "{}", err.message());
    let c = proxy.counts();
    assert_eq!(c.throttled, 3 + 4, "1 + maxRetries attempts, all throttled");
    assert_eq!(c.forwarded_by_operation.get("CreateRepository"), Some(&1), "none reached ECR");
    assert!(!env.moto.exists("impatient").await);
}

/// A create whose reply is lost after ECR made the repository (a 500, or a
/// connection dropped after the write): the SDK's retry meets
/// RepositoryAlreadyExists, and the provider recognises its own repository
/// instead of orphaning it. A repository someone else made is still refused.
#[tokio::test]
async fn a_lost_create_reply_is_recognised_and_nothing_is_orphaned() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    for (name, lost) in [("lost-500", Fault::LoseReply(Some(500))), ("lost-drop", Fault::LoseReply(None))] {
        proxy.clear();
        proxy.reset_counts();
        proxy.inject("CreateRepository", lost, Some(1));
        let news = obj(&[
            ("repositoryName", name.into()),
            ("lifecyclePolicy", lifecycle(Some(7.0), None)),
            ("tags", string_map(&[("team", "a")])),
        ]);
        let inputs = env.checked(name, &news).await;
        let (id, out) = env.create(name, &inputs, false).await.expect("the create carries on");
        assert_eq!(id, name);
        let c = proxy.counts();
        assert_eq!(c.lost_replies, 1);
        assert_eq!(c.succeeded.get("CreateRepository"), Some(&1), "created exactly once");
        assert_eq!(c.forwarded_by_operation.get("CreateRepository"), Some(&2), "the SDK retried the create");
        assert!(env.lifecycle_policy(name).await.is_some(), "the follow-up calls were made");
        assert_eq!(out["arn"], Value::from(env.describe(name).await.unwrap().repository_arn().unwrap()));
        // A second create of the same, with no lost reply, is someone else's
        // create meeting this repository: refused, even with equal settings.
        proxy.clear();
        let err = env.create(name, &inputs, false).await.unwrap_err();
        assert_eq!(err.code(), Code::AlreadyExists, "{}", err.message());
    }

    // Someone else's repository (other settings) under the name is not adopted.
    let ecr = env.moto.ecr().await;
    ecr.create_repository()
        .repository_name("theirs")
        .image_tag_mutability(aws_sdk_ecr::types::ImageTagMutability::Mutable)
        .send()
        .await
        .unwrap();
    let inputs = env.checked("theirs", &obj(&[("repositoryName", "theirs".into())])).await;
    let err = env.create("theirs", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(err.message().contains("pulumi import awsecr:index:Repository theirs theirs"), "{}", err.message());
}

/// A refresh that may not describe the repository is an error, never "the
/// repository is gone" (which would drop it from the stack).
#[tokio::test]
async fn a_refused_read_is_an_error_not_a_deletion() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let inputs = env.checked("guarded", &obj(&[("repositoryName", "guarded".into())])).await;
    let (id, state) = env.create("guarded", &inputs, false).await.unwrap();
    proxy.inject(
        "DescribeRepositories",
        Fault::Error { status: 400, code: "AccessDeniedException", message: "not authorized" },
        None,
    );
    let err = env.try_read("guarded", &id, &state, &inputs).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert!(err.message().contains("ecr:DescribeRepositories"), "{}", err.message());
}

/// Cancel arrives first: a write already under way finishes, and a create
/// that arrives after the Cancel is refused before any call.
#[tokio::test]
async fn after_cancel_new_writes_are_refused_and_the_write_under_way_ends() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    proxy.inject("CreateRepository", Fault::Delay(std::time::Duration::from_millis(1500)), Some(1));
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let first = env.checked("first", &obj(&[("repositoryName", "first".into())])).await;
    let second = env.checked("second", &obj(&[("repositoryName", "second".into())])).await;

    let mut client = env.p.client.clone();
    let in_flight = tokio::spawn(async move {
        client
            .create(pulumirpc::CreateRequest {
                urn: urn("first"),
                r#type: TYPE.into(),
                properties: Some(encode_struct(&first)),
                timeout: 60.0,
                ..Default::default()
            })
            .await
    });
    // Wait until the slow create has reached the proxy, then cancel.
    let start = std::time::Instant::now();
    while proxy.counts().slowed == 0 {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "the first create never started");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    env.p.client.cancel(()).await.unwrap();

    env.moto.start_recording();
    let refused = env.create("second", &second, false).await.unwrap_err();
    assert_eq!(refused.code(), Code::Cancelled, "{}", refused.message());
    assert!(refused.message().contains("cancelled before ecr:CreateRepository"), "{}", refused.message());

    let done = in_flight.await.unwrap().expect("the write under way finishes");
    assert_eq!(done.into_inner().id, "first");
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepository"], "only the first create reached ECR");
    assert!(env.moto.exists("first").await);
    assert!(!env.moto.exists("second").await);
}

/// Reserved `aws:` tags (CloudFormation's, say) are read apart into awsTags:
/// never in tags or tagsAll, never diffed, never removed by an update. The
/// strict emulator refuses any change to them, as ECR does.
#[tokio::test]
async fn reserved_aws_tags_are_kept_apart_and_never_touched() {
    let moto = Moto::start_strict();
    let mut env = Env::with_config(moto, &[]).await;
    let ecr = env.moto.ecr().await;
    let made = ecr
        .create_repository()
        .repository_name("stacked")
        .tags(aws_sdk_ecr::types::Tag::builder().key("team").value("web").build().unwrap())
        .send()
        .await
        .unwrap();
    let arn = made.repository().unwrap().repository_arn().unwrap().to_string();
    env.moto.set_reserved_tag(&arn, "aws:cloudformation:stack-name", "legacy-stack");

    // Import: tags and tagsAll hold only the repository's own tags.
    let (out, inputs) = env.read_found("stacked", "stacked", &Map::new(), &Map::new()).await;
    assert_eq!(tags_of(&inputs, "tags"), [("team".to_string(), "web".to_string())].into());
    assert_eq!(tags_of(&out, "tagsAll"), [("team".to_string(), "web".to_string())].into());
    assert_eq!(
        tags_of(&out, "awsTags"),
        [("aws:cloudformation:stack-name".to_string(), "legacy-stack".to_string())].into()
    );
    let checked = env.checked("stacked", &inputs).await;
    let d = env.diff("stacked", "stacked", &out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // A state read before reserved tags were kept apart holds them in tags
    // and tagsAll: an update still leaves them alone.
    let mut old_state = out.clone();
    old_state
        .insert("tagsAll".into(), string_map(&[("team", "web"), ("aws:cloudformation:stack-name", "legacy-stack")]));
    let news = obj(&[
        ("repositoryName", "stacked".into()),
        ("immutableTags", false.into()),
        ("scanOnPush", false.into()),
        ("tags", string_map(&[("team", "api")])),
    ]);
    let news = env.checked("stacked", &news).await;
    env.moto.start_recording();
    let updated = env.updated("stacked", "stacked", &old_state, &news, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["TagResource"], "no UntagResource of the reserved tag");
    assert_eq!(
        env.tags(&arn).await,
        [
            ("aws:cloudformation:stack-name".to_string(), "legacy-stack".to_string()),
            ("team".to_string(), "api".to_string())
        ]
        .into()
    );
    assert!(updated.contains_key("awsTags"), "awsTags is carried through an update");
}

/// Names that the current AWS rule allows and the strict emulator (which
/// follows botocore's model) accepts: created for real, not only checked.
#[tokio::test]
async fn names_of_the_current_aws_rule_are_created() {
    let mut env = Env::with_config(Moto::start_strict(), &[]).await;
    for name in ["a__b", "my-app--v2", "team/svc---x"] {
        let inputs = env.checked("named", &obj(&[("repositoryName", name.into())])).await;
        let (id, _) = env.create("named", &inputs, false).await.expect(name);
        assert_eq!(id, name);
        assert!(env.moto.exists(name).await);
    }
}

/// A Repository update never touches the images it holds, archived ones
/// included (issue 27): every setting changed at once, at preview and for
/// real, makes no image call (no restore, no archive, no delete, no pull),
/// and the archived image stays archived, the active one active.
#[tokio::test]
async fn an_update_of_every_setting_never_touches_archived_images() {
    use aws_sdk_ecr::types::{ImageIdentifier, TargetStorageClass};
    let mut env = Env::with_config(Moto::start_strict(), &[]).await;
    let base = obj(&[
        ("repositoryName", "apps/kept".into()),
        ("lifecyclePolicy", lifecycle(Some(7.0), None)),
        ("tags", string_map(&[("team", "a")])),
    ]);
    let inputs = env.checked("kept", &base).await;
    let (id, state) = env.create("kept", &inputs, false).await.unwrap();
    let ecr = env.moto.ecr().await;
    let old = common::oci::image(41, 1_000);
    let new = common::oci::image(42, 2_000);
    common::oci::push(&ecr, "apps/kept", &old, Some("old")).await;
    common::oci::push(&ecr, "apps/kept", &new, Some("new")).await;
    ecr.update_image_storage_class()
        .repository_name("apps/kept")
        .image_id(ImageIdentifier::builder().image_tag("old").build())
        .target_storage_class(TargetStorageClass::Archive)
        .send()
        .await
        .unwrap();
    let statuses = || async {
        // Archived images are listed only when asked for (ECR lists active ones by default).
        let any = aws_sdk_ecr::types::DescribeImagesFilter::builder()
            .image_status(aws_sdk_ecr::types::ImageStatusFilter::Any)
            .build();
        let out = ecr.describe_images().repository_name("apps/kept").filter(any).send().await.unwrap();
        let mut s: Vec<(String, String)> = out
            .image_details()
            .iter()
            .map(|d| {
                (
                    d.image_digest().unwrap_or_default().to_string(),
                    d.image_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                )
            })
            .collect();
        s.sort();
        s
    };
    let before = statuses().await;
    assert!(before.contains(&(old.digest.clone(), "ARCHIVED".to_string())), "{before:?}");
    assert!(before.contains(&(new.digest.clone(), "ACTIVE".to_string())), "{before:?}");

    let changed = obj(&[
        ("repositoryName", "apps/kept".into()),
        ("immutableTags", false.into()),
        ("scanOnPush", false.into()),
        ("lifecyclePolicy", lifecycle(Some(30.0), Some(5.0))),
        ("tags", string_map(&[("team", "b")])),
        ("pullPrincipals", strings(&["111122223333"])),
        ("forceDelete", true.into()),
    ]);
    let (news, failures) = env.check("kept", &changed, &state).await;
    assert!(failures.is_empty(), "{failures:?}");
    env.moto.start_recording();
    env.update("kept", &id, &state, &news, true).await.unwrap();
    let state = env.update("kept", &id, &state, &news, false).await.unwrap();
    let calls = env.moto.stop_recording();
    let touching = ["BatchDeleteImage", "UpdateImageStorageClass", "PutImage", "BatchGetImage", "DeleteRepository"];
    assert!(!calls.iter().any(|c| touching.contains(&c.as_str())), "no image call: {calls:?}");
    assert!(calls.iter().any(|c| c == "PutLifecyclePolicy"), "the update was made: {calls:?}");
    assert_eq!(statuses().await, before, "every image as it was");
    let d = env.diff("kept", &id, &state, &news).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);
}
