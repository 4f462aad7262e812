//! The independent AWS calls of one operation go out at once, and when one
//! of them fails the state returned holds exactly what the others applied,
//! so the next `pulumi up` makes only the rest. The provider reaches the
//! emulator through the fault proxy, which holds every reply back a moment
//! (so calls made at once are seen in flight together) and fails the calls
//! a test names.

mod common;

use std::time::Duration;

use common::env::Env;
use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::error::init_failure_of;
use pulumi_resource_awsecr::property::{Map, Value, decode_struct};
use tonic::Code;

/// A refusal, held back like every reply so it is in flight with the others.
const DENIED: Fault =
    Fault::ErrorAfter { hold: HOLD, status: 400, code: "AccessDeniedException", message: "injected: not allowed" };
const OTHER_ACCOUNT: &str = "210987654321";

/// Every reply held back this long: calls made at once overlap in the proxy.
const HOLD: Duration = Duration::from_millis(300);

const OPERATIONS: &[&str] = &[
    "CreateRepository",
    "DescribeRepositories",
    "GetLifecyclePolicy",
    "GetRepositoryPolicy",
    "ListTagsForResource",
    "PutLifecyclePolicy",
    "SetRepositoryPolicy",
    "PutImageTagMutability",
    "PutImageScanningConfiguration",
    "TagResource",
    "UntagResource",
    "DescribeRegistry",
    "GetRegistryScanningConfiguration",
    "PutRegistryScanningConfiguration",
    "PutReplicationConfiguration",
    "GetRegistryPolicy",
    "PutRegistryPolicy",
];

async fn env() -> (Env, FaultProxy) {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    (env, proxy)
}

/// Holds back every reply, after `failing` has been given its fault (rules
/// are matched in order).
fn hold_replies(proxy: &FaultProxy) {
    for op in OPERATIONS {
        proxy.inject(op, Fault::SlowReply(HOLD), None);
    }
}

fn partial_state(err: &tonic::Status) -> Map {
    let init = init_failure_of(err).expect("ErrorResourceInitFailed in the status details");
    init.properties.as_ref().map(decode_struct).expect("the state ECR holds")
}

fn lifecycle(max: f64) -> Value {
    Value::Object(obj(&[("maxImageCount", Value::Number(max))]))
}

#[tokio::test]
async fn a_create_makes_its_follow_ups_at_once_and_records_exactly_what_was_applied() {
    let (mut env, proxy) = env().await;
    let news = obj(&[
        ("repositoryName", "team/api".into()),
        ("lifecyclePolicy", lifecycle(30.0)),
        ("pullPrincipals", strings(&[OTHER_ACCOUNT])),
    ]);
    let inputs = env.checked("api", &news).await;

    proxy.inject("SetRepositoryPolicy", DENIED, Some(1));
    hold_replies(&proxy);
    proxy.reset_counts();
    let err = env.create("api", &inputs, false).await.unwrap_err();
    assert_eq!(proxy.counts().max_in_flight, 2, "the lifecycle policy and the repository policy went out together");
    assert!(
        err.message().contains("created repository \"team/api\" but could not apply its repository policy"),
        "{}",
        err.message()
    );

    // The state: the repository and its lifecycle policy, no repository policy.
    let state = partial_state(&err);
    assert!(state["lifecyclePolicyText"].as_str().is_some(), "{state:?}");
    assert!(!state.contains_key("repositoryPolicyText"), "{state:?}");
    assert!(env.lifecycle_policy("team/api").await.is_some());
    assert!(env.repository_policy("team/api").await.is_none());

    // The next up: the diff names only the access, and makes only that call.
    proxy.clear();
    let d = env.diff("api", "team/api", &state, &inputs).await;
    assert_eq!(d.diffs, vec!["pullPrincipals"], "{d:?}");
    proxy.reset_counts();
    let out = env.updated("api", "team/api", &state, &inputs, false).await;
    let calls = proxy.counts().forwarded_by_operation;
    assert_eq!(calls.keys().collect::<Vec<_>>(), vec!["SetRepositoryPolicy"], "{calls:?}");
    assert!(out["repositoryPolicyText"].as_str().is_some_and(|p| p.contains(OTHER_ACCOUNT)));
}

