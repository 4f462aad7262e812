"""The strict emulator: ECR behaviours moto lacks, so that a client that works
here does not fail on its first call to real ECR.

`install_rules()` patches moto's ECR backend; `Emulator` wraps moto's WSGI
app. Each rule is a small function below, with where the behaviour comes
from. Error wording is ECR's where a public source quotes it, and says so;
elsewhere the error code is ECR's and the message is in ECR's style.

1. Model validation (ecr_model.py): every ECR request is checked against
   botocore's ECR model before moto sees it.
2. Tags whose key starts with "aws:" (any case) cannot be added, changed or
   removed (CreateRepository, TagResource, UntagResource).
3. Tag limits the model does not carry: keys up to 128 characters, values up
   to 256, at most 50 tags on a repository.
4. A repository or registry policy naming an IAM role or user of this
   account that does not exist is refused: 'Principal not found'.
5. Pushing (PutImage) a tag that another image holds in a repository where
   that tag is immutable fails with ImageTagAlreadyExistsException.
6. Repository names follow the installed model's RepositoryName pattern,
   which moto's own, older pattern contradicts.
7. List operations page: at most AWSECR_EMULATOR_PAGE_SIZE items (default 2)
   per answer, with a nextToken; moto never pages. DescribeRepositories
   builds only the page it answers, so a page costs the same at any offset.
8. Replication configurations hold up to 10 rules and 25 unique
   destinations, none of them the registry itself; moto refuses more than
   one rule ("This feature is disabled").
9. Images are described as ECR describes them: the digest is the sha256 of
   the manifest as pushed (a different imageDigest is refused), an image
   index (manifest list) may only name images the repository holds, and
   DescribeImages says which image is a referrer (subjectManifestDigest) and
   of what type (artifactMediaType); an index's size is its largest image's.
10. A registry policy may name the actions ECR documents for it: with the
    registry policy scope V2 (AWS's default) any ECR action, so also
    ecr:BatchImportUpstreamImage for pull-through cache use; moto knows only
    the two replication actions.
11. A repository or registry policy names principals and condition keys in
    the forms IAM takes: a Principal is "*" or an object of AWS, Service,
    Federated and CanonicalUser entries; a service principal is a service's
    name (lambda.amazonaws.com); a condition key has its prefix (aws:, or a
    service's). moto takes any principal and any key. Condition keys are
    compared without regard to case (aws:sourceARN is aws:SourceArn), and
    condition values are not checked (an organization id of any form passes).

Whatever the mode, `Emulator` also serves three test-only endpoints: the back
doors POST /awsecr-test/tag (see `set_tag_unchecked`) and POST
/awsecr-test/image (an image's times and status, see
ecr_lifecycle_preview.set_image_times), and GET /awsecr-test/mode, which
says which mode is running.
"""
import base64
import hashlib
import io
import json
import os
import re
import threading
from enum import Enum

from moto.core.exceptions import ServiceException
from moto.core.serialize import TimestampSerializer
from moto.ecr import models
from moto.ecr.exceptions import InvalidParameterException
from moto.ecr.responses import ECRResponse
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition
from werkzeug.wsgi import get_input_stream

import ecr_lifecycle_preview
import ecr_model
import ecr_registry_2026


def page_size():
    raw = os.environ.get("AWSECR_EMULATOR_PAGE_SIZE", "2")
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"AWSECR_EMULATOR_PAGE_SIZE must be a whole number >= 1, not {raw!r}")
    return int(raw)


def install_rules():
    """Patches moto's ECR backend with the rules kept there (2 to 6, 8 to 10),
    and moto's DescribeRepositories answer with the window of rule 7."""
    backend = models.ECRBackend
    backend.create_repository = _checking_tags_on_create(backend.create_repository)
    backend.tag_resource = _checking_tags_on_tag(backend.tag_resource)
    backend.untag_resource = _refusing_reserved_tags_on_untag(backend.untag_resource)
    backend.set_repository_policy = _checking_principals_of_repository_policy(backend.set_repository_policy)
    backend.put_registry_policy = _checking_principals_of_registry_policy(backend.put_registry_policy)
    backend.put_image = _refusing_immutable_tag_overwrite(backend.put_image)
    backend._resolve_image_tag_mutability = _images_holding_tag
    backend.put_replication_configuration = _replication_as_ecr_limits_it
    backend.put_image = _images_as_ecr_describes_them(backend.put_image)
    models.Image.get_image_size_in_bytes = _size_of_image_or_index(models.Image.get_image_size_in_bytes)
    backend._validate_registry_policy_action = _registry_policy_actions_as_ecr_documents
    ECRResponse.describe_repositories = _answering_one_window(ECRResponse.describe_repositories)
    _follow_model_repository_name_rule()


