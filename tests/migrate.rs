//! Moving a pulumi-aws stack's ECR resources to awsecr, as
//! docs/migrate-from-pulumi-aws.md says: the local ECR is seeded with the
//! objects a pulumi-aws program would have made (two repositories, one with
//! a repository policy and a lifecycle policy; the registry's scanning and
//! replication; a pull-through cache rule; a creation template); a stack of
//! a YAML project gets, through `pulumi stack import`, a state in Pulumi's
//! deployment format (version 3) holding the pulumi-aws resources for them;
//! then each ```sh block of the guide runs as written, in bash, in the
//! project (the provider binary on PATH), with the program edit of step 4
//! between the last two. After every step ECR holds exactly what it held
//! (every read of the registry compared as ECR answers it) and the emulator
//! received no write.
//!
//! The aws plugin is not available here, which the guide's order allows:
//! `pulumi stack import` and `pulumi state delete` do not load providers,
//! and the state holds no aws provider by the time `pulumi import` runs.

mod common;

use std::path::Path;

use common::pulumi::Stack;
use common::*;
use serde_json::{Value as Json, json};

const GUIDE: &str = "docs/migrate-from-pulumi-aws.md";
const TARGET: &str = "AmazonEC2ContainerRegistry_V20150921.";

/// The ```sh blocks of the guide, de-indented (they sit in a numbered list).
fn guide_blocks() -> Vec<String> {
    let text = std::fs::read_to_string(root().join(GUIDE)).unwrap();
    let mut blocks = Vec::new();
    let mut block: Option<Vec<&str>> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        match block.as_mut() {
            Some(b) if trimmed == "```" => {
                blocks.push(b.join("\n") + "\n");
                block = None;
            }
            Some(b) => b.push(trimmed),
            None if trimmed == "```sh" => block = Some(Vec::new()),
            None => {}
        }
    }
    blocks
}

/// One read of ECR as the emulator answers it (status and body), for
/// comparing whole answers before and after.
fn read(moto: &Moto, op: &str, body: Json) -> Json {
    let (status, text) = moto.aws_json("ecr", &format!("{TARGET}{op}"), &body.to_string());
    let body: Json = serde_json::from_str(&text).unwrap_or(Json::String(text));
    json!({"status": status, "body": body})
}

