//! Functions (Invoke): lookups that read ECR and change nothing. The server
//! dispatches by token; each function checks its arguments into failures
//! that name the argument (never a gRPC error for a bad argument), then makes
//! its calls.

pub mod get_authorization_token;
pub mod get_repository;

use crate::property::{Map, Value};
use crate::validate::{Failure, Reader};

/// Every function token this provider serves.
pub const FUNCTIONS: &[&str] = &[get_repository::TOKEN, get_authorization_token::TOKEN];

/// What a function gives back: its result, or why its arguments were refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Invoked {
    Return(Map),
    Failures(Vec<Failure>),
}

/// A reader over a function's arguments that has already reported unknown
/// keys and values that are not known yet (a function needs them all).
fn reader<'a>(args: &'a Map, token: &str, allowed: &[&str]) -> Reader<'a> {
    let mut r = Reader::new(args, "");
    r.reject_unknown_keys(allowed, &format!("known argument of {token}"));
    for (k, v) in args {
        if allowed.contains(&k.as_str()) && v.contains_unknown() {
            r.fail(k, "is not known yet; a function needs every argument known when it runs");
        }
    }
    r
}

/// Wraps a value as secret.
fn secret(s: impl Into<String>) -> Value {
    Value::String(s.into()).into_secret()
}
