//! The `awsecr:index:Registry` resource: the registry-wide settings of one
//! account and region, in groups that are each owned only when declared:
//! `scanning` (the registry scanning configuration), `replication` (the
//! replication rules), `signing` (managed signing's rules, the signing
//! configuration) and statements of the registry policy
//! (`replicationSourceAccounts`, `policyStatements`, each statement known by
//! its Sid: see `policy::registry`). A group never declared is never read
//! into a diff, never changed, never reset, so different stacks can own
//! different groups of one registry; removing a declared group resets it
//! (unless another Registry of the program declares it now: a hand-over).
//!
//! Calls: preview none; create reads the registry id (DescribeRegistry,
//! which also holds the replication rules), the registry policy when a
//! statement is declared, and, unless `adopt`, the scanning and signing
//! configurations (taking over a configuration that is there is refused),
//! all at once, then writes one call per owned group, all at once; read is
//! one call per owned group (every group on import), all at once; update
//! one call per owned group that changed (the registry policy a read and a
//! write: every write keeps the statements of others); delete resets each
//! owned group to AWS's default with one call (signing: its configuration
//! deleted; the registry policy: a read, then a write or a delete). A
//! replication destination added with `backfill: true` starts its backfill
//! right after the rules are written, and read refreshes the backfills not
//! yet ended beside the other reads (`backfill.rs`).
//!
//! Architecture invariant: a policy statement is ours only by its Sid; every
//! policy write goes through `write_policy`, which merges into the live one.

pub mod args;
pub mod backfill;

use std::collections::BTreeSet;

use aws_sdk_ecr::error::ProvideErrorMetadata;
use aws_sdk_ecr::operation::delete_registry_policy::DeleteRegistryPolicyError;
use aws_sdk_ecr::operation::delete_signing_configuration::DeleteSigningConfigurationError;
use aws_sdk_ecr::operation::get_registry_policy::GetRegistryPolicyError;
use aws_sdk_ecr::operation::get_signing_configuration::GetSigningConfigurationError;
use aws_sdk_ecr::operation::put_registry_policy::PutRegistryPolicyError;
use aws_sdk_ecr::types::{
    RegistryScanningRule, ReplicationConfiguration, ReplicationDestination, RepositoryFilter, RepositoryFilterType,
    ScanFrequency, ScanType, ScanningRepositoryFilter, ScanningRepositoryFilterType, SigningConfiguration,
    SigningRepositoryFilter, SigningRepositoryFilterType,
};
use tonic::Code;

use self::args::{Destination, RegistryArgs, ReplicationRule, Scanning, SigningRule, same_rules, same_signing};
use crate::call::{Ctx, Failed, Kind, aws, built, is, maybe};
use crate::config::ProviderConfig;
use crate::error::Subject;
use crate::error::{ProviderError, Result, policy_scope_refused};
use crate::names::*;
use crate::naming::NamingContext;
use crate::policy::registry::{
    MAX_REGISTRY_POLICY_LENGTH, Place, PolicyStatement, REPLICATION_SID, SID_PREFIX, SIZING_REGISTRY_ID,
    accounts_of_statement, beyond_v1, declared, find, foreign_length, merged, owned_sids, same_statement, sid_of,
    statements_of,
};
use crate::property::{Map, Value};
use crate::resource::{
    Claim, Compare, DefaultValue, DiffKind, DiffResult, Ignoring, Planned, Preview, Property, ReadResult, Resource,
    ResourceType, Sides, carry_secrets, diff_inputs, keep_secret_marks,
};
use crate::validate::Failure;

pub const TOKEN: &str = "awsecr:index:Registry";

/// Every property of the Registry, each defined once.
pub const PROPERTIES: &[Property] = &[
    Property::input(SCANNING)
        .compare(Compare::Semantic(|s| same_group(s, |a, b, _| both(&a.scanning, &b.scanning, Scanning::same_as))))
        .get(|x| of(x)?.scanning.as_ref().map(Scanning::to_value)),
    Property::input(REPLICATION)
        .compare(Compare::Semantic(|s| {
            same_group(s, |a, b, id| both(&a.replication, &b.replication, |x, y| same_rules(x, y, id)))
        }))
        .get(|x| of(x)?.replication.as_deref().map(args::replication_value)),
    Property::input(SIGNING)
        .compare(Compare::Semantic(|s| {
            same_group(s, |a, b, _| both(&a.signing, &b.signing, |x, y| same_signing(x, y)))
        }))
        .get(|x| of(x)?.signing.as_deref().map(args::signing_value)),
    Property::input(REPLICATION_SOURCE_ACCOUNTS)
        .compare(Compare::Semantic(|s| {
            same_group(s, |a, b, _| both(&a.source_accounts, &b.source_accounts, |x, y| same_accounts(x, y)))
        }))
        .get(|x| of(x)?.source_accounts.as_deref().map(args::strings)),
    Property::input(POLICY_STATEMENTS)
        .compare(Compare::Semantic(|s| {
            same_group(s, |a, b, _| both(&a.statements, &b.statements, |x, y| same_statement_lists(x, y)))
        }))
        .get(|x| of(x)?.statements.as_deref().map(args::statements_value)),
    Property::input(ADOPT).default(DefaultValue::Bool(false)).get(|x| Some(of(x)?.adopt.into())),
    Property::output(REGISTRY_ID, &[]).preview(Preview::Kept),
    // The region the calls go to ("" while none is in force).
    Property::output(REGION, &[])
        .preview(Preview::Derived(|p| Some(p.config.region_in_force().unwrap_or_default().into()))),
    // The policy merges the declared statements with the live ones of
    // others: known only once it is written.
    Property::output(REGISTRY_POLICY_TEXT, &[REPLICATION_SOURCE_ACCOUNTS, POLICY_STATEMENTS]).preview(
        Preview::Derived(|p| {
            let declares = |k: &str| !matches!(p.news.get(k).map(Value::plain), None | Some(Value::Null));
            (declares(REPLICATION_SOURCE_ACCOUNTS) || declares(POLICY_STATEMENTS)).then_some(Value::Unknown)
        }),
    ),
    // Known from the calls that start backfills.
    Property::output(REPLICATION_BACKFILLS, &[REPLICATION]).preview(Preview::Absent),
];

/// The Registry's typed arguments, for the getters of [`PROPERTIES`].
fn of(x: &dyn std::any::Any) -> Option<&RegistryArgs> {
    crate::resource::args_of(x)
}

/// The backfills a write starts, for messages.
const BACKFILLS: &str = "replication backfills";
/// The settings as claims name them (see [`Claims`](crate::resource::Claims)).
const SCANNING_SETTING: &str = "the registry's scanning";
const REPLICATION_SETTING: &str = "the registry's replication rules";
const SIGNING_SETTING: &str = "the registry's signing configuration";

