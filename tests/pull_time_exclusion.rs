//! `awsecr:index:PullTimeUpdateExclusion` (issue 26, point 3) over gRPC
//! against the real provider binary and the local ECR: one principal per
//! resource, owned per principal. Create, refresh (gone: dropped), import
//! without a diff, a delete that deregisters only ours, a take-over refused
//! unless adopt, a lost reply recognised as our own, Check failures naming
//! the property, one owner per principal inside one provider, and the
//! calls each step makes.

mod common;

use common::env::Env;
use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::property::{Map, Value};
use tonic::Code;

const TOKEN: &str = "awsecr:index:PullTimeUpdateExclusion";

fn principal(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

async fn env() -> Env {
    Env::with_config(Moto::start(), &[]).await.of_type(TOKEN)
}

fn declared(arn: &str) -> Map {
    obj(&[("principalArn", arn.into())])
}

async fn registered(moto: &Moto) -> Vec<String> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let r = moto
            .ecr()
            .await
            .list_pull_time_update_exclusions()
            .set_next_token(token)
            .send()
            .await
            .expect("ListPullTimeUpdateExclusions by hand");
        all.extend(r.pull_time_update_exclusions().iter().cloned());
        match r.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    all.sort();
    all
}

async fn register_by_hand(moto: &Moto, arn: &str) {
    moto.ecr()
        .await
        .register_pull_time_update_exclusion()
        .principal_arn(arn)
        .send()
        .await
        .expect("RegisterPullTimeUpdateExclusion by hand");
}

#[tokio::test]
async fn create_refresh_import_and_a_delete_that_keeps_the_others() {
    let mut env = env().await;
    let ours = principal("inspector-scanner");
    let theirs = principal("someone-elses-ci");
    register_by_hand(&env.moto, &theirs).await;

    let inputs = env.checked("scanner", &declared(&ours)).await;
    assert_eq!(inputs["adopt"], Value::Bool(false), "the default is applied in Check");
    let (_, preview) = env.create("scanner", &inputs, true).await.expect("preview");
    assert_eq!(preview["principalArn"], Value::from(ours.as_str()));

    env.moto.start_recording();
    let (id, out) = env.create("scanner", &inputs, false).await.expect("create");
    assert_eq!(env.moto.stop_recording(), vec!["RegisterPullTimeUpdateExclusion", "DescribeRegistry"]);
    assert_eq!(id, ours, "the id is the principal's ARN");
    assert_eq!(out["registryId"], Value::from(ACCOUNT));
    assert_eq!(out["region"], Value::from(REGION));
    assert!(out["createdAt"].as_str().is_some_and(|t| t.contains('T')), "{out:?}");
    assert_eq!(registered(&env.moto).await, vec![ours.clone(), theirs.clone()]);

    // Refresh: one List, nothing changed, no diff.
    env.moto.start_recording();
    let (read_out, read_in) = env.read_found("scanner", &id, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["ListPullTimeUpdateExclusions"]);
    assert_eq!(read_out, out);
    let infos = env.engine.messages(pulumi_resource_awsecr::proto::pulumirpc::LogSeverity::Info);
    assert!(
        infos.iter().any(|m| m.contains(&theirs) && m.contains("kept") && !m.contains(&ours)),
        "the foreign principal is reported, not touched: {infos:?}"
    );
    assert!(env.diff("scanner", &id, &read_out, &read_in).await.diffs.is_empty());

    // Import by the ARN: the inputs a program declares, no diff.
    env.moto.start_recording();
    let (imp_out, imp_in) = env.read_found("scanner", &id, &Map::new(), &Map::new()).await;
    assert_eq!(env.moto.stop_recording(), vec!["ListPullTimeUpdateExclusions", "DescribeRegistry"]);
    assert_eq!(imp_in, obj(&[("principalArn", ours.as_str().into()), ("adopt", false.into())]));
    let news = env.checked("scanner", &declared(&ours)).await;
    let d = env.diff("scanner", &id, &imp_out, &news).await;
    assert!(d.diffs.is_empty(), "import then up changes nothing: {:?}", d.diffs);

    // Another principal replaces it, the new one registered first.
    let other = env.checked("scanner", &declared(&principal("other"))).await;
    let d = env.diff("scanner", &id, &out, &other).await;
    assert_eq!((d.replaces.clone(), d.delete_before_replace), (vec!["principalArn".to_string()], false));

    // Delete: only ours is deregistered; theirs stays.
    env.moto.start_recording();
    env.delete("scanner", &id, &out).await.expect("delete");
    assert_eq!(env.moto.stop_recording(), vec!["DeregisterPullTimeUpdateExclusion"]);
    assert_eq!(registered(&env.moto).await, vec![theirs.clone()]);
    // Already gone counts as deleted.
    env.delete("scanner", &id, &out).await.expect("a second delete");
    assert_eq!(registered(&env.moto).await, vec![theirs]);

    // Refresh of one deregistered by hand: dropped from the state.
    let r = env.read("scanner", &id, &out, &inputs).await;
    assert_eq!(r.id, "", "gone: refresh drops it");
    // Import of one not registered: an error naming it.
    let e = env.try_read("scanner", &ours, &Map::new(), &Map::new()).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    assert!(e.message().contains(&ours), "{}", e.message());
}

