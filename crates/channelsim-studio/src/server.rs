//! The local web server: one page (embedded), the levers, and the answer
//! of a setting. Loopback only unless the caller allows remote clients; a
//! request whose Host or Origin is not this server's is refused (a web page
//! elsewhere cannot drive it, DNS rebinding included); one computation per
//! client at a time, a newer request cancelling the older one. Nothing is
//! written to disk.

use crate::StudioError;
use crate::engine::Engine;
use crate::levers::{Base, LeverError, Settings};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Method, Request, Response};

/// The page, built into the binary: no CDN, no download.
pub const PAGE: &str = include_str!("page.html");

/// Largest request body read, bytes.
const MAX_BODY: u64 = 64 * 1024;
/// Most requests handled at once (each on a thread of its own).
const MAX_HANDLERS: usize = 32;
/// Most clients remembered (each with its cancel flag).
const MAX_CLIENTS: usize = 256;

/// Where to listen.
#[derive(Clone, Debug)]
pub struct Config {
    pub host: IpAddr,
    /// 0 picks a free port (the address says which).
    pub port: u16,
    /// Listen on a non-loopback address (and accept any Host naming this port).
    pub allow_remote: bool,
    /// Worker threads of the runs (default: every core).
    pub threads: Option<usize>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8765,
            allow_remote: false,
            threads: None,
        }
    }
}

/// One client's computation: the flag of its latest request, and the lock
/// that lets one run at a time.
#[derive(Default)]
struct Slot {
    latest: Mutex<Arc<AtomicBool>>,
    busy: Mutex<()>,
    /// Runs done and to do of the computation going on (0 of 0 when none).
    done: AtomicUsize,
    total: AtomicUsize,
}

struct Shared {
    base: Base,
    engine: Engine,
    pool: rayon::ThreadPool,
    clients: Mutex<HashMap<String, Arc<Slot>>>,
    port: u16,
    allow_remote: bool,
    handlers: AtomicUsize,
}

/// A bound studio server; [`Server::run`] serves until [`Server::stop`].
pub struct Server {
    http: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
    addr: SocketAddr,
    stopped: Arc<AtomicBool>,
}

/// Stops a running server from another thread.
#[derive(Clone)]
pub struct Stopper {
    http: Arc<tiny_http::Server>,
    stopped: Arc<AtomicBool>,
}

impl Stopper {
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.http.unblock();
    }
}

impl Server {
    /// Binds the server; refuses a non-loopback address unless
    /// `allow_remote`.
    pub fn bind(base: Base, cfg: &Config) -> Result<Server, StudioError> {
        if !cfg.host.is_loopback() && !cfg.allow_remote {
            return Err(StudioError::Remote(cfg.host.to_string()));
        }
        let http = tiny_http::Server::http(SocketAddr::new(cfg.host, cfg.port)).map_err(|e| {
            StudioError::Bind {
                addr: SocketAddr::new(cfg.host, cfg.port).to_string(),
                message: e.to_string(),
            }
        })?;
        let addr = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| StudioError::Bind {
                addr: cfg.host.to_string(),
                message: "not an IP address".into(),
            })?;
        let threads = channelsim_runner::guard::threads(cfg.threads)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| StudioError::Bind {
                addr: addr.to_string(),
                message: format!("cannot start {threads} worker threads: {e}"),
            })?;
        Ok(Server {
            http: Arc::new(http),
            shared: Arc::new(Shared {
                base,
                engine: Engine::new(),
                pool,
                clients: Mutex::new(HashMap::new()),
                port: addr.port(),
                allow_remote: cfg.allow_remote,
                handlers: AtomicUsize::new(0),
            }),
            addr,
            stopped: Arc::new(AtomicBool::new(false)),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn stopper(&self) -> Stopper {
        Stopper {
            http: self.http.clone(),
            stopped: self.stopped.clone(),
        }
    }

    /// Serves requests, each on a thread of its own, until stopped.
    pub fn run(&self) {
        while !self.stopped.load(Ordering::SeqCst) {
            let req = match self.http.recv() {
                Ok(r) => r,
                Err(_) => {
                    // A failed accept: do not spin on it.
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    continue;
                }
            };
            let shared = self.shared.clone();
            if shared.handlers.fetch_add(1, Ordering::SeqCst) >= MAX_HANDLERS {
                shared.handlers.fetch_sub(1, Ordering::SeqCst);
                let _ = req.respond(json(503, &Message::new("busy: too many requests at once")));
                continue;
            }
            std::thread::spawn(move || {
                handle(&shared, req);
                shared.handlers.fetch_sub(1, Ordering::SeqCst);
            });
        }
    }
}

#[derive(Serialize)]
struct Message {
    error: String,
}

impl Message {
    fn new(s: impl Into<String>) -> Message {
        Message { error: s.into() }
    }
}

#[derive(Serialize)]
struct Refusal<'a> {
    error: &'a str,
    errors: &'a [LeverError],
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

fn with_headers<R: Read>(r: Response<R>, content_type: &str) -> Response<R> {
    r.with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("X-Frame-Options", "DENY"))
        .with_header(header("Referrer-Policy", "no-referrer"))
}