fn statement_setting(sid: &str) -> String {
    format!("registry policy statement {sid}")
}

/// What a Registry declaring `args` owns account- and region-wide.
fn claims_of(args: &RegistryArgs) -> Vec<Claim> {
    let mut claims = Vec::new();
    if args.scanning.is_some() {
        claims.push(Claim { property: SCANNING, setting: SCANNING_SETTING.into() });
    }
    if args.replication.is_some() {
        claims.push(Claim { property: REPLICATION, setting: REPLICATION_SETTING.into() });
    }
    if args.signing.is_some() {
        claims.push(Claim { property: SIGNING, setting: SIGNING_SETTING.into() });
    }
    if args.source_accounts.is_some() {
        claims.push(Claim { property: REPLICATION_SOURCE_ACCOUNTS, setting: statement_setting(REPLICATION_SID) });
    }
    for st in args.statements.iter().flatten() {
        claims.push(Claim { property: POLICY_STATEMENTS, setting: statement_setting(&st.full_sid()) });
    }
    claims
}
/// The registry policy's statements of this resource, for messages.
const POLICY: &str = "registry policy statements";

/// The Registry resource.
pub struct RegistryResource;

/// Its entry in [`crate::resources::RESOURCES`].
pub const RESOURCE: ResourceType = ResourceType { token: TOKEN, properties: PROPERTIES, handler: &RegistryResource };

#[tonic::async_trait]
impl Resource for RegistryResource {
    fn check(&self, news: &Map, _: &Map, _: &NamingContext, config: &ProviderConfig) -> (Map, Vec<Failure>) {
        args::check(news, config)
    }

