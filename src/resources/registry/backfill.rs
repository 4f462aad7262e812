//! Replication backfills of the Registry. A replication destination with
//! `backfill: true` starts one backfill (StartReplicationBackfill: ECR
//! copies the images already in the registry that the rules match) when the
//! destination is added: on create, or on the update that adds it, never on
//! another update, a refresh or an import, and never again for a destination
//! the state already had. Its state is the output `replicationBackfills`, one
//! record per destination, which Read refreshes with
//! DescribeReplicationBackfillResults for each backfill that has not ended,
//! at once with the Registry's other reads (no round trip more; none at all
//! once every backfill has ended).
//!
//! A backfill is not a setting the resource owns: nothing here stops one
//! (not delete, not removing its destination), and backfills others started
//! are never read.
//!
//! Architecture invariant: a backfill starts only after the replication
//! rules that hold its destination were written (ECR refuses one for a
//! destination not in the rules), and only for a destination no rule of the
//! state before had ([`added`]).

use std::collections::BTreeSet;
use std::time::SystemTime;

use aws_sdk_ecr::types::ReplicationDestination;
use aws_smithy_types::date_time::Format;
use tonic::Code;

use super::args::ReplicationRule;
use aws_sdk_ecr::operation::describe_replication_backfill_results::DescribeReplicationBackfillResultsError;
use aws_sdk_ecr::operation::start_replication_backfill::StartReplicationBackfillError;

use crate::call::{AmbiguousAttempts, Ctx, aws, built, is, join_all};
use crate::error::{ProviderError, Result, Subject};
use crate::log::{self, Level};
use crate::names::*;
use crate::property::{Map, Value};
use crate::resources::pull_through_cache_rule::made_since;

/// A backfill's statuses (botocore's ReplicationBackfillStatus).
pub const STATUSES: &[&str] = &["PREPARING", "IN_PROGRESS", "COMPLETE", "FAILED", "STOPPING", "STOPPED"];
/// The statuses a backfill never leaves: refresh reads it no more.
pub const ENDED: &[&str] = &["COMPLETE", "FAILED", "STOPPED"];

/// A destination as ECR names it: region and registry (account) id.
pub type Place = (String, String);

/// What the state knows of the backfill started for one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backfill {
    pub region: String,
    pub registry_id: String,
    pub id: String,
    pub status: String,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    /// `None` while ECR prepares the set of images (and for a backfill
    /// stopped before that).
    pub progress: Option<Progress>,
    pub failure_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub total: i64,
    pub completed: i64,
    pub failed: i64,
    pub failure_codes: Vec<String>,
}

impl Backfill {
    fn place(&self) -> Place {
        (self.region.clone(), self.registry_id.clone())
    }

    fn ended(&self) -> bool {
        ENDED.contains(&self.status.as_str())
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert(REGION.into(), self.region.clone().into());
        m.insert(REGISTRY_ID.into(), self.registry_id.clone().into());
        m.insert(BACKFILL_ID.into(), self.id.clone().into());
        m.insert(STATUS.into(), self.status.clone().into());
        let text = |m: &mut Map, k: &str, v: &Option<String>| {
            if let Some(v) = v {
                m.insert(k.into(), v.clone().into());
            }
        };
        text(&mut m, STARTED_AT, &self.started_at);
        text(&mut m, ENDED_AT, &self.ended_at);
        text(&mut m, FAILURE_CODE, &self.failure_code);
        if let Some(p) = &self.progress {
            m.insert(TOTAL_REPLICATION_COUNT.into(), Value::Number(p.total as f64));
            m.insert(COMPLETED_REPLICATION_COUNT.into(), Value::Number(p.completed as f64));
            m.insert(FAILED_REPLICATION_COUNT.into(), Value::Number(p.failed as f64));
            m.insert(
                REPLICATION_FAILURE_CODES.into(),
                Value::Array(p.failure_codes.iter().map(|c| Value::from(c.as_str())).collect()),
            );
        }
        Value::Object(m)
    }

