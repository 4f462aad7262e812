//! Access for runtimes and CI over gRPC, against the real provider binary and
//! a local ECR emulator: the repository policy written from `pullPrincipals`
//! and `pushPrincipals` (created, read back, updated with one call, removed,
//! drift after a hand edit), the organization and Lambda grants
//! (`pullOrganizations`, `pullOrganizationPaths`, `lambdaPull`: the same
//! cycle, hand-written AWS-style policies imported into the fields, Check
//! refusals), the IAM policy documents, and the functions
//! `getRepository` and `getAuthorizationToken`. What ECR holds is checked with
//! an independent AWS SDK client; calls are counted with moto's recorder.

mod common;

use std::collections::BTreeSet;

use common::env::Env;
use common::proxy::{Fault, FaultProxy};
use common::*;
use prost_types::value::Kind;
use pulumi_resource_awsecr::error::init_failure_of;
use pulumi_resource_awsecr::property::{Map, SIG_KEY, SIG_SECRET, Value};
use pulumi_resource_awsecr::proto::pulumirpc;
use serde_json::{Value as Json, json};
use tonic::Code;

const GET_REPOSITORY: &str = "awsecr:index:getRepository";
const GET_TOKEN: &str = "awsecr:index:getAuthorizationToken";

const OTHER_ACCOUNT: &str = "111122223333";
const TASK_ROLE: &str = "arn:aws:iam::123456789012:role/ecs/task-execution";
const CI_ROLE: &str = "arn:aws:iam::123456789012:role/ci";
const CI_USER: &str = "arn:aws:iam::444455556666:user/deployer";

const PULL: &[&str] = &["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const PUSH: &[&str] = &[
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
];

/// The emulator with the roles these tests grant access to: like ECR, it
/// refuses a policy naming a role of its account that does not exist.
fn emulator() -> Moto {
    let moto = Moto::start();
    assert_eq!(moto.create_role("ecs/task-execution"), TASK_ROLE);
    assert_eq!(moto.create_role("ci"), CI_ROLE);
    moto
}

/// Principal -> sorted actions, for every statement of a repository policy.
fn grants(policy: &Json) -> Vec<(String, Vec<String>)> {
    let mut out = std::collections::BTreeMap::<String, BTreeSet<String>>::new();
    for st in policy["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow");
        let principals = match &st["Principal"]["AWS"] {
            Json::String(s) => vec![s.clone()],
            Json::Array(a) => a.iter().map(|p| p.as_str().unwrap().to_string()).collect(),
            other => panic!("principal {other}"),
        };
        let actions: Vec<String> = match &st["Action"] {
            Json::String(s) => vec![s.clone()],
            Json::Array(a) => a.iter().map(|p| p.as_str().unwrap().to_string()).collect(),
            other => panic!("action {other}"),
        };
        for p in principals {
            out.entry(p).or_default().extend(actions.iter().cloned());
        }
    }
    out.into_iter().map(|(p, a)| (p, a.into_iter().collect())).collect()
}