    fn diff(&self, olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult {
        let mut d = diff(olds, news, ignore_changes);
        crate::resource::follow_region(&mut d, olds, config, "the registry's settings");
        d
    }

    async fn create(&self, ctx: &Ctx<'_>, inputs: &Map, preview: bool) -> Result<(String, Map)> {
        if preview {
            let mut props = preview_outputs(ctx, inputs, None);
            let new = parse_group_args(inputs, ctx.config).map(|a| a.replication);
            backfill::preview(&mut props, Vec::new(), None, new.as_ref().map(Option::as_deref), "");
            carry_secrets(PROPERTIES, inputs, &mut props);
            return Ok((String::new(), props));
        }
        let args = known_args(inputs, ctx.config)?;
        // One round trip learns the registry id and, unless adopt, what the
        // owned groups hold; a second makes every owned group's write.
        let check = !args.adopt;
        let (registry, scanning, signing, policy) = tokio::join!(
            describe_registry(ctx),
            maybe((check && args.scanning.is_some()).then(|| read_scanning(ctx))),
            maybe((check && args.signing.is_some()).then(|| read_signing(ctx))),
            maybe(owns_policy(&args).then(|| read_policy(ctx))),
        );
        let (registry_id, rules_in_force) = registry?;
        refuse_self_replication(ctx, &args, &registry_id)?;
        let live = policy.transpose()?.flatten();
        let found = Found {
            scanning: scanning.transpose()?,
            rules: (check && args.replication.is_some()).then_some(rules_in_force.as_slice()),
            signing: signing.transpose()?,
            live_policy: live.as_deref(),
            sids: if check {
                owned_sids(args.source_accounts.as_deref(), args.statements.as_deref())
            } else {
                BTreeSet::new()
            },
        };
        found.refuse(ctx, &registry_id)?;
        let old = RegistryArgs { adopt: args.adopt, ..Default::default() };
        // A destination ECR's rules already have (adopt) is not added.
        let plan = backfill::Plan {
            records: Vec::new(),
            added: backfill::added(Some(&rules_in_force), args.replication.as_deref(), &registry_id),
        };
        apply(ctx, &registry_id, &old, Seen::Fresh(live), &args, inputs, plan, true)
            .await
            .map(|props| (id_of(ctx, &registry_id), props))
    }

    async fn read(&self, ctx: &Ctx<'_>, id: &str, olds: &Map, old_inputs: &Map) -> Result<Option<ReadResult>> {
        let registry_id = registry_of_id(ctx, id)?;
        let importing = olds.is_empty() && old_inputs.is_empty();
        let old = old_args(olds, old_inputs, ctx.config);
        // Every owned group (every group, on import) is read at once, and
        // beside them the backfills this resource started that have not ended.
        let (scanning, registry, signing, policy, backfills) = tokio::join!(
            maybe((importing || old.scanning.is_some()).then(|| read_scanning(ctx))),
            maybe((importing || old.replication.is_some()).then(|| describe_registry(ctx))),
            maybe((importing || old.signing.is_some()).then(|| read_signing(ctx))),
            maybe((importing || owns_policy(&old)).then(|| read_policy(ctx))),
            backfill::refresh(ctx, backfill::of_state(olds)),
        );
        let mut found = RegistryArgs { adopt: old.adopt, ..Default::default() };
        if let Some(scanning) = scanning.transpose()? {
            found.scanning = match &old.scanning {
                Some(o) if o.same_as(&scanning) => Some(o.clone()),
                Some(_) => {
                    drift(ctx, &registry_id, SCANNING).await;
                    Some(scanning)
                }
                None => (!scanning.is_default()).then_some(scanning),
            };
        }
        if let Some((reached, rules)) = registry.transpose()? {
            // An id naming another account than the credentials' registry
            // would record that account's id over this one's settings.
            if importing && reached != registry_id {
                return Err(ProviderError::invalid(format!(
                    "registry \"{id}\" names account {registry_id}, but the provider's credentials reach the registry of account {reached}; import {reached}/{} with these credentials, or configure the provider with credentials of account {registry_id}",
                    ctx.region()
                )));
            }
            let rules = in_own_words(rules, &registry_id);
            found.replication = match &old.replication {
                Some(o) if same_rules(o, &rules, &registry_id) => Some(o.clone()),
                Some(o) => {
                    drift(ctx, &registry_id, REPLICATION).await;
                    Some(backfill_flags_kept(rules, o))
                }
                None if importing => (!rules.is_empty()).then_some(rules),
                None => None,
            };
        }
        if let Some(rules) = signing.transpose()? {
            found.signing = match &old.signing {
                Some(o) if same_signing(o, &rules) => Some(o.clone()),
                Some(_) => {
                    drift(ctx, &registry_id, SIGNING).await;
                    Some(rules)
                }
                None => (!rules.is_empty()).then_some(rules),
            };
        }
        let policy = policy.transpose()?;
        if let Some(live) = &policy {
            read_statements(ctx, &registry_id, live.as_deref(), &old, importing, &mut found).await;
        }
        let mut inputs = found.to_map();
        let mut props = outputs(ctx, &found, &registry_id, policy.flatten());
        backfill::insert(
            &mut props,
            &backfill::kept(backfills?, Vec::new(), found.replication.as_deref(), &registry_id),
        );
        keep_secret_marks(&mut inputs, olds, old_inputs);
        carry_secrets(PROPERTIES, &inputs, &mut props);
        Ok(Some(ReadResult { id: id.to_string(), outputs: props, inputs }))
    }

    async fn update(&self, ctx: &Ctx<'_>, olds: &Map, news: &Map, preview: bool) -> Result<Map> {
        let registry_id = olds.get(REGISTRY_ID).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));
        if preview {
            return Ok(update_preview(ctx, olds, news, registry_id.as_deref()));
        }
        let registry_id = registry_id.ok_or_else(|| {
            ProviderError::new(
                Code::FailedPrecondition,
                "the state of the registry has no registryId; run `pulumi refresh` first",
            )
        })?;
        let args = known_args(news, ctx.config)?;
        let old = old_args(olds, &Map::new(), ctx.config);
        refuse_self_replication(ctx, &args, &registry_id)?;
        let applied_policy =
            olds.get(REGISTRY_POLICY_TEXT).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));

        // A group declared now and not before is taken over: refused when
        // something is there, unless adopt. Those reads go out at once. The
        // rules are read with adopt too when a destination opts in to a
        // backfill: one they already have is not added.
        let check = !args.adopt;
        let new_rules = args.replication.is_some() && old.replication.is_none();
        let (scanning, registry, signing, policy) = tokio::join!(
            maybe((check && args.scanning.is_some() && old.scanning.is_none()).then(|| read_scanning(ctx))),
            maybe((new_rules && (check || backfill::opts_in(&args))).then(|| describe_registry(ctx))),
            maybe((check && args.signing.is_some() && old.signing.is_none()).then(|| read_signing(ctx))),
            maybe((check && newly_owned_sids(&old, &args)).then(|| read_policy(ctx))),
        );
        let rules_in_force = registry.transpose()?.map(|(_, rules)| rules);
        let fresh = policy.transpose()?;
        let found = Found {
            scanning: scanning.transpose()?,
            rules: rules_in_force.as_deref().filter(|_| check),
            signing: signing.transpose()?,
            live_policy: fresh.as_ref().and_then(Option::as_deref),
            sids: match &fresh {
                Some(_) => {
                    let old_sids = owned_sids(old.source_accounts.as_deref(), old.statements.as_deref());
                    owned_sids(args.source_accounts.as_deref(), args.statements.as_deref())
                        .difference(&old_sids)
                        .cloned()
                        .collect()
                }
                None => BTreeSet::new(),
            },
        };
        found.refuse(ctx, &registry_id)?;
        let seen = match fresh {
            Some(live) => Seen::Fresh(live),
            None => Seen::Stale(applied_policy),
        };
        let before = old.replication.as_deref().or(rules_in_force.as_deref());
        let plan = backfill::Plan {
            records: backfill::of_state(olds),
            added: backfill::added(before, args.replication.as_deref(), &registry_id),
        };
        apply(ctx, &registry_id, &old, seen, &args, news, plan, false).await
    }

    fn claims(&self, inputs: &Map) -> Vec<Claim> {
        parse_group_args(inputs, &ProviderConfig::default()).map(|a| claims_of(&a)).unwrap_or_default()
    }

    async fn delete(&self, ctx: &Ctx<'_>, id: &str, olds: &Map) -> Result<()> {
        let registry_id = registry_of_id(ctx, id)?;
        let mut old = old_args(olds, &Map::new(), ctx.config);
        // What another Registry of this provider declares now (a hand-over
        // inside one program) is its to keep: not reset here.
        let others = |setting: &str| ctx.claims.other_owner(ctx.region(), setting, ctx.urn).is_some();
        if others(SCANNING_SETTING) {
            old.scanning = None;
        }
        if others(REPLICATION_SETTING) {
            old.replication = None;
        }
        if others(SIGNING_SETTING) {
            old.signing = None;
        }
        let mut sids = owned_sids(old.source_accounts.as_deref(), old.statements.as_deref());
        sids.retain(|sid| !others(&statement_setting(sid)));
        // Each owned group back to AWS's default, all at once; whatever fails
        // keeps the resource in the state, and deleting again finishes.
        let default = default_scanning();
        let (scanning, replication, signing, policy) = tokio::join!(
            maybe(old.scanning.is_some().then(|| put_scanning(ctx, &default))),
            maybe(old.replication.is_some().then(|| put_replication(ctx, &[], &registry_id))),
            maybe(old.signing.is_some().then(|| delete_signing(ctx))),
            maybe((owns_policy(&old) && !sids.is_empty()).then_some(async {
                let live = read_policy(ctx).await?;
                write_policy(ctx, &registry_id, live, &sids, &[]).await
            })),
        );
        scanning.transpose()?;
        replication.transpose()?;
        signing.transpose()?;
        policy.transpose()?;
        Ok(())
    }
}

/// The outputs an update would give, at preview (no call): the backfills
/// the new replication rules would start.
fn update_preview(ctx: &Ctx<'_>, olds: &Map, news: &Map, registry_id: Option<&str>) -> Map {
    let mut props = preview_outputs(ctx, news, registry_id);
    let old = old_args(olds, &Map::new(), ctx.config);
    let new = parse_group_args(news, ctx.config).map(|a| a.replication);
    let records = backfill::of_state(olds);
    let registry_id = registry_id.unwrap_or_default();
    backfill::preview(&mut props, records, old.replication.as_deref(), new.as_ref().map(Option::as_deref), registry_id);
    carry_secrets(PROPERTIES, news, &mut props);
    props
}