    fn from_value(v: &Value) -> Option<Backfill> {
        let Value::Object(m) = v.plain() else { return None };
        let text = |k: &str| m.get(k).and_then(|v| v.as_str().map(str::to_string));
        let count = |k: &str| match m.get(k) {
            Some(Value::Number(n)) => Some(*n as i64),
            _ => None,
        };
        let progress = match (count(TOTAL_REPLICATION_COUNT), count(COMPLETED_REPLICATION_COUNT)) {
            (Some(total), Some(completed)) => Some(Progress {
                total,
                completed,
                failed: count(FAILED_REPLICATION_COUNT).unwrap_or(0),
                failure_codes: match m.get(REPLICATION_FAILURE_CODES) {
                    Some(Value::Array(codes)) => codes.iter().filter_map(|c| c.as_str().map(str::to_string)).collect(),
                    _ => Vec::new(),
                },
            }),
            _ => None,
        };
        Some(Backfill {
            region: text(REGION)?,
            registry_id: text(REGISTRY_ID)?,
            id: text(BACKFILL_ID)?,
            status: text(STATUS)?,
            started_at: text(STARTED_AT),
            ended_at: text(ENDED_AT),
            progress,
            failure_code: text(FAILURE_CODE),
        })
    }
}

/// The destinations (region, registry id; a missing registryId is `own`)
/// of `new` that opt in to a backfill and that no rule of `old` has: the
/// destinations this write adds. Each once, in order. A destination in two
/// rules opts in when either says so; one that was already there never
/// counts, whatever its `backfill` says.
pub fn added(old: Option<&[ReplicationRule]>, new: Option<&[ReplicationRule]>, registry_id: &str) -> Vec<Place> {
    let place = |d: &super::args::Destination| {
        (d.region.clone(), d.registry_id.clone().unwrap_or_else(|| registry_id.to_string()))
    };
    let before: BTreeSet<Place> = old.into_iter().flatten().flat_map(|r| &r.destinations).map(place).collect();
    let wanted: BTreeSet<Place> =
        new.into_iter().flatten().flat_map(|r| &r.destinations).filter(|d| d.backfill).map(place).collect();
    wanted.difference(&before).cloned().collect()
}

/// What one write does about backfills: the destinations it adds (each
/// starts one) and the records the state has.
pub struct Plan {
    pub added: Vec<Place>,
    pub records: Vec<Backfill>,
}

/// Whether a destination of `args` opts in to a backfill.
pub fn opts_in(args: &super::args::RegistryArgs) -> bool {
    args.replication.iter().flatten().flat_map(|r| &r.destinations).any(|d| d.backfill)
}

/// The records of a state (the outputs).
pub fn of_state(olds: &Map) -> Vec<Backfill> {
    match olds.get(REPLICATION_BACKFILLS).map(Value::plain) {
        Some(Value::Array(items)) => items.iter().filter_map(Backfill::from_value).collect(),
        _ => Vec::new(),
    }
}

/// The records whose destination is still in `rules` (none when the rules
/// are not owned), with `started` replacing the record of its destination;
/// ordered by destination.
pub fn kept(
    records: Vec<Backfill>,
    started: Vec<Backfill>,
    rules: Option<&[ReplicationRule]>,
    registry_id: &str,
) -> Vec<Backfill> {
    let places: BTreeSet<Place> = rules
        .into_iter()
        .flatten()
        .flat_map(|r| &r.destinations)
        .map(|d| (d.region.clone(), d.registry_id.clone().unwrap_or_else(|| registry_id.to_string())))
        .collect();
    let fresh: BTreeSet<Place> = started.iter().map(Backfill::place).collect();
    let mut out: Vec<Backfill> = records.into_iter().filter(|b| !fresh.contains(&b.place())).chain(started).collect();
    out.retain(|b| places.contains(&b.place()));
    out.sort_by_key(Backfill::place);
    out
}

/// Puts the records into the outputs (nothing when there are none).
pub fn insert(props: &mut Map, records: &[Backfill]) {
    if !records.is_empty() {
        props.insert(REPLICATION_BACKFILLS.into(), Value::Array(records.iter().map(Backfill::to_value).collect()));
    }
}

/// The output at preview: unknown when the change starts a backfill, else
/// the records kept. `old`/`new`: the rules before (`None` on create) and
/// as declared (`None` while unknown).
pub fn preview(
    props: &mut Map,
    records: Vec<Backfill>,
    old: Option<&[ReplicationRule]>,
    new: Option<Option<&[ReplicationRule]>>,
    registry_id: &str,
) {
    match new {
        Some(new) if added(old, new, registry_id).is_empty() => {
            insert(props, &kept(records, Vec::new(), new, registry_id))
        }
        _ => {
            props.insert(REPLICATION_BACKFILLS.into(), Value::Unknown);
        }
    }
}

// ---------------------------------------------------------------- calls

