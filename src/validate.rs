//! Reading raw property maps into typed values, collecting every problem as a
//! [`Failure`] that names the property path and says what is allowed.
//!
//! Shared by the provider configuration and the resources: each reader takes
//! the map, the key and the path prefix, and returns a [`Field`].

use std::collections::BTreeMap;

use crate::property::{Map, Value, whole_number};

/// One validation problem, reported to the engine as a CheckFailure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub property: String,
    pub reason: String,
}

impl Failure {
    pub fn new(property: impl Into<String>, reason: impl Into<String>) -> Self {
        Failure { property: property.into(), reason: reason.into() }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.property, self.reason)
    }
}

/// What a reader found for one property.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    Absent,
    /// Not known yet (preview): never a validation failure.
    Unknown,
    Known(T),
    /// Present but invalid; the failure has been recorded.
    Invalid,
}

impl<T> Field<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }
    /// An optional value: absent is `Some(None)`, known is `Some(Some(v))`,
    /// unknown or invalid is no value at all.
    pub fn optional(self) -> Option<Option<T>> {
        match self {
            Field::Known(v) => Some(Some(v)),
            Field::Absent => Some(None),
            _ => None,
        }
    }
    /// The value, `default` when absent, `None` while unknown or invalid.
    pub fn or(self, default: T) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            Field::Absent => Some(default),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Known(v) => Field::Known(f(v)),
            Field::Absent => Field::Absent,
            Field::Unknown => Field::Unknown,
            Field::Invalid => Field::Invalid,
        }
    }
}

/// Joins a path prefix and a key: `lifecyclePolicy` + `maxImageCount`.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

/// Collects failures while reading one object.
pub struct Reader<'a> {
    map: &'a Map,
    prefix: String,
    pub failures: Vec<Failure>,
    /// Configuration arrives as strings; non-string types may be JSON text.
    lenient_strings: bool,
}

impl<'a> Reader<'a> {
    pub fn new(map: &'a Map, prefix: &str) -> Self {
        Reader { map, prefix: prefix.to_string(), failures: Vec::new(), lenient_strings: false }
    }

    /// A reader for provider configuration, where the engine may send any
    /// value as a string (`"true"`, `"10"`, `"{\"roleArn\":...}"`).
    pub fn for_config(map: &'a Map, prefix: &str) -> Self {
        Reader { lenient_strings: true, ..Reader::new(map, prefix) }
    }

    /// True when `key` holds a value (not absent, not null).
    pub fn has(&self, key: &str) -> bool {
        !matches!(self.map.get(key), None | Some(Value::Null))
    }

    pub fn path(&self, key: &str) -> String {
        join(&self.prefix, key)
    }

    pub fn fail(&mut self, key: &str, reason: impl Into<String>) {
        let property = self.path(key);
        self.failures.push(Failure::new(property, reason));
    }

    /// Reports every key not in `allowed` (keys starting with `__` are the
    /// engine's own and are ignored).
    pub fn reject_unknown_keys(&mut self, allowed: &[&str], what: &str) {
        let unknown: Vec<String> =
            self.map.keys().filter(|k| !k.starts_with("__") && !allowed.contains(&k.as_str())).cloned().collect();
        for k in unknown {
            self.fail(&k, format!("is not a {what}; allowed: {}", allowed.join(", ")));
        }
    }

    /// True when the value of `key` (or, with `sub`, the entry `sub` of the
    /// object or JSON text under `key`) arrived as a secret.
    pub fn is_secret(&self, key: &str, sub: Option<&str>) -> bool {
        let Some(v) = self.map.get(key) else { return false };
        if matches!(v, Value::Secret(_) | Value::Output { secret: true, .. }) {
            return true;
        }
        match (sub, v) {
            (None, v) => v.contains_secret(),
            (Some(sub), Value::Object(m)) => m.get(sub).is_some_and(Value::contains_secret),
            (Some(_), _) => false,
        }
    }