/// Everything ECR holds that this migration could touch.
fn snapshot(moto: &Moto) -> Json {
    let repositories = read(moto, "DescribeRepositories", json!({}));
    let mut each = serde_json::Map::new();
    for r in repositories["body"]["repositories"].as_array().expect("repositories") {
        let name = r["repositoryName"].as_str().unwrap();
        // The emulator answers the time of the read as `lastEvaluatedAt`
        // (ECR: when a lifecycle policy last ran); the rest is compared.
        let mut lifecycle = read(moto, "GetLifecyclePolicy", json!({"repositoryName": name}));
        lifecycle["body"].as_object_mut().map(|b| b.remove("lastEvaluatedAt"));
        each.insert(
            name.to_string(),
            json!({
                "policy": read(moto, "GetRepositoryPolicy", json!({"repositoryName": name})),
                "lifecycle": lifecycle,
                "tags": read(moto, "ListTagsForResource", json!({"resourceArn": r["repositoryArn"]})),
                "images": read(moto, "DescribeImages", json!({"repositoryName": name})),
            }),
        );
    }
    json!({
        "repositories": repositories,
        "each": each,
        "scanning": read(moto, "GetRegistryScanningConfiguration", json!({})),
        "registry": read(moto, "DescribeRegistry", json!({})),
        "registryPolicy": read(moto, "GetRegistryPolicy", json!({})),
        "signing": read(moto, "GetSigningConfiguration", json!({})),
        "rules": read(moto, "DescribePullThroughCacheRules", json!({})),
        "templates": read(moto, "DescribeRepositoryCreationTemplates", json!({})),
    })
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"CiPull","Effect":"Allow","Principal":{"AWS":"ROLE"},"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}"#;
const LIFECYCLE: &str = r#"{"rules":[{"rulePriority":1,"description":"untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}"#;

/// What a pulumi-aws program made: the objects, in the local ECR.
async fn seed(moto: &Moto) -> (String, String) {
    use aws_sdk_ecr::types::*;
    let role = moto.create_role("ci");
    let policy = POLICY.replace("ROLE", &role);
    let ecr = moto.ecr().await;
    let scan = ImageScanningConfiguration::builder().scan_on_push(true).build();
    let tag = Tag::builder().key("team").value("platform").build().unwrap();
    let api = ecr
        .create_repository()
        .repository_name("team/api")
        .image_tag_mutability(ImageTagMutability::Immutable)
        .image_scanning_configuration(scan)
        .tags(tag)
        .send()
        .await
        .unwrap();
    ecr.set_repository_policy().repository_name("team/api").policy_text(&policy).send().await.unwrap();
    ecr.put_lifecycle_policy().repository_name("team/api").lifecycle_policy_text(LIFECYCLE).send().await.unwrap();
    ecr.create_repository().repository_name("team/web").send().await.unwrap();
    let filter = ScanningRepositoryFilter::builder()
        .filter("team/*")
        .filter_type(ScanningRepositoryFilterType::Wildcard)
        .build()
        .unwrap();
    let rule = RegistryScanningRule::builder()
        .scan_frequency(ScanFrequency::ScanOnPush)
        .repository_filters(filter)
        .build()
        .unwrap();
    ecr.put_registry_scanning_configuration().scan_type(ScanType::Basic).rules(rule).send().await.unwrap();
    let destination = ReplicationDestination::builder().region("us-west-2").registry_id(ACCOUNT).build().unwrap();
    let replication = ReplicationConfiguration::builder()
        .rules(ReplicationRule::builder().destinations(destination).build().unwrap())
        .build()
        .unwrap();
    ecr.put_replication_configuration().replication_configuration(replication).send().await.unwrap();
    ecr.create_pull_through_cache_rule()
        .ecr_repository_prefix("ecr-public")
        .upstream_registry_url("public.ecr.aws")
        .send()
        .await
        .unwrap();
    ecr.create_repository_creation_template()
        .prefix("ecr-public")
        .applied_for(RctAppliedFor::PullThroughCache)
        .image_tag_mutability(ImageTagMutability::Immutable)
        .send()
        .await
        .unwrap();
    let arn = api.repository().unwrap().repository_arn().unwrap().to_string();
    (arn, policy)
}

/// The state a pulumi-aws 7 program leaves for those objects, in the format
/// `pulumi stack export` writes (deployment version 3), on top of the
/// stack's own export (its manifest and secrets provider).
fn legacy_state(base: &Json, api_arn: &str, policy: &str) -> Json {
    let p = "urn:pulumi:test::legacy::";
    let provider = format!("{p}pulumi:providers:aws::default_7_10_0");
    let provider_ref = format!("{provider}::04f3c3a0-0d8d-4bde-9b1c-2a1f3e6f7a10");
    let stack = format!("{p}pulumi:pulumi:Stack::legacy-test");
    let url = |name: &str| format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}");
    let custom = |ty: &str, name: &str, id: &str, inputs: Json, outputs: Json, deps: &[&str]| {
        let mut outputs_all = inputs.clone();
        outputs_all.as_object_mut().unwrap().extend(outputs.as_object().unwrap().clone());
        outputs_all["id"] = json!(id);
        json!({
            "urn": format!("{p}{ty}::{name}"), "custom": true, "id": id, "type": ty,
            "inputs": inputs, "outputs": outputs_all, "parent": stack, "provider": provider_ref,
            "dependencies": deps, "created": "2026-01-05T10:00:00Z", "modified": "2026-01-05T10:00:00Z",
        })
    };
    let api_urn = format!("{p}aws:ecr/repository:Repository::api");
    let mut resources = vec![
        json!({"urn": stack, "custom": false, "type": "pulumi:pulumi:Stack"}),
        json!({"urn": provider, "custom": true, "id": "04f3c3a0-0d8d-4bde-9b1c-2a1f3e6f7a10",
               "type": "pulumi:providers:aws", "inputs": {"region": REGION, "skipCredentialsValidation": "false", "version": "7.10.0"},
               "outputs": {"region": REGION, "skipCredentialsValidation": "false", "version": "7.10.0"}}),
        custom(
            "aws:ecr/repository:Repository",
            "api",
            "team/api",
            json!({"name": "team/api", "imageTagMutability": "IMMUTABLE", "forceDelete": false,
                   "imageScanningConfiguration": {"scanOnPush": true}, "tags": {"team": "platform"}}),
            json!({"arn": api_arn, "registryId": ACCOUNT, "repositoryUrl": url("team/api"), "region": REGION,
                   "tagsAll": {"team": "platform"}, "encryptionConfigurations": [{"encryptionType": "AES256", "kmsKey": ""}]}),
            &[],
        ),
        custom(
            "aws:ecr/repositoryPolicy:RepositoryPolicy",
            "apiPull",
            "team/api",
            json!({"repository": "team/api", "policy": policy}),
            json!({"registryId": ACCOUNT, "region": REGION}),
            &[&api_urn],
        ),
        custom(
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            "apiExpiry",
            "team/api",
            json!({"repository": "team/api", "policy": LIFECYCLE}),
            json!({"registryId": ACCOUNT, "region": REGION}),
            &[&api_urn],
        ),
        custom(
            "aws:ecr/repository:Repository",
            "web",
            "team/web",
            json!({"name": "team/web", "imageTagMutability": "MUTABLE"}),
            json!({"arn": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/team/web"), "registryId": ACCOUNT,
                   "repositoryUrl": url("team/web"), "region": REGION}),
            &[],
        ),
        custom(
            "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
            "scanning",
            ACCOUNT,
            json!({"scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH",
                   "repositoryFilters": [{"filter": "team/*", "filterType": "WILDCARD"}]}]}),
            json!({"registryId": ACCOUNT, "region": REGION}),
            &[],
        ),
        custom(
            "aws:ecr/replicationConfiguration:ReplicationConfiguration",
            "replication",
            ACCOUNT,
            json!({"replicationConfiguration": {"rules": [{"destinations": [{"region": "us-west-2", "registryId": ACCOUNT}]}]}}),
            json!({"registryId": ACCOUNT, "region": REGION}),
            &[],
        ),
        custom(
            "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
            "ecrPublic",
            "ecr-public",
            json!({"ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws"}),
            json!({"registryId": ACCOUNT, "region": REGION}),
            &[],
        ),
        custom(
            "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
            "cached",
            "ecr-public",
            json!({"prefix": "ecr-public", "appliedFors": ["PULL_THROUGH_CACHE"], "imageTagMutability": "IMMUTABLE"}),
            json!({"registryId": ACCOUNT, "region": REGION}),
            &[],
        ),
    ];
    // The program protected its main repository.
    resources[2]["protect"] = json!(true);
    // The pulumi-aws program exported these too (a plain output).
    resources[0]["outputs"] = json!({"apiUrl": url("team/api")});
    let mut export = base.clone();
    export["deployment"]["resources"] = Json::Array(resources);
    export
}