/// Starts a backfill to each of `places`, all at once; each result is the
/// record, or the sentence saying what to do.
pub async fn start(ctx: &Ctx<'_>, places: &[Place]) -> Vec<Result<Backfill>> {
    join_all(places.iter().map(|p| start_one(ctx, p))).await
}

async fn start_one(ctx: &Ctx<'_>, place: &Place) -> Result<Backfill> {
    let (region, registry_id) = place;
    let action = "ecr:StartReplicationBackfill";
    let destination = built(
        "replication destination",
        ReplicationDestination::builder().region(region).registry_id(registry_id).build(),
    )?;
    let started = SystemTime::now();
    let ambiguous = AmbiguousAttempts::default();
    let sent = ctx
        .client
        .start_replication_backfill()
        .destination(destination)
        .customize()
        .interceptor(ambiguous.clone())
        .send();
    let (cause, code, when) = match ctx.write(action, Subject::Registry, sent).await {
        Ok(Ok(resp)) => return Ok(started_backfill(region, registry_id, &resp)),
        // The SDK retried a start whose reply was lost after ECR had begun
        // the backfill: the one in progress to this destination, begun
        // during this call, is ours.
        Ok(Err(e))
            if is(&e, StartReplicationBackfillError::is_replication_backfill_in_progress_exception)
                && ambiguous.seen() =>
        {
            match earlier_attempt(ctx, region, registry_id, started).await? {
                Some(b) => return Ok(ours_from_earlier_attempt(b, place)),
                None => in_progress(region),
            }
        }
        Ok(Err(e)) if is(&e, StartReplicationBackfillError::is_replication_backfill_in_progress_exception) => {
            in_progress(region)
        }
        Ok(Err(e)) if is(&e, StartReplicationBackfillError::is_limit_exceeded_exception) => (
            "the registry already has 10 backfills in progress, ECR's limit".to_string(),
            Code::ResourceExhausted,
            " once one of them has ended",
        ),
        Ok(Err(e)) => {
            let e = aws(ctx, action, Subject::Registry, &e);
            (e.message().to_string(), e.code(), "")
        }
        Err(e) if e.code() == Code::Cancelled => {
            ("the operation was cancelled before the call".to_string(), Code::Cancelled, "")
        }
        Err(e) => (e.message().to_string(), e.code(), ""),
    };
    Err(not_started(ctx, place, cause, code, when))
}

/// The record of a backfill ECR has just started.
fn started_backfill(
    region: &str,
    registry_id: &str,
    resp: &aws_sdk_ecr::operation::start_replication_backfill::StartReplicationBackfillOutput,
) -> Backfill {
    Backfill {
        region: region.to_string(),
        registry_id: registry_id.to_string(),
        id: resp.replication_backfill_id().unwrap_or_default().to_string(),
        status: resp.status().map_or("PREPARING", |s| s.as_str()).to_string(),
        started_at: resp.started_at().and_then(|t| t.fmt(Format::DateTime).ok()),
        ended_at: None,
        progress: None,
        failure_code: None,
    }
}

/// The backfill an earlier attempt of this start began, logged as ours.
fn ours_from_earlier_attempt(b: Backfill, (region, registry_id): &Place) -> Backfill {
    log::log(Level::Info, || {
        format!("StartReplicationBackfill {region}/{registry_id}: the backfill an earlier attempt started is ours")
    });
    b
}

/// Why no backfill was started to `place`, with the command that starts
/// one (`when`: after what it will succeed).
fn not_started(ctx: &Ctx<'_>, (region, registry_id): &Place, cause: String, code: Code, when: &str) -> ProviderError {
    ProviderError::new(
        code,
        format!(
            "no replication backfill was started to {region} (registry {registry_id}): {cause}; new pushes replicate there, but the images already in the registry are copied only by a backfill, which no later `pulumi up` starts for a destination that is already there: run `aws ecr start-replication-backfill --region {} --destination region={region},registryId={registry_id}`{when}",
            ctx.region()
        ),
    )
}

fn in_progress(region: &str) -> (String, Code, &'static str) {
    (
        format!("a backfill to {region} is in progress, and ECR runs one per destination region at a time"),
        Code::FailedPrecondition,
        " once it has ended",
    )
}