    /// The plain value of a key, with secrets unwrapped; lenient readers turn
    /// JSON text into the value it encodes when `want_string` is false.
    fn raw(&self, key: &str, want_string: bool) -> Field<Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => Field::Absent,
            Some(v) if v.is_unknown() => Field::Unknown,
            Some(v) => {
                let v = v.plain();
                if self.lenient_strings
                    && !want_string
                    && let Value::String(s) = &v
                    && let Ok(json) = serde_json::from_str::<serde_json::Value>(s)
                {
                    return Field::Known(Value::from_json(&json));
                }
                Field::Known(v)
            }
        }
    }

    /// The value of `key` as `read` takes it; `read` gives back a value of
    /// another kind, which fails with "must be `kind`".
    fn of_kind<T>(
        &mut self,
        key: &str,
        want_string: bool,
        kind: &str,
        read: impl FnOnce(&mut Self, Value) -> std::result::Result<Field<T>, Value>,
    ) -> Field<T> {
        match self.raw(key, want_string) {
            Field::Known(v) => read(self, v).unwrap_or_else(|other| {
                self.fail(key, format!("must be {kind}, got {}", other.kind_name()));
                Field::Invalid
            }),
            Field::Absent => Field::Absent,
            Field::Unknown => Field::Unknown,
            Field::Invalid => Field::Invalid,
        }
    }

    pub fn string(&mut self, key: &str) -> Field<String> {
        self.of_kind(key, true, "a string", |_, v| match v {
            Value::String(s) => Ok(Field::Known(s)),
            other => Err(other),
        })
    }

    pub fn bool(&mut self, key: &str) -> Field<bool> {
        self.of_kind(key, false, "true or false", |_, v| match v {
            Value::Bool(b) => Ok(Field::Known(b)),
            other => Err(other),
        })
    }

    /// A whole number within `min..=max`.
    pub fn int(&mut self, key: &str, min: i64, max: i64) -> Field<i64> {
        self.of_kind(key, false, &format!("a whole number between {min} and {max}"), |r, v| match v {
            Value::Number(n) => Ok(match whole_number(n, min, max) {
                Ok(v) => Field::Known(v),
                Err(reason) => {
                    r.fail(key, reason);
                    Field::Invalid
                }
            }),
            other => Err(other),
        })
    }

    /// A string that `problem` accepts (None) or refuses with the reason.
    pub fn checked_string(&mut self, key: &str, problem: impl FnOnce(&str) -> Option<String>) -> Field<String> {
        match self.string(key) {
            Field::Known(s) => match problem(&s) {
                Some(reason) => {
                    self.fail(key, reason);
                    Field::Invalid
                }
                None => Field::Known(s),
            },
            other => other,
        }
    }

    /// One of a fixed set of strings.
    pub fn one_of(&mut self, key: &str, allowed: &[&str]) -> Field<String> {
        self.checked_string(key, |s| {
            (!allowed.contains(&s)).then(|| format!("must be one of {}, got \"{s}\"", allowed.join(", ")))
        })
    }

    /// One of `items`, by the name `name_of` gives each: the item itself, so
    /// that no caller looks a checked name up again.
    pub fn one_of_items<'t, T>(&mut self, key: &str, items: &'t [T], name_of: impl Fn(&T) -> &str) -> Field<&'t T> {
        let names: Vec<&str> = items.iter().map(&name_of).collect();
        match self.one_of(key, &names) {
            Field::Known(s) => items.iter().find(|i| name_of(i) == s).map_or(Field::Invalid, Field::Known),
            Field::Absent => Field::Absent,
            Field::Unknown => Field::Unknown,
            Field::Invalid => Field::Invalid,
        }
    }

    /// A list of strings; an unknown element makes the whole list unknown.
    pub fn string_list(&mut self, key: &str) -> Field<Vec<String>> {
        self.of_kind(key, false, "a list of strings", |r, v| match v {
            Value::Array(items) => {
                let mut seen = Elements::default();
                let out = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| r.element_string(|| format!("{key}[{i}]"), item, &mut seen))
                    .collect();
                Ok(seen.field(out))
            }
            other => Err(other),
        })
    }

    /// A list of strings (absent: `Field::Absent`) whose length is within
    /// `count` (`what` names the items in the failure), each item passing
    /// `problem` (the failure names `key[i]`) and, with `once`, none listed
    /// twice.
    pub fn checked_list(
        &mut self,
        key: &str,
        count: std::ops::RangeInclusive<usize>,
        what: &str,
        once: bool,
        problem: impl Fn(&str) -> Option<String>,
    ) -> Field<Vec<String>> {
        let list = match self.string_list(key) {
            Field::Known(list) => list,
            other => return other,
        };
        let mut ok = true;
        if !count.contains(&list.len()) {
            let (min, max) = (count.start(), count.end());
            let range = if *min == 0 { format!("at most {max}") } else { format!("{min} to {max}") };
            self.fail(key, format!("must hold {range} {what}, got {}", list.len()));
            ok = false;
        }
        for (i, item) in list.iter().enumerate() {
            let twice = once.then(|| list[..i].iter().position(|x| x == item)).flatten();
            let reason = problem(item).or_else(|| {
                twice.map(|first| format!("\"{item}\" is listed twice (also at {key}[{first}]); list it once"))
            });
            if let Some(reason) = reason {
                self.fail(&format!("{key}[{i}]"), reason);
                ok = false;
            }
        }
        if ok { Field::Known(list) } else { Field::Invalid }
    }

    /// A map of strings; an unknown value makes the whole map unknown.
    pub fn string_map(&mut self, key: &str) -> Field<BTreeMap<String, String>> {
        self.map_of_strings(key, false)
    }

    /// A map of tags: values are strings, and numbers and booleans are taken
    /// in their string form (`pulumi config set --path defaultTags.cost 42`
    /// gives a number, while a tag value is always a string).
    pub fn tag_map(&mut self, key: &str) -> Field<BTreeMap<String, String>> {
        self.map_of_strings(key, true)
    }

    fn map_of_strings(&mut self, key: &str, scalars_as_strings: bool) -> Field<BTreeMap<String, String>> {
        self.of_kind(key, false, "a map of strings", |r, v| match v {
            Value::Object(m) => {
                let mut seen = Elements::default();
                let out = m
                    .iter()
                    .filter_map(|(k, v)| match scalars_as_strings.then(|| scalar_string(v)).flatten() {
                        Some(s) => Some((k.clone(), s)),
                        None => r.element_string(|| format!("{key}.{k}"), v, &mut seen).map(|s| (k.clone(), s)),
                    })
                    .collect();
                Ok(seen.field(out))
            }
            other => Err(other),
        })
    }

    /// Element `v` of a list or map of strings (at the path `path` gives):
    /// the string, or `None` with `seen` noting an unknown or a failure.
    fn element_string(&mut self, path: impl FnOnce() -> String, v: &Value, seen: &mut Elements) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            v if v.is_unknown() => {
                seen.unknown = true;
                None
            }
            v => {
                self.fail(&path(), format!("must be a string, got {}", v.kind_name()));
                seen.bad = true;
                None
            }
        }
    }

    /// A nested object, returned as its plain map for a nested reader.
    pub fn object(&mut self, key: &str) -> Field<Map> {
        self.of_kind(key, false, "an object", |_, v| match v {
            Value::Object(m) => Ok(Field::Known(m)),
            other => Err(other),
        })
    }

    /// A list of objects, each returned as its plain map for a nested
    /// reader; an element not known yet makes the whole list unknown.
    pub fn object_list(&mut self, key: &str) -> Field<Vec<Map>> {
        self.of_kind(key, false, "a list of objects", |r, v| match v {
            Value::Array(items) => Ok(r.objects(key, &items)),
            other => Err(other),
        })
    }

    /// The elements of list `key`, each an object.
    fn objects(&mut self, key: &str, items: &[Value]) -> Field<Vec<Map>> {
        let mut out = Vec::new();
        let mut bad = false;
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::Object(m) => out.push(m.clone()),
                v if v.is_unknown() => return Field::Unknown,
                v => {
                    self.fail(&format!("{key}[{i}]"), format!("must be an object, got {}", v.kind_name()));
                    bad = true;
                }
            }
        }
        if bad { Field::Invalid } else { Field::Known(out) }
    }

    /// Reads a nested object (or list element) at `path` with `read`, and
    /// keeps its failures under that path.
    pub fn nested<T>(&mut self, map: &Map, path: &str, read: impl FnOnce(&mut Reader<'_>) -> T) -> T {
        let mut inner =
            Reader { map, prefix: self.path(path), failures: Vec::new(), lenient_strings: self.lenient_strings };
        let out = read(&mut inner);
        self.failures.append(&mut inner.failures);
        out
    }

    /// Reads each object of `list` with `read`, at `key[i]`: Known when
    /// every one is, Invalid when any is, else Unknown.
    pub fn nested_each<T>(
        &mut self,
        list: &[Map],
        key: &str,
        mut read: impl FnMut(&mut Reader<'_>) -> Field<T>,
    ) -> Field<Vec<T>> {
        let mut out = Vec::new();
        let mut state = Field::Known(());
        for (i, m) in list.iter().enumerate() {
            match self.nested(m, &format!("{key}[{i}]"), &mut read) {
                Field::Known(item) => out.push(item),
                Field::Unknown if !matches!(state, Field::Invalid) => state = Field::Unknown,
                Field::Unknown => {}
                _ => state = Field::Invalid,
            }
        }
        state.map(|_| out)
    }

    pub fn take_failures(&mut self, other: Vec<Failure>) {
        self.failures.extend(other);
    }
}

/// What reading the elements of a list or map met besides what it kept:
/// an element not known yet, an element that failed.
#[derive(Default)]
struct Elements {
    unknown: bool,
    bad: bool,
}

impl Elements {
    fn field<T>(&self, out: T) -> Field<T> {
        if self.bad {
            Field::Invalid
        } else if self.unknown {
            Field::Unknown
        } else {
            Field::Known(out)
        }
    }
}

/// The string form of a number or boolean (`42`, `true`), for values that
/// are strings in AWS (tag values).
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(crate::property::fmt_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value with every number and boolean inside an object turned into its
/// string form, secret and output wrappers kept (Check returns tags so).
pub fn stringify_values(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), scalar_string(v).map(Value::String).unwrap_or_else(|| stringify_values(v))))
                .collect(),
        ),
        Value::Secret(inner) => Value::Secret(Box::new(stringify_values(inner))),
        other => other.clone(),
    }
}

