//! The `awsecr:index:AccountSetting` resource: one ECR account setting
//! (`GetAccountSetting`/`PutAccountSetting`) of one account and region.
//!
//! ECR's shape is a name and a value per account and region, each setting
//! independent of the others, so each is a resource of its own (as in
//! pulumi-aws's `aws.ecr.AccountSetting`) and owned alone: one stack can own
//! `BLOB_MOUNTING` while another owns `REGISTRY_POLICY_SCOPE`.
//!
//! Calls: preview none; create reads the setting and the registry id at once
//! (GetAccountSetting, and DescribeRegistry unless `assumeRole` names the
//! account: `call::registry_id`), then puts the value only when it differs;
//! read is one GetAccountSetting (plus the registry id on an import by name
//! alone); update one put; delete one put of `previousValue`,
//! the value found before this stack owned the setting (never a guessed
//! default).

use tonic::Code;

use crate::call::{self, Ctx, aws};
use crate::config::ProviderConfig;
use crate::error::{ProviderError, Result, Subject};
use crate::names::*;
use crate::naming::NamingContext;
use crate::property::{Map, Value};
use crate::resource::{
    Claim, DefaultValue, DiffResult, Ignoring, Planned, Preview, Property, ReadResult, Resource, ResourceType,
    carry_secrets, diff_inputs, input_reader, keep_secret_marks, preview_outputs, program_inputs,
};
use crate::validate::{Failure, Field, redact};

pub const TOKEN: &str = "awsecr:index:AccountSetting";

/// Every property of the AccountSetting, each defined once.
pub const PROPERTIES: &[Property] = &[
    Property::input(NAME).replaces().get(|x| Some(of(x)?.name.as_str().into())),
    Property::input(VALUE).get(|x| Some(of(x)?.value.as_str().into())),
    Property::input(ADOPT).default(DefaultValue::Bool(false)).get(|x| Some(Value::Bool(of(x)?.adopt))),
    Property::output(REGISTRY_ID, &[]),
    // The region the calls go to ("" while none is in force).
    Property::output(REGION, &[])
        .preview(Preview::Derived(|p| Some(p.config.region_in_force().unwrap_or_default().into()))),
    Property::output(PREVIOUS_VALUE, &[]),
];

/// The setting's typed arguments, for the getters of [`PROPERTIES`].
fn of(x: &dyn std::any::Any) -> Option<&Args> {
    crate::resource::args_of(x)
}

/// Each setting ECR has (botocore's model), its allowed values and the value
/// an account holds before anyone puts one (AWS's default).
pub const SETTINGS: &[(&str, &[&str], &str)] = &[
    ("BASIC_SCAN_TYPE_VERSION", &["AWS_NATIVE"], "AWS_NATIVE"),
    ("REGISTRY_POLICY_SCOPE", &["V1", "V2"], "V2"),
    ("BLOB_MOUNTING", &["ENABLED", "DISABLED"], "DISABLED"),
];

/// The value Check gives a declaration without one: only where a single
/// value is allowed (BASIC_SCAN_TYPE_VERSION: AWS_NATIVE, the engine AWS
/// keeps; the older one is retired). For the others the choice is the
/// user's own (V1 or V2, ENABLED or DISABLED) and `value` is required.
fn implied_value(name: &str) -> Option<&'static str> {
    setting(name).and_then(|(_, allowed, _)| (allowed.len() == 1).then_some(allowed[0]))
}

fn setting(name: &str) -> Option<(&'static str, &'static [&'static str], &'static str)> {
    SETTINGS.iter().find(|(n, _, _)| *n == name).copied()
}

/// AWS's default of setting `name`; an error sentence for a name that is
/// none of [`SETTINGS`] (Check refuses such a name first).
fn default_of(name: &str) -> Result<&'static str> {
    setting(name)
        .map(|(_, _, default)| default)
        .ok_or_else(|| ProviderError::invalid(format!("name must be one of {}, got \"{name}\"", names().join(", "))))
}

fn names() -> Vec<&'static str> {
    SETTINGS.iter().map(|(n, _, _)| *n).collect()
}

/// The checked inputs, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    pub name: String,
    pub value: String,
    pub adopt: bool,
}

/// Validates and applies defaults; makes no AWS call.
pub fn check(news: &Map) -> (Map, Vec<Failure>) {
    let mut checked = program_inputs(PROPERTIES, news);
    if let Some(Value::String(name)) = checked.get(NAME).map(Value::plain)
        && matches!(checked.get(VALUE), None | Some(Value::Null))
        && let Some(v) = implied_value(&name)
    {
        checked.insert(VALUE.into(), v.into());
    }
    let (_, failures) = parse(&checked);
    (checked, redact(failures, news))
}

