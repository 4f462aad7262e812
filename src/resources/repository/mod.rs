//! The `awsecr:index:Repository` resource: its property table, Check, Diff
//! and the AWS calls of Create, Read, Update and Delete.
//!
//! Calls made per operation are the minimum: create = CreateRepository
//! (+ PutLifecyclePolicy when a lifecycle policy is set, + SetRepositoryPolicy
//! when principals are granted access); update = one call per changed
//! setting; read = DescribeRepositories + GetLifecyclePolicy +
//! GetRepositoryPolicy + ListTagsForResource; delete = DeleteRepository;
//! preview = none, but for ECR's lifecycle policy preview when an update
//! changes the lifecycle rules ([`expiry`]).
//!
//! Round trips are the minimum the dependencies allow: a create's follow-ups
//! go out together once CreateRepository has answered (2); a refresh makes
//! its four reads together (1; an import learns the ARN first, 2; a lookup
//! that knows the account, 1: [`lookup`]); an update makes every changed
//! setting's call together (1); delete 1.

pub mod args;
pub mod diff;
pub mod expiry;
pub mod outputs;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecr::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecr::operation::create_repository::CreateRepositoryError;
use aws_sdk_ecr::operation::delete_lifecycle_policy::DeleteLifecyclePolicyError;
use aws_sdk_ecr::operation::delete_repository::DeleteRepositoryError;
use aws_sdk_ecr::operation::delete_repository_policy::DeleteRepositoryPolicyError;
use aws_sdk_ecr::operation::describe_repositories::DescribeRepositoriesError;
use aws_sdk_ecr::operation::get_lifecycle_policy::GetLifecyclePolicyError;
use aws_sdk_ecr::operation::get_repository_policy::GetRepositoryPolicyError;
use aws_sdk_ecr::operation::set_repository_policy::SetRepositoryPolicyError;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability,
    ImageTagMutabilityExclusionFilter, ImageTagMutabilityExclusionFilterType, Repository as EcrRepository, Tag,
};
use tokio::time::Instant;
use tonic::Code;

use self::args::{Encryption, RepositoryArgs};
use self::outputs::{Policies, Remote, carry_secrets, lifecycle_text, outputs, preview_outputs};
use crate::call::{self, AmbiguousAttempts, Ctx, Failed, Kind, aws, maybe};
use crate::config::ProviderConfig;
use crate::error::Subject;
use crate::error::{ProviderError, Result};
use crate::log::{self, Level};
use crate::names::*;
use crate::naming::NamingContext;
use crate::partition;
use crate::policy::access::{Access, same_repository_policy};
use crate::policy::access::{pull_policy_document, push_policy_document};
use crate::policy::lifecycle::{LifecyclePolicy, same_policy};
use crate::property::{Map, Value};
use crate::repository_settings::{
    LIFECYCLE_INPUTS, MUTABILITY_INPUTS, POLICY_INPUTS, lambda_value, string_map, strings,
};
use crate::resource::{
    Compare, DefaultValue, DiffResult, Preview, Property, ReadResult, Resource, ResourceType, inputs_of,
};
use crate::validate::Failure;

pub const TOKEN: &str = "awsecr:index:Repository";

/// Every property of the Repository, each defined once: how it is checked
/// by default, replaced, kept secret, compared ([`diff`]), written from
/// [`RepositoryArgs`] (`get`, from which [`RepositoryArgs::to_map`] is
/// derived) and shown at preview ([`outputs`]).
pub const PROPERTIES: &[Property] = &[
    Property::input(REPOSITORY_NAME).replaces().get(|x| Some(of(x)?.repository_name.clone().into())),
    Property::input(IMMUTABLE_TAGS).default(DefaultValue::Bool(true)).get(|x| Some(of(x)?.immutable_tags.into())),
    Property::input(MUTABLE_TAG_EXCLUSIONS).compare(Compare::Set).get(|x| {
        let a = of(x)?;
        strings(&a.tag_exclusions).filter(|_| a.immutable_tags)
    }),
    Property::input(IMMUTABLE_TAG_EXCLUSIONS).compare(Compare::Set).get(|x| {
        let a = of(x)?;
        strings(&a.tag_exclusions).filter(|_| !a.immutable_tags)
    }),
    Property::input(SCAN_ON_PUSH).default(DefaultValue::Bool(true)).get(|x| Some(of(x)?.scan_on_push.into())),
    Property::input(ENCRYPTION_TYPE)
        .default(DefaultValue::Str("AES256"))
        .replaces()
        .get(|x| Some(of(x)?.encryption_type.as_str().into())),
    Property::input(KMS_KEY).replaces().get(|x| of(x)?.kms_key.clone().map(Value::from)),
    Property::input(LIFECYCLE_POLICY)
        .compare(Compare::Semantic(diff::same_lifecycle_fields))
        .get(|x| of(x)?.lifecycle_policy.as_ref().map(LifecyclePolicy::to_value)),
    Property::input(LIFECYCLE_POLICY_DOCUMENT)
        .compare(Compare::Semantic(diff::same_lifecycle_document))
        .get(|x| of(x)?.lifecycle_document.clone().map(Value::from)),
    Property::input(REPOSITORY_POLICY_DOCUMENT)
        .compare(Compare::Semantic(diff::same_policy_document))
        .get(|x| of(x)?.policy_document.clone().map(Value::from)),
    // How Pulumi deletes the repository, not a fact of ECR: lookups leave it out.
    Property::input(FORCE_DELETE)
        .default(DefaultValue::Bool(false))
        .not_in_lookup()
        .get(|x| Some(of(x)?.force_delete.into())),
    Property::input(TAGS).compare(Compare::StringMap).get(|x| string_map(&of(x)?.tags)),
    Property::input(PULL_PRINCIPALS).compare(Compare::Semantic(diff::same_pull)).get(|x| strings(&of(x)?.access.pull)),
    Property::input(PUSH_PRINCIPALS).compare(Compare::Semantic(diff::same_push)).get(|x| strings(&of(x)?.access.push)),
    Property::input(PULL_ORGANIZATIONS)
        .compare(Compare::Semantic(diff::same_organizations))
        .get(|x| strings(&of(x)?.access.organizations)),
    Property::input(PULL_ORGANIZATION_PATHS)
        .compare(Compare::Semantic(diff::same_organization_paths))
        .get(|x| strings(&of(x)?.access.organization_paths)),
    Property::input(LAMBDA_PULL).compare(Compare::Semantic(diff::same_lambda)).get(|x| lambda_value(&of(x)?.access)),
    Property::output(ARN, &[REPOSITORY_NAME]).preview(Preview::Kept).get(|x| Some(w(x)?.remote.arn.clone().into())),
    Property::output(REGISTRY_ID, &[]).preview(Preview::Kept).get(|x| Some(w(x)?.remote.registry_id.clone().into())),
    Property::output(REPOSITORY_URL, &[REPOSITORY_NAME])
        .preview(Preview::Kept)
        .get(|x| Some(w(x)?.remote.repository_url.clone().into())),
    Property::output(TAGS_ALL, &[TAGS])
        .preview(Preview::Derived(outputs::preview_tags_all))
        .get(|x| Some(w(x)?.tags_all.clone())),
    Property::output(LIFECYCLE_POLICY_TEXT, LIFECYCLE_INPUTS)
        .preview(Preview::Derived(outputs::preview_lifecycle_text))
        .get(|x| w(x)?.policies.lifecycle.clone().map(Value::from)),
    Property::output(IMAGE_TAG_MUTABILITY, MUTABILITY_INPUTS)
        .preview(Preview::Derived(outputs::preview_mutability))
        .get(|x| Some(w(x)?.mutability.into())),
    Property::output(REPOSITORY_POLICY_TEXT, POLICY_INPUTS)
        .preview(Preview::Derived(outputs::preview_policy_text))
        .get(|x| w(x)?.policies.repository.clone().map(Value::from)),
    Property::output(PULL_POLICY_DOCUMENT, &[REPOSITORY_NAME])
        .preview(Preview::Derived(|p| outputs::preview_document(p, pull_policy_document)))
        .get(|x| Some(pull_policy_document(&w(x)?.remote.arn).into())),
    Property::output(PUSH_POLICY_DOCUMENT, &[REPOSITORY_NAME])
        .preview(Preview::Derived(|p| outputs::preview_document(p, push_policy_document)))
        .get(|x| Some(push_policy_document(&w(x)?.remote.arn).into())),
    // Reserved tags are known only from a read.
    Property::output(AWS_TAGS, &[]).preview(Preview::Absent),
];

