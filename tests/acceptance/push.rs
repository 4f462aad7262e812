//! A real push of a small image through ECR's API, as a registry client
//! pushes: the config blob and one layer uploaded (InitiateLayerUpload,
//! UploadLayerPart, CompleteLayerUpload), their availability checked
//! (BatchCheckLayerAvailability), then the manifest put (PutImage). The layer
//! is an empty tar archive (1,024 zero bytes, uncompressed), so the image is
//! a valid OCI image of about 1.5 KB.

use aws_sdk_ecr::primitives::Blob;
use aws_sdk_ecr::types::LayerAvailability;
use serde_json::json;

use super::common::oci::digest_of;

/// What was pushed: the manifest's digest, what ECR must report.
pub struct PushedImage {
    pub digest: String,
}

async fn upload(ecr: &aws_sdk_ecr::Client, repository: &str, bytes: &str) -> String {
    let digest = digest_of(bytes);
    let started = ecr.initiate_layer_upload().repository_name(repository).send().await.expect("InitiateLayerUpload");
    let upload_id = started.upload_id().expect("an upload id").to_string();
    ecr.upload_layer_part()
        .repository_name(repository)
        .upload_id(&upload_id)
        .part_first_byte(0)
        .part_last_byte(bytes.len() as i64 - 1)
        .layer_part_blob(Blob::new(bytes.as_bytes().to_vec()))
        .send()
        .await
        .expect("UploadLayerPart");
    let done = ecr
        .complete_layer_upload()
        .repository_name(repository)
        .upload_id(&upload_id)
        .layer_digests(&digest)
        .send()
        .await
        .expect("CompleteLayerUpload");
    assert_eq!(done.layer_digest(), Some(digest.as_str()), "ECR computed the digest of what was sent");
    digest
}

/// Pushes the image into `repository` under `tag`.
pub async fn push_small_image(ecr: &aws_sdk_ecr::Client, repository: &str, tag: &str) -> PushedImage {
    let layer = "\0".repeat(1024);
    let layer_digest = upload(ecr, repository, &layer).await;
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
    })
    .to_string();
    let config_digest = upload(ecr, repository, &config).await;
    let available = ecr
        .batch_check_layer_availability()
        .repository_name(repository)
        .layer_digests(&layer_digest)
        .layer_digests(&config_digest)
        .send()
        .await
        .expect("BatchCheckLayerAvailability");
    assert!(available.failures().is_empty(), "{:?}", available.failures());
    assert!(
        available.layers().iter().all(|l| l.layer_availability() == Some(&LayerAvailability::Available)),
        "{:?}",
        available.layers()
    );
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
    })
    .to_string();
    let put = ecr
        .put_image()
        .repository_name(repository)
        .image_manifest(&manifest)
        .image_manifest_media_type("application/vnd.oci.image.manifest.v1+json")
        .image_tag(tag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutImage {repository}:{tag}: {e:?}"));
    let digest = put.image().and_then(|i| i.image_id()).and_then(|i| i.image_digest()).expect("a digest").to_string();
    assert_eq!(digest, digest_of(&manifest), "the digest is the manifest's sha256");
    PushedImage { digest }
}
