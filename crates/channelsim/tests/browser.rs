//! The report of the default scenario in a real browser (headless
//! Chromium): it renders, is long, has the headline table and no broken
//! images. Skipped, saying so, where Chromium is not installed, unless
//! CHANNELSIM_REQUIRE_CHROMIUM is set (as `.ci/run` does after installing it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium(args: &[String], profile: &Path) -> std::process::Output {
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium starts")
}

fn fresh(name: &str) -> PathBuf {
    common::scratch("browser", name)
}

/// Whether Chromium is here; where it is not, the test is skipped, saying
/// so, unless CHANNELSIM_REQUIRE_CHROMIUM is set.
fn chromium_present() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CHANNELSIM_REQUIRE_CHROMIUM").is_none(),
        "CHANNELSIM_REQUIRE_CHROMIUM is set but {CHROMIUM} is missing"
    );
    println!("skipped: chromium not installed (the browser test runs in .ci/run)");
    false
}

/// The default scenario's results (3 replicates, with the report) in a
/// fresh folder.
fn default_results(name: &str) -> PathBuf {
    let out = fresh(name);
    common::ok(&[
        "run",
        "--replicates",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    out
}

#[test]
fn default_scenario_report_renders_in_chromium() {
    if !chromium_present() {
        return;
    }
    let out = default_results("run");
    let report = out.join("report.html");
    let url = format!("file://{}", report.display());

    // The DOM: the headline table with all 14 variants, inline charts, and
    // no image that points anywhere (a broken image is an <img> whose source
    // is not inline data).
    let dom = chromium(&["--dump-dom".into(), url.clone()], &fresh("p1"));
    assert!(dom.status.success());
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<table class=\"headline\">"),
        "no headline table"
    );
    for v in [
        "traditional / long_term",
        "city_exclusive / short_term",
        "online / short_term",
    ] {
        assert!(dom.contains(v), "{v} missing from the page");
    }
    assert!(dom.matches("<svg").count() >= 10, "too few charts");
    for (i, _) in dom.match_indices("<img") {
        let tag = &dom[i..dom[i..].find('>').map_or(dom.len(), |j| i + j)];
        assert!(
            tag.contains("src=\"data:"),
            "broken or external image: {tag}"
        );
    }

    // The page as a person sees it: a tall screenshot, inked to the bottom
    // (the page is long), not blank.
    let shot = out.join("screenshot.png");
    let s = chromium(
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,6000".into(),
            url,
        ],
        &fresh("p2"),
    );
    assert!(s.status.success());
    let bytes = std::fs::read(&shot).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    let img = image::load_from_memory(&bytes).expect("decodes").to_luma8();
    assert_eq!(img.dimensions(), (1280, 6000));
    let inked = |y0: u32, y1: u32| {
        let mut n = 0u64;
        for y in y0..y1 {
            for x in 0..1280 {
                n += (img.get_pixel(x, y)[0] < 200) as u64;
            }
        }
        n as f64 / ((y1 - y0) as f64 * 1280.0)
    };
    assert!(inked(0, 1000) > 0.01, "the top of the page is blank");
    assert!(
        inked(5000, 6000) > 0.002,
        "the page is shorter than 5000 px: charts missing?"
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// The report measured in Chromium at a window width: a copy with a script
/// (the report itself has none) that writes the headline table's right
/// edge, the page's width and scroll width and where the answer and the
/// headline start into an attribute of the body, read from the DOM dump.
fn measure(report: &Path, width: u32) -> serde_json::Value {
    let html = std::fs::read_to_string(report).unwrap();
    let js = r#"<script>
var t=document.querySelector("table.headline").getBoundingClientRect();
var a=document.getElementById("answer").getBoundingClientRect();
var d=document.documentElement;
document.body.setAttribute("data-measure",JSON.stringify({table_right:t.right,table_left:t.left,client:d.clientWidth,scroll:d.scrollWidth,answer_top:a.top,headline_top:t.top}));
</script></body>"#;
    let copy = report.with_file_name(format!("measure-{width}.html"));
    std::fs::write(&copy, html.replace("</body>", js)).unwrap();
    let dom = chromium(
        &[
            format!("--window-size={width},3000"),
            "--dump-dom".into(),
            format!("file://{}", copy.display()),
        ],
        &fresh(&format!("m{width}")),
    );
    assert!(dom.status.success());
    let dom = String::from_utf8_lossy(&dom.stdout);
    let at = dom.find("data-measure=\"").expect("the script ran") + 14;
    let raw = &dom[at..at + dom[at..].find('"').unwrap()];
    serde_json::from_str(&raw.replace("&quot;", "\"")).unwrap()
}

#[test]
fn issue12_headline_table_fits_at_800_and_1280_px_and_the_answer_comes_first() {
    if !chromium_present() {
        return;
    }
    let out = default_results("fit");
    for width in [800u32, 1280] {
        let m = measure(&out.join("report.html"), width);
        let f = |k: &str| m[k].as_f64().unwrap();
        assert!(f("table_left") >= 0.0, "{width} px: {m}");
        assert!(
            f("table_right") <= f("client"),
            "{width} px: the headline table overflows: {m}"
        );
        assert!(
            f("scroll") <= f("client"),
            "{width} px: the page scrolls sideways: {m}"
        );
        assert!(f("answer_top") < f("headline_top"), "{width} px: {m}");
    }
    let _ = std::fs::remove_dir_all(&out);
}