#[tokio::test]
async fn taking_over_a_registered_principal_is_refused_unless_adopt() {
    let mut env = env().await;
    let arn = principal("ci");
    register_by_hand(&env.moto, &arn).await;

    let inputs = env.checked("ci", &declared(&arn)).await;
    let e = env.create("ci", &inputs, false).await.unwrap_err();
    assert_eq!(e.code(), Code::AlreadyExists, "{}", e.message());
    let import = format!("pulumi import {TOKEN} ci {arn}");
    assert!(e.message().contains(&import), "the advice is the import command: {}", e.message());
    assert!(e.message().contains("adopt: true"), "{}", e.message());
    assert_eq!(registered(&env.moto).await, vec![arn.clone()], "nothing changed");

    let adopting = env.checked("ci", &obj(&[("principalArn", arn.as_str().into()), ("adopt", true.into())])).await;
    let (id, out) = env.create("ci", &adopting, false).await.expect("adopt");
    assert_eq!(id, arn);
    assert_eq!(out["adopt"], Value::Bool(true));
    assert!(env.warnings().iter().any(|w| w.contains("adopted") && w.contains(&arn)), "{:?}", env.warnings());
    // adopt changes in place, without a call.
    let d = env.diff("ci", &id, &out, &inputs).await;
    assert_eq!((d.diffs.clone(), d.replaces.clone()), (vec!["adopt".to_string()], vec![]));
    env.moto.start_recording();
    let out = env.updated("ci", &id, &out, &inputs, false).await;
    assert!(env.moto.stop_recording().is_empty());
    assert_eq!(out["adopt"], Value::Bool(false));
    // Adopted, it is ours: the delete deregisters it.
    env.delete("ci", &id, &out).await.expect("delete");
    assert!(registered(&env.moto).await.is_empty());
}

#[tokio::test]
async fn a_lost_reply_is_recognised_as_our_own_register() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await.of_type(TOKEN);
    for (name, fault) in [("lost-500", Fault::LoseReply(Some(500))), ("lost-drop", Fault::LoseReply(None))] {
        let arn = principal(name);
        proxy.inject("RegisterPullTimeUpdateExclusion", fault, Some(1));
        let inputs = env.checked(name, &declared(&arn)).await;
        let (id, out) = env.create(name, &inputs, false).await.expect("a create whose first reply was lost");
        assert_eq!(id, arn);
        assert_eq!(out["registryId"], Value::from(ACCOUNT));
        assert!(registered(&env.moto).await.contains(&arn));
    }
    let counts = proxy.counts();
    assert_eq!(
        counts.lost_by_operation.get("RegisterPullTimeUpdateExclusion").copied(),
        Some(2),
        "both first replies were lost after the write: {counts:?}"
    );
}

