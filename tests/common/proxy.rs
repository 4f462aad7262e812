//! A small HTTP proxy between the provider and moto that injects faults
//! (moto has no fault injection of its own): either into chosen ECR
//! operations ([`FaultProxy::inject`]) or at random with a seeded schedule
//! ([`FaultProxy::random`]) so a failing run can be replayed with its seed.
//! Faults are injected before a request reaches moto, so an injected failure
//! never leaves a half-done write behind. One request per connection;
//! everything else is passed through unchanged.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with an AWS JSON error instead of forwarding.
    Error { status: u16, code: &'static str, message: &'static str },
    /// Forward after a delay.
    Delay(Duration),
    /// Close the connection without an answer.
    Drop,
}

/// Faults drawn at random for every ECR request, in percent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plan {
    pub seed: u64,
    pub throttle: u32,
    pub server_error: u32,
    pub slow: u32,
    pub drop: u32,
}

/// What the proxy did, for assertions.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub forwarded: usize,
    pub throttled: usize,
    pub server_errors: usize,
    pub slowed: usize,
    pub dropped: usize,
}

struct Rule {
    operation: String,
    fault: Fault,
    remaining: Option<usize>,
}

struct State {
    rules: Vec<Rule>,
    plan: Option<Plan>,
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
        let state =
            Arc::new(Mutex::new(State { rules: Vec::new(), plan: None, requests: 0, counts: Counts::default() }));
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

    pub fn clear(&self) {
        let mut s = self.state.lock().unwrap();
        s.rules.clear();
        s.plan = None;
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
    None
}

fn handle(mut client: TcpStream, upstream: u16, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut content_length = 0usize;
    let mut operation = String::new();
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
        match &found {
            Some(Fault::Error { code: "ThrottlingException", .. }) => s.counts.throttled += 1,
            Some(Fault::Error { .. }) => s.counts.server_errors += 1,
            Some(Fault::Delay(_)) => s.counts.slowed += 1,
            Some(Fault::Drop) => s.counts.dropped += 1,
            None => {}
        }
        if !matches!(found, Some(Fault::Error { .. } | Fault::Drop)) {
            s.counts.forwarded += 1;
        }
        found
    };
    match fault {
        Some(Fault::Drop) => return Ok(()),
        Some(Fault::Error { status, code, message }) => {
            let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
            let resp = format!(
                "HTTP/1.1 {status} Error\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {code}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            client.write_all(resp.as_bytes())?;
            return Ok(());
        }
        Some(Fault::Delay(d)) => std::thread::sleep(d),
        None => {}
    }
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.write_all(&head)?;
    up.write_all(&body)?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp)?;
    client.write_all(&resp)?;
    Ok(())
}
