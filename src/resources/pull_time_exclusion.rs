//! The `awsecr:index:PullTimeUpdateExclusion` resource: one IAM principal
//! (a scanner, a CI role) whose pulls do not update an image's last recorded
//! pull time, so that they do not keep an image alive under pull-based
//! expiry (issue 26, point 3).
//!
//! A resource of its own, one principal each, rather than a group of the
//! Registry: ECR holds the exclusions as a set of principals registered and
//! deregistered one by one (there is no call that writes the set), and
//! ownership is per principal: this provider deregisters only the
//! principals it registered; the others in the set are never touched,
//! and Read reports them (those no resource of this provider declares).
//!
//! Calls: create RegisterPullTimeUpdateExclusion (with DescribeRegistry at
//! once when the provider does not know its account); read
//! ListPullTimeUpdateExclusions, every page (DescribeRegistry too on
//! import); update none (only `adopt` can change in place); delete
//! DeregisterPullTimeUpdateExclusion; preview none.

use aws_smithy_types::date_time::Format;
use tonic::Code;

use aws_sdk_ecr::operation::deregister_pull_time_update_exclusion::DeregisterPullTimeUpdateExclusionError;
use aws_sdk_ecr::operation::register_pull_time_update_exclusion::RegisterPullTimeUpdateExclusionError;

use crate::call::{self, AmbiguousAttempts, Ctx, aws};
use crate::config::ProviderConfig;
use crate::error::{ProviderError, Result, Subject};
use crate::log::{self, Level};
use crate::names::*;
use crate::naming::NamingContext;
use crate::partition;
use crate::property::{Map, Value};
use crate::resource::{
    Claim, Compare, DefaultValue, DiffResult, Ignoring, Planned, Preview, Property, ReadResult, Resource, ResourceType,
    carry_secrets, diff_inputs, import_instead, input_reader, keep_secret_marks, preview_outputs_with_secrets,
    preview_region, program_inputs,
};
use crate::validate::{Failure, Field, redact};

pub const TOKEN: &str = "awsecr:index:PullTimeUpdateExclusion";

/// Every property of the exclusion, each defined once.
pub const PROPERTIES: &[Property] = &[
    Property::input(PRINCIPAL_ARN).replaces().get(|x| Some(of(x)?.principal_arn.clone().into())),
    // A state without adopt (none was recorded) is adopt: false.
    Property::input(ADOPT)
        .default(DefaultValue::Bool(false))
        .not_in_lookup()
        .compare(Compare::Semantic(|s| {
            let adopt = |v: Option<&Value>| v.cloned().unwrap_or(Value::Bool(false));
            adopt(s.old) == adopt(s.new)
        }))
        .get(|x| Some(of(x)?.adopt.into())),
    // The account is known at preview when assumeRole names it.
    Property::output(REGISTRY_ID, &[])
        .preview(Preview::Derived(|p| Some(p.config.account_in_force().map_or(Value::Unknown, Value::from)))),
    Property::output(REGION, &[]).preview(Preview::Derived(preview_region)),
    Property::output(CREATED_AT, &[]),
];

/// The exclusion's typed arguments, for the getters of [`PROPERTIES`].
fn of(x: &dyn std::any::Any) -> Option<&ExclusionArgs> {
    crate::resource::args_of(x)
}

/// botocore's PrincipalArn: at most 200 characters.
pub const MAX_PRINCIPAL_LENGTH: usize = 200;

/// "You can configure up to 100 exclusions per account" (AWS's user guide,
/// "Pull-time update exclusions"; LimitExceededException).
pub const MAX_EXCLUSIONS: usize = 100;

/// The model's pattern for a principal,
/// `^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@-]+(/[\w+=,.@-]+)*$`,
/// and at most [`MAX_PRINCIPAL_LENGTH`] characters; `region`, when known,
/// puts it in that region's partition (ECR acts in one partition only).
pub fn principal_problem(arn: &str, region: Option<&str>) -> Option<String> {
    let form = "must be the ARN of an IAM role or user (arn:aws:iam::<account>:role/<name> or arn:aws:iam::<account>:user/<name>, a path allowed, at most 200 characters)";
    let part_ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    let Some(a) = partition::parse_arn(arn) else { return Some(format!("{form}, got \"{arn}\"")) };
    let partition_ok = a.partition == "aws"
        || a.partition.strip_prefix("aws").is_some_and(|rest| {
            rest.split('-').skip(1).all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
                && rest.starts_with('-')
        });
    let resource_ok = a
        .resource
        .strip_prefix("role/")
        .or_else(|| a.resource.strip_prefix("user/"))
        .is_some_and(|rest| rest.split('/').all(part_ok));
    if !partition_ok
        || a.service != "iam"
        || !a.region.is_empty()
        || !partition::is_account_id(a.account)
        || !resource_ok
        || arn.chars().count() > MAX_PRINCIPAL_LENGTH
    {
        return Some(format!("{form}, got \"{arn}\""));
    }
    if let Some(region) = region
        && let Some(p) = partition::of_region(region)
        && p != a.partition
    {
        return Some(format!(
            "must be a principal of partition {p}, the partition of the provider's region {region}, got one of {}",
            a.partition
        ));
    }
    None
}

