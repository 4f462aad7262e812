//! Independent looks at what the emulator holds, through the AWS SDK (never
//! through the provider), and the test fixtures put into it. A look that
//! meets anything but "not found" fails the test: a dead emulator must never
//! pass for a deleted repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use aws_sdk_ecr::error::ProvideErrorMetadata;

use super::Moto;

/// An image manifest small enough to push with PutImage.
pub const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}"#;

/// A distinct image manifest for each `n` (moto derives the digest from the layers).
pub fn manifest(n: u32) -> String {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": format!("sha256:{:064x}", n),
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 32654,
            "digest": format!("sha256:{:064x}", 1000 + n),
        }],
    })
    .to_string()
}

impl Moto {
    /// The repository as ECR describes it; `None` only for
    /// RepositoryNotFoundException.
    pub async fn describe(&self, name: &str) -> Option<aws_sdk_ecr::types::Repository> {
        match self.ecr().await.describe_repositories().repository_names(name).send().await {
            Ok(r) => r.repositories().first().cloned(),
            Err(e) => {
                assert_eq!(e.code(), Some("RepositoryNotFoundException"), "describing {name}: {e:?}");
                None
            }
        }
    }

    /// The lifecycle policy text ECR holds; `None` only for
    /// LifecyclePolicyNotFoundException.
    pub async fn lifecycle_policy(&self, name: &str) -> Option<String> {
        match self.ecr().await.get_lifecycle_policy().repository_name(name).send().await {
            Ok(p) => p.lifecycle_policy_text().map(str::to_string),
            Err(e) => {
                assert_eq!(e.code(), Some("LifecyclePolicyNotFoundException"), "{e:?}");
                None
            }
        }
    }

    /// The lifecycle policy ECR holds, parsed; the repository must have one.
    pub async fn lifecycle_document(&self, name: &str) -> serde_json::Value {
        let text = self.lifecycle_policy(name).await.unwrap_or_else(|| panic!("{name} has no lifecycle policy"));
        serde_json::from_str(&text).unwrap()
    }

    /// The repository policy ECR holds, parsed; `None` only for
    /// RepositoryPolicyNotFoundException.
    pub async fn repository_policy(&self, name: &str) -> Option<serde_json::Value> {
        match self.ecr().await.get_repository_policy().repository_name(name).send().await {
            Ok(p) => Some(serde_json::from_str(p.policy_text().unwrap()).unwrap()),
            Err(e) => {
                assert_eq!(e.code(), Some("RepositoryPolicyNotFoundException"), "{e:?}");
                None
            }
        }
    }

    /// True when the repository exists (see [`Moto::describe`]).
    pub async fn exists(&self, name: &str) -> bool {
        self.describe(name).await.is_some()
    }

    /// The names of every repository, following every page.
    pub async fn inventory(&self) -> BTreeSet<String> {
        let ecr = self.ecr().await;
        let mut names = BTreeSet::new();
        let mut token = None;
        loop {
            let r = ecr.describe_repositories().set_next_token(token).send().await.expect("DescribeRepositories");
            names.extend(r.repositories().iter().map(|r| r.repository_name().unwrap().to_string()));
            token = r.next_token().map(str::to_string);
            if token.is_none() {
                return names;
            }
        }
    }

    /// The tags ECR holds on a resource.
    pub async fn tags(&self, arn: &str) -> BTreeMap<String, String> {
        let r = self.ecr().await.list_tags_for_resource().resource_arn(arn).send().await.expect("ListTagsForResource");
        r.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
    }

    /// Pushes image `n` (a distinct manifest), tagged or not, and returns its digest.
    pub async fn push_manifest(&self, repo: &str, n: u32, tag: Option<&str>) -> String {
        let put = self.ecr().await.put_image().repository_name(repo).image_manifest(manifest(n));
        let pushed = put.set_image_tag(tag.map(str::to_string)).send().await.unwrap();
        pushed.image().and_then(|i| i.image_id()).and_then(|i| i.image_digest()).unwrap().to_string()
    }

    /// Pushes a small image (manifest only) under `tag`.
    pub async fn push_image(&self, repo: &str, tag: &str) {
        self.ecr()
            .await
            .put_image()
            .repository_name(repo)
            .image_manifest(MANIFEST)
            .image_tag(tag)
            .send()
            .await
            .unwrap();
    }
}

/// Copies a directory tree, leaving out entries with the names in `skip`.
pub fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target, skip);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