# ------------------------------------------------------- 2. reserved tags
#
# Source: AWS's tagging rules, e.g. "Tag restrictions" in the AWS Batch user
# guide and the Tag type of the ECS API reference: "Don't use aws:, AWS:, or
# any upper or lowercase combination of such as a prefix ... it is reserved
# for AWS use. You can't edit or delete tag keys or values with this prefix."
# Users hit it when tools copy CloudFormation's aws:cloudformation:* tags
# (jcjorel/ec2-spot-converter issue 13, spinnaker/clouddriver PR 2256).
# ECR's exact answer is not public: TagResource lists both
# InvalidParameterException and InvalidTagParameterException. The emulator
# answers InvalidParameterException naming the key's path; the wording is
# ours. Only keys are checked: whether ECR also refuses values that start
# with aws: (some services do) is not documented for ECR.

def _reserved(key):
    return isinstance(key, str) and key.lower().startswith("aws:")


def _refuse_reserved(keys, path):
    for i, key in enumerate(keys, 1):
        if _reserved(key):
            raise InvalidParameterException(
                f"Invalid parameter at '{path(i)}' failed to satisfy constraint: "
                f"'Tag keys starting with aws: are reserved for AWS use and cannot be added, changed or removed'"
            )


# ----------------------------------------------------------- 3. tag limits
#
# Source: the ECR API reference, TagResource, errors: "InvalidTagParameterException:
# ... Tag keys can have a maximum character length of 128 characters, and tag
# values can have a maximum length of 256 characters." and "TooManyTagsException:
# The list of tags on the repository is over the limit. The maximum number of
# tags that can be applied to a repository is 50." The model does not carry
# these limits (its Tag shape has no length constraints, TagList no maximum),
# so model validation cannot catch them. Tags with the reserved aws: prefix do
# not count towards the 50 (AWS's tagging rules, as above).


class InvalidTagParameterException(ServiceException):
    code = "InvalidTagParameterException"


class TooManyTagsException(ServiceException):
    code = "TooManyTagsException"


def _refuse_over_limits(existing, tags):
    for i, tag in enumerate(tags, 1):
        key, value = tag.get("Key") or "", tag.get("Value") or ""
        if len(key) > 128 or len(value) > 256:
            raise InvalidTagParameterException(
                f"Invalid parameter at 'tags.{i}.member': tag keys can have a maximum character length of "
                f"128 characters, and tag values can have a maximum length of 256 characters"
            )
    keys = set(existing) | {tag.get("Key") for tag in tags}
    if len([key for key in keys if not _reserved(key)]) > 50:
        raise TooManyTagsException(
            "The list of tags on the repository is over the limit. "
            "The maximum number of tags that can be applied to a repository is 50."
        )


# ------------------------------------------ the tag operations, rules 2 and 3

def _checking_tags_on_create(create_repository):
    def checked(self, repository_name, registry_id, encryption_config, image_scan_config,
                image_tag_mutability, tags, *args, **kwargs):
        _refuse_reserved([t.get("Key") for t in tags or []], lambda i: f"tags.{i}.member.Key")
        _refuse_over_limits({}, tags or [])
        return create_repository(self, repository_name, registry_id, encryption_config, image_scan_config,
                                 image_tag_mutability, tags, *args, **kwargs)
    return checked


def _checking_tags_on_tag(tag_resource):
    def checked(self, arn, tags):
        _refuse_reserved([t.get("Key") for t in tags or []], lambda i: f"tags.{i}.member.Key")
        resource = self._parse_resource_arn(arn)
        repository = self._get_repository(resource.repo_name, resource.account_id)
        _refuse_over_limits(self.tagger.get_tag_dict_for_resource(repository.arn), tags or [])
        return tag_resource(self, arn, tags)
    return checked


