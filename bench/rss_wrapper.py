#!/usr/bin/env python3
"""Installed as the awsecr plugin for the peak-memory figures (bench/run.sh):
starts the real provider ($BENCH_REAL_PROVIDER) with the engine's arguments,
passes its stdout (the port line) straight through, forwards SIGINT/SIGTERM,
and when it exits appends one JSON line to $BENCH_RSS_RECORD with its pid,
peak resident memory (ru_maxrss of the child, the kernel's VmHWM at exit),
exit code and lifetime. Standard library only."""

import json
import os
import signal
import sys
import time

real = os.environ["BENCH_REAL_PROVIDER"]
record = os.environ["BENCH_RSS_RECORD"]
start = time.monotonic()
pid = os.posix_spawn(real, [real] + sys.argv[1:], os.environ)


def forward(sig, _frame):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


signal.signal(signal.SIGINT, forward)
signal.signal(signal.SIGTERM, forward)
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(record, "a") as f:
    f.write(
        json.dumps(
            {"pid": pid, "maxrss_kib": usage.ru_maxrss, "exit": code, "seconds": time.monotonic() - start}
        )
        + "\n"
    )
sys.exit(code if code >= 0 else 1)
