"""The baseline of the `pulumi up` timing (bench/run.sh): the same ECR calls
the provider makes for the load program (bench/harness.py load_resources),
made directly with an AWS SDK (boto3) from a thread pool of the same size
as `pulumi up --parallel`. Per repository: CreateRepository (immutable tags,
scan on push, AES256, one tag), then PutLifecyclePolicy.

  python bench/direct_ecr.py --endpoint URL --repos 100 --concurrency 10

Prints one JSON line: {"calls_seconds": ..., "calls": ...}; the caller times
the whole process too (interpreter and SDK start included, as `pulumi up`'s
time includes the CLI's start)."""

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

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
    a = ap.parse_args()
    ecr = boto3.client(
        "ecr",
        endpoint_url=a.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def one(i):
        name = f"bench-{i:03d}"
        ecr.create_repository(
            repositoryName=name,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            encryptionConfiguration={"encryptionType": "AES256"},
            tags=[{"Key": "team", "Value": "platform"}],
        )
        ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=POLICY)
        return 2

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=a.concurrency) as pool:
        calls = sum(pool.map(one, range(a.repos)))
    print(json.dumps({"calls_seconds": time.perf_counter() - start, "calls": calls}))


if __name__ == "__main__":
    main()