/// Writes every group that differs between `old` and `new`, all at once.
/// The registry policy is compared in `seen`: as just read (`Fresh`) or as
/// the state last saw it (`Stale`, read again before any write), and every
/// write is the live document with this resource's statements replaced.
/// A replication destination this write adds with `backfill: true` starts
/// its backfill as soon as the rules are written; `backfills`: which (the
/// destinations added) and the records the state has.
/// Returns the outputs; when a write fails, an error carrying the state ECR
/// holds now: each group new where its write succeeded, old where it failed.
#[allow(clippy::too_many_arguments)]
async fn apply(
    ctx: &Ctx<'_>,
    registry_id: &str,
    old: &RegistryArgs,
    seen: Seen,
    new: &RegistryArgs,
    inputs: &Map,
    backfills: backfill::Plan,
    creating: bool,
) -> Result<Map> {
    let writes = Writes::of(ctx, registry_id, old, new, seen.text());
    let backfill::Plan { records, added } = backfills;
    let Writes { scanning, replication, signing, sids, wanted, policy_differs, seen_text } = writes;
    let (scanning_result, replication_result, signing_result, policy_result) = tokio::join!(
        maybe(scanning.as_ref().map(|s| put_scanning(ctx, s))),
        maybe(replication.as_ref().map(|r| async {
            put_replication(ctx, r, registry_id).await?;
            Ok::<_, ProviderError>(backfill::start(ctx, &added).await)
        })),
        maybe(signing.as_ref().map(|r| async {
            match r {
                Some(rules) => put_signing(ctx, rules).await,
                None => delete_signing(ctx).await,
            }
        })),
        maybe(policy_differs.then_some(async {
            let live = match &seen {
                Seen::Fresh(live) => live.clone(),
                Seen::Stale(_) => read_policy(ctx).await?,
            };
            write_policy(ctx, registry_id, live, &sids, &wanted).await
        })),
    );
    let mut held = Held {
        args: RegistryArgs { adopt: new.adopt, ..old.clone() },
        policy: seen_text,
        started: Vec::new(),
        failed: Failed::default(),
    };
    held.scanning(new, scanning_result);
    held.replication(new, replication_result);
    held.signing(new, signing_result);
    held.policy(new, policy_result);
    let Held { args: held, policy, started, failed } = held;
    let mut props = outputs(ctx, &held, registry_id, policy);
    backfill::insert(&mut props, &backfill::kept(records, started, held.replication.as_deref(), registry_id));
    carry_secrets(PROPERTIES, inputs, &mut props);
    match failed.reason() {
        None => Ok(props),
        Some((reason, code)) => {
            let verb = if creating { "apply" } else { "update" };
            Err(ProviderError::InitFailed {
                id: id_of(ctx, registry_id),
                properties: props,
                inputs: inputs.clone(),
                reason: format!("could not {verb} the registry's {reason}"),
                code,
            })
        }
    }
}

/// What `apply` writes: each group that differs (`None`: no write), and
/// the registry policy's statements this resource owns.
struct Writes {
    scanning: Option<Scanning>,
    replication: Option<Vec<ReplicationRule>>,
    /// The declared rules written, or, when the group is dropped, the
    /// configuration deleted (`None` inside: AWS's default, none).
    signing: Option<Option<Vec<SigningRule>>>,
    /// The sids owned before or now (less those another resource of the
    /// program claims now), and the statements declared.
    sids: BTreeSet<String>,
    wanted: Vec<serde_json::Value>,
    /// Whether an owned statement differs from the declared one in the
    /// policy seen.
    policy_differs: bool,
    seen_text: Option<String>,
}

impl Writes {
    fn of(
        ctx: &Ctx<'_>,
        registry_id: &str,
        old: &RegistryArgs,
        new: &RegistryArgs,
        seen_text: Option<String>,
    ) -> Writes {
        // A group dropped here that another resource of the program declares
        // now is handed over, not reset.
        let others = |setting: &str| ctx.claims.other_owner(ctx.region(), setting, ctx.urn).is_some();
        let scanning = match (&old.scanning, &new.scanning) {
            (_, Some(s)) if old.scanning.as_ref().is_none_or(|o| !o.same_as(s)) => Some(s.clone()),
            (Some(_), None) if !others(SCANNING_SETTING) => Some(default_scanning()),
            _ => None,
        };
        let replication = match (&old.replication, &new.replication) {
            (_, Some(r)) if old.replication.as_ref().is_none_or(|o| !same_rules(o, r, registry_id)) => Some(r.clone()),
            (Some(_), None) if !others(REPLICATION_SETTING) => Some(Vec::new()),
            _ => None,
        };
        let signing = match (&old.signing, &new.signing) {
            (_, Some(r)) if old.signing.as_ref().is_none_or(|o| !same_signing(o, r)) => Some(Some(r.clone())),
            (Some(_), None) if !others(SIGNING_SETTING) => Some(None),
            _ => None,
        };
        let place = place_of(ctx, registry_id);
        let wanted = declared(new.source_accounts.as_deref(), new.statements.as_deref(), place);
        let mut sids = owned_sids(old.source_accounts.as_deref(), old.statements.as_deref());
        sids.retain(|sid| !others(&statement_setting(sid)));
        sids.extend(owned_sids(new.source_accounts.as_deref(), new.statements.as_deref()));
        let seen_statements = seen_text.as_deref().and_then(statements_of).unwrap_or_default();
        let policy_differs = sids.iter().any(|sid| match (find(&seen_statements, sid), find(&wanted, sid)) {
            (Some(a), Some(b)) => !same_statement(a, b),
            (None, None) => false,
            _ => true,
        });
        Writes { scanning, replication, signing, sids, wanted, policy_differs, seen_text }
    }
}

/// What ECR holds after `apply`'s writes: each group new where its write
/// succeeded (or none was needed), old where it failed, and the failures.
struct Held {
    args: RegistryArgs,
    policy: Option<String>,
    started: Vec<backfill::Backfill>,
    failed: Failed,
}

impl Held {
    fn scanning(&mut self, new: &RegistryArgs, result: Option<Result<()>>) {
        match result {
            Some(Err(e)) => self.failed.add(SCANNING, e),
            _ => self.args.scanning = new.scanning.clone(),
        }
    }

    fn replication(&mut self, new: &RegistryArgs, result: Option<Result<Vec<Result<backfill::Backfill>>>>) {
        match result {
            Some(Err(e)) => self.failed.add(REPLICATION, e),
            Some(Ok(starts)) => {
                self.args.replication = new.replication.clone();
                for start in starts {
                    match start {
                        Ok(b) => self.started.push(b),
                        Err(e) => self.failed.add(BACKFILLS, e),
                    }
                }
            }
            None => self.args.replication = new.replication.clone(),
        }
    }

    fn signing(&mut self, new: &RegistryArgs, result: Option<Result<()>>) {
        match result {
            Some(Err(e)) => self.failed.add(SIGNING, e),
            _ => self.args.signing = new.signing.clone(),
        }
    }

    fn policy(&mut self, new: &RegistryArgs, result: Option<Result<Option<String>>>) {
        if let Some(Err(e)) = result {
            self.failed.add(POLICY, e);
            return;
        }
        self.args.source_accounts = new.source_accounts.clone();
        self.args.statements = new.statements.clone();
        if let Some(Ok(text)) = result {
            self.policy = text;
        }
    }
}

// ---------------------------------------------------------------- diff

