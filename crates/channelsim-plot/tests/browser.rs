//! The report in a real browser, when /usr/bin/chromium exists.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use channelsim_plot::write_report;
use common::{Spec, fresh_dir, write_run};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs chromium headless with a fresh profile; kills it after two minutes.
fn chromium(args: &[String], profile: &Path) -> Output {
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("chromium starts");
    let start = Instant::now();
    // Drain stdout on a thread so a large DOM dump cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut buf).ok();
        buf
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let stdout = reader.join().unwrap();
            return Output {
                status,
                stdout,
                stderr: Vec::new(),
            };
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn report_renders_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CHANNELSIM_REQUIRE_CHROMIUM").is_none(),
            "CHANNELSIM_REQUIRE_CHROMIUM is set but {CHROMIUM} is missing"
        );
        println!("skipped: chromium not installed");
        return;
    }
    let dir = fresh_dir("browser_report");
    write_run(&dir, &Spec::grid(3, 5, 24), "Which channel wins?");
    let report = write_report(&dir).unwrap();
    let url = format!("file://{}", report.display());

    let shot = dir.join("screenshot.png");
    let profile = fresh_dir("browser_profile_shot");
    let out = chromium(
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,4000".into(),
            url.clone(),
        ],
        &profile,
    );
    assert!(out.status.success(), "chromium failed: {:?}", out.status);
    let img = image::open(&shot).expect("screenshot decodes").to_rgb8();
    assert_eq!(img.dimensions(), (1280, 4000));
    let lum: Vec<f64> = img
        .pixels()
        .map(|p| (p[0] as f64 + p[1] as f64 + p[2] as f64) / 3.0)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    assert!(var > 100.0, "screenshot looks blank (variance {var})");

    let profile = fresh_dir("browser_profile_dom");
    let out = chromium(&["--dump-dom".into(), url], &profile);
    assert!(out.status.success(), "chromium failed: {:?}", out.status);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<table class=\"headline\">"),
        "no headline table in the DOM"
    );
    assert!(dom.contains("amoeba / short_term"));
    assert!(dom.contains("<svg"));
}
