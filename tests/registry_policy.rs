//! The registry policy owned statement by statement (issue 25, points 1-3,
//! 6, 7 and 18), over gRPC against the real provider binary and the strict
//! emulator: statements others wrote survive every write and the delete;
//! further statements (cross-account pull-through cache use, an
//! organisation-wide grant) are declared with typed fields or as JSON;
//! drift is about our statements only; a statement already there under a
//! declared sid is refused with advice that works when followed; the size
//! limit names what the others take; an import id of another account is
//! refused.

mod common;

use common::env::Env;
use common::*;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc;
use serde_json::{Value as Json, json};
use tonic::Code;

const REGISTRY: &str = "awsecr:index:Registry";
const OTHER: &str = "210987654321";

fn registry_id() -> String {
    format!("{ACCOUNT}/{REGION}")
}

async fn env() -> Env {
    Env::with_config(Moto::start(), &[]).await.of_type(REGISTRY)
}

/// A statement someone else wrote: another account's pull-through cache use.
fn theirs() -> Json {
    json!({
        "Sid": "HandWrittenPullThrough",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")},
        "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        "Resource": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"),
    })
}

async fn put_policy(moto: &Moto, statements: Vec<Json>) {
    let text = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    moto.ecr().await.put_registry_policy().policy_text(text).send().await.expect("PutRegistryPolicy by hand");
}

async fn statements_in_force(moto: &Moto) -> Vec<Json> {
    match moto.ecr().await.get_registry_policy().send().await {
        Ok(p) => {
            let doc: Json = serde_json::from_str(p.policy_text().unwrap()).unwrap();
            doc["Statement"].as_array().cloned().unwrap_or_default()
        }
        Err(e) => {
            assert_eq!(aws_sdk_ecr::error::ProvideErrorMetadata::code(&e), Some("RegistryPolicyNotFoundException"));
            Vec::new()
        }
    }
}

fn sids(statements: &[Json]) -> Vec<String> {
    let mut s: Vec<String> = statements.iter().filter_map(|s| s["Sid"].as_str().map(str::to_string)).collect();
    s.sort();
    s
}

fn pull_through_statement(account: &str) -> Value {
    Value::Object(obj(&[
        ("sid", "PullThroughFromDev".into()),
        ("principals", strings(&[account])),
        ("actions", strings(&["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"])),
    ]))
}

#[tokio::test]
async fn statements_of_others_survive_every_write_and_the_delete() {
    let mut env = env().await;
    put_policy(&env.moto, vec![theirs()]).await;

    // Create: ours is added beside theirs (not refused: theirs has another Sid).
    let inputs = env
        .checked(
            "reg",
            &obj(&[
                ("replicationSourceAccounts", strings(&[OTHER])),
                ("policyStatements", Value::Array(vec![pull_through_statement("111122223333")])),
            ]),
        )
        .await;
    env.moto.start_recording();
    let (id, out) = env.create("reg", &inputs, false).await.expect("create beside a foreign statement");
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry", "GetRegistryPolicy", "PutRegistryPolicy"]);
    let held = statements_in_force(&env.moto).await;
    assert_eq!(
        sids(&held),
        vec!["AwsecrPullThroughFromDev", "AwsecrReplicationSourceAccounts", "HandWrittenPullThrough"]
    );
    assert!(held.contains(&theirs()), "theirs is kept as it was: {held:?}");
    let text: Json = serde_json::from_str(out["registryPolicyText"].as_str().unwrap()).unwrap();
    assert_eq!(text["Statement"].as_array().unwrap().len(), 3, "registryPolicyText is the whole policy");

    // Someone changes their statement and adds another: not our drift.
    let mut changed = theirs();
    changed["Action"] = json!(["ecr:BatchImportUpstreamImage"]);
    let mut now = statements_in_force(&env.moto).await;
    now.retain(|s| s["Sid"] != "HandWrittenPullThrough");
    now.push(changed.clone());
    now.push(json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "ecr:ReplicateImage", "Resource": "*"}));
    put_policy(&env.moto, now).await;
    let (read_out, read_in) = env.read_found("reg", &id, &out, &inputs).await;
    assert!(env.warnings().is_empty(), "{:?}", env.warnings());
    let d = env.diff("reg", &id, &read_out, &read_in).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);
    let d = env.diff("reg", &id, &read_out, &inputs).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);

    // An update of our accounts: read, then one write; theirs untouched.
    let more = env
        .checked(
            "reg",
            &obj(&[
                ("replicationSourceAccounts", strings(&[OTHER, "111122223333"])),
                ("policyStatements", Value::Array(vec![pull_through_statement("111122223333")])),
            ]),
        )
        .await;
    let d = env.diff("reg", &id, &read_out, &more).await;
    assert_eq!(d.diffs, vec!["replicationSourceAccounts"]);
    env.moto.start_recording();
    let state = env.updated("reg", &id, &read_out, &more, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["GetRegistryPolicy", "PutRegistryPolicy"]);
    let held = statements_in_force(&env.moto).await;
    assert!(held.contains(&changed), "their changed statement is kept: {held:?}");
    assert_eq!(held.len(), 4);

    // Our statement changed by hand is drift, put back by the next update.
    let mut edited = statements_in_force(&env.moto).await;
    for s in &mut edited {
        if s["Sid"] == "AwsecrPullThroughFromDev" {
            s["Action"] = json!("ecr:CreateRepository");
        }
    }
    put_policy(&env.moto, edited).await;
    let (drifted_out, drifted_in) = env.read_found("reg", &id, &state, &more).await;
    assert!(
        env.warnings().iter().any(|w| w.contains("registry policy statement AwsecrPullThroughFromDev")),
        "{:?}",
        env.warnings()
    );
    let statement = &drifted_in["policyStatements"];
    assert!(format!("{statement:?}").contains("document"), "shown as it is: {statement:?}");
    let d = env.diff("reg", &id, &drifted_out, &more).await;
    assert_eq!(d.diffs, vec!["policyStatements"]);
    let state = env.updated("reg", &id, &drifted_out, &more, false).await;
    let held = statements_in_force(&env.moto).await;
    let ours = held.iter().find(|s| s["Sid"] == "AwsecrPullThroughFromDev").unwrap();
    assert_eq!(ours["Action"], json!(["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]));

    // Delete: ours go, theirs stay.
    env.moto.start_recording();
    env.delete("reg", &id, &state).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["GetRegistryPolicy", "PutRegistryPolicy"]);
    let held = statements_in_force(&env.moto).await;
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.contains(&changed));
    assert!(sids(&held).iter().all(|s| !s.starts_with("Awsecr")));
}

