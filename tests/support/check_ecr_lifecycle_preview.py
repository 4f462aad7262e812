"""Drives the emulator's lifecycle policy preview (ecr_lifecycle_preview.py)
with boto3, as a client of real ECR would, and stops at the first thing
that is not as ECR answers it.

    python check_ecr_lifecycle_preview.py http://127.0.0.1:PORT [ACCOUNT]

Works against either mode. First it checks that moto alone still lacks the
two operations and that they are in the model; then a repository of images
of known ages (set through POST /awsecr-test/image) is previewed: polling
from IN_PROGRESS to COMPLETE (boto3's own waiter too), the results and the
summary the evaluator gives, paging, the filters, each error code, a policy
ECR refuses, an archived image expired by an archive rule, and that nothing
is expired by a preview. Every answer is checked against the model's output
shape from its raw JSON (check_ecr_extensions.py's hook). Exits 0 when
everything holds, 1 naming the first failure otherwise.
"""
import json
import sys
import time

from botocore.exceptions import ClientError

from check_ecr_extensions import Failure, REGION, all_pages, check, client, http, refused
from check_ecr_registry_2026 import manifest

OPERATIONS = {"StartLifecyclePolicyPreview": "start_lifecycle_policy_preview",
              "GetLifecyclePolicyPreview": "get_lifecycle_policy_preview"}
DAY = 86400


def check_coverage(ecr):
    from moto.ecr.responses import ECRResponse

    import ecr_lifecycle_preview
    model = set(ecr.meta.service_model.operation_names)
    check(set(OPERATIONS) <= model, f"not in the model: {set(OPERATIONS) - model}")
    check(set(ecr_lifecycle_preview.OPERATIONS) == set(OPERATIONS.values()), "the stand-in serves both")
    for op, method in OPERATIONS.items():
        check(getattr(ECRResponse, method, None) is None,
              f"moto (unpatched here) has {op}: the stand-in may be dropped or must be compared")
    print("ok: moto lacks StartLifecyclePolicyPreview and GetLifecyclePolicyPreview; the model has both")


def set_image(endpoint, arn, digest, **times):
    body = json.dumps({"repositoryArn": arn, "imageDigest": digest, **times}).encode()
    status, answer = http(endpoint, "POST", "/awsecr-test/image", body, {"Content-Type": "application/json"})
    check(status == 200, f"POST /awsecr-test/image: {status} {answer}")


def rule(priority, selection, action="expire"):
    act = {"type": action, **({"targetStorageClass": "archive"} if action == "transition" else {})}
    return {"rulePriority": priority, "selection": selection, "action": act}


