//! Managed signing as the Registry's `signing` group and getImage's
//! `signingStatuses` (issue 26, points 2 and 5), over gRPC against the real
//! provider binary and the local ECR (tests/support/ecr_registry_2026.py,
//! whose strict mode needs the Signer profile to exist in the emulator's
//! Signer): owned only when declared, take-over refused unless adopt,
//! order-insensitive diff, drift, import without a diff, delete only when
//! owned; Check of the profile ARN and of the actions each registry policy
//! scope allows; the sentences for a missing Signer profile, a V2 action
//! while the scope is V1, and ENHANCED scanning without Amazon Inspector.
//! Calls counted with the emulator's recorder.

mod common;

use aws_sdk_ecr::types::{SigningConfiguration, SigningRepositoryFilter, SigningRepositoryFilterType, SigningRule};
use common::env::Env;
use common::inspect::manifest;
use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::policy::registry::ECR_ACTIONS;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc;
use std::collections::BTreeSet;
use tonic::Code;

const REGISTRY: &str = "awsecr:index:Registry";
const GET_IMAGE: &str = "awsecr:index:getImage";

fn registry_id() -> String {
    format!("{ACCOUNT}/{REGION}")
}

async fn env() -> Env {
    Env::with_config(Moto::start_strict(), &[]).await.of_type(REGISTRY)
}

fn rule(arn: &str, filters: &[&str]) -> Value {
    let mut r = obj(&[("signingProfileArn", arn.into())]);
    if !filters.is_empty() {
        r.insert("repositoryFilters".into(), strings(filters));
    }
    Value::Object(r)
}

fn signing(rules: Vec<Value>) -> Map {
    obj(&[("signing", Value::Array(rules))])
}

/// The signing configuration in force, each rule as (profile, filters), in
/// ECR's order; `None` when the registry has none.
async fn signing_in_force(moto: &Moto) -> Option<Vec<(String, Vec<String>)>> {
    match moto.ecr().await.get_signing_configuration().send().await {
        Ok(c) => Some(
            c.signing_configuration()
                .unwrap()
                .rules()
                .iter()
                .map(|r| {
                    (
                        r.signing_profile_arn().to_string(),
                        r.repository_filters().iter().map(|f| f.filter().to_string()).collect(),
                    )
                })
                .collect(),
        ),
        Err(e) => {
            assert_eq!(
                aws_sdk_ecr::error::ProvideErrorMetadata::code(&e),
                Some("SigningConfigurationNotFoundException")
            );
            None
        }
    }
}

