#!/usr/bin/env python3
"""Removes what acceptance runs left behind (README, "Testing against AWS").

Every name an acceptance run makes starts with `awsecr-acc-<run id>`, the run
id being `<start time: seconds since 1970 in base 36, 6 characters>-<4
random characters>` (tests/acceptance/target.rs). This sweeper lists, then
deletes, in one region (--region, else AWS_REGION or AWS_DEFAULT_REGION):

- repositories whose name starts with --prefix (with their images);
- pull-through cache rules and repository creation templates whose prefix
  starts with --prefix;
- the registry-wide marks of a run: registry policy statements whose Sid is
  `AwsecrAcc<run id without the dash>`, replication rules whose every prefix
  filter starts with --prefix, and registry scanning filters that start with
  --prefix (the other statements, rules and filters are kept);
- pull-time update exclusions of IAM roles whose name (with its path)
  starts with --prefix, and signing rules whose every filter starts with
  --prefix (the signing configuration deleted when no rule is left).

Only what is older than --older-than goes: the age is counted from the start
time in the name (from ECR's createdAt for a repository, rule or template
whose name carries no run id). Account settings carry no mark, so they are
never touched (the suite puts them back itself).

It runs only when the account of the credentials is in AWSECR_ACC_ACCOUNTS
(comma-separated ids), as the suite does, and only for a prefix starting
with `awsecr-acc-`. --dry-run lists and deletes nothing.
"""

import argparse
import json
import os
import re
import sys
import time

import boto3

