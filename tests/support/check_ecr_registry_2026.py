"""Drives the emulator's account setting, managed signing, pull time update
exclusion, replication backfill and image storage class operations, and the
image status, pull time and tag status filter of DescribeImages
(ecr_registry_2026.py) with
boto3, as a client of real ECR would, and stops at the first thing that is
not as ECR answers it.

    python check_ecr_registry_2026.py http://127.0.0.1:PORT [ACCOUNT]

Works against either mode (it asks GET /awsecr-test/mode). First it checks
that moto alone does not serve these operations (so the stand-in is still
needed) and that every one of them is in the model; then each operation:
its answers, each error code the stand-in gives, paging, and reset. Every
answer, errors aside, is checked against the model's output shape from its
raw JSON (check_ecr_extensions.py's hook). Exits 0 when everything holds,
1 with a message naming the first failure otherwise.
"""
import json
import re
import sys

import boto3
from botocore.exceptions import ClientError

from check_ecr_extensions import REGION, Failure, all_pages, check, client, http, refused

OPERATIONS = [
    "GetAccountSetting", "PutAccountSetting",
    "GetSigningConfiguration", "PutSigningConfiguration", "DeleteSigningConfiguration",
    "DescribeImageSigningStatus",
    "RegisterPullTimeUpdateExclusion", "DeregisterPullTimeUpdateExclusion", "ListPullTimeUpdateExclusions",
    "StartReplicationBackfill", "StopReplicationBackfill", "DescribeReplicationBackfillResults",
    "ListReplicationBackfills",
    "UpdateImageStorageClass",
]


def _snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def check_coverage(ecr):
    from moto.ecr.responses import ECRResponse

    import ecr_registry_2026
    model = set(ecr.meta.service_model.operation_names)
    missing = [op for op in OPERATIONS if op not in model]
    check(not missing, f"not in the model: {missing}")
    served = set(ecr_registry_2026.OPERATIONS)
    check(served == {_snake(op) for op in OPERATIONS}, f"the stand-in serves {sorted(served)}")
    # moto itself still lacks each (the methods here are the stand-in's).
    for op in OPERATIONS:
        method = getattr(ECRResponse, _snake(op), None)
        check(method is None, f"moto (unpatched here) has {op}: the stand-in may be dropped or must be compared")
    # Nor does moto describe an image's storage status or pull time.
    from moto.ecr import models
    for attribute in ("image_status", "last_recorded_pull_time", "last_archived_at", "last_activated_at"):
        check(not hasattr(models.Image, attribute), f"moto (unpatched here) has Image.{attribute}: compare it")
    detail = ecr.meta.service_model.shape_for("ImageDetail").members
    for member in ("imageStatus", "lastRecordedPullTime", "lastArchivedAt", "lastActivatedAt"):
        check(member in detail, f"the model's ImageDetail has no {member}")
    statuses = ecr.meta.service_model.shape_for("ImageStatus").enum
    import ecr_registry_2026 as stand_in
    check(list(stand_in.STATUSES) == statuses, f"the stand-in's statuses {stand_in.STATUSES} are the model's {statuses}")
    print(f"ok: the model has all {len(OPERATIONS)} operations and ImageDetail's storage members; moto has none")


# -------------------------------------------------------- account settings

