//! The `awsecr:index:PullThroughCacheRule` resource: caches an upstream
//! registry (Docker Hub, GitHub, Quay, ...) in ECR under a repository
//! prefix. The provider knows each upstream's registry URL and which of them
//! need credentials (a Secrets Manager secret whose name starts with
//! `ecr-pullthroughcache/`).
//!
//! Calls: create CreatePullThroughCacheRule; read DescribePullThroughCacheRules;
//! update UpdatePullThroughCacheRule (the credential and the role, the only
//! settings ECR can change in place; the rest replaces); delete
//! DeletePullThroughCacheRule; preview none.

use aws_sdk_ecr::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecr::operation::create_pull_through_cache_rule::CreatePullThroughCacheRuleError;
use aws_sdk_ecr::operation::delete_pull_through_cache_rule::DeletePullThroughCacheRuleError;
use aws_sdk_ecr::operation::describe_pull_through_cache_rules::DescribePullThroughCacheRulesError;
use aws_sdk_ecr::types::{PullThroughCacheRule, UpstreamRegistry};
use aws_smithy_types::date_time::Format;
use tonic::Code;

use crate::call::{self, AmbiguousAttempts, Ctx, aws};
use crate::config::ProviderConfig;
use crate::error::Subject;
use crate::error::{ProviderError, Result};
use crate::log::{self, Level};
use crate::names::*;
use crate::naming::NamingContext;
use crate::partition;
use crate::property::{Map, Value};
use crate::resource::{
    Compare, DiffKind, DiffResult, Ignoring, Planned, Preview, Property, ReadResult, Resource, ResourceType,
    carry_secrets, diff_inputs, import_instead, input_reader, keep_secret_marks, preview_outputs_with_secrets,
    preview_region, program_inputs,
};
use crate::resources::repository::args::name_problem;
use crate::validate::{Failure, Field, Reader, redact};

pub const TOKEN: &str = "awsecr:index:PullThroughCacheRule";

/// Every property of the rule, each defined once.
pub const PROPERTIES: &[Property] = &[
    Property::input(ECR_REPOSITORY_PREFIX).replaces().get(|x| Some(of(x)?.prefix.clone().into())),
    Property::input(UPSTREAM).replaces().get(|x| Some(of(x)?.upstream.clone().into())),
    Property::input(UPSTREAM_REGISTRY_URL).replaces().get(|x| Some(of(x)?.url.clone().into())),
    Property::input(CREDENTIAL_ARN).get(|x| of(x)?.credential_arn.clone().map(Value::from)),
    Property::input(CUSTOM_ROLE_ARN).get(|x| of(x)?.custom_role_arn.clone().map(Value::from)),
    Property::input(UPSTREAM_REPOSITORY_PREFIX)
        .replaces()
        .compare(Compare::Semantic(|s| s.old == s.new || prefix_defaulted(s.news, s.old, s.new)))
        .get(|x| of(x)?.upstream_prefix.clone().map(Value::from)),
    Property::output(REGISTRY_ID, &[]),
    Property::output(REGION, &[]).preview(Preview::Derived(preview_region)),
    Property::output(CREATED_AT, &[]),
];

/// The rule's typed arguments, for the getters of [`PROPERTIES`].
fn of(x: &dyn std::any::Any) -> Option<&RuleArgs> {
    crate::resource::args_of(x)
}

/// A state written before Check filled in the upstream prefix ECR holds
/// (ROOT) has none: the same rule, so the outputs are brought up to date in
/// place (no call), never replaced.
fn prefix_defaulted(news: &Map, old: Option<&Value>, new: Option<&Value>) -> bool {
    let is_ecr = news.get(UPSTREAM).map(Value::plain).as_ref().and_then(Value::as_str) == Some("ecr");
    is_ecr && old.is_none() && new == Some(&Value::from(ROOT))
}

/// An upstream registry ECR can cache: its name in the API, its registry
/// URL (`None`: the user gives it), whether it needs credentials.
pub struct Upstream {
    pub name: &'static str,
    pub url: Option<&'static str>,
    pub needs_credentials: bool,
}

/// The upstreams: every value of botocore's `UpstreamRegistry` enum (a test
/// compares this table with the model the tests run with, so an upstream
/// AWS adds fails a test here). URLs: the model's documentation of
/// `upstreamRegistryUrl` (CreatePullThroughCacheRule), which also names
/// `ecr-premium.aws.com` for ECR Public Premium; Chainguard's is `cgr.dev`
/// (Chainguard's guide "How to set up pull through from Chainguard's registry
/// to Amazon ECR"; AWS's pages do not list it). Credentials: AWS's "Sync an
/// upstream registry with an Amazon ECR private registry": Docker Hub,
/// GitHub, GitLab, Azure and Chainguard need a Secrets Manager secret; ECR
/// Public, Quay and Kubernetes take none; ECR Public Premium takes no secret
/// (the model: "You can't use this parameter with the Amazon ECR Public
/// Premium upstream registry"); an ECR upstream in another account
/// authenticates with `customRoleArn` instead.
pub const UPSTREAMS: &[Upstream] = &[
    Upstream { name: "docker-hub", url: Some("registry-1.docker.io"), needs_credentials: true },
    Upstream { name: "github-container-registry", url: Some("ghcr.io"), needs_credentials: true },
    Upstream { name: "gitlab-container-registry", url: Some("registry.gitlab.com"), needs_credentials: true },
    Upstream { name: "azure-container-registry", url: None, needs_credentials: true },
    Upstream { name: "quay", url: Some("quay.io"), needs_credentials: false },
    Upstream { name: "k8s", url: Some("registry.k8s.io"), needs_credentials: false },
    Upstream { name: "ecr-public", url: Some("public.ecr.aws"), needs_credentials: false },
    Upstream { name: "ecr", url: None, needs_credentials: false },
    Upstream { name: "chainguard", url: Some("cgr.dev"), needs_credentials: true },
    Upstream { name: "ecr-public-premium", url: Some("ecr-premium.aws.com"), needs_credentials: false },
];