BASE = "awsecr-acc-"
RUN = re.compile(r"^awsecr-acc-([0-9a-z]{6})-([0-9a-z]{4})(?:/|$)")
SID = re.compile(r"^AwsecrAcc([0-9a-z]{6})([0-9a-z]{4})$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_age(text):
    m = re.fullmatch(r"(\d+)([smhd])", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age such as 0s, 30m, 6h or 2d")
    return int(m.group(1)) * UNITS[m.group(2)]


def run_start(name):
    """The start time of the run a name carries, or None."""
    m = RUN.match(name)
    return int(m.group(1), 36) if m else None


def started(name, created_at):
    start = run_start(name)
    if start is not None:
        return start
    return created_at.timestamp() if created_at is not None else None


def pages(client, operation, key, **kwargs):
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def find(ecr, prefix, cutoff):
    """What the sweep would delete: (kind, name, detail, delete thunk)."""
    found = []

    def old(name, created_at=None):
        when = started(name, created_at)
        return when is not None and when <= cutoff

    for repo in pages(ecr, "describe_repositories", "repositories"):
        name = repo["repositoryName"]
        if name.startswith(prefix) and old(name, repo.get("createdAt")):
            count = sum(1 for _ in pages(ecr, "describe_images", "imageDetails", repositoryName=name))
            found.append(("repository", name, f"{count} image(s)",
                          lambda n=name: ecr.delete_repository(repositoryName=n, force=True)))
    for rule in pages(ecr, "describe_pull_through_cache_rules", "pullThroughCacheRules"):
        name = rule["ecrRepositoryPrefix"]
        if name.startswith(prefix) and old(name, rule.get("createdAt")):
            found.append(("pull-through cache rule", name, rule.get("upstreamRegistryUrl", ""),
                          lambda n=name: ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix=n)))
    for template in pages(ecr, "describe_repository_creation_templates", "repositoryCreationTemplates"):
        name = template["prefix"]
        if name.startswith(prefix) and old(name, template.get("createdAt")):
            found.append(("repository creation template", name, template.get("description", ""),
                          lambda n=name: ecr.delete_repository_creation_template(prefix=n)))

    # Registry policy statements marked by a run.
    try:
        policy = json.loads(ecr.get_registry_policy()["policyText"])
    except ecr.exceptions.RegistryPolicyNotFoundException:
        policy = None
    if policy is not None:
        statements = policy.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        marked = []
        for s in statements:
            m = SID.match(str(s.get("Sid", "")))
            if m and f"{BASE}{m.group(1)}-{m.group(2)}".startswith(prefix) and int(m.group(1), 36) <= cutoff:
                marked.append(s["Sid"])
        if marked:
            def drop_statements(sids=tuple(marked)):
                live = json.loads(ecr.get_registry_policy()["policyText"])
                kept = [s for s in (live["Statement"] if isinstance(live["Statement"], list) else [live["Statement"]])
                        if s.get("Sid") not in sids]
                if kept:
                    live["Statement"] = kept
                    ecr.put_registry_policy(policyText=json.dumps(live))
                else:
                    ecr.delete_registry_policy()
            found.append(("registry policy statement", ", ".join(marked), "", drop_statements))

    # Replication rules marked by a run: every filter of the rule under the
    # prefix (a run's rule names its own prefix only).
    def marked_rule(rule):
        filters = [f["filter"] for f in rule.get("repositoryFilters", [])]
        return bool(filters) and all(f.startswith(prefix) and old(f) for f in filters)

    rules = ecr.describe_registry().get("replicationConfiguration", {}).get("rules", [])
    marked = [r for r in rules if marked_rule(r)]
    if marked:
        def drop_rules():
            live = ecr.describe_registry().get("replicationConfiguration", {}).get("rules", [])
            ecr.put_replication_configuration(
                replicationConfiguration={"rules": [r for r in live if not marked_rule(r)]})
        names = ", ".join(f["filter"] for r in marked for f in r["repositoryFilters"])
        regions = ", ".join(d["region"] for r in marked for d in r["destinations"])
        found.append(("replication rule for", names, f"to {regions}", drop_rules))

    # Registry scanning filters marked by a run.
    scanning = ecr.get_registry_scanning_configuration().get("scanningConfiguration", {})
    marked = sorted({f["filter"] for r in scanning.get("rules", []) for f in r.get("repositoryFilters", [])
                     if f["filter"].startswith(prefix) and old(f["filter"])})
    if marked:
        def drop_filters(filters=tuple(marked)):
            live = ecr.get_registry_scanning_configuration()["scanningConfiguration"]
            rules = []
            for r in live.get("rules", []):
                kept = [f for f in r["repositoryFilters"] if f["filter"] not in filters]
                if kept:
                    rules.append({"scanFrequency": r["scanFrequency"], "repositoryFilters": kept})
            ecr.put_registry_scanning_configuration(scanType=live.get("scanType", "BASIC"), rules=rules)
        found.append(("registry scanning filter", ", ".join(marked), "", drop_filters))

    # Pull-time update exclusions of a run: a role under the run's prefix.
    principals, token = [], None
    while True:
        page = ecr.list_pull_time_update_exclusions(**({"nextToken": token} if token else {}))
        principals += page.get("pullTimeUpdateExclusions", [])
        token = page.get("nextToken")
        if not token:
            break
    for principal in principals:
        name = principal.split(":role/", 1)[1] if ":role/" in principal else ""
        if name.startswith(prefix) and old(name):
            found.append(("pull-time update exclusion", principal, "",
                          lambda p=principal: ecr.deregister_pull_time_update_exclusion(principalArn=p)))

    # Signing rules marked by a run: every filter of the rule under the prefix.
    def marked_signing(rule):
        filters = [f["filter"] for f in rule.get("repositoryFilters", [])]
        return bool(filters) and all(f.startswith(prefix) and old(f) for f in filters)

    def signing_rules():
        try:
            return ecr.get_signing_configuration()["signingConfiguration"]["rules"]
        except ecr.exceptions.SigningConfigurationNotFoundException:
            return []

    marked = [r for r in signing_rules() if marked_signing(r)]
    if marked:
        def drop_signing():
            kept = [r for r in signing_rules() if not marked_signing(r)]
            if kept:
                ecr.put_signing_configuration(signingConfiguration={"rules": kept})
            else:
                ecr.delete_signing_configuration()
        names = ", ".join(f["filter"] for r in marked for f in r["repositoryFilters"])
        found.append(("signing rule for", names, ", ".join(r["signingProfileArn"] for r in marked), drop_signing))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prefix", default=BASE, help=f"what names start with (default {BASE}; one run: {BASE}<run id>)")
    parser.add_argument("--older-than", type=parse_age, default=parse_age("2h"),
                        help="only what a run started at least this long ago made (default 2h; 0s for everything)")
    parser.add_argument("--region", help="the region to sweep (default AWS_REGION, else AWS_DEFAULT_REGION)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    args = parser.parse_args()
    if not args.prefix.startswith(BASE):
        sys.exit(f"--prefix must start with {BASE} (the acceptance runs' names); got {args.prefix!r}, so nothing was swept")
    allowed = [a.strip() for a in os.environ.get("AWSECR_ACC_ACCOUNTS", "").split(",") if a.strip()]
    if not allowed:
        sys.exit("the sweeper runs only in an account listed in AWSECR_ACC_ACCOUNTS (comma-separated 12-digit ids), "
                 "and AWSECR_ACC_ACCOUNTS is not set, so nothing was swept")
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        sys.exit("the sweeper needs a region: --region, AWS_REGION or AWS_DEFAULT_REGION, so nothing was swept")
    session = boto3.session.Session(region_name=region)
    account = session.client("sts").get_caller_identity()["Account"]
    if account not in allowed:
        sys.exit(f"the credentials reach AWS account {account}, which is not in AWSECR_ACC_ACCOUNTS, so nothing was swept")
    ecr = session.client("ecr")
    cutoff = time.time() - args.older_than
    found = find(ecr, args.prefix, cutoff)
    verb = "would delete" if args.dry_run else "deleting"
    print(f"{len(found)} leftover(s) under {args.prefix} older than {args.older_than}s "
          f"in {account} {session.region_name}:")
    for kind, name, detail, _ in found:
        print(f"  {verb} {kind} {name}" + (f" ({detail})" if detail else ""))
    if args.dry_run:
        print("dry run: nothing was deleted")
        return
    for kind, name, _, delete in found:
        delete()
        print(f"  deleted {kind} {name}")


if __name__ == "__main__":
    main()