def _refusing_reserved_tags_on_untag(untag_resource):
    def checked(self, arn, tag_keys):
        _refuse_reserved(tag_keys or [], lambda i: f"tagKeys.{i}.member")
        return untag_resource(self, arn, tag_keys)
    return checked


def set_tag_unchecked(resource_arn, key, value):
    """The back door: tags a repository as AWS itself would (e.g. CloudFormation's
    aws:cloudformation:stack-name), without the reserved-prefix rule. Only tests
    call it, through POST /awsecr-test/tag. Returns an HTTP status."""
    match = re.match(models.ECR_REPOSITORY_ARN_PATTERN, resource_arn or "")
    if not match:
        return 400
    backend = models.ecr_backends[match["account_id"]][match["region"]]
    repository = backend.repositories.get(match["repo_name"])
    if repository is None:
        return 404
    backend.tagger.tag_resource(repository.arn, [{"Key": key, "Value": value}])
    return 200


# ---------------------------------------------------- 4. policy principals
#
# Source: hashicorp/terraform-provider-aws issue 39064 (and PR 39190),
# "ECR repository policy creation fails when using newly created IAM role":
# SetRepositoryPolicy answers "InvalidParameterException: Invalid parameter
# at 'PolicyText' failed to satisfy constraint: 'Principal not found'" while
# IAM has not yet propagated a new role; ministryofjustice/modernisation-platform
# PR 10129 hit the same message with a role that did not exist.
# What is checked: role and user ARNs of this emulator's own account, against
# moto's IAM (tests create them with Moto::create_role/create_user). Account
# ids, account root ARNs and "*" are always accepted. Principals of other
# accounts are accepted: real ECR presumably resolves them in their own
# account's IAM, which an emulator of one account cannot model. Principals of
# other kinds (services, federated, assumed-role sessions) are accepted too.
# PutRegistryPolicy resolves principals the same way (an IAM resource policy).

_IAM_PRINCIPAL = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>[0-9]{12}):(?P<kind>role|user)/.+")


def _aws_principals(policy_text):
    """Every AWS principal a policy names, under Principal or NotPrincipal."""
    try:
        policy = json.loads(policy_text)
    except (TypeError, ValueError):
        return []  # moto's own policy check answers for that
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    found = []
    for statement in statements:
        for key in ("Principal", "NotPrincipal"):
            principal = statement.get(key) if isinstance(statement, dict) else None
            if isinstance(principal, dict):
                aws = principal.get("AWS", [])
                found.extend([aws] if isinstance(aws, str) else aws)
    return found


def _refuse_unknown_principals(backend, policy_text):
    iam = iam_backends[backend.account_id][get_partition(backend.region_name)]
    known = {role.arn for role in iam.roles.values()} | {user.arn for user in iam.users.values()}
    for principal in _aws_principals(policy_text):
        match = _IAM_PRINCIPAL.fullmatch(principal) if isinstance(principal, str) else None
        if match and match["account"] == backend.account_id and principal not in known:
            raise InvalidParameterException(
                "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'"
            )


def _checking_principals_of_repository_policy(set_repository_policy):
    def checked(self, registry_id, repository_name, policy_text):
        self._get_repository(repository_name, registry_id)  # a missing repository is said first
        _refuse_malformed_principals_and_keys(policy_text, "repository")
        _refuse_unknown_principals(self, policy_text)
        return set_repository_policy(self, registry_id, repository_name, policy_text)
    return checked


def _checking_principals_of_registry_policy(put_registry_policy):
    def checked(self, policy_text):
        _refuse_malformed_principals_and_keys(policy_text, "registry")
        _refuse_unknown_principals(self, policy_text)
        return put_registry_policy(self, policy_text)
    return checked


