//! The seam between the gRPC server and the resources: the [`Resource`]
//! trait every resource implements, the [`Property`] table that defines each
//! of a resource's properties once (name, input or output, default,
//! replace-on-change, secret, what an output derives from, whether a lookup
//! returns it, how it is compared, what a preview shows, how it is written
//! from the typed arguments), and the generic pieces built on that table:
//! defaults for Check, secret propagation, the input-by-input diff, the
//! preview outputs, `to_map` and ignoreChanges.
//!
//! The server finds a resource by its type token in
//! [`crate::resources::RESOURCES`] and calls the trait; it knows nothing of
//! any one resource.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};

use tonic::Code;

use crate::call::Ctx;
use crate::config::ProviderConfig;
use crate::error::{ProviderError, Result};
use crate::names::*;
use crate::naming::NamingContext;
use crate::property::{Map, Value};
use crate::validate::{Failure, Reader};

/// A resource type the provider serves: its token, its property table,
/// and what it does.
pub struct ResourceType {
    /// The type token, e.g. `awsecr:index:Repository`.
    pub token: &'static str,
    /// Every property of the resource, each defined once.
    pub properties: &'static [Property],
    pub handler: &'static dyn Resource,
}

/// What a resource does.
#[tonic::async_trait]
pub trait Resource: Send + Sync {
    /// Validates new inputs, applies defaults and names: the checked inputs
    /// (secret markings kept) and every failure, naming its property path.
    /// Makes no AWS call.
    fn check(&self, news: &Map, olds: &Map, naming: &NamingContext, config: &ProviderConfig) -> (Map, Vec<Failure>);
    /// Compares old outputs with checked new inputs by meaning. No AWS call.
    fn diff(&self, olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult;
    /// Creates the resource; `preview` makes no AWS call. Returns the id and
    /// the outputs.
    async fn create(&self, ctx: &Ctx<'_>, inputs: &Map, preview: bool) -> Result<(String, Map)>;
    /// Reads the resource for refresh (old state given) or import (none);
    /// `None` when it is gone.
    async fn read(&self, ctx: &Ctx<'_>, id: &str, olds: &Map, old_inputs: &Map) -> Result<Option<ReadResult>>;
    /// Applies what changed between the old outputs and the new inputs;
    /// `preview` makes no AWS call.
    async fn update(&self, ctx: &Ctx<'_>, olds: &Map, news: &Map, preview: bool) -> Result<Map>;
    /// Deletes the resource; already gone counts as deleted.
    async fn delete(&self, ctx: &Ctx<'_>, id: &str, olds: &Map) -> Result<()>;
    /// The account- and region-wide settings these checked inputs declare,
    /// which no other resource of the same provider may declare too (the
    /// Registry's groups and policy statements). None by default.
    fn claims(&self, _inputs: &Map) -> Vec<Claim> {
        Vec::new()
    }
}

/// A setting one resource owns for its whole account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The input that declares it, for the failure.
    pub property: &'static str,
    /// The setting, as messages name it (and the key it is held under).
    pub setting: String,
}

/// Who declared which account- and region-wide setting, across the
/// resources one provider serves (one account and region): one owner per
/// setting, also inside one program, whatever order the engine calls them
/// in. Keys are `<region> <setting>`.
#[derive(Debug, Default)]
pub struct Claims(std::sync::Mutex<BTreeMap<String, String>>);

impl Claims {
    /// Records that `urn` declares `claims` in `region` (forgetting what it
    /// declared before) unless another resource holds one of them: then
    /// records nothing and returns each conflict with the other's URN.
    pub fn claim(&self, region: &str, urn: &str, claims: &[Claim]) -> Vec<(Claim, String)> {
        let mut held = self.0.lock().expect("claims lock");
        let key = |c: &Claim| format!("{region} {}", c.setting);
        let conflicts: Vec<(Claim, String)> = claims
            .iter()
            .filter_map(|c| held.get(&key(c)).filter(|owner| *owner != urn).map(|owner| (c.clone(), owner.clone())))
            .collect();
        if conflicts.is_empty() {
            held.retain(|k, owner| owner != urn || !k.starts_with(&format!("{region} ")));
            for c in claims {
                held.insert(key(c), urn.to_string());
            }
        }
        conflicts
    }

    /// The URN of another resource that declares `setting` in `region`.
    pub fn other_owner(&self, region: &str, setting: &str, urn: &str) -> Option<String> {
        let held = self.0.lock().expect("claims lock");
        held.get(&format!("{region} {setting}")).filter(|owner| *owner != urn).cloned()
    }
}

/// The sentence for a setting another resource of the same provider
/// already declares.
pub fn claimed_elsewhere(claim: &Claim, other: &str) -> String {
    let name = other.rsplit("::").next().unwrap_or(other);
    format!(
        "{} is also declared by \"{name}\" ({other}) for the same account and region; one resource owns it: declare it in one of them only (README, \"Handing a group over\", shows how to move it without a moment of reset)",
        claim.setting
    )
}

/// What Read found.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadResult {
    pub id: String,
    pub outputs: Map,
    pub inputs: Map,
}

// ---------------------------------------------------------------- properties

/// A default value Check applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    Bool(bool),
    Str(&'static str),
    StrList(&'static [&'static str]),
}

impl DefaultValue {
    pub fn value(self) -> Value {
        match self {
            DefaultValue::Bool(b) => Value::Bool(b),
            DefaultValue::Str(s) => Value::String(s.to_string()),
            DefaultValue::StrList(l) => Value::Array(l.iter().map(|s| Value::String(s.to_string())).collect()),
        }
    }
}

/// How the diff compares an input's old value (in the state) with its new
/// one (checked inputs). Either side is `None` when absent or null, and
/// both are plain (secret marks removed).
#[derive(Debug, Clone, Copy)]
pub enum Compare {
    /// Equal values.
    Exact,
    /// The same strings in any order, duplicates aside; absent is empty.
    Set,
    /// The same keys and values; absent is empty. Keys AWS reserves
    /// (`aws:`) in the old value are not compared: they are not the
    /// program's (a state read before they were kept apart may hold them).
    StringMap,
    /// By meaning, through a function given both sides with the old
    /// outputs and the new inputs.
    Semantic(fn(&Sides<'_>) -> bool),
}

/// What a [`Compare::Semantic`] function is given.
pub struct Sides<'a> {
    /// The property compared.
    pub key: &'static str,
    pub old: Option<&'a Value>,
    pub new: Option<&'a Value>,
    /// The old outputs (the state).
    pub olds: &'a Map,
    /// The new checked inputs, ignoreChanges applied.
    pub news: &'a Map,
}

/// What a preview (Create or Update with `preview`) shows for an output.
/// An input's preview is always the checked input as given.
#[derive(Debug, Clone, Copy)]
pub enum Preview {
    /// Not known until the resource is made or read.
    Unknown,
    /// Assigned by AWS when the resource is made: an update's preview keeps
    /// the value in the state, a create's shows it unknown.
    Kept,
    /// Computed at preview from the checked inputs (and the state, in an
    /// update's): `None` leaves it out.
    Derived(fn(&Planned<'_>) -> Option<Value>),
    /// Left out of a preview (known only from a read).
    Absent,
}

/// What a preview is computed from.
pub struct Planned<'a> {
    /// The checked new inputs.
    pub news: &'a Map,
    /// The old outputs, in an update's preview.
    pub olds: Option<&'a Map>,
    pub config: &'a ProviderConfig,
}

/// How an input is written from a resource's typed arguments into a
/// property map (Check's shape, Read's rebuilt inputs, the outputs):
/// given the typed arguments, the value, or `None` to leave it out.
pub type Get = fn(&dyn Any) -> Option<Value>;

/// One property of a resource: the single definition schema.json is checked
/// against and the code derives its lists from.
#[derive(Debug, Clone, Copy)]
pub struct Property {
    pub name: &'static str,
    /// An input (and so an output too), or an output only.
    pub input: bool,
    /// The value Check applies when the input is absent.
    pub default: Option<DefaultValue>,
    /// A change of this input needs a new resource.
    pub replace_on_change: bool,
    /// Always secret.
    pub secret: bool,
    /// For outputs: the inputs it is computed from, whose secretness it takes.
    pub derived_from: &'static [&'static str],
    /// Returned by the resource's lookup function (false for settings about
    /// how Pulumi manages the resource, not facts of AWS).
    pub in_lookup: bool,
    /// For inputs: how the diff compares it.
    pub compare: Compare,
    /// For outputs: what a preview shows.
    pub preview: Preview,
    /// How it is written: an input from the typed arguments ([`to_map`]),
    /// an output from what the resource writes its outputs from
    /// ([`outputs_of`]).
    pub get: Option<Get>,
}

impl Property {
    /// An input property.
    pub const fn input(name: &'static str) -> Property {
        Property {
            name,
            input: true,
            default: None,
            replace_on_change: false,
            secret: false,
            derived_from: &[],
            in_lookup: true,
            compare: Compare::Exact,
            preview: Preview::Unknown,
            get: None,
        }
    }

    /// An output property computed from `derived_from` (or assigned by AWS).
    pub const fn output(name: &'static str, derived_from: &'static [&'static str]) -> Property {
        Property { input: false, derived_from, ..Property::input(name) }
    }

    pub const fn default(self, d: DefaultValue) -> Property {
        Property { default: Some(d), ..self }
    }

    pub const fn replaces(self) -> Property {
        Property { replace_on_change: true, ..self }
    }

    pub const fn secret(self) -> Property {
        Property { secret: true, ..self }
    }

    pub const fn not_in_lookup(self) -> Property {
        Property { in_lookup: false, ..self }
    }

    /// How the diff compares this input (exact by default).
    pub const fn compare(self, compare: Compare) -> Property {
        Property { compare, ..self }
    }

    /// What a preview shows for this output (unknown by default).
    pub const fn preview(self, preview: Preview) -> Property {
        Property { preview, ..self }
    }

    /// How this input (or output) is written from the typed arguments (or
    /// what the outputs are written from).
    pub const fn get(self, get: Get) -> Property {
        Property { get: Some(get), ..self }
    }
}

/// The names of the input properties.
pub fn inputs(props: &[Property]) -> Vec<&'static str> {
    props.iter().filter(|p| p.input).map(|p| p.name).collect()
}

/// The names of the output-only properties.
pub fn outputs(props: &[Property]) -> Vec<&'static str> {
    props.iter().filter(|p| !p.input).map(|p| p.name).collect()
}

/// The inputs whose change needs a new resource.
pub fn replace_on_change(props: &[Property]) -> Vec<&'static str> {
    props.iter().filter(|p| p.replace_on_change).map(|p| p.name).collect()
}

/// What the resource's lookup function returns.
pub fn lookup_results(props: &[Property]) -> Vec<&'static str> {
    props.iter().filter(|p| p.in_lookup).map(|p| p.name).collect()
}

