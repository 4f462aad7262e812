//! RUST_LOG: the provider's events and the AWS SDK's go through one `tracing`
//! subscriber to stderr. A throttled run of the real binary shows the SDK's
//! retry and back-off events; without RUST_LOG it writes nothing to stderr;
//! at `trace`, the most verbose a user can ask for, no credential, secret
//! input or authorization token reaches stderr. stdout stays the engine's:
//! every run here reads the port from its first line.

mod common;

use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::property::{Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;

const ACCESS: &str = "AKIALOGGINGACCESS246";
const SECRET: &str = "logging-secret-key-2468";
const TOKEN: &str = "logging-session-token-1357";
const TAG: &str = "logging-secret-tag-8642";
const THROTTLES: usize = 2;

fn secret(s: &str) -> Value {
    Value::Secret(Box::new(s.into()))
}

/// What one run left behind: the provider's stderr, and the authorization
/// token and password ECR handed out in it.
struct Run {
    stderr: String,
    token: String,
    password: String,
}

/// One run of the real binary with RUST_LOG `rust_log`: Configure with
/// secret keys and a session token, a create of a repository with a secret
/// tag whose first CreateRepository attempts ECR throttles (a fault proxy in
/// front of the emulator), then getAuthorizationToken.
async fn throttled_run(rust_log: Option<&str>) -> Run {
    let moto = Moto::start();
    let proxy = FaultProxy::start(moto.port);
    let throttle = Fault::Error { status: 400, code: "ThrottlingException", message: "Rate exceeded" };
    proxy.inject("CreateRepository", throttle, Some(THROTTLES));
    let dir = TempDir::new("logging");
    let log = dir.path().join("stderr.log");
    let mut p = ProviderProcess::start_with_log(rust_log, &log, &[]).await;

    let config = obj(&[
        ("region", REGION.into()),
        ("endpoint", proxy.endpoint().into()),
        ("accessKey", secret(ACCESS)),
        ("secretKey", secret(SECRET)),
        ("token", secret(TOKEN)),
        ("maxRetries", Value::Number(3.0)),
    ]);
    p.client
        .configure(pulumirpc::ConfigureRequest {
            args: Some(encode_struct(&config)),
            accept_secrets: true,
            ..Default::default()
        })
        .await
        .expect("Configure");
    let news = obj(&[("repositoryName", "logged".into()), ("tags", Value::Object(obj(&[("owner", secret(TAG))])))]);
    let urn = urn("logged");
    let checked = p
        .client
        .check(pulumirpc::CheckRequest { urn: urn.clone(), news: Some(encode_struct(&news)), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert!(checked.failures.is_empty(), "{:?}", checked.failures);
    p.client
        .create(pulumirpc::CreateRequest { urn, properties: checked.inputs, ..Default::default() })
        .await
        .expect("the create succeeds after the throttled attempts");
    assert_eq!(proxy.counts().throttled, THROTTLES, "ECR throttled the first attempts");

    let invoked = p
        .client
        .invoke(pulumirpc::InvokeRequest {
            tok: "awsecr:index:getAuthorizationToken".into(),
            args: Some(encode_struct(&obj(&[]))),
            preview: false,
        })
        .await
        .unwrap()
        .into_inner();
    let got = decode(&invoked.r#return);
    let Value::Secret(password) = &got["password"] else { panic!("the password is not secret: {got:?}") };
    let password = password.as_str().expect("a string password").to_string();
    assert!(password.len() > 8, "{password}");
    let token = aws_smithy_types::base64::encode(format!("AWS:{password}"));
    drop(p);
    Run { stderr: std::fs::read_to_string(&log).unwrap(), token, password }
}

/// The SDK's retry lines: each throttled attempt, classified and retried
/// after a back-off, then the next attempt.
fn assert_shows_retries(stderr: &str) {
    let retried: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("aws_smithy_runtime::client::retries") && l.contains("retrying after"))
        .collect();
    assert_eq!(retried.len(), THROTTLES, "one retry line per throttled attempt:\n{stderr}");
    for (i, line) in retried.iter().enumerate() {
        assert!(line.contains(&format!("attempt #{} failed with", i + 1)), "{line}");
        assert!(line.contains("ThrottlingError"), "{line}");
    }
    assert!(
        stderr.contains(&format!("beginning attempt #{}", THROTTLES + 1)),
        "the attempt that got through:\n{stderr}"
    );
    // The provider's retry mode is adaptive: a throttle turns the client
    // rate limiter on, and it paces the retries.
    assert!(
        stderr.contains(
            "aws_smithy_runtime::client::retries::client_rate_limiter: client rate limiting has been enabled"
        ),
        "the client rate limiter:\n{stderr}"
    );
}

/// None of the run's credentials, secret inputs or ECR's token is on stderr.
fn assert_no_secret(run: &Run, filter: &str) {
    for s in [ACCESS, SECRET, TOKEN, TAG, &run.password, &run.token] {
        assert!(!run.stderr.contains(s), "RUST_LOG={filter} shows the secret {s}:\n{}", run.stderr);
    }
}

#[tokio::test]
async fn a_throttled_run_shows_the_sdks_retries_and_back_off() {
    // The SDK's retry orchestrator and strategy alone.
    let run = throttled_run(Some("aws_smithy_runtime=debug")).await;
    assert_shows_retries(&run.stderr);
    assert_no_secret(&run, "aws_smithy_runtime=debug");
    assert!(!run.stderr.contains("pulumi_resource_awsecr"), "only the target asked for:\n{}", run.stderr);

    // Everything at debug: the provider's own events beside the SDK's.
    let run = throttled_run(Some("debug")).await;
    assert_shows_retries(&run.stderr);
    assert_no_secret(&run, "debug");
    assert!(
        run.stderr.lines().any(|l| l.contains("ECR.CreateRepository{") && l.contains("retrying after")),
        "the SDK's span names the operation retried:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.lines().any(|l| l.contains(" DEBUG pulumi_resource_awsecr: ecr:CreateRepository")),
        "the provider's own event for the call:\n{}",
        run.stderr
    );
}

#[tokio::test]
async fn without_rust_log_nothing_is_written_to_stderr() {
    let run = throttled_run(None).await;
    assert_eq!(run.stderr, "", "stderr of a run without RUST_LOG");
    // An empty RUST_LOG is the same as none.
    let run = throttled_run(Some("")).await;
    assert_eq!(run.stderr, "", "stderr of a run with an empty RUST_LOG");
}

#[tokio::test]
async fn at_trace_no_secret_reaches_stderr() {
    // `trace` for everything, and trace asked for by name for the SDK
    // targets that print requests, responses, credentials and signing
    // inputs: the caps hold either way.
    for filter in [
        "trace",
        "trace,aws_smithy_runtime=trace,aws_smithy_runtime::client::orchestrator=trace,aws_sigv4=trace,\
         aws_config::profile=trace,aws_smithy_runtime::client::orchestrator::endpoints=debug,hyper=trace,h2=trace",
    ] {
        let run = throttled_run(Some(filter)).await;
        // Logging is on, for the provider (inputs, redacted) and the SDK.
        assert!(run.stderr.contains("[secret]"), "the provider's trace events are there:\n{}", run.stderr);
        assert_shows_retries(&run.stderr);
        assert!(!run.stderr.contains(" TRACE aws_"), "no SDK trace event:\n{}", run.stderr);
        assert_no_secret(&run, filter);
    }
}

/// Credentials from a profile of the shared config: the SDK's profile
/// provider prints what it loaded (the access key id) at `info`; capped.
#[tokio::test]
async fn profile_credentials_stay_out_at_trace() {
    let moto = Moto::start();
    let dir = TempDir::new("logging-profile");
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile logged]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n\
             aws_session_token = {TOKEN}\n"
        ),
    )
    .unwrap();
    let log = dir.path().join("stderr.log");
    let config = config.to_str().unwrap();
    let mut p = ProviderProcess::start_with_log(Some("trace"), &log, &[("AWS_CONFIG_FILE", config)]).await;
    let args = obj(&[("region", REGION.into()), ("endpoint", moto.endpoint().into()), ("profile", "logged".into())]);
    p.client
        .configure(pulumirpc::ConfigureRequest { args: Some(encode_struct(&args)), ..Default::default() })
        .await
        .expect("Configure");
    moto.start_recording();
    let got = p
        .client
        .invoke(pulumirpc::InvokeRequest {
            tok: "awsecr:index:getAuthorizationToken".into(),
            args: Some(encode_struct(&obj(&[]))),
            preview: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(got.failures.is_empty(), "{:?}", got.failures);
    let requests = moto.stop_recording_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(recorded_access_key(&requests[0]).as_deref(), Some(ACCESS), "the profile's keys signed the call");
    drop(p);
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(stderr.contains("aws_config"), "the credential chain's events are there:\n{stderr}");
    for s in [ACCESS, SECRET, TOKEN] {
        assert!(!stderr.contains(s), "the profile's credential {s} is on stderr:\n{stderr}");
    }
}