/// The upstream prefix ECR holds for an `ecr` upstream when none is given
/// (the model: "When this field isn't specified, Amazon ECR will use the
/// ROOT"), and the prefix meaning every repository.
pub const ROOT: &str = "ROOT";

fn upstream(name: &str) -> Option<&'static Upstream> {
    UPSTREAMS.iter().find(|u| u.name == name)
}

/// The upstream a registry URL belongs to, if it is one ECR can cache.
fn upstream_of_url(url: &str) -> Option<&'static Upstream> {
    UPSTREAMS.iter().find(|u| u.url == Some(url)).or_else(|| {
        if url.ends_with(".azurecr.io") {
            upstream("azure-container-registry")
        } else if is_ecr_url(url) {
            upstream("ecr")
        } else {
            None
        }
    })
}

/// `<12 digits>.dkr.ecr.<region>.<dns suffix>`, an ECR private registry.
fn is_ecr_url(url: &str) -> bool {
    ecr_url_account(url).is_some()
}

/// The account of an ECR private registry URL, `None` for any other URL.
fn ecr_url_account(url: &str) -> Option<&str> {
    let mut parts = url.splitn(4, '.');
    let (Some(account), Some("dkr"), Some("ecr"), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (region, suffix) = rest.split_once('.')?;
    (partition::is_account_id(account) && partition::of_region(region).and_then(partition::dns_suffix) == Some(suffix))
        .then_some(account)
}

/// Why the region of an ecr upstream's URL is not a region to use (see
/// [`partition::region_problem`]).
fn ecr_region_problem(u: &Upstream, url: &str, config: &ProviderConfig) -> Option<String> {
    let region = url.split('.').nth(3).filter(|_| u.name == "ecr")?;
    partition::region_problem(region, config.skip_region_validation).map(|p| format!("its region {p}"))
}

/// Validated inputs of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleArgs {
    pub prefix: String,
    pub upstream: String,
    pub url: String,
    pub credential_arn: Option<String>,
    pub custom_role_arn: Option<String>,
    pub upstream_prefix: Option<String>,
}

impl RuleArgs {
    fn to_map(&self) -> Map {
        crate::resource::to_map(PROPERTIES, self)
    }
}

/// The lengths botocore's PullThroughCacheRuleRepositoryPrefix allows.
const RULE_PREFIX_LENGTH: (usize, usize) = (2, 30);

/// Why ECR would refuse a repository prefix: `min` to `max` characters of a
/// repository name (an ending `/` allowed), or `ROOT` (every repository).
/// botocore's model: a rule's prefixes (PullThroughCacheRuleRepositoryPrefix)
/// are 2-30 characters, a template's (Prefix) 1-256.
pub fn prefix_problem(prefix: &str, min: usize, max: usize) -> Option<String> {
    if prefix == "ROOT" {
        return None;
    }
    let len = prefix.chars().count();
    let name = prefix.strip_suffix('/').unwrap_or(prefix);
    // A repository name has at least 2 characters; a 1-character prefix is
    // one lowercase letter or digit.
    let pattern_ok = match name.len() {
        1 => name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        _ => name_problem(name).is_none(),
    };
    if len < min || len > max || !pattern_ok {
        return Some(format!(
            "must be ROOT or {min} to {max} characters of a repository name (lowercase letters and digits joined by . _ __ or -, namespaces by /, an ending / allowed), got \"{prefix}\""
        ));
    }
    None
}

/// Reads a repository prefix under `key` (see [`prefix_problem`]); when
/// absent it is required, `what` saying what it is for.
pub fn read_prefix(r: &mut Reader<'_>, key: &str, (min, max): (usize, usize), what: &str) -> Field<String> {
    match r.checked_string(key, |p| prefix_problem(p, min, max)) {
        Field::Absent => {
            r.fail(key, format!("is required: {what}"));
            Field::Invalid
        }
        other => other,
    }
}

/// An optional IAM role ARN (`customRoleArn` of a rule or a template).
pub fn read_role_arn(r: &mut Reader<'_>, key: &str) -> Field<String> {
    r.checked_string(key, |arn| {
        (!partition::is_role_arn(arn))
            .then(|| format!("must be the ARN of an IAM role (at most 2048 characters), got \"{arn}\""))
    })
}

/// Check: fills in the upstream from its URL or the URL from the upstream,
/// and checks every rule before any call.
pub fn check(news: &Map, config: &ProviderConfig) -> (Map, Vec<Failure>) {
    let mut checked = program_inputs(PROPERTIES, news);
    let given = |k: &str| checked.get(k).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));
    match (given(UPSTREAM), given(UPSTREAM_REGISTRY_URL)) {
        (Some(name), None) => {
            if let Some(url) = upstream(&name).and_then(|u| u.url) {
                checked.insert(UPSTREAM_REGISTRY_URL.into(), url.into());
            }
        }
        (None, Some(url)) => {
            if let Some(u) = upstream_of_url(&url) {
                checked.insert(UPSTREAM.into(), u.name.into());
            }
        }
        _ => {}
    }
    // AWS's default upstream prefix of an ECR upstream, applied here so the
    // outputs show what ECR holds.
    let upstream = checked.get(UPSTREAM).map(Value::plain);
    if upstream.as_ref().and_then(Value::as_str) == Some("ecr") && !checked.contains_key(UPSTREAM_REPOSITORY_PREFIX) {
        checked.insert(UPSTREAM_REPOSITORY_PREFIX.into(), ROOT.into());
    }
    let (_, failures) = parse(&checked, config);
    (checked, redact(failures, news))
}

