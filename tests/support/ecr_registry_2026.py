"""The registry operations ECR added in 2025-26 that moto 5.2.5 does not
implement (it answers them with HTTP 500), served in both emulator modes:
account settings, managed signing, pull time update exclusions,
replication backfills and image storage classes (with the image status and
pull times DescribeImages reports, which moto leaves out, and its filter by
tag status, which moto ignores).

Built like ecr_extensions.py: `install(strict)` adds one method per
operation to moto's ECRResponse, the answers are serialized by moto's own
serializer against botocore's ECR model (so shapes, epoch-second timestamps
and error codes are the model's), in strict mode requests are checked
against the model first (ecr_model.py) and the list operations are paged by
ecr_strict.py (rule 7); in lenient mode they page here, with the model's
documented defaults. State lives on moto's ECR backend object of the
account and region, so POST /moto-api/reset clears it. registryId in a
request is not compared with the account (moto's own operations do not
either).

Where a behaviour comes from is said above its code: AWS's API reference
and the model's documentation strings (botocore 1.44.18, the same text),
and the ECR user guide. Where ECR's behaviour is not public the comment says
so and the rule chosen is the least forgiving plausible one.
"""
import copy
import json
import re
import uuid
from datetime import datetime, timezone

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecr import models, responses
from moto.ecr.exceptions import ImageNotFoundException, InvalidParameterException

import ecr_extensions
from ecr_extensions import _invalid, _paged, _required

# Whether the strict mode's rules apply (Signer profiles that must exist).
_STRICT = True


class LimitExceededException(ServiceException):
    code = "LimitExceededException"


class SigningConfigurationNotFoundException(ServiceException):
    code = "SigningConfigurationNotFoundException"


class ExclusionAlreadyExistsException(ServiceException):
    code = "ExclusionAlreadyExistsException"


class ExclusionNotFoundException(ServiceException):
    code = "ExclusionNotFoundException"


class ReplicationBackfillInProgressException(ServiceException):
    code = "ReplicationBackfillInProgressException"


class ReplicationBackfillNotFoundException(ServiceException):
    code = "ReplicationBackfillNotFoundException"


class ReplicationBackfillInvalidStatusException(ServiceException):
    code = "ReplicationBackfillInvalidStatusException"


def _state(backend, name, empty):
    return backend.__dict__.setdefault(f"awsecr_{name}", empty)


def _now():
    return datetime.now(timezone.utc)


def _wildcard(filter_value):
    return re.compile(".*".join(re.escape(part) for part in filter_value.split("*")))


# -------------------------------------------------------- account settings
#
# Source: the API reference of PutAccountSetting and GetAccountSetting and
# the model: the names are BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE
# and BLOB_MOUNTING.
# - BASIC_SCAN_TYPE_VERSION: the model (and the API reference) now say
#   "Valid value for basic scan type: AWS_NATIVE"; older texts also listed
#   CLAIR, the engine AWS retired. Only AWS_NATIVE is taken, and it is what
#   an account reads before any put.
# - REGISTRY_POLICY_SCOPE: the model's PutAccountSetting text says "Valid
#   values for registry policy scope: V2", the API reference's
#   GetAccountSetting page "V1 or V2", and the user guide ("Switching to the
#   extended registry policy scope") "For new users, your registries are
#   automatically configured to use the V2 registry policy ... Amazon ECR
#   doesn't recommend reverting to the previous registry policy V1", i.e. a
#   revert is possible: V1 and V2 are taken, V2 is the default. With V1,
#   the strict mode refuses a registry policy that names other actions than
#   V1's (ecr_strict.py, rule 10).
# - BLOB_MOUNTING: "ENABLED or DISABLED"; the user guide ("Blob mounting in
#   Amazon ECR") has it turned on by choice ("choose Enable"), so an account
#   reads DISABLED before any put.
# A name or value outside these: ECR's answer is not public; the code is
# InvalidParameterException (listed by both operations) naming the member,
# the wording ours.

