//! The strict ECR emulator (tests/support/moto_ecr.py, AWSECR_EMULATOR=strict)
//! refuses what real ECR refuses, where moto alone would accept it. Each test
//! sends a request real ECR would refuse and checks the refusal (the error
//! code and the member it names), then sends the matching good request and
//! checks that it passes. One test per rule, and one for the lenient mode.

mod common;

use aws_sdk_ecr::error::ProvideErrorMetadata;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageIdentifier, ImageScanningConfiguration, ImageTagMutability,
    ImageTagMutabilityExclusionFilter, ImageTagMutabilityExclusionFilterType, Tag,
};
use common::inspect::manifest;
use common::*;
use std::collections::BTreeSet;

/// The error code and message of a failed call, for assertions.
fn refusal<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(result: Result<T, E>) -> (String, String) {
    let err = result.expect_err("real ECR refuses this request");
    let code = err.code().unwrap_or_else(|| panic!("no error code in {err:?}")).to_string();
    (code, err.message().unwrap_or_default().to_string())
}

/// Asserts an InvalidParameterException whose message names `member`.
fn assert_invalid<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, E>,
    member: &str,
    constraint: &str,
) {
    let (code, message) = refusal(result);
    assert_eq!(code, "InvalidParameterException", "{message}");
    assert!(message.contains(&format!("Invalid parameter at '{member}'")), "should name {member}: {message}");
    assert!(message.contains(constraint), "should say {constraint:?}: {message}");
}

/// The same for a raw JSON-protocol answer.
fn assert_invalid_raw((status, body): (u16, String), member: &str, constraint: &str) {
    assert_eq!(status, 400, "{body}");
    let j: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(j["__type"], "InvalidParameterException", "{body}");
    let message = j["message"].as_str().unwrap();
    assert!(message.contains(&format!("Invalid parameter at '{member}'")), "should name {member}: {message}");
    assert!(message.contains(constraint), "should say {constraint:?}: {message}");
}

const CREATE: &str = "AmazonEC2ContainerRegistry_V20150921.CreateRepository";

fn filter(value: &str) -> ImageTagMutabilityExclusionFilter {
    ImageTagMutabilityExclusionFilter::builder()
        .filter_type(ImageTagMutabilityExclusionFilterType::Wildcard)
        .filter(value)
        .build()
        .unwrap()
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

async fn repository_names(moto: &Moto) -> BTreeSet<String> {
    let ecr = moto.ecr().await;
    let mut names = BTreeSet::new();
    let mut token = None;
    loop {
        let page = ecr.describe_repositories().set_next_token(token).send().await.unwrap();
        names.extend(page.repositories().iter().filter_map(|r| r.repository_name().map(str::to_string)));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return names;
        }
    }
}

fn page_size() -> usize {
    std::env::var("AWSECR_EMULATOR_PAGE_SIZE").ok().and_then(|s| s.parse().ok()).unwrap_or(2)
}

#[tokio::test]
async fn requests_are_checked_against_the_ecr_model() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;

    // A repository name over the model's 256 characters; 256 is fine.
    let long = "a".repeat(257);
    let r = ecr.create_repository().repository_name(&long).send().await;
    assert_invalid(r, "repositoryName", "Member must have length less than or equal to 256");
    ecr.create_repository().repository_name("a".repeat(256)).send().await.unwrap();

    // An imageTagMutability outside the model's enum.
    let r = ecr
        .create_repository()
        .repository_name("enum/bad")
        .image_tag_mutability(ImageTagMutability::from("SOMETIMES"))
        .send()
        .await;
    assert_invalid(r, "imageTagMutability", "Member must satisfy enum value set: [");
    ecr.create_repository()
        .repository_name("enum/good")
        .image_tag_mutability(ImageTagMutability::Immutable)
        .send()
        .await
        .unwrap();

    // A missing required member, at the top and nested (the SDK would not send these).
    assert_invalid_raw(moto.aws_json("ecr", CREATE, "{}"), "repositoryName", "Member must not be null");
    let nested = r#"{"repositoryName":"nested/enc","encryptionConfiguration":{}}"#;
    assert_invalid_raw(
        moto.aws_json("ecr", CREATE, nested),
        "encryptionConfiguration.encryptionType",
        "Member must not be null",
    );
    let good = r#"{"repositoryName":"nested/enc","encryptionConfiguration":{"encryptionType":"AES256"}}"#;
    let (status, body) = moto.aws_json("ecr", CREATE, good);
    assert_eq!(status, 200, "{body}");

    // A list over its maximum (5 exclusion filters); 5 are fine.
    let six = (1..=6).map(|i| filter(&format!("dev{i}-*"))).collect::<Vec<_>>();
    let r = ecr
        .create_repository()
        .repository_name("filters/six")
        .image_tag_mutability(ImageTagMutability::ImmutableWithExclusion)
        .set_image_tag_mutability_exclusion_filters(Some(six.clone()))
        .send()
        .await;
    assert_invalid(r, "imageTagMutabilityExclusionFilters", "Member must have length less than or equal to 5");
    ecr.create_repository()
        .repository_name("filters/five")
        .image_tag_mutability(ImageTagMutability::ImmutableWithExclusion)
        .set_image_tag_mutability_exclusion_filters(Some(six[..5].to_vec()))
        .send()
        .await
        .unwrap();

    // A pattern violation inside a list item, and the same item done right.
    let r = ecr
        .create_repository()
        .repository_name("filters/pattern")
        .image_tag_mutability(ImageTagMutability::ImmutableWithExclusion)
        .image_tag_mutability_exclusion_filters(filter("latest"))
        .image_tag_mutability_exclusion_filters(filter("not a tag!"))
        .send()
        .await;
    assert_invalid(
        r,
        "imageTagMutabilityExclusionFilters.2.member.filter",
        "Member must satisfy regular expression pattern: ^[0-9a-zA-Z._*-]{1,128}$",
    );
    ecr.create_repository()
        .repository_name("filters/pattern")
        .image_tag_mutability(ImageTagMutability::ImmutableWithExclusion)
        .image_tag_mutability_exclusion_filters(filter("latest"))
        .image_tag_mutability_exclusion_filters(filter("dev-*"))
        .send()
        .await
        .unwrap();

    // A registry id that is not 12 digits; a number under its minimum.
    let r = ecr.describe_repositories().registry_id("12345").send().await;
    assert_invalid(r, "registryId", "Member must satisfy regular expression pattern: [0-9]{12}");
    let r = ecr.describe_repositories().max_results(0).send().await;
    assert_invalid(r, "maxResults", "Member must have value greater than or equal to 1");
    ecr.describe_repositories().registry_id(ACCOUNT).max_results(1).send().await.unwrap();

    // Only the good requests left a repository behind.
    let expected: BTreeSet<String> =
        ["a".repeat(256), "enum/good".into(), "nested/enc".into(), "filters/five".into(), "filters/pattern".into()]
            .into_iter()
            .collect();
    assert_eq!(repository_names(&moto).await, expected);
}

