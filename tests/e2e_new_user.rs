//! What a new user tripped over, through the real Pulumi CLI against the
//! emulator: replacements of repositories that hold images, forceDelete
//! turned off together with a replacement, adopting repositories and
//! repository templates whose policies the simple fields cannot express, the
//! two exclusion fields, failures the CLI can show with their value, number
//! tag values in configuration, and an import from the wrong region.

mod common;

use common::pulumi::Stack;
use common::*;

/// A YAML program with one repository whose settings come from config.
fn program(resources: &str) -> TempDir {
    let dir = TempDir::new("new-user-program");
    let yaml = format!(
        "name: awsecr-new-user\nruntime: yaml\nconfig:\n  name:\n    type: string\n    default: trip/app\n  encryption:\n    type: string\n    default: AES256\n  forceDelete:\n    type: boolean\n    default: false\nresources:\n{resources}"
    );
    std::fs::write(dir.path().join("Pulumi.yaml"), yaml).unwrap();
    dir
}

const APP: &str = "  app:\n    type: awsecr:index:Repository\n    properties:\n      repositoryName: ${name}\n      encryptionType: ${encryption}\n      forceDelete: ${forceDelete}\n";

async fn images(moto: &Moto, repo: &str) -> usize {
    moto.ecr().await.list_images().repository_name(repo).send().await.unwrap().image_ids().len()
}

/// A rename of a repository that holds images: the preview warns, the
/// failure gives the steps that work, and following them works.
#[tokio::test]
async fn replacing_a_repository_with_images_gives_steps_that_work() {
    let moto = Moto::start();
    let source = program(APP);
    let stack = Stack::new(source.path(), &moto);
    stack.ok(&["up", "--skip-preview"]);
    moto.push_image("trip/app", "v1").await;

    stack.ok(&["config", "set", "name", "trip/renamed"]);
    let preview = stack.ok(&["preview"]);
    assert!(
        preview.contains("replacing ECR repository \"trip/app\"") && preview.contains("set only forceDelete: true"),
        "the preview warns: {preview}"
    );
    let failed = stack.fails(&["up", "--skip-preview"]);
    assert!(failed.contains("still holds images"), "{failed}");
    assert!(failed.contains("set only forceDelete: true, with no other change"), "{failed}");
    assert_eq!(images(&moto, "trip/app").await, 1, "nothing was lost");
    assert!(!moto.exists("trip/renamed").await);

    // The steps: undo the change, set only forceDelete, up; then the change.
    stack.ok(&["config", "set", "name", "trip/app"]);
    stack.ok(&["config", "set", "forceDelete", "true"]);
    stack.ok(&["up", "--skip-preview"]);
    stack.ok(&["config", "set", "name", "trip/renamed"]);
    let up = stack.ok(&["up", "--skip-preview"]);
    assert!(up.contains("replaced"), "{up}");
    assert!(!moto.exists("trip/app").await, "the old repository went, with its images, as asked");
    assert!(moto.exists("trip/renamed").await);
    stack.ok(&["destroy", "--skip-preview"]);
}

/// forceDelete true in the state, and a program that turns it off together
/// with a change that replaces: refused at preview, nothing deleted.
#[tokio::test]
async fn turning_force_delete_off_with_a_replacement_is_refused() {
    let moto = Moto::start();
    let source = program(APP);
    let stack = Stack::new(source.path(), &moto);
    stack.ok(&["config", "set", "forceDelete", "true"]);
    stack.ok(&["up", "--skip-preview"]);
    moto.push_image("trip/app", "v1").await;

    stack.ok(&["config", "set", "forceDelete", "false"]);
    stack.ok(&["config", "set", "encryption", "KMS"]);
    let refused = stack.fails(&["preview"]);
    assert!(refused.contains("forceDelete") && refused.contains("in a `pulumi up` of its own first"), "{refused}");
    let refused = stack.fails(&["up", "--skip-preview"]);
    assert!(refused.contains("encryptionType changes"), "{refused}");
    assert_eq!(images(&moto, "trip/app").await, 1, "the images are still there");

    // In its own update, then the change: the replacement now refuses too.
    stack.ok(&["config", "set", "encryption", "AES256"]);
    stack.ok(&["up", "--skip-preview"]);
    stack.ok(&["config", "set", "encryption", "KMS"]);
    let failed = stack.fails(&["up", "--skip-preview"]);
    assert!(failed.contains("still holds images"), "{failed}");
    assert_eq!(images(&moto, "trip/app").await, 1);
    stack.ok(&["config", "set", "encryption", "AES256"]);
    stack.ok(&["config", "set", "forceDelete", "true"]);
    stack.ok(&["up", "--skip-preview"]);
    stack.ok(&["destroy", "--skip-preview"]);
}

/// Lambda pulls for any function (AWS's same-account example, with no
/// condition): `lambdaPull` never grants that, so it stays JSON.
const LAMBDA_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"LambdaECRImageRetrievalPolicy","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}"#;
/// Pull requests expire after a week, and only five untagged images are kept:
/// a count rule for untagged images is beyond the simple fields.
const LEGACY_RULES: &str = r#"{"rules":[{"rulePriority":1,"description":"pull requests","selection":{"tagStatus":"tagged","tagPatternList":["pr-*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#;

