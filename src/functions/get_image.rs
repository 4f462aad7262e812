//! `awsecr:index:getImage`: one image of a repository, by tag, by digest or
//! the most recently pushed runnable image, with its digest, tags, push time,
//! size, scan status with its finding counts by severity, managed signing's
//! status, storage status and last recorded pull time, and the URI that pins
//! it by digest (for deploying exactly this image). An archived image (or one being restored) cannot be
//! pulled: its lookup says so.
//!
//! `mostRecent` chooses among what a deploy can run: an image manifest of a
//! container image or an image index (a multi-architecture image), never a
//! referrer (a signature, SBOM or attestation), another kind of artifact, or
//! one platform's manifest inside an index ([`runnable`], [`pick`]).

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecr::error::ProvideErrorMetadata;
use aws_sdk_ecr::types::{ImageDetail, ImageIdentifier};
use aws_smithy_types::date_time::Format;
use tonic::Code;

use super::{reader, repository_name};
use aws_sdk_ecr::operation::batch_get_image::BatchGetImageError;
use aws_sdk_ecr::operation::describe_image_scan_findings::DescribeImageScanFindingsError;
use aws_sdk_ecr::operation::describe_images::DescribeImagesError;

use crate::call::{Ctx, aws, is, join_all};
use crate::error::Subject;
use crate::error::{ProviderError, Result};
use crate::names::*;
use crate::partition::is_account_id;
use crate::property::{Map, Value};
use crate::validate::{Failure, Field};

pub const TOKEN: &str = "awsecr:index:getImage";
/// The function's arguments.
pub const ARGS: &[&str] = &[REPOSITORY_NAME, IMAGE_TAG, IMAGE_DIGEST, MOST_RECENT, REGISTRY_ID];
/// What it returns (`scanStatus` and `scanCompletedAt` only when the image
/// has been scanned, `scanFindingCounts` only once a scan has findings to
/// count; `signingStatuses` only when ECR answered
/// DescribeImageSigningStatus; `lastRecordedPullTime` only when ECR has
/// recorded a pull).
pub const RESULTS: &[&str] = &[
    IMAGE_DIGEST,
    IMAGE_TAGS,
    IMAGE_PUSHED_AT,
    IMAGE_SIZE_IN_BYTES,
    IMAGE_URI,
    SCAN_STATUS,
    SCAN_FINDING_COUNTS,
    SCAN_COMPLETED_AT,
    SIGNING_STATUSES,
    IMAGE_STATUS,
    LAST_RECORDED_PULL_TIME,
];

/// Which image to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    Tag(String),
    Digest(String),
    MostRecent,
}

/// Checked arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub repository: String,
    pub which: Which,
    pub registry_id: Option<String>,
}

/// Checks the arguments: a repository name and exactly one of imageTag,
/// imageDigest or `mostRecent: true`.
pub fn check(args: &Map) -> std::result::Result<Lookup, Vec<Failure>> {
    let mut r = reader(args, TOKEN, ARGS);
    let repository = repository_name(&mut r, "the repository the image is in");
    let tag = match r.string(IMAGE_TAG) {
        Field::Known(t) if (1..=300).contains(&t.chars().count()) => Some(t),
        Field::Known(t) => {
            r.fail(IMAGE_TAG, format!("must be 1 to 300 characters, got {}", t.chars().count()));
            None
        }
        _ => None,
    };
    let digest = match r.string(IMAGE_DIGEST) {
        Field::Known(d) if is_digest(&d) => Some(d),
        Field::Known(d) => {
            r.fail(IMAGE_DIGEST, format!("must be an image digest such as sha256: and 64 hex digits, got \"{d}\""));
            None
        }
        _ => None,
    };
    let most_recent = matches!(r.bool(MOST_RECENT), Field::Known(true));
    let registry_id = match r.string(REGISTRY_ID) {
        Field::Known(id) if is_account_id(&id) => Some(id),
        Field::Known(id) => {
            r.fail(REGISTRY_ID, format!("must be a 12-digit AWS account id (the registry's), got \"{id}\""));
            None
        }
        _ => None,
    };
    let present = |k: &str| !matches!(args.get(k), None | Some(Value::Null));
    let given = [present(IMAGE_TAG), present(IMAGE_DIGEST), most_recent];
    if given.iter().filter(|g| **g).count() != 1 {
        r.fail("", "give exactly one of imageTag, imageDigest or mostRecent: true");
    }
    let which = match (tag, digest, most_recent) {
        (Some(t), None, false) => Some(Which::Tag(t)),
        (None, Some(d), false) => Some(Which::Digest(d)),
        (None, None, true) => Some(Which::MostRecent),
        _ => None,
    };
    match (repository, which) {
        (Some(repository), Some(which)) if r.failures.is_empty() => Ok(Lookup { repository, which, registry_id }),
        _ => Err(r.failures),
    }
}

