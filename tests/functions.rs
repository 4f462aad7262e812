//! The lookups through the real provider binary against the strict emulator:
//! `getImage` with `mostRecent` among multi-architecture indexes, their
//! per-platform manifests and their referrers (signatures, SBOMs), and
//! `getRepository` in one round trip. Calls are counted with the emulator's
//! recorder; round trips with the fault proxy holding every reply back, so
//! calls made at once are in flight together.

mod common;

use std::time::Duration;

use common::env::Env;
use common::oci::{self, push};
use common::proxy::{Fault, FaultProxy};
use common::*;
use pulumi_resource_awsecr::property::{Map, Value};
use tonic::Code;

const GET_IMAGE: &str = "awsecr:index:getImage";

fn most_recent(repository: &str) -> Map {
    obj(&[("repositoryName", repository.into()), ("mostRecent", true.into())])
}

/// ECR keeps push times in whole seconds: what is pushed after this is newer.
async fn next_second() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

#[tokio::test]
async fn most_recent_is_the_multi_arch_index_not_its_children_nor_its_referrers() {
    let mut env = Env::with_config(Moto::start_strict(), &[]).await;
    let ecr = env.moto.ecr().await;
    ecr.create_repository().repository_name("apps/web").send().await.unwrap();
    // An older single-architecture release.
    let old = oci::image(10, 20_000);
    push(&ecr, "apps/web", &old, Some("v0")).await;
    next_second().await;
    // The release: both platforms' manifests, then the index over them ...
    let (amd64, arm64) = (oci::image(1, 30_000), oci::image(2, 40_000));
    push(&ecr, "apps/web", &amd64, None).await;
    push(&ecr, "apps/web", &arm64, None).await;
    let index = oci::index(&[(&amd64, "linux/amd64"), (&arm64, "linux/arm64")]);
    push(&ecr, "apps/web", &index, Some("v1")).await;
    next_second().await;
    // ... and after it its signature and SBOM (OCI 1.1 referrers), and a
    // signature stored the older cosign way (a tag naming the digest).
    push(&ecr, "apps/web", &oci::referrer(&index, oci::IMAGE_INDEX, oci::COSIGN_SIGNATURE), None).await;
    push(&ecr, "apps/web", &oci::referrer(&amd64, oci::IMAGE_MANIFEST, oci::SPDX), None).await;
    let cosign_tag = format!("{}.sig", index.digest.replace(':', "-"));
    push(&ecr, "apps/web", &oci::image(20, 512), Some(&cosign_tag)).await;

    env.moto.start_recording();
    let resp = env.invoke(GET_IMAGE, &most_recent("apps/web")).await.unwrap();
    let calls = env.moto.stop_recording();
    assert!(resp.failures.is_empty(), "{:?}", resp.failures);
    let got = decode(&resp.r#return);
    assert_eq!(
        got["imageDigest"],
        Value::from(index.digest.as_str()),
        "the index, not what was pushed after it: {got:?}"
    );
    assert_eq!(got["imageTags"], Value::Array(vec!["v1".into()]));
    let uri = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/apps/web@{}", index.digest);
    assert_eq!(got["imageUri"], Value::from(uri));
    // Seven images, two a page: four pages, and no index read (no index was
    // pushed at or after the one chosen); then the signing status of the
    // one chosen.
    let mut expected = vec!["DescribeImages"; 4];
    expected.push("DescribeImageSigningStatus");
    assert_eq!(calls, expected, "{calls:?}");
    assert_eq!(calls.last().map(String::as_str), Some("DescribeImageSigningStatus"), "asked once chosen: {calls:?}");
    assert_eq!(got["signingStatuses"], Value::Array(vec![]), "no signing rule: an empty list");

    // What ECR says of the index, through an independent client: its size is
    // its largest platform's.
    let described = ecr
        .describe_images()
        .repository_name("apps/web")
        .image_ids(aws_sdk_ecr::types::ImageIdentifier::builder().image_digest(&index.digest).build())
        .send()
        .await
        .unwrap();
    let size = described.image_details()[0].image_size_in_bytes().unwrap();
    assert_eq!(got["imageSizeInBytes"], Value::Number(size as f64));
}

#[tokio::test]
async fn an_image_inside_an_index_is_never_chosen_on_its_own() {
    let mut env = Env::with_config(Moto::start_strict(), &[]).await;
    let ecr = env.moto.ecr().await;
    ecr.create_repository().repository_name("apps/api").send().await.unwrap();
    let (amd64, arm64) = (oci::image(1, 30_000), oci::image(2, 40_000));
    push(&ecr, "apps/api", &amd64, None).await;
    push(&ecr, "apps/api", &arm64, None).await;
    let release = oci::index(&[(&amd64, "linux/amd64"), (&arm64, "linux/arm64")]);
    push(&ecr, "apps/api", &release, Some("v1")).await;
    next_second().await;
    // A newer image that only an index of another kind of artifact lists
    // (an attestation bundle): DescribeImages cannot say it is inside an
    // index, so the provider reads the indexes pushed at or after it.
    let inner = oci::image(3, 50_000);
    push(&ecr, "apps/api", &inner, None).await;
    push(&ecr, "apps/api", &oci::artifact_index(&[&inner], "application/vnd.in-toto+json"), Some("bundle")).await;

    env.moto.start_recording();
    let got = decode(&env.invoke(GET_IMAGE, &most_recent("apps/api")).await.unwrap().r#return);
    let calls = env.moto.stop_recording();
    assert_eq!(got["imageDigest"], Value::from(release.digest.as_str()), "{got:?}");
    let reads: Vec<&String> =
        calls.iter().filter(|c| *c != "DescribeImages" && *c != "DescribeImageSigningStatus").collect();
    assert_eq!(reads, vec!["BatchGetImage"], "one read of the one index pushed after the release: {calls:?}");

    // A repository holding only referrers has no image to run.
    ecr.create_repository().repository_name("apps/only-signatures").send().await.unwrap();
    push(&ecr, "apps/only-signatures", &oci::referrer(&release, oci::IMAGE_INDEX, oci::COSIGN_SIGNATURE), None).await;
    let err = env.invoke(GET_IMAGE, &most_recent("apps/only-signatures")).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains("holds no runnable image"), "{}", err.message());
}

const GET_REPOSITORY: &str = "awsecr:index:getRepository";

/// Every reply held back this long: calls made at once overlap in the proxy.
const HOLD: Duration = Duration::from_millis(300);

const READS: [&str; 4] = ["DescribeRepositories", "GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"];

/// The reads of a lookup, each held back by the proxy.
fn hold_reads(proxy: &FaultProxy) {
    for op in READS {
        proxy.inject(op, Fault::SlowReply(HOLD), None);
    }
}

/// A repository with a lifecycle policy, a repository policy and tags, made
/// through the provider; its outputs.
async fn shared_repository(env: &mut Env, name: &str) -> Map {
    let news = obj(&[
        ("repositoryName", name.into()),
        ("pullPrincipals", strings(&["210987654321"])),
        ("lifecyclePolicy", Value::Object(obj(&[("maxImageCount", Value::Number(20.0))]))),
        ("tags", string_map(&[("team", "base")])),
    ]);
    let inputs = env.checked("base", &news).await;
    let (_, mut out) = env.create("base", &inputs, false).await.unwrap();
    out.remove("forceDelete");
    out
}

#[tokio::test]
async fn get_repository_reads_everything_at_once_once_the_account_is_known() {
    let moto = Moto::start_strict();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let want = shared_repository(&mut env, "shared/base").await;
    let lookup = obj(&[("repositoryName", "shared/base".into())]);
    hold_reads(&proxy);

    // Keys name no account: the first lookup learns the ARN from
    // DescribeRepositories, then reads the tags (two round trips).
    proxy.reset_counts();
    env.moto.start_recording();
    let first = decode(&env.invoke(GET_REPOSITORY, &lookup).await.unwrap().r#return);
    assert_eq!(env.moto.stop_recording(), READS.to_vec());
    let counts = proxy.counts();
    assert_eq!((counts.forwarded, counts.max_in_flight), (4, 3), "{counts:?}");
    assert_eq!(first, want, "the resource's outputs but forceDelete");

    // The account is known from then on: the four reads at once, one round trip.
    proxy.reset_counts();
    env.moto.start_recording();
    let again = decode(&env.invoke(GET_REPOSITORY, &lookup).await.unwrap().r#return);
    assert_eq!(env.moto.stop_recording(), READS.to_vec());
    let counts = proxy.counts();
    assert_eq!((counts.forwarded, counts.max_in_flight), (4, 4), "{counts:?}");
    assert_eq!(again, want);

    // A repository that does not exist is still a clear NotFound.
    let err = env.invoke(GET_REPOSITORY, &obj(&[("repositoryName", "shared/none".into())])).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains("\"shared/none\" does not exist"), "{}", err.message());
}

#[tokio::test]
async fn get_repository_with_an_assumed_role_is_one_round_trip_from_the_first_lookup() {
    let moto = Moto::start_strict();
    let proxy = FaultProxy::start(moto.port);
    // The role's account is in its ARN; the emulator's STS hands out its
    // credentials (STS reached directly, the ECR calls through the proxy).
    let home = TempDir::new("home-lookup");
    let sts = moto.endpoint();
    let envs = [("AWS_ENDPOINT_URL_STS", sts.as_str()), ("AWS_EC2_METADATA_DISABLED", "true")];
    let (engine, _) = common::env::FakeEngine::start().await;
    let mut p = ProviderProcess::start_isolated(home.path(), &envs).await;
    let role = Value::Object(obj(&[("roleArn", format!("arn:aws:iam::{ACCOUNT}:role/reader").into())]));
    p.configure(&moto, &[("endpoint", proxy.endpoint().into()), ("assumeRole", role)]).await.expect("Configure");
    let mut env = Env { moto, p, engine, ty: "awsecr:index:Repository" };
    let want = shared_repository(&mut env, "shared/role").await;
    hold_reads(&proxy);

    proxy.reset_counts();
    env.moto.start_recording();
    let got =
        decode(&env.invoke(GET_REPOSITORY, &obj(&[("repositoryName", "shared/role".into())])).await.unwrap().r#return);
    assert_eq!(env.moto.stop_recording(), READS.to_vec());
    let counts = proxy.counts();
    assert_eq!((counts.forwarded, counts.max_in_flight), (4, 4), "{counts:?}");
    assert_eq!(got, want);
}

#[tokio::test]
async fn get_repository_naming_its_registry_is_one_round_trip_from_the_first_lookup() {
    let moto = Moto::start_strict();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let want = shared_repository(&mut env, "shared/central").await;
    hold_reads(&proxy);

    // Keys name no account, but the lookup does: the four reads at once,
    // each naming the registry (ListTagsForResource through the ARN).
    let lookup = obj(&[("repositoryName", "shared/central".into()), ("registryId", ACCOUNT.into())]);
    proxy.reset_counts();
    env.moto.start_recording();
    let got = decode(&env.invoke(GET_REPOSITORY, &lookup).await.unwrap().r#return);
    let requests = env.moto.stop_recording_requests();
    let counts = proxy.counts();
    assert_eq!((counts.forwarded, counts.max_in_flight), (4, 4), "{counts:?}");
    assert_eq!(got, want);
    assert_eq!(requests.len(), 4, "{requests:?}");
    for request in &requests {
        let body: serde_json::Value = serde_json::from_str(&recorded_body(request)).unwrap();
        let named = body.get("registryId").or_else(|| body.get("resourceArn")).and_then(|v| v.as_str());
        assert!(named.is_some_and(|n| n.contains(ACCOUNT)), "every read names the registry: {body}");
    }

    // Another account's registry: every call names it, and what is not
    // found there is reported with the account looked in.
    let other = obj(&[("repositoryName", "shared/central".into()), ("registryId", "210987654321".into())]);
    let err = env.invoke(GET_REPOSITORY, &other).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains("in the registry of account 210987654321"), "{}", err.message());

    // A registry id that is not an account id fails at the argument.
    let bad = obj(&[("repositoryName", "shared/central".into()), ("registryId", "central".into())]);
    let failures = env.invoke(GET_REPOSITORY, &bad).await.unwrap().failures;
    assert!(
        failures.iter().any(|f| f.property == "registryId" && f.reason.contains("12-digit AWS account id")),
        "{failures:?}"
    );
}

/// getImage reports the storage status and the last recorded pull time; an
/// archived image is still found by tag or digest, with a warning that it
/// cannot be pulled until restored (and the command that restores it), and
/// `mostRecent` passes over it, since ECR lists active images only.
#[tokio::test]
async fn get_image_reports_the_storage_status_and_the_last_pull() {
    use aws_sdk_ecr::types::{ImageIdentifier, TargetStorageClass};
    let mut env = Env::with_config(Moto::start_strict(), &[]).await;
    let ecr = env.moto.ecr().await;
    ecr.create_repository().repository_name("apps/old").send().await.unwrap();
    let (v1, v2) = (oci::image(31, 1_000), oci::image(32, 2_000));
    push(&ecr, "apps/old", &v1, Some("v1")).await;
    next_second().await;
    push(&ecr, "apps/old", &v2, Some("v2")).await;
    let by_tag = |tag: &str| obj(&[("repositoryName", "apps/old".into()), ("imageTag", tag.into())]);

    let got = decode(&env.invoke(GET_IMAGE, &by_tag("v2")).await.unwrap().r#return);
    assert_eq!(got["imageStatus"], Value::from("ACTIVE"));
    assert!(!got.contains_key("lastRecordedPullTime"), "never pulled: {got:?}");
    // A pull (BatchGetImage, as `docker pull` makes) is recorded.
    ecr.batch_get_image()
        .repository_name("apps/old")
        .image_ids(ImageIdentifier::builder().image_tag("v2").build())
        .send()
        .await
        .unwrap();
    let got = decode(&env.invoke(GET_IMAGE, &by_tag("v2")).await.unwrap().r#return);
    let pulled = got["lastRecordedPullTime"].as_str().expect("a pull time").to_string();
    assert!(pulled.ends_with('Z') && pulled.contains('T'), "{pulled}");
    assert!(env.warnings().is_empty(), "an active image is no news: {:?}", env.warnings());

    // v2 archived: found, ARCHIVED, with a warning naming the restore.
    ecr.update_image_storage_class()
        .repository_name("apps/old")
        .image_id(ImageIdentifier::builder().image_tag("v2").build())
        .target_storage_class(TargetStorageClass::Archive)
        .send()
        .await
        .unwrap();
    let got = decode(&env.invoke(GET_IMAGE, &by_tag("v2")).await.unwrap().r#return);
    assert_eq!(got["imageStatus"], Value::from("ARCHIVED"));
    assert_eq!(got["imageDigest"], Value::from(v2.digest.as_str()));
    assert_eq!(got["lastRecordedPullTime"], Value::from(pulled.as_str()), "the archive keeps the last pull");
    let warnings = env.warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("is archived (imageStatus ARCHIVED) and cannot be pulled until it is restored")
                && w.contains(&format!("--image-id imageDigest={} --target-storage-class STANDARD", v2.digest))),
        "{warnings:?}"
    );
    // mostRecent: the newest active image, v1.
    let latest = decode(&env.invoke(GET_IMAGE, &most_recent("apps/old")).await.unwrap().r#return);
    assert_eq!(latest["imageDigest"], Value::from(v1.digest.as_str()));
    assert_eq!(latest["imageStatus"], Value::from("ACTIVE"));

    // Being restored: ACTIVATING, still not pullable.
    ecr.update_image_storage_class()
        .repository_name("apps/old")
        .image_id(ImageIdentifier::builder().image_digest(&v2.digest).build())
        .target_storage_class(TargetStorageClass::Standard)
        .send()
        .await
        .unwrap();
    let got = decode(&env.invoke(GET_IMAGE, &by_tag("v2")).await.unwrap().r#return);
    assert_eq!(got["imageStatus"], Value::from("ACTIVATING"));
    assert!(
        env.warnings().iter().any(|w| w.contains("cannot be pulled until the restore completes")),
        "{:?}",
        env.warnings()
    );
    let got = decode(&env.invoke(GET_IMAGE, &by_tag("v2")).await.unwrap().r#return);
    assert_eq!(got["imageStatus"], Value::from("ACTIVE"), "restored");
}
