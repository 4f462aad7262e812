//! Access for runtimes and CI over gRPC, against the real provider binary and
//! a local ECR emulator: the repository policy written from `pullPrincipals`
//! and `pushPrincipals` (created, read back, updated with one call, removed,
//! drift after a hand edit), the IAM policy documents, and the functions
//! `getRepository` and `getAuthorizationToken`. What ECR holds is checked with
//! an independent AWS SDK client; calls are counted with moto's recorder.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use common::proxy::{Fault, FaultProxy};
use common::*;
use prost_types::value::Kind;
use pulumi_resource_awsecr::error::init_failure_of;
use pulumi_resource_awsecr::property::{Map, SIG_KEY, SIG_SECRET, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc::{self, engine_server};
use serde_json::{Value as Json, json};
use tonic::Code;

const TYPE: &str = "awsecr:index:Repository";
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

/// A stand-in for the engine's logging service that records warnings.
#[derive(Clone, Default)]
struct FakeEngine {
    logs: Arc<Mutex<Vec<pulumirpc::LogRequest>>>,
}

#[tonic::async_trait]
impl engine_server::Engine for FakeEngine {
    async fn log(&self, req: tonic::Request<pulumirpc::LogRequest>) -> Result<tonic::Response<()>, tonic::Status> {
        self.logs.lock().unwrap().push(req.into_inner());
        Ok(tonic::Response::new(()))
    }
}

/// A provider configured against a fresh emulator, with a fake engine
/// listening for Engine.Log.
struct Env {
    moto: Moto,
    p: ProviderProcess,
    engine: FakeEngine,
}

impl Env {
    async fn new() -> Env {
        let moto = Moto::start();
        Env::with_endpoint(moto, None).await
    }

    async fn with_endpoint(moto: Moto, endpoint: Option<String>) -> Env {
        let engine = FakeEngine::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(engine_server::EngineServer::new(engine.clone()))
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
        );
        let mut p = ProviderProcess::start(&[&addr]).await;
        let extra: Vec<(&str, Value)> = endpoint.into_iter().map(|e| ("endpoint", Value::from(e))).collect();
        p.configure(&moto, &extra).await.expect("Configure");
        Env { moto, p, engine }
    }

    async fn check(&mut self, name: &str, news: &Map, olds: &Map) -> (Map, Vec<pulumirpc::CheckFailure>) {
        let resp = self
            .p
            .client
            .check(pulumirpc::CheckRequest {
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                random_seed: name.as_bytes().to_vec(),
                ..Default::default()
            })
            .await
            .expect("Check")
            .into_inner();
        (decode(&resp.inputs), resp.failures)
    }

    async fn checked(&mut self, name: &str, news: &Map, olds: &Map) -> Map {
        let (inputs, failures) = self.check(name, news, olds).await;
        assert!(failures.is_empty(), "{failures:?}");
        inputs
    }

    async fn create(&mut self, name: &str, inputs: &Map, preview: bool) -> Result<(String, Map), tonic::Status> {
        self.p
            .client
            .create(pulumirpc::CreateRequest {
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                properties: Some(encode_struct(inputs)),
                preview,
                timeout: 60.0,
                ..Default::default()
            })
            .await
            .map(|r| {
                let r = r.into_inner();
                (r.id, decode(&r.properties))
            })
    }

    async fn diff(&mut self, name: &str, id: &str, olds: &Map, news: &Map) -> pulumirpc::DiffResponse {
        self.p
            .client
            .diff(pulumirpc::DiffRequest {
                id: id.into(),
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                ..Default::default()
            })
            .await
            .expect("Diff")
            .into_inner()
    }

    async fn update(&mut self, name: &str, id: &str, olds: &Map, news: &Map, preview: bool) -> Map {
        let resp = self
            .p
            .client
            .update(pulumirpc::UpdateRequest {
                id: id.into(),
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                preview,
                timeout: 60.0,
                ..Default::default()
            })
            .await
            .expect("Update");
        decode(&resp.into_inner().properties)
    }

    async fn read(&mut self, name: &str, id: &str, olds: &Map, inputs: &Map) -> (Map, Map) {
        let r = self
            .p
            .client
            .read(pulumirpc::ReadRequest {
                id: id.into(),
                urn: urn(name),
                name: name.into(),
                r#type: TYPE.into(),
                properties: Some(encode_struct(olds)),
                inputs: Some(encode_struct(inputs)),
                ..Default::default()
            })
            .await
            .expect("Read")
            .into_inner();
        assert_eq!(r.id, id);
        (decode(&r.properties), decode(&r.inputs))
    }

    async fn invoke(&mut self, tok: &str, args: &Map) -> Result<pulumirpc::InvokeResponse, tonic::Status> {
        self.p
            .client
            .invoke(pulumirpc::InvokeRequest { tok: tok.into(), args: Some(encode_struct(args)), preview: false })
            .await
            .map(|r| r.into_inner())
    }

    /// The repository policy ECR holds, parsed, or `None` when it has none.
    async fn policy(&self, name: &str) -> Option<Json> {
        let ecr = self.moto.ecr().await;
        match ecr.get_repository_policy().repository_name(name).send().await {
            Ok(p) => Some(serde_json::from_str(p.policy_text().unwrap()).unwrap()),
            Err(e) => {
                let code = aws_sdk_ecr::error::ProvideErrorMetadata::code(&e).map(str::to_string);
                assert_eq!(code.as_deref(), Some("RepositoryPolicyNotFoundException"), "{e:?}");
                None
            }
        }
    }

    async fn set_policy_by_hand(&self, name: &str, policy: &Json) {
        let ecr = self.moto.ecr().await;
        ecr.set_repository_policy().repository_name(name).policy_text(policy.to_string()).send().await.unwrap();
    }

    fn warnings(&self) -> Vec<String> {
        self.engine
            .logs
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.severity == pulumirpc::LogSeverity::Warning as i32)
            .map(|l| l.message.clone())
            .collect()
    }
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
    let mut env = Env::new().await;
    let news = obj(&[
        ("repositoryName", "platform/api".into()),
        ("pullPrincipals", strings(&[TASK_ROLE, OTHER_ACCOUNT])),
        ("pushPrincipals", strings(&[CI_ROLE])),
    ]);
    env.moto.start_recording();
    let inputs = env.checked("api", &news, &Map::new()).await;
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
    let policy = env.policy("platform/api").await.expect("a repository policy");
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
    let (read_out, read_inputs) = env.read("api", &id, &out, &inputs).await;
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
    let (import_out, import_inputs) = env.read("api", &id, &Map::new(), &Map::new()).await;
    assert_eq!(list_of(&import_inputs, "pullPrincipals"), set(&[TASK_ROLE, OTHER_ACCOUNT]));
    assert_eq!(list_of(&import_inputs, "pushPrincipals"), set(&[CI_ROLE]));
    let checked = env.checked("api", &import_inputs, &Map::new()).await;
    let d = env.diff("api", &id, &import_out, &checked).await;
    assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
}

