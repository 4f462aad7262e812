//! PullThroughCacheRule and RepositoryTemplate over gRPC, against the real
//! provider binary and the emulator's stand-in for these APIs (moto has
//! none; tests/support/ecr_extensions.py): validation before any call,
//! what each operation calls (counted with the emulator's recorder), what
//! ECR holds afterwards, in-place updates and replacements, the import
//! command for an existing rule or template, import and drift.

mod common;

use aws_sdk_ecr::types::{EncryptionType, ImageTagMutability, RctAppliedFor, UpstreamRegistry};
use common::env::Env;
use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::policy::access::Access;
use pulumi_resource_awsecr::policy::lifecycle::LifecyclePolicy;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc::diff_response::DiffChanges;
use pulumi_resource_awsecr::resources::pull_through_cache_rule::UPSTREAMS;
use pulumi_resource_awsecr::server::SCHEMA;
use tonic::Code;

const RULE: &str = "awsecr:index:PullThroughCacheRule";
const TEMPLATE: &str = "awsecr:index:RepositoryTemplate";
const OTHER: &str = "210987654321";

fn secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/{name}-AbCdEf")
}

async fn env(ty: &'static str) -> Env {
    Env::with_config(Moto::start(), &[]).await.of_type(ty)
}

async fn failures(env: &mut Env, news: &Map) -> Vec<(String, String)> {
    env.moto.start_recording();
    let (_, failures) = env.check("x", news, &Map::new()).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check makes no call");
    failures.iter().map(path_and_reason).collect()
}

fn has(failures: &[(String, String)], path: &str, words: &str) -> bool {
    failures.iter().any(|(p, r)| p == path && r.contains(words))
}

// ------------------------------------------------------------ pull-through

