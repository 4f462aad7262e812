//! A small HTTP proxy between the provider and moto that injects faults
//! (moto has no fault injection of its own): either into chosen ECR
//! operations ([`FaultProxy::inject`]) or at random with a seeded schedule
//! ([`FaultProxy::random`]) so a failing run can be replayed with its seed.
//! Most faults are injected before a request reaches moto, so the failure
//! leaves nothing behind; the post-write faults forward the request first and
//! then lose or delay its reply (the write happened, the client does not know).
//! With a [`Quota`] it also stands for ECR's request quotas: a token bucket
//! (a steady rate, a burst) that answers ECR's throttling error beyond it,
//! counting accepted and refused requests second by second.
//! AWS JSON operations are named by their X-Amz-Target header, Query-protocol
//! ones (STS) by the `Action` of their form body. One request per
//! connection; everything else is passed through unchanged.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with an AWS JSON error instead of forwarding.
    Error { status: u16, code: &'static str, message: &'static str },
    /// Answer with an AWS JSON error after holding the request this long (so
    /// it is in flight beside the calls made with it).
    ErrorAfter { hold: Duration, status: u16, code: &'static str, message: &'static str },
    /// Forward after a delay.
    Delay(Duration),
    /// Close the connection without an answer.
    Drop,
    /// Answer with an AWS Query-protocol (XML) error, as STS does.
    XmlError { status: u16, code: &'static str, message: &'static str },
    /// Forward the request, then lose the reply: answer 500 ServerException
    /// (`Some(500)`) or close the connection (`None`) instead.
    LoseReply(Option<u16>),
    /// Forward the request, then hold the reply back this long.
    SlowReply(Duration),
}

/// Faults drawn at random for every ECR request, in percent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plan {
    pub seed: u64,
    pub throttle: u32,
    pub server_error: u32,
    pub slow: u32,
    pub drop: u32,
    /// Forwarded, then the reply is lost (half as a 500, half as a dropped
    /// connection).
    pub lose_reply: u32,
    pub slow_reply: u32,
}

/// A token bucket over every ECR request, as an account's request quota:
/// `rate` requests a second on average, `burst` at once after a quiet spell.
/// A request beyond it is refused with ECR's `ThrottlingException`.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    pub rate: f64,
    pub burst: f64,
}

struct Bucket {
    quota: Quota,
    tokens: f64,
    last: Instant,
    started: Instant,
}

impl Bucket {
    fn new(quota: Quota) -> Bucket {
        let now = Instant::now();
        Bucket { quota, tokens: quota.burst, last: now, started: now }
    }

    /// Takes a token if there is one (refilled at the rate since the last
    /// request, up to the burst); the second of the run the request fell in.
    fn take(&mut self) -> (bool, u64) {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.quota.rate;
        self.tokens = (self.tokens + refill).min(self.quota.burst);
        self.last = now;
        let second = now.duration_since(self.started).as_secs();
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            (true, second)
        } else {
            (false, second)
        }
    }
}

/// What the proxy did, for assertions.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub forwarded: usize,
    pub throttled: usize,
    pub server_errors: usize,
    pub slowed: usize,
    pub dropped: usize,
    pub lost_replies: usize,
    /// Per operation: the lost replies, and the requests moto answered with
    /// success (a create that succeeded, whether or not its reply arrived).
    pub lost_by_operation: BTreeMap<String, usize>,
    pub succeeded: BTreeMap<String, usize>,
    /// Every request that reached moto, by operation.
    pub forwarded_by_operation: BTreeMap<String, usize>,
    /// ECR requests being handled right now, and the most at any one time:
    /// how many calls the provider had out at once.
    pub in_flight: usize,
    pub max_in_flight: usize,
    /// Under a [`Quota`]: requests accepted and refused, by the second of
    /// the run they arrived in (from [`FaultProxy::quota`]).
    pub accepted_per_second: BTreeMap<u64, usize>,
    pub refused_per_second: BTreeMap<u64, usize>,
}