/// Diffs old outputs against checked new inputs: each group by meaning
/// (order of filters, destinations and rules aside).
pub fn diff(olds: &Map, news: &Map, ignore_changes: &[String]) -> DiffResult {
    let ignoring = Ignoring::new(olds, news, ignore_changes);
    let old = parse_group_args(olds, &ProviderConfig::default());
    let mut out = diff_inputs(PROPERTIES, olds, &ignoring);
    // A registry policy edited into something the account list cannot
    // express: its text is what changes.
    if !ignoring.ignores(REPLICATION_SOURCE_ACCOUNTS)
        && old.as_ref().is_some_and(|o| o.source_accounts.is_some())
        && let Some(Value::String(applied)) = olds.get(REGISTRY_POLICY_TEXT).map(Value::plain)
        && let Some(statements) = statements_of(&applied)
        && find(&statements, REPLICATION_SID).is_some_and(|st| accounts_of_statement(st).is_none())
    {
        out.change(REGISTRY_POLICY_TEXT, DiffKind::Update);
    }
    out
}

/// A group compared by meaning (`same`, given the registry id) when both
/// sides parse; as plain values when either does not.
fn same_group(s: &Sides<'_>, same: fn(&RegistryArgs, &RegistryArgs, &str) -> bool) -> bool {
    let config = ProviderConfig::default();
    match (parse_group_args(s.olds, &config), parse_group_args(s.news, &config)) {
        (Some(a), Some(b)) => {
            let registry_id = s.olds.get(REGISTRY_ID).map(Value::plain);
            same(&a, &b, registry_id.as_ref().and_then(Value::as_str).unwrap_or_default())
        }
        _ => s.old == s.new,
    }
}

/// Both groups declared and the same by `same`, or both not declared.
fn both<T>(x: &Option<T>, y: &Option<T>, same: impl Fn(&T, &T) -> bool) -> bool {
    match (x, y) {
        (Some(x), Some(y)) => same(x, y),
        (x, y) => x.is_none() && y.is_none(),
    }
}

/// The group arguments of a map of inputs or outputs (output keys dropped),
/// `None` when they do not parse (unknowns).
fn parse_group_args(m: &Map, config: &ProviderConfig) -> Option<RegistryArgs> {
    let inputs: Map = m
        .iter()
        .filter(|(k, _)| PROPERTIES.iter().any(|p| p.input && p.name == k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    args::parse(&inputs, config).0
}

/// The groups the old state owns: from its inputs when there are any, else
/// from its outputs (which hold every input).
fn old_args(olds: &Map, old_inputs: &Map, config: &ProviderConfig) -> RegistryArgs {
    let source = if old_inputs.is_empty() { olds } else { old_inputs };
    parse_group_args(source, config).unwrap_or_default()
}

/// The registry policy as compared before a write: just read, or as the
/// state last saw it (then read again before writing).
enum Seen {
    Fresh(Option<String>),
    Stale(Option<String>),
}

impl Seen {
    fn text(&self) -> Option<String> {
        match self {
            Seen::Fresh(t) | Seen::Stale(t) => t.clone(),
        }
    }
}

/// Whether the resource owns statements of the registry policy.
fn owns_policy(args: &RegistryArgs) -> bool {
    args.source_accounts.is_some() || args.statements.is_some()
}

/// Whether `new` declares a statement `old` did not own: one found in the
/// live policy is then taken over (refused unless adopt).
fn newly_owned_sids(old: &RegistryArgs, new: &RegistryArgs) -> bool {
    let old_sids = owned_sids(old.source_accounts.as_deref(), old.statements.as_deref());
    owned_sids(new.source_accounts.as_deref(), new.statements.as_deref()).iter().any(|s| !old_sids.contains(s))
}

/// What the live policy already holds under the `Sid`s to be owned, each as
/// the refusal names it (with its JSON, shortened).
fn statements_taken(live: Option<&str>, sids: &BTreeSet<String>) -> Vec<String> {
    let statements = live.and_then(statements_of).unwrap_or_default();
    sids.iter()
        .filter_map(|sid| find(&statements, sid))
        .map(|st| {
            let mut text = st.to_string();
            if text.len() > 300 {
                let cut = (0..=300).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
                text.truncate(cut);
                text.push_str("...");
            }
            format!("a registry policy statement {} ({text})", sid_of(st).unwrap_or_default())
        })
        .collect()
}

/// Refresh and import of the registry policy's statements this resource
/// owns (on import: every statement with the prefix), into `found`.
async fn read_statements(
    ctx: &Ctx<'_>,
    registry_id: &str,
    live: Option<&str>,
    old: &RegistryArgs,
    importing: bool,
    found: &mut RegistryArgs,
) {
    let statements = live.and_then(statements_of).unwrap_or_default();
    if importing || old.source_accounts.is_some() {
        found.source_accounts = source_accounts_of(ctx, registry_id, &statements, old, importing).await;
    }
    let place = place_of(ctx, registry_id);
    if importing {
        let ours: Vec<PolicyStatement> = statements
            .iter()
            .filter_map(|st| {
                let sid = sid_of(st)?.strip_prefix(SID_PREFIX)?;
                (sid_of(st) != Some(REPLICATION_SID) && !sid.is_empty())
                    .then(|| PolicyStatement::from_json(sid, st))
                    .flatten()
            })
            .collect();
        found.statements = (!ours.is_empty()).then_some(ours);
    } else if let Some(declared) = &old.statements {
        let mut kept = Vec::new();
        for st in declared {
            match find(&statements, &st.full_sid()) {
                Some(live) if same_statement(live, &st.to_json(place)) => kept.push(st.clone()),
                Some(live) => {
                    drift(ctx, registry_id, &format!("registry policy statement {}", st.full_sid())).await;
                    kept.extend(PolicyStatement::from_json(&st.sid, live));
                }
                None => drift(ctx, registry_id, &format!("registry policy statement {}", st.full_sid())).await,
            }
        }
        found.statements = Some(kept);
    }
}

/// `replicationSourceAccounts` as the live policy's replication statement
/// says (the declared spelling kept while the meaning is the same), with a
/// warning of drift.
async fn source_accounts_of(
    ctx: &Ctx<'_>,
    registry_id: &str,
    statements: &[serde_json::Value],
    old: &RegistryArgs,
    importing: bool,
) -> Option<Vec<String>> {
    match find(statements, REPLICATION_SID) {
        None if importing => None,
        None => {
            if old.source_accounts.as_ref().is_some_and(|a| !a.is_empty()) {
                drift(ctx, registry_id, REPLICATION_SOURCE_ACCOUNTS).await;
            }
            Some(Vec::new())
        }
        Some(st) => match accounts_of_statement(st) {
            Some(accounts) => match &old.source_accounts {
                Some(o) if same_accounts(o, &accounts) => Some(o.clone()),
                Some(_) => {
                    drift(ctx, registry_id, REPLICATION_SOURCE_ACCOUNTS).await;
                    Some(accounts)
                }
                None => Some(accounts),
            },
            None => {
                ctx.warn(format!(
                    "the registry policy statement {REPLICATION_SID} of ECR registry {registry_id} was changed into something replicationSourceAccounts cannot express; it shows as it is in registryPolicyText, and the next `pulumi up` puts back the declared one"
                ))
                .await;
                old.source_accounts.clone()
            }
        },
    }
}

/// Two lists of declared statements that write the same statements (order
/// aside; a statement as JSON and its typed form are the same).
fn same_statement_lists(a: &[PolicyStatement], b: &[PolicyStatement]) -> bool {
    let place = Place { partition: "aws", region: "us-east-1", registry_id: SIZING_REGISTRY_ID };
    a.len() == b.len()
        && a.iter().all(|x| b.iter().any(|y| y.sid == x.sid && same_statement(&x.to_json(place), &y.to_json(place))))
}

fn same_accounts(a: &[String], b: &[String]) -> bool {
    let set = |v: &[String]| v.iter().cloned().collect::<std::collections::BTreeSet<_>>();
    set(a) == set(b)
}

// ---------------------------------------------------------------- outputs

fn outputs(ctx: &Ctx<'_>, args: &RegistryArgs, registry_id: &str, policy: Option<String>) -> Map {
    let mut m = args.to_map();
    m.insert(REGISTRY_ID.into(), registry_id.into());
    m.insert(REGION.into(), ctx.region().into());
    if let Some(text) = policy.filter(|_| owns_policy(args)) {
        m.insert(REGISTRY_POLICY_TEXT.into(), text.into());
    }
    m
}

fn preview_outputs(ctx: &Ctx<'_>, news: &Map, registry_id: Option<&str>) -> Map {
    // What the state holds that a preview keeps (`Preview::Kept`).
    let olds = registry_id.map(|id| Map::from([(REGISTRY_ID.to_string(), Value::from(id))]));
    crate::resource::preview_outputs_with_secrets(
        PROPERTIES,
        &Planned { news, olds: olds.as_ref(), config: ctx.config },
    )
}

// ---------------------------------------------------------------- calls

/// Where this registry's statements are written.
fn place_of<'a>(ctx: &'a Ctx<'_>, registry_id: &'a str) -> Place<'a> {
    Place { partition: ctx.partition(), region: ctx.region(), registry_id }
}

