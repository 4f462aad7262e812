//! The `awsecr:index:RepositoryTemplate` resource: a repository creation
//! template, the settings ECR gives the repositories it creates by itself
//! (through a pull-through cache rule, replication, or a push to a name that
//! does not exist yet). Its fields and defaults are the Repository's own,
//! read by the same readers ([`crate::repository_settings`]) and turned into ECR's
//! documents by the same generators ([`crate::policy`]); as for a
//! Repository, each policy may instead be given as its raw JSON (exclusive
//! with the typed fields), and a template whose policies the typed fields
//! cannot express imports into that JSON, so adopting one loses nothing.
//!
//! Calls: create CreateRepositoryCreationTemplate; read
//! DescribeRepositoryCreationTemplates; update UpdateRepositoryCreationTemplate
//! (the whole template, every setting in place); delete
//! DeleteRepositoryCreationTemplate; preview none.

use std::collections::BTreeMap;

use aws_sdk_ecr::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecr::operation::create_repository_creation_template::CreateRepositoryCreationTemplateError;
use aws_sdk_ecr::operation::delete_repository_creation_template::DeleteRepositoryCreationTemplateError;
use aws_sdk_ecr::operation::describe_repository_creation_templates::DescribeRepositoryCreationTemplatesError;
use aws_sdk_ecr::types::{
    EncryptionConfigurationForRepositoryCreationTemplate, EncryptionType, ImageTagMutability, RctAppliedFor,
    RepositoryCreationTemplate,
};
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
use crate::policy::access::{Access, same_repository_policy};
use crate::policy::lifecycle::{self, LifecyclePolicy, same_policy};
use crate::policy::{Declared, read_back};
use crate::property::{Map, Value};
use crate::repository_settings::{
    Encryption, LIFECYCLE_INPUTS, MUTABILITY_INPUTS, POLICY_INPUTS, encryption, lambda_value, mutability_mode,
    principals, string_map, strings, tag_exclusions, tags,
};
use crate::resource::{
    Compare, DefaultValue, DiffKind, DiffResult, Ignoring, Planned, Preview, Property, ReadResult, Resource,
    ResourceType, Sides, carry_secrets, diff_inputs, import_instead, input_reader, inputs_of, keep_secret_marks,
    preview_region, program_inputs,
};
use crate::resources::pull_through_cache_rule::{made_since, read_prefix, read_role_arn};
use crate::resources::repository::args::{PolicyKind, policy_document};
use crate::resources::repository::diff::{same_lifecycle_document, same_policy_document};
use crate::resources::repository::{exclusion_filters, to_tags};
use crate::validate::{Failure, Field, Reader, redact, stringify_values};

pub const TOKEN: &str = "awsecr:index:RepositoryTemplate";

/// What a template applies to, ECR's names.
pub const APPLIED_FOR_VALUES: &[&str] = &["PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH"];

/// Every property of the template, each defined once: as the Repository's
/// table, how it is compared, written from [`TemplateArgs`] and shown at
/// preview.
pub const PROPERTIES: &[Property] = &[
    Property::input(PREFIX).replaces().get(|x| Some(of(x)?.prefix.clone().into())),
    Property::input(APPLIED_FOR)
        .default(DefaultValue::StrList(&["PULL_THROUGH_CACHE", "REPLICATION"]))
        .compare(LIST)
        .get(|x| Some(list_value(&of(x)?.applied_for))),
    Property::input(DESCRIPTION).get(|x| of(x)?.description.clone().map(Value::from)),
    Property::input(IMMUTABLE_TAGS).default(DefaultValue::Bool(true)).get(|x| Some(of(x)?.immutable_tags.into())),
    Property::input(MUTABLE_TAG_EXCLUSIONS).compare(LIST).get(|x| {
        let a = of(x)?;
        strings(&a.tag_exclusions).filter(|_| a.immutable_tags)
    }),
    Property::input(IMMUTABLE_TAG_EXCLUSIONS).compare(LIST).get(|x| {
        let a = of(x)?;
        strings(&a.tag_exclusions).filter(|_| !a.immutable_tags)
    }),
    Property::input(ENCRYPTION_TYPE)
        .default(DefaultValue::Str("AES256"))
        .get(|x| Some(of(x)?.encryption_type.as_str().into())),
    Property::input(KMS_KEY).get(|x| of(x)?.kms_key.clone().map(Value::from)),
    Property::input(LIFECYCLE_POLICY)
        .compare(Compare::Semantic(same_lifecycle))
        .get(|x| of(x)?.lifecycle_policy.as_ref().map(LifecyclePolicy::to_value)),
    Property::input(LIFECYCLE_POLICY_DOCUMENT)
        .compare(Compare::Semantic(same_lifecycle_document))
        .get(|x| of(x)?.lifecycle_document.clone().map(Value::from)),
    Property::input(PULL_PRINCIPALS).compare(LIST).get(|x| strings(&of(x)?.access.pull)),
    Property::input(PUSH_PRINCIPALS).compare(LIST).get(|x| strings(&of(x)?.access.push)),
    Property::input(REPOSITORY_POLICY_DOCUMENT)
        .compare(Compare::Semantic(same_policy_document))
        .get(|x| of(x)?.policy_document.clone().map(Value::from)),
    Property::input(PULL_ORGANIZATIONS).compare(LIST).get(|x| strings(&of(x)?.access.organizations)),
    Property::input(PULL_ORGANIZATION_PATHS).compare(LIST).get(|x| strings(&of(x)?.access.organization_paths)),
    Property::input(LAMBDA_PULL).compare(Compare::Semantic(same_lambda)).get(|x| lambda_value(&of(x)?.access)),
    Property::input(TAGS).compare(Compare::StringMap).get(|x| string_map(&of(x)?.tags)),
    Property::input(CUSTOM_ROLE_ARN).get(|x| of(x)?.custom_role_arn.clone().map(Value::from)),
    Property::output(REGISTRY_ID, &[]).preview(Preview::Kept).get(|x| Some(w(x)?.registry_id.clone().into())),
    Property::output(REGION, &[]).preview(Preview::Derived(preview_region)),
    Property::output(IMAGE_TAG_MUTABILITY, MUTABILITY_INPUTS)
        .preview(Preview::Derived(|p| {
            Some(parsed(p).as_ref().map_or(Value::Unknown, |a| a.image_tag_mutability().into()))
        }))
        .get(|x| Some(w(x)?.mutability.into())),
    Property::output(LIFECYCLE_POLICY_TEXT, LIFECYCLE_INPUTS)
        .preview(Preview::Derived(|p| Some(preview_documents(p).map_or(Value::Unknown, |(l, _)| l))))
        .get(|x| Some(w(x)?.lifecycle.clone())),
    Property::output(REPOSITORY_POLICY_TEXT, POLICY_INPUTS)
        .preview(Preview::Derived(|p| Some(preview_documents(p).map_or(Value::Unknown, |(_, r)| r))))
        .get(|x| Some(w(x)?.policy.clone())),
    Property::output(CREATED_AT, &[]).preview(Preview::Kept).get(|x| w(x)?.created_at.clone().map(Value::from)),
];

