"""ECR's lifecycle policy preview, which moto 5.2.5 does not implement (it
answers StartLifecyclePolicyPreview and GetLifecyclePolicyPreview with HTTP
500), served in both emulator modes with the evaluator of ecr_lifecycle.py,
and a test-only back door that sets an image's times.

Built like ecr_extensions.py: one method per operation on moto's
ECRResponse, answers serialized by moto against botocore's ECR model; in
strict mode requests are model-checked and GetLifecyclePolicyPreview's
previewResults paged by ecr_strict.py (rule 7), in lenient mode they page
here (maxResults, at most 100 a page). State lives on moto's backend of the
account and region.

Sources: the API reference and the model of the two operations, and the user
guide's "Creating a lifecycle policy preview":
- Start takes the repository and, optionally, a policy text; without one the
  repository's own policy is previewed (none: LifecyclePolicyNotFound). A
  policy ECR would refuse is InvalidParameterException (the wording ours).
- Start answers IN_PROGRESS; while a preview of the repository is in
  progress another Start is LifecyclePolicyPreviewInProgressException.
- Get without a preview: LifecyclePolicyPreviewNotFoundException. A
  completed preview lists the images the policy would act on (digest, tags,
  push time, the action with its target storage class, the rule's priority,
  the image's storage class) and a summary (images expiring, images
  transitioning per target storage class); `filter.tagStatus` and
  `imageIds` narrow the list, not the summary.
Here the preview is evaluated when it starts (the repository's images at that
moment), and the first Get of it reads IN_PROGRESS with no results, every
later one COMPLETE, so a client's polling is exercised deterministically.
ECR's time to complete is not public. Like ECR's preview, nothing is
expired or archived: the emulator never runs lifecycle actions.

PutLifecyclePolicy checks a policy with the evaluator's rules too (moto's
own check knows no archive rules).

Back door (tests only), POST /awsecr-test/image: {"repositoryArn",
"imageDigest"} and any of "pushedAt", "lastRecordedPullTime",
"lastArchivedAt", "lastActivatedAt" (epoch seconds, or null for the
latter three) and "imageStatus" (ACTIVE, ARCHIVED, ACTIVATING), so a test
can hold images of any age.
"""
import json
import re
from datetime import datetime, timezone

from moto.core.exceptions import ServiceException
from moto.ecr import models, responses
from moto.ecr.exceptions import InvalidParameterException

import ecr_extensions
import ecr_lifecycle
from ecr_extensions import _invalid, _paged, _required


class LifecyclePolicyNotFoundException(ServiceException):
    code = "LifecyclePolicyNotFoundException"


class LifecyclePolicyPreviewInProgressException(ServiceException):
    code = "LifecyclePolicyPreviewInProgressException"


class LifecyclePolicyPreviewNotFoundException(ServiceException):
    code = "LifecyclePolicyPreviewNotFoundException"


MAX_PAGE = 100


def _previews(backend):
    return backend.__dict__.setdefault("awsecr_lifecycle_previews", {})


def _now():
    return datetime.now(timezone.utc)