/// `sha256:` and 64 hex digits, or `sha512:` and 128.
fn is_digest(d: &str) -> bool {
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    d.strip_prefix("sha256:").is_some_and(|h| hex(h, 64)) || d.strip_prefix("sha512:").is_some_and(|h| hex(h, 128))
}

super::typed_function!(GetImage, Lookup, RESULTS.to_vec(), &[]);

/// DescribeImages: one call for a tag or a digest; for the most recent
/// image every page, then BatchGetImage of the indexes that may hold the
/// image chosen (only when an index was pushed at or after it).
/// DescribeImageSigningStatus and DescribeImageScanFindings go out with
/// DescribeImages for a tag or a digest (one round trip), together after
/// the choice for the most recent image. A tag's answer of no scan is
/// asked again by digest (a second round trip).
async fn call(ctx: &Ctx<'_>, lookup: Lookup) -> Result<Map> {
    let (image, signing, scan) = described(ctx, &lookup).await?;
    let digest = image.image_digest().unwrap_or_default().to_string();
    let (signing, scan) = of_this_image(ctx, &lookup, &digest, signing, scan).await?;
    let (out, status) = outputs(ctx, &lookup, &image, &digest, signing, scan);
    if let Some(why) = not_pullable(status, &lookup.repository, &digest) {
        ctx.warn(why).await;
    }
    Ok(out)
}

/// The image looked up, with its signing status and scan when they went
/// out with DescribeImages (a tag or a digest). `signing` and `scan`:
/// `None` when not asked yet (the most recent image is only known once
/// chosen).
async fn described(ctx: &Ctx<'_>, lookup: &Lookup) -> Result<(ImageDetail, Option<Option<Signing>>, Option<Scanned>)> {
    Ok(match &lookup.which {
        Which::MostRecent => (most_recent(ctx, lookup).await?, None, None),
        Which::Tag(_) | Which::Digest(_) => {
            let id = match &lookup.which {
                Which::Tag(t) => ImageIdentifier::builder().image_tag(t).build(),
                _ => ImageIdentifier::builder().image_digest(lookup.which.digest().unwrap_or_default()).build(),
            };
            let (image, signing, scan) = tokio::join!(
                one(ctx, lookup, id.clone()),
                signing_statuses(ctx, lookup, id.clone()),
                scan_findings(ctx, lookup, id)
            );
            let image = image?;
            (image, Some(signing?), Some(scan?))
        }
    })
}

/// The signing status and the scan of the image with `digest`: those
/// already answered when they are of this very image, else asked by digest.
async fn of_this_image(
    ctx: &Ctx<'_>,
    lookup: &Lookup,
    digest: &str,
    signing: Option<Option<Signing>>,
    scan: Option<Scanned>,
) -> Result<(Option<Signing>, Scanned)> {
    // The status and the scan of this very image: asked by digest when
    // the answer was of another image (a tag moved between the calls) or
    // when the image was only chosen now, both at once.
    let signing = match signing {
        Some(Some(s)) if s.digest.as_deref().is_some_and(|d| d != digest) => None,
        other => other,
    };
    // "No scan" for a tag cannot say of which image: the tag may have
    // moved to an image without a scan between the calls, which would
    // hide the findings of the image described. Asked again by digest.
    let scan = match scan {
        Some(Scanned::Found(s)) if s.digest.as_deref().is_some_and(|d| d != digest) => None,
        Some(Scanned::None) if matches!(lookup.which, Which::Tag(_)) => None,
        other => other,
    };
    let by_digest = || ImageIdentifier::builder().image_digest(digest).build();
    let (signing, scan) = tokio::join!(
        async {
            match signing {
                Some(answer) => Ok(answer),
                None => signing_statuses(ctx, lookup, by_digest()).await,
            }
        },
        async {
            match scan {
                Some(answer) => Ok(answer),
                None => scan_findings(ctx, lookup, by_digest()).await,
            }
        }
    );
    Ok((signing?, scan?))
}