/// Counts a request in flight until dropped.
struct InFlight<'a>(&'a Mutex<State>);

impl<'a> InFlight<'a> {
    fn start(state: &'a Mutex<State>) -> InFlight<'a> {
        let mut s = state.lock().unwrap();
        s.counts.in_flight += 1;
        s.counts.max_in_flight = s.counts.max_in_flight.max(s.counts.in_flight);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.lock() {
            s.counts.in_flight = s.counts.in_flight.saturating_sub(1);
        }
    }
}

struct Rule {
    operation: String,
    fault: Fault,
    remaining: Option<usize>,
}

struct State {
    rules: Vec<Rule>,
    plan: Option<Plan>,
    bucket: Option<Bucket>,
    requests: u64,
    counts: Counts,
}

pub struct FaultProxy {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    pub fn start(upstream_port: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            rules: Vec::new(),
            plan: None,
            bucket: None,
            requests: 0,
            counts: Counts::default(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let r = r.clone();
                std::thread::spawn(move || {
                    let _ = handle(conn, upstream_port, &r);
                });
            }
        });
        FaultProxy { port, state, stop }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Applies `fault` to the next `times` calls of `operation` (all if None).
    pub fn inject(&self, operation: &str, fault: Fault, times: Option<usize>) {
        self.state.lock().unwrap().rules.push(Rule { operation: operation.to_string(), fault, remaining: times });
    }

    /// Draws a fault for every ECR request from a seeded schedule.
    pub fn random(&self, plan: Plan) {
        self.state.lock().unwrap().plan = Some(plan);
    }

    /// Puts every ECR request (not STS) under `quota`, its bucket full.
    pub fn quota(&self, quota: Quota) {
        self.state.lock().unwrap().bucket = Some(Bucket::new(quota));
    }

    pub fn clear(&self) {
        let mut s = self.state.lock().unwrap();
        s.rules.clear();
        s.plan = None;
        s.bucket = None;
    }

    /// Starts the counts afresh.
    pub fn reset_counts(&self) {
        self.state.lock().unwrap().counts = Counts::default();
    }

    pub fn counts(&self) -> Counts {
        self.state.lock().unwrap().counts.clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// The fault of request number `n` under `plan` (splitmix64 of seed and n).
fn draw(plan: &Plan, n: u64) -> Option<Fault> {
    let mut z = plan.seed.wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let roll = ((z ^ (z >> 31)) % 100) as u32;
    let mut edge = plan.throttle;
    if roll < edge {
        return Some(Fault::Error { status: 400, code: "ThrottlingException", message: "Rate exceeded" });
    }
    edge += plan.server_error;
    if roll < edge {
        return Some(Fault::Error { status: 500, code: "ServerException", message: "injected server error" });
    }
    edge += plan.slow;
    if roll < edge {
        return Some(Fault::Delay(Duration::from_millis(300)));
    }
    edge += plan.drop;
    if roll < edge {
        return Some(Fault::Drop);
    }
    edge += plan.lose_reply;
    if roll < edge {
        return Some(Fault::LoseReply(if roll.is_multiple_of(2) { Some(500) } else { None }));
    }
    edge += plan.slow_reply;
    if roll < edge {
        return Some(Fault::SlowReply(Duration::from_millis(300)));
    }
    None
}

fn error_response(status: u16, content_type: &str, code: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} Error\r\nContent-Type: {content_type}\r\nx-amzn-ErrorType: {code}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn json_error(status: u16, code: &str, message: &str) -> String {
    error_response(
        status,
        "application/x-amz-json-1.1",
        code,
        &format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
    )
}

fn handle(mut client: TcpStream, upstream: u16, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut content_length = 0usize;
    let mut operation = String::new();
    let mut ecr = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("x-amz-target:") {
            ecr = true;
            operation = line.split(':').nth(1).unwrap_or("").trim().rsplit('.').next().unwrap_or("").to_string();
        }
        if lower.starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            head.extend_from_slice(b"Connection: close\r\n\r\n");
            break;
        }
        head.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;
    if operation.is_empty() {
        // Query protocol (STS): Action=AssumeRole&Version=...
        let form = String::from_utf8_lossy(&body);
        if let Some(action) = form.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
            operation = action.to_string();
        }
    }

