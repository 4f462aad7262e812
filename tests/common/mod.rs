//! Test harness shared by the integration tests:
//! - [`Moto`]: a local ECR emulator (moto) on a free loopback port, from a
//!   cached virtual environment, stopped by pid when dropped;
//! - [`ProviderProcess`]: the real provider binary started as the engine
//!   starts it, with a gRPC client on the port it prints;
//! - helpers to build requests and to look at the emulator independently.
#![allow(dead_code)]

pub mod env;
pub mod inspect;
pub mod oci;
pub mod proxy;
pub mod pulumi;
pub mod scenarios;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use pulumi_resource_awsecr::property::{Map, Value, decode_struct, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc::{self, resource_provider_client::ResourceProviderClient};
use tonic::transport::Channel;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cached venv with moto and the pulumi package (scripts/test-venv.sh).
pub fn venv() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let out = Command::new("bash")
            .arg(root().join("scripts/test-venv.sh"))
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/test-venv.sh");
        assert!(out.status.success(), "scripts/test-venv.sh failed");
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
}

// ---------------------------------------------------------------- moto

/// A running moto server, stopped when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
    _dir: TempDir,
}

impl Moto {
    /// Starts moto on a port the OS picks; ready when it announces the port.
    /// The emulator's mode is the environment's `AWSECR_EMULATOR` (`strict`
    /// or `lenient`, strict when unset; see tests/support/moto_ecr.py).
    pub fn start() -> Moto {
        Moto::launch(None)
    }

    /// Starts the strict emulator whatever `AWSECR_EMULATOR` says: requests
    /// checked against ECR's model, paged lists, reserved tags, principals
    /// that must exist, ... (tests/support/ecr_strict.py).
    pub fn start_strict() -> Moto {
        Moto::launch(Some("strict"))
    }

    /// Starts the lenient emulator (moto with one correction) whatever
    /// `AWSECR_EMULATOR` says.
    pub fn start_lenient() -> Moto {
        Moto::launch(Some("lenient"))
    }