def check_account_settings(ecr, raw, strict):
    defaults = {"BASIC_SCAN_TYPE_VERSION": "AWS_NATIVE", "REGISTRY_POLICY_SCOPE": "V2", "BLOB_MOUNTING": "DISABLED"}
    for name, value in defaults.items():
        got = ecr.get_account_setting(name=name)
        check(got == {"name": name, "value": value, "ResponseMetadata": got["ResponseMetadata"]},
              f"default of {name}: {got}")
    for name, value in [("BLOB_MOUNTING", "ENABLED"), ("REGISTRY_POLICY_SCOPE", "V1"),
                        ("BASIC_SCAN_TYPE_VERSION", "AWS_NATIVE")]:
        put = ecr.put_account_setting(name=name, value=value)
        check((put["name"], put["value"]) == (name, value), f"put {name}: {put}")
        got = ecr.get_account_setting(name=name)
        check(got["value"] == value, f"the put of {name} holds: {got}")
    # The other settings are not touched by one's put.
    check(ecr.get_account_setting(name="BLOB_MOUNTING")["value"] == "ENABLED", "BLOB_MOUNTING kept")
    refused("InvalidParameterException", ecr.put_account_setting, member="value",
            name="BASIC_SCAN_TYPE_VERSION", value="CLAIR")
    refused("InvalidParameterException", ecr.put_account_setting, member="value", name="BLOB_MOUNTING", value="ON")
    refused("InvalidParameterException", ecr.put_account_setting, member="value",
            name="REGISTRY_POLICY_SCOPE", value="V3")
    refused("InvalidParameterException", ecr.put_account_setting, member="name", name="NO_SUCH_SETTING", value="V2")
    refused("InvalidParameterException", ecr.get_account_setting, member="name", name="NO_SUCH_SETTING")
    if strict:
        refused("InvalidParameterException", raw.get_account_setting, member="name", name="")
        refused("InvalidParameterException", raw.put_account_setting, member="value", name="BLOB_MOUNTING")
    print("ok: GetAccountSetting defaults, PutAccountSetting, names and values refused")

    if strict:
        # With V1 a registry policy names only V1's actions (ecr_strict rule 10).
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ecr_account(ecr)}:root"},
            "Action": ["ecr:BatchGetImage"], "Resource": "*"}]}
        refused("InvalidParameterException", ecr.put_registry_policy, policyText=json.dumps(policy))
        policy["Statement"][0]["Action"] = ["ecr:CreateRepository", "ecr:ReplicateImage"]
        ecr.put_registry_policy(policyText=json.dumps(policy))
        ecr.put_account_setting(name="REGISTRY_POLICY_SCOPE", value="V2")
        policy["Statement"][0]["Action"] = ["ecr:BatchGetImage"]
        ecr.put_registry_policy(policyText=json.dumps(policy))
        ecr.delete_registry_policy()
        print("ok: REGISTRY_POLICY_SCOPE V1 refuses V2 actions in the registry policy, V2 takes them")
    ecr.put_account_setting(name="REGISTRY_POLICY_SCOPE", value="V2")


def ecr_account(ecr):
    return ecr.describe_registry()["registryId"]


# ---------------------------------------------------------- managed signing

MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
               "digest": "sha256:" + "1" * 64},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 3,
                "digest": "sha256:" + "2" * 64}],
})


def manifest(n):
    data = json.loads(MANIFEST)
    data["layers"][0]["digest"] = "sha256:" + f"{n:064x}"
    return json.dumps(data)


