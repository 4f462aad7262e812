//! Where credentials come from, and what the user reads when they cannot be
//! had. The provider runs with an empty environment and an empty home
//! directory of the test's own, against the emulator; an assumed role and web
//! identity (the CI way: a token file and a role, no keys) work through the
//! emulator's STS; each way of failing (none at all, a profile that does not
//! exist, an SSO session that expired, a role that may not be assumed) gets
//! its own sentence, and a real connection failure still reads as one.

mod common;

use std::path::Path;

use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;
use tonic::Code;

/// The SSO cache file of the sso-session `s` (its name is the SHA-1 of "s").
const SSO_CACHE_FILE: &str = ".aws/sso/cache/a0f1490a20d0211c997b44bc357e1972deab8ae3.json";
const SSO_CONFIG: &str = "[profile sso]\nsso_session = s\nsso_account_id = 123456789012\nsso_role_name = r\nregion = us-east-1\n\n[sso-session s]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n";

/// Starts the provider with `envs` only (plus an empty home), configures it
/// with the emulator's endpoint and `config`, and tries to create a
/// repository; returns how that went.
async fn create_with(
    home: &Path,
    envs: &[(&str, &str)],
    endpoint: &str,
    config: &[(&str, Value)],
) -> tonic::Result<()> {
    let mut envs = envs.to_vec();
    envs.push(("AWS_EC2_METADATA_DISABLED", "true"));
    let mut p = ProviderProcess::start_isolated(home, &envs).await;
    let mut args = obj(&[("region", REGION.into()), ("maxRetries", Value::Number(1.0))]);
    // No `endpoint` setting when empty: the environment's variables decide.
    if !endpoint.is_empty() {
        args.insert("endpoint".into(), endpoint.into());
    }
    args.extend(config.iter().map(|(k, v)| (k.to_string(), v.clone())));
    p.client
        .configure(pulumirpc::ConfigureRequest { args: Some(encode_struct(&args)), ..Default::default() })
        .await
        .expect("Configure");
    let inputs: Map = obj(&[
        ("repositoryName", "creds".into()),
        ("immutableTags", true.into()),
        ("scanOnPush", true.into()),
        ("encryptionType", "AES256".into()),
        ("forceDelete", false.into()),
    ]);
    p.client
        .create(pulumirpc::CreateRequest {
            urn: urn("creds"),
            properties: Some(encode_struct(&inputs)),
            timeout: 60.0,
            ..Default::default()
        })
        .await
        .map(|_| ())
}

fn assert_says(result: tonic::Result<()>, code: Code, words: &[&str]) {
    let err = result.expect_err("the create should have failed");
    assert_eq!(err.code(), code, "{}", err.message());
    for w in words {
        assert!(err.message().contains(w), "wanted {w:?} in: {}", err.message());
    }
}

#[tokio::test]
async fn no_credentials_anywhere_says_where_the_provider_looked() {
    let moto = Moto::start();
    let home = TempDir::new("home-empty");
    let result = create_with(home.path(), &[], &moto.endpoint(), &[]).await;
    assert_says(
        result,
        Code::Unauthenticated,
        &["no AWS credentials were found", "AWS_ACCESS_KEY_ID", "~/.aws/credentials", "AWS_WEB_IDENTITY_TOKEN_FILE"],
    );
    assert!(!moto.exists("creds").await);
}

#[tokio::test]
async fn a_profile_that_does_not_exist_is_named() {
    let moto = Moto::start();
    let home = TempDir::new("home-profile");
    // No shared files at all.
    let result = create_with(home.path(), &[], &moto.endpoint(), &[("profile", "nope".into())]).await;
    assert_says(result, Code::Unauthenticated, &["the AWS profile \"nope\"", "awsecr:profile"]);
    // Shared files that define other profiles only.
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), "[profile other]\nregion = us-east-1\n").unwrap();
    let result = create_with(home.path(), &[], &moto.endpoint(), &[("profile", "nope".into())]).await;
    assert_says(
        result,
        Code::Unauthenticated,
        &["the AWS profile \"nope\" does not exist in the shared AWS config files"],
    );
    // The same through AWS_PROFILE.
    let result = create_with(home.path(), &[("AWS_PROFILE", "nope")], &moto.endpoint(), &[]).await;
    assert_says(result, Code::Unauthenticated, &["the AWS profile \"nope\" does not exist"]);
}

