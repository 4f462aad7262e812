//! A change of the provider's configuration, end to end through the Pulumi
//! CLI (issue 32, points 1 and 2). How the region or the account is given
//! never replaces anything: the region moved from the environment into the
//! stack's configuration, or a role of the same account added, changes
//! nothing in ECR. A real move of the region goes through each resource's
//! own Diff with its deletion safety: refused at preview for a repository
//! with `forceDelete: false`, and otherwise each resource is made in the new
//! region and removed from the old one, where the calls about it still go.

mod common;

use std::path::Path;

use aws_sdk_ecr::error::ProvideErrorMetadata;
use common::pulumi::Stack;
use common::*;

const WEST: &str = "eu-west-1";
const NAME: &str = "move/app";

fn stack(moto: &Moto) -> Stack {
    Stack::new(&root().join("tests/e2e/yaml-move"), moto)
}

/// The repository `NAME` in `region`, and how many images it holds.
async fn repository_in(moto: &Moto, region: &str) -> Option<(String, usize)> {
    let ecr = moto.ecr_in(region);
    let repo = match ecr.describe_repositories().repository_names(NAME).send().await {
        Ok(r) => r.repositories().first().cloned()?,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_repository_not_found_exception()) => return None,
        Err(e) => panic!("DescribeRepositories in {region}: {e:?}"),
    };
    let images = ecr.describe_images().repository_name(NAME).send().await.expect("DescribeImages");
    Some((repo.repository_arn().unwrap_or_default().to_string(), images.image_details().len()))
}

/// The registry's scan type in `region`.
async fn scan_type_in(moto: &Moto, region: &str) -> String {
    let r = moto.ecr_in(region).get_registry_scanning_configuration().send().await.expect("scanning");
    r.scanning_configuration().and_then(|c| c.scan_type()).map(|t| t.as_str().to_string()).unwrap_or_default()
}

/// Whether the creation template `move` is in `region`.
async fn template_in(moto: &Moto, region: &str) -> bool {
    match moto.ecr_in(region).describe_repository_creation_templates().prefixes("move").send().await {
        Ok(r) => r.repository_creation_templates().iter().any(|t| t.prefix() == Some("move")),
        Err(e) if e.code() == Some("TemplateNotFoundException") => false,
        Err(e) => panic!("DescribeRepositoryCreationTemplates in {region}: {e:?}"),
    }
}

/// The ECR operations recorded that change something.
fn writes(recording: &Recording) -> Vec<String> {
    let reads = ["Describe", "Get", "List", "BatchGet", "BatchCheck"];
    recording.iter().filter(|op| !reads.iter().any(|r| op.starts_with(r))).cloned().collect()
}

/// Where everything is before a move: all in us-east-1, nothing in the west.
async fn all_in_the_east(moto: &Moto, images: usize) {
    let (arn, held) = repository_in(moto, REGION).await.expect("the repository is still in us-east-1");
    assert!(arn.contains(REGION), "{arn}");
    assert_eq!(held, images, "its images are all there");
    assert_eq!(scan_type_in(moto, REGION).await, "ENHANCED");
    assert!(template_in(moto, REGION).await);
    assert_eq!(repository_in(moto, WEST).await, None);
    assert_eq!(scan_type_in(moto, WEST).await, "BASIC");
    assert!(!template_in(moto, WEST).await);
}

#[tokio::test]
async fn the_region_moved_from_the_environment_into_config_changes_nothing() {
    let moto = Moto::start();
    let stack = stack(&moto);
    // The region comes from the CI environment.
    stack.ok(&["config", "rm", "awsecr:region"]);
    let env_region = [("AWS_REGION", Path::new(REGION))];
    let up = stack.run_with_env(&["up", "--skip-preview"], &env_region);
    assert!(up.ok, "{}", up.text);
    moto.push_image(NAME, "v1").await;
    let created = moto.describe(NAME).await.unwrap().created_at().cloned();

    // ... and is moved into the stack's configuration, the variable gone.
    stack.ok(&["config", "set", "awsecr:region", REGION]);
    moto.start_recording();
    let preview = stack.ok(&["preview", "--diff"]);
    assert!(!preview.contains("replace") && !preview.contains("delete"), "{preview}");
    let up = stack.ok(&["up", "--skip-preview"]);
    for word in ["replaced", "deleted", "created"] {
        assert!(!up.contains(word), "{word}: {up}");
    }
    assert_eq!(writes(&moto.stop_recording()), Vec::<String>::new(), "no AWS write");
    assert_eq!(moto.describe(NAME).await.unwrap().created_at().cloned(), created, "the same repository");
    all_in_the_east(&moto, 1).await;
    stack.ok(&["preview", "--expect-no-changes"]);
}

