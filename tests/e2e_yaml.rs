//! End to end in YAML: the real Pulumi CLI and YAML language host drive the
//! provider plugin against a local ECR emulator, with a local state backend.
//! What ECR holds is checked with an independent AWS SDK client.
//!
//! The suite runs on the pinned CLI (`pinned::*`) and again on the newest
//! CLI of the supported range (`newest::*`); `cli_lifecycle_*` runs on the
//! pinned, the newest and the oldest CLI (README, "Supported Pulumi CLIs");
//! `every_registry_setting_at_once` and `lifecycle_change_preview` on the
//! pinned CLI.

mod common;

use aws_sdk_ecr::types::ImageTagMutability;
use common::pulumi::{Cli, Lang, Stack};
use common::scenarios::{create_legacy, example_lifecycle, import_then_no_changes};
use common::*;

/// Each test of the suite, once on the pinned CLI and once on the newest.
macro_rules! on_pinned_and_newest {
    ($($test:ident),* $(,)?) => {
        mod pinned {
            $(#[tokio::test]
            async fn $test() {
                super::$test(super::Cli::Pinned).await;
            })*
        }
        mod newest {
            $(#[tokio::test]
            async fn $test() {
                super::$test(super::Cli::Newest).await;
            })*
        }
    };
}

on_pinned_and_newest!(
    yaml_program_lifecycle,
    yaml_import_then_no_changes,
    yaml_two_providers_in_two_regions,
    a_new_endpoint_replaces_nothing,
    two_stacks_own_different_groups_of_one_registry,
    a_docker_hub_cache_with_its_template,
);

async fn yaml_program_lifecycle(cli: Cli) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("examples/yaml"), &moto, cli);
    stack.prepare(Lang::Yaml);
    example_lifecycle(&stack, &moto).await;
}

async fn yaml_import_then_no_changes(cli: Cli) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("tests/e2e/yaml-import"), &moto, cli);
    import_then_no_changes(&stack, &moto, true).await;
}

/// One stack's life on `cli` (tests/e2e/yaml-cli): import, preview, up, an
/// update, drift and refresh, destroy. The preview's gRPC traffic, from the
/// CLI's own log (PULUMI_DEBUG_GRPC), shows what the engine asks of the
/// provider: whether it calls Handshake, and whether Check carries the
/// stack's autonaming configuration. `new_engine` says what `cli` is
/// expected to do: engines from v3.146 do both, older ones neither, and the
/// provider then names the repository itself from the engine's random seed.
async fn cli_lifecycle_with(cli: Cli, new_engine: bool) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("tests/e2e/yaml-cli"), &moto, cli);
    let version = stack.ok(&["version"]);
    let expected = std::fs::read_to_string(root().join(cli.version_file())).unwrap();
    assert_eq!(version.trim(), format!("v{}", expected.trim()), "the CLI under test");
    stack.ok(&["config", "set", "--path", "pulumi:autonaming.pattern", "${project}-${name}"]);

    // Import: a repository made elsewhere joins the stack as declared.
    create_legacy(&moto).await;
    let import = stack.ok(&["import", "awsecr:index:Repository", "legacy", "legacy/web", "--generate-code=false"]);
    assert!(import.contains("1 imported"), "{import}");

    // Preview: no AWS call; what the engine sent.
    let log = stack.scratch().join("grpc.json");
    moto.start_recording();
    let preview = stack.run_with_env(&["preview"], &[("PULUMI_DEBUG_GRPC", log.as_path())]);
    assert!(preview.ok, "{}", preview.text);
    assert_eq!(moto.stop_recording(), Vec::<String>::new(), "preview calls AWS");
    assert!(preview.text.contains("+ 1 to create"), "{}", preview.text);
    let calls: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let called = |rpc: &str| {
        calls.iter().filter(|c| c["method"] == format!("/pulumirpc.ResourceProvider/{rpc}")).collect::<Vec<_>>()
    };
    assert!(!called("Configure").is_empty(), "{calls:?}");
    assert_eq!(!called("Handshake").is_empty(), new_engine, "Handshake from {cli:?}");
    let check = called("Check")
        .into_iter()
        .find(|c| c["request"]["urn"].as_str().is_some_and(|u| u.ends_with("awsecr:index:Repository::web")))
        .expect("a Check of the repository");
    let proposed = &check["request"]["autonaming"]["proposedName"];
    let expected = if new_engine { serde_json::json!("awsecr-cli-web") } else { serde_json::Value::Null };
    assert_eq!(proposed, &expected, "autonaming from {cli:?}: {check}");

    // Up: named by the stack's configuration, or by the provider.
    stack.ok(&["up", "--skip-preview"]);
    let name = stack.outputs()["webName"].as_str().unwrap().to_string();
    if new_engine {
        assert_eq!(name, "awsecr-cli-web");
    } else {
        assert!(name.starts_with("web-") && name.len() > "web-".len(), "{name}");
    }
    let web = moto.describe(&name).await.expect("the repository exists");
    let arn = web.repository_arn().unwrap().to_string();
    assert_eq!(moto.tags(&arn).await.get("team").map(String::as_str), Some("platform"));

    // Update in place.
    stack.ok(&["config", "set", "team", "payments"]);
    let update = stack.ok(&["up", "--skip-preview"]);
    assert!(update.contains("1 updated"), "{update}");
    assert_eq!(moto.tags(&arn).await.get("team").map(String::as_str), Some("payments"));
    assert_eq!(stack.outputs()["webName"], name.as_str(), "an update keeps the name");

    // Drift: refresh sees it, the next up restores the declared state.
    let ecr = moto.ecr().await;
    ecr.put_image_tag_mutability()
        .repository_name(&name)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .unwrap();
    let refresh = stack.ok(&["refresh", "--skip-preview"]);
    assert!(refresh.contains("1 updated") || refresh.contains("~ 1"), "{refresh}");
    stack.ok(&["up", "--skip-preview"]);
    let web = moto.describe(&name).await.unwrap();
    assert_eq!(web.image_tag_mutability().unwrap().as_str(), "IMMUTABLE");
    stack.ok(&["preview", "--expect-no-changes"]);

    // Destroy: both repositories go, the adopted one included.
    stack.ok(&["destroy", "--skip-preview"]);
    assert!(!moto.exists(&name).await);
    assert!(!moto.exists("legacy/web").await);
    assert!(stack.state_ids().is_empty());
}