/// The template's typed arguments, for the getters of its inputs.
fn of(x: &dyn std::any::Any) -> Option<&TemplateArgs> {
    crate::resource::args_of(x)
}

/// What the template's outputs are written from, for their getters.
fn w(x: &dyn std::any::Any) -> Option<&Written> {
    crate::resource::args_of(x)
}

/// A list of strings, written even when empty.
fn list_value(l: &[String]) -> Value {
    Value::Array(l.iter().map(|s| s.clone().into()).collect())
}

/// A list input compared as a set of its strings. Unlike [`Compare::Set`],
/// an absent list and an empty one differ (as they always have here).
const LIST: Compare = Compare::Semantic(|s| same_list(s.old, s.new));

/// Two lists as sets; absent and empty are the same (no principals, no
/// exclusions), as the Repository's `Compare::Set`.
fn same_list(o: Option<&Value>, n: Option<&Value>) -> bool {
    let set = |v: Option<&Value>| -> Option<Vec<String>> {
        let mut l: Vec<String> = match v.map(Value::plain) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.iter().filter_map(|x| x.plain().as_str().map(str::to_string)).collect(),
            _ => return None,
        };
        l.sort();
        l.dedup();
        Some(l)
    };
    set(o) == set(n)
}

/// lambdaPull's two lists, each as a set.
fn same_lambda(s: &Sides<'_>) -> bool {
    let parts = |v: Option<&Value>| match v.map(Value::plain) {
        Some(Value::Object(m)) => Some((m.get(SOURCE_ACCOUNTS).cloned(), m.get(SOURCE_ARNS).cloned())),
        _ => None,
    };
    match (parts(s.old), parts(s.new)) {
        (Some((oa, or)), Some((na, nr))) => same_list(oa.as_ref(), na.as_ref()) && same_list(or.as_ref(), nr.as_ref()),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// The lifecycle fields as the rules they make.
fn same_lifecycle(s: &Sides<'_>) -> bool {
    let lifecycle_of = |v: Option<&Value>| -> Option<Option<LifecyclePolicy>> {
        let mut m = Map::new();
        if let Some(v) = v {
            m.insert("p".into(), v.clone());
        }
        lifecycle::read(&mut Reader::new(&m, ""), "p").known()
    };
    match (lifecycle_of(s.old), lifecycle_of(s.new)) {
        (Some(Some(a)), Some(Some(b))) => a.same_as(&b),
        (a, b) => a == b,
    }
}

/// The checked inputs of a preview, typed (`None` while any is unknown).
fn parsed(p: &Planned<'_>) -> Option<TemplateArgs> {
    parse(p.news, p.config).0
}

/// The documents the inputs ask for at preview, each null when none;
/// `None` while an input is unknown.
fn preview_documents(p: &Planned<'_>) -> Option<(Value, Value)> {
    let (l, r) = documents(&parsed(p)?, p.config.partition_or_default());
    Some((l.map_or(Value::Null, Value::from), r.map_or(Value::Null, Value::from)))
}

/// Validated inputs of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateArgs {
    pub prefix: String,
    pub applied_for: Vec<String>,
    pub description: Option<String>,
    pub immutable_tags: bool,
    pub tag_exclusions: Vec<String>,
    pub encryption_type: Encryption,
    pub kms_key: Option<String>,
    pub lifecycle_policy: Option<LifecyclePolicy>,
    /// The lifecycle policy as ECR's JSON, for rules the fields cannot
    /// express; never together with `lifecycle_policy`.
    pub lifecycle_document: Option<String>,
    pub access: Access,
    /// The repository policy as JSON, for statements the principal lists
    /// cannot express; never together with `access`.
    pub policy_document: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub custom_role_arn: Option<String>,
}

impl TemplateArgs {
    fn image_tag_mutability(&self) -> &'static str {
        mutability_mode(self.immutable_tags, !self.tag_exclusions.is_empty())
    }

    fn to_map(&self) -> Map {
        crate::resource::to_map(PROPERTIES, self)
    }
}

/// Check: applies the defaults and checks every rule before any call.
pub fn check(news: &Map, config: &ProviderConfig) -> (Map, Vec<Failure>) {
    let mut checked = program_inputs(PROPERTIES, news);
    if let Some(tags) = checked.get_mut(TAGS) {
        *tags = stringify_values(tags);
    }
    let (_, failures) = parse(&checked, config);
    (checked, redact(failures, news))
}