/// The function's results, and the image's status.
fn outputs<'a>(
    ctx: &Ctx<'_>,
    lookup: &Lookup,
    image: &'a ImageDetail,
    digest: &str,
    signing: Option<Signing>,
    scan: Scanned,
) -> (Map, &'a str) {
    let name = lookup.repository.as_str();
    let registry = image.registry_id().or(lookup.registry_id.as_deref()).unwrap_or_default();
    let region = ctx.config.region_in_force().unwrap_or_default();
    let suffix = ctx.config.partition().and_then(crate::partition::dns_suffix).unwrap_or("amazonaws.com");
    let mut out = Map::new();
    out.insert(IMAGE_DIGEST.into(), digest.into());
    out.insert(IMAGE_TAGS.into(), Value::Array(image.image_tags().iter().map(|t| Value::from(t.as_str())).collect()));
    if let Some(at) = image.image_pushed_at().and_then(|t| t.fmt(Format::DateTime).ok()) {
        out.insert(IMAGE_PUSHED_AT.into(), at.into());
    }
    if let Some(size) = image.image_size_in_bytes() {
        out.insert(IMAGE_SIZE_IN_BYTES.into(), Value::Number(size as f64));
    }
    out.insert(IMAGE_URI.into(), format!("{registry}.dkr.ecr.{region}.{suffix}/{name}@{digest}").into());
    // The scan's own answer is the newer: DescribeImageScanFindings' status
    // before DescribeImages'.
    let described = image.image_scan_status().and_then(|s| s.status()).map(|s| s.as_str().to_string());
    match scan {
        Scanned::Found(scan) => {
            if let Some(status) = scan.status.or(described) {
                out.insert(SCAN_STATUS.into(), status.into());
            }
            if let Some(counts) = scan.counts {
                out.insert(SCAN_FINDING_COUNTS.into(), Value::Object(counts));
            }
            if let Some(at) = scan.completed_at {
                out.insert(SCAN_COMPLETED_AT.into(), at.into());
            }
        }
        Scanned::None => {
            if let Some(status) = described {
                out.insert(SCAN_STATUS.into(), status.into());
            }
        }
    }
    if let Some(signing) = signing {
        out.insert(SIGNING_STATUSES.into(), Value::Array(signing.statuses));
    }
    // ECR answers without a status only where storage classes are not
    // offered: every image there is active.
    let status = image.image_status().map_or("ACTIVE", |s| s.as_str());
    out.insert(IMAGE_STATUS.into(), status.into());
    if let Some(at) = image.last_recorded_pull_time().and_then(|t| t.fmt(Format::DateTime).ok()) {
        out.insert(LAST_RECORDED_PULL_TIME.into(), at.into());
    }
    (out, status)
}

impl Which {
    fn digest(&self) -> Option<&str> {
        match self {
            Which::Digest(d) => Some(d),
            _ => None,
        }
    }
}

/// DescribeImageSigningStatus's answer: the digest it is about and one
/// status per signing profile (none when no signing rule matched the image
/// when it was pushed).
struct Signing {
    digest: Option<String>,
    statuses: Vec<Value>,
}

/// Managed signing's status of one image. A lookup never fails for it:
/// when ECR does not answer (the credentials may not call
/// ecr:DescribeImageSigningStatus, the region has no managed signing, the
/// image went away meanwhile, ...) the result is `None` and getImage leaves
/// `signingStatuses` out; only cancellation and the timeout stop it.
async fn signing_statuses(ctx: &Ctx<'_>, lookup: &Lookup, id: ImageIdentifier) -> Result<Option<Signing>> {
    let name = lookup.repository.as_str();
    let action = "ecr:DescribeImageSigningStatus";
    let req = ctx
        .client
        .describe_image_signing_status()
        .repository_name(name)
        .set_registry_id(lookup.registry_id.clone())
        .image_id(id);
    let resp = match ctx.read(action, Subject::Repository(name), req.send()).await? {
        Ok(r) => r,
        Err(e) => {
            crate::log::log(crate::log::Level::Debug, || {
                format!(
                    "{action} on repository \"{name}\" failed, signingStatuses left out: {}",
                    e.code().unwrap_or("no code")
                )
            });
            return Ok(None);
        }
    };
    let statuses = resp
        .signing_statuses()
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert(SIGNING_PROFILE_ARN.into(), s.signing_profile_arn().unwrap_or_default().into());
            m.insert(STATUS.into(), s.status().map(|v| v.as_str()).unwrap_or_default().into());
            if let Some(code) = s.failure_code() {
                m.insert(FAILURE_CODE.into(), code.into());
            }
            if let Some(reason) = s.failure_reason() {
                m.insert(FAILURE_REASON.into(), reason.into());
            }
            Value::Object(m)
        })
        .collect();
    Ok(Some(Signing { digest: resp.image_id().and_then(|i| i.image_digest()).map(str::to_string), statuses }))
}