#[tokio::test]
async fn reserved_aws_tags_cannot_be_added_changed_or_removed() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;

    // Added on create: refused, whatever the case of the prefix.
    for key in ["aws:owner", "AWS:owner", "Aws:Owner"] {
        let r = ecr.create_repository().repository_name("tags/bad").tags(tag("team", "a")).tags(tag(key, "x")).send();
        assert_invalid(r.await, "tags.2.member.Key", "aws:");
    }
    let created = ecr.create_repository().repository_name("tags/good").tags(tag("team", "a")).send().await.unwrap();
    let arn = created.repository().unwrap().repository_arn().unwrap().to_string();
    assert!(!repository_names(&moto).await.contains("tags/bad"));

    // The back door tags it as CloudFormation would.
    moto.set_reserved_tag(&arn, "aws:cloudformation:stack-name", "platform");
    let tags_now = || async {
        let out = moto.ecr().await.list_tags_for_resource().resource_arn(&arn).send().await.unwrap();
        out.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect::<Vec<_>>()
    };
    let expected = vec![
        ("team".to_string(), "a".to_string()),
        ("aws:cloudformation:stack-name".to_string(), "platform".to_string()),
    ];
    assert_eq!(tags_now().await, expected);

    // Added, changed, removed: all refused, and nothing changes.
    let r = ecr.tag_resource().resource_arn(&arn).tags(tag("aws:new", "x")).send().await;
    assert_invalid(r, "tags.1.member.Key", "aws:");
    let r = ecr.tag_resource().resource_arn(&arn).tags(tag("aws:cloudformation:stack-name", "other")).send().await;
    assert_invalid(r, "tags.1.member.Key", "aws:");
    let r = ecr.untag_resource().resource_arn(&arn).tag_keys("team").tag_keys("aws:cloudformation:stack-name").send();
    assert_invalid(r.await, "tagKeys.2.member", "aws:");
    let r = ecr.untag_resource().resource_arn(&arn).tag_keys("AWS:CloudFormation:Stack-Name").send().await;
    assert_invalid(r, "tagKeys.1.member", "aws:");
    assert_eq!(tags_now().await, expected);

    // The repository's own tags still change freely next to the reserved one.
    ecr.tag_resource().resource_arn(&arn).tags(tag("team", "b")).tags(tag("env", "prod")).send().await.unwrap();
    ecr.untag_resource().resource_arn(&arn).tag_keys("env").send().await.unwrap();
    let expected = vec![
        ("team".to_string(), "b".to_string()),
        ("aws:cloudformation:stack-name".to_string(), "platform".to_string()),
    ];
    assert_eq!(tags_now().await, expected);
}