ACCOUNT_SETTINGS = {
    "BASIC_SCAN_TYPE_VERSION": (("AWS_NATIVE",), "AWS_NATIVE"),
    "REGISTRY_POLICY_SCOPE": (("V1", "V2"), "V2"),
    "BLOB_MOUNTING": (("ENABLED", "DISABLED"), "DISABLED"),
}


def _setting_name(params):
    name = _required(params, "name")
    if name not in ACCOUNT_SETTINGS:
        raise _invalid("name", f"Member must be one of {', '.join(ACCOUNT_SETTINGS)}")
    return name


def account_setting(backend, name):
    """The setting's value in this account and region (its default until put)."""
    return _state(backend, "account_settings", {}).get(name, ACCOUNT_SETTINGS[name][1])


def get_account_setting(backend, params):
    name = _setting_name(params)
    return {"name": name, "value": account_setting(backend, name)}


def put_account_setting(backend, params):
    name = _setting_name(params)
    value = _required(params, "value")
    allowed = ACCOUNT_SETTINGS[name][0]
    if value not in allowed:
        raise _invalid("value", f"Valid values for {name}: {' or '.join(allowed)}")
    _state(backend, "account_settings", {})[name] = value
    return {"name": name, "value": value}


# ---------------------------------------------------------- managed signing
#
# Source: the model and the user guide, "Managed signing": a registry has one
# signing configuration, up to 10 rules (the model: SigningRuleList max 10),
# each an AWS Signer signing profile ARN ("arn:partition:signer:region:
# account-id:/signing-profiles/profile-name") and optional repository
# filters (1 to 100, WILDCARD_MATCH only: "the * character matches any
# sequence of characters"); "If no filters are specified, all images pushed
# to the registry are signed using the rule's signing profile." Get and
# Delete without one: SigningConfigurationNotFoundException (the model:
# "This occurs when attempting to retrieve or delete a signing configuration
# that does not exist"). Put replaces the whole configuration.
#
# Not public, chosen strictest: the profile must be in the registry's
# partition and Region (Signer profiles are regional and ECR signs as the
# pusher, in the registry's Region); in strict mode it must also exist in
# Signer (moto's Signer backend, same account and Region) and be Active.
# Refused with InvalidParameterException naming the rule's member; wording
# ours.

_SIGNER_ARN = re.compile(
    r"arn:(?P<partition>aws(-[a-z]+)*):signer:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):"
    r"/signing-profiles/(?P<name>[a-zA-Z0-9_]{2,})"
)


