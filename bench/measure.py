"""The measurements behind docs/performance.md, one section per call
(bench/run.sh calls each in turn and bench/report.py writes the document):

  startup  cold start (process start to the port line; to a completed
           Configure) and idle memory after Configure, for each --bin, runs
           interleaved so that noise hits every binary alike
  memory   peak memory of the provider during `pulumi up` of N repositories
  calls    AWS calls per operation, counted on the emulator
  up       `pulumi up` of N repositories vs the same calls made directly
           with an AWS SDK (bench/direct_ecr.py) at the same concurrency
  rounds   critical-path round trips per operation through the latency
           proxy (bench/latency_proxy.py), for each --provider LABEL=PATH
           (the build before the latency work and the current one)
  latency  `pulumi refresh` and `pulumi up` of N repositories through the
           latency proxy vs the same calls made directly at the same
           concurrency, for each --provider
  inventory  `pulumi-resource-awsecr inventory` of --repos repositories
           (seeded straight into the emulator) through the latency proxy:
           `--no-report --page-size 100` against the minimum sequential
           listing (the pages one after another), the full run with the
           report beside it, and `pulumi import --file --preview-only` of
           the written file through the real CLI (no proxy)
  deps     crates in more than one version (`cargo tree -d -e normal`) of
           each --manifest LABEL=Cargo.toml

Each section writes one JSON file (--out). Run with the test venv's Python.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import REGION, ROOT, Moto, Stack, clean_env, load_resources, progress, stats
from latency_proxy import LatencyProxy, per_second, rounds, span

# ------------------------------------------------------------------ startup

CONFIG = {
    "region": "us-east-1",
    # Nothing listens there: Configure must not call AWS, and none is made.
    "endpoint": "http://127.0.0.1:9",
    "accessKey": "testing",
    "secretKey": "testing",
}


def coldstart(tool, args, env=None):
    """One run of tools/bench-peer/cmd/coldstart (the engine's gRPC client)."""
    p = subprocess.run([tool] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(env))
    if p.returncode != 0:
        raise RuntimeError(f"coldstart {' '.join(args)} failed: {p.stderr}")
    return json.loads(p.stdout)


def start_once(tool, binary, settle):
    """One cold start: ms to the port line, ms to a completed Configure
    (GetPluginInfo, CheckConfig, Configure, as the engine sends them), each
    call's ms and their sum, and memory after Configure once idle for
    `settle` seconds."""
    r = coldstart(tool, ["-settle", f"{int(settle * 1000)}ms", "-config", json.dumps(CONFIG), binary])
    rpc = r.pop("rpc_ms")
    for call, ms in rpc.items():
        r[f"rpc_{call}_ms"] = ms
    r["calls_ms"] = sum(rpc.values())
    return r


def floor_once(tool):
    """The measuring floor: start /bin/echo and read its one line."""
    return coldstart(tool, ["-port-only", "/bin/echo", "0"])["port_ms"]


def section_startup(a):
    bins = [b.split("=", 1) for b in a.bin]
    settle = a.settle
    samples = {label: [] for label, _ in bins}
    floor = []
    # One unrecorded start each, so every binary is in the page cache.
    for label, path in bins:
        start_once(a.coldstart, path, 0)
    for i in range(a.runs):
        for label, path in bins:
            samples[label].append(start_once(a.coldstart, path, settle))
        floor.append(floor_once(a.coldstart))
        if (i + 1) % 5 == 0 or i + 1 == a.runs:
            progress(f"cold start: {i + 1}/{a.runs} runs of {len(bins)} binaries")
    out = {"runs": a.runs, "settle_s": settle, "floor_ms": stats(floor), "binaries": {}}
    for label, path in bins:
        s = samples[label]
        out["binaries"][label] = {
            "path": path,
            "size_bytes": os.path.getsize(path),
            **{k: stats([x[k] for x in s]) for k in s[0]},
            "samples": s,
        }
    return out


# ------------------------------------------------------------------ memory


def section_memory(a):
    work = Path(tempfile.mkdtemp(prefix="awsecr-bench-memory-"))
    moto = Moto(work / "moto")
    try:
        record = work / "rss.jsonl"
        stack = Stack(
            work / "stack",
            a.toolchain,
            ROOT / "bench/rss_wrapper.py",
            a.version,
            moto,
            env={"BENCH_REAL_PROVIDER": a.provider, "BENCH_RSS_RECORD": str(record)},
        )
        # The engine's default parallelism (4 x GOMAXPROCS), then every resource at once.
        out = {"runs": a.runs, "default_parallel": 4 * os.cpu_count(), "sizes": {}, "all_at_once": {}}
        for n in a.sizes:
            stack.write_program("awsecr-bench", load_resources(n))
            for mode, flags in (("sizes", []), ("all_at_once", ["--parallel", str(n)])):
                runs = []
                for r in range(a.runs):
                    moto.reset()
                    stack.fresh()
                    record.unlink(missing_ok=True)
                    seconds, _ = stack.ok(["up", "--skip-preview"] + flags)
                    # The provider may outlive the CLI by a moment: wait for its record.
                    for _ in range(100):
                        if record.exists() and record.read_text().strip():
                            break
                        time.sleep(0.1)
                    procs = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
                    assert moto.repository_count() == n, "every repository was created"
                    runs.append(
                        {
                            "peak_kib": max(p["maxrss_kib"] for p in procs),
                            "processes": len(procs),
                            "exits": sorted({p["exit"] for p in procs}),
                            "up_s": seconds,
                        }
                    )
                    progress(
                        f"pulumi up of {n} repositories{' ' + ' '.join(flags) if flags else ''}, run {r + 1}/{a.runs}: "
                        f"{seconds:.1f} s, provider peak {runs[-1]['peak_kib'] / 1024:.1f} MiB "
                        f"({len(procs)} provider process(es))"
                    )
                out[mode][str(n)] = {
                    "peak_kib": stats([x["peak_kib"] for x in runs]),
                    "up_s": stats([x["up_s"] for x in runs]),
                    "processes": sorted({x["processes"] for x in runs}),
                    "exits": sorted({e for x in runs for e in x["exits"]}),
                }
        return out
    finally:
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ calls

# One repository taken through every kind of operation. Each step: what it
# shows, the pulumi command, the repository's properties (None: unchanged
# program), and the minimum AWS calls for it, from the rules in
# src/repository/mod.rs's module doc (create = CreateRepository
# + PutLifecyclePolicy with a lifecycle policy + SetRepositoryPolicy with
# principals; update = one call per changed setting; read =
# DescribeRepositories + GetLifecyclePolicy + GetRepositoryPolicy +
# ListTagsForResource; delete = DeleteRepository; preview = none).
BASE = {"repositoryName": "calls-a"}
LIFECYCLE = {"lifecyclePolicy": {"maxImageCount": 50}}
READ = ["DescribeRepositories", "GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"]


def call_steps(with_access):
    p = dict(BASE)

    def edit(**kw):
        nonlocal p
        p = {**p, **kw}
        for k, v in list(p.items()):
            if v is None:
                del p[k]
        return dict(p)

    # `up` skips its preview: a preview is a row of its own (an update's
    # lifecycle preview, whose polls vary, is not counted).
    UP = ["up", "--skip-preview"]
    steps = [
        ("preview of a create", ["preview"], dict(p), []),
        ("create, no lifecycle policy", UP, dict(p), ["CreateRepository"]),
        ("no-change preview", ["preview"], dict(p), []),
        ("no-change up", UP, dict(p), []),
        ("update immutableTags", UP, edit(immutableTags=False), ["PutImageTagMutability"]),
        ("update mutableTagExclusions", UP, edit(immutableTags=True, mutableTagExclusions=["latest"]),
         ["PutImageTagMutability"]),
        ("update scanOnPush", UP, edit(scanOnPush=False), ["PutImageScanningConfiguration"]),
        ("add a lifecycle policy", UP, edit(lifecyclePolicy={"maxImageCount": 50}), ["PutLifecyclePolicy"]),
        ("change the lifecycle policy", UP, edit(lifecyclePolicy={"maxImageCount": 20, "expireUntaggedAfterDays": 7}),
         ["PutLifecyclePolicy"]),
        ("remove the lifecycle policy", UP, edit(lifecyclePolicy=None), ["DeleteLifecyclePolicy"]),
        ("add tags", UP, edit(tags={"team": "platform", "service": "api"}), ["TagResource"]),
        ("change a tag's value", UP, edit(tags={"team": "platform", "service": "web"}), ["TagResource"]),
        ("remove a tag", UP, edit(tags={"team": "platform"}), ["UntagResource"]),
    ]
    if with_access:
        steps += [
            ("grant access (pullPrincipals)", UP, edit(pullPrincipals=["111122223333"]), ["SetRepositoryPolicy"]),
            ("change access (pushPrincipals)", UP, edit(pushPrincipals=["444455556666"]), ["SetRepositoryPolicy"]),
            ("revoke all access", UP, edit(pullPrincipals=None, pushPrincipals=None), ["DeleteRepositoryPolicy"]),
        ]
    steps += [
        ("update forceDelete (state only)", UP, edit(forceDelete=True), []),
        ("three settings at once (scanOnPush, lifecycle, tags)", UP,
         edit(scanOnPush=True, lifecyclePolicy={"maxImageCount": 30}, tags={"team": "platform", "tier": "1"}),
         ["PutImageScanningConfiguration", "PutLifecyclePolicy", "TagResource"]),
        ("preview of an update", ["preview"], edit(tags={"team": "data", "tier": "1"}), []),
        ("read (pulumi refresh)", ["refresh", "--skip-preview"], None, READ),
        ("replace (rename; create, then delete the old)", UP, edit(repositoryName="calls-b", tags={"team": "platform", "tier": "1"}),
         ["CreateRepository", "PutLifecyclePolicy", "DeleteRepository"]),
        ("delete (pulumi destroy)", ["destroy", "--skip-preview"], None, ["DeleteRepository"]),
        ("create with a lifecycle policy", UP, {**BASE, **LIFECYCLE}, ["CreateRepository", "PutLifecyclePolicy"]),
        ("import (pulumi import)", None, None, READ),
    ]
    if with_access:
        steps.append(
            ("create with a lifecycle policy and access", UP,
             {**BASE, "repositoryName": "calls-c", **LIFECYCLE, "pullPrincipals": ["111122223333"]},
             ["CreateRepository", "PutLifecyclePolicy", "SetRepositoryPolicy"]),
        )
    return steps


def section_calls(a):
    schema = json.loads((ROOT / "schema.json").read_text())
    inputs = schema["resources"]["awsecr:index:Repository"]["inputProperties"]
    with_access = "pullPrincipals" in inputs
    work = Path(tempfile.mkdtemp(prefix="awsecr-bench-calls-"))
    moto = Moto(work / "moto")
    try:
        stack = Stack(work / "stack", a.toolchain, a.provider, a.version, moto)
        rows = []
        for label, command, props, minimum in call_steps(with_access):
            if command is None:
                # Import: a repository made outside Pulumi, adopted by a fresh stack.
                moto.reset()
                stack.fresh()
                stack.write_program("awsecr-bench", {})
                status, body = moto.ecr("CreateRepository", {"repositoryName": "calls-import"})
                assert status == 200, body
                command = ["import", "awsecr:index:Repository", "imported", "calls-import", "--skip-preview",
                           "--generate-code=false"]
            elif props is not None:
                stack.write_program("awsecr-bench", {"repo": props})
            if label.startswith("create with") and not rows[-1]["label"].startswith("delete"):
                moto.reset()
                stack.fresh()
            moto.start_recording()
            stack.ok(command)
            made = moto.stop_recording()
            rows.append(
                {
                    "label": label,
                    "command": "pulumi " + " ".join(c for c in command if not c.startswith("--")),
                    "calls": made,
                    "minimum": minimum,
                    "at_minimum": sorted(made) == sorted(minimum),
                }
            )
            progress(f"{label}: {len(made)} call(s) {made} (minimum {len(minimum)})")
        stack.ok(["destroy", "--skip-preview"])
        return {"with_access": with_access, "steps": rows}
    finally:
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ up


def section_up(a):
    work = Path(tempfile.mkdtemp(prefix="awsecr-bench-up-"))
    moto = Moto(work / "moto")
    try:
        stack = Stack(work / "stack", a.toolchain, a.provider, a.version, moto)
        out = {"runs": a.runs, "repos": a.repos, "parallel": a.parallel}
        # The fixed cost: one repository (CLI, language host, provider start, state).
        stack.write_program("awsecr-bench", load_resources(1))
        one = []
        for r in range(a.runs):
            moto.reset()
            stack.fresh()
            seconds, _ = stack.ok(["up", "--skip-preview", "--parallel", str(a.parallel)])
            one.append(seconds)
        out["one_repo_s"] = stats(one)
        progress(f"pulumi up of 1 repository: median {out['one_repo_s']['median']:.2f} s")

        stack.write_program("awsecr-bench", load_resources(a.repos))
        pulumi, direct, direct_calls = [], [], []
        for r in range(a.runs):
            moto.reset()
            stack.fresh()
            seconds, _ = stack.ok(["up", "--skip-preview", "--parallel", str(a.parallel)])
            assert moto.repository_count() == a.repos
            pulumi.append(seconds)

            moto.reset()
            start = time.perf_counter()
            p = subprocess.run(
                [sys.executable, str(ROOT / "bench/direct_ecr.py"), "--endpoint", moto.endpoint,
                 "--repos", str(a.repos), "--concurrency", str(a.parallel)],
                check=True, stdout=subprocess.PIPE, text=True, env=clean_env(),
            )
            direct.append(time.perf_counter() - start)
            direct_calls.append(json.loads(p.stdout)["calls_seconds"])
            assert moto.repository_count() == a.repos
            progress(
                f"run {r + 1}/{a.runs}: pulumi up {pulumi[-1]:.2f} s, direct SDK {direct[-1]:.2f} s "
                f"(calls alone {direct_calls[-1]:.2f} s)"
            )
        out["pulumi_up_s"] = stats(pulumi)
        out["direct_s"] = stats(direct)
        out["direct_calls_s"] = stats(direct_calls)
        out["ratio"] = stats([p / d for p, d in zip(pulumi, direct)])
        out["ratio_calls"] = stats([p / d for p, d in zip(pulumi, direct_calls)])

        # How `pulumi up` scales with the stack, at the default parallelism, with the
        # engine's checkpoints (the whole snapshot written after every step, as the
        # local backend does) and without them (PULUMI_SKIP_CHECKPOINTS=true).
        out["scaling"] = {}
        for n in a.scale_sizes:
            stack.write_program("awsecr-bench", load_resources(n))
            for mode, env in (("checkpoints", {}), ("no_checkpoints", {"PULUMI_SKIP_CHECKPOINTS": "true"})):
                times = []
                for r in range(a.runs):
                    moto.reset()
                    stack.fresh()
                    seconds, _ = stack.ok(["up", "--skip-preview"], env)
                    assert moto.repository_count() == n
                    times.append(seconds)
                out["scaling"].setdefault(str(n), {})[mode] = stats(times)
                progress(f"pulumi up of {n} repositories, {mode.replace('_', ' ')}: median {statistics.median(times):.1f} s")
        return out
    finally:
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ rounds

REGISTRY = "awsecr:index:Registry"
# An account other than the emulator's: the emulator refuses principals of
# its own account that do not exist in its IAM.
OTHER_ACCOUNT = "111122223333"
RT_LIFECYCLE = {"maxImageCount": 50}

# What each Registry group is declared as, then changed to.
REGISTRY_GROUPS = [
    ("scanning", {"scanning": {"scanOnPush": ["*"]}}, {"scanning": {"scanOnPush": ["prod/*", "dev/*"]}}),
    (
        "replication",
        {"replication": [{"destinations": [{"region": "eu-west-1"}]}]},
        {"replication": [{"destinations": [{"region": "eu-west-1"}, {"region": "us-west-2"}]}]},
    ),
    (
        "replicationSourceAccounts",
        {"replicationSourceAccounts": ["210987654321"]},
        {"replicationSourceAccounts": ["210987654321", OTHER_ACCOUNT]},
    ),
]


def round_steps(newest=True):
    """The operations of the round-trip table, in the order they run. Each
    step: (label or None for set-up that is not measured, resource, command,
    program {name: props} with its type or None for the program as it is,
    the minimum round trips the dependencies allow). Commands: "up",
    "refresh", "destroy", ("import", name), "reset" (emptied emulator and
    a fresh stack), ("make", name) (a repository made outside Pulumi),
    ("signer", name) (a signing profile). `newest`: also the steps that only
    the current provider can take (inputs the build before refuses)."""
    repo = lambda **p: ({"repo": {"repositoryName": "rt-a", **p}}, "awsecr:index:Repository")
    four = dict(
        immutableTags=False, scanOnPush=False, lifecyclePolicy=RT_LIFECYCLE, tags={"team": "platform"}
    )
    steps = [
        (None, "Repository", "reset", None, None),
        ("create, no follow-up call", "Repository", "up", repo(), 1),
        ("update, 1 setting (scanOnPush)", "Repository", "up", repo(scanOnPush=False), 1),
        ("update, 4 settings (immutableTags, scanOnPush, lifecyclePolicy, tags)", "Repository", "up",
         repo(**{**four, "scanOnPush": True}), 1),
        ("read (`pulumi refresh`)", "Repository", "refresh", None, 1),
        ("delete", "Repository", "destroy", None, 1),
        ("create with a lifecycle policy", "Repository", "up", repo(repositoryName="rt-b", lifecyclePolicy=RT_LIFECYCLE), 2),
        (None, "Repository", "destroy", None, None),
        ("create with a lifecycle policy and access (pullPrincipals)", "Repository", "up",
         repo(repositoryName="rt-c", lifecyclePolicy=RT_LIFECYCLE, pullPrincipals=[OTHER_ACCOUNT]), 2),
        (None, "Repository", "destroy", None, None),
        (None, "Repository", "reset", ({}, "awsecr:index:Repository"), None),
        (None, "Repository", ("make", "rt-import"), None, None),
        ("import (`pulumi import`)", "Repository", ("import", "rt-import"), None, 2),
    ]
    groups = REGISTRY_GROUPS + [
        (
            "all three groups",
            {k: v for _, first, _ in REGISTRY_GROUPS for k, v in first.items()},
            {k: v for _, _, then in REGISTRY_GROUPS for k, v in then.items()},
        )
    ]
    for name, first, then in groups:
        # The registry policy is written by read-modify-write (the statements
        # of others are kept), so its update and delete need two.
        policy = "replicationSourceAccounts" in first
        steps += [
            (None, "Registry", "reset", None, None),
            (f"{name}: create", "Registry", "up", ({"registry": first}, REGISTRY), 2),
            (f"{name}: refresh", "Registry", "refresh", None, 1),
            (f"{name}: update", "Registry", "up", ({"registry": then}, REGISTRY), 2 if policy else 1),
            (f"{name}: delete", "Registry", "destroy", None, 2 if policy else 1),
        ]
    scanning, replication = REGISTRY_GROUPS[0][1], REGISTRY_GROUPS[1][1]
    steps += [
        (None, "Registry", "reset", None, None),
        (None, "Registry", "up", ({"registry": scanning}, REGISTRY), None),
        ("update, a group newly owned (replication added to scanning)", "Registry", "up",
         ({"registry": {**scanning, **replication}}, REGISTRY), 2),
        (None, "Registry", "destroy", None, None),
    ]
    if not newest:
        return steps
    # Every group of the Registry at once, managed signing included (issue
    # 26): the build before the latency work refuses `signing`.
    signing = lambda *filters: {"signing": [{"signingProfileArn": SIGNING_PROFILE, "repositoryFilters": list(filters)}]}
    first = {k: v for _, first, _ in REGISTRY_GROUPS for k, v in first.items()} | signing("prod/*")
    then = {k: v for _, _, then in REGISTRY_GROUPS for k, v in then.items()} | signing("prod/*", "release/*")
    # The registry policy left as it was: every other group changed; then
    # every group changed, the policy too.
    then_but_policy = then | {"replicationSourceAccounts": first["replicationSourceAccounts"]}
    all_changed = first | {"replicationSourceAccounts": then["replicationSourceAccounts"]}
    steps += [
        (None, "Registry", "reset", None, None),
        (None, "Registry", ("signer", "release"), None, None),
        ("every group: create", "Registry", "up", ({"registry": first}, REGISTRY), 2),
        ("every group: refresh", "Registry", "refresh", None, 1),
        ("every group: update, all but the registry policy", "Registry", "up", ({"registry": then_but_policy}, REGISTRY), 1),
        ("every group: update, every group", "Registry", "up", ({"registry": all_changed}, REGISTRY), 2),
        ("every group: delete", "Registry", "destroy", None, 2),
    ]
    return steps


# The signing profile the every-group steps name (made by their ("signer",
# "release") step in the emulator's account and region).
SIGNING_PROFILE = f"arn:aws:signer:{REGION}:123456789012:/signing-profiles/release"


def provider_version(path):
    return subprocess.run([path, "--version"], check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def section_rounds(a):
    work = Path(tempfile.mkdtemp(prefix="awsecr-bench-rounds-"))
    moto = Moto(work / "moto")
    proxy = LatencyProxy(moto.port, a.delay_ms / 1000)
    try:
        out = {"delay_ms": a.delay_ms, "providers": {}}
        for label, path in (c.split("=", 1) for c in a.compare):
            stack = Stack(work / label, a.toolchain, path, provider_version(path), moto, endpoint=proxy.endpoint)
            rows = []
            newest = label == a.compare[-1].split("=", 1)[0]
            for step, resource, command, program, minimum in round_steps(newest):
                if program is not None:
                    props, token = program
                    stack.write_program("awsecr-bench", props, token)
                if command == "reset":
                    moto.reset()
                    stack.fresh()
                    continue
                if command[0] == "signer":
                    assert moto.signing_profile(command[1]) == SIGNING_PROFILE
                    continue
                if command[0] == "make":
                    status, body = moto.ecr("CreateRepository", {"repositoryName": command[1]})
                    assert status == 200, body
                    status, body = moto.ecr(
                        "PutLifecyclePolicy",
                        {"repositoryName": command[1], "lifecyclePolicyText": json.dumps(
                            {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}}]}
                        )},
                    )
                    assert status == 200, body
                    continue
                args = {
                    "up": ["up", "--skip-preview"],
                    "refresh": ["refresh", "--skip-preview"],
                    "destroy": ["destroy", "--skip-preview"],
                }.get(command) or ["import", f"awsecr:index:{resource}", "imported", command[1], "--skip-preview",
                                   "--generate-code=false"]
                proxy.take()
                seconds, _ = stack.ok(args)
                records = proxy.take()
                if step is None:
                    continue
                groups = rounds(records)
                rows.append(
                    {
                        "label": step,
                        "resource": resource,
                        "command": "pulumi " + " ".join(c for c in args if not c.startswith("--")),
                        "calls": [r["op"] for r in sorted(records, key=lambda r: r["start"])],
                        "rounds": [sorted(r["op"] for r in g) for g in groups],
                        "round_trips": len(groups),
                        "minimum": minimum,
                        "seconds": seconds,
                    }
                )
                progress(
                    f"{label}: {resource} {step}: {len(groups)} round trip(s) (minimum {minimum}): "
                    + " | ".join(", ".join(g) for g in rows[-1]["rounds"])
                )
            out["providers"][label] = {"path": path, "steps": rows}
        return out
    finally:
        proxy.stop()
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ latency