/// Reads checked inputs: the arguments when all are known and valid.
pub fn parse(map: &Map) -> (Option<Args>, Vec<Failure>) {
    let mut r = input_reader(map, PROPERTIES, TOKEN);
    let name = if r.has(NAME) {
        r.one_of_items(NAME, SETTINGS, |(n, _, _)| n)
    } else {
        r.fail(NAME, format!("is required: one of {}", names().join(", ")));
        Field::Invalid
    };
    let value = match (&name, r.has(VALUE)) {
        (Field::Known((n, allowed, _)), true) => r.checked_string(VALUE, |v| {
            (!allowed.contains(&v)).then(|| format!("must be one of {} for {n}, got \"{v}\"", allowed.join(", ")))
        }),
        (Field::Known((n, allowed, _)), false) => {
            r.fail(VALUE, format!("is required for {n}: one of {}", allowed.join(", ")));
            Field::Invalid
        }
        (_, true) => r.string(VALUE),
        (_, false) => Field::Absent,
    };
    let adopt = r.bool(ADOPT);
    let failures = std::mem::take(&mut r.failures);
    let args = match (name, value, adopt.or(false)) {
        (Field::Known((name, _, _)), Field::Known(value), Some(adopt)) if failures.is_empty() => {
            Some(Args { name: name.to_string(), value, adopt })
        }
        _ => None,
    };
    (args, failures)
}

impl Args {
    fn to_map(&self) -> Map {
        crate::resource::to_map(PROPERTIES, self)
    }
}

/// The AccountSetting resource.
pub struct AccountSettingResource;

/// Its entry in [`crate::resources::RESOURCES`].
pub const RESOURCE: ResourceType =
    ResourceType { token: TOKEN, properties: PROPERTIES, handler: &AccountSettingResource };

#[tonic::async_trait]
impl Resource for AccountSettingResource {
    fn check(&self, news: &Map, _: &Map, _: &NamingContext, _: &ProviderConfig) -> (Map, Vec<Failure>) {
        check(news)
    }

