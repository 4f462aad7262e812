//! Provider configuration: validation (CheckConfig), which changes force
//! resources to be replaced (DiffConfig), and the one shared ECR client built
//! from it (Configure). Credentials are kept out of `Debug` output.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::names::config::*;
use crate::partition;
use crate::property::{Map, Value};
use crate::validate::{Failure, Field, Reader, check_tags};

/// Every configuration key the provider accepts.
pub const CONFIG_KEYS: &[&str] = &[
    REGION,
    PROFILE,
    ACCESS_KEY,
    SECRET_KEY,
    TOKEN,
    ASSUME_ROLE,
    ENDPOINT,
    MAX_RETRIES,
    DEFAULT_TAGS,
    ORGANIZATION,
    ENVIRONMENT,
    IAM_PROPAGATION_TIMEOUT,
    SKIP_REGION_VALIDATION,
    LIFECYCLE_PREVIEW_TIMEOUT,
    PROTECTED_TAGS,
];
/// Keys whose values are always secret.
pub const SECRET_KEYS: &[&str] = &[ACCESS_KEY, SECRET_KEY, TOKEN];
/// Keys the engine adds on its own; accepted and ignored.
const ENGINE_KEYS: &[&str] = &["version", "pluginDownloadURL"];
const ASSUME_ROLE_KEYS: &[&str] = &[ROLE_ARN, SESSION_NAME, EXTERNAL_ID, DURATION_SECONDS];
pub const DEFAULT_MAX_RETRIES: u32 = 10;
/// How long a policy that ECR refuses because a principal is not found is
/// retried by default (IAM is eventually consistent), in seconds.
pub const DEFAULT_IAM_PROPAGATION_TIMEOUT: u32 = 120;
/// How long a preview waits for ECR's lifecycle policy preview by default, in seconds.
pub const DEFAULT_LIFECYCLE_PREVIEW_TIMEOUT: u32 = 60;
/// The longest wait `lifecyclePreviewTimeout` allows, in seconds.
pub const MAX_LIFECYCLE_PREVIEW_TIMEOUT: i64 = 600;

#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    pub access_key: String,
    pub secret_key: String,
    pub token: Option<String>,
}

impl std::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticCredentials { <redacted> }")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<u32>,
}

impl AssumeRole {
    /// The credentials of this role, assumed with the shared configuration's.
    async fn provider(&self, base: &aws_config::SdkConfig) -> aws_config::sts::AssumeRoleProvider {
        let mut b = aws_config::sts::AssumeRoleProvider::builder(&self.role_arn)
            .session_name(self.session_name.clone().unwrap_or_else(|| "pulumi-awsecr".into()));
        if let Some(id) = &self.external_id {
            b = b.external_id(id);
        }
        if let Some(d) = self.duration_seconds {
            b = b.session_length(Duration::from_secs(d.into()));
        }
        b.configure(base).build().await
    }
}

/// Validated provider configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub credentials: Option<StaticCredentials>,
    pub assume_role: Option<AssumeRole>,
    pub endpoint: Option<String>,
    pub max_retries: Option<u32>,
    pub default_tags: BTreeMap<String, String>,
    pub organization: Option<String>,
    pub environment: Option<String>,
    /// Provider tags (defaultTags keys, `organization`, `environment`) whose
    /// value arrived as a secret: every output derived from them is secret.
    pub secret_tags: BTreeSet<String>,
    /// How long to retry a policy refused for a principal not found (seconds).
    pub iam_propagation_timeout: Option<u32>,
    /// Accept a region the SDK's endpoint metadata does not list yet (one of
    /// a partition's region form): `skipRegionValidation`, pulumi-aws's name.
    pub skip_region_validation: bool,
    /// How long a preview waits for ECR's lifecycle policy preview (seconds;
    /// 0: no lifecycle preview at all).
    pub lifecycle_preview_timeout: Option<u32>,
    /// Tag patterns (`*` any run of characters) whose images a lifecycle
    /// preview names first when the new rules would expire or archive them.
    pub protected_tags: Vec<String>,
    /// The region in force once Configure has loaded the AWS configuration
    /// (`region`, or else the environment and shared config).
    pub resolved_region: Option<String>,
}

/// CheckConfig: the inputs as they will be stored (credentials always secret,
/// engine-only keys dropped) and every problem found.
pub fn check_config(news: &Map) -> (Map, Vec<Failure>) {
    let mut checked = Map::new();
    for (k, v) in news {
        if ENGINE_KEYS.contains(&k.as_str()) {
            continue;
        }
        let v = if SECRET_KEYS.contains(&k.as_str()) && !matches!(v, Value::Null) {
            v.clone().into_secret()
        } else {
            v.clone()
        };
        checked.insert(k.clone(), v);
    }
    let failures = match ProviderConfig::parse(&checked) {
        Ok(_) => Vec::new(),
        Err(f) => crate::validate::redact(f, &checked),
    };
    (checked, failures)
}