fn parse(map: &Map, config: &ProviderConfig) -> (Option<RuleArgs>, Vec<Failure>) {
    let mut r = input_reader(map, PROPERTIES, TOKEN);
    let prefix = read_prefix(
        &mut r,
        ECR_REPOSITORY_PREFIX,
        RULE_PREFIX_LENGTH,
        "the repository prefix images are cached under, e.g. docker-hub",
    );
    let upstream = r.one_of_items(UPSTREAM, UPSTREAMS, |u| u.name);
    let url = r.string(UPSTREAM_REGISTRY_URL);
    let chosen = chosen_upstream(&mut r, upstream, &url, config);
    let credential = r.checked_string(CREDENTIAL_ARN, |arn| credential_problem(arn, config));
    let role = read_role_arn(&mut r, CUSTOM_ROLE_ARN);
    let upstream_prefix = match r.has(UPSTREAM_REPOSITORY_PREFIX) {
        true => read_prefix(&mut r, UPSTREAM_REPOSITORY_PREFIX, RULE_PREFIX_LENGTH, ""),
        false => Field::Absent,
    };
    let fields = UpstreamFields {
        prefix: &prefix,
        url: &url,
        credential: &credential,
        role: &role,
        upstream_prefix: &upstream_prefix,
    };
    if let Some(u) = chosen {
        check_upstream_fields(&mut r, u, &fields, config);
    }
    let failures = std::mem::take(&mut r.failures);
    if !failures.is_empty() {
        return (None, failures);
    }
    let args = (|| {
        let u = chosen?;
        Some(RuleArgs {
            prefix: prefix.known()?,
            upstream: u.name.to_string(),
            url: url.known().or_else(|| u.url.map(str::to_string))?,
            credential_arn: credential.optional()?,
            custom_role_arn: role.optional()?,
            upstream_prefix: upstream_prefix.optional()?,
        })
    })();
    (args, failures)
}

/// The upstream that `upstream` and `upstreamRegistryUrl` name together,
/// or a failure on the one that is missing or does not fit the other.
fn chosen_upstream(
    r: &mut Reader<'_>,
    upstream: Field<&'static Upstream>,
    url: &Field<String>,
    config: &ProviderConfig,
) -> Option<&'static Upstream> {
    let names: Vec<&str> = UPSTREAMS.iter().map(|u| u.name).collect();
    match (upstream, url) {
        (Field::Known(u), Field::Known(url)) => match url_problem(u, url, config) {
            Some(reason) => {
                r.fail(UPSTREAM_REGISTRY_URL, reason);
                None
            }
            None => Some(u),
        },
        (Field::Known(Upstream { name, .. }), Field::Absent) => {
            r.fail(
                UPSTREAM_REGISTRY_URL,
                format!("is required for {name}: the URL of the registry, e.g. {}", url_example(name)),
            );
            None
        }
        (Field::Absent, Field::Known(url)) => {
            r.fail(
                UPSTREAM_REGISTRY_URL,
                format!("\"{url}\" is not a registry ECR can cache; set upstream to one of {}", names.join(", ")),
            );
            None
        }
        (Field::Absent, Field::Absent) => {
            r.fail(UPSTREAM, format!("is required: one of {} (or give upstreamRegistryUrl)", names.join(", ")));
            None
        }
        _ => None,
    }
}

/// A registry URL of the upstream `name`, for a failure's example.
fn url_example(name: &str) -> &'static str {
    if name == "ecr" { "123456789012.dkr.ecr.us-east-1.amazonaws.com" } else { "myregistry.azurecr.io" }
}

/// Why `url` is not a registry of upstream `u` (or not one of an ECR
/// upstream the provider may use); `None` when it is.
fn url_problem(u: &Upstream, url: &str, config: &ProviderConfig) -> Option<String> {
    let name = u.name;
    let fits = match u.url {
        Some(known) => known == url,
        None => upstream_of_url(url).is_some_and(|found| found.name == u.name),
    };
    if fits {
        return ecr_region_problem(u, url, config);
    }
    let want = match u.url {
        Some(known) => known.to_string(),
        None if u.name == "ecr" => "<account>.dkr.ecr.<region>.amazonaws.com".into(),
        None => "<registry>.azurecr.io".to_string(),
    };
    Some(format!("is not the registry of {name}, which is {want}, got \"{url}\""))
}

/// The fields of a rule whose rules depend on its upstream.
struct UpstreamFields<'a> {
    prefix: &'a Field<String>,
    url: &'a Field<String>,
    credential: &'a Field<String>,
    role: &'a Field<String>,
    upstream_prefix: &'a Field<String>,
}