/// The inputs Check starts from: the program's, without the engine's own
/// `__` keys, with every default of `props` applied.
pub fn program_inputs(props: &[Property], news: &Map) -> Map {
    let mut checked: Map =
        news.iter().filter(|(k, _)| !k.starts_with("__")).map(|(k, v)| (k.clone(), v.clone())).collect();
    apply_defaults(props, &mut checked);
    checked
}

/// A reader of a resource's inputs that has already reported every key
/// that is not one of them.
pub fn input_reader<'a>(map: &'a Map, props: &[Property], token: &str) -> Reader<'a> {
    let mut r = Reader::new(map, "");
    r.reject_unknown_keys(&inputs(props), &format!("property of {token}"));
    r
}

/// The inputs held in a map of outputs (which repeat every input).
pub fn inputs_of(props: &[Property], outputs: &Map) -> Map {
    let names = inputs(props);
    outputs.iter().filter(|(k, _)| names.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The typed arguments of checked inputs outside a preview, where every
/// value must be known and valid.
pub fn known_args<T>((args, failures): (Option<T>, Vec<Failure>)) -> Result<T> {
    if let Some(f) = failures.first() {
        return Err(ProviderError::invalid(format!("invalid inputs: {f}")));
    }
    args.ok_or_else(|| ProviderError::invalid("some inputs are still unknown outside of a preview"))
}

/// Inputs read back from AWS keep the secret marks they had in the state
/// (the old inputs, or the old outputs of a state without inputs).
pub fn keep_secret_marks(inputs: &mut Map, olds: &Map, old_inputs: &Map) {
    let source = if old_inputs.is_empty() { olds } else { old_inputs };
    for (k, v) in inputs.iter_mut() {
        if source.get(k).is_some_and(Value::contains_secret) {
            *v = v.clone().into_secret();
        }
    }
}

/// The answer to creating something that already exists under `id`: the
/// command that imports it instead.
pub fn import_instead(ctx: &Ctx<'_>, token: &str, what: &str, id: &str) -> ProviderError {
    ProviderError::new(
        Code::AlreadyExists,
        format!(
            "{what} already exists; to manage it with Pulumi, import it: pulumi import {token} {} {id}",
            ctx.resource_name()
        ),
    )
}

/// Check's defaults: every absent (or null) input with a default gets it.
pub fn apply_defaults(props: &[Property], checked: &mut Map) {
    for p in props {
        if let Some(d) = p.default
            && matches!(checked.get(p.name), None | Some(Value::Null))
        {
            checked.insert(p.name.into(), d.value());
        }
    }
}

/// Wraps as secret every output whose input was secret, every output derived
/// from a secret input, and every property that is always secret.
pub fn carry_secrets(props: &[Property], inputs: &Map, outputs: &mut Map) {
    let secret = |k: &str| inputs.get(k).is_some_and(Value::contains_secret);
    let to_wrap: Vec<&str> = props
        .iter()
        .filter(|p| p.secret || secret(p.name) || p.derived_from.iter().any(|s| secret(s)))
        .map(|p| p.name)
        .collect();
    for k in to_wrap {
        if let Some(v) = outputs.remove(k) {
            outputs.insert(k.into(), v.plain().into_secret());
        }
    }
}

/// The typed arguments `args` as a property map: every input of `props`
/// written by its getter (an input without one, or whose getter gives
/// `None`, is left out).
pub fn to_map<A: Any>(props: &[Property], args: &A) -> Map {
    props.iter().filter(|p| p.input).filter_map(|p| Some((p.name.to_string(), (p.get?)(args)?))).collect()
}

/// The outputs (not the inputs they repeat) written from `state`, what
/// the resource writes its outputs from: every output of `props` with a
/// getter (left out when it gives `None`).
pub fn outputs_of<S: Any>(props: &[Property], state: &S) -> Map {
    props.iter().filter(|p| !p.input).filter_map(|p| Some((p.name.to_string(), (p.get?)(state)?))).collect()
}

/// The typed arguments a getter of a table is given: `None` when the table
/// is used with another type (every resource's to_map round-trip test
/// would then fail).
pub fn args_of<A: Any>(args: &dyn Any) -> Option<&A> {
    args.downcast_ref::<A>()
}

/// Outputs of a preview: the checked inputs as given, and every output as
/// its [`Preview`] says. Secrets are the resource's to carry.
pub fn preview_outputs(props: &[Property], planned: &Planned<'_>) -> Map {
    let mut m = planned.news.clone();
    for p in props.iter().filter(|p| !p.input) {
        let value = match p.preview {
            Preview::Unknown => Some(Value::Unknown),
            Preview::Kept => Some(planned.olds.and_then(|o| o.get(p.name)).map_or(Value::Unknown, Value::plain)),
            Preview::Derived(f) => f(planned),
            Preview::Absent => None,
        };
        if let Some(v) = value {
            m.insert(p.name.into(), v);
        }
    }
    m
}

/// Outputs of a preview ([`preview_outputs`]) with the secrets of the
/// inputs carried into them ([`carry_secrets`]).
pub fn preview_outputs_with_secrets(props: &[Property], planned: &Planned<'_>) -> Map {
    let mut m = preview_outputs(props, planned);
    carry_secrets(props, planned.news, &mut m);
    m
}

// ---------------------------------------------------------------- diff

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    Add,
    AddReplace,
    Delete,
    DeleteReplace,
    Update,
    UpdateReplace,
}

impl DiffKind {
    /// The kind of change from `old` to `new` (either may be absent).
    pub fn of(old_present: bool, new_present: bool, replace: bool) -> DiffKind {
        match (old_present, new_present, replace) {
            (false, _, false) => DiffKind::Add,
            (false, _, true) => DiffKind::AddReplace,
            (true, false, false) => DiffKind::Delete,
            (true, false, true) => DiffKind::DeleteReplace,
            (true, true, false) => DiffKind::Update,
            (true, true, true) => DiffKind::UpdateReplace,
        }
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DiffResult {
    /// Top-level properties that differ.
    pub diffs: Vec<String>,
    pub replaces: Vec<String>,
    pub detailed: BTreeMap<String, DiffKind>,
    pub delete_before_replace: bool,
    /// What the user should know before this change goes ahead.
    pub warnings: Vec<String>,
    /// Keys of `detailed` that are outputs, not inputs (the engine then
    /// shows the old and new output, e.g. an ARN in another region).
    pub output_diffs: BTreeSet<String>,
    /// Why this change is refused outright: the Diff fails with this
    /// sentence, at preview, before anything is created or deleted.
    pub refusal: Option<String>,
}

impl DiffResult {
    pub fn has_changes(&self) -> bool {
        !self.diffs.is_empty()
    }

    /// Records a change of `key`.
    pub fn change(&mut self, key: &str, kind: DiffKind) {
        self.diffs.push(key.to_string());
        self.detailed.insert(key.to_string(), kind);
        if matches!(kind, DiffKind::AddReplace | DiffKind::DeleteReplace | DiffKind::UpdateReplace) {
            self.replaces.push(key.to_string());
        }
    }
}

// ---------------------------------------------------------------- location

/// Where a resource lives, as its state records it: the region (its
/// `region` output, or the region part of its `arn`) and the account (its
/// `registryId`). Either is `None` in a state that does not say it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Home {
    pub region: Option<String>,
    pub account: Option<String>,
}

/// Where the resource of these outputs lives.
pub fn home_of(olds: &Map) -> Home {
    let text =
        |k: &str| olds.get(k).map(Value::plain).and_then(|v| v.as_str().map(str::to_string)).filter(|s| !s.is_empty());
    let region = text(REGION).or_else(|| {
        let arn = text(ARN)?;
        arn.split(':').nth(3).filter(|r| !r.is_empty()).map(str::to_string)
    });
    Home { region, account: text(REGISTRY_ID) }
}

/// A resource whose state places it elsewhere than where the provider now
/// points: another region, or (when the configuration names the account,
/// through `assumeRole`) another account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub region: Option<(String, String)>,
    pub account: Option<(String, String)>,
}

impl Move {
    /// "from us-east-1 to eu-west-1", "from account 1 to account 2", or both.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some((from, to)) = &self.region {
            parts.push(format!("from {from} to {to}"));
        }
        if let Some((from, to)) = &self.account {
            parts.push(format!("from account {from} to account {to}"));
        }
        parts.join(" and ")
    }

    /// Where it lives now: "us-east-1", "account 123456789012" or both.
    pub fn origin(&self) -> String {
        self.end(|(from, _)| from)
    }

    /// Where the provider now points: "eu-west-1", "account ..." or both.
    pub fn destination(&self) -> String {
        self.end(|(_, to)| to)
    }

    fn end(&self, pick: impl Fn(&(String, String)) -> &String) -> String {
        let mut parts = Vec::new();
        if let Some(r) = &self.region {
            parts.push(pick(r).clone());
        }
        if let Some(a) = &self.account {
            parts.push(format!("account {}", pick(a)));
        }
        parts.join(", ")
    }
}