fn id_of(ctx: &Ctx<'_>, registry_id: &str) -> String {
    format!("{registry_id}/{}", ctx.region())
}

/// The registry (account) id of a resource id `<registryId>/<region>`, which
/// must be the provider's region.
fn registry_of_id(ctx: &Ctx<'_>, id: &str) -> Result<String> {
    let (registry_id, region_of_id) = id.split_once('/').unwrap_or((id, ""));
    if !crate::partition::is_account_id(registry_id) || region_of_id.is_empty() {
        return Err(ProviderError::invalid(format!(
            "\"{id}\" is not a registry id: it is <registryId>/<region>, e.g. 123456789012/us-east-1"
        )));
    }
    if region_of_id != ctx.region() {
        return Err(ProviderError::invalid(format!(
            "registry \"{id}\" is in {region_of_id}, but the provider manages {}; use a provider for {region_of_id} (awsecr:region)",
            ctx.region()
        )));
    }
    Ok(registry_id.to_string())
}

fn known_args(inputs: &Map, config: &ProviderConfig) -> Result<RegistryArgs> {
    crate::resource::known_args(args::parse(inputs, config))
}

/// A destination in this very registry (its region, its account) is refused:
/// a registry cannot replicate to itself.
fn refuse_self_replication(ctx: &Ctx<'_>, args: &RegistryArgs, registry_id: &str) -> Result<()> {
    for (i, rule) in args.replication.iter().flatten().enumerate() {
        for (j, d) in rule.destinations.iter().enumerate() {
            if d.region == ctx.region() && d.registry_id.as_deref().is_none_or(|id| id == registry_id) {
                return Err(ProviderError::invalid(format!(
                    "replication[{i}].destinations[{j}] is this registry itself ({registry_id} in {}); a registry cannot replicate to itself",
                    d.region
                )));
            }
        }
    }
    Ok(())
}

/// What a take-over would overwrite, as read before the first write of a
/// group this resource comes to own (never with `adopt`): scanning that is
/// not the default, replication and signing rules, and statements under the
/// Sids it comes to own. Create and update both refuse through [`Found::refuse`].
struct Found<'a> {
    scanning: Option<Scanning>,
    rules: Option<&'a [ReplicationRule]>,
    signing: Option<Vec<SigningRule>>,
    live_policy: Option<&'a str>,
    sids: BTreeSet<String>,
}

impl Found<'_> {
    /// The refusal naming everything found, or `Ok` when nothing is there.
    fn refuse(self, ctx: &Ctx<'_>, registry_id: &str) -> Result<()> {
        let mut found = Vec::new();
        found.extend(self.scanning.filter(|s| !s.is_default()).map(|s| describe_scanning(&s)));
        found.extend(self.rules.filter(|r| !r.is_empty()).map(describe_rules));
        found.extend(self.signing.filter(|r| !r.is_empty()).map(|r| describe_signing(&r)));
        found.extend(statements_taken(self.live_policy, &self.sids));
        if found.is_empty() { Ok(()) } else { Err(taken(ctx, registry_id, &found)) }
    }
}

/// The answer when a group to be owned already holds a configuration.
fn taken(ctx: &Ctx<'_>, registry_id: &str, found: &[String]) -> ProviderError {
    ProviderError::new(
        Code::FailedPrecondition,
        format!(
            "ECR registry {registry_id} in {} already has {} that this stack did not make; to manage it as it is, import it (pulumi import {TOKEN} {} {}) and declare it, or set adopt: true to replace it with what is declared",
            ctx.region(),
            found.join(" and "),
            ctx.resource_name(),
            id_of(ctx, registry_id)
        ),
    )
}

fn describe_scanning(s: &Scanning) -> String {
    let mut parts = vec![s.scan_type().to_string()];
    if !s.scan_on_push.is_empty() {
        parts.push(format!("scan on push: {}", s.scan_on_push.join(", ")));
    }
    if !s.continuous.is_empty() {
        parts.push(format!("continuous: {}", s.continuous.join(", ")));
    }
    format!("a scanning configuration ({})", parts.join("; "))
}

