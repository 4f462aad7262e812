//! The value codec: `google.protobuf.Struct` <-> [`Value`], a typed property
//! value that keeps Pulumi's special objects (secrets, unknowns, resource
//! references, output values, assets, archives) instead of flattening them.
//!
//! Everything the provider reads from or writes to the engine passes through
//! here, so secretness and unknown-ness can be carried from inputs to outputs.

use std::collections::BTreeMap;

use prost_types::value::Kind;

/// Key that marks a special object inside a Struct.
pub const SIG_KEY: &str = "4dabf18193072939515e22adb298388d";
pub const SIG_SECRET: &str = "1b47061264138c4ac30d75fd1eb44270";
pub const SIG_RESOURCE_REF: &str = "5cf8f73096256a8f31e491e813e4eb8e";
pub const SIG_OUTPUT: &str = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
pub const SIG_ASSET: &str = "c44067f5952c0a294b673a41bacd8c17";
pub const SIG_ARCHIVE: &str = "0def7320c3a5731c473e5ecbe6d01bc7";
/// The string the engine sends for a value not known until apply.
pub const UNKNOWN: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/// Typed unknown sentinels the engine may send instead of [`UNKNOWN`].
const UNKNOWN_VARIANTS: &[&str] = &[
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // bool
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "e0fa8c46-3db6-4ed7-9a75-8f3e0fc6e91d", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
];

/// A property value as the provider sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Map),
    /// A value the engine marked secret.
    Secret(Box<Value>),
    /// A value that is not known yet (preview).
    Unknown,
    /// A reference to another resource.
    ResourceRef {
        urn: String,
        id: Option<Box<Value>>,
        package_version: String,
    },
    /// An output value: maybe known, maybe secret, with dependencies.
    Output {
        value: Option<Box<Value>>,
        secret: bool,
        dependencies: Vec<String>,
    },
    /// An asset or archive, kept as its raw fields (we never interpret them).
    Asset(Map),
    Archive(Map),
}

pub type Map = BTreeMap<String, Value>;

impl Value {
    pub fn is_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::Secret(v) => v.is_unknown(),
            Value::Output { value, .. } => value.as_ref().is_none_or(|v| v.is_unknown()),
            _ => false,
        }
    }

    /// True when this value, or anything inside it, is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::Secret(v) => v.contains_unknown(),
            Value::Output { value, .. } => value.as_ref().is_none_or(|v| v.contains_unknown()),
            Value::Array(items) => items.iter().any(Value::contains_unknown),
            Value::Object(m) => m.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// True when this value, or anything inside it, is secret.
    pub fn contains_secret(&self) -> bool {
        match self {
            Value::Secret(_) => true,
            Value::Output { secret: true, .. } => true,
            Value::Output { value, .. } => value.as_ref().is_some_and(|v| v.contains_secret()),
            Value::Array(items) => items.iter().any(Value::contains_secret),
            Value::Object(m) => m.values().any(Value::contains_secret),
            _ => false,
        }
    }

    /// The value with secret and output wrappers removed at every level.
    /// Unknown outputs become [`Value::Unknown`].
    pub fn plain(&self) -> Value {
        match self {
            Value::Secret(v) => v.plain(),
            Value::Output { value, .. } => value.as_ref().map_or(Value::Unknown, |v| v.plain()),
            Value::Array(items) => Value::Array(items.iter().map(Value::plain).collect()),
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), v.plain())).collect()),
            other => other.clone(),
        }
    }

    /// Wraps the value as a secret unless it is one already.
    pub fn into_secret(self) -> Value {
        match self {
            Value::Secret(_) => self,
            other => Value::Secret(Box::new(other)),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the value's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
            Value::Secret(v) => v.kind_name(),
            Value::Unknown => "an unknown value",
            Value::ResourceRef { .. } => "a resource reference",
            Value::Output { value: Some(v), .. } => v.kind_name(),
            Value::Output { value: None, .. } => "an unknown value",
            Value::Asset(_) => "an asset",
            Value::Archive(_) => "an archive",
        }
    }

    /// Converts plain JSON (no special objects) into a value.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

