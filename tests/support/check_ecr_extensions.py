"""Drives the emulator's pull through cache rule and repository creation
template operations (ecr_extensions.py) with boto3, as a client of real ECR
would, and stops at the first thing that is not as ECR answers it.

    python check_ecr_extensions.py http://127.0.0.1:PORT [ACCOUNT]

ACCOUNT is the emulator's account id (moto's default, 123456789012, unless
given). Works against either mode (it asks GET /awsecr-test/mode and checks
the strict mode's model validation and small pages there). Every answer,
errors aside, is also checked against the model's output shape from its raw
JSON: members the shape does not have, values of the wrong JSON type,
timestamps that are not epoch seconds, strings outside their enum (boto3's
own parser would silently drop or mis-read those). Exits 0 when everything
holds, 1 with a message naming the first failure otherwise.
"""
import json
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
OTHER_ACCOUNT = "210987654321"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# ------------------------------------------------------- shape checking

def _walk(shape, value, path):
    kind = shape.type_name
    if kind == "structure":
        check(isinstance(value, dict), f"{path}: expected an object, got {value!r}")
        for key, item in value.items():
            check(key in shape.members, f"{path}: member {key!r} is not in the model's {shape.name}")
            _walk(shape.members[key], item, f"{path}.{key}")
    elif kind == "list":
        check(isinstance(value, list), f"{path}: expected a list, got {value!r}")
        for i, item in enumerate(value):
            _walk(shape.member, item, f"{path}[{i}]")
    elif kind == "map":
        check(isinstance(value, dict), f"{path}: expected a map, got {value!r}")
        for key, item in value.items():
            _walk(shape.value, item, f"{path}.{key}")
    elif kind == "string":
        check(isinstance(value, str), f"{path}: expected a string, got {value!r}")
        check(not shape.enum or value in shape.enum, f"{path}: {value!r} is not one of {shape.enum}")
    elif kind == "timestamp":
        # The JSON protocol's timestamps are epoch seconds (a JSON number).
        check(isinstance(value, (int, float)) and not isinstance(value, bool),
              f"{path}: a timestamp must be epoch seconds, got {value!r}")
    elif kind == "boolean":
        check(isinstance(value, bool), f"{path}: expected a boolean, got {value!r}")
    elif kind in ("integer", "long"):
        check(isinstance(value, int) and not isinstance(value, bool), f"{path}: expected an integer, got {value!r}")


def _check_raw_answer(http_response, model, **_):
    if http_response.status_code != 200 or model.output_shape is None:
        return
    body = http_response.content
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        raise Failure(f"{model.name}: the answer is not JSON: {body[:200]!r}") from None
    _walk(model.output_shape, data, model.name)


# --------------------------------------------------------------- helpers

def client(endpoint, validate=True):
    ecr = boto3.client(
        "ecr",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, parameter_validation=validate),
    )
    ecr.meta.events.register("after-call.ecr", _check_raw_answer)
    return ecr


def refused(code, call, member=None, **params):
    """Calls `call(**params)` and checks that it fails with `code` (naming `member`)."""
    try:
        answer = call(**params)
    except ClientError as e:
        error = e.response["Error"]
        got, message = error.get("Code"), error.get("Message", "")
        check(got == code, f"{call.__name__}({params}): expected {code}, got {got}: {message}")
        if member is not None:
            check(member in message, f"{call.__name__}({params}): the message should name {member}: {message}")
        return message
    raise Failure(f"{call.__name__}({params}): expected {code}, but it succeeded: {answer}")


def secret_arn(account, name):
    return f"arn:aws:secretsmanager:{REGION}:{account}:secret:ecr-pullthroughcache/{name}-AbCdEf"