/// The Repository's typed arguments, for the getters of its inputs.
fn of(x: &dyn std::any::Any) -> Option<&RepositoryArgs> {
    crate::resource::args_of(x)
}

/// What the Repository's outputs are written from, for their getters.
fn w(x: &dyn std::any::Any) -> Option<&outputs::Written> {
    crate::resource::args_of(x)
}

/// The Repository resource.
pub struct RepositoryResource;

/// Its entry in [`crate::resources::RESOURCES`].
pub const RESOURCE: ResourceType = ResourceType { token: TOKEN, properties: PROPERTIES, handler: &RepositoryResource };

#[tonic::async_trait]
impl Resource for RepositoryResource {
    fn check(&self, news: &Map, olds: &Map, naming: &NamingContext, config: &ProviderConfig) -> (Map, Vec<Failure>) {
        args::check(news, olds, naming, config)
    }

    fn diff(&self, olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult {
        diff::diff(olds, news, ignore_changes, config)
    }

    async fn create(&self, ctx: &Ctx<'_>, inputs: &Map, preview: bool) -> Result<(String, Map)> {
        create(ctx, inputs, preview).await
    }

    async fn read(&self, ctx: &Ctx<'_>, id: &str, olds: &Map, old_inputs: &Map) -> Result<Option<ReadResult>> {
        read(ctx, id, olds, old_inputs).await
    }

    async fn update(&self, ctx: &Ctx<'_>, olds: &Map, news: &Map, preview: bool) -> Result<Map> {
        update(ctx, olds, news, preview).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, id: &str, olds: &Map) -> Result<()> {
        delete(ctx, id, olds).await
    }
}

fn known_args(inputs: &Map, config: &ProviderConfig) -> Result<RepositoryArgs> {
    crate::resource::known_args(args::parse(inputs, config))
}

// ---------------------------------------------------------------- create

/// Creates the repository; `preview` makes no AWS call.
pub async fn create(ctx: &Ctx<'_>, inputs: &Map, preview: bool) -> Result<(String, Map)> {
    if preview {
        return Ok((String::new(), preview_outputs(inputs, ctx.config, None)));
    }
    let args = known_args(inputs, ctx.config)?;
    let name = args.repository_name.as_str();
    let req = create_request(ctx, &args)?;
    let action = "ecr:CreateRepository";
    let started = std::time::SystemTime::now();
    let ambiguous = AmbiguousAttempts::default();
    let created = match ctx
        .write(action, Subject::Repository(name), req.customize().interceptor(ambiguous.clone()).send())
        .await?
    {
        Ok(resp) => resp.repository().cloned(),
        // The SDK retries a create whose reply was lost (a 500 or a dropped
        // connection after ECR had made the repository); the retry then finds
        // the repository. If an earlier attempt of this very call may have
        // reached ECR, and the repository is the one it asked for, made during
        // this operation, it is ours: carry on instead of orphaning it.
        Err(e) if call::is(&e, CreateRepositoryError::is_repository_already_exists_exception) && ambiguous.seen() => {
            match earlier_attempt(ctx, &args, started).await? {
                Some(repo) => Some(repo),
                None => return Err(aws(ctx, action, Subject::Repository(name), &e)),
            }
        }
        Err(e) => return Err(aws(ctx, action, Subject::Repository(name), &e)),
    };
    let remote = created.as_ref().map(remote_of).ok_or_else(|| {
        ProviderError::new(
            Code::Unavailable,
            format!("ECR created repository \"{name}\" but did not describe it; run `pulumi refresh`"),
        )
    })?;

    // The repository exists from here on. Its follow-up settings are made
    // at once (one round trip whatever their number); a failure records the
    // repository (so nothing is orphaned) with exactly the settings that
    // were applied, and the next `pulumi up` finishes.
    let (applied, failed) = follow_ups(ctx, &args, &remote).await;
    let mut props = outputs(&args, &remote, ctx.config, applied);
    carry_secrets(inputs, ctx.config, &mut props);
    if let Some((reason, code)) = failed.reason() {
        return Err(ProviderError::InitFailed {
            id: name.to_string(),
            properties: props,
            inputs: inputs.clone(),
            reason: format!("created repository \"{name}\" but could not apply its {reason}"),
            code,
        });
    }
    Ok((name.to_string(), props))
}

/// The CreateRepository call for `args`, with the provider's tags.
fn create_request(
    ctx: &Ctx<'_>,
    args: &RepositoryArgs,
) -> Result<aws_sdk_ecr::operation::create_repository::builders::CreateRepositoryFluentBuilder> {
    let tags = to_tags(&ctx.config.effective_tags(&args.tags))?;
    let encryption = call::built(
        "encryption configuration",
        EncryptionConfiguration::builder()
            .encryption_type(EncryptionType::from(args.encryption_type.as_str()))
            .set_kms_key(args.kms_key.clone())
            .build(),
    )?;
    Ok(ctx
        .client
        .create_repository()
        .repository_name(args.repository_name.as_str())
        .set_tags(if tags.is_empty() { None } else { Some(tags) })
        .image_tag_mutability(ImageTagMutability::from(args.image_tag_mutability()))
        .set_image_tag_mutability_exclusion_filters(exclusion_filters(&args.tag_exclusions)?)
        .image_scanning_configuration(ImageScanningConfiguration::builder().scan_on_push(args.scan_on_push).build())
        .encryption_configuration(encryption))
}

/// A new repository's lifecycle and repository policies, put at once:
/// what was applied, and what failed.
async fn follow_ups(ctx: &Ctx<'_>, args: &RepositoryArgs, remote: &Remote) -> (Policies, Failed) {
    let name = args.repository_name.as_str();
    let lifecycle = args.lifecycle_text();
    let policy = args.repository_policy_text(partition::of_arn(&remote.arn));
    let (lifecycle_result, policy_result) = tokio::join!(
        maybe(lifecycle.as_deref().map(|text| put_lifecycle(ctx, name, text))),
        maybe(policy.as_deref().map(|text| set_repository_policy(ctx, name, text))),
    );
    let mut applied = Policies::default();
    let mut failed = Failed::default();
    match lifecycle_result {
        Some(Err(e)) => failed.add("lifecycle policy", e),
        Some(Ok(())) => applied.lifecycle = lifecycle,
        None => {}
    }
    match policy_result {
        Some(Err(e)) => failed.add("repository policy (the access fields)", e),
        Some(Ok(())) => applied.repository = policy,
        None => {}
    }
    (applied, failed)
}

/// How long ago, at most, a repository found by a retried create may have
/// been made for it to count as this create's own (clock skew included).
const EARLIER_ATTEMPT_WINDOW: std::time::Duration = std::time::Duration::from_secs(120);

/// The repository a lost-reply create already made, if the one that exists
/// under the name is it: created since this operation started (within
/// [`EARLIER_ATTEMPT_WINDOW`]) with exactly the settings and tags it asked for.
async fn earlier_attempt(
    ctx: &Ctx<'_>,
    args: &RepositoryArgs,
    started: std::time::SystemTime,
) -> Result<Option<EcrRepository>> {
    let name = args.repository_name.as_str();
    let action = "ecr:DescribeRepositories";
    let resp = ctx
        .read(action, Subject::Repository(name), ctx.client.describe_repositories().repository_names(name).send())
        .await?;
    let Some(repo) = resp.ok().and_then(|r| r.repositories().first().cloned()) else { return Ok(None) };
    let since = started.checked_sub(EARLIER_ATTEMPT_WINDOW).unwrap_or(std::time::UNIX_EPOCH);
    let created_at = repo.created_at().and_then(|t| std::time::SystemTime::try_from(*t).ok());
    let (immutable, exclusions) = mutability_of(&repo);
    let same_settings = created_at.is_some_and(|t| t >= since)
        && immutable == args.immutable_tags
        && exclusions.iter().collect::<BTreeSet<_>>() == args.tag_exclusions.iter().collect()
        && repo.image_scanning_configuration().is_some_and(|c| c.scan_on_push()) == args.scan_on_push
        && repo.encryption_configuration().map(|e| e.encryption_type().as_str()).unwrap_or("AES256")
            == args.encryption_type.as_str();
    if !same_settings {
        return Ok(None);
    }
    let arn = repo.repository_arn().unwrap_or_default();
    let action = "ecr:ListTagsForResource";
    let tags = match ctx
        .read(action, Subject::Repository(name), ctx.client.list_tags_for_resource().resource_arn(arn).send())
        .await?
    {
        Ok(t) => t.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect::<BTreeMap<_, _>>(),
        Err(_) => return Ok(None),
    };
    let tags: BTreeMap<String, String> = tags.into_iter().filter(|(k, _)| !is_reserved_tag(k)).collect();
    if tags != ctx.config.effective_tags(&args.tags) {
        return Ok(None);
    }
    log::log(Level::Info, || {
        format!("CreateRepository {name}: the repository an earlier attempt of this create made is ours")
    });
    Ok(Some(repo))
}

/// True for an answer of SetRepositoryPolicy that ECR gives when a principal
/// of the policy is not (yet) known to IAM.
fn principal_not_found<R>(e: &SdkError<SetRepositoryPolicyError, R>) -> bool {
    let message = e.message().unwrap_or_default().to_ascii_lowercase();
    call::is(e, SetRepositoryPolicyError::is_invalid_parameter_exception)
        && (message.contains("principal not found") || message.contains("invalid repository policy provided"))
}

/// Sets the repository policy. A policy refused because a principal is not
/// found is retried with backoff for `iamPropagationTimeout` (IAM is
/// eventually consistent: a role created moments ago may not be visible to
/// ECR yet); no retry starts after cancellation.
async fn set_repository_policy(ctx: &Ctx<'_>, name: &str, text: &str) -> Result<()> {
    let action = "ecr:SetRepositoryPolicy";
    let limit = ctx.config.iam_propagation();
    let started = Instant::now();
    let mut wait = std::time::Duration::from_millis(500);
    loop {
        let req = ctx.client.set_repository_policy().repository_name(name).policy_text(text);
        match ctx.write(action, Subject::Repository(name), req.send()).await? {
            Ok(_) => return Ok(()),
            Err(e) if principal_not_found(&e) => {
                let aws_message = e.message().unwrap_or_default().trim_end_matches('.').to_string();
                if started.elapsed() + wait > limit {
                    return Err(principal_still_not_found(name, &aws_message, started.elapsed()));
                }
                log::log(Level::Debug, || {
                    format!("{action} {name}: a principal is not found yet ({aws_message}); retrying in {wait:?}")
                });
                ctx.pause(action, Subject::Repository(name), wait).await?;
                wait = (wait * 2).min(std::time::Duration::from_secs(10));
            }
            Err(e) => return Err(aws(ctx, action, Subject::Repository(name), &e)),
        }
    }
}

/// The error of a repository policy ECR still refused after `retried` of
/// retries because a principal was not found.
fn principal_still_not_found(name: &str, aws_message: &str, retried: std::time::Duration) -> ProviderError {
    ProviderError::new(
        Code::FailedPrecondition,
        format!(
            "ECR refused the repository policy of repository \"{name}\" because a principal was not found ({aws_message}), still after {} seconds of retries: a role or user in pullPrincipals or pushPrincipals may not exist, or, if it was created moments ago, may still be propagating in IAM; check that each exists, then run `pulumi up` again (awsecr:iamPropagationTimeout sets how long to retry)",
            retried.as_secs()
        ),
    )
}

async fn put_lifecycle(ctx: &Ctx<'_>, name: &str, text: &str) -> Result<()> {
    let action = "ecr:PutLifecyclePolicy";
    let req = ctx.client.put_lifecycle_policy().repository_name(name).lifecycle_policy_text(text);
    ctx.send(Kind::Write, action, Subject::Repository(name), req.send()).await?;
    Ok(())
}

// ---------------------------------------------------------------- read

/// Reads the repository for refresh (`old_inputs` given) or import (empty).
/// A repository that is gone is `None` on refresh (the stack drops it); on
/// import, where nothing is known of it yet, it is an error that names the
/// region looked in, the likeliest mistake.
pub async fn read(ctx: &Ctx<'_>, id: &str, old_outputs: &Map, old_inputs: &Map) -> Result<Option<ReadResult>> {
    read_with(ctx, id, old_outputs, old_inputs, None, None).await
}

/// Looks repository `name` up as an import reads it (the outputs, inputs
/// reconstructed), for getRepository. Given the account it is in (the
/// registry id), its ARN is known before any call, so the four reads go out
/// at once: one round trip, as a refresh. Without it, DescribeRepositories
/// first says the ARN: two. A wrong account costs the second round trip,
/// never a wrong answer.
pub async fn lookup(ctx: &Ctx<'_>, name: &str, account: Option<&str>) -> Result<ReadResult> {
    let arn = account.and_then(|account| arn_in(ctx, account, name));
    read_with(ctx, name, &Map::new(), &Map::new(), arn, None).await?.ok_or_else(|| not_found_in_region(ctx, name))
}

/// Looks repository `name` up in the registry of account `registry_id` (the
/// provider's own or another's, e.g. a central registry): every call names
/// it, and the four reads go out at once (one round trip).
pub async fn lookup_in(ctx: &Ctx<'_>, name: &str, registry_id: &str) -> Result<ReadResult> {
    let arn = arn_in(ctx, registry_id, name);
    read_with(ctx, name, &Map::new(), &Map::new(), arn, Some(registry_id))
        .await?
        .ok_or_else(|| not_found_in_registry(ctx, name, registry_id))
}

/// The ARN repository `name` has in `account`'s registry in the region in
/// force, if a region is.
fn arn_in(ctx: &Ctx<'_>, account: &str, name: &str) -> Option<String> {
    let region = ctx.config.region_in_force()?;
    let partition = ctx.partition();
    Some(format!("arn:{partition}:ecr:{region}:{account}:repository/{name}"))
}

async fn read_with(
    ctx: &Ctx<'_>,
    id: &str,
    old_outputs: &Map,
    old_inputs: &Map,
    arn_hint: Option<String>,
    registry: Option<&str>,
) -> Result<Option<ReadResult>> {
    let importing = old_inputs.is_empty() && old_outputs.is_empty();
    // With the repository's ARN in the state (a refresh) or known from its
    // account (a lookup) every read goes out at once: one round trip. An
    // import learns the ARN from DescribeRepositories first: two.
    let known_arn = Remote::from_outputs(old_outputs).map(|r| r.arn).filter(|arn| is_arn_of(ctx, arn, id)).or(arn_hint);
    let (found, policy_text, repository_policy, all_tags) = read_all(ctx, id, registry, known_arn).await?;
    let repo = match found {
        Some(repo) => repo,
        None if importing => {
            return Err(match registry {
                Some(registry_id) => not_found_in_registry(ctx, id, registry_id),
                None => not_found_in_region(ctx, id),
            });
        }
        None => return Ok(None),
    };
    let remote = remote_of(&repo);
    // Tags with the reserved `aws:` prefix belong to AWS services (e.g.
    // CloudFormation): never part of tags or tagsAll, never changed.
    let (aws_tags, actual_tags): (BTreeMap<String, String>, BTreeMap<String, String>) =
        all_tags.into_iter().partition(|(k, _)| is_reserved_tag(k));

    let old = if importing {
        None
    } else {
        args::parse(old_inputs, ctx.config).0.or_else(|| args::parse(&inputs_of(PROPERTIES, old_outputs), ctx.config).0)
    };

    let (immutable, exclusions) = mutability_of(&repo);
    let (encryption, kms_key) = encryption_of(&repo, old.as_ref());
    let (lifecycle_policy, lifecycle_document) = lifecycle_of(ctx, id, old.as_ref(), policy_text.as_deref()).await;
    let (access, policy_document) = access_of(ctx, id, old.as_ref(), repository_policy.as_deref()).await;
    let own = own_tags(ctx, old.as_ref(), &actual_tags);
    let args = RepositoryArgs {
        repository_name: repo.repository_name().unwrap_or(id).to_string(),
        immutable_tags: immutable,
        tag_exclusions: exclusions,
        scan_on_push: repo.image_scanning_configuration().is_some_and(|c| c.scan_on_push()),
        encryption_type: encryption,
        kms_key,
        lifecycle_policy,
        lifecycle_document,
        policy_document,
        force_delete: old.as_ref().is_some_and(|o| o.force_delete),
        tags: own,
        access,
    };
    let mut inputs = args.to_map();
    let mut props =
        outputs(&args, &remote, ctx.config, Policies { lifecycle: policy_text, repository: repository_policy });
    props.insert(TAGS_ALL.into(), Value::Object(actual_tags.into_iter().map(|(k, v)| (k, v.into())).collect()));
    if !aws_tags.is_empty() {
        props.insert(AWS_TAGS.into(), Value::Object(aws_tags.into_iter().map(|(k, v)| (k, v.into())).collect()));
    }
    mark_secrets(ctx, &args, &mut inputs, old_inputs, old_outputs);
    carry_secrets(&inputs, ctx.config, &mut props);
    Ok(Some(ReadResult { id: id.to_string(), outputs: props, inputs }))
}

/// What `read_with` reads: the repository (`None`: gone), its lifecycle
/// policy, its repository policy and all its tags.
type Reads = (Option<EcrRepository>, Option<String>, Option<String>, BTreeMap<String, String>);

/// The four reads of repository `id`: at once when its ARN is known, else
/// DescribeRepositories first (it says the ARN), then the other three at once.
async fn read_all(ctx: &Ctx<'_>, id: &str, registry: Option<&str>, known_arn: Option<String>) -> Result<Reads> {
    Ok(match known_arn {
        Some(arn) => {
            let (found, lifecycle, policy, tags) = tokio::join!(
                describe(ctx, id, registry),
                get_lifecycle(ctx, id, registry),
                get_repository_policy(ctx, id, registry),
                list_tags(ctx, id, &arn)
            );
            // A repository that is gone makes the other reads fail too:
            // what DescribeRepositories says decides. Tags read under another
            // ARN than the repository's (a wrong guess of its account) are
            // read again under its own.
            match found? {
                None => (None, None, None, BTreeMap::new()),
                Some(repo) if repo.repository_arn().is_some_and(|a| a != arn) => {
                    let own = repo.repository_arn().unwrap_or_default().to_string();
                    let tags = list_tags(ctx, id, &own).await?;
                    (Some(repo), lifecycle?, policy?, tags)
                }
                Some(repo) => (Some(repo), lifecycle?, policy?, tags?),
            }
        }
        None => match describe(ctx, id, registry).await? {
            None => (None, None, None, BTreeMap::new()),
            Some(repo) => {
                let arn = repo.repository_arn().unwrap_or_default().to_string();
                let (lifecycle, policy, tags) = tokio::join!(
                    get_lifecycle(ctx, id, registry),
                    get_repository_policy(ctx, id, registry),
                    list_tags(ctx, id, &arn)
                );
                (Some(repo), lifecycle?, policy?, tags?)
            }
        },
    })
}

/// The encryption ECR reports, in the user's spelling of the key while the
/// encryption type (which cannot change in place) is the same.
fn encryption_of(repo: &EcrRepository, old: Option<&RepositoryArgs>) -> (Encryption, Option<String>) {
    let (mut encryption, mut kms_key) = match repo.encryption_configuration() {
        Some(e) => (
            Encryption::parse(e.encryption_type().as_str()).unwrap_or(Encryption::Aes256),
            e.kms_key().map(str::to_string),
        ),
        None => (Encryption::Aes256, None),
    };
    if let Some(old) = old {
        // ECR reports the key's full ARN; keep the user's spelling while the
        // encryption type (which cannot change in place) is the same.
        if old.encryption_type == encryption {
            kms_key = old.kms_key.clone();
            encryption = old.encryption_type;
        }
    }
    if encryption == Encryption::Aes256 {
        kms_key = None;
    }
    (encryption, kms_key)
}

/// The lifecycle policy in the form the resource declared it.
///
/// Policies come back in the form the resource declared them (simple
/// fields, or JSON for what the fields cannot express). Imported (or looked
/// up), a policy the fields cannot express comes back as its JSON, so
/// adopting a repository loses nothing and the next `up` changes nothing.
/// Declared with the fields and then edited by hand beyond them, it stays
/// visible in the ...Text output with a warning, and the next `up` restores
/// it. The repository policy likewise ([`access_of`]).
async fn lifecycle_of(
    ctx: &Ctx<'_>,
    id: &str,
    old: Option<&RepositoryArgs>,
    policy_text: Option<&str>,
) -> (Option<LifecyclePolicy>, Option<String>) {
    match policy_text {
        None => (None, None),
        Some(text) => match (old.filter(|o| o.lifecycle_document.is_some()), LifecyclePolicy::from_json(text)) {
            (Some(o), _) => (None, Some(same_document(o.lifecycle_document.as_deref(), text, same_policy))),
            // Keep the user's spelling (the order inside a rule) while the meaning is the same.
            (None, Some(p)) => match old.and_then(|o| o.lifecycle_policy.as_ref()) {
                Some(declared) if declared.same_as(&p) => (Some(declared.clone()), None),
                _ => (Some(p), None),
            },
            (None, None) if old.is_none() => (None, Some(text.to_string())),
            (None, None) => {
                ctx.warn(format!(
                    "the lifecycle policy of ECR repository \"{id}\" was edited outside Pulumi into rules that lifecyclePolicy cannot express; it is kept as it is in lifecyclePolicyText, and the next `pulumi up` would replace it with the declared policy"
                ))
                .await;
                (old.and_then(|o| o.lifecycle_policy.clone()), None)
            }
        },
    }
}

/// The repository policy in the form the resource declared it: the access
/// fields, or the document (as [`lifecycle_of`]).
async fn access_of(
    ctx: &Ctx<'_>,
    id: &str,
    old: Option<&RepositoryArgs>,
    repository_policy: Option<&str>,
) -> (Access, Option<String>) {
    match repository_policy {
        None => (Access::default(), None),
        Some(text) => match (old.filter(|o| o.policy_document.is_some()), Access::from_policy(text)) {
            (Some(o), _) => {
                (Access::default(), Some(same_document(o.policy_document.as_deref(), text, same_repository_policy)))
            }
            // Keep the user's spelling and order while the meaning is the same.
            (None, Some(found)) => match old {
                Some(o) if o.access.same_as(&found) => (o.access.clone(), None),
                _ => (found, None),
            },
            (None, None) if old.is_none() => (Access::default(), Some(text.to_string())),
            (None, None) => {
                ctx.warn(format!(
                    "the repository policy of ECR repository \"{id}\" was edited outside Pulumi into statements that the access fields (pullPrincipals, pushPrincipals, pullOrganizations, pullOrganizationPaths, lambdaPull) cannot express; it is kept as it is in repositoryPolicyText, and the next `pulumi up` would replace it with the policy the declared access needs (or delete it when none is declared)"
                ))
                .await;
                (old.map(|o| o.access.clone()).unwrap_or_default(), None)
            }
        },
    }
}

/// The resource's own tags among those ECR holds.
fn own_tags(
    ctx: &Ctx<'_>,
    old: Option<&RepositoryArgs>,
    actual_tags: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    // Tags: the provider adds its own; the resource's tags are the rest, plus
    // any of its own keys that happen to equal a provider tag.
    let provider_tags = ctx.config.provider_tags();
    let old_own: BTreeSet<String> = old.map(|o| o.tags.keys().cloned().collect()).unwrap_or_default();
    actual_tags
        .iter()
        .filter(|(k, v)| old_own.contains(*k) || provider_tags.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Secrets stay secret: whatever was secret before is secret now, and tags
/// that hold a secret provider tag's value are secret.
fn mark_secrets(ctx: &Ctx<'_>, args: &RepositoryArgs, inputs: &mut Map, old_inputs: &Map, old_outputs: &Map) {
    let secret_source = if old_inputs.is_empty() { old_outputs } else { old_inputs };
    for (k, v) in inputs.iter_mut() {
        let from_config = k == TAGS && ctx.config.holds_secret_tag(&args.tags);
        if from_config || secret_source.get(k).is_some_and(Value::contains_secret) {
            *v = v.clone().into_secret();
        }
    }
}

/// True when `arn` is the ARN of repository `name` in the provider's region
/// (a state written under another region or name is read afresh).
fn is_arn_of(ctx: &Ctx<'_>, arn: &str, name: &str) -> bool {
    crate::partition::parse_arn(arn).is_some_and(|a| {
        a.service == "ecr"
            && a.resource.strip_prefix("repository/") == Some(name)
            && ctx.config.region_in_force().is_none_or(|r| r == a.region)
    })
}

/// The repository, or `None` when ECR says it does not exist; `registry`
/// names another account's registry than the credentials' (as do the two
/// readers below).
async fn describe(ctx: &Ctx<'_>, id: &str, registry: Option<&str>) -> Result<Option<EcrRepository>> {
    let req = ctx.client.describe_repositories().repository_names(id).set_registry_id(registry.map(str::to_string));
    let gone = DescribeRepositoriesError::is_repository_not_found_exception;
    let found = ctx.read_or_none("ecr:DescribeRepositories", Subject::Repository(id), gone, req.send()).await?;
    Ok(found.and_then(|r| r.repositories().first().cloned()))
}

/// The lifecycle policy text in force, if any.
async fn get_lifecycle(ctx: &Ctx<'_>, id: &str, registry: Option<&str>) -> Result<Option<String>> {
    let req = ctx.client.get_lifecycle_policy().repository_name(id).set_registry_id(registry.map(str::to_string));
    let gone = GetLifecyclePolicyError::is_lifecycle_policy_not_found_exception;
    let found = ctx.read_or_none("ecr:GetLifecyclePolicy", Subject::Repository(id), gone, req.send()).await?;
    Ok(found.and_then(|p| p.lifecycle_policy_text().map(str::to_string)))
}

/// The repository policy text in force, if any.
async fn get_repository_policy(ctx: &Ctx<'_>, id: &str, registry: Option<&str>) -> Result<Option<String>> {
    let req = ctx.client.get_repository_policy().repository_name(id).set_registry_id(registry.map(str::to_string));
    let gone = GetRepositoryPolicyError::is_repository_policy_not_found_exception;
    let found = ctx.read_or_none("ecr:GetRepositoryPolicy", Subject::Repository(id), gone, req.send()).await?;
    Ok(found.and_then(|p| p.policy_text().map(str::to_string)))
}

/// Every tag of the repository, reserved ones included.
async fn list_tags(ctx: &Ctx<'_>, id: &str, arn: &str) -> Result<BTreeMap<String, String>> {
    let req = ctx.client.list_tags_for_resource().resource_arn(arn);
    let t = ctx.send(Kind::Read, "ecr:ListTagsForResource", Subject::Repository(id), req.send()).await?;
    Ok(t.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect())
}

/// The declared JSON while it means the same as the text in force (the
/// user's spelling is kept), else the text in force.
fn same_document(declared: Option<&str>, in_force: &str, same: fn(Option<&str>, Option<&str>) -> bool) -> String {
    match declared {
        Some(d) if same(Some(d), Some(in_force)) => d.to_string(),
        _ => in_force.to_string(),
    }
}

/// NotFound for a lookup naming the registry: the account and region looked
/// in, and what to check.
fn not_found_in_registry(ctx: &Ctx<'_>, name: &str, registry_id: &str) -> ProviderError {
    let region = ctx.config.region_in_force().unwrap_or("the configured region");
    ProviderError::new(
        Code::NotFound,
        format!(
            "ECR repository \"{name}\" does not exist in the registry of account {registry_id} in {region}, or its repository policy does not let the provider's credentials read it; check the name, registryId, and awsecr:region if the repository is in another region"
        ),
    )
}

/// NotFound for a lookup in the provider's own registry: the region looked
/// in, and what to check.
pub fn not_found_in_region(ctx: &Ctx<'_>, name: &str) -> ProviderError {
    let region = ctx.config.region_in_force().unwrap_or("the configured region");
    ProviderError::new(
        Code::NotFound,
        format!(
            "ECR repository \"{name}\" does not exist in {region} (in the account of the provider's credentials); check the name, and awsecr:region if the repository is in another region"
        ),
    )
}

// ---------------------------------------------------------------- update

/// At preview, when the lifecycle rules of an existing repository change to
/// new ones: what they would expire or archive (`expiry`, ECR's lifecycle
/// preview; the only calls a preview makes).
async fn tell_what_expires(ctx: &Ctx<'_>, olds: &Map, news: &Map, remote: Option<&Remote>) {
    let (Some(remote), Some(Some(wanted))) = (remote, lifecycle_text(news)) else { return };
    let applied = olds.get(LIFECYCLE_POLICY_TEXT).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));
    let name = olds.get(REPOSITORY_NAME).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));
    if let Some(name) = name
        && !same_policy(applied.as_deref(), Some(&wanted))
    {
        // A secret repositoryName (or any secret input) is never quoted.
        let mut secrets = crate::validate::secret_strings(olds);
        secrets.extend(crate::validate::secret_strings(news));
        expiry::tell(ctx, &name, Some(&remote.registry_id), &wanted, &secrets).await;
    }
}

