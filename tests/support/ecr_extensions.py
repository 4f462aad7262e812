"""ECR operations moto 5.2.5 does not implement (it answers them with HTTP 500),
served in both emulator modes: pull through cache rules and repository
creation templates.

`install(pages)` adds one method per operation to moto's ECRResponse (moto
dispatches X-Amz-Target ...CreatePullThroughCacheRule to
`create_pull_through_cache_rule`) and serializes the answers with moto's own
serializer against botocore's ECR model, so every request and response
shape, timestamp format (JSON protocol: epoch seconds) and error code is
the model's. In strict mode the requests are also checked against the model
first (ecr_model.py validates every operation by name), and the strict
layer pages the two Describe operations (ecr_strict.py, rule 7): there
`pages` is False and the answers here carry every item. In lenient mode
`pages` is True and the Describe operations page as AWS does (maxResults,
default 100, and a nextToken).

State lives on moto's ECR backend object of the account and region
(`moto.ecr.models.ecr_backends[account][region]`), so POST /moto-api/reset
clears it with the rest of moto (BaseBackend.reset empties the object's
__dict__). registryId in answers is the account id; a registryId in the
request is not compared with it (moto's own operations do not either).

Where a behaviour comes from is said above its code. Error codes are the
model's; messages are ECR's where a public source quotes them (and say so),
otherwise the model's error documentation or ours.
"""
import base64
import hashlib
import json
import re
from datetime import datetime, timezone

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ecr import responses
from moto.ecr.exceptions import InvalidParameterException

# True: the Describe operations page here (lenient); False: ecr_strict pages them.
_PAGES = True

# Source: the API reference of DescribePullThroughCacheRules and
# DescribeRepositoryCreationTemplates (maxResults): "If this parameter is not
# used, then ... returns up to 100 results and a nextToken value, if applicable."
DEFAULT_PAGE_SIZE = 100

ROOT = "ROOT"


# ---------------------------------------------------------------- errors
#
# Codes from the model's error shapes; messages from their documentation
# unless a quote is given.

class PullThroughCacheRuleAlreadyExistsException(ServiceException):
    code = "PullThroughCacheRuleAlreadyExistsException"
    message = "A pull through cache rule with these settings already exists for the private registry."


class PullThroughCacheRuleNotFoundException(ServiceException):
    code = "PullThroughCacheRuleNotFoundException"


class UnsupportedUpstreamRegistryException(ServiceException):
    code = "UnsupportedUpstreamRegistryException"


class TemplateAlreadyExistsException(ServiceException):
    code = "TemplateAlreadyExistsException"


class TemplateNotFoundException(ServiceException):
    code = "TemplateNotFoundException"


def _rule_not_found(prefix, registry_id):
    return PullThroughCacheRuleNotFoundException(
        f"The pull through cache rule with ecrRepositoryPrefix '{prefix}' does not exist in the registry "
        f"with id '{registry_id}'. Specify a valid pull through cache rule and try again."
    )


def _template_not_found(prefix, registry_id):
    return TemplateNotFoundException(
        f"The repository creation template with prefix '{prefix}' does not exist in the registry with id "
        f"'{registry_id}'. Verify the registry ID and prefix and try again."
    )


def _invalid(member, constraint):
    # ECR's own validation wording (see ecr_model.py).
    return InvalidParameterException(f"Invalid parameter at '{member}' failed to satisfy constraint: '{constraint}'")


def _required(params, member):
    # Strict mode refuses a missing member before this runs (model
    # validation); lenient mode answers the same instead of a server error.
    value = params.get(member)
    if value is None:
        raise _invalid(member, "Member must not be null")
    return value


# ------------------------------------------------------------------ state

def _rules(backend):
    return backend.__dict__.setdefault("awsecr_pull_through_cache_rules", {})


def _templates(backend):
    return backend.__dict__.setdefault("awsecr_repository_creation_templates", {})


def _now():
    # moto's serializer writes datetimes as the JSON protocol's epoch seconds.
    return datetime.now(timezone.utc)


def _present(record):
    """A record without its unset members (the serializer picks the shape's)."""
    return {k: v for k, v in record.items() if v is not None}