#[tokio::test]
async fn tag_limits_the_model_does_not_carry() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    let many = |n: usize| Some((1..=n).map(|i| tag(&format!("k{i}"), "v")).collect::<Vec<_>>());

    // At most 50 tags, on create and through TagResource.
    let (code, message) = refusal(ecr.create_repository().repository_name("tags/51").set_tags(many(51)).send().await);
    assert_eq!(code, "TooManyTagsException", "{message}");
    let created = ecr.create_repository().repository_name("tags/50").set_tags(many(50)).send().await.unwrap();
    let arn = created.repository().unwrap().repository_arn().unwrap().to_string();
    let (code, message) = refusal(ecr.tag_resource().resource_arn(&arn).tags(tag("k51", "v")).send().await);
    assert_eq!(code, "TooManyTagsException", "{message}");
    // Changing one of the 50 is fine, and a reserved aws: tag does not count.
    moto.set_reserved_tag(&arn, "aws:cloudformation:stack-name", "s");
    ecr.tag_resource().resource_arn(&arn).tags(tag("k1", "changed")).send().await.unwrap();

    // Keys up to 128 characters, values up to 256.
    ecr.untag_resource().resource_arn(&arn).tag_keys("k49").tag_keys("k50").send().await.unwrap();
    for (key, value) in [("k".repeat(129), "v".to_string()), ("k".to_string(), "v".repeat(257))] {
        let (code, message) = refusal(ecr.tag_resource().resource_arn(&arn).tags(tag(&key, &value)).send().await);
        assert_eq!(code, "InvalidTagParameterException", "{message}");
        assert!(message.contains("tags.1.member"), "{message}");
    }
    ecr.tag_resource().resource_arn(&arn).tags(tag(&"k".repeat(128), &"v".repeat(256))).send().await.unwrap();
    let tags = ecr.list_tags_for_resource().resource_arn(&arn).send().await.unwrap();
    assert_eq!(tags.tags().len(), 50, "48 of the first 50, the long one and the reserved one");
}

fn pull_policy(principals: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "pull",
            "Effect": "Allow",
            "Principal": {"AWS": principals},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }],
    })
    .to_string()
}

#[tokio::test]
async fn policy_principals_must_exist_in_this_account() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    ecr.create_repository().repository_name("access/api").send().await.unwrap();
    let set = |policy: String| ecr.set_repository_policy().repository_name("access/api").policy_text(policy).send();
    let not_found = "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'";

    // A role that does not exist (yet): ECR's own answer.
    let role = format!("arn:aws:iam::{ACCOUNT}:role/api-task-execution");
    let (code, message) = refusal(set(pull_policy(&[&role])).await);
    assert_eq!((code.as_str(), message.as_str()), ("InvalidParameterException", not_found));
    assert!(ecr.get_repository_policy().repository_name("access/api").send().await.is_err(), "no policy was set");

    // Once the role exists (created "late", as IAM propagation would), the same policy passes.
    assert_eq!(moto.create_role("api-task-execution"), role);
    set(pull_policy(&[&role])).await.unwrap();

    // A role under a path, and users, likewise.
    let task = format!("arn:aws:iam::{ACCOUNT}:role/ecs/task-execution");
    let user = format!("arn:aws:iam::{ACCOUNT}:user/deployer");
    for missing in [&task, &user] {
        let (code, message) = refusal(set(pull_policy(&[&role, missing])).await);
        assert_eq!((code.as_str(), message.as_str()), ("InvalidParameterException", not_found), "{missing}");
    }
    assert_eq!(moto.create_role("ecs/task-execution"), task);
    assert_eq!(moto.create_user("deployer"), user);
    set(pull_policy(&[&role, &task, &user])).await.unwrap();

    // Account ids, account roots and other accounts' principals are always accepted.
    let root = format!("arn:aws:iam::{ACCOUNT}:root");
    let others = ["210987654321", "arn:aws:iam::210987654321:role/ci", "arn:aws:iam::210987654321:user/x"];
    set(pull_policy(&[ACCOUNT, &root, others[0], others[1], others[2]])).await.unwrap();
    let policy = ecr.get_repository_policy().repository_name("access/api").send().await.unwrap();
    assert!(policy.policy_text().unwrap().contains("arn:aws:iam::210987654321:role/ci"));

    // The registry policy resolves its principals the same way.
    let registry_policy = |principal: &str| {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "replicate",
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                "Resource": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"),
            }],
        })
        .to_string()
    };
    let ghost = format!("arn:aws:iam::{ACCOUNT}:role/replicator");
    let (code, message) = refusal(ecr.put_registry_policy().policy_text(registry_policy(&ghost)).send().await);
    assert_eq!((code.as_str(), message.as_str()), ("InvalidParameterException", not_found));
    moto.create_role("replicator");
    ecr.put_registry_policy().policy_text(registry_policy(&ghost)).send().await.unwrap();
}