    fn diff(&self, olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult {
        let ignoring = Ignoring::new(olds, news, ignore_changes);
        let mut d = diff_inputs(PROPERTIES, olds, &ignoring);
        // A replacement resets the old setting: said at preview (principle 12).
        if d.replaces.iter().any(|k| k == NAME)
            && let (Some(name), Some(previous)) = (text(olds, NAME), text(olds, PREVIOUS_VALUE))
        {
            d.warnings.push(format!(
                "replacing the AccountSetting puts the ECR account setting {name} back to {previous}, the value found before this stack owned it"
            ));
        }
        crate::resource::follow_region(&mut d, olds, config, "the account setting");
        d
    }

    async fn create(&self, ctx: &Ctx<'_>, inputs: &Map, preview: bool) -> Result<(String, Map)> {
        if preview {
            let planned = Planned { news: inputs, olds: None, config: ctx.config };
            return Ok((String::new(), preview_outputs(PROPERTIES, &planned)));
        }
        let args = known_args(inputs)?;
        let (registry_id, found) = tokio::join!(call::registry_id(ctx), get(ctx, &args.name));
        let (registry_id, found) = (registry_id?, found?);
        let default = default_of(&args.name)?;
        if found != default && found != args.value && !args.adopt {
            return Err(ProviderError::new(
                Code::FailedPrecondition,
                format!(
                    "the ECR account setting {} of registry {registry_id} in {} is already {found} (AWS's default is {default}), set outside this stack; to manage it as it is, import it (pulumi import {TOKEN} {} {}) and declare value: {found}, or set adopt: true to replace it with {}",
                    args.name,
                    ctx.region(),
                    ctx.resource_name(),
                    id_of(ctx, &registry_id, &args.name),
                    args.value
                ),
            ));
        }
        if found != args.value {
            put(ctx, &args.name, &args.value).await?;
        }
        let mut props = outputs(ctx, &args, &registry_id, &found);
        carry_secrets(PROPERTIES, inputs, &mut props);
        Ok((id_of(ctx, &registry_id, &args.name), props))
    }

    async fn read(&self, ctx: &Ctx<'_>, id: &str, olds: &Map, old_inputs: &Map) -> Result<Option<ReadResult>> {
        let (account, name) = parse_id(ctx, id)?;
        let importing = olds.is_empty() && old_inputs.is_empty();
        // On import the registry id is read: an id naming another account
        // than the credentials reach would record that account's id over
        // this one's setting.
        let known = text(olds, REGISTRY_ID).filter(|_| !importing);
        let (registry_id, live) =
            tokio::join!(call::maybe(known.is_none().then(|| call::registry_id(ctx))), get(ctx, &name));
        let live = live?;
        let registry_id = match (known, registry_id.transpose()?) {
            (Some(k), _) => k,
            (None, Some(found)) => found,
            (None, None) => unreachable!("the registry id is read when not known"),
        };
        if let Some(account) = account.filter(|a| importing && *a != registry_id) {
            return Err(ProviderError::invalid(format!(
                "account setting \"{id}\" names account {account}, but the provider's credentials reach the registry of account {registry_id}; import {} with these credentials, or configure the provider with credentials of account {account}",
                id_of(ctx, &registry_id, &name)
            )));
        }
        let source = if old_inputs.is_empty() { olds } else { old_inputs };
        let adopt = matches!(source.get(ADOPT).map(Value::plain), Some(Value::Bool(true)));
        let declared = text(source, VALUE);
        if !importing && declared.as_deref().is_some_and(|v| v != live) {
            ctx.warn(format!(
                "the ECR account setting {name} of registry {registry_id} was changed outside Pulumi to {live} (declared: {}); refresh shows it as it is, and the next `pulumi up` puts back the declared value",
                declared.unwrap_or_default()
            ))
            .await;
        }
        let args = Args { name: name.clone(), value: live.clone(), adopt };
        // The value before this stack owned it: kept from the state; on
        // import, what is there now.
        let previous = text(olds, PREVIOUS_VALUE).unwrap_or_else(|| live.clone());
        let mut inputs = args.to_map();
        keep_secret_marks(&mut inputs, olds, old_inputs);
        let mut props = outputs(ctx, &args, &registry_id, &previous);
        carry_secrets(PROPERTIES, &inputs, &mut props);
        Ok(Some(ReadResult { id: id_of(ctx, &registry_id, &name), outputs: props, inputs }))
    }

    async fn update(&self, ctx: &Ctx<'_>, olds: &Map, news: &Map, preview: bool) -> Result<Map> {
        let registry_id = text(olds, REGISTRY_ID).unwrap_or_default();
        let previous = text(olds, PREVIOUS_VALUE);
        if preview {
            let mut m = news.clone();
            m.insert(REGISTRY_ID.into(), registry_id.into());
            m.insert(REGION.into(), ctx.region().into());
            m.insert(PREVIOUS_VALUE.into(), previous.map_or(Value::Unknown, Value::from));
            return Ok(m);
        }
        let args = known_args(news)?;
        if text(olds, VALUE).as_deref() != Some(args.value.as_str()) {
            put(ctx, &args.name, &args.value).await?;
        }
        let previous = previous.unwrap_or_else(|| text(olds, VALUE).unwrap_or_default());
        let mut props = outputs(ctx, &args, &registry_id, &previous);
        carry_secrets(PROPERTIES, news, &mut props);
        Ok(props)
    }

    async fn delete(&self, ctx: &Ctx<'_>, id: &str, olds: &Map) -> Result<()> {
        let (_, name) = parse_id(ctx, id)?;
        // Another AccountSetting of this provider declares it now (a
        // hand-over inside one program): its to keep.
        if ctx.claims.other_owner(ctx.region(), &setting_claim(&name), ctx.urn).is_some() {
            return Ok(());
        }
        let Some(previous) = text(olds, PREVIOUS_VALUE) else {
            ctx.warn(format!(
                "the state of the ECR account setting {name} records no previousValue; it is left as it is"
            ))
            .await;
            return Ok(());
        };
        // Always put: a change by hand since the last refresh is not known
        // here, and the one call makes the value what it was before.
        put(ctx, &name, &previous).await
    }

    fn claims(&self, inputs: &Map) -> Vec<Claim> {
        match inputs.get(NAME).map(Value::plain) {
            Some(Value::String(name)) if setting(&name).is_some() => {
                vec![Claim { property: NAME, setting: setting_claim(&name) }]
            }
            _ => Vec::new(),
        }
    }
}

/// The setting as claims name it.
fn setting_claim(name: &str) -> String {
    format!("the ECR account setting {name}")
}

fn outputs(ctx: &Ctx<'_>, args: &Args, registry_id: &str, previous: &str) -> Map {
    let mut m = args.to_map();
    m.insert(REGISTRY_ID.into(), registry_id.into());
    m.insert(REGION.into(), ctx.region().into());
    m.insert(PREVIOUS_VALUE.into(), previous.into());
    m
}

fn text(m: &Map, key: &str) -> Option<String> {
    m.get(key).map(Value::plain).and_then(|v| v.as_str().map(str::to_string)).filter(|s| !s.is_empty())
}

fn known_args(inputs: &Map) -> Result<Args> {
    crate::resource::known_args(parse(inputs))
}

fn id_of(ctx: &Ctx<'_>, registry_id: &str, name: &str) -> String {
    format!("{registry_id}/{}/{name}", ctx.region())
}

/// The account (when the id names one) and the setting of an id:
/// `<registryId>/<region>/<NAME>`, or the name alone.
fn parse_id(ctx: &Ctx<'_>, id: &str) -> Result<(Option<String>, String)> {
    let bad = || {
        ProviderError::invalid(format!(
            "\"{id}\" is not an account setting id: it is <registryId>/<region>/<NAME>, e.g. 123456789012/us-east-1/BLOB_MOUNTING, or the name alone ({})",
            names().join(", ")
        ))
    };
    let parts: Vec<&str> = id.split('/').collect();
    let (account, region_of_id, name) = match parts.as_slice() {
        [name] => (None, None, *name),
        [account, region_of_id, name] if crate::partition::is_account_id(account) => {
            (Some(account.to_string()), Some(*region_of_id), *name)
        }
        _ => return Err(bad()),
    };
    if setting(name).is_none() {
        return Err(bad());
    }
    if let Some(r) = region_of_id
        && r != ctx.region()
    {
        return Err(ProviderError::invalid(format!(
            "account setting \"{id}\" is in {r}, but the provider manages {}; use a provider for {r} (awsecr:region)",
            ctx.region()
        )));
    }
    Ok((account, name.to_string()))
}

async fn get(ctx: &Ctx<'_>, name: &str) -> Result<String> {
    let action = "ecr:GetAccountSetting";
    let resp = ctx
        .read(action, Subject::Registry, ctx.client.get_account_setting().name(name).send())
        .await?
        .map_err(|e| about(aws(ctx, action, Subject::Registry, &e), name))?;
    Ok(resp.value().unwrap_or_default().to_string())
}

async fn put(ctx: &Ctx<'_>, name: &str, value: &str) -> Result<()> {
    let action = "ecr:PutAccountSetting";
    let req = ctx.client.put_account_setting().name(name).value(value);
    ctx.write(action, Subject::Registry, req.send())
        .await?
        .map_err(|e| about(aws(ctx, action, Subject::Registry, &e), name))?;
    Ok(())
}

/// An AWS error, said about the setting.
fn about(e: ProviderError, name: &str) -> ProviderError {
    match e {
        ProviderError::User { code, message } => {
            ProviderError::User { code, message: format!("ECR account setting {name}: {message}") }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, &str)]) -> Map {
        pairs.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect()
    }