    let _in_flight = (!operation.is_empty()).then(|| InFlight::start(state));
    let fault = {
        let mut s = state.lock().unwrap();
        let mut found = None;
        for rule in s.rules.iter_mut() {
            if rule.operation == operation && rule.remaining != Some(0) {
                if let Some(n) = rule.remaining.as_mut() {
                    *n -= 1;
                }
                found = Some(rule.fault.clone());
                break;
            }
        }
        if found.is_none()
            && !operation.is_empty()
            && let Some(plan) = s.plan
        {
            let n = s.requests;
            s.requests += 1;
            found = draw(&plan, n);
        }
        if found.is_none()
            && ecr
            && let Some(bucket) = s.bucket.as_mut()
        {
            let (accepted, second) = bucket.take();
            let per_second =
                if accepted { &mut s.counts.accepted_per_second } else { &mut s.counts.refused_per_second };
            *per_second.entry(second).or_default() += 1;
            if !accepted {
                found = Some(Fault::Error { status: 400, code: "ThrottlingException", message: "Rate exceeded" });
            }
        }
        match &found {
            Some(Fault::Error { code: "ThrottlingException", .. }) => s.counts.throttled += 1,
            Some(Fault::Error { .. } | Fault::XmlError { .. } | Fault::ErrorAfter { .. }) => {
                s.counts.server_errors += 1
            }
            Some(Fault::Delay(_) | Fault::SlowReply(_)) => s.counts.slowed += 1,
            Some(Fault::Drop) => s.counts.dropped += 1,
            Some(Fault::LoseReply(_)) => {
                s.counts.lost_replies += 1;
                *s.counts.lost_by_operation.entry(operation.clone()).or_default() += 1;
            }
            None => {}
        }
        if !matches!(found, Some(Fault::Error { .. } | Fault::XmlError { .. } | Fault::ErrorAfter { .. } | Fault::Drop))
        {
            s.counts.forwarded += 1;
            *s.counts.forwarded_by_operation.entry(operation.clone()).or_default() += 1;
        }
        found
    };
    match &fault {
        Some(Fault::Drop) => return Ok(()),
        Some(Fault::Error { status, code, message }) => {
            client.write_all(json_error(*status, code, message).as_bytes())?;
            return Ok(());
        }
        Some(Fault::ErrorAfter { hold, status, code, message }) => {
            std::thread::sleep(*hold);
            client.write_all(json_error(*status, code, message).as_bytes())?;
            return Ok(());
        }
        Some(Fault::XmlError { status, code, message }) => {
            let body = format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
            );
            client.write_all(error_response(*status, "text/xml", code, &body).as_bytes())?;
            return Ok(());
        }
        Some(Fault::Delay(d)) => std::thread::sleep(*d),
        _ => {}
    }
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.write_all(&head)?;
    up.write_all(&body)?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp)?;
    let status: u16 =
        String::from_utf8_lossy(&resp).split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    if (200..300).contains(&status) && !operation.is_empty() {
        *state.lock().unwrap().counts.succeeded.entry(operation).or_default() += 1;
    }
    match fault {
        // The write happened; the client never learns it did.
        Some(Fault::LoseReply(None)) => return Ok(()),
        Some(Fault::LoseReply(Some(status))) => {
            client
                .write_all(json_error(status, "ServerException", "injected: reply lost after the write").as_bytes())?;
            return Ok(());
        }
        Some(Fault::SlowReply(d)) => std::thread::sleep(d),
        _ => {}
    }
    client.write_all(&resp)?;
    Ok(())
}