fn parse(map: &Map, config: &ProviderConfig) -> (Option<TemplateArgs>, Vec<Failure>) {
    let mut r = input_reader(map, PROPERTIES, TOKEN);
    let prefix = read_prefix(
        &mut r,
        PREFIX,
        (1, 256),
        "the repository name prefix the template applies to, or ROOT for every repository no other template matches",
    );
    let applied_for = r.checked_list(APPLIED_FOR, 1..=APPLIED_FOR_VALUES.len(), "uses", false, |v| {
        (!APPLIED_FOR_VALUES.contains(&v))
            .then(|| format!("must be one of {}, got \"{v}\"", APPLIED_FOR_VALUES.join(", ")))
    });
    let description = r.checked_string(DESCRIPTION, |d| {
        let n = d.chars().count();
        (n > 256).then(|| format!("must be at most 256 characters, got {n}"))
    });
    let immutable = r.bool(IMMUTABLE_TAGS);
    let exclusions = tag_exclusions(&mut r, &immutable);
    let (encryption, kms_key) = encryption(&mut r, config.region_in_force());
    // A template takes a key only as a key ARN (botocore's
    // KmsKeyForRepositoryCreationTemplate), not an id or alias.
    let kms_key = match kms_key {
        Field::Known(k) if !is_key_arn(&k) => {
            r.fail(KMS_KEY, format!("must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>) in a template; key ids and aliases are taken by repositories only, got \"{k}\""));
            Field::Invalid
        }
        other => other,
    };
    let lifecycle = lifecycle::read(&mut r, LIFECYCLE_POLICY);
    let lifecycle_document = policy_document(&mut r, PolicyKind::Lifecycle, map);
    let access = principals(&mut r, config.partition(), config.region_in_force());
    let policy_document = policy_document(&mut r, PolicyKind::Repository, map);
    let tags = tags(&mut r, BTreeMap::len, "the tags every repository created from the template gets");
    let role = read_role_arn(&mut r, CUSTOM_ROLE_ARN);
    // ECR creates the repositories with this role when the template sets
    // tags or a KMS key; with the service-linked role it accepts the template
    // and fails each repository later (aws/containers-roadmap issue 2398).
    if role.is_absent() {
        let needs = match (&encryption, &tags) {
            (Field::Known(Encryption::Kms | Encryption::KmsDsse), _) => Some("encryptionType is KMS"),
            (_, Field::Known(t)) if !t.is_empty() => Some("the template sets tags"),
            _ => None,
        };
        if let Some(why) = needs {
            r.fail(
                CUSTOM_ROLE_ARN,
                format!("is required when {why}: the IAM role ECR assumes to create the repositories with them (it needs ecr:CreateRepository, ecr:TagResource and, for KMS, kms:CreateGrant and kms:DescribeKey)"),
            );
        }
    }
    let failures = std::mem::take(&mut r.failures);
    if !failures.is_empty() {
        return (None, failures);
    }
    let args = (|| {
        let mut applied_for = applied_for.known()?;
        applied_for.sort_by_key(|a| APPLIED_FOR_VALUES.iter().position(|x| x == a));
        applied_for.dedup();
        Some(TemplateArgs {
            prefix: prefix.known()?,
            applied_for,
            description: description.optional()?,
            immutable_tags: immutable.or(true)?,
            tag_exclusions: exclusions.or(Vec::new())?,
            encryption_type: encryption.or(Encryption::Aes256)?,
            kms_key: kms_key.optional()?,
            lifecycle_policy: lifecycle.known()?,
            lifecycle_document: lifecycle_document.optional()?,
            access: access.known()?,
            policy_document: policy_document.optional()?,
            tags: tags.known()?,
            custom_role_arn: role.optional()?,
        })
    })();
    (args, failures)
}

fn is_key_arn(k: &str) -> bool {
    partition::parse_arn(k).is_some_and(|a| a.service == "kms" && a.resource.starts_with("key/"))
}

fn known_args(inputs: &Map, config: &ProviderConfig) -> Result<TemplateArgs> {
    crate::resource::known_args(parse(inputs, config))
}

/// The documents ECR stores for these inputs: the lifecycle policy and the
/// repository policy, each the raw document when given, else generated from
/// the typed fields; `None` when the template has none.
fn documents(args: &TemplateArgs, partition: &str) -> (Option<String>, Option<String>) {
    (
        args.lifecycle_document.clone().or_else(|| args.lifecycle_policy.as_ref().and_then(LifecyclePolicy::to_json)),
        args.policy_document.clone().or_else(|| args.access.to_policy(partition)),
    )
}

/// What a template's outputs are written from (by the getters of the
/// outputs in [`PROPERTIES`]).
struct Written {
    registry_id: String,
    mutability: &'static str,
    /// The documents in force, null when none.
    lifecycle: Value,
    policy: Value,
    created_at: Option<String>,
}

fn outputs(
    args: &TemplateArgs,
    partition: &str,
    template: Option<&RepositoryCreationTemplate>,
    registry_id: &str,
) -> Map {
    let (lifecycle, policy) = documents(args, partition);
    // What ECR holds, when it differs from what the inputs say (a drifted or
    // adopted template), so the next update shows and replaces it.
    let held = |t: Option<&str>| t.filter(|s| !s.is_empty()).map(str::to_string);
    let (lifecycle, policy) = match template {
        Some(t) => (held(t.lifecycle_policy()), held(t.repository_policy())),
        None => (lifecycle, policy),
    };
    let written = Written {
        registry_id: registry_id.to_string(),
        mutability: args.image_tag_mutability(),
        lifecycle: lifecycle.map_or(Value::Null, Value::from),
        policy: policy.map_or(Value::Null, Value::from),
        created_at: template.and_then(|t| t.created_at()).and_then(|t| t.fmt(Format::DateTime).ok()),
    };
    let mut m = args.to_map();
    m.append(&mut crate::resource::outputs_of(PROPERTIES, &written));
    m
}