impl ProviderConfig {
    /// Validates a configuration map. Unknown values are accepted (they are
    /// left unset); every problem is returned, each naming its key.
    pub fn parse(map: &Map) -> Result<ProviderConfig, Vec<Failure>> {
        let mut r = Reader::for_config(map, "");
        let allowed: Vec<&str> = CONFIG_KEYS.iter().chain(ENGINE_KEYS).copied().collect();
        r.reject_unknown_keys(&allowed, "configuration key of awsecr");
        // Unknown during a preview: no region is refused for it.
        let skip_region_validation = match r.bool(SKIP_REGION_VALIDATION) {
            Field::Known(b) => b,
            Field::Unknown => true,
            _ => false,
        };
        let mut cfg = ProviderConfig { skip_region_validation, ..Default::default() };

        if let Field::Known(region) = r.string(REGION) {
            match partition::region_problem(&region, cfg.skip_region_validation) {
                None => cfg.region = Some(region),
                Some(reason) => r.fail(REGION, reason),
            }
        }
        if let Field::Known(profile) = r.string(PROFILE) {
            if profile.trim().is_empty() {
                r.fail(PROFILE, "must name a profile of the shared AWS config, got an empty string");
            } else {
                cfg.profile = Some(profile);
            }
        }

        cfg.credentials = static_credentials(&mut r);
        cfg.assume_role = assume_role(&mut r);

        if let Field::Known(endpoint) = r.string(ENDPOINT) {
            match endpoint_problem(&endpoint) {
                None => cfg.endpoint = Some(endpoint),
                Some(reason) => r.fail(ENDPOINT, reason),
            }
        }
        cfg.max_retries = r.int(MAX_RETRIES, 0, 100).known().map(|n| n as u32);
        cfg.iam_propagation_timeout = r.int(IAM_PROPAGATION_TIMEOUT, 0, 3600).known().map(|n| n as u32);
        cfg.lifecycle_preview_timeout =
            r.int(LIFECYCLE_PREVIEW_TIMEOUT, 0, MAX_LIFECYCLE_PREVIEW_TIMEOUT).known().map(|n| n as u32);
        cfg.protected_tags = protected_tags(&mut r);
        read_provider_tags(&mut r, &mut cfg);
        if r.failures.is_empty() { Ok(cfg) } else { Err(r.failures) }
    }

    /// Tags every repository gets: defaultTags, then the metadata tags.
    pub fn provider_tags(&self) -> BTreeMap<String, String> {
        let mut tags = self.default_tags.clone();
        if let Some(o) = &self.organization {
            tags.insert(ORGANIZATION.into(), o.clone());
        }
        if let Some(e) = &self.environment {
            tags.insert(ENVIRONMENT.into(), e.clone());
        }
        tags
    }

    /// The effective tags of a repository: provider tags, then its own (which win).
    pub fn effective_tags(&self, own: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut tags = self.provider_tags();
        tags.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags
    }

    /// True when the effective tags of a repository with these own tags carry
    /// a provider tag whose value is secret (own tags override provider tags).
    pub fn tags_carry_secret(&self, own: &BTreeMap<String, String>) -> bool {
        self.secret_tags.iter().any(|k| !own.contains_key(k) && self.provider_tags().contains_key(k))
    }

    /// True when tags read back from ECR hold the value of a secret provider
    /// tag under its key.
    pub fn holds_secret_tag(&self, tags: &BTreeMap<String, String>) -> bool {
        let provider = self.provider_tags();
        self.secret_tags.iter().any(|k| tags.get(k).is_some_and(|v| provider.get(k) == Some(v)))
    }