/// The move a change of the provider's configuration would make of the
/// resource whose outputs are `olds`, or `None` when it stays where it is.
/// A region or account that the state or the configuration does not name
/// (an old state; credentials that name no account) is no move.
pub fn moved(olds: &Map, config: &ProviderConfig) -> Option<Move> {
    let home = home_of(olds);
    let differs = |from: Option<String>, to: Option<&str>| match (from, to) {
        (Some(from), Some(to)) if from != to => Some((from, to.to_string())),
        _ => None,
    };
    let m = Move {
        region: differs(home.region, config.region_in_force()),
        account: differs(home.account, config.account_in_force()),
    };
    (m.region.is_some() || m.account.is_some()).then_some(m)
}

/// The `region` output at preview: the region the calls will go to, when
/// known (see [`record_region`]).
pub fn preview_region(p: &Planned<'_>) -> Option<Value> {
    p.config.region_in_force().map(Value::from)
}

/// Records in `outputs` the region the calls of `ctx` go to, the resource's
/// home (see [`home_of`]).
pub fn record_region(ctx: &Ctx<'_>, outputs: &mut Map) {
    if let Some(region) = ctx.config.region_in_force() {
        outputs.insert(REGION.into(), region.into());
    }
}

/// The Diff of a resource ECR keeps per registry (the registry settings, a
/// pull-through cache rule, a creation template) when the provider now
/// points elsewhere: another region replaces it (made in the new region,
/// then removed from the old one, where the calls about it still go: see
/// `server.rs`); another account is refused, since these calls cannot name
/// an account and would remove the successor in the new one instead.
/// `what` names it in the sentences.
pub fn follow_region(out: &mut DiffResult, olds: &Map, config: &ProviderConfig, what: &str) {
    let Some(m) = moved(olds, config) else { return };
    if let Some((from, to)) = &m.account {
        out.refusal = Some(format!(
            "{what} is in account {from}, but the provider's assumeRole is a role of account {to}; awsecr does not move it between accounts, because ECR acts on the account of the credentials and would remove it from account {to} instead of {from}; keep a provider for account {from} for it (an explicit provider with a role of that account), or destroy it with the old configuration first"
        ));
        return;
    }
    out.change(REGION, DiffKind::UpdateReplace);
    out.output_diffs.insert(REGION.into());
    out.delete_before_replace = false;
    out.warnings.push(format!(
        "{what}: moving {} with the provider's region; made in {} first, then removed from {}",
        m.describe(),
        m.destination(),
        m.origin()
    ));
}

