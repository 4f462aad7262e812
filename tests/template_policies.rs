//! RepositoryTemplate's policies as raw JSON, over gRPC against the real
//! provider binary and the emulator's stand-in for the template operations
//! (tests/support/ecr_extensions.py): a template whose lifecycle or
//! repository policy the typed fields cannot express is imported into
//! `lifecyclePolicyDocument` / `repositoryPolicyDocument` and survives the
//! next update untouched; the documents are created, refreshed, compared by
//! meaning and updated; Check refuses a document together with its typed
//! fields; a policy edited by hand beyond the typed fields is reported as
//! drift and put back, never read into a lossy typed form.

mod common;

use aws_sdk_ecr::types::{ImageTagMutability, RctAppliedFor, RepositoryCreationTemplate};
use common::env::Env;
use common::*;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc::diff_response::DiffChanges;
use serde_json::{Value as Json, json};

const TEMPLATE: &str = "awsecr:index:RepositoryTemplate";

/// Every account of an organization may pull and list images: a condition
/// and an action set (pull plus DescribeImages) that no typed field holds.
const ORG_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OrgPullAndList","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability","ecr:DescribeImages"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#;

/// Five untagged images are kept (a count rule for untagged images), and
/// releases nobody pulled for 90 days are archived (a transition rule).
const KEEP_AND_ARCHIVE: &str = r#"{"rules":[{"rulePriority":1,"description":"keep five untagged","selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},{"rulePriority":2,"description":"archive releases nobody pulls","selection":{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"sinceImagePulled","countUnit":"days","countNumber":90},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#;

async fn env() -> Env {
    Env::with_config(Moto::start(), &[]).await.of_type(TEMPLATE)
}

/// The template ECR holds under `prefix`, through the AWS SDK.
async fn held(env: &Env, prefix: &str) -> RepositoryCreationTemplate {
    let found = env.moto.ecr().await.describe_repository_creation_templates().prefixes(prefix).send().await.unwrap();
    found.repository_creation_templates().first().cloned().expect("the template exists")
}

/// What a template says, its documents parsed (their meaning, not their
/// spelling), an empty text as none (what an update sends to clear a
/// setting); ECR's timestamps left out.
fn meaning(t: &RepositoryCreationTemplate) -> Json {
    let text = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
    let doc = |s: Option<&str>| match s.filter(|s| !s.is_empty()) {
        Some(s) => serde_json::from_str::<Json>(s).expect("JSON"),
        None => Json::Null,
    };
    json!({
        "description": text(t.description()),
        "appliedFor": t.applied_for().iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "imageTagMutability": t.image_tag_mutability().map(|m| m.as_str()),
        "exclusions": t.image_tag_mutability_exclusion_filters().iter().map(|f| f.filter()).collect::<Vec<_>>(),
        "encryption": t.encryption_configuration().map(|e| (e.encryption_type().as_str(), e.kms_key())),
        "tags": t.resource_tags().iter().map(|t| (t.key(), t.value())).collect::<Vec<_>>(),
        "customRoleArn": text(t.custom_role_arn()),
        "lifecyclePolicy": doc(t.lifecycle_policy()),
        "repositoryPolicy": doc(t.repository_policy()),
    })
}

/// Importing a template whose policies the typed fields cannot express (an
/// organization condition, a count rule for untagged images, an archive
/// rule) and then updating it with the imported inputs leaves it exactly as
/// it was: the documents come back as JSON, not as empty typed fields that
/// the update would write over them.
#[tokio::test]
async fn an_imported_template_keeps_the_policies_the_fields_cannot_express() {
    let mut env = env().await;
    env.moto
        .ecr()
        .await
        .create_repository_creation_template()
        .prefix("central")
        .description("made by another tool")
        .applied_for(RctAppliedFor::Replication)
        .image_tag_mutability(ImageTagMutability::Immutable)
        .repository_policy(ORG_POLICY)
        .lifecycle_policy(KEEP_AND_ARCHIVE)
        .send()
        .await
        .unwrap();
    let before = meaning(&held(&env, "central").await);

    let (imported, imported_in) = env.read_found("central", "central", &Map::new(), &Map::new()).await;
    let inputs = env.checked("central", &imported_in).await;
    env.updated("central", "central", &imported, &inputs, false).await;
    assert_eq!(
        meaning(&held(&env, "central").await),
        before,
        "an update with the imported inputs changed the template"
    );

    assert!(env.warnings().is_empty(), "nothing is lost, so nothing to warn about: {:?}", env.warnings());
    assert_eq!(imported_in.get("lifecyclePolicyDocument"), Some(&Value::from(KEEP_AND_ARCHIVE)));
    assert_eq!(imported_in.get("repositoryPolicyDocument"), Some(&Value::from(ORG_POLICY)));
    for typed in ["lifecyclePolicy", "pullPrincipals", "pushPrincipals"] {
        assert!(!imported_in.contains_key(typed), "{typed}: {imported_in:?}");
    }
    assert_eq!(imported["lifecyclePolicyText"], Value::from(KEEP_AND_ARCHIVE));
    assert_eq!(imported["repositoryPolicyText"], Value::from(ORG_POLICY));
    let d = env.diff("central", "central", &imported, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);
}