def direct(endpoint, mode, repos, concurrency, arn_prefix=None):
    """One run of bench/direct_ecr.py: (whole process s, calls alone s)."""
    cmd = [sys.executable, str(ROOT / "bench/direct_ecr.py"), "--endpoint", endpoint, "--mode", mode,
           "--repos", str(repos), "--concurrency", str(concurrency)]
    if arn_prefix:
        cmd += ["--arn-prefix", arn_prefix]
    start = time.perf_counter()
    p = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=clean_env())
    return time.perf_counter() - start, json.loads(p.stdout)["calls_seconds"]


def section_latency(a):
    work = Path(tempfile.mkdtemp(prefix="awsecr-bench-latency-"))
    moto = Moto(work / "moto")
    proxy = LatencyProxy(moto.port, a.delay_ms / 1000)
    par = ["--parallel", str(a.parallel)]
    try:
        stacks = {}
        for label, path in (c.split("=", 1) for c in a.compare):
            stacks[label] = Stack(work / label, a.toolchain, path, provider_version(path), moto, endpoint=proxy.endpoint)
        out = {"delay_ms": a.delay_ms, "runs": a.runs, "repos": a.repos, "parallel": a.parallel, "providers": {}}
        samples = {label: {"up": [], "refresh": [], "up_one": [], "refresh_one": []} for label in stacks}
        spans = {label: {"up": [], "refresh": []} for label in stacks}
        spans["direct"] = {"up": [], "refresh": []}
        d = {"up": [], "up_calls": [], "refresh": [], "refresh_calls": []}
        for r in range(a.runs):
            for label, stack in stacks.items():
                # The fixed cost at this latency: one repository.
                moto.reset()
                stack.fresh()
                stack.write_program("awsecr-bench", load_resources(1))
                samples[label]["up_one"].append(stack.ok(["up", "--skip-preview"] + par)[0])
                samples[label]["refresh_one"].append(stack.ok(["refresh", "--skip-preview"] + par)[0])
                moto.reset()
                stack.fresh()
                stack.write_program("awsecr-bench", load_resources(a.repos))
                proxy.take()
                samples[label]["up"].append(stack.ok(["up", "--skip-preview"] + par)[0])
                spans[label]["up"].append(span(proxy.take()))
                assert moto.repository_count() == a.repos
                samples[label]["refresh"].append(stack.ok(["refresh", "--skip-preview"] + par)[0])
                spans[label]["refresh"].append(span(proxy.take()))
                progress(
                    f"run {r + 1}/{a.runs}, {label}: pulumi up {samples[label]['up'][-1]:.2f} s, "
                    f"pulumi refresh {samples[label]['refresh'][-1]:.2f} s ({a.repos} repositories); "
                    f"1 repository: up {samples[label]['up_one'][-1]:.2f} s, refresh {samples[label]['refresh_one'][-1]:.2f} s"
                )
            moto.reset()
            proxy.take()
            whole, calls = direct(proxy.endpoint, "create", a.repos, a.parallel)
            spans["direct"]["up"].append(span(proxy.take()))
            d["up"].append(whole)
            d["up_calls"].append(calls)
            assert moto.repository_count() == a.repos
            status, body = moto.ecr("DescribeRepositories", {"repositoryNames": ["bench-000"]})
            assert status == 200, body
            arn_prefix = body["repositories"][0]["repositoryArn"].rsplit("/", 1)[0] + "/"
            proxy.take()
            whole, calls = direct(proxy.endpoint, "refresh", a.repos, a.parallel, arn_prefix)
            spans["direct"]["refresh"].append(span(proxy.take()))
            d["refresh"].append(whole)
            d["refresh_calls"].append(calls)
            progress(
                f"run {r + 1}/{a.runs}, direct boto3: create {d['up'][-1]:.2f} s (calls {d['up_calls'][-1]:.2f} s), "
                f"refresh {d['refresh'][-1]:.2f} s (calls {d['refresh_calls'][-1]:.2f} s)"
            )
        for label, s in samples.items():
            out["providers"][label] = {k: stats(v) for k, v in s.items()}
            for cmd in ("up", "refresh"):
                out["providers"][label][f"{cmd}_ratio"] = stats([p / x for p, x in zip(s[cmd], d[cmd])])
                out["providers"][label][f"{cmd}_ratio_calls"] = stats([p / x for p, x in zip(s[cmd], d[f"{cmd}_calls"])])
        out["direct"] = {k: stats(v) for k, v in d.items()}
        # The AWS part of each command, seen at the proxy.
        out["spans"] = {
            who: {cmd: {k: stats([x[k] for x in runs]) for k in ("span_s", "peak_in_flight", "requests")}
                  for cmd, runs in per.items()}
            for who, per in spans.items()
        }
        for who, per in out["spans"].items():
            progress(
                f"{who}: AWS calls of the up span {per['up']['span_s']['median']:.2f} s "
                f"({per['up']['peak_in_flight']['median']:.0f} at most in flight), of the refresh "
                f"{per['refresh']['span_s']['median']:.2f} s ({per['refresh']['peak_in_flight']['median']:.0f} at most in flight)"
            )
        return out
    finally:
        proxy.stop()
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ inventory