// ---------------------------------------------------------------- decoding

/// A map from literal pairs (unit tests build their inputs with it).
#[cfg(test)]
pub fn map_of(pairs: &[(&str, Value)]) -> Map {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Decodes a Struct into a property map.
pub fn decode_struct(s: &prost_types::Struct) -> Map {
    s.fields.iter().map(|(k, v)| (k.clone(), decode(v))).collect()
}

/// Decodes an optional Struct (absent means empty).
pub fn decode_opt(s: Option<&prost_types::Struct>) -> Map {
    s.map(decode_struct).unwrap_or_default()
}

/// Decodes one protobuf value. Never panics: malformed special objects are
/// kept as plain objects, and the checks above them report what is wrong.
pub fn decode(v: &prost_types::Value) -> Value {
    match &v.kind {
        None | Some(Kind::NullValue(_)) => Value::Null,
        Some(Kind::BoolValue(b)) => Value::Bool(*b),
        Some(Kind::NumberValue(n)) => Value::Number(*n),
        Some(Kind::StringValue(s)) => {
            if s == UNKNOWN || UNKNOWN_VARIANTS.contains(&s.as_str()) {
                Value::Unknown
            } else {
                Value::String(s.clone())
            }
        }
        Some(Kind::ListValue(l)) => Value::Array(l.values.iter().map(decode).collect()),
        Some(Kind::StructValue(s)) => decode_object(s),
    }
}

fn decode_object(s: &prost_types::Struct) -> Value {
    let sig = match s.fields.get(SIG_KEY).map(|v| &v.kind) {
        Some(Some(Kind::StringValue(sig))) => sig.as_str(),
        _ => return Value::Object(decode_struct(s)),
    };
    let field = |k: &str| s.fields.get(k).map(decode);
    let string = |k: &str| match s.fields.get(k).map(|v| &v.kind) {
        Some(Some(Kind::StringValue(x))) => Some(x.clone()),
        _ => None,
    };
    match sig {
        SIG_SECRET => Value::Secret(Box::new(field("value").unwrap_or(Value::Null))),
        SIG_RESOURCE_REF => match string("urn") {
            Some(urn) => Value::ResourceRef {
                urn,
                id: field("id").map(Box::new),
                package_version: string("packageVersion").unwrap_or_default(),
            },
            None => Value::Object(decode_struct(s)),
        },
        SIG_OUTPUT => {
            let secret = matches!(s.fields.get("secret").map(|v| &v.kind), Some(Some(Kind::BoolValue(true))));
            let dependencies = string_list(s.fields.get("dependencies"));
            Value::Output { value: field("value").map(Box::new), secret, dependencies }
        }
        SIG_ASSET => Value::Asset(without_sig(s)),
        SIG_ARCHIVE => Value::Archive(without_sig(s)),
        _ => Value::Object(decode_struct(s)),
    }
}

/// The strings of a list value (its other items left out); empty when it
/// is absent or not a list.
fn string_list(v: Option<&prost_types::Value>) -> Vec<String> {
    let items = match v.map(|v| &v.kind) {
        Some(Some(Kind::ListValue(l))) => &l.values,
        _ => return Vec::new(),
    };
    items
        .iter()
        .filter_map(|v| match &v.kind {
            Some(Kind::StringValue(x)) => Some(x.clone()),
            _ => None,
        })
        .collect()
}

fn without_sig(s: &prost_types::Struct) -> Map {
    s.fields.iter().filter(|(k, _)| *k != SIG_KEY).map(|(k, v)| (k.clone(), decode(v))).collect()
}

// ---------------------------------------------------------------- encoding

/// Encodes a property map as a Struct.
pub fn encode_struct(m: &Map) -> prost_types::Struct {
    prost_types::Struct { fields: m.iter().map(|(k, v)| (k.clone(), encode(v))).collect() }
}

fn kind(k: Kind) -> prost_types::Value {
    prost_types::Value { kind: Some(k) }
}

fn string(s: &str) -> prost_types::Value {
    kind(Kind::StringValue(s.to_string()))
}

fn special(sig: &str, fields: impl IntoIterator<Item = (String, prost_types::Value)>) -> prost_types::Value {
    let mut m: BTreeMap<String, prost_types::Value> = fields.into_iter().collect();
    m.insert(SIG_KEY.to_string(), string(sig));
    kind(Kind::StructValue(prost_types::Struct { fields: m }))
}

/// Encodes one value.
pub fn encode(v: &Value) -> prost_types::Value {
    match v {
        Value::Null => kind(Kind::NullValue(0)),
        Value::Bool(b) => kind(Kind::BoolValue(*b)),
        Value::Number(n) => kind(Kind::NumberValue(*n)),
        Value::String(s) => string(s),
        Value::Array(a) => kind(Kind::ListValue(prost_types::ListValue { values: a.iter().map(encode).collect() })),
        Value::Object(m) => kind(Kind::StructValue(encode_struct(m))),
        Value::Secret(inner) => special(SIG_SECRET, [("value".to_string(), encode(inner))]),
        Value::Unknown => string(UNKNOWN),
        Value::ResourceRef { urn, id, package_version } => {
            let mut f = vec![("urn".to_string(), string(urn))];
            if let Some(id) = id {
                f.push(("id".to_string(), encode(id)));
            }
            if !package_version.is_empty() {
                f.push(("packageVersion".to_string(), string(package_version)));
            }
            special(SIG_RESOURCE_REF, f)
        }
        Value::Output { value, secret, dependencies } => {
            let mut f = Vec::new();
            if let Some(value) = value {
                f.push(("value".to_string(), encode(value)));
            }
            if *secret {
                f.push(("secret".to_string(), kind(Kind::BoolValue(true))));
            }
            if !dependencies.is_empty() {
                let deps = dependencies.iter().map(|d| string(d)).collect();
                f.push(("dependencies".to_string(), kind(Kind::ListValue(prost_types::ListValue { values: deps }))));
            }
            special(SIG_OUTPUT, f)
        }
        Value::Asset(m) => special(SIG_ASSET, m.iter().map(|(k, v)| (k.clone(), encode(v)))),
        Value::Archive(m) => special(SIG_ARCHIVE, m.iter().map(|(k, v)| (k.clone(), encode(v)))),
    }
}

// ---------------------------------------------------------------- numbers

/// Reads a number that must be a whole number within `min..=max`.
/// Numbers travel as f64; a fractional or out-of-range value is an error.
pub fn whole_number(n: f64, min: i64, max: i64) -> Result<i64, String> {
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(format!("must be a whole number between {min} and {max}, got {}", fmt_number(n)));
    }
    if n < min as f64 || n > max as f64 {
        return Err(format!("must be between {min} and {max}, got {}", fmt_number(n)));
    }
    Ok(n as i64)
}