#[tokio::test]
async fn a_docker_hub_rule_costs_one_call_per_operation() {
    let mut env = env(RULE).await;
    let news = obj(&[
        ("ecrRepositoryPrefix", "docker-hub".into()),
        ("upstream", "docker-hub".into()),
        ("credentialArn", secret_arn("docker-hub").into()),
    ]);
    env.moto.start_recording();
    let inputs = env.checked("hub", &news).await;
    let (_, preview) = env.create("hub", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check and preview make no call");
    assert_eq!(inputs["upstreamRegistryUrl"], Value::from("registry-1.docker.io"), "the URL is filled in");
    assert_eq!(preview["registryId"], Value::Unknown);

    env.moto.start_recording();
    let (id, out) = env.create("hub", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreatePullThroughCacheRule"]);
    assert_eq!(id, "docker-hub");
    assert_eq!(out["registryId"], Value::from(ACCOUNT));
    assert!(out["createdAt"].as_str().is_some_and(|t| t.contains('T')), "{out:?}");
    let held = env.moto.ecr().await.describe_pull_through_cache_rules().send().await.unwrap();
    let rule = &held.pull_through_cache_rules()[0];
    assert_eq!(rule.ecr_repository_prefix(), Some("docker-hub"));
    assert_eq!(rule.upstream_registry(), Some(&UpstreamRegistry::DockerHub));
    assert_eq!(rule.upstream_registry_url(), Some("registry-1.docker.io"));
    assert_eq!(rule.credential_arn(), Some(secret_arn("docker-hub").as_str()));

    // Refresh: one call, no change.
    env.moto.start_recording();
    let (read_out, read_in) = env.read_found("hub", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["DescribePullThroughCacheRules"]);
    assert_eq!(read_in, inputs);
    let d = env.diff("hub", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Another credential is updated in place with one call.
    let rotated = env
        .checked(
            "hub",
            &obj(&[
                ("ecrRepositoryPrefix", "docker-hub".into()),
                ("upstream", "docker-hub".into()),
                ("credentialArn", secret_arn("docker-hub-2").into()),
            ]),
        )
        .await;
    let d = env.diff("hub", &id, &read_out, &rotated).await;
    assert_eq!(d.diffs, vec!["credentialArn"]);
    assert!(d.replaces.is_empty(), "{:?}", d.replaces);
    env.moto.start_recording();
    let updated = env.updated("hub", &id, &read_out, &rotated, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["UpdatePullThroughCacheRule"]);
    assert_eq!(updated["createdAt"], out["createdAt"]);
    let held = env.moto.ecr().await.describe_pull_through_cache_rules().send().await.unwrap();
    assert_eq!(held.pull_through_cache_rules()[0].credential_arn(), Some(secret_arn("docker-hub-2").as_str()));

    // A new prefix replaces the rule, the old one deleted first.
    let moved = env
        .checked(
            "hub",
            &obj(&[
                ("ecrRepositoryPrefix", "hub".into()),
                ("upstream", "docker-hub".into()),
                ("credentialArn", secret_arn("docker-hub-2").into()),
            ]),
        )
        .await;
    let d = env.diff("hub", &id, &updated, &moved).await;
    assert_eq!(d.replaces, vec!["ecrRepositoryPrefix"]);
    assert!(d.delete_before_replace);

    env.moto.start_recording();
    env.delete("hub", &id, &updated).await.unwrap();
    env.delete("hub", &id, &updated).await.expect("already gone counts as deleted");
    assert_eq!(env.moto.stop_recording(), vec!["DeletePullThroughCacheRule", "DeletePullThroughCacheRule"]);
    let held = env.moto.ecr().await.describe_pull_through_cache_rules().send().await.unwrap();
    assert!(held.pull_through_cache_rules().is_empty());
    // Refresh of a deleted rule: gone from the state.
    let r = env.read("hub", &id, &updated, &rotated).await;
    assert!(r.id.is_empty(), "{r:?}");
}

#[tokio::test]
async fn an_ecr_upstream_takes_a_role_and_an_upstream_prefix() {
    let mut env = env(RULE).await;
    let role = env.moto.create_role("ecr-pull-through");
    let other_role = env.moto.create_role("ecr-pull-through-2");
    let url = format!("{OTHER}.dkr.ecr.us-west-2.amazonaws.com");
    let inputs = env
        .checked(
            "ecr",
            &obj(&[
                ("ecrRepositoryPrefix", "upstream".into()),
                ("upstreamRegistryUrl", url.clone().into()),
                ("customRoleArn", role.clone().into()),
                ("upstreamRepositoryPrefix", "team".into()),
            ]),
        )
        .await;
    assert_eq!(inputs["upstream"], Value::from("ecr"), "the upstream is read from the URL");
    env.moto.start_recording();
    let (id, out) = env.create("ecr", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreatePullThroughCacheRule"]);
    let held = env.moto.ecr().await.describe_pull_through_cache_rules().send().await.unwrap();
    let rule = &held.pull_through_cache_rules()[0];
    assert_eq!(rule.custom_role_arn(), Some(role.as_str()));
    assert_eq!(rule.upstream_repository_prefix(), Some("team"));

    let news = env
        .checked(
            "ecr",
            &obj(&[
                ("ecrRepositoryPrefix", "upstream".into()),
                ("upstreamRegistryUrl", url.into()),
                ("customRoleArn", other_role.clone().into()),
                ("upstreamRepositoryPrefix", "team".into()),
            ]),
        )
        .await;
    let d = env.diff("ecr", &id, &out, &news).await;
    assert_eq!((d.diffs.clone(), d.replaces.clone()), (vec!["customRoleArn".to_string()], vec![]));
    env.moto.start_recording();
    env.updated("ecr", &id, &out, &news, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["UpdatePullThroughCacheRule"]);
    let held = env.moto.ecr().await.describe_pull_through_cache_rules().send().await.unwrap();
    assert_eq!(held.pull_through_cache_rules()[0].custom_role_arn(), Some(other_role.as_str()));
}

#[tokio::test]
async fn a_bad_rule_is_refused_before_any_call_naming_the_property() {
    let mut env = env(RULE).await;
    let f =
        failures(&mut env, &obj(&[("ecrRepositoryPrefix", "docker-hub".into()), ("upstream", "docker-hub".into())]))
            .await;
    assert!(has(&f, "credentialArn", "is required for docker-hub"), "{f:?}");
    let f = failures(
        &mut env,
        &obj(&[
            ("ecrRepositoryPrefix", "quay".into()),
            ("upstream", "quay".into()),
            ("credentialArn", secret_arn("quay").into()),
        ]),
    )
    .await;
    assert!(has(&f, "credentialArn", "is not taken by quay"), "{f:?}");
    let f = failures(
        &mut env,
        &obj(&[
            ("ecrRepositoryPrefix", "Docker_Hub".into()),
            ("upstream", "docker-hub".into()),
            ("credentialArn", format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:dockerhub-AbCdEf").into()),
        ]),
    )
    .await;
    assert!(has(&f, "ecrRepositoryPrefix", "must be ROOT or 2 to 30"), "{f:?}");
    assert!(has(&f, "credentialArn", "ecr-pullthroughcache/"), "{f:?}");
    let f = failures(
        &mut env,
        &obj(&[("ecrRepositoryPrefix", "mirror".into()), ("upstreamRegistryUrl", "docker.io".into())]),
    )
    .await;
    assert!(
        has(
            &f,
            "upstreamRegistryUrl",
            "\"docker.io\" is not a registry ECR can cache; set upstream to one of docker-hub"
        ),
        "{f:?}"
    );
}

#[tokio::test]
async fn an_existing_rule_gets_the_import_command_and_imports_without_a_diff() {
    let mut env = env(RULE).await;
    env.moto
        .ecr()
        .await
        .create_pull_through_cache_rule()
        .ecr_repository_prefix("quay")
        .upstream_registry_url("quay.io")
        .send()
        .await
        .unwrap();
    let inputs =
        env.checked("mirror", &obj(&[("ecrRepositoryPrefix", "quay".into()), ("upstream", "quay".into())])).await;
    let err = env.create("mirror", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(err.message().contains("pulumi import awsecr:index:PullThroughCacheRule mirror quay"), "{}", err.message());

    env.moto.start_recording();
    let (out, read_in) = env.read_found("mirror", "quay", &Map::new(), &Map::new()).await;
    assert_eq!(env.moto.stop_recording(), vec!["DescribePullThroughCacheRules"]);
    assert_eq!(read_in, inputs, "import reconstructs the inputs the program declares");
    let d = env.diff("mirror", "quay", &out, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    let err = env.try_read("mirror", "nothing-here", &Map::new(), &Map::new()).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(
        err.message()
            .contains("there is no pull-through cache rule for the prefix \"nothing-here\" in us-east-1; check the id"),
        "{}",
        err.message()
    );
}

/// A create whose reply is lost after ECR made the rule (a 500, or a
/// connection dropped after the write): the SDK's retry meets
/// PullThroughCacheRuleAlreadyExists, and the provider recognises its own
/// rule instead of telling the user to import it. A rule someone else made
/// is still refused with the import command.
#[tokio::test]
async fn a_lost_create_reply_of_a_rule_is_recognised() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await.of_type(RULE);
    for (prefix, lost) in [("lost-500", Fault::LoseReply(Some(500))), ("lost-drop", Fault::LoseReply(None))] {
        proxy.clear();
        proxy.reset_counts();
        proxy.inject("CreatePullThroughCacheRule", lost, Some(1));
        let inputs = env
            .checked(
                prefix,
                &obj(&[
                    ("ecrRepositoryPrefix", prefix.into()),
                    ("upstream", "docker-hub".into()),
                    ("credentialArn", secret_arn(prefix).into()),
                ]),
            )
            .await;
        let (id, out) = env.create(prefix, &inputs, false).await.expect("the create carries on");
        assert_eq!(id, prefix);
        let c = proxy.counts();
        assert_eq!(c.lost_replies, 1);
        assert_eq!(c.succeeded.get("CreatePullThroughCacheRule"), Some(&1), "created exactly once");
        assert_eq!(c.forwarded_by_operation.get("CreatePullThroughCacheRule"), Some(&2), "the SDK retried");
        assert_eq!(out["registryId"], Value::from(ACCOUNT));
        assert!(out["createdAt"].as_str().is_some_and(|t| t.contains('T')), "{out:?}");
        // A second create of the same without a lost reply is someone
        // else's create meeting this rule: refused, even with equal settings.
        proxy.clear();
        let err = env.create(prefix, &inputs, false).await.unwrap_err();
        assert_eq!(err.code(), Code::AlreadyExists, "{}", err.message());
    }

    // Someone else's rule under the prefix (another credential) is not
    // taken for this create's own, even after a lost reply.
    env.moto
        .ecr()
        .await
        .create_pull_through_cache_rule()
        .ecr_repository_prefix("theirs")
        .upstream_registry_url("registry-1.docker.io")
        .credential_arn(secret_arn("someone-else"))
        .send()
        .await
        .unwrap();
    proxy.clear();
    proxy.inject(
        "CreatePullThroughCacheRule",
        Fault::Error { status: 500, code: "ServerException", message: "lost" },
        Some(1),
    );
    let inputs = env
        .checked(
            "theirs",
            &obj(&[
                ("ecrRepositoryPrefix", "theirs".into()),
                ("upstream", "docker-hub".into()),
                ("credentialArn", secret_arn("theirs").into()),
            ]),
        )
        .await;
    let err = env.create("theirs", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(
        err.message().contains("pulumi import awsecr:index:PullThroughCacheRule theirs theirs"),
        "{}",
        err.message()
    );
}

/// ECR needs `customRoleArn` only for an ECR upstream in another account.
/// Without assumeRole the provider's account is unknown at Check: Check lets
/// the rule through, and Create reads the registry id before the write.
#[tokio::test]
async fn an_ecr_upstream_in_the_same_account_needs_no_role() {
    let mut env = env(RULE).await;
    let same = format!("{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com");
    let news = obj(&[("ecrRepositoryPrefix", "mirror".into()), ("upstreamRegistryUrl", same.clone().into())]);
    let f = failures(&mut env, &news).await;
    assert!(f.is_empty(), "{f:?}");
    let inputs = env.checked("mirror", &news).await;
    env.moto.start_recording();
    let (id, out) = env.create("mirror", &inputs, false).await.expect("no role needed in the same account");
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry", "CreatePullThroughCacheRule"]);
    assert!(!out.contains_key("customRoleArn"), "{out:?}");
    let held = env.moto.ecr().await.describe_pull_through_cache_rules().send().await.unwrap();
    assert_eq!(held.pull_through_cache_rules()[0].upstream_registry_url(), Some(same.as_str()));
    let (read_out, read_in) = env.read_found("mirror", &id, &out, &inputs).await;
    assert_eq!(read_in, inputs);
    let d = env.diff("mirror", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Another account: Check cannot know, Create refuses before the write.
    let other = format!("{OTHER}.dkr.ecr.us-west-2.amazonaws.com");
    let news = obj(&[("ecrRepositoryPrefix", "other".into()), ("upstreamRegistryUrl", other.into())]);
    let f = failures(&mut env, &news).await;
    assert!(f.is_empty(), "{f:?}");
    let inputs = env.checked("other", &news).await;
    env.moto.start_recording();
    let err = env.create("other", &inputs, false).await.unwrap_err();
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry"], "refused before any write");
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(
        err.message().contains("customRoleArn is required for an ecr upstream in another account")
            && err.message().contains(OTHER)
            && err.message().contains(ACCOUNT),
        "{}",
        err.message()
    );
}

/// ECR's default upstream prefix: shown in the outputs; with ROOT as the ECR
/// prefix only ROOT is allowed (refused at Check, before ECR refuses it);
/// a state that lacks it gets it in place, not by replacing the rule.
#[tokio::test]
async fn the_upstream_prefix_follows_ecr() {
    let mut env = env(RULE).await;
    let role = env.moto.create_role("ecr-pull-through");
    let url = format!("{OTHER}.dkr.ecr.us-west-2.amazonaws.com");
    let f = failures(
        &mut env,
        &obj(&[
            ("ecrRepositoryPrefix", "ROOT".into()),
            ("upstreamRegistryUrl", url.clone().into()),
            ("customRoleArn", role.clone().into()),
            ("upstreamRepositoryPrefix", "team".into()),
        ]),
    )
    .await;
    assert!(
        has(&f, "upstreamRepositoryPrefix", "can only be ROOT (or left out) when ecrRepositoryPrefix is ROOT"),
        "{f:?}"
    );

    let declared = obj(&[
        ("ecrRepositoryPrefix", "upstream".into()),
        ("upstreamRegistryUrl", url.clone().into()),
        ("customRoleArn", role.clone().into()),
    ]);
    let inputs = env.checked("ecr", &declared).await;
    assert_eq!(inputs["upstreamRepositoryPrefix"], Value::from("ROOT"), "ECR's default, filled in");
    let (id, out) = env.create("ecr", &inputs, false).await.unwrap();
    assert_eq!(out["upstreamRepositoryPrefix"], Value::from("ROOT"), "the output shows what ECR holds");
    let held = env.moto.ecr().await.describe_pull_through_cache_rules().send().await.unwrap();
    assert_eq!(held.pull_through_cache_rules()[0].upstream_repository_prefix(), Some("ROOT"));
    let (read_out, read_in) = env.read_found("ecr", &id, &out, &inputs).await;
    assert_eq!(read_in, inputs);
    assert_eq!(read_out["upstreamRepositoryPrefix"], Value::from("ROOT"));

    // A state written without it (an earlier version of the provider), then
    // the program says ROOT explicitly: an update without a call, no replacement.
    let mut old = out.clone();
    old.remove("upstreamRepositoryPrefix");
    let mut explicit = declared.clone();
    explicit.insert("upstreamRepositoryPrefix".into(), "ROOT".into());
    for news in [&declared, &explicit] {
        let news = env.checked("ecr", news).await;
        let d = env.diff("ecr", &id, &old, &news).await;
        assert_eq!(d.diffs, vec!["upstreamRepositoryPrefix"]);
        assert!(d.replaces.is_empty(), "{:?}", d.replaces);
        env.moto.start_recording();
        let updated = env.updated("ecr", &id, &old, &news, false).await;
        assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "nothing to write");
        assert_eq!(updated["upstreamRepositoryPrefix"], Value::from("ROOT"));
    }
    // Refreshed, the old state shows what ECR holds.
    let (refreshed, _) = env.read_found("ecr", &id, &old, &inputs).await;
    assert_eq!(refreshed["upstreamRepositoryPrefix"], Value::from("ROOT"));
}

/// Every upstream of the ECR model the tests run with (botocore's
/// `UpstreamRegistry` enum) is in the provider's table and in schema.json's
/// `Upstream` enum, and nothing else is: an upstream AWS adds fails here.
#[test]
fn the_upstreams_are_the_models() {
    let out = std::process::Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import botocore.session; m = botocore.session.get_session().get_service_model('ecr'); \
             print('\\n'.join(m.shape_for('UpstreamRegistry').enum))",
        ])
        .output()
        .expect("run the venv's python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let model: std::collections::BTreeSet<String> =
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
    assert!(model.contains("docker-hub") && model.len() >= 10, "{model:?}");
    let table: std::collections::BTreeSet<String> = UPSTREAMS.iter().map(|u| u.name.to_string()).collect();
    assert_eq!(table, model, "the provider's UPSTREAMS and botocore's UpstreamRegistry");
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let enum_values: std::collections::BTreeSet<String> = schema["types"]["awsecr:index:Upstream"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(enum_values, model, "schema.json's Upstream enum and botocore's UpstreamRegistry");
}

/// The upstreams the provider once refused, Chainguard and ECR Public
/// Premium, are created with their URL filled in, read back without a diff
/// and imported.
#[tokio::test]
async fn chainguard_and_ecr_public_premium_rules() {
    let mut env = env(RULE).await;
    for (prefix, upstream, url, secret) in [
        ("chainguard", "chainguard", "cgr.dev", Some(secret_arn("chainguard"))),
        ("premium", "ecr-public-premium", "ecr-premium.aws.com", None),
    ] {
        let mut news = obj(&[("ecrRepositoryPrefix", prefix.into()), ("upstream", upstream.into())]);
        if let Some(s) = &secret {
            news.insert("credentialArn".into(), s.clone().into());
        }
        let inputs = env.checked(prefix, &news).await;
        assert_eq!(inputs["upstreamRegistryUrl"], Value::from(url));
        env.moto.start_recording();
        let (id, out) = env.create(prefix, &inputs, false).await.unwrap();
        assert_eq!(env.moto.stop_recording(), vec!["CreatePullThroughCacheRule"]);
        let held = env
            .moto
            .ecr()
            .await
            .describe_pull_through_cache_rules()
            .ecr_repository_prefixes(prefix)
            .send()
            .await
            .unwrap();
        let rule = &held.pull_through_cache_rules()[0];
        assert_eq!(rule.upstream_registry().map(|u| u.as_str()), Some(upstream));
        assert_eq!(rule.upstream_registry_url(), Some(url));
        let (read_out, read_in) = env.read_found(prefix, &id, &out, &inputs).await;
        assert_eq!(read_in, inputs);
        let d = env.diff(prefix, &id, &read_out, &inputs).await;
        assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);
        let (_, imported_in) = env.read_found(prefix, &id, &Map::new(), &Map::new()).await;
        assert_eq!(imported_in, inputs, "import reconstructs the inputs");
    }
    let f = failures(&mut env, &obj(&[("ecrRepositoryPrefix", "cg".into()), ("upstream", "chainguard".into())])).await;
    assert!(has(&f, "credentialArn", "is required for chainguard"), "{f:?}");
}

// ---------------------------------------------------------------- templates

#[tokio::test]
async fn a_template_gets_the_repositorys_defaults_and_generators() {
    let mut env = env(TEMPLATE).await;
    let news = obj(&[
        ("prefix", "docker-hub".into()),
        ("description", "cached images".into()),
        (
            "lifecyclePolicy",
            Value::Object(obj(&[
                ("expireUntaggedAfterDays", Value::Number(7.0)),
                (
                    "tagged",
                    Value::Array(vec![Value::Object(obj(&[
                        ("tagPrefixes", strings(&["v"])),
                        ("keepLast", Value::Number(30.0)),
                    ]))]),
                ),
            ])),
        ),
        ("pullPrincipals", strings(&[OTHER])),
    ]);
    env.moto.start_recording();
    let inputs = env.checked("hub", &news).await;
    let (_, preview) = env.create("hub", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check and preview make no call");
    assert_eq!(inputs["immutableTags"], Value::Bool(true));
    assert_eq!(inputs["encryptionType"], Value::from("AES256"));
    assert_eq!(inputs["appliedFor"], strings(&["PULL_THROUGH_CACHE", "REPLICATION"]));
    assert_eq!(preview["imageTagMutability"], Value::from("IMMUTABLE"));
    assert!(preview["lifecyclePolicyText"].as_str().is_some(), "known in preview: {preview:?}");

    env.moto.start_recording();
    let (id, out) = env.create("hub", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepositoryCreationTemplate"]);
    assert_eq!(id, "docker-hub");
    assert_eq!(out["registryId"], Value::from(ACCOUNT));
    assert_eq!(out["lifecyclePolicyText"], preview["lifecyclePolicyText"]);

    let held =
        env.moto.ecr().await.describe_repository_creation_templates().prefixes("docker-hub").send().await.unwrap();
    let t = &held.repository_creation_templates()[0];
    assert_eq!(t.image_tag_mutability(), Some(&ImageTagMutability::Immutable));
    assert_eq!(t.encryption_configuration().unwrap().encryption_type(), &EncryptionType::Aes256);
    assert_eq!(t.applied_for(), &[RctAppliedFor::PullThroughCache, RctAppliedFor::Replication]);
    assert_eq!(t.description(), Some("cached images"));
    let lifecycle = LifecyclePolicy::from_json(t.lifecycle_policy().unwrap()).expect("the generator's policy");
    assert_eq!(lifecycle.expire_untagged_after_days, Some(7));
    assert_eq!(lifecycle.tagged.len(), 1);
    assert_eq!(Some(t.lifecycle_policy().unwrap()), out["lifecyclePolicyText"].as_str());
    let access = Access::from_policy(t.repository_policy().unwrap()).expect("the generator's policy");
    assert_eq!(access.pull, vec![OTHER.to_string()]);

    env.moto.start_recording();
    let (read_out, read_in) = env.read_found("hub", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRepositoryCreationTemplates"]);
    assert_eq!(read_in, inputs);
    let d = env.diff("hub", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Every setting changes in place with one call; what is dropped is cleared.
    let news = env
        .checked(
            "hub",
            &obj(&[
                ("prefix", "docker-hub".into()),
                ("appliedFor", strings(&["CREATE_ON_PUSH", "PULL_THROUGH_CACHE"])),
                ("immutableTags", false.into()),
                ("immutableTagExclusions", strings(&["v*"])),
                ("pushPrincipals", strings(&[OTHER])),
            ]),
        )
        .await;
    let d = env.diff("hub", &id, &read_out, &news).await;
    assert!(d.replaces.is_empty(), "{:?}", d.replaces);
    for key in [
        "appliedFor",
        "description",
        "immutableTags",
        "immutableTagExclusions",
        "lifecyclePolicy",
        "pullPrincipals",
        "pushPrincipals",
    ] {
        assert!(d.diffs.contains(&key.to_string()), "{key}: {:?}", d.diffs);
    }
    env.moto.start_recording();
    let updated = env.updated("hub", &id, &read_out, &news, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["UpdateRepositoryCreationTemplate"]);
    assert_eq!(updated["imageTagMutability"], Value::from("MUTABLE_WITH_EXCLUSION"));
    assert_eq!(updated["lifecyclePolicyText"], Value::Null);
    let held =
        env.moto.ecr().await.describe_repository_creation_templates().prefixes("docker-hub").send().await.unwrap();
    let t = &held.repository_creation_templates()[0];
    assert_eq!(t.image_tag_mutability(), Some(&ImageTagMutability::MutableWithExclusion));
    assert_eq!(t.image_tag_mutability_exclusion_filters()[0].filter(), "v*");
    assert_eq!(t.lifecycle_policy().unwrap_or_default(), "", "the lifecycle policy is cleared");
    assert_eq!(t.description().unwrap_or_default(), "", "the description is cleared");
    assert_eq!(t.applied_for(), &[RctAppliedFor::PullThroughCache, RctAppliedFor::CreateOnPush]);
    assert_eq!(Access::from_policy(t.repository_policy().unwrap()).unwrap().push, vec![OTHER.to_string()]);
    let (_, read_in) = env.read_found("hub", &id, &updated, &news).await;
    let d = env.diff("hub", &id, &updated, &read_in).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    env.moto.start_recording();
    env.delete("hub", &id, &updated).await.unwrap();
    env.delete("hub", &id, &updated).await.expect("already gone counts as deleted");
    assert_eq!(env.moto.stop_recording(), vec!["DeleteRepositoryCreationTemplate", "DeleteRepositoryCreationTemplate"]);
    let held = env.moto.ecr().await.describe_repository_creation_templates().send().await.unwrap();
    assert!(held.repository_creation_templates().is_empty());
}

#[tokio::test]
async fn tags_and_kms_need_a_role_and_are_refused_before_any_call_without_one() {
    let mut env = env(TEMPLATE).await;
    let key = env.moto.create_kms_key();
    let f = failures(&mut env, &obj(&[("prefix", "team".into()), ("tags", string_map(&[("team", "platform")]))])).await;
    assert!(has(&f, "customRoleArn", "is required when the template sets tags"), "{f:?}");
    let f = failures(
        &mut env,
        &obj(&[("prefix", "team".into()), ("encryptionType", "KMS".into()), ("kmsKey", "alias/ecr".into())]),
    )
    .await;
    assert!(has(&f, "customRoleArn", "is required when encryptionType is KMS"), "{f:?}");
    assert!(has(&f, "kmsKey", "must be the ARN of a KMS key"), "{f:?}");
    let f = failures(&mut env, &obj(&[("prefix", "ROOT".into()), ("appliedFor", strings(&["ON_PUSH"]))])).await;
    assert!(has(&f, "appliedFor[0]", "must be one of PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH"), "{f:?}");

    let role = env.moto.create_role("ecr-templates");
    let inputs = env
        .checked(
            "team",
            &obj(&[
                ("prefix", "team".into()),
                ("tags", string_map(&[("team", "platform")])),
                ("encryptionType", "KMS".into()),
                ("kmsKey", key.clone().into()),
                ("customRoleArn", role.clone().into()),
            ]),
        )
        .await;
    env.moto.start_recording();
    env.create("team", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepositoryCreationTemplate"]);
    let held = env.moto.ecr().await.describe_repository_creation_templates().prefixes("team").send().await.unwrap();
    let t = &held.repository_creation_templates()[0];
    assert_eq!(t.custom_role_arn(), Some(role.as_str()));
    assert_eq!(t.encryption_configuration().unwrap().kms_key(), Some(key.as_str()));
    assert_eq!(t.resource_tags()[0].key(), "team");
}

#[tokio::test]
async fn an_existing_template_gets_the_import_command_and_drift_is_put_back() {
    let mut env = env(TEMPLATE).await;
    env.moto
        .ecr()
        .await
        .create_repository_creation_template()
        .prefix("ROOT")
        .applied_for(RctAppliedFor::Replication)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .unwrap();
    let inputs = env.checked("root", &obj(&[("prefix", "ROOT".into()), ("pullPrincipals", strings(&[OTHER]))])).await;
    let err = env.create("root", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(err.message().contains("pulumi import awsecr:index:RepositoryTemplate root ROOT"), "{}", err.message());

    // Import reads what is there; the program's declaration is then an update.
    let (imported, imported_in) = env.read_found("root", "ROOT", &Map::new(), &Map::new()).await;
    assert_eq!(imported_in["immutableTags"], Value::Bool(false));
    assert_eq!(imported_in["appliedFor"], strings(&["REPLICATION"]));
    let d = env.diff("root", "ROOT", &imported, &imported_in).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);
    let updated = env.updated("root", "ROOT", &imported, &inputs, false).await;

    // A repository policy changed by hand into one the lists cannot express:
    // refresh reports it and keeps the declared lists (never an empty or
    // partial reading of the policy), the diff shows the text in force, the
    // update puts the declared one back.
    let deny =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:DeleteRepository"}]}"#;
    env.moto
        .ecr()
        .await
        .update_repository_creation_template()
        .prefix("ROOT")
        .repository_policy(deny)
        .send()
        .await
        .unwrap();
    let (refreshed, refreshed_in) = env.read_found("root", "ROOT", &updated, &inputs).await;
    assert!(
        env.warnings().iter().any(|w| w
            .contains("repository policy of repository creation template \"ROOT\" was edited outside Pulumi")
            && w.contains("kept as it is in repositoryPolicyText")),
        "{:?}",
        env.warnings()
    );
    assert_eq!(refreshed["repositoryPolicyText"], Value::from(deny));
    assert_eq!(refreshed_in["pullPrincipals"], strings(&[OTHER]), "the declared lists are kept");
    assert!(!refreshed_in.contains_key("repositoryPolicyDocument"), "{refreshed_in:?}");
    let d = env.diff("root", "ROOT", &refreshed, &inputs).await;
    assert_eq!(d.diffs, vec!["repositoryPolicyText"]);
    env.moto.start_recording();
    env.updated("root", "ROOT", &refreshed, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["UpdateRepositoryCreationTemplate"]);
    let held = env.moto.ecr().await.describe_repository_creation_templates().prefixes("ROOT").send().await.unwrap();
    let access = Access::from_policy(held.repository_creation_templates()[0].repository_policy().unwrap());
    assert_eq!(access.expect("the declared policy again").pull, vec![OTHER.to_string()]);
}

#[tokio::test]
async fn secret_principals_keep_the_generated_policy_secret() {
    let mut env = env(TEMPLATE).await;
    let inputs = env
        .checked(
            "s",
            &obj(&[
                ("prefix", "team".into()),
                ("pullPrincipals", Value::Array(vec![Value::from(OTHER).into_secret()])),
            ]),
        )
        .await;
    let (_, preview) = env.create("s", &inputs, true).await.unwrap();
    assert!(matches!(preview["repositoryPolicyText"], Value::Secret(_)), "{preview:?}");
    let (id, out) = env.create("s", &inputs, false).await.unwrap();
    assert!(matches!(out["repositoryPolicyText"], Value::Secret(_)), "{out:?}");
    let (read_out, _) = env.read_found("s", &id, &out, &inputs).await;
    assert!(matches!(read_out["repositoryPolicyText"], Value::Secret(_)), "{read_out:?}");
    assert!(matches!(read_out["pullPrincipals"], Value::Secret(_)), "{read_out:?}");
}

/// A template create whose reply is lost after ECR made it: recognised as
/// this create's own (same settings, made just now); someone else's
/// template under the prefix is still refused with the import command.
#[tokio::test]
async fn a_lost_create_reply_of_a_template_is_recognised() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await.of_type(TEMPLATE);
    for (prefix, lost) in [("lost-500", Fault::LoseReply(Some(500))), ("lost-drop", Fault::LoseReply(None))] {
        proxy.clear();
        proxy.reset_counts();
        proxy.inject("CreateRepositoryCreationTemplate", lost, Some(1));
        let inputs = env
            .checked(
                prefix,
                &obj(&[
                    ("prefix", prefix.into()),
                    ("description", "cached".into()),
                    ("immutableTags", true.into()),
                    ("mutableTagExclusions", strings(&["latest", "dev-*"])),
                    ("lifecyclePolicy", Value::Object(obj(&[("expireUntaggedAfterDays", Value::Number(7.0))]))),
                    ("pullPrincipals", strings(&[OTHER])),
                ]),
            )
            .await;
        let (id, out) = env.create(prefix, &inputs, false).await.expect("the create carries on");
        assert_eq!(id, prefix);
        let c = proxy.counts();
        assert_eq!(c.lost_replies, 1);
        assert_eq!(c.succeeded.get("CreateRepositoryCreationTemplate"), Some(&1), "created exactly once");
        assert_eq!(c.forwarded_by_operation.get("CreateRepositoryCreationTemplate"), Some(&2), "the SDK retried");
        assert_eq!(out["registryId"], Value::from(ACCOUNT));
        assert!(out["createdAt"].as_str().is_some_and(|t| t.contains('T')), "{out:?}");
        let (read_out, read_in) = env.read_found(prefix, &id, &out, &inputs).await;
        assert_eq!(read_in, inputs);
        let d = env.diff(prefix, &id, &read_out, &inputs).await;
        assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);
        proxy.clear();
        let err = env.create(prefix, &inputs, false).await.unwrap_err();
        assert_eq!(err.code(), Code::AlreadyExists, "{}", err.message());
    }

    env.moto
        .ecr()
        .await
        .create_repository_creation_template()
        .prefix("theirs")
        .applied_for(RctAppliedFor::Replication)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .unwrap();
    proxy.clear();
    proxy.inject(
        "CreateRepositoryCreationTemplate",
        Fault::Error { status: 500, code: "ServerException", message: "lost" },
        Some(1),
    );
    let inputs = env.checked("theirs", &obj(&[("prefix", "theirs".into())])).await;
    let err = env.create("theirs", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(err.message().contains("pulumi import awsecr:index:RepositoryTemplate theirs theirs"), "{}", err.message());
}

/// botocore's `Prefix` of a template is 1-256 characters: a 1-character
/// prefix is accepted at Check and created.
#[tokio::test]
async fn a_template_prefix_may_be_one_character() {
    let mut env = env(TEMPLATE).await;
    let f = failures(&mut env, &obj(&[("prefix", "a".into())])).await;
    assert!(f.is_empty(), "{f:?}");
    let inputs = env.checked("a", &obj(&[("prefix", "a".into())])).await;
    let (id, _) = env.create("a", &inputs, false).await.unwrap();
    assert_eq!(id, "a");
    let held = env.moto.ecr().await.describe_repository_creation_templates().prefixes("a").send().await.unwrap();
    assert_eq!(held.repository_creation_templates()[0].prefix(), Some("a"));
    let f = failures(&mut env, &obj(&[("prefix", "A".into())])).await;
    assert!(has(&f, "prefix", "must be ROOT or 1 to 256"), "{f:?}");
}

/// A template grants pull to an organization, its OUs and Lambda exactly as
/// a Repository does: one policy in ECR's template, read back into the same
/// fields (import with no diff), drift in them shown and put back, and the
/// same Check refusals.
#[tokio::test]
async fn a_template_grants_organizations_and_lambda_like_a_repository() {
    let mut env = env(TEMPLATE).await;
    let lambda = Value::Object(obj(&[("sourceAccounts", strings(&["444455556666"]))]));
    let news = obj(&[
        ("prefix", "central".into()),
        ("pullOrganizations", strings(&["o-a1b2c3d4e5"])),
        ("pullOrganizationPaths", strings(&["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"])),
        ("lambdaPull", lambda.clone()),
    ]);
    let inputs = env.checked("central", &news).await;
    let (id, out) = env.create("central", &inputs, false).await.unwrap();
    let held = env.moto.ecr().await.describe_repository_creation_templates().prefixes("central").send().await.unwrap();
    let text = held.repository_creation_templates()[0].repository_policy().unwrap().to_string();
    let access = Access::from_policy(&text).expect("the fields' policy");
    assert_eq!(access.organizations, vec!["o-a1b2c3d4e5".to_string()]);
    assert_eq!(access.organization_paths, vec!["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/".to_string()]);
    assert_eq!(access.lambda.expect("lambda").source_accounts, vec!["444455556666".to_string()]);
    assert!(
        text.contains("aws:PrincipalOrgID")
            && text.contains("aws:PrincipalOrgPaths")
            && text.contains("aws:SourceAccount")
    );

    // Import: the same fields, no diff.
    let (imported, imported_in) = env.read_found("central", &id, &Map::new(), &Map::new()).await;
    for key in ["pullOrganizations", "pullOrganizationPaths", "lambdaPull"] {
        assert_eq!(imported_in.get(key), inputs.get(key), "{key}");
    }
    let d = env.diff("central", &id, &imported, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Drift: another organization by hand; refresh reads it, the diff shows it, up puts it back.
    let drifted = text.replace("o-a1b2c3d4e5\"]", "o-f6g7h8i9j0\"]");
    assert_ne!(drifted, text);
    env.moto
        .ecr()
        .await
        .update_repository_creation_template()
        .prefix("central")
        .repository_policy(&drifted)
        .send()
        .await
        .unwrap();
    let (refreshed, refreshed_in) = env.read_found("central", &id, &out, &inputs).await;
    assert_eq!(refreshed_in["pullOrganizations"], strings(&["o-f6g7h8i9j0"]));
    let d = env.diff("central", &id, &refreshed, &inputs).await;
    assert!(d.diffs.contains(&"pullOrganizations".to_string()), "{:?}", d.diffs);
    env.updated("central", &id, &refreshed, &inputs, false).await;
    let held = env.moto.ecr().await.describe_repository_creation_templates().prefixes("central").send().await.unwrap();
    assert_eq!(held.repository_creation_templates()[0].repository_policy(), Some(text.as_str()));

    // Check refuses what it refuses for a Repository.
    let bad = obj(&[
        ("prefix", "bad".into()),
        ("pullOrganizationPaths", strings(&["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111"])),
        ("lambdaPull", Value::Object(Map::new())),
    ]);
    let got = failures(&mut env, &bad).await;
    assert!(has(&got, "pullOrganizationPaths[0]", "it ends with /"), "{got:?}");
    assert!(has(&got, "lambdaPull", "without a condition"), "{got:?}");
}
