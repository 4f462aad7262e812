//! One owner per registry-wide setting (issue 25, points 4 and 5): two
//! Registry resources of one provider cannot declare the same group or
//! policy statement, whether the engine checks them or creates them
//! concurrently; a group handed from one Registry to another inside one
//! program, or from one stack to another with `retainOnDelete`, is never
//! reset on the way. Over gRPC against the real provider binary, and through
//! the real Pulumi CLI.

mod common;

use common::env::Env;
use common::pulumi::Stack;
use common::*;
use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;
use tonic::Code;

const REGISTRY: &str = "awsecr:index:Registry";

fn urn(name: &str) -> String {
    format!("urn:pulumi:test::awsecr-tests::{REGISTRY}::{name}")
}

fn scanning_inputs(continuous: &[&str]) -> Map {
    let mut scanning = obj(&[("type", "ENHANCED".into()), ("scanOnPush", strings(&["*"]))]);
    if !continuous.is_empty() {
        scanning.insert("continuous".into(), strings(continuous));
    }
    obj(&[("scanning", Value::Object(scanning)), ("adopt", false.into())])
}

/// The registry's scan type and its continuous filters.
async fn scanning_in_force(moto: &Moto) -> (String, Vec<String>) {
    let r = moto.ecr().await.get_registry_scanning_configuration().send().await.unwrap();
    let c = r.scanning_configuration().unwrap();
    let continuous = c
        .rules()
        .iter()
        .filter(|r| r.scan_frequency().as_str() == "CONTINUOUS_SCAN")
        .flat_map(|r| r.repository_filters().iter().map(|f| f.filter().to_string()))
        .collect();
    (c.scan_type().map(|t| t.as_str().to_string()).unwrap_or_default(), continuous)
}

#[tokio::test]
async fn a_second_registry_declaring_a_group_is_refused_at_check() {
    let mut env = Env::with_config(Moto::start(), &[]).await.of_type(REGISTRY);
    env.checked("security", &scanning_inputs(&[])).await;
    let (_, failures) = env.check("platform", &scanning_inputs(&[]), &Map::new()).await;
    let (path, reason) = path_and_reason(failures.first().expect("refused"));
    assert_eq!(path, "scanning");
    for words in ["the registry's scanning is also declared by \"security\"", &urn("security"), "Handing a group over"]
    {
        assert!(reason.contains(words), "{words}: {reason}");
    }
    // Another group, or the same resource checked again, is fine.
    let replication = obj(&[(
        "replication",
        Value::Array(vec![Value::Object(obj(&[(
            "destinations",
            Value::Array(vec![Value::Object(obj(&[("region", "eu-west-1".into())]))]),
        )]))]),
    )]);
    env.checked("platform", &replication).await;
    env.checked("security", &scanning_inputs(&["prod/*"])).await;
    // Declaring the default (no replication rules) still owns the group.
    let none = obj(&[("replication", Value::Array(vec![]))]);
    let (_, failures) = env.check("third", &none, &Map::new()).await;
    let (path, reason) = path_and_reason(failures.first().expect("refused"));
    assert_eq!(path, "replication");
    assert!(reason.contains("replication rules is also declared by \"platform\""), "{reason}");
    // A policy statement by its sid.
    let statement = |sid: &str| {
        obj(&[(
            "policyStatements",
            Value::Array(vec![Value::Object(obj(&[
                ("sid", sid.into()),
                ("principals", strings(&["210987654321"])),
                ("actions", strings(&["ecr:BatchImportUpstreamImage"])),
            ]))]),
        )])
    };
    env.checked("cache-a", &statement("PullThrough")).await;
    let (_, failures) = env.check("cache-b", &statement("PullThrough"), &Map::new()).await;
    let (path, reason) = path_and_reason(failures.first().expect("refused"));
    assert_eq!(path, "policyStatements");
    assert!(reason.contains("registry policy statement AwsecrPullThrough is also declared by \"cache-a\""), "{reason}");
    env.checked("cache-b", &statement("PullThroughToo")).await;
}

#[tokio::test]
async fn two_concurrent_creates_of_one_group_make_one_owner() {
    let env = Env::with_config(Moto::start(), &[]).await.of_type(REGISTRY);
    let create = |name: &'static str, continuous: &'static [&'static str]| {
        let mut client = env.p.client.clone();
        async move {
            client
                .create(pulumirpc::CreateRequest {
                    urn: urn(name),
                    name: name.into(),
                    r#type: REGISTRY.into(),
                    properties: Some(encode_struct(&scanning_inputs(continuous))),
                    timeout: 60.0,
                    ..Default::default()
                })
                .await
        }
    };
    let (a, b) = tokio::join!(create("first", &[]), create("second", &["prod/*"]));
    let (lost, winner) = match (a, b) {
        (Ok(_), Err(e)) => (e, "first"),
        (Err(e), Ok(_)) => (e, "second"),
        (a, b) => panic!("exactly one create owns scanning: {a:?} {b:?}"),
    };
    assert_eq!(lost.code(), Code::FailedPrecondition, "{}", lost.message());
    assert!(lost.message().contains(&format!("also declared by \"{winner}\"")), "{}", lost.message());
    // ECR holds the winner's scanning, written once.
    let (kind, continuous) = scanning_in_force(&env.moto).await;
    assert_eq!(kind, "ENHANCED");
    assert_eq!(continuous.is_empty(), winner == "first", "{continuous:?}");
}