fn actions(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn list_of(m: &Map, key: &str) -> BTreeSet<String> {
    match m.get(key).map(Value::plain) {
        Some(Value::Array(a)) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
        _ => BTreeSet::new(),
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn principals_write_the_policy_and_read_it_back_with_no_diff() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let news = obj(&[
        ("repositoryName", "platform/api".into()),
        ("pullPrincipals", strings(&[TASK_ROLE, OTHER_ACCOUNT])),
        ("pushPrincipals", strings(&[CI_ROLE])),
    ]);
    env.moto.start_recording();
    let inputs = env.checked_with("api", &news, &Map::new()).await;
    let (_, preview) = env.create("api", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check and preview make no AWS call");
    assert_eq!(preview["repositoryPolicyText"], Value::Unknown, "account roots need the ARN's partition");
    assert_eq!(preview["pullPolicyDocument"], Value::Unknown);
    assert_eq!(preview["pushPolicyDocument"], Value::Unknown);

    env.moto.start_recording();
    let (id, out) = env.create("api", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepository", "SetRepositoryPolicy"]);

    // ECR holds exactly the pull actions for the pull principals (account
    // ids as the account's root) and pull+push for the push principals.
    let policy = env.repository_policy("platform/api").await.expect("a repository policy");
    assert_eq!(policy["Version"], "2012-10-17");
    assert_eq!(
        grants(&policy),
        vec![
            (format!("arn:aws:iam::{OTHER_ACCOUNT}:root"), actions(PULL)),
            (CI_ROLE.to_string(), actions(PUSH)),
            (TASK_ROLE.to_string(), actions(PULL)),
        ]
    );
    let text: Json = serde_json::from_str(out["repositoryPolicyText"].as_str().unwrap()).unwrap();
    assert_eq!(text, policy, "the output is the policy in force");

    // Read: one more call than before (GetRepositoryPolicy), the same inputs
    // in the user's spelling, and no diff.
    env.moto.start_recording();
    let (read_out, read_inputs) = env.read_found("api", &id, &out, &inputs).await;
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRepositories", "GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"]
    );
    for key in ["pullPrincipals", "pushPrincipals"] {
        assert_eq!(read_inputs.get(key), inputs.get(key), "{key}");
    }
    let d = env.diff("api", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Import reconstructs the lists (an account's root reads back as its id)
    // and they check and diff clean.
    let (import_out, import_inputs) = env.read_found("api", &id, &Map::new(), &Map::new()).await;
    assert_eq!(list_of(&import_inputs, "pullPrincipals"), set(&[TASK_ROLE, OTHER_ACCOUNT]));
    assert_eq!(list_of(&import_inputs, "pushPrincipals"), set(&[CI_ROLE]));
    let checked = env.checked_with("api", &import_inputs, &Map::new()).await;
    let d = env.diff("api", &id, &import_out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
}

#[tokio::test]
async fn without_principals_no_policy_call_is_made() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let inputs = env.checked_with("plain", &obj(&[("repositoryName", "plain".into())]), &Map::new()).await;
    env.moto.start_recording();
    let (id, out) = env.create("plain", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepository"]);
    assert!(!out.contains_key("repositoryPolicyText"));
    assert_eq!(env.repository_policy("plain").await, None);

    let news = env
        .checked_with("plain", &obj(&[("repositoryName", "plain".into()), ("tags", string_map(&[("a", "b")]))]), &out)
        .await;
    env.moto.start_recording();
    let out = env.updated("plain", &id, &out, &news, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["TagResource"]);
    let (read_out, _) = env.read_found("plain", &id, &out, &news).await;
    assert!(!read_out.contains_key("repositoryPolicyText"));
    assert!(!read_out.contains_key("pullPrincipals") && !read_out.contains_key("pushPrincipals"));
}

#[tokio::test]
async fn changing_principals_costs_one_call_and_removing_them_deletes_the_policy() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let mut declared = obj(&[("repositoryName", "svc".into()), ("pullPrincipals", strings(&[TASK_ROLE]))]);
    let inputs = env.checked_with("svc", &declared, &Map::new()).await;
    let (id, mut state) = env.create("svc", &inputs, false).await.unwrap();

    // Each step: the principals declared, the keys that differ, the calls.
    type Step = (Option<Value>, Option<Value>, Vec<&'static str>, Vec<&'static str>);
    let steps: Vec<Step> = vec![
        (Some(strings(&[TASK_ROLE, OTHER_ACCOUNT])), None, vec!["pullPrincipals"], vec!["SetRepositoryPolicy"]),
        // The same principals in another order: nothing to do.
        (Some(strings(&[OTHER_ACCOUNT, TASK_ROLE])), None, vec![], vec![]),
        (
            Some(strings(&[TASK_ROLE])),
            Some(strings(&[OTHER_ACCOUNT, CI_USER])),
            vec!["pullPrincipals", "pushPrincipals"],
            vec!["SetRepositoryPolicy"],
        ),
        (None, Some(strings(&[OTHER_ACCOUNT, CI_USER])), vec!["pullPrincipals"], vec!["SetRepositoryPolicy"]),
        (None, None, vec!["pushPrincipals"], vec!["DeleteRepositoryPolicy"]),
        // Empty lists mean no policy too.
        (Some(strings(&[])), Some(strings(&[])), vec![], vec![]),
    ];
    for (pull, push, keys, calls) in steps {
        for (k, v) in [("pullPrincipals", pull), ("pushPrincipals", push)] {
            match v {
                Some(v) => declared.insert(k.into(), v),
                None => declared.remove(k),
            };
        }
        let news = env.checked_with("svc", &declared, &state).await;
        let d = env.diff("svc", &id, &state, &news).await;
        assert_eq!(sorted(d.diffs.clone()), keys, "diff for {declared:?}");
        env.moto.start_recording();
        let preview = env.updated("svc", &id, &state, &news, true).await;
        assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "preview makes no call");
        env.moto.start_recording();
        state = env.updated("svc", &id, &state, &news, false).await;
        assert_eq!(env.moto.stop_recording(), calls, "calls for {declared:?}");
        // Preview knew the policy text (the ARN is known), and it is the one applied.
        assert_eq!(preview.get("repositoryPolicyText"), state.get("repositoryPolicyText"));
        let d = env.diff("svc", &id, &state, &news).await;
        assert!(d.diffs.is_empty(), "after {declared:?}: {:?}", d.diffs);

        // ECR holds what was declared.
        let want_pull = list_of(&news, "pullPrincipals");
        let want_push = list_of(&news, "pushPrincipals");
        match env.repository_policy("svc").await {
            None => assert!(want_pull.is_empty() && want_push.is_empty(), "no policy for {declared:?}"),
            Some(policy) => {
                let root = |p: &String| {
                    if p.len() == 12 { format!("arn:aws:iam::{p}:root") } else { p.clone() }
                };
                let mut want: Vec<(String, Vec<String>)> = want_pull
                    .iter()
                    .map(|p| (root(p), actions(PULL)))
                    .chain(want_push.iter().map(|p| (root(p), actions(PUSH))))
                    .collect();
                want.sort();
                assert_eq!(grants(&policy), want);
            }
        }
    }
    assert!(!state.contains_key("repositoryPolicyText"));
}

#[tokio::test]
async fn a_hand_edited_policy_is_drift_and_the_next_update_restores_it() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let inputs = env
        .checked_with(
            "drift",
            &obj(&[
                ("repositoryName", "drift".into()),
                ("pullPrincipals", strings(&[TASK_ROLE, OTHER_ACCOUNT])),
                ("pushPrincipals", strings(&[CI_ROLE])),
            ]),
            &Map::new(),
        )
        .await;
    let (id, state) = env.create("drift", &inputs, false).await.unwrap();
    let declared = env.repository_policy("drift").await.unwrap();

    // The same grants reshaped by hand (one statement per principal, other
    // Sids, actions reordered): no drift.
    let reshaped = json!({
        "Version": "2008-10-17",
        "Statement": [
            {"Sid": "a", "Effect": "Allow", "Principal": {"AWS": TASK_ROLE}, "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"]},
            {"Sid": "b", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER_ACCOUNT}:root")}, "Action": PULL},
            {"Sid": "c", "Effect": "Allow", "Principal": {"AWS": [CI_ROLE]}, "Action": PUSH.iter().rev().collect::<Vec<_>>()},
        ],
    });
    env.set_policy_by_hand("drift", &reshaped).await;
    let (out, read_inputs) = env.read_found("drift", &id, &state, &inputs).await;
    assert_eq!(read_inputs.get("pullPrincipals"), inputs.get("pullPrincipals"), "the user's spelling is kept");
    let d = env.diff("drift", &id, &out, &inputs).await;
    assert!(d.diffs.is_empty(), "a reshaped but equal policy is no diff: {:?}", d.diffs);

    // A real edit: the other account may push now, the task role is gone.
    let edited = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowPushPull", "Effect": "Allow", "Principal": {"AWS": [CI_ROLE, format!("arn:aws:iam::{OTHER_ACCOUNT}:root")]}, "Action": PUSH},
        ],
    });
    env.set_policy_by_hand("drift", &edited).await;
    let (out, read_inputs) = env.read_found("drift", &id, &out, &inputs).await;
    assert_eq!(list_of(&read_inputs, "pullPrincipals"), BTreeSet::new());
    assert_eq!(list_of(&read_inputs, "pushPrincipals"), set(&[CI_ROLE, OTHER_ACCOUNT]));
    assert_eq!(serde_json::from_str::<Json>(out["repositoryPolicyText"].as_str().unwrap()).unwrap(), edited);
    let d = env.diff("drift", &id, &out, &inputs).await;
    assert_eq!(sorted(d.diffs.clone()), vec!["pullPrincipals", "pushPrincipals"]);
    assert!(env.warnings().is_empty(), "an expressible edit needs no warning: {:?}", env.warnings());

    // The next update puts back what is declared, with one call.
    env.moto.start_recording();
    let restored = env.updated("drift", &id, &out, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["SetRepositoryPolicy"]);
    assert_eq!(env.repository_policy("drift").await.unwrap(), declared);
    let d = env.diff("drift", &id, &restored, &inputs).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);
}