#[tokio::test]
async fn an_update_of_four_settings_is_one_round_trip_and_a_failure_keeps_the_rest() {
    let (mut env, proxy) = env().await;
    let inputs = env
        .checked(
            "api",
            &obj(&[
                ("repositoryName", "team/web".into()),
                ("lifecyclePolicy", lifecycle(30.0)),
                ("tags", string_map(&[("team", "web")])),
            ]),
        )
        .await;
    let (id, out) = env.create("api", &inputs, false).await.unwrap();

    let news = env
        .checked(
            "api",
            &obj(&[
                ("repositoryName", "team/web".into()),
                ("immutableTags", false.into()),
                ("scanOnPush", false.into()),
                ("lifecyclePolicy", lifecycle(10.0)),
                ("tags", string_map(&[("team", "platform")])),
            ]),
        )
        .await;
    proxy.inject("PutLifecyclePolicy", DENIED, Some(1));
    hold_replies(&proxy);
    proxy.reset_counts();
    let err = env.update("api", &id, &out, &news, false).await.unwrap_err();
    assert_eq!(proxy.counts().max_in_flight, 4, "the four settings went out together (tags: one TagResource)");
    assert_eq!(err.code(), Code::PermissionDenied, "{}", err.message());
    assert!(err.message().contains("could not update repository \"team/web\"'s lifecycle policy"), "{}", err.message());

    // What ECR holds: three settings new, the lifecycle policy old.
    let state = partial_state(&err);
    assert_eq!(state["immutableTags"], Value::Bool(false));
    assert_eq!(state["scanOnPush"], Value::Bool(false));
    assert_eq!(tags_of(&state, "tags")["team"], "platform");
    assert_eq!(state["lifecyclePolicyText"], out["lifecyclePolicyText"]);
    assert_eq!(state["lifecyclePolicy"], out["lifecyclePolicy"]);
    let repo = env.describe("team/web").await.unwrap();
    assert_eq!(repo.image_tag_mutability().unwrap().as_str(), "MUTABLE");
    assert!(!repo.image_scanning_configuration().unwrap().scan_on_push());
    assert_eq!(env.tags(repo.repository_arn().unwrap()).await["team"], "platform");
    let held = env.lifecycle_policy("team/web").await.unwrap();
    assert!(held.contains("\"countNumber\":30"), "{held}");

    // The next up makes the one call left.
    proxy.clear();
    let d = env.diff("api", &id, &state, &news).await;
    assert_eq!(d.diffs, vec!["lifecyclePolicy"], "{d:?}");
    proxy.reset_counts();
    env.updated("api", &id, &state, &news, false).await;
    let calls = proxy.counts().forwarded_by_operation;
    assert_eq!(calls.keys().collect::<Vec<_>>(), vec!["PutLifecyclePolicy"], "{calls:?}");
    assert!(env.lifecycle_policy("team/web").await.unwrap().contains("\"countNumber\":10"));
}

#[tokio::test]
async fn a_refresh_reads_everything_at_once() {
    let (mut env, proxy) = env().await;
    let inputs = env.checked("api", &obj(&[("repositoryName", "team/read".into())])).await;
    let (id, out) = env.create("api", &inputs, false).await.unwrap();
    hold_replies(&proxy);
    proxy.reset_counts();
    env.read_found("api", &id, &out, &inputs).await;
    let counts = proxy.counts();
    assert_eq!(counts.max_in_flight, 4, "DescribeRepositories and the three reads together: {counts:?}");
    assert_eq!(counts.forwarded, 4);

    // An import knows no ARN yet: DescribeRepositories first, then the rest together.
    proxy.reset_counts();
    env.read_found("api", &id, &Map::new(), &Map::new()).await;
    assert_eq!(proxy.counts().max_in_flight, 3);
}

#[tokio::test]
async fn a_registry_update_writes_its_groups_at_once_and_keeps_what_succeeded() {
    let (env, proxy) = env().await;
    let mut env = env.of_type("awsecr:index:Registry");
    let scanning = |filter: &str| Value::Object(obj(&[("scanOnPush", strings(&[filter]))]));
    let inputs = env.checked("reg", &obj(&[("scanning", scanning("*"))])).await;
    let (id, out) = env.create("reg", &inputs, false).await.unwrap();

    let news = env
        .checked(
            "reg",
            &obj(&[
                ("scanning", scanning("prod/*")),
                ("replicationSourceAccounts", strings(&[OTHER_ACCOUNT])),
                ("adopt", true.into()),
            ]),
        )
        .await;
    proxy.inject("PutRegistryPolicy", DENIED, Some(1));
    hold_replies(&proxy);
    proxy.reset_counts();
    let err = env.update("reg", &id, &out, &news, false).await.unwrap_err();
    assert_eq!(proxy.counts().max_in_flight, 2, "both groups went out together");
    let state = partial_state(&err);
    assert_eq!(state["scanning"], news["scanning"], "the scanning write succeeded");
    assert!(!state.contains_key("replicationSourceAccounts"), "the policy write failed: {state:?}");
    let ecr = env.moto.ecr().await;
    let held = ecr.get_registry_scanning_configuration().send().await.unwrap();
    assert_eq!(held.scanning_configuration().unwrap().rules()[0].repository_filters()[0].filter(), "prod/*");
    assert!(ecr.get_registry_policy().send().await.is_err(), "no registry policy");

    proxy.clear();
    let d = env.diff("reg", &id, &state, &news).await;
    assert_eq!(d.diffs, vec!["replicationSourceAccounts"], "{d:?}");
    proxy.reset_counts();
    env.updated("reg", &id, &state, &news, false).await;
    let calls = proxy.counts().forwarded_by_operation;
    // The policy is read again before it is written (others' statements kept).
    assert_eq!(calls.keys().collect::<Vec<_>>(), vec!["GetRegistryPolicy", "PutRegistryPolicy"], "{calls:?}");
}
