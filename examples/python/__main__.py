"""Two ECR repositories: one on all defaults, one namespaced with KMS,
lifecycle rules, a movable `latest` tag and tags."""
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
    ),
    mutable_tag_exclusions=["latest"],
    tags={"team": config.get("team") or "platform", "service": "api"},
    # The ECS task execution role of the api service may pull.
    pull_principals=["arn:aws:iam::123456789012:role/api-task-execution"],
    force_delete=force_delete,
)

pulumi.export("appRepositoryUrl", app.repository_url)
pulumi.export("apiRepositoryUrl", api.repository_url)
# The IAM policy the task execution role attaches: pull from platform/api only.
pulumi.export("apiPullPolicy", api.pull_policy_document)