    fn launch(mode: Option<&str>) -> Moto {
        let dir = TempDir::new("moto");
        let mut command = Command::new(venv().join("bin/python"));
        if let Some(mode) = mode {
            command.env("AWSECR_EMULATOR", mode);
        }
        let mut child = command
            .arg(root().join("tests/support/moto_ecr.py"))
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("MOTO_RECORDER_FILEPATH", dir.path().join("recording"))
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moto_server");
        // Werkzeug announces "Running on http://127.0.0.1:PORT" on stderr.
        let stderr = child.stderr.take().unwrap();
        let mut reader = BufReader::new(stderr);
        let mut port = None;
        let mut seen = String::new();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            seen.push_str(&line);
            if let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) {
                port = rest.trim().trim_end_matches('/').parse().ok();
                break;
            }
            line.clear();
        }
        let Some(port) = port else {
            let _ = child.kill();
            panic!("moto_server did not start: {seen}");
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        let moto = Moto { child, port, _dir: dir };
        let (status, _) = moto.http("GET", "/moto-api/", &[], "");
        assert_eq!(status, 200, "moto is not answering");
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wipes every repository (between phases of a test).
    pub fn reset(&self) {
        let (status, _) = self.http("POST", "/moto-api/reset", &[], "");
        assert_eq!(status, 200);
    }

    pub fn start_recording(&self) {
        self.http("POST", "/moto-api/recorder/reset-recording", &[], "");
        let (status, _) = self.http("POST", "/moto-api/recorder/start-recording", &[], "");
        assert_eq!(status, 200);
    }

    /// Stops recording and returns the ECR operations made, in order.
    pub fn stop_recording(&self) -> Recording {
        Recording(
            self.stop_recording_requests()
                .iter()
                .filter_map(|j| {
                    j["headers"]["X-Amz-Target"].as_str().map(|t| t.rsplit('.').next().unwrap_or(t).to_string())
                })
                .collect(),
        )
    }

    /// Stops recording and returns every request made meanwhile (STS's and
    /// IAM's too), in order, as the recorder keeps them: `headers`, `method`,
    /// `url` and `body` (base64 when `body_encoded`; see [`recorded_body`]).
    pub fn stop_recording_requests(&self) -> Vec<serde_json::Value> {
        self.http("POST", "/moto-api/recorder/stop-recording", &[], "");
        let (_, body) = self.http("GET", "/moto-api/recorder/download-recording", &[], "");
        body.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()).collect()
    }

    /// Whose credentials an access key id stands for, as the emulator's STS
    /// answers GetCallerIdentity signed with that key: the key of an assumed
    /// role gives `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub fn caller_arn(&self, access_key_id: &str) -> String {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={access_key_id}/20260101/{REGION}/sts/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, body) = self.http(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Authorization", &auth)],
            "Action=GetCallerIdentity&Version=2011-06-15",
        );
        assert_eq!(status, 200, "GetCallerIdentity: {body}");
        let arn = body.split("<Arn>").nth(1).and_then(|rest| rest.split("</Arn>").next());
        arn.unwrap_or_else(|| panic!("no Arn in {body}")).to_string()
    }

    /// Creates a KMS key in moto's KMS and returns its ARN.
    pub fn create_kms_key(&self) -> String {
        let (status, body) = self.aws_json("kms", "TrentService.CreateKey", r#"{"Description":"test key"}"#);
        assert_eq!(status, 200, "{body}");
        let j: serde_json::Value = serde_json::from_str(&body).unwrap();
        j["KeyMetadata"]["Arn"].as_str().unwrap().to_string()
    }

    /// Creates an AWS Signer signing profile for container images (platform
    /// Notation-OCI-SHA384-ECDSA) in the emulator's Signer (this account and
    /// region) and returns its ARN, as managed signing names it
    /// (`arn:aws:signer:<region>:<account>:/signing-profiles/<name>`).
    pub fn create_signing_profile(&self, name: &str) -> String {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/signer/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, body) = self.http(
            "PUT",
            &format!("/signing-profiles/{name}"),
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            r#"{"platformId":"Notation-OCI-SHA384-ECDSA"}"#,
        );
        assert_eq!(status, 200, "PutSigningProfile {name}: {body}");
        format!("arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/{name}")
    }

    /// The emulator's mode, `strict` or `lenient`, as the emulator reports it.
    pub fn mode(&self) -> String {
        let (status, body) = self.http("GET", "/awsecr-test/mode", &[], "");
        assert_eq!(status, 200, "{body}");
        let j: serde_json::Value = serde_json::from_str(&body).unwrap();
        j["mode"].as_str().unwrap().to_string()
    }

    /// Tags a repository with a key ECR reserves (`aws:...`), as CloudFormation
    /// would, through the emulator's test-only back door (POST /awsecr-test/tag),
    /// which skips the reserved-prefix rule.
    pub fn set_reserved_tag(&self, arn: &str, key: &str, value: &str) {
        let body = serde_json::json!({"resourceArn": arn, "key": key, "value": value}).to_string();
        let (status, answer) = self.http("POST", "/awsecr-test/tag", &[("Content-Type", "application/json")], &body);
        assert_eq!(status, 200, "set_reserved_tag {arn} {key}: {answer}");
    }

    /// Sets an image's times and status through the emulator's test-only back
    /// door (POST /awsecr-test/image): `times` holds any of `pushedAt`,
    /// `lastRecordedPullTime`, `lastArchivedAt`, `lastActivatedAt` (epoch
    /// seconds) and `imageStatus`.
    pub fn set_image(&self, repository_arn: &str, digest: &str, times: serde_json::Value) {
        let mut body = serde_json::json!({"repositoryArn": repository_arn, "imageDigest": digest});
        body.as_object_mut().unwrap().extend(times.as_object().cloned().unwrap_or_default());
        let (status, answer) =
            self.http("POST", "/awsecr-test/image", &[("Content-Type", "application/json")], &body.to_string());
        assert_eq!(status, 200, "set_image {repository_arn} {digest}: {answer}");
    }

    /// Creates an IAM role in moto's IAM (this account) and returns its ARN.
    /// A `name` with slashes gives a path: `ecs/task-execution` is the role
    /// `task-execution` under `/ecs/` (`arn:aws:iam::…:role/ecs/task-execution`).
    pub fn create_role(&self, name: &str) -> String {
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let (path, name) = iam_path(name);
        self.iam_create(&[
            ("Action", "CreateRole"),
            ("RoleName", name),
            ("Path", &path),
            ("AssumeRolePolicyDocument", trust),
        ])
    }

    /// Creates an IAM user in moto's IAM (this account) and returns its ARN;
    /// slashes in `name` give a path, as for [`Moto::create_role`].
    pub fn create_user(&self, name: &str) -> String {
        let (path, name) = iam_path(name);
        self.iam_create(&[("Action", "CreateUser"), ("UserName", name), ("Path", &path)])
    }

    fn iam_create(&self, params: &[(&str, &str)]) -> String {
        let (status, body) = self.aws_query("iam", "2010-05-08", params);
        assert_eq!(status, 200, "{params:?}: {body}");
        let arn = body.split("<Arn>").nth(1).and_then(|rest| rest.split("</Arn>").next());
        arn.unwrap_or_else(|| panic!("no Arn in {body}")).to_string()
    }

    /// One unsigned AWS Query-protocol call (form-encoded POST), e.g. to IAM.
    pub fn aws_query(&self, service: &str, version: &str, params: &[(&str, &str)]) -> (u16, String) {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(params.iter().copied()).append_pair("Version", version);
        let body = form.finish();
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0"
        );
        self.http(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Authorization", &auth)],
            &body,
        )
    }

    /// One unsigned AWS JSON-protocol call (moto does not check signatures).
    pub fn aws_json(&self, service: &str, target: &str, body: &str) -> (u16, String) {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0"
        );
        self.http(
            "POST",
            "/",
            &[("X-Amz-Target", target), ("Content-Type", "application/x-amz-json-1.1"), ("Authorization", &auth)],
            body,
        )
    }

    /// A minimal HTTP/1.1 request to moto.
    pub fn http(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to moto");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).unwrap();
        let mut resp = Vec::new();
        s.read_to_end(&mut resp).unwrap();
        let text = String::from_utf8_lossy(&resp).to_string();
        let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    /// An ECR client of the AWS SDK, independent of the provider, for checks.
    pub async fn ecr(&self) -> aws_sdk_ecr::Client {
        self.ecr_in(REGION)
    }

    /// The same for another region of the emulator.
    pub fn ecr_in(&self, region: &str) -> aws_sdk_ecr::Client {
        let creds = aws_credential_types::Credentials::new("testing", "testing", None, None, "tests");
        let conf = aws_sdk_ecr::Config::builder()
            .behavior_version(aws_sdk_ecr::config::BehaviorVersion::latest())
            .region(aws_sdk_ecr::config::Region::new(region.to_string()))
            .credentials_provider(creds)
            .endpoint_url(self.endpoint())
            .http_client(http_client())
            .build();
        aws_sdk_ecr::Client::from_conf(conf)
    }
}