/// Diff: input by input (lists of uses as sets, policies by meaning, a raw
/// document against the text in force), and the documents ECR holds against
/// the ones the inputs ask for, so a policy changed outside Pulumi shows
/// after a refresh.
pub fn diff(olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult {
    let ignoring = Ignoring::new(olds, news, ignore_changes);
    let mut out = diff_inputs(PROPERTIES, olds, &ignoring);
    // The documents ECR holds (refreshed outputs) against the declared ones.
    if let Some(args) = parse(&ignoring.news, config).0 {
        let partition = config.partition_or_default();
        let (lifecycle, policy) = documents(&args, partition);
        let text = |k: &str| olds.get(k).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));
        for (key, held, wanted, same, inputs) in [
            (
                LIFECYCLE_POLICY_TEXT,
                text(LIFECYCLE_POLICY_TEXT),
                lifecycle,
                same_policy as fn(Option<&str>, Option<&str>) -> bool,
                &[LIFECYCLE_POLICY, LIFECYCLE_POLICY_DOCUMENT][..],
            ),
            (
                REPOSITORY_POLICY_TEXT,
                text(REPOSITORY_POLICY_TEXT),
                policy,
                same_repository_policy,
                &[PULL_PRINCIPALS, PUSH_PRINCIPALS, REPOSITORY_POLICY_DOCUMENT][..],
            ),
        ] {
            if olds.contains_key(key)
                && !inputs.iter().any(|i| ignoring.ignores(i) || out.diffs.iter().any(|d| d == i))
                && !same(held.as_deref(), wanted.as_deref())
            {
                out.change(key, DiffKind::Update);
            }
        }
    }
    out
}

/// The template for a prefix, and the registry id, or `None` when there is
/// no such template.
async fn describe(ctx: &Ctx<'_>, prefix: &str) -> Result<Option<(RepositoryCreationTemplate, String)>> {
    let action = "ecr:DescribeRepositoryCreationTemplates";
    let req = ctx.client.describe_repository_creation_templates().prefixes(prefix);
    // botocore's model gives this operation no TemplateNotFoundException (so
    // the SDK has no predicate for it), yet an answer with that code means
    // no template: it is read by its code.
    let gone = |e: &DescribeRepositoryCreationTemplatesError| e.code() == Some("TemplateNotFoundException");
    let found = ctx.read_or_none(action, Subject::Template(prefix), gone, req.send()).await?;
    Ok(found.and_then(|r| {
        r.repository_creation_templates()
            .iter()
            .find(|t| t.prefix() == Some(prefix))
            .map(|t| (t.clone(), r.registry_id().unwrap_or_default().to_string()))
    }))
}

/// One sentence for what ECR says about a template's existence (the
/// refusals of Create- and UpdateRepositoryCreationTemplate by their code),
/// else AWS's error sentence.
fn refused<E, R>(ctx: &Ctx<'_>, prefix: &str, action: &str, e: &SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match e.code() {
        Some("TemplateAlreadyExistsException") => {
            import_instead(ctx, TOKEN, &format!("a repository creation template for the prefix \"{prefix}\""), prefix)
        }
        Some("TemplateNotFoundException") => ProviderError::new(
            Code::NotFound,
            format!(
                "the repository creation template for the prefix \"{prefix}\" is gone; run `pulumi refresh` and `pulumi up` to create it again"
            ),
        ),
        _ => aws(ctx, action, Subject::Template(prefix), e),
    }
}

fn encryption_config(args: &TemplateArgs) -> Result<EncryptionConfigurationForRepositoryCreationTemplate> {
    call::built(
        "encryption configuration",
        EncryptionConfigurationForRepositoryCreationTemplate::builder()
            .encryption_type(EncryptionType::from(args.encryption_type.as_str()))
            .set_kms_key(args.kms_key.clone())
            .build(),
    )
}

fn applied_for(args: &TemplateArgs) -> Vec<RctAppliedFor> {
    args.applied_for.iter().map(|a| RctAppliedFor::from(a.as_str())).collect()
}