/// Applies what changed between the stored outputs and the new inputs, one
/// call per changed setting, all at once (one round trip however many
/// changed); `preview` makes none but the lifecycle preview
/// ([`tell_what_expires`]). When some calls fail, the state returned holds
/// exactly what the others applied, and the next `pulumi up` makes the rest.
pub async fn update(ctx: &Ctx<'_>, olds: &Map, news: &Map, preview: bool) -> Result<Map> {
    let remote = Remote::from_outputs(olds);
    if preview {
        tell_what_expires(ctx, olds, news, remote.as_ref()).await;
        return Ok(preview_outputs(news, ctx.config, remote.as_ref()));
    }
    let args = known_args(news, ctx.config)?;
    let name = args.repository_name.as_str();
    let remote = remote.ok_or_else(|| {
        ProviderError::new(
            Code::FailedPrecondition,
            format!("the state of repository \"{name}\" has no ARN; run `pulumi refresh` first"),
        )
    })?;
    let lifecycle =
        Documents { applied: old_text(olds, LIFECYCLE_POLICY_TEXT), wanted: lifecycle_text(news).flatten() };
    let access = Documents {
        applied: old_text(olds, REPOSITORY_POLICY_TEXT),
        wanted: args.repository_policy_text(partition::of_arn(&remote.arn)),
    };
    let tags = TagChanges::of(ctx, olds, &args);
    let (mutability_result, scanning_result, lifecycle_result, policy_result, untag_result, tag_result) = tokio::join!(
        maybe(mutability_write(ctx, olds, &args)),
        maybe(scanning_write(ctx, olds, &args)),
        maybe(lifecycle_write(ctx, name, &lifecycle)),
        maybe(policy_write(ctx, name, &access)),
        maybe(tags.untag(ctx, name, &remote.arn)),
        maybe(tags.tag(ctx, name, &remote.arn)),
    );
    // What ECR holds now: each setting new where its call succeeded (or none
    // was needed), old where it failed.
    let mut failed = Failed::default();
    let applied = Applied {
        mutability: succeeded(&mut failed, "tag mutability", mutability_result),
        scanning: succeeded(&mut failed, SCAN_ON_PUSH, scanning_result),
        lifecycle: succeeded(&mut failed, "lifecycle policy", lifecycle_result),
        policy: succeeded(&mut failed, "repository policy (the access fields)", policy_result),
        untag: succeeded(&mut failed, "tags (removing)", untag_result),
        tag: succeeded(&mut failed, "tags (adding)", tag_result),
    };
    let Some((reason, code)) = failed.reason() else {
        let policies = Policies { lifecycle: lifecycle.wanted, repository: access.wanted };
        let mut props = outputs(&args, &remote, ctx.config, policies);
        if let Some(aws_tags) = olds.get(AWS_TAGS) {
            props.insert(AWS_TAGS.into(), aws_tags.clone());
        }
        carry_secrets(news, ctx.config, &mut props);
        return Ok(props);
    };
    let failure = ProviderError::new(code, format!("could not update repository \"{name}\"'s {reason}"));
    // A state too old to read back cannot say what was there before: the
    // engine keeps it, and the next `pulumi up` applies every change again.
    let Some(old) = args::parse(&inputs_of(PROPERTIES, olds), ctx.config).0 else { return Err(failure) };
    let mut held = applied.held(&args, &old);
    let all = tags.held(&applied);
    // The resource's own tags: those of the old and new own keys still there.
    held.tags = all
        .iter()
        .filter(|(k, _)| old.tags.contains_key(*k) || args.tags.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let policies = Policies { lifecycle: lifecycle.held(applied.lifecycle), repository: access.held(applied.policy) };
    let mut props = outputs(&held, &remote, ctx.config, policies);
    props.insert(TAGS_ALL.into(), Value::Object(all.into_iter().map(|(k, v)| (k, v.into())).collect()));
    if let Some(aws_tags) = olds.get(AWS_TAGS) {
        props.insert(AWS_TAGS.into(), aws_tags.clone());
    }
    carry_secrets(news, ctx.config, &mut props);
    Err(ProviderError::InitFailed {
        id: name.to_string(),
        properties: props,
        inputs: news.clone(),
        reason: failure.message().to_string(),
        code,
    })
}

/// The plain value of output `k` of the stored state, `None` when null.
fn old_plain(olds: &Map, k: &str) -> Option<Value> {
    olds.get(k).map(Value::plain).filter(|v| *v != Value::Null)
}

/// The string output `k` of the stored state.
fn old_text(olds: &Map, k: &str) -> Option<String> {
    old_plain(olds, k).and_then(|v| v.as_str().map(str::to_string))
}

/// False (and the failure recorded as `what`) when a call was made and failed.
fn succeeded(failed: &mut Failed, what: &'static str, result: Option<Result<()>>) -> bool {
    match result {
        Some(Err(e)) => {
            failed.add(what, e);
            false
        }
        _ => true,
    }
}

/// Which of `update`'s calls succeeded (or were not needed).
struct Applied {
    mutability: bool,
    scanning: bool,
    lifecycle: bool,
    policy: bool,
    untag: bool,
    tag: bool,
}

impl Applied {
    /// The settings ECR holds: `new`'s where applied, `old`'s where not
    /// (tags apart: [`TagChanges::held`]).
    fn held(&self, new: &RepositoryArgs, old: &RepositoryArgs) -> RepositoryArgs {
        let mut held = new.clone();
        if !self.mutability {
            held.immutable_tags = old.immutable_tags;
            held.tag_exclusions = old.tag_exclusions.clone();
        }
        if !self.scanning {
            held.scan_on_push = old.scan_on_push;
        }
        if !self.lifecycle {
            held.lifecycle_policy = old.lifecycle_policy.clone();
            held.lifecycle_document = old.lifecycle_document.clone();
        }
        if !self.policy {
            held.access = old.access.clone();
            held.policy_document = old.policy_document.clone();
        }
        held
    }
}

/// Tag mutability and its exclusions: PutImageTagMutability when either changed.
fn mutability_write<'a>(
    ctx: &'a Ctx<'a>,
    olds: &Map,
    args: &'a RepositoryArgs,
) -> Option<impl Future<Output = Result<()>> + 'a> {
    let old_immutable =
        old_plain(olds, IMMUTABLE_TAGS).and_then(|v| if let Value::Bool(b) = v { Some(b) } else { None });
    let old_exclusions: BTreeSet<String> =
        match old_plain(olds, MUTABLE_TAG_EXCLUSIONS).or(old_plain(olds, IMMUTABLE_TAG_EXCLUSIONS)) {
            Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => BTreeSet::new(),
        };
    let new_exclusions: BTreeSet<String> = args.tag_exclusions.iter().cloned().collect();
    let name = args.repository_name.as_str();
    (old_immutable != Some(args.immutable_tags) || old_exclusions != new_exclusions).then_some(async move {
        let action = "ecr:PutImageTagMutability";
        let req = ctx
            .client
            .put_image_tag_mutability()
            .repository_name(name)
            .image_tag_mutability(ImageTagMutability::from(args.image_tag_mutability()))
            .set_image_tag_mutability_exclusion_filters(exclusion_filters(&args.tag_exclusions)?);
        ctx.send(Kind::Write, action, Subject::Repository(name), req.send()).await.map(drop)
    })
}