/// The HTTP client of the tests' own AWS SDK clients: the one the provider
/// builds (hyper 1, rustls with ring; plain HTTP to the emulator).
pub fn http_client() -> impl aws_sdk_ecr::config::HttpClient + 'static {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https()
}

/// The body of a request the emulator recorded, as text.
pub fn recorded_body(request: &serde_json::Value) -> String {
    let body = request["body"].as_str().unwrap_or_default();
    if request["body_encoded"] == serde_json::Value::Bool(true) {
        String::from_utf8_lossy(&aws_smithy_types::base64::decode(body).expect("recorded body is base64")).into_owned()
    } else {
        body.to_string()
    }
}

/// The access key id that signed a recorded request (its SigV4 `Credential=`).
pub fn recorded_access_key(request: &serde_json::Value) -> Option<String> {
    let auth = request["headers"]["Authorization"].as_str()?;
    let credential = auth.split("Credential=").nth(1)?;
    credential.split('/').next().map(str::to_string)
}

/// `a/b/name` -> (`/a/b/`, `name`); `name` -> (`/`, `name`).
fn iam_path(name: &str) -> (String, &str) {
    match name.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_string(), name),
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- provider

/// The provider binary, started as the engine starts it.
pub struct ProviderProcess {
    child: Child,
    pub port: u16,
    pub client: ResourceProviderClient<Channel>,
}

impl ProviderProcess {
    pub async fn start(args: &[&str]) -> ProviderProcess {
        ProviderProcess::start_logging(args, None).await
    }

    /// Starts the provider with RUST_LOG=trace and its stderr in `log`, if given.
    pub async fn start_logging(args: &[&str], log: Option<&Path>) -> ProviderProcess {
        let mut command = ProviderProcess::command(args);
        match log {
            Some(path) => {
                command.env("RUST_LOG", "trace").stderr(std::fs::File::create(path).unwrap());
            }
            None => {
                command.stderr(Stdio::inherit());
            }
        }
        ProviderProcess::spawn(command).await
    }

    /// Starts the provider with RUST_LOG set to `rust_log` (unset when
    /// `None`), its stderr in `log`, and `envs` over the test environment.
    pub async fn start_with_log(rust_log: Option<&str>, log: &Path, envs: &[(&str, &str)]) -> ProviderProcess {
        let mut command = ProviderProcess::command(&[]);
        match rust_log {
            Some(filter) => command.env("RUST_LOG", filter),
            None => command.env_remove("RUST_LOG"),
        };
        command.envs(envs.iter().copied()).stderr(std::fs::File::create(log).unwrap());
        ProviderProcess::spawn(command).await
    }

    /// The provider's command line with the test environment: never real AWS.
    fn command(args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pulumi-resource-awsecr"));
        command
            .args(args)
            // Never reach for real AWS: no metadata service, no shared files.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent/awsecr-test-config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/awsecr-test-credentials")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_ENDPOINT_URL_ECR");
        command
    }