def http(endpoint, method, path, body=b"", headers=None):
    request = urllib.request.Request(endpoint + path, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.read()


def all_pages(ecr, operation, member, **params):
    items, pages = [], 0
    for page in ecr.get_paginator(operation).paginate(**params):
        items.extend(page[member])
        pages += 1
    return items, pages


# ---------------------------------------------------- pull through cache

def check_rules(ecr, raw, account, strict):
    def arn(name):
        return secret_arn(account, name)

    role = f"arn:aws:iam::{account}:role/ecr-pull-through-cache"
    check(ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == [], "no rules at first")

    # The stand-in knows every upstream of the model it runs with: one AWS
    # adds fails here until UPSTREAMS (ecr_extensions.py) has its URL.
    from ecr_extensions import UPSTREAMS
    model = set(ecr.meta.service_model.shape_for("UpstreamRegistry").enum)
    check(set(UPSTREAMS) == model, f"UPSTREAMS {sorted(UPSTREAMS)} is not the model's enum {sorted(model)}")

    # Each supported URL, its upstreamRegistry derived when left out.
    cases = [
        ("ecr-public", "public.ecr.aws", "ecr-public", {}),
        ("quay", "quay.io", "quay", {}),
        ("k8s", "registry.k8s.io", "k8s", {}),
        ("docker-hub", "registry-1.docker.io", "docker-hub", {"credentialArn": arn("docker-hub")}),
        ("github", "ghcr.io", "github-container-registry", {"credentialArn": arn("github")}),
        ("gitlab", "registry.gitlab.com", "gitlab-container-registry", {"credentialArn": arn("gitlab")}),
        ("azure", "myregistry.azurecr.io", "azure-container-registry", {"credentialArn": arn("azure")}),
        ("chainguard", "cgr.dev", "chainguard", {"credentialArn": arn("chainguard")}),
        ("premium", "ecr-premium.aws.com", "ecr-public-premium", {}),
        ("ecr-west", f"{account}.dkr.ecr.us-west-2.amazonaws.com", "ecr", {}),
    ]
    for prefix, url, upstream, extra in cases:
        made = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix=prefix, upstreamRegistryUrl=url, **extra)
        check(made["ecrRepositoryPrefix"] == prefix, f"create {prefix}: {made}")
        check(made["upstreamRegistryUrl"] == url, f"create {prefix}: {made}")
        check(made["upstreamRegistry"] == upstream, f"{url} is {upstream}, answered {made.get('upstreamRegistry')}")
        check(made["registryId"] == account, f"create {prefix}: registryId {made.get('registryId')}")
        check("createdAt" in made, f"create {prefix}: no createdAt")
        check(made.get("credentialArn") == extra.get("credentialArn"), f"create {prefix}: credentialArn {made}")
    # Naming the upstreamRegistry that the URL belongs to is fine too.
    ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="quay-named", upstreamRegistryUrl="quay.io", upstreamRegistry="quay"
    )
    # An ECR upstream answers the default upstream prefix, ROOT.
    west = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["ecr-west"])["pullThroughCacheRules"][0]
    check(west.get("upstreamRepositoryPrefix") == "ROOT", f"ECR upstream prefix defaults to ROOT: {west}")
    print("ok: a rule for every upstream registry, upstreamRegistry derived from the URL")

    # The same prefix twice.
    refused("PullThroughCacheRuleAlreadyExistsException", ecr.create_pull_through_cache_rule,
            ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    # URLs of no supported registry, or of another registry than the one named.
    message = refused("UnsupportedUpstreamRegistryException", ecr.create_pull_through_cache_rule,
                      ecrRepositoryPrefix="harbor", upstreamRegistryUrl="harbor.example.com")
    check("harbor.example.com" in message, f"the message names the URL: {message}")
    refused("UnsupportedUpstreamRegistryException", ecr.create_pull_through_cache_rule,
            ecrRepositoryPrefix="mismatch", upstreamRegistryUrl="public.ecr.aws", upstreamRegistry="quay")
    refused("UnsupportedUpstreamRegistryException", ecr.create_pull_through_cache_rule,
            ecrRepositoryPrefix="scheme", upstreamRegistryUrl="https://quay.io")
    # Registries that need a secret, without one.
    for prefix, url in [("dh", "registry-1.docker.io"), ("gh", "ghcr.io"), ("gl", "registry.gitlab.com"),
                        ("az", "other.azurecr.io"), ("cg", "cgr.dev")]:
        message = refused("UnsupportedUpstreamRegistryException", ecr.create_pull_through_cache_rule,
                          ecrRepositoryPrefix=prefix, upstreamRegistryUrl=url)
        check("requires authentication" in message, f"{url}: {message}")
    # Registries that take none (ECR takes an IAM role instead).
    for prefix, url in [("ep", "public.ecr.aws"), ("qy", "quay.io"), ("ks", "registry.k8s.io"),
                        ("pp", "ecr-premium.aws.com"), ("ec", f"{account}.dkr.ecr.eu-west-1.amazonaws.com")]:
        refused("InvalidParameterException", ecr.create_pull_through_cache_rule, member="credentialArn",
                ecrRepositoryPrefix=prefix, upstreamRegistryUrl=url, credentialArn=arn("x"))
    # ECR of another account needs a role, of this account.
    other = f"{OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    refused("InvalidParameterException", ecr.create_pull_through_cache_rule, member="customRoleArn",
            ecrRepositoryPrefix="cross", upstreamRegistryUrl=other)
    refused("InvalidParameterException", ecr.create_pull_through_cache_rule, member="customRoleArn",
            ecrRepositoryPrefix="cross", upstreamRegistryUrl=other,
            customRoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/elsewhere")
    # ECR Public Premium: customRoleArn and upstreamRoleArn together, or neither.
    premium_role = f"arn:aws:iam::{account}:role/premium"
    refused("InvalidParameterException", ecr.create_pull_through_cache_rule, member="upstreamRoleArn",
            ecrRepositoryPrefix="pp", upstreamRegistryUrl="ecr-premium.aws.com", customRoleArn=role)
    refused("InvalidParameterException", ecr.create_pull_through_cache_rule, member="customRoleArn",
            ecrRepositoryPrefix="pp", upstreamRegistryUrl="ecr-premium.aws.com", upstreamRoleArn=premium_role)
    refused("InvalidParameterException", ecr.create_pull_through_cache_rule, member="upstreamRoleArn",
            ecrRepositoryPrefix="qq", upstreamRegistryUrl="quay.io", customRoleArn=role, upstreamRoleArn=premium_role)
    both = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="pp", upstreamRegistryUrl="ecr-premium.aws.com",
                                              customRoleArn=role, upstreamRoleArn=premium_role)
    check(both["upstreamRoleArn"] == premium_role and both["upstreamRegistry"] == "ecr-public-premium", f"pp: {both}")
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="pp")
    cross = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="cross", upstreamRegistryUrl=other, customRoleArn=role, upstreamRepositoryPrefix="team"
    )
    check(cross["customRoleArn"] == role and cross["upstreamRepositoryPrefix"] == "team", f"cross: {cross}")
    print("ok: PullThroughCacheRuleAlreadyExistsException, UnsupportedUpstreamRegistryException, "
          "credentialArn and customRoleArn rules")

    # ROOT: every repository; an upstream prefix only with a non-ROOT prefix.
    refused("InvalidParameterException", ecr.create_pull_through_cache_rule, member="upstreamRepositoryPrefix",
            ecrRepositoryPrefix="ROOT", upstreamRegistryUrl=f"{account}.dkr.ecr.eu-west-1.amazonaws.com",
            upstreamRepositoryPrefix="team")
    root = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ROOT", upstreamRegistryUrl="public.ecr.aws")
    check(root["ecrRepositoryPrefix"] == "ROOT", f"ROOT: {root}")
    found = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["ROOT"])["pullThroughCacheRules"]
    check([r["ecrRepositoryPrefix"] for r in found] == ["ROOT"], f"describe ROOT: {found}")
    print("ok: ROOT prefix")

    # The filter, and a prefix without a rule.
    found = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["quay", "k8s"])["pullThroughCacheRules"]
    check(sorted(r["ecrRepositoryPrefix"] for r in found) == ["k8s", "quay"], f"filter: {found}")
    for rule in found:
        check("createdAt" in rule and "updatedAt" in rule, f"describe: timestamps: {rule}")
    refused("PullThroughCacheRuleNotFoundException", ecr.describe_pull_through_cache_rules,
            ecrRepositoryPrefixes=["quay", "nothing-here"])

    # Update: credentialArn and customRoleArn, under the same rules.
    before = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["docker-hub"])["pullThroughCacheRules"][0]
    updated = ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub", credentialArn=arn("docker-hub-2"))
    check(updated["credentialArn"] == arn("docker-hub-2") and updated["registryId"] == account, f"update: {updated}")
    check(updated["updatedAt"] >= before["createdAt"], f"update: updatedAt {updated['updatedAt']}")
    after = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["docker-hub"])["pullThroughCacheRules"][0]
    check(after["credentialArn"] == arn("docker-hub-2"), f"the update holds: {after}")
    check(after["createdAt"] == before["createdAt"] and after["upstreamRegistryUrl"] == "registry-1.docker.io",
          f"the rest is kept: {after}")
    newer_role = f"arn:aws:iam::{account}:role/ecr-pull-through-cache-2"
    updated = ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="cross", customRoleArn=newer_role)
    check(updated["customRoleArn"] == newer_role, f"update customRoleArn: {updated}")
    refused("InvalidParameterException", ecr.update_pull_through_cache_rule, member="credentialArn",
            ecrRepositoryPrefix="quay", credentialArn=arn("quay"))
    refused("PullThroughCacheRuleNotFoundException", ecr.update_pull_through_cache_rule,
            ecrRepositoryPrefix="nothing-here", credentialArn=arn("x"))
    print("ok: DescribePullThroughCacheRules filter, UpdatePullThroughCacheRule, PullThroughCacheRuleNotFoundException")

    # Validate: valid, with the rule's fields; no network.
    valid = ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub")
    check(valid["isValid"] is True, f"validate: {valid}")
    check(valid["upstreamRegistryUrl"] == "registry-1.docker.io" and valid["credentialArn"] == arn("docker-hub-2"),
          f"validate: {valid}")
    check(valid["registryId"] == account and valid["ecrRepositoryPrefix"] == "docker-hub", f"validate: {valid}")
    refused("PullThroughCacheRuleNotFoundException", ecr.validate_pull_through_cache_rule,
            ecrRepositoryPrefix="nothing-here")
    print("ok: ValidatePullThroughCacheRule")

    # Paging.
    everything, _ = all_pages(ecr, "describe_pull_through_cache_rules", "pullThroughCacheRules")
    total = len(everything)
    check(total == len(cases) + 3, f"{total} rules, expected {len(cases) + 3}")
    first = ecr.describe_pull_through_cache_rules(maxResults=2)
    check(len(first["pullThroughCacheRules"]) == 2 and "nextToken" in first, f"maxResults=2: {first}")
    items, pages = all_pages(ecr, "describe_pull_through_cache_rules", "pullThroughCacheRules",
                             PaginationConfig={"PageSize": 2})
    check(sorted(r["ecrRepositoryPrefix"] for r in items) == sorted(r["ecrRepositoryPrefix"] for r in everything),
          f"the pages hold every rule once: {items}")
    check(pages == (total + 1) // 2, f"{pages} pages of 2 for {total} rules")
    refused("InvalidParameterException", ecr.describe_pull_through_cache_rules, member="nextToken",
            nextToken="not-a-token")
    unpaged = ecr.describe_pull_through_cache_rules()
    if strict:
        check(len(unpaged["pullThroughCacheRules"]) < total and "nextToken" in unpaged,
              f"strict mode pages without maxResults: {len(unpaged['pullThroughCacheRules'])} of {total}")
    else:
        check(len(unpaged["pullThroughCacheRules"]) == total and "nextToken" not in unpaged,
              "up to 100 rules without maxResults")
    print(f"ok: DescribePullThroughCacheRules pages ({pages} pages of 2)")

    # Delete.
    gone = ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="quay")
    check(gone["ecrRepositoryPrefix"] == "quay" and gone["upstreamRegistryUrl"] == "quay.io", f"delete: {gone}")
    check(gone["registryId"] == account and "createdAt" in gone, f"delete: {gone}")
    refused("PullThroughCacheRuleNotFoundException", ecr.delete_pull_through_cache_rule, ecrRepositoryPrefix="quay")
    refused("PullThroughCacheRuleNotFoundException", ecr.describe_pull_through_cache_rules,
            ecrRepositoryPrefixes=["quay"])
    print("ok: DeletePullThroughCacheRule")

    if strict:
        # Model validation covers these operations: length, pattern, enum.
        refused("InvalidParameterException", raw.create_pull_through_cache_rule, member="ecrRepositoryPrefix",
                ecrRepositoryPrefix="a", upstreamRegistryUrl="quay.io")
        refused("InvalidParameterException", raw.create_pull_through_cache_rule, member="ecrRepositoryPrefix",
                ecrRepositoryPrefix="Upper", upstreamRegistryUrl="quay.io")
        refused("InvalidParameterException", raw.create_pull_through_cache_rule, member="upstreamRegistry",
                ecrRepositoryPrefix="enum", upstreamRegistryUrl="quay.io", upstreamRegistry="harbor")
        refused("InvalidParameterException", raw.create_pull_through_cache_rule, member="credentialArn",
                ecrRepositoryPrefix="secret", upstreamRegistryUrl="registry-1.docker.io",
                credentialArn=f"arn:aws:secretsmanager:{REGION}:{account}:secret:other/docker-hub-AbCdEf")
        print("ok: strict mode checks these requests against the model")


