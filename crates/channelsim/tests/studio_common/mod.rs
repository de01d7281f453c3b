//! Helpers of the studio tests (issue 16): start `channelsim studio` on a
//! free port, speak HTTP to it, run the CLI on a saved scenario.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running studio; stopped when dropped.
pub struct Studio {
    pub child: Child,
    pub url: String,
    pub port: u16,
}

impl Drop for Studio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The default scenario at a short horizon (quick runs in tests).
pub fn short_default(dir: &Path, horizon: u32) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/default.toml"),
    )
    .unwrap()
    .replace(
        "horizon_months = 120",
        &format!("horizon_months = {horizon}"),
    )
    .replace("#:schema ../schema/scenario.json\n", "");
    let p = dir.join("short.toml");
    std::fs::write(&p, text).unwrap();
    p
}

pub fn fresh(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("channelsim-studio-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Starts `channelsim studio SCENARIO --port 0` and reads its address.
pub fn start(scenario: &Path) -> Studio {
    start_in(scenario, &std::env::temp_dir())
}

/// [`start`] in the working folder `cwd`.
pub fn start_in(scenario: &Path, cwd: &Path) -> Studio {
    let mut child = Command::new(env!("CARGO_BIN_EXE_channelsim"))
        .current_dir(cwd)
        .args(["studio", "--port", "0"])
        .arg(scenario)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("channelsim studio starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let port = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Studio { child, url, port }
}

/// One raw HTTP/1.1 request (so a test can send any Host or Origin):
/// status and body.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1).to_string();
    (status, decode_chunked(&text, body))
}

fn decode_chunked(head: &str, body: String) -> String {
    let head = head
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if !head.contains("transfer-encoding: chunked") {
        return body;
    }
    let mut out = String::new();
    let mut rest = body.as_str();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
    out
}

/// POST a setting; status and JSON.
pub fn run(port: u16, client: &str, setting: &serde_json::Value) -> (u16, serde_json::Value) {
    let (status, body) = request(
        port,
        "POST",
        "/api/run",
        &[
            ("Content-Type", "application/json"),
            ("X-Studio-Client", client),
        ],
        &setting.to_string(),
    );
    let v = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    (status, v)
}

/// `channelsim run` of a scenario text; the results folder.
pub fn cli_run(toml: &str, dir: &Path) -> PathBuf {
    let file = dir.join("saved.toml");
    std::fs::write(&file, toml).unwrap();
    let out = dir.join("out");
    let r = Command::new(env!("CARGO_BIN_EXE_channelsim"))
        .args(["run", "--quiet", "--no-report", "--force", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    out
}

/// The records of a JSON results file.
pub fn records(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Two floats equal to the last bit but one: serde_json's default parser
/// (without `float_roundtrip`) may read a shortest-form number one unit in
/// the last place off, so figures read back from JSON are compared so.
pub fn same_f64(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 2.0 * f64::EPSILON * a.abs().max(b.abs())
}

/// JSON values equal, numbers by [`same_f64`]; the first difference.
pub fn json_diff(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (!same_f64(x, y)).then(|| format!("{at}: {x} != {y}"))
        }
        (V::Array(x), V::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at}: {} items != {}", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| json_diff(p, q, &format!("{at}[{i}]")))
        }
        (V::Object(x), V::Object(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at}: keys differ"));
            }
            x.iter().find_map(|(k, p)| match y.get(k) {
                Some(q) => json_diff(p, q, &format!("{at}.{k}")),
                None => Some(format!("{at}.{k} missing")),
            })
        }
        _ => (a != b).then(|| format!("{at}: {a} != {b}")),
    }
}
