//! End to end in TypeScript, Python and Go: the example program and an import
//! program in each language, run by the real Pulumi CLI with the generated SDKs
//! from `sdk/` (built by sdk-gen/build.sh), against a local ECR emulator;
//! and a platform team's TypeScript component wrapping the provider
//! (`examples/typescript-component`).

mod common;

use common::pulumi::{Lang, Stack};
use common::scenarios::{example_lifecycle, import_then_no_changes};
use common::*;

async fn lifecycle(lang: Lang, dir: &str) {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("examples").join(dir), &moto);
    stack.prepare(lang);
    example_lifecycle(&stack, &moto).await;
}

async fn import(lang: Lang, dir: &str) {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e").join(dir), &moto);
    stack.prepare(lang);
    import_then_no_changes(&stack, &moto, false).await;
}

#[tokio::test]
async fn typescript_program_lifecycle() {
    lifecycle(Lang::TypeScript, "typescript").await;
}

#[tokio::test]
async fn typescript_import_then_no_changes() {
    import(Lang::TypeScript, "typescript-import").await;
}

#[tokio::test]
async fn python_program_lifecycle() {
    lifecycle(Lang::Python, "python").await;
}

#[tokio::test]
async fn python_import_then_no_changes() {
    import(Lang::Python, "python-import").await;
}

#[tokio::test]
async fn go_program_lifecycle() {
    lifecycle(Lang::Go, "go").await;
}

#[tokio::test]
async fn go_import_then_no_changes() {
    import(Lang::Go, "go-import").await;
}

