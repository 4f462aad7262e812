//! `awsecr:index:getImages`: the images of a repository, newest first, each
//! with its digest, tags, push time, size and the URI that pins it by
//! digest; tagged or untagged ones only (ECR filters), or those with a tag
//! starting with a prefix (filtered here); at most `limit` of them, and
//! whether more matched.
//!
//! ECR lists images in no documented order, so the newest can be on any
//! page: every page of DescribeImages is read (the largest pages ECR gives,
//! 1,000 images each), then the images are sorted and cut to `limit`.

use aws_sdk_ecr::types::{DescribeImagesFilter, ImageDetail, TagStatus};
use aws_smithy_types::date_time::Format;

use super::{limit, reader, registry_id, repository_name};
use crate::call::Ctx;
use crate::error::Result;
use crate::names::*;
use crate::property::{Map, Value};
use crate::validate::{Failure, Field};

pub const TOKEN: &str = "awsecr:index:getImages";
/// The function's arguments.
pub const ARGS: &[&str] = &[REPOSITORY_NAME, TAG_STATUS, TAG_PREFIX, LIMIT, REGISTRY_ID];
/// What it returns.
pub const RESULTS: &[&str] = &[IMAGES, TRUNCATED];
/// `limit` when left out.
pub const DEFAULT_LIMIT: usize = 100;
/// The largest `limit`.
pub const MAX_LIMIT: usize = 100_000;
/// DescribeImages' largest page (maxResults, in ECR's model).
pub const PAGE: i32 = 1000;
/// `tagStatus`'s values (ECR's `TagStatus`).
pub const TAG_STATUSES: &[&str] = &["TAGGED", "UNTAGGED", "ANY"];

/// Checked arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub repository: String,
    /// The filter ECR applies: `None` for every image.
    pub tag_status: Option<TagStatus>,
    pub tag_prefix: Option<String>,
    pub limit: usize,
    pub registry_id: Option<String>,
}

/// Checks the arguments. A tag prefix asks ECR for tagged images only; with
/// `tagStatus: UNTAGGED` it could match nothing and is refused.
pub fn check(args: &Map) -> std::result::Result<Lookup, Vec<Failure>> {
    let mut r = reader(args, TOKEN, ARGS);
    let repository = repository_name(&mut r, "the repository whose images to list");
    let status = match r.one_of(TAG_STATUS, TAG_STATUSES) {
        Field::Known(s) => Some(s),
        Field::Absent => Some("ANY".to_string()),
        _ => None,
    };
    let tag_prefix = match r.string(TAG_PREFIX) {
        Field::Known(p) if (1..=300).contains(&p.chars().count()) => Some(p),
        Field::Known(p) => {
            r.fail(
                TAG_PREFIX,
                format!("must be 1 to 300 characters (a start of an image tag), got {}", p.chars().count()),
            );
            None
        }
        _ => None,
    };
    if tag_prefix.is_some() && status.as_deref() == Some("UNTAGGED") {
        r.fail(
            TAG_PREFIX,
            "cannot be given with tagStatus UNTAGGED (an untagged image has no tag to match); give TAGGED or ANY",
        );
    }
    let tag_status = match (status.as_deref(), &tag_prefix) {
        (Some("UNTAGGED"), _) => Some(TagStatus::Untagged),
        (Some("TAGGED"), _) | (_, Some(_)) => Some(TagStatus::Tagged),
        _ => None,
    };
    let limit = limit(&mut r, DEFAULT_LIMIT, MAX_LIMIT);
    let registry_id = registry_id(&mut r);
    match (repository, status, limit) {
        (Some(repository), Some(_), Some(limit)) if r.failures.is_empty() => {
            Ok(Lookup { repository, tag_status, tag_prefix, limit, registry_id })
        }
        _ => Err(r.failures),
    }
}

/// The images that match, newest first (by push time; at the same second,
/// ECR's precision, by digest), at most `limit`, and whether more matched.
pub fn choose(lookup: &Lookup, images: Vec<ImageDetail>) -> (Vec<ImageDetail>, bool) {
    let mut images: Vec<ImageDetail> = images
        .into_iter()
        .filter(|i| match &lookup.tag_prefix {
            Some(p) => i.image_tags().iter().any(|t| t.starts_with(p.as_str())),
            None => true,
        })
        .collect();
    images.sort_by(|a, b| {
        b.image_pushed_at().cmp(&a.image_pushed_at()).then_with(|| a.image_digest().cmp(&b.image_digest()))
    });
    let truncated = images.len() > lookup.limit;
    images.truncate(lookup.limit);
    (images, truncated)
}

super::typed_function!(GetImages, Lookup, RESULTS.to_vec(), &[]);

