"""Starts a provider binary as the engine does and checks what it serves.

    python plugin-check.py --schema schema.json --version 0.1.0 [--no-stop-check] -- COMMAND...

COMMAND starts the provider: the binary itself, or the binary under an
emulator (`qemu-aarch64 -L /usr/aarch64-linux-gnu pulumi-resource-awsecr`,
`wine pulumi-resource-awsecr.exe`). The check waits for the port on the
first line of its stdout, asks GetPluginInfo for the version and GetSchema
for the schema over gRPC (the engine's own stubs, from the `pulumi` Python
package), compares both with what is expected, then sends SIGTERM and waits
for a clean exit (status 0), unless --no-stop-check (an emulator that does not
pass the signal on). Prints one line on success; exits 1 with the reason
otherwise. The process it started is always stopped, by its pid.

Run with the test venv's Python (scripts/test-venv.sh), which has grpcio and
pulumi. scripts/release.sh runs it on every binary this machine can start.
"""

import argparse
import json
import selectors
import signal
import subprocess
import sys
import tempfile
import time

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

START_TIMEOUT = 60  # seconds to the port line: emulated start-up is slow
CALL_TIMEOUT = 60
STOP_TIMEOUT = 20


def fail(message):
    print(f"plugin-check: {message}", file=sys.stderr)
    sys.exit(1)


def read_port(proc, deadline):
    """The first line of stdout, as a port number."""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not selector.select(left):
            raise TimeoutError(f"no port line within {START_TIMEOUT}s")
        chunk = proc.stdout.read1(64) if hasattr(proc.stdout, "read1") else proc.stdout.read(1)
        if not chunk:
            raise RuntimeError(f"exited with status {proc.wait()} before printing its port")
        line += chunk
    text = line.decode().strip()
    if not text.isdigit():
        raise RuntimeError(f"first line of stdout is {text!r}, not a port")
    return int(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True, help="the schema.json the binary must serve")
    parser.add_argument("--version", required=True, help="the version it must report")
    parser.add_argument("--no-stop-check", action="store_true")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    expected = json.load(open(args.schema))

    started = time.monotonic()
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(args.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
    try:
        try:
            port = read_port(proc, started + START_TIMEOUT)
        except (TimeoutError, RuntimeError) as e:
            proc.kill()
            proc.wait()
            errors.seek(0)
            err = errors.read().decode(errors="replace")[-2000:]
            fail(f"{' '.join(args.command)}: {e}\n{err}")
        up = time.monotonic() - started
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            info = stub.GetPluginInfo(empty_pb2.Empty(), timeout=CALL_TIMEOUT)
            if info.version != args.version:
                fail(f"GetPluginInfo says version {info.version!r}, expected {args.version!r}")
            reply = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=CALL_TIMEOUT)
        served = json.loads(reply.schema)
        if served != expected:
            keys = sorted(k for k in set(served) | set(expected) if served.get(k) != expected.get(k))
            fail(f"GetSchema serves a schema that differs from {args.schema} in: {', '.join(keys)}")
        stop = ""
        if not args.no_stop_check:
            proc.send_signal(signal.SIGTERM)
            try:
                status = proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                fail(f"still running {STOP_TIMEOUT}s after SIGTERM")
            if status != 0:
                fail(f"exited with status {status} on SIGTERM")
            stop = ", exit 0 on SIGTERM"
        print(
            f"port line after {up:.1f}s, GetPluginInfo {info.version}, "
            f"GetSchema {len(reply.schema)} bytes = {args.schema}{stop}"
        )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
