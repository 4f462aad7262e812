//! End to end in YAML: the real Pulumi CLI and YAML language host drive the
//! provider plugin against a local ECR emulator, with a local state backend.
//! What ECR holds is checked with an independent AWS SDK client.

mod common;

use common::pulumi::Stack;
use common::*;

fn example() -> std::path::PathBuf {
    root().join("examples/yaml")
}

async fn mutability(moto: &Moto, name: &str) -> String {
    let r = moto.ecr().await.describe_repositories().repository_names(name).send().await.unwrap();
    r.repositories()[0].image_tag_mutability().unwrap().as_str().to_string()
}

async fn exists(moto: &Moto, name: &str) -> bool {
    moto.ecr().await.describe_repositories().repository_names(name).send().await.is_ok()
}

fn app_name(stack: &Stack) -> String {
    let url = stack.outputs()["appRepositoryUrl"].as_str().unwrap().to_string();
    url.rsplit_once('/').unwrap().1.to_string()
}

#[tokio::test]
async fn yaml_program_lifecycle() {
    let moto = Moto::start();
    let stack = Stack::new(&example(), &moto);
    let key = moto.create_kms_key();
    stack.ok(&["config", "set", "kmsKeyArn", &key]);

    // Preview: succeeds, outputs unknown, no AWS call.
    moto.start_recording();
    let preview = stack.ok(&["preview"]);
    assert_eq!(moto.stop_recording(), Vec::<String>::new(), "preview calls AWS");
    assert!(preview.contains("+ 3 to create"), "{preview}");
    assert!(preview.contains("apiRepositoryUrl: [unknown]"), "unknown outputs are shown: {preview}");

    // Up: exactly what was declared.
    stack.ok(&["up"]);
    let ecr = moto.ecr().await;
    let api = ecr.describe_repositories().repository_names("platform/api").send().await.unwrap();
    let api = &api.repositories()[0];
    assert_eq!(api.image_tag_mutability().unwrap().as_str(), "IMMUTABLE_WITH_EXCLUSION");
    assert_eq!(api.encryption_configuration().unwrap().kms_key(), Some(key.as_str()));
    assert!(api.image_scanning_configuration().unwrap().scan_on_push());
    let policy = ecr.get_lifecycle_policy().repository_name("platform/api").send().await.unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.lifecycle_policy_text().unwrap()).unwrap();
    assert_eq!(policy["rules"][0]["selection"]["countNumber"], 14);
    assert_eq!(policy["rules"][1]["selection"]["countNumber"], 100);
    let app = app_name(&stack);
    assert!(app.starts_with("app-"), "{app}");
    assert_eq!(mutability(&moto, &app).await, "IMMUTABLE");
    assert_eq!(stack.outputs()["apiRepositoryUrl"], format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/platform/api"));

    // A second up changes nothing.
    moto.start_recording();
    let again = stack.ok(&["up", "--expect-no-changes"]);
    assert!(again.contains("3 unchanged"), "{again}");
    let calls = moto.stop_recording();
    assert!(
        calls.iter().all(|c| c.starts_with("Describe") || c.starts_with("Get") || c.starts_with("List")),
        "{calls:?}"
    );

    // A tag and the lifecycle policy: updated in place.
    stack.ok(&["config", "set", "team", "payments"]);
    stack.ok(&["config", "set", "maxImageCount", "50"]);
    let update = stack.ok(&["up"]);
    assert!(update.contains("1 updated"), "{update}");
    let arn = api.repository_arn().unwrap();
    let tags = ecr.list_tags_for_resource().resource_arn(arn).send().await.unwrap();
    assert!(tags.tags().iter().any(|t| t.key() == "team" && t.value() == "payments"));
    let policy = ecr.get_lifecycle_policy().repository_name("platform/api").send().await.unwrap();
    assert!(policy.lifecycle_policy_text().unwrap().contains("\"countNumber\":50"));

    // Encryption: replaced.
    stack.ok(&["config", "set", "appEncryption", "KMS"]);
    let replace = stack.ok(&["up"]);
    assert!(replace.contains("1 replaced"), "{replace}");
    // A generated name is generated afresh, so the new one was created first.
    let old_app = app;
    let app = app_name(&stack);
    assert_ne!(app, old_app);
    assert!(!exists(&moto, &old_app).await, "the old repository is gone");
    let r = ecr.describe_repositories().repository_names(&app).send().await.unwrap();
    assert_eq!(r.repositories()[0].encryption_configuration().unwrap().encryption_type().as_str(), "KMS");

    // Out-of-band change, refresh shows it, the next up restores it.
    use aws_sdk_ecr::types::ImageTagMutability;
    ecr.put_image_tag_mutability()
        .repository_name(&app)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .unwrap();
    let refresh = stack.ok(&["refresh"]);
    assert!(refresh.contains("1 updated") || refresh.contains("~ 1"), "{refresh}");
    let preview = stack.ok(&["preview", "--diff"]);
    assert!(preview.contains("immutableTags"), "drift shows: {preview}");
    stack.ok(&["up"]);
    assert_eq!(mutability(&moto, &app).await, "IMMUTABLE");

    // Destroy with an image and forceDelete=false: fails, nothing is lost.
    push_image(&moto, &app).await;
    let failed = stack.fails(&["destroy"]);
    assert!(failed.contains("still holds images") && failed.contains("forceDelete"), "{failed}");
    assert!(exists(&moto, &app).await);
    let images = ecr.list_images().repository_name(&app).send().await.unwrap();
    assert_eq!(images.image_ids().len(), 1);

    // With forceDelete=true: everything goes.
    stack.ok(&["config", "set", "forceDelete", "true"]);
    stack.ok(&["up"]);
    stack.ok(&["destroy"]);
    assert!(!exists(&moto, &app).await);
    assert!(!exists(&moto, "platform/api").await);
}

async fn push_image(moto: &Moto, repo: &str) {
    let manifest = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#;
    moto.ecr().await.put_image().repository_name(repo).image_manifest(manifest).image_tag("v1").send().await.unwrap();
}

#[tokio::test]
async fn yaml_import_then_no_changes() {
    let moto = Moto::start();
    let ecr = moto.ecr().await;
    use aws_sdk_ecr::types::*;
    ecr.create_repository()
        .repository_name("legacy/web")
        .image_tag_mutability(ImageTagMutability::Mutable)
        .tags(Tag::builder().key("owner").value("web").build().unwrap())
        .send()
        .await
        .unwrap();
    let policy = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}"#;
    ecr.put_lifecycle_policy().repository_name("legacy/web").lifecycle_policy_text(policy).send().await.unwrap();

    let stack = Stack::new(&root().join("tests/e2e/yaml-import"), &moto);
    let import = stack.ok(&["import", "awsecr:index:Repository", "legacy", "legacy/web"]);
    assert!(import.contains("1 imported"), "{import}");
    let preview = stack.ok(&["preview", "--expect-no-changes"]);
    assert!(preview.contains("2 unchanged"), "{preview}");
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