/// What DescribeImageScanFindings says of an image.
enum Scanned {
    /// The image has no scan (ScanNotFoundException): never scanned, or
    /// not scanned yet.
    None,
    Found(Scan),
}

/// An image's scan: the digest it is about, its status, when it completed,
/// and the finding counts by severity once the scan has findings to count.
struct Scan {
    digest: Option<String>,
    status: Option<String>,
    completed_at: Option<String>,
    counts: Option<Map>,
}

/// The statuses under which a scan's findings are there to count: a basic
/// scan that completed, or enhanced scanning's continuous scan.
const COUNTED: &[&str] = &["COMPLETE", "ACTIVE"];

/// The finding counts by severity: every severity of ECR's model
/// (`FindingSeverity`) at 0 unless ECR counted some, and any other severity
/// ECR counts (enhanced scanning's `UNTRIAGED`) as ECR gives it.
pub fn severity_counts<'a>(given: impl Iterator<Item = (&'a str, i32)>) -> Map {
    let mut counts: Map =
        aws_sdk_ecr::types::FindingSeverity::values().iter().map(|s| (s.to_string(), Value::Number(0.0))).collect();
    for (severity, n) in given {
        counts.insert(severity.to_string(), Value::Number(f64::from(n)));
    }
    counts
}

/// The scan of one image (DescribeImageScanFindings, first page only: the
/// counts by severity cover the whole scan, the pages list the findings).
/// An image without a scan is no error; every other refusal is (the
/// credentials need `ecr:DescribeImageScanFindings`), so a deploy that gates
/// on the counts never passes for want of an answer.
async fn scan_findings(ctx: &Ctx<'_>, lookup: &Lookup, id: ImageIdentifier) -> Result<Scanned> {
    let name = lookup.repository.as_str();
    let action = "ecr:DescribeImageScanFindings";
    let req = ctx
        .client
        .describe_image_scan_findings()
        .repository_name(name)
        .set_registry_id(lookup.registry_id.clone())
        .image_id(id);
    let resp = match ctx.read(action, Subject::Repository(name), req.send()).await? {
        Ok(r) => r,
        Err(e) if is(&e, DescribeImageScanFindingsError::is_scan_not_found_exception) => return Ok(Scanned::None),
        Err(e) if is(&e, DescribeImageScanFindingsError::is_image_not_found_exception) => {
            return Err(missing(ctx, lookup));
        }
        Err(e) if is(&e, DescribeImageScanFindingsError::is_repository_not_found_exception) => {
            return Err(crate::resources::repository::not_found_in_region(ctx, name));
        }
        Err(e) => return Err(aws(ctx, action, Subject::Repository(name), &e)),
    };
    let status = resp.image_scan_status().and_then(|s| s.status()).map(|s| s.as_str().to_string());
    let findings = resp.image_scan_findings();
    let counts = match (findings, status.as_deref()) {
        (Some(f), Some(s)) if COUNTED.contains(&s) => {
            Some(severity_counts(f.finding_severity_counts().into_iter().flatten().map(|(k, v)| (k.as_str(), *v))))
        }
        _ => None,
    };
    Ok(Scanned::Found(Scan {
        digest: resp.image_id().and_then(|i| i.image_digest()).map(str::to_string),
        status,
        completed_at: findings.and_then(|f| f.image_scan_completed_at()).and_then(|t| t.fmt(Format::DateTime).ok()),
        counts,
    }))
}

/// Why an image of this storage status cannot be pulled, and what to do;
/// `None` for an active image. ECR's user guide: archived images cannot be
/// pulled (a pull fails with 404) until restored to the standard storage
/// class, which takes up to 20 minutes; pushing the image again restores it
/// at once.
pub fn not_pullable(status: &str, repository: &str, digest: &str) -> Option<String> {
    let restore = format!(
        "aws ecr update-image-storage-class --repository-name {repository} --image-id imageDigest={digest} --target-storage-class STANDARD"
    );
    match status {
        "ARCHIVED" => Some(format!(
            "image {digest} of ECR repository \"{repository}\" is archived (imageStatus ARCHIVED) and cannot be pulled until it is restored: run `{restore}` (up to 20 minutes) or push the image again, then deploy"
        )),
        "ACTIVATING" => Some(format!(
            "image {digest} of ECR repository \"{repository}\" is being restored from the archive (imageStatus ACTIVATING) and cannot be pulled until the restore completes (up to 20 minutes)"
        )),
        _ => None,
    }
}

