//! The Repository resource over gRPC, against the real provider binary and a
//! local ECR emulator. What ECR holds is checked with an independent AWS SDK
//! client; API calls are counted with moto's request recorder.

mod common;

use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::error::init_failure_of;
use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;
use tonic::Code;

const TYPE: &str = "awsecr:index:Repository";

/// A provider configured against a fresh emulator.
struct Env {
    moto: Moto,
    p: ProviderProcess,
}

impl Env {
    async fn new() -> Env {
        let moto = Moto::start();
        let p = ProviderProcess::configured(&moto, &[]).await;
        Env { moto, p }
    }

    async fn check(&mut self, name: &str, news: &Map, olds: &Map) -> (Map, Vec<pulumirpc::CheckFailure>) {
        let resp = self
            .p
            .client
            .check(pulumirpc::CheckRequest {
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                random_seed: name.as_bytes().to_vec(),
                ..Default::default()
            })
            .await
            .expect("Check")
            .into_inner();
        (decode(&resp.inputs), resp.failures)
    }

    async fn checked(&mut self, name: &str, news: &Map) -> Map {
        let (inputs, failures) = self.check(name, news, &Map::new()).await;
        assert!(failures.is_empty(), "{failures:?}");
        inputs
    }

    async fn create(&mut self, name: &str, inputs: &Map, preview: bool) -> Result<(String, Map), tonic::Status> {
        self.p
            .client
            .create(pulumirpc::CreateRequest {
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                properties: Some(encode_struct(inputs)),
                preview,
                timeout: 60.0,
                ..Default::default()
            })
            .await
            .map(|r| {
                let r = r.into_inner();
                (r.id, decode(&r.properties))
            })
    }

    async fn diff(&mut self, name: &str, id: &str, olds: &Map, news: &Map) -> pulumirpc::DiffResponse {
        self.p
            .client
            .diff(pulumirpc::DiffRequest {
                id: id.into(),
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                ..Default::default()
            })
            .await
            .expect("Diff")
            .into_inner()
    }

    async fn update(
        &mut self,
        name: &str,
        id: &str,
        olds: &Map,
        news: &Map,
        preview: bool,
    ) -> Result<Map, tonic::Status> {
        self.p
            .client
            .update(pulumirpc::UpdateRequest {
                id: id.into(),
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                preview,
                timeout: 60.0,
                ..Default::default()
            })
            .await
            .map(|r| decode(&r.into_inner().properties))
    }

    async fn read(&mut self, name: &str, id: &str, olds: &Map, inputs: &Map) -> pulumirpc::ReadResponse {
        self.p
            .client
            .read(pulumirpc::ReadRequest {
                id: id.into(),
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                properties: Some(encode_struct(olds)),
                inputs: Some(encode_struct(inputs)),
                ..Default::default()
            })
            .await
            .expect("Read")
            .into_inner()
    }

    async fn delete(&mut self, name: &str, id: &str, olds: &Map) -> Result<(), tonic::Status> {
        self.p
            .client
            .delete(pulumirpc::DeleteRequest {
                id: id.into(),
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                properties: Some(encode_struct(olds)),
                timeout: 60.0,
                ..Default::default()
            })
            .await
            .map(|_| ())
    }

    async fn describe(&self, name: &str) -> Option<aws_sdk_ecr::types::Repository> {
        let ecr = self.moto.ecr().await;
        match ecr.describe_repositories().repository_names(name).send().await {
            Ok(r) => r.repositories().first().cloned(),
            Err(_) => None,
        }
    }

    async fn policy(&self, name: &str) -> Option<String> {
        let ecr = self.moto.ecr().await;
        ecr.get_lifecycle_policy()
            .repository_name(name)
            .send()
            .await
            .ok()
            .and_then(|p| p.lifecycle_policy_text().map(str::to_string))
    }

    async fn tags(&self, arn: &str) -> std::collections::BTreeMap<String, String> {
        let ecr = self.moto.ecr().await;
        let r = ecr.list_tags_for_resource().resource_arn(arn).send().await.unwrap();
        r.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
    }
}

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
    assert_eq!(env.policy(&name).await, None);
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
    let policy: serde_json::Value = serde_json::from_str(&env.policy("platform/api").await.unwrap()).unwrap();
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
            "mutableTagExclusions",
            vec![("mutableTagExclusions", Some(strings(&["release-*"])))],
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
        assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "preview of {key} makes no call");
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
    assert_eq!(env.policy("svc").await, None);
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
    let policy: serde_json::Value = serde_json::from_str(&env.policy("drift").await.unwrap()).unwrap();
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

async fn push_image(moto: &Moto, repo: &str) {
    let manifest = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#;
    moto.ecr().await.put_image().repository_name(repo).image_manifest(manifest).image_tag("v1").send().await.unwrap();
}

#[tokio::test]
async fn delete_keeps_images_unless_force_delete() {
    let mut env = Env::new().await;
    let inputs = env.checked("full", &obj(&[("repositoryName", "full".into())])).await;
    let (id, state) = env.create("full", &inputs, false).await.unwrap();
    push_image(&env.moto, "full").await;

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
    let mut p = ProviderProcess::start(&[]).await;
    p.configure(&moto, &[("endpoint", proxy.endpoint().into())]).await.unwrap();
    let mut env = Env { moto, p };
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
    assert!(env.policy("partial").await.is_some());
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
    let got: Vec<(String, String)> = failures.into_iter().map(|f| (f.property, f.reason)).collect();
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
    let mut p = ProviderProcess::start(&[]).await;
    p.configure(&moto, &[("endpoint", proxy.endpoint().into()), ("maxRetries", Value::Number(1.0))]).await.unwrap();
    let mut env = Env { moto, p };
    let inputs = env.checked("busy", &obj(&[("repositoryName", "busy".into())])).await;
    let err = env.create("busy", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    assert!(err.message().contains("kept throttling") && err.message().contains("maxRetries"), "{}", err.message());
    assert!(env.describe("busy").await.is_none());
}
