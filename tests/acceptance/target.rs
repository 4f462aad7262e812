//! Where the acceptance scenarios run: the local ECR (moto, the default) or
//! a real AWS account (`AWSECR_ACC=1`), the run's unique prefix and tag, and
//! the guard that refuses a real run outside the allow-list before any AWS
//! call but the one that asks whose account the credentials reach.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;

use super::common::{self, Moto, ProviderProcess};

/// The variable that opts into a run against real AWS.
pub const OPT_IN: &str = "AWSECR_ACC";
/// The allow-list: comma-separated account ids a real run may touch.
pub const ACCOUNTS: &str = "AWSECR_ACC_ACCOUNTS";
/// The second opt-in, for the registry-wide settings.
pub const REGISTRY_OPT_IN: &str = "AWSECR_ACC_REGISTRY";
/// What every name of a run starts with (the sweeper's default prefix).
pub const NAME_PREFIX: &str = "awsecr-acc-";
/// The tag every taggable thing of a run carries, its value the run id.
pub const RUN_TAG: &str = "awsecr-acc-run";

/// True when the environment asks for a run against real AWS.
pub fn real_aws_requested() -> bool {
    std::env::var(OPT_IN).is_ok_and(|v| v == "1")
}

/// The refusal sentence when the allow-list is missing (tests match it).
pub fn no_allow_list_sentence() -> String {
    format!(
        "{OPT_IN}=1 runs against a real AWS account only when {ACCOUNTS} lists that account's id \
         (comma-separated 12-digit ids), and {ACCOUNTS} is not set, so nothing was run"
    )
}

/// The refusal sentence when the caller's account is not in the allow-list.
pub fn not_allowed_sentence(account: &str) -> String {
    format!("the credentials reach AWS account {account}, which is not in {ACCOUNTS}, so nothing was run")
}

/// The accounts of the allow-list, or the refusal sentence.
pub fn allow_list() -> Result<Vec<String>, String> {
    let raw = std::env::var(ACCOUNTS).unwrap_or_default();
    let ids: Vec<String> = raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if ids.is_empty() {
        return Err(no_allow_list_sentence());
    }
    if let Some(bad) = ids.iter().find(|id| id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("{ACCOUNTS} holds {bad:?}, which is not a 12-digit AWS account id, so nothing was run"));
    }
    Ok(ids)
}

/// A run's identity: `<seconds since 1970 in base 36, 6 characters>-<4
/// random base-36 characters>`. The sweeper reads the run's start time back
/// from it (tests/acceptance/sweep.py).
pub fn run_id_at(seconds: u64, random: u64) -> String {
    format!("{}-{}", base36(seconds, 6), base36(random % 36u64.pow(4), 4))
}

fn base36(mut n: u64, width: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = digits[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out).unwrap()
}

pub fn new_run_id() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let random = u64::from(now.subsec_nanos()) ^ u64::from(std::process::id()).wrapping_mul(2654435761);
    run_id_at(now.as_secs(), random)
}

/// Where the suite runs, and what it is allowed to touch there.
pub struct Target {
    /// The emulator, for a local run.
    pub moto: Option<Moto>,
    pub region: String,
    pub account: String,
    pub run_id: String,
    /// `awsecr-acc-<run id>`: every name of the run starts with it.
    pub prefix: String,
    /// Whether the registry-wide scenarios may run (always locally).
    pub registry: bool,
    /// An ECR client independent of the provider, for the checks.
    pub ecr: aws_sdk_ecr::Client,
}

impl Target {
    /// The target the environment selects. A real run is refused before any
    /// AWS call when the allow-list is missing, and after one call (STS
    /// GetCallerIdentity) when the account is not in it.
    pub async fn from_env() -> Result<Target, String> {
        if real_aws_requested() { Target::aws().await } else { Ok(Target::local().await) }
    }