#[tokio::test]
async fn cli_lifecycle_on_the_pinned_cli() {
    cli_lifecycle_with(Cli::Pinned, true).await;
}

#[tokio::test]
async fn cli_lifecycle_on_the_newest_cli() {
    cli_lifecycle_with(Cli::Newest, true).await;
}

/// The oldest engine never calls Handshake and sends no autonaming options:
/// the provider takes what it needs from Configure and names from the
/// engine's random seed.
#[tokio::test]
async fn cli_lifecycle_on_the_oldest_cli() {
    cli_lifecycle_with(Cli::Oldest, false).await;
}
async fn yaml_two_providers_in_two_regions(cli: Cli) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("tests/e2e/yaml-two-regions"), &moto, cli);
    stack.ok(&["config", "set", "endpoint", &moto.endpoint()]);
    stack.ok(&["up"]);
    let out = stack.outputs();
    assert_eq!(out["eastUrl"], format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shared/images"));
    assert_eq!(out["westUrl"], format!("{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/shared/images"));
    // Both exist, each in its own region, each with its provider's tags.
    for (region, copy) in [("us-east-1", "east"), ("eu-west-1", "west")] {
        let creds = aws_credential_types::Credentials::new("testing", "testing", None, None, "tests");
        let conf = aws_sdk_ecr::Config::builder()
            .behavior_version(aws_sdk_ecr::config::BehaviorVersion::latest())
            .region(aws_sdk_ecr::config::Region::new(region))
            .credentials_provider(creds)
            .endpoint_url(moto.endpoint())
            .http_client(common::http_client())
            .build();
        let ecr = aws_sdk_ecr::Client::from_conf(conf);
        let r = ecr.describe_repositories().repository_names("shared/images").send().await.unwrap();
        let arn = r.repositories()[0].repository_arn().unwrap().to_string();
        assert!(arn.contains(region), "{arn}");
        let tags = ecr.list_tags_for_resource().resource_arn(&arn).send().await.unwrap();
        assert!(tags.tags().iter().any(|t| t.key() == "region-copy" && t.value() == copy));
    }
    stack.ok(&["destroy"]);
}