#[tokio::test]
async fn a_policy_the_lists_cannot_express_is_kept_visible_with_a_warning() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let inputs = env
        .checked_with(
            "odd",
            &obj(&[("repositoryName", "odd".into()), ("pullPrincipals", strings(&[TASK_ROLE]))]),
            &Map::new(),
        )
        .await;
    let (id, state) = env.create("odd", &inputs, false).await.unwrap();
    // More than pulling: DescribeImages too.
    let hand = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Wider", "Effect": "Allow", "Principal": {"AWS": TASK_ROLE}, "Action": [
                "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"]},
        ],
    });
    env.set_policy_by_hand("odd", &hand).await;
    let (out, read_inputs) = env.read_found("odd", &id, &state, &inputs).await;
    let text: Json = serde_json::from_str(out["repositoryPolicyText"].as_str().unwrap()).unwrap();
    assert_eq!(text, hand, "the hand-edited policy is visible, not dropped");
    assert_eq!(read_inputs.get("pullPrincipals"), inputs.get("pullPrincipals"), "the declared lists are kept");
    let warnings = env.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("\"odd\"") && warnings[0].contains("repositoryPolicyText"),
        "names the repository and where the policy is: {}",
        warnings[0]
    );
    let d = env.diff("odd", &id, &out, &inputs).await;
    assert_eq!(d.diffs, vec!["repositoryPolicyText".to_string()]);
    assert_eq!(d.detailed_diff["repositoryPolicyText"].kind, pulumirpc::property_diff::Kind::Update as i32);

    // Removing the principals would delete it; keeping them replaces it.
    let none = env.checked_with("odd", &obj(&[("repositoryName", "odd".into())]), &out).await;
    let d = env.diff("odd", &id, &out, &none).await;
    assert_eq!(d.detailed_diff["repositoryPolicyText"].kind, pulumirpc::property_diff::Kind::Delete as i32);
    env.moto.start_recording();
    env.updated("odd", &id, &out, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["SetRepositoryPolicy"]);
    assert_eq!(grants(&env.repository_policy("odd").await.unwrap()), vec![(TASK_ROLE.to_string(), actions(PULL))]);
}

#[tokio::test]
async fn iam_documents_name_only_this_repository_and_the_token_action() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let mut arns = Vec::new();
    for name in ["team/one", "team/two"] {
        let inputs = env.checked_with("doc", &obj(&[("repositoryName", name.into())]), &Map::new()).await;
        let (id, out) = env.create("doc", &inputs, false).await.unwrap();
        let arn = out["arn"].as_str().unwrap().to_string();
        assert!(arn.ends_with(&format!(":repository/{id}")), "{arn}");
        for (key, want) in [("pullPolicyDocument", PULL), ("pushPolicyDocument", PUSH)] {
            let doc: Json = serde_json::from_str(out[key].as_str().unwrap()).expect("the document parses");
            assert_eq!(doc["Version"], "2012-10-17");
            let statements = doc["Statement"].as_array().unwrap();
            assert_eq!(statements.len(), 2, "{key}");
            for st in statements {
                assert_eq!(st["Effect"], "Allow");
                match &st["Resource"] {
                    Json::String(r) if *r == arn => assert_eq!(st["Action"], json!(want), "{key}"),
                    Json::String(r) if r == "*" => assert_eq!(st["Action"], "ecr:GetAuthorizationToken", "{key}"),
                    other => panic!("{key} names {other}, not only {arn} and * for the token"),
                }
            }
            let resources: BTreeSet<&str> = statements.iter().map(|s| s["Resource"].as_str().unwrap()).collect();
            assert_eq!(resources, [arn.as_str(), "*"].into_iter().collect(), "{key}");
        }
        // Known in a preview of an update (the ARN is known).
        let preview = env.updated("doc", &id, &out, &inputs, true).await;
        assert_eq!(preview["pullPolicyDocument"], out["pullPolicyDocument"]);
        assert_eq!(preview["pushPolicyDocument"], out["pushPolicyDocument"]);
        arns.push(arn);
    }
    assert_ne!(arns[0], arns[1]);
}

