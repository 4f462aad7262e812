//! End to end in YAML: the real Pulumi CLI and YAML language host drive the
//! provider plugin against a local ECR emulator, with a local state backend.
//! What ECR holds is checked with an independent AWS SDK client.

mod common;

use common::pulumi::{Cli, Lang, Stack};
use common::scenarios::{example_lifecycle, import_then_no_changes};
use common::*;

/// The YAML example's whole life (preview, up, update, replacement, drift and
/// refresh, destroy) driven by `cli`.
async fn yaml_program_lifecycle_with(cli: Cli) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("examples/yaml"), &moto, cli);
    stack.prepare(Lang::Yaml);
    example_lifecycle(&stack, &moto).await;
}

/// `pulumi import` of a repository made elsewhere, then no changes, driven by `cli`.
async fn yaml_import_then_no_changes_with(cli: Cli) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("tests/e2e/yaml-import"), &moto, cli);
    import_then_no_changes(&stack, &moto, true).await;
}

/// What the engine of `cli` asks of the provider, read from the CLI's own gRPC
/// log (PULUMI_DEBUG_GRPC): whether it calls Handshake, and whether Check
/// carries the stack's autonaming configuration (`pulumi:autonaming`). Then
/// the autonamed repository is created and destroyed: named by that
/// configuration when the engine sends it, else by the provider from the
/// engine's random seed.
async fn engine_rpcs_with(cli: Cli, handshake_and_autonaming: bool) {
    let moto = Moto::start();
    let stack = Stack::with_cli(&root().join("tests/e2e/yaml-autoname"), &moto, cli);
    stack.ok(&["config", "set", "--path", "pulumi:autonaming.pattern", "${project}-${name}"]);
    let log = stack.scratch().join("grpc.json");
    let preview = stack.run_with_env(&["preview"], &[("PULUMI_DEBUG_GRPC", log.as_path())]);
    assert!(preview.ok, "{}", preview.text);
    let calls: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let called = |rpc: &str| {
        calls.iter().filter(|c| c["method"] == format!("/pulumirpc.ResourceProvider/{rpc}")).collect::<Vec<_>>()
    };
    assert!(!called("Configure").is_empty(), "{calls:?}");
    assert_eq!(!called("Handshake").is_empty(), handshake_and_autonaming, "Handshake from {cli:?}");
    let checks = called("Check");
    let check = checks
        .iter()
        .find(|c| c["request"]["urn"].as_str().is_some_and(|u| u.ends_with("awsecr:index:Repository::web")))
        .expect("a Check of the repository");
    let proposed = &check["request"]["autonaming"]["proposedName"];
    let expected = if handshake_and_autonaming { serde_json::json!("awsecr-autoname-web") } else { serde_json::Value::Null };
    assert_eq!(proposed, &expected, "autonaming from {cli:?}: {check}");

    stack.ok(&["up", "--skip-preview"]);
    let name = stack.outputs()["webName"].as_str().unwrap().to_string();
    if handshake_and_autonaming {
        assert_eq!(name, "awsecr-autoname-web");
    } else {
        assert!(name.starts_with("web-") && name.len() > "web-".len(), "{name}");
    }
    assert!(moto.exists(&name).await);
    stack.ok(&["destroy", "--skip-preview"]);
    assert!(!moto.exists(&name).await);
}

#[tokio::test]
async fn yaml_program_lifecycle() {
    yaml_program_lifecycle_with(Cli::Pinned).await;
}

#[tokio::test]
async fn yaml_import_then_no_changes() {
    yaml_import_then_no_changes_with(Cli::Pinned).await;
}

#[tokio::test]
async fn engine_rpcs() {
    engine_rpcs_with(Cli::Pinned, true).await;
}

// The same on the newest and the oldest CLI of the README's supported range
// (tools/pulumi/compat; README, "Supported Pulumi CLIs"). The oldest engine
// never calls Handshake and sends no autonaming options: the provider takes
// its capabilities from Configure and names from the engine's random seed.

#[tokio::test]
async fn engine_rpcs_on_the_newest_cli() {
    engine_rpcs_with(Cli::Newest, true).await;
}

#[tokio::test]
async fn engine_rpcs_on_the_oldest_cli() {
    engine_rpcs_with(Cli::Oldest, false).await;
}

#[tokio::test]
async fn yaml_program_lifecycle_on_the_newest_cli() {
    yaml_program_lifecycle_with(Cli::Newest).await;
}

#[tokio::test]
async fn yaml_import_then_no_changes_on_the_newest_cli() {
    yaml_import_then_no_changes_with(Cli::Newest).await;
}

#[tokio::test]
async fn yaml_program_lifecycle_on_the_oldest_cli() {
    yaml_program_lifecycle_with(Cli::Oldest).await;
}

#[tokio::test]
async fn yaml_import_then_no_changes_on_the_oldest_cli() {
    yaml_import_then_no_changes_with(Cli::Oldest).await;
}

#[tokio::test]
async fn yaml_two_providers_in_two_regions() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e/yaml-two-regions"), &moto);
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
/// credentials or retries) replaces nothing; only a new region does.
#[tokio::test]
async fn a_new_endpoint_replaces_nothing() {
    let moto = Moto::start();
    let other_way = common::proxy::FaultProxy::start(moto.port);
    let stack = Stack::new(&root().join("tests/e2e/yaml-keep"), &moto);
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

    stack.ok(&["config", "set", "awsecr:region", "eu-west-1"]);
    let preview = stack.ok(&["preview", "--diff"]);
    assert!(preview.contains("replace"), "a new region replaces: {preview}");
    stack.ok(&["config", "set", "awsecr:region", REGION]);
    stack.ok(&["destroy", "--skip-preview"]);
}

/// Two stacks on one registry, one owning scanning and the other
/// replication: each up, refresh and destroy leaves the other's group intact.
#[tokio::test]
async fn two_stacks_own_different_groups_of_one_registry() {
    let moto = Moto::start();
    let scanning = Stack::new(&root().join("tests/e2e/yaml-registry-scanning"), &moto);
    let replication = Stack::new(&root().join("tests/e2e/yaml-registry-replication"), &moto);
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

    for stack in [&scanning, &replication] {
        stack.ok(&["refresh", "--skip-preview"]);
        stack.ok(&["preview", "--expect-no-changes"]);
    }
    assert_eq!(scan_rules().await, ("ENHANCED".to_string(), 2));
    assert_eq!(replication_rules().await, 1);

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
#[tokio::test]
async fn a_docker_hub_cache_with_its_template() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e/yaml-pull-through"), &moto);
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