def check_signing(ecr, raw, signer, account, strict):
    def arn(name, region=REGION, partition="aws"):
        return f"arn:{partition}:signer:{region}:{account}:/signing-profiles/{name}"

    for name in ("release", "nightly"):
        signer.put_signing_profile(profileName=name, platformId="Notation-OCI-SHA384-ECDSA")
    refused("SigningConfigurationNotFoundException", ecr.get_signing_configuration)
    refused("SigningConfigurationNotFoundException", ecr.delete_signing_configuration)

    config = {"rules": [
        {"signingProfileArn": arn("release"),
         "repositoryFilters": [{"filterType": "WILDCARD_MATCH", "filter": "prod/*"},
                               {"filterType": "WILDCARD_MATCH", "filter": "*release*"}]},
        {"signingProfileArn": arn("nightly")},
    ]}
    put = ecr.put_signing_configuration(signingConfiguration=config)
    check(put["signingConfiguration"] == config, f"put: {put}")
    got = ecr.get_signing_configuration()
    check(got["registryId"] == account and got["signingConfiguration"] == config, f"get: {got}")

    # Rules: up to 10, Signer ARNs of this partition and Region.
    eleven = {"rules": [{"signingProfileArn": arn("release")}] * 11}
    member = "signingConfiguration.rules"
    refused("InvalidParameterException", raw.put_signing_configuration, member=member, signingConfiguration=eleven)
    ten = ecr.put_signing_configuration(signingConfiguration={"rules": [{"signingProfileArn": arn("release")}] * 10})
    check(len(ten["signingConfiguration"]["rules"]) == 10, f"ten rules: {ten}")
    for wrong in (arn("release", region="eu-west-1"), arn("release", partition="aws-cn"),
                  f"arn:aws:iam::{account}:role/release", arn("x")):
        refused("InvalidParameterException", raw.put_signing_configuration, member="signingProfileArn",
                signingConfiguration={"rules": [{"signingProfileArn": wrong}]})
    refused("InvalidParameterException", raw.put_signing_configuration, member="repositoryFilters",
            signingConfiguration={"rules": [{"signingProfileArn": arn("release"), "repositoryFilters": []}]})
    refused("InvalidParameterException", raw.put_signing_configuration, member="repositoryFilters.1.member",
            signingConfiguration={"rules": [{"signingProfileArn": arn("release"),
                                             "repositoryFilters": [{"filterType": "PREFIX_MATCH", "filter": "a"}]}]})
    if strict:
        # A profile Signer does not have, or has canceled.
        refused("InvalidParameterException", ecr.put_signing_configuration, member="signingProfileArn",
                signingConfiguration={"rules": [{"signingProfileArn": arn("missing")}]})
        signer.put_signing_profile(profileName="retired", platformId="Notation-OCI-SHA384-ECDSA")
        signer.cancel_signing_profile(profileName="retired")
        refused("InvalidParameterException", ecr.put_signing_configuration, member="signingProfileArn",
                signingConfiguration={"rules": [{"signingProfileArn": arn("retired")}]})
    check(ecr.get_signing_configuration()["signingConfiguration"]["rules"][0]["signingProfileArn"] == arn("release"),
          "a refused put leaves the configuration")
    put = ecr.put_signing_configuration(signingConfiguration=config)
    print("ok: Put/GetSigningConfiguration, SigningConfigurationNotFoundException, the rules' limits and ARNs")

    # Signing statuses: one per distinct profile of the rules matching at push.
    for name in ("prod/api", "team/release-tools", "other"):
        ecr.create_repository(repositoryName=name)
    ecr.put_image(repositoryName="prod/api", imageManifest=manifest(1), imageTag="v1")
    ecr.put_image(repositoryName="team/release-tools", imageManifest=manifest(2), imageTag="v1")
    status = ecr.describe_image_signing_status(repositoryName="prod/api", imageId={"imageTag": "v1"})
    check(status["repositoryName"] == "prod/api" and status["registryId"] == account, f"status: {status}")
    check(status["imageId"]["imageTag"] == "v1" and status["imageId"]["imageDigest"].startswith("sha256:"),
          f"status imageId: {status}")
    profiles = [s["signingProfileArn"] for s in status["signingStatuses"]]
    check(profiles == [arn("release"), arn("nightly")], f"prod/api is signed by both profiles: {status}")
    check(all(s["status"] == "COMPLETE" for s in status["signingStatuses"]), f"statuses: {status}")
    by_digest = ecr.describe_image_signing_status(repositoryName="prod/api",
                                                  imageId={"imageDigest": status["imageId"]["imageDigest"]})
    check(by_digest["signingStatuses"] == status["signingStatuses"], f"by digest: {by_digest}")
    tools = ecr.describe_image_signing_status(repositoryName="team/release-tools", imageId={"imageTag": "v1"})
    check(len(tools["signingStatuses"]) == 2, f"*release* matches team/release-tools: {tools}")

    ecr.put_signing_configuration(signingConfiguration={"rules": [
        {"signingProfileArn": arn("release"), "repositoryFilters": [{"filterType": "WILDCARD_MATCH",
                                                                     "filter": "prod/*"}]}]})
    ecr.put_image(repositoryName="other", imageManifest=manifest(3), imageTag="v1")
    unsigned = ecr.describe_image_signing_status(repositoryName="other", imageId={"imageTag": "v1"})
    check(unsigned["signingStatuses"] == [], f"no rule matched at push: {unsigned}")

    gone = ecr.delete_signing_configuration()
    check(gone["registryId"] == account and gone["signingConfiguration"]["rules"][0]["signingProfileArn"]
          == arn("release"), f"delete: {gone}")
    refused("SigningConfigurationNotFoundException", ecr.get_signing_configuration)
    kept = ecr.describe_image_signing_status(repositoryName="prod/api", imageId={"imageTag": "v1"})
    check(kept["signingStatuses"] == status["signingStatuses"], f"deleting keeps the signatures: {kept}")
    refused("ImageNotFoundException", ecr.describe_image_signing_status, repositoryName="prod/api",
            imageId={"imageTag": "v9"})
    refused("RepositoryNotFoundException", ecr.describe_image_signing_status, repositoryName="nothing-here",
            imageId={"imageTag": "v1"})
    print("ok: DescribeImageSigningStatus (per profile, at push), DeleteSigningConfiguration, "
          "ImageNotFoundException, RepositoryNotFoundException")