    /// The partition of the region in force, when it is known.
    pub fn partition(&self) -> Option<&'static str> {
        self.resolved_region.as_deref().or(self.region.as_deref()).and_then(partition::of_region)
    }

    /// The partition of the region in force, [`partition::DEFAULT`] while
    /// it is unknown (what calls and generated ARNs use).
    pub fn partition_or_default(&self) -> &'static str {
        self.partition().unwrap_or(partition::DEFAULT)
    }

    /// The region in force, when it is known.
    pub fn region_in_force(&self) -> Option<&str> {
        self.resolved_region.as_deref().or(self.region.as_deref())
    }

    /// The account the provider acts in, when the configuration says it
    /// without a call to AWS: the account of `assumeRole`'s role. Other
    /// credentials (keys, a profile, the environment) name no account until
    /// AWS is asked, so this is `None` for them.
    pub fn account_in_force(&self) -> Option<&str> {
        let arn = &self.assume_role.as_ref()?.role_arn;
        arn.split(':').nth(4).filter(|a| partition::is_account_id(a))
    }

    /// How long a policy refused for a principal not found is retried.
    pub fn iam_propagation(&self) -> Duration {
        Duration::from_secs(self.iam_propagation_timeout.unwrap_or(DEFAULT_IAM_PROPAGATION_TIMEOUT).into())
    }

    /// How long a preview waits for ECR's lifecycle policy preview; `None`:
    /// `lifecyclePreviewTimeout` is 0, the preview is off.
    pub fn lifecycle_preview(&self) -> Option<Duration> {
        match self.lifecycle_preview_timeout.unwrap_or(DEFAULT_LIFECYCLE_PREVIEW_TIMEOUT) {
            0 => None,
            n => Some(Duration::from_secs(n.into())),
        }
    }

    /// Builds the ECR client this configuration describes, and returns it
    /// with the region in force.
    pub async fn ecr_client(&self) -> Result<(aws_sdk_ecr::Client, String), String> {
        self.endpoint_from_environment_problem()?;
        let https = https_client();
        let base = self.shared_loader(https.clone()).load().await;
        let region = self.region_of(&base)?;
        let ecr = self.ecr_config(&base, https, &region).await;
        Ok((aws_sdk_ecr::Client::from_conf(ecr), region))
    }

    /// Without `endpoint`, the SDK reads the endpoint from the environment
    /// itself; such an endpoint gets the same rule as `endpoint`.
    fn endpoint_from_environment_problem(&self) -> Result<(), String> {
        if self.endpoint.is_some() {
            return Ok(());
        }
        for var in ["AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL"] {
            if let Ok(url) = std::env::var(var)
                && !url.is_empty()
                && let Some(reason) = endpoint_problem(&url)
            {
                return Err(format!("the environment variable {var} {reason}"));
            }
        }
        Ok(())
    }

    /// The loader of the shared AWS configuration (region, profile and
    /// credential chain) with this configuration's region, profile, static
    /// keys and retries.
    fn shared_loader(&self, https: SharedHttpClient) -> aws_config::ConfigLoader {
        let max_attempts = self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES) + 1;
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(https).retry_config(
            RetryConfig::adaptive()
                .with_max_attempts(max_attempts)
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(Duration::from_secs(5)),
        );
        if let Some(region) = &self.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(c) = &self.credentials {
            loader = loader.credentials_provider(aws_credential_types::Credentials::new(
                &c.access_key,
                &c.secret_key,
                c.token.clone(),
                None,
                "awsecr-provider-config",
            ));
        }
        loader
    }

    /// The region in force once the shared configuration is loaded. A
    /// region from the environment or the shared config gets the rule of
    /// `region` (which CheckConfig has applied already).
    fn region_of(&self, base: &aws_config::SdkConfig) -> Result<String, String> {
        let Some(region) = base.region().map(|r| r.to_string()) else {
            return Err(
                "no AWS region is configured: set `pulumi config set awsecr:region <region>` or AWS_REGION".into()
            );
        };
        if self.region.is_none()
            && let Some(problem) = partition::region_problem(&region, self.skip_region_validation)
        {
            return Err(format!(
                "the region from AWS_REGION, AWS_DEFAULT_REGION or the shared AWS config (awsecr:region is not set) {problem}"
            ));
        }
        Ok(region)
    }

    /// The ECR client's configuration: the shared one, with the assumed
    /// role, the endpoint, the region's retry partition and its pacer.
    async fn ecr_config(
        &self,
        base: &aws_config::SdkConfig,
        https: SharedHttpClient,
        region: &str,
    ) -> aws_sdk_ecr::Config {
        let mut ecr = aws_sdk_ecr::config::Builder::from(base);
        if let Some(role) = &self.assume_role {
            ecr = ecr.credentials_provider(role.provider(base).await);
        }
        if let Some(endpoint) = &self.endpoint {
            ecr = ecr.endpoint_url(endpoint);
        }
        ecr = ecr.retry_partition(retry_partition(region));
        // ECR's calls (not STS's) wait for their turn in the region's pacer
        // once ECR has throttled (src/pacing.rs); AWSECR_PACING=off leaves
        // them to the SDK's retries alone.
        if crate::pacing::enabled() {
            ecr = ecr.http_client(crate::pacing::paced(https, crate::pacing::pacer(region)));
        }
        ecr.build()
    }
}