/// The image with this tag or digest.
async fn one(ctx: &Ctx<'_>, lookup: &Lookup, id: ImageIdentifier) -> Result<ImageDetail> {
    let name = lookup.repository.as_str();
    let action = "ecr:DescribeImages";
    let req =
        ctx.client.describe_images().repository_name(name).set_registry_id(lookup.registry_id.clone()).image_ids(id);
    match ctx.read(action, Subject::Repository(name), req.send()).await? {
        Ok(r) => r.image_details().first().cloned().ok_or_else(|| missing(ctx, lookup)),
        Err(e) if is(&e, DescribeImagesError::is_image_not_found_exception) => Err(missing(ctx, lookup)),
        Err(e) if is(&e, DescribeImagesError::is_repository_not_found_exception) => {
            Err(crate::resources::repository::not_found_in_region(ctx, name))
        }
        Err(e) => Err(aws(ctx, action, Subject::Repository(name), &e)),
    }
}

/// Manifest media types of an image index (a multi-architecture image).
const INDEX_MEDIA_TYPES: &[&str] =
    &["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

/// Manifest media types of one image (OCI, Docker schema 2 and schema 1).
const IMAGE_MEDIA_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
];

/// Artifact media types of a container image: its config's media type.
const IMAGE_CONFIG_TYPES: &[&str] =
    &["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"];

fn is_index(d: &ImageDetail) -> bool {
    d.image_manifest_media_type().is_some_and(|m| INDEX_MEDIA_TYPES.contains(&m))
}

/// True for an image a container runtime can run: an image manifest whose
/// artifact type is a container image config, or an image index, and in
/// either case not a referrer of another image (no subject: signatures,
/// SBOMs, attestations) nor an artifact of another type (a Helm chart, an
/// attestation index). cosign's tag-based referrers (tags of the form
/// `sha256-<64 hex>.sig`, `.att` or `.sbom`, sigstore's cosign
/// specification) are referrers too. Whether it is the child of an index is
/// decided apart ([`pick`]): DescribeImages does not say it.
pub fn runnable(d: &ImageDetail) -> bool {
    if d.subject_manifest_digest().is_some() {
        return false;
    }
    let tags = d.image_tags();
    if !tags.is_empty() && tags.iter().all(|t| is_cosign_referrer_tag(t)) {
        return false;
    }
    let artifact = d.artifact_media_type();
    match d.image_manifest_media_type() {
        Some(m) if INDEX_MEDIA_TYPES.contains(&m) => {
            artifact.is_none_or(|a| INDEX_MEDIA_TYPES.contains(&a) || IMAGE_CONFIG_TYPES.contains(&a))
        }
        Some(m) if !IMAGE_MEDIA_TYPES.contains(&m) => false,
        _ => artifact.is_none_or(|a| IMAGE_CONFIG_TYPES.contains(&a)),
    }
}

/// `sha256-<64 hex>.sig|.att|.sbom`: where cosign stores a signature, an
/// attestation or an SBOM of the image with that digest when the registry's
/// referrers are not used.
fn is_cosign_referrer_tag(tag: &str) -> bool {
    let Some(rest) = tag.strip_prefix("sha256-") else { return false };
    let Some((hex, kind)) = rest.split_once('.') else { return false };
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) && matches!(kind, "sig" | "att" | "sbom")
}

/// The order mostRecent considers images in: the latest push first; among
/// images pushed at the same time (ECR keeps whole seconds), an index before
/// an image manifest, then the digest in lexical order.
fn recency(a: &ImageDetail, b: &ImageDetail) -> std::cmp::Ordering {
    b.image_pushed_at()
        .cmp(&a.image_pushed_at())
        .then_with(|| is_index(b).cmp(&is_index(a)))
        .then_with(|| a.image_digest().cmp(&b.image_digest()))
}

/// What mostRecent does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The image chosen (its position in the list).
    Chosen(usize),
    /// Read these indexes (their manifests list their children) and pick again.
    Read(Vec<String>),
    /// No runnable image.
    None,
}

