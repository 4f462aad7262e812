//! Replication backfills of the Registry over gRPC, against the real
//! provider binary and the emulator (tests/support/ecr_registry_2026.py,
//! where a backfill moves on one status each time it is read): a destination
//! with `backfill: true` starts exactly one backfill when it is added, on
//! create or by the update that adds it, and never otherwise; the state is
//! the output `replicationBackfills`, refreshed beside the other reads; the
//! opt-in has no ECR counterpart, so it is never a diff (import, switching it
//! on later); a backfill that cannot start says which destination and what
//! to do; a lost reply is recognised as our own start. Calls counted with the
//! emulator's recorder, overlap with the fault proxy.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_ecr::types::{ReplicationConfiguration, ReplicationDestination, ReplicationRule};
use common::env::Env;
use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::error::init_failure_of;
use pulumi_resource_awsecr::property::{Map, Value, decode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;
use pulumi_resource_awsecr::resources::registry::backfill::STATUSES;
use tonic::Code;

const REGISTRY: &str = "awsecr:index:Registry";
const OTHER: &str = "210987654321";
const NO_CHANGE: i32 = pulumirpc::diff_response::DiffChanges::DiffNone as i32;

async fn env() -> Env {
    Env::with_config(Moto::start(), &[]).await.of_type(REGISTRY)
}

fn dest(region: &str, registry_id: Option<&str>, backfill: Option<bool>) -> Value {
    let mut d = obj(&[("region", region.into())]);
    if let Some(id) = registry_id {
        d.insert("registryId".into(), id.into());
    }
    if let Some(b) = backfill {
        d.insert("backfill".into(), b.into());
    }
    Value::Object(d)
}

/// A Registry with one replication rule.
fn replication(destinations: Vec<Value>, prefixes: &[&str]) -> Map {
    let mut rule = obj(&[("destinations", Value::Array(destinations))]);
    if !prefixes.is_empty() {
        rule.insert("repositoryPrefixes".into(), strings(prefixes));
    }
    obj(&[("replication", Value::Array(vec![Value::Object(rule)]))])
}

/// The records of `replicationBackfills`, each as its map.
fn records(out: &Map) -> Vec<Map> {
    match out.get("replicationBackfills").map(Value::plain) {
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => m,
                other => panic!("a record is an object: {other:?}"),
            })
            .collect(),
        None => Vec::new(),
        Some(other) => panic!("replicationBackfills is a list: {other:?}"),
    }
}