# ------------------------------------ 11. principal forms and condition keys
#
# Source: the IAM User Guide, "AWS JSON policy elements: Principal" (a
# Principal is "*" or names principals under AWS, Service, Federated or
# CanonicalUser; "the identifier for a service principal includes the service
# name, and is usually in the following format: service-name.amazonaws.com")
# and "AWS JSON policy elements: Condition" (a key is a global key, prefix
# aws:, or a service's, prefix <service>:; "condition key names are not case
# sensitive"). ECR's answer for a policy it does not take is
# "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid
# repository policy provided'" (aws/aws-sdk-go issue 3921, terraform-aws-
# modules/terraform-aws-ecr issue 19; pulumi/pulumi-aws issue 2326 quotes the
# registry's 'Invalid registry policy provided'). Which principal or key ECR
# found wrong it does not say, and neither does the emulator. ECR takes the
# condition keys of organizations and services that policies name in the
# wild: aws:PrincipalOrgID and aws:PrincipalOrgPaths under Principal "*"
# (prowler-cloud/prowler issue 1151, bridgecrewio/checkov issue 1582),
# aws:sourceARN for lambda.amazonaws.com (AWS's Lambda knowledge-center
# example); their values are not checked (checkov 1582's "o-12345678").

_PRINCIPAL_KINDS = {"AWS", "Service", "Federated", "CanonicalUser"}
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?")
_CONDITION_KEY = re.compile(r"[A-Za-z0-9-]+:[^:\s].*")


def _malformed_principal(principal):
    if principal == "*":
        return False
    if not isinstance(principal, dict) or not principal:
        return True
    for kind, value in principal.items():
        values = [value] if isinstance(value, str) else value
        if kind not in _PRINCIPAL_KINDS or not isinstance(values, list) or not values:
            return True
        if not all(isinstance(v, str) and v for v in values):
            return True
        if kind == "Service" and not all(_SERVICE_PRINCIPAL.fullmatch(v) for v in values):
            return True
    return False


def _malformed_condition(condition):
    if not isinstance(condition, dict):
        return False  # moto's own policy check answers for that
    return any(
        not isinstance(keys, dict) or any(not _CONDITION_KEY.fullmatch(k) for k in keys)
        for keys in condition.values()
    )


def _refuse_malformed_principals_and_keys(policy_text, kind):
    try:
        policy = json.loads(policy_text)
    except (TypeError, ValueError):
        return  # moto's own policy check answers for that
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        principals = [statement[k] for k in ("Principal", "NotPrincipal") if k in statement]
        if any(_malformed_principal(p) for p in principals) or _malformed_condition(statement.get("Condition", {})):
            raise InvalidParameterException(
                f"Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid {kind} policy provided'"
            )


# ----------------------------------------------------- 5. immutable tags
#
# Source: the ECR API reference, PutImage, errors: "ImageTagAlreadyExistsException:
# The specified image is tagged with a tag that already exists. The
# repository is configured for tag immutability."; the message is the one
# docker push relays from ECR in aws/containers-roadmap issue 862 ("The image
# tag 'latest' already exists in the 'app_service_image' repository and cannot
# be overwritten because the repository is immutable."). Exclusion filters
# are WILDCARD filters where '*' matches any run of characters (API reference,
# ImageTagMutabilityExclusionFilter): IMMUTABLE_WITH_EXCLUSION makes matching
# tags mutable, MUTABLE_WITH_EXCLUSION makes them immutable.
# What moto 5.2.5 does differently: it answers ImageAlreadyExistsException
# (ECR's answer for re-pushing the same image under the same tag) and reads
# the filters as Python regular expressions ('v*' matches every tag, '*-rc'
# is a server error). Pushing the same manifest again under the same tag is
# left to moto (ImageAlreadyExistsException). Also: moto raises a bare
# Exception (HTTP 500) for PutImage into a missing repository; ECR answers
# RepositoryNotFoundException.


class ImageTagAlreadyExistsException(ServiceException):
    code = "ImageTagAlreadyExistsException"


def _wildcard(filter_value):
    return re.compile(".*".join(re.escape(part) for part in filter_value.split("*")))


def _tag_is_immutable(repository, tag):
    filters = repository.image_tag_mutability_exclusion_filters or []
    excluded = any(_wildcard(f.get("filter", "")).fullmatch(tag) for f in filters)
    mode = repository.image_tag_mutability
    if mode == "IMMUTABLE":
        return True
    if mode == "IMMUTABLE_WITH_EXCLUSION":
        return not excluded
    if mode == "MUTABLE_WITH_EXCLUSION":
        return excluded
    return False


def _images_holding_tag(self, repository, proposed_image_tag):
    """moto's own mutability check, minus its refusals (made in put_image below)."""
    return [image for image in repository.images if proposed_image_tag in image.image_tags]