/// Scan on push: PutImageScanningConfiguration when it changed.
fn scanning_write<'a>(
    ctx: &'a Ctx<'a>,
    olds: &Map,
    args: &'a RepositoryArgs,
) -> Option<impl Future<Output = Result<()>> + 'a> {
    let name = args.repository_name.as_str();
    (old_plain(olds, SCAN_ON_PUSH) != Some(Value::Bool(args.scan_on_push))).then_some(async move {
        let action = "ecr:PutImageScanningConfiguration";
        let req = ctx.client.put_image_scanning_configuration().repository_name(name).image_scanning_configuration(
            ImageScanningConfiguration::builder().scan_on_push(args.scan_on_push).build(),
        );
        ctx.send(Kind::Write, action, Subject::Repository(name), req.send()).await.map(drop)
    })
}

/// A policy document of the repository: the one ECR held (the state's
/// `...Text` output) and the one wanted (`None`: none).
struct Documents {
    applied: Option<String>,
    wanted: Option<String>,
}

impl Documents {
    /// The document ECR holds after the write: the wanted one when it was
    /// applied, else the one held before.
    fn held(self, applied: bool) -> Option<String> {
        if applied { self.wanted } else { self.applied }
    }
}

/// The lifecycle policy: put, or deleted when none is wanted, when the
/// wanted one differs in meaning from the one held.
fn lifecycle_write<'a>(
    ctx: &'a Ctx<'a>,
    name: &'a str,
    lifecycle: &'a Documents,
) -> Option<impl Future<Output = Result<()>> + 'a> {
    (!same_policy(lifecycle.applied.as_deref(), lifecycle.wanted.as_deref())).then_some(async move {
        match &lifecycle.wanted {
            Some(text) => put_lifecycle(ctx, name, text).await,
            None => {
                let req = ctx.client.delete_lifecycle_policy().repository_name(name);
                call::delete(
                    ctx,
                    "ecr:DeleteLifecyclePolicy",
                    Subject::Repository(name),
                    DeleteLifecyclePolicyError::is_lifecycle_policy_not_found_exception,
                    req.send(),
                )
                .await
            }
        }
    })
}