# ------------------------------------------------- upstream registries
#
# Source for the URLs: the model's documentation of upstreamRegistryUrl
# (CreatePullThroughCacheRule, the same text as the API reference): "Amazon
# ECR (ecr) – <accountId>.dkr.ecr.<region>.amazonaws.com, Amazon ECR Public
# (ecr-public) – public.ecr.aws, Docker Hub (docker-hub) –
# registry-1.docker.io, GitHub Container Registry (github-container-registry)
# – ghcr.io, GitLab Container Registry (gitlab-container-registry) –
# registry.gitlab.com, Kubernetes (k8s) – registry.k8s.io, Microsoft Azure
# Container Registry (azure-container-registry) – <custom>.azurecr.io, Quay
# (quay) – quay.io". The model the tests run with (botocore 1.44.18) adds
# "Amazon ECR Public Premium (ecr-public-premium) – ecr-premium.aws.com".
# The model's UpstreamRegistry enum also has 'chainguard', whose URL AWS's
# reference does not list: cgr.dev is Chainguard's registry host
# (Chainguard's registry documentation, edu.chainguard.dev, "pull through
# from Chainguard's registry to Amazon ECR"). An upstreamRegistry left out is
# the one the URL names. check_ecr_extensions.py compares UPSTREAMS with the
# model's enum, so an upstream AWS adds fails there.
#
# Source for authentication: the user guide, "Sync an upstream registry with
# an Amazon ECR private registry": "Amazon ECR Public, Kubernetes container
# image registry, and Quay (doesn't require authentication); Docker Hub,
# Microsoft Azure Container Registry, GitHub Container Registry, GitLab
# Container Registry and Chainguard Registry (requires authentication with
# AWS Secrets Manager secret); Amazon ECR (requires authentication with AWS
# IAM role)". "For Amazon ECR, you must create an IAM role if the upstream
# and downstream Amazon ECR registries belong to different AWS account."

_ECR_URL = re.compile(r"(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z]{2}(-[a-z]+)+-[0-9])\.amazonaws\.com")

UPSTREAMS = {
    "ecr-public": re.compile(re.escape("public.ecr.aws")),
    "quay": re.compile(re.escape("quay.io")),
    "k8s": re.compile(re.escape("registry.k8s.io")),
    "docker-hub": re.compile(re.escape("registry-1.docker.io")),
    "github-container-registry": re.compile(re.escape("ghcr.io")),
    "gitlab-container-registry": re.compile(re.escape("registry.gitlab.com")),
    "azure-container-registry": re.compile(r"[a-z0-9]+\.azurecr\.io"),
    "chainguard": re.compile(re.escape("cgr.dev")),
    "ecr-public-premium": re.compile(re.escape("ecr-premium.aws.com")),
    "ecr": _ECR_URL,
}
NEEDS_SECRET = {
    "docker-hub",
    "github-container-registry",
    "gitlab-container-registry",
    "azure-container-registry",
    "chainguard",
}

_IAM_ROLE = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>[0-9]{12}):role/.+")


def upstream_of(url):
    """The upstream registry name a URL belongs to, or None."""
    for name, pattern in UPSTREAMS.items():
        if pattern.fullmatch(url):
            return name
    return None


def _check_upstream(url, named):
    # Source: goharbor/harbor issue 20174 quotes ECR's answer to a URL it does
    # not support: "UnsupportedUpstreamRegistryException ... The upstream
    # registry URL harbor.example.com is invalid. Specify a valid upstream
    # registry URL and try again". A URL of another registry than the
    # upstreamRegistry given gets the same code (the model documents it as
    # "The specified upstream registry isn't supported."); its wording is ours.
    derived = upstream_of(url)
    if derived is None:
        raise UnsupportedUpstreamRegistryException(
            f"The upstream registry URL {url} is invalid. Specify a valid upstream registry URL and try again"
        )
    if named is not None and named != derived:
        raise UnsupportedUpstreamRegistryException(
            f"The upstream registry URL {url} does not match the upstream registry {named}. "
            f"Specify a valid upstream registry URL and try again"
        )
    return derived