/// Reaching the same repositories another way (a new endpoint URL, other
/// credentials or retries) replaces nothing; only a new region moves it.
async fn a_new_endpoint_replaces_nothing(cli: Cli) {
    let moto = Moto::start();
    let other_way = common::proxy::FaultProxy::start(moto.port);
    let stack = Stack::with_cli(&root().join("tests/e2e/yaml-keep"), &moto, cli);
    stack.ok(&["up", "--skip-preview"]);
    let before = moto.describe("keep/me").await.unwrap().created_at().cloned();

    stack.ok(&["config", "set", "awsecr:endpoint", &other_way.endpoint()]);
    stack.ok(&["config", "set", "awsecr:maxRetries", "4"]);
    let preview = stack.ok(&["preview", "--diff"]);
    assert!(!preview.contains("replace"), "{preview}");
    let up = stack.ok(&["up", "--skip-preview"]);
    assert!(!up.contains("replaced") && !up.contains("deleted"), "{up}");
    assert_eq!(moto.describe("keep/me").await.unwrap().created_at().cloned(), before, "the same repository");
    stack.ok(&["refresh", "--skip-preview"]);
    assert!(other_way.counts().forwarded > 0, "the provider now goes through the new endpoint");
    stack.ok(&["preview", "--expect-no-changes"]);

    // A new region moves the repository, which its forceDelete: false
    // refuses at preview (tests/e2e_moves.rs has the moves themselves).
    stack.ok(&["config", "set", "awsecr:region", "eu-west-1"]);
    let preview = stack.fails(&["preview", "--diff"]);
    assert!(preview.contains("now points at eu-west-1"), "a new region moves it: {preview}");
    stack.ok(&["config", "set", "awsecr:region", REGION]);
    stack.ok(&["destroy", "--skip-preview"]);
}

/// Two stacks on one registry, one owning scanning and the other
/// replication: each up, refresh and destroy leaves the other's group intact.
/// The replication stack's `backfill: true` destination starts one backfill
/// on the first up and never again; refresh follows it with no change.
async fn two_stacks_own_different_groups_of_one_registry(cli: Cli) {
    let moto = Moto::start();
    let scanning = Stack::with_cli(&root().join("tests/e2e/yaml-registry-scanning"), &moto, cli);
    let replication = Stack::with_cli(&root().join("tests/e2e/yaml-registry-replication"), &moto, cli);
    let ecr = moto.ecr().await;
    let scan_rules = || async {
        let c = ecr.get_registry_scanning_configuration().send().await.unwrap();
        let c = c.scanning_configuration().unwrap().clone();
        (c.scan_type().unwrap().as_str().to_string(), c.rules().len())
    };
    let replication_rules = || async {
        let r = ecr.describe_registry().send().await.unwrap();
        r.replication_configuration().map(|c| c.rules().len()).unwrap_or(0)
    };

    scanning.ok(&["up", "--skip-preview"]);
    replication.ok(&["up", "--skip-preview"]);
    assert_eq!(scan_rules().await, ("ENHANCED".to_string(), 2));
    assert_eq!(replication_rules().await, 1);
    let dests = ecr.describe_registry().send().await.unwrap();
    let dests = dests.replication_configuration().unwrap().rules()[0].destinations().to_vec();
    assert!(dests.iter().any(|d| d.region() == "eu-west-1" && d.registry_id() == ACCOUNT), "{dests:?}");

    let backfills = || async {
        let r = ecr.list_replication_backfills().send().await.unwrap();
        r.backfills().iter().map(|b| b.destination().unwrap().region().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(backfills().await, vec!["eu-west-1"], "one backfill, to the opted-in destination");

    for stack in [&scanning, &replication] {
        stack.ok(&["refresh", "--skip-preview"]);
        stack.ok(&["preview", "--expect-no-changes"]);
    }
    assert_eq!(scan_rules().await, ("ENHANCED".to_string(), 2));
    assert_eq!(replication_rules().await, 1);
    replication.ok(&["up", "--skip-preview"]);
    assert_eq!(backfills().await, vec!["eu-west-1"], "no second backfill on another up");
    let out = replication.outputs()["backfills"].clone();
    assert_eq!(out[0]["region"], "eu-west-1", "{out}");
    assert!(out[0]["status"].as_str().is_some_and(|s| s != "PREPARING"), "refresh followed it: {out}");

    scanning.ok(&["destroy", "--skip-preview"]);
    assert_eq!(scan_rules().await, ("BASIC".to_string(), 0), "scanning back to AWS's default");
    assert_eq!(replication_rules().await, 1, "the other stack's replication is intact");
    replication.ok(&["refresh", "--skip-preview"]);
    replication.ok(&["preview", "--expect-no-changes"]);
    replication.ok(&["destroy", "--skip-preview"]);
    assert_eq!(replication_rules().await, 0);
}

/// A Docker Hub pull-through cache rule with its creation template, against
/// the emulator's stand-in for these APIs: created, refreshed without
/// changes, destroyed.
async fn a_docker_hub_cache_with_its_template(cli: Cli) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("tests/e2e/yaml-pull-through"), &moto, cli);
    stack.ok(&["up", "--skip-preview"]);
    let out = stack.outputs();
    assert_eq!(out["upstreamUrl"], "registry-1.docker.io");
    assert_eq!(out["tagMutability"], "IMMUTABLE");
    let ecr = moto.ecr().await;
    let rules = ecr.describe_pull_through_cache_rules().send().await.unwrap();
    let rules = rules.pull_through_cache_rules();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].ecr_repository_prefix(), Some("docker-hub"));
    assert_eq!(rules[0].upstream_registry_url(), Some("registry-1.docker.io"));
    let templates = ecr.describe_repository_creation_templates().send().await.unwrap();
    let templates = templates.repository_creation_templates();
    assert_eq!(templates.len(), 1);
    let t = &templates[0];
    assert_eq!(t.prefix(), Some("docker-hub"));
    assert_eq!(t.image_tag_mutability().map(|m| m.as_str()), Some("IMMUTABLE"));
    assert_eq!(t.applied_for().iter().map(|a| a.as_str()).collect::<Vec<_>>(), vec!["PULL_THROUGH_CACHE"]);
    let lifecycle: serde_json::Value = serde_json::from_str(t.lifecycle_policy().unwrap()).unwrap();
    assert_eq!(lifecycle["rules"].as_array().map(Vec::len), Some(2), "{lifecycle}");
    assert!(t.repository_policy().unwrap().contains("arn:aws:iam::210987654321:root"));

    stack.ok(&["refresh", "--skip-preview"]);
    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);
    assert!(ecr.describe_pull_through_cache_rules().send().await.unwrap().pull_through_cache_rules().is_empty());
    let templates = ecr.describe_repository_creation_templates().send().await.unwrap();
    assert!(templates.repository_creation_templates().is_empty());
}