fn text(m: &Map, k: &str) -> String {
    m.get(k).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn count(m: &Map, k: &str) -> Option<f64> {
    match m.get(k) {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    }
}

/// The backfills ECR lists (the emulator moves each on a status when it
/// lists it), as (region, registry id, backfill id).
async fn backfills_in_ecr(moto: &Moto) -> BTreeSet<(String, String, String)> {
    let r = moto.ecr().await.list_replication_backfills().send().await.expect("ListReplicationBackfills");
    r.backfills()
        .iter()
        .map(|b| {
            let d = b.destination().unwrap();
            (d.region().to_string(), d.registry_id().to_string(), b.replication_backfill_id().to_string())
        })
        .collect()
}

async fn image_in(moto: &Moto, repo: &str) {
    moto.ecr().await.create_repository().repository_name(repo).send().await.expect("CreateRepository");
    moto.push_image(repo, "v1").await;
}

fn partial_state(err: &tonic::Status) -> Map {
    let init = init_failure_of(err).expect("ErrorResourceInitFailed in the status details");
    init.properties.as_ref().map(decode_struct).expect("the state ECR holds")
}

#[tokio::test]
async fn a_destination_added_with_backfill_starts_one_backfill_and_refresh_follows_it() {
    let mut env = env().await;
    image_in(&env.moto, "prod/api").await;
    let first = replication(vec![dest("eu-west-1", None, Some(true)), dest("us-west-2", Some(OTHER), None)], &[]);
    let inputs = env.checked("reg", &first).await;

    // Preview: no call, the backfill to come unknown.
    env.moto.start_recording();
    let (_, preview) = env.create("reg", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
    assert_eq!(preview["replicationBackfills"], Value::Unknown);

    // Create: the backfill starts once the rules hold its destination, for
    // the opted-in destination only.
    env.moto.start_recording();
    let (id, out) = env.create("reg", &inputs, false).await.unwrap();
    assert_eq!(
        *env.moto.stop_recording(),
        vec!["DescribeRegistry", "PutReplicationConfiguration", "StartReplicationBackfill"],
        "in this order: ECR refuses a backfill to a destination not in the rules"
    );
    let started = records(&out);
    assert_eq!(started.len(), 1, "{started:?}");
    let backfill_id = text(&started[0], "backfillId");
    assert_eq!(text(&started[0], "region"), "eu-west-1");
    assert_eq!(text(&started[0], "registryId"), ACCOUNT);
    assert_eq!(text(&started[0], "status"), "PREPARING");
    assert!(!text(&started[0], "startedAt").is_empty(), "{started:?}");
    assert_eq!(count(&started[0], "totalReplicationCount"), None, "no progress while PREPARING");
    assert_eq!(env.diff("reg", &id, &out, &inputs).await.changes, NO_CHANGE);

    // Refresh: the backfill read beside the rules; then it ends; then it is
    // read no more.
    env.moto.start_recording();
    let (out, read_in) = env.read_found("reg", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry", "DescribeReplicationBackfillResults"]);
    assert_eq!(read_in["replication"], inputs["replication"], "the opt-in is kept as declared");
    let r = &records(&out)[0];
    assert_eq!((text(r, "backfillId"), text(r, "status")), (backfill_id.clone(), "IN_PROGRESS".to_string()));
    assert_eq!(count(r, "totalReplicationCount"), Some(1.0), "one image and tag in the registry: {r:?}");
    assert_eq!(count(r, "completedReplicationCount"), Some(0.0));
    assert_eq!(env.diff("reg", &id, &out, &inputs).await.changes, NO_CHANGE);
    let (out, _) = env.read_found("reg", &id, &out, &inputs).await;
    let r = &records(&out)[0];
    assert_eq!(text(r, "status"), "COMPLETE");
    assert_eq!(count(r, "completedReplicationCount"), Some(1.0));
    assert!(!text(r, "endedAt").is_empty(), "{r:?}");
    env.moto.start_recording();
    let (out, _) = env.read_found("reg", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry"], "an ended backfill is not read again");
    assert_eq!(text(&records(&out)[0], "status"), "COMPLETE");

    // An update that changes something else starts none.
    let prefixed = env
        .checked(
            "reg",
            &replication(vec![dest("eu-west-1", None, Some(true)), dest("us-west-2", Some(OTHER), None)], &["prod"]),
        )
        .await;
    assert_eq!(env.diff("reg", &id, &out, &prefixed).await.diffs, vec!["replication"]);
    env.moto.start_recording();
    let out = env.updated("reg", &id, &out, &prefixed, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["PutReplicationConfiguration"]);
    assert_eq!(records(&out).len(), 1);
    assert_eq!(text(&records(&out)[0], "backfillId"), backfill_id);

    // Switching the opt-in on for a destination already there is no change,
    // and an update with it starts nothing.
    let switched = env
        .checked(
            "reg",
            &replication(
                vec![dest("eu-west-1", None, Some(true)), dest("us-west-2", Some(OTHER), Some(true))],
                &["prod"],
            ),
        )
        .await;
    assert_eq!(env.diff("reg", &id, &out, &switched).await.changes, NO_CHANGE);
    env.moto.start_recording();
    let out = env.updated("reg", &id, &out, &switched, false).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());

    // An update that adds an opted-in destination starts one, for it only.
    let more = env
        .checked(
            "reg",
            &replication(
                vec![
                    dest("eu-west-1", None, Some(true)),
                    dest("us-west-2", Some(OTHER), Some(true)),
                    dest("ap-south-1", None, Some(true)),
                ],
                &["prod"],
            ),
        )
        .await;
    env.moto.start_recording();
    let preview = env.updated("reg", &id, &out, &more, true).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
    assert_eq!(preview["replicationBackfills"], Value::Unknown, "a backfill starts: not known at preview");
    env.moto.start_recording();
    let out = env.updated("reg", &id, &out, &more, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["PutReplicationConfiguration", "StartReplicationBackfill"]);
    let now = records(&out);
    let places: Vec<(String, String, String)> =
        now.iter().map(|r| (text(r, "region"), text(r, "registryId"), text(r, "status"))).collect();
    assert_eq!(
        places,
        vec![
            ("ap-south-1".to_string(), ACCOUNT.to_string(), "PREPARING".to_string()),
            ("eu-west-1".to_string(), ACCOUNT.to_string(), "COMPLETE".to_string()),
        ]
    );
    let in_ecr = backfills_in_ecr(&env.moto).await;
    let expected: BTreeSet<(String, String, String)> =
        now.iter().map(|r| (text(r, "region"), text(r, "registryId"), text(r, "backfillId"))).collect();
    assert_eq!(in_ecr, expected, "exactly the two backfills the outputs report");

    // Delete resets the rules and leaves the backfills alone.
    env.moto.start_recording();
    env.delete("reg", &id, &out).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["PutReplicationConfiguration"], "no StopReplicationBackfill");
    assert_eq!(backfills_in_ecr(&env.moto).await.len(), 2);
}

#[tokio::test]
async fn without_the_opt_in_nothing_starts_and_an_import_has_no_diff() {
    let mut env = env().await;
    image_in(&env.moto, "prod/api").await;
    let plain = env.checked("reg", &replication(vec![dest("eu-west-1", None, None)], &[])).await;
    env.moto.start_recording();
    let (id, out) = env.create("reg", &plain, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["DescribeRegistry", "PutReplicationConfiguration"]);
    assert!(!out.contains_key("replicationBackfills"), "{out:?}");
    env.delete("reg", &id, &out).await.unwrap();

    // Rules made outside Pulumi, imported: the opt-in (no ECR counterpart)
    // reads as false, and a program that opts in shows no diff.
    rules_by_hand(&env.moto, &["eu-west-1"]).await;
    env.moto.start_recording();
    let (out, imported) = env.read_found("reg", &id, &Map::new(), &Map::new()).await;
    assert_eq!(
        env.moto.stop_recording(),
        vec!["GetRegistryScanningConfiguration", "DescribeRegistry", "GetRegistryPolicy", "GetSigningConfiguration"],
        "every group and no backfill is read on import"
    );
    assert_eq!(imported["replication"], replication(vec![dest("eu-west-1", None, Some(false))], &[])["replication"]);
    assert!(!out.contains_key("replicationBackfills"));
    let checked = env.checked("reg", &imported).await;
    assert_eq!(env.diff("reg", &id, &out, &checked).await.changes, NO_CHANGE);
    let opted = env.checked("reg", &replication(vec![dest("eu-west-1", None, Some(true))], &[])).await;
    assert_eq!(env.diff("reg", &id, &out, &opted).await.changes, NO_CHANGE, "the opt-in is never a diff");
    assert!(backfills_in_ecr(&env.moto).await.is_empty());
}

/// Drift in the rules keeps the opt-in of the destinations still there, and
/// a destination the rules lost outside Pulumi counts as added when the next
/// `up` puts it back.
#[tokio::test]
async fn drift_keeps_the_opt_in() {
    let mut env = env().await;
    let inputs = env
        .checked(
            "reg",
            &replication(vec![dest("eu-west-1", None, Some(true)), dest("ap-south-1", None, Some(true))], &[]),
        )
        .await;
    let (id, out) = env.create("reg", &inputs, false).await.unwrap();
    assert_eq!(records(&out).len(), 2);
    rules_by_hand(&env.moto, &["eu-west-1"]).await;
    let (out, read_in) = env.read_found("reg", &id, &out, &inputs).await;
    assert_eq!(read_in["replication"], replication(vec![dest("eu-west-1", None, Some(true))], &[])["replication"]);
    let left: Vec<String> = records(&out).iter().map(|r| text(r, "region")).collect();
    assert_eq!(left, vec!["eu-west-1"], "the record of a destination the rules no longer have is dropped");
    assert_eq!(env.diff("reg", &id, &out, &inputs).await.diffs, vec!["replication"]);
}

/// Rules made outside Pulumi, for `destinations` of this account.
async fn rules_by_hand(moto: &Moto, regions: &[&str]) {
    let mut rule = ReplicationRule::builder();
    for region in regions {
        rule =
            rule.destinations(ReplicationDestination::builder().region(*region).registry_id(ACCOUNT).build().unwrap());
    }
    let config = ReplicationConfiguration::builder().rules(rule.build().unwrap()).build().unwrap();
    moto.ecr().await.put_replication_configuration().replication_configuration(config).send().await.unwrap();
}

/// Taking rules over (`adopt`, on create or when an update first declares
/// them) starts no backfill for a destination ECR's rules already have.
#[tokio::test]
async fn taking_rules_over_starts_none_for_a_destination_already_there() {
    let mut env = env().await;
    rules_by_hand(&env.moto, &["eu-west-1"]).await;
    let mut declared =
        replication(vec![dest("eu-west-1", None, Some(true)), dest("ap-south-1", None, Some(true))], &[]);
    declared.insert("adopt".into(), true.into());
    let inputs = env.checked("reg", &declared).await;
    env.moto.start_recording();
    let (_, out) = env.create("reg", &inputs, false).await.unwrap();
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRegistry", "PutReplicationConfiguration", "StartReplicationBackfill"]
    );
    let regions: Vec<String> = records(&out).iter().map(|r| text(r, "region")).collect();
    assert_eq!(regions, vec!["ap-south-1"]);

    // An update that first declares the rules, with adopt, reads them.
    let mut env = self::env().await;
    let scanning = obj(&[("scanning", Value::Object(obj(&[("scanOnPush", strings(&["*"]))])))]);
    let first = env.checked("reg", &scanning).await;
    let (id, out) = env.create("reg", &first, false).await.unwrap();
    rules_by_hand(&env.moto, &["eu-west-1"]).await;
    let mut more = declared.clone();
    more.extend(scanning);
    let news = env.checked("reg", &more).await;
    env.moto.start_recording();
    let out = env.updated("reg", &id, &out, &news, false).await;
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRegistry", "PutReplicationConfiguration", "StartReplicationBackfill"]
    );
    let regions: Vec<String> = records(&out).iter().map(|r| text(r, "region")).collect();
    assert_eq!(regions, vec!["ap-south-1"]);
}

