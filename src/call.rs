//! Call plumbing every resource and function shares: [`Ctx`], what one
//! operation needs (the ECR client, the configuration, cancellation, the
//! deadline, the engine log, the URN), and how a call runs under it: reads
//! stop at once on cancel or timeout, a write that has started is allowed
//! to finish and none starts after cancellation, retries pause the same way.
//! AWS errors become sentences through [`aws`]; [`AmbiguousAttempts`] tells
//! a create whether an earlier attempt may have reached AWS unseen.
//!
//! The one way to make a call: [`Ctx::send`], as a [`Kind::Read`] or a
//! [`Kind::Write`], sends it with its action and subject and turns an error
//! into its sentence; [`Ctx::read_or_none`] reads what may be gone (the
//! SDK's typed error predicate, such as `is_repository_not_found_exception`,
//! says what "gone" is); [`delete`] deletes (gone already counts as
//! deleted); a paged list is the SDK's paginator (`into_paginator().send()`)
//! read page by page through [`Ctx::next_page`] (each page dropped at once on
//! cancel). [`built`] is the one policy for the SDK's builders: an error
//! sentence, never a panic and never an item dropped. `read` and `write` are
//! the raw forms, for a caller that tells some of AWS's answers apart (a
//! create's "already exists").

use std::future::Future;

use aws_sdk_ecr::error::{ProvideErrorMetadata, SdkError};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::Code;

use crate::config::{DEFAULT_MAX_RETRIES, ProviderConfig};
use crate::engine::EngineLog;
use crate::error::{Call, ProviderError, Result, Subject, aws_error};

/// What a call of the SDK answers: its output, or the SDK's error.
type Answer<T, E, R> = std::result::Result<T, SdkError<E, R>>;

/// An error of an AWS operation, as the SDK gives it.
pub trait OpError: ProvideErrorMetadata + std::error::Error + 'static {}
impl<E: ProvideErrorMetadata + std::error::Error + 'static> OpError for E {}

/// The raw response an SDK error carries.
pub trait Raw: std::fmt::Debug + 'static {}
impl<R: std::fmt::Debug + 'static> Raw for R {}

/// Whether a call changes ECR: how cancellation treats it ([`Ctx::send`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Changes nothing: dropped at once on cancel or timeout.
    Read,
    /// Changes ECR: never started after cancellation, finished once started.
    Write,
}
use crate::log::{self, Level};

/// Everything one operation needs.
pub struct Ctx<'a> {
    pub client: &'a aws_sdk_ecr::Client,
    pub config: &'a ProviderConfig,
    pub cancel: &'a CancellationToken,
    pub deadline: Option<Instant>,
    pub log: &'a EngineLog,
    pub urn: &'a str,
    /// The account- and region-wide settings the provider's resources
    /// declare (see [`crate::resource::Claims`]).
    pub claims: &'a crate::resource::Claims,
}