/// DescribeImages, every page (one round trip each, as each needs the
/// last one's token), 1,000 images a page, filtered by ECR to tagged or
/// untagged images when asked.
async fn call(ctx: &Ctx<'_>, lookup: Lookup) -> Result<Map> {
    let name = lookup.repository.as_str();
    let filter = lookup.tag_status.clone().map(|s| DescribeImagesFilter::builder().tag_status(s).build());
    let images = super::every_image(ctx, name, lookup.registry_id.clone(), filter, Some(PAGE)).await?;
    let (images, truncated) = choose(&lookup, images);
    let region = ctx.region();
    let suffix = crate::partition::dns_suffix(ctx.partition()).unwrap_or("amazonaws.com");
    let listed = images
        .iter()
        .map(|image| {
            let digest = image.image_digest().unwrap_or_default();
            let registry = image.registry_id().or(lookup.registry_id.as_deref()).unwrap_or_default();
            let mut m = Map::new();
            m.insert(IMAGE_DIGEST.into(), digest.into());
            m.insert(
                IMAGE_TAGS.into(),
                Value::Array(image.image_tags().iter().map(|t| Value::from(t.as_str())).collect()),
            );
            if let Some(at) = image.image_pushed_at().and_then(|t| t.fmt(Format::DateTime).ok()) {
                m.insert(IMAGE_PUSHED_AT.into(), at.into());
            }
            if let Some(size) = image.image_size_in_bytes() {
                m.insert(IMAGE_SIZE_IN_BYTES.into(), Value::Number(size as f64));
            }
            m.insert(IMAGE_URI.into(), format!("{registry}.dkr.ecr.{region}.{suffix}/{name}@{digest}").into());
            Value::Object(m)
        })
        .collect();
    let mut out = Map::new();
    out.insert(IMAGES.into(), Value::Array(listed));
    out.insert(TRUNCATED.into(), Value::Bool(truncated));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::map_of as map;
    use aws_smithy_types::DateTime;

    fn image(n: u32, at: i64, tags: &[&str]) -> ImageDetail {
        let mut b =
            ImageDetail::builder().image_digest(format!("sha256:{n:064x}")).image_pushed_at(DateTime::from_secs(at));
        for t in tags {
            b = b.image_tags(*t);
        }
        b.build()
    }

    fn lookup(prefix: Option<&str>, limit: usize) -> Lookup {
        Lookup {
            repository: "app".into(),
            tag_status: prefix.map(|_| TagStatus::Tagged),
            tag_prefix: prefix.map(str::to_string),
            limit,
            registry_id: None,
        }
    }

    fn digests(images: &[ImageDetail]) -> Vec<String> {
        images.iter().map(|i| i.image_digest().unwrap_or_default()[69..].to_string()).collect()
    }

    #[test]
    fn newest_first_whatever_page_they_came_on_then_cut_to_the_limit() {
        let all = vec![image(1, 10, &["v1"]), image(4, 40, &[]), image(3, 30, &["rc-3"]), image(2, 30, &["v2"])];
        let (got, truncated) = choose(&lookup(None, 10), all.clone());
        assert_eq!(digests(&got), vec!["04", "02", "03", "01"], "same second: by digest");
        assert!(!truncated);
        let (got, truncated) = choose(&lookup(None, 2), all.clone());
        assert_eq!(digests(&got), vec!["04", "02"]);
        assert!(truncated);
        let (got, truncated) = choose(&lookup(Some("v"), 2), all);
        assert_eq!(digests(&got), vec!["02", "01"], "only tags starting with v");
        assert!(!truncated, "exactly two matched");
    }

    #[test]
    fn arguments_are_checked_by_name() {
        let app = || ("repositoryName", Value::from("app"));
        let got = check(&map(&[app()])).unwrap();
        assert_eq!((got.tag_status, got.limit), (None, DEFAULT_LIMIT));
        let got = check(&map(&[app(), ("tagPrefix", "v1.".into())])).unwrap();
        assert_eq!(got.tag_status, Some(TagStatus::Tagged), "a prefix asks ECR for tagged images only");
        let got = check(&map(&[app(), ("tagStatus", "UNTAGGED".into()), ("limit", Value::Number(5.0))])).unwrap();
        assert_eq!((got.tag_status, got.limit), (Some(TagStatus::Untagged), 5));
        let cases: Vec<(Map, &str, &str)> = vec![
            (map(&[("limit", Value::Number(3.0))]), "repositoryName", "is required"),
            (map(&[app(), ("limit", Value::Number(0.0))]), "limit", "must be between 1 and 100000, got 0"),
            (map(&[app(), ("tagStatus", "tagged".into())]), "tagStatus", "must be one of TAGGED, UNTAGGED, ANY"),
            (map(&[app(), ("tagPrefix", "".into())]), "tagPrefix", "1 to 300 characters"),
            (
                map(&[app(), ("tagPrefix", "v".into()), ("tagStatus", "UNTAGGED".into())]),
                "tagPrefix",
                "cannot be given with tagStatus UNTAGGED",
            ),
            (map(&[app(), ("registryId", "x".into())]), "registryId", "12-digit"),
            (map(&[app(), ("tag", "v".into())]), "tag", "allowed: repositoryName, tagStatus, tagPrefix, limit"),
        ];
        for (args, path, words) in cases {
            let f = check(&args).unwrap_err();
            assert!(f.iter().any(|f| f.property == path && f.reason.contains(words)), "{args:?}: {f:?}");
        }
    }
}