/// Puts a signing configuration behind the provider's back.
async fn signing_by_hand(moto: &Moto, arn: &str, filter: &str) {
    let rule = SigningRule::builder()
        .signing_profile_arn(arn)
        .repository_filters(
            SigningRepositoryFilter::builder()
                .filter(filter)
                .filter_type(SigningRepositoryFilterType::WildcardMatch)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let config = SigningConfiguration::builder().rules(rule).build().unwrap();
    moto.ecr().await.put_signing_configuration().signing_configuration(config).send().await.unwrap();
}

fn pair(arn: &str, filters: &[&str]) -> (String, Vec<String>) {
    (arn.to_string(), filters.iter().map(|f| f.to_string()).collect())
}

#[tokio::test]
async fn signing_is_owned_alone_and_its_life_costs_the_minimum_calls() {
    let mut env = env().await;
    let release = env.moto.create_signing_profile("release");
    let audit = env.moto.create_signing_profile("audit");

    // Check and preview make no call.
    env.moto.start_recording();
    let inputs = env.checked("sign", &signing(vec![rule(&release, &["prod/*", "team/api"])])).await;
    let (_, preview) = env.create("sign", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check and preview make no call");
    assert_eq!(preview["registryId"], Value::Unknown);

    // Create: the registry id and the take-over read at once, then the write.
    env.moto.start_recording();
    let (id, out) = env.create("sign", &inputs, false).await.unwrap();
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRegistry", "GetSigningConfiguration", "PutSigningConfiguration"]
    );
    assert_eq!(id, registry_id());
    assert_eq!(out["signing"], inputs["signing"]);
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["prod/*", "team/api"])]));

    // Refresh: one call, no diff; filters in another order are no change.
    env.moto.start_recording();
    let (read_out, read_in) = env.read_found("sign", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["GetSigningConfiguration"], "only the owned group is read");
    assert!(!read_in.contains_key("scanning"), "an unowned group is never read: {read_in:?}");
    let d = env.diff("sign", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
    let reordered = env.checked("sign", &signing(vec![rule(&release, &["team/api", "prod/*"])])).await;
    assert!(env.diff("sign", &id, &read_out, &reordered).await.diffs.is_empty(), "filter order is no change");

    // Update: one write for the group that changed; rules in another order
    // are no change.
    let two = vec![rule(&release, &["prod/*"]), rule(&audit, &[])];
    let news = env.checked("sign", &signing(two.clone())).await;
    let d = env.diff("sign", &id, &read_out, &news).await;
    assert_eq!(d.diffs, vec!["signing"]);
    env.moto.start_recording();
    let updated = env.updated("sign", &id, &read_out, &news, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["PutSigningConfiguration"]);
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["prod/*"]), pair(&audit, &[])]));
    let swapped = env.checked("sign", &signing(two.into_iter().rev().collect())).await;
    assert!(env.diff("sign", &id, &updated, &swapped).await.diffs.is_empty(), "rule order is no change");

    // Drift: changed by hand, refresh warns and shows it, the next update
    // puts back the declared rules.
    signing_by_hand(&env.moto, &audit, "hand/*").await;
    let (drifted, _) = env.read_found("sign", &id, &updated, &news).await;
    assert!(
        env.warnings().iter().any(|w| w.contains("signing of ECR registry 123456789012 was changed outside Pulumi")),
        "{:?}",
        env.warnings()
    );
    let d = env.diff("sign", &id, &drifted, &news).await;
    assert_eq!(d.diffs, vec!["signing"]);
    let restored = env.updated("sign", &id, &drifted, &news, false).await;
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["prod/*"]), pair(&audit, &[])]));

    // Import: every group is read; the signing rules come back as inputs
    // that make no diff.
    env.moto.start_recording();
    // (Imported as the same resource: one owner of the group.)
    let (imported_out, imported_in) = env.read_found("sign", &registry_id(), &Map::new(), &Map::new()).await;
    assert_eq!(
        env.moto.stop_recording(),
        vec!["GetRegistryScanningConfiguration", "DescribeRegistry", "GetSigningConfiguration", "GetRegistryPolicy"]
    );
    let checked = env.checked("sign", &imported_in).await;
    let d = env.diff("sign", &registry_id(), &imported_out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
    let d = env.diff("sign", &registry_id(), &imported_out, &news).await;
    assert!(d.diffs.is_empty(), "the imported rules are the declared ones: {:?}", d.diffs);

    // Delete: the signing configuration removed, one call.
    env.moto.start_recording();
    env.delete("sign", &id, &restored).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["DeleteSigningConfiguration"]);
    assert_eq!(signing_in_force(&env.moto).await, None);
}