def _refusing_immutable_tag_overwrite(put_image):
    def checked(self, repository_name, image_manifest, image_tag, *args, **kwargs):
        repository = self._get_repository(repository_name)
        if image_tag is not None and _tag_is_immutable(repository, image_tag):
            for image in _images_holding_tag(self, repository, image_tag):
                if image.image_manifest != image_manifest:
                    raise ImageTagAlreadyExistsException(
                        f"The image tag '{image_tag}' already exists in the '{repository_name}' repository "
                        f"and cannot be overwritten because the repository is immutable."
                    )
        return put_image(self, repository_name, image_manifest, image_tag, *args, **kwargs)
    return checked


# ---------------------------------------------------- 6. repository names
#
# Source: the installed botocore model (shape RepositoryName), the rule the
# SDKs are generated from; newer models allow '__' and runs of '-' between
# name components (crossplane-contrib/provider-upjet-aws issue 1179: real ECR
# accepts 'test-dan-humphries--hello-bosun', which the old pattern refuses).
# moto 5.2.5 checks names against the old pattern
# (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)* and so
# refuses 'a__b' and 'my-app--v2'. Names the model refuses are refused by
# model validation before moto sees them.

def _follow_model_repository_name_rule():
    models.ECR_REPOSITORY_NAME_PATTERN = ecr_model.pattern_of("RepositoryName")


# -------------------------------------------------- 8. replication rules
#
# Source: AWS's "Private image replication" documentation and the service
# quotas of Amazon ECR: a replication configuration holds up to 10 rules and
# up to 25 unique destinations across them; a destination must not be the
# registry itself (moto's own message for that is kept).

MAX_REPLICATION_RULES = 10
MAX_REPLICATION_DESTINATIONS = 25


def _replication_as_ecr_limits_it(self, replication_config):
    rules = replication_config.get("rules", [])
    if len(rules) > MAX_REPLICATION_RULES:
        raise InvalidParameterException(
            "Invalid parameter at 'replicationConfiguration.rules' failed to satisfy constraint: "
            f"'Member must have length less than or equal to {MAX_REPLICATION_RULES}'"
        )
    destinations = {(d["region"], d["registryId"]) for rule in rules for d in rule.get("destinations", [])}
    if len(destinations) > MAX_REPLICATION_DESTINATIONS:
        raise InvalidParameterException(
            "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
            f"'Replication configuration cannot have more than {MAX_REPLICATION_DESTINATIONS} unique destinations'"
        )
    if (self.region_name, self.account_id) in destinations:
        raise InvalidParameterException(
            "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
            "'Replication destination cannot be the same as the source registry'"
        )
    self.replication_config = replication_config
    return {"replicationConfiguration": replication_config}


# ------------------------------------------- 9. images, indexes, referrers
#
# Sources: the ECR API reference. ImageDetail: "imageDigest: The sha256 digest
# of the image manifest"; "subjectManifestDigest: The digest of the subject
# manifest for images that are referrers"; "artifactMediaType: The artifact
# media type of the image"; "imageSizeInBytes: ... If the image is a manifest
# list, this will be the max size of all manifests in the list". PutImage,
# errors: "ImageDigestDoesNotMatchException: The specified image digest does
# not match the digest that Amazon ECR calculated for the image" and
# "ReferencedImagesNotFoundException: The manifest list is referencing an
# image that does not exist". The OCI image spec (descriptor.md: a digest is
# the hash of the content's bytes; manifest.md and image-index.md: `subject`,
# `artifactType`, `manifests`) and the OCI distribution spec 1.1 ("Listing
# Referrers": a referrer's artifactType is the manifest's artifactType, else
# its config.mediaType); ECR serves OCI 1.1 referrers (ListImageReferrers in
# the same model). That artifactMediaType follows the same rule is our
# reading of those pages: an image's config media type, a signature's or
# SBOM's artifactType. The wording of the two refusals is ours.
# What moto 5.2.5 does differently: it hashes the layer digests of a manifest
# (and picks one of 101 random digests for an index), accepts any imageDigest,
# accepts an index naming images that do not exist, and describes no referrer
# or artifact type (nor an index's size).

INDEX_MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


class ImageDigestDoesNotMatchException(ServiceException):
    code = "ImageDigestDoesNotMatchException"


class ReferencedImagesNotFoundException(ServiceException):
    code = "ReferencedImagesNotFoundException"


