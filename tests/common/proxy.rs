//! A small HTTP proxy between the provider and moto that injects faults into
//! chosen ECR operations (moto has no fault injection of its own). One
//! request per connection; everything else is passed through unchanged.

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
}

struct Rule {
    operation: String,
    fault: Fault,
    remaining: Option<usize>,
}

pub struct FaultProxy {
    pub port: u16,
    rules: Arc<Mutex<Vec<Rule>>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    pub fn start(upstream_port: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (rules.clone(), stop.clone());
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
        FaultProxy { port, rules, stop }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Applies `fault` to the next `times` calls of `operation` (all if None).
    pub fn inject(&self, operation: &str, fault: Fault, times: Option<usize>) {
        self.rules.lock().unwrap().push(Rule { operation: operation.to_string(), fault, remaining: times });
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn handle(mut client: TcpStream, upstream: u16, rules: &Mutex<Vec<Rule>>) -> std::io::Result<()> {
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
        let mut rules = rules.lock().unwrap();
        let mut found = None;
        for rule in rules.iter_mut() {
            if rule.operation == operation && rule.remaining != Some(0) {
                if let Some(n) = rule.remaining.as_mut() {
                    *n -= 1;
                }
                found = Some(rule.fault.clone());
                break;
            }
        }
        found
    };
    match fault {
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