#[tokio::test]
async fn the_last_statement_deletes_the_policy_and_an_org_grant_is_typed() {
    let mut env = env().await;
    let org = Value::Object(obj(&[
        ("sid", "OrgReplication".into()),
        ("principals", strings(&["*"])),
        ("actions", strings(&["ecr:ReplicateImage", "ecr:CreateRepository"])),
        (
            "conditions",
            Value::Array(vec![Value::Object(obj(&[
                ("test", "StringEquals".into()),
                ("variable", "aws:PrincipalOrgID".into()),
                ("values", strings(&["o-a1b2c3d4e5"])),
            ]))]),
        ),
    ]));
    let inputs = env.checked("org", &obj(&[("policyStatements", Value::Array(vec![org]))])).await;
    let (id, out) = env.create("org", &inputs, false).await.expect("an organisation-wide grant");
    let held = statements_in_force(&env.moto).await;
    assert_eq!(held[0]["Principal"], "*");
    assert_eq!(held[0]["Condition"], json!({"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}));
    // Import reconstructs it (as JSON) with no diff.
    let (imported_out, imported_in) = env.read_found("org", &id, &Map::new(), &Map::new()).await;
    let checked = env.checked("org", &imported_in).await;
    let d = env.diff("org", &id, &imported_out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
    env.moto.start_recording();
    env.delete("org", &id, &out).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["GetRegistryPolicy", "DeleteRegistryPolicy"]);
    assert!(statements_in_force(&env.moto).await.is_empty());
}

#[tokio::test]
async fn a_statement_under_a_declared_sid_is_refused_and_the_advice_works() {
    let mut env = env().await;
    // Another stack (or a hand) wrote a statement under the sid we declare.
    let mut earlier = theirs();
    earlier["Sid"] = json!("AwsecrPullThroughFromDev");
    put_policy(&env.moto, vec![earlier.clone(), theirs()]).await;
    let inputs =
        env.checked("reg", &obj(&[("policyStatements", Value::Array(vec![pull_through_statement(OTHER)]))])).await;
    env.moto.start_recording();
    let err = env.create("reg", &inputs, false).await.unwrap_err();
    let calls = env.moto.stop_recording();
    assert!(calls.iter().all(|c| !c.starts_with("Put")), "nothing written: {calls:?}");
    assert_eq!(err.code(), Code::FailedPrecondition);
    for words in [
        "already has a registry policy statement AwsecrPullThroughFromDev (",
        "ecr:BatchImportUpstreamImage",
        "pulumi import awsecr:index:Registry reg 123456789012/us-east-1",
        "adopt: true",
    ] {
        assert!(err.message().contains(words), "{words}: {}", err.message());
    }

    // Following the advice: the import brings the statement (as JSON) and
    // nothing else of the policy, and declaring that changes nothing.
    let (imported_out, imported_in) = env.read_found("reg", &registry_id(), &Map::new(), &Map::new()).await;
    let statements = imported_in["policyStatements"].clone();
    assert!(format!("{statements:?}").contains("PullThroughFromDev"), "{statements:?}");
    assert!(!format!("{statements:?}").contains("HandWrittenPullThrough"), "only statements with our prefix");
    let checked = env.checked("reg", &imported_in).await;
    let d = env.diff("reg", &registry_id(), &imported_out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Or adopt: ours replaces the one under the same sid, theirs stays.
    let adopting = env
        .checked(
            "reg",
            &obj(&[("policyStatements", Value::Array(vec![pull_through_statement(OTHER)])), ("adopt", true.into())]),
        )
        .await;
    env.create("reg", &adopting, false).await.expect("adopt takes the statement over");
    let held = statements_in_force(&env.moto).await;
    assert_eq!(sids(&held), vec!["AwsecrPullThroughFromDev", "HandWrittenPullThrough"]);
}

#[tokio::test]
async fn the_size_limit_names_what_the_others_take() {
    let mut env = env().await;
    // Statements of others taking most of ECR's 10,240 characters.
    let big: Vec<Json> = (0..28)
        .map(|i| {
            let principals: Vec<String> = (0..6).map(|j| format!("arn:aws:iam::{:012}:root", 100_000_000_000u64 + i * 10 + j)).collect();
            json!({"Sid": format!("Theirs{i}"), "Effect": "Allow", "Principal": {"AWS": principals}, "Action": "ecr:ReplicateImage", "Resource": "*"})
        })
        .collect();
    put_policy(&env.moto, big).await;
    let accounts: Vec<String> = (0..60).map(|i| format!("{:012}", 300_000_000_000u64 + i)).collect();
    let accounts: Vec<&str> = accounts.iter().map(String::as_str).collect();
    let inputs = env.checked("reg", &obj(&[("replicationSourceAccounts", strings(&accounts))])).await;
    let err = env.create("reg", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    for words in ["characters, over ECR's limit of 10240", "statements this stack does not own take"] {
        assert!(err.message().contains(words), "{words}: {}", err.message());
    }
    assert_eq!(statements_in_force(&env.moto).await.len(), 28, "nothing written");
}

#[tokio::test]
async fn an_import_id_of_another_account_is_refused() {
    let mut env = env().await;
    let err = env.try_read("reg", &format!("{OTHER}/{REGION}"), &Map::new(), &Map::new()).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    for words in ["names account 210987654321", "registry of account 123456789012", "import 123456789012/us-east-1"] {
        assert!(err.message().contains(words), "{words}: {}", err.message());
    }
}

/// A registry statement takes a Repository's organization vocabulary:
/// `organizations` and `organizationPaths` write the same condition keys,
/// refresh finds no drift, a hand edit of the organization is drift that the
/// next update puts back, and bad forms are refused before any call.
#[tokio::test]
async fn statements_grant_organizations_in_the_repository_vocabulary() {
    let mut env = env().await;
    let org = Value::Object(obj(&[
        ("sid", "OrgPullThrough".into()),
        ("principals", strings(&["*"])),
        ("actions", strings(&["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"])),
        ("organizations", strings(&["o-a1b2c3d4e5"])),
        ("organizationPaths", strings(&["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"])),
    ]));
    let inputs = env.checked("org", &obj(&[("policyStatements", Value::Array(vec![org]))])).await;
    let (id, out) = env.create("org", &inputs, false).await.expect("an organization grant");
    let held = statements_in_force(&env.moto).await;
    assert_eq!(held[0]["Sid"], "AwsecrOrgPullThrough");
    assert_eq!(held[0]["Principal"], "*");
    assert_eq!(
        held[0]["Condition"],
        json!({
            "StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]},
            "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]},
        })
    );
    let (read_out, read_in) = env.read_found("org", &id, &out, &inputs).await;
    assert_eq!(read_in.get("policyStatements"), inputs.get("policyStatements"), "the declared fields stay");
    let d = env.diff("org", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Another organization by hand: drift on our statement, put back by the next update.
    let mut edited = held[0].clone();
    edited["Condition"]["StringEquals"]["aws:PrincipalOrgID"] = json!("o-f6g7h8i9j0");
    put_policy(&env.moto, vec![edited]).await;
    let (drifted, drifted_in) = env.read_found("org", &id, &read_out, &inputs).await;
    let d = env.diff("org", &id, &drifted, &inputs).await;
    assert!(d.diffs.contains(&"policyStatements".to_string()), "{:?} {drifted_in:?}", d.diffs);
    env.updated("org", &id, &drifted, &inputs, false).await;
    assert_eq!(statements_in_force(&env.moto).await, held);

    let bad = Value::Object(obj(&[
        ("sid", "Bad".into()),
        ("principals", strings(&["*"])),
        ("actions", strings(&["ecr:ReplicateImage"])),
        ("organizations", strings(&["o-123"])),
    ]));
    env.moto.start_recording();
    let (_, failures) = env.check("bad", &obj(&[("policyStatements", Value::Array(vec![bad]))]), &Map::new()).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
    let got: Vec<(String, String)> = failures.iter().map(path_and_reason).collect();
    assert!(
        got.iter().any(|(p, r)| p == "policyStatements[0].organizations[0]" && r.contains("o- followed by 10 to 32")),
        "{got:?}"
    );
}