impl<'a> Ctx<'a> {
    /// The region in force ("" before it is known: Configure sets it).
    pub fn region(&self) -> &'a str {
        self.config.region_in_force().unwrap_or_default()
    }

    /// The partition of the region in force (`aws` while it is unknown).
    pub fn partition(&self) -> &'static str {
        self.config.partition_or_default()
    }

    /// The resource's name: the last part of its URN.
    pub fn resource_name(&self) -> &str {
        self.urn.rsplit("::").next().unwrap_or(self.urn)
    }

    fn call<'b>(&'b self, action: &'b str, subject: Subject<'b>) -> Call<'b> {
        Call {
            action,
            subject,
            resource_name: self.resource_name(),
            max_retries: self.config.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            profile: self.config.profile.as_deref(),
            role_arn: self.config.assume_role.as_ref().map(|r| r.role_arn.as_str()),
        }
    }

    /// Tells the user about a resource through Engine.Log; in a lookup (a
    /// function, with no URN) about the call, attached to no resource. A
    /// lookup warns only about what its result cannot say, such as an image
    /// that cannot be pulled (getImage).
    pub async fn warn(&self, message: String) {
        self.log.warn(self.urn, message).await;
    }

    /// A one-line note about the resource (Engine.Log at info): what the
    /// provider could not find out, where that is no failure.
    pub async fn note(&self, message: String) {
        self.log.info(self.urn, message).await;
    }

    /// Runs a call that changes nothing: dropped at once on cancel or timeout.
    pub async fn read<T>(&self, action: &str, repo: Subject<'_>, fut: impl Future<Output = T>) -> Result<T> {
        log::log(Level::Debug, || format!("{action} {repo}"));
        let deadline = self.deadline;
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(cancelled(action, repo)),
            _ = sleep_until(deadline) => Err(timed_out(action, repo)),
            v = fut => Ok(v),
        }
    }

    /// Waits before a retry: cut short by cancellation or the timeout, both
    /// reported as what stopped `action`.
    pub async fn pause(&self, action: &str, repo: Subject<'_>, wait: std::time::Duration) -> Result<()> {
        let deadline = self.deadline;
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(cancelled(action, repo)),
            _ = sleep_until(deadline) => Err(timed_out(action, repo)),
            _ = tokio::time::sleep(wait) => Ok(()),
        }
    }

    /// Runs a call that changes ECR: never started after cancellation, and
    /// once started it is allowed to finish (bounded by the timeout), so no
    /// write is abandoned half-way.
    pub async fn write<T>(&self, action: &str, repo: Subject<'_>, fut: impl Future<Output = T>) -> Result<T> {
        if self.cancel.is_cancelled() {
            return Err(cancelled(action, repo));
        }
        log::log(Level::Debug, || format!("{action} {repo}"));
        let deadline = self.deadline;
        tokio::select! {
            biased;
            v = fut => Ok(v),
            _ = sleep_until(deadline) => Err(timed_out(action, repo)),
        }
    }

    /// Sends a call, as a read ([`Ctx::read`]: dropped on cancel) or a write
    /// ([`Ctx::write`]: allowed to finish); an error of AWS becomes its
    /// sentence naming `action` and `subject`.
    pub async fn send<T, E: OpError, R: Raw>(
        &self,
        kind: Kind,
        action: &str,
        subject: Subject<'_>,
        fut: impl Future<Output = Answer<T, E, R>>,
    ) -> Result<T> {
        let answer = match kind {
            Kind::Read => self.read(action, subject, fut).await?,
            Kind::Write => self.write(action, subject, fut).await?,
        };
        answer.map_err(|e| aws(self, action, subject, &e))
    }

    /// Reads the next page of a paged list: `page` is `next()` of the SDK's
    /// paginator (`into_paginator().send()`), which sends the page's call
    /// only when asked; `None` after the last page.
    pub async fn next_page<T, E: OpError, R: Raw>(
        &self,
        action: &str,
        subject: Subject<'_>,
        page: impl Future<Output = Option<Answer<T, E, R>>>,
    ) -> Result<Option<T>> {
        self.read(action, subject, page).await?.transpose().map_err(|e| aws(self, action, subject, &e))
    }

    /// Reads what may not be there: `None` when ECR's answer is the error
    /// `gone` names (the SDK's typed predicate, such as
    /// `GetLifecyclePolicyError::is_lifecycle_policy_not_found_exception`).
    pub async fn read_or_none<T, E: OpError, R: Raw>(
        &self,
        action: &str,
        subject: Subject<'_>,
        gone: fn(&E) -> bool,
        fut: impl Future<Output = Answer<T, E, R>>,
    ) -> Result<Option<T>> {
        match self.read(action, subject, fut).await? {
            Ok(v) => Ok(Some(v)),
            Err(e) if is(&e, gone) => Ok(None),
            Err(e) => Err(aws(self, action, subject, &e)),
        }
    }
}

/// Whether an answer of AWS is the service error `which` names (the SDK's
/// typed predicates, such as `CreateRepositoryError::is_repository_already_exists_exception`).
pub fn is<E, R>(e: &SdkError<E, R>, which: fn(&E) -> bool) -> bool {
    e.as_service_error().is_some_and(which)
}

