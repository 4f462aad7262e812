//! The lookups through the real provider binary against the strict emulator:
//! `getImage` with `mostRecent` among multi-architecture indexes, their
//! per-platform manifests and their referrers (signatures, SBOMs), getImage's
//! scan findings by severity, `getRepository` in one round trip, and the
//! pages `getRepositories` and `getImages` read. Calls are counted with the emulator's
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
    // one chosen and its scan, both at once.
    let mut expected = vec!["DescribeImages"; 4];
    expected.extend(["DescribeImageSigningStatus", "DescribeImageScanFindings"]);
    assert_eq!(calls, expected, "{calls:?}");
    assert!(calls[..4].iter().all(|c| c == "DescribeImages"), "asked once chosen: {calls:?}");
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
    let reads: Vec<&String> = calls
        .iter()
        .filter(|c| {
            !matches!(c.as_str(), "DescribeImages" | "DescribeImageSigningStatus" | "DescribeImageScanFindings")
        })
        .collect();
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

/// Gives the emulator a scan result for one image of a repository, through
/// moto's own API for it (moto answers DescribeImageScanFindings with it
/// once StartImageScan has run; without a scan it answers
/// ScanNotFoundException, as ECR does).
fn set_scan_result(moto: &Moto, repository: &str, tag: &str, digest: &str, counts: serde_json::Value) {
    let result = serde_json::json!({
        "registryId": ACCOUNT,
        "repositoryName": repository,
        "imageId": {"imageDigest": digest, "imageTag": tag},
        "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
        "imageScanFindings": {
            "imageScanCompletedAt": 1_765_000_000,
            "vulnerabilitySourceUpdatedAt": 1_764_990_000,
            "findings": [],
            "findingSeverityCounts": counts,
        },
    });
    let body = serde_json::json!({"results": [result], "region": REGION, "account_id": ACCOUNT}).to_string();
    let (status, answer) = moto.http("POST", "/moto-api/static/ecr/scan-finding-results", &[], &body);
    assert_eq!(status, 201, "{answer}");
}