fn describe_rules(rules: &[ReplicationRule]) -> String {
    let to: Vec<String> = rules
        .iter()
        .flat_map(|r| &r.destinations)
        .map(|d| match &d.registry_id {
            Some(id) => format!("{}/{id}", d.region),
            None => d.region.clone(),
        })
        .collect();
    format!("{} replication rule(s) (to {})", rules.len(), to.join(", "))
}

fn describe_signing(rules: &[SigningRule]) -> String {
    let each: Vec<String> = rules
        .iter()
        .map(|r| {
            let name = r.profile_arn.rsplit('/').next().unwrap_or(&r.profile_arn);
            if r.repository_filters.is_empty() {
                format!("{name} for every repository")
            } else {
                format!("{name} for {}", r.repository_filters.join(", "))
            }
        })
        .collect();
    format!("a signing configuration of {} rule(s) ({})", rules.len(), each.join("; "))
}

async fn drift(ctx: &Ctx<'_>, registry_id: &str, group: &str) {
    ctx.warn(format!(
        "the {group} of ECR registry {registry_id} was changed outside Pulumi; refresh shows it as it is, and the next `pulumi up` restores the declared one"
    ))
    .await;
}

fn default_scanning() -> Scanning {
    Scanning { enhanced: false, scan_on_push: vec![], continuous: vec![] }
}

/// Rules as the inputs spell them: a destination in the registry's own
/// account has no registryId.
fn in_own_words(rules: Vec<ReplicationRule>, registry_id: &str) -> Vec<ReplicationRule> {
    rules
        .into_iter()
        .map(|mut r| {
            for d in &mut r.destinations {
                if d.registry_id.as_deref() == Some(registry_id) {
                    d.registry_id = None;
                }
            }
            r
        })
        .collect()
}

/// Rules read from ECR with the `backfill` opt-in of the destinations
/// `declared` has too (ECR has no such field: it is only ever an input).
fn backfill_flags_kept(mut rules: Vec<ReplicationRule>, declared: &[ReplicationRule]) -> Vec<ReplicationRule> {
    let opted: Vec<&Destination> = declared.iter().flat_map(|r| &r.destinations).filter(|d| d.backfill).collect();
    for d in rules.iter_mut().flat_map(|r| &mut r.destinations) {
        d.backfill = opted.iter().any(|o| o.region == d.region && o.registry_id == d.registry_id);
    }
    rules
}

/// DescribeRegistry: the registry's id and its replication rules.
async fn describe_registry(ctx: &Ctx<'_>) -> Result<(String, Vec<ReplicationRule>)> {
    let resp =
        ctx.send(Kind::Read, "ecr:DescribeRegistry", Subject::Registry, ctx.client.describe_registry().send()).await?;
    let rules = resp.replication_configuration().map(|c| c.rules().iter().map(replication_rule_of).collect());
    Ok((resp.registry_id().unwrap_or_default().to_string(), rules.unwrap_or_default()))
}

/// A replication rule as ECR answers it (no destination asks for a backfill).
fn replication_rule_of(r: &aws_sdk_ecr::types::ReplicationRule) -> ReplicationRule {
    let destination = |d: &aws_sdk_ecr::types::ReplicationDestination| Destination {
        region: d.region().to_string(),
        registry_id: Some(d.registry_id().to_string()),
        backfill: false,
    };
    ReplicationRule {
        destinations: r.destinations().iter().map(destination).collect(),
        repository_prefixes: r.repository_filters().iter().map(|f| f.filter().to_string()).collect(),
    }
}

async fn read_scanning(ctx: &Ctx<'_>) -> Result<Scanning> {
    let req = ctx.client.get_registry_scanning_configuration();
    let resp = ctx.send(Kind::Read, "ecr:GetRegistryScanningConfiguration", Subject::Registry, req.send()).await?;
    let mut scanning = default_scanning();
    if let Some(c) = resp.scanning_configuration() {
        scanning.enhanced = c.scan_type() == Some(&ScanType::Enhanced);
        for rule in c.rules() {
            let filters = rule.repository_filters().iter().map(|f| f.filter().to_string());
            match rule.scan_frequency() {
                ScanFrequency::ScanOnPush => scanning.scan_on_push.extend(filters),
                ScanFrequency::ContinuousScan => scanning.continuous.extend(filters),
                // MANUAL: nothing is scanned by itself, as with no rule.
                _ => {}
            }
        }
    }
    Ok(scanning)
}

/// GetSigningConfiguration: the rules in force (none when the registry has
/// no signing configuration).
async fn read_signing(ctx: &Ctx<'_>) -> Result<Vec<SigningRule>> {
    let gone = GetSigningConfigurationError::is_signing_configuration_not_found_exception;
    let req = ctx.client.get_signing_configuration();
    let found = ctx.read_or_none("ecr:GetSigningConfiguration", Subject::Registry, gone, req.send()).await?;
    let rules = found
        .as_ref()
        .and_then(|resp| resp.signing_configuration())
        .map(|c| c.rules().iter().map(signing_rule_of).collect());
    Ok(rules.unwrap_or_default())
}

/// A signing rule as ECR answers it.
fn signing_rule_of(r: &aws_sdk_ecr::types::SigningRule) -> SigningRule {
    SigningRule {
        profile_arn: r.signing_profile_arn().to_string(),
        repository_filters: r.repository_filters().iter().map(|f| f.filter().to_string()).collect(),
    }
}

/// PutSigningConfiguration: the whole configuration replaced by `rules`.
async fn put_signing(ctx: &Ctx<'_>, rules: &[SigningRule]) -> Result<()> {
    let filter = |f: &String| {
        built(
            "signing repository filter",
            SigningRepositoryFilter::builder()
                .filter(f)
                .filter_type(SigningRepositoryFilterType::WildcardMatch)
                .build(),
        )
    };
    let rule = |r: &SigningRule| {
        let filters = r.repository_filters.iter().map(filter).collect::<Result<Vec<_>>>()?;
        built(
            "signing rule",
            aws_sdk_ecr::types::SigningRule::builder()
                .signing_profile_arn(&r.profile_arn)
                .set_repository_filters((!filters.is_empty()).then_some(filters))
                .build(),
        )
    };
    let rules = rules.iter().map(rule).collect::<Result<Vec<_>>>()?;
    let config = built("signing configuration", SigningConfiguration::builder().set_rules(Some(rules)).build())?;
    let req = ctx.client.put_signing_configuration().signing_configuration(config);
    ctx.send(Kind::Write, "ecr:PutSigningConfiguration", Subject::Registry, req.send()).await?;
    Ok(())
}