/// A Registry that does not declare `signing` never reads, changes or
/// deletes the signing configuration; one that drops the group removes it.
#[tokio::test]
async fn signing_is_deleted_only_when_owned() {
    let mut env = env().await;
    let release = env.moto.create_signing_profile("release");
    signing_by_hand(&env.moto, &release, "legacy/*").await;
    let scanning = obj(&[("scanning", Value::Object(obj(&[("type", "BASIC".into())])))]);
    let inputs = env.checked("scan", &scanning).await;
    env.moto.start_recording();
    let (id, out) = env.create("scan", &inputs, false).await.unwrap();
    let calls = env.moto.stop_recording();
    assert!(calls.iter().all(|c| !c.contains("Signing")), "never read or written: {calls:?}");
    env.moto.start_recording();
    env.delete("scan", &id, &out).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["PutRegistryScanningConfiguration"]);
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["legacy/*"])]), "someone else's, kept");

    // Declared with adopt, then dropped from the program: deleted, the
    // preview shows the group's removal and makes no call.
    let adopting = env
        .checked("sign", &{
            let mut m = signing(vec![rule(&release, &["prod/*"])]);
            m.insert("adopt".into(), true.into());
            m
        })
        .await;
    let (id, out) = env.create("sign", &adopting, false).await.unwrap();
    let fewer = env.checked("sign", &obj(&[("adopt", true.into())])).await;
    let d = env.diff("sign", &id, &out, &fewer).await;
    assert_eq!(d.diffs, vec!["signing"]);
    assert_eq!(d.detailed_diff["signing"].kind, pulumirpc::property_diff::Kind::Delete as i32);
    env.moto.start_recording();
    env.updated("sign", &id, &out, &fewer, true).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "preview makes no call");
    env.moto.start_recording();
    let state = env.updated("sign", &id, &out, &fewer, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["DeleteSigningConfiguration"]);
    assert!(!state.contains_key("signing"), "no longer owned: {state:?}");
    assert_eq!(signing_in_force(&env.moto).await, None);
}

#[tokio::test]
async fn taking_over_a_signing_configuration_is_refused_unless_adopt() {
    let mut env = env().await;
    let release = env.moto.create_signing_profile("release");
    signing_by_hand(&env.moto, &release, "legacy/*").await;
    // Declaring the group on an existing Registry is a take-over too.
    let none = env.checked("sign", &obj(&[("adopt", false.into())])).await;
    let (id, out) = env.create("sign", &none, false).await.unwrap();
    let inputs = env.checked("sign", &signing(vec![rule(&release, &["prod/*"])])).await;
    let err = env.update("sign", &id, &out, &inputs, false).await.unwrap_err();
    assert!(err.message().contains("already has a signing configuration"), "{}", err.message());

    env.moto.start_recording();
    let err = env.create("sign", &inputs, false).await.unwrap_err();
    let calls = env.moto.stop_recording();
    assert!(calls.iter().all(|c| !c.starts_with("Put")), "nothing was written: {calls:?}");
    assert_eq!(err.code(), Code::FailedPrecondition);
    for words in [
        "already has a signing configuration of 1 rule(s) (release for legacy/*)",
        "pulumi import awsecr:index:Registry sign 123456789012/us-east-1",
        "adopt: true",
    ] {
        assert!(err.message().contains(words), "{words}: {}", err.message());
    }
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["legacy/*"])]));

    let mut adopting = signing(vec![rule(&release, &["prod/*"])]);
    adopting.insert("adopt".into(), true.into());
    let adopting = env.checked("sign", &adopting).await;
    env.moto.start_recording();
    env.create("sign", &adopting, false).await.expect("adopt takes it over");
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry", "PutSigningConfiguration"], "no check read");
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["prod/*"])]));
}

#[tokio::test]
async fn a_second_registry_declaring_signing_is_refused_at_check() {
    let mut env = env().await;
    let arn = format!("arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/release");
    env.checked("security", &signing(vec![rule(&arn, &[])])).await;
    let (_, failures) = env.check("platform", &signing(vec![]), &Map::new()).await;
    let (path, reason) = path_and_reason(failures.first().expect("refused"));
    assert_eq!(path, "signing");
    assert!(reason.contains("the registry's signing configuration is also declared by \"security\""), "{reason}");
}