#[tokio::test]
async fn the_limit_of_exclusions_says_what_to_do() {
    let mut env = env().await;
    for i in 0..100 {
        register_by_hand(&env.moto, &principal(&format!("p{i}"))).await;
    }
    let inputs = env.checked("one-more", &declared(&principal("one-more"))).await;
    let e = env.create("one-more", &inputs, false).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition, "{}", e.message());
    assert!(e.message().contains("100") && e.message().contains(&principal("one-more")), "{}", e.message());
    assert!(e.message().contains("deregister one"), "{}", e.message());
}

#[tokio::test]
async fn check_names_the_property_and_what_is_allowed() {
    let mut env = env().await;
    let cases: Vec<(Map, &str, &str)> = vec![
        (Map::new(), "principalArn", "is required"),
        (declared("scanner"), "principalArn", "must be the ARN of an IAM role or user"),
        (declared(&format!("arn:aws:iam::{ACCOUNT}:group/devs")), "principalArn", "must be the ARN of an IAM role"),
        (declared(&format!("arn:aws:sts::{ACCOUNT}:assumed-role/x/y")), "principalArn", "must be the ARN"),
        (declared(&format!("arn:aws-cn:iam::{ACCOUNT}:role/x")), "principalArn", "partition aws"),
        (obj(&[("principalArn", principal("x").into()), ("adopt", "yes".into())]), "adopt", "must be true or false"),
        (obj(&[("principalArn", principal("x").into()), ("principal", "x".into())]), "principal", ""),
    ];
    env.moto.start_recording();
    for (news, property, reason) in cases {
        let (_, failures) = env.check("bad", &news, &Map::new()).await;
        let found: Vec<(String, String)> = failures.iter().map(path_and_reason).collect();
        assert!(found.iter().any(|(p, r)| p == property && r.contains(reason)), "{news:?}: {found:?}");
    }
    assert!(env.moto.stop_recording().is_empty(), "Check makes no call");
}

#[tokio::test]
async fn two_resources_cannot_own_one_principal() {
    let mut env = env().await;
    let arn = principal("scanner");
    let inputs = env.checked("first", &declared(&arn)).await;
    let (failures_inputs, failures) = env.check("second", &declared(&arn), &Map::new()).await;
    let found: Vec<(String, String)> = failures.iter().map(path_and_reason).collect();
    assert!(found.iter().any(|(p, r)| p == "principalArn" && r.contains(&arn) && r.contains("\"first\"")), "{found:?}");
    // A create that comes without Check is held to the same rule.
    let (_, out) = env.create("first", &inputs, false).await.expect("create first");
    let e = env.create("second", &failures_inputs, false).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition, "{}", e.message());
    assert_eq!(registered(&env.moto).await, vec![arn.clone()]);
    // Another principal is fine.
    env.checked("second", &declared(&principal("ci"))).await;
    env.delete("first", &arn, &out).await.expect("delete");
}

#[tokio::test]
async fn a_secret_principal_stays_secret() {
    let mut env = env().await;
    let arn = principal("hidden-scanner");
    let inputs = env.checked("hidden", &obj(&[("principalArn", Value::from(arn.as_str()).into_secret())])).await;
    let (id, out) = env.create("hidden", &inputs, false).await.expect("create");
    assert!(matches!(out["principalArn"], Value::Secret(_)), "{out:?}");
    let (read_out, read_in) = env.read_found("hidden", &id, &out, &inputs).await;
    assert!(matches!(read_out["principalArn"], Value::Secret(_)), "{read_out:?}");
    assert!(matches!(read_in["principalArn"], Value::Secret(_)), "{read_in:?}");
    env.delete("hidden", &id, &out).await.expect("delete");
    assert!(registered(&env.moto).await.is_empty());
}
