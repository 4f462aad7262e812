//! PullThroughCacheRule and RepositoryTemplate over gRPC, against the real
//! provider binary and the emulator's stand-in for these APIs (moto has
//! none; tests/support/ecr_extensions.py): validation before any call,
//! what each operation calls (counted with the emulator's recorder), what
//! ECR holds afterwards, in-place updates and replacements, the import
//! command for an existing rule or template, import and drift.

mod common;

use aws_sdk_ecr::types::{EncryptionType, ImageTagMutability, RctAppliedFor, UpstreamRegistry};
use common::env::Env;
use common::*;
use pulumi_resource_awsecr::policy::access::Access;
use pulumi_resource_awsecr::policy::lifecycle::LifecyclePolicy;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc::diff_response::DiffChanges;
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
    // refresh reports it, the diff shows it, the update puts the declared one back.
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
    assert!(env.warnings().iter().any(|w| w.contains("repository policy cannot be expressed")), "{:?}", env.warnings());
    assert_eq!(refreshed["repositoryPolicyText"], Value::from(deny));
    assert!(!refreshed_in.contains_key("pullPrincipals"));
    let d = env.diff("root", "ROOT", &refreshed, &inputs).await;
    assert!(d.diffs.contains(&"pullPrincipals".to_string()), "{:?}", d.diffs);
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