def check_preview(endpoint, ecr, raw, strict):
    name = "preview/app"
    arn = ecr.create_repository(repositoryName=name)["repository"]["repositoryArn"]
    refused("LifecyclePolicyNotFoundException", ecr.start_lifecycle_policy_preview, repositoryName=name)
    refused("LifecyclePolicyPreviewNotFoundException", ecr.get_lifecycle_policy_preview, repositoryName=name)
    refused("RepositoryNotFoundException", ecr.start_lifecycle_policy_preview, repositoryName="preview/none",
            lifecyclePolicyText=json.dumps({"rules": [rule(1, {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                                "countNumber": 1})]}))
    now = int(time.time())
    # name: (tag or None, days since push)
    images = {"v1": ("v1", 40), "v2": ("v2", 30), "v3": ("v3", 2), "u1": (None, 20), "u2": (None, 0),
              "pr-1": ("pr-1", 10)}
    digests = {}
    for n, (key, (tag, days)) in enumerate(images.items()):
        put = {"repositoryName": name, "imageManifest": manifest(100 + n)}
        if tag:
            put["imageTag"] = tag
        digest = ecr.put_image(**put)["image"]["imageId"]["imageDigest"]
        digests[key] = digest
        set_image(endpoint, arn, digest, pushedAt=now - days * DAY - 60)
    details, _ = all_pages(ecr, "describe_images", "imageDetails", repositoryName=name)
    pushed = {d["imageDigest"]: d["imagePushedAt"] for d in details}
    check(int(pushed[digests["v1"]].timestamp()) == now - 40 * DAY - 60, f"the back door set pushedAt: {pushed}")
    policy = json.dumps({"rules": [
        rule(1, {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7}),
        rule(2, {"tagStatus": "tagged", "tagPrefixList": ["pr-"], "countType": "sinceImagePushed", "countUnit": "days",
                 "countNumber": 30}),
        rule(3, {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2}),
    ]})
    started = ecr.start_lifecycle_policy_preview(repositoryName=name, lifecyclePolicyText=policy)
    check(started["status"] == "IN_PROGRESS" and started["lifecyclePolicyText"] == policy
          and started["repositoryName"] == name, f"start: {started}")
    refused("LifecyclePolicyPreviewInProgressException", ecr.start_lifecycle_policy_preview, repositoryName=name,
            lifecyclePolicyText=policy)
    first = ecr.get_lifecycle_policy_preview(repositoryName=name)
    check(first["status"] == "IN_PROGRESS" and not first.get("previewResults"), f"first read: {first}")
    results, pages = all_pages(ecr, "get_lifecycle_policy_preview", "previewResults", repositoryName=name)
    check(pages == (2 if strict else 1), f"strict mode pages by 2, lenient by 100: {pages} pages")
    # Rule 1: u1 (20 days); rule 2: no pr- image older than 30 days, but pr-1 is
    # rule 2's; rule 3 keeps the two newest (u2, v3) and may take v1 and v2.
    got = {(r["imageDigest"], r["appliedRulePriority"], r["action"]["type"], r["storageClass"]) for r in results}
    want = {(digests["u1"], 1, "EXPIRE", "STANDARD"), (digests["v1"], 3, "EXPIRE", "STANDARD"),
            (digests["v2"], 3, "EXPIRE", "STANDARD")}
    check(got == want, f"results: {results}")
    by_digest = {r["imageDigest"]: r for r in results}
    check(by_digest[digests["v1"]]["imageTags"] == ["v1"] and "imageTags" not in by_digest[digests["u1"]],
          f"tags: {results}")
    check(int(by_digest[digests["v1"]]["imagePushedAt"].timestamp()) == now - 40 * DAY - 60, "imagePushedAt")
    done = ecr.get_lifecycle_policy_preview(repositoryName=name, maxResults=100) if not strict else \
        ecr.get_lifecycle_policy_preview(repositoryName=name)
    check(done["status"] == "COMPLETE" and done["summary"] == {"expiringImageTotalCount": 3}, f"summary: {done}")
    tagged, _ = all_pages(ecr, "get_lifecycle_policy_preview", "previewResults", repositoryName=name,
                          filter={"tagStatus": "UNTAGGED"})
    check([r["imageDigest"] for r in tagged] == [digests["u1"]], f"UNTAGGED filter: {tagged}")
    one = ecr.get_lifecycle_policy_preview(repositoryName=name, imageIds=[{"imageTag": "v2"}])
    check([r["imageDigest"] for r in one["previewResults"]] == [digests["v2"]], f"imageIds: {one}")
    check(len(all_pages(ecr, "describe_images", "imageDetails", repositoryName=name)[0]) == 6,
          "a preview expires nothing")
    print("ok: a preview polls IN_PROGRESS then COMPLETE; results, summary, paging and filters as evaluated")

    # The repository's own policy when no text is given; boto3's waiter.
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps({"rules": [
        rule(1, {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1})]}))
    ecr.start_lifecycle_policy_preview(repositoryName=name)
    ecr.get_waiter("lifecycle_policy_preview_complete").wait(repositoryName=name,
                                                              WaiterConfig={"Delay": 0, "MaxAttempts": 5})
    everything = ecr.get_lifecycle_policy_preview(repositoryName=name)
    check(everything["summary"]["expiringImageTotalCount"] == 5, f"all but the newest (u2, 1 day): {everything}")
    print("ok: without a text the repository's policy is previewed; boto3's waiter completes")

    # Archive rules: transitions counted per target storage class, an archived image expired by its rule.
    set_image(endpoint, arn, digests["v1"], imageStatus="ARCHIVED", lastArchivedAt=now - 100 * DAY)
    archive = json.dumps({"rules": [
        rule(1, {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 25},
             "transition"),
        rule(2, {"tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned",
                 "countUnit": "days", "countNumber": 90}),
    ]})
    ecr.start_lifecycle_policy_preview(repositoryName=name, lifecyclePolicyText=archive)
    ecr.get_lifecycle_policy_preview(repositoryName=name)
    answer = ecr.get_lifecycle_policy_preview(repositoryName=name)
    results, _ = all_pages(ecr, "get_lifecycle_policy_preview", "previewResults", repositoryName=name)
    got = {(r["imageDigest"], r["action"]["type"], r["action"].get("targetStorageClass"), r["storageClass"])
           for r in results}
    want = {(digests["v2"], "TRANSITION", "ARCHIVE", "STANDARD"), (digests["v1"], "EXPIRE", None, "ARCHIVE")}
    check(got == want, f"archive results: {results}")
    check(answer["summary"] == {"expiringImageTotalCount": 1, "transitioningImageTotalCounts": [
        {"targetStorageClass": "ARCHIVE", "imageTotalCount": 1}]}, f"archive summary: {answer}")
    print("ok: transition to ARCHIVE and expiry of an archived image, counted per storage class")

    # PutLifecyclePolicy takes archive rules and refuses what the preview refuses.
    put = ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=archive)
    check(put["lifecyclePolicyText"] == archive, f"put an archive policy: {put}")
    too_soon = archive.replace('"countNumber": 90', '"countNumber": 30')
    refused("InvalidParameterException", ecr.put_lifecycle_policy, "countNumber", repositoryName=name,
            lifecyclePolicyText=too_soon)
    print("ok: PutLifecyclePolicy takes archive rules and refuses an expiry of archived images before 90 days")

    # A policy ECR refuses.
    bad = json.dumps({"rules": [rule(1, {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days",
                                         "countNumber": 30})]})
    refused("InvalidParameterException", ecr.start_lifecycle_policy_preview, "sinceImagePulled",
            repositoryName=name, lifecyclePolicyText=bad)
    ecr.delete_repository(repositoryName=name, force=True)
    print("ok: a policy ECR refuses (sinceImagePulled with expire) is InvalidParameterException naming the rule")


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    endpoint = argv[1].rstrip("/")
    _, body = http(endpoint, "GET", "/awsecr-test/mode")
    strict = json.loads(body)["mode"] == "strict"
    print(f"checking {endpoint} ({'strict' if strict else 'lenient'} mode), region {REGION}")
    ecr, raw = client(endpoint), client(endpoint, validate=False)
    try:
        check_coverage(ecr)
        check_preview(endpoint, ecr, raw, strict)
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