#[tokio::test]
async fn list_operations_page_and_every_page_is_reached_by_next_token() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    let n = page_size();
    assert!(n < 5, "AWSECR_EMULATOR_PAGE_SIZE={n} leaves nothing to page");
    for i in 1..=5 {
        let create = ecr.create_repository().repository_name(format!("paged/r{i}"));
        // Settings of every kind, so that the pages' descriptions are checked
        // against the unpaged answer's below for each member of a repository.
        let create = match i {
            2 => create.encryption_configuration(
                EncryptionConfiguration::builder().encryption_type(EncryptionType::Kms).build().unwrap(),
            ),
            3 => create
                .image_tag_mutability(ImageTagMutability::ImmutableWithExclusion)
                .image_tag_mutability_exclusion_filters(filter("latest")),
            4 => create.image_scanning_configuration(ImageScanningConfiguration::builder().scan_on_push(true).build()),
            _ => create,
        };
        create.send().await.unwrap();
    }

    // One call answers one page and a token; following the tokens reaches all five.
    let first = ecr.describe_repositories().send().await.unwrap();
    assert_eq!(first.repositories().len(), n);
    assert!(first.next_token().is_some());
    let all: BTreeSet<String> = (1..=5).map(|i| format!("paged/r{i}")).collect();
    assert_eq!(repository_names(&moto).await, all);

    // maxResults is honoured when smaller; a token that is not the emulator's is refused.
    let one = ecr.describe_repositories().max_results(1).send().await.unwrap();
    assert_eq!(one.repositories().len(), 1);
    let r = ecr.describe_repositories().next_token("not-a-token").send().await;
    assert_invalid(r, "nextToken", "Invalid NextToken");
    // Naming the repositories turns paging off (and maxResults may not be given with them).
    let named = ecr.describe_repositories().repository_names("paged/r1").repository_names("paged/r2");
    let named = named.repository_names("paged/r3").send().await.unwrap();
    assert_eq!(named.repositories().len(), 3);
    assert!(named.next_token().is_none());
    let r = ecr.describe_repositories().repository_names("paged/r1").max_results(1).send().await;
    assert_invalid(r, "maxResults", "repositoryNames");
    // The pages, one after another, describe the repositories exactly as the
    // unpaged answer does, in the same order (the emulator builds a page alone).
    let mut paged = Vec::new();
    let mut token = None;
    loop {
        let page = ecr.describe_repositories().set_next_token(token).send().await.unwrap();
        paged.extend(page.repositories().iter().cloned());
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut named = ecr.describe_repositories();
    for i in 1..=5 {
        named = named.repository_names(format!("paged/r{i}"));
    }
    assert_eq!(paged, named.send().await.unwrap().repositories().to_vec());

    // Five images: DescribeImages and ListImages page the same way.
    for i in 1..=5 {
        ecr.put_image()
            .repository_name("paged/r1")
            .image_manifest(manifest(i))
            .image_tag(format!("v{i}"))
            .send()
            .await
            .unwrap();
    }
    let first = ecr.describe_images().repository_name("paged/r1").send().await.unwrap();
    assert_eq!(first.image_details().len(), n);
    assert!(first.next_token().is_some());
    let mut digests = BTreeSet::new();
    let mut token = None;
    loop {
        let page = ecr.describe_images().repository_name("paged/r1").set_next_token(token).send().await.unwrap();
        digests.extend(page.image_details().iter().map(|d| d.image_digest().unwrap().to_string()));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(digests.len(), 5);

    let first = ecr.list_images().repository_name("paged/r1").send().await.unwrap();
    assert_eq!(first.image_ids().len(), n);
    assert!(first.next_token().is_some());
    let mut tags = BTreeSet::new();
    let mut token = None;
    loop {
        let page = ecr.list_images().repository_name("paged/r1").set_next_token(token).send().await.unwrap();
        tags.extend(page.image_ids().iter().filter_map(|i| i.image_tag().map(str::to_string)));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(tags, (1..=5).map(|i| format!("v{i}")).collect::<BTreeSet<_>>());

    // A token belongs to its request: another repository's listing refuses it.
    let token = first.next_token().unwrap();
    let r = ecr.list_images().repository_name("paged/r2").next_token(token).send().await;
    assert_invalid(r, "nextToken", "Invalid NextToken");
}

#[tokio::test]
async fn an_immutable_tag_cannot_move_to_another_image() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    let create = |name: &'static str, mode: ImageTagMutability, filters: &[&str]| {
        let filters = (!filters.is_empty()).then(|| filters.iter().map(|f| filter(f)).collect());
        ecr.create_repository()
            .repository_name(name)
            .image_tag_mutability(mode)
            .set_image_tag_mutability_exclusion_filters(filters)
            .send()
    };
    create("imm/all", ImageTagMutability::Immutable, &[]).await.unwrap();
    create("imm/except", ImageTagMutability::ImmutableWithExclusion, &["latest", "*-dev"]).await.unwrap();
    create("mut/except", ImageTagMutability::MutableWithExclusion, &["release-*"]).await.unwrap();
    create("mut/all", ImageTagMutability::Mutable, &[]).await.unwrap();
    let push = |repository: &'static str, n: u32, tag: &'static str| {
        ecr.put_image().repository_name(repository).image_manifest(manifest(n)).image_tag(tag).send()
    };
    let refused = |result, repository: &str, tag: &str| {
        let (code, message) = refusal(result);
        assert_eq!(code, "ImageTagAlreadyExistsException", "{repository}:{tag}: {message}");
        assert!(message.contains(&format!("'{tag}'")) && message.contains(repository), "{message}");
    };

    // IMMUTABLE: v1 stays on the first image; a new tag for the second image is fine.
    let first = push("imm/all", 1, "v1").await.unwrap();
    let first_digest = first.image().unwrap().image_id().unwrap().image_digest().unwrap();
    refused(push("imm/all", 2, "v1").await, "imm/all", "v1");
    push("imm/all", 2, "v2").await.unwrap();
    let v1 = ecr
        .describe_images()
        .repository_name("imm/all")
        .image_ids(ImageIdentifier::builder().image_tag("v1").build())
        .send()
        .await
        .unwrap();
    assert_eq!(v1.image_details()[0].image_digest(), Some(first_digest));

    // IMMUTABLE_WITH_EXCLUSION: tags matching a wildcard filter move, the others do not.
    for tag in ["latest", "x-dev"] {
        push("imm/except", 1, tag).await.unwrap();
        push("imm/except", 2, tag).await.unwrap();
    }
    push("imm/except", 1, "v1").await.unwrap();
    refused(push("imm/except", 2, "v1").await, "imm/except", "v1");
    push("imm/except", 1, "latest-2").await.unwrap();
    refused(push("imm/except", 2, "latest-2").await, "imm/except", "latest-2");

    // MUTABLE_WITH_EXCLUSION: the other way round.
    push("mut/except", 1, "release-1").await.unwrap();
    refused(push("mut/except", 2, "release-1").await, "mut/except", "release-1");
    push("mut/except", 1, "main").await.unwrap();
    push("mut/except", 2, "main").await.unwrap();

    // MUTABLE: tags move.
    push("mut/all", 1, "v1").await.unwrap();
    push("mut/all", 2, "v1").await.unwrap();
}