/// getImage gives the scan's status and its finding counts by severity
/// (DescribeImageScanFindings), every severity of ECR's model counted, so a
/// deploy can refuse an image with critical findings; an image without a
/// scan is no error. The three reads of a lookup by tag are in flight
/// together (one round trip).
#[tokio::test]
async fn get_image_counts_the_scan_findings_by_severity() {
    let moto = Moto::start_strict();
    let proxy = FaultProxy::start(moto.port);
    let mut env = Env::with_endpoint(moto, Some(proxy.endpoint())).await;
    let ecr = env.moto.ecr().await;
    ecr.create_repository().repository_name("apps/scanned").send().await.unwrap();
    let v1 = oci::image(41, 5_000);
    push(&ecr, "apps/scanned", &v1, Some("v1")).await;
    let by_tag = obj(&[("repositoryName", "apps/scanned".into()), ("imageTag", "v1".into())]);
    let by_digest = obj(&[("repositoryName", "apps/scanned".into()), ("imageDigest", v1.digest.as_str().into())]);

    // Never scanned: no status, no counts, and no error; by digest the three
    // calls at once.
    for op in ["DescribeImages", "DescribeImageSigningStatus", "DescribeImageScanFindings"] {
        proxy.inject(op, Fault::SlowReply(HOLD), None);
    }
    proxy.reset_counts();
    env.moto.start_recording();
    let got = decode(&env.invoke(GET_IMAGE, &by_digest).await.unwrap().r#return);
    let calls = env.moto.stop_recording();
    assert_eq!(calls, vec!["DescribeImages", "DescribeImageSigningStatus", "DescribeImageScanFindings"]);
    let counts = proxy.counts();
    assert_eq!((counts.forwarded, counts.max_in_flight), (3, 3), "one round trip: {counts:?}");
    for key in ["scanStatus", "scanFindingCounts", "scanCompletedAt"] {
        assert!(!got.contains_key(key), "no scan, no {key}: {got:?}");
    }
    // By tag, "no scan" is asked again by the digest described: the tag may
    // have moved between the calls.
    proxy.reset_counts();
    env.moto.start_recording();
    let got = decode(&env.invoke(GET_IMAGE, &by_tag).await.unwrap().r#return);
    let requests = env.moto.stop_recording_requests();
    let counts = proxy.counts();
    assert_eq!((counts.forwarded, counts.max_in_flight), (4, 3), "two round trips: {counts:?}");
    let again: serde_json::Value = serde_json::from_str(&recorded_body(&requests[3])).unwrap();
    assert_eq!(again["imageId"], serde_json::json!({"imageDigest": v1.digest}), "{again}");
    assert!(!got.contains_key("scanFindingCounts"), "{got:?}");
    assert_eq!(got["imageDigest"], Value::from(v1.digest.as_str()));
    proxy.clear();

    // Scanned, with findings: every severity counted, ECR's other ones kept.
    ecr.start_image_scan()
        .repository_name("apps/scanned")
        .image_id(aws_sdk_ecr::types::ImageIdentifier::builder().image_tag("v1").build())
        .send()
        .await
        .unwrap();
    // moto hands a result to the first request of each form (by tag, by
    // digest): one for this lookup by tag, one for mostRecent's by digest.
    for _ in 0..2 {
        let counts = serde_json::json!({"CRITICAL": 2, "HIGH": 5, "UNTRIAGED": 1});
        set_scan_result(&env.moto, "apps/scanned", "v1", &v1.digest, counts);
    }
    let got = decode(&env.invoke(GET_IMAGE, &by_tag).await.unwrap().r#return);
    assert_eq!(got["scanStatus"], Value::from("COMPLETE"));
    let want: Map = [
        ("CRITICAL", 2.0),
        ("HIGH", 5.0),
        ("MEDIUM", 0.0),
        ("LOW", 0.0),
        ("INFORMATIONAL", 0.0),
        ("UNDEFINED", 0.0),
        ("UNTRIAGED", 1.0),
    ]
    .iter()
    .map(|(k, n)| (k.to_string(), Value::Number(*n)))
    .collect();
    assert_eq!(got["scanFindingCounts"], Value::Object(want), "{got:?}");
    assert_eq!(got["scanCompletedAt"], Value::from("2025-12-06T05:46:40Z"));

    // mostRecent: the scan of the image chosen, asked with its signing
    // status once it is chosen (both at once, after DescribeImages).
    env.moto.start_recording();
    let latest = decode(
        &env.invoke(GET_IMAGE, &obj(&[("repositoryName", "apps/scanned".into()), ("mostRecent", true.into())]))
            .await
            .unwrap()
            .r#return,
    );
    let calls = env.moto.stop_recording();
    assert_eq!(calls[0], "DescribeImages", "{calls:?}");
    let mut after: Vec<&str> = calls[1..].iter().map(String::as_str).collect();
    after.sort_unstable();
    assert_eq!(after, vec!["DescribeImageScanFindings", "DescribeImageSigningStatus"], "{calls:?}");
    assert_eq!(latest["scanFindingCounts"], got["scanFindingCounts"]);

    // Credentials that may not read the scan: the lookup fails, naming the
    // action, rather than pass a gate for want of an answer.
    proxy.inject(
        "DescribeImageScanFindings",
        Fault::Error { status: 400, code: "AccessDeniedException", message: "not authorized" },
        Some(1),
    );
    let err = env.invoke(GET_IMAGE, &by_tag).await.unwrap_err();
    assert!(err.message().contains("ecr:DescribeImageScanFindings"), "{}", err.message());
}

const GET_REPOSITORIES: &str = "awsecr:index:getRepositories";

fn array(v: &Value) -> &Vec<Value> {
    match v {
        Value::Array(items) => items,
        other => panic!("not a list: {other:?}"),
    }
}

fn object(v: &Value) -> &Map {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other:?}"),
    }
}

/// The maxResults of each recorded request.
fn page_sizes(requests: &[serde_json::Value]) -> Vec<i64> {
    requests
        .iter()
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&recorded_body(r)).ok())
        .map(|b| b["maxResults"].as_i64().unwrap_or(0))
        .collect()
}