def _moment(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(float(value), timezone.utc)


STORAGE = {"ACTIVE": "standard", "ARCHIVED": "archive", "ACTIVATING": None}


def _index_children(image):
    try:
        manifest = json.loads(image.image_manifest or "{}")
    except ValueError:
        return []
    children = manifest.get("manifests") if isinstance(manifest, dict) else None
    return [m.get("digest") for m in children or [] if isinstance(m, dict)]


def _images(repository):
    """The repository's images as the evaluator takes them."""
    referenced_by = {}
    for image in repository.images:
        for child in _index_children(image):
            referenced_by.setdefault(child, []).append(image.get_image_digest())
    return [
        ecr_lifecycle.Image(
            digest=image.get_image_digest(),
            tags=tuple(image.image_tags or ()),
            pushed_at=_moment(image.image_pushed_at),
            storage_class=STORAGE[getattr(image, "image_status", "ACTIVE")],
            last_pulled_at=_moment(getattr(image, "last_recorded_pull_time", None)),
            last_archived_at=_moment(getattr(image, "last_archived_at", None)),
            last_activated_at=_moment(getattr(image, "last_activated_at", None)),
            referenced_by=tuple(referenced_by.get(image.get_image_digest(), ())),
        )
        for image in repository.images
    ]


def start_preview(backend, params):
    name = _required(params, "repositoryName")
    repository = backend._get_repository(name, params.get("registryId"))
    text = params.get("lifecyclePolicyText") or repository.lifecycle_policy
    if not text:
        raise LifecyclePolicyNotFoundException(
            f"Lifecycle policy does not exist for the repository with name '{name}' in the registry with id "
            f"'{backend.account_id}'"
        )
    previous = _previews(backend).get(name)
    if previous is not None and previous["status"] == "IN_PROGRESS":
        raise LifecyclePolicyPreviewInProgressException(
            f"The previous lifecycle policy preview request of the repository '{name}' has not completed"
        )
    try:
        rules = ecr_lifecycle.parse(text)
    except ecr_lifecycle.PolicyError as problem:
        raise _invalid("lifecyclePolicyText", f"Lifecycle policy validation failure: {problem}") from None
    images = _images(repository)
    outcomes = ecr_lifecycle.evaluate(rules, images, _now())
    pushed = {i.digest: i for i in images}
    results = []
    for digest, outcome in sorted(outcomes.items(), key=lambda o: (o[1].priority, pushed[o[0]].pushed_at, o[0])):
        image = pushed[digest]
        action = {"type": outcome.action.upper()}
        if outcome.target:
            action["targetStorageClass"] = outcome.target.upper()
        result = {
            "imageDigest": digest,
            "imagePushedAt": image.pushed_at,
            "action": action,
            "appliedRulePriority": outcome.priority,
            "storageClass": "ARCHIVE" if image.storage_class == "archive" else "STANDARD",
        }
        if image.tags:
            result["imageTags"] = list(image.tags)
        results.append(result)
    transitioning = sum(1 for o in outcomes.values() if o.action == "transition")
    summary = {"expiringImageTotalCount": sum(1 for o in outcomes.values() if o.action == "expire")}
    if transitioning:
        summary["transitioningImageTotalCounts"] = [{"targetStorageClass": "ARCHIVE", "imageTotalCount": transitioning}]
    _previews(backend)[name] = {
        "text": text, "status": "IN_PROGRESS", "seen": False, "results": results, "summary": summary,
    }
    return {"registryId": backend.account_id, "repositoryName": name, "lifecyclePolicyText": text,
            "status": "IN_PROGRESS"}


def get_preview(backend, params):
    name = _required(params, "repositoryName")
    backend._get_repository(name, params.get("registryId"))
    preview = _previews(backend).get(name)
    if preview is None:
        raise LifecyclePolicyPreviewNotFoundException(
            f"There is no lifecycle policy preview for the repository with name '{name}' in the registry with id "
            f"'{backend.account_id}'"
        )
    answer = {"registryId": backend.account_id, "repositoryName": name, "lifecyclePolicyText": preview["text"]}
    if not params.get("nextToken") and preview["status"] == "IN_PROGRESS":
        if not preview["seen"]:
            preview["seen"] = True
            return {**answer, "status": "IN_PROGRESS"}
        preview["status"] = "COMPLETE"
    if preview["status"] == "IN_PROGRESS":
        return {**answer, "status": "IN_PROGRESS"}
    results = preview["results"]
    wanted = (params.get("filter") or {}).get("tagStatus", "ANY")
    if wanted == "TAGGED":
        results = [r for r in results if r.get("imageTags")]
    elif wanted == "UNTAGGED":
        results = [r for r in results if not r.get("imageTags")]
    ids = params.get("imageIds")
    if ids:
        results = [r for r in results if any(
            i.get("imageDigest") == r["imageDigest"] or i.get("imageTag") in r.get("imageTags", []) for i in ids)]
    if ecr_extensions._PAGES:
        size = min(params.get("maxResults") or MAX_PAGE, MAX_PAGE)
        params = {**params, "maxResults": size}
    return {**answer, "status": "COMPLETE", "summary": preview["summary"],
            **_paged("GetLifecyclePolicyPreview", params, "previewResults", results)}


# ------------------------------------------------------------ back door

def set_image_times(request):
    """POST /awsecr-test/image: sets an image's times and status. Returns (HTTP status, message)."""
    match = re.match(models.ECR_REPOSITORY_ARN_PATTERN, request.get("repositoryArn") or "")
    if not match:
        return 400, "repositoryArn must be a repository ARN"
    backend = models.ecr_backends[match["account_id"]][match["region"]]
    repository = backend.repositories.get(match["repo_name"])
    if repository is None:
        return 404, "no such repository"
    found = [i for i in repository.images if i.get_image_digest() == request.get("imageDigest")]
    if not found:
        return 404, "no such image"
    image = found[0]
    if "pushedAt" in request:
        image.image_pushed_at = int(request["pushedAt"])
    for member, attribute in (("lastRecordedPullTime", "last_recorded_pull_time"),
                              ("lastArchivedAt", "last_archived_at"), ("lastActivatedAt", "last_activated_at")):
        if member in request:
            image.__dict__[attribute] = _moment(request[member])
    if "imageStatus" in request:
        if request["imageStatus"] not in STORAGE:
            return 400, f"imageStatus must be one of {', '.join(STORAGE)}"
        image.image_status = request["imageStatus"]
    return 200, ""


OPERATIONS = {
    "start_lifecycle_policy_preview": start_preview,
    "get_lifecycle_policy_preview": get_preview,
}


# PutLifecyclePolicy checks a policy with the same rules as the preview: moto's
# own check (EcrLifecyclePolicyValidator) predates the archive storage class
# and refuses transition rules and the sinceImagePulled and
# sinceImageTransitioned count types. The wording is moto's prefix (ECR's
# own, as moto quotes it) followed by the evaluator's reason.

class _Validator:
    PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: " \
             "'Lifecycle policy validation failure: "

    def __init__(self, policy_text):
        self.policy_text = policy_text

    def validate(self):
        try:
            ecr_lifecycle.parse(self.policy_text)
        except ecr_lifecycle.PolicyError as problem:
            raise InvalidParameterException(f"{self.PREFIX}{problem}'") from None


def install():
    """Serves the two operations (call after ecr_extensions.install, whose paging
    mode Get shares) and puts the evaluator's checks in PutLifecyclePolicy."""
    for name, handler in OPERATIONS.items():
        setattr(responses.ECRResponse, name, ecr_extensions._response_method(handler))
    models.EcrLifecyclePolicyValidator = _Validator