#[tokio::test]
async fn repository_names_follow_the_current_rule() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    for name in ["a__b", "my-app--v2", "team/a__b/my---svc", "a.b_c-d"] {
        let created = ecr.create_repository().repository_name(name).send().await;
        assert!(created.is_ok(), "{name} is a valid name: {created:?}");
    }
    for name in ["a___b", "a_-b", "a..b", "-ab", "ab/", "Ab"] {
        let r = ecr.create_repository().repository_name(name).send().await;
        assert_invalid(r, "repositoryName", "Member must satisfy regular expression pattern: ");
    }
    let names = repository_names(&moto).await;
    assert_eq!(names, BTreeSet::from(["a__b", "my-app--v2", "team/a__b/my---svc", "a.b_c-d"].map(String::from)));
}

/// Rule 9: digests, image indexes and referrers as ECR describes them. moto
/// alone hashes the layer digests (and an index gets a random digest), takes
/// any imageDigest and any index, and describes no referrer.
#[tokio::test]
async fn images_indexes_and_referrers_are_described_as_ecr_does() {
    use common::oci::{self, push};
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    ecr.create_repository().repository_name("oci/app").send().await.unwrap();
    let (amd64, arm64) = (oci::image(1, 30_000), oci::image(2, 40_000));
    let index = oci::index(&[(&amd64, "linux/amd64"), (&arm64, "linux/arm64")]);
    let signature = oci::referrer(&index, oci::IMAGE_INDEX, oci::COSIGN_SIGNATURE);

    // An index may only name images the repository holds.
    let early = ecr.put_image().repository_name("oci/app").image_manifest(&index.text).image_tag("v1").send().await;
    let (code, message) = refusal(early);
    assert_eq!(code, "ReferencedImagesNotFoundException", "{message}");
    assert!(message.contains(&amd64.digest), "names the missing image: {message}");

    // The digest is the sha256 of the manifest as pushed; another is refused.
    let wrong =
        ecr.put_image().repository_name("oci/app").image_manifest(&amd64.text).image_digest(&arm64.digest).send().await;
    assert_eq!(refusal(wrong).0, "ImageDigestDoesNotMatchException");
    let given = ecr.put_image().repository_name("oci/app").image_manifest(&amd64.text).image_digest(&amd64.digest);
    assert_eq!(given.send().await.unwrap().image().unwrap().image_id().unwrap().image_digest(), Some(&*amd64.digest));
    assert_eq!(push(&ecr, "oci/app", &arm64, None).await, arm64.digest);
    assert_eq!(push(&ecr, "oci/app", &index, Some("v1")).await, index.digest);
    assert_eq!(push(&ecr, "oci/app", &signature, None).await, signature.digest);

    let described = ecr
        .describe_images()
        .repository_name("oci/app")
        .image_ids(ImageIdentifier::builder().image_digest(&index.digest).build());
    let described = described.image_ids(ImageIdentifier::builder().image_digest(&signature.digest).build());
    let described = described.image_ids(ImageIdentifier::builder().image_digest(&amd64.digest).build());
    let described = described.image_ids(ImageIdentifier::builder().image_digest(&arm64.digest).build());
    let details = described.send().await.unwrap();
    let of = |digest: &str| details.image_details().iter().find(|d| d.image_digest() == Some(digest)).unwrap().clone();
    let (idx, sig, image) = (of(&index.digest), of(&signature.digest), of(&amd64.digest));
    assert_eq!(idx.image_manifest_media_type(), Some(oci::IMAGE_INDEX));
    assert_eq!(idx.subject_manifest_digest(), None);
    assert_eq!(idx.artifact_media_type(), None, "an index has no config and no artifactType");
    let largest = [&amd64, &arm64].iter().filter_map(|c| of(&c.digest).image_size_in_bytes()).max();
    assert!(largest.is_some());
    assert_eq!(idx.image_size_in_bytes(), largest, "an index's size is its largest image's");
    assert_eq!(sig.subject_manifest_digest(), Some(&*index.digest), "a referrer names its subject");
    assert_eq!(sig.artifact_media_type(), Some(oci::COSIGN_SIGNATURE));
    assert_eq!(sig.image_manifest_media_type(), Some(oci::IMAGE_MANIFEST));
    assert_eq!(image.artifact_media_type(), Some(oci::IMAGE_CONFIG), "an image's artifact type is its config's");
    assert_eq!(image.subject_manifest_digest(), None);
}