/// Adopting a repository whose policies the fields cannot express loses
/// nothing: the generated program holds them as JSON, the import is a
/// no-op, and the next `up` changes nothing.
#[tokio::test]
async fn adopting_inexpressible_policies_loses_nothing() {
    let moto = Moto::start();
    let ecr = moto.ecr().await;
    ecr.create_repository().repository_name("legacy/fn").send().await.unwrap();
    ecr.put_lifecycle_policy().repository_name("legacy/fn").lifecycle_policy_text(LEGACY_RULES).send().await.unwrap();
    ecr.set_repository_policy().repository_name("legacy/fn").policy_text(LAMBDA_POLICY).send().await.unwrap();

    let dir = TempDir::new("adopt-program");
    std::fs::write(dir.path().join("Pulumi.yaml"), "name: awsecr-adopt\nruntime: yaml\n").unwrap();
    let stack = Stack::new(dir.path(), &moto);
    let generated = stack.project.join("generated.yaml");
    let import = stack.ok(&[
        "import",
        "awsecr:index:Repository",
        "legacy",
        "legacy/fn",
        "--protect=false",
        "--out",
        generated.to_str().unwrap(),
    ]);
    assert!(import.contains("1 imported"), "{import}");
    assert!(!import.contains("cannot express"), "no warning: nothing is lost: {import}");
    let code = std::fs::read_to_string(&generated).unwrap();
    assert!(code.contains("lifecyclePolicyDocument") && code.contains("repositoryPolicyDocument"), "{code}");

    // The program is what import wrote: nothing to change.
    let program = std::fs::read_to_string(stack.project.join("Pulumi.yaml")).unwrap();
    std::fs::write(stack.project.join("Pulumi.yaml"), format!("{program}{code}")).unwrap();
    stack.ok(&["preview", "--expect-no-changes"]);
    moto.start_recording();
    stack.ok(&["up", "--skip-preview", "--expect-no-changes"]);
    let calls = moto.stop_recording();
    assert!(
        !calls.iter().any(|c| c.starts_with("Delete") || c.starts_with("Put") || c.starts_with("Set")),
        "nothing was written: {calls:?}"
    );
    let in_force = moto.repository_policy("legacy/fn").await.expect("a repository policy");
    assert_eq!(in_force, serde_json::from_str::<serde_json::Value>(LAMBDA_POLICY).unwrap());
    let lifecycle = moto.lifecycle_policy("legacy/fn").await.expect("a lifecycle policy");
    assert!(lifecycle.contains("pr-*"));
    stack.ok(&["refresh", "--skip-preview"]);
    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);
}

/// Everyone in an organization may pull and list images, a grant beyond the
/// principal lists (a condition, an action beyond pulls).
const ORG_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OrgPullAndList","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability","ecr:DescribeImages"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#;
/// Five untagged images are kept, and releases nobody pulled for 90 days are
/// archived: a count rule for untagged images and an archive rule.
const KEEP_AND_ARCHIVE: &str = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"sinceImagePulled","countUnit":"days","countNumber":90},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#;

/// The same for a repository creation template: the import writes the
/// policies as JSON, and `up` leaves the template exactly as it was.
#[tokio::test]
async fn adopting_a_template_with_inexpressible_policies_loses_nothing() {
    let moto = Moto::start();
    let ecr = moto.ecr().await;
    ecr.create_repository_creation_template()
        .prefix("central")
        .applied_for(aws_sdk_ecr::types::RctAppliedFor::Replication)
        .repository_policy(ORG_POLICY)
        .lifecycle_policy(KEEP_AND_ARCHIVE)
        .send()
        .await
        .unwrap();
    let held = || async {
        let found = ecr.describe_repository_creation_templates().prefixes("central").send().await.unwrap();
        let t = found.repository_creation_templates()[0].clone();
        let doc = |s: Option<&str>| serde_json::from_str::<serde_json::Value>(s.unwrap_or("null")).unwrap();
        (doc(t.lifecycle_policy()), doc(t.repository_policy()), t.updated_at().cloned())
    };
    let before = held().await;

    let dir = TempDir::new("adopt-template");
    std::fs::write(dir.path().join("Pulumi.yaml"), "name: awsecr-adopt-template\nruntime: yaml\n").unwrap();
    let stack = Stack::new(dir.path(), &moto);
    let generated = stack.project.join("generated.yaml");
    let import = stack.ok(&[
        "import",
        "awsecr:index:RepositoryTemplate",
        "central",
        "central",
        "--protect=false",
        "--out",
        generated.to_str().unwrap(),
    ]);
    assert!(import.contains("1 imported"), "{import}");
    assert!(!import.contains("cannot express"), "no warning: nothing is lost: {import}");
    let code = std::fs::read_to_string(&generated).unwrap();
    assert!(code.contains("lifecyclePolicyDocument") && code.contains("repositoryPolicyDocument"), "{code}");

    let program = std::fs::read_to_string(stack.project.join("Pulumi.yaml")).unwrap();
    std::fs::write(stack.project.join("Pulumi.yaml"), format!("{program}{code}")).unwrap();
    stack.ok(&["preview", "--expect-no-changes"]);
    moto.start_recording();
    stack.ok(&["up", "--skip-preview", "--expect-no-changes"]);
    let calls = moto.stop_recording();
    assert!(
        !calls.iter().any(|c| c.contains("CreationTemplate") && !c.starts_with("Describe")),
        "nothing was written: {calls:?}"
    );
    assert_eq!(held().await, before, "the template is as it was");
    stack.ok(&["refresh", "--skip-preview"]);
    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);
}