#[tokio::test]
async fn without_principals_no_policy_call_is_made() {
    let mut env = Env::new().await;
    let inputs = env.checked("plain", &obj(&[("repositoryName", "plain".into())]), &Map::new()).await;
    env.moto.start_recording();
    let (id, out) = env.create("plain", &inputs, false).await.unwrap();
    assert_eq!(env.moto.stop_recording(), vec!["CreateRepository"]);
    assert!(!out.contains_key("repositoryPolicyText"));
    assert_eq!(env.policy("plain").await, None);

    let news = env
        .checked("plain", &obj(&[("repositoryName", "plain".into()), ("tags", string_map(&[("a", "b")]))]), &out)
        .await;
    env.moto.start_recording();
    let out = env.update("plain", &id, &out, &news, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["TagResource"]);
    let (read_out, _) = env.read("plain", &id, &out, &news).await;
    assert!(!read_out.contains_key("repositoryPolicyText"));
    assert!(!read_out.contains_key("pullPrincipals") && !read_out.contains_key("pushPrincipals"));
}

#[tokio::test]
async fn changing_principals_costs_one_call_and_removing_them_deletes_the_policy() {
    let mut env = Env::new().await;
    let mut declared = obj(&[("repositoryName", "svc".into()), ("pullPrincipals", strings(&[TASK_ROLE]))]);
    let inputs = env.checked("svc", &declared, &Map::new()).await;
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
        let news = env.checked("svc", &declared, &state).await;
        let d = env.diff("svc", &id, &state, &news).await;
        assert_eq!(sorted(d.diffs.clone()), keys, "diff for {declared:?}");
        env.moto.start_recording();
        let preview = env.update("svc", &id, &state, &news, true).await;
        assert_eq!(env.moto.stop_recording(), Vec::<String>::new(), "preview makes no call");
        env.moto.start_recording();
        state = env.update("svc", &id, &state, &news, false).await;
        assert_eq!(env.moto.stop_recording(), calls, "calls for {declared:?}");
        // Preview knew the policy text (the ARN is known), and it is the one applied.
        assert_eq!(preview.get("repositoryPolicyText"), state.get("repositoryPolicyText"));
        let d = env.diff("svc", &id, &state, &news).await;
        assert!(d.diffs.is_empty(), "after {declared:?}: {:?}", d.diffs);

        // ECR holds what was declared.
        let want_pull = list_of(&news, "pullPrincipals");
        let want_push = list_of(&news, "pushPrincipals");
        match env.policy("svc").await {
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
    let mut env = Env::new().await;
    let inputs = env
        .checked(
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
    let declared = env.policy("drift").await.unwrap();

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
    let (out, read_inputs) = env.read("drift", &id, &state, &inputs).await;
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
    let (out, read_inputs) = env.read("drift", &id, &out, &inputs).await;
    assert_eq!(list_of(&read_inputs, "pullPrincipals"), BTreeSet::new());
    assert_eq!(list_of(&read_inputs, "pushPrincipals"), set(&[CI_ROLE, OTHER_ACCOUNT]));
    assert_eq!(serde_json::from_str::<Json>(out["repositoryPolicyText"].as_str().unwrap()).unwrap(), edited);
    let d = env.diff("drift", &id, &out, &inputs).await;
    assert_eq!(sorted(d.diffs.clone()), vec!["pullPrincipals", "pushPrincipals"]);
    assert!(env.warnings().is_empty(), "an expressible edit needs no warning: {:?}", env.warnings());

    // The next update puts back what is declared, with one call.
    env.moto.start_recording();
    let restored = env.update("drift", &id, &out, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["SetRepositoryPolicy"]);
    assert_eq!(env.policy("drift").await.unwrap(), declared);
    let d = env.diff("drift", &id, &restored, &inputs).await;
    assert!(d.diffs.is_empty(), "{:?}", d.diffs);
}

#[tokio::test]
async fn a_policy_the_lists_cannot_express_is_kept_visible_with_a_warning() {
    let mut env = Env::new().await;
    let inputs = env
        .checked(
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
    let (out, read_inputs) = env.read("odd", &id, &state, &inputs).await;
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
    let none = env.checked("odd", &obj(&[("repositoryName", "odd".into())]), &out).await;
    let d = env.diff("odd", &id, &out, &none).await;
    assert_eq!(d.detailed_diff["repositoryPolicyText"].kind, pulumirpc::property_diff::Kind::Delete as i32);
    env.moto.start_recording();
    env.update("odd", &id, &out, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["SetRepositoryPolicy"]);
    assert_eq!(grants(&env.policy("odd").await.unwrap()), vec![(TASK_ROLE.to_string(), actions(PULL))]);
}

#[tokio::test]
async fn iam_documents_name_only_this_repository_and_the_token_action() {
    let mut env = Env::new().await;
    let mut arns = Vec::new();
    for name in ["team/one", "team/two"] {
        let inputs = env.checked("doc", &obj(&[("repositoryName", name.into())]), &Map::new()).await;
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
        let preview = env.update("doc", &id, &out, &inputs, true).await;
        assert_eq!(preview["pullPolicyDocument"], out["pullPolicyDocument"]);
        assert_eq!(preview["pushPolicyDocument"], out["pushPolicyDocument"]);
        arns.push(arn);
    }
    assert_ne!(arns[0], arns[1]);
}

#[tokio::test]
async fn get_repository_returns_the_outputs_of_the_resource() {
    let mut env = Env::new().await;
    let news = obj(&[
        ("repositoryName", "shared/base".into()),
        ("pullPrincipals", strings(&[OTHER_ACCOUNT])),
        ("pushPrincipals", strings(&[CI_ROLE])),
        ("lifecyclePolicy", Value::Object(obj(&[("maxImageCount", Value::Number(20.0))]))),
        ("mutableTagExclusions", strings(&["latest"])),
        ("tags", string_map(&[("team", "base")])),
    ]);
    let inputs = env.checked("base", &news, &Map::new()).await;
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
    let mut env = Env::new().await;
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
    let mut env = Env::new().await;
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

    let err = env.invoke("awsecr:index:getRepositories", &Map::new()).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    for part in ["awsecr:index:getRepositories", GET_REPOSITORY, GET_TOKEN] {
        assert!(err.message().contains(part), "{}", err.message());
    }
}

#[tokio::test]
async fn bad_principals_are_check_failures_naming_the_entry() {
    let mut env = Env::new().await;
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
    let got: Vec<(String, String)> = failures.into_iter().map(|f| (f.property, f.reason)).collect();
    let has = |path: &str, part: &str| got.iter().any(|(p, r)| p == path && r.contains(part));
    assert!(has("pullPrincipals[1]", "12-digit AWS account id or the ARN of an IAM role or user"), "{got:?}");
    assert!(has("pushPrincipals[1]", "got \"12345\""), "{got:?}");
    assert!(has("pushPrincipals[2]", "listed twice"), "{got:?}");
}

#[tokio::test]
async fn failure_to_set_the_policy_after_create_records_the_repository() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    proxy.inject(
        "SetRepositoryPolicy",
        Fault::Error { status: 400, code: "AccessDeniedException", message: "not allowed" },
        Some(1),
    );
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let inputs = env
        .checked(
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
    assert_eq!(env.policy("half").await, None);

    // The next `up` sees the missing policy and applies it with one call.
    let d = env.diff("half", "half", &recorded, &inputs).await;
    assert_eq!(d.diffs, vec!["pushPrincipals".to_string()]);
    env.moto.start_recording();
    env.update("half", "half", &recorded, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["SetRepositoryPolicy"]);
    assert_eq!(grants(&env.policy("half").await.unwrap()), vec![(CI_ROLE.to_string(), actions(PUSH))]);
}