#[tokio::test]
async fn lenient_mode_accepts_what_it_accepted_before() {
    let moto = Moto::start_lenient();
    assert_eq!(moto.mode(), "lenient");
    let ecr = moto.ecr().await;
    // A reserved tag, a policy naming a role that does not exist, one unpaged list.
    for i in 1..=5 {
        let create = ecr.create_repository().repository_name(format!("lenient/r{i}"));
        create.tags(tag("aws:owner", "x")).send().await.unwrap();
    }
    let ghost = format!("arn:aws:iam::{ACCOUNT}:role/does-not-exist");
    ecr.set_repository_policy().repository_name("lenient/r1").policy_text(pull_policy(&[&ghost])).send().await.unwrap();
    let all = ecr.describe_repositories().send().await.unwrap();
    assert_eq!(all.repositories().len(), 5);
    assert!(all.next_token().is_none());
    // The back door answers in both modes.
    let arn = all.repositories()[0].repository_arn().unwrap();
    moto.set_reserved_tag(arn, "aws:cloudformation:stack-name", "s");
}

#[test]
fn the_mode_comes_from_awsecr_emulator_and_start_strict_forces_it() {
    // Moto::start() follows AWSECR_EMULATOR, strict when it is unset.
    let expected = std::env::var("AWSECR_EMULATOR").unwrap_or_else(|_| "strict".to_string());
    assert_eq!(Moto::start().mode(), expected);
    assert_eq!(Moto::start_strict().mode(), "strict");
    assert_eq!(Moto::start_lenient().mode(), "lenient");
}

/// Rule 8: replication configurations hold up to 10 rules (moto alone takes
/// one), 25 unique destinations, and never the registry itself.
#[tokio::test]
async fn replication_holds_up_to_ten_rules_never_to_itself() {
    use aws_sdk_ecr::types::{ReplicationConfiguration, ReplicationDestination, ReplicationRule};
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    let rule = |region: &str, account: &str| {
        ReplicationRule::builder()
            .destinations(ReplicationDestination::builder().region(region).registry_id(account).build().unwrap())
            .build()
            .unwrap()
    };
    let config =
        |rules: Vec<ReplicationRule>| ReplicationConfiguration::builder().set_rules(Some(rules)).build().unwrap();
    let two = config(vec![rule("eu-west-1", ACCOUNT), rule("us-west-2", "210987654321")]);
    ecr.put_replication_configuration().replication_configuration(two).send().await.expect("two rules are fine");
    let registry = ecr.describe_registry().send().await.unwrap();
    assert_eq!(registry.replication_configuration().unwrap().rules().len(), 2);

    let eleven = config((0..11).map(|i| rule("eu-west-1", &format!("{:012}", 100_000_000_000u64 + i))).collect());
    assert_invalid(
        ecr.put_replication_configuration().replication_configuration(eleven).send().await,
        "replicationConfiguration.rules",
        "less than or equal to 10",
    );
    let itself = config(vec![rule("eu-west-1", ACCOUNT), rule(REGION, ACCOUNT)]);
    assert_invalid(
        ecr.put_replication_configuration().replication_configuration(itself).send().await,
        "replicationConfiguration",
        "cannot be the same as the source registry",
    );
}