def _images_as_ecr_describes_them(put_image):
    def described(self, repository_name, image_manifest, image_tag, image_manifest_mediatype=None, digest=None):
        repository = self._get_repository(repository_name)
        computed = "sha256:" + hashlib.sha256(image_manifest.encode("utf-8")).hexdigest()
        if digest is not None and digest != computed:
            raise ImageDigestDoesNotMatchException(
                f"The specified image digest '{digest}' does not match the digest '{computed}' "
                f"that Amazon ECR calculated for the image."
            )
        try:
            parsed = json.loads(image_manifest)
        except ValueError:
            parsed = None
        parsed = parsed if isinstance(parsed, dict) else {}
        media_type = image_manifest_mediatype or parsed.get("mediaType")
        children = []
        if media_type in INDEX_MEDIA_TYPES:
            held = {image.get_image_digest(): image for image in repository.images}
            named = [m.get("digest") for m in parsed.get("manifests") or [] if isinstance(m, dict)]
            missing = [str(d) for d in named if d not in held]
            if missing:
                raise ReferencedImagesNotFoundException(
                    f"The manifest list is referencing images that do not exist in the repository "
                    f"'{repository_name}': {', '.join(missing)}"
                )
            children = [held[d] for d in named]
        image = put_image(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, computed)
        subject = parsed.get("subject")
        image.subject_manifest_digest = subject.get("digest") if isinstance(subject, dict) else None
        config = parsed.get("config")
        config_type = config.get("mediaType") if isinstance(config, dict) else None
        image.artifact_media_type = parsed.get("artifactType") or config_type
        if children:
            sizes = [s for s in (c.get_image_size_in_bytes() for c in children) if s is not None]
            image.index_size_in_bytes = max(sizes, default=None)
        return image
    return described


def _size_of_image_or_index(get_image_size_in_bytes):
    def size(self):
        if getattr(self, "index_size_in_bytes", None) is not None:
            return self.index_size_in_bytes
        return get_image_size_in_bytes(self)
    return size


# ------------------------------------------------------------ 7. paging
#
# Source: the ECR API reference (DescribeRepositories, DescribeImages,
# ListImages, ...): "If this parameter is not used, then DescribeRepositories
# returns up to 100 results and a nextToken value, if applicable", and
# "This option cannot be used when you specify repositories with
# repositoryNames" (images with imageIds for DescribeImages). moto never
# pages, so a client that reads only the first page passes against it and
# loses repositories or images on an account with more than 100. Here pages
# are small (2 by default) so that every list a client reads must follow
# nextToken. Paged: every operation whose input has nextToken in the model
# (ListTagsForResource has none); the lists paged are the output's list
# members (for DescribeImageScanFindings, those inside imageScanFindings).
# Tokens are opaque, bound to the operation and its other parameters; a
# token that is not one of ours is refused. The wording of the refusals is
# ours; real ECR's is not public.
#
# Other lists are cut from moto's whole answer. DescribeRepositories is not:
# moto would describe every repository of the account for each page (about
# 0.5 s a page at 2,000 repositories), so a client paging through a large
# account would be measured against the emulator's cost rather than its own.
# The Emulator hands moto's DescribeRepositories a window (offset, size) for
# the request in hand; it lists as moto does, keeps the count, and describes
# only the window. Same repositories, same order, same answers as cutting the
# whole one.

_WINDOW = threading.local()
_REPOSITORY = ecr_model.MODEL.shape_for("Repository")
# Members moto keeps under another attribute name than the member's own.
_ATTRIBUTE = {"repositoryArn": "arn", "repositoryName": "name", "repositoryUri": "uri"}


def _plain(shape, value):
    """`value` as moto's JSON serializer writes it for `shape`: members in the
    model's order, absent ones left out, timestamps as epoch seconds to the
    millisecond. Only DescribeRepositories' window uses it (a fraction of
    moto's time for a repository); tests/emulator.rs holds the two answers
    equal."""
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, attribute, member in _members(shape):
            v = value.get(name) if isinstance(value, dict) else getattr(value, attribute, None)
            if v is not None:
                out[name] = _plain(member, v)
        return out
    if kind == "list":
        return [_plain(shape.member, item) for item in value]
    if kind == "timestamp":
        return TimestampSerializer._timestamp_unixtimestamp(value)
    return value.value if isinstance(value, Enum) else value


