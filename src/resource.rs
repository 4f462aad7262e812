//! The seam between the gRPC server and the resources: the [`Resource`]
//! trait every resource implements, the [`Property`] table that defines each
//! of a resource's properties once (name, input or output, default,
//! replace-on-change, secret, what an output derives from, whether a lookup
//! returns it), and the generic pieces built on that table: defaults for
//! Check, secret propagation, the input-by-input diff and ignoreChanges.
//!
//! The server finds a resource by its type token in
//! [`crate::resources::RESOURCES`] and calls the trait; it knows nothing of
//! any one resource.

use std::collections::{BTreeMap, BTreeSet};

use tonic::Code;

use crate::call::Ctx;
use crate::config::ProviderConfig;
use crate::error::{ProviderError, Result};
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

/// One property of a resource: the single definition schema.json is checked
/// against and the code derives its lists from.
#[derive(Debug, Clone, Copy, PartialEq)]
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
/// `props` that is not ignored, compared by `same` (the resource's own
/// notion of "no change": sets, parsed policies, ...); a new value that is
/// not known yet is always a change.
pub fn diff_inputs(
    props: &[Property],
    olds: &Map,
    ignoring: &Ignoring<'_>,
    same: impl Fn(&str, Option<&Value>, Option<&Value>) -> bool,
) -> DiffResult {
    let mut out = DiffResult::default();
    for p in props.iter().filter(|p| p.input && !ignoring.ignores(p.name)) {
        let old = olds.get(p.name).map(Value::plain).filter(|v| *v != Value::Null);
        let new = ignoring.news.get(p.name).map(Value::plain).filter(|v| *v != Value::Null);
        let changed = match &new {
            Some(n) if n.contains_unknown() => true,
            _ => !same(p.name, old.as_ref(), new.as_ref()),
        };
        if changed {
            out.change(p.name, DiffKind::of(old.is_some(), new.is_some(), p.replace_on_change));
        }
    }
    out
}

/// Puts the old value back at every ignored path (`tags`, `tags.team`,
/// `tags["team"]`, `lifecyclePolicy.maxImageCount`).
fn apply_ignore_changes(olds: &Map, news: &Map, ignore: &[String]) -> Map {
    let mut news = news.clone();
    for path in ignore {
        let parts = split_path(path);
        match parts.as_slice() {
            [] => {}
            [top] => match olds.get(top) {
                Some(v) => {
                    news.insert(top.clone(), v.clone());
                }
                None => {
                    news.remove(top);
                }
            },
            [top, sub] => {
                let old_sub = match olds.get(top).map(Value::plain) {
                    Some(Value::Object(m)) => m.get(sub).cloned(),
                    _ => None,
                };
                let mut obj = match news.get(top).map(Value::plain) {
                    Some(Value::Object(m)) => m,
                    _ => Map::new(),
                };
                match old_sub {
                    Some(v) => {
                        obj.insert(sub.clone(), v);
                    }
                    None => {
                        obj.remove(sub);
                    }
                }
                news.insert(top.clone(), Value::Object(obj));
            }
            _ => {}
        }
    }
    news
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
    fn diff_inputs_classifies_and_ignores() {
        let olds = Map::from([("name".to_string(), Value::from("a")), ("flag".to_string(), Value::Bool(true))]);
        let news = Map::from([("name".to_string(), Value::from("b")), ("mode".to_string(), Value::from("B"))]);
        let none: Vec<String> = vec![];
        let d = diff_inputs(PROPS, &olds, &Ignoring::new(&olds, &news, &none), |_, o, n| o == n);
        assert_eq!(d.diffs, vec!["name", "flag", "mode"]);
        assert_eq!(d.detailed["name"], DiffKind::UpdateReplace);
        assert_eq!(d.detailed["flag"], DiffKind::Delete);
        assert_eq!(d.detailed["mode"], DiffKind::Add);
        assert_eq!(d.replaces, vec!["name"]);
        let ignore = vec!["name".to_string(), "flag".to_string()];
        let d = diff_inputs(PROPS, &olds, &Ignoring::new(&olds, &news, &ignore), |_, o, n| o == n);
        assert_eq!(d.diffs, vec!["mode"]);
    }

    #[test]
    fn paths_split() {
        assert_eq!(split_path("tags[\"a.b\"]"), vec!["tags", "a.b"]);
        assert_eq!(split_path("lifecyclePolicy.maxImageCount"), vec!["lifecyclePolicy", "maxImageCount"]);
        assert_eq!(split_path("tags"), vec!["tags"]);
    }
}