/// Chooses among `images` (every image of the repository) the runnable one
/// pushed last that is not a child of an index, given the children of the
/// indexes read so far (`children`: index digest -> the digests it lists).
/// An index can only list images that existed when it was pushed (ECR
/// refuses one naming a missing image), so only the indexes pushed at or
/// after a candidate can hold it: those not read yet are asked for, all at
/// once, before the candidate is chosen. A repository whose newest runnable
/// image has no index pushed at or after it needs no read.
pub fn pick(images: &[ImageDetail], children: &BTreeMap<String, BTreeSet<String>>) -> Step {
    let mut order: Vec<usize> = (0..images.len()).filter(|i| runnable(&images[*i])).collect();
    order.sort_by(|a, b| recency(&images[*a], &images[*b]));
    for i in order {
        let candidate = &images[i];
        let digest = candidate.image_digest().unwrap_or_default();
        let parents: Vec<&str> = images
            .iter()
            .filter(|p| is_index(p) && p.image_pushed_at() >= candidate.image_pushed_at())
            .filter_map(|p| p.image_digest())
            .filter(|p| *p != digest)
            .collect();
        let unread: Vec<String> =
            parents.iter().filter(|p| !children.contains_key(**p)).map(|p| p.to_string()).collect();
        if !unread.is_empty() {
            return Step::Read(unread);
        }
        if parents.iter().any(|p| children.get(*p).is_some_and(|c| c.contains(digest))) {
            continue;
        }
        return Step::Chosen(i);
    }
    Step::None
}

/// The runnable image pushed last (see [`runnable`] and [`pick`]): every
/// page of DescribeImages (one round trip a page), then, only when an index
/// was pushed at or after the image it would choose, BatchGetImage of those
/// indexes (up to 100 in one call, the calls at once) to learn their children.
async fn most_recent(ctx: &Ctx<'_>, lookup: &Lookup) -> Result<ImageDetail> {
    let mut images = super::every_image(ctx, &lookup.repository, lookup.registry_id.clone(), None, None).await?;
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    loop {
        match pick(&images, &children) {
            Step::Chosen(i) => return Ok(images.swap_remove(i)),
            Step::None => return Err(missing(ctx, lookup)),
            Step::Read(digests) => {
                let reads = digests.chunks(100).map(|chunk| index_children(ctx, lookup, chunk));
                for read in join_all(reads).await {
                    children.extend(read?);
                }
                // An index ECR did not return lists nothing.
                for d in digests {
                    children.entry(d).or_default();
                }
            }
        }
    }
}

/// The digests each of these indexes lists (BatchGetImage of their manifests).
async fn index_children(
    ctx: &Ctx<'_>,
    lookup: &Lookup,
    digests: &[String],
) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let name = lookup.repository.as_str();
    let action = "ecr:BatchGetImage";
    let ids = digests.iter().map(|d| ImageIdentifier::builder().image_digest(d).build()).collect();
    let mut req = ctx.client.batch_get_image().repository_name(name).set_registry_id(lookup.registry_id.clone());
    for m in INDEX_MEDIA_TYPES.iter().chain(IMAGE_MEDIA_TYPES.iter().take(2)) {
        req = req.accepted_media_types(*m);
    }
    let resp = match ctx.read(action, Subject::Repository(name), req.set_image_ids(Some(ids)).send()).await? {
        Ok(r) => r,
        Err(e) if is(&e, BatchGetImageError::is_repository_not_found_exception) => {
            return Err(crate::resources::repository::not_found_in_region(ctx, name));
        }
        Err(e) => return Err(aws(ctx, action, Subject::Repository(name), &e)),
    };
    let mut out = BTreeMap::new();
    for image in resp.images() {
        let Some(digest) = image.image_id().and_then(|i| i.image_digest()) else { continue };
        let listed = image
            .image_manifest()
            .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
            .and_then(|m| m.get("manifests").and_then(|l| l.as_array()).cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.get("digest").and_then(|d| d.as_str()).map(str::to_string))
            .collect();
        out.insert(digest.to_string(), listed);
    }
    Ok(out)
}