/// Validated inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionArgs {
    pub principal_arn: String,
    pub adopt: bool,
}

impl ExclusionArgs {
    fn to_map(&self) -> Map {
        crate::resource::to_map(PROPERTIES, self)
    }
}

fn parse(map: &Map, config: &ProviderConfig) -> (Option<ExclusionArgs>, Vec<Failure>) {
    let mut r = input_reader(map, PROPERTIES, TOKEN);
    let region = config.region_in_force();
    let principal = match r.checked_string(PRINCIPAL_ARN, |arn| principal_problem(arn, region)) {
        Field::Absent => {
            r.fail(
                PRINCIPAL_ARN,
                "is required: the ARN of the IAM role or user whose pulls must not update an image's last pull time",
            );
            Field::Invalid
        }
        other => other,
    };
    let adopt = r.bool(ADOPT);
    let failures = std::mem::take(&mut r.failures);
    if !failures.is_empty() {
        return (None, failures);
    }
    let args =
        (|| Some(ExclusionArgs { principal_arn: principal.known()?, adopt: adopt.optional()?.unwrap_or(false) }))();
    (args, failures)
}

fn known_args(inputs: &Map, config: &ProviderConfig) -> Result<ExclusionArgs> {
    crate::resource::known_args(parse(inputs, config))
}

/// What messages about the calls on one exclusion name.
fn subject(arn: &str) -> String {
    format!("the pull-time update exclusion of {arn}")
}

/// The claim of one principal: one resource per principal, account and region.
fn claim_of(arn: &str) -> Claim {
    Claim { property: PRINCIPAL_ARN, setting: subject(arn) }
}

/// Every principal registered: ListPullTimeUpdateExclusions, every page.
/// `arn` is the principal messages name.
async fn registered(ctx: &Ctx<'_>, arn: &str) -> Result<Vec<String>> {
    let action = "ecr:ListPullTimeUpdateExclusions";
    let mut all = Vec::new();
    // The SDK has no paginator for this operation (botocore's model gives it
    // none), so the pages are followed by their token here.
    let mut token: Option<String> = None;
    loop {
        let req = ctx.client.list_pull_time_update_exclusions().set_next_token(token.clone());
        let resp = ctx
            .read(action, Subject::Registry, req.send())
            .await?
            .map_err(|e| with_principal(aws(ctx, action, Subject::Registry, &e), arn))?;
        all.extend(resp.pull_time_update_exclusions().iter().cloned());
        match resp.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(all),
        }
    }
}

/// Reports the principals registered beside ours that no resource of this
/// provider declares: kept as they are, never deregistered by this one.
async fn report_others(ctx: &Ctx<'_>, ours: &str, all: &[String]) {
    let region = ctx.region();
    let others: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|p| *p != ours && ctx.claims.other_owner(region, &subject(p), ctx.urn).is_none())
        .collect();
    if others.is_empty() || ctx.urn.is_empty() {
        return;
    }
    let shown: Vec<&str> = others.iter().take(5).copied().collect();
    let more =
        if others.len() > shown.len() { format!(" and {} more", others.len() - shown.len()) } else { String::new() };
    ctx.log
        .info(
            ctx.urn,
            format!(
                "{} other pull-time update exclusion(s) in this registry, not declared by this resource, are kept as they are: {}{more}",
                others.len(),
                shown.join(", ")
            ),
        )
        .await;
}

/// A register ECR answers with "already exists": ours when an earlier
/// attempt of this very call made it (the SDK retried a register whose reply
/// was lost), taken over with `adopt`, else refused with the import command.
async fn registered_already(ctx: &Ctx<'_>, args: &ExclusionArgs, ambiguous: bool) -> Result<()> {
    let arn = args.principal_arn.as_str();
    if ambiguous {
        log::log(Level::Info, || {
            format!(
                "RegisterPullTimeUpdateExclusion {arn}: the exclusion an earlier attempt of this create made is ours"
            )
        });
    } else if args.adopt {
        ctx.warn(format!(
            "{} was already registered; adopted (adopt: true): this stack now owns it and deregisters it on delete",
            subject(arn)
        ))
        .await;
    } else {
        let e = import_instead(ctx, TOKEN, &subject(arn), arn);
        return Err(ProviderError::new(
            e.code(),
            format!("{}, or set adopt: true to take it over as it is", e.message()),
        ));
    }
    Ok(())
}

