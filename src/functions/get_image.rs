//! `awsecr:index:getImage`: one image of a repository, by tag, by digest or
//! the most recently pushed, with its digest, tags, push time, size, scan
//! status and the URI that pins it by digest (for deploying exactly this
//! image).

use aws_sdk_ecr::error::ProvideErrorMetadata;
use aws_sdk_ecr::types::{ImageDetail, ImageIdentifier};
use aws_smithy_types::date_time::Format;
use tonic::Code;

use super::{Function, Invoked, Spec, reader, repository_name};
use crate::call::{Ctx, aws};
use crate::error::{ProviderError, Result};
use crate::partition::is_account_id;
use crate::property::{Map, Value};
use crate::validate::{Failure, Field};

pub const TOKEN: &str = "awsecr:index:getImage";
/// The function's arguments.
pub const ARGS: &[&str] = &["repositoryName", "imageTag", "imageDigest", "mostRecent", "registryId"];
/// What it returns (`scanStatus` only when the image has been scanned).
pub const RESULTS: &[&str] =
    &["imageDigest", "imageTags", "imagePushedAt", "imageSizeInBytes", "imageUri", "scanStatus"];

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
    let tag = match r.string("imageTag") {
        Field::Known(t) if (1..=300).contains(&t.chars().count()) => Some(t),
        Field::Known(t) => {
            r.fail("imageTag", format!("must be 1 to 300 characters, got {}", t.chars().count()));
            None
        }
        _ => None,
    };
    let digest = match r.string("imageDigest") {
        Field::Known(d) if is_digest(&d) => Some(d),
        Field::Known(d) => {
            r.fail("imageDigest", format!("must be an image digest such as sha256: and 64 hex digits, got \"{d}\""));
            None
        }
        _ => None,
    };
    let most_recent = matches!(r.bool("mostRecent"), Field::Known(true));
    let registry_id = match r.string("registryId") {
        Field::Known(id) if is_account_id(&id) => Some(id),
        Field::Known(id) => {
            r.fail("registryId", format!("must be a 12-digit AWS account id (the registry's), got \"{id}\""));
            None
        }
        _ => None,
    };
    let present = |k: &str| !matches!(args.get(k), None | Some(Value::Null));
    let given = [present("imageTag"), present("imageDigest"), most_recent];
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

/// The function.
pub struct GetImage;

#[tonic::async_trait]
impl Function for GetImage {
    fn spec(&self) -> Spec {
        Spec { token: TOKEN, args: ARGS, results: RESULTS.to_vec(), secret_results: &[] }
    }

    /// DescribeImages: one call for a tag or a digest; every page for the
    /// most recent image.
    async fn invoke(&self, ctx: &Ctx<'_>, args: &Map) -> Result<Invoked> {
        let lookup = match check(args) {
            Ok(l) => l,
            Err(failures) => return Ok(Invoked::Failures(failures)),
        };
        let name = lookup.repository.as_str();
        let image = match &lookup.which {
            Which::Tag(t) => one(ctx, &lookup, ImageIdentifier::builder().image_tag(t).build()).await?,
            Which::Digest(d) => one(ctx, &lookup, ImageIdentifier::builder().image_digest(d).build()).await?,
            Which::MostRecent => most_recent(ctx, &lookup).await?,
        };
        let digest = image.image_digest().unwrap_or_default().to_string();
        let registry = image.registry_id().or(lookup.registry_id.as_deref()).unwrap_or_default();
        let region = ctx.config.region_in_force().unwrap_or_default();
        let suffix = ctx.config.partition().and_then(crate::partition::dns_suffix).unwrap_or("amazonaws.com");
        let mut out = Map::new();
        out.insert("imageDigest".into(), digest.clone().into());
        out.insert(
            "imageTags".into(),
            Value::Array(image.image_tags().iter().map(|t| Value::from(t.as_str())).collect()),
        );
        if let Some(at) = image.image_pushed_at().and_then(|t| t.fmt(Format::DateTime).ok()) {
            out.insert("imagePushedAt".into(), at.into());
        }
        if let Some(size) = image.image_size_in_bytes() {
            out.insert("imageSizeInBytes".into(), Value::Number(size as f64));
        }
        out.insert("imageUri".into(), format!("{registry}.dkr.ecr.{region}.{suffix}/{name}@{digest}").into());
        if let Some(status) = image.image_scan_status().and_then(|s| s.status()) {
            out.insert("scanStatus".into(), status.as_str().into());
        }
        Ok(Invoked::Return(out))
    }
}

/// The image with this tag or digest.
async fn one(ctx: &Ctx<'_>, lookup: &Lookup, id: ImageIdentifier) -> Result<ImageDetail> {
    let name = lookup.repository.as_str();
    let action = "ecr:DescribeImages";
    let req =
        ctx.client.describe_images().repository_name(name).set_registry_id(lookup.registry_id.clone()).image_ids(id);
    match ctx.read(action, name, req.send()).await? {
        Ok(r) => r.image_details().first().cloned().ok_or_else(|| missing(ctx, lookup)),
        Err(e) if e.code() == Some("ImageNotFoundException") => Err(missing(ctx, lookup)),
        Err(e) if e.code() == Some("RepositoryNotFoundException") => {
            Err(crate::resources::repository::not_found_in_region(ctx, name))
        }
        Err(e) => Err(aws(ctx, action, name, &e)),
    }
}

/// The most recently pushed image, following every page.
async fn most_recent(ctx: &Ctx<'_>, lookup: &Lookup) -> Result<ImageDetail> {
    let name = lookup.repository.as_str();
    let action = "ecr:DescribeImages";
    let mut best: Option<ImageDetail> = None;
    let mut token = None;
    loop {
        let req = ctx
            .client
            .describe_images()
            .repository_name(name)
            .set_registry_id(lookup.registry_id.clone())
            .set_next_token(token);
        let page = match ctx.read(action, name, req.send()).await? {
            Ok(p) => p,
            Err(e) if e.code() == Some("RepositoryNotFoundException") => {
                return Err(crate::resources::repository::not_found_in_region(ctx, name));
            }
            Err(e) => return Err(aws(ctx, action, name, &e)),
        };
        for image in page.image_details() {
            if best.as_ref().is_none_or(|b| image.image_pushed_at() > b.image_pushed_at()) {
                best = Some(image.clone());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return best.ok_or_else(|| missing(ctx, lookup));
        }
    }
}

fn missing(ctx: &Ctx<'_>, lookup: &Lookup) -> ProviderError {
    let name = &lookup.repository;
    let region = ctx.config.region_in_force().unwrap_or("its region");
    let what = match &lookup.which {
        Which::Tag(t) => format!("has no image tagged \"{t}\""),
        Which::Digest(d) => format!("has no image with digest {d}"),
        Which::MostRecent => "holds no images".to_string(),
    };
    ProviderError::new(
        Code::NotFound,
        format!("ECR repository \"{name}\" in {region} {what}; check the name and the tag or digest"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::property::map_of as map;

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
