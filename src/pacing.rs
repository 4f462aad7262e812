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
//! space requests at a rate below what ECR accepted over the last seconds
//! ([`BETA`] of it), cuts that again at each further throttle of a request
//! sent at the current rate, and raises it by about one request a second
//! each second of accepted requests (additive increase, multiplicative
//! decrease). Past [`MAX_RATE`] it paces nothing again.
//!
//! `AWSECR_PACING=off` in the provider's environment turns pacing off.
//!
//! The wait is before the request is sent, outside the SDK's attempts: it
//! uses no attempt, so `maxRetries` keeps its meaning. A call cancelled
//! while it waits only drops its turn; nothing is held.

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

/// The pacing state of one region. Time is seconds since some start, given
/// by the caller, so the logic is tested without clocks.
#[derive(Debug, Default)]
pub struct Limiter {
    /// Requests a second; `None`: no pacing (ECR has not throttled yet).
    rate: Option<f64>,
    /// When the next request may go.
    next: f64,
    /// Counts the cuts; a throttle cuts only if its request was sent after
    /// the last cut (the ones sent before say nothing of the new rate).
    epoch: u64,
    /// When ECR answered the requests it accepted over the last [`WINDOW`].
    accepted: VecDeque<f64>,
}

/// A request's turn: how long it waits, and the epoch it goes in.
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

    /// A request at `now` takes the next turn.
    pub fn turn(&mut self, now: f64) -> Turn {
        let Some(rate) = self.rate else {
            return Turn { wait: 0.0, epoch: self.epoch };
        };
        let at = self.next.max(now);
        self.next = at + 1.0 / rate;
        Turn { wait: at - now, epoch: self.epoch }
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
        // The turns already given are kept; the next one waits a full step.
        self.next = self.next.max(now) + 1.0 / cut;
        Some(cut)
    }
}

/// One region's limiter and its clock.
#[derive(Debug)]
pub struct Pacer {
    start: Instant,
    limiter: Mutex<Limiter>,
}

impl Pacer {
    fn new() -> Pacer {
        Pacer { start: Instant::now(), limiter: Mutex::new(Limiter::default()) }
    }

    fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Limiter> {
        self.limiter.lock().unwrap_or_else(|e| e.into_inner())
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

impl Paced {
    pub fn new(inner: SharedHttpClient, pacer: Arc<Pacer>) -> SharedHttpClient {
        SharedHttpClient::new(Paced { inner, pacer })
    }
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
            let turn = pacer.lock().turn(pacer.now());
            if turn.wait > 0.0 {
                tokio::time::sleep(Duration::from_secs_f64(turn.wait)).await;
            }
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
            let cut = pacer.lock().answered(pacer.now(), turn.epoch, throttled);
            if let Some(rate) = cut {
                log::log(Level::Debug, || format!("ECR throttled a request: ECR requests now go at {rate:.1} a second"));
            }
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` answers, accepted, a tenth of a second apart from `from`.
    fn accept(l: &mut Limiter, from: f64, n: usize) -> f64 {
        let mut t = from;
        for _ in 0..n {
            let turn = l.turn(t);
            l.answered(t + turn.wait, turn.epoch, false);
            t += 0.1;
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
    }

    #[test]
    fn a_throttle_paces_below_the_rate_ecr_accepted() {
        let mut l = Limiter::default();
        // 40 accepted in the last two seconds: 20 a second.
        let mut t2 = 1.0;
        for _ in 0..40 {
            let turn = l.turn(t2);
            l.answered(t2, turn.epoch, false);
            t2 += 0.05;
        }
        let turn = l.turn(t2);
        let cut = l.answered(t2, turn.epoch, true).expect("the throttle cut the rate");
        assert!((cut - BETA * 20.0).abs() < 1e-9, "{cut}");
        // The next turns are spaced at the new rate, in order.
        let waits: Vec<f64> = (0..4).map(|_| l.turn(t2).wait).collect();
        for pair in waits.windows(2) {
            assert!((pair[1] - pair[0] - 1.0 / cut).abs() < 1e-9, "{waits:?}");
        }
    }

    #[test]
    fn throttles_of_requests_sent_before_a_cut_do_not_cut_again() {
        let mut l = Limiter::default();
        accept(&mut l, 0.0, 40);
        // 64 requests under way at once, all refused.
        let turns: Vec<Turn> = (0..64).map(|_| l.turn(4.0)).collect();
        let cuts: Vec<f64> = turns.iter().filter_map(|t| l.answered(4.1, t.epoch, true)).collect();
        assert_eq!(cuts.len(), 1, "one cut for one burst: {cuts:?}");
        // A request sent at the new rate and throttled cuts again.
        let turn = l.turn(4.2);
        let again = l.answered(4.3, turn.epoch, true).expect("cut again");
        assert!(again < cuts[0], "{again} < {}", cuts[0]);
    }

    #[test]
    fn the_rate_never_falls_below_the_minimum() {
        let mut l = Limiter::default();
        for i in 0..50 {
            let turn = l.turn(i as f64);
            l.answered(i as f64, turn.epoch, true);
        }
        assert_eq!(l.rate(), Some(MIN_RATE));
    }

    #[test]
    fn accepted_requests_raise_the_rate_about_one_a_second_per_second() {
        let mut l = Limiter::default();
        let turn = l.turn(0.0);
        l.answered(0.0, turn.epoch, true);
        assert_eq!(l.rate(), Some(MIN_RATE), "no request accepted yet: the slowest pace");
        // At rate r, r answers (one second's worth) add about one.
        let mut t = 0.0;
        for _ in 0..200 {
            let turn = l.turn(t);
            t += turn.wait;
            l.answered(t, turn.epoch, false);
        }
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

    #[test]
    fn a_cancelled_turn_holds_nothing() {
        // A turn taken and dropped (the call cancelled while it waited)
        // only moves the next turn on by one step; nothing waits for it.
        let mut l = Limiter { rate: Some(10.0), ..Limiter::default() };
        let _dropped = l.turn(0.0);
        let next = l.turn(0.0);
        assert!((next.wait - 0.1).abs() < 1e-9, "{next:?}");
        // Later, after the queue has drained, a request goes at once.
        assert_eq!(l.turn(5.0).wait, 0.0);
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