/// The HTTPS client of every AWS call (ECR, and STS, SSO and the metadata
/// services behind the credential chain): hyper 1 with rustls 0.23, its
/// crypto provider ring (aws-lc-rs with `crypto-aws-lc`).
fn https_client() -> SharedHttpClient {
    #[cfg(not(feature = "crypto-aws-lc"))]
    let crypto = CryptoMode::Ring;
    #[cfg(feature = "crypto-aws-lc")]
    let crypto = CryptoMode::AwsLc;
    aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(crypto)).build_https()
}

/// The retry partition of every ECR client of this process in `region`:
/// ECR's request quotas are per account and region, so the clients of one
/// region share one adaptive rate limiter (which slows every call down once
/// ECR throttles any). Its retry bucket is unlimited: the SDK's default
/// retry quota (500 tokens, 5 a throttled retry) runs dry when hundreds of
/// calls are throttled at once (a refresh at `--parallel 64`), and a call
/// would then fail after its first attempt; with it, `maxRetries` is the
/// number of retries every call gets.
fn retry_partition(region: &str) -> aws_sdk_ecr::config::retry::RetryPartition {
    use aws_sdk_ecr::config::retry::{RetryPartition, TokenBucket};
    use std::sync::{Mutex, OnceLock};
    static PARTITIONS: OnceLock<Mutex<BTreeMap<String, RetryPartition>>> = OnceLock::new();
    let mut partitions = PARTITIONS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    partitions
        .entry(region.to_string())
        .or_insert_with(|| {
            RetryPartition::custom(format!("awsecr-{region}")).token_bucket(TokenBucket::unlimited()).build()
        })
        .clone()
}

/// DiffConfig: the configuration keys whose meaning changed (a JSON string
/// and the object it spells are the same value, as are `"3"` and `3`).
///
/// No change of the provider's configuration replaces anything by itself.
/// Where resources live is decided by each resource's own Diff, which
/// compares the region and account in its state with the ones in force
/// ([`crate::resource::moved`]): so `awsecr:region` set to the region
/// `AWS_REGION` already gave, or a role of the same account, changes
/// nothing, and a real move goes through the resource's deletion safety.
pub fn diff_config(olds: &Map, news: &Map) -> Vec<String> {
    let plain = |m: &Map, k: &str| m.get(k).map(Value::plain).filter(|v| *v != Value::Null);
    let (old_cfg, new_cfg) = (ProviderConfig::parse(olds).ok(), ProviderConfig::parse(news).ok());
    let mut changed = Vec::new();
    for key in CONFIG_KEYS {
        if plain(olds, key) == plain(news, key) {
            continue;
        }
        let same_meaning = match (&old_cfg, &new_cfg) {
            (Some(o), Some(n)) => match *key {
                REGION => o.region == n.region,
                PROFILE => o.profile == n.profile,
                ASSUME_ROLE => o.assume_role == n.assume_role,
                ENDPOINT => o.endpoint == n.endpoint,
                MAX_RETRIES => o.max_retries == n.max_retries,
                DEFAULT_TAGS => o.default_tags == n.default_tags,
                ORGANIZATION => o.organization == n.organization,
                ENVIRONMENT => o.environment == n.environment,
                IAM_PROPAGATION_TIMEOUT => o.iam_propagation_timeout == n.iam_propagation_timeout,
                SKIP_REGION_VALIDATION => o.skip_region_validation == n.skip_region_validation,
                LIFECYCLE_PREVIEW_TIMEOUT => o.lifecycle_preview_timeout == n.lifecycle_preview_timeout,
                PROTECTED_TAGS => o.protected_tags == n.protected_tags,
                // Credentials: compared as given (a secret is never parsed
                // into anything else).
                _ => false,
            },
            _ => false,
        };
        if !same_meaning {
            changed.push(key.to_string());
        }
    }
    changed
}

/// `accessKey`, `secretKey` and `token`: static credentials when both keys
/// are given (the token only with them).
fn static_credentials(r: &mut Reader<'_>) -> Option<StaticCredentials> {
    let access = r.string(ACCESS_KEY);
    let secret = r.string(SECRET_KEY);
    let token = r.string(TOKEN);
    let mut credentials = None;
    match (&access, &secret) {
        (Field::Known(a), Field::Known(s)) => {
            if a.is_empty() {
                r.fail(ACCESS_KEY, "must not be empty");
            } else if s.is_empty() {
                r.fail(SECRET_KEY, "must not be empty");
            } else {
                credentials = Some(StaticCredentials {
                    access_key: a.clone(),
                    secret_key: s.clone(),
                    token: token.clone().known().filter(|t| !t.is_empty()),
                });
            }
        }
        (Field::Known(_), Field::Absent) => {
            r.fail(SECRET_KEY, "is required when accessKey is set: static credentials need both keys")
        }
        (Field::Absent, Field::Known(_)) => {
            r.fail(ACCESS_KEY, "is required when secretKey is set: static credentials need both keys")
        }
        _ => {}
    }
    if matches!(token, Field::Known(_)) && matches!(access, Field::Absent) && matches!(secret, Field::Absent) {
        r.fail(TOKEN, "is only allowed together with accessKey and secretKey");
    }
    credentials
}