/// The repository policy (the access fields): set, or deleted when none is
/// wanted, when the wanted one differs in meaning from the one held.
fn policy_write<'a>(
    ctx: &'a Ctx<'a>,
    name: &'a str,
    access: &'a Documents,
) -> Option<impl Future<Output = Result<()>> + 'a> {
    (!same_repository_policy(access.applied.as_deref(), access.wanted.as_deref())).then_some(async move {
        match &access.wanted {
            Some(text) => set_repository_policy(ctx, name, text).await,
            None => {
                let req = ctx.client.delete_repository_policy().repository_name(name);
                call::delete(
                    ctx,
                    "ecr:DeleteRepositoryPolicy",
                    Subject::Repository(name),
                    DeleteRepositoryPolicyError::is_repository_policy_not_found_exception,
                    req.send(),
                )
                .await
            }
        }
    })
}

/// The tags: those the state holds (`tagsAll`), which to set and which to
/// remove.
struct TagChanges {
    old_all: BTreeMap<String, String>,
    to_set: BTreeMap<String, String>,
    to_remove: Vec<String>,
}

impl TagChanges {
    fn of(ctx: &Ctx<'_>, olds: &Map, args: &RepositoryArgs) -> TagChanges {
        // Reserved `aws:` tags (in states read before they were kept apart) are
        // never removed: they are not ours.
        let old_all: BTreeMap<String, String> = match old_plain(olds, TAGS_ALL) {
            Some(Value::Object(m)) => m
                .iter()
                .filter(|(k, _)| !is_reserved_tag(k))
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
            _ => BTreeMap::new(),
        };
        let new_all = ctx.config.effective_tags(&args.tags);
        let to_set: BTreeMap<String, String> =
            new_all.iter().filter(|(k, v)| old_all.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let to_remove: Vec<String> = old_all.keys().filter(|k| !new_all.contains_key(*k)).cloned().collect();
        TagChanges { old_all, to_set, to_remove }
    }

    /// UntagResource of the tags no longer wanted, if any.
    fn untag<'a>(
        &'a self,
        ctx: &'a Ctx<'a>,
        name: &'a str,
        arn: &'a str,
    ) -> Option<impl Future<Output = Result<()>> + 'a> {
        (!self.to_remove.is_empty()).then_some(async move {
            let action = "ecr:UntagResource";
            let req = ctx.client.untag_resource().resource_arn(arn).set_tag_keys(Some(self.to_remove.clone()));
            ctx.send(Kind::Write, action, Subject::Repository(name), req.send()).await.map(drop)
        })
    }

    /// TagResource of the tags new or changed, if any.
    fn tag<'a>(
        &'a self,
        ctx: &'a Ctx<'a>,
        name: &'a str,
        arn: &'a str,
    ) -> Option<impl Future<Output = Result<()>> + 'a> {
        (!self.to_set.is_empty()).then_some(async move {
            let action = "ecr:TagResource";
            let req = ctx.client.tag_resource().resource_arn(arn).set_tags(Some(to_tags(&self.to_set)?));
            ctx.send(Kind::Write, action, Subject::Repository(name), req.send()).await.map(drop)
        })
    }

    /// Every tag ECR holds after the calls: the old ones, less those
    /// removed, plus those set, as far as each call succeeded.
    fn held(&self, applied: &Applied) -> BTreeMap<String, String> {
        let mut all = self.old_all.clone();
        if applied.untag {
            all.retain(|k, _| !self.to_remove.contains(k));
        }
        if applied.tag {
            all.extend(self.to_set.clone());
        }
        all
    }
}