#[tokio::test]
async fn bad_signing_rules_and_actions_are_refused_at_check_before_any_call() {
    let mut env = env().await;
    let arn = |partition: &str, region: &str, name: &str| {
        format!("arn:{partition}:signer:{region}:{ACCOUNT}:/signing-profiles/{name}")
    };
    let good = arn("aws", REGION, "release");
    let statement = |actions: &[&str]| {
        obj(&[(
            "policyStatements",
            Value::Array(vec![Value::Object(obj(&[
                ("sid", "Pull".into()),
                ("principals", strings(&["210987654321"])),
                ("actions", strings(actions)),
            ]))]),
        )])
    };
    env.moto.start_recording();
    let cases: Vec<(Map, &str, &str)> = vec![
        (signing((0..11).map(|_| rule(&good, &[])).collect()), "signing", "at most 10 rules"),
        (
            signing(vec![rule("arn:aws:signer:us-east-1:123456789012:signing-profiles/x1", &[])]),
            "signing[0].signingProfileArn",
            "must be an AWS Signer signing profile ARN",
        ),
        (
            signing(vec![rule(&arn("aws", REGION, "a"), &[])]),
            "signing[0].signingProfileArn",
            "the name 2 or more letters, digits or _",
        ),
        (
            signing(vec![rule(&format!("arn:aws:kms:{REGION}:{ACCOUNT}:/signing-profiles/release"), &[])]),
            "signing[0].signingProfileArn",
            "must be an AWS Signer signing profile ARN",
        ),
        (
            signing(vec![rule(&arn("aws", "eu-west-1", "release"), &[])]),
            "signing[0].signingProfileArn",
            "is a profile of region eu-west-1, but the registry is in us-east-1",
        ),
        (
            signing(vec![rule(&arn("aws-cn", "cn-north-1", "release"), &[])]),
            "signing[0].signingProfileArn",
            "is a profile of partition aws-cn, but the registry is in aws",
        ),
        (signing(vec![rule(&good, &["Prod/*"])]), "signing[0].repositoryFilters[0]", "repository filter"),
        (signing(vec![rule(&good, &["prod//x"])]), "signing[0].repositoryFilters[0]", "repository filter"),
        (
            signing(vec![Value::Object(obj(&[
                ("signingProfileArn", good.as_str().into()),
                ("repositoryFilters", strings(&[])),
            ]))]),
            "signing[0].repositoryFilters",
            "leave it out to sign every repository",
        ),
        (
            signing(vec![Value::Object(obj(&[("repositoryFilters", strings(&["*"]))]))]),
            "signing[0].signingProfileArn",
            "is required",
        ),
        (
            signing(vec![Value::Object(obj(&[("signingProfileArn", good.as_str().into()), ("profile", "x".into())]))]),
            "signing[0].profile",
            "is not a field of a signing rule",
        ),
        (statement(&["ecr:PullImage"]), "policyStatements[0].actions[0]", "names no action ECR has"),
        (statement(&["ecr:Fly*"]), "policyStatements[0].actions[0]", "with REGISTRY_POLICY_SCOPE V2"),
    ];
    for (news, path, words) in cases {
        let (_, failures) = env.check("bad", &news, &Map::new()).await;
        assert!(
            failures.iter().map(path_and_reason).any(|(p, r)| p == path && r.contains(words)),
            "{path}: {words}: {failures:?}"
        );
    }
    // A V2-only action, a wildcard and V1's actions pass Check.
    for actions in
        [&["ecr:BatchGetImage", "ecr:DescribeImages"][..], &["ecr:Describe*"], &["ecr:*"], &["ecr:replicateimage"]]
    {
        env.checked("fine", &statement(actions)).await;
    }
    env.checked("fine", &signing(vec![rule(&good, &["prod/*", "team-a/api.v2", "*"])])).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
}