/// A register refused because the registry holds ECR's most exclusions.
fn too_many_exclusions(arn: &str) -> ProviderError {
    ProviderError::new(
        Code::FailedPrecondition,
        format!(
            "cannot register {}: the registry already has the {MAX_EXCLUSIONS} pull-time update exclusions ECR allows; deregister one that is no longer needed (ListPullTimeUpdateExclusions shows them) and run pulumi up again",
            subject(arn)
        ),
    )
}

/// An error about the registry's calls made to name the principal too.
fn with_principal(e: ProviderError, arn: &str) -> ProviderError {
    ProviderError::new(e.code(), format!("{}: {}", subject(arn), e.message()))
}

fn outputs(args: &ExclusionArgs, registry_id: &str, created_at: Option<String>, ctx: &Ctx<'_>) -> Map {
    let mut m = args.to_map();
    m.insert(REGISTRY_ID.into(), registry_id.into());
    if let Some(at) = created_at {
        m.insert(CREATED_AT.into(), at.into());
    }
    crate::resource::record_region(ctx, &mut m);
    m
}

/// The PullTimeUpdateExclusion resource.
pub struct PullTimeUpdateExclusionResource;

/// Its entry in [`crate::resources::RESOURCES`].
pub const RESOURCE: ResourceType =
    ResourceType { token: TOKEN, properties: PROPERTIES, handler: &PullTimeUpdateExclusionResource };

#[tonic::async_trait]
impl Resource for PullTimeUpdateExclusionResource {
    fn check(&self, news: &Map, _: &Map, _: &NamingContext, config: &ProviderConfig) -> (Map, Vec<Failure>) {
        let checked = program_inputs(PROPERTIES, news);
        let (_, failures) = parse(&checked, config);
        (checked, redact(failures, news))
    }