def _check_credentials(backend, upstream, url, credential_arn, custom_role_arn, upstream_role_arn=None):
    # A secret is required where the user guide says authentication with a
    # Secrets Manager secret is required. ECR's answer without one is quoted in
    # aws-controllers-k8s/community issue 2589 ("UnsupportedUpstreamRegistryException:
    # The specified upstream registry requires authentication. Specify a valid
    # Secrets Manager ARN"; the end of the sentence is ours).
    if upstream in NEEDS_SECRET and credential_arn is None:
        raise UnsupportedUpstreamRegistryException(
            "The specified upstream registry requires authentication. Specify a valid Secrets Manager ARN "
            "and try again."
        )
    # The registries that need no authentication, and Amazon ECR (an IAM role,
    # not a secret), take no secret. ECR's answer is not public: the code is
    # InvalidParameterException naming the member, the wording ours.
    if upstream not in NEEDS_SECRET and credential_arn is not None:
        raise _invalid("credentialArn", f"The upstream registry {upstream} does not use a Secrets Manager secret")
    _check_custom_role(backend, custom_role_arn)
    # Source: the model's documentation of upstreamRoleArn: "You can use this
    # parameter only for the Amazon ECR Public Premium upstream registry, and
    # it requires customRoleArn"; of customRoleArn: "For an Amazon ECR Public
    # Premium upstream registry, specify this role together with
    # upstreamRoleArn. If you specify neither role, Amazon ECR uses its
    # service-linked role." ECR's answers are not public; the wording is ours.
    if upstream_role_arn is not None and upstream != "ecr-public-premium":
        raise _invalid("upstreamRoleArn", "upstreamRoleArn is only for the ecr-public-premium upstream registry")
    if upstream == "ecr-public-premium" and (custom_role_arn is None) != (upstream_role_arn is None):
        raise _invalid(
            "customRoleArn" if custom_role_arn is None else "upstreamRoleArn",
            "customRoleArn and upstreamRoleArn go together for the ecr-public-premium upstream registry",
        )
    # ECR upstreams of another account need the IAM role (user guide above;
    # also hashicorp/terraform-provider-aws PR 41933: "custom_role_arn is
    # required if the upstream registry is a cross-account ECR private
    # registry"). ECR's answer is not public; the wording is ours.
    if upstream == "ecr" and custom_role_arn is None:
        if _ECR_URL.fullmatch(url)["account"] != backend.account_id:
            raise _invalid(
                "customRoleArn",
                "An IAM role is required for an Amazon ECR upstream registry in another account",
            )


def _check_custom_role(backend, custom_role_arn):
    # Source: the model's documentation of customRoleArn (rules and
    # templates): "This role must be in the same account as the registry that
    # you are configuring." ECR's answer is not public; the wording is ours.
    match = _IAM_ROLE.fullmatch(custom_role_arn or "")
    if match and match["account"] != backend.account_id:
        raise _invalid("customRoleArn", "The role must be in the same account as the registry")


# ------------------------------------------------- pull through cache rules

def create_rule(backend, params):
    prefix = _required(params, "ecrRepositoryPrefix")
    url = _required(params, "upstreamRegistryUrl")
    upstream = _check_upstream(url, params.get("upstreamRegistry"))
    credential_arn, custom_role_arn = params.get("credentialArn"), params.get("customRoleArn")
    upstream_role_arn = params.get("upstreamRoleArn")
    _check_credentials(backend, upstream, url, credential_arn, custom_role_arn, upstream_role_arn)
    upstream_prefix = params.get("upstreamRepositoryPrefix")
    # Source: user guide, "Customizing repository prefixes for ECR to ECR pull
    # through cache": the upstream repository prefix "By default ... is set
    # to ROOT ... You can set the upstream repository prefix only when the
    # Amazon ECR repository prefix has a non-ROOT value." ECR's answer is not
    # public; the wording is ours.
    if prefix == ROOT and upstream_prefix not in (None, ROOT):
        raise _invalid(
            "upstreamRepositoryPrefix",
            "The upstream repository prefix can be set only when ecrRepositoryPrefix is not ROOT",
        )
    # The model's documentation: "When this field isn't specified, Amazon ECR
    # will use the ROOT." Answered for ECR upstreams, where the field applies;
    # for the others it is answered only when given (the public-registry rule
    # of terraform-provider-aws's acceptance test TestAccECRPullThroughCacheRule_basic
    # reads back no upstream_repository_prefix, or its plan would not be empty).
    if upstream_prefix is None and upstream == "ecr":
        upstream_prefix = ROOT
    rules = _rules(backend)
    if prefix in rules:
        raise PullThroughCacheRuleAlreadyExistsException()
    now = _now()
    rules[prefix] = {
        "ecrRepositoryPrefix": prefix,
        "upstreamRegistryUrl": url,
        "upstreamRegistry": upstream,
        "registryId": backend.account_id,
        "credentialArn": credential_arn,
        "customRoleArn": custom_role_arn,
        "upstreamRoleArn": upstream_role_arn,
        "upstreamRepositoryPrefix": upstream_prefix,
        "createdAt": now,
        "updatedAt": now,
    }
    return _present(rules[prefix])


