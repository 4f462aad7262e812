//! OCI manifests to push with PutImage: per-platform image manifests, an
//! image index over them (a multi-architecture image), and referrers
//! (a signature or an SBOM naming an image as its `subject`), as the OCI
//! image spec 1.1 defines them (manifest.md, image-index.md, descriptor.md).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// The artifact type of a cosign signature stored as an OCI 1.1 referrer.
pub const COSIGN_SIGNATURE: &str = "application/vnd.dev.cosign.artifact.sig.v1+json";
/// The artifact type of an SPDX SBOM.
pub const SPDX: &str = "application/spdx+json";

/// A pushed manifest: its text, digest (sha256 of the text) and size.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub text: String,
    pub digest: String,
    pub size: usize,
}

/// The digest of a manifest, as a registry computes it (sha256 of its bytes),
/// by the system's `sha256sum`, independent of the emulator and the provider.
pub fn digest_of(text: &str) -> String {
    let mut child = Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("sha256sum");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    format!("sha256:{}", hex.split_whitespace().next().unwrap())
}

fn pushed(value: serde_json::Value) -> Pushed {
    let text = value.to_string();
    Pushed { digest: digest_of(&text), size: text.len(), text }
}

fn descriptor(media_type: &str, p: &Pushed) -> serde_json::Value {
    json!({"mediaType": media_type, "digest": p.digest, "size": p.size})
}

/// A runnable image manifest for one platform; `n` makes it distinct, and its
/// layer is `layer_size` bytes.
pub fn image(n: u32, layer_size: u64) -> Pushed {
    pushed(json!({
        "schemaVersion": 2,
        "mediaType": IMAGE_MANIFEST,
        "config": {"mediaType": IMAGE_CONFIG, "digest": format!("sha256:{:064x}", 5000 + n), "size": 1469},
        "layers": [{
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": format!("sha256:{:064x}", 6000 + n),
            "size": layer_size,
        }],
    }))
}

/// An image index over `children`, one per platform (`os/arch`).
pub fn index(children: &[(&Pushed, &str)]) -> Pushed {
    let manifests: Vec<serde_json::Value> = children
        .iter()
        .map(|(c, platform)| {
            let (os, arch) = platform.split_once('/').unwrap();
            let mut d = descriptor(IMAGE_MANIFEST, c);
            d["platform"] = json!({"os": os, "architecture": arch});
            d
        })
        .collect();
    pushed(json!({"schemaVersion": 2, "mediaType": IMAGE_INDEX, "manifests": manifests}))
}

/// An index of another kind of artifact (`artifactType`), over `children`.
pub fn artifact_index(children: &[&Pushed], artifact_type: &str) -> Pushed {
    let manifests: Vec<serde_json::Value> = children.iter().map(|c| descriptor(IMAGE_MANIFEST, c)).collect();
    pushed(json!({"schemaVersion": 2, "mediaType": IMAGE_INDEX, "artifactType": artifact_type, "manifests": manifests}))
}

/// A referrer of `subject` (an image manifest or index) of `artifact_type`:
/// an empty config, one blob, and the subject (OCI image spec 1.1,
/// "Guidelines for Artifact Usage").
pub fn referrer(subject: &Pushed, subject_media_type: &str, artifact_type: &str) -> Pushed {
    pushed(json!({
        "schemaVersion": 2,
        "mediaType": IMAGE_MANIFEST,
        "artifactType": artifact_type,
        "config": {"mediaType": EMPTY, "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2},
        "layers": [{
            "mediaType": artifact_type,
            "digest": format!("sha256:{:064x}", subject.size),
            "size": 242,
        }],
        "subject": descriptor(subject_media_type, subject),
    }))
}

/// Pushes `manifest` into `repository` (with `tag` when given) and returns
/// the digest ECR reports.
pub async fn push(ecr: &aws_sdk_ecr::Client, repository: &str, manifest: &Pushed, tag: Option<&str>) -> String {
    let r = ecr
        .put_image()
        .repository_name(repository)
        .image_manifest(&manifest.text)
        .set_image_tag(tag.map(str::to_string))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutImage {repository} {tag:?}: {e:?}"));
    r.image().and_then(|i| i.image_id()).and_then(|i| i.image_digest()).unwrap().to_string()
}