fn missing(ctx: &Ctx<'_>, lookup: &Lookup) -> ProviderError {
    let name = &lookup.repository;
    let region = ctx.config.region_in_force().unwrap_or("its region");
    let what = match &lookup.which {
        Which::Tag(t) => format!("has no image tagged \"{t}\""),
        Which::Digest(d) => format!("has no image with digest {d}"),
        Which::MostRecent => "holds no runnable image (an image manifest or index that is not a signature, SBOM, attestation or other artifact, nor one platform's manifest inside an index)".to_string(),
    };
    ProviderError::new(
        Code::NotFound,
        format!("ECR repository \"{name}\" in {region} {what}; check the name and the tag or digest"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::DateTime;

    const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

    fn digest(n: u32) -> String {
        format!("sha256:{n:064x}")
    }

    /// An image `n` pushed at second `at`, of media type `media` and artifact type `artifact`.
    fn detail(n: u32, at: i64, media: &str, artifact: Option<&str>) -> ImageDetail {
        builder(n, at, media, artifact).build()
    }

    fn builder(
        n: u32,
        at: i64,
        media: &str,
        artifact: Option<&str>,
    ) -> aws_sdk_ecr::types::builders::ImageDetailBuilder {
        ImageDetail::builder()
            .image_digest(digest(n))
            .image_pushed_at(DateTime::from_secs(at))
            .image_manifest_media_type(media)
            .set_artifact_media_type(artifact.map(str::to_string))
    }

    fn chosen(images: &[ImageDetail], children: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
        match pick(images, children) {
            Step::Chosen(i) => images[i].image_digest().map(str::to_string),
            other => panic!("expected a choice, got {other:?}"),
        }
    }

    #[test]
    fn only_an_active_image_can_be_pulled() {
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(not_pullable("ACTIVE", "team/app", &digest), None);
        let archived = not_pullable("ARCHIVED", "team/app", &digest).expect("archived");
        assert!(archived.contains("cannot be pulled until it is restored"), "{archived}");
        assert!(
            archived.contains(&format!("aws ecr update-image-storage-class --repository-name team/app --image-id imageDigest={digest} --target-storage-class STANDARD")),
            "{archived}"
        );
        let activating = not_pullable("ACTIVATING", "team/app", &digest).expect("activating");
        assert!(activating.contains("cannot be pulled until the restore completes"), "{activating}");
    }

    #[test]
    fn only_runnable_images_are_candidates() {
        let image = detail(1, 10, OCI_MANIFEST, Some(OCI_CONFIG));
        let docker = detail(2, 10, "application/vnd.docker.distribution.manifest.v2+json", None);
        let index = detail(3, 10, OCI_INDEX, None);
        assert!(runnable(&image) && runnable(&docker) && runnable(&index));
        let signature = ImageDetail::builder()
            .image_digest(digest(4))
            .image_manifest_media_type(OCI_MANIFEST)
            .artifact_media_type("application/vnd.dev.cosign.artifact.sig.v1+json")
            .subject_manifest_digest(digest(3))
            .build();
        let sbom = detail(5, 10, OCI_MANIFEST, Some("application/spdx+json"));
        let helm = detail(6, 10, OCI_MANIFEST, Some("application/vnd.cncf.helm.config.v1+json"));
        let attestation_index = detail(7, 10, OCI_INDEX, Some("application/vnd.in-toto+json"));
        let referrer_index = builder(8, 10, OCI_INDEX, None).subject_manifest_digest(digest(1)).build();
        let cosign_tag = format!("sha256-{:064x}.sig", 3);
        let cosign_tagged = builder(9, 10, OCI_MANIFEST, Some(OCI_CONFIG)).image_tags(&cosign_tag).build();
        for not in [&signature, &sbom, &helm, &attestation_index, &referrer_index, &cosign_tagged] {
            assert!(!runnable(not), "{not:?}");
        }
        // A cosign-like tag beside an ordinary one is an image.
        let both = builder(9, 10, OCI_MANIFEST, Some(OCI_CONFIG)).image_tags(&cosign_tag).image_tags("v1").build();
        assert!(runnable(&both));
    }

    #[test]
    fn most_recent_takes_the_index_not_its_children_nor_its_signature() {
        // Children pushed in the same second as their index, a signature after.
        let (amd64, arm64) = (detail(1, 100, OCI_MANIFEST, Some(OCI_CONFIG)), detail(2, 100, OCI_MANIFEST, None));
        let index = detail(9, 100, OCI_INDEX, None);
        let signature = builder(3, 101, OCI_MANIFEST, Some("application/vnd.dev.cosign.artifact.sig.v1+json"))
            .subject_manifest_digest(digest(9))
            .build();
        let older = detail(7, 50, OCI_MANIFEST, Some(OCI_CONFIG));
        let images = vec![older, amd64, arm64, index, signature];
        // At a tie, the index comes first; no other index is at or after it:
        // chosen without reading anything.
        assert_eq!(pick(&images, &BTreeMap::new()), Step::Chosen(3));

        // A child that sorts first (a later push than its index cannot
        // happen, but an index that is not runnable can hold a newer
        // candidate): the index is read, the child skipped.
        let attestation = detail(8, 200, OCI_INDEX, Some("application/vnd.in-toto+json"));
        let child = detail(4, 150, OCI_MANIFEST, Some(OCI_CONFIG));
        let images = vec![images[0].clone(), images[3].clone(), child, attestation];
        assert_eq!(pick(&images, &BTreeMap::new()), Step::Read(vec![digest(8)]));
        let mut children = BTreeMap::new();
        children.insert(digest(8), BTreeSet::from([digest(4)]));
        assert_eq!(chosen(&images, &children), Some(digest(9)));
        // Read, and it does not list the candidate: the candidate is chosen.
        children.insert(digest(8), BTreeSet::new());
        assert_eq!(chosen(&images, &children), Some(digest(4)));
    }

    #[test]
    fn ties_are_broken_by_kind_then_digest() {
        let a = detail(2, 100, OCI_MANIFEST, None);
        let b = detail(1, 100, OCI_MANIFEST, None);
        assert_eq!(chosen(&[a.clone(), b.clone()], &BTreeMap::new()), Some(digest(1)));
        assert_eq!(chosen(&[b, a], &BTreeMap::new()), Some(digest(1)), "whatever the order of the pages");
        let nothing = [detail(5, 1, OCI_MANIFEST, Some("application/spdx+json"))];
        assert_eq!(pick(&nothing, &BTreeMap::new()), Step::None);
        assert_eq!(pick(&[], &BTreeMap::new()), Step::None);
    }

    use crate::property::map_of as map;

    #[test]
    fn every_severity_is_counted() {
        let counts = severity_counts([("CRITICAL", 2), ("UNTRIAGED", 1)].into_iter());
        let want: Map = [
            ("INFORMATIONAL", 0.0),
            ("LOW", 0.0),
            ("MEDIUM", 0.0),
            ("HIGH", 0.0),
            ("CRITICAL", 2.0),
            ("UNDEFINED", 0.0),
            ("UNTRIAGED", 1.0),
        ]
        .iter()
        .map(|(k, n)| (k.to_string(), Value::Number(*n)))
        .collect();
        assert_eq!(counts, want);
    }

    #[test]
    fn arguments_say_which_image() {
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            check(&map(&[("repositoryName", "app".into()), ("imageTag", "v1".into())])).unwrap().which,
            Which::Tag("v1".into())
        );
        assert_eq!(
            check(&map(&[("repositoryName", "app".into()), ("imageDigest", digest.clone().into())])).unwrap().which,
            Which::Digest(digest.clone())
        );
        assert_eq!(
            check(&map(&[("repositoryName", "app".into()), ("mostRecent", true.into())])).unwrap().which,
            Which::MostRecent
        );
        let cases: Vec<(Map, &str, &str)> = vec![
            (map(&[("imageTag", "v1".into())]), "repositoryName", "is required"),
            (map(&[("repositoryName", "app".into())]), "", "exactly one of imageTag, imageDigest or mostRecent"),
            (
                map(&[("repositoryName", "app".into()), ("imageTag", "v1".into()), ("mostRecent", true.into())]),
                "",
                "exactly one",
            ),
            (
                map(&[("repositoryName", "app".into()), ("imageDigest", "sha256:xyz".into())]),
                "imageDigest",
                "64 hex digits",
            ),
            (map(&[("repositoryName", "app".into()), ("imageTag", "".into())]), "imageTag", "1 to 300 characters"),
            (
                map(&[("repositoryName", "app".into()), ("imageTag", "v1".into()), ("registryId", "1".into())]),
                "registryId",
                "12-digit",
            ),
            (map(&[("repositoryName", "App".into()), ("imageTag", "v1".into())]), "repositoryName", "lowercase"),
            (map(&[("repositoryName", "app".into()), ("tag", "v1".into())]), "tag", "allowed: repositoryName"),
        ];
        for (args, path, words) in cases {
            let f = check(&args).unwrap_err();
            assert!(f.iter().any(|f| f.property == path && f.reason.contains(words)), "{args:?}: {f:?}");
        }
    }
}