def _partition(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _signer_profile(account, region, name):
    from moto.signer.models import signer_backends
    try:
        return signer_backends[account][region].signing_profiles.get(name)
    except KeyError:
        return None


def _check_signing_configuration(backend, configuration):
    if not isinstance(configuration, dict) or not isinstance(configuration.get("rules"), list):
        raise _invalid("signingConfiguration.rules", "Member must not be null")
    rules = configuration["rules"]
    if len(rules) > 10:
        raise _invalid("signingConfiguration.rules", "Member must have length less than or equal to 10")
    for i, rule in enumerate(rules, start=1):
        path = f"signingConfiguration.rules.{i}.member"
        arn = (rule or {}).get("signingProfileArn")
        match = _SIGNER_ARN.fullmatch(arn or "")
        if match is None:
            raise _invalid(f"{path}.signingProfileArn", "Member must be an AWS Signer signing profile ARN")
        if match["partition"] != _partition(backend.region_name) or match["region"] != backend.region_name:
            raise _invalid(
                f"{path}.signingProfileArn",
                f"The signing profile must be in the registry's partition and Region ({backend.region_name})",
            )
        if _STRICT:
            profile = _signer_profile(match["account"], match["region"], match["name"])
            if profile is None or profile.status != "Active":
                raise _invalid(
                    f"{path}.signingProfileArn", f"The signing profile {arn} does not exist or is not Active"
                )
        filters = rule.get("repositoryFilters")
        if filters is not None:
            if not 1 <= len(filters) <= 100:
                raise _invalid(f"{path}.repositoryFilters", "Member must have length between 1 and 100")
            for j, item in enumerate(filters, start=1):
                if (item or {}).get("filterType") != "WILDCARD_MATCH" or not item.get("filter"):
                    raise _invalid(
                        f"{path}.repositoryFilters.{j}.member", "filterType must be WILDCARD_MATCH with a filter"
                    )


def _signing_configuration(backend):
    configuration = _state(backend, "signing", {}).get("configuration")
    if configuration is None:
        raise SigningConfigurationNotFoundException(
            f"The signing configuration does not exist in the registry with id '{backend.account_id}'"
        )
    return configuration


def put_signing_configuration(backend, params):
    configuration = _required(params, "signingConfiguration")
    _check_signing_configuration(backend, configuration)
    kept = {"rules": [
        {k: v for k, v in rule.items() if k in ("signingProfileArn", "repositoryFilters")}
        for rule in configuration["rules"]
    ]}
    _state(backend, "signing", {})["configuration"] = kept
    return {"signingConfiguration": kept}


def get_signing_configuration(backend, params):
    return {"registryId": backend.account_id, "signingConfiguration": _signing_configuration(backend)}


def delete_signing_configuration(backend, params):
    configuration = _signing_configuration(backend)
    del _state(backend, "signing", {})["configuration"]
    return {"registryId": backend.account_id, "signingConfiguration": configuration}


def _profiles_for(backend, repository_name):
    """The distinct profiles of the rules that match a repository, in rule order."""
    configuration = _state(backend, "signing", {}).get("configuration") or {"rules": []}
    profiles = []
    for rule in configuration["rules"]:
        filters = rule.get("repositoryFilters")
        if filters is None or any(_wildcard(f["filter"]).fullmatch(repository_name) for f in filters):
            if rule["signingProfileArn"] not in profiles:
                profiles.append(rule["signingProfileArn"])
    return profiles


# Signing happens on push (user guide: "automatically signs images as they
# are pushed"; the API reference of DeleteSigningConfiguration: "Deleting the
# signing configuration does not affect existing image signatures"), so the
# profiles are recorded on the image when it is first pushed. Here signing
# completes at once: the status is COMPLETE (ECR's is IN_PROGRESS until its
# Signer job ends). An image pushed while no rule matched has no status.

def _signing_on_push(put_image):
    def put(self, repository_name, *args, **kwargs):
        image = put_image(self, repository_name, *args, **kwargs)
        if getattr(image, "awsecr_signing_profiles", None) is None:
            image.awsecr_signing_profiles = _profiles_for(self, repository_name)
        return image
    put.awsecr_signing = True
    return put


def describe_image_signing_status(backend, params):
    name = _required(params, "repositoryName")
    image_id = _required(params, "imageId")
    repository = backend._get_repository(name, params.get("registryId"))
    digest, tag = image_id.get("imageDigest"), image_id.get("imageTag")
    if digest is None and tag is None:
        raise _invalid("imageId", "Specify an imageDigest or an imageTag")
    found = None
    for image in repository.images:
        if (digest is None or image.get_image_digest() == digest) and (tag is None or tag in image.image_tags):
            found = image
            break
    if found is None:
        raise ImageNotFoundException(image_id, name, backend.account_id)
    answered_id = {"imageDigest": found.get_image_digest()}
    if tag is not None:
        answered_id["imageTag"] = tag
    statuses = [
        {"signingProfileArn": arn, "status": "COMPLETE"}
        for arn in getattr(found, "awsecr_signing_profiles", None) or []
    ]
    return {
        "repositoryName": name,
        "imageId": answered_id,
        "registryId": backend.account_id,
        "signingStatuses": statuses,
    }


# ------------------------------------------------ pull time update exclusions
#
# Source: the model and the user guide, "Pull-time update exclusions": IAM
# principals (the model's PrincipalArn: a role or a user, pattern
# ^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/...) whose pulls do not
# update an image's last recorded pull time; "You can configure up to 100
# exclusions per account" (LimitExceededException, listed by the model).
# Registering one twice: ExclusionAlreadyExistsException; deregistering one
# not registered: ExclusionNotFoundException (both the model's). The list
# pages like ECR's others (maxResults up to 1000, "up to 100 results" a page
# without it). Not public, chosen strictest: the ARN is checked against the
# model's pattern in both modes (InvalidParameterException); whether ECR
# requires the principal to exist in IAM is not documented and not checked.

_PRINCIPAL = re.compile(r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@-]+(/[\w+=,.@-]+)*$")
MAX_EXCLUSIONS = 100


def _principal(params):
    arn = _required(params, "principalArn")
    if not _PRINCIPAL.fullmatch(arn) or len(arn) > 200:
        raise _invalid("principalArn", "Member must be the ARN of an IAM role or user")
    return arn


def register_exclusion(backend, params):
    arn = _principal(params)
    exclusions = _state(backend, "pull_time_update_exclusions", {})
    if arn in exclusions:
        raise ExclusionAlreadyExistsException(
            f"The pull time update exclusion for '{arn}' already exists in the registry with id "
            f"'{backend.account_id}'"
        )
    if len(exclusions) >= MAX_EXCLUSIONS:
        raise LimitExceededException(f"A registry can have at most {MAX_EXCLUSIONS} pull time update exclusions")
    exclusions[arn] = _now()
    return {"principalArn": arn, "createdAt": exclusions[arn]}


def deregister_exclusion(backend, params):
    arn = _principal(params)
    exclusions = _state(backend, "pull_time_update_exclusions", {})
    if arn not in exclusions:
        raise ExclusionNotFoundException(
            f"The pull time update exclusion for '{arn}' does not exist in the registry with id "
            f"'{backend.account_id}'"
        )
    del exclusions[arn]
    return {"principalArn": arn}


def list_exclusions(backend, params):
    exclusions = list(_state(backend, "pull_time_update_exclusions", {}))
    return _paged("ListPullTimeUpdateExclusions", params, "pullTimeUpdateExclusions", exclusions)


# ----------------------------------------------------- replication backfill
#
# Source: the model (StartReplicationBackfill and the others) and the user
# guide, "Replication backfill":
# - "The destination must already be configured in the registry's
#   replication configuration"; only images matching the current rules for
#   that destination are included (the rule's repositoryFilters,
#   PREFIX_MATCH). Otherwise: InvalidParameterException (ECR's wording is
#   not public).
# - "Only one replication backfill can be in progress for a given
#   destination Region at a time" (ReplicationBackfillInProgressException);
#   "a registry can have at most 10 replication backfills in progress at
#   once" (LimitExceededException). In progress: PREPARING, IN_PROGRESS,
#   STOPPING.
# - Start answers PREPARING. Progress is null while PREPARING; "Each image
#   and tag combination is counted as a single replication" (an untagged
#   image counts once). Per-image results only once terminal; results filter
#   by COMPLETE or FAILED.
# - "can only be stopped when it is in PREPARING or IN_PROGRESS status"
#   (otherwise ReplicationBackfillInvalidStatusException); stopped with no
#   replication in flight it is STOPPED at once. An unknown id:
#   ReplicationBackfillNotFoundException.
# - Lists page: DescribeReplicationBackfillResults up to 100 results a page
#   without maxResults, ListReplicationBackfills up to 25 (max 50).
# The emulator replicates nothing: a backfill advances one status each time
# it is read (Describe, or a List that holds it): PREPARING, then
# IN_PROGRESS with its progress counted, then COMPLETE with a COMPLETE
# result per replication. No backfill fails here.

ACTIVE = ("PREPARING", "IN_PROGRESS", "STOPPING")
MAX_ACTIVE_BACKFILLS = 10
LIST_PAGE_SIZE = 25


def _backfills(backend):
    return _state(backend, "replication_backfills", {})


def _replications(backend, destination):
    """The (repository, imageId) pairs a backfill to `destination` replicates, or None
    when no rule of the replication configuration has that destination."""
    rules = [
        rule for rule in (backend.replication_config or {}).get("rules", [])
        if any(d.get("region") == destination["region"] and d.get("registryId") == destination["registryId"]
               for d in rule.get("destinations", []))
    ]
    if not rules:
        return None
    pairs = []
    for name in sorted(backend.repositories):
        if not any(
            not rule.get("repositoryFilters")
            or any(name.startswith(f.get("filter", "")) for f in rule["repositoryFilters"])
            for rule in rules
        ):
            continue
        for image in backend.repositories[name].images:
            digest = image.get_image_digest()
            for tag in image.image_tags or [None]:
                image_id = {"imageDigest": digest}
                if tag is not None:
                    image_id["imageTag"] = tag
                pairs.append((name, image_id))
    return pairs


def start_backfill(backend, params):
    destination = _required(params, "destination")
    if not isinstance(destination, dict) or not destination.get("region") or not destination.get("registryId"):
        raise _invalid("destination", "Member must have a region and a registryId")
    destination = {"region": destination["region"], "registryId": destination["registryId"]}
    replications = _replications(backend, destination)
    if replications is None:
        raise _invalid(
            "destination",
            f"The destination {destination['region']}/{destination['registryId']} is not in the registry's "
            f"replication configuration",
        )
    active = [b for b in _backfills(backend).values() if b["status"] in ACTIVE]
    if any(b["destination"]["region"] == destination["region"] for b in active):
        raise ReplicationBackfillInProgressException(
            f"A replication backfill is already in progress for the destination Region {destination['region']}"
        )
    if len(active) >= MAX_ACTIVE_BACKFILLS:
        raise LimitExceededException(
            f"A registry can have at most {MAX_ACTIVE_BACKFILLS} replication backfills in progress"
        )
    backfill_id = str(uuid.uuid4())
    _backfills(backend)[backfill_id] = {
        "replicationBackfillId": backfill_id,
        "destination": destination,
        "status": "PREPARING",
        "startedAt": _now(),
        "replications": replications,
    }
    return _summary(backend, _backfills(backend)[backfill_id], registry=True)


def _advance(backfill):
    total = len(backfill["replications"])
    if backfill["status"] == "PREPARING":
        backfill["status"] = "IN_PROGRESS"
        backfill["progress"] = {"totalReplicationCount": total, "completedReplicationCount": 0,
                                "failedReplicationCount": 0, "failureCodes": []}
    elif backfill["status"] == "IN_PROGRESS":
        backfill["status"] = "COMPLETE"
        backfill["progress"] = {**backfill["progress"], "completedReplicationCount": total}
        backfill["endedAt"] = _now()
        backfill["results"] = [
            {"repositoryName": name, "imageId": image_id, "status": "COMPLETE"}
            for name, image_id in backfill["replications"]
        ]


def _summary(backend, backfill, registry=False):
    members = ("replicationBackfillId", "destination", "status", "failureCode", "progress", "startedAt", "endedAt")
    answer = {k: backfill[k] for k in members if backfill.get(k) is not None}
    if registry:
        answer["registryId"] = backend.account_id
    return answer


def _backfill(backend, params):
    backfill_id = _required(params, "replicationBackfillId")
    backfill = _backfills(backend).get(backfill_id)
    if backfill is None:
        raise ReplicationBackfillNotFoundException(
            f"The replication backfill with id '{backfill_id}' does not exist in the registry with id "
            f"'{backend.account_id}'"
        )
    return backfill


def stop_backfill(backend, params):
    backfill = _backfill(backend, params)
    if backfill["status"] not in ("PREPARING", "IN_PROGRESS"):
        raise ReplicationBackfillInvalidStatusException(
            f"The replication backfill with id '{backfill['replicationBackfillId']}' is {backfill['status']}; "
            f"only a PREPARING or IN_PROGRESS backfill can be stopped"
        )
    backfill["status"] = "STOPPED"
    backfill["endedAt"] = _now()
    backfill["results"] = []
    answer = _summary(backend, backfill, registry=True)
    answer.pop("progress", None)
    answer.pop("endedAt", None)
    return answer


def describe_backfill_results(backend, params):
    backfill = _backfill(backend, params)
    if not params.get("nextToken"):
        _advance(backfill)
    wanted = params.get("resultStatusFilter")
    results = [r for r in backfill.get("results") or [] if wanted is None or r["status"] == wanted]
    answer = _summary(backend, backfill, registry=True)
    answer.update(_paged("DescribeReplicationBackfillResults", params, "results", results))
    return answer


def list_backfills(backend, params):
    backfills = list(_backfills(backend).values())
    if not params.get("nextToken"):
        for backfill in backfills:
            _advance(backfill)
    summaries = [_summary(backend, b) for b in backfills]
    if ecr_extensions._PAGES and not params.get("maxResults"):
        params = {**params, "maxResults": LIST_PAGE_SIZE}
    return {"registryId": backend.account_id, **_paged("ListReplicationBackfills", params, "backfills", summaries)}


# ------------------------------------- image storage classes, pull times
#
# Source: the model (ImageDetail's imageStatus, lastRecordedPullTime,
# lastArchivedAt, lastActivatedAt; UpdateImageStorageClass; the filters'
# imageStatus: "If not specified, only images with ACTIVE status are
# returned"; BatchGetImage: "When an image is pulled, the BatchGetImage API is
# called once to retrieve the image manifest") and the ECR user guide
# ("Archiving an image": archived images cannot be pulled, a pull fails with
# a 404, they can still be described and listed with status ARCHIVED;
# "Restoring an image": a restore takes up to 20 minutes, during which the
# image is ACTIVATING and cannot be pulled). moto 5.2.5 has none of this.
# Choices where ECR's behaviour is not public, the least forgiving plausible:
# the pull of an archived or activating image is a BatchGetImage failure
# ImageNotFound (the 404); archiving an image that is not ACTIVE, or
# restoring one that is not ARCHIVED, is ImageStorageClassUpdateNotSupported;
# a restore shows ACTIVATING to the first DescribeImages that names the image
# and is ACTIVE (with lastActivatedAt) from the next one on; a pull records
# lastRecordedPullTime at once (ECR refreshes it at least once a day), for
# whichever principal pulls (exclusions are not applied here).

STATUSES = ("ACTIVE", "ARCHIVED", "ACTIVATING")


class ImageStorageClassUpdateNotSupportedException(ServiceException):
    code = "ImageStorageClassUpdateNotSupportedException"


def _advance_restore(image):
    if image.image_status != "ACTIVATING":
        return
    if getattr(image, "awsecr_restore_seen", False):
        image.image_status = "ACTIVE"
        image.last_activated_at = _now()
    else:
        image.awsecr_restore_seen = True


def _status_filter(params):
    wanted = (params.get("filter") or {}).get("imageStatus") or "ACTIVE"
    return STATUSES if wanted == "ANY" else (wanted,)


def _describe_images(self):
    params = json.loads(self.body or "{}")
    images = self.ecr_backend.describe_images(
        params.get("repositoryName"), params.get("registryId"), params.get("imageIds")
    )
    images = list(images)
    for image in images:
        _advance_restore(image)
    if not params.get("imageIds"):
        # Named by id an image of any status is described; listed, only
        # those of the status asked for (ACTIVE when none is), and of the
        # tag status asked for (moto 5.2.5 ignores DescribeImages' filter;
        # the model: "You can filter results based on whether they are
        # TAGGED or UNTAGGED"; ANY or none lists both).
        wanted = _status_filter(params)
        images = [i for i in images if i.image_status in wanted]
        tag_status = (params.get("filter") or {}).get("tagStatus") or "ANY"
        if tag_status != "ANY":
            images = [i for i in images if bool(i.image_tags) == (tag_status == "TAGGED")]
    # As moto: ECR leaves out an empty imageTags.
    shown = []
    for image in images:
        dto = copy.copy(image)
        if not dto.image_tags:
            del dto.image_tags
        shown.append(dto)
    return ActionResult({"imageDetails": shown})


def _list_images(self):
    params = json.loads(self.body or "{}")
    tag_status = (params.get("filter") or {}).get("tagStatus", "ANY")
    images = self.ecr_backend.list_images(params.get("repositoryName"), params.get("registryId"), tag_status=tag_status)
    wanted = _status_filter(params)
    ids = [
        {"imageDigest": image.image_digest, "imageTag": tag}
        for image in images
        if image.image_status in wanted
        for tag in image.image_tags or [None]
    ]
    return ActionResult({"imageIds": ids})


def _pulls_of_active_images_only(batch_get_image):
    def pull(self, repository_name, registry_id=None, image_ids=None):
        response = batch_get_image(self, repository_name, registry_id, image_ids)
        pulled = []
        for image in response["images"]:
            if image.image_status == "ACTIVE":
                image.last_recorded_pull_time = _now()
                pulled.append(image)
            else:
                response["failures"].append({
                    "imageId": {"imageDigest": image.image_digest},
                    "failureCode": "ImageNotFound",
                    "failureReason": f"The image is {image.image_status}: restore it to the standard storage class to pull it",
                })
        response["images"] = pulled
        return response
    pull.awsecr_storage = True
    return pull


def update_image_storage_class(backend, params):
    name = _required(params, "repositoryName")
    image_id = _required(params, "imageId")
    target = _required(params, "targetStorageClass")
    if target not in ("STANDARD", "ARCHIVE"):
        raise _invalid("targetStorageClass", "Member must satisfy enum value set: [STANDARD, ARCHIVE]")
    repository = backend._get_repository(name, params.get("registryId"))
    image = repository._get_image(image_id.get("imageTag"), image_id.get("imageDigest"))
    if target == "ARCHIVE":
        if image.image_status != "ACTIVE":
            raise ImageStorageClassUpdateNotSupportedException(f"The image is {image.image_status}, not ACTIVE: it cannot be archived")
        image.image_status = "ARCHIVED"
        image.last_archived_at = _now()
    else:
        if image.image_status != "ARCHIVED":
            raise ImageStorageClassUpdateNotSupportedException(f"The image is {image.image_status}, not ARCHIVED: it cannot be restored")
        image.image_status = "ACTIVATING"
        image.awsecr_restore_seen = False
    answered_id = {"imageDigest": image.image_digest}
    if image_id.get("imageTag"):
        answered_id["imageTag"] = image_id["imageTag"]
    return {"registryId": backend.account_id, "repositoryName": name, "imageId": answered_id,
            "imageStatus": image.image_status}


# ---------------------------------------------------------- installation

OPERATIONS = {
    "get_account_setting": get_account_setting,
    "put_account_setting": put_account_setting,
    "get_signing_configuration": get_signing_configuration,
    "put_signing_configuration": put_signing_configuration,
    "delete_signing_configuration": delete_signing_configuration,
    "describe_image_signing_status": describe_image_signing_status,
    "register_pull_time_update_exclusion": register_exclusion,
    "deregister_pull_time_update_exclusion": deregister_exclusion,
    "list_pull_time_update_exclusions": list_exclusions,
    "start_replication_backfill": start_backfill,
    "stop_replication_backfill": stop_backfill,
    "describe_replication_backfill_results": describe_backfill_results,
    "list_replication_backfills": list_backfills,
    "update_image_storage_class": update_image_storage_class,
}


def install(strict):
    """Serves the operations above (call after ecr_extensions.install, whose
    paging mode the lists here share); `strict`: whether Signer profiles
    must exist."""
    global _STRICT
    _STRICT = strict
    for name, handler in OPERATIONS.items():
        setattr(responses.ECRResponse, name, ecr_extensions._response_method(handler))
    if not getattr(models.ECRBackend.put_image, "awsecr_signing", False):
        models.ECRBackend.put_image = _signing_on_push(models.ECRBackend.put_image)
    # Every image is ACTIVE and never pulled until said otherwise.
    models.Image.image_status = "ACTIVE"
    models.Image.last_recorded_pull_time = None
    models.Image.last_archived_at = None
    models.Image.last_activated_at = None
    responses.ECRResponse.describe_images = _describe_images
    responses.ECRResponse.list_images = _list_images
    if not getattr(models.ECRBackend.batch_get_image, "awsecr_storage", False):
        models.ECRBackend.batch_get_image = _pulls_of_active_images_only(models.ECRBackend.batch_get_image)