/// The backfill to this destination in progress and started since
/// `started` (ListReplicationBackfills, every page), if there is one.
async fn earlier_attempt(
    ctx: &Ctx<'_>,
    region: &str,
    registry_id: &str,
    started: SystemTime,
) -> Result<Option<Backfill>> {
    let action = "ecr:ListReplicationBackfills";
    let mut pages = ctx.client.list_replication_backfills().into_paginator().send();
    while let Some(resp) = ctx.next_page(action, Subject::Registry, pages.next()).await? {
        let found = resp.backfills().iter().find(|b| {
            b.destination().is_some_and(|d| d.region() == region && d.registry_id() == registry_id)
                && !ENDED.contains(&b.status().as_str())
                && made_since(Some(b.started_at()), started)
        });
        if let Some(b) = found {
            return Ok(Some(Backfill {
                region: region.to_string(),
                registry_id: registry_id.to_string(),
                id: b.replication_backfill_id().to_string(),
                status: b.status().as_str().to_string(),
                started_at: b.started_at().fmt(Format::DateTime).ok(),
                ended_at: b.ended_at().and_then(|t| t.fmt(Format::DateTime).ok()),
                progress: b.progress().map(progress_of),
                failure_code: b.failure_code().map(str::to_string),
            }));
        }
    }
    Ok(None)
}

fn progress_of(p: &aws_sdk_ecr::types::ReplicationBackfillProgress) -> Progress {
    Progress {
        total: i64::from(p.total_replication_count()),
        completed: i64::from(p.completed_replication_count()),
        failed: i64::from(p.failed_replication_count()),
        failure_codes: p.failure_codes().to_vec(),
    }
}

/// The records with each backfill that has not ended read again
/// (DescribeReplicationBackfillResults, all at once, one result asked for:
/// the per-image results are not kept). A backfill ECR no longer knows, or
/// one that could not be read, stays as last seen, with a warning for the
/// latter.
pub async fn refresh(ctx: &Ctx<'_>, records: Vec<Backfill>) -> Result<Vec<Backfill>> {
    join_all(records.into_iter().map(|b| refresh_one(ctx, b))).await.into_iter().collect()
}