/// Each mode has its own exclusions field; the wrong one is refused naming
/// the right one, and the right one gives ECR's mode.
#[tokio::test]
async fn each_mode_has_its_own_exclusions_field() {
    let moto = Moto::start();
    let wrong = "  app:\n    type: awsecr:index:Repository\n    properties:\n      repositoryName: trip/modes\n      immutableTags: false\n      mutableTagExclusions: [latest]\n";
    let source = program(wrong);
    let stack = Stack::new(source.path(), &moto);
    let out = stack.fails(&["preview"]);
    assert!(out.contains("mutableTagExclusions") && out.contains("use immutableTagExclusions"), "{out}");

    let right = "  app:\n    type: awsecr:index:Repository\n    properties:\n      repositoryName: trip/modes\n      immutableTags: false\n      immutableTagExclusions: [\"v*\"]\n";
    std::fs::write(
        stack.project.join("Pulumi.yaml"),
        std::fs::read_to_string(program(right).path().join("Pulumi.yaml")).unwrap(),
    )
    .unwrap();
    stack.ok(&["up", "--skip-preview"]);
    let repo = moto.describe("trip/modes").await.unwrap();
    assert_eq!(repo.image_tag_mutability().unwrap().as_str(), "MUTABLE_WITH_EXCLUSION");
    assert_eq!(repo.image_tag_mutability_exclusion_filters()[0].filter(), "v*");
    stack.ok(&["refresh", "--skip-preview"]);
    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);
}

/// A failure on a list element leads with the provider's sentence and its
/// path, with no dump of the list before it and never `{<nil>}`; a failure
/// about a secret shows no value at all.
#[tokio::test]
async fn failures_show_the_offending_value() {
    let moto = Moto::start();
    let bad = "  app:\n    type: awsecr:index:Repository\n    properties:\n      repositoryName: trip/paths\n      pullPrincipals: [\"123456789012\", \"12345\"]\n      lifecyclePolicy:\n        maxImageCount: 0\n";
    let source = program(bad);
    let stack = Stack::new(source.path(), &moto);
    let out = stack.fails(&["preview"]);
    assert!(!out.contains("<nil>"), "{out}");
    assert!(!out.contains("property pullPrincipals value"), "{out}");
    assert!(
        out.contains("resource 'app' has a problem: pullPrincipals[1]: must be a 12-digit AWS account id"),
        "{out}"
    );
    assert!(out.contains("lifecyclePolicy.maxImageCount: must be between 1 and 10000, got 0"), "{out}");

    let secret = "  app:\n    type: awsecr:index:Repository\n    properties:\n      repositoryName:\n        fn::secret: Secret_Bad_Name\n";
    std::fs::write(
        stack.project.join("Pulumi.yaml"),
        std::fs::read_to_string(program(secret).path().join("Pulumi.yaml")).unwrap(),
    )
    .unwrap();
    let out = stack.fails(&["preview"]);
    assert!(out.contains("repositoryName: must be lowercase letters and digits"), "{out}");
    assert!(!out.contains("Secret_Bad_Name"), "the secret is not shown: {out}");
}

/// Numbers in configuration are tag values in their string form, and an
/// import from the wrong region says which region was searched.
#[tokio::test]
async fn number_tag_values_and_an_import_from_the_wrong_region() {
    let moto = Moto::start();
    let source = program(APP);
    let stack = Stack::new(source.path(), &moto);
    stack.ok(&["config", "set", "--path", "awsecr:defaultTags.costCenter", "42"]);
    stack.ok(&["config", "set", "--path", "awsecr:defaultTags.billable", "true"]);
    stack.ok(&["up", "--skip-preview"]);
    let arn = moto.describe("trip/app").await.unwrap().repository_arn().unwrap().to_string();
    let tags = moto.tags(&arn).await;
    assert_eq!(tags.get("costCenter").map(String::as_str), Some("42"));
    assert_eq!(tags.get("billable").map(String::as_str), Some("true"));
    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);

    moto.ecr().await.create_repository().repository_name("elsewhere/app").send().await.unwrap();
    stack.ok(&["config", "set", "awsecr:region", "eu-west-1"]);
    let out = stack.fails(&["import", "awsecr:index:Repository", "stray", "elsewhere/app", "--generate-code=false"]);
    assert!(out.contains("does not exist in eu-west-1") && out.contains("awsecr:region"), "{out}");
}