/// `assumeRole`: its fields, each checked, failures named under it.
fn assume_role(r: &mut Reader<'_>) -> Option<AssumeRole> {
    let Field::Known(obj) = r.object(ASSUME_ROLE) else { return None };
    let mut ar = Reader::for_config(&obj, ASSUME_ROLE);
    ar.reject_unknown_keys(ASSUME_ROLE_KEYS, "field of assumeRole");
    let role_arn = match ar.string(ROLE_ARN) {
        Field::Known(arn) if partition::is_role_arn(&arn) => Some(arn),
        Field::Known(arn) => {
            ar.fail(
                ROLE_ARN,
                format!("must be an IAM role ARN like arn:aws:iam::123456789012:role/deployer, got \"{arn}\""),
            );
            None
        }
        Field::Absent => {
            ar.fail(ROLE_ARN, "is required when assumeRole is set");
            None
        }
        _ => None,
    };
    let session_name = match ar.string(SESSION_NAME) {
        Field::Known(s) if is_session_name(&s) => Some(s),
        Field::Known(s) => {
            ar.fail(
                SESSION_NAME,
                format!("must be 2 to 64 characters of letters, digits and + = , . @ _ -, got \"{s}\""),
            );
            None
        }
        _ => None,
    };
    let external_id = match ar.string(EXTERNAL_ID) {
        Field::Known(s) if (2..=1224).contains(&s.chars().count()) => Some(s),
        Field::Known(s) => {
            ar.fail(EXTERNAL_ID, format!("must be 2 to 1224 characters, got {}", s.chars().count()));
            None
        }
        _ => None,
    };
    let duration_seconds = ar.int(DURATION_SECONDS, 900, 43200).known().map(|d| d as u32);
    let failures = std::mem::take(&mut ar.failures);
    r.take_failures(failures);
    role_arn.map(|role_arn| AssumeRole { role_arn, session_name, external_id, duration_seconds })
}

/// `protectedTags`: tag patterns as a lifecycle rule takes them.
fn protected_tags(r: &mut Reader<'_>) -> Vec<String> {
    let Field::Known(patterns) = r.string_list(PROTECTED_TAGS) else { return Vec::new() };
    for (i, pattern) in patterns.iter().enumerate() {
        if let Some(reason) = crate::policy::lifecycle::tag_filter_problem(pattern, true) {
            r.fail(&format!("protectedTags[{i}]"), reason);
        }
    }
    patterns
}

/// `defaultTags`, `organization` and `environment`, and which of them
/// arrived as secrets.
fn read_provider_tags(r: &mut Reader<'_>, cfg: &mut ProviderConfig) {
    if let Field::Known(tags) = r.tag_map(DEFAULT_TAGS) {
        let failures = check_tags(DEFAULT_TAGS, &tags);
        r.take_failures(failures);
        cfg.secret_tags.extend(tags.keys().filter(|k| r.is_secret(DEFAULT_TAGS, Some(k.as_str()))).cloned());
        cfg.default_tags = tags;
    }
    for key in [ORGANIZATION, ENVIRONMENT] {
        let Field::Known(v) = r.string(key) else { continue };
        match crate::validate::tag_problem(key, &v) {
            Some(reason) => r.fail(key, reason.replace("the value of tag", "the value of")),
            None if v.is_empty() => r.fail(key, "must not be empty"),
            None => {
                if r.is_secret(key, None) {
                    cfg.secret_tags.insert(key.to_string());
                }
                if key == ORGANIZATION {
                    cfg.organization = Some(v);
                } else {
                    cfg.environment = Some(v);
                }
            }
        }
    }
}