_MEMBERS = {}


def _members(shape):
    """A structure's (member, attribute, shape), worked out once (botocore
    builds `members` anew on every access)."""
    if shape.name not in _MEMBERS:
        _MEMBERS[shape.name] = [
            (name, _ATTRIBUTE.get(name, re.sub(r"([A-Z])", r"_\1", name).lower()), member)
            for name, member in shape.members.items()
        ]
    return _MEMBERS[shape.name]


def _answering_one_window(describe_repositories):
    def answered(self):
        window = getattr(_WINDOW, "wanted", None)
        if window is None or self._get_param("repositoryNames"):
            return describe_repositories(self)
        found = self.ecr_backend.describe_repositories(registry_id=self._get_param("registryId"))
        offset, size = window
        _WINDOW.total = len(found)
        return json.dumps({"repositories": [_plain(_REPOSITORY, r) for r in found[offset:offset + size]]})
    return answered


def _output_lists(operation):
    op = ecr_model.MODEL.operation_model(operation)
    if op.input_shape is None or "nextToken" not in op.input_shape.members or op.output_shape is None:
        return []
    members = op.output_shape.members
    top = [(name,) for name, shape in members.items() if shape.type_name == "list"]
    if top:
        return top
    return [
        (name, inner)
        for name, shape in members.items()
        if shape.type_name == "structure"
        for inner, inner_shape in shape.members.items()
        if inner_shape.type_name == "list"
    ]


PAGED = {op: lists for op in ecr_model.operations() if (lists := _output_lists(op))}
# A member that turns paging off, and with which maxResults/nextToken are refused.
UNPAGED_WITH = {"DescribeRepositories": "repositoryNames", "DescribeImages": "imageIds"}


def _fingerprint(operation, params):
    rest = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    return hashlib.sha256(json.dumps([operation, rest], sort_keys=True).encode()).hexdigest()[:16]