#[tokio::test]
async fn a_backfill_that_cannot_start_names_the_destination_and_what_to_do() {
    let mut env = env().await;
    // ECR runs one backfill per destination region at a time: while the one
    // to another account's eu-west-1 runs, adding this account's eu-west-1
    // writes the rules but cannot start its backfill.
    let first = env.checked("reg", &replication(vec![dest("eu-west-1", Some(OTHER), Some(true))], &[])).await;
    let (id, out) = env.create("reg", &first, false).await.unwrap();
    let running = text(&records(&out)[0], "backfillId");
    let inputs = env
        .checked(
            "reg",
            &replication(vec![dest("eu-west-1", Some(OTHER), Some(true)), dest("eu-west-1", None, Some(true))], &[]),
        )
        .await;
    let err = env.update("reg", &id, &out, &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{}", err.message());
    for words in [
        format!("no replication backfill was started to eu-west-1 (registry {ACCOUNT})"),
        "a backfill to eu-west-1 is in progress, and ECR runs one per destination region at a time".to_string(),
        format!(
            "run `aws ecr start-replication-backfill --region {REGION} --destination region=eu-west-1,registryId={ACCOUNT}` once it has ended"
        ),
    ] {
        assert!(err.message().contains(&words), "{words}: {}", err.message());
    }
    let state = partial_state(&err);
    assert_eq!(state["replication"], inputs["replication"], "the rules were written");
    let kept: Vec<String> = records(&state).iter().map(|r| text(r, "backfillId")).collect();
    assert_eq!(kept, vec![running], "the record of the running one is kept");
    // The destination is in the state now: the next up starts nothing.
    assert_eq!(env.diff("reg", &id, &state, &inputs).await.changes, NO_CHANGE);
    assert_eq!(backfills_in_ecr(&env.moto).await.len(), 1);
}

#[tokio::test]
async fn a_lost_reply_is_our_own_backfill_and_refresh_is_one_round_trip() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await.of_type(REGISTRY);
    let inputs = env.checked("reg", &replication(vec![dest("eu-west-1", None, Some(true))], &[])).await;
    proxy.inject("StartReplicationBackfill", Fault::LoseReply(Some(500)), Some(1));
    let (id, out) = env.create("reg", &inputs, false).await.expect("a create whose start reply was lost");
    let counts = proxy.counts();
    assert_eq!(counts.lost_by_operation.get("StartReplicationBackfill").copied(), Some(1), "{counts:?}");
    let started = records(&out);
    assert_eq!(started.len(), 1);
    let in_ecr = backfills_in_ecr(&env.moto).await;
    assert_eq!(in_ecr.len(), 1, "the retry started no second one");
    assert_eq!(in_ecr.iter().next().unwrap().2, text(&started[0], "backfillId"), "the one ECR runs is recorded");

    // Refresh: the backfill is read at once with the rules.
    proxy.clear();
    for op in ["DescribeRegistry", "DescribeReplicationBackfillResults"] {
        proxy.inject(op, Fault::SlowReply(Duration::from_millis(300)), None);
    }
    proxy.reset_counts();
    env.read_found("reg", &id, &out, &inputs).await;
    let counts = proxy.counts();
    assert_eq!((counts.forwarded, counts.max_in_flight), (2, 2), "two reads, one round trip: {counts:?}");
}