fn json<T: Serialize>(status: u16, body: &T) -> Response<std::io::Cursor<Vec<u8>>> {
    let data = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    with_headers(Response::from_data(data), "application/json").with_status_code(status)
}

fn header_value<'a>(req: &'a Request, name: &'static str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// Whether a Host header names this server: a loopback name with our
/// port, or (with remote clients allowed) any name with our port.
fn host_ok(host: &str, port: u16, allow_remote: bool) -> bool {
    let Some((name, p)) = host.rsplit_once(':') else {
        return false;
    };
    if p.parse::<u16>().ok() != Some(port) {
        return false;
    }
    allow_remote || matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// The refusal of a request from elsewhere, if it is one.
fn foreign(req: &Request, port: u16, allow_remote: bool) -> Option<String> {
    let Some(host) = header_value(req, "Host") else {
        return Some("refused: no Host header".into());
    };
    if !host_ok(host, port, allow_remote) {
        return Some(format!(
            "refused: Host {host:?} is not this studio (127.0.0.1:{port} or localhost:{port})"
        ));
    }
    match header_value(req, "Origin") {
        Some(o) if o != format!("http://{host}") => Some(format!(
            "refused: a request from another origin ({o:?}) may not use the studio"
        )),
        _ => None,
    }
}

fn handle(shared: &Shared, mut req: Request) {
    if let Some(why) = foreign(&req, shared.port, shared.allow_remote) {
        let _ = req.respond(json(403, &Message::new(why)));
        return;
    }
    let path = req.url().split(['?', '#']).next().unwrap_or("").to_string();
    let resp = match (req.method(), path.as_str()) {
        (Method::Get, "/") | (Method::Get, "/index.html") => {
            let _ = req.respond(
                with_headers(
                    Response::from_string(PAGE),
                    "text/html; charset=utf-8",
                )
                .with_header(header(
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
                )),
            );
            return;
        }
        (Method::Get, "/api/levers") => json(200, &levers(shared)),
        (Method::Get, "/api/progress") => json(200, &progress(shared, &req)),
        (Method::Post, "/api/run") => run(shared, &mut req),
        (_, "/" | "/index.html" | "/api/levers" | "/api/progress" | "/api/run") => {
            json(405, &Message::new("method not allowed"))
        }
        _ => json(404, &Message::new(format!("no such page: {path}"))),
    };
    let _ = req.respond(resp);
}

#[derive(Serialize)]
struct LeverList<'a> {
    base_file: &'a str,
    vendor: &'a str,
    strategies: &'a [String],
    levers: &'a [crate::levers::Lever],
}

fn levers(shared: &Shared) -> LeverList<'_> {
    LeverList {
        base_file: &shared.base.file,
        vendor: &shared.base.focal,
        strategies: &shared.base.strategies,
        levers: &shared.base.levers,
    }
}

#[derive(Serialize)]
struct Progress {
    running: bool,
    done: usize,
    total: usize,
}