/// What upstream `u` takes and needs: credentials, the role, the upstream prefix.
fn check_upstream_fields(r: &mut Reader<'_>, u: &Upstream, f: &UpstreamFields<'_>, config: &ProviderConfig) {
    let UpstreamFields { prefix, url, credential, role, upstream_prefix } = *f;
    let has = |f: &Field<String>| matches!(f, Field::Known(_) | Field::Unknown);
    if u.needs_credentials && credential.is_absent() {
        r.fail(CREDENTIAL_ARN, format!("is required for {}: the Secrets Manager secret (named ecr-pullthroughcache/...) holding the upstream's user name and token", u.name));
    }
    if !u.needs_credentials && has(credential) {
        r.fail(
            CREDENTIAL_ARN,
            format!(
                "is not taken by {}, which ECR pulls from without credentials{}",
                u.name,
                if u.name == "ecr" { " (an ECR upstream authenticates with customRoleArn)" } else { "" }
            ),
        );
    }
    // ECR needs the role only across accounts. The provider's account
    // is known at Check only from assumeRole's role; otherwise Create
    // learns it before the rule is written (see `role_problem`).
    if u.name == "ecr"
        && role.is_absent()
        && let (Field::Known(url), Some(registry_id)) = (url, config.account_in_force())
        && let Some(problem) = role_problem(url, registry_id)
    {
        r.fail(CUSTOM_ROLE_ARN, problem);
    }
    if u.name == "ecr-public-premium" && has(role) {
        r.fail(
            CUSTOM_ROLE_ARN,
            "is not supported for ecr-public-premium by this provider yet: ECR takes it there only together with upstreamRoleArn, which the AWS SDK the provider is built with cannot send; leave it out and ECR pulls with its service-linked role",
        );
    } else if u.name != "ecr" && has(role) {
        r.fail(CUSTOM_ROLE_ARN, format!("is only for an ecr upstream, not {}", u.name));
    }
    if u.name != "ecr" && has(upstream_prefix) {
        r.fail(UPSTREAM_REPOSITORY_PREFIX, format!("is only for an ecr upstream, not {}", u.name));
    }
    // The user guide ("Customizing repository prefixes for ECR to ECR pull
    // through cache"): the upstream prefix can be set only when the ECR
    // repository prefix is not ROOT.
    if u.name == "ecr"
        && let (Field::Known(prefix), Field::Known(up)) = (prefix, upstream_prefix)
        && prefix == ROOT
        && up != ROOT
    {
        r.fail(
            UPSTREAM_REPOSITORY_PREFIX,
            format!("can only be ROOT (or left out) when ecrRepositoryPrefix is ROOT, because ECR then caches every upstream repository; to cache only the upstream repositories under \"{up}\", give ecrRepositoryPrefix a prefix of its own"),
        );
    }
}

/// Why an `ecr` upstream at `url` needs `customRoleArn` when the provider
/// acts in account `own`: AWS's user guide asks for the role only "if the
/// upstream and downstream Amazon ECR registries belong to different AWS
/// account". `None` when the upstream is in the same account.
fn role_problem(url: &str, registry_id: &str) -> Option<String> {
    let upstream_account = ecr_url_account(url)?;
    (upstream_account != registry_id).then(|| {
        format!(
            "is required for an ecr upstream in another account: the upstream registry is in account {upstream_account} and this registry is account {registry_id}; give the IAM role (in account {registry_id}) that ECR assumes to pull from it, or use an upstream in account {registry_id}, which needs none"
        )
    })
}

/// Create's half of the cross-account rule for an `ecr` upstream without
/// `customRoleArn`, when Check could not know the provider's account (no
/// assumeRole): the registry's id, read before the rule is written, is the
/// account. Should the read be refused, ECR decides.
async fn same_account_or_refuse(ctx: &Ctx<'_>, args: &RuleArgs) -> Result<()> {
    let action = "ecr:DescribeRegistry";
    let registry_id = match ctx.read(action, Subject::Rule(&args.prefix), ctx.client.describe_registry().send()).await?
    {
        Ok(r) => r.registry_id().map(str::to_string),
        Err(e) => {
            log::log(Level::Debug, || format!("{action}: {e}; ECR decides whether customRoleArn is needed"));
            None
        }
    };
    match registry_id.and_then(|registry_id| role_problem(&args.url, &registry_id)) {
        Some(problem) => Err(ProviderError::new(
            Code::InvalidArgument,
            format!("pull-through cache rule \"{}\": customRoleArn {problem}", args.prefix),
        )),
        None => Ok(()),
    }
}

/// botocore's CredentialArn: 50-612 characters, a Secrets Manager secret
/// whose name starts with `ecr-pullthroughcache/`, in the provider's region.
fn credential_problem(arn: &str, config: &ProviderConfig) -> Option<String> {
    let form = "must be the ARN of a Secrets Manager secret whose name starts with ecr-pullthroughcache/ (arn:aws:secretsmanager:<region>:<account>:secret:ecr-pullthroughcache/<name>)";
    let Some(a) = partition::parse_arn(arn) else { return Some(format!("{form}, got \"{arn}\"")) };
    let name_ok = a
        .resource
        .strip_prefix("secret:ecr-pullthroughcache/")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c)));
    if a.service != "secretsmanager"
        || !partition::is_account_id(a.account)
        || !name_ok
        || !(50..=612).contains(&arn.len())
    {
        return Some(format!("{form}, got \"{arn}\""));
    }
    match config.region_in_force() {
        Some(region) if a.region != region => {
            Some(format!("must be a secret in the registry's region {region}, got one in {}", a.region))
        }
        _ => None,
    }
}

fn known_args(inputs: &Map, config: &ProviderConfig) -> Result<RuleArgs> {
    crate::resource::known_args(parse(inputs, config))
}

fn outputs(args: &RuleArgs, rule: Option<&PullThroughCacheRule>) -> Map {
    let mut m = args.to_map();
    m.insert(REGISTRY_ID.into(), rule.and_then(|r| r.registry_id()).unwrap_or_default().into());
    if let Some(at) = rule.and_then(|r| r.created_at()).and_then(|t| t.fmt(Format::DateTime).ok()) {
        m.insert(CREATED_AT.into(), at.into());
    }
    m
}

/// The rule for a prefix, or `None` when there is none.
async fn describe(ctx: &Ctx<'_>, prefix: &str) -> Result<Option<PullThroughCacheRule>> {
    let req = ctx.client.describe_pull_through_cache_rules().ecr_repository_prefixes(prefix);
    let gone = DescribePullThroughCacheRulesError::is_pull_through_cache_rule_not_found_exception;
    let found = ctx.read_or_none("ecr:DescribePullThroughCacheRules", Subject::Rule(prefix), gone, req.send()).await?;
    Ok(found
        .and_then(|r| r.pull_through_cache_rules().iter().find(|r| r.ecr_repository_prefix() == Some(prefix)).cloned()))
}