/// The statuses the provider knows are those of the ECR model the tests run
/// with: a status AWS adds fails here.
#[test]
fn the_statuses_are_the_models() {
    let out = std::process::Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import botocore.session; m = botocore.session.get_session().get_service_model('ecr'); \
             print(' '.join(m.shape_for('ReplicationBackfillStatus').enum))",
        ])
        .output()
        .expect("run the venv's python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let model: BTreeSet<String> =
        String::from_utf8(out.stdout).unwrap().split_whitespace().map(str::to_string).collect();
    let ours: BTreeSet<String> = STATUSES.iter().map(|s| s.to_string()).collect();
    assert_eq!(ours, model);
}

/// A destination given as a secret gives secret records.
#[tokio::test]
async fn records_of_a_secret_destination_are_secret() {
    let mut env = env().await;
    let secret_dest = Value::Secret(Box::new(dest("us-west-2", Some(OTHER), Some(true))));
    let inputs = env.checked("reg", &replication(vec![secret_dest], &[])).await;
    let (id, out) = env.create("reg", &inputs, false).await.unwrap();
    assert!(matches!(out["replicationBackfills"], Value::Secret(_)), "{:?}", out["replicationBackfills"]);
    assert_eq!(records(&out).len(), 1);
    let (out, _) = env.read_found("reg", &id, &out, &inputs).await;
    assert!(matches!(out["replicationBackfills"], Value::Secret(_)), "secret after refresh too");
}
