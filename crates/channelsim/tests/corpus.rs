//! Issue 14: malformed inputs end in a refusal, never a panic, an abort or a
//! signal, and never after more than 20 s, through the real binary.
//!
//! - `corpus/`: malformed files written by hand, each with its expected exit
//!   code and a fragment of its message in its header (`# expect: N`,
//!   `# stderr: ...`, optionally `# max_stderr: BYTES`); `exp_*` files are
//!   experiments (`sweep`), `scn_*` scenarios (`run`).
//! - the fuzz target: a proptest over mutated shipped scenarios and
//!   experiment files, each run through the binary with a bounded run
//!   (`--set horizon_months=1`, one replicate, few samples). Its number of
//!   cases is `CHANNELSIM_FUZZ_CASES` (default 16 of each, about half a
//!   minute); set it higher to fuzz longer.

mod common;

use common::bin;
use proptest::prelude::*;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The longest any input may take before its error (or its bounded run).
const LIMIT: Duration = Duration::from_secs(20);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// How a run of the binary ended.
#[derive(Debug)]
struct Ended {
    code: Option<i32>,
    signal: Option<i32>,
    stderr: String,
    took: Duration,
}

/// Run the binary with `args`, killing it (and failing) after [`LIMIT`].
fn bounded(args: &[&str], what: &str) -> Ended {
    try_bounded(args).unwrap_or_else(|| panic!("{what}: still running after {LIMIT:?}: {args:?}"))
}

/// Run the binary with `args`; `None` if it ran longer than [`LIMIT`]
/// (then it is killed).
fn try_bounded(args: &[&str]) -> Option<Ended> {
    let t = Instant::now();
    let mut child = bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if t.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Some(Ended {
        code: status.code(),
        signal: status.signal(),
        stderr: reader.join().unwrap(),
        took: t.elapsed(),
    })
}

/// An ending any input may have: exit code 0, 1 or 2, no signal, no panic.
fn check_clean(e: &Ended, what: &str) -> Result<(), String> {
    if e.signal.is_some() || !matches!(e.code, Some(0..=2)) || e.stderr.contains("panicked") {
        return Err(format!(
            "{what}: ended with code {:?} signal {:?} after {:?}:\n{}",
            e.code,
            e.signal,
            e.took,
            e.stderr.chars().take(2000).collect::<String>()
        ));
    }
    if e.stderr.len() > 20_000 {
        return Err(format!("{what}: {} bytes of errors", e.stderr.len()));
    }
    Ok(())
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("channelsim-corpus-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("# {key}:")))
        .map(str::trim)
}

#[test]
fn issue14_every_corpus_file_gets_its_exit_code_and_message_in_bounded_time() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(f).unwrap();
        let expect: i32 = header(&text, "expect")
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("{name}: no `# expect: CODE` header"));
        let fragment =
            header(&text, "stderr").unwrap_or_else(|| panic!("{name}: no `# stderr:` header"));
        let max_stderr: usize = header(&text, "max_stderr")
            .and_then(|c| c.parse().ok())
            .unwrap_or(20_000);
        let out = scratch(&name);
        let cmd = if name.starts_with("exp_") {
            "sweep"
        } else {
            "run"
        };
        let e = bounded(
            &[
                cmd,
                f.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
                "--no-report",
                "--threads",
                "2",
            ],
            &name,
        );
        if e.took > slowest.0 {
            slowest = (e.took, name.clone());
        }
        let mut wrong = Vec::new();
        if let Err(m) = check_clean(&e, &name) {
            wrong.push(m);
        }
        if e.code != Some(expect) {
            wrong.push(format!("exit code {:?}, expected {expect}", e.code));
        }
        if !e.stderr.contains(fragment) {
            wrong.push(format!("no {fragment:?} in its message"));
        }
        if e.stderr.len() > max_stderr {
            wrong.push(format!(
                "{} bytes of message, at most {max_stderr}",
                e.stderr.len()
            ));
        }
        if expect == 2 && out.exists() {
            wrong.push("a refused input wrote its output folder".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{name}: {}\n  stderr: {}",
                wrong.join("; "),
                e.stderr.chars().take(600).collect::<String>()
            ));
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    eprintln!(
        "corpus: {} files, slowest {} in {:.2} s",
        files.len(),
        slowest.1,
        slowest.0.as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Values that stress numbers: signs, zero, the edges of 32 and 64 bits,
/// overflow, non-numbers, wrong types.
const EXTREMES: &[&str] = &[
    "-1",
    "0",
    "1",
    "2",
    "-0.5",
    "0.5",
    "1.5",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "\"x\"",
    "[]",
    "{}",
    "true",
];

/// Characters that matter to TOML.
const CHARS: &[char] = &[
    '=', '[', ']', '{', '}', '"', ',', '.', '#', '\n', ' ', '-', '0', '9', 'e',
];

#[derive(Clone, Debug)]
enum Edit {
    /// Replace the n-th number of the text by an extreme value.
    Number(usize, usize),
    Delete(usize, usize),
    Insert(usize, char),
    DupLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 0..EXTREMES.len()).prop_map(|(n, v)| Edit::Number(n, v)),
        1 => (any::<usize>(), 1usize..8).prop_map(|(a, n)| Edit::Delete(a, n)),
        1 => (any::<usize>(), proptest::sample::select(CHARS)).prop_map(|(a, c)| Edit::Insert(a, c)),
        1 => any::<usize>().prop_map(Edit::DupLine),
    ]
}