    fn diff(&self, olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult {
        let ignoring = Ignoring::new(olds, news, ignore_changes);
        let mut d = diff_inputs(PROPERTIES, olds, &ignoring);
        // Another principal is another exclusion: both can be registered, so
        // the new one is made before the old one goes.
        d.delete_before_replace = false;
        let arn = olds.get(PRINCIPAL_ARN).map(Value::plain);
        let what = subject(arn.as_ref().and_then(Value::as_str).unwrap_or_default());
        crate::resource::follow_region(&mut d, olds, config, &what);
        d
    }

    fn claims(&self, inputs: &Map) -> Vec<Claim> {
        match inputs.get(PRINCIPAL_ARN).map(Value::plain) {
            Some(Value::String(arn)) => vec![claim_of(&arn)],
            _ => Vec::new(),
        }
    }

    async fn create(&self, ctx: &Ctx<'_>, inputs: &Map, preview: bool) -> Result<(String, Map)> {
        if preview {
            let planned = Planned { news: inputs, olds: None, config: ctx.config };
            return Ok((String::new(), preview_outputs_with_secrets(PROPERTIES, &planned)));
        }
        let args = known_args(inputs, ctx.config)?;
        let arn = args.principal_arn.as_str();
        let action = "ecr:RegisterPullTimeUpdateExclusion";
        let ambiguous = AmbiguousAttempts::default();
        let sent = ctx
            .client
            .register_pull_time_update_exclusion()
            .principal_arn(arn)
            .customize()
            .interceptor(ambiguous.clone())
            .send();
        // The registry's account is learnt beside the write (when the
        // configuration does not name it).
        let (written, registry_id) = tokio::join!(ctx.write(action, Subject::Registry, sent), call::registry_id(ctx));
        let created_at = match written? {
            Ok(resp) => resp.created_at().and_then(|t| t.fmt(Format::DateTime).ok()),
            Err(e) if call::is(&e, RegisterPullTimeUpdateExclusionError::is_exclusion_already_exists_exception) => {
                registered_already(ctx, &args, ambiguous.seen()).await?;
                None
            }
            Err(e) if call::is(&e, RegisterPullTimeUpdateExclusionError::is_limit_exceeded_exception) => {
                return Err(too_many_exclusions(arn));
            }
            Err(e) => return Err(with_principal(aws(ctx, action, Subject::Registry, &e), arn)),
        };
        let registry_id = registry_id.map_err(|e| with_principal(e, arn))?;
        let mut props = outputs(&args, &registry_id, created_at, ctx);
        carry_secrets(PROPERTIES, inputs, &mut props);
        Ok((arn.to_string(), props))
    }

    async fn read(&self, ctx: &Ctx<'_>, id: &str, olds: &Map, old_inputs: &Map) -> Result<Option<ReadResult>> {
        let importing = olds.is_empty() && old_inputs.is_empty();
        if importing && let Some(problem) = principal_problem(id, ctx.config.region_in_force()) {
            return Err(ProviderError::invalid(format!("the id of a {TOKEN} is the principal's ARN, which {problem}")));
        }
        let old = |k: &str| olds.get(k).map(Value::plain);
        let old_registry = old(REGISTRY_ID).and_then(|v| v.as_str().map(str::to_string)).filter(|s| !s.is_empty());
        let (all, registry_id) = match old_registry {
            Some(registry_id) => (registered(ctx, id).await?, Ok(registry_id)),
            None => {
                let (all, registry_id) = tokio::join!(registered(ctx, id), call::registry_id(ctx));
                (all?, registry_id)
            }
        };
        if !all.iter().any(|p| p == id) {
            return call::gone(ctx, importing, &subject(id));
        }
        let registry_id = registry_id?;
        report_others(ctx, id, &all).await;
        let adopt = old_inputs.get(ADOPT).or_else(|| olds.get(ADOPT)).map(Value::plain) == Some(Value::Bool(true));
        let args = ExclusionArgs { principal_arn: id.to_string(), adopt };
        let created_at = old(CREATED_AT).and_then(|v| v.as_str().map(str::to_string));
        let mut inputs = args.to_map();
        keep_secret_marks(&mut inputs, olds, old_inputs);
        let mut props = outputs(&args, &registry_id, created_at, ctx);
        carry_secrets(PROPERTIES, &inputs, &mut props);
        Ok(Some(ReadResult { id: id.to_string(), outputs: props, inputs }))
    }

    async fn update(&self, ctx: &Ctx<'_>, olds: &Map, news: &Map, preview: bool) -> Result<Map> {
        // Only adopt changes in place, and it makes no call.
        let mut m = news.clone();
        for k in [REGISTRY_ID, CREATED_AT] {
            if let Some(v) = olds.get(k) {
                m.insert(k.into(), v.clone());
            }
        }
        crate::resource::record_region(ctx, &mut m);
        carry_secrets(PROPERTIES, news, &mut m);
        if !preview {
            known_args(news, ctx.config)?;
        }
        Ok(m)
    }

    async fn delete(&self, ctx: &Ctx<'_>, id: &str, _: &Map) -> Result<()> {
        let req = ctx.client.deregister_pull_time_update_exclusion().principal_arn(id);
        call::delete(
            ctx,
            "ecr:DeregisterPullTimeUpdateExclusion",
            Subject::Registry,
            DeregisterPullTimeUpdateExclusionError::is_exclusion_not_found_exception,
            req.send(),
        )
        .await
        .map_err(|e| with_principal(e, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_follow_the_model() {
        let ok = [
            "arn:aws:iam::123456789012:role/scanner",
            "arn:aws:iam::123456789012:user/ci",
            "arn:aws:iam::123456789012:role/path/to/ci+bot=x,y.z@w-1",
        ];
        for arn in ok {
            assert_eq!(principal_problem(arn, Some("us-east-1")), None, "{arn}");
        }
        let bad = [
            "scanner",
            "arn:aws:iam::123456789012:group/devs",
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:iam:us-east-1:123456789012:role/x",
            "arn:aws:sts::123456789012:assumed-role/x/y",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/a//b",
            "arn:aws:iam::123456789012:role/a b",
            "arn:AWS:iam::123456789012:role/x",
        ];
        for arn in bad {
            assert!(
                principal_problem(arn, None).unwrap().starts_with("must be the ARN of an IAM role or user"),
                "{arn}"
            );
        }
        let long = format!("arn:aws:iam::123456789012:role/{}", "a".repeat(200));
        assert!(principal_problem(&long, None).is_some());
        let p = principal_problem("arn:aws-cn:iam::123456789012:role/x", Some("us-east-1")).unwrap();
        assert!(p.contains("partition aws"), "{p}");
        assert_eq!(principal_problem("arn:aws-cn:iam::123456789012:role/x", Some("cn-north-1")), None);
    }

    #[test]
    fn to_map_round_trips_through_parse() {
        let config = ProviderConfig { region: Some("us-east-1".into()), ..Default::default() };
        for adopt in [true, false] {
            let args = ExclusionArgs { principal_arn: "arn:aws:iam::123456789012:role/scanner".into(), adopt };
            let (back, failures) = parse(&args.to_map(), &config);
            assert!(failures.is_empty(), "{failures:?}");
            assert_eq!(back, Some(args));
        }
    }
}