/// getRepository and getAuthorizationToken from a program: correct values,
/// and the registry password stays secret in the stack's outputs.
async fn functions(lang: Lang, dir: &str) {
    let moto = Moto::start();
    moto.ecr()
        .await
        .create_repository()
        .repository_name("shared/base")
        .image_tag_mutability(aws_sdk_ecr::types::ImageTagMutability::Mutable)
        .send()
        .await
        .unwrap();
    let stack = Stack::new(&root().join("tests/e2e").join(dir), &moto);
    stack.prepare(lang);
    stack.ok(&["up", "--skip-preview"]);
    let out = stack.outputs();
    assert_eq!(out["baseUrl"], format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shared/base"));
    assert_eq!(out["baseMutability"], "MUTABLE");
    assert_eq!(out["registryUser"], "AWS");
    assert_eq!(out["registryEndpoint"], format!("https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"));
    assert!(out["registryPassword"].as_str().is_some_and(|p| !p.is_empty()));
    let shown = stack.ok(&["stack", "output", "--json"]);
    let hidden: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(hidden["registryPassword"], "[secret]", "the password is secret: {shown}");
}

#[tokio::test]
async fn typescript_functions() {
    functions(Lang::TypeScript, "typescript-functions").await;
}

#[tokio::test]
async fn python_functions() {
    functions(Lang::Python, "python-functions").await;
}

/// A platform team's component (examples/typescript-component): the
/// `ServiceRepository` wraps a Repository with the team's defaults and grants
/// a service's IAM role pull access. What ECR holds, the component's outputs
/// and its place in the stack are checked, then everything is destroyed.
#[tokio::test]
async fn typescript_component_service_repository() {
    let moto = Moto::start();
    // ECR, like the emulator, refuses a policy naming a role that does not exist.
    let service_role = moto.create_role("ecs/checkout-task-execution");
    let ci_role = moto.create_role("ci-deploy");
    let stack = Stack::new(&root().join("examples/typescript-component"), &moto);
    stack.prepare(Lang::TypeScript);

    // The component refuses an ARN that is not a role's before anything exists.
    stack.ok(&["config", "set", "serviceRoleArn", &format!("arn:aws:iam::{ACCOUNT}:user/checkout")]);
    let refused = stack.fails(&["preview"]);
    assert!(refused.contains("serviceRoleArn must be an IAM role ARN"), "{refused}");

    stack.ok(&["config", "set", "serviceRoleArn", &service_role]);
    stack.ok(&["config", "set", "ciRoleArn", &ci_role]);
    moto.start_recording();
    let preview = stack.ok(&["preview"]);
    assert_eq!(moto.stop_recording(), Vec::<String>::new(), "preview calls AWS");
    assert!(preview.contains("platform:index:ServiceRepository"), "{preview}");
    stack.ok(&["up", "--skip-preview"]);

    // ECR holds the team's defaults.
    let name = "payments/checkout";
    let repo = moto.describe(name).await.expect("the component's repository exists");
    assert_eq!(repo.image_tag_mutability().unwrap().as_str(), "IMMUTABLE_WITH_EXCLUSION");
    let exclusions: Vec<&str> = repo.image_tag_mutability_exclusion_filters().iter().map(|f| f.filter()).collect();
    assert_eq!(exclusions, ["latest"]);
    assert!(repo.image_scanning_configuration().unwrap().scan_on_push());
    assert_eq!(repo.encryption_configuration().unwrap().encryption_type().as_str(), "AES256");
    let lifecycle = moto.lifecycle_document(name).await;
    let rules = lifecycle["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 4, "{lifecycle}");
    assert_eq!(rules[0]["selection"]["tagStatus"], "untagged");
    assert_eq!(rules[0]["selection"]["countNumber"], 7);
    assert_eq!(rules[1]["selection"]["tagPatternList"], serde_json::json!(["pr-*"]));
    assert_eq!(rules[1]["selection"]["countNumber"], 14);
    assert_eq!(rules[2]["selection"]["tagPrefixList"], serde_json::json!(["v"]));
    assert_eq!(rules[2]["selection"]["countNumber"], 50, "the service's keepReleases");
    assert_eq!(rules[3]["selection"]["countNumber"], 500);
    let arn = repo.repository_arn().unwrap();
    let tags = moto.tags(arn).await;
    for (key, value) in
        [("team", "payments"), ("service", "checkout"), ("managed-by", "platform"), ("cost-center", "cc-1234")]
    {
        assert_eq!(tags.get(key).map(String::as_str), Some(value), "{tags:?}");
    }
    // The repository policy: the service's role pulls, the CI role pushes.
    let policy = moto.repository_policy(name).await.expect("a repository policy");
    let statements = policy["Statement"].as_array().unwrap();
    let grants = |principal: &str| -> Vec<String> {
        let mut actions: Vec<String> = statements
            .iter()
            .filter(|s| s["Principal"]["AWS"].to_string().contains(principal))
            .flat_map(|s| match &s["Action"] {
                serde_json::Value::Array(a) => a.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
                a => vec![a.as_str().unwrap().to_string()],
            })
            .collect();
        actions.sort();
        actions
    };
    let pull = grants(&service_role);
    assert!(pull.contains(&"ecr:BatchGetImage".to_string()), "{policy}");
    assert!(!pull.contains(&"ecr:PutImage".to_string()), "the service's role only pulls: {policy}");
    assert!(grants(&ci_role).contains(&"ecr:PutImage".to_string()), "{policy}");

    // The component's outputs: where to push, and the identity policy for the role.
    let out = stack.outputs();
    assert_eq!(out["repositoryUrl"], format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}"));
    assert_eq!(out["repositoryArn"], arn);
    assert_eq!(out["serviceRoleName"], "checkout-task-execution");
    let document: serde_json::Value = serde_json::from_str(out["pullPolicyDocument"].as_str().unwrap()).unwrap();
    let text = document.to_string();
    assert_eq!(document["Statement"][0]["Resource"], arn, "{document}");
    assert!(text.contains("ecr:BatchGetImage") && text.contains("ecr:GetAuthorizationToken"), "{document}");
    assert!(!text.contains("ecr:PutImage"), "{document}");

    // The Repository is the component's child, and the component records its outputs.
    let export = stack.export();
    let resources = export["deployment"]["resources"].as_array().unwrap();
    let component = resources.iter().find(|r| r["type"] == "platform:index:ServiceRepository").expect("the component");
    let child = resources.iter().find(|r| r["type"] == "awsecr:index:Repository").expect("the repository");
    assert_eq!(child["parent"], component["urn"]);
    assert_eq!(component["outputs"]["repositoryUrl"], out["repositoryUrl"]);

    stack.ok(&["preview", "--expect-no-changes"]);
    stack.ok(&["destroy", "--skip-preview"]);
    assert!(!moto.exists(name).await, "destroy removes the repository");
    assert!(stack.state_ids().is_empty());
}