/// What the local ECR answers for a profile AWS Signer does not have (its
/// strict mode: InvalidParameterException naming the rule's member; ECR's
/// own wording is not public) becomes one sentence naming the group and
/// saying what to create.
#[tokio::test]
async fn a_signer_profile_that_does_not_exist_says_to_create_it() {
    let mut env = env().await;
    let missing = format!("arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/nosuch");
    let inputs = env.checked("sign", &signing(vec![rule(&missing, &[])])).await;
    let err = env.create("sign", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{}", err.message());
    for words in [
        "could not apply the registry's signing: ECR refused the signing rules of the registry",
        "does not exist or is not Active",
        "Active AWS Signer signing profile",
        "aws signer put-signing-profile --profile-name <name> --platform-id Notation-OCI-SHA384-ECDSA",
    ] {
        assert!(err.message().contains(words), "{words}: {}", err.message());
    }
    // The state records what exists: no signing configuration was written.
    let failure = pulumi_resource_awsecr::error::init_failure_of(&err).expect("the state of what exists");
    assert!(!decode(&failure.properties).contains_key("signing"), "{failure:?}");
    assert_eq!(signing_in_force(&env.moto).await, None);
}

/// With REGISTRY_POLICY_SCOPE V1, ECR refuses a registry policy naming
/// other actions than V1's (ecr_strict.py, rule 10): the error names the
/// group, the action and the account setting to change; with V2 the same
/// statement is written.
#[tokio::test]
async fn a_v2_action_while_the_scope_is_v1_says_to_set_the_scope_to_v2() {
    let mut env = env().await;
    let ecr = env.moto.ecr().await;
    ecr.put_account_setting().name("REGISTRY_POLICY_SCOPE").value("V1").send().await.unwrap();
    let pull = obj(&[(
        "policyStatements",
        Value::Array(vec![Value::Object(obj(&[
            ("sid", "Pull".into()),
            ("principals", strings(&["210987654321"])),
            ("actions", strings(&["ecr:BatchGetImage", "ecr:CreateRepository"])),
        ]))]),
    )]);
    let inputs = env.checked("policy", &pull).await;
    env.moto.start_recording();
    let err = env.create("policy", &inputs, false).await.unwrap_err();
    let calls = env.moto.stop_recording();
    assert_eq!(err.code(), Code::FailedPrecondition, "{}", err.message());
    for words in [
        "could not apply the registry's registry policy statements: ECR refused the registry policy",
        "it names ecr:BatchGetImage, which only registry policy scope V2 allows",
        "this account's REGISTRY_POLICY_SCOPE is V1",
        "set the account setting REGISTRY_POLICY_SCOPE to V2 (an awsecr:index:AccountSetting",
    ] {
        assert!(err.message().contains(words), "{words}: {}", err.message());
    }
    assert!(!err.message().contains("ecr:CreateRepository,"), "only the V2 action is named: {}", err.message());
    assert!(calls.contains(&"GetAccountSetting".to_string()), "the scope is read to explain: {calls:?}");

    // Following the advice: the same statement is written.
    ecr.put_account_setting().name("REGISTRY_POLICY_SCOPE").value("V2").send().await.unwrap();
    env.create("policy", &inputs, false).await.expect("with scope V2");
    let policy = ecr.get_registry_policy().send().await.unwrap();
    assert!(policy.policy_text().unwrap().contains("ecr:BatchGetImage"));
}

/// ENHANCED scanning is Amazon Inspector's; ECR's answers when Inspector
/// cannot be used are not public, so the fault proxy gives the two codes
/// the model lists for PutRegistryScanningConfiguration: each becomes one
/// sentence naming the group and what to do.
#[tokio::test]
async fn enhanced_scanning_without_amazon_inspector_says_what_to_do() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await.of_type(REGISTRY);
    let enhanced =
        obj(&[("scanning", Value::Object(obj(&[("type", "ENHANCED".into()), ("continuous", strings(&["prod/*"]))])))]);
    let inputs = env.checked("scan", &enhanced).await;
    let cases: [(&'static str, u16, Code, &[&str]); 2] = [
        (
            "AccessDeniedException",
            400,
            Code::PermissionDenied,
            &["could not apply the registry's scanning", "inspector2:Enable", "iam:CreateServiceLinkedRole", "BASIC"],
        ),
        (
            "BlockedByOrganizationPolicyException",
            400,
            Code::FailedPrecondition,
            &[
                "could not apply the registry's scanning",
                "AWS Organizations policy",
                "activate Amazon Inspector's ECR scanning",
                "BASIC",
            ],
        ),
    ];
    for (code, status, grpc, words) in cases {
        proxy.inject(
            "PutRegistryScanningConfiguration",
            Fault::Error { status, code, message: "Amazon Inspector could not be enabled for this account" },
            Some(1),
        );
        let err = env.create("scan", &inputs, false).await.unwrap_err();
        assert_eq!(err.code(), grpc, "{code}: {}", err.message());
        for w in words {
            assert!(err.message().contains(w), "{code}: {w}: {}", err.message());
        }
    }
}

#[tokio::test]
async fn get_image_returns_the_signing_status_of_the_image() {
    let moto = Moto::start_strict();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await.of_type(REGISTRY);
    let release = env.moto.create_signing_profile("release");
    let inputs = env.checked("sign", &signing(vec![rule(&release, &["prod/*"])])).await;
    env.create("sign", &inputs, false).await.unwrap();
    let ecr = env.moto.ecr().await;
    for repo in ["prod/api", "dev/api"] {
        ecr.create_repository().repository_name(repo).send().await.unwrap();
        ecr.put_image().repository_name(repo).image_manifest(manifest(1)).image_tag("v1").send().await.unwrap();
    }
    let by = |repo: &str, pairs: &[(&str, Value)]| {
        let mut m = obj(&[("repositoryName", repo.into())]);
        m.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())));
        m
    };

    // Matched by the rule: one status, COMPLETE; the calls at once (and the
    // scan, there being none, asked again by digest).
    env.moto.start_recording();
    let got = decode(&env.invoke(GET_IMAGE, &by("prod/api", &[("imageTag", "v1".into())])).await.unwrap().r#return);
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeImages", "DescribeImageSigningStatus", "DescribeImageScanFindings", "DescribeImageScanFindings"]
    );
    let status = Value::Array(vec![Value::Object(obj(&[
        ("signingProfileArn", release.as_str().into()),
        ("status", "COMPLETE".into()),
    ]))]);
    assert_eq!(got["signingStatuses"], status, "{got:?}");
    let digest = got["imageDigest"].clone();
    let by_digest = decode(&env.invoke(GET_IMAGE, &by("prod/api", &[("imageDigest", digest)])).await.unwrap().r#return);
    assert_eq!(by_digest["signingStatuses"], status);
    let latest =
        decode(&env.invoke(GET_IMAGE, &by("prod/api", &[("mostRecent", true.into())])).await.unwrap().r#return);
    assert_eq!(latest["signingStatuses"], status);

    // Not matched by any rule: an empty list.
    let got = decode(&env.invoke(GET_IMAGE, &by("dev/api", &[("imageTag", "v1".into())])).await.unwrap().r#return);
    assert_eq!(got["signingStatuses"], Value::Array(vec![]), "{got:?}");

    // Not allowed: the lookup succeeds and signingStatuses is left out.
    proxy.inject(
        "DescribeImageSigningStatus",
        Fault::Error { status: 400, code: "AccessDeniedException", message: "not authorized" },
        Some(1),
    );
    let got = decode(&env.invoke(GET_IMAGE, &by("prod/api", &[("imageTag", "v1".into())])).await.unwrap().r#return);
    assert!(!got.contains_key("signingStatuses"), "{got:?}");
    assert!(got["imageDigest"].as_str().unwrap().starts_with("sha256:"), "{got:?}");
}

/// The actions the provider knows are the ECR model's operations (the model
/// the tests run with) and the two permission-only actions: an action AWS
/// adds fails here before a user's statement naming it fails at Check.
#[test]
fn the_ecr_actions_are_the_models() {
    let out = std::process::Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import botocore.session; m = botocore.session.get_session().get_service_model('ecr'); \
             print(' '.join(m.operation_names))",
        ])
        .output()
        .expect("run the venv's python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut model: BTreeSet<String> =
        String::from_utf8(out.stdout).unwrap().split_whitespace().map(str::to_string).collect();
    model.extend(["BatchImportUpstreamImage".to_string(), "ReplicateImage".to_string()]);
    let ours: BTreeSet<String> = ECR_ACTIONS.iter().map(|a| a.to_string()).collect();
    assert_eq!(ours, model, "ECR_ACTIONS and botocore's operations (+ the permission-only actions)");
}

/// A Registry with every group keeps its round trips at the minimum: the
/// create's reads go out together (the registry id and each group's
/// take-over read), then its writes together; refresh reads every group at
/// once; delete resets every group at once. Every reply is held back, so
/// calls made at once are in flight together in the proxy.
#[tokio::test]
async fn every_group_at_once_create_two_round_trips_refresh_one_delete_one() {
    let moto = Moto::start_strict();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await.of_type(REGISTRY);
    let release = env.moto.create_signing_profile("release");
    let all = obj(&[
        ("scanning", Value::Object(obj(&[("type", "BASIC".into())]))),
        (
            "replication",
            Value::Array(vec![Value::Object(obj(&[(
                "destinations",
                Value::Array(vec![Value::Object(obj(&[("region", "eu-west-1".into())]))]),
            )]))]),
        ),
        ("signing", Value::Array(vec![rule(&release, &["prod/*"])])),
        ("replicationSourceAccounts", strings(&["210987654321"])),
    ]);
    let inputs = env.checked("all", &all).await;
    let hold = |proxy: &FaultProxy| {
        for op in [
            "DescribeRegistry",
            "GetRegistryScanningConfiguration",
            "GetSigningConfiguration",
            "GetRegistryPolicy",
            "PutRegistryScanningConfiguration",
            "PutReplicationConfiguration",
            "PutSigningConfiguration",
            "PutRegistryPolicy",
            "DeleteSigningConfiguration",
            "DeleteRegistryPolicy",
        ] {
            proxy.inject(op, Fault::SlowReply(std::time::Duration::from_millis(300)), None);
        }
    };
    hold(&proxy);
    proxy.reset_counts();
    let (id, out) = env.create("all", &inputs, false).await.unwrap();
    let counts = proxy.counts();
    assert_eq!(counts.max_in_flight, 4, "four reads, then four writes, each at once: {counts:?}");
    assert_eq!(counts.forwarded, 8, "{counts:?}");
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["prod/*"])]));

    proxy.reset_counts();
    let (read_out, _) = env.read_found("all", &id, &out, &inputs).await;
    let counts = proxy.counts();
    assert_eq!((counts.forwarded, counts.max_in_flight), (4, 4), "one read per group, all at once: {counts:?}");
    assert!(env.diff("all", &id, &read_out, &inputs).await.diffs.is_empty());

    proxy.reset_counts();
    env.delete("all", &id, &read_out).await.unwrap();
    let counts = proxy.counts();
    assert!(counts.max_in_flight >= 3, "the groups are reset at once: {counts:?}");
    assert_eq!(signing_in_force(&env.moto).await, None);
}