#[tokio::test]
async fn a_role_of_the_same_account_changes_nothing() {
    let moto = Moto::start();
    let stack = stack(&moto);
    stack.ok(&["up", "--skip-preview"]);
    let created = moto.describe(NAME).await.unwrap().created_at().cloned();

    stack.ok(&[
        "config",
        "set",
        "--path",
        "awsecr:assumeRole.roleArn",
        &format!("arn:aws:iam::{ACCOUNT}:role/deployer"),
    ]);
    let endpoint = moto.endpoint();
    let sts = [("AWS_ENDPOINT_URL_STS", Path::new(&endpoint))];
    moto.start_recording();
    let preview = stack.run_with_env(&["preview", "--diff"], &sts);
    assert!(preview.ok && !preview.text.contains("replace"), "{}", preview.text);
    let up = stack.run_with_env(&["up", "--skip-preview"], &sts);
    assert!(up.ok, "{}", up.text);
    for word in ["replaced", "deleted", "created"] {
        assert!(!up.text.contains(word), "{word}: {}", up.text);
    }
    let refresh = stack.run_with_env(&["refresh", "--skip-preview"], &sts);
    assert!(refresh.ok, "{}", refresh.text);
    let requests = moto.stop_recording_requests();
    // The role is in force: ECR was asked with its credentials, not the keys.
    let ecr_keys: Vec<String> = requests
        .iter()
        .filter(|r| r["headers"]["X-Amz-Target"].as_str().is_some_and(|t| t.contains("EC2ContainerRegistry")))
        .filter_map(recorded_access_key)
        .collect();
    assert!(!ecr_keys.is_empty() && ecr_keys.iter().all(|k| k != "testing"), "{ecr_keys:?}");
    let ops: Vec<String> = requests
        .iter()
        .filter_map(|j| j["headers"]["X-Amz-Target"].as_str().map(|t| t.rsplit('.').next().unwrap_or(t).to_string()))
        .collect();
    assert_eq!(writes(&Recording(ops)), Vec::<String>::new(), "no AWS write");
    assert_eq!(moto.describe(NAME).await.unwrap().created_at().cloned(), created, "the same repository");
}

#[tokio::test]
async fn a_real_region_change_is_refused_at_preview_for_a_repository_kept_with_its_images() {
    let moto = Moto::start();
    let stack = stack(&moto);
    stack.ok(&["config", "set", "forceDelete", "false"]);
    stack.ok(&["up", "--skip-preview"]);
    moto.push_image(NAME, "v1").await;

    stack.ok(&["config", "set", "awsecr:region", WEST]);
    let preview = stack.fails(&["preview", "--diff"]);
    for words in [
        "ECR repository \"move/app\" is in us-east-1, but the provider now points at eu-west-1",
        "forceDelete: false",
        "nothing is changed",
    ] {
        assert!(preview.contains(words), "{words}: {preview}");
    }
    // `up` previews first and stops there: nothing made, nothing deleted.
    let up = stack.fails(&["up"]);
    assert!(up.contains("now points at eu-west-1"), "{up}");
    all_in_the_east(&moto, 1).await;

    // Pointed back, the stack is as it was.
    stack.ok(&["config", "set", "awsecr:region", REGION]);
    stack.ok(&["preview", "--expect-no-changes"]);
}

#[tokio::test]
async fn a_region_move_replaces_each_resource_where_it_lives() {
    let moto = Moto::start();
    let stack = stack(&moto);
    stack.ok(&["up", "--skip-preview"]);
    moto.push_image(NAME, "v1").await;
    all_in_the_east(&moto, 1).await;

    stack.ok(&["config", "set", "awsecr:region", WEST]);
    let preview = stack.ok(&["preview", "--diff"]);
    for words in [
        "ECR repository \"move/app\" moves from us-east-1 to eu-west-1",
        "the registry's settings: moving from us-east-1 to eu-west-1",
        "repository creation template \"move\": moving from us-east-1 to eu-west-1",
    ] {
        assert!(preview.contains(words), "{words}: {preview}");
    }
    assert!(preview.matches("replace").count() >= 3, "{preview}");
    stack.ok(&["up", "--skip-preview"]);

    // Made in the west; removed from the east by calls that went there.
    let (arn, images) = repository_in(&moto, WEST).await.expect("the repository in eu-west-1");
    assert!(arn.contains(WEST) && images == 0, "{arn} {images}");
    assert_eq!(repository_in(&moto, REGION).await, None, "the old repository is deleted in us-east-1");
    assert_eq!(scan_type_in(&moto, WEST).await, "ENHANCED");
    assert_eq!(scan_type_in(&moto, REGION).await, "BASIC", "the old registry settings are put back in us-east-1");
    assert!(template_in(&moto, WEST).await && !template_in(&moto, REGION).await);
    let out = stack.outputs();
    assert_eq!((out["templateRegion"].as_str(), out["registryRegion"].as_str()), (Some(WEST), Some(WEST)));
    assert!(out["arn"].as_str().unwrap().contains(WEST));

    stack.ok(&["refresh", "--skip-preview"]);
    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);
    assert_eq!(repository_in(&moto, WEST).await, None);
    assert_eq!(scan_type_in(&moto, WEST).await, "BASIC");
    assert!(!template_in(&moto, WEST).await);
}
