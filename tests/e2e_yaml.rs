//! End to end in YAML: the real Pulumi CLI and YAML language host drive the
//! provider plugin against a local ECR emulator, with a local state backend.
//! What ECR holds is checked with an independent AWS SDK client.

mod common;

use common::pulumi::{Lang, Stack};
use common::scenarios::{example_lifecycle, import_then_no_changes};
use common::*;

#[tokio::test]
async fn yaml_program_lifecycle() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("examples/yaml"), &moto);
    stack.prepare(Lang::Yaml);
    example_lifecycle(&stack, &moto).await;
}

#[tokio::test]
async fn yaml_import_then_no_changes() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e/yaml-import"), &moto);
    import_then_no_changes(&stack, &moto, true).await;
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
