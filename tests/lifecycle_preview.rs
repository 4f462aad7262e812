//! What a lifecycle change would expire, told at preview (issue 27): the
//! real provider binary over gRPC against the local ECR emulator, whose
//! lifecycle policy preview evaluates the rules as ECR's guide describes
//! (tests/support/ecr_lifecycle.py). A repository is seeded with images of
//! known ages (the emulator's test-only back door); a preview Update with new
//! rules warns with the counts and tags ECR's preview gives, names first a
//! change that would leave no image to pull and images with a protected tag,
//! and makes only the preview's calls; an unchanged lifecycle makes none and
//! warns nothing; `lifecyclePreviewTimeout: 0` turns it off; a refusal and a
//! timeout are one-line notes, never failures.

mod common;

use std::time::Duration;

use common::env::Env;
use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc::LogSeverity;

const DAY: u64 = 86_400;

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// A repository `svc` holding v1 (40 days old), v2 (20), v3 (2) and one
/// untagged image (15), and its state.
async fn seeded(env: &mut Env, declared: &Map) -> (String, Map) {
    let inputs = env.checked("svc", declared).await;
    let (id, state) = env.create("svc", &inputs, false).await.unwrap();
    let arn = state["arn"].plain().as_str().unwrap().to_string();
    for (n, tag, days) in [(1, Some("v1"), 40), (2, Some("v2"), 20), (3, Some("v3"), 2), (4, None, 15)] {
        let digest = env.moto.push_manifest("svc", n, tag).await;
        env.moto.set_image(&arn, &digest, serde_json::json!({"pushedAt": now() - days * DAY - 60}));
    }
    (id, state)
}

fn base() -> Map {
    obj(&[("repositoryName", "svc".into()), ("forceDelete", true.into())])
}

fn with(mut m: Map, key: &str, v: Value) -> Map {
    m.insert(key.into(), v);
    m
}

fn lifecycle(pairs: &[(&str, f64)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), Value::Number(*v))).collect())
}

fn notes(env: &Env) -> Vec<String> {
    env.engine.messages(LogSeverity::Info)
}

const START: &str = "StartLifecyclePolicyPreview";
const GET: &str = "GetLifecyclePolicyPreview";

#[tokio::test]
async fn new_rules_are_previewed_with_counts_tags_and_protected_images_first() {
    let moto = Moto::start();
    let mut env = Env::with_config(moto, &[("protectedTags", strings(&["v1", "prod-*"]))]).await;
    let (id, state) = seeded(&mut env, &base()).await;

    // Untagged images after 7 days, then at most 2 images: the untagged one
    // by rule 1; v1 and v2 by rule 2, which keeps the newest two (v3 and the
    // untagged one, which rule 1 selects and only counts here).
    let news = env
        .checked(
            "svc",
            &with(base(), "lifecyclePolicy", lifecycle(&[("expireUntaggedAfterDays", 7.0), ("maxImageCount", 2.0)])),
        )
        .await;
    let d = env.diff("svc", &id, &state, &news).await;
    assert_eq!(d.diffs, vec!["lifecyclePolicy".to_string()]);
    env.moto.start_recording();
    env.update("svc", &id, &state, &news, true).await.unwrap();
    // Its preview (the first read IN_PROGRESS, then the 3 results on two
    // pages: the emulator pages by 2), then the count of the images likewise.
    assert_eq!(env.moto.stop_recording(), vec![START, GET, GET, GET, START, GET, GET, GET]);
    let warnings = env.warnings();
    assert_eq!(
        warnings,
        vec![
            "lifecycle change of repository \"svc\" (ECR's lifecycle preview): images with a protected tag (awsecr:protectedTags) would go: v1 (expire, rule 2); 3 images would expire, 0 would be archived (tags: v1, v2, 1 image untagged)"
                .to_string()
        ]
    );
    assert!(notes(&env).is_empty(), "{:?}", notes(&env));

    // The update itself applies the policy with its one call, and the
    // preview expired nothing.
    env.moto.start_recording();
    let state = env.update("svc", &id, &state, &news, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["PutLifecyclePolicy"]);
    let ecr = env.moto.ecr().await;
    let listed: Vec<_> = ecr.list_images().repository_name("svc").into_paginator().items().send().collect().await;
    assert_eq!(listed.len(), 4, "a preview expires nothing: {listed:?}");

    // A change of something else: no lifecycle preview, no warning.
    let news = env.checked("svc", &with(news.clone(), "scanOnPush", false.into())).await;
    env.moto.start_recording();
    env.update("svc", &id, &state, &news, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "an unchanged lifecycle makes no call");
    assert_eq!(env.warnings().len(), 1, "no new warning: {:?}", env.warnings());
}

