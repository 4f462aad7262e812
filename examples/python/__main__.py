"""Two ECR repositories: one on all defaults, one namespaced with KMS,
lifecycle rules, a movable `latest` tag and tags; the registry's scanning; and
a pull-through cache of ECR Public whose repositories get the same defaults."""
import pulumi
import pulumi_awsecr as awsecr

config = pulumi.Config()
force_delete = config.get_bool("forceDelete") or False

# Immutable tags, scan on push, AES256 encryption, safe deletion: all defaults.
app = awsecr.Repository(
    "app",
    encryption_type=config.get("appEncryption") or "AES256",
    force_delete=force_delete,
)

api = awsecr.Repository(
    "api",
    repository_name="platform/api",
    encryption_type="KMS",
    kms_key=config.require("kmsKeyArn"),
    lifecycle_policy=awsecr.LifecyclePolicyArgs(
        expire_untagged_after_days=14,
        max_image_count=config.get_int("maxImageCount") or 100,
        # Pull-request images live a week; the last 30 releases are kept.
        tagged=[
            awsecr.TaggedLifecycleRuleArgs(tag_patterns=["pr-*"], expire_after_days=7),
            awsecr.TaggedLifecycleRuleArgs(tag_prefixes=["v"], keep_last=30),
        ],
    ),
    mutable_tag_exclusions=["latest"],
    tags={"team": config.get("team") or "platform", "service": "api"},
    # The ECS task execution role of the api service may pull.
    pull_principals=["arn:aws:iam::123456789012:role/api-task-execution"],
    force_delete=force_delete,
)

# Registry-wide: every repository is scanned on push. Only this group is
# owned here; replication and the registry policy are left as they are.
registry = awsecr.Registry(
    "registry",
    scanning=awsecr.RegistryScanningArgs(scan_on_push=["*"]),
)

# A cache of ECR Public (no credential needed): the first pull of
# <registry>/ecr-public/<image> fetches it from public.ecr.aws.
ecr_public = awsecr.PullThroughCacheRule(
    "ecrPublic",
    ecr_repository_prefix="ecr-public",
    upstream=awsecr.Upstream.ECR_PUBLIC,
)

# The repositories the cache creates get immutable tags, AES256 and expiry
# rules, like the repositories above.
ecr_public_repositories = awsecr.RepositoryTemplate(
    "ecrPublicRepositories",
    prefix=ecr_public.ecr_repository_prefix,
    applied_for=[awsecr.TemplateAppliedFor.PULL_THROUGH_CACHE],
    lifecycle_policy=awsecr.LifecyclePolicyArgs(expire_untagged_after_days=1, max_image_count=20),
)

pulumi.export("registryId", registry.registry_id)
pulumi.export("appRepositoryUrl", app.repository_url)
pulumi.export("apiRepositoryUrl", api.repository_url)
# The IAM policy the task execution role attaches: pull from platform/api only.
pulumi.export("apiPullPolicy", api.pull_policy_document)
pulumi.export("cachePrefix", ecr_public_repositories.prefix)