#[tokio::test]
async fn get_repository_returns_the_outputs_of_the_resource() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let news = obj(&[
        ("repositoryName", "shared/base".into()),
        ("pullPrincipals", strings(&[OTHER_ACCOUNT])),
        ("pushPrincipals", strings(&[CI_ROLE])),
        ("lifecyclePolicy", Value::Object(obj(&[("maxImageCount", Value::Number(20.0))]))),
        ("mutableTagExclusions", strings(&["latest"])),
        ("tags", string_map(&[("team", "base")])),
    ]);
    let inputs = env.checked_with("base", &news, &Map::new()).await;
    let (_, out) = env.create("base", &inputs, false).await.unwrap();

    env.moto.start_recording();
    let resp = env.invoke(GET_REPOSITORY, &obj(&[("repositoryName", "shared/base".into())])).await.unwrap();
    assert_eq!(
        env.moto.stop_recording(),
        vec!["DescribeRepositories", "GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"]
    );
    assert!(resp.failures.is_empty(), "{:?}", resp.failures);
    let got = decode(&resp.r#return);
    let mut want = out.clone();
    want.remove("forceDelete");
    assert_eq!(got, want, "the same outputs as the resource, but forceDelete");

    // A repository created elsewhere, with no policy.
    let ecr = env.moto.ecr().await;
    let created = ecr.create_repository().repository_name("elsewhere").send().await.unwrap();
    let resp = env.invoke(GET_REPOSITORY, &obj(&[("repositoryName", "elsewhere".into())])).await.unwrap();
    let got = decode(&resp.r#return);
    let repo = created.repository().unwrap();
    assert_eq!(got["arn"].as_str(), repo.repository_arn());
    assert_eq!(got["repositoryUrl"].as_str(), repo.repository_uri());
    assert_eq!(got["registryId"], Value::from(ACCOUNT));
    assert!(!got.contains_key("repositoryPolicyText") && !got.contains_key("pullPrincipals"));
    let doc: Json = serde_json::from_str(got["pullPolicyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(doc["Statement"][0]["Resource"].as_str(), repo.repository_arn());

    // Not there: a clear NotFound.
    let err = env.invoke(GET_REPOSITORY, &obj(&[("repositoryName", "missing".into())])).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains("\"missing\" does not exist"), "{}", err.message());
    assert!(env.warnings().is_empty(), "{:?}", env.warnings());
}

#[tokio::test]
async fn get_authorization_token_returns_the_login_with_a_secret_password() {
    let mut env = Env::with_config(emulator(), &[]).await;
    // What ECR answers, through an independent client.
    let ecr = env.moto.ecr().await;
    let direct = ecr.get_authorization_token().send().await.unwrap();
    let data = &direct.authorization_data()[0];
    let token =
        String::from_utf8(aws_smithy_types::base64::decode(data.authorization_token().unwrap()).unwrap()).unwrap();
    let (user, password) = token.split_once(':').unwrap();
    let expires = data.expires_at().unwrap().fmt(aws_smithy_types::date_time::Format::DateTime).unwrap();

    env.moto.start_recording();
    let resp = env.invoke(GET_TOKEN, &Map::new()).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["GetAuthorizationToken"]);
    assert!(resp.failures.is_empty(), "{:?}", resp.failures);
    let raw = resp.r#return.clone().unwrap();
    // The password is wrapped as a secret on the wire.
    let Some(Kind::StructValue(wrapped)) = &raw.fields["password"].kind else { panic!("password is not an object") };
    assert_eq!(wrapped.fields[SIG_KEY].kind, Some(Kind::StringValue(SIG_SECRET.into())));
    let got = decode(&resp.r#return);
    assert_eq!(got["password"], Value::Secret(Box::new(password.into())));
    assert_eq!(got["userName"], Value::from(user));
    assert_eq!(user, "AWS");
    assert_eq!(got["proxyEndpoint"].as_str(), data.proxy_endpoint());
    assert_eq!(got["proxyEndpoint"], Value::from(format!("https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com")));
    assert_eq!(got["expiresAt"], Value::from(expires.clone()));
    assert!(expires.ends_with('Z') && expires.contains('T'), "RFC 3339: {expires}");
    for k in ["userName", "proxyEndpoint", "expiresAt"] {
        assert!(!matches!(got[k], Value::Secret(_)), "{k} is not secret");
    }

    // Another registry: its endpoint.
    let resp = env.invoke(GET_TOKEN, &obj(&[("registryId", OTHER_ACCOUNT.into())])).await.unwrap();
    let got = decode(&resp.r#return);
    assert_eq!(got["proxyEndpoint"], Value::from(format!("https://{OTHER_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com")));
    assert!(matches!(got["password"], Value::Secret(_)));
}

#[tokio::test]
async fn bad_function_arguments_are_failures_naming_the_argument() {
    let mut env = Env::with_config(emulator(), &[]).await;
    type Case = (&'static str, Map, &'static str, &'static str);
    let cases: Vec<Case> = vec![
        (GET_REPOSITORY, Map::new(), "repositoryName", "is required"),
        (GET_REPOSITORY, obj(&[("repositoryName", "Not Valid".into())]), "repositoryName", "lowercase"),
        (GET_REPOSITORY, obj(&[("repositoryName", Value::Number(7.0))]), "repositoryName", "must be a string"),
        (
            GET_REPOSITORY,
            obj(&[("repositoryName", "ok".into()), ("name", "x".into())]),
            "name",
            "allowed: repositoryName",
        ),
        (GET_TOKEN, obj(&[("registryId", "12345".into())]), "registryId", "12-digit AWS account id"),
        (GET_TOKEN, obj(&[("registryIds", strings(&[ACCOUNT]))]), "registryIds", "allowed: registryId"),
    ];
    env.moto.start_recording();
    for (tok, args, property, reason) in cases {
        let resp = env.invoke(tok, &args).await.expect("bad arguments are not a gRPC error");
        assert!(resp.r#return.is_none(), "{tok} {args:?}");
        assert!(
            resp.failures.iter().any(|f| f.property == property && f.reason.contains(reason)),
            "{tok} {args:?}: wanted {property}: {reason}; got {:?}",
            resp.failures
        );
    }
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "no AWS call for bad arguments");

    let err = env.invoke("awsecr:index:getRepositoryPolicies", &Map::new()).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    for part in [
        "awsecr:index:getRepositoryPolicies",
        GET_REPOSITORY,
        GET_TOKEN,
        "awsecr:index:getRepositories",
        "awsecr:index:getImages",
    ] {
        assert!(err.message().contains(part), "{}", err.message());
    }
}

#[tokio::test]
async fn bad_principals_are_check_failures_naming_the_entry() {
    let mut env = Env::with_config(emulator(), &[]).await;
    env.moto.start_recording();
    let (_, failures) = env
        .check(
            "bad",
            &obj(&[
                ("repositoryName", "bad".into()),
                ("pullPrincipals", strings(&[TASK_ROLE, "arn:aws:iam::123456789012:group/devs", CI_ROLE])),
                ("pushPrincipals", strings(&[CI_ROLE, "12345", CI_ROLE])),
            ]),
            &Map::new(),
        )
        .await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
    let got: Vec<(String, String)> = failures.iter().map(path_and_reason).collect();
    let has = |path: &str, part: &str| got.iter().any(|(p, r)| p == path && r.contains(part));
    assert!(has("pullPrincipals[1]", "12-digit AWS account id or the ARN of an IAM role or user"), "{got:?}");
    assert!(has("pushPrincipals[1]", "got \"12345\""), "{got:?}");
    assert!(has("pushPrincipals[2]", "listed twice"), "{got:?}");
}

#[tokio::test]
async fn failure_to_set_the_policy_after_create_records_the_repository() {
    let moto = emulator();
    let proxy = FaultProxy::start(moto.port);
    proxy.inject(
        "SetRepositoryPolicy",
        Fault::Error { status: 400, code: "AccessDeniedException", message: "not allowed" },
        Some(1),
    );
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let inputs = env
        .checked_with(
            "half",
            &obj(&[("repositoryName", "half".into()), ("pushPrincipals", strings(&[CI_ROLE]))]),
            &Map::new(),
        )
        .await;
    let err = env.create("half", &inputs, false).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert!(err.message().contains("ecr:SetRepositoryPolicy"), "names the IAM action: {}", err.message());
    let init = init_failure_of(&err).expect("ErrorResourceInitFailed in the status details");
    assert_eq!(init.id, "half");
    let recorded = decode(&init.properties);
    assert!(!recorded.contains_key("repositoryPolicyText"), "the policy was not applied");
    assert_eq!(env.repository_policy("half").await, None);

    // The next `up` sees the missing policy and applies it with one call.
    let d = env.diff("half", "half", &recorded, &inputs).await;
    assert_eq!(d.diffs, vec!["pushPrincipals".to_string()]);
    env.moto.start_recording();
    env.updated("half", "half", &recorded, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["SetRepositoryPolicy"]);
    assert_eq!(grants(&env.repository_policy("half").await.unwrap()), vec![(CI_ROLE.to_string(), actions(PUSH))]);
}

const PRINCIPAL_NOT_FOUND: Fault = Fault::Error {
    status: 400,
    code: "InvalidParameterException",
    message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'",
};

/// IAM is eventually consistent: ECR refuses a policy naming a role created
/// moments ago ("Principal not found"). The provider retries exactly that
/// answer with backoff until it passes.
#[tokio::test]
async fn a_principal_still_propagating_is_retried_until_ecr_accepts_it() {
    let moto = emulator();
    let proxy = FaultProxy::start(moto.port);
    proxy.inject("SetRepositoryPolicy", PRINCIPAL_NOT_FOUND, Some(3));
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let news = obj(&[("repositoryName", "fresh".into()), ("pullPrincipals", strings(&[TASK_ROLE]))]);
    let inputs = env.checked("fresh", &news).await;
    let (_, out) = env.create("fresh", &inputs, false).await.expect("the policy goes through once IAM has caught up");
    assert_eq!(proxy.counts().server_errors, 3, "three refusals were retried");
    assert_eq!(proxy.counts().forwarded_by_operation.get("SetRepositoryPolicy"), Some(&1));
    assert_eq!(grants(&env.repository_policy("fresh").await.unwrap()), vec![(TASK_ROLE.to_string(), actions(PULL))]);
    assert!(out.contains_key("repositoryPolicyText"));
}

/// When the principal never appears, the retries stop after
/// iamPropagationTimeout and the sentence says what may be wrong; the
/// repository is recorded, not orphaned.
#[tokio::test]
async fn a_principal_that_never_appears_is_reported_after_the_propagation_timeout() {
    let moto = emulator();
    let proxy = FaultProxy::start(moto.port);
    proxy.inject("SetRepositoryPolicy", PRINCIPAL_NOT_FOUND, None);
    let mut env =
        Env::with_config(moto, &[("endpoint", proxy.endpoint().into()), ("iamPropagationTimeout", Value::Number(2.0))])
            .await;
    let news = obj(&[("repositoryName", "ghost".into()), ("pushPrincipals", strings(&[CI_ROLE]))]);
    let inputs = env.checked("ghost", &news).await;
    let started = std::time::Instant::now();
    let err = env.create("ghost", &inputs, false).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "bounded by iamPropagationTimeout");
    assert_eq!(err.code(), Code::FailedPrecondition);
    for words in
        ["principal was not found", "may not exist", "may still be propagating", "awsecr:iamPropagationTimeout"]
    {
        assert!(err.message().contains(words), "{words}: {}", err.message());
    }
    assert!(proxy.counts().server_errors >= 2, "it was retried: {:?}", proxy.counts());
    let init = init_failure_of(&err).expect("the repository is recorded");
    assert_eq!(init.id, "ghost");
}

/// Against the strict emulator, which checks principals against its own IAM
/// as ECR does: a role created only after the create has started is picked
/// up by the retry.
#[tokio::test]
async fn a_role_created_late_is_picked_up_by_the_retry() {
    let moto = Moto::start_strict();
    let mut env = Env::with_config(moto, &[]).await;
    let role = "arn:aws:iam::123456789012:role/late-comer";
    let news = obj(&[("repositoryName", "late".into()), ("pullPrincipals", strings(&[role]))]);
    let inputs = env.checked("late", &news).await;
    let mut client = env.p.client.clone();
    let request = pulumirpc::CreateRequest {
        urn: urn("late"),
        r#type: "awsecr:index:Repository".into(),
        properties: Some(pulumi_resource_awsecr::property::encode_struct(&inputs)),
        timeout: 120.0,
        ..Default::default()
    };
    let moto = &env.moto;
    let (created, made) = tokio::join!(client.create(request), async {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        moto.create_role("late-comer")
    });
    created.expect("the late role is picked up");
    assert_eq!(made, role);
    assert_eq!(grants(&env.repository_policy("late").await.unwrap()), vec![(role.to_string(), actions(PULL))]);
}

// ------------------------------------------------ organizations and Lambda

const ORG: &str = "o-a1b2c3d4e5";
const OTHER_ORG: &str = "o-f6g7h8i9j0";
const OU_PATH: &str = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/";
const WORKLOAD: &str = "444455556666";
const WORKLOAD_FUNCTIONS: &str = "arn:aws:lambda:us-east-1:444455556666:function:*";

fn lambda_pull(accounts: &[&str], arns: &[&str]) -> Value {
    let mut m = Map::new();
    if !accounts.is_empty() {
        m.insert("sourceAccounts".into(), strings(accounts));
    }
    if !arns.is_empty() {
        m.insert("sourceArns".into(), strings(arns));
    }
    Value::Object(m)
}

/// The central-registry pattern: the organization pulls, CI pushes from one
/// account, Lambda pulls for the workload account's functions.
fn central(name: &str) -> Map {
    obj(&[
        ("repositoryName", name.into()),
        ("pullOrganizations", strings(&[ORG])),
        ("pullOrganizationPaths", strings(&[OU_PATH])),
        ("pushPrincipals", strings(&[CI_ROLE])),
        ("lambdaPull", lambda_pull(&[WORKLOAD], &[WORKLOAD_FUNCTIONS])),
    ])
}

/// The statement of a policy with `sid`.
fn statement<'a>(policy: &'a Json, sid: &str) -> &'a Json {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("{sid} in {policy}"))
}

#[tokio::test]
async fn organization_and_lambda_grants_write_one_policy_and_import_with_no_diff() {
    let mut env = Env::with_config(emulator(), &[]).await;
    env.moto.start_recording();
    let inputs = env.checked_with("central", &central("central/api"), &Map::new()).await;
    let (_, preview) = env.create("central", &inputs, true).await.unwrap();
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "Check and preview make no AWS call");
    assert_eq!(preview["repositoryPolicyText"], Value::Unknown);

    env.moto.start_recording();
    let (id, out) = env.create("central", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepository", "SetRepositoryPolicy"]);

    // One policy: CI's push, the organization and the OU under their
    // condition keys, Lambda under its source conditions.
    let policy = env.repository_policy("central/api").await.expect("a repository policy");
    assert_eq!(policy["Statement"].as_array().unwrap().len(), 4, "{policy}");
    assert_eq!(statement(&policy, "AllowPushPull")["Principal"], json!({"AWS": [CI_ROLE]}));
    let org = statement(&policy, "AllowOrganizationPull");
    assert_eq!(org["Principal"], "*");
    assert_eq!(org["Action"], json!(PULL));
    assert_eq!(org["Condition"], json!({"StringEquals": {"aws:PrincipalOrgID": [ORG]}}));
    let paths = statement(&policy, "AllowOrganizationPathPull");
    assert_eq!(
        paths["Condition"],
        json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [format!("{OU_PATH}*")]}})
    );
    let lambda = statement(&policy, "AllowLambdaPull");
    assert_eq!(lambda["Principal"], json!({"Service": "lambda.amazonaws.com"}));
    assert_eq!(lambda["Action"], json!(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]));
    assert_eq!(
        lambda["Condition"],
        json!({"StringEquals": {"aws:SourceAccount": [WORKLOAD]}, "StringLike": {"aws:SourceArn": [WORKLOAD_FUNCTIONS]}})
    );
    let text: Json = serde_json::from_str(out["repositoryPolicyText"].as_str().unwrap()).unwrap();
    assert_eq!(text, policy, "the output is the policy in force");
    // The IAM documents a role attaches stay the repository's own.
    let pull_doc: Json = serde_json::from_str(out["pullPolicyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(pull_doc["Statement"][0]["Resource"], out["arn"].as_str().unwrap());

    // Refresh: the same inputs, no diff.
    let (read_out, read_inputs) = env.read_found("central", &id, &out, &inputs).await;
    for key in ["pullOrganizations", "pullOrganizationPaths", "pushPrincipals", "lambdaPull"] {
        assert_eq!(read_inputs.get(key), inputs.get(key), "{key}");
    }
    let d = env.diff("central", &id, &read_out, &inputs).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);

    // Import: the typed fields come back (no raw document), check and diff clean.
    let (import_out, import_inputs) = env.read_found("central", &id, &Map::new(), &Map::new()).await;
    assert!(!import_inputs.contains_key("repositoryPolicyDocument"), "{import_inputs:?}");
    assert_eq!(list_of(&import_inputs, "pullOrganizations"), set(&[ORG]));
    assert_eq!(list_of(&import_inputs, "pullOrganizationPaths"), set(&[OU_PATH]));
    assert_eq!(import_inputs.get("lambdaPull"), inputs.get("lambdaPull"));
    let checked = env.checked_with("central", &import_inputs, &Map::new()).await;
    let d = env.diff("central", &id, &import_out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
}

#[tokio::test]
async fn a_policy_written_by_hand_the_aws_way_imports_into_the_typed_fields() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let plain = env.checked_with("hand", &obj(&[("repositoryName", "hand".into())]), &Map::new()).await;
    let (id, _) = env.create("hand", &plain, false).await.unwrap();
    // As AWS's Lambda documentation and other tools write it: the
    // documentation's Sids and key spelling, single values, Principal
    // {"AWS": "*"}, the 2008 version.
    let theirs = json!({
        "Version": "2008-10-17",
        "Statement": [
            {"Sid": "CrossAccountPermission", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}},
            {"Sid": "LambdaECRImageCrossAccountRetrievalPolicy", "Effect": "Allow",
             "Principal": {"Service": "lambda.amazonaws.com"},
             "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
             "Condition": {"StringLike": {"aws:sourceARN": WORKLOAD_FUNCTIONS}}},
        ],
    });
    env.set_policy_by_hand("hand", &theirs).await;
    let (out, inputs) = env.read_found("hand", &id, &Map::new(), &Map::new()).await;
    assert!(!inputs.contains_key("repositoryPolicyDocument"), "{inputs:?}");
    assert_eq!(list_of(&inputs, "pullOrganizations"), set(&[ORG]));
    assert_eq!(inputs.get("lambdaPull"), Some(&lambda_pull(&[], &[WORKLOAD_FUNCTIONS])));
    let checked = env.checked_with("hand", &inputs, &Map::new()).await;
    let d = env.diff("hand", &id, &out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
    env.moto.start_recording();
    let _ = env.updated("hand", &id, &out, &checked, false).await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "nothing to write");

    // An unconditioned Lambda grant is beyond the fields: it stays JSON.
    let unconditioned = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "LambdaECRImageRetrievalPolicy", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]});
    env.set_policy_by_hand("hand", &unconditioned).await;
    let (_, inputs) = env.read_found("hand", &id, &Map::new(), &Map::new()).await;
    assert!(!inputs.contains_key("lambdaPull"), "{inputs:?}");
    let doc: Json = serde_json::from_str(inputs["repositoryPolicyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(doc, unconditioned);
}

#[tokio::test]
async fn organization_and_lambda_grants_update_with_one_call_each_change() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let mut declared = obj(&[("repositoryName", "org".into()), ("pullOrganizations", strings(&[ORG]))]);
    let inputs = env.checked_with("org", &declared, &Map::new()).await;
    let (id, mut state) = env.create("org", &inputs, false).await.unwrap();

    type Step = (&'static str, Option<Value>, Vec<&'static str>, Vec<&'static str>);
    let steps: Vec<Step> = vec![
        ("pullOrganizations", Some(strings(&[OTHER_ORG, ORG])), vec!["pullOrganizations"], vec!["SetRepositoryPolicy"]),
        // The same organizations in another order: nothing to do.
        ("pullOrganizations", Some(strings(&[ORG, OTHER_ORG])), vec![], vec![]),
        (
            "pullOrganizationPaths",
            Some(strings(&[OU_PATH])),
            vec!["pullOrganizationPaths"],
            vec!["SetRepositoryPolicy"],
        ),
        ("lambdaPull", Some(lambda_pull(&[WORKLOAD], &[])), vec!["lambdaPull"], vec!["SetRepositoryPolicy"]),
        (
            "lambdaPull",
            Some(lambda_pull(&[WORKLOAD], &[WORKLOAD_FUNCTIONS])),
            vec!["lambdaPull"],
            vec!["SetRepositoryPolicy"],
        ),
        ("pullOrganizations", None, vec!["pullOrganizations"], vec!["SetRepositoryPolicy"]),
        ("pullOrganizationPaths", None, vec!["pullOrganizationPaths"], vec!["SetRepositoryPolicy"]),
        ("lambdaPull", None, vec!["lambdaPull"], vec!["DeleteRepositoryPolicy"]),
    ];
    for (key, value, keys, calls) in steps {
        match value {
            Some(v) => declared.insert(key.into(), v),
            None => declared.remove(key),
        };
        let news = env.checked_with("org", &declared, &state).await;
        let d = env.diff("org", &id, &state, &news).await;
        assert_eq!(sorted(d.diffs.clone()), keys, "diff for {declared:?}");
        let preview = env.updated("org", &id, &state, &news, true).await;
        env.moto.start_recording();
        state = env.updated("org", &id, &state, &news, false).await;
        assert_eq!(env.moto.stop_recording(), calls, "calls for {declared:?}");
        assert_eq!(preview.get("repositoryPolicyText"), state.get("repositoryPolicyText"));
        let d = env.diff("org", &id, &state, &news).await;
        assert!(d.diffs.is_empty(), "after {declared:?}: {:?}", d.diffs);
        let held = env.repository_policy("org").await;
        assert_eq!(held.is_some(), state.contains_key("repositoryPolicyText"));
        if let Some(policy) = held {
            let text: Json = serde_json::from_str(state["repositoryPolicyText"].as_str().unwrap()).unwrap();
            assert_eq!(text, policy);
        }
    }
}

#[tokio::test]
async fn drift_in_organization_and_lambda_statements_is_detected_and_restored() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let inputs = env.checked_with("odrift", &central("odrift"), &Map::new()).await;
    let (id, state) = env.create("odrift", &inputs, false).await.unwrap();
    let declared = env.repository_policy("odrift").await.unwrap();

    // Someone swaps the organization and widens Lambda to another account.
    let mut edited = declared.clone();
    for st in edited["Statement"].as_array_mut().unwrap() {
        if st["Sid"] == "AllowOrganizationPull" {
            st["Condition"] = json!({"StringEquals": {"aws:PrincipalOrgID": OTHER_ORG}});
        }
        if st["Sid"] == "AllowLambdaPull" {
            st["Condition"] = json!({"StringEquals": {"aws:SourceAccount": [WORKLOAD, OTHER_ACCOUNT]}});
        }
    }
    env.set_policy_by_hand("odrift", &edited).await;
    let (out, read_inputs) = env.read_found("odrift", &id, &state, &inputs).await;
    assert_eq!(list_of(&read_inputs, "pullOrganizations"), set(&[OTHER_ORG]));
    assert_eq!(read_inputs.get("lambdaPull"), Some(&lambda_pull(&[OTHER_ACCOUNT, WORKLOAD], &[])));
    let d = env.diff("odrift", &id, &out, &inputs).await;
    assert_eq!(sorted(d.diffs.clone()), vec!["lambdaPull", "pullOrganizations"]);
    assert!(env.warnings().is_empty(), "an expressible edit needs no warning: {:?}", env.warnings());
    env.moto.start_recording();
    let restored = env.updated("odrift", &id, &out, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["SetRepositoryPolicy"]);
    assert_eq!(env.repository_policy("odrift").await.unwrap(), declared);
    let d = env.diff("odrift", &id, &restored, &inputs).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);

    // An edit the fields cannot express (Lambda without a condition): kept
    // visible with a warning, and the next update restores the declared one.
    let mut open = declared.clone();
    for st in open["Statement"].as_array_mut().unwrap() {
        if st["Sid"] == "AllowLambdaPull" {
            st.as_object_mut().unwrap().remove("Condition");
        }
    }
    env.set_policy_by_hand("odrift", &open).await;
    let (out, read_inputs) = env.read_found("odrift", &id, &restored, &inputs).await;
    assert_eq!(read_inputs.get("lambdaPull"), inputs.get("lambdaPull"), "the declared fields stay");
    assert!(env.warnings().iter().any(|w| w.contains("cannot express")), "{:?}", env.warnings());
    let d = env.diff("odrift", &id, &out, &inputs).await;
    assert_eq!(d.diffs, vec!["repositoryPolicyText"]);
    let _ = env.updated("odrift", &id, &out, &inputs, false).await;
    assert_eq!(env.repository_policy("odrift").await.unwrap(), declared);
}