/// Formats a number the way a user wrote it (no trailing `.0`).
pub fn fmt_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<f64>().prop_filter("NaN never equals itself", |n| !n.is_nan()).prop_map(Value::Number),
            "[a-z0-9 ]{0,12}".prop_map(Value::String),
            Just(Value::Unknown),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-zA-Z]{1,8}", inner.clone(), 0..4).prop_map(Value::Object),
                inner.clone().prop_map(|v| Value::Secret(Box::new(v))),
                ("urn:pulumi:[a-z]{1,6}", prop::option::of(inner.clone()), "[0-9.]{0,5}").prop_map(|(urn, id, pv)| {
                    Value::ResourceRef { urn, id: id.map(Box::new), package_version: pv }
                }),
                (prop::option::of(inner.clone()), any::<bool>(), prop::collection::vec("urn:[a-z]{1,5}", 0..3))
                    .prop_map(|(v, secret, dependencies)| Value::Output {
                        value: v.map(Box::new),
                        secret,
                        dependencies
                    }),
                prop::collection::btree_map("[a-z]{1,6}", inner.clone(), 0..3).prop_map(Value::Asset),
                prop::collection::btree_map("[a-z]{1,6}", inner, 0..3).prop_map(Value::Archive),
            ]
        })
    }

    fn arb_proto() -> impl Strategy<Value = prost_types::Value> {
        let leaf = prop_oneof![
            Just(kind(Kind::NullValue(0))),
            any::<bool>().prop_map(|b| kind(Kind::BoolValue(b))),
            any::<f64>().prop_map(|n| kind(Kind::NumberValue(n))),
            prop_oneof![
                ".{0,10}".boxed(),
                Just(SIG_KEY.to_string()).boxed(),
                Just(SIG_SECRET.to_string()).boxed(),
                Just(SIG_OUTPUT.to_string()).boxed(),
                Just(SIG_RESOURCE_REF.to_string()).boxed(),
                Just(UNKNOWN.to_string()).boxed(),
            ]
            .prop_map(|s| kind(Kind::StringValue(s))),
            Just(prost_types::Value { kind: None }),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            let keys = prop_oneof![
                "[a-z]{1,6}".boxed(),
                Just(SIG_KEY.to_string()).boxed(),
                Just("value".to_string()).boxed(),
                Just("urn".to_string()).boxed(),
                Just("secret".to_string()).boxed(),
                Just("dependencies".to_string()).boxed(),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|values| kind(Kind::ListValue(prost_types::ListValue { values }))),
                prop::collection::btree_map(keys, inner, 0..5)
                    .prop_map(|fields| kind(Kind::StructValue(prost_types::Struct { fields }))),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn round_trip_keeps_every_value(v in arb_value()) {
            prop_assert_eq!(decode(&encode(&v)), v);
        }

        #[test]
        fn secretness_survives_a_round_trip(v in arb_value()) {
            let wrapped = v.into_secret();
            let back = decode(&encode(&wrapped));
            prop_assert!(back.contains_secret());
        }

        #[test]
        fn arbitrary_structs_decode_without_panic(v in arb_proto()) {
            let decoded = decode(&v);
            // Whatever came in, what we send back decodes to the same value.
            prop_assert_eq!(decode(&encode(&decoded)), decoded.clone());
            let _ = decoded.plain();
            let _ = decoded.contains_unknown();
        }
    }

    #[test]
    fn every_unknown_variant_decodes_as_unknown() {
        for s in std::iter::once(UNKNOWN).chain(UNKNOWN_VARIANTS.iter().copied()) {
            assert_eq!(decode(&string(s)), Value::Unknown, "{s}");
        }
        assert_eq!(decode(&string("04da6b54")), Value::String("04da6b54".into()));
    }

    #[test]
    fn secret_object_has_the_engine_shape() {
        let v = encode(&Value::Secret(Box::new("hunter2".into())));
        let Some(Kind::StructValue(s)) = v.kind else { panic!("not a struct") };
        assert_eq!(s.fields[SIG_KEY].kind, Some(Kind::StringValue(SIG_SECRET.into())));
        assert_eq!(s.fields["value"].kind, Some(Kind::StringValue("hunter2".into())));
    }

    #[test]
    fn unknown_output_is_unknown_and_plain_strips_wrappers() {
        let out = Value::Output { value: None, secret: true, dependencies: vec![] };
        assert!(out.is_unknown());
        assert!(out.contains_secret());
        let nested = Value::Object(Map::from([("a".into(), Value::Secret(Box::new(Value::Number(3.0))))]));
        assert_eq!(nested.plain(), Value::Object(Map::from([("a".into(), Value::Number(3.0))])));
    }

    #[test]
    fn whole_numbers_are_checked() {
        assert_eq!(whole_number(14.0, 1, 3650), Ok(14));
        assert_eq!(whole_number(0.0, 1, 10000).unwrap_err(), "must be between 1 and 10000, got 0");
        assert_eq!(whole_number(1.5, 1, 10).unwrap_err(), "must be a whole number between 1 and 10, got 1.5");
        assert!(whole_number(f64::NAN, 1, 10).is_err());
        assert!(whole_number(f64::INFINITY, 1, 10).is_err());
    }
}
