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

/// The same JSON, spelled otherwise: pretty-printed with the keys reversed.
fn reshaped(doc: &str) -> String {
    fn reverse(v: &Json) -> Json {
        match v {
            Json::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m.iter().rev() {
                    out.insert(k.clone(), reverse(v));
                }
                Json::Object(out)
            }
            Json::Array(a) => Json::Array(a.iter().map(reverse).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&reverse(&serde_json::from_str(doc).unwrap())).unwrap()
}

fn parsed(doc: &str) -> Json {
    serde_json::from_str(doc).unwrap()
}

#[tokio::test]
async fn raw_documents_are_created_refreshed_compared_by_meaning_and_updated() {
    let mut env = env().await;
    let news = obj(&[
        ("prefix", "central".into()),
        ("lifecyclePolicyDocument", KEEP_AND_ARCHIVE.into()),
        ("repositoryPolicyDocument", ORG_POLICY.into()),
    ]);
    env.moto.start_recording();
    let inputs = env.checked("central", &news).await;
    let (_, preview) = env.create("central", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check and preview make no call");
    assert_eq!(preview["lifecyclePolicyText"], Value::from(KEEP_AND_ARCHIVE), "known in preview");
    assert_eq!(preview["repositoryPolicyText"], Value::from(ORG_POLICY), "known in preview");

    env.moto.start_recording();
    let (id, out) = env.create("central", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepositoryCreationTemplate"]);
    let t = held(&env, "central").await;
    assert_eq!(t.lifecycle_policy(), Some(KEEP_AND_ARCHIVE), "sent as written");
    assert_eq!(t.repository_policy(), Some(ORG_POLICY), "sent as written");
    assert_eq!(out["lifecyclePolicyText"], Value::from(KEEP_AND_ARCHIVE));
    assert_eq!(out["repositoryPolicyText"], Value::from(ORG_POLICY));

    // Refresh: one call, the same inputs, no change.
    env.moto.start_recording();
    let (read_out, read_in) = env.read_found("central", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRepositoryCreationTemplates"]);
    assert_eq!(read_in, inputs);
    let d = env.diff("central", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);
    // Spacing and key order are no change.
    let respelled = env
        .checked(
            "central",
            &obj(&[
                ("prefix", "central".into()),
                ("lifecyclePolicyDocument", reshaped(KEEP_AND_ARCHIVE).into()),
                ("repositoryPolicyDocument", reshaped(ORG_POLICY).into()),
            ]),
        )
        .await;
    let d = env.diff("central", &id, &read_out, &respelled).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Another lifecycle document: that document changes, in place, with one
    // call; the repository policy stays as it is.
    let ten = KEEP_AND_ARCHIVE.replace(r#""countNumber":5"#, r#""countNumber":10"#);
    let news = obj(&[
        ("prefix", "central".into()),
        ("lifecyclePolicyDocument", ten.clone().into()),
        ("repositoryPolicyDocument", ORG_POLICY.into()),
    ]);
    let changed = env.checked("central", &news).await;
    let d = env.diff("central", &id, &read_out, &changed).await;
    assert_eq!(d.diffs, vec!["lifecyclePolicyDocument"]);
    assert!(d.replaces.is_empty(), "{:?}", d.replaces);
    env.moto.start_recording();
    let updated = env.updated("central", &id, &read_out, &changed, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["UpdateRepositoryCreationTemplate"]);
    let t = held(&env, "central").await;
    assert_eq!(parsed(t.lifecycle_policy().unwrap()), parsed(&ten));
    assert_eq!(parsed(t.repository_policy().unwrap()), parsed(ORG_POLICY));
    assert_eq!(updated["lifecyclePolicyText"], Value::from(ten.as_str()));

    // The repository policy edited by hand: refresh reads the document ECR
    // holds (no warning, nothing is lost), the diff shows it, and the update
    // puts the declared one back.
    let other_org = ORG_POLICY.replace("o-a1b2c3d4e5", "o-zzzzzzzzzz");
    env.moto
        .ecr()
        .await
        .update_repository_creation_template()
        .prefix("central")
        .repository_policy(&other_org)
        .send()
        .await
        .unwrap();
    let (refreshed, refreshed_in) = env.read_found("central", &id, &updated, &changed).await;
    assert!(env.warnings().is_empty(), "{:?}", env.warnings());
    assert_eq!(refreshed_in["repositoryPolicyDocument"], Value::from(other_org.as_str()));
    assert_eq!(refreshed["repositoryPolicyText"], Value::from(other_org.as_str()));
    let d = env.diff("central", &id, &refreshed, &changed).await;
    assert_eq!(d.diffs, vec!["repositoryPolicyDocument"]);
    let restored = env.updated("central", &id, &refreshed, &changed, false).await;
    assert_eq!(parsed(held(&env, "central").await.repository_policy().unwrap()), parsed(ORG_POLICY));

    // From the documents to the typed fields: the generated policy replaces
    // the document; the lifecycle document removed, the policy is removed.
    let typed = env
        .checked("central", &obj(&[("prefix", "central".into()), ("pullPrincipals", strings(&["210987654321"]))]))
        .await;
    let d = env.diff("central", &id, &restored, &typed).await;
    for key in ["lifecyclePolicyDocument", "repositoryPolicyDocument", "pullPrincipals"] {
        assert!(d.diffs.contains(&key.to_string()), "{key}: {:?}", d.diffs);
    }
    env.moto.start_recording();
    let updated = env.updated("central", &id, &restored, &typed, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["UpdateRepositoryCreationTemplate"]);
    let t = held(&env, "central").await;
    assert_eq!(t.lifecycle_policy().unwrap_or_default(), "", "the lifecycle policy is removed");
    let generated = pulumi_resource_awsecr::policy::access::Access::from_policy(t.repository_policy().unwrap());
    assert_eq!(generated.expect("the generated policy").pull, vec!["210987654321".to_string()]);
    assert_eq!(updated["lifecyclePolicyText"], Value::Null);
    let (_, read_in) = env.read_found("central", &id, &updated, &typed).await;
    assert_eq!(read_in, typed);
}

#[tokio::test]
async fn check_refuses_a_document_together_with_its_typed_fields_before_any_call() {
    let mut env = env().await;
    let lifecycle = Value::Object(obj(&[("maxImageCount", Value::Number(10.0))]));
    let cases: Vec<(Map, &str, &str)> = vec![
        (
            obj(&[
                ("prefix", "t1".into()),
                ("lifecyclePolicy", lifecycle.clone()),
                ("lifecyclePolicyDocument", KEEP_AND_ARCHIVE.into()),
            ]),
            "lifecyclePolicyDocument",
            "is the JSON form of lifecyclePolicy; set one or the other",
        ),
        (
            obj(&[
                ("prefix", "t2".into()),
                ("pullPrincipals", strings(&["210987654321"])),
                ("pushPrincipals", strings(&["111122223333"])),
                ("repositoryPolicyDocument", ORG_POLICY.into()),
            ]),
            "repositoryPolicyDocument",
            "is the JSON form of pullPrincipals and pushPrincipals; set one or the other",
        ),
        (
            obj(&[("prefix", "t3".into()), ("lifecyclePolicyDocument", "{rules".into())]),
            "lifecyclePolicyDocument",
            "must be JSON",
        ),
        (
            obj(&[("prefix", "t4".into()), ("lifecyclePolicyDocument", r#"{"rules":[]}"#.into())]),
            "lifecyclePolicyDocument",
            "must hold a non-empty \"rules\" list",
        ),
        (
            obj(&[("prefix", "t5".into()), ("repositoryPolicyDocument", r#"{"Version":"2012-10-17"}"#.into())]),
            "repositoryPolicyDocument",
            "must hold a non-empty \"Statement\" list",
        ),
        (
            obj(&[
                ("prefix", "t6".into()),
                ("repositoryPolicyDocument", ORG_POLICY.replace("OrgPullAndList", &"S".repeat(10_240)).into()),
            ]),
            "repositoryPolicyDocument",
            "must be at most 10240 characters",
        ),
    ];
    env.moto.start_recording();
    for (news, path, words) in cases {
        let (_, failures) = env.check("t", &news, &Map::new()).await;
        let failures: Vec<(String, String)> = failures.iter().map(path_and_reason).collect();
        assert!(failures.iter().any(|(p, r)| p == path && r.contains(words)), "{path}: {words}: {failures:?}");
    }
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check makes no call");
}

/// A lifecycle policy declared with the typed fields and edited by hand into
/// rules they cannot express: refresh warns and keeps the declared fields
/// (the text in force shows in lifecyclePolicyText), the diff shows the
/// text, the update puts the declared rules back.
#[tokio::test]
async fn a_lifecycle_policy_edited_beyond_the_typed_fields_is_drift_and_is_put_back() {
    let mut env = env().await;
    let lifecycle = Value::Object(obj(&[("maxImageCount", Value::Number(10.0))]));
    let inputs = env.checked("hub", &obj(&[("prefix", "hub".into()), ("lifecyclePolicy", lifecycle.clone())])).await;
    let (id, out) = env.create("hub", &inputs, false).await.unwrap();
    let declared = held(&env, "hub").await.lifecycle_policy().unwrap().to_string();
    env.moto
        .ecr()
        .await
        .update_repository_creation_template()
        .prefix("hub")
        .lifecycle_policy(KEEP_AND_ARCHIVE)
        .send()
        .await
        .unwrap();

    let (refreshed, refreshed_in) = env.read_found("hub", &id, &out, &inputs).await;
    let warnings = env.warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("lifecycle policy of repository creation template \"hub\" was edited outside Pulumi")
                && w.contains("lifecyclePolicy cannot express")
                && w.contains("kept as it is in lifecyclePolicyText")),
        "{warnings:?}"
    );
    assert_eq!(refreshed_in, inputs, "the declared fields, not a reading of the edited policy");
    assert_eq!(refreshed["lifecyclePolicyText"], Value::from(KEEP_AND_ARCHIVE), "what ECR holds stays visible");
    let d = env.diff("hub", &id, &refreshed, &inputs).await;
    assert_eq!(d.diffs, vec!["lifecyclePolicyText"]);

    env.moto.start_recording();
    let updated = env.updated("hub", &id, &refreshed, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["UpdateRepositoryCreationTemplate"]);
    assert_eq!(held(&env, "hub").await.lifecycle_policy(), Some(declared.as_str()), "the declared rules again");
    let (read_out, read_in) = env.read_found("hub", &id, &updated, &inputs).await;
    assert_eq!(read_in, inputs);
    let d = env.diff("hub", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{:?}", d.diffs);
}

/// A document given as a secret keeps the policy text secret.
#[tokio::test]
async fn a_secret_document_keeps_the_policy_text_secret() {
    let mut env = env().await;
    let news = obj(&[("prefix", "s".into()), ("repositoryPolicyDocument", Value::from(ORG_POLICY).into_secret())]);
    let inputs = env.checked("s", &news).await;
    let (_, preview) = env.create("s", &inputs, true).await.unwrap();
    assert!(matches!(preview["repositoryPolicyText"], Value::Secret(_)), "{preview:?}");
    let (id, out) = env.create("s", &inputs, false).await.unwrap();
    assert!(matches!(out["repositoryPolicyText"], Value::Secret(_)), "{out:?}");
    let (read_out, read_in) = env.read_found("s", &id, &out, &inputs).await;
    assert!(matches!(read_out["repositoryPolicyText"], Value::Secret(_)), "{read_out:?}");
    assert!(matches!(read_in["repositoryPolicyDocument"], Value::Secret(_)), "{read_in:?}");
}