def _rule(backend, prefix):
    rule = _rules(backend).get(prefix)
    if rule is None:
        raise _rule_not_found(prefix, backend.account_id)
    return rule


def describe_rules(backend, params):
    rules = _rules(backend)
    prefixes = params.get("ecrRepositoryPrefixes")
    if prefixes:
        # Naming a rule that does not exist is PullThroughCacheRuleNotFoundException
        # (the model lists it for this operation; terraform-provider-aws reads
        # it as "not found" in findPullThroughCacheRules).
        found = [_rule(backend, prefix) for prefix in dict.fromkeys(prefixes)]
    else:
        found = list(rules.values())
    return _paged("DescribePullThroughCacheRules", params, "pullThroughCacheRules", [_present(r) for r in found])


def update_rule(backend, params):
    # Source: the model: UpdatePullThroughCacheRule changes credentialArn and
    # customRoleArn, under the same rules as on creation.
    rule = _rule(backend, _required(params, "ecrRepositoryPrefix"))
    credential_arn = params.get("credentialArn", rule["credentialArn"])
    custom_role_arn = params.get("customRoleArn", rule["customRoleArn"])
    upstream_role_arn = params.get("upstreamRoleArn", rule["upstreamRoleArn"])
    _check_credentials(backend, rule["upstreamRegistry"], rule["upstreamRegistryUrl"], credential_arn, custom_role_arn,
                       upstream_role_arn)
    rule.update(credentialArn=credential_arn, customRoleArn=custom_role_arn, upstreamRoleArn=upstream_role_arn,
                updatedAt=_now())
    return _present(rule)


def delete_rule(backend, params):
    prefix = _required(params, "ecrRepositoryPrefix")
    rule = _rule(backend, prefix)
    del _rules(backend)[prefix]
    return _present(rule)


def validate_rule(backend, params):
    # ECR would read the secret and sign in to the upstream registry; no
    # network here: a rule that exists is valid.
    rule = _rule(backend, _required(params, "ecrRepositoryPrefix"))
    return {**_present(rule), "isValid": True}


# -------------------------------------------- repository creation templates
#
# Source: the model (CreateRepositoryCreationTemplate and the
# RepositoryCreationTemplate shape) and the user guide, "Private repository
# creation templates": templates are keyed by prefix; "To apply a template
# to all repositories in your registry that don't have an associated
# creation template, you can use ROOT as the prefix." imageTagMutability: "If
# this parameter is omitted, the default setting of MUTABLE will be used."
# encryptionConfiguration left out is AES256, as for CreateRepository
# (terraform-provider-aws suppresses the diff of an encryption_configuration
# block that ECR returns but the configuration leaves out). An update changes
# the members it names and keeps the others.

TEMPLATE_MEMBERS = (
    "description",
    "encryptionConfiguration",
    "resourceTags",
    "imageTagMutability",
    "imageTagMutabilityExclusionFilters",
    "repositoryPolicy",
    "lifecyclePolicy",
    "appliedFor",
    "customRoleArn",
)


def _template_answer(backend, template):
    return {"registryId": backend.account_id, "repositoryCreationTemplate": _present(template)}


