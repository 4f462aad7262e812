//! Deletion safety: a repository that holds images survives every path that
//! does not set forceDelete (destroy, a targeted destroy, removing it from the
//! program, a replacement, refresh), and goes only when forceDelete is set.

mod common;

use common::pulumi::Stack;
use common::*;

async fn still_there(moto: &Moto) -> bool {
    let ecr = moto.ecr().await;
    let images = ecr.list_images().repository_name("keep/me").send().await;
    images.is_ok_and(|i| i.image_ids().len() == 1)
}

#[tokio::test]
async fn a_repository_with_images_survives_every_path_without_force_delete() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e/yaml-keep"), &moto);
    stack.ok(&["up", "--skip-preview"]);
    moto.push_image("keep/me", "v1").await;
    assert!(still_there(&moto).await);

    // 1. destroy
    let out = stack.fails(&["destroy", "--skip-preview"]);
    assert!(out.contains("still holds images"), "{out}");
    assert!(still_there(&moto).await, "after destroy");

    // 2. a targeted destroy
    let urn = "urn:pulumi:test::awsecr-keep::awsecr:index:Repository::keep";
    stack.fails(&["destroy", "--skip-preview", "--target", urn]);
    assert!(still_there(&moto).await, "after destroy --target");

    // 3. a replacement (same name: the old one would have to go first)
    stack.ok(&["config", "set", "encryption", "KMS"]);
    let out = stack.fails(&["up", "--skip-preview"]);
    assert!(out.contains("still holds images"), "{out}");
    assert!(still_there(&moto).await, "after a replacement");
    stack.ok(&["config", "set", "encryption", "AES256"]);

    // 4. refresh
    stack.ok(&["refresh", "--skip-preview"]);
    assert!(still_there(&moto).await, "after refresh");

    // 5. removing it from the program
    let program = stack.project.join("Pulumi.yaml");
    let yaml = std::fs::read_to_string(&program).unwrap();
    let without = yaml.split("resources:").next().unwrap().to_string() + "resources: {}\n";
    std::fs::write(&program, without).unwrap();
    let out = stack.fails(&["up", "--skip-preview"]);
    assert!(out.contains("still holds images"), "{out}");
    assert!(still_there(&moto).await, "after removing it from the program");
    std::fs::write(&program, yaml).unwrap();

    // Only forceDelete deletes it, images included.
    stack.ok(&["config", "set", "forceDelete", "true"]);
    stack.ok(&["up", "--skip-preview"]);
    stack.ok(&["destroy", "--skip-preview"]);
    assert!(moto.ecr().await.describe_repositories().repository_names("keep/me").send().await.is_err());
}
