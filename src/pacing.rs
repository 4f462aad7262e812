//! The provider's own pacing of ECR requests, for ECR's request quotas (a
//! token bucket per account and region: a steady rate and a burst, and
//! `ThrottlingException` beyond it).
//!
//! The SDK's adaptive retry mode slows calls down once ECR throttles, but
//! the many calls already under way (a refresh at `--parallel 64` sends
//! four reads for each of 64 resources at once) all go out, are all
//! refused, and come back together. So the ECR client's HTTP client is
//! wrapped ([`Paced`]): every request of a region (every ECR client of this
//! process in that region shares one [`Pacer`], as they share one retry
//! partition) asks the region's [`Limiter`] when it may go.
//!
//! The limiter paces nothing until ECR throttles: until then a request
//! goes at once (no wait, one uncontended lock). At a throttle it starts to
//! let requests go one at a time (a token bucket of one request, waiting
//! requests queued first come first served) at a rate below what ECR accepted over the last seconds
//! ([`BETA`] of it), cuts that again at each further throttle of a request
//! sent at the current rate, and raises it by about one request a second
//! each second of accepted requests (additive increase, multiplicative
//! decrease). Past [`MAX_RATE`] it paces nothing again.
//!
//! `AWSECR_PACING=off` in the provider's environment turns pacing off.
//!
//! The wait is before the request is sent, outside the SDK's attempts: it
//! uses no attempt, so `maxRetries` keeps its meaning. A call cancelled
//! while it waits leaves the queue; it holds nothing. A waiting request
//! tries again at the rate then in force, so a raised rate shortens the
//! waits already under way.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;

use crate::log::{self, Level};

/// At a throttle, the new rate is this share of the rate ECR accepted (or
/// of the current rate, if lower).
pub const BETA: f64 = 0.8;
/// The rate ECR accepted is measured over this many seconds of responses.
pub const WINDOW: f64 = 2.0;
/// The slowest pace, in requests a second.
pub const MIN_RATE: f64 = 1.0;
/// Above this many requests a second the limiter paces nothing again.
pub const MAX_RATE: f64 = 5000.0;

/// The pacing state of one region: a token bucket of one request, filled at
/// the learned rate. Time is seconds since some start, given by the caller,
/// so the logic is tested without clocks.
#[derive(Debug, Default)]
pub struct Limiter {
    /// Requests a second; `None`: no pacing (ECR has not throttled yet).
    rate: Option<f64>,
    /// The bucket: a request goes when it holds one.
    tokens: f64,
    /// When the bucket was last filled.
    last: f64,
    /// Counts the cuts; a throttle cuts only if its request was sent after
    /// the last cut (the ones sent before say nothing of the new rate).
    epoch: u64,
    /// When ECR answered the requests it accepted over the last [`WINDOW`].
    accepted: VecDeque<f64>,
}

/// A request's try for its turn: how long to wait before trying again (0:
/// it goes now), and the epoch it goes in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn {
    pub wait: f64,
    pub epoch: u64,
}

impl Limiter {
    /// The rate in force, `None` when nothing is paced.
    pub fn rate(&self) -> Option<f64> {
        self.rate
    }

    /// Whether a request waits at all (no: nothing is paced).
    pub fn paced(&self) -> bool {
        self.rate.is_some()
    }