/// How far the client's computation is (the page polls it while waiting).
fn progress(shared: &Shared, req: &Request) -> Progress {
    let client = client_of(req);
    let clients = shared.clients.lock().unwrap_or_else(|e| e.into_inner());
    match clients.get(&client) {
        Some(s) => {
            let total = s.total.load(Ordering::Relaxed);
            Progress {
                running: total > 0,
                done: s.done.load(Ordering::Relaxed),
                total,
            }
        }
        None => Progress {
            running: false,
            done: 0,
            total: 0,
        },
    }
}

/// The client a request comes from: the page's id for itself (one per
/// tab), else its address.
fn client_of(req: &Request) -> String {
    header_value(req, "X-Studio-Client")
        .filter(|c| {
            !c.is_empty()
                && c.len() <= 64
                && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
        })
        .map(String::from)
        .or_else(|| req.remote_addr().map(|a| a.ip().to_string()))
        .unwrap_or_default()
}

fn slot(shared: &Shared, client: String) -> Arc<Slot> {
    let mut clients = shared.clients.lock().unwrap_or_else(|e| e.into_inner());
    if clients.len() >= MAX_CLIENTS && !clients.contains_key(&client) {
        // Forget idle clients (none of their requests is running).
        clients.retain(|_, s| Arc::strong_count(s) > 1);
    }
    clients.entry(client).or_default().clone()
}

fn run(shared: &Shared, req: &mut Request) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut body = Vec::new();
    if req
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .is_err()
    {
        return json(400, &Message::new("cannot read the request"));
    }
    if body.len() as u64 > MAX_BODY {
        return json(413, &Message::new("request too large"));
    }
    let settings: Settings = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return json(400, &Message::new(format!("not a setting: {e}"))),
    };
    // This request supersedes the client's older one: cancel it, then wait
    // for it to stop before starting.
    let slot = slot(shared, client_of(req));
    let mine = Arc::new(AtomicBool::new(false));
    {
        let mut latest = slot.latest.lock().unwrap_or_else(|e| e.into_inner());
        latest.store(true, Ordering::SeqCst);
        *latest = mine.clone();
    }
    let prepared = match shared.base.prepare(&settings) {
        Ok(p) => p,
        Err(errors) => {
            return json(
                422,
                &Refusal {
                    error: "invalid setting",
                    errors: &errors,
                },
            );
        }
    };
    let _one = slot.busy.lock().unwrap_or_else(|e| e.into_inner());
    if mine.load(Ordering::SeqCst) {
        return json(409, &Message::new("cancelled by a newer request"));
    }
    let tick = |done: usize, total: usize| {
        slot.done.store(done, Ordering::Relaxed);
        slot.total.store(total, Ordering::Relaxed);
    };
    let got = shared
        .pool
        .install(|| shared.engine.answer_with(&prepared, &mine, &tick));
    tick(0, 0);
    match got {
        Ok(a) => json(200, &a),
        Err(StudioError::Cancelled) => json(409, &Message::new("cancelled by a newer request")),
        Err(e) => {
            let message = e.to_string();
            json(
                422,
                &Refusal {
                    error: "cannot run this setting",
                    errors: &[LeverError {
                        lever: String::new(),
                        message,
                    }],
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_server_s_loopback_names_are_hosts() {
        assert!(host_ok("127.0.0.1:8765", 8765, false));
        assert!(host_ok("localhost:8765", 8765, false));
        assert!(host_ok("[::1]:8765", 8765, false));
        assert!(!host_ok("evil.example:8765", 8765, false));
        assert!(!host_ok("127.0.0.1:80", 8765, false));
        assert!(!host_ok("127.0.0.1", 8765, false));
        assert!(host_ok("myhost:8765", 8765, true));
    }

    #[test]
    fn a_remote_address_needs_the_flag() {
        let base = Base::new(channelsim_runner::scenario::DEFAULT_SCENARIO, "d.toml").unwrap();
        let cfg = Config {
            host: IpAddr::from([0, 0, 0, 0]),
            port: 0,
            ..Config::default()
        };
        assert!(matches!(
            Server::bind(base, &cfg),
            Err(StudioError::Remote(_))
        ));
    }
}
