//! Secrets: with RUST_LOG at its most verbose, credentials and secret inputs
//! never appear in the provider's logs, its error messages or the exported
//! stack state in plain text, and outputs derived from secret inputs stay secret.

mod common;

use common::pulumi::Stack;
use common::*;
use pulumi_resource_awsecr::property::{Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;

const ACCESS: &str = "AKIAPLAINTEXTACCESS";
const SECRET: &str = "plaintext-secret-key-9876";
const TOKEN: &str = "plaintext-session-token-5432";
const TAG: &str = "plaintext-tag-value-1111";

fn secret(v: impl Into<SecretOf>) -> Value {
    Value::Secret(Box::new(v.into().0))
}

/// What `secret` wraps: a string or any value.
struct SecretOf(Value);
impl From<&str> for SecretOf {
    fn from(s: &str) -> Self {
        SecretOf(s.into())
    }
}
impl From<Value> for SecretOf {
    fn from(v: Value) -> Self {
        SecretOf(v)
    }
}

fn assert_clean(what: &str, text: &str) {
    for s in [ACCESS, SECRET, TOKEN, TAG] {
        assert!(!text.contains(s), "{what} shows the secret {s}:\n{text}");
    }
}

#[tokio::test]
async fn secrets_stay_out_of_logs_and_errors() {
    let moto = Moto::start();
    let dir = TempDir::new("secret-logs");
    let log = dir.path().join("provider.log");
    let mut p = ProviderProcess::start_logging(&[], Some(&log)).await;
    let mut messages = Vec::new();

    // Bad configuration that carries secrets: failures and errors name keys, never values.
    let bad = obj(&[("accessKey", secret(ACCESS)), ("token", secret(TOKEN)), ("region", "nowhere".into())]);
    let resp = p
        .client
        .check_config(pulumirpc::CheckRequest { news: Some(encode_struct(&bad)), ..Default::default() })
        .await
        .unwrap();
    messages.extend(resp.into_inner().failures.into_iter().map(|f| format!("{}: {}", f.property, f.reason)));
    let err = p
        .client
        .configure(pulumirpc::ConfigureRequest { args: Some(encode_struct(&bad)), ..Default::default() })
        .await
        .unwrap_err();
    messages.push(err.message().to_string());

    let good = obj(&[
        ("region", REGION.into()),
        ("endpoint", moto.endpoint().into()),
        ("accessKey", secret(ACCESS)),
        ("secretKey", secret(SECRET)),
        ("token", secret(TOKEN)),
    ]);
    p.client
        .configure(pulumirpc::ConfigureRequest { args: Some(encode_struct(&good)), ..Default::default() })
        .await
        .unwrap();

    let news = obj(&[("repositoryName", "secretive".into()), ("tags", Value::Object(obj(&[("owner", secret(TAG))])))]);
    let urn = urn("secretive");
    let checked = p
        .client
        .check(pulumirpc::CheckRequest { urn: urn.clone(), news: Some(encode_struct(&news)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let created = p
        .client
        .create(pulumirpc::CreateRequest { urn: urn.clone(), properties: checked.inputs.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let out = decode(&created.properties);
    assert!(out["tags"].contains_secret() && out["tagsAll"].contains_secret(), "derived outputs stay secret");
    // The same repository again: the error names the repository, not the secret tag.
    let err = p
        .client
        .create(pulumirpc::CreateRequest { urn: urn.clone(), properties: checked.inputs, ..Default::default() })
        .await
        .unwrap_err();
    messages.push(err.message().to_string());
    p.client
        .read(pulumirpc::ReadRequest {
            id: created.id.clone(),
            urn: urn.clone(),
            properties: created.properties.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    drop(p);

    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("Create") && logged.contains("[secret]"), "trace logging is on: {logged}");
    assert_clean("the provider log", &logged);
    assert_clean("an error message", &messages.join("\n"));
}

#[tokio::test]
async fn exported_state_holds_no_plaintext_secrets() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e/yaml-secrets"), &moto);
    stack.ok(&["config", "set", "--secret", "awsecr:token", TOKEN]);
    stack.ok(&["config", "set", "--secret", "awsecr:secretKey", SECRET]);
    stack.ok(&["config", "set", "--secret", "awsecr:accessKey", ACCESS]);
    stack.ok(&["config", "set", "--secret", "owner", TAG]);
    let up = stack.ok(&["up", "--skip-preview"]);
    assert_clean("pulumi up", &up);
    let export = stack.export();
    let text = export.to_string();
    assert_clean("the exported state", &text);
    let vault = export["deployment"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "awsecr:index:Repository")
        .unwrap()
        .clone();
    for key in ["tags", "tagsAll"] {
        let v = &vault["outputs"][key];
        assert_eq!(v["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "{key} is secret: {v}");
    }
    // The tag itself really is on the repository.
    let arn = vault["outputs"]["arn"].as_str().unwrap();
    let tags = moto.ecr().await.list_tags_for_resource().resource_arn(arn).send().await.unwrap();
    assert!(tags.tags().iter().any(|t| t.key() == "owner" && t.value() == TAG));
    stack.ok(&["destroy", "--skip-preview"]);
}

const ORG: &str = "plaintext-organization-2222";
const COST: &str = "plaintext-cost-center-3333";

fn assert_clean_of(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} shows the secret {s}:\n{text}");
    }
}

/// Provider settings set with `--secret` (organization, a default tag) make
/// every output that carries them secret: after `up`, a no-change preview, a
/// refresh and a change, the exported state holds no plaintext, while ECR
/// really carries the tags.
#[tokio::test]
async fn secret_provider_settings_stay_secret_in_the_state() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e/yaml-secrets"), &moto);
    stack.ok(&["config", "set", "--secret", "owner", TAG]);
    stack.ok(&["config", "set", "--secret", "awsecr:organization", ORG]);
    stack.ok(&["config", "set", "--secret", "--path", "awsecr:defaultTags.costCenter", COST]);
    stack.ok(&["config", "set", "--path", "awsecr:defaultTags.team", "platform"]);
    let secrets = [TAG, ORG, COST];

    let check_state = |when: &str| {
        let export = stack.export();
        assert_clean_of(&format!("the state after {when}"), &export.to_string(), &secrets);
        let vault = export["deployment"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "awsecr:index:Repository")
            .unwrap()
            .clone();
        let v = &vault["outputs"]["tagsAll"];
        assert_eq!(
            v["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270",
            "{when}: tagsAll is secret: {v}"
        );
        vault["outputs"]["arn"].as_str().unwrap().to_string()
    };

    let up = stack.ok(&["up", "--skip-preview"]);
    assert_clean_of("pulumi up", &up, &secrets);
    let arn = check_state("up");
    let tags = moto.tags(&arn).await;
    assert_eq!(tags.get("organization").map(String::as_str), Some(ORG));
    assert_eq!(tags.get("costCenter").map(String::as_str), Some(COST));
    assert_eq!(tags.get("team").map(String::as_str), Some("platform"));

    let preview = stack.ok(&["preview", "--expect-no-changes", "--diff"]);
    assert_clean_of("a no-change preview", &preview, &secrets);

    let refresh = stack.ok(&["refresh", "--skip-preview"]);
    assert_clean_of("pulumi refresh", &refresh, &secrets);
    check_state("refresh");
    stack.ok(&["preview", "--expect-no-changes"]);

    stack.ok(&["config", "set", "--path", "awsecr:defaultTags.team", "payments"]);
    let change = stack.ok(&["up", "--skip-preview", "--diff"]);
    assert_clean_of("an update", &change, &secrets);
    check_state("a change of defaultTags");
    assert_eq!(moto.tags(&arn).await.get("team").map(String::as_str), Some("payments"));
    stack.ok(&["destroy", "--skip-preview"]);
}

/// Secret inputs through refresh (Read) and update: the outputs stay secret,
/// and the Update log at trace level shows no secret.
#[tokio::test]
async fn secret_inputs_stay_secret_through_refresh_and_update() {
    let moto = Moto::start();
    let dir = TempDir::new("secret-update");
    let log = dir.path().join("provider.log");
    let mut p = ProviderProcess::start_logging(&[], Some(&log)).await;
    p.configure(&moto, &[]).await.unwrap();
    let urn = urn("sealed");
    let news = obj(&[
        ("repositoryName", "sealed".into()),
        ("tags", Value::Object(obj(&[("owner", secret(TAG))]))),
        ("pullPrincipals", secret(Value::Array(vec!["210987654321".into()]))),
    ]);
    let checked = p
        .client
        .check(pulumirpc::CheckRequest { urn: urn.clone(), news: Some(encode_struct(&news)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let created = p
        .client
        .create(pulumirpc::CreateRequest { urn: urn.clone(), properties: checked.inputs.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let read = p
        .client
        .read(pulumirpc::ReadRequest {
            id: created.id.clone(),
            urn: urn.clone(),
            properties: created.properties.clone(),
            inputs: checked.inputs.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let (read_out, read_in) = (decode(&read.properties), decode(&read.inputs));
    for key in ["tags", "tagsAll", "pullPrincipals", "repositoryPolicyText"] {
        assert!(read_out[key].contains_secret(), "refresh output {key} is secret: {:?}", read_out[key]);
    }
    assert!(read_in["tags"].contains_secret() && read_in["pullPrincipals"].contains_secret());

    // An update that changes the secret tag: outputs secret, nothing logged.
    let mut changed = news.clone();
    changed.insert("tags".into(), Value::Object(obj(&[("owner", secret("another-secret-value-4444"))])));
    let checked = p
        .client
        .check(pulumirpc::CheckRequest { urn: urn.clone(), news: Some(encode_struct(&changed)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let updated = p
        .client
        .update(pulumirpc::UpdateRequest {
            id: created.id.clone(),
            urn: urn.clone(),
            olds: read.properties.clone(),
            news: checked.inputs.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let out = decode(&updated.properties);
    for key in ["tags", "tagsAll", "pullPrincipals", "repositoryPolicyText"] {
        assert!(out[key].contains_secret(), "update output {key} is secret");
    }
    drop(p);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("Update") && logged.contains("[secret]"), "trace logging is on: {logged}");
    assert_clean_of("the provider log", &logged, &[TAG, "another-secret-value-4444", "210987654321"]);
}

/// Credentials given without --secret (plain config) never reach the log,
/// and failures about values that arrived as secrets name the property and
/// the rule, never the value.
#[tokio::test]
async fn plain_credentials_and_secret_values_are_never_quoted() {
    let moto = Moto::start();
    let dir = TempDir::new("secret-quotes");
    let log = dir.path().join("provider.log");
    let mut p = ProviderProcess::start_logging(&[], Some(&log)).await;
    let plain = obj(&[
        ("region", REGION.into()),
        ("endpoint", moto.endpoint().into()),
        ("accessKey", ACCESS.into()),
        ("secretKey", SECRET.into()),
        ("token", TOKEN.into()),
    ]);
    let resp = p
        .client
        .check_config(pulumirpc::CheckRequest { news: Some(encode_struct(&plain)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.failures.is_empty(), "{:?}", resp.failures);
    p.client
        .configure(pulumirpc::ConfigureRequest { args: Some(encode_struct(&plain)), ..Default::default() })
        .await
        .unwrap();

    let hidden_name = "Hidden_Repository_Name";
    let hidden_role = "arn:aws:iam::1:role/hidden-principal-5555";
    let hidden_key = "aws:hidden-tag-key-6666";
    let news = obj(&[
        ("repositoryName", secret(hidden_name)),
        ("pullPrincipals", secret(Value::Array(vec![hidden_role.into()]))),
        ("tags", secret(Value::Object(obj(&[(hidden_key, "v".into())])))),
    ]);
    let resp = p
        .client
        .check(pulumirpc::CheckRequest { urn: urn("hidden"), news: Some(encode_struct(&news)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let failures: Vec<String> = resp.failures.iter().map(|f| format!("{}: {}", f.property, f.reason)).collect();
    for path in ["repositoryName", "pullPrincipals[0]", "tags"] {
        assert!(resp.failures.iter().map(path_and_reason).any(|(p, _)| p == path), "{path} is named: {failures:?}");
    }
    assert_clean_of("the failures", &failures.join("\n"), &[hidden_name, hidden_role, hidden_key]);
    drop(p);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("CheckConfig"), "trace logging is on: {logged}");
    assert_clean_of("the provider log", &logged, &[ACCESS, SECRET, TOKEN, hidden_name, hidden_role, hidden_key]);
}

/// An import (Read with no state) through a provider whose organization is
/// a secret: the tags read back that carry it are secret.
#[tokio::test]
async fn import_keeps_secret_provider_tags_secret() {
    let moto = Moto::start();
    let mut p = ProviderProcess::configured(&moto, &[("organization", secret(ORG))]).await;
    let urn = urn("imported");
    let news = obj(&[("repositoryName", "imported".into()), ("tags", Value::Object(obj(&[("team", "web".into())])))]);
    let checked = p
        .client
        .check(pulumirpc::CheckRequest { urn: urn.clone(), news: Some(encode_struct(&news)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let created = p
        .client
        .create(pulumirpc::CreateRequest { urn: urn.clone(), properties: checked.inputs, ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert!(decode(&created.properties)["tagsAll"].contains_secret(), "create");
    let read =
        p.client.read(pulumirpc::ReadRequest { id: created.id, urn, ..Default::default() }).await.unwrap().into_inner();
    let (out, inputs) = (decode(&read.properties), decode(&read.inputs));
    assert!(out["tagsAll"].contains_secret(), "import: tagsAll carries the secret organization");
    assert!(!out["tags"].contains_secret(), "the repository's own tags are not secret: {:?}", out["tags"]);
    assert_eq!(tags_of(&inputs, "tags"), [("team".to_string(), "web".to_string())].into());
    assert_clean_of("the imported inputs", &format!("{inputs:?}"), &[ORG]);
}