    /// A request at `now` tries for its turn: it goes (wait 0, one token
    /// taken) or learns how long until the bucket holds a token again (and
    /// takes nothing; the rate may change meanwhile, so it tries again).
    pub fn turn(&mut self, now: f64) -> Turn {
        let Some(rate) = self.rate else {
            return Turn { wait: 0.0, epoch: self.epoch };
        };
        self.tokens = (self.tokens + (now - self.last).max(0.0) * rate).min(1.0);
        self.last = now;
        // (Within rounding: a wait computed from the bucket fills it.)
        if self.tokens >= 1.0 - 1e-9 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            return Turn { wait: 0.0, epoch: self.epoch };
        }
        Turn { wait: (1.0 - self.tokens) / rate, epoch: self.epoch }
    }

    /// ECR answered at `now` a request that went in `epoch`; `throttled`:
    /// with a throttling error. Returns the new rate when this answer cut it.
    pub fn answered(&mut self, now: f64, epoch: u64, throttled: bool) -> Option<f64> {
        while self.accepted.front().is_some_and(|t| now - t > WINDOW) {
            self.accepted.pop_front();
        }
        if !throttled {
            self.accepted.push_back(now);
            if let Some(rate) = self.rate {
                let raised = rate + 1.0 / rate;
                self.rate = (raised <= MAX_RATE).then_some(raised);
            }
            return None;
        }
        if epoch != self.epoch {
            return None;
        }
        let measured = self.accepted.len() as f64 / WINDOW;
        let cut = (BETA * measured.min(self.rate.unwrap_or(f64::INFINITY))).max(MIN_RATE);
        self.rate = Some(cut);
        self.epoch += 1;
        // The bucket starts empty: the next request waits a full step.
        self.tokens = 0.0;
        self.last = now;
        Some(cut)
    }
}

/// One region's limiter and its clock.
#[derive(Debug)]
pub struct Pacer {
    start: Instant,
    limiter: Mutex<Limiter>,
    /// Requests waiting for their turn queue here, first come first
    /// served; only the first sleeps. Dropping a waiting call leaves the
    /// queue.
    gate: tokio::sync::Mutex<()>,
}

impl Pacer {
    fn new() -> Pacer {
        Pacer { start: Instant::now(), limiter: Mutex::new(Limiter::default()), gate: tokio::sync::Mutex::new(()) }
    }

    fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Limiter> {
        self.limiter.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a request's turn; returns the epoch it goes in. Nothing
    /// waits while nothing is paced.
    async fn wait_turn(&self) -> u64 {
        {
            let limiter = self.lock();
            if !limiter.paced() {
                return limiter.epoch;
            }
        }
        let _first = self.gate.lock().await;
        loop {
            let turn = self.lock().turn(self.now());
            if turn.wait == 0.0 {
                return turn.epoch;
            }
            tokio::time::sleep(Duration::from_secs_f64(turn.wait)).await;
        }
    }
}

/// Whether ECR's requests are paced: yes, unless the environment variable
/// `AWSECR_PACING` is `off` (the SDK's adaptive retries alone, as before
/// the provider paced itself).
pub fn enabled() -> bool {
    std::env::var("AWSECR_PACING").map_or(true, |v| !v.eq_ignore_ascii_case("off"))
}

/// The pacer of every ECR client of this process in `region`.
pub fn pacer(region: &str) -> Arc<Pacer> {
    static PACERS: OnceLock<Mutex<BTreeMap<String, Arc<Pacer>>>> = OnceLock::new();
    let mut pacers = PACERS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    pacers.entry(region.to_string()).or_insert_with(|| Arc::new(Pacer::new())).clone()
}

/// The error codes AWS throttles with (the SDK's list of throttling errors
/// that ECR's JSON protocol can carry). A quota on the number of things
/// (`LimitExceededException`) is not one.
const THROTTLING: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];

/// The error code of a JSON error response, from its `x-amzn-ErrorType`
/// header or its body's `__type` (either may carry a namespace before `#`
/// and details after `:`).
pub fn error_code<'a>(header: Option<&'a str>, body: &'a [u8]) -> Option<String> {
    let clean = |s: &str| {
        let s = s.split(':').next().unwrap_or(s);
        s.rsplit('#').next().unwrap_or(s).trim().to_string()
    };
    if let Some(h) = header.filter(|h| !h.is_empty()) {
        return Some(clean(h));
    }
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = json.get("__type").or_else(|| json.get("code")).and_then(|v| v.as_str())?;
    Some(clean(code))
}

/// Whether a response with this status, header and body is a throttling
/// error.
pub fn is_throttling(status: u16, header: Option<&str>, body: &[u8]) -> bool {
    matches!(status, 400 | 429 | 503) && error_code(header, body).is_some_and(|c| THROTTLING.contains(&c.as_str()))
}