    #[test]
    fn check_defaults_and_refuses() {
        let (checked, f) = check(&m(&[("name", "BASIC_SCAN_TYPE_VERSION")]));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checked["value"], Value::from("AWS_NATIVE"));
        assert_eq!(checked["adopt"], Value::Bool(false));
        let (_, f) = check(&m(&[("name", "BLOB_MOUNTING")]));
        assert_eq!(f[0].property, "value");
        assert!(f[0].reason.contains("is required for BLOB_MOUNTING: one of ENABLED, DISABLED"), "{f:?}");
        let (_, f) = check(&m(&[("name", "REGISTRY_POLICY_SCOPE"), ("value", "V3")]));
        assert_eq!(f[0].property, "value");
        assert!(f[0].reason.contains("must be one of V1, V2 for REGISTRY_POLICY_SCOPE"), "{f:?}");
        let (_, f) = check(&m(&[("name", "NOPE"), ("value", "V2")]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].reason.contains("BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE, BLOB_MOUNTING"), "{f:?}");
        let (_, f) = check(&Map::new());
        assert!(f.iter().all(|f| f.reason.starts_with("is required")), "{f:?}");
    }

    #[test]
    fn to_map_round_trips_through_parse() {
        let args = Args { name: "REGISTRY_POLICY_SCOPE".into(), value: "V1".into(), adopt: true };
        let m = args.to_map();
        assert_eq!(m.len(), 3);
        let (back, failures) = parse(&m);
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(back, Some(args));
    }
}