/// Inside one program, `signing` moved from one Registry to another (with
/// adopt) is handed over: the Registry that drops it does not delete the
/// signing configuration the other now declares.
#[tokio::test]
async fn signing_handed_to_another_registry_of_the_program_is_never_deleted() {
    let mut env = env().await;
    let release = env.moto.create_signing_profile("release");
    let declared = signing(vec![rule(&release, &["prod/*"])]);
    let first = env.checked("first", &declared).await;
    let (id, out) = env.create("first", &first, false).await.unwrap();

    // The program now declares signing on "second" (adopt) and not on "first".
    let without = env.checked("first", &obj(&[("adopt", false.into())])).await;
    let mut adopting = declared.clone();
    adopting.insert("adopt".into(), true.into());
    let second = env.checked("second", &adopting).await;
    env.moto.start_recording();
    let state = env.updated("first", &id, &out, &without, false).await;
    let calls = env.moto.stop_recording();
    assert!(!calls.iter().any(|c| c == "DeleteSigningConfiguration"), "handed over, not deleted: {calls:?}");
    assert!(!state.contains_key("signing"), "no longer owned by first: {state:?}");
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["prod/*"])]));
    env.create("second", &second, false).await.expect("second takes it over");
    // Deleting "first" now leaves the configuration to "second".
    env.delete("first", &id, &state).await.unwrap();
    assert_eq!(signing_in_force(&env.moto).await, Some(vec![pair(&release, &["prod/*"])]));
}
