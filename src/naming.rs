//! Naming: the name a resource gets when the user gives none. The engine's
//! autonaming instruction is honoured (propose, enforce, disable); otherwise
//! the name is the sanitized resource name plus a suffix drawn from the
//! engine's random seed (the same seed gives the same name), an old name is
//! kept, and a generated name is marked in `__defaults` so that a
//! replacement generates a fresh one and can create before it deletes.

use crate::property::{Map, Value};
use crate::validate::Failure;

/// What the engine tells Check about naming.
#[derive(Debug, Clone, Default)]
pub struct NamingContext {
    /// The resource's name (last part of the URN).
    pub resource_name: String,
    pub random_seed: Vec<u8>,
    /// The engine's autonaming instruction, when it sends one.
    pub autonaming: Option<Autonaming>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Autonaming {
    /// Use this name, adjusting it if ECR would not accept it.
    Propose(String),
    /// Use exactly this name.
    Enforce(String),
    /// Never invent a name: the user must give one.
    Disable,
}

/// Fills in the name property `key` of checked inputs when the user gave
/// none: the old name (secret stays secret), else what the engine's
/// autonaming says, else a generated name. `problem` is the resource's own
/// name rule (a proposed name that breaks it is sanitized). A failure when
/// naming is disabled and no name was given.
pub fn apply_naming(
    checked: &mut Map,
    news: &Map,
    olds: &Map,
    naming: &NamingContext,
    key: &str,
    problem: fn(&str) -> Option<String>,
) -> Option<Failure> {
    if !matches!(news.get(key), None | Some(Value::Null)) {
        return None;
    }
    let old_name = olds.get(key).filter(|v| v.plain().as_str().is_some());
    match (old_name, &naming.autonaming) {
        (Some(old), _) => {
            if has_random_name(olds) {
                mark_random_name(checked, key);
            }
            // The old value as it was stored: a secret name stays secret.
            checked.insert(key.into(), old.clone());
        }
        (None, Some(Autonaming::Disable)) => {
            return Some(Failure::new(
                key,
                "is required: automatic naming is disabled for this stack, so give the resource a name",
            ));
        }
        (None, Some(Autonaming::Enforce(name))) => {
            checked.insert(key.into(), name.clone().into());
        }
        (None, Some(Autonaming::Propose(name))) => {
            let name = if problem(name).is_none() { name.clone() } else { sanitize(name) };
            checked.insert(key.into(), name.into());
        }
        (None, None) => {
            checked.insert(key.into(), auto_name(&naming.resource_name, &naming.random_seed).into());
            mark_random_name(checked, key);
        }
    }
    None
}

/// Where Check records which inputs it filled in: the engine's convention
/// (`__defaults`, a list of property names), kept in the stored inputs.
pub const DEFAULTS_KEY: &str = "__defaults";

/// Marks the name as generated with a random suffix. On replacement the
/// engine checks again without the old inputs, so such a name is generated
/// afresh and the new repository can be created before the old one goes.
fn mark_random_name(checked: &mut Map, key: &str) {
    checked.insert(DEFAULTS_KEY.into(), Value::Array(vec![key.into()]));
}

/// True when these checked inputs carry a randomly generated name.
pub fn has_random_name(inputs: &Map) -> bool {
    matches!(inputs.get(DEFAULTS_KEY), Some(Value::Array(a)) if !a.is_empty())
}

/// Turns any resource name into a valid repository name prefix.
pub fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        let ch = if ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '/' { ch } else { '-' };
        let last = out.chars().last();
        let is_sep = |c: char| c == '-' || c == '/';
        match last {
            None if is_sep(ch) => continue,
            Some(l) if is_sep(l) && is_sep(ch) => continue,
            _ => out.push(ch),
        }
    }
    while out.ends_with(['-', '/']) {
        out.pop();
    }
    if out.len() > 240 {
        out.truncate(240);
        while out.ends_with(['-', '/']) {
            out.pop();
        }
    }
    if out.is_empty() { "repository".to_string() } else { out }
}

/// The name given to a repository the user did not name: the sanitized
/// resource name plus a suffix that depends only on the engine's random seed.
pub fn auto_name(resource_name: &str, seed: &[u8]) -> String {
    format!("{}-{}", sanitize(resource_name), suffix(seed))
}

fn suffix(seed: &[u8]) -> String {
    // FNV-1a over the seed, then splitmix64 steps to draw characters.
    let mut state =
        seed.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..7)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            ALPHABET[(z % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}