def create_template(backend, params):
    prefix = _required(params, "prefix")
    _check_custom_role(backend, params.get("customRoleArn"))
    templates = _templates(backend)
    if prefix in templates:
        raise TemplateAlreadyExistsException(
            f"The repository creation template with prefix '{prefix}' already exists in the registry with id "
            f"'{backend.account_id}'. Specify a unique prefix and try again."
        )
    now = _now()
    template = {"prefix": prefix, **{member: params.get(member) for member in TEMPLATE_MEMBERS}}
    template["imageTagMutability"] = template["imageTagMutability"] or "MUTABLE"
    template["encryptionConfiguration"] = template["encryptionConfiguration"] or {"encryptionType": "AES256"}
    template.update(createdAt=now, updatedAt=now)
    templates[prefix] = template
    return _template_answer(backend, template)


def _template(backend, prefix):
    template = _templates(backend).get(prefix)
    if template is None:
        raise _template_not_found(prefix, backend.account_id)
    return template


def describe_templates(backend, params):
    templates = _templates(backend)
    prefixes = params.get("prefixes")
    # The model lists no TemplateNotFoundException for this operation: a
    # prefix without a template is left out of the answer.
    found = [templates[p] for p in dict.fromkeys(prefixes) if p in templates] if prefixes else templates.values()
    page = _paged(
        "DescribeRepositoryCreationTemplates", params, "repositoryCreationTemplates", [_present(t) for t in found]
    )
    return {"registryId": backend.account_id, **page}


def update_template(backend, params):
    template = _template(backend, _required(params, "prefix"))
    _check_custom_role(backend, params.get("customRoleArn"))
    template.update({member: params[member] for member in TEMPLATE_MEMBERS if params.get(member) is not None})
    template["updatedAt"] = _now()
    return _template_answer(backend, template)


def delete_template(backend, params):
    prefix = _required(params, "prefix")
    template = _template(backend, prefix)
    del _templates(backend)[prefix]
    return _template_answer(backend, template)


# ----------------------------------------------------------------- paging
#
# Lenient mode only (see the module's docstring). Tokens are opaque and
# bound to the operation and its other parameters, as in ecr_strict.py; a
# token that is not one of ours is refused (wording ours).

def _fingerprint(operation, params):
    rest = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    return hashlib.sha256(json.dumps([operation, rest], sort_keys=True).encode()).hexdigest()[:16]


def _paged(operation, params, member, items):
    if not _PAGES:
        return {member: items}
    offset = 0
    token = params.get("nextToken")
    if token is not None:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
            if decoded["q"] != _fingerprint(operation, params) or int(decoded["n"]) < 0:
                raise ValueError(token)
            offset = int(decoded["n"])
        except (ValueError, TypeError, KeyError, AttributeError):
            raise _invalid("nextToken", "Invalid NextToken") from None
    size = params.get("maxResults") or DEFAULT_PAGE_SIZE
    answer = {member: items[offset:offset + size]}
    if len(items) > offset + size:
        raw = json.dumps({"q": _fingerprint(operation, params), "n": offset + size}).encode()
        answer["nextToken"] = base64.urlsafe_b64encode(raw).decode()
    return answer


# ---------------------------------------------------------- installation

OPERATIONS = {
    "create_pull_through_cache_rule": create_rule,
    "describe_pull_through_cache_rules": describe_rules,
    "update_pull_through_cache_rule": update_rule,
    "delete_pull_through_cache_rule": delete_rule,
    "validate_pull_through_cache_rule": validate_rule,
    "create_repository_creation_template": create_template,
    "describe_repository_creation_templates": describe_templates,
    "update_repository_creation_template": update_template,
    "delete_repository_creation_template": delete_template,
}


def _response_method(handler):
    def method(self):
        try:
            params = json.loads(self.body or "{}")
        except ValueError:
            params = None
        if not isinstance(params, dict):
            raise InvalidParameterException("The request body is not a JSON object")
        return ActionResult(handler(self.ecr_backend, params))
    method.__name__ = handler.__name__
    return method


def install(pages):
    """Serves the operations above; `pages`: whether the Describe operations
    page here (lenient mode) or are left to ecr_strict's paging (strict)."""
    global _PAGES
    _PAGES = pages
    for name, handler in OPERATIONS.items():
        setattr(responses.ECRResponse, name, _response_method(handler))
