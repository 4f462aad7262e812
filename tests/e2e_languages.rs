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