/// Every registry-wide setting of one account and region in one program
/// (`tests/e2e/yaml-registry-every-group`): the Registry with scanning,
/// replication with a backfill, replicationSourceAccounts, a typed policy
/// statement and signing, an AccountSetting and a PullTimeUpdateExclusion.
/// Up makes each, refresh and a preview find nothing to change, an update
/// changes only the signing filter, and destroy puts each back as it found it.
#[tokio::test]
async fn every_registry_setting_at_once() {
    let moto = Moto::start();
    let profile = moto.create_signing_profile("release");
    moto.create_role("scanner");
    let ecr = moto.ecr().await;
    let scan_version = || async {
        let s = ecr.get_account_setting().name("BASIC_SCAN_TYPE_VERSION").send().await.unwrap();
        s.value().unwrap_or_default().to_string()
    };
    let found_version = scan_version().await;
    let stack = Stack::new(&root().join("tests/e2e/yaml-registry-every-group"), &moto);
    stack.ok(&["config", "set", "signingProfileArn", &profile]);

    let state = || async {
        let scanning = ecr.get_registry_scanning_configuration().send().await.unwrap();
        let scanning = scanning.scanning_configuration().map(|c| c.rules().len()).unwrap_or(0);
        let registry = ecr.describe_registry().send().await.unwrap();
        let replication = registry.replication_configuration().map(|c| c.rules().len()).unwrap_or(0);
        let policy = match ecr.get_registry_policy().send().await {
            Ok(p) => p.policy_text().unwrap_or_default().to_string(),
            Err(_) => String::new(),
        };
        let signing = match ecr.get_signing_configuration().send().await {
            Ok(c) => c
                .signing_configuration()
                .map(|c| {
                    c.rules()
                        .iter()
                        .flat_map(|r| r.repository_filters().iter().map(|f| f.filter().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => Vec::<String>::new(),
        };
        let exclusions = ecr.list_pull_time_update_exclusions().send().await.unwrap();
        let exclusions = exclusions.pull_time_update_exclusions().to_vec();
        (scanning, replication, policy, signing, exclusions)
    };

    stack.ok(&["up", "--skip-preview"]);
    let (scanning, replication, policy, signing, exclusions) = state().await;
    assert_eq!((scanning, replication), (1, 1), "scanning and replication rules");
    assert!(policy.contains("AwsecrReplicationSourceAccounts") || policy.contains("210987654321"), "{policy}");
    assert!(policy.contains("AwsecrOrgPullThrough") && policy.contains("o-a1b2c3d4e5"), "{policy}");
    assert_eq!(signing, vec!["prod/*".to_string()]);
    assert_eq!(exclusions, vec![format!("arn:aws:iam::{ACCOUNT}:role/scanner")]);
    assert_eq!(scan_version().await, "AWS_NATIVE");
    let backfills = ecr.list_replication_backfills().send().await.unwrap();
    assert_eq!(backfills.backfills().len(), 1, "one backfill, to the opted-in destination");

    stack.ok(&["refresh", "--skip-preview"]);
    stack.ok(&["preview", "--expect-no-changes"]);

    // Only the signing filter changes: one group written, the others as they were.
    stack.ok(&["config", "set", "keptFilter", "release/*"]);
    moto.start_recording();
    stack.ok(&["up", "--skip-preview"]);
    let writes: Vec<String> = moto
        .stop_recording()
        .iter()
        .filter(|c| !c.starts_with("Get") && !c.starts_with("Describe") && !c.starts_with("List"))
        .cloned()
        .collect();
    assert_eq!(writes, vec!["PutSigningConfiguration"], "only the changed group is written");
    assert_eq!(state().await.3, vec!["release/*".to_string()]);
    stack.ok(&["preview", "--expect-no-changes"]);

    stack.ok(&["destroy", "--skip-preview"]);
    let (scanning, replication, policy, signing, exclusions) = state().await;
    assert_eq!((scanning, replication), (0, 0), "scanning and replication back to AWS's defaults");
    assert_eq!(policy, "", "the registry policy held only our statements: deleted");
    assert!(signing.is_empty() && exclusions.is_empty(), "{signing:?} {exclusions:?}");
    assert_eq!(scan_version().await, found_version, "the account setting found before is put back");
}

/// What a lifecycle change would expire, through the real CLI
/// (tests/e2e/yaml-lifecycle-preview, issue 27): a repository seeded with
/// images of known ages (the emulator's back door), a preview with the
/// lifecycle unchanged (no warning), new fields (the count and tags ECR's
/// preview gives, the protected tag first), and a document whose rule would
/// expire every image (named first); the `up` that follows shows it in its
/// own preview, applies the fields and expires nothing itself.
#[tokio::test]
async fn lifecycle_change_preview() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e/yaml-lifecycle-preview"), &moto);
    stack.ok(&["config", "set", "--path", "awsecr:protectedTags[0]", "v1"]);
    stack.ok(&["up", "--skip-preview"]);
    let ecr = moto.ecr().await;
    let arn = moto.describe("preview/app").await.unwrap().repository_arn().unwrap().to_string();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    for (n, tag, days) in [(1, Some("v1"), 40), (2, Some("v2"), 20), (3, Some("v3"), 2), (4, None, 15)] {
        let digest = moto.push_manifest("preview/app", n, tag).await;
        moto.set_image(&arn, &digest, serde_json::json!({"pushedAt": now - days * 86_400 - 60}));
    }

    let quiet = stack.ok(&["preview", "--expect-no-changes"]);
    assert!(!quiet.contains("lifecycle change"), "no change, no lifecycle preview: {quiet}");

    stack.ok(&["config", "set", "untaggedDays", "7"]);
    stack.ok(&["config", "set", "maxImages", "2"]);
    let preview = stack.ok(&["preview"]);
    let warning = "lifecycle change of repository \"preview/app\" (ECR's lifecycle preview): images with a protected tag (awsecr:protectedTags) would go: v1 (expire, rule 2); 3 images would expire, 0 would be archived (tags: v1, v2, 1 image untagged)";
    assert!(preview.contains(warning), "{preview}");
    // The preview of `pulumi up` says the same before the update.
    let up = stack.ok(&["up"]);
    assert!(up.contains(warning) && up.contains("1 updated"), "{up}");
    let listed: Vec<_> =
        ecr.list_images().repository_name("preview/app").into_paginator().items().send().collect().await;
    assert_eq!(listed.len(), 4, "the preview and the up expire nothing themselves");
    let quiet = stack.ok(&["preview", "--expect-no-changes"]);
    assert!(!quiet.contains("lifecycle change"), "{quiet}");

    // A document with a rule that would take every image: named first.
    let program = stack.project.join("Pulumi.yaml");
    let yaml = std::fs::read_to_string(&program).unwrap();
    let fields = yaml.split("      lifecyclePolicy:").next().unwrap().to_string();
    let document = r#"{"rules":[{"rulePriority":1,"description":"everything older than a day","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;
    std::fs::write(&program, format!("{fields}      lifecyclePolicyDocument: '{document}'\n")).unwrap();
    let preview = stack.ok(&["preview"]);
    let first = "lifecycle change of repository \"preview/app\" (ECR's lifecycle preview): rule 1 would expire or archive every image that can be pulled now (4); images with a protected tag (awsecr:protectedTags) would go: v1 (expire, rule 1); 4 images would expire, 0 would be archived (tags: v1, v2, v3, 1 image untagged)";
    assert!(preview.contains(first), "{preview}");
    stack.ok(&["destroy", "--skip-preview"]);
}