#[tokio::test]
async fn bad_organization_and_lambda_grants_are_check_failures() {
    let mut env = Env::with_config(emulator(), &[("region", "us-east-1".into())]).await;
    env.moto.start_recording();
    let (_, failures) = env
        .check(
            "bad",
            &obj(&[
                ("repositoryName", "bad".into()),
                ("pullOrganizations", strings(&[ORG, "o-short"])),
                ("pullOrganizationPaths", strings(&["o-a1b2c3d4e5/r-ab12/ou-zz99-11111111/"])),
                ("lambdaPull", lambda_pull(&[], &["arn:aws:lambda:us-east-1:*:function:*"])),
            ]),
            &Map::new(),
        )
        .await;
    let (_, unconditioned) = env
        .check(
            "open",
            &obj(&[("repositoryName", "open".into()), ("lambdaPull", Value::Object(Map::new()))]),
            &Map::new(),
        )
        .await;
    assert_eq!(env.moto.stop_recording(), Vec::<String>::new());
    let got: Vec<(String, String)> = failures.iter().chain(&unconditioned).map(path_and_reason).collect();
    let has = |path: &str, part: &str| got.iter().any(|(p, r)| p == path && r.contains(part));
    assert!(has("pullOrganizations[1]", "o- followed by 10 to 32 lowercase letters or digits"), "{got:?}");
    assert!(has("pullOrganizationPaths[0]", "the root's part (ab12)"), "{got:?}");
    assert!(has("lambdaPull.sourceArns[0]", "12-digit account id"), "{got:?}");
    assert!(has("lambdaPull", "without a condition would let Lambda functions of every AWS account pull"), "{got:?}");
}

