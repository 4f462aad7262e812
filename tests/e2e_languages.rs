//! End to end in TypeScript, Python and Go: the example program and an import
//! program in each language, run by the real Pulumi CLI with the generated SDKs
//! from `sdk/` (built by sdk-gen/build.sh), against a local ECR emulator.

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