async fn refresh_one(ctx: &Ctx<'_>, b: Backfill) -> Result<Backfill> {
    if b.ended() {
        return Ok(b);
    }
    let action = "ecr:DescribeReplicationBackfillResults";
    let req = ctx.client.describe_replication_backfill_results().replication_backfill_id(&b.id).max_results(1);
    match ctx.read(action, Subject::Registry, req.send()).await? {
        Ok(resp) => Ok(Backfill {
            status: resp.status().map_or(b.status.clone(), |s| s.as_str().to_string()),
            started_at: resp.started_at().and_then(|t| t.fmt(Format::DateTime).ok()).or(b.started_at.clone()),
            ended_at: resp.ended_at().and_then(|t| t.fmt(Format::DateTime).ok()),
            progress: resp.progress().map(progress_of),
            failure_code: resp.failure_code().map(str::to_string),
            ..b
        }),
        Err(e) if is(&e, DescribeReplicationBackfillResultsError::is_replication_backfill_not_found_exception) => Ok(b),
        Err(e) => {
            let e = aws(ctx, action, Subject::Registry, &e);
            ctx.warn(format!(
                "the replication backfill {} to {} (registry {}) could not be read, so it shows as last seen ({}): {}",
                b.id,
                b.region,
                b.registry_id,
                b.status,
                e.message()
            ))
            .await;
            Ok(b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::args::Destination;
    use super::*;

    const OWN: &str = "123456789012";
    const OTHER: &str = "210987654321";

    fn d(region: &str, id: Option<&str>, backfill: bool) -> Destination {
        Destination { region: region.into(), registry_id: id.map(str::to_string), backfill }
    }

    fn rule(destinations: Vec<Destination>) -> ReplicationRule {
        ReplicationRule { destinations, repository_prefixes: vec![] }
    }

    fn place(region: &str, id: &str) -> Place {
        (region.to_string(), id.to_string())
    }

    fn record(region: &str, id: &str, status: &str) -> Backfill {
        Backfill {
            region: region.into(),
            registry_id: id.into(),
            id: format!("{region}-{status}"),
            status: status.into(),
            started_at: Some("2026-01-01T00:00:00Z".into()),
            ended_at: None,
            progress: None,
            failure_code: None,
        }
    }

    #[test]
    fn on_create_every_opted_in_destination_is_added_once() {
        let new = vec![
            rule(vec![d("eu-west-1", None, true), d("us-west-2", Some(OTHER), false)]),
            // The same destination in a second rule, spelled out, opting in here only.
            rule(vec![d("eu-west-1", Some(OWN), false), d("us-west-2", Some(OTHER), true)]),
        ];
        assert_eq!(added(None, Some(&new), OWN), vec![place("eu-west-1", OWN), place("us-west-2", OTHER)]);
        assert!(added(None, Some(&[rule(vec![d("eu-west-1", None, false)])]), OWN).is_empty(), "no opt-in");
        assert!(added(None, None, OWN).is_empty(), "replication not declared");
    }

    #[test]
    fn a_destination_already_there_never_counts() {
        let old = vec![rule(vec![d("eu-west-1", None, false)])];
        // Switched on later, spelled another way, moved to another rule: no.
        let new = vec![
            rule(vec![d("ap-south-1", None, false)]),
            rule(vec![d("eu-west-1", Some(OWN), true), d("us-west-2", Some(OTHER), true)]),
        ];
        assert_eq!(added(Some(&old), Some(&new), OWN), vec![place("us-west-2", OTHER)]);
        // Another account in the same region is another destination.
        let new = vec![rule(vec![d("eu-west-1", None, true), d("eu-west-1", Some(OTHER), true)])];
        assert_eq!(added(Some(&old), Some(&new), OWN), vec![place("eu-west-1", OTHER)]);
        // The same rules again: nothing.
        assert!(added(Some(&new), Some(&new), OWN).is_empty());
        // Replication no longer declared: nothing.
        assert!(added(Some(&old), None, OWN).is_empty());
    }

    #[test]
    fn records_follow_the_destinations_and_round_trip() {
        let rules = vec![rule(vec![d("eu-west-1", None, true), d("us-west-2", Some(OTHER), true)])];
        let records = vec![record("us-west-2", OTHER, "COMPLETE"), record("ap-south-1", OWN, "IN_PROGRESS")];
        let started = vec![record("eu-west-1", OWN, "PREPARING")];
        let out = kept(records, started, Some(&rules), OWN);
        let places: Vec<Place> = out.iter().map(Backfill::place).collect();
        assert_eq!(places, vec![place("eu-west-1", OWN), place("us-west-2", OTHER)], "ap-south-1 is gone");
        // A new start replaces the record of its destination.
        let again = kept(out.clone(), vec![record("us-west-2", OTHER, "PREPARING")], Some(&rules), OWN);
        assert_eq!(again[1].status, "PREPARING");
        assert!(kept(out.clone(), vec![], None, OWN).is_empty(), "replication no longer owned");

        let mut full = record("eu-west-1", OWN, "FAILED");
        full.ended_at = Some("2026-01-01T01:00:00Z".into());
        full.failure_code = Some("SOME_CODE".into());
        full.progress = Some(Progress { total: 3, completed: 1, failed: 2, failure_codes: vec!["X".into()] });
        let mut props = Map::new();
        insert(&mut props, &[full.clone(), out[1].clone()]);
        assert_eq!(of_state(&props), vec![full, out[1].clone()]);
        let mut secret = Map::new();
        secret.insert(REPLICATION_BACKFILLS.into(), props[REPLICATION_BACKFILLS].clone().into_secret());
        assert_eq!(of_state(&secret).len(), 2, "a secret output is read too");
        let mut none = Map::new();
        insert(&mut none, &[]);
        assert!(none.is_empty(), "no records, no output");
    }

    #[test]
    fn preview_is_unknown_only_when_a_backfill_starts() {
        let old = vec![rule(vec![d("eu-west-1", None, true)])];
        let records = vec![record("eu-west-1", OWN, "COMPLETE")];
        let mut props = Map::new();
        preview(&mut props, records.clone(), Some(&old), Some(Some(&old)), OWN);
        assert_eq!(of_state(&props), records, "nothing starts: the records as they are");
        let more = vec![rule(vec![d("eu-west-1", None, true), d("us-west-2", Some(OTHER), true)])];
        preview(&mut props, records.clone(), Some(&old), Some(Some(&more)), OWN);
        assert_eq!(props[REPLICATION_BACKFILLS], Value::Unknown);
        let mut props = Map::new();
        preview(&mut props, records, Some(&old), None, OWN);
        assert_eq!(props[REPLICATION_BACKFILLS], Value::Unknown, "rules not known yet");
    }

    #[test]
    fn statuses_that_end() {
        assert!(ENDED.iter().all(|s| STATUSES.contains(s)));
        assert!(record("eu-west-1", OWN, "STOPPED").ended());
        assert!(!record("eu-west-1", OWN, "STOPPING").ended());
    }
}
