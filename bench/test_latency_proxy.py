"""Tests of bench/latency_proxy.py: the grouping of requests into rounds
(the critical-path round trips of docs/performance.md) and the proxy
itself against a small local upstream. Run by bench/run.sh before any
measurement:

    python -m unittest discover -s bench -p 'test_*.py'   (from the repository root; scripts/test.sh runs this)
    python bench/test_latency_proxy.py
"""

import doctest
import http.client
import json
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import latency_proxy  # noqa: E402
from latency_proxy import Bucket, LatencyProxy, operation, per_second, rounds, span  # noqa: E402


def req(op, start, end):
    return {"op": op, "start": start, "end": end}


def ops(groups):
    return [[r["op"] for r in g] for g in groups]


class Rounds(unittest.TestCase):
    def test_nothing_is_no_round(self):
        self.assertEqual(rounds([]), [])

    def test_one_request_is_one_round(self):
        self.assertEqual(ops(rounds([req("A", 0, 1)])), [["A"]])

    def test_sequential_requests_are_one_round_each(self):
        recs = [req("Create", 0.0, 0.1), req("PutLifecycle", 0.1005, 0.2), req("SetPolicy", 0.2005, 0.3)]
        self.assertEqual(ops(rounds(recs)), [["Create"], ["PutLifecycle"], ["SetPolicy"]])

    def test_requests_in_flight_together_are_one_round(self):
        recs = [req(op, 0.001 * i, 0.1 + 0.001 * i) for i, op in enumerate(["Describe", "GetLc", "GetPol", "Tags"])]
        self.assertEqual(ops(rounds(recs)), [["Describe", "GetLc", "GetPol", "Tags"]])

    def test_create_then_follow_ups_at_once_is_two(self):
        recs = [req("Create", 0.0, 0.1), req("PutLifecycle", 0.101, 0.2), req("SetPolicy", 0.102, 0.21)]
        self.assertEqual(ops(rounds(recs)), [["Create"], ["PutLifecycle", "SetPolicy"]])

    def test_order_of_the_records_does_not_matter(self):
        recs = [req("C", 0.12, 0.22), req("A", 0.0, 0.1), req("B", 0.01, 0.11)]
        self.assertEqual(ops(rounds(recs)), [["A", "B"], ["C"]])

    def test_a_request_must_start_before_every_one_of_the_round_ended(self):
        # B overlaps A, C overlaps B but starts after A ended: C waited for A.
        recs = [req("A", 0.0, 0.1), req("B", 0.05, 0.2), req("C", 0.15, 0.25)]
        self.assertEqual(ops(rounds(recs)), [["A", "B"], ["C"]])

    def test_starting_exactly_when_one_ended_is_a_new_round(self):
        recs = [req("A", 0.0, 0.1), req("B", 0.1, 0.2)]
        self.assertEqual(len(rounds(recs)), 2)

    def test_doctests(self):
        failures, _ = doctest.testmod(latency_proxy, verbose=False)
        self.assertEqual(failures, 0)


class Span(unittest.TestCase):
    def test_nothing(self):
        self.assertEqual(span([]), {"span_s": 0.0, "peak_in_flight": 0, "requests": 0})

    def test_first_start_to_last_end_and_most_in_flight(self):
        recs = [req("A", 1.0, 1.1), req("B", 1.05, 1.2), req("C", 1.06, 1.15), req("D", 1.3, 1.4)]
        s = span(recs)
        self.assertAlmostEqual(s["span_s"], 0.4)
        self.assertEqual(s["peak_in_flight"], 3)
        self.assertEqual(s["requests"], 4)

    def test_one_ending_as_the_next_starts_is_not_two_in_flight(self):
        self.assertEqual(span([req("A", 0.0, 0.1), req("B", 0.1, 0.2)])["peak_in_flight"], 1)