# ------------------------------------------------ pull time update exclusions

def check_exclusions(ecr, raw, account, strict):
    check(ecr.list_pull_time_update_exclusions()["pullTimeUpdateExclusions"] == [], "no exclusions at first")
    scanner = f"arn:aws:iam::{account}:role/scanners/trivy"
    ci = f"arn:aws:iam::{account}:user/ci"
    made = ecr.register_pull_time_update_exclusion(principalArn=scanner)
    check(made["principalArn"] == scanner and "createdAt" in made, f"register: {made}")
    ecr.register_pull_time_update_exclusion(principalArn=ci)
    listed = ecr.list_pull_time_update_exclusions(maxResults=100)["pullTimeUpdateExclusions"]
    check(listed == [scanner, ci], f"list: {listed}")
    refused("ExclusionAlreadyExistsException", ecr.register_pull_time_update_exclusion, principalArn=scanner)
    refused("InvalidParameterException", raw.register_pull_time_update_exclusion, member="principalArn",
            principalArn=f"arn:aws:iam::{account}:group/devs")
    refused("InvalidParameterException", raw.register_pull_time_update_exclusion, member="principalArn",
            principalArn=f"arn:aws:iam::{account}:root")
    gone = ecr.deregister_pull_time_update_exclusion(principalArn=ci)
    check(gone["principalArn"] == ci, f"deregister: {gone}")
    refused("ExclusionNotFoundException", ecr.deregister_pull_time_update_exclusion, principalArn=ci)
    print("ok: Register/Deregister/ListPullTimeUpdateExclusions, ExclusionAlreadyExists/NotFound, principal ARNs")

    for i in range(99):
        ecr.register_pull_time_update_exclusion(principalArn=f"arn:aws:iam::{account}:role/scanner-{i}")
    refused("LimitExceededException", ecr.register_pull_time_update_exclusion,
            principalArn=f"arn:aws:iam::{account}:role/one-too-many")
    # botocore has no paginator for it: follow nextToken by hand.
    items, pages, token = [], 0, None
    while True:
        page = ecr.list_pull_time_update_exclusions(maxResults=40, **({"nextToken": token} if token else {}))
        items.extend(page["pullTimeUpdateExclusions"])
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    check(len(items) == 100 and len(set(items)) == 100, f"100 exclusions over the pages: {len(items)}")
    unpaged = ecr.list_pull_time_update_exclusions()
    if strict:
        check(len(unpaged["pullTimeUpdateExclusions"]) < 100 and "nextToken" in unpaged,
              "strict mode pages without maxResults")
    else:
        check(pages == 3, f"{pages} pages of 40 for 100")
        check(len(unpaged["pullTimeUpdateExclusions"]) == 100 and "nextToken" not in unpaged,
              "up to 100 without maxResults")
    refused("InvalidParameterException", ecr.list_pull_time_update_exclusions, member="nextToken",
            nextToken="not-a-token")
    print("ok: 100 exclusions at most (LimitExceededException), paged")


# ----------------------------------------------------- replication backfill