#[tokio::test]
async fn a_rule_that_would_expire_every_image_is_named_first() {
    let mut env = Env::new().await;
    let (id, state) = seeded(&mut env, &base()).await;
    let document = r#"{"rules":[{"rulePriority":1,"description":"anything older than a day","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;
    let news = env.checked("svc", &with(base(), "lifecyclePolicyDocument", document.into())).await;
    env.update("svc", &id, &state, &news, true).await.unwrap();
    assert_eq!(
        env.warnings(),
        vec![
            "lifecycle change of repository \"svc\" (ECR's lifecycle preview): rule 1 would expire or archive every image that can be pulled now (4); 4 images would expire, 0 would be archived (tags: v1, v2, v3, 1 image untagged)"
                .to_string()
        ]
    );
}

#[tokio::test]
async fn rules_that_expire_nothing_say_so_and_the_setting_turns_the_preview_off() {
    let mut env = Env::new().await;
    let (id, state) = seeded(&mut env, &base()).await;
    let news = env.checked("svc", &with(base(), "lifecyclePolicy", lifecycle(&[("maxImageCount", 100.0)]))).await;
    env.moto.start_recording();
    env.update("svc", &id, &state, &news, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec![START, GET, GET], "nothing would go: no count");
    assert_eq!(
        env.warnings(),
        vec![
            "lifecycle change of repository \"svc\" (ECR's lifecycle preview): no image would expire or be archived"
                .to_string()
        ]
    );

    let moto = env.moto;
    let mut off = Env::with_config(moto, &[("lifecyclePreviewTimeout", Value::Number(0.0))]).await;
    off.moto.start_recording();
    off.update("svc", &id, &state, &news, true).await.unwrap();
    assert_eq!(off.moto.stop_recording(), Vec::<String>::new(), "lifecyclePreviewTimeout 0: no preview");
    assert!(off.warnings().is_empty() && notes(&off).is_empty(), "{:?}", off.warnings());
}

#[tokio::test]
async fn a_secret_repository_name_is_never_quoted() {
    let mut env = Env::new().await;
    let secret = with(base(), "repositoryName", Value::from("svc").into_secret());
    let (id, state) = seeded(&mut env, &secret).await;
    let news = env.checked("svc", &with(secret, "lifecyclePolicy", lifecycle(&[("maxImageCount", 3.0)]))).await;
    env.update("svc", &id, &state, &news, true).await.unwrap();
    assert_eq!(
        env.warnings(),
        vec![
            "lifecycle change of repository [secret] (ECR's lifecycle preview): 1 image would expire, 0 would be archived (tags: v1)"
                .to_string()
        ]
    );
}

#[tokio::test]
async fn a_refused_or_slow_preview_is_a_note_never_a_failure() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_config(
        moto,
        &[("endpoint", proxy.endpoint().into()), ("lifecyclePreviewTimeout", Value::Number(1.0))],
    )
    .await;
    let (id, state) = seeded(&mut env, &base()).await;
    let news = env.checked("svc", &with(base(), "lifecyclePolicy", lifecycle(&[("maxImageCount", 1.0)]))).await;

    proxy.inject(
        START,
        Fault::Error { status: 400, code: "AccessDeniedException", message: "not authorized" },
        Some(1),
    );
    let preview = env.update("svc", &id, &state, &news, true).await.unwrap();
    let text = preview["lifecyclePolicyText"].as_str().unwrap_or_default();
    assert!(text.contains("imageCountMoreThan"), "the preview itself goes on: {preview:?}");
    assert!(env.warnings().is_empty(), "{:?}", env.warnings());
    let [note] = notes(&env).try_into().unwrap_or_else(|n: Vec<String>| panic!("one note: {n:?}"));
    assert!(
        note.starts_with("could not preview what the new lifecycle rules of repository \"svc\" would expire: ")
            && note.contains("ecr:StartLifecyclePolicyPreview")
            && !note.contains('\n'),
        "{note}"
    );

    // ECR slower than lifecyclePreviewTimeout (1 s): a note, and on we go.
    proxy.inject(GET, Fault::Delay(Duration::from_secs(3)), None);
    env.update("svc", &id, &state, &news, true).await.unwrap();
    assert!(env.warnings().is_empty(), "{:?}", env.warnings());
    let notes = notes(&env);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[1].contains("did not complete within 1 seconds") && notes[1].contains("awsecr:lifecyclePreviewTimeout"),
        "{}",
        notes[1]
    );
}