/// The inputs with ignoreChanges applied, and the ignored top-level keys.
pub struct Ignoring<'a> {
    pub news: Map,
    pub top: BTreeSet<&'a str>,
}

impl<'a> Ignoring<'a> {
    pub fn new(olds: &Map, news: &Map, ignore: &'a [String]) -> Self {
        Ignoring { news: apply_ignore_changes(olds, news, ignore), top: ignore.iter().map(String::as_str).collect() }
    }

    pub fn ignores(&self, key: &str) -> bool {
        self.top.contains(key)
    }
}

/// The input-by-input diff every resource starts from: each input of
/// `props` that is not ignored, compared as its [`Compare`] says; a new
/// value that is not known yet is always a change.
pub fn diff_inputs(props: &[Property], olds: &Map, ignoring: &Ignoring<'_>) -> DiffResult {
    let mut out = DiffResult::default();
    for p in props.iter().filter(|p| p.input && !ignoring.ignores(p.name)) {
        let old = olds.get(p.name).map(Value::plain).filter(|v| *v != Value::Null);
        let new = ignoring.news.get(p.name).map(Value::plain).filter(|v| *v != Value::Null);
        let changed = match &new {
            Some(n) if n.contains_unknown() => true,
            _ => {
                let sides = Sides { key: p.name, old: old.as_ref(), new: new.as_ref(), olds, news: &ignoring.news };
                !p.compare.same(&sides)
            }
        };
        if changed {
            out.change(p.name, DiffKind::of(old.is_some(), new.is_some(), p.replace_on_change));
        }
    }
    out
}