def _token(operation, params, offset):
    raw = json.dumps({"q": _fingerprint(operation, params), "n": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _offset(operation, params):
    """Where this page starts, or a Violation for a token that is not ours."""
    token = params.get("nextToken")
    if token is None:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        if decoded["q"] == _fingerprint(operation, params) and int(decoded["n"]) >= 0:
            return int(decoded["n"])
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    return ecr_model.Violation("InvalidParameterException", "nextToken", "Invalid NextToken")


def _page(operation, params, data, offset, size):
    """Cuts moto's full answer down to one page and adds nextToken if more remain."""
    more = False
    for path in PAGED[operation]:
        holder = data
        for name in path[:-1]:
            holder = holder.get(name) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and isinstance(holder.get(path[-1]), list):
            items = holder[path[-1]]
            holder[path[-1]] = items[offset:offset + size]
            more = more or len(items) > offset + size
    data.pop("nextToken", None)
    if more:
        data["nextToken"] = _token(operation, params, offset + size)
    return data


# -------------------------------------------------------- the WSGI layer

class Emulator:
    """WSGI middleware around moto's server app."""

    def __init__(self, app, strict):
        self.app = app
        self.strict = strict
        self.page_size = page_size() if strict else None

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/awsecr-test/tag":
            return self._back_door(environ, start_response)
        if environ.get("PATH_INFO") == "/awsecr-test/image":
            return self._image_back_door(environ, start_response)
        if environ.get("PATH_INFO") == "/awsecr-test/mode":
            return _respond(start_response, "200 OK", {"mode": "strict" if self.strict else "lenient"})
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target[len(ecr_model.TARGET_PREFIX):] if target.startswith(ecr_model.TARGET_PREFIX) else None
        if not self.strict or operation not in ecr_model.operations():
            return self.app(environ, start_response)
        params = _read_json(environ)
        if not isinstance(params, dict):
            return self.app(environ, start_response)  # not JSON: moto answers
        problem = ecr_model.violation(operation, params)
        if problem is not None:
            return _respond(start_response, "400 Bad Request", problem.body())
        if operation in PAGED:
            return self._paged(operation, params, environ, start_response)
        return self.app(environ, start_response)

    def _paged(self, operation, params, environ, start_response):
        exclusive = UNPAGED_WITH.get(operation)
        if exclusive and params.get(exclusive) is not None:
            for member in ("maxResults", "nextToken"):
                if params.get(member) is not None:
                    problem = ecr_model.Violation(
                        "InvalidParameterException", member, f"cannot be used together with {exclusive}"
                    )
                    return _respond(start_response, "400 Bad Request", problem.body())
            return self.app(environ, start_response)
        offset = _offset(operation, params)
        if isinstance(offset, ecr_model.Violation):
            return _respond(start_response, "400 Bad Request", offset.body())
        size = min(self.page_size, params.get("maxResults") or self.page_size)
        windowed = operation == "DescribeRepositories"
        if windowed:
            _WINDOW.wanted, _WINDOW.total = (offset, size), None
        try:
            status, headers, body = _call(self.app, environ)
        finally:
            total, _WINDOW.wanted = getattr(_WINDOW, "total", None), None
        if not status.startswith("200"):
            start_response(status, headers)
            return [body]
        data = json.loads(body or b"{}")
        if windowed and total is not None:
            # The backend answered the window alone: only the token is ours to add.
            data.pop("nextToken", None)
            if total > offset + size:
                data["nextToken"] = _token(operation, params, offset + size)
            page = data
        else:
            page = _page(operation, params, data, offset, size)
        kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-type")]
        return _respond(start_response, status, page, kept + [("Content-Type", "application/x-amz-json-1.1")])

    def _image_back_door(self, environ, start_response):
        request = _read_json(environ)
        if environ.get("REQUEST_METHOD") != "POST" or not isinstance(request, dict):
            return _respond(start_response, "400 Bad Request", {"message": "POST a JSON object"})
        status, message = ecr_lifecycle_preview.set_image_times(request)
        reason = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found"}[status]
        return _respond(start_response, reason, {"message": message} if message else {})

    def _back_door(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return _respond(start_response, "405 Method Not Allowed", {"message": "POST only"})
        request = _read_json(environ)
        if not isinstance(request, dict):
            return _respond(start_response, "400 Bad Request", {"message": "expected a JSON object"})
        status = set_tag_unchecked(request.get("resourceArn"), request.get("key"), request.get("value"))
        reason = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found"}[status]
        return _respond(start_response, reason, {} if status == 200 else {"message": "no such repository ARN"})


def _read_json(environ):
    """The request's JSON body (None if not JSON), left readable for moto."""
    body = get_input_stream(environ).read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)
    try:
        return json.loads(body) if body.strip() else {}
    except ValueError:
        return None


def _call(app, environ):
    """Runs the wrapped app and returns its (status, headers, body)."""
    answer = {}
    chunks = []

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], b"".join(chunks)


def _respond(start_response, status, payload, headers=None):
    data = json.dumps(payload).encode()
    headers = list(headers or [("Content-Type", "application/x-amz-json-1.1")])
    headers.append(("Content-Length", str(len(data))))
    start_response(status, headers)
    return [data]


# ------------------------------------------ 10. registry policy actions
#
# Source: AWS's "Private registry permissions in Amazon ECR": with scope V1
# ECR enforces ecr:ReplicateImage, ecr:BatchImportUpstreamImage and
# ecr:CreateRepository at the registry level ("If any additional actions are
# added to the registry policy, an error will occur"); with V2, the default
# scope, "Amazon ECR allows all ECR actions in the policy". The scope is the
# account setting REGISTRY_POLICY_SCOPE (ecr_registry_2026.py, V2 until put):
# with V2 an action outside ECR is refused, with V1 any other action than
# V1's three, with moto's own answer for an invalid registry policy.

V1_ACTIONS = {"ecr:replicateimage", "ecr:batchimportupstreamimage", "ecr:createrepository"}


def _registry_policy_actions_as_ecr_documents(self, policy_text):
    v1 = ecr_registry_2026.account_setting(self, "REGISTRY_POLICY_SCOPE") == "V1"
    policy = json.loads(policy_text)
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    for statement in statements:
        for key in ("Action", "NotAction"):
            actions = statement.get(key, [])
            for action in [actions] if isinstance(actions, str) else actions:
                if not action.lower().startswith("ecr:"):
                    raise models.MalformedPolicyDocument()
                if v1 and action.lower() not in V1_ACTIONS:
                    raise models.MalformedPolicyDocument()