class Operation(unittest.TestCase):
    def test_json_protocol_target(self):
        self.assertEqual(
            operation({"X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.CreateRepository"}, b"{}"),
            "CreateRepository",
        )

    def test_query_protocol_action(self):
        self.assertEqual(operation({}, b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15"),
                         "AssumeRoleWithWebIdentity")

    def test_neither(self):
        self.assertIsNone(operation({}, b""))


class _Echo(BaseHTTPRequestHandler):
    """Upstream: answers each POST with its target and body, at once."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        data = json.dumps({"target": self.headers.get("X-Amz-Target"), "body": body.decode()}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Proxy(unittest.TestCase):
    DELAY = 0.05

    def setUp(self):
        self.upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
        self.upstream.daemon_threads = True
        threading.Thread(target=self.upstream.serve_forever, daemon=True).start()
        self.proxy = LatencyProxy(self.upstream.server_address[1], delay=self.DELAY)

    def tearDown(self):
        self.proxy.stop()
        self.upstream.shutdown()
        self.upstream.server_close()

    def call(self, op, body=b"{}", conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.proxy.port, timeout=10)
        c.request("POST", "/", body=body, headers={"X-Amz-Target": f"Svc_V1.{op}", "Content-Type": "application/json"})
        resp = c.getresponse()
        out = resp.status, json.loads(resp.read())
        if conn is None:
            c.close()
        return out

    def test_forwards_and_holds_each_request(self):
        t = time.monotonic()
        status, body = self.call("DescribeThings", b'{"a": 1}')
        self.assertGreaterEqual(time.monotonic() - t, self.DELAY)
        self.assertEqual(status, 201)
        self.assertEqual(body, {"target": "Svc_V1.DescribeThings", "body": '{"a": 1}'})
        [rec] = self.proxy.take()
        self.assertEqual(rec["op"], "DescribeThings")
        self.assertGreaterEqual(rec["end"] - rec["start"], self.DELAY)
        self.assertEqual(self.proxy.take(), [])

    def test_keep_alive_connection_serves_several_requests(self):
        c = http.client.HTTPConnection("127.0.0.1", self.proxy.port, timeout=10)
        self.assertEqual(self.call("One", conn=c)[0], 201)
        self.assertEqual(self.call("Two", conn=c)[0], 201)
        c.close()
        self.assertEqual(ops(rounds(self.proxy.take())), [["One"], ["Two"]])

    def test_requests_at_once_are_held_at_once_and_make_one_round(self):
        threads = [threading.Thread(target=self.call, args=(f"Read{i}",)) for i in range(4)]
        t = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.assertLess(time.monotonic() - t, 4 * self.DELAY)
        groups = rounds(self.proxy.take())
        self.assertEqual(len(groups), 1)
        self.assertEqual(sorted(ops(groups)[0]), ["Read0", "Read1", "Read2", "Read3"])


class Quota(unittest.TestCase):
    def test_bucket_gives_the_burst_then_the_rate(self):
        b = Bucket(rate=10, burst=3, now=0.0)
        self.assertEqual([b.take(0.0) for _ in range(4)], [True, True, True, False])
        self.assertFalse(b.take(0.05))
        self.assertTrue(b.take(0.1))
        self.assertFalse(b.take(0.1))
        # A quiet spell refills up to the burst, never beyond.
        self.assertEqual([b.take(10.0) for _ in range(4)], [True, True, True, False])

    def test_per_second_counts_accepted_and_refused_with_every_second(self):
        recs = [
            {"start": 5.0},
            {"start": 5.5, "refused": True},
            {"start": 7.2},
        ]
        self.assertEqual(per_second(recs), [(0, 1, 1), (1, 0, 0), (2, 1, 0)])
        self.assertEqual(per_second([]), [])

    def test_proxy_refuses_beyond_the_bucket_with_ecr_throttling(self):
        upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
        upstream.daemon_threads = True
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
        proxy = LatencyProxy(upstream.server_address[1], delay=0, quota=(0.001, 2))
        try:
            statuses = []
            for op in ("A", "B", "C"):
                c = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
                c.request("POST", "/", body=b"{}", headers={"X-Amz-Target": f"Svc_V1.{op}"})
                resp = c.getresponse()
                statuses.append((resp.status, resp.getheader("x-amzn-ErrorType"), resp.read()))
                c.close()
            self.assertEqual([s[0] for s in statuses], [201, 201, 400])
            self.assertEqual(statuses[2][1], "ThrottlingException")
            self.assertIn(b"Rate exceeded", statuses[2][2])
            recs = proxy.take()
            self.assertEqual([bool(r.get("refused")) for r in recs], [False, False, True])
        finally:
            proxy.stop()
            upstream.shutdown()
            upstream.server_close()


if __name__ == "__main__":
    unittest.main()