impl Compare {
    /// Whether both sides are the same as this comparison says.
    pub fn same(self, s: &Sides<'_>) -> bool {
        match self {
            Compare::Exact => s.old == s.new,
            Compare::Set => string_set(s.old) == string_set(s.new),
            Compare::StringMap => {
                let old = string_map(s.old).unwrap_or_default();
                old.into_iter().filter(|(k, _)| !is_reserved_tag(k)).collect::<BTreeMap<_, _>>()
                    == string_map(s.new).unwrap_or_default()
            }
            Compare::Semantic(f) => f(s),
        }
    }
}

/// The strings of a list, as a set (absent, or not a list: empty).
pub fn string_set(v: Option<&Value>) -> BTreeSet<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => BTreeSet::new(),
    }
}

/// A map of strings (absent or null: empty); `None` when it is not one.
pub fn string_map(v: Option<&Value>) -> Option<BTreeMap<String, String>> {
    match v.map(Value::plain) {
        None | Some(Value::Null) => Some(BTreeMap::new()),
        Some(Value::Object(m)) => m.iter().map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect(),
        _ => None,
    }
}

/// A tag key AWS reserves (`aws:`, any case): never an input, never ours.
pub fn is_reserved_tag(key: &str) -> bool {
    key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
}

/// Puts the old value back at every ignored path (`tags`, `tags.team`,
/// `tags["team"]`, `lifecyclePolicy.maxImageCount`).
fn apply_ignore_changes(olds: &Map, news: &Map, ignore: &[String]) -> Map {
    let mut news = news.clone();
    for path in ignore {
        match split_path(path).as_slice() {
            [top] => restore(&mut news, top, olds.get(top).cloned()),
            [top, sub] => {
                let old_sub = plain_object(olds.get(top)).and_then(|mut m| m.remove(sub));
                let mut obj = plain_object(news.get(top)).unwrap_or_default();
                restore(&mut obj, sub, old_sub);
                news.insert(top.clone(), Value::Object(obj));
            }
            _ => {}
        }
    }
    news
}

