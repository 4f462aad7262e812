"""Shared pieces of the benchmark scripts (bench/run.sh): the local ECR
emulator, hermetic Pulumi stacks, provider processes and statistics.

Mirrors the test harness (tests/common/): moto on a free loopback port,
stopped by pid; the pinned Pulumi CLI with its own PULUMI_HOME and a local
state backend; nothing but 127.0.0.1 is ever contacted.
"""

import base64
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"


def progress(msg):
    print(f"    {msg}", flush=True)


def stats(values):
    """Median, min and max of a list of numbers (None when empty)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


# A provider environment that never reaches for real AWS (as tests/common does).
AWS_ENV = {
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/awsecr-bench-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/awsecr-bench-credentials",
}
AWS_ENV_REMOVE = ["AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR"]


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in AWS_ENV_REMOVE}
    env.update(AWS_ENV)
    env.update(extra or {})
    return env


class Moto:
    """A local ECR emulator (tests/support/moto_ecr.py) on a free port, in
    lenient mode: the benchmarks time the provider, not the strict mode's
    request checks, and their direct boto3 peer lists without paging."""

    def __init__(self, workdir, env=None):
        """`env` overrides the emulator's environment, e.g. strict mode with
        a page size (AWSECR_EMULATOR=strict, AWSECR_EMULATOR_PAGE_SIZE) for
        a client's own paging (the inventory section)."""
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MOTO_RECORDER_FILEPATH": str(workdir / "recording"), "AWSECR_EMULATOR": "lenient", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests/support/moto_ecr.py"), "-H", "127.0.0.1", "-p", "0"],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.port = None
        seen = []
        for line in self.proc.stderr:
            seen.append(line)
            if "Running on http://127.0.0.1:" in line:
                self.port = int(line.split("Running on http://127.0.0.1:")[1].strip().rstrip("/"))
                break
        if self.port is None:
            self.stop()
            raise RuntimeError("the emulator did not start:\n" + "".join(seen))
        # Keep draining its log so it never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def http(self, method, path, body=b"", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def reset(self):
        status, _ = self.http("POST", "/moto-api/reset")
        assert status == 200, status

    def start_recording(self):
        self.http("POST", "/moto-api/recorder/reset-recording")
        status, _ = self.http("POST", "/moto-api/recorder/start-recording")
        assert status == 200, status

    def stop_recording(self):
        """Stops recording; returns the AWS operations made, in order."""
        self.http("POST", "/moto-api/recorder/stop-recording")
        _, body = self.http("GET", "/moto-api/recorder/download-recording")
        ops = []
        for line in body.decode().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if "/moto-api/" in str(entry.get("url", "")):
                continue
            target = (entry.get("headers") or {}).get("X-Amz-Target")
            if target:
                ops.append(target.rsplit(".", 1)[-1])
            else:
                # Query-protocol services (STS) name the action in the body.
                text = str(entry.get("body") or "")
                if entry.get("body_encoded"):
                    text = base64.b64decode(text).decode(errors="replace")
                text += "&" + str(entry.get("url", "")).partition("?")[2]
                action = next((p.split("=", 1)[1] for p in text.replace("?", "&").split("&") if p.startswith("Action=")), None)
                ops.append(action or f"{entry.get('method')} {entry.get('url')}")
        return ops

    def ecr(self, target, payload):
        """One unsigned ECR JSON call (moto does not check signatures)."""
        auth = f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/ecr/aws4_request, SignedHeaders=host, Signature=0"
        status, body = self.http(
            "POST",
            "/",
            json.dumps(payload).encode(),
            {
                "X-Amz-Target": f"AmazonEC2ContainerRegistry_V20150921.{target}",
                "Content-Type": "application/x-amz-json-1.1",
                "Authorization": auth,
            },
        )
        return status, json.loads(body or b"{}")

    def signing_profile(self, name):
        """A signing profile in the emulator's Signer (moto's, on the same
        endpoint), as a Registry's `signing` rules name one; returns its ARN."""
        auth = f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/signer/aws4_request, SignedHeaders=host, Signature=0"
        status, body = self.http(
            "PUT",
            f"/signing-profiles/{name}",
            b'{"platformId":"Notation-OCI-SHA384-ECDSA"}',
            {"Content-Type": "application/json", "Authorization": auth},
        )
        assert status == 200, body
        return json.loads(body)["arn"]

    def repository_count(self):
        names, token = 0, None
        while True:
            payload = {"maxResults": 1000}
            if token:
                payload["nextToken"] = token
            status, body = self.ecr("DescribeRepositories", payload)
            assert status == 200, body
            names += len(body.get("repositories", []))
            token = body.get("nextToken")
            if not token:
                return names

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Stack:
    """A Pulumi project in `workdir` with a local state backend and its own
    PULUMI_HOME, the provider plugin installed from `plugin`, and stack
    `bench` configured for the emulator."""

    def __init__(self, workdir, toolchain, plugin, version, moto, env=None, endpoint=None):
        self.dir = Path(workdir)
        self.project = self.dir / "project"
        self.state = self.dir / "state"
        self.project.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)
        self.toolchain = toolchain
        self.moto = moto
        # Where the provider reaches ECR: the emulator, or a proxy in front of it.
        self.endpoint = endpoint or moto.endpoint
        self.extra_env = env or {}
        self.write_program("awsecr-bench", {})
        self.ok(["plugin", "install", "resource", "awsecr", version, "--file", str(plugin)])
        self.fresh()

    def env(self):
        env = clean_env(self.extra_env)
        env.update(
            {
                "PATH": f"{self.toolchain}:{os.environ.get('PATH', '')}",
                "PULUMI_HOME": str(self.dir / "home"),
                "PULUMI_BACKEND_URL": f"file://{self.state}",
                "PULUMI_CONFIG_PASSPHRASE": "bench-passphrase",
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                "PULUMI_SKIP_CONFIRMATIONS": "true",
                "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
                "NO_COLOR": "1",
            }
        )
        return env

    def run(self, args, env=None):
        """Runs `pulumi ARGS` (with `env` added); returns (ok, seconds, output)."""
        full = list(args)
        if full and full[0] in ("up", "preview", "destroy", "refresh", "import"):
            full += ["--non-interactive", "--color", "never"]
            if full[0] != "preview":
                full.append("--yes")
        start = time.perf_counter()
        p = subprocess.run(
            [str(Path(self.toolchain) / "pulumi")] + full,
            cwd=self.project,
            env={**self.env(), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return p.returncode == 0, time.perf_counter() - start, p.stdout

    def ok(self, args, env=None):
        ok, seconds, out = self.run(args, env)
        if not ok:
            raise RuntimeError(f"pulumi {' '.join(args)} failed:\n{out}")
        return seconds, out

    def fresh(self):
        """An empty stack `bench` (the emulator is reset separately)."""
        shutil.rmtree(self.state, ignore_errors=True)
        self.state.mkdir(parents=True)
        for f in self.project.glob("Pulumi.*.yaml"):
            f.unlink()
        self.ok(["stack", "init", "bench"])
        self.ok(["config", "set", "awsecr:region", REGION])
        self.ok(["config", "set", "awsecr:endpoint", self.endpoint])
        self.ok(["config", "set", "--secret", "awsecr:accessKey", "testing"])
        self.ok(["config", "set", "--secret", "awsecr:secretKey", "testing"])

    def write_program(self, name, resources, token="awsecr:index:Repository"):
        """Pulumi.yaml with `resources`: {logical name: properties}, each of type `token`."""
        lines = [f"name: {name}", "runtime: yaml", "resources:" if resources else "resources: {}"]
        for logical, props in resources.items():
            lines.append(f"  {logical}:")
            lines.append(f"    type: {token}")
            lines.append("    properties: " + json.dumps(props))
        (self.project / "Pulumi.yaml").write_text("\n".join(lines) + "\n")


def load_resources(n):
    """The program of the load figures: `n` repositories named bench-000...,
    each with a lifecycle policy and a tag (what bench/direct_ecr.py makes)."""
    return {
        f"repo{i:03d}": {
            "repositoryName": f"bench-{i:03d}",
            "forceDelete": True,
            "lifecyclePolicy": {"maxImageCount": 10},
            "tags": {"team": "platform"},
        }
        for i in range(n)
    }