def inventory_run(provider, endpoint, args):
    """One `pulumi-resource-awsecr inventory ARGS` against `endpoint`: its
    wall seconds (process start to exit) and stdout."""
    env = clean_env({"AWS_ENDPOINT_URL_ECR": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    start = time.perf_counter()
    p = subprocess.run([provider, "inventory", "--region", REGION] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, env=env)
    seconds = time.perf_counter() - start
    if p.returncode != 0:
        raise RuntimeError(f"inventory {' '.join(args)} failed: {p.stderr}")
    return seconds, p.stdout


def sequential_listing(endpoint, page):
    """DescribeRepositories' pages one after another through `endpoint`
    (each needs the token of the one before): seconds."""
    port = int(endpoint.rsplit(":", 1)[1])
    auth = f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/ecr/aws4_request, SignedHeaders=host, Signature=0"
    headers = {"X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
               "Content-Type": "application/x-amz-json-1.1", "Authorization": auth}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start, token = time.perf_counter(), None
    while True:
        conn.request("POST", "/", json.dumps({"maxResults": page, **({"nextToken": token} if token else {})}), headers)
        resp = conn.getresponse()
        body = json.loads(resp.read() or b"{}")
        assert resp.status == 200, body
        token = body.get("nextToken")
        if not token:
            break
    conn.close()
    return time.perf_counter() - start


def section_inventory(a):
    work = Path(tempfile.mkdtemp(prefix="awsecr-bench-inventory-"))
    # Lenient moto answers every repository in one page whatever maxResults
    # says; strict mode pages as ECR does (min of maxResults and its page
    # size, here ECR's largest, 1,000).
    moto = Moto(work / "moto", env={"AWSECR_EMULATOR": "strict", "AWSECR_EMULATOR_PAGE_SIZE": "1000"})
    proxy = LatencyProxy(moto.port, a.delay_ms / 1000)
    try:
        # Seeded straight into the emulator, not through the proxy.
        for i in range(a.repos):
            status, body = moto.ecr("CreateRepository", {"repositoryName": f"inv/r-{i:05d}"})
            assert status == 200, body
        assert moto.repository_count() == a.repos
        progress(f"inventory: {a.repos} repositories seeded")
        page = a.page_size
        pages = -(-a.repos // page)
        # The minimum sequential listing: DescribeRepositories' pages one
        # after another (each needs the token of the one before), each one
        # request held `delay` by the proxy. The registry, rule and template
        # calls run beside the listing, so they add nothing to the minimum.
        minimum_s = pages * a.delay_ms / 1000
        out = {"repos": a.repos, "page_size": page, "delay_ms": a.delay_ms, "runs": a.runs,
               "pages": pages, "minimum_listing_s": minimum_s, "provider": a.provider}
        lean, full, lean_spans, full_spans, lean_ops = [], [], [], [], []
        direct, overlap = [], []
        file = work / "import.json"
        for r in range(a.runs):
            proxy.take()
            seconds, _ = inventory_run(a.provider, proxy.endpoint,
                                       ["--no-report", "--page-size", str(page), "--out", str(file)])
            records = proxy.take()
            lean.append(seconds)
            lean_spans.append(span(records))
            lean_ops.append(sorted({rec["op"] for rec in records}))
            listing = sorted((rec for rec in records if rec["op"] == "DescribeRepositories"),
                             key=lambda rec: rec["start"])
            assert len(listing) == pages, f"{len(listing)} DescribeRepositories for {pages} pages"
            others = [rec for rec in records if rec["op"] != "DescribeRepositories"]
            # Do the registry, rule and template calls overlap the listing?
            overlap.append(all(rec["end"] <= listing[-1]["end"] for rec in others))
            # The same pages one after another, straight through the proxy
            # (no SDK, no process start): the sequential listing this
            # emulator allows, its own time per page included.
            direct.append(sequential_listing(proxy.endpoint, page))
            proxy.take()
            seconds, _ = inventory_run(a.provider, proxy.endpoint, ["--page-size", str(page)])
            full.append(seconds)
            full_spans.append(span(proxy.take()))
            progress(f"inventory run {r + 1}/{a.runs}: --no-report {lean[-1]:.2f} s "
                     f"({lean_spans[-1]['requests']} requests), with the report {full[-1]:.2f} s "
                     f"({full_spans[-1]['requests']} requests); minimum listing {minimum_s:.2f} s")
        out["sequential_listing_s"] = stats(direct)
        out["no_report_ratio_to_sequential"] = stats([x / d for x, d in zip(lean, direct)])
        out["other_calls_within_listing"] = overlap
        out["no_report_s"] = stats(lean)
        out["no_report_ratio"] = stats([x / minimum_s for x in lean])
        out["no_report_span"] = {k: stats([x[k] for x in lean_spans]) for k in ("span_s", "peak_in_flight", "requests")}
        out["no_report_operations"] = lean_ops[-1]
        out["full_s"] = stats(full)
        out["full_ratio"] = stats([x / minimum_s for x in full])
        out["full_span"] = {k: stats([x[k] for x in full_spans]) for k in ("span_s", "peak_in_flight", "requests")}
        entries = json.loads(file.read_text())["resources"]
        out["import_entries"] = len(entries)
        assert len(entries) == a.repos, len(entries)
        Path(a.out).write_text(json.dumps(out, indent=2) + "\n")  # kept should the preview fail
        # `pulumi import --file` accepts the file: the real CLI, straight to
        # the emulator, a preview only (nothing is adopted).
        if a.toolchain:
            stack = Stack(work / "stack", a.toolchain, a.provider, a.version or provider_version(a.provider), moto)
            # Not stack.ok: it adds --yes, which --preview-only refuses.
            start = time.perf_counter()
            p = subprocess.run([str(Path(a.toolchain) / "pulumi"), "import", "--file", str(file), "--preview-only",
                                "--generate-code=false", "--non-interactive", "--color", "never"],
                               cwd=stack.project, env={k: v for k, v in stack.env().items()
                                                       if k != "PULUMI_SKIP_CONFIRMATIONS"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            seconds, text = time.perf_counter() - start, p.stdout
            if p.returncode != 0:
                raise RuntimeError(f"pulumi import --file --preview-only failed:\n{text[-3000:]}")
            out["import_preview"] = {"ok": True, "seconds": seconds,
                                     "last_lines": text.strip().splitlines()[-4:]}
            progress(f"pulumi import --file --preview-only of {len(entries)} entries: {seconds:.1f} s")
        return out
    finally:
        proxy.stop()
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ deps


def section_deps(a):
    """For each manifest: the crates of the shipped (normal) dependency graph
    that come in more than one version, from `cargo tree -d -e normal`."""
    out = {}
    for label, manifest in (m.split("=", 1) for m in a.manifest):
        p = subprocess.run(
            ["cargo", "tree", "--offline", "--locked", "--manifest-path", manifest, "-d", "-e", "normal",
             "--depth", "0", "--prefix", "none", "--format", "{p}"],
            check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        seen = {}
        for line in p.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2:
                seen.setdefault(parts[0], []).append(parts[1].lstrip("v"))
        # The same version twice is one crate built for the host (a build
        # script or proc macro's dependency) and for the target with other
        # features: one version, not a duplicate.
        seen = {name: sorted(set(v)) for name, v in seen.items() if len(set(v)) > 1}
        out[label] = {name: versions for name, versions in sorted(seen.items())}
        progress(f"{label}: {len(seen)} crates in more than one version: " + ", ".join(
            f"{n} {'/'.join(v)}" for n, v in out[label].items()))
    return out


# ------------------------------------------------------------------ main


# ------------------------------------------------------------------ quota


def quota_resources(n, keep):
    """The quota figures' program: `n` repositories quota-0000..., each with
    a lifecycle policy keeping `keep` images and a pull grant to another
    account."""
    return {
        f"repo{i:04d}": {
            "repositoryName": f"quota-{i:04d}",
            "forceDelete": True,
            "lifecyclePolicy": {"maxImageCount": keep},
            "pullPrincipals": [OTHER_ACCOUNT],
        }
        for i in range(n)
    }


def section_quota(a):
    """ECR's request quotas (issue 29): up, refresh, an update of every
    repository and destroy of `a.repos` repositories through a token bucket
    (`a.quota_rate` requests a second, a burst of `a.quota_burst`) in front
    of the emulator, at the engine's default parallelism and at
    `--parallel 64`. Each command must succeed with exactly the declared
    repositories in ECR; its time is compared with the quota-bound minimum
    (the requests ECR accepted, less the burst, divided by the rate) and
    the refused share is counted. With `a.quota_baseline`, the same runs
    again with no quota: the time the engine and the provider take when ECR
    never throttles. The provider's peak memory comes from
    bench/rss_wrapper.py."""
    rate, burst = a.quota_rate, a.quota_burst
    work = Path(tempfile.mkdtemp(prefix="awsecr-bench-quota-"))
    moto = Moto(work / "moto")
    proxy = LatencyProxy(moto.port, delay=0, quota=(rate, burst))
    # The same commands with no quota at all: how long the engine and the
    # provider take when ECR never throttles, the floor under any quota.
    free = LatencyProxy(moto.port, delay=0)
    try:
        record = work / "rss.jsonl"
        stacks = {
            p: Stack(
                work / f"stack-{n}",
                a.toolchain,
                ROOT / "bench/rss_wrapper.py",
                a.version,
                moto,
                env={"BENCH_REAL_PROVIDER": a.provider, "BENCH_RSS_RECORD": str(record)},
                endpoint=p.endpoint,
            )
            for n, p in enumerate((proxy, free))
        }
        out = {"repos": a.repos, "rate": rate, "burst": burst, "runs": {}, "unthrottled": {}}
        runs = [("default", [], proxy), ("parallel 64", ["--parallel", "64"], proxy)]
        if a.quota_baseline:
            runs += [("default", [], free), ("parallel 64", ["--parallel", "64"], free)]
        # A part of the measurement, for a quick look (--quota-runs,
        # --quota-steps, --quota-no-limit): the rest is left out.
        runs = [
            r for r in runs
            if r[0].replace(" ", "") in a.quota_runs and (r[2] is proxy or a.quota_baseline)
            and not (r[2] is proxy and a.quota_no_limit)
        ]
        for label, flags, through in runs:
            stack = stacks[through]
            moto.reset()
            stack.fresh()
            record.unlink(missing_ok=True)
            steps = []
            series = []
            for step, command, keep, want in (
                ("up", "up", 10, a.repos),
                ("refresh", "refresh", None, a.repos),
                ("update", "up", 20, a.repos),
                ("destroy", "destroy", None, 0),
            ):
                if step not in a.quota_steps:
                    continue
                if keep is not None:
                    stack.write_program("awsecr-bench", quota_resources(a.repos, keep))
                # A quiet second: the bucket is full again, as after any pause.
                time.sleep(max(1.0, burst / rate))
                through.take()
                ok, seconds, output = stack.run([command, "--skip-preview"] + flags)
                records = through.take()
                refused = sum(1 for r in records if r.get("refused"))
                accepted = len(records) - refused
                held = moto.repository_count()
                minimum = max(accepted - burst, 0) / rate
                steps.append(
                    {
                        "step": step,
                        "ok": ok,
                        "seconds": seconds,
                        "accepted": accepted,
                        "refused": refused,
                        "refused_share": refused / len(records) if records else 0.0,
                        "minimum_s": minimum,
                        "ratio": seconds / minimum if minimum else None,
                        "repositories_after": held,
                        "expected_after": want,
                    }
                )
                series.append({"step": step, "per_second": per_second(records)})
                progress(
                    (f"quota {rate:g}/s burst {burst:g}" if through is proxy else "no quota")
                    + f", {a.repos} repositories, {label}: {step} "
                    f"{'ok' if ok else 'FAILED'} in {seconds:.1f} s (minimum {minimum:.1f} s), "
                    f"{accepted} accepted, {refused} refused ({steps[-1]['refused_share'] * 100:.1f}%), "
                    f"{held} repositories in ECR (want {want})"
                )
                if not ok:
                    progress(output[-3000:])
                    break
            for _ in range(100):
                if record.exists() and record.read_text().strip():
                    break
                time.sleep(0.1)
            procs = [json.loads(line) for line in record.read_text().splitlines() if line.strip()] if record.exists() else []
            if through is free:
                out["unthrottled"][label] = {"steps": steps}
                continue
            out["runs"][label] = {
                "steps": steps,
                "series": series,
                "peak_kib": max((p["maxrss_kib"] for p in procs), default=None),
                "provider_processes": len(procs),
            }
        return out
    finally:
        proxy.stop()
        free.stop()
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


def loadavg():
    """The 1, 5 and 15 minute load averages."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def main():
    # A TERM runs the `finally` blocks too, so no emulator outlives us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("section", choices=["startup", "memory", "calls", "up", "rounds", "latency", "deps", "quota", "inventory"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", action="append", default=[], help="LABEL=PATH (startup)")
    ap.add_argument("--coldstart", help="tools/bench-peer/cmd/coldstart, built (startup)")
    ap.add_argument("--settle", type=float, default=0.5, help="idle seconds after Configure (startup)")
    ap.add_argument("--provider", help="the provider binary (memory, calls, up)")
    ap.add_argument("--version", help="the provider's version (memory, calls, up)")
    ap.add_argument("--toolchain", help="the Pulumi toolchain's bin directory (memory, calls, up)")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[100, 500])
    ap.add_argument("--repos", type=int, default=100)
    ap.add_argument("--scale-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[], help="(up)")
    ap.add_argument("--parallel", type=int, default=10)
    ap.add_argument("--compare", action="append", default=[], help="LABEL=PROVIDER (rounds, latency)")
    ap.add_argument("--delay-ms", type=float, default=100, help="the latency proxy's delay (rounds, latency)")
    ap.add_argument("--quota-rate", type=float, default=20, help="requests a second (quota)")
    ap.add_argument("--quota-baseline", action="store_true",
                    help="also run the commands with no quota, the floor under any quota (quota)")
    ap.add_argument("--quota-burst", type=float, default=40, help="the bucket's burst (quota)")
    ap.add_argument("--quota-runs", type=lambda s: s.split(","), default=["default", "parallel64"],
                    help="which parallelisms: default,parallel64 (quota)")
    ap.add_argument("--quota-steps", type=lambda s: s.split(","), default=["up", "refresh", "update", "destroy"],
                    help="which commands, in this order: up,refresh,update,destroy (quota; each needs the ones before it)")
    ap.add_argument("--quota-no-limit", action="store_true",
                    help="with --quota-baseline: only the runs with no quota (quota)")
    ap.add_argument("--page-size", type=int, default=100, help="DescribeRepositories' page size (inventory)")
    ap.add_argument("--manifest", action="append", default=[], help="LABEL=Cargo.toml (deps)")
    a = ap.parse_args()
    load_start = loadavg()
    result = {
        "startup": section_startup,
        "memory": section_memory,
        "calls": section_calls,
        "up": section_up,
        "rounds": section_rounds,
        "latency": section_latency,
        "deps": section_deps,
        "quota": section_quota,
        "inventory": section_inventory,
    }[a.section](a)
    # The machine is shared: what else ran shows in the load average.
    result = {**result, "load": {"start": load_start, "end": loadavg()}} if a.section != "deps" else result
    Path(a.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