/// Inputs read back from a template ECR holds, each policy in the form
/// `declared` gave it ([`read_back`]; `None`: an import, where a policy the
/// typed fields cannot express becomes its raw document). Also the policies
/// declared with the typed fields and edited beyond them outside Pulumi:
/// the declared fields are kept for those, and the caller reports them.
fn args_of(
    t: &RepositoryCreationTemplate,
    prefix: &str,
    declared: Option<&TemplateArgs>,
) -> (TemplateArgs, Vec<&'static str>) {
    let mut drifted = Vec::new();
    let mutability = t.image_tag_mutability().map(|m| m.as_str()).unwrap_or("MUTABLE");
    let immutable = mutability.starts_with("IMMUTABLE");
    let tag_exclusions = if mutability.ends_with("_WITH_EXCLUSION") {
        t.image_tag_mutability_exclusion_filters().iter().map(|f| f.filter().to_string()).collect()
    } else {
        Vec::new()
    };
    let enc = t.encryption_configuration();
    let held = |text: Option<&str>| text.filter(|p| !p.is_empty()).map(str::to_string);
    let lifecycle = read_back(
        held(t.lifecycle_policy()).as_deref(),
        match declared {
            None => Declared::Nothing,
            Some(d) => match &d.lifecycle_document {
                Some(doc) => Declared::Document(doc),
                None => Declared::Typed(d.lifecycle_policy.as_ref()),
            },
        },
        LifecyclePolicy::from_json,
        LifecyclePolicy::same_as,
        same_policy,
    );
    let access = read_back(
        held(t.repository_policy()).as_deref(),
        match declared {
            None => Declared::Nothing,
            Some(d) => match &d.policy_document {
                Some(doc) => Declared::Document(doc),
                None => Declared::Typed(Some(&d.access).filter(|a| !a.is_empty())),
            },
        },
        Access::from_policy,
        Access::same_as,
        same_repository_policy,
    );
    if lifecycle.drifted {
        drifted.push("lifecycle policy");
    }
    if access.drifted {
        drifted.push("repository policy");
    }
    let args = TemplateArgs {
        prefix: prefix.to_string(),
        applied_for: {
            let mut l: Vec<String> = t.applied_for().iter().map(|a| a.as_str().to_string()).collect();
            l.sort_by_key(|a| APPLIED_FOR_VALUES.iter().position(|x| x == a));
            l
        },
        description: t.description().filter(|d| !d.is_empty()).map(str::to_string),
        immutable_tags: immutable,
        tag_exclusions,
        encryption_type: enc
            .and_then(|e| Encryption::parse(e.encryption_type().as_str()))
            .unwrap_or(Encryption::Aes256),
        kms_key: enc.and_then(|e| e.kms_key()).filter(|k| !k.is_empty()).map(str::to_string),
        lifecycle_policy: lifecycle.typed,
        lifecycle_document: lifecycle.document,
        access: access.typed.unwrap_or_default(),
        policy_document: access.document,
        tags: t.resource_tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect(),
        custom_role_arn: t.custom_role_arn().filter(|r| !r.is_empty()).map(str::to_string),
    };
    (args, drifted)
}

/// The template a lost-reply create already made, and the registry id, if
/// the one that exists under the prefix is it: made since this operation
/// started, with exactly the settings and documents it asked for.
async fn earlier_attempt(
    ctx: &Ctx<'_>,
    args: &TemplateArgs,
    started: std::time::SystemTime,
) -> Result<Option<(RepositoryCreationTemplate, String)>> {
    let Some((template, registry_id)) = describe(ctx, &args.prefix).await? else { return Ok(None) };
    let (mut found, drifted) = args_of(&template, &args.prefix, Some(args));
    let (lifecycle, policy) = documents(args, ctx.partition());
    let held = |t: Option<&str>| t.filter(|s| !s.is_empty()).map(str::to_string);
    let same_documents = drifted.is_empty()
        && same_policy(held(template.lifecycle_policy()).as_deref(), lifecycle.as_deref())
        && same_repository_policy(held(template.repository_policy()).as_deref(), policy.as_deref());
    // The documents compared by meaning above; the rest field by field.
    found.lifecycle_policy = args.lifecycle_policy.clone();
    found.lifecycle_document = args.lifecycle_document.clone();
    found.access = args.access.clone();
    found.policy_document = args.policy_document.clone();
    let sorted = |l: &[String]| {
        let mut l = l.to_vec();
        l.sort();
        l
    };
    let same = made_since(template.created_at(), started)
        && same_documents
        && sorted(&found.tag_exclusions) == sorted(&args.tag_exclusions)
        && TemplateArgs { tag_exclusions: args.tag_exclusions.clone(), ..found } == *args;
    if !same {
        return Ok(None);
    }
    log::log(Level::Info, || {
        format!(
            "CreateRepositoryCreationTemplate {}: the template an earlier attempt of this create made is ours",
            args.prefix
        )
    });
    Ok(Some((template, registry_id)))
}

/// What messages about the calls on one repository creation template name it.
fn subject(prefix: &str) -> String {
    format!("repository creation template \"{prefix}\"")
}

/// The RepositoryTemplate resource.
pub struct RepositoryTemplateResource;

/// Its entry in [`crate::resources::RESOURCES`].
pub const RESOURCE: ResourceType =
    ResourceType { token: TOKEN, properties: PROPERTIES, handler: &RepositoryTemplateResource };

#[tonic::async_trait]
impl Resource for RepositoryTemplateResource {
    fn check(&self, news: &Map, _: &Map, _: &NamingContext, config: &ProviderConfig) -> (Map, Vec<Failure>) {
        check(news, config)
    }