def check_backfills(ecr, raw, account, strict):
    check(ecr.list_replication_backfills()["backfills"] == [], "no backfills at first")
    west = {"region": "us-west-2", "registryId": account}
    refused("InvalidParameterException", ecr.start_replication_backfill, member="destination", destination=west)
    # One rule: lenient moto refuses a second ("This feature is disabled").
    ecr.put_replication_configuration(replicationConfiguration={"rules": [
        {"destinations": [west, {"region": "eu-west-1", "registryId": account}],
         "repositoryFilters": [{"filter": "prod", "filterType": "PREFIX_MATCH"}]},
    ]})
    ecr.put_image(repositoryName="prod/api", imageManifest=manifest(1), imageTag="v2")  # v1 and v2: 2
    started = ecr.start_replication_backfill(destination=west)
    backfill_id = started["replicationBackfillId"]
    check(started["status"] == "PREPARING" and started["destination"] == west and started["registryId"] == account,
          f"start: {started}")
    check("startedAt" in started, f"start: {started}")
    refused("ReplicationBackfillInProgressException", ecr.start_replication_backfill, destination=west)
    other = {"region": "us-west-2", "registryId": "210987654321"}
    refused("InvalidParameterException", ecr.start_replication_backfill, member="destination", destination=other)

    running = ecr.describe_replication_backfill_results(replicationBackfillId=backfill_id)
    check(running["status"] == "IN_PROGRESS" and running["registryId"] == account, f"second read: {running}")
    check(running["progress"] == {"totalReplicationCount": 2, "completedReplicationCount": 0,
                                  "failedReplicationCount": 0, "failureCodes": []}, f"progress: {running}")
    check(running.get("results", []) == [] and "endedAt" not in running, f"no results before the end: {running}")
    done = ecr.describe_replication_backfill_results(replicationBackfillId=backfill_id)
    check(done["status"] == "COMPLETE" and done["progress"]["completedReplicationCount"] == 2 and "endedAt" in done,
          f"third read: {done}")
    results = sorted((r["repositoryName"], r["imageId"].get("imageTag"), r["status"]) for r in done["results"])
    check(results == [("prod/api", "v1", "COMPLETE"), ("prod/api", "v2", "COMPLETE")], f"results: {done['results']}")
    failed = ecr.describe_replication_backfill_results(replicationBackfillId=backfill_id, resultStatusFilter="FAILED")
    check(failed["results"] == [], f"FAILED filter: {failed}")
    refused("ReplicationBackfillInvalidStatusException", ecr.stop_replication_backfill,
            replicationBackfillId=backfill_id)
    missing = "00000000-0000-4000-8000-000000000000"
    refused("ReplicationBackfillNotFoundException", ecr.describe_replication_backfill_results,
            replicationBackfillId=missing)
    refused("ReplicationBackfillNotFoundException", ecr.stop_replication_backfill, replicationBackfillId=missing)
    if strict:
        refused("InvalidParameterException", raw.stop_replication_backfill, member="replicationBackfillId",
                replicationBackfillId="not-an-id")
    print("ok: Start (PREPARING), Describe (IN_PROGRESS with progress, COMPLETE with results), "
          "ReplicationBackfillInProgress/NotFound/InvalidStatusException")

    # Results page.
    for i in range(3, 7):
        ecr.put_image(repositoryName="prod/api", imageManifest=manifest(i), imageTag=f"v{i}")
    big = ecr.start_replication_backfill(destination=west)["replicationBackfillId"]
    stopped_id = ecr.start_replication_backfill(destination={"region": "eu-west-1", "registryId": account})
    stopped = ecr.stop_replication_backfill(replicationBackfillId=stopped_id["replicationBackfillId"])
    check(stopped["status"] == "STOPPED" and stopped["destination"]["region"] == "eu-west-1", f"stop: {stopped}")
    for _ in range(2):
        ecr.describe_replication_backfill_results(replicationBackfillId=big)
    items, pages = all_pages(ecr, "describe_replication_backfill_results", "results", replicationBackfillId=big,
                             PaginationConfig={"PageSize": 2})
    check(len(items) == 6 and pages == 3, f"6 results in 3 pages of 2: {len(items)} in {pages}")

    listed, _ = all_pages(ecr, "list_replication_backfills", "backfills", PaginationConfig={"PageSize": 2})
    statuses = {b["replicationBackfillId"]: b["status"] for b in listed}
    check(statuses == {backfill_id: "COMPLETE", big: "COMPLETE", stopped_id["replicationBackfillId"]: "STOPPED"},
          f"list: {statuses}")
    if strict:
        refused("InvalidParameterException", raw.list_replication_backfills, member="maxResults", maxResults=51)
    print("ok: StopReplicationBackfill (STOPPED), results and ListReplicationBackfills paged")

    # At most 10 in progress: 10 destinations in other Regions.
    regions = ["ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
               "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-2", "eu-west-3", "sa-east-1"]
    ecr.put_replication_configuration(replicationConfiguration={"rules": [
        {"destinations": [{"region": r, "registryId": account} for r in regions]},
    ]})
    for region in regions[:10]:
        ecr.start_replication_backfill(destination={"region": region, "registryId": account})
    refused("LimitExceededException", ecr.start_replication_backfill,
            destination={"region": regions[10], "registryId": account})
    print("ok: at most 10 backfills in progress (LimitExceededException)")