    pub async fn local() -> Target {
        let moto = Moto::start_strict();
        // Every call of the run, the account check's included, for the IAM
        // policy's test (tests/acceptance.rs).
        moto.start_recording();
        let creds = aws_credential_types::Credentials::new("testing", "testing", None, None, "acceptance");
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::Config::builder()
                .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
                .region(aws_sdk_sts::config::Region::new(common::REGION))
                .credentials_provider(creds)
                .endpoint_url(moto.endpoint())
                .http_client(common::http_client())
                .build(),
        );
        // The same question a real run asks, so the IAM policy's check sees it.
        let account = caller_account(&sts).await.expect("the emulator's STS answers");
        let ecr = moto.ecr().await;
        let run_id = new_run_id();
        Target {
            moto: Some(moto),
            region: common::REGION.to_string(),
            account,
            prefix: format!("{NAME_PREFIX}{run_id}"),
            run_id,
            registry: true,
            ecr,
        }
    }

    async fn aws() -> Result<Target, String> {
        let allowed = allow_list()?;
        let region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
            .ok_or_else(|| format!("{OPT_IN}=1 needs AWS_REGION (or AWS_DEFAULT_REGION) to say which region to run in, so nothing was run"))?;
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(common::http_client())
            .region(aws_config::Region::new(region.clone()))
            .load()
            .await;
        let account = caller_account(&aws_sdk_sts::Client::new(&conf)).await?;
        if !allowed.contains(&account) {
            return Err(not_allowed_sentence(&account));
        }
        let run_id = new_run_id();
        Ok(Target {
            moto: None,
            region,
            account,
            prefix: format!("{NAME_PREFIX}{run_id}"),
            run_id,
            registry: std::env::var(REGISTRY_OPT_IN).is_ok_and(|v| v == "1"),
            ecr: aws_sdk_ecr::Client::new(&conf),
        })
    }

    pub fn is_local(&self) -> bool {
        self.moto.is_some()
    }

    /// A name under the run's prefix.
    pub fn name(&self, leaf: &str) -> String {
        format!("{}/{leaf}", self.prefix)
    }

    /// The run's tag, as a provider `tags` value.
    pub fn tags(&self, extra: &[(&str, &str)]) -> Value {
        let mut m = Map::new();
        m.insert(RUN_TAG.into(), Value::from(self.run_id.as_str()));
        for (k, v) in extra {
            m.insert(k.to_string(), Value::from(*v));
        }
        Value::Object(m)
    }

    /// The real provider binary, configured for this target: the emulator's
    /// endpoint and dummy keys locally; against AWS nothing but the region,
    /// so the standard credential chain and endpoint variables apply.
    pub async fn provider(&self) -> Rpc {
        let (engine, addr) = common::env::FakeEngine::start().await;
        let mut p = match &self.moto {
            Some(_) => ProviderProcess::start(&[&addr]).await,
            None => {
                let mut command = Command::new(env!("CARGO_BIN_EXE_pulumi-resource-awsecr"));
                command.arg(&addr).stderr(std::process::Stdio::inherit());
                ProviderProcess::spawn(command).await
            }
        };
        let args = match &self.moto {
            Some(moto) => common::test_config(moto),
            None => common::obj(&[("region", self.region.as_str().into())]),
        };
        p.client
            .configure(pulumirpc::ConfigureRequest {
                args: Some(encode_struct(&args)),
                accept_secrets: true,
                accept_resources: true,
                ..Default::default()
            })
            .await
            .expect("Configure");
        Rpc { p, _engine: engine }
    }
}

async fn caller_account(sts: &aws_sdk_sts::Client) -> Result<String, String> {
    match sts.get_caller_identity().send().await {
        Ok(r) => r.account().map(str::to_string).ok_or_else(|| "STS GetCallerIdentity named no account".to_string()),
        Err(e) => Err(format!(
            "STS GetCallerIdentity failed ({}), so the account could not be checked against {ACCOUNTS}; check the AWS credentials",
            aws_sdk_sts::error::DisplayErrorContext(&e)
        )),
    }
}

