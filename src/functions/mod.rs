//! Functions (Invoke): lookups that read ECR and change nothing. The server
//! dispatches by token; each function checks its arguments into failures
//! that name the argument (never a gRPC error for a bad argument), then makes
//! its calls.

pub mod get_authorization_token;
pub mod get_image;
pub mod get_images;
pub mod get_repositories;
pub mod get_repository;

use crate::call::Ctx;
use crate::error::Result;
use crate::names::*;
use crate::property::{Map, Value};
use crate::validate::{Failure, Field, Reader};

/// What a function takes and gives, for the schema checks and messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The function token, e.g. `awsecr:index:getRepository`.
    pub token: &'static str,
    /// The names of its arguments.
    pub args: &'static [&'static str],
    /// The names of its results.
    pub results: Vec<&'static str>,
    /// The results that are always secret.
    pub secret_results: &'static [&'static str],
}

/// A function the provider serves.
#[tonic::async_trait]
pub trait Function: Send + Sync {
    fn spec(&self) -> Spec;
    /// Checks the arguments (failures name them) and makes the calls.
    async fn invoke(&self, ctx: &Ctx<'_>, args: &Map) -> Result<Invoked>;
}

/// A function as each one is written: its arguments checked into `Args`
/// (failures name them), then its calls on those. Every `Typed` is a
/// [`Function`].
#[tonic::async_trait]
pub trait Typed: Send + Sync {
    type Args: Send;
    fn spec(&self) -> Spec;
    /// The arguments, checked before any call.
    fn check(&self, args: &Map) -> std::result::Result<Self::Args, Vec<Failure>>;
    /// The calls, on arguments `check` accepted; the function's result.
    async fn call(&self, ctx: &Ctx<'_>, args: Self::Args) -> Result<Map>;
}

#[tonic::async_trait]
impl<T: Typed> Function for T {
    fn spec(&self) -> Spec {
        Typed::spec(self)
    }

    async fn invoke(&self, ctx: &Ctx<'_>, args: &Map) -> Result<Invoked> {
        match self.check(args) {
            Ok(checked) => Ok(Invoked::Return(self.call(ctx, checked).await?)),
            Err(failures) => Ok(Invoked::Failures(failures)),
        }
    }
}

/// Declares a lookup function: `typed_function!(Name, Args, results,
/// secret results)` in a module that has `TOKEN`, `ARGS`, `check` (the
/// arguments, before any call) and `call` (the calls, on what `check`
/// accepted) makes the unit struct `Name` a [`Typed`], so a function is
/// written as those four and nothing else.
macro_rules! typed_function {
    ($name:ident, $args:ty, $results:expr, $secret:expr) => {
        /// The function.
        pub struct $name;

        #[tonic::async_trait]
        impl $crate::functions::Typed for $name {
            type Args = $args;

            fn spec(&self) -> $crate::functions::Spec {
                $crate::functions::Spec { token: TOKEN, args: ARGS, results: $results, secret_results: $secret }
            }

            fn check(&self, args: &Map) -> std::result::Result<$args, Vec<$crate::validate::Failure>> {
                check(args)
            }

            async fn call(&self, ctx: &Ctx<'_>, args: $args) -> Result<Map> {
                call(ctx, args).await
            }
        }
    };
}
pub(crate) use typed_function;

/// Every function this provider serves.
pub static FUNCTIONS: &[&dyn Function] = &[
    &get_repository::GetRepository,
    &get_authorization_token::GetAuthorizationToken,
    &get_image::GetImage,
    &get_repositories::GetRepositories,
    &get_images::GetImages,
];

/// The function of a token.
pub fn find(token: &str) -> Option<&'static dyn Function> {
    FUNCTIONS.iter().copied().find(|f| f.spec().token == token)
}

/// The function tokens served, for messages.
pub fn tokens() -> Vec<&'static str> {
    FUNCTIONS.iter().map(|f| f.spec().token).collect()
}

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

/// The required `repositoryName` argument, checked with the Repository's
/// name rule; `what` says what the name is for in the failure.
fn repository_name(r: &mut Reader<'_>, what: &str) -> Option<String> {
    match r.string(REPOSITORY_NAME) {
        Field::Known(n) => match crate::resources::repository::args::name_problem(&n) {
            Some(reason) => {
                r.fail(REPOSITORY_NAME, reason);
                None
            }
            None => Some(n),
        },
        Field::Absent => {
            r.fail(REPOSITORY_NAME, format!("is required: {what}, e.g. platform/api"));
            None
        }
        _ => None,
    }
}

/// The optional `registryId` argument: a 12-digit account id, or the failure.
fn registry_id(r: &mut Reader<'_>) -> Option<String> {
    match r.string(REGISTRY_ID) {
        Field::Known(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => Some(id),
        Field::Known(id) => {
            r.fail(REGISTRY_ID, format!("must be a 12-digit AWS account id (the registry's), got \"{id}\""));
            None
        }
        _ => None,
    }
}

/// The optional `limit` argument of a paged lookup: a whole number from 1
/// to `max`, `default` when left out; `None` after a failure.
fn limit(r: &mut Reader<'_>, default: usize, max: usize) -> Option<usize> {
    match r.int(LIMIT, 1, max as i64) {
        Field::Known(n) => Some(n as usize),
        Field::Absent => Some(default),
        _ => None,
    }
}

/// Wraps a value as secret.
fn secret(s: impl Into<String>) -> Value {
    Value::String(s.into()).into_secret()
}

/// Every image of a repository: DescribeImages page after page (one round
/// trip each, as each needs the last one's token), `filter` and `page`
/// (images a page; ECR's default when `None`) as given. A repository that
/// is not there is an error naming it.
pub(crate) async fn every_image(
    ctx: &Ctx<'_>,
    name: &str,
    registry_id: Option<String>,
    filter: Option<aws_sdk_ecr::types::DescribeImagesFilter>,
    page: Option<i32>,
) -> Result<Vec<aws_sdk_ecr::types::ImageDetail>> {
    use aws_sdk_ecr::operation::describe_images::DescribeImagesError;
    let action = "ecr:DescribeImages";
    let subject = crate::error::Subject::Repository(name);
    let mut images = Vec::new();
    let req = ctx
        .client
        .describe_images()
        .repository_name(name)
        .set_registry_id(registry_id)
        .set_filter(filter)
        .set_max_results(page);
    let mut pages = req.into_paginator().send();
    while let Some(answer) = ctx.read(action, subject, pages.next()).await? {
        let answer = match answer {
            Ok(p) => p,
            Err(e) if crate::call::is(&e, DescribeImagesError::is_repository_not_found_exception) => {
                return Err(crate::resources::repository::not_found_in_region(ctx, name));
            }
            Err(e) => return Err(crate::call::aws(ctx, action, subject, &e)),
        };
        images.extend(answer.image_details().iter().cloned());
    }
    Ok(images)
}