    /// Starts the provider with nothing of this machine's environment: only
    /// `HOME` (an empty directory of the test's, say), a PATH, and `envs`.
    /// For the tests of where credentials come from.
    pub async fn start_isolated(home: &Path, envs: &[(&str, &str)]) -> ProviderProcess {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pulumi-resource-awsecr"));
        command.env_clear().env("HOME", home).env("PATH", "/usr/bin:/bin").envs(envs.iter().copied());
        ProviderProcess::spawn(command).await
    }

    /// Starts the provider `command` describes (its environment as the caller
    /// set it) and connects to the port it prints.
    pub async fn spawn(mut command: Command) -> ProviderProcess {
        let mut child = command.stdout(Stdio::piped()).spawn().expect("start the provider");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port: u16 = line.trim().parse().unwrap_or_else(|_| panic!("first stdout line is not a port: {line:?}"));
        let channel = Channel::from_shared(format!("http://127.0.0.1:{port}")).unwrap().connect().await.unwrap();
        let client = ResourceProviderClient::new(channel).max_decoding_message_size(64 << 20);
        ProviderProcess { child, port, client }
    }

    /// Starts the provider and configures it against `moto`.
    pub async fn configured(moto: &Moto, extra: &[(&str, Value)]) -> ProviderProcess {
        let mut p = ProviderProcess::start(&[]).await;
        p.configure(moto, extra).await.expect("Configure");
        p
    }

    pub async fn configure(&mut self, moto: &Moto, extra: &[(&str, Value)]) -> Result<(), tonic::Status> {
        let mut args = test_config(moto);
        for (k, v) in extra {
            args.insert(k.to_string(), v.clone());
        }
        self.client
            .configure(pulumirpc::ConfigureRequest {
                args: Some(encode_struct(&args)),
                accept_secrets: true,
                accept_resources: true,
                ..Default::default()
            })
            .await
            .map(|_| ())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGINT (as the engine does at shutdown) and waits for the exit.
    pub fn interrupt_and_wait(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        self.child.wait().unwrap()
    }
}

impl Drop for ProviderProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Provider configuration that points at the emulator with dummy credentials.
pub fn test_config(moto: &Moto) -> Map {
    obj(&[
        ("region", REGION.into()),
        ("endpoint", moto.endpoint().into()),
        ("accessKey", Value::Secret(Box::new("testing".into()))),
        ("secretKey", Value::Secret(Box::new("testing".into()))),
        ("maxRetries", Value::Number(2.0)),
    ])
}

// ---------------------------------------------------------------- values

/// The AWS calls the emulator received, in arrival order. The provider makes
/// the independent calls of an operation at once, so their order is not
/// fixed: a recording equals a list with the same calls, in any order.
#[derive(Clone)]
pub struct Recording(pub Vec<String>);

impl Recording {
    fn sorted(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.0.iter().map(String::as_str).collect();
        v.sort_unstable();
        v
    }
}

impl std::ops::Deref for Recording {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Recording {
    fn eq(&self, other: &Vec<S>) -> bool {
        let mut o: Vec<&str> = other.iter().map(AsRef::as_ref).collect();
        o.sort_unstable();
        self.sorted() == o
    }
}

pub fn obj(pairs: &[(&str, Value)]) -> Map {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

pub fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(*s)).collect())
}

pub fn string_map(pairs: &[(&str, &str)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect())
}

pub fn decode(s: &Option<prost_types::Struct>) -> Map {
    s.as_ref().map(decode_struct).unwrap_or_default()
}

/// A check failure as the provider meant it: the full property path and the
/// reason. On the wire only a failure about a short top-level scalar names
/// its property (the engine prints that value); every other one names none
/// and its path leads the reason: `pullPrincipals[1]: must be ...`.
pub fn path_and_reason(f: &pulumirpc::CheckFailure) -> (String, String) {
    if let Some((path, rest)) = f.reason.split_once(": ") {
        let under =
            |p: &str| p == f.property || p.strip_prefix(f.property.as_str()).is_some_and(|r| r.starts_with(['.', '[']));
        if f.property.is_empty() || under(path) {
            return (path.to_string(), rest.to_string());
        }
    }
    (f.property.clone(), f.reason.clone())
}

pub fn urn(name: &str) -> String {
    format!("urn:pulumi:test::awsecr-tests::awsecr:index:Repository::{name}")
}

pub fn tags_of(m: &Map, key: &str) -> BTreeMap<String, String> {
    match m.get(key).map(Value::plain) {
        Some(Value::Object(o)) => {
            o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()
        }
        _ => BTreeMap::new(),
    }
}

// ---------------------------------------------------------------- temp dirs

/// A temporary directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("awsecr-{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