/// A registry policy names the actions ECR documents for it (scope V2, the
/// default: any ECR action), not only the two replication actions moto
/// knows; an action of another service is refused.
#[tokio::test]
async fn registry_policies_take_every_ecr_action() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    let policy = |actions: &[&str]| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "PullThrough", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": actions, "Resource": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"),
        }]})
        .to_string()
    };
    ecr.put_registry_policy()
        .policy_text(policy(&["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]))
        .send()
        .await
        .expect("the pull-through cache actions");
    ecr.put_registry_policy().policy_text(policy(&["ecr:BatchGetImage"])).send().await.expect("a V2 action");
    assert_invalid(
        ecr.put_registry_policy().policy_text(policy(&["s3:GetObject"])).send().await,
        "PolicyText",
        "Invalid registry policy provided",
    );
}

/// The pull through cache rule and repository creation template operations,
/// which moto alone answers with HTTP 500 (tests/support/ecr_extensions.py
/// serves them), driven with boto3 by tests/support/check_ecr_extensions.py
/// in both modes: every operation, each error code, paging of both Describe
/// operations, ROOT prefixes, reset, and every answer checked against the
/// model's output shape from its raw JSON.
#[test]
fn pull_through_cache_rules_and_creation_templates_in_both_modes() {
    for moto in [Moto::start_strict(), Moto::start_lenient()] {
        let mode = moto.mode();
        let out = std::process::Command::new(venv().join("bin/python"))
            .arg(root().join("tests/support/check_ecr_extensions.py"))
            .arg(moto.endpoint())
            .arg(ACCOUNT)
            // boto3 reads no profile or endpoint of this machine's.
            .env("AWS_CONFIG_FILE", "/nonexistent/awsecr-test-config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/awsecr-test-credentials")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_DEFAULT_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_ENDPOINT_URL_ECR")
            .output()
            .expect("run tests/support/check_ecr_extensions.py");
        assert!(
            out.status.success(),
            "{mode} mode: check_ecr_extensions.py failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The registry operations ECR added in 2025-26 (account settings, managed
/// signing, pull time update exclusions, replication backfills, image
/// storage classes), which moto alone answers with HTTP 500, and the image
/// status and pull times DescribeImages reports, which moto leaves out, and
/// its filter by tag status, which moto ignores
/// (tests/support/ecr_registry_2026.py serves them), driven with boto3 by
/// tests/support/check_ecr_registry_2026.py in both modes: each of the 14
/// operations, each error code, the limits, paging of the lists, the image
/// statuses against the model's enum, reset, and every answer checked against
/// the model's output shape from its raw JSON.
#[test]
fn registry_operations_of_2026_in_both_modes() {
    for moto in [Moto::start_strict(), Moto::start_lenient()] {
        let mode = moto.mode();
        let out = std::process::Command::new(venv().join("bin/python"))
            .arg(root().join("tests/support/check_ecr_registry_2026.py"))
            .arg(moto.endpoint())
            .arg(ACCOUNT)
            // boto3 reads no profile or endpoint of this machine's.
            .env("AWS_CONFIG_FILE", "/nonexistent/awsecr-test-config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/awsecr-test-credentials")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_DEFAULT_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_ENDPOINT_URL_ECR")
            .env_remove("AWS_ENDPOINT_URL_SIGNER")
            .output()
            .expect("run tests/support/check_ecr_registry_2026.py");
        assert!(
            out.status.success(),
            "{mode} mode: check_ecr_registry_2026.py failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The emulator's lifecycle policy evaluator (tests/support/ecr_lifecycle.py)
/// against the examples of AWS's lifecycle documentation and its evaluation
/// rules one by one (tests/support/test_ecr_lifecycle.py, Python's unittest).
#[test]
fn lifecycle_evaluator_follows_the_user_guide() {
    let out = std::process::Command::new(venv().join("bin/python"))
        .args(["-m", "unittest", "discover", "-s"])
        .arg(root().join("tests/support"))
        .args(["-p", "test_*.py"])
        .output()
        .expect("run the unit tests of tests/support");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tests/support/test_*.py failed ({}):\n{report}", out.status);
    assert!(report.contains("OK") && !report.contains("Ran 0 tests"), "{report}");
}

/// StartLifecyclePolicyPreview and GetLifecyclePolicyPreview, which moto
/// alone answers with HTTP 500 (tests/support/ecr_lifecycle_preview.py
/// serves them with the evaluator), driven with boto3 by
/// tests/support/check_ecr_lifecycle_preview.py in both modes: polling,
/// results and summary for images of known ages, paging, filters, archive
/// rules, each error code, every answer checked against the model.
#[test]
fn lifecycle_policy_preview_in_both_modes() {
    for moto in [Moto::start_strict(), Moto::start_lenient()] {
        let mode = moto.mode();
        let out = std::process::Command::new(venv().join("bin/python"))
            .arg(root().join("tests/support/check_ecr_lifecycle_preview.py"))
            .arg(moto.endpoint())
            .arg(ACCOUNT)
            .env("AWS_CONFIG_FILE", "/nonexistent/awsecr-test-config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/awsecr-test-credentials")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_DEFAULT_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_ENDPOINT_URL_ECR")
            .output()
            .expect("run tests/support/check_ecr_lifecycle_preview.py");
        assert!(
            out.status.success(),
            "{mode} mode: check_ecr_lifecycle_preview.py failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The same operations through the provider's own client, the AWS SDK for
/// Rust: one rule and one template created, described and refused a second
/// time, in both modes.
#[tokio::test]
async fn the_rust_sdk_reads_pull_through_cache_rules_and_creation_templates() {
    use aws_sdk_ecr::types::{EncryptionType, RctAppliedFor, UpstreamRegistry};
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    for moto in [Moto::start_strict(), Moto::start_lenient()] {
        let mode = moto.mode();
        let ecr = moto.ecr().await;

        // A rule; upstreamRegistry derived from the URL.
        let create = ecr.create_pull_through_cache_rule().ecr_repository_prefix("ecr-public");
        let made = create.upstream_registry_url("public.ecr.aws").send().await.unwrap();
        assert_eq!(made.upstream_registry(), Some(&UpstreamRegistry::EcrPublic), "{mode}");
        assert_eq!(made.registry_id(), Some(ACCOUNT), "{mode}");
        let created = *made.created_at().expect("createdAt");
        assert!((created.secs() - now).abs() < 600, "{mode}: createdAt {created:?}");
        let rules = ecr.describe_pull_through_cache_rules().ecr_repository_prefixes("ecr-public").send().await.unwrap();
        let [rule] = rules.pull_through_cache_rules() else { panic!("{mode}: {rules:?}") };
        assert_eq!(rule.ecr_repository_prefix(), Some("ecr-public"), "{mode}");
        assert_eq!(rule.upstream_registry_url(), Some("public.ecr.aws"), "{mode}");
        assert_eq!(rule.upstream_registry(), Some(&UpstreamRegistry::EcrPublic), "{mode}");
        assert_eq!(rule.created_at(), Some(&created), "{mode}");
        assert!(rule.updated_at().is_some(), "{mode}: {rule:?}");
        let again = ecr.create_pull_through_cache_rule().ecr_repository_prefix("ecr-public");
        let err = again.upstream_registry_url("public.ecr.aws").send().await.unwrap_err().into_service_error();
        assert!(err.is_pull_through_cache_rule_already_exists_exception(), "{mode}: {err:?}");
        let missing = ecr.describe_pull_through_cache_rules().ecr_repository_prefixes("quay").send().await;
        let err = missing.unwrap_err().into_service_error();
        assert!(err.is_pull_through_cache_rule_not_found_exception(), "{mode}: {err:?}");

        // A template for every repository (ROOT), with ECR's defaults.
        let create = ecr.create_repository_creation_template().prefix("ROOT").description("cached repositories");
        create.applied_for(RctAppliedFor::PullThroughCache).send().await.unwrap();
        let templates = ecr.describe_repository_creation_templates().prefixes("ROOT").send().await.unwrap();
        assert_eq!(templates.registry_id(), Some(ACCOUNT), "{mode}");
        let [template] = templates.repository_creation_templates() else { panic!("{mode}: {templates:?}") };
        assert_eq!(template.prefix(), Some("ROOT"), "{mode}");
        assert_eq!(template.description(), Some("cached repositories"), "{mode}");
        assert_eq!(template.applied_for(), [RctAppliedFor::PullThroughCache], "{mode}");
        assert_eq!(template.image_tag_mutability(), Some(&ImageTagMutability::Mutable), "{mode}");
        let encryption = template.encryption_configuration().expect("encryptionConfiguration");
        assert_eq!(encryption.encryption_type(), &EncryptionType::Aes256, "{mode}");
        assert!(template.created_at().is_some_and(|t| (t.secs() - now).abs() < 600), "{mode}: {template:?}");
        let again = ecr.create_repository_creation_template().prefix("ROOT").applied_for(RctAppliedFor::Replication);
        let err = again.send().await.unwrap_err().into_service_error();
        assert!(err.is_template_already_exists_exception(), "{mode}: {err:?}");
    }
}

/// Rule 11: principals and condition keys in the forms IAM takes, as ECR
/// checks them; the statements of organization and Lambda pull pass, in
/// the spellings people write them.
#[tokio::test]
async fn policies_name_principals_and_condition_keys_in_iam_forms() {
    let moto = Moto::start_strict();
    let ecr = moto.ecr().await;
    ecr.create_repository().repository_name("access/org").send().await.unwrap();
    let set = |statement: serde_json::Value| {
        let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [statement]}).to_string();
        ecr.set_repository_policy().repository_name("access/org").policy_text(policy).send()
    };
    let pull = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
    let lambda = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
    let accepted = [
        serde_json::json!({"Effect": "Allow", "Principal": "*", "Action": pull,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}}),
        serde_json::json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": pull,
            "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}}),
        // Keys in any case, values of any form: ECR does not check them.
        serde_json::json!({"Effect": "Allow", "Principal": "*", "Action": pull,
            "Condition": {"StringEquals": {"AWS:principalorgid": "o-12345678"}}}),
        serde_json::json!({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": lambda,
            "Condition": {"StringLike": {"aws:sourceARN": "arn:aws:lambda:us-east-1:111122223333:function:*"},
                          "StringEquals": {"aws:SourceAccount": "111122223333"}}}),
        serde_json::json!({"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "codebuild.amazonaws.com"]},
            "Action": lambda, "Condition": {"StringEquals": {"ecr:ResourceTag/team": "platform"}}}),
    ];
    for statement in accepted {
        set(statement.clone()).await.unwrap_or_else(|e| panic!("{statement}: {e:?}"));
    }
    let invalid =
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'";
    let refused = [
        serde_json::json!({"Effect": "Allow", "Principal": {"Service": "lambda"}, "Action": lambda}),
        serde_json::json!({"Effect": "Allow", "Principal": {"Service": []}, "Action": lambda}),
        serde_json::json!({"Effect": "Allow", "Principal": {"Organization": "o-a1b2c3d4e5"}, "Action": pull}),
        serde_json::json!({"Effect": "Allow", "Principal": "everyone", "Action": pull}),
        serde_json::json!({"Effect": "Allow", "Principal": "*", "Action": pull,
            "Condition": {"StringEquals": {"PrincipalOrgID": "o-a1b2c3d4e5"}}}),
    ];
    for statement in refused {
        let (code, message) = refusal(set(statement.clone()).await);
        assert_eq!((code.as_str(), message.as_str()), ("InvalidParameterException", invalid), "{statement}");
    }
    // The registry policy takes the same forms, and says so in its words.
    let registry = |principal: serde_json::Value| {
        let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "replicate", "Effect": "Allow",
            "Principal": principal, "Action": ["ecr:ReplicateImage"],
            "Resource": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*")}]});
        ecr.put_registry_policy().policy_text(policy.to_string()).send()
    };
    let (code, message) = refusal(registry(serde_json::json!({"Service": "replication"})).await);
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("'Invalid registry policy provided'"), "{message}");
    registry(serde_json::json!({"AWS": "210987654321"})).await.unwrap();
}
