"""The baseline of the `pulumi up` and `pulumi refresh` timings
(bench/run.sh): the same ECR calls the provider makes for the load program
(bench/harness.py load_resources), made directly with an AWS SDK (boto3)
from a thread pool of the same size as `pulumi up --parallel`, each
repository's calls ordered as the provider orders them:

  --mode create   CreateRepository (immutable tags, scan on push, AES256,
                  one tag), then its follow-up PutLifecyclePolicy
  --mode refresh  DescribeRepositories, GetLifecyclePolicy,
                  GetRepositoryPolicy and ListTagsForResource at once (the
                  provider's refresh, with the ARN from the state: here from
                  --arn-prefix)

  python bench/direct_ecr.py --endpoint URL --repos 100 --concurrency 10 [--mode refresh --arn-prefix ARN/]

Prints one JSON line: {"calls_seconds": ..., "calls": ...}; the caller times
the whole process too (interpreter and SDK start included, as `pulumi up`'s
time includes the CLI's start)."""

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

POLICY = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "keep the 10 most recent images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
                "action": {"type": "expire"},
            }
        ]
    }
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--repos", type=int, required=True)
    ap.add_argument("--concurrency", type=int, required=True)
    ap.add_argument("--mode", choices=["create", "refresh"], default="create")
    ap.add_argument("--arn-prefix", help="refresh: the repositories' ARN up to the name (arn:...:repository/)")
    a = ap.parse_args()
    # Up to four calls of each of `concurrency` repositories in flight: a
    # connection for each.
    ecr = boto3.client(
        "ecr",
        endpoint_url=a.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(max_pool_connections=4 * a.concurrency),
    )
    # The calls of one repository that go out at once run here.
    inner = ThreadPoolExecutor(max_workers=4 * a.concurrency)

    def at_once(*calls):
        for f in [inner.submit(c) for c in calls]:
            f.result()
        return len(calls)

    def create(i):
        name = f"bench-{i:03d}"
        ecr.create_repository(
            repositoryName=name,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            encryptionConfiguration={"encryptionType": "AES256"},
            tags=[{"Key": "team", "Value": "platform"}],
        )
        # The follow-up calls (here one) after the create, at once.
        return 1 + at_once(lambda: ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=POLICY))

    def optional(call, missing):
        try:
            call()
        except ecr.exceptions.ClientError as e:
            if e.response["Error"]["Code"] != missing:
                raise

    def refresh(i):
        name = f"bench-{i:03d}"
        return at_once(
            lambda: ecr.describe_repositories(repositoryNames=[name]),
            lambda: optional(lambda: ecr.get_lifecycle_policy(repositoryName=name), "LifecyclePolicyNotFoundException"),
            lambda: optional(
                lambda: ecr.get_repository_policy(repositoryName=name), "RepositoryPolicyNotFoundException"
            ),
            lambda: ecr.list_tags_for_resource(resourceArn=a.arn_prefix + name),
        )

    one = create if a.mode == "create" else refresh
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=a.concurrency) as pool:
        calls = sum(pool.map(one, range(a.repos)))
    print(json.dumps({"calls_seconds": time.perf_counter() - start, "calls": calls}))


if __name__ == "__main__":
    main()