/// One provider process and the RPCs the scenarios make, for any type.
pub struct Rpc {
    pub p: ProviderProcess,
    _engine: common::env::FakeEngine,
}

fn urn(ty: &str, name: &str) -> String {
    format!("urn:pulumi:acc::awsecr-acceptance::{ty}::{name}")
}

impl Rpc {
    /// Check that must pass: the checked inputs.
    pub async fn check(&mut self, ty: &str, name: &str, news: &Map, olds: &Map) -> Map {
        let r = self
            .p
            .client
            .check(pulumirpc::CheckRequest {
                urn: urn(ty, name),
                name: name.into(),
                r#type: ty.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                random_seed: name.as_bytes().to_vec(),
                ..Default::default()
            })
            .await
            .expect("Check")
            .into_inner();
        assert!(r.failures.is_empty(), "{ty} {name}: {:?}", r.failures);
        common::decode(&r.inputs)
    }

    pub async fn create(&mut self, ty: &str, name: &str, inputs: &Map) -> (String, Map) {
        let r = self
            .p
            .client
            .create(pulumirpc::CreateRequest {
                urn: urn(ty, name),
                name: name.into(),
                r#type: ty.into(),
                properties: Some(encode_struct(inputs)),
                timeout: 300.0,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("create {ty} {name}: {e:?}"))
            .into_inner();
        (r.id, common::decode(&r.properties))
    }

    pub async fn diff(&mut self, ty: &str, name: &str, id: &str, olds: &Map, news: &Map) -> pulumirpc::DiffResponse {
        self.p
            .client
            .diff(pulumirpc::DiffRequest {
                id: id.into(),
                urn: urn(ty, name),
                name: name.into(),
                r#type: ty.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                ..Default::default()
            })
            .await
            .expect("Diff")
            .into_inner()
    }

    pub async fn update(&mut self, ty: &str, name: &str, id: &str, olds: &Map, news: &Map) -> Map {
        let r = self
            .p
            .client
            .update(pulumirpc::UpdateRequest {
                id: id.into(),
                urn: urn(ty, name),
                name: name.into(),
                r#type: ty.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                timeout: 300.0,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("update {ty} {name}: {e:?}"));
        common::decode(&r.into_inner().properties)
    }

    /// Read (refresh with state, import without): id, outputs, inputs.
    pub async fn read(&mut self, ty: &str, name: &str, id: &str, olds: &Map, inputs: &Map) -> (String, Map, Map) {
        let r = self
            .p
            .client
            .read(pulumirpc::ReadRequest {
                id: id.into(),
                urn: urn(ty, name),
                name: name.into(),
                r#type: ty.into(),
                properties: Some(encode_struct(olds)),
                inputs: Some(encode_struct(inputs)),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("read {ty} {name}: {e:?}"))
            .into_inner();
        (r.id, common::decode(&r.properties), common::decode(&r.inputs))
    }

    pub async fn delete(&mut self, ty: &str, name: &str, id: &str, olds: &Map) -> Result<(), tonic::Status> {
        self.p
            .client
            .delete(pulumirpc::DeleteRequest {
                id: id.into(),
                urn: urn(ty, name),
                name: name.into(),
                r#type: ty.into(),
                properties: Some(encode_struct(olds)),
                timeout: 300.0,
                ..Default::default()
            })
            .await
            .map(|_| ())
    }

    /// An invoke that must succeed: its result.
    pub async fn invoke(&mut self, tok: &str, args: &Map) -> Map {
        let r = self
            .p
            .client
            .invoke(pulumirpc::InvokeRequest { tok: tok.into(), args: Some(encode_struct(args)), preview: false })
            .await
            .unwrap_or_else(|e| panic!("{tok}: {e:?}"))
            .into_inner();
        assert!(r.failures.is_empty(), "{tok}: {:?}", r.failures);
        common::decode(&r.r#return)
    }
}
