"""A latency proxy for the round-trip figures (bench/run.sh,
docs/performance.md): an HTTP proxy on 127.0.0.1 that holds every AWS
request a fixed delay (default 100 ms, a far region) before forwarding it
to the emulator, and records each request's operation (X-Amz-Target, or
Action= for query-protocol services such as STS) and when it started and
ended. `rounds` turns those records into the critical path of a command:
its sequential round trips.

With `quota=(rate, burst)` it also stands for ECR's request quotas: a
token bucket over every ECR request (refilled at `rate` a second, holding
at most `burst`), answering ECR's ThrottlingException beyond it; refused
requests are recorded with `"refused": True` (see `per_second`).

Threaded (one thread per client connection, HTTP/1.1 keep-alive), so
calls a client makes at once are held at once, as a far region would.
Standard library only; used in-process by bench/measure.py:

    proxy = LatencyProxy(moto.port, delay=0.1)
    ... point the provider at proxy.endpoint ...
    records = proxy.take()           # [{"op", "start", "end"}, ...]
    len(rounds(records))             # critical-path round trips
    proxy.stop()

Tested by bench/test_latency_proxy.py (bench/run.sh runs it first).
"""

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

# Headers that belong to one hop, not to the request or the response.
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


def rounds(records):
    """Groups requests into sequential rounds: the critical path of the
    command that made them. Requests are taken in the order they started;
    one joins the current round if it started before every request of that
    round ended, otherwise a new round begins. Each record has "start" and
    "end" (seconds, one clock). Returns the rounds, each a list of records.

    >>> r = lambda s, e: {"start": s, "end": e}
    >>> len(rounds([r(0.0, 0.1), r(0.01, 0.11), r(0.12, 0.22)]))
    2
    """
    out = []
    for rec in sorted(records, key=lambda r: (r["start"], r["end"])):
        if out and rec["start"] < min(r["end"] for r in out[-1]):
            out[-1].append(rec)
        else:
            out.append([rec])
    return out


def span(records):
    """What the AWS calls of one command took: from the first request's start
    to the last one's end (s), the most requests in flight at once, and the
    requests made."""
    if not records:
        return {"span_s": 0.0, "peak_in_flight": 0, "requests": 0}
    events = sorted([(r["start"], 1) for r in records] + [(r["end"], -1) for r in records])
    now = peak = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return {
        "span_s": max(r["end"] for r in records) - min(r["start"] for r in records),
        "peak_in_flight": peak,
        "requests": len(records),
    }


class Bucket:
    """A token bucket: `rate` tokens a second, at most `burst`, full at the
    start. `take(now)` says whether a request arriving at `now` (seconds,
    one clock) gets a token."""

    def __init__(self, rate, burst, now=0.0):
        self.rate, self.burst = float(rate), float(burst)
        self.tokens, self.last = float(burst), now
        self._lock = threading.Lock()

    def take(self, now):
        with self._lock:
            self.tokens = min(self.burst, self.tokens + max(0.0, now - self.last) * self.rate)
            self.last = max(self.last, now)
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


def per_second(records):
    """Accepted and refused requests by whole second since the first
    request: [(second, accepted, refused), ...], every second present."""
    if not records:
        return []
    t0 = min(r["start"] for r in records)
    last = int(max(r["start"] for r in records) - t0)
    out = [[s, 0, 0] for s in range(last + 1)]
    for r in records:
        row = out[int(r["start"] - t0)]
        row[2 if r.get("refused") else 1] += 1
    return [tuple(row) for row in out]


THROTTLED = b'{"__type":"ThrottlingException","message":"Rate exceeded"}'


def operation(headers, body):
    """The AWS operation of a request: the last part of X-Amz-Target (JSON
    protocols: ECR), else the Action of a query-protocol request (STS, IAM),
    else the method and path."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    form = parse_qs(body.decode(errors="replace")) if body else {}
    action = form.get("Action")
    return action[0] if action else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes; with Nagle's algorithm
    # the body then waits for the client's delayed ACK of the headers (about
    # 40 ms on Linux), which added some 45 ms to every request on top of the
    # delay asked for.
    disable_nagle_algorithm = True

    def log_message(self, *_):
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self):
        proxy = self.server.proxy
        start = time.monotonic()
        body = self._body()
        op = operation(self.headers, body) or f"{self.command} {self.path}"
        if proxy.bucket and self.headers.get("X-Amz-Target") and not proxy.bucket.take(time.monotonic()):
            proxy._record({"op": op, "start": start, "end": time.monotonic(), "status": 400, "refused": True})
            self.send_response_only(400, "Bad Request")
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("x-amzn-ErrorType", "ThrottlingException")
            self.send_header("Content-Length", str(len(THROTTLED)))
            self.end_headers()
            self.wfile.write(THROTTLED)
            self.wfile.flush()
            return
        time.sleep(proxy.delay)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if body or self.command in ("POST", "PUT"):
            headers["Content-Length"] = str(len(body))
        upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=300)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            resp = upstream.getresponse()
            data = resp.read()
            status, reason, resp_headers = resp.status, resp.reason, resp.getheaders()
        finally:
            upstream.close()
        # Recorded before the client can see the response: a request the
        # client makes after it starts after this one ended, and a take()
        # after the client's last response holds that response's record.
        proxy._record({"op": op, "start": start, "end": time.monotonic(), "status": status})
        self.send_response_only(status, reason)
        for k, v in resp_headers:
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a client opening a few hundred
    # connections at once (a refresh at --parallel 64 sends 256 reads) then
    # had its connection attempts dropped and retried by the kernel for
    # seconds, past the AWS SDK's 3.1 s connect timeout, which no ECR
    # endpoint does.
    request_queue_size = 1024


class LatencyProxy:
    """Listens on a free port of 127.0.0.1 and forwards to the emulator on
    127.0.0.1:`upstream_port`, each request held `delay` seconds first,
    and, with `quota=(rate, burst)`, refused beyond that token bucket."""

    def __init__(self, upstream_port, delay=0.1, quota=None):
        self.upstream_port = upstream_port
        self.delay = delay
        self.bucket = Bucket(quota[0], quota[1], time.monotonic()) if quota else None
        self._records = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def _record(self, rec):
        with self._lock:
            self._records.append(rec)

    def take(self):
        """The records since the last take (or the start), in order of
        completion; clears them."""
        with self._lock:
            out, self._records = self._records, []
        return out

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def main():
    """Runs the proxy alone: `python bench/latency_proxy.py UPSTREAM_PORT [DELAY_MS]`
    prints its port, then each request's operation and time as it completes."""
    import sys

    proxy = LatencyProxy(int(sys.argv[1]), float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.1)
    print(proxy.port, flush=True)
    try:
        while True:
            time.sleep(1)
            for r in proxy.take():
                print(f"{r['op']} {(r['end'] - r['start']) * 1000:.0f} ms", flush=True)
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    main()