/// Sets `key` back to its old value, or removes it when it had none.
fn restore(m: &mut Map, key: &str, old: Option<Value>) {
    match old {
        Some(v) => {
            m.insert(key.to_string(), v);
        }
        None => {
            m.remove(key);
        }
    }
}

/// The object a value holds, without its secret markings; `None` when it
/// is absent or not an object.
fn plain_object(v: Option<&Value>) -> Option<Map> {
    match v.map(Value::plain) {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn split_path(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[\"") {
            let end = r.find("\"]").unwrap_or(r.len());
            parts.push(r[..end].to_string());
            rest = r.get(end + 2..).unwrap_or("");
        } else {
            let rest_trim = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_trim.find(['.', '[']).unwrap_or(rest_trim.len());
            parts.push(rest_trim[..end].to_string());
            rest = &rest_trim[end..];
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::map_of;

    const PROPS: &[Property] = &[
        Property::input("name").replaces(),
        Property::input("flag").default(DefaultValue::Bool(true)),
        Property::input("mode").default(DefaultValue::Str("A")).not_in_lookup(),
        Property::input("password").secret(),
        Property::output("arn", &["name"]),
    ];

    #[test]
    fn the_table_gives_every_list() {
        assert_eq!(inputs(PROPS), vec!["name", "flag", "mode", "password"]);
        assert_eq!(outputs(PROPS), vec!["arn"]);
        assert_eq!(replace_on_change(PROPS), vec!["name"]);
        assert_eq!(lookup_results(PROPS), vec!["name", "flag", "password", "arn"]);
        let mut m = Map::from([("mode".to_string(), Value::Null)]);
        apply_defaults(PROPS, &mut m);
        assert_eq!(m["flag"], Value::Bool(true));
        assert_eq!(m["mode"], Value::from("A"));
    }

    #[test]
    fn secrets_follow_inputs_and_derivations() {
        let inputs = Map::from([("name".to_string(), Value::from("x").into_secret())]);
        let mut out = Map::from([
            ("name".to_string(), Value::from("x")),
            ("arn".to_string(), Value::from("arn:x")),
            ("password".to_string(), Value::from("p")),
            ("flag".to_string(), Value::Bool(true)),
        ]);
        carry_secrets(PROPS, &inputs, &mut out);
        for k in ["name", "arn", "password"] {
            assert!(matches!(out[k], Value::Secret(_)), "{k}");
        }
        assert_eq!(out["flag"], Value::Bool(true));
    }

    #[test]
    fn home_and_moves() {
        let repo = map_of(&[
            ("arn", "arn:aws:ecr:us-east-1:123456789012:repository/app".into()),
            ("registryId", "123456789012".into()),
        ]);
        assert_eq!(home_of(&repo), Home { region: Some("us-east-1".into()), account: Some("123456789012".into()) });
        let registry = map_of(&[("region", "eu-west-1".into()), ("registryId", "123456789012".into())]);
        assert_eq!(home_of(&registry).region.as_deref(), Some("eu-west-1"));
        assert_eq!(home_of(&Map::new()), Home::default());

        let at = |region: Option<&str>, role: Option<&str>| ProviderConfig {
            resolved_region: region.map(str::to_string),
            assume_role: role.map(|a| crate::config::AssumeRole {
                role_arn: format!("arn:aws:iam::{a}:role/x"),
                session_name: None,
                external_id: None,
                duration_seconds: None,
            }),
            ..Default::default()
        };
        assert_eq!(moved(&repo, &at(Some("us-east-1"), None)), None);
        assert_eq!(moved(&repo, &at(None, None)), None, "a region not known is no move");
        assert_eq!(moved(&Map::new(), &at(Some("eu-west-1"), None)), None, "an old state without a region");
        assert_eq!(moved(&repo, &at(Some("us-east-1"), Some("123456789012"))), None);
        let m = moved(&repo, &at(Some("eu-west-1"), Some("210987654321"))).unwrap();
        assert_eq!(m.describe(), "from us-east-1 to eu-west-1 and from account 123456789012 to account 210987654321");
        assert_eq!(m.origin(), "us-east-1, account 123456789012");
        assert_eq!(m.destination(), "eu-west-1, account 210987654321");

        // Registry-wide resources: a region move replaces, an account move
        // is refused.
        let mut d = DiffResult::default();
        follow_region(&mut d, &registry, &at(Some("us-east-1"), None), "the registry's settings");
        assert_eq!((d.replaces.clone(), d.refusal.clone()), (vec!["region".to_string()], None));
        assert!(d.output_diffs.contains("region") && !d.delete_before_replace);
        let mut d = DiffResult::default();
        follow_region(&mut d, &registry, &at(Some("eu-west-1"), Some("210987654321")), "the registry's settings");
        assert!(d.replaces.is_empty());
        assert!(d.refusal.unwrap().contains("is in account 123456789012"));
        let mut d = DiffResult::default();
        follow_region(&mut d, &registry, &at(Some("eu-west-1"), None), "x");
        assert_eq!(d, DiffResult::default());
    }

    #[test]
    fn diff_inputs_classifies_and_ignores() {
        let olds = Map::from([("name".to_string(), Value::from("a")), ("flag".to_string(), Value::Bool(true))]);
        let news = Map::from([("name".to_string(), Value::from("b")), ("mode".to_string(), Value::from("B"))]);
        let none: Vec<String> = vec![];
        let d = diff_inputs(PROPS, &olds, &Ignoring::new(&olds, &news, &none));
        assert_eq!(d.diffs, vec!["name", "flag", "mode"]);
        assert_eq!(d.detailed["name"], DiffKind::UpdateReplace);
        assert_eq!(d.detailed["flag"], DiffKind::Delete);
        assert_eq!(d.detailed["mode"], DiffKind::Add);
        assert_eq!(d.replaces, vec!["name"]);
        let ignore = vec!["name".to_string(), "flag".to_string()];
        let d = diff_inputs(PROPS, &olds, &Ignoring::new(&olds, &news, &ignore));
        assert_eq!(d.diffs, vec!["mode"]);
    }

    /// A resource's typed arguments, for the getter tests.
    #[derive(Debug, Clone, PartialEq)]
    struct Args {
        name: String,
        tags: Vec<String>,
        note: Option<String>,
    }

    fn args(x: &dyn Any) -> Option<&Args> {
        args_of(x)
    }

    /// Equal when the new value is the "applied" output of the state, or
    /// when the new inputs say "any".
    fn same_as_applied(s: &Sides<'_>) -> bool {
        s.olds.get("applied").map(Value::plain).as_ref() == s.new || s.news.get("note") == Some(&Value::from("any"))
    }

    const TYPED: &[Property] = &[
        Property::input("name").replaces().get(|x| Some(args(x)?.name.clone().into())),
        Property::input("tags").compare(Compare::Set).get(|x| {
            let a = args(x)?;
            (!a.tags.is_empty()).then(|| Value::Array(a.tags.iter().map(|s| s.clone().into()).collect()))
        }),
        Property::input("note").get(|x| args(x)?.note.clone().map(Value::from)),
        Property::input("labels").compare(Compare::StringMap),
        Property::input("doc").compare(Compare::Semantic(same_as_applied)),
        Property::output("arn", &["name"]).preview(Preview::Kept).get(|x| Some(args_of::<Made>(x)?.arn.clone().into())),
        Property::output("applied", &["doc"]).preview(Preview::Derived(|p| p.news.get("doc").cloned())),
        Property::output("upper", &["name"])
            .preview(Preview::Derived(|p| Some(p.news.get("name")?.as_str()?.to_uppercase().into()))),
        Property::output("createdAt", &[]),
        Property::output("awsOnly", &[]).preview(Preview::Absent),
    ];

    /// What the outputs are written from.
    struct Made {
        arn: String,
    }

    fn changed(olds: &[(&str, Value)], news: &[(&str, Value)]) -> Vec<String> {
        let (olds, news) = (map_of(olds), map_of(news));
        diff_inputs(TYPED, &olds, &Ignoring::new(&olds, &news, &[])).diffs
    }

    fn list(items: &[&str]) -> Value {
        Value::Array(items.iter().map(|s| Value::from(*s)).collect())
    }

    fn labels(pairs: &[(&str, &str)]) -> Value {
        Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect())
    }

    #[test]
    fn exact_compares_values() {
        assert!(changed(&[("name", "a".into())], &[("name", "a".into())]).is_empty());
        assert_eq!(changed(&[("name", "a".into())], &[("name", "b".into())]), ["name"]);
        assert_eq!(changed(&[("note", "x".into())], &[]), ["note"]);
        // A secret mark alone is no change.
        assert!(changed(&[("name", "a".into())], &[("name", Value::from("a").into_secret())]).is_empty());
    }

    #[test]
    fn a_set_ignores_order_and_duplicates_and_absent_is_empty() {
        assert!(changed(&[("tags", list(&["a", "b"]))], &[("tags", list(&["b", "a", "a"]))]).is_empty());
        assert!(changed(&[], &[("tags", list(&[]))]).is_empty());
        assert_eq!(changed(&[("tags", list(&["a"]))], &[("tags", list(&["a", "c"]))]), ["tags"]);
        assert_eq!(changed(&[("tags", list(&["a"]))], &[]), ["tags"]);
    }

    #[test]
    fn a_string_map_compares_keys_and_values_but_not_reserved_old_keys() {
        let old = labels(&[("team", "a"), ("aws:cloudformation:stack-name", "s")]);
        assert!(changed(&[("labels", old.clone())], &[("labels", labels(&[("team", "a")]))]).is_empty());
        assert_eq!(changed(&[("labels", old.clone())], &[("labels", labels(&[("team", "b")]))]), ["labels"]);
        assert_eq!(changed(&[("labels", old)], &[("labels", labels(&[("team", "a"), ("x", "y")]))]), ["labels"]);
        assert!(changed(&[], &[("labels", labels(&[]))]).is_empty());
        // Reserved keys the program declares are compared (Check refuses them).
        assert_eq!(changed(&[], &[("labels", labels(&[("aws:x", "y")]))]), ["labels"]);
    }

    #[test]
    fn a_semantic_comparison_gets_the_old_outputs_and_the_new_inputs() {
        // Compared with the state's `applied` output, not the old input.
        let olds = [("doc", Value::from("old")), ("applied", Value::from("held"))];
        assert!(changed(&olds, &[("doc", "held".into())]).is_empty());
        assert_eq!(changed(&olds, &[("doc", "old".into())]), ["doc"]);
        assert_eq!(changed(&olds, &[("doc", "old".into()), ("note", "any".into())]), ["note"]);
        // A value not known yet is a change whatever the function says.
        let olds = [("name", Value::from("a")), ("applied", Value::from("held"))];
        assert_eq!(changed(&olds, &[("name", "a".into()), ("doc", Value::Unknown)]), ["doc"]);
    }

    #[test]
    fn preview_outputs_follow_the_table() {
        let news = map_of(&[("name", "app".into()), ("doc", "d".into())]);
        let config = ProviderConfig::default();
        let created = preview_outputs(TYPED, &Planned { news: &news, olds: None, config: &config });
        assert_eq!(created["name"], Value::from("app"), "inputs as given");
        assert_eq!(created["arn"], Value::Unknown, "kept, but nothing to keep yet");
        assert_eq!(created["applied"], Value::from("d"));
        assert_eq!(created["upper"], Value::from("APP"));
        assert_eq!(created["createdAt"], Value::Unknown, "unknown by default");
        assert!(!created.contains_key("awsOnly"));
        let olds = map_of(&[("arn", Value::from("arn:x").into_secret()), ("awsOnly", "z".into())]);
        let news = map_of(&[("name", Value::Unknown)]);
        let updated = preview_outputs(TYPED, &Planned { news: &news, olds: Some(&olds), config: &config });
        assert_eq!(updated["arn"], Value::from("arn:x"), "the state's value, plain (secrets are carried after)");
        assert!(!updated.contains_key("applied"), "a derived None leaves it out");
        assert!(!updated.contains_key("upper"), "derived from an unknown input");
        assert!(!updated.contains_key("awsOnly"));
    }

    #[test]
    fn to_map_writes_each_input_by_its_getter() {
        let a = Args { name: "app".into(), tags: vec!["b".into(), "a".into()], note: None };
        let m = to_map(TYPED, &a);
        assert_eq!(m, map_of(&[("name", "app".into()), ("tags", list(&["b", "a"]))]));
        let back = Args {
            name: m["name"].as_str().unwrap().into(),
            tags: string_set(m.get("tags")).into_iter().collect(),
            note: m.get("note").and_then(Value::as_str).map(str::to_string),
        };
        assert_eq!(back.name, a.name);
        assert_eq!(back.tags, ["a", "b"]);
        let noted = Args { note: Some("n".into()), tags: vec![], ..a };
        assert_eq!(to_map(TYPED, &noted), map_of(&[("name", "app".into()), ("note", "n".into())]));
        // Another type than the table's reads nothing (each resource's
        // round-trip test would fail).
        assert_eq!(to_map(TYPED, &"not the args"), Map::new());
    }

    #[test]
    fn outputs_are_written_by_their_getters_from_what_the_resource_made() {
        let made = Made { arn: "arn:x".into() };
        assert_eq!(outputs_of(TYPED, &made), map_of(&[("arn", "arn:x".into())]));
        assert_eq!(to_map(TYPED, &made), Map::new(), "inputs are written from the arguments");
        let a = Args { name: "app".into(), tags: vec![], note: None };
        assert_eq!(outputs_of(TYPED, &a), Map::new(), "outputs are not");
    }

    #[test]
    fn paths_split() {
        assert_eq!(split_path("tags[\"a.b\"]"), vec!["tags", "a.b"]);
        assert_eq!(split_path("lifecyclePolicy.maxImageCount"), vec!["lifecyclePolicy", "maxImageCount"]);
        assert_eq!(split_path("tags"), vec!["tags"]);
    }
}