#[tokio::test]
async fn an_expired_sso_session_says_to_log_in_again() {
    let moto = Moto::start();
    let home = TempDir::new("home-sso");
    std::fs::create_dir_all(home.path().join(".aws/sso/cache")).unwrap();
    std::fs::write(home.path().join(".aws/config"), SSO_CONFIG).unwrap();
    // Never logged in: no cached token.
    let result = create_with(home.path(), &[], &moto.endpoint(), &[("profile", "sso".into())]).await;
    assert_says(result, Code::Unauthenticated, &["SSO", "aws sso login --profile sso"]);
    // Logged in long ago: the cached token has expired.
    let token = r#"{"accessToken":"expired-token","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"https://example.awsapps.com/start"}"#;
    std::fs::write(home.path().join(SSO_CACHE_FILE), token).unwrap();
    let result = create_with(home.path(), &[], &moto.endpoint(), &[("profile", "sso".into())]).await;
    assert_says(result, Code::Unauthenticated, &["has expired or was never started", "aws sso login --profile sso"]);
}

#[tokio::test]
async fn assumed_roles_work_and_a_refused_one_is_named() {
    let moto = Moto::start();
    let home = TempDir::new("home-role");
    let keys = [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")];
    let role = "arn:aws:iam::123456789012:role/deployer";
    let assume = || Value::Object(obj(&[("roleArn", role.into())]));

    // The emulator's STS hands out the role's credentials: the create works.
    let sts = moto.endpoint();
    let envs = [keys[0], keys[1], ("AWS_ENDPOINT_URL_STS", sts.as_str())];
    create_with(home.path(), &envs, &moto.endpoint(), &[("assumeRole", assume())]).await.expect("create as the role");
    assert!(moto.exists("creds").await);
    moto.reset();

    // STS refuses: the sentence names the role and the trust policy.
    let proxy = FaultProxy::start(moto.port);
    proxy.inject(
        "AssumeRole",
        Fault::XmlError { status: 403, code: "AccessDenied", message: "not authorized to perform sts:AssumeRole" },
        None,
    );
    let sts = proxy.endpoint();
    let envs = [keys[0], keys[1], ("AWS_ENDPOINT_URL_STS", sts.as_str())];
    let result = create_with(home.path(), &envs, &moto.endpoint(), &[("assumeRole", assume())]).await;
    assert_says(result, Code::Unauthenticated, &["refused to let the provider assume the role", role, "trust policy"]);
    assert!(!moto.exists("creds").await);
}

/// Which setting or variable routes what (README, docs and the schema say
/// it): `AWS_ENDPOINT_URL` routes ECR and STS alike; the `endpoint` setting
/// and `AWS_ENDPOINT_URL_ECR` route ECR only, so STS, behind an assumed
/// role, still goes where `AWS_ENDPOINT_URL` says (here a closed port).
#[tokio::test]
async fn endpoint_variables_route_what_the_docs_say() {
    let moto = Moto::start();
    let home = TempDir::new("home-endpoints");
    let keys = [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")];
    let role = "arn:aws:iam::123456789012:role/deployer";
    let assume = [("assumeRole", Value::Object(obj(&[("roleArn", role.into())])))];
    let emulator = moto.endpoint();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };

    // AWS_ENDPOINT_URL alone: the role is assumed at the emulator's STS and
    // the repository made at its ECR.
    let envs = [keys[0], keys[1], ("AWS_ENDPOINT_URL", emulator.as_str())];
    moto.start_recording();
    create_with(home.path(), &envs, "", &assume).await.expect("AWS_ENDPOINT_URL routes STS and ECR");
    let requests = moto.stop_recording_requests();
    let assumed = requests.iter().any(|r| {
        url::form_urlencoded::parse(recorded_body(r).as_bytes()).any(|(k, v)| k == "Action" && v == "AssumeRole")
    });
    assert!(assumed, "the role was assumed at the emulator's STS: {requests:?}");
    assert!(moto.exists("creds").await, "and the repository made at its ECR");
    moto.reset();

    // The setting, or AWS_ENDPOINT_URL_ECR, points ECR at the emulator; STS
    // follows AWS_ENDPOINT_URL to a closed port, and the role cannot be assumed.
    for (endpoint, ecr_var) in [(emulator.as_str(), None), ("", Some(emulator.as_str()))] {
        let mut envs = vec![keys[0], keys[1], ("AWS_ENDPOINT_URL", closed.as_str())];
        if let Some(url) = ecr_var {
            envs.push(("AWS_ENDPOINT_URL_ECR", url));
        }
        let result = create_with(home.path(), &envs, endpoint, &assume).await;
        assert_says(result, Code::Unauthenticated, &["could not reach AWS STS", role, "AWS_ENDPOINT_URL"]);
        assert!(!moto.exists("creds").await);
    }
}

/// A CI job (GitHub Actions, GitLab, an EKS pod) gets AWS credentials by web
/// identity: a token file from its OIDC provider and the role to assume, in
/// the standard variables, with no keys anywhere. The provider exchanges the
/// token at STS (AssumeRoleWithWebIdentity) and signs every ECR call with the
/// role's credentials; the emulator's STS says whose they are.
#[tokio::test]
async fn web_identity_from_the_standard_variables() {
    let moto = Moto::start();
    let home = TempDir::new("home-web-identity");
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}"#;
    let role = format!("arn:aws:iam::{ACCOUNT}:role/ci-deployer");
    let token_file = home.path().join("web-identity-token");
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmV4YW1wbGUvYXBwOnJlZjpyZWZzL2hlYWRzL21haW4ifQ.c2lnbmF0dXJl";
    std::fs::write(&token_file, token).unwrap();
    let sts = moto.endpoint();

    for session in [Some("ci-run-42"), None] {
        let mut envs = vec![
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
            ("AWS_ROLE_ARN", role.as_str()),
            // STS of the emulator, as AWS_ENDPOINT_URL_STS is read by the SDK.
            ("AWS_ENDPOINT_URL_STS", sts.as_str()),
        ];
        if let Some(name) = session {
            envs.push(("AWS_ROLE_SESSION_NAME", name));
        }
        assert!(!envs.iter().any(|(k, _)| k.contains("ACCESS_KEY")), "no static keys");
        let (status, body) = moto.aws_query(
            "iam",
            "2010-05-08",
            &[("Action", "CreateRole"), ("RoleName", "ci-deployer"), ("AssumeRolePolicyDocument", trust)],
        );
        assert_eq!(status, 200, "{body}");
        moto.start_recording();
        create_with(home.path(), &envs, &moto.endpoint(), &[]).await.expect("create with web identity");
        let requests = moto.stop_recording_requests();
        assert!(moto.exists("creds").await);

        // The token went to STS with the role and, when given, the session name.
        let exchange: Vec<Vec<(String, String)>> = requests
            .iter()
            .map(|r| url::form_urlencoded::parse(recorded_body(r).as_bytes()).into_owned().collect::<Vec<_>>())
            .filter(|form| form.iter().any(|(k, v)| k == "Action" && v == "AssumeRoleWithWebIdentity"))
            .collect();
        assert_eq!(exchange.len(), 1, "one exchange of the token: {requests:?}");
        let param = |k: &str| exchange[0].iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        assert_eq!(param("RoleArn").as_deref(), Some(role.as_str()));
        assert_eq!(param("WebIdentityToken").as_deref(), Some(token));
        if let Some(name) = session {
            assert_eq!(param("RoleSessionName").as_deref(), Some(name));
        }

        // Every ECR call was signed with one key, and that key is the role's.
        let ecr_keys: std::collections::BTreeSet<String> = requests
            .iter()
            .filter(|r| {
                r["headers"]["X-Amz-Target"].as_str().is_some_and(|t| t.starts_with("AmazonEC2ContainerRegistry"))
            })
            .map(|r| recorded_access_key(r).expect("a signed ECR request"))
            .collect();
        assert_eq!(ecr_keys.len(), 1, "{ecr_keys:?}");
        let key = ecr_keys.first().unwrap();
        let arn = moto.caller_arn(key);
        let session_name = param("RoleSessionName").expect("a session name, given or generated");
        assert_eq!(arn, format!("arn:aws:sts::{ACCOUNT}:assumed-role/ci-deployer/{session_name}"));
        moto.reset();
    }
}

#[tokio::test]
async fn a_real_connection_failure_still_reads_as_one() {
    let moto = Moto::start();
    let home = TempDir::new("home-net");
    let keys = [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")];
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let result = create_with(home.path(), &keys, &format!("http://127.0.0.1:{closed}"), &[]).await;
    assert_says(result, Code::Unavailable, &["could not reach ECR", "the connection failed"]);
    drop(moto);
}