    fn diff(&self, olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult {
        let mut d = diff(olds, news, ignore_changes, config);
        let prefix = olds.get(PREFIX).map(Value::plain);
        let what = subject(prefix.as_ref().and_then(Value::as_str).unwrap_or_default());
        crate::resource::follow_region(&mut d, olds, config, &what);
        d
    }

    async fn create(&self, ctx: &Ctx<'_>, inputs: &Map, preview: bool) -> Result<(String, Map)> {
        if preview {
            return Ok((String::new(), preview_outputs(ctx, inputs, None)));
        }
        let args = known_args(inputs, ctx.config)?;
        let (lifecycle, policy) = documents(&args, ctx.partition());
        let action = "ecr:CreateRepositoryCreationTemplate";
        let req = ctx
            .client
            .create_repository_creation_template()
            .prefix(&args.prefix)
            .set_description(args.description.clone())
            .encryption_configuration(encryption_config(&args)?)
            .set_resource_tags((!args.tags.is_empty()).then(|| to_tags(&args.tags)).transpose()?)
            .image_tag_mutability(ImageTagMutability::from(args.image_tag_mutability()))
            .set_image_tag_mutability_exclusion_filters(exclusion_filters(&args.tag_exclusions)?)
            .set_repository_policy(policy)
            .set_lifecycle_policy(lifecycle)
            .set_applied_for(Some(applied_for(&args)))
            .set_custom_role_arn(args.custom_role_arn.clone());
        let started = std::time::SystemTime::now();
        let ambiguous = AmbiguousAttempts::default();
        let sent = req.customize().interceptor(ambiguous.clone()).send();
        let (template, registry_id) = match ctx.write(action, Subject::Template(&args.prefix), sent).await? {
            Ok(resp) => {
                (resp.repository_creation_template().cloned(), resp.registry_id().unwrap_or_default().to_string())
            }
            // A lost reply after ECR made the template: the SDK's retry meets
            // it. Made by an earlier attempt of this very call, with exactly
            // these settings, it is ours (as for a Repository).
            Err(e)
                if call::is(&e, CreateRepositoryCreationTemplateError::is_template_already_exists_exception)
                    && ambiguous.seen() =>
            {
                match earlier_attempt(ctx, &args, started).await? {
                    Some((t, registry_id)) => (Some(t), registry_id),
                    None => return Err(refused(ctx, &args.prefix, action, &e)),
                }
            }
            Err(e) => return Err(refused(ctx, &args.prefix, action, &e)),
        };
        let mut props = outputs(&args, ctx.partition(), None, &registry_id);
        crate::resource::record_region(ctx, &mut props);
        if let Some(at) = template.as_ref().and_then(|t| t.created_at()).and_then(|t| t.fmt(Format::DateTime).ok()) {
            props.insert(CREATED_AT.into(), at.into());
        }
        carry_secrets(PROPERTIES, inputs, &mut props);
        Ok((args.prefix.clone(), props))
    }

    async fn read(&self, ctx: &Ctx<'_>, id: &str, olds: &Map, old_inputs: &Map) -> Result<Option<ReadResult>> {
        let Some((template, registry_id)) = describe(ctx, id).await? else {
            let importing = olds.is_empty() && old_inputs.is_empty();
            return call::gone(ctx, importing, &format!("repository creation template for the prefix \"{id}\""));
        };
        // The policies in the form the program declared them; imported, a
        // policy the typed fields cannot express comes back as its JSON.
        let importing = olds.is_empty() && old_inputs.is_empty();
        let declared = if importing {
            None
        } else {
            parse(old_inputs, ctx.config).0.or_else(|| parse(&inputs_of(PROPERTIES, olds), ctx.config).0)
        };
        let (args, drifted) = args_of(&template, id, declared.as_ref());
        for what in drifted {
            let (fields, output) = match what {
                "lifecycle policy" => (LIFECYCLE_POLICY, LIFECYCLE_POLICY_TEXT),
                _ => ("pullPrincipals and pushPrincipals", REPOSITORY_POLICY_TEXT),
            };
            ctx.warn(format!(
                "the {what} of repository creation template \"{id}\" was edited outside Pulumi into one that {fields} cannot express; it is kept as it is in {output}, and the next `pulumi up` would replace it with the declared one (or remove it when none is declared)"
            ))
            .await;
        }
        let mut inputs = args.to_map();
        let mut props = outputs(&args, ctx.partition(), Some(&template), &registry_id);
        crate::resource::record_region(ctx, &mut props);
        keep_secret_marks(&mut inputs, olds, old_inputs);
        carry_secrets(PROPERTIES, &inputs, &mut props);
        Ok(Some(ReadResult { id: id.to_string(), outputs: props, inputs }))
    }

    async fn update(&self, ctx: &Ctx<'_>, olds: &Map, news: &Map, preview: bool) -> Result<Map> {
        if preview {
            return Ok(preview_outputs(ctx, news, Some(olds)));
        }
        let args = known_args(news, ctx.config)?;
        let (lifecycle, policy) = documents(&args, ctx.partition());
        // The whole template: an empty document, description or role clears
        // it; exclusion filters only count in a *_WITH_EXCLUSION mode.
        let action = "ecr:UpdateRepositoryCreationTemplate";
        let req = ctx
            .client
            .update_repository_creation_template()
            .prefix(&args.prefix)
            .description(args.description.clone().unwrap_or_default())
            .encryption_configuration(encryption_config(&args)?)
            .set_resource_tags(Some(to_tags(&args.tags)?))
            .image_tag_mutability(ImageTagMutability::from(args.image_tag_mutability()))
            .set_image_tag_mutability_exclusion_filters(exclusion_filters(&args.tag_exclusions)?)
            .repository_policy(policy.unwrap_or_default())
            .lifecycle_policy(lifecycle.unwrap_or_default())
            .set_applied_for(Some(applied_for(&args)))
            .custom_role_arn(args.custom_role_arn.clone().unwrap_or_default());
        ctx.write(action, Subject::Template(&args.prefix), req.send())
            .await?
            .map_err(|e| refused(ctx, &args.prefix, action, &e))?;
        let registry_id =
            olds.get(REGISTRY_ID).map(Value::plain).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let mut props = outputs(&args, ctx.partition(), None, &registry_id);
        crate::resource::record_region(ctx, &mut props);
        if let Some(v) = olds.get(CREATED_AT) {
            props.insert(CREATED_AT.into(), v.plain());
        }
        carry_secrets(PROPERTIES, news, &mut props);
        Ok(props)
    }

    async fn delete(&self, ctx: &Ctx<'_>, id: &str, _: &Map) -> Result<()> {
        let req = ctx.client.delete_repository_creation_template().prefix(id);
        call::delete(
            ctx,
            "ecr:DeleteRepositoryCreationTemplate",
            Subject::Template(id),
            DeleteRepositoryCreationTemplateError::is_template_not_found_exception,
            req.send(),
        )
        .await
    }
}

/// Outputs of a preview: what the inputs decide is known, the rest (AWS's
/// ids and times, anything computed from an unknown input) is not (each
/// output's `preview` in [`PROPERTIES`]).
fn preview_outputs(ctx: &Ctx<'_>, inputs: &Map, olds: Option<&Map>) -> Map {
    crate::resource::preview_outputs_with_secrets(PROPERTIES, &Planned { news: inputs, olds, config: ctx.config })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ProviderConfig {
        ProviderConfig { region: Some("us-east-1".into()), ..Default::default() }
    }
    fn parse_json(j: serde_json::Value) -> Map {
        match crate::property::Value::from_json(&j) {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }
    const ROLE: &str = "arn:aws:iam::123456789012:role/ecr-templates";

    #[test]
    fn defaults_are_the_repositorys() {
        let (checked, f) = check(&parse_json(serde_json::json!({"prefix": "docker-hub"})), &config());
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checked["immutableTags"], Value::Bool(true));
        assert_eq!(checked["encryptionType"], Value::from("AES256"));
        assert_eq!(
            checked["appliedFor"],
            Value::Array(vec![Value::from("PULL_THROUGH_CACHE"), Value::from("REPLICATION")])
        );
        let args = parse(&checked, &config()).0.expect("known");
        assert_eq!(args.image_tag_mutability(), "IMMUTABLE");
        assert_eq!(documents(&args, "aws"), (None, None));
    }

    #[test]
    fn the_repositorys_generators_make_the_documents() {
        let inputs = parse_json(serde_json::json!({
            "prefix": "ROOT",
            "lifecyclePolicy": {"expireUntaggedAfterDays": 7, "tagged": [{"tagPrefixes": ["v"], "keepLast": 30}]},
            "pullPrincipals": ["210987654321"],
        }));
        let (checked, f) = check(&inputs, &config());
        assert!(f.is_empty(), "{f:?}");
        let args = parse(&checked, &config()).0.expect("known");
        let (lifecycle, policy) = documents(&args, "aws");
        let lifecycle = lifecycle.expect("a lifecycle policy");
        assert_eq!(LifecyclePolicy::from_json(&lifecycle).as_ref(), args.lifecycle_policy.as_ref());
        let access = Access::from_policy(&policy.expect("a policy")).expect("readable");
        assert_eq!(access.pull, vec!["210987654321".to_string()]);
    }

    #[test]
    fn every_rule_names_its_property() {
        let cases: Vec<(serde_json::Value, &str, &str)> = vec![
            (serde_json::json!({}), "prefix", "is required"),
            (serde_json::json!({"prefix": "Team"}), "prefix", "must be ROOT or 1 to 256"),
            (serde_json::json!({"prefix": "t".repeat(257)}), "prefix", "must be ROOT or 1 to 256"),
            (
                serde_json::json!({"prefix": "t", "appliedFor": ["PUSH"]}),
                "appliedFor[0]",
                "must be one of PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH",
            ),
            (serde_json::json!({"prefix": "tt", "appliedFor": []}), "appliedFor", "1 to 3"),
            (serde_json::json!({"prefix": "tt", "description": "d".repeat(257)}), "description", "at most 256"),
            (
                serde_json::json!({"prefix": "tt", "immutableTags": false, "mutableTagExclusions": ["x"]}),
                "mutableTagExclusions",
                "use immutableTagExclusions",
            ),
            (
                serde_json::json!({"prefix": "tt", "encryptionType": "AES256", "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}),
                "kmsKey",
                "only allowed when encryptionType is KMS",
            ),
            (
                serde_json::json!({"prefix": "tt", "encryptionType": "KMS", "kmsKey": "alias/ecr", "customRoleArn": ROLE}),
                "kmsKey",
                "must be the ARN of a KMS key",
            ),
            (
                serde_json::json!({"prefix": "tt", "encryptionType": "KMS"}),
                "customRoleArn",
                "is required when encryptionType is KMS",
            ),
            (
                serde_json::json!({"prefix": "tt", "tags": {"team": "a"}}),
                "customRoleArn",
                "is required when the template sets tags",
            ),
            (
                serde_json::json!({"prefix": "tt", "customRoleArn": "role/x"}),
                "customRoleArn",
                "must be the ARN of an IAM role",
            ),
            (
                serde_json::json!({"prefix": "tt", "lifecyclePolicy": {"tagged": [{"keepLast": 3}]}}),
                "lifecyclePolicy.tagged[0]",
                "exactly one of tagPatterns",
            ),
            (serde_json::json!({"prefix": "tt", "pullPrincipals": ["bob"]}), "pullPrincipals[0]", "12-digit"),
            (serde_json::json!({"prefix": "tt", "tags": {"aws:x": "a"}, "customRoleArn": ROLE}), "tags", "aws:"),
            (
                serde_json::json!({"prefix": "tt", "scanOnPush": true}),
                "scanOnPush",
                "is not a property of awsecr:index:RepositoryTemplate",
            ),
        ];
        for (inputs, path, words) in cases {
            let (_, f) = check(&parse_json(inputs.clone()), &config());
            assert!(
                f.iter().any(|f| f.property.starts_with(path) && f.reason.contains(words)),
                "{inputs}: {path}: {f:?}"
            );
        }
    }

    #[test]
    fn a_prefix_may_be_one_character_as_botocore_allows() {
        for prefix in ["a", "7", "a/", "ROOT", &"a".repeat(256)] {
            let (_, f) = check(&parse_json(serde_json::json!({ "prefix": prefix })), &config());
            assert!(f.is_empty(), "{prefix}: {f:?}");
        }
    }

    #[test]
    fn a_policy_changed_outside_pulumi_shows_in_the_diff() {
        let (checked, _) =
            check(&parse_json(serde_json::json!({"prefix": "tt", "pullPrincipals": ["210987654321"]})), &config());
        let args = parse(&checked, &config()).0.expect("known");
        let mut olds = outputs(&args, "aws", None, "123456789012");
        assert!(!diff(&olds, &checked, &[], &config()).has_changes());
        olds.insert(
            "repositoryPolicyText".into(),
            Value::from(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}]}"#),
        );
        let d = diff(&olds, &checked, &[], &config());
        assert_eq!(d.diffs, vec!["repositoryPolicyText".to_string()]);
        assert!(d.replaces.is_empty());
        // Lists of uses and principals are sets.
        let mut reordered = checked.clone();
        reordered.insert(
            "appliedFor".into(),
            Value::Array(vec![Value::from("REPLICATION"), Value::from("PULL_THROUGH_CACHE")]),
        );
        let olds = outputs(&args, "aws", None, "123456789012");
        assert!(!diff(&olds, &reordered, &[], &config()).has_changes());
        let mut moved = checked.clone();
        moved.insert("prefix".into(), Value::from("other"));
        assert_eq!(diff(&olds, &moved, &[], &config()).replaces, vec!["prefix".to_string()]);
    }

    #[test]
    fn a_document_compares_by_meaning_with_the_text_in_force() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"ecr:BatchGetImage"}]}"#;
        let rules = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#;
        let inputs = parse_json(
            serde_json::json!({"prefix": "tt", "repositoryPolicyDocument": doc, "lifecyclePolicyDocument": rules}),
        );
        let (checked, f) = check(&inputs, &config());
        assert!(f.is_empty(), "{f:?}");
        let args = parse(&checked, &config()).0.expect("known");
        assert_eq!(documents(&args, "aws"), (Some(rules.to_string()), Some(doc.to_string())), "sent as written");
        let olds = outputs(&args, "aws", None, "123456789012");
        assert!(!diff(&olds, &checked, &[], &config()).has_changes());
        // Spacing and key order are no change.
        let mut respelled = checked.clone();
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(doc).unwrap()).unwrap();
        respelled.insert("repositoryPolicyDocument".into(), Value::from(pretty));
        assert!(!diff(&olds, &respelled, &[], &config()).has_changes());
        // The text in force edited by hand: the document shows the change.
        let mut drifted = olds.clone();
        drifted.insert("repositoryPolicyText".into(), Value::from(doc.replace("BatchGetImage", "DescribeImages")));
        assert_eq!(diff(&drifted, &checked, &[], &config()).diffs, vec!["repositoryPolicyDocument".to_string()]);
        // Ignored, it is not compared.
        assert!(!diff(&drifted, &checked, &["repositoryPolicyDocument".into()], &config()).has_changes());
        // Typed fields in place of the document: both show.
        let typed = check(&parse_json(serde_json::json!({"prefix": "tt", "pullPrincipals": ["210987654321"], "lifecyclePolicyDocument": rules})), &config()).0;
        assert_eq!(
            diff(&olds, &typed, &[], &config()).diffs,
            vec!["pullPrincipals".to_string(), "repositoryPolicyDocument".to_string()]
        );
    }

    #[test]
    fn to_map_round_trips_through_parse() {
        let args = TemplateArgs {
            prefix: "team/".into(),
            applied_for: vec!["REPLICATION".into()],
            description: Some("for the team".into()),
            immutable_tags: false,
            tag_exclusions: vec!["v*".into()],
            encryption_type: Encryption::Kms,
            kms_key: Some("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab".into()),
            lifecycle_policy: Some(LifecyclePolicy { max_image_count: Some(10), ..Default::default() }),
            lifecycle_document: None,
            access: Access {
                pull: vec!["123456789012".into()],
                push: vec![ROLE.into()],
                organizations: vec!["o-a1b2c3d4e5".into()],
                organization_paths: vec![],
                lambda: Some(crate::policy::access::LambdaPull {
                    source_accounts: vec!["111122223333".into()],
                    source_arns: vec![],
                }),
            },
            policy_document: None,
            tags: BTreeMap::from([("team".into(), "a".into())]),
            custom_role_arn: Some(ROLE.into()),
        };
        let m = args.to_map();
        assert_eq!(m["immutableTagExclusions"], Value::Array(vec!["v*".into()]), "the mutable mode's exceptions");
        assert!(!m.contains_key("mutableTagExclusions") && !m.contains_key("pullOrganizationPaths"));
        let (back, failures) = parse(&m, &config());
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(back, Some(args.clone()));
        let mut documents = args;
        documents.lifecycle_policy = None;
        documents.access = Access::default();
        documents.lifecycle_document = Some(r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":9},"action":{"type":"expire"}}]}"#.into());
        documents.policy_document = Some(
            r#"{"Version":"2012-10-17","Statement":[]}"#
                .replace("[]", r#"[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]"#),
        );
        assert_eq!(parse(&documents.to_map(), &config()).0, Some(documents));
    }

    /// An empty list or map is the same as none: written as none, it shows
    /// no change at the next preview.
    #[test]
    fn empty_lists_and_maps_show_no_change() {
        let inputs = parse_json(serde_json::json!({
            "prefix": "team",
            "pullPrincipals": [],
            "pushPrincipals": [],
            "pullOrganizations": [],
            "pullOrganizationPaths": [],
            "tags": {},
        }));
        let (checked, f) = check(&inputs, &config());
        assert!(f.is_empty(), "{f:?}");
        let args = parse(&checked, &config()).0.expect("known");
        let olds = args.to_map();
        let d = diff(&olds, &checked, &[], &config());
        assert!(d.diffs.is_empty(), "{:?} checked={checked:?} olds={olds:?}", d.diffs);
    }
}