#[tokio::test]
async fn secret_organization_and_lambda_grants_keep_the_policy_secret() {
    let mut env = Env::with_config(emulator(), &[]).await;
    let news = obj(&[
        ("repositoryName", "hidden".into()),
        ("pullOrganizations", Value::Array(vec![Value::from(ORG).into_secret()])),
        ("lambdaPull", Value::Object(obj(&[("sourceAccounts", strings(&[WORKLOAD]).into_secret())]))),
    ]);
    let inputs = env.checked_with("hidden", &news, &Map::new()).await;
    let (id, out) = env.create("hidden", &inputs, false).await.unwrap();
    assert!(matches!(out["repositoryPolicyText"], Value::Secret(_)), "{out:?}");
    let (read_out, read_in) = env.read_found("hidden", &id, &out, &inputs).await;
    assert!(matches!(read_out["repositoryPolicyText"], Value::Secret(_)), "{read_out:?}");
    assert!(read_in["pullOrganizations"].contains_secret() && read_in["lambdaPull"].contains_secret(), "{read_in:?}");
    // A bad value that arrived as a secret is never quoted.
    let bad = obj(&[
        ("repositoryName", "hidden".into()),
        ("pullOrganizations", Value::Array(vec![Value::from("o-secretbad").into_secret()])),
    ]);
    let (_, failures) = env.check("hidden", &bad, &Map::new()).await;
    let got: Vec<(String, String)> = failures.iter().map(path_and_reason).collect();
    assert!(got.iter().any(|(p, _)| p == "pullOrganizations[0]"), "{got:?}");
    assert!(!format!("{got:?}").contains("o-secretbad"), "{got:?}");
}