// ---------------------------------------------------------------- secrets

/// Collects into `out` the strings of `v` that are secret (`inside` a
/// secret), keys included, and those of JSON text in them.
fn walk_secrets(v: &Value, inside: bool, out: &mut Vec<String>) {
    match v {
        Value::Secret(inner) => walk_secrets(inner, true, out),
        Value::Output { value: Some(inner), secret, .. } => walk_secrets(inner, inside || *secret, out),
        Value::String(s) if inside && !s.is_empty() => {
            out.push(s.clone());
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(s)
                && (json.is_object() || json.is_array())
            {
                walk_secrets(&Value::from_json(&json), true, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk_secrets(i, inside, out)),
        Value::Object(m) => {
            for (k, v) in m {
                if inside && !k.is_empty() {
                    out.push(k.clone());
                }
                walk_secrets(v, inside, out);
            }
        }
        _ => {}
    }
}

/// The strings a map holds inside secrets: string values and object keys at
/// any depth below a secret (JSON text inside a secret counts too, since
/// configuration arrives as strings). Empty strings are left out.
pub fn secret_strings(map: &Map) -> Vec<String> {
    let mut out = Vec::new();
    for v in map.values() {
        walk_secrets(v, false, &mut out);
    }
    // Longest first, so a secret that contains another is replaced whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// A text with every secret string removed: quoted (`"value"`) wherever it
/// appears, and bare when it is long enough not to be an ordinary word.
pub fn redact_text(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        out = out.replace(&format!("\"{s}\""), "[secret]");
        if s.chars().count() >= 8 {
            out = out.replace(s.as_str(), "[secret]");
        }
    }
    out
}

/// Failures that quote no value that arrived as a secret: the reason loses
/// the value, and a property path that runs through a secret key (a tag key,
/// say) stops before it, so it still names the property.
pub fn redact(failures: Vec<Failure>, inputs: &Map) -> Vec<Failure> {
    let secrets = secret_strings(inputs);
    if secrets.is_empty() {
        return failures;
    }
    failures
        .into_iter()
        .map(|f| {
            let mut property = String::new();
            for (i, segment) in f.property.split('.').enumerate() {
                if secrets.iter().any(|s| s == segment) {
                    break;
                }
                if i > 0 {
                    property.push('.');
                }
                property.push_str(segment);
            }
            Failure { property, reason: redact_text(&f.reason, &secrets) }
        })
        .collect()
}

// ---------------------------------------------------------------- tags

/// The most tags one ECR repository can carry.
pub const MAX_TAGS: usize = 50;

/// Checks one tag key and value against AWS's tagging rules.
pub fn tag_problem(key: &str, value: &str) -> Option<String> {
    let allowed_char = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    let klen = key.chars().count();
    if klen == 0 || klen > 128 {
        return Some(format!("tag keys must be 1 to 128 characters, got {klen}"));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Some(format!("tag key \"{key}\" uses the reserved prefix \"aws:\""));
    }
    if !key.chars().all(allowed_char) {
        return Some(format!("tag key \"{key}\" may contain only letters, digits, spaces and _ . : / = + - @"));
    }
    let vlen = value.chars().count();
    if vlen > 256 {
        return Some(format!("tag values must be at most 256 characters, got {vlen}"));
    }
    if !value.chars().all(allowed_char) {
        return Some(format!(
            "the value of tag \"{key}\" may contain only letters, digits, spaces and _ . : / = + - @"
        ));
    }
    None
}

/// Validates a map of tags; failures are named `<path>.<key>`.
pub fn check_tags(path: &str, tags: &BTreeMap<String, String>) -> Vec<Failure> {
    let mut out: Vec<Failure> = tags
        .iter()
        .filter_map(|(k, v)| tag_problem(k, v).map(|reason| Failure::new(format!("{path}.{k}"), reason)))
        .collect();
    if tags.len() > MAX_TAGS {
        out.push(Failure::new(path, format!("at most {MAX_TAGS} tags are allowed, got {}", tags.len())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::property::map_of as map;

    #[test]
    fn readers_report_path_and_expectation() {
        let m = map(&[
            ("b", Value::String("yes".into())),
            ("n", Value::Number(0.0)),
            ("e", "RSA".into()),
            ("l", Value::Array(vec!["a".into(), Value::Number(1.0)])),
        ]);
        let mut r = Reader::new(&m, "outer");
        assert_eq!(r.bool("b"), Field::Invalid);
        assert_eq!(r.int("n", 1, 5), Field::Invalid);
        assert_eq!(r.one_of("e", &["AES256", "KMS"]), Field::Invalid);
        assert_eq!(r.string_list("l"), Field::Invalid);
        assert_eq!(r.string("missing"), Field::Absent);
        let got: Vec<String> = r.failures.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            vec![
                "outer.b: must be true or false, got a string",
                "outer.n: must be between 1 and 5, got 0",
                "outer.e: must be one of AES256, KMS, got \"RSA\"",
                "outer.l[1]: must be a string, got a number",
            ]
        );
    }

    #[test]
    fn unknowns_never_fail() {
        let m = map(&[("b", Value::Unknown), ("l", Value::Array(vec![Value::Unknown])), ("s", Value::Unknown)]);
        let mut r = Reader::new(&m, "");
        assert!(r.bool("b").is_unknown());
        assert!(r.string_list("l").is_unknown());
        assert!(r.int("s", 1, 2).is_unknown());
        assert!(r.failures.is_empty());
    }

    #[test]
    fn config_strings_may_carry_json() {
        let m = map(&[("n", "12".into()), ("b", "false".into()), ("o", r#"{"roleArn":"x"}"#.into())]);
        let mut r = Reader::for_config(&m, "");
        assert_eq!(r.int("n", 0, 100), Field::Known(12));
        assert_eq!(r.bool("b"), Field::Known(false));
        assert!(matches!(r.object("o"), Field::Known(_)));
        let mut strict = Reader::new(&m, "");
        assert_eq!(strict.int("n", 0, 100), Field::Invalid);
    }

    #[test]
    fn secrets_are_read_through() {
        let m = map(&[("s", Value::Secret(Box::new("x".into())))]);
        assert_eq!(Reader::new(&m, "").string("s"), Field::Known("x".to_string()));
    }

    #[test]
    fn redaction_removes_secret_values_and_keys() {
        let secret = |v: Value| Value::Secret(Box::new(v));
        let inputs = map(&[
            ("repositoryName", secret("Bad_Name".into())),
            ("tags", secret(Value::Object(map(&[("aws:hidden", "v".into())])))),
            ("defaultTags", secret(r#"{"cost-center":"x"}"#.into())),
            ("plain", "visible".into()),
        ]);
        let failures = vec![
            Failure::new("repositoryName", "must be lowercase, got \"Bad_Name\""),
            Failure::new("tags.aws:hidden", "tag key \"aws:hidden\" uses the reserved prefix \"aws:\""),
            Failure::new("defaultTags.cost-center", "tag key \"cost-center\" is bad"),
            Failure::new("plain", "got \"visible\""),
        ];
        let got = redact(failures, &inputs);
        assert_eq!(got[0], Failure::new("repositoryName", "must be lowercase, got [secret]"));
        assert_eq!(got[1], Failure::new("tags", "tag key [secret] uses the reserved prefix \"aws:\""));
        assert_eq!(got[2].property, "defaultTags");
        assert!(!got[2].reason.contains("cost-center"), "{:?}", got[2]);
        assert_eq!(got[3], Failure::new("plain", "got \"visible\""));
    }

    #[test]
    fn tag_rules() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("team", "platform", None),
            ("", "v", Some("tag keys must be 1 to 128 characters, got 0")),
            ("aws:owner", "v", Some("tag key \"aws:owner\" uses the reserved prefix \"aws:\"")),
            ("AWS:x", "v", Some("tag key \"AWS:x\" uses the reserved prefix \"aws:\"")),
            ("a{b", "v", Some("tag key \"a{b\" may contain only letters, digits, spaces and _ . : / = + - @")),
            ("k", "ok value", None),
            ("k", "", None),
        ];
        for (k, v, want) in cases {
            assert_eq!(tag_problem(k, v).as_deref(), *want, "{k}={v}");
        }
        assert!(tag_problem(&"k".repeat(129), "v").unwrap().contains("got 129"));
        assert!(tag_problem("k", &"v".repeat(257)).unwrap().contains("at most 256"));
        let many: BTreeMap<String, String> = (0..51).map(|i| (format!("k{i}"), "v".to_string())).collect();
        assert_eq!(check_tags("tags", &many), vec![Failure::new("tags", "at most 50 tags are allowed, got 51")]);
    }
}