const TWO_OWNERS: &str = r#"name: awsecr-owners
runtime: yaml
resources:
  security:
    type: awsecr:index:Registry
    properties:
      scanning: {type: ENHANCED, scanOnPush: ["*"]}
  platform:
    type: awsecr:index:Registry
    properties:
      scanning: {type: BASIC, scanOnPush: ["*"]}
"#;

const FIRST_OWNER: &str = r#"name: awsecr-owners
runtime: yaml
resources:
  security:
    type: awsecr:index:Registry
    properties:
      scanning: {type: ENHANCED, scanOnPush: ["*"]}
"#;

const DROP_AND_TAKE: &str = r#"name: awsecr-owners
runtime: yaml
resources:
  security:
    type: awsecr:index:Registry
    properties:
      replication:
        - destinations: [{region: eu-west-1}]
  platform:
    type: awsecr:index:Registry
    properties:
      scanning: {type: ENHANCED, scanOnPush: ["*"], continuous: ["dev/*"]}
      adopt: true
"#;

const NEXT_OWNER: &str = r#"name: awsecr-owners
runtime: yaml
resources:
  platform:
    type: awsecr:index:Registry
    properties:
      scanning: {type: ENHANCED, scanOnPush: ["*"], continuous: ["prod/*"]}
      adopt: true
"#;

fn program(stack: &Stack, text: &str) {
    std::fs::write(stack.project.join("Pulumi.yaml"), text).unwrap();
}

fn stack_of(moto: &Moto, text: &str) -> Stack {
    let dir = TempDir::new("owners-src");
    std::fs::write(dir.path().join("Pulumi.yaml"), text).unwrap();
    Stack::new(dir.path(), moto)
}

#[tokio::test]
async fn through_the_cli_one_program_has_one_owner_and_hands_a_group_over_without_a_reset() {
    let moto = Moto::start();
    let stack = stack_of(&moto, TWO_OWNERS);
    moto.start_recording();
    let preview = stack.fails(&["preview"]);
    assert!(preview.contains("is also declared by"), "{preview}");
    let up = stack.fails(&["up", "--skip-preview"]);
    assert!(up.contains("is also declared by"), "{up}");
    let writes: Vec<String> = moto.stop_recording().iter().filter(|op| op.starts_with("Put")).cloned().collect();
    assert!(writes.len() <= 1, "at most the one owner wrote: {writes:?}");
    stack.ok(&["destroy", "--skip-preview"]);

    // One owner; then the group moves to another resource of the program.
    program(&stack, FIRST_OWNER);
    stack.ok(&["up", "--skip-preview"]);
    assert_eq!(scanning_in_force(&moto).await, ("ENHANCED".to_string(), vec![]));
    // The old owner drops the group (an update) as the new one takes it.
    program(&stack, DROP_AND_TAKE);
    stack.ok(&["up", "--skip-preview"]);
    assert_eq!(scanning_in_force(&moto).await, ("ENHANCED".to_string(), vec!["dev/*".to_string()]));
    // The old owner is deleted: its delete leaves what the new one declares.
    program(&stack, NEXT_OWNER);
    stack.ok(&["up", "--skip-preview"]);
    assert_eq!(scanning_in_force(&moto).await, ("ENHANCED".to_string(), vec!["prod/*".to_string()]));
    stack.ok(&["destroy", "--skip-preview"]);
    assert_eq!(scanning_in_force(&moto).await.0, "BASIC");
}

const RETAINED: &str = r#"name: awsecr-owners
runtime: yaml
resources:
  security:
    type: awsecr:index:Registry
    properties:
      scanning: {type: ENHANCED, scanOnPush: ["*"]}
    options:
      retainOnDelete: true
"#;

const NOTHING: &str = "name: awsecr-owners\nruntime: yaml\nresources: {}\n";

#[tokio::test]
async fn a_group_handed_to_another_stack_with_retain_on_delete_is_never_reset() {
    let moto = Moto::start();
    let old_stack = stack_of(&moto, FIRST_OWNER);
    old_stack.ok(&["up", "--skip-preview"]);
    // README "Handing a group over": retainOnDelete first, then drop it.
    program(&old_stack, RETAINED);
    old_stack.ok(&["up", "--skip-preview"]);
    program(&old_stack, NOTHING);
    moto.start_recording();
    old_stack.ok(&["up", "--skip-preview"]);
    assert_eq!(moto.stop_recording(), Vec::<String>::new(), "the old stack lets go without a call");
    assert_eq!(scanning_in_force(&moto).await, ("ENHANCED".to_string(), vec![]));

    let new_stack = stack_of(&moto, NEXT_OWNER);
    new_stack.ok(&["up", "--skip-preview"]);
    assert_eq!(scanning_in_force(&moto).await, ("ENHANCED".to_string(), vec!["prod/*".to_string()]));
    new_stack.ok(&["preview", "--expect-no-changes"]);
}