/// How long ago, at most, an object found by a retried create may have been
/// made for it to count as this create's own (clock skew included), as for
/// a Repository.
pub const EARLIER_ATTEMPT_WINDOW: std::time::Duration = std::time::Duration::from_secs(120);

/// Whether ECR made an object at `created_at` since `started` (within
/// [`EARLIER_ATTEMPT_WINDOW`]).
pub fn made_since(created_at: Option<&aws_smithy_types::DateTime>, started: std::time::SystemTime) -> bool {
    let since = started.checked_sub(EARLIER_ATTEMPT_WINDOW).unwrap_or(std::time::UNIX_EPOCH);
    created_at.and_then(|t| std::time::SystemTime::try_from(*t).ok()).is_some_and(|t| t >= since)
}

/// The rule a lost-reply create already made, if the one that exists under
/// the prefix is it: made since this operation started, with exactly the
/// upstream, credential, role and upstream prefix it asked for.
async fn earlier_attempt(
    ctx: &Ctx<'_>,
    args: &RuleArgs,
    started: std::time::SystemTime,
) -> Result<Option<PullThroughCacheRule>> {
    let Some(rule) = describe(ctx, &args.prefix).await? else { return Ok(None) };
    let upstream_prefix = |p: Option<&str>| match args.upstream.as_str() {
        "ecr" => Some(p.unwrap_or(ROOT).to_string()),
        _ => p.filter(|p| *p != ROOT).map(str::to_string),
    };
    let same = made_since(rule.created_at(), started)
        && rule.upstream_registry_url() == Some(args.url.as_str())
        && rule.upstream_registry().is_none_or(|u| u.as_str() == args.upstream)
        && rule.credential_arn() == args.credential_arn.as_deref()
        && rule.custom_role_arn() == args.custom_role_arn.as_deref()
        && upstream_prefix(rule.upstream_repository_prefix()) == upstream_prefix(args.upstream_prefix.as_deref());
    if !same {
        return Ok(None);
    }
    log::log(Level::Info, || {
        format!("CreatePullThroughCacheRule {}: the rule an earlier attempt of this create made is ours", args.prefix)
    });
    Ok(Some(rule))
}

/// One sentence for what ECR says about a rule's secret or its existence
/// (the refusals of CreatePullThroughCacheRule and UpdatePullThroughCacheRule
/// by their code, which the sentence quotes), else AWS's error sentence.
fn refused<E, R>(ctx: &Ctx<'_>, prefix: &str, action: &str, e: &SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let code = e.code();
    match code {
        Some("PullThroughCacheRuleAlreadyExistsException") => {
            import_instead(ctx, TOKEN, &format!("a pull-through cache rule for the prefix \"{prefix}\""), prefix)
        }
        Some("SecretNotFoundException" | "UnableToAccessSecretException" | "UnableToDecryptSecretValueException") => {
            ProviderError::new(
                Code::FailedPrecondition,
                format!(
                    "ECR could not read the secret of pull-through cache rule \"{prefix}\" ({}); check that credentialArn names an existing secret that ECR may read and decrypt",
                    code.unwrap_or_default()
                ),
            )
        }
        _ => aws(ctx, action, Subject::Rule(prefix), e),
    }
}

/// What messages about the calls on one pull-through cache rule name it.
fn subject(prefix: &str) -> String {
    format!("pull-through cache rule \"{prefix}\"")
}

/// The PullThroughCacheRule resource.
pub struct PullThroughCacheRuleResource;

/// Its entry in [`crate::resources::RESOURCES`].
pub const RESOURCE: ResourceType =
    ResourceType { token: TOKEN, properties: PROPERTIES, handler: &PullThroughCacheRuleResource };

#[tonic::async_trait]
impl Resource for PullThroughCacheRuleResource {
    fn check(&self, news: &Map, _: &Map, _: &NamingContext, config: &ProviderConfig) -> (Map, Vec<Failure>) {
        check(news, config)
    }

