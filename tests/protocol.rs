//! The provider as the engine sees it: the real binary, started the way the
//! engine starts it, spoken to over gRPC.

mod common;

use common::env::FakeEngine;
use common::*;
use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;
use tonic::Code;

fn config_failures(resp: &pulumirpc::CheckResponse) -> Vec<(String, String)> {
    resp.failures.iter().map(path_and_reason).collect()
}

#[tokio::test]
async fn engine_start_up_sequence_then_clean_exit() {
    let moto = Moto::start();
    let (_engine, engine_addr) = FakeEngine::start().await;
    let mut p = ProviderProcess::start(&["--logtostderr", "-v=9", &engine_addr]).await;
    assert!(p.port > 0);

    let hs = p
        .client
        .handshake(pulumirpc::ProviderHandshakeRequest { engine_address: engine_addr.clone(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert!(hs.accept_secrets && hs.accept_resources && hs.supports_autonaming_configuration);

    let info = p.client.get_plugin_info(()).await.unwrap().into_inner();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));

    let schema = p.client.get_schema(pulumirpc::GetSchemaRequest::default()).await.unwrap().into_inner().schema;
    let schema: serde_json::Value = serde_json::from_str(&schema).expect("the schema parses");
    assert_eq!(schema["name"], "awsecr");
    assert!(schema["resources"]["awsecr:index:Repository"].is_object());

    // CheckConfig, good.
    let good = test_config(&moto);
    let resp = p
        .client
        .check_config(pulumirpc::CheckRequest {
            urn: "urn:pulumi:test::proj::pulumi:providers:awsecr::default".into(),
            news: Some(encode_struct(&good)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.failures.is_empty(), "{:?}", config_failures(&resp));

    // CheckConfig, bad: each failure names its key, and no secret leaks.
    let bad = obj(&[
        ("region", "moon-base".into()),
        ("accessKey", Value::Secret(Box::new("AKIAVERYSECRET".into()))),
        ("endpoint", "not a url".into()),
        ("maxRetries", Value::Number(1000.0)),
        ("defaultTags", string_map(&[("aws:reserved", "x")])),
    ]);
    let resp = p
        .client
        .check_config(pulumirpc::CheckRequest { news: Some(encode_struct(&bad)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    let got = config_failures(&resp);
    let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    for key in ["region", "secretKey", "endpoint", "maxRetries", "defaultTags.aws:reserved"] {
        assert!(keys.contains(&key), "no failure for {key}: {got:?}");
    }
    assert!(got.iter().all(|(_, r)| !r.contains("AKIAVERYSECRET")));
    // The checked credentials come back marked secret.
    let checked = decode(&resp.inputs);
    assert!(matches!(checked["accessKey"], Value::Secret(_)));

    // DiffConfig: a change, never a replacement (each resource's Diff
    // decides whether the new region moves it).
    let mut moved = good.clone();
    moved.insert("region".into(), "eu-west-1".into());
    moved.insert("defaultTags".into(), string_map(&[("team", "x")]));
    let d = p
        .client
        .diff_config(pulumirpc::DiffRequest {
            olds: Some(encode_struct(&good)),
            old_inputs: Some(encode_struct(&good)),
            news: Some(encode_struct(&moved)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(d.replaces.is_empty(), "{:?}", d.replaces);
    assert_eq!(d.diffs, vec!["region".to_string(), "defaultTags".to_string()]);

    // Configure against the local emulator.
    let conf = p
        .client
        .configure(pulumirpc::ConfigureRequest {
            args: Some(encode_struct(&good)),
            accept_secrets: true,
            accept_resources: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(conf.supports_preview && conf.accept_secrets && conf.supports_autonaming_configuration);

    // Cancel, then the engine closes the connection and sends SIGINT.
    p.client.cancel(()).await.unwrap();
    let status = p.interrupt_and_wait();
    assert_eq!(status.code(), Some(0), "the provider exits 0 after Cancel and SIGINT");
}

#[tokio::test]
async fn unknown_tokens_and_unimplemented_rpcs_are_clear() {
    let moto = Moto::start();
    let mut p = ProviderProcess::configured(&moto, &[]).await;
    let err = p
        .client
        .check(pulumirpc::CheckRequest {
            urn: "urn:pulumi:s::p::awsecr:index:Widget::r".into(),
            r#type: "awsecr:index:Widget".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(
        err.message().contains("awsecr:index:Widget") && err.message().contains("awsecr:index:Repository"),
        "{}",
        err.message()
    );

    // The type is taken from the URN when the engine leaves `type` empty.
    let err = p
        .client
        .create(pulumirpc::CreateRequest { urn: "urn:pulumi:s::p::awsecr:index:Thing::r".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert!(err.message().contains("awsecr:index:Thing"), "{}", err.message());

    let e = p.client.parameterize(pulumirpc::ParameterizeRequest::default()).await.unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
    let e = p.client.call(pulumirpc::CallRequest::default()).await.unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
    let e = p.client.construct(pulumirpc::ConstructRequest::default()).await.unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
    let e = p.client.get_mapping(pulumirpc::GetMappingRequest::default()).await.unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
    let e = p.client.get_mappings(pulumirpc::GetMappingsRequest::default()).await.unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
}

#[tokio::test]
async fn resource_calls_before_configure_fail_cleanly() {
    let mut p = ProviderProcess::start(&[]).await;
    let err = p
        .client
        .create(pulumirpc::CreateRequest {
            urn: urn("x"),
            r#type: "awsecr:index:Repository".into(),
            properties: Some(encode_struct(&obj(&[("repositoryName", "x".into())]))),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
}

#[tokio::test]
async fn bad_configuration_fails_configure_with_the_key() {
    let moto = Moto::start();
    let mut p = ProviderProcess::start(&[]).await;
    let err = p.configure(&moto, &[("endpoint", "nope".into())]).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("endpoint"), "{}", err.message());
    let mut no_region = ProviderProcess::start(&[]).await;
    let mut args: Map = test_config(&moto);
    args.remove("region");
    let err = no_region
        .client
        .configure(pulumirpc::ConfigureRequest { args: Some(encode_struct(&args)), ..Default::default() })
        .await
        .unwrap_err();
    assert!(err.message().contains("awsecr:region"), "{}", err.message());
}

#[tokio::test]
async fn attach_mode_then_warnings_reach_the_engine() {
    let moto = Moto::start();
    let (engine, engine_addr) = FakeEngine::start().await;
    // Started without an engine address, as with PULUMI_DEBUG_PROVIDERS.
    let mut p = ProviderProcess::start(&[]).await;
    p.client.attach(pulumirpc::PluginAttach { address: engine_addr }).await.unwrap();
    p.configure(&moto, &[]).await.unwrap();

    // A lifecycle policy declared with the simple fields and then edited by
    // hand beyond them is reported through Engine.Log on refresh.
    let ecr = moto.ecr().await;
    ecr.create_repository().repository_name("edited").send().await.unwrap();
    // Keep five untagged images: a count rule for untagged images is beyond the fields.
    let policy = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#;
    ecr.put_lifecycle_policy().repository_name("edited").lifecycle_policy_text(policy).send().await.unwrap();
    let read = p
        .client
        .read(pulumirpc::ReadRequest {
            id: "edited".into(),
            urn: urn("edited"),
            r#type: "awsecr:index:Repository".into(),
            inputs: Some(encode_struct(&obj(&[
                ("repositoryName", "edited".into()),
                ("lifecyclePolicy", Value::Object(obj(&[("maxImageCount", Value::Number(5.0))]))),
            ]))),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.id, "edited");
    let logs = engine.logs.lock().unwrap().clone();
    let warning =
        logs.iter().find(|l| l.severity == pulumirpc::LogSeverity::Warning as i32).expect("a warning was logged");
    assert!(warning.message.contains("edited outside Pulumi"), "{}", warning.message);
    assert_eq!(warning.urn, urn("edited"));
}

/// A provider whose engine is gone (a CLI that exits without stopping its
/// plugins) stops by itself: started by a shell that exits once the port is
/// printed, it is reparented, notices within its check interval and exits.
#[cfg(unix)]
#[test]
fn a_provider_whose_engine_is_gone_stops() {
    let dir = TempDir::new("orphan");
    let port_file = dir.path().join("port");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#""$0" > "$1" 2>/dev/null & while [ ! -s "$1" ]; do sleep 0.05; done; echo $!"#)
        .arg(env!("CARGO_BIN_EXE_pulumi-resource-awsecr"))
        .arg(&port_file)
        .output()
        .unwrap();
    let pid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("the provider's pid");
    // Running (or a zombie no one reaps: exited all the same).
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()) != Some("Z"))
            .unwrap_or(false)
    };
    assert!(std::fs::read_to_string(&port_file).unwrap().trim().parse::<u16>().is_ok(), "it printed its port");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while running() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let still = running();
    if still {
        let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
    }
    assert!(!still, "the provider {pid} outlived the process that started it");
}