/// Byte ranges of the numbers of a text (outside comments, roughly).
fn numbers(text: &str) -> Vec<std::ops::Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut comment = false;
    while i < b.len() {
        match b[i] {
            b'#' => comment = true,
            b'\n' => comment = false,
            c if !comment
                && (c.is_ascii_digit() || c == b'-')
                && (i == 0 || b" =[,{".contains(&b[i - 1])) =>
            {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b".-+_".contains(&b[i])) {
                    i += 1;
                }
                out.push(s..i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn apply(text: &str, e: &Edit) -> String {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match *e {
        Edit::Number(n, v) => {
            let nums = numbers(text);
            if nums.is_empty() {
                return text.to_string();
            }
            let r = nums[n % nums.len()].clone();
            format!("{}{}{}", &text[..r.start], EXTREMES[v], &text[r.end..])
        }
        Edit::Delete(a, n) => {
            let a = floor(a % text.len().max(1));
            let b = floor(a + n);
            format!("{}{}", &text[..a], &text[b..])
        }
        Edit::Insert(a, c) => {
            let a = floor(a % (text.len() + 1));
            format!("{}{c}{}", &text[..a], &text[a..])
        }
        Edit::DupLine(a) => {
            let mut l: Vec<&str> = text.lines().collect();
            if !l.is_empty() {
                let a = a % l.len();
                l.insert(a, l[a]);
            }
            l.join("\n") + "\n"
        }
    }
}

/// The shipped scenarios a bounded run can afford (large.toml's million
/// enterprises take seconds even for one month).
fn scenarios() -> Vec<(String, String)> {
    [
        "default",
        "bass",
        "discount_high",
        "head_to_head",
        "online_vs_local",
    ]
    .iter()
    .map(|n| {
        let p = root().join(format!("scenarios/{n}.toml"));
        (n.to_string(), std::fs::read_to_string(p).unwrap())
    })
    .collect()
}

/// The shipped experiments and the test fixtures, bounded: one replicate,
/// at most 4 samples, their base given by an absolute path.
fn experiments() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dirs = [
        (root().join("experiments"), root().join("scenarios")),
        (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        ),
    ];
    for (dir, _) in &dirs {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            if !text.contains("[design]") {
                continue;
            }
            let mut t = String::new();
            for line in text.lines() {
                let l = if line.starts_with("replicates") {
                    "replicates = 1".to_string()
                } else if line.starts_with("samples") {
                    "samples = 4".to_string()
                } else if let Some(b) = line.strip_prefix("base = ") {
                    let b = b.trim().trim_matches('"');
                    format!("base = {:?}", dir.join(b).display().to_string())
                } else {
                    line.to_string()
                };
                t.push_str(&l);
                t.push('\n');
            }
            out.push((e.file_name().to_string_lossy().into_owned(), t));
        }
    }
    out.sort();
    out
}

fn cases() -> u32 {
    std::env::var("CHANNELSIM_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(16)
}

fn fuzz_config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        // Each case runs the binary: keep shrinking short.
        max_shrink_iters: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Run one mutated input through the binary; `Err` on a bad ending.
fn fuzz_one(kind: &str, name: &str, text: &str, n: usize) -> Result<(), String> {
    let dir = scratch(&format!("fuzz-{kind}-{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let (f, o) = (file.to_str().unwrap(), out.to_str().unwrap());
    let mut args = vec![
        if kind == "scenario" { "run" } else { "sweep" },
        f,
        "--out",
        o,
        "--quiet",
        "--no-report",
        "--threads",
        "2",
        "--set",
        "horizon_months=1",
    ];
    if kind == "scenario" {
        args.extend(["--replicates", "1"]);
    }
    let what = format!("{kind} {name} mutated to:\n{text}\n");
    let r = match try_bounded(&args) {
        Some(e) => check_clean(&e, &what),
        // A mutation can make a valid experiment bigger (replicates = 19,
        // say): its runs may take longer than the limit, which is work, not
        // a slow refusal. It must then be valid, as `slurm` (which checks
        // an experiment fully and runs nothing) says within the limit.
        None if kind == "experiment" => {
            let check = dir.join("check");
            match try_bounded(&[
                "slurm",
                f,
                "--tasks",
                "1",
                "--out",
                check.to_str().unwrap(),
                "--set",
                "horizon_months=1",
            ]) {
                Some(e) if e.code == Some(0) => Ok(()),
                Some(e) => Err(format!(
                    "{what}: ran over {LIMIT:?}, yet it is not valid: {}",
                    e.stderr
                )),
                None => Err(format!("{what}: not even checked within {LIMIT:?}")),
            }
        }
        None => Err(format!("{what}: still running after {LIMIT:?}")),
    };
    let _ = std::fs::remove_dir_all(&dir);
    r
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn issue14_fuzz_mutated_scenarios_end_cleanly(
        pick in any::<usize>(),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let all = scenarios();
        let (name, mut text) = all[pick % all.len()].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Err(m) = fuzz_one("scenario", &name, &text, n) {
            return Err(TestCaseError::fail(m));
        }
    }

    #[test]
    fn issue14_fuzz_mutated_experiments_end_cleanly(
        pick in any::<usize>(),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let all = experiments();
        let (name, mut text) = all[pick % all.len()].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Err(m) = fuzz_one("experiment", name.trim_end_matches(".toml"), &text, n) {
            return Err(TestCaseError::fail(m));
        }
    }
}

#[test]
fn the_fuzz_mutations_reach_numbers() {
    let text = "a = 1\nb = [2, -3.5]\n# 7\nc = { d = 4e3 }\n";
    let n: Vec<&str> = numbers(text).into_iter().map(|r| &text[r]).collect();
    assert_eq!(n, ["1", "2", "-3.5", "4e3"]);
    assert_eq!(
        apply(text, &Edit::Number(1, 7)),
        text.replace("2,", "4294967295,")
    );
}
