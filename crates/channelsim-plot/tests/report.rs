//! The HTML report from synthetic result folders.

mod common;

use channelsim_plot::write_report;
use common::{Spec, Variant, fresh_dir, write_run, write_variant_sweep};

const EVIL: &str = "<script>alert(1)</script>";

fn spec() -> Spec {
    let v = |name: &str, s: &str, p: &str| Variant {
        name: name.into(),
        strategy: s.into(),
        policy: p.into(),
    };
    Spec {
        variants: vec![
            v("abu / long_term", "abu", "long_term"),
            v("abu / short_term", "abu", "short_term"),
            v(EVIL, "online", "long_term"),
        ],
        vendors: vec!["focal".into()],
        replicates: 5,
        months: 24,
    }
}

/// The text of the `<section id=ID>` element.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[test]
fn report_from_a_run() {
    let dir = fresh_dir("report_run");
    write_run(
        &dir,
        &spec(),
        "Which channel wins? <b>bold</b> & \"quoted\"",
    );
    let path = write_report(&dir).unwrap();
    assert_eq!(path, dir.join("report.html"));
    let html = std::fs::read_to_string(&path).unwrap();

    // Escaping: user strings show as text.
    assert!(!html.to_lowercase().contains("<script"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Which channel wins? &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"));
    assert!(!html.contains("<b>bold</b>"));

    // Self-contained: no network references, charts inline.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "network reference"
    );
    for bad in ["src=", "<link", "@import", "url("] {
        assert!(!html.contains(bad), "external resource: {bad}");
    }
    let n_svg = std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "svg")
        .count();
    assert_eq!(html.matches("<svg").count(), n_svg);
    assert!(n_svg >= 12);

    // The headline table: one row per variant, every column, winners marked.
    let head = section(&html, "headline");
    assert!(head.contains("<table class=\"headline\">"));
    for col in [
        "Customers",
        "ARR",
        "Cumulative profit",
        "NPV",
        "Unit survival",
        "Satisfaction",
    ] {
        assert!(
            head.contains(&format!("<th class=\"num\">{col} ")),
            "column {col}"
        );
    }
    // Money in M CNY, said once under each money column (issue 12).
    assert_eq!(head.matches("<small>(M CNY)</small>").count(), 2, "{head}");
    assert_eq!(head.matches("<small>(M CNY/year)</small>").count(), 1);
    assert_eq!(head.matches("M CNY").count(), 3, "{head}");
    // Variant as strategy above policy, its full name in the title.
    assert_eq!(head.matches("<tr><td title=\"").count(), 3);
    for v in ["abu / long_term", "abu / short_term", "&lt;script&gt;"] {
        assert!(head.contains(v), "row {v}");
    }
    assert!(head.matches("class=\"num win\"").count() >= 6);
    assert!(head.contains("95% interval"));

    // Crossover months, charts, the scenario with differences, the manifest.
    let cross = section(&html, "crossover");
    assert!(cross.contains("<td>abu</td>") || cross.contains(">abu</td>"));
    assert!(html.contains("id=\"chart-ts_active\""));
    assert!(html.contains("id=\"chart-policy_pairs\""));
    let sc = section(&html, "scenario");
    // What differs from the defaults is shown; the rest is folded (issue 12).
    let folded = sc.find("<details>").expect("the rest folded");
    let p = sc
        .find("<tr><td>params.bass_p</td><td>0.004</td><td>0.003</td></tr>")
        .expect("bass_p differs");
    assert!(p < folded);
    assert!(sc.find("<tr><td>params.bass_q</td>").unwrap() > folded);
    assert!(
        sc.contains("<td>vendor.focal.strategy</td>")
            || sc.contains("vendor.focal.strategy</code>")
    );
    let man = section(&html, "manifest");
    assert!(man.contains("60.5 s") && man.contains("testhost") && man.contains("ab12cd34"));

    // Written atomically: no temporary files remain.
    for e in std::fs::read_dir(&dir).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!n.starts_with('.'), "left over: {n}");
    }
}

#[test]
fn absent_inputs_drop_their_sections() {
    // One variant: no compare.json, so no crossover or comparison charts.
    let dir = fresh_dir("report_single");
    let mut s = spec();
    s.variants.truncate(1);
    write_run(&dir, &s, "One variant");
    assert!(!dir.join("compare.json").exists());
    let html = std::fs::read_to_string(write_report(&dir).unwrap()).unwrap();
    assert!(html.contains("<section id=\"headline\">"));
    assert!(!html.contains("id=\"crossover\""));
    assert!(!html.contains("id=\"long-vs-short\""));
    assert!(!html.contains("id=\"sensitivity\""));
    assert!(html.contains("id=\"over-time\""));

    // Only series.csv: charts, no headline, scenario or manifest.
    let dir2 = fresh_dir("report_series_only");
    std::fs::copy(dir.join("series.csv"), dir2.join("series.csv")).unwrap();
    let html = std::fs::read_to_string(write_report(&dir2).unwrap()).unwrap();
    assert!(html.contains("id=\"over-time\""));
    for id in ["headline", "scenario", "manifest", "crossover"] {
        assert!(!html.contains(&format!("id=\"{id}\"")), "{id}");
    }
}

#[test]
fn report_from_a_sweep() {
    let dir = fresh_dir("report_sweep");
    write_variant_sweep(&dir, &["abu / long_term", EVIL]);
    let html = std::fs::read_to_string(write_report(&dir).unwrap()).unwrap();
    assert!(html.contains("<h1>churn_grid</h1>"));
    assert!(html.contains("Robust choice over churn futures"));
    assert!(html.contains("id=\"sweep\"") && html.contains("id=\"sensitivity\""));
    assert!(section(&html, "manifest").contains("experiment.name"));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("http://"));
}