/// DeleteSigningConfiguration: AWS's default (no managed signing); none
/// there already counts as done.
async fn delete_signing(ctx: &Ctx<'_>) -> Result<()> {
    crate::call::delete(
        ctx,
        "ecr:DeleteSigningConfiguration",
        Subject::Registry,
        DeleteSigningConfigurationError::is_signing_configuration_not_found_exception,
        ctx.client.delete_signing_configuration().send(),
    )
    .await
}

async fn read_policy(ctx: &Ctx<'_>) -> Result<Option<String>> {
    let gone = GetRegistryPolicyError::is_registry_policy_not_found_exception;
    let req = ctx.client.get_registry_policy();
    let found = ctx.read_or_none("ecr:GetRegistryPolicy", Subject::Registry, gone, req.send()).await?;
    Ok(found.and_then(|p| p.policy_text().map(str::to_string)))
}

async fn put_scanning(ctx: &Ctx<'_>, s: &Scanning) -> Result<()> {
    let filter = |f: &String| {
        built(
            "scanning repository filter",
            ScanningRepositoryFilter::builder().filter(f).filter_type(ScanningRepositoryFilterType::Wildcard).build(),
        )
    };
    let rule = |frequency: ScanFrequency, filters: &[String]| -> Result<Option<RegistryScanningRule>> {
        if filters.is_empty() {
            return Ok(None);
        }
        let filters = filters.iter().map(filter).collect::<Result<Vec<_>>>()?;
        let rule = RegistryScanningRule::builder().scan_frequency(frequency).set_repository_filters(Some(filters));
        built("scanning rule", rule.build()).map(Some)
    };
    let rules: Vec<RegistryScanningRule> =
        [rule(ScanFrequency::ScanOnPush, &s.scan_on_push)?, rule(ScanFrequency::ContinuousScan, &s.continuous)?]
            .into_iter()
            .flatten()
            .collect();
    let req = ctx
        .client
        .put_registry_scanning_configuration()
        .scan_type(if s.enhanced { ScanType::Enhanced } else { ScanType::Basic })
        .set_rules(Some(rules));
    ctx.send(Kind::Write, "ecr:PutRegistryScanningConfiguration", Subject::Registry, req.send()).await?;
    Ok(())
}

async fn put_replication(ctx: &Ctx<'_>, rules: &[ReplicationRule], registry_id: &str) -> Result<()> {
    let destination = |d: &Destination| {
        let id = d.registry_id.as_deref().unwrap_or(registry_id);
        built("replication destination", ReplicationDestination::builder().region(&d.region).registry_id(id).build())
    };
    let filter = |p: &String| {
        built(
            "replication repository filter",
            RepositoryFilter::builder().filter(p).filter_type(RepositoryFilterType::PrefixMatch).build(),
        )
    };
    let rule = |r: &ReplicationRule| {
        let destinations = r.destinations.iter().map(destination).collect::<Result<Vec<_>>>()?;
        let filters = r.repository_prefixes.iter().map(filter).collect::<Result<Vec<_>>>()?;
        built(
            "replication rule",
            aws_sdk_ecr::types::ReplicationRule::builder()
                .set_destinations(Some(destinations))
                .set_repository_filters((!filters.is_empty()).then_some(filters))
                .build(),
        )
    };
    let rules = rules.iter().map(rule).collect::<Result<Vec<_>>>()?;
    let config =
        built("replication configuration", ReplicationConfiguration::builder().set_rules(Some(rules)).build())?;
    let req = ctx.client.put_replication_configuration().replication_configuration(config);
    ctx.send(Kind::Write, "ecr:PutReplicationConfiguration", Subject::Registry, req.send()).await?;
    Ok(())
}

/// Writes the live registry policy `live` with the statements of `sids`
/// replaced by `owned` (every other statement kept); deletes the policy when
/// nothing is left, and writes nothing when nothing changes. Returns the
/// text in force.
async fn write_policy(
    ctx: &Ctx<'_>,
    registry_id: &str,
    live: Option<String>,
    sids: &BTreeSet<String>,
    owned: &[serde_json::Value],
) -> Result<Option<String>> {
    let Some(text) = merged(live.as_deref(), sids, owned) else {
        if live.is_some() {
            delete_policy(ctx).await?;
        }
        return Ok(None);
    };
    if live.as_deref().is_some_and(|l| same_policy_text(l, &text)) {
        return Ok(live);
    }
    if text.len() > MAX_REGISTRY_POLICY_LENGTH {
        return Err(ProviderError::new(
            Code::FailedPrecondition,
            format!(
                "the registry policy of ECR registry {registry_id} would be {} characters, over ECR's limit of {MAX_REGISTRY_POLICY_LENGTH}: statements this stack does not own take {} of them; declare fewer accounts or statements, or trim the others",
                text.len(),
                foreign_length(live.as_deref(), sids)
            ),
        ));
    }
    let action = "ecr:PutRegistryPolicy";
    let req = ctx.client.put_registry_policy().policy_text(&text);
    if let Err(e) = ctx.write(action, Subject::Registry, req.send()).await? {
        let beyond = beyond_v1(&statements_of(&text).unwrap_or_default());
        if is(&e, PutRegistryPolicyError::is_invalid_parameter_exception) && !beyond.is_empty() {
            let scope = policy_scope(ctx).await?;
            if let Some(refused) = policy_scope_refused(e.message().unwrap_or(""), &beyond, scope.as_deref()) {
                return Err(refused);
            }
        }
        return Err(aws(ctx, action, Subject::Registry, &e));
    }
    Ok(Some(text))
}

/// The account's registry policy scope (REGISTRY_POLICY_SCOPE), read only
/// to explain a refused registry policy; `None` when it cannot be read.
async fn policy_scope(ctx: &Ctx<'_>) -> Result<Option<String>> {
    let req = ctx.client.get_account_setting().name("REGISTRY_POLICY_SCOPE");
    Ok(ctx
        .read("ecr:GetAccountSetting", Subject::Registry, req.send())
        .await?
        .ok()
        .and_then(|r| r.value().map(str::to_string)))
}

/// Two policy documents with the same statements, by meaning and in order.
fn same_policy_text(a: &str, b: &str) -> bool {
    match (statements_of(a), statements_of(b)) {
        (Some(x), Some(y)) => x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| same_statement(p, q)),
        _ => a == b,
    }
}

async fn delete_policy(ctx: &Ctx<'_>) -> Result<()> {
    let gone = DeleteRegistryPolicyError::is_registry_policy_not_found_exception;
    let req = ctx.client.delete_registry_policy();
    crate::call::delete(ctx, "ecr:DeleteRegistryPolicy", Subject::Registry, gone, req.send()).await
}