    fn diff(&self, olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult {
        let ignoring = Ignoring::new(olds, news, ignore_changes);
        // A state without the upstream prefix: see `prefix_defaulted`.
        let mut d = diff_inputs(PROPERTIES, olds, &ignoring);
        let (o, n) = (olds.get(UPSTREAM_REPOSITORY_PREFIX), ignoring.news.get(UPSTREAM_REPOSITORY_PREFIX));
        if !ignoring.ignores(UPSTREAM_REPOSITORY_PREFIX)
            && prefix_defaulted(&ignoring.news, o.map(Value::plain).as_ref(), n.map(Value::plain).as_ref())
        {
            d.change(UPSTREAM_REPOSITORY_PREFIX, DiffKind::Add);
        }
        // The prefix is the rule's identity: the old rule must go first
        // (unless it moves to another region, where both can be).
        d.delete_before_replace = !d.replaces.is_empty();
        let prefix = olds.get(ECR_REPOSITORY_PREFIX).map(Value::plain);
        let what = subject(prefix.as_ref().and_then(Value::as_str).unwrap_or_default());
        crate::resource::follow_region(&mut d, olds, config, &what);
        d
    }

    async fn create(&self, ctx: &Ctx<'_>, inputs: &Map, preview: bool) -> Result<(String, Map)> {
        if preview {
            let planned = Planned { news: inputs, olds: None, config: ctx.config };
            return Ok((String::new(), preview_outputs_with_secrets(PROPERTIES, &planned)));
        }
        let args = known_args(inputs, ctx.config)?;
        if args.upstream == "ecr" && args.custom_role_arn.is_none() && ctx.config.account_in_force().is_none() {
            same_account_or_refuse(ctx, &args).await?;
        }
        let action = "ecr:CreatePullThroughCacheRule";
        let req = ctx
            .client
            .create_pull_through_cache_rule()
            .ecr_repository_prefix(&args.prefix)
            .upstream_registry(UpstreamRegistry::from(args.upstream.as_str()))
            .upstream_registry_url(&args.url)
            .set_credential_arn(args.credential_arn.clone())
            .set_custom_role_arn(args.custom_role_arn.clone())
            .set_upstream_repository_prefix(args.upstream_prefix.clone());
        let started = std::time::SystemTime::now();
        let ambiguous = AmbiguousAttempts::default();
        let sent = req.customize().interceptor(ambiguous.clone()).send();
        let already_exists = CreatePullThroughCacheRuleError::is_pull_through_cache_rule_already_exists_exception;
        let rule = match ctx.write(action, Subject::Rule(&args.prefix), sent).await? {
            Ok(resp) => PullThroughCacheRule::builder()
                .set_registry_id(resp.registry_id().map(str::to_string))
                .set_created_at(resp.created_at().cloned())
                .build(),
            // The SDK retries a create whose reply was lost (a 500 or a
            // dropped connection after ECR had made the rule); the retry then
            // finds the rule. If an earlier attempt of this very call may have
            // reached ECR and the rule is the one it asked for, made during
            // this operation, it is ours: carry on instead of telling the
            // user to import what this run created.
            Err(e) if call::is(&e, already_exists) && ambiguous.seen() => {
                match earlier_attempt(ctx, &args, started).await? {
                    Some(rule) => rule,
                    None => return Err(refused(ctx, &args.prefix, action, &e)),
                }
            }
            Err(e) => return Err(refused(ctx, &args.prefix, action, &e)),
        };
        let mut props = outputs(&args, Some(&rule));
        crate::resource::record_region(ctx, &mut props);
        carry_secrets(PROPERTIES, inputs, &mut props);
        Ok((args.prefix.clone(), props))
    }

    async fn read(&self, ctx: &Ctx<'_>, id: &str, olds: &Map, old_inputs: &Map) -> Result<Option<ReadResult>> {
        let Some(rule) = describe(ctx, id).await? else {
            let importing = olds.is_empty() && old_inputs.is_empty();
            return call::gone(ctx, importing, &format!("pull-through cache rule for the prefix \"{id}\""));
        };
        let url = rule.upstream_registry_url().unwrap_or_default().to_string();
        let args = RuleArgs {
            prefix: id.to_string(),
            upstream: rule
                .upstream_registry()
                .map(|u| u.as_str().to_string())
                .or_else(|| upstream_of_url(&url).map(|u| u.name.to_string()))
                .unwrap_or_default(),
            url,
            credential_arn: rule.credential_arn().map(str::to_string),
            custom_role_arn: rule.custom_role_arn().map(str::to_string),
            upstream_prefix: None,
        };
        // What ECR holds for an ecr upstream (ROOT when none was given, as
        // Check fills in); another upstream has none.
        let upstream_prefix = rule.upstream_repository_prefix().filter(|p| args.upstream == "ecr" || *p != ROOT);
        let args = RuleArgs { upstream_prefix: upstream_prefix.map(str::to_string), ..args };
        let mut inputs = args.to_map();
        let mut props = outputs(&args, Some(&rule));
        crate::resource::record_region(ctx, &mut props);
        keep_secret_marks(&mut inputs, olds, old_inputs);
        carry_secrets(PROPERTIES, &inputs, &mut props);
        Ok(Some(ReadResult { id: id.to_string(), outputs: props, inputs }))
    }

    async fn update(&self, ctx: &Ctx<'_>, olds: &Map, news: &Map, preview: bool) -> Result<Map> {
        let mut keep = Map::new();
        for k in [REGISTRY_ID, CREATED_AT] {
            if let Some(v) = olds.get(k) {
                keep.insert(k.into(), v.clone());
            }
        }
        if preview {
            let mut m = news.clone();
            m.extend(keep);
            crate::resource::record_region(ctx, &mut m);
            carry_secrets(PROPERTIES, news, &mut m);
            return Ok(m);
        }
        let args = known_args(news, ctx.config)?;
        let old = |k: &str| olds.get(k).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));
        if old(CREDENTIAL_ARN) != args.credential_arn || old(CUSTOM_ROLE_ARN) != args.custom_role_arn {
            let action = "ecr:UpdatePullThroughCacheRule";
            let req = ctx
                .client
                .update_pull_through_cache_rule()
                .ecr_repository_prefix(&args.prefix)
                .set_credential_arn(args.credential_arn.clone())
                .set_custom_role_arn(args.custom_role_arn.clone());
            ctx.write(action, Subject::Rule(&args.prefix), req.send())
                .await?
                .map_err(|e| refused(ctx, &args.prefix, action, &e))?;
        }
        let mut props = args.to_map();
        props.extend(keep);
        crate::resource::record_region(ctx, &mut props);
        carry_secrets(PROPERTIES, news, &mut props);
        Ok(props)
    }

    async fn delete(&self, ctx: &Ctx<'_>, id: &str, _: &Map) -> Result<()> {
        let req = ctx.client.delete_pull_through_cache_rule().ecr_repository_prefix(id);
        call::delete(
            ctx,
            "ecr:DeletePullThroughCacheRule",
            Subject::Rule(id),
            DeletePullThroughCacheRuleError::is_pull_through_cache_rule_not_found_exception,
            req.send(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> Map {
        pairs.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect()
    }
    fn config() -> ProviderConfig {
        ProviderConfig { region: Some("us-east-1".into()), ..Default::default() }
    }
    const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-abc123";

    #[test]
    fn upstream_and_url_fill_each_other_in() {
        let (checked, f) = check(
            &map(&[("ecrRepositoryPrefix", "docker-hub"), ("upstream", "docker-hub"), ("credentialArn", SECRET)]),
            &config(),
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checked["upstreamRegistryUrl"], Value::from("registry-1.docker.io"));
        let (checked, f) =
            check(&map(&[("ecrRepositoryPrefix", "quay"), ("upstreamRegistryUrl", "quay.io")]), &config());
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checked["upstream"], Value::from("quay"));
        let (checked, f) = check(
            &map(&[
                ("ecrRepositoryPrefix", "team-cache"),
                ("upstreamRegistryUrl", "210987654321.dkr.ecr.us-west-2.amazonaws.com"),
                ("customRoleArn", "arn:aws:iam::123456789012:role/ptc"),
                ("upstreamRepositoryPrefix", "team"),
            ]),
            &config(),
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checked["upstream"], Value::from("ecr"));
        // AWS's default upstream prefix is filled in, so the outputs show it.
        let (checked, f) = check(
            &map(&[
                ("ecrRepositoryPrefix", "ROOT"),
                ("upstreamRegistryUrl", "210987654321.dkr.ecr.us-west-2.amazonaws.com"),
                ("customRoleArn", "arn:aws:iam::123456789012:role/ptc"),
            ]),
            &config(),
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checked["upstreamRepositoryPrefix"], Value::from("ROOT"));
    }

    fn acting_in(account: &str) -> ProviderConfig {
        ProviderConfig {
            assume_role: Some(crate::config::AssumeRole {
                role_arn: format!("arn:aws:iam::{account}:role/deployer"),
                session_name: None,
                external_id: None,
                duration_seconds: None,
            }),
            ..config()
        }
    }

    #[test]
    fn an_ecr_upstream_needs_a_role_only_in_another_account() {
        let upstream = |url: &str| {
            map(&[
                ("ecrRepositoryPrefix", "mirror"),
                ("upstreamRegistryUrl", url),
                ("upstreamRepositoryPrefix", "team"),
            ])
        };
        let same = "123456789012.dkr.ecr.us-west-2.amazonaws.com";
        let other = "210987654321.dkr.ecr.us-west-2.amazonaws.com";
        // The provider's account known (assumeRole): the same account needs no role ...
        let (_, f) = check(&upstream(same), &acting_in("123456789012"));
        assert!(f.is_empty(), "{f:?}");
        // ... another account does, and the message says both accounts.
        let (_, f) = check(&upstream(other), &acting_in("123456789012"));
        assert!(
            f.iter().any(|f| f.property == "customRoleArn"
                && f.reason.contains("is required for an ecr upstream in another account")
                && f.reason.contains("210987654321")
                && f.reason.contains("123456789012")),
            "{f:?}"
        );
        // Not known without a call: Check lets it through, Create decides.
        for url in [same, other] {
            let (_, f) = check(&upstream(url), &config());
            assert!(f.is_empty(), "{url}: {f:?}");
        }
        assert_eq!(role_problem(same, "123456789012"), None);
        assert!(role_problem(other, "123456789012").is_some());
    }

    #[test]
    fn an_upstream_prefix_needs_an_ecr_prefix_of_its_own() {
        let rule = |prefix: &str, upstream_prefix: &str| {
            map(&[
                ("ecrRepositoryPrefix", prefix),
                ("upstreamRegistryUrl", "123456789012.dkr.ecr.us-west-2.amazonaws.com"),
                ("upstreamRepositoryPrefix", upstream_prefix),
            ])
        };
        let (_, f) = check(&rule("ROOT", "team"), &config());
        assert!(
            f.iter().any(|f| f.property == "upstreamRepositoryPrefix"
                && f.reason.contains("can only be ROOT (or left out) when ecrRepositoryPrefix is ROOT")),
            "{f:?}"
        );
        for (prefix, up) in [("ROOT", "ROOT"), ("mirror", "team"), ("mirror", "ROOT")] {
            let (_, f) = check(&rule(prefix, up), &config());
            assert!(f.is_empty(), "{prefix} {up}: {f:?}");
        }
    }

    #[test]
    fn the_default_upstream_prefix_added_to_an_old_state_is_an_update_not_a_replacement() {
        let old_inputs = map(&[
            ("ecrRepositoryPrefix", "mirror"),
            ("upstream", "ecr"),
            ("upstreamRegistryUrl", "123456789012.dkr.ecr.us-west-2.amazonaws.com"),
        ]);
        let mut olds = old_inputs.clone();
        olds.insert("registryId".into(), "123456789012".into());
        let (news, f) = check(&old_inputs, &config());
        assert!(f.is_empty(), "{f:?}");
        let d = PullThroughCacheRuleResource.diff(&olds, &news, &[], &config());
        assert_eq!(d.diffs, vec!["upstreamRepositoryPrefix".to_string()]);
        assert!(d.replaces.is_empty(), "{d:?}");
        // Another upstream prefix still replaces the rule.
        let mut moved = news.clone();
        moved.insert("upstreamRepositoryPrefix".into(), "team".into());
        let d = PullThroughCacheRuleResource.diff(&olds, &moved, &[], &config());
        assert_eq!(d.replaces, vec!["upstreamRepositoryPrefix".to_string()]);
        // Once the state has it, no change.
        olds.insert("upstreamRepositoryPrefix".into(), "ROOT".into());
        assert!(!PullThroughCacheRuleResource.diff(&olds, &news, &[], &config()).has_changes());
    }

    #[test]
    fn every_upstream_has_its_url_and_credential_rule() {
        let cases = [("chainguard", "cgr.dev", Some(SECRET)), ("ecr-public-premium", "ecr-premium.aws.com", None)];
        for (name, url, secret) in cases {
            let mut m = map(&[("ecrRepositoryPrefix", "cache"), ("upstream", name)]);
            if let Some(s) = secret {
                m.insert("credentialArn".into(), s.into());
            }
            let (checked, f) = check(&m, &config());
            assert!(f.is_empty(), "{name}: {f:?}");
            assert_eq!(checked["upstreamRegistryUrl"], Value::from(url));
            let (checked, f) =
                check(&map(&[("ecrRepositoryPrefix", "cache"), ("upstreamRegistryUrl", url)]), &config());
            assert_eq!(checked["upstream"], Value::from(name), "{f:?}");
        }
        let (_, f) = check(&map(&[("ecrRepositoryPrefix", "cg"), ("upstream", "chainguard")]), &config());
        assert!(
            f.iter().any(|f| f.property == "credentialArn" && f.reason.contains("is required for chainguard")),
            "{f:?}"
        );
        let (_, f) = check(
            &map(&[("ecrRepositoryPrefix", "pp"), ("upstream", "ecr-public-premium"), ("credentialArn", SECRET)]),
            &config(),
        );
        assert!(
            f.iter().any(|f| f.property == "credentialArn" && f.reason.contains("is not taken by ecr-public-premium")),
            "{f:?}"
        );
        let (_, f) = check(
            &map(&[
                ("ecrRepositoryPrefix", "pp"),
                ("upstream", "ecr-public-premium"),
                ("customRoleArn", "arn:aws:iam::123456789012:role/x"),
            ]),
            &config(),
        );
        assert!(f.iter().any(|f| f.property == "customRoleArn" && f.reason.contains("upstreamRoleArn")), "{f:?}");
    }

    #[test]
    fn every_rule_names_its_property() {
        let long = "x".repeat(31);
        type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (vec![("upstream", "quay")], "ecrRepositoryPrefix", "is required"),
            (
                vec![("ecrRepositoryPrefix", "Q"), ("upstream", "quay")],
                "ecrRepositoryPrefix",
                "must be ROOT or 2 to 30",
            ),
            (vec![("ecrRepositoryPrefix", &long), ("upstream", "quay")], "ecrRepositoryPrefix", "2 to 30"),
            (vec![("ecrRepositoryPrefix", "q")], "ecrRepositoryPrefix", "must be ROOT"),
            (vec![("ecrRepositoryPrefix", "qq")], "upstream", "is required: one of docker-hub"),
            (vec![("ecrRepositoryPrefix", "qq"), ("upstream", "dockerhub")], "upstream", "must be one of docker-hub"),
            (
                vec![("ecrRepositoryPrefix", "qq"), ("upstreamRegistryUrl", "example.com")],
                "upstreamRegistryUrl",
                "is not a registry ECR can cache",
            ),
            (
                vec![("ecrRepositoryPrefix", "qq"), ("upstream", "quay"), ("upstreamRegistryUrl", "ghcr.io")],
                "upstreamRegistryUrl",
                "is not the registry of quay, which is quay.io",
            ),
            (
                vec![
                    ("ecrRepositoryPrefix", "az"),
                    ("upstream", "azure-container-registry"),
                    ("credentialArn", SECRET),
                ],
                "upstreamRegistryUrl",
                "is required for azure-container-registry",
            ),
            (
                vec![("ecrRepositoryPrefix", "dh"), ("upstream", "docker-hub")],
                "credentialArn",
                "is required for docker-hub",
            ),
            (
                vec![("ecrRepositoryPrefix", "k8"), ("upstream", "k8s"), ("credentialArn", SECRET)],
                "credentialArn",
                "is not taken by k8s",
            ),
            (
                vec![
                    ("ecrRepositoryPrefix", "dh"),
                    ("upstream", "docker-hub"),
                    ("credentialArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub"),
                ],
                "credentialArn",
                "ecr-pullthroughcache/",
            ),
            (
                vec![
                    ("ecrRepositoryPrefix", "dh"),
                    ("upstream", "docker-hub"),
                    (
                        "credentialArn",
                        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub",
                    ),
                ],
                "credentialArn",
                "in the registry's region us-east-1",
            ),
            (
                vec![
                    ("ecrRepositoryPrefix", "ROOT"),
                    ("upstreamRegistryUrl", "210987654321.dkr.ecr.us-west-2.amazonaws.com"),
                    ("customRoleArn", "arn:aws:iam::123456789012:role/x"),
                    ("upstreamRepositoryPrefix", "team"),
                ],
                "upstreamRepositoryPrefix",
                "when ecrRepositoryPrefix is ROOT",
            ),
            (
                vec![
                    ("ecrRepositoryPrefix", "qq"),
                    ("upstream", "quay"),
                    ("customRoleArn", "arn:aws:iam::123456789012:role/x"),
                ],
                "customRoleArn",
                "only for an ecr upstream",
            ),
            (
                vec![("ecrRepositoryPrefix", "qq"), ("upstream", "quay"), ("upstreamRepositoryPrefix", "x1")],
                "upstreamRepositoryPrefix",
                "only for an ecr upstream",
            ),
            (
                vec![("ecrRepositoryPrefix", "qq"), ("upstream", "quay"), ("registry", "x")],
                "registry",
                "is not a property of awsecr:index:PullThroughCacheRule",
            ),
        ];
        for (pairs, path, words) in cases {
            let (_, f) = check(&map(&pairs), &config());
            assert!(f.iter().any(|f| f.property == path && f.reason.contains(words)), "{path}: {f:?}");
        }
    }

    #[test]
    fn to_map_round_trips_through_parse() {
        let args = RuleArgs {
            prefix: "hub".into(),
            upstream: "docker-hub".into(),
            url: "registry-1.docker.io".into(),
            credential_arn: Some(
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/hub-AbCdEf".into(),
            ),
            custom_role_arn: None,
            upstream_prefix: None,
        };
        let m = args.to_map();
        assert!(!m.contains_key("customRoleArn") && !m.contains_key("upstreamRepositoryPrefix"));
        let (back, failures) = parse(&m, &config());
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(back, Some(args));
    }
}