fn is_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// Why an endpoint URL is refused: not an http(s) URL, or plain http:// to
/// a host other than this machine (signed requests, session tokens and the
/// docker password of getAuthorizationToken would cross the network in clear).
fn endpoint_problem(s: &str) -> Option<String> {
    let bad = || {
        Some(format!(
            "must be an http:// or https:// URL such as https://ecr.example.internal (http:// only to this machine, e.g. http://127.0.0.1:5000), got \"{s}\""
        ))
    };
    let Ok(u) = url::Url::parse(s) else { return bad() };
    let Some(host) = u.host() else { return bad() };
    match u.scheme() {
        "https" => None,
        "http" if is_loopback(&host) => None,
        "http" => Some(format!(
            "must use https:// for a host other than this machine: plain http:// would send signed requests, session tokens and docker passwords unencrypted (http:// is allowed only for 127.0.0.0/8, ::1 and localhost), got \"{s}\""
        )),
        _ => bad(),
    }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost") || d.eq_ignore_ascii_case("localhost."),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::property::map_of as map;

    #[test]
    fn good_config_parses() {
        let m = map(&[
            ("region", "eu-west-1".into()),
            ("accessKey", Value::Secret(Box::new("AKIA".into()))),
            ("secretKey", Value::Secret(Box::new("s3cr3t".into()))),
            ("endpoint", "http://127.0.0.1:4566".into()),
            ("maxRetries", "3".into()),
            ("defaultTags", r#"{"team":"platform"}"#.into()),
            ("organization", "acme".into()),
            ("assumeRole", Value::Object(map(&[("roleArn", "arn:aws:iam::123456789012:role/deploy".into())]))),
            ("version", "0.1.0".into()),
        ]);
        let cfg = ProviderConfig::parse(&m).unwrap();
        assert_eq!(cfg.region.as_deref(), Some("eu-west-1"));
        assert_eq!(cfg.max_retries, Some(3));
        assert_eq!(cfg.credentials.as_ref().unwrap().secret_key, "s3cr3t");
        assert_eq!(cfg.assume_role.as_ref().unwrap().role_arn, "arn:aws:iam::123456789012:role/deploy");
        let tags = cfg.effective_tags(&BTreeMap::from([("team".to_string(), "api".to_string())]));
        assert_eq!(tags, BTreeMap::from([("organization".into(), "acme".into()), ("team".into(), "api".into())]));
        assert!(!format!("{cfg:?}").contains("s3cr3t"));
    }

    #[test]
    fn each_bad_key_is_named() {
        type Case<'a> = (Vec<(&'a str, Value)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (vec![("region", "Mars".into())], "region", "must be an AWS region name such as us-east-1, got \"Mars\""),
            (vec![("profile", "".into())], "profile", "must name a profile"),
            (vec![("accessKey", "AKIA".into())], "secretKey", "is required when accessKey is set"),
            (vec![("secretKey", "x".into())], "accessKey", "is required when secretKey is set"),
            (vec![("token", "t".into())], "token", "only allowed together with accessKey and secretKey"),
            (vec![("endpoint", "localhost:5000".into())], "endpoint", "must be an http:// or https:// URL"),
            (vec![("endpoint", "ftp://x".into())], "endpoint", "must be an http:// or https:// URL"),
            (vec![("endpoint", "http://ecr.example.com".into())], "endpoint", "must use https:// for a host other"),
            (vec![("endpoint", "http://10.0.0.5:4566".into())], "endpoint", "plain http:// would send signed requests"),
            (vec![("region", "eusc-fr-east-1".into())], "region", "must be an AWS region name"),
            (vec![("iamPropagationTimeout", Value::Number(-1.0))], "iamPropagationTimeout", "between 0 and 3600"),
            (vec![("maxRetries", Value::Number(-1.0))], "maxRetries", "must be between 0 and 100, got -1"),
            (
                vec![("maxRetries", "lots".into())],
                "maxRetries",
                "must be a whole number between 0 and 100, got a string",
            ),
            (vec![("defaultTags", r#"{"aws:x":"y"}"#.into())], "defaultTags.aws:x", "reserved prefix"),
            (vec![("defaultTags", Value::Number(1.0))], "defaultTags", "must be a map of strings"),
            (vec![("organization", "".into())], "organization", "must not be empty"),
            (vec![("assumeRole", r#"{"sessionName":"x1"}"#.into())], "assumeRole.roleArn", "is required"),
            (
                vec![("assumeRole", r#"{"roleArn":"arn:aws:iam::1:role/x"}"#.into())],
                "assumeRole.roleArn",
                "must be an IAM role ARN",
            ),
            (
                vec![("assumeRole", r#"{"roleArn":"arn:aws:iam::123456789012:role/x","durationSeconds":60}"#.into())],
                "assumeRole.durationSeconds",
                "must be between 900 and 43200, got 60",
            ),
            (
                vec![("assumeRole", r#"{"roleArn":"arn:aws:iam::123456789012:role/x","sessionName":"a b"}"#.into())],
                "assumeRole.sessionName",
                "must be 2 to 64 characters",
            ),
            (
                vec![("assumeRole", r#"{"roleArn":"arn:aws:iam::123456789012:role/x","bogus":1}"#.into())],
                "assumeRole.bogus",
                "is not a field of assumeRole",
            ),
            (
                vec![("regoin", "us-east-1".into())],
                "regoin",
                "is not a configuration key of awsecr; allowed: region, profile",
            ),
        ];
        for (pairs, path, reason) in cases {
            let failures = ProviderConfig::parse(&map(&pairs)).unwrap_err();
            assert!(
                failures.iter().any(|f| f.property == path && f.reason.contains(reason)),
                "{pairs:?}: wanted {path}: {reason}, got {failures:?}"
            );
        }
    }

    #[test]
    fn default_tag_numbers_and_booleans_are_strings() {
        let cfg =
            ProviderConfig::parse(&map(&[("defaultTags", r#"{"costCenter":42,"billable":false}"#.into())])).unwrap();
        assert_eq!(cfg.default_tags["costCenter"], "42");
        assert_eq!(cfg.default_tags["billable"], "false");
    }

    #[test]
    fn http_only_to_this_machine() {
        for ok in [
            "https://ecr.example.com",
            "https://10.1.2.3:8443",
            "http://127.0.0.1:4566",
            "http://127.9.9.9",
            "http://localhost:5000",
            "http://[::1]:5000",
        ] {
            assert_eq!(endpoint_problem(ok), None, "{ok}");
        }
        for bad in ["http://ecr.example.com", "http://192.168.1.1", "http://[fe80::1]", "http://localhost.example.com"]
        {
            let reason = endpoint_problem(bad).unwrap_or_default();
            assert!(reason.contains("must use https://"), "{bad}: {reason}");
        }
    }

    #[test]
    fn lifecycle_preview_settings() {
        let cfg = ProviderConfig::parse(&Map::new()).unwrap();
        assert_eq!(cfg.lifecycle_preview(), Some(Duration::from_secs(60)), "on by default, 60 s");
        assert!(cfg.protected_tags.is_empty());
        let off = ProviderConfig::parse(&map(&[("lifecyclePreviewTimeout", "0".into())])).unwrap();
        assert_eq!(off.lifecycle_preview(), None, "0 turns it off");
        // As the engine sends a list set with `config set --path`: JSON text.
        let tags = ProviderConfig::parse(&map(&[("protectedTags", r#"["latest","prod-*"]"#.into())])).unwrap();
        assert_eq!(tags.protected_tags, ["latest", "prod-*"]);
        let failures = ProviderConfig::parse(&map(&[("protectedTags", r#"["ok","a*b*c*d*e*f"]"#.into())])).unwrap_err();
        assert_eq!(failures[0].property, "protectedTags[1]", "{failures:?}");
        let failures = ProviderConfig::parse(&map(&[("lifecyclePreviewTimeout", Value::Number(601.0))])).unwrap_err();
        assert!(failures[0].reason.contains("between 0 and 600"), "{failures:?}");
    }

    #[test]
    fn a_region_newer_than_the_sdk_needs_the_opt_in() {
        let failures = ProviderConfig::parse(&map(&[("region", "us-west-9".into())])).unwrap_err();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].property, "region");
        assert!(failures[0].reason.contains("which aws does not have; the nearest are us-west-1, us-west-2"));
        assert!(failures[0].reason.contains("skipRegionValidation: true"), "{failures:?}");
        for on in [Value::Bool(true), "true".into(), Value::Unknown] {
            let cfg =
                ProviderConfig::parse(&map(&[("region", "us-west-9".into()), ("skipRegionValidation", on)])).unwrap();
            assert_eq!(cfg.region.as_deref(), Some("us-west-9"));
            assert!(cfg.skip_region_validation);
        }
        let failures =
            ProviderConfig::parse(&map(&[("region", "mars-1".into()), ("skipRegionValidation", "true".into())]))
                .unwrap_err();
        assert!(failures[0].reason.contains("must be an AWS region name"), "{failures:?}");
        let failures = ProviderConfig::parse(&map(&[("skipRegionValidation", "yes".into())])).unwrap_err();
        assert_eq!(failures[0].property, "skipRegionValidation");
        assert!(failures[0].reason.contains("true or false"), "{failures:?}");
        let d = diff_config(
            &map(&[("skipRegionValidation", "true".into())]),
            &map(&[("skipRegionValidation", Value::Bool(true))]),
        );
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn every_real_region_form_is_accepted() {
        for region in ["us-east-1", "cn-north-1", "us-gov-west-1", "us-isob-east-1", "eusc-de-east-1", "mx-central-1"] {
            let cfg = ProviderConfig::parse(&map(&[("region", region.into())])).unwrap();
            assert_eq!(cfg.region.as_deref(), Some(region));
        }
    }

    #[test]
    fn secret_provider_tags_are_remembered() {
        let secret = |v: Value| Value::Secret(Box::new(v));
        let m = map(&[
            ("organization", secret("acme".into())),
            ("environment", "prod".into()),
            ("defaultTags", Value::Object(map(&[("costCenter", secret("cc-42".into())), ("team", "platform".into())]))),
        ]);
        let cfg = ProviderConfig::parse(&m).unwrap();
        assert_eq!(cfg.secret_tags, BTreeSet::from(["costCenter".to_string(), "organization".to_string()]));
        assert!(cfg.tags_carry_secret(&BTreeMap::new()));
        let own_override =
            BTreeMap::from([("organization".to_string(), "x".to_string()), ("costCenter".to_string(), "y".into())]);
        assert!(!cfg.tags_carry_secret(&own_override), "own tags replace the secret values");
        assert!(cfg.holds_secret_tag(&BTreeMap::from([("organization".to_string(), "acme".to_string())])));
        assert!(!cfg.holds_secret_tag(&BTreeMap::from([("organization".to_string(), "other".to_string())])));
        // A whole secret defaultTags, as JSON text from `pulumi config set --secret`.
        let cfg = ProviderConfig::parse(&map(&[("defaultTags", secret(r#"{"a":"b"}"#.into()))])).unwrap();
        assert_eq!(cfg.secret_tags, BTreeSet::from(["a".to_string()]));
    }

    #[test]
    fn secrets_never_appear_in_failures() {
        let m = map(&[("accessKey", Value::Secret(Box::new("AKIASECRETVALUE".into())))]);
        let (checked, failures) = check_config(&m);
        assert!(matches!(checked["accessKey"], Value::Secret(_)));
        assert!(!failures.is_empty());
        assert!(failures.iter().all(|f| !f.to_string().contains("AKIASECRETVALUE")));
    }

    #[test]
    fn check_config_marks_credentials_secret_and_drops_engine_keys() {
        let m = map(&[("secretKey", "plain".into()), ("accessKey", "a".into()), ("version", "1".into())]);
        let (checked, failures) = check_config(&m);
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(checked["secretKey"], Value::Secret(Box::new("plain".into())));
        assert!(!checked.contains_key("version"));
    }

    #[test]
    fn diff_config_compares_meaning_and_never_replaces() {
        let old = map(&[("region", "us-east-1".into()), ("defaultTags", r#"{"a":"b"}"#.into())]);
        let d = diff_config(&old, &map(&[("region", "us-east-1".into()), ("defaultTags", r#"{"a":"c"}"#.into())]));
        assert_eq!(d, vec!["defaultTags".to_string()]);
        // A region is a change of the configuration; whether a resource moves
        // is its own Diff's question.
        let d = diff_config(&old, &map(&[("region", "eu-west-1".into()), ("defaultTags", r#"{"a":"b"}"#.into())]));
        assert_eq!(d, vec!["region".to_string()]);
        let role = |acct: &str| Value::String(format!(r#"{{"roleArn":"arn:aws:iam::{acct}:role/x"}}"#));
        let d =
            diff_config(&map(&[("assumeRole", role("111111111111"))]), &map(&[("assumeRole", role("222222222222"))]));
        assert_eq!(d, vec!["assumeRole".to_string()]);
        // The same values spelt another way are no change.
        let as_object = Value::Object(map(&[("roleArn", "arn:aws:iam::111111111111:role/x".into())]));
        assert!(
            diff_config(&map(&[("assumeRole", role("111111111111"))]), &map(&[("assumeRole", as_object)])).is_empty()
        );
        assert!(
            diff_config(&map(&[("maxRetries", "3".into())]), &map(&[("maxRetries", Value::Number(3.0))])).is_empty()
        );
        let tags_object = Value::Object(map(&[("a", "b".into())]));
        assert!(
            diff_config(&map(&[("defaultTags", r#"{"a":"b"}"#.into())]), &map(&[("defaultTags", tags_object)]))
                .is_empty()
        );
        for (key, a, b) in [
            ("endpoint", "http://127.0.0.1:1", "https://vpce.example.com"),
            ("profile", "a", "b"),
            ("accessKey", "AKIA1", "AKIA2"),
            ("maxRetries", "3", "5"),
        ] {
            assert_eq!(diff_config(&map(&[(key, a.into())]), &map(&[(key, b.into())])), vec![key.to_string()], "{key}");
        }
        assert!(diff_config(&old, &old).is_empty());
    }

    #[test]
    fn the_account_is_known_only_from_an_assumed_role() {
        assert_eq!(ProviderConfig::default().account_in_force(), None);
        let cfg = ProviderConfig {
            assume_role: Some(AssumeRole {
                role_arn: "arn:aws:iam::210987654321:role/deployer".into(),
                session_name: None,
                external_id: None,
                duration_seconds: None,
            }),
            ..Default::default()
        };
        assert_eq!(cfg.account_in_force(), Some("210987654321"));
    }
}