# ---------------------------------------------- repository creation templates

def check_templates(ecr, raw, account, strict):
    role = f"arn:aws:iam::{account}:role/ecr-template"
    check(ecr.describe_repository_creation_templates()["repositoryCreationTemplates"] == [], "no templates at first")

    # ROOT, with the defaults.
    made = ecr.create_repository_creation_template(prefix="ROOT", appliedFor=["PULL_THROUGH_CACHE"])
    check(made["registryId"] == account, f"create ROOT: {made}")
    root = made["repositoryCreationTemplate"]
    check(root["prefix"] == "ROOT" and root["appliedFor"] == ["PULL_THROUGH_CACHE"], f"create ROOT: {root}")
    check(root["imageTagMutability"] == "MUTABLE", f"MUTABLE by default: {root}")
    check(root["encryptionConfiguration"] == {"encryptionType": "AES256"}, f"AES256 by default: {root}")
    check("createdAt" in root and "updatedAt" in root, f"timestamps: {root}")

    # Every member.
    lifecycle = json.dumps({"rules": [{
        "rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5},
        "action": {"type": "expire"}}]})
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": ["ecr:BatchGetImage"]}]})
    full = {
        "prefix": "prod",
        "description": "production repositories",
        "encryptionConfiguration": {
            "encryptionType": "KMS",
            "kmsKey": f"arn:aws:kms:{REGION}:{account}:key/0a1b2c3d-0000-1111-2222-333344445555",
        },
        "resourceTags": [{"Key": "team", "Value": "platform"}],
        "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
        "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "latest"}],
        "repositoryPolicy": policy,
        "lifecyclePolicy": lifecycle,
        "appliedFor": ["REPLICATION", "CREATE_ON_PUSH"],
        "customRoleArn": role,
    }
    prod = ecr.create_repository_creation_template(**full)["repositoryCreationTemplate"]
    for member, value in full.items():
        check(prod.get(member) == value, f"create prod: {member} is {prod.get(member)!r}, sent {value!r}")
    refused("TemplateAlreadyExistsException", ecr.create_repository_creation_template,
            prefix="prod", appliedFor=["REPLICATION"])
    refused("TemplateAlreadyExistsException", ecr.create_repository_creation_template,
            prefix="ROOT", appliedFor=["REPLICATION"])
    refused("InvalidParameterException", ecr.create_repository_creation_template, member="customRoleArn",
            prefix="elsewhere", appliedFor=["REPLICATION"], customRoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/x")
    print("ok: CreateRepositoryCreationTemplate (ROOT and defaults, every member), TemplateAlreadyExistsException")

    # The filter: a prefix without a template is left out.
    found = ecr.describe_repository_creation_templates(prefixes=["prod", "nothing-here"])
    check(found["registryId"] == account, f"describe: {found}")
    check([t["prefix"] for t in found["repositoryCreationTemplates"]] == ["prod"], f"filter: {found}")
    check(found["repositoryCreationTemplates"][0] == prod, "describe answers what create answered")

    # Update: what is named changes, the rest stays.
    updated = ecr.update_repository_creation_template(prefix="prod", description="changed",
                                                      appliedFor=["PULL_THROUGH_CACHE"])
    template = updated["repositoryCreationTemplate"]
    check(updated["registryId"] == account, f"update: {updated}")
    check(template["description"] == "changed" and template["appliedFor"] == ["PULL_THROUGH_CACHE"],
          f"update: {template}")
    check(template["lifecyclePolicy"] == lifecycle and template["customRoleArn"] == role, f"kept: {template}")
    check(template["createdAt"] == prod["createdAt"] and template["updatedAt"] >= prod["updatedAt"],
          f"update: timestamps {template}")
    again = ecr.describe_repository_creation_templates(prefixes=["prod"])["repositoryCreationTemplates"][0]
    check(again == template, f"the update holds: {again}")
    refused("TemplateNotFoundException", ecr.update_repository_creation_template,
            prefix="nothing-here", description="x")
    refused("InvalidParameterException", ecr.update_repository_creation_template, member="customRoleArn",
            prefix="prod", customRoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/x")
    print("ok: DescribeRepositoryCreationTemplates filter, UpdateRepositoryCreationTemplate, TemplateNotFoundException")

    # Paging.
    for i in range(1, 5):
        ecr.create_repository_creation_template(prefix=f"team-{i}", appliedFor=["REPLICATION"])
    total = 6
    first = ecr.describe_repository_creation_templates(maxResults=2)
    check(len(first["repositoryCreationTemplates"]) == 2 and "nextToken" in first, f"maxResults=2: {first}")
    items, pages = all_pages(ecr, "describe_repository_creation_templates", "repositoryCreationTemplates",
                             PaginationConfig={"PageSize": 2})
    expected = sorted(["ROOT", "prod"] + [f"team-{i}" for i in range(1, 5)])
    check(sorted(t["prefix"] for t in items) == expected, f"the pages hold every template once: {items}")
    check(pages == total // 2, f"{pages} pages of 2 for {total} templates")
    refused("InvalidParameterException", ecr.describe_repository_creation_templates, member="nextToken",
            nextToken="not-a-token")
    unpaged = ecr.describe_repository_creation_templates()
    if strict:
        check(len(unpaged["repositoryCreationTemplates"]) < total and "nextToken" in unpaged,
              "strict mode pages without maxResults")
    else:
        check(len(unpaged["repositoryCreationTemplates"]) == total and "nextToken" not in unpaged,
              "up to 100 templates without maxResults")
    print(f"ok: DescribeRepositoryCreationTemplates pages ({pages} pages of 2)")

    # Delete.
    gone = ecr.delete_repository_creation_template(prefix="prod")
    check(gone["registryId"] == account and gone["repositoryCreationTemplate"]["prefix"] == "prod", f"delete: {gone}")
    refused("TemplateNotFoundException", ecr.delete_repository_creation_template, prefix="prod")
    left = ecr.describe_repository_creation_templates(prefixes=["prod"])["repositoryCreationTemplates"]
    check(left == [], f"deleted: {left}")
    ecr.delete_repository_creation_template(prefix="ROOT")
    print("ok: DeleteRepositoryCreationTemplate")

    if strict:
        refused("InvalidParameterException", raw.create_repository_creation_template, member="appliedFor",
                prefix="no-scenario")
        refused("InvalidParameterException", raw.create_repository_creation_template, member="appliedFor.1.member",
                prefix="bad-scenario", appliedFor=["SOMETIMES"])
        refused("InvalidParameterException", raw.create_repository_creation_template, member="prefix",
                prefix="Not/Valid", appliedFor=["REPLICATION"])
        print("ok: strict mode checks these requests against the model")


def check_reset(endpoint, ecr):
    status, _ = http(endpoint, "POST", "/moto-api/reset")
    check(status == 200, f"POST /moto-api/reset: {status}")
    check(ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == [], "reset clears the rules")
    check(ecr.describe_repository_creation_templates()["repositoryCreationTemplates"] == [],
          "reset clears the templates")
    print("ok: POST /moto-api/reset clears rules and templates")


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
    try:
        check_rules(ecr, raw, account, strict)
        check_templates(ecr, raw, account, strict)
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