# ------------------------------------------ image storage classes, pulls

def check_storage_classes(ecr, raw, strict):
    ecr.create_repository(repositoryName="archive/app")
    pushed = ecr.put_image(repositoryName="archive/app", imageManifest=manifest(7001), imageTag="v1")["image"]
    digest = pushed["imageId"]["imageDigest"]
    ecr.put_image(repositoryName="archive/app", imageManifest=manifest(7002), imageTag="v2")
    v1 = {"imageDigest": digest}

    def detail(image_id=v1):
        return ecr.describe_images(repositoryName="archive/app", imageIds=[image_id])["imageDetails"][0]

    def listed(**kwargs):
        described = all_pages(ecr, "describe_images", "imageDetails", repositoryName="archive/app", **kwargs)[0]
        ids = all_pages(ecr, "list_images", "imageIds", repositoryName="archive/app", **kwargs)[0]
        return sorted(i["imageTags"][0] for i in described), sorted(i["imageTag"] for i in ids)

    fresh = detail()
    check(fresh["imageStatus"] == "ACTIVE", f"a pushed image is ACTIVE: {fresh}")
    check("lastRecordedPullTime" not in fresh and "lastArchivedAt" not in fresh, f"never pulled: {fresh}")
    pulled = ecr.batch_get_image(repositoryName="archive/app", imageIds=[{"imageTag": "v1"}])
    check(len(pulled["images"]) == 1 and not pulled["failures"], f"a pull: {pulled}")
    check("lastRecordedPullTime" in detail(), f"the pull is recorded: {detail()}")
    print("ok: DescribeImages imageStatus ACTIVE, lastRecordedPullTime after a BatchGetImage")

    archived = ecr.update_image_storage_class(repositoryName="archive/app", imageId={"imageTag": "v1"},
                                              targetStorageClass="ARCHIVE")
    check(archived["imageStatus"] == "ARCHIVED" and archived["imageId"]["imageDigest"] == digest,
          f"archive: {archived}")
    check(detail()["imageStatus"] == "ARCHIVED" and "lastArchivedAt" in detail(), f"described by id: {detail()}")
    check(listed() == (["v2"], ["v2"]), f"listed without a filter, only ACTIVE images: {listed()}")
    check(listed(filter={"imageStatus": "ARCHIVED"}) == (["v1"], ["v1"]), "listed ARCHIVED")
    check(listed(filter={"imageStatus": "ANY"}) == (["v1", "v2"], ["v1", "v2"]), "listed ANY")
    failed = ecr.batch_get_image(repositoryName="archive/app", imageIds=[{"imageTag": "v1"}])
    check(not failed["images"] and failed["failures"][0]["failureCode"] == "ImageNotFound",
          f"an archived image cannot be pulled: {failed}")
    refused("ImageStorageClassUpdateNotSupportedException", ecr.update_image_storage_class,
            repositoryName="archive/app", imageId=v1, targetStorageClass="ARCHIVE")
    refused("ImageStorageClassUpdateNotSupportedException", ecr.update_image_storage_class,
            repositoryName="archive/app", imageId={"imageTag": "v2"}, targetStorageClass="STANDARD")
    refused("ImageNotFoundException", ecr.update_image_storage_class,
            repositoryName="archive/app", imageId={"imageTag": "v9"}, targetStorageClass="ARCHIVE")
    refused("RepositoryNotFoundException", ecr.update_image_storage_class,
            repositoryName="archive/none", imageId=v1, targetStorageClass="ARCHIVE")
    if strict:
        refused("InvalidParameterException", raw.update_image_storage_class, member="targetStorageClass",
                repositoryName="archive/app", imageId=v1, targetStorageClass="GLACIER")
    print("ok: UpdateImageStorageClass ARCHIVE, ARCHIVED described and filtered, its pull refused, the refusals")

    restored = ecr.update_image_storage_class(repositoryName="archive/app", imageId=v1, targetStorageClass="STANDARD")
    check(restored["imageStatus"] == "ACTIVATING", f"restore: {restored}")
    check(detail()["imageStatus"] == "ACTIVATING", "ACTIVATING while the restore runs")
    failed = ecr.batch_get_image(repositoryName="archive/app", imageIds=[v1])
    check(not failed["images"], f"an activating image cannot be pulled: {failed}")
    done = detail()
    check(done["imageStatus"] == "ACTIVE" and "lastActivatedAt" in done, f"restored: {done}")
    check(listed() == (["v1", "v2"], ["v1", "v2"]), "listed again")
    ecr.delete_repository(repositoryName="archive/app", force=True)
    print("ok: UpdateImageStorageClass STANDARD: ACTIVATING, then ACTIVE with lastActivatedAt")


