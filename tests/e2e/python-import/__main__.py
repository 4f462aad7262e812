"""Declares a repository that already exists, as `pulumi import` would write it."""
import pulumi_awsecr as awsecr

awsecr.Repository(
    "legacy",
    repository_name="legacy/web",
    immutable_tags=False,
    scan_on_push=False,
    encryption_type="AES256",
    force_delete=False,
    lifecycle_policy=awsecr.LifecyclePolicyArgs(expire_untagged_after_days=3),
    tags={"owner": "web"},
)