/// An HTTP client whose every request goes through a region's [`Pacer`].
#[derive(Debug, Clone)]
pub struct Paced {
    inner: SharedHttpClient,
    pacer: Arc<Pacer>,
}

/// `inner` with every request going through `pacer`.
pub fn paced(inner: SharedHttpClient, pacer: Arc<Pacer>) -> SharedHttpClient {
    SharedHttpClient::new(Paced { inner, pacer })
}

impl HttpClient for Paced {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pacer: self.pacer.clone(),
        })
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    pacer: Arc<Pacer>,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, pacer) = (self.inner.clone(), self.pacer.clone());
        HttpConnectorFuture::new(async move {
            let epoch = pacer.wait_turn().await;
            let mut response = inner.call(request).await?;
            let status = response.status().as_u16();
            let mut throttled = false;
            if matches!(status, 400 | 429 | 503) {
                // An error's body is small, and the SDK reads it whole
                // anyway: read it here, then hand it on.
                let body = ByteStream::new(response.take_body()).collect().await;
                let bytes = match body {
                    Ok(b) => b.into_bytes(),
                    Err(e) => return Err(aws_smithy_runtime_api::client::result::ConnectorError::io(e.into())),
                };
                throttled = is_throttling(status, response.headers().get("x-amzn-ErrorType"), &bytes);
                *response.body_mut() = SdkBody::from(bytes);
            }
            let cut = pacer.lock().answered(pacer.now(), epoch, throttled);
            if let Some(rate) = cut {
                log::log(Level::Debug, || {
                    format!("ECR throttled a request: ECR requests now go at {rate:.1} a second")
                });
            }
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `n` requests one after another from `t`, each as soon as its
    /// turn comes, all accepted `latency` later; returns the time after.
    fn send(l: &mut Limiter, mut t: f64, n: usize, latency: f64) -> f64 {
        for _ in 0..n {
            let turn = loop {
                let turn = l.turn(t);
                if turn.wait == 0.0 {
                    break turn;
                }
                t += turn.wait;
            };
            l.answered(t + latency, turn.epoch, false);
        }
        t
    }

    #[test]
    fn nothing_is_paced_until_ecr_throttles() {
        let mut l = Limiter::default();
        for i in 0..1000 {
            let turn = l.turn(i as f64 * 0.001);
            assert_eq!(turn.wait, 0.0, "request {i} waited");
            l.answered(i as f64 * 0.001, turn.epoch, false);
        }
        assert_eq!(l.rate(), None);
        assert!(!l.paced());
    }

    #[test]
    fn a_throttle_paces_below_the_rate_ecr_accepted() {
        let mut l = Limiter::default();
        // 40 accepted in the last two seconds: 20 a second.
        let mut t = 1.0;
        for _ in 0..40 {
            let turn = l.turn(t);
            l.answered(t, turn.epoch, false);
            t += 0.05;
        }
        let turn = l.turn(t);
        let cut = l.answered(t, turn.epoch, true).expect("the throttle cut the rate");
        assert!((cut - BETA * 20.0).abs() < 1e-9, "{cut}");
        // Right after the cut a request waits a full step, then goes.
        let first = l.turn(t);
        assert!((first.wait - 1.0 / cut).abs() < 1e-9, "{first:?}");
        assert_eq!(l.turn(t + first.wait).wait, 0.0);
        // Requests sent as soon as they may go a second on: about the rate.
        let start = t + first.wait;
        let end = send(&mut l, start, 16, 0.0);
        let went = 16.0 / (end - start);
        assert!(went <= cut * 1.1 && went >= cut * 0.9, "{went} a second at {cut}");
    }

    #[test]
    fn a_waiting_request_takes_nothing_and_a_raised_rate_shortens_its_wait() {
        let mut l = Limiter::default();
        l.answered(0.0, 0, true);
        assert_eq!(l.rate(), Some(MIN_RATE));
        let wait = l.turn(0.0).wait;
        assert!((wait - 1.0).abs() < 1e-9, "{wait}");
        // Asked again, the same wait: the first ask took nothing.
        assert!((l.turn(0.0).wait - 1.0).abs() < 1e-9);
        // Accepted answers (of requests sent before) raise the rate; the
        // request trying again waits less.
        for _ in 0..50 {
            l.answered(0.1, 1, false);
        }
        let after = l.turn(0.1).wait;
        assert!(after < 0.5, "{after}");
    }

    #[test]
    fn throttles_of_requests_sent_before_a_cut_do_not_cut_again() {
        let mut l = Limiter::default();
        // 40 accepted a second before: 20 a second over the window.
        send(&mut l, 3.0, 40, 0.0);
        // 64 requests under way at once, all refused.
        let turns: Vec<Turn> = (0..64).map(|_| l.turn(4.0)).collect();
        assert!(turns.iter().all(|t| t.wait == 0.0), "nothing paced yet");
        let cuts: Vec<f64> = turns.iter().filter_map(|t| l.answered(4.1, t.epoch, true)).collect();
        assert_eq!(cuts.len(), 1, "one cut for one burst: {cuts:?}");
        // A request sent at the new rate and throttled cuts again.
        let t = 4.1 + l.turn(4.1).wait;
        let turn = l.turn(t);
        assert_eq!(turn.wait, 0.0);
        let again = l.answered(t + 0.01, turn.epoch, true).expect("cut again");
        assert!(again < cuts[0], "{again} < {}", cuts[0]);
    }

    #[test]
    fn the_rate_never_falls_below_the_minimum() {
        let mut l = Limiter::default();
        for i in 0..50 {
            let t = i as f64 * 2.0;
            let turn = l.turn(t);
            l.answered(t, turn.epoch, true);
        }
        assert_eq!(l.rate(), Some(MIN_RATE));
    }

    #[test]
    fn accepted_requests_raise_the_rate_about_one_a_second_per_second() {
        let mut l = Limiter::default();
        l.answered(0.0, 0, true);
        assert_eq!(l.rate(), Some(MIN_RATE), "no request accepted yet: the slowest pace");
        // At rate r, r answers (one second's worth) add about one.
        send(&mut l, 0.0, 200, 0.0);
        let r = l.rate().unwrap();
        assert!(r > 15.0 && r < 25.0, "{r}");
    }

    #[test]
    fn far_above_any_quota_pacing_stops() {
        let mut l = Limiter { rate: Some(MAX_RATE - 0.0001), ..Limiter::default() };
        l.answered(0.0, 0, false);
        assert_eq!(l.rate(), None);
        assert_eq!(l.turn(0.0).wait, 0.0);
    }

    #[tokio::test]
    async fn a_call_cancelled_while_it_waits_holds_nothing() {
        let pacer = Pacer::new();
        pacer.lock().answered(0.0, 0, true);
        assert!(pacer.lock().paced());
        // A call waits for its turn and is cancelled (dropped) meanwhile.
        let waiting = tokio::time::timeout(Duration::from_millis(10), pacer.wait_turn()).await;
        assert!(waiting.is_err(), "it was still waiting");
        // The queue is free: the next call gets its turn.
        let next = tokio::time::timeout(Duration::from_secs(30), pacer.wait_turn()).await;
        assert!(next.is_ok(), "the next call was not held up by the cancelled one");
    }

    #[test]
    fn throttling_errors_are_told_from_other_errors() {
        let body = br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
        assert!(is_throttling(400, None, body));
        assert!(is_throttling(400, Some("ThrottlingException:http://internal.amazon.com/"), b""));
        assert!(is_throttling(400, None, br#"{"__type":"com.amazonaws.ecr#ThrottlingException"}"#));
        assert!(!is_throttling(400, None, br#"{"__type":"LimitExceededException","message":"too many"}"#));
        assert!(!is_throttling(400, None, br#"{"__type":"RepositoryNotFoundException"}"#));
        assert!(!is_throttling(200, None, body));
        assert!(!is_throttling(400, None, b"not json"));
    }
}