/// Runs one block of the guide as written, the provider binary on PATH.
fn run_block(stack: &Stack, block: &str) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_pulumi-resource-awsecr")).parent().unwrap();
    let mut cmd = stack.shell(block);
    let path = std::env::var("PATH").unwrap_or_default();
    let cli = common::pulumi::toolchain();
    cmd.env("PATH", format!("{}:{}:{path}", cli.display(), bin.display()));
    let out = cmd.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the guide's block failed:\n{block}\n{text}");
    text
}

#[tokio::test]
async fn a_pulumi_aws_stack_moves_to_awsecr_by_the_guide_and_ecr_never_changes() {
    let blocks = guide_blocks();
    assert_eq!(blocks.len(), 4, "the guide has four steps with commands: {blocks:?}");
    let moto = Moto::start();
    let (api_arn, policy) = seed(&moto).await;
    let before = snapshot(&moto);
    assert_eq!(before["each"].as_object().unwrap().len(), 2, "{before}");
    assert_eq!(before["rules"]["body"]["pullThroughCacheRules"].as_array().unwrap().len(), 1, "{before}");
    let unchanged = |step: &str| {
        let now = snapshot(&moto);
        assert!(now == before, "ECR changed at {step}:\nbefore {before}\nnow {now}");
    };

    let dir = TempDir::new("migrate");
    std::fs::write(dir.path().join("Pulumi.yaml"), "name: legacy\nruntime: yaml\n").unwrap();
    let stack = Stack::new(dir.path(), &moto);
    let old = legacy_state(&stack.export(), &api_arn, &policy);
    let old_file = stack.scratch().join("legacy.json");
    std::fs::write(&old_file, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    moto.start_recording();
    stack.ok(&["stack", "import", "--file", old_file.to_str().unwrap()]);
    unchanged("pulumi stack import");

    // 1. The export and the import file; the state commands on stdout.
    run_block(&stack, &blocks[0]);
    let import: Json =
        serde_json::from_str(&std::fs::read_to_string(stack.project.join("import.json")).unwrap()).unwrap();
    assert_eq!(
        import,
        json!({"resources": [
            {"type": "awsecr:index:Repository", "name": "api", "id": "team/api"},
            {"type": "awsecr:index:Repository", "name": "web", "id": "team/web"},
            {"type": "awsecr:index:Registry", "name": "scanning", "id": format!("{ACCOUNT}/{REGION}")},
            {"type": "awsecr:index:PullThroughCacheRule", "name": "ecrPublic", "id": "ecr-public"},
            {"type": "awsecr:index:RepositoryTemplate", "name": "cached", "id": "ecr-public"},
        ]}),
    );
    let drop = std::fs::read_to_string(stack.project.join("drop-old.sh")).unwrap();
    let order: Vec<&str> = drop.lines().map(|l| l.trim_end_matches('\'').rsplit("::").next().unwrap()).collect();
    assert_eq!(
        order,
        ["cached", "ecrPublic", "replication", "scanning", "web", "apiExpiry", "apiPull", "api", "default_7_10_0"],
        "dependents first, the provider last: {drop}"
    );
    let protected = "pulumi state delete --yes --force 'urn:pulumi:test::legacy::aws:ecr/repository:Repository::api'";
    assert!(drop.lines().any(|l| l == protected), "the protected repository is dropped with --force: {drop}");
    assert!(
        drop.lines()
            .filter(|l| *l != protected)
            .all(|l| l.starts_with("pulumi state delete --yes 'urn:pulumi:test::legacy::")),
        "{drop}"
    );
    unchanged("inventory --from-stack");

    // 2. The old entries dropped: only the stack itself is left.
    run_block(&stack, &blocks[1]);
    let types: Vec<String> = stack.export()["deployment"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, ["pulumi:pulumi:Stack"]);
    unchanged("pulumi state delete");

    // 3. The same objects imported under awsecr types, with their code.
    let text = run_block(&stack, &blocks[2]);
    assert!(text.contains("5 imported"), "{text}");
    let state: std::collections::BTreeSet<(String, String)> = stack.export()["deployment"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["custom"] == true && !r["type"].as_str().unwrap().starts_with("pulumi:providers:"))
        .map(|r| (r["type"].as_str().unwrap().to_string(), r["id"].as_str().unwrap().to_string()))
        .collect();
    let expected = [
        ("awsecr:index:Repository", "team/api".to_string()),
        ("awsecr:index:Repository", "team/web".to_string()),
        ("awsecr:index:Registry", format!("{ACCOUNT}/{REGION}")),
        ("awsecr:index:PullThroughCacheRule", "ecr-public".to_string()),
        ("awsecr:index:RepositoryTemplate", "ecr-public".to_string()),
    ];
    assert_eq!(state, expected.map(|(t, id)| (t.to_string(), id)).into(), "the same objects, under awsecr types");
    unchanged("pulumi import");

    // 4. The program edit (YAML: the generated resources into Pulumi.yaml),
    // then no change at preview.
    let code = std::fs::read_to_string(stack.project.join("imported.yaml")).unwrap();
    assert!(code.contains("type: awsecr:Registry") && code.contains("replication:"), "{code}");
    let program = std::fs::read_to_string(stack.project.join("Pulumi.yaml")).unwrap();
    std::fs::write(stack.project.join("Pulumi.yaml"), format!("{program}{code}")).unwrap();
    let preview = run_block(&stack, &blocks[3]);
    assert!(!preview.contains("warning"), "{preview}");
    unchanged("pulumi preview");

    let calls = moto.stop_recording();
    let writes: Vec<&String> = calls
        .iter()
        .filter(|c| !(c.starts_with("Describe") || c.starts_with("Get") || c.starts_with("List")))
        .collect();
    assert!(writes.is_empty(), "no write reached ECR: {writes:?}");
    assert!(calls.iter().any(|c| c == "DescribeRepositories"), "the import read ECR: {calls:?}");
}

/// A file that is not a stack export is refused in one sentence, and
/// nothing is written.
#[test]
fn a_file_that_is_not_a_stack_export_is_refused() {
    let dir = TempDir::new("migrate-bad");
    let bad = dir.path().join("import.json");
    std::fs::write(&bad, r#"{"resources": []}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pulumi-resource-awsecr"))
        .args([
            "inventory",
            "--from-stack",
            bad.to_str().unwrap(),
            "--out",
            dir.path().join("out.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a Pulumi stack export") && err.contains("pulumi stack export"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!dir.path().join("out.json").exists());
}