def check_tag_status_filter(ecr):
    ecr.create_repository(repositoryName="filter/app")
    ecr.put_image(repositoryName="filter/app", imageManifest=manifest(7101), imageTag="v1")
    ecr.put_image(repositoryName="filter/app", imageManifest=manifest(7102))
    untagged = ecr.put_image(repositoryName="filter/app", imageManifest=manifest(7103))["image"]["imageId"]

    def listed(tag_status=None):
        kwargs = {"filter": {"tagStatus": tag_status}} if tag_status else {}
        described = all_pages(ecr, "describe_images", "imageDetails", repositoryName="filter/app", **kwargs)[0]
        return sorted((i.get("imageTags") or ["-"])[0] for i in described)

    check(listed() == ["-", "-", "v1"], f"no filter: every image: {listed()}")
    check(listed("ANY") == ["-", "-", "v1"], f"ANY: every image: {listed('ANY')}")
    check(listed("TAGGED") == ["v1"], f"TAGGED: {listed('TAGGED')}")
    check(listed("UNTAGGED") == ["-", "-"], f"UNTAGGED: {listed('UNTAGGED')}")
    named = ecr.describe_images(repositoryName="filter/app", imageIds=[{"imageDigest": untagged["imageDigest"]}])
    check(len(named["imageDetails"]) == 1, "an image named by id is described whatever its tags")
    ecr.delete_repository(repositoryName="filter/app", force=True)
    print("ok: DescribeImages filter.tagStatus TAGGED, UNTAGGED, ANY")


def check_reset(endpoint, ecr):
    status, _ = http(endpoint, "POST", "/moto-api/reset")
    check(status == 200, f"POST /moto-api/reset: {status}")
    check(ecr.get_account_setting(name="BLOB_MOUNTING")["value"] == "DISABLED", "reset restores the settings")
    refused("SigningConfigurationNotFoundException", ecr.get_signing_configuration)
    check(ecr.list_pull_time_update_exclusions()["pullTimeUpdateExclusions"] == [], "reset clears the exclusions")
    check(ecr.list_replication_backfills()["backfills"] == [], "reset clears the backfills")
    print("ok: POST /moto-api/reset clears settings, signing, exclusions and backfills")


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    endpoint = argv[1].rstrip("/")
    account = argv[2] if len(argv) == 3 else "123456789012"
    _, body = http(endpoint, "GET", "/awsecr-test/mode")
    strict = json.loads(body)["mode"] == "strict"
    print(f"checking {endpoint} ({'strict' if strict else 'lenient'} mode)")
    ecr, raw = client(endpoint), client(endpoint, validate=False)
    signer = boto3.client("signer", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    try:
        check_coverage(ecr)
        check_account_settings(ecr, raw, strict)
        check_signing(ecr, raw, signer, account, strict)
        check_exclusions(ecr, raw, account, strict)
        check_backfills(ecr, raw, account, strict)
        check_storage_classes(ecr, raw, strict)
        check_tag_status_filter(ecr)
        check_reset(endpoint, ecr)
    except Failure as failure:
        print(f"FAIL: {failure}")
        return 1
    except ClientError as e:
        print(f"FAIL: an unexpected error answer: {e}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
