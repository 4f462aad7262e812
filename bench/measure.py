"""The measurements behind docs/performance.md, one section per call
(bench/run.sh calls each in turn and bench/report.py writes the document):

  startup  cold start (process start to the port line; to a completed
           Configure) and idle memory after Configure, for each --bin, runs
           interleaved so that noise hits every binary alike
  memory   peak memory of the provider during `pulumi up` of N repositories
  calls    AWS calls per operation, counted on the emulator
  up       `pulumi up` of N repositories vs the same calls made directly
           with an AWS SDK (bench/direct_ecr.py) at the same concurrency

Each section writes one JSON file (--out). Run with the test venv's Python.
"""

import argparse
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

from harness import ROOT, Moto, Stack, clean_env, load_resources, progress, stats

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


def start_once(tool, binary, settle, env=None):
    """One cold start: ms to the port line, ms to a completed Configure
    (GetPluginInfo, CheckConfig, Configure, as the engine sends them), each
    call's ms, and memory after Configure once idle for `settle` seconds."""
    r = coldstart(tool, ["-settle", f"{int(settle * 1000)}ms", "-config", json.dumps(CONFIG), binary], env)
    for call, ms in r.pop("rpc_ms").items():
        r[f"rpc_{call}_ms"] = ms
    return r


def floor_once(tool):
    """The measuring floor: start /bin/echo and read its one line."""
    return coldstart(tool, ["-port-only", "/bin/echo", "0"])["port_ms"]


def section_startup(a):
    bins = [b.split("=", 1) for b in a.bin]
    envs = {}
    for p in a.preload:
        label, lib = p.split("=", 1)
        envs[label] = {"LD_PRELOAD": lib}
    settle = a.settle
    samples = {label: [] for label, _ in bins}
    floor = []
    # One unrecorded start each, so every binary is in the page cache.
    for label, path in bins:
        start_once(a.coldstart, path, 0, envs.get(label))
    for i in range(a.runs):
        for label, path in bins:
            samples[label].append(start_once(a.coldstart, path, settle, envs.get(label)))
        floor.append(floor_once(a.coldstart))
        if (i + 1) % 5 == 0 or i + 1 == a.runs:
            progress(f"cold start: {i + 1}/{a.runs} runs of {len(bins)} binaries")
    out = {"runs": a.runs, "settle_s": settle, "floor_ms": stats(floor), "binaries": {}}
    for label, path in bins:
        s = samples[label]
        out["binaries"][label] = {
            "path": path,
            "preload": envs.get(label, {}).get("LD_PRELOAD"),
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

    steps = [
        ("preview of a create", ["preview"], dict(p), []),
        ("create, no lifecycle policy", ["up"], dict(p), ["CreateRepository"]),
        ("no-change preview", ["preview"], dict(p), []),
        ("no-change up", ["up"], dict(p), []),
        ("update immutableTags", ["up"], edit(immutableTags=False), ["PutImageTagMutability"]),
        ("update mutableTagExclusions", ["up"], edit(immutableTags=True, mutableTagExclusions=["latest"]),
         ["PutImageTagMutability"]),
        ("update scanOnPush", ["up"], edit(scanOnPush=False), ["PutImageScanningConfiguration"]),
        ("add a lifecycle policy", ["up"], edit(lifecyclePolicy={"maxImageCount": 50}), ["PutLifecyclePolicy"]),
        ("change the lifecycle policy", ["up"], edit(lifecyclePolicy={"maxImageCount": 20, "expireUntaggedAfterDays": 7}),
         ["PutLifecyclePolicy"]),
        ("remove the lifecycle policy", ["up"], edit(lifecyclePolicy=None), ["DeleteLifecyclePolicy"]),
        ("add tags", ["up"], edit(tags={"team": "platform", "service": "api"}), ["TagResource"]),
        ("change a tag's value", ["up"], edit(tags={"team": "platform", "service": "web"}), ["TagResource"]),
        ("remove a tag", ["up"], edit(tags={"team": "platform"}), ["UntagResource"]),
    ]
    if with_access:
        steps += [
            ("grant access (pullPrincipals)", ["up"], edit(pullPrincipals=["111122223333"]), ["SetRepositoryPolicy"]),
            ("change access (pushPrincipals)", ["up"], edit(pushPrincipals=["444455556666"]), ["SetRepositoryPolicy"]),
            ("revoke all access", ["up"], edit(pullPrincipals=None, pushPrincipals=None), ["DeleteRepositoryPolicy"]),
        ]
    steps += [
        ("update forceDelete (state only)", ["up"], edit(forceDelete=True), []),
        ("three settings at once (scanOnPush, lifecycle, tags)", ["up"],
         edit(scanOnPush=True, lifecyclePolicy={"maxImageCount": 30}, tags={"team": "platform", "tier": "1"}),
         ["PutImageScanningConfiguration", "PutLifecyclePolicy", "TagResource"]),
        ("preview of an update", ["preview"], edit(tags={"team": "data", "tier": "1"}), []),
        ("read (pulumi refresh)", ["refresh", "--skip-preview"], None, READ),
        ("replace (rename; create, then delete the old)", ["up"], edit(repositoryName="calls-b", tags={"team": "platform", "tier": "1"}),
         ["CreateRepository", "PutLifecyclePolicy", "DeleteRepository"]),
        ("delete (pulumi destroy)", ["destroy", "--skip-preview"], None, ["DeleteRepository"]),
        ("create with a lifecycle policy", ["up"], {**BASE, **LIFECYCLE}, ["CreateRepository", "PutLifecyclePolicy"]),
        ("import (pulumi import)", None, None, READ),
    ]
    if with_access:
        steps.append(
            ("create with a lifecycle policy and access", ["up"],
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


# ------------------------------------------------------------------ main


def main():
    # A TERM runs the `finally` blocks too, so no emulator outlives us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("section", choices=["startup", "memory", "calls", "up"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", action="append", default=[], help="LABEL=PATH (startup)")
    ap.add_argument("--preload", action="append", default=[], help="LABEL=LIB: LD_PRELOAD for --bin LABEL (startup)")
    ap.add_argument("--coldstart", help="tools/bench-peer/cmd/coldstart, built (startup)")
    ap.add_argument("--settle", type=float, default=0.5, help="idle seconds after Configure (startup)")
    ap.add_argument("--provider", help="the provider binary (memory, calls, up)")
    ap.add_argument("--version", help="the provider's version (memory, calls, up)")
    ap.add_argument("--toolchain", help="the Pulumi toolchain's bin directory (memory, calls, up)")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[100, 500])
    ap.add_argument("--repos", type=int, default=100)
    ap.add_argument("--scale-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[], help="(up)")
    ap.add_argument("--parallel", type=int, default=10)
    a = ap.parse_args()
    result = {
        "startup": section_startup,
        "memory": section_memory,
        "calls": section_calls,
        "up": section_up,
    }[a.section](a)
    Path(a.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