// ---------------------------------------------------------------- delete

/// Deletes the repository. Images go with it only when forceDelete is true;
/// a repository that is already gone counts as deleted.
pub async fn delete(ctx: &Ctx<'_>, id: &str, olds: &Map) -> Result<()> {
    let force = matches!(olds.get(FORCE_DELETE).map(Value::plain), Some(Value::Bool(true)));
    let action = "ecr:DeleteRepository";
    // The registry the state names: after a move of the provider to another
    // account, the old repository is deleted there (or the call is refused),
    // never a namesake in the new account.
    let registry = olds.get(REGISTRY_ID).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));
    let req = ctx
        .client
        .delete_repository()
        .repository_name(id)
        .set_registry_id(registry.filter(|r| !r.is_empty()))
        .force(force);
    call::delete(
        ctx,
        action,
        Subject::Repository(id),
        DeleteRepositoryError::is_repository_not_found_exception,
        req.send(),
    )
    .await
}

// ---------------------------------------------------------------- helpers

fn remote_of(repo: &EcrRepository) -> Remote {
    Remote {
        arn: repo.repository_arn().unwrap_or_default().to_string(),
        registry_id: repo.registry_id().unwrap_or_default().to_string(),
        repository_url: repo.repository_uri().unwrap_or_default().to_string(),
    }
}