/// The one policy for the SDK's builders: a value the provider validated
/// that a builder still refuses (a required field it did not set) is an
/// error sentence naming what was built, never a panic and never an item
/// dropped from a list.
pub fn built<T>(what: &str, r: std::result::Result<T, aws_sdk_ecr::error::BuildError>) -> Result<T> {
    r.map_err(|e| {
        ProviderError::invalid(format!(
            "the provider could not build the {what} it sends to ECR ({e}); this is a bug of the provider, please report it with the inputs"
        ))
    })
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

fn cancelled(action: &str, repo: Subject<'_>) -> ProviderError {
    ProviderError::new(Code::Cancelled, format!("cancelled before {action} on {repo}; run `pulumi up` again to finish"))
}

fn timed_out(action: &str, repo: Subject<'_>) -> ProviderError {
    ProviderError::new(
        Code::DeadlineExceeded,
        format!(
            "the operation's timeout ran out during {action} on {repo}; run `pulumi refresh` and `pulumi up` to finish, or raise customTimeouts"
        ),
    )
}

/// Awaits a call that may not be needed.
pub async fn maybe<F: std::future::Future>(call: Option<F>) -> Option<F::Output> {
    match call {
        Some(f) => Some(f.await),
        None => None,
    }
}

/// Runs the futures at once and gives their outputs in order (the few
/// BatchGetImage calls of one getImage lookup, the replication backfills of
/// one Registry).
pub async fn join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (f, out) in pending.iter_mut().zip(done.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    done.into_iter().flatten().collect()
}

/// The settings of one operation that could not be applied, with why:
/// the calls of an operation run at once, and every failure is reported.
#[derive(Default)]
pub struct Failed(Vec<(&'static str, ProviderError)>);

impl Failed {
    pub fn add(&mut self, what: &'static str, e: ProviderError) {
        self.0.push((what, e));
    }

    /// `<what>: <why>` for each, and the code of the first; `None` when
    /// every call succeeded.
    pub fn reason(&self) -> Option<(String, Code)> {
        let (_, first) = self.0.first()?;
        let parts: Vec<String> = self.0.iter().map(|(what, e)| format!("{what}: {}", e.message())).collect();
        Some((parts.join("; and its "), first.code()))
    }
}

/// Runs a delete: something ECR says is already gone (the error `gone`
/// names, the SDK's typed predicate) counts as deleted. `repo` is what
/// messages name.
pub async fn delete<T, E: OpError, R: Raw>(
    ctx: &Ctx<'_>,
    action: &str,
    repo: Subject<'_>,
    gone: fn(&E) -> bool,
    fut: impl Future<Output = Answer<T, E, R>>,
) -> Result<()> {
    match ctx.write(action, repo, fut).await? {
        Ok(_) => Ok(()),
        Err(e) if is(&e, gone) => Ok(()),
        Err(e) => Err(aws(ctx, action, repo, &e)),
    }
}

/// The registry (account) id the provider acts in: the account of
/// `assumeRole` when the configuration names it (no call), else
/// DescribeRegistry's answer.
pub async fn registry_id(ctx: &Ctx<'_>) -> Result<String> {
    if let Some(account) = ctx.config.account_in_force() {
        return Ok(account.to_string());
    }
    let resp =
        ctx.send(Kind::Read, "ecr:DescribeRegistry", Subject::Registry, ctx.client.describe_registry().send()).await?;
    Ok(resp.registry_id().unwrap_or_default().to_string())
}

/// What Read answers when `what` is not there: on import (no old state) an
/// error naming it, on refresh `None`, so the engine drops it from the state.
pub fn gone<T>(ctx: &Ctx<'_>, importing: bool, what: &str) -> Result<Option<T>> {
    if importing {
        return Err(ProviderError::new(
            Code::NotFound,
            format!(
                "there is no {what} in {}; check the id and awsecr:region",
                ctx.config.region_in_force().unwrap_or("the provider's region")
            ),
        ));
    }
    Ok(None)
}

pub fn aws<E: OpError, R: Raw>(ctx: &Ctx<'_>, action: &str, repo: Subject<'_>, err: &SdkError<E, R>) -> ProviderError {
    aws_error(&ctx.call(action, repo), err)
}

/// Notes whether an attempt of a call ended without an answer or with a
/// server error: such an attempt may have reached ECR and done its work even
/// though the caller never learned of it.
#[derive(Debug, Clone, Default)]
pub struct AmbiguousAttempts(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl AmbiguousAttempts {
    pub fn seen(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl aws_sdk_ecr::config::Intercept for AmbiguousAttempts {
    fn name(&self) -> &'static str {
        "AmbiguousAttempts"
    }

    fn read_after_attempt(
        &self,
        context: &aws_sdk_ecr::config::interceptors::FinalizerInterceptorContextRef<'_>,
        _: &aws_sdk_ecr::config::RuntimeComponents,
        _: &mut aws_sdk_ecr::config::ConfigBag,
    ) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let failed = context.output_or_error().is_some_and(|r| r.is_err());
        let unanswered = context.response().is_none_or(|r| r.status().is_server_error());
        if failed && unanswered {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }
}
