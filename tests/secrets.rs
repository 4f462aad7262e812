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

fn secret(s: &str) -> Value {
    Value::Secret(Box::new(s.into()))
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
