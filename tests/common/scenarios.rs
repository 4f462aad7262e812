//! End-to-end scenarios shared by every language: the same steps, the same
//! checks on the emulator, whichever language the program is written in.

use aws_sdk_ecr::types::{ImageTagMutability, Tag};

use super::pulumi::Stack;
use super::{ACCOUNT, Moto, REGION};

async fn mutability(moto: &Moto, name: &str) -> String {
    let r = moto.ecr().await.describe_repositories().repository_names(name).send().await.unwrap();
    r.repositories()[0].image_tag_mutability().unwrap().as_str().to_string()
}

fn app_name(stack: &Stack) -> String {
    let url = stack.outputs()["appRepositoryUrl"].as_str().unwrap().to_string();
    url.rsplit_once('/').unwrap().1.to_string()
}

/// The example program's whole life: preview, up, no-change up, an update
/// in place, a replacement, drift and refresh, and destroy with and without
/// forceDelete.
pub async fn example_lifecycle(stack: &Stack, moto: &Moto) {
    // The examples grant pull access to this role; the emulator, like ECR,
    // refuses a policy naming a role that does not exist.
    moto.create_role("api-task-execution");
    let key = moto.create_kms_key();
    stack.ok(&["config", "set", "kmsKeyArn", &key]);

    // Preview: succeeds, outputs unknown, no AWS call.
    moto.start_recording();
    let preview = stack.ok(&["preview"]);
    assert_eq!(moto.stop_recording(), Vec::<String>::new(), "preview calls AWS");
    assert!(preview.contains("+ 6 to create"), "{preview}");
    assert!(
        preview.contains("apiRepositoryUrl: [unknown]") || preview.contains("apiRepositoryUrl: output<string>"),
        "unknown outputs are shown: {preview}"
    );

    // Up: exactly what was declared.
    stack.ok(&["up"]);
    let ecr = moto.ecr().await;
    let api = ecr.describe_repositories().repository_names("platform/api").send().await.unwrap();
    let api = &api.repositories()[0];
    assert_eq!(api.image_tag_mutability().unwrap().as_str(), "IMMUTABLE_WITH_EXCLUSION");
    assert_eq!(api.encryption_configuration().unwrap().kms_key(), Some(key.as_str()));
    assert!(api.image_scanning_configuration().unwrap().scan_on_push());
    let policy = moto.lifecycle_document("platform/api").await;
    // The untagged rule, the tagged rules in the order given, the count rule last.
    let rules = policy["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 4, "{policy}");
    assert_eq!(rules[0]["selection"]["tagStatus"], "untagged");
    assert_eq!(rules[0]["selection"]["countNumber"], 14);
    assert_eq!(rules[1]["selection"]["tagPatternList"], serde_json::json!(["pr-*"]));
    assert_eq!(rules[1]["selection"]["countType"], "sinceImagePushed");
    assert_eq!(rules[1]["selection"]["countNumber"], 7);
    assert_eq!(rules[2]["selection"]["tagPrefixList"], serde_json::json!(["v"]));
    assert_eq!(rules[2]["selection"]["countType"], "imageCountMoreThan");
    assert_eq!(rules[2]["selection"]["countNumber"], 30);
    assert_eq!(rules[3]["selection"]["tagStatus"], "any");
    assert_eq!(rules[3]["selection"]["countNumber"], 100);
    let app = app_name(stack);
    assert!(app.starts_with("app-"), "{app}");
    assert_eq!(mutability(moto, &app).await, "IMMUTABLE");
    assert_eq!(stack.outputs()["apiRepositoryUrl"], format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/platform/api"));
    // The registry scans every repository on push.
    assert_eq!(stack.outputs()["registryId"], ACCOUNT);
    let scanning = ecr.get_registry_scanning_configuration().send().await.unwrap();
    let rules = scanning.scanning_configuration().unwrap().rules();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].scan_frequency().as_str(), "SCAN_ON_PUSH");
    assert_eq!(rules[0].repository_filters()[0].filter(), "*");
    // The ECR Public cache, and its template giving the cached repositories
    // the same defaults.
    assert_eq!(stack.outputs()["cachePrefix"], "ecr-public");
    let rules = ecr.describe_pull_through_cache_rules().send().await.unwrap();
    assert_eq!(rules.pull_through_cache_rules()[0].upstream_registry_url(), Some("public.ecr.aws"));
    let templates = ecr.describe_repository_creation_templates().prefixes("ecr-public").send().await.unwrap();
    let template = &templates.repository_creation_templates()[0];
    assert_eq!(template.image_tag_mutability().unwrap().as_str(), "IMMUTABLE");
    assert!(template.lifecycle_policy().is_some_and(|p| p.contains("\"countNumber\":20")), "{template:?}");
    // Access: the task execution role may pull (the repository policy), and
    // the IAM document it attaches names this repository only.
    let policy = ecr.get_repository_policy().repository_name("platform/api").send().await.unwrap();
    assert!(policy.policy_text().unwrap().contains("role/api-task-execution"));
    let outputs = stack.outputs();
    let pull: serde_json::Value = serde_json::from_str(outputs["apiPullPolicy"].as_str().unwrap()).unwrap();
    let arn = api.repository_arn().unwrap();
    assert_eq!(pull["Statement"][0]["Resource"], arn, "{pull}");
    assert!(pull.to_string().contains("ecr:BatchGetImage") && !pull.to_string().contains("ecr:PutImage"), "{pull}");

    // A second up changes nothing.
    moto.start_recording();
    let again = stack.ok(&["up", "--expect-no-changes"]);
    assert!(again.contains("6 unchanged"), "{again}");
    let calls = moto.stop_recording();
    assert!(calls.is_empty(), "a no-change up calls AWS: {calls:?}");

    // A tag and the lifecycle policy: updated in place.
    stack.ok(&["config", "set", "team", "payments"]);
    stack.ok(&["config", "set", "maxImageCount", "50"]);
    let update = stack.ok(&["up"]);
    assert!(update.contains("1 updated"), "{update}");
    let arn = api.repository_arn().unwrap();
    let tags = ecr.list_tags_for_resource().resource_arn(arn).send().await.unwrap();
    assert!(tags.tags().iter().any(|t| t.key() == "team" && t.value() == "payments"));
    let policy = moto.lifecycle_document("platform/api").await;
    assert_eq!(policy["rules"][3]["selection"]["countNumber"], 50, "{policy}");

    // Encryption: replaced. A generated name is generated afresh, so the new
    // repository was created before the old one went.
    stack.ok(&["config", "set", "appEncryption", "KMS"]);
    let replace = stack.ok(&["up"]);
    assert!(replace.contains("1 replaced"), "{replace}");
    let old_app = app;
    let app = app_name(stack);
    assert_ne!(app, old_app);
    assert!(!moto.exists(&old_app).await, "the old repository is gone");
    let r = ecr.describe_repositories().repository_names(&app).send().await.unwrap();
    assert_eq!(r.repositories()[0].encryption_configuration().unwrap().encryption_type().as_str(), "KMS");

    // Out-of-band change, refresh shows it, the next up restores it.
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
    assert_eq!(mutability(moto, &app).await, "IMMUTABLE");

    // Destroy with an image and forceDelete=false: fails, nothing is lost.
    moto.push_image(&app, "v1").await;
    let failed = stack.fails(&["destroy"]);
    assert!(failed.contains("still holds images") && failed.contains("forceDelete"), "{failed}");
    assert!(moto.exists(&app).await);
    let images = ecr.list_images().repository_name(&app).send().await.unwrap();
    assert_eq!(images.image_ids().len(), 1);

    // With forceDelete=true: everything goes.
    stack.ok(&["config", "set", "forceDelete", "true"]);
    stack.ok(&["up"]);
    stack.ok(&["destroy"]);
    assert!(!moto.exists(&app).await);
    assert!(!moto.exists("platform/api").await);
    // The registry's scanning is back to AWS's default.
    let scanning = ecr.get_registry_scanning_configuration().send().await.unwrap();
    let scanning = scanning.scanning_configuration().unwrap();
    assert_eq!(scanning.scan_type().unwrap().as_str(), "BASIC");
    assert!(scanning.rules().is_empty());
    assert!(ecr.describe_pull_through_cache_rules().send().await.unwrap().pull_through_cache_rules().is_empty());
    let templates = ecr.describe_repository_creation_templates().send().await.unwrap();
    assert!(templates.repository_creation_templates().is_empty());
}

/// Creates `legacy/web` out of band, the way the import programs declare it.
pub async fn create_legacy(moto: &Moto) {
    let ecr = moto.ecr().await;
    ecr.create_repository()
        .repository_name("legacy/web")
        .image_tag_mutability(ImageTagMutability::Mutable)
        .tags(Tag::builder().key("owner").value("web").build().unwrap())
        .send()
        .await
        .unwrap();
    let policy = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}"#;
    ecr.put_lifecycle_policy().repository_name("legacy/web").lifecycle_policy_text(policy).send().await.unwrap();
}

/// `pulumi import` of the out-of-band repository; afterwards nothing to do.
pub async fn import_then_no_changes(stack: &Stack, moto: &Moto, generate_code: bool) {
    create_legacy(moto).await;
    let mut args = vec!["import", "awsecr:index:Repository", "legacy", "legacy/web"];
    if !generate_code {
        args.push("--generate-code=false");
    }
    let import = stack.ok(&args);
    assert!(import.contains("1 imported"), "{import}");
    let preview = stack.ok(&["preview", "--expect-no-changes"]);
    assert!(preview.contains("2 unchanged"), "{preview}");
}