fn mutability_of(repo: &EcrRepository) -> (bool, Vec<String>) {
    let immutable = matches!(
        repo.image_tag_mutability(),
        Some(ImageTagMutability::Immutable | ImageTagMutability::ImmutableWithExclusion)
    );
    let exclusions = repo.image_tag_mutability_exclusion_filters().iter().map(|f| f.filter().to_string()).collect();
    (immutable, exclusions)
}

/// Tags with the reserved `aws:` prefix, which only AWS services set.
pub use crate::resource::is_reserved_tag;

/// ECR's tags for `tags` (shared with the RepositoryTemplate's resource tags).
pub fn to_tags(tags: &BTreeMap<String, String>) -> Result<Vec<Tag>> {
    tags.iter().map(|(k, v)| call::built("tag", Tag::builder().key(k).value(v).build())).collect()
}

/// ECR's wildcard exclusion filters for `filters`; `None` when there are
/// none (shared with the RepositoryTemplate).
pub fn exclusion_filters(filters: &[String]) -> Result<Option<Vec<ImageTagMutabilityExclusionFilter>>> {
    if filters.is_empty() {
        return Ok(None);
    }
    let filter = |f: &String| {
        call::built(
            "tag mutability exclusion filter",
            ImageTagMutabilityExclusionFilter::builder()
                .filter_type(ImageTagMutabilityExclusionFilterType::Wildcard)
                .filter(f)
                .build(),
        )
    };
    filters.iter().map(filter).collect::<Result<Vec<_>>>().map(Some)
}