/// getRepositories lists names, ARNs and URLs as ECR does, under a prefix
/// or not, following pages (the emulator gives two a page) only until one
/// more than `limit` has matched.
#[tokio::test]
async fn get_repositories_reads_only_the_pages_it_needs() {
    let mut env = Env::with_config(Moto::start_strict(), &[]).await;
    let ecr = env.moto.ecr().await;
    for name in ["team/a", "team/b", "other/x", "team/c", "other/y", "team/d", "zeta"] {
        ecr.create_repository().repository_name(name).send().await.unwrap();
    }
    // What ECR lists, in its order, through an independent client.
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = ecr.describe_repositories().set_next_token(token).send().await.unwrap();
        listed.extend(page.repositories().iter().map(|r| {
            (
                r.repository_name().unwrap().to_string(),
                r.repository_arn().unwrap().to_string(),
                r.repository_uri().unwrap().to_string(),
            )
        }));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let strings_of = |v: &Value| -> Vec<String> { array(v).iter().map(|s| s.as_str().unwrap().to_string()).collect() };

    // Everything: four pages of two.
    env.moto.start_recording();
    let got = decode(&env.invoke(GET_REPOSITORIES, &Map::new()).await.unwrap().r#return);
    let requests = env.moto.stop_recording_requests();
    assert_eq!(requests.len(), 4, "seven repositories, two a page");
    assert_eq!(strings_of(&got["names"]), listed.iter().map(|l| l.0.clone()).collect::<Vec<_>>());
    assert_eq!(strings_of(&got["arns"]), listed.iter().map(|l| l.1.clone()).collect::<Vec<_>>());
    assert_eq!(strings_of(&got["urls"]), listed.iter().map(|l| l.2.clone()).collect::<Vec<_>>());
    assert_eq!(got["truncated"], Value::Bool(false));
    assert_eq!(page_sizes(&requests), vec![1000; 4], "no limit given: the default 1,000 matches and one more");

    // The first three: pages of four asked for (two given), two pages.
    env.moto.start_recording();
    let got = decode(&env.invoke(GET_REPOSITORIES, &obj(&[("limit", Value::Number(3.0))])).await.unwrap().r#return);
    let requests = env.moto.stop_recording_requests();
    assert_eq!(page_sizes(&requests), vec![4, 4], "limit 3: one more than the limit asked for, twice");
    assert_eq!(strings_of(&got["names"]), listed.iter().take(3).map(|l| l.0.clone()).collect::<Vec<_>>());
    assert_eq!(got["truncated"], Value::Bool(true));

    // Under a prefix: the emulator's listing order, filtered; it stops on the
    // page where a third match shows.
    let team: Vec<String> = listed.iter().map(|l| l.0.clone()).filter(|n| n.starts_with("team/")).collect();
    let third = listed.iter().position(|l| l.0 == team[2]).unwrap();
    env.moto.start_recording();
    let args = obj(&[("namePrefix", "team/".into()), ("limit", Value::Number(2.0))]);
    let got = decode(&env.invoke(GET_REPOSITORIES, &args).await.unwrap().r#return);
    let calls = env.moto.stop_recording();
    assert_eq!(calls.len(), third / 2 + 1, "pages up to the one holding the third match: {calls:?}");
    assert_eq!(strings_of(&got["names"]), team[..2].to_vec());
    assert_eq!(got["truncated"], Value::Bool(true));
    let args = obj(&[("namePrefix", "team/".into()), ("limit", Value::Number(4.0))]);
    let got = decode(&env.invoke(GET_REPOSITORIES, &args).await.unwrap().r#return);
    assert_eq!(strings_of(&got["names"]), team);
    assert_eq!(got["truncated"], Value::Bool(false), "exactly four match");

    // A registry named: every page asks for it.
    env.moto.start_recording();
    let args = obj(&[("registryId", ACCOUNT.into()), ("limit", Value::Number(2.0))]);
    let got = decode(&env.invoke(GET_REPOSITORIES, &args).await.unwrap().r#return);
    let requests = env.moto.stop_recording_requests();
    assert_eq!(strings_of(&got["names"]), listed.iter().take(2).map(|l| l.0.clone()).collect::<Vec<_>>());
    assert_eq!(requests.len(), 2, "two and one more: two pages of two");
    for request in &requests {
        let body: serde_json::Value = serde_json::from_str(&recorded_body(request)).unwrap();
        assert_eq!(body["registryId"], ACCOUNT, "{body}");
    }

    // Bad arguments are failures naming them, before any call.
    env.moto.start_recording();
    let bad = obj(&[("limit", Value::Number(0.0)), ("namePrefix", "Team".into())]);
    let failures = env.invoke(GET_REPOSITORIES, &bad).await.unwrap().failures;
    assert!(env.moto.stop_recording().is_empty());
    assert!(
        failures.iter().any(|f| f.property == "limit" && f.reason.contains("between 1 and 100000")),
        "{failures:?}"
    );
    assert!(failures.iter().any(|f| f.property == "namePrefix" && f.reason.contains("lowercase")), "{failures:?}");
}

const GET_IMAGES: &str = "awsecr:index:getImages";

/// getImages lists a repository's images newest first from every page
/// (ECR's order says nothing of age), filtered by ECR to tagged or untagged
/// ones and here by tag prefix, cut to `limit`.
#[tokio::test]
async fn get_images_lists_newest_first_from_every_page() {
    let mut env = Env::with_config(Moto::start_strict(), &[]).await;
    let ecr = env.moto.ecr().await;
    ecr.create_repository().repository_name("apps/list").send().await.unwrap();
    let images: Vec<oci::Pushed> = (51..56).map(|n| oci::image(n, 1_000 * u64::from(n))).collect();
    let tags = [Some("v1.0"), None, Some("rc-1"), Some("v2.0"), None];
    for (image, tag) in images.iter().zip(tags) {
        push(&ecr, "apps/list", image, tag).await;
        next_second().await;
    }
    let digests = |got: &Map| -> Vec<String> {
        array(&got["images"]).iter().map(|i| object(i)["imageDigest"].as_str().unwrap().to_string()).collect()
    };
    let newest_first =
        |picked: &[usize]| -> Vec<String> { picked.iter().rev().map(|i| images[*i].digest.clone()).collect() };
    let list = |pairs: &[(&str, Value)]| {
        let mut args = obj(&[("repositoryName", "apps/list".into())]);
        args.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())));
        args
    };

    // Every image: three pages of two, 1,000 asked for each.
    env.moto.start_recording();
    let got = decode(&env.invoke(GET_IMAGES, &list(&[])).await.unwrap().r#return);
    let requests = env.moto.stop_recording_requests();
    assert_eq!(page_sizes(&requests), vec![1000, 1000, 1000]);
    assert_eq!(digests(&got), newest_first(&[0, 1, 2, 3, 4]));
    assert_eq!(got["truncated"], Value::Bool(false));
    let first = object(&array(&got["images"])[1]).clone();
    assert_eq!(first["imageTags"], Value::Array(vec!["v2.0".into()]));
    assert_eq!(
        first["imageUri"],
        Value::from(format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/apps/list@{}", images[3].digest))
    );
    let described = ecr
        .describe_images()
        .repository_name("apps/list")
        .image_ids(aws_sdk_ecr::types::ImageIdentifier::builder().image_digest(&images[3].digest).build())
        .send()
        .await
        .unwrap();
    let detail = &described.image_details()[0];
    assert_eq!(first["imageSizeInBytes"], Value::Number(detail.image_size_in_bytes().unwrap() as f64));
    let pushed_at = detail.image_pushed_at().unwrap().fmt(aws_smithy_types::date_time::Format::DateTime).unwrap();
    assert_eq!(first["imagePushedAt"], Value::from(pushed_at));

    // Untagged only, filtered by ECR: one page.
    env.moto.start_recording();
    let got = decode(&env.invoke(GET_IMAGES, &list(&[("tagStatus", "UNTAGGED".into())])).await.unwrap().r#return);
    let requests = env.moto.stop_recording_requests();
    assert_eq!(digests(&got), newest_first(&[1, 4]));
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&recorded_body(&requests[0])).unwrap();
    assert_eq!(body["filter"]["tagStatus"], "UNTAGGED");

    // A tag prefix asks ECR for tagged images (two pages), matches here, and
    // the newest one is given, with `truncated` saying another matched.
    env.moto.start_recording();
    let args = list(&[("tagPrefix", "v".into()), ("limit", Value::Number(1.0))]);
    let got = decode(&env.invoke(GET_IMAGES, &args).await.unwrap().r#return);
    let requests = env.moto.stop_recording_requests();
    assert_eq!(requests.len(), 2, "three tagged images, two a page");
    let body: serde_json::Value = serde_json::from_str(&recorded_body(&requests[0])).unwrap();
    assert_eq!(body["filter"]["tagStatus"], "TAGGED");
    assert_eq!(digests(&got), newest_first(&[3]));
    assert_eq!(got["truncated"], Value::Bool(true));

    // Bad arguments are failures naming them; a missing repository an error.
    let failures = env
        .invoke(GET_IMAGES, &list(&[("tagStatus", "UNTAGGED".into()), ("tagPrefix", "v".into())]))
        .await
        .unwrap()
        .failures;
    assert!(failures.iter().any(|f| f.property == "tagPrefix" && f.reason.contains("UNTAGGED")), "{failures:?}");
    let err = env.invoke(GET_IMAGES, &obj(&[("repositoryName", "apps/none".into())])).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains("\"apps/none\" does not exist"), "{}", err.message());
}

/// getImages' `tagStatus` values and the severities getImage counts are
/// those of the ECR model the tests run with: a value AWS adds fails here.
#[test]
fn tag_statuses_and_severities_are_the_models() {
    use pulumi_resource_awsecr::functions::get_images::TAG_STATUSES;
    let out = std::process::Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import botocore.session; m = botocore.session.get_session().get_service_model('ecr'); \
             print(' '.join(m.shape_for('TagStatus').enum)); print(' '.join(m.shape_for('FindingSeverity').enum))",
        ])
        .output()
        .expect("run the venv's python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines().map(|l| l.split_whitespace().collect::<std::collections::BTreeSet<&str>>());
    let (tag_statuses, severities) = (lines.next().unwrap(), lines.next().unwrap());
    assert_eq!(TAG_STATUSES.iter().copied().collect::<std::collections::BTreeSet<_>>(), tag_statuses);
    let counted = pulumi_resource_awsecr::functions::get_image::severity_counts(std::iter::empty());
    assert_eq!(counted.keys().map(String::as_str).collect::<std::collections::BTreeSet<_>>(), severities);
}
