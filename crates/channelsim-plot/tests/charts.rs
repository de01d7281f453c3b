//! Charts from synthetic result folders: every PNG decodes, has the SVG's
//! size and is not blank; every SVG parses and holds its title and labels.

mod common;

use std::path::{Path, PathBuf};

use channelsim_plot::{PlotError, render_charts};
use common::{Spec, Variant, fresh_dir, write_run, write_sweep, write_variant_sweep};

fn variant(name: &str, strategy: &str, policy: &str) -> Variant {
    Variant {
        name: name.into(),
        strategy: strategy.into(),
        policy: policy.into(),
    }
}

/// 3 variants × 5 replicates × 24 months, one vendor.
pub fn small_spec() -> Spec {
    Spec {
        variants: vec![
            variant("abu / long_term", "abu", "long_term"),
            variant("abu / short_term", "abu", "short_term"),
            variant("online / long_term", "online", "long_term"),
        ],
        vendors: vec!["focal".into()],
        replicates: 5,
        months: 24,
    }
}

/// The SVG's size and all its text, after checking it parses.
fn svg_text(path: &Path) -> ((u32, u32), String) {
    let s = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&s)
        .unwrap_or_else(|e| panic!("{}: not XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let dim = |a: &str| root.attribute(a).unwrap().parse::<u32>().unwrap();
    let text: Vec<&str> = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    ((dim("width"), dim("height")), text.join("\n"))
}

/// Decodes the PNG, checks its size, and that it is not blank.
fn check_png(path: &Path, size: (u32, u32)) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!(img.dimensions(), size, "{}", path.display());
    let lum: Vec<f64> = img
        .pixels()
        .map(|p| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    let inked = lum.iter().filter(|l| **l < 200.0).count() as f64 / lum.len() as f64;
    assert!(var > 150.0, "{}: blank? variance {var}", path.display());
    assert!(
        inked > 0.01,
        "{}: blank? inked share {inked}",
        path.display()
    );
}

/// Checks every chart written; returns the chart names.
fn check_all(paths: &[PathBuf]) -> Vec<String> {
    let mut names = Vec::new();
    for p in paths.iter().filter(|p| p.extension().unwrap() == "svg") {
        let (size, _) = svg_text(p);
        check_png(&p.with_extension("png"), size);
        assert!(paths.contains(&p.with_extension("png")));
        names.push(p.file_stem().unwrap().to_string_lossy().into_owned());
    }
    assert_eq!(names.len() * 2, paths.len());
    names
}

fn assert_has(dir: &Path, chart: &str, texts: &[&str]) {
    let (_, all) = svg_text(&dir.join("charts").join(format!("{chart}.svg")));
    for t in texts {
        assert!(all.contains(t), "{chart}.svg lacks {t:?}; it has:\n{all}");
    }
}

#[test]
fn run_folder_charts() {
    let dir = fresh_dir("charts_run");
    write_run(&dir, &small_spec(), "Which channel wins?");
    let paths = render_charts(&dir).unwrap();
    let mut names = check_all(&paths);
    names.sort();
    let mut want = vec![
        "horizon",
        "paired",
        "policy_pairs",
        "rings",
        "ts_active",
        "ts_apps_validated",
        "ts_arr",
        "ts_cum_profit",
        "ts_npv",
        "ts_satisfaction",
        "ts_trust",
        "ts_unit_capability",
        "ts_units_alive",
    ];
    want.sort();
    assert_eq!(names, want);
    for p in paths
        .iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("ts_"))
    {
        if p.extension().unwrap() == "png" {
            // Two strategies: one row of small panels (issue 12).
            check_png(p, (1280, 410));
        }
    }
    // Titles, axis labels with units, one panel per strategy, the band rule.
    assert_has(
        &dir,
        "ts_active",
        &[
            "Active customers",
            "Month",
            "abu",
            "online",
            "one panel per strategy: solid long-term, dashed short-term",
            "mean ± 1.645 sd",
        ],
    );
    assert_has(
        &dir,
        "ts_cum_profit",
        &["Cumulative profit (", "M CNY)", "Month"],
    );
    assert_has(&dir, "ts_arr", &["M CNY/year"]);
    assert_has(
        &dir,
        "ts_satisfaction",
        &["Mean customer satisfaction (0–1)"],
    );
    assert_has(
        &dir,
        "rings",
        &[
            "Customers by ring of collaboration",
            "ring 0 · work",
            "ring 4 · ecosystem",
            "customers",
        ],
    );
    assert_has(
        &dir,
        "policy_pairs",
        &[
            "Long-term minus short-term policy",
            "abu",
            "difference (",
            "Month",
        ],
    );
    assert_has(
        &dir,
        "horizon",
        &[
            "Comparison at month 24",
            "Cumulative profit",
            "NPV",
            "Unit survival",
        ],
    );
    assert_has(
        &dir,
        "paired",
        &["Difference from the baseline", "abu / short_term"],
    );
    // No temporary files left behind.
    for e in std::fs::read_dir(dir.join("charts")).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!n.starts_with('.'), "left over: {n}");
    }
}

#[test]
fn percentile_bands_from_twenty_replicates() {
    let dir = fresh_dir("charts_twenty");
    let mut spec = small_spec();
    spec.replicates = 20;
    spec.variants.truncate(1);
    write_run(&dir, &spec, "");
    let names = check_all(&render_charts(&dir).unwrap());
    // One variant: no comparison charts.
    assert!(
        !names
            .iter()
            .any(|n| n == "policy_pairs" || n == "paired" || n == "horizon")
    );
    assert_has(&dir, "ts_npv", &["5th–95th percentile", "20 replicates"]);
}

#[test]
fn lines_are_named_by_vendor_or_both() {
    let dir = fresh_dir("charts_vendors");
    let mut spec = small_spec();
    spec.vendors = vec!["focal".into(), "rival".into()];
    spec.variants.truncate(1);
    write_run(&dir, &spec, "");
    check_all(&render_charts(&dir).unwrap());
    assert_has(&dir, "ts_active", &["Vendor", "focal", "rival"]);

    let dir = fresh_dir("charts_vendors2");
    spec.variants = small_spec().variants;
    write_run(&dir, &spec, "");
    check_all(&render_charts(&dir).unwrap());
    assert_has(
        &dir,
        "ts_active",
        &[
            "Variant · vendor",
            "abu / long_term · focal",
            "online / long_term · rival",
        ],
    );
}

#[test]
fn sweep_and_sensitivity_charts() {
    let dir = fresh_dir("charts_sweep");
    write_sweep(&dir);
    let mut names = check_all(&render_charts(&dir).unwrap());
    names.sort();
    assert_eq!(
        names,
        [
            "morris_cum_profit",
            "sobol_cum_profit",
            "sweep_heat_active",
            "sweep_heat_cum_profit",
            "sweep_line_active",
            "sweep_line_cum_profit",
        ]
    );
    assert_has(
        &dir,
        "sweep_heat_cum_profit",
        &[
            "Cumulative profit at the horizon",
            "params.bass_p",
            "vendor.focal.policy.share_shift",
            "0.004",
            "CNY",
        ],
    );
    assert_has(
        &dir,
        "sweep_line_active",
        &["Active customers", "params.bass_p", "vendor focal"],
    );
    assert_has(
        &dir,
        "sobol_cum_profit",
        &[
            "Sobol indices",
            "Sobol index (share of output variance)",
            "S1, first order",
            "ST, total",
            "switches.fixed_reach",
        ],
    );
    assert_has(
        &dir,
        "morris_cum_profit",
        &[
            "Morris screening",
            "μ*, mean absolute elementary effect",
            "σ, sd of elementary effects",
            "params.bass_q",
        ],
    );
}

#[test]
fn sweep_over_variants_with_text_factors() {
    let dir = fresh_dir("charts_variant_sweep");
    let variants = [
        "abu / long_term",
        "abu / short_term",
        "city_exclusive / long_term",
    ];
    write_variant_sweep(&dir, &variants);
    let mut names = check_all(&render_charts(&dir).unwrap());
    names.sort();
    assert_eq!(
        names,
        [
            "morris_npv_abu___long_term",
            "morris_npv_abu___short_term",
            "morris_npv_city_exclusive___long_term",
            "sweep_heat_npv",
            "sweep_heat_unit_survival",
            "sweep_line_npv",
            "sweep_line_unit_survival",
        ]
    );
    assert_has(
        &dir,
        "sweep_line_npv",
        &[
            "[0.15, 0.1, 0.05, 0.02]",
            "params.base_churn",
            "Variant",
            "city_exclusive / long_term",
        ],
    );
    assert_has(
        &dir,
        "sweep_heat_npv",
        &["abu / short_term", "[0.4, 0.25, 0.12, 0.06]", "0.05"],
    );
    assert_has(
        &dir,
        "morris_npv_abu___short_term",
        &["Variant: abu / short_term"],
    );
}

#[test]
fn errors_name_the_file() {
    let dir = fresh_dir("charts_empty");
    assert!(matches!(
        render_charts(&dir),
        Err(PlotError::NoResults { .. })
    ));

    let dir = fresh_dir("charts_bad_csv");
    write_run(&dir, &small_spec(), "");
    let s = std::fs::read_to_string(dir.join("series.csv")).unwrap();
    let mut lines: Vec<String> = s.lines().map(String::from).collect();
    lines[3] = lines[3].replacen(",focal,abu,long_term,", ",focal,abu,long_term,oops,", 1);
    std::fs::write(dir.join("series.csv"), lines.join("\n")).unwrap();
    let e = render_charts(&dir).unwrap_err().to_string();
    assert!(e.contains("series.csv"), "{e}");

    let dir = fresh_dir("charts_bad_json");
    write_run(&dir, &small_spec(), "");
    std::fs::write(dir.join("compare.json"), "{ not json").unwrap();
    let e = render_charts(&dir).unwrap_err();
    assert!(matches!(e, PlotError::Json { .. }));
    assert!(e.to_string().contains("compare.json"), "{e}");
}

/// Issue 12: the time series are drawn from `monthly.csv` (the runner's
/// means and bands), not recomputed: a folder with only that file gets its
/// charts, captioned with the file's replicate count and band rule.
#[test]
fn issue12_time_series_come_from_monthly_csv() {
    use channelsim_results::rows::MonthRow;
    let dir = fresh_dir("charts_monthly_only");
    let mut rows = Vec::new();
    for (variant, policy, slope) in [
        ("abu / long_term", "long_term", 2.0),
        ("abu / short_term", "short_term", 1.0),
    ] {
        for month in 1..=12u32 {
            let mean = slope * month as f64;
            rows.push(MonthRow {
                variant: variant.into(),
                vendor: "focal".into(),
                strategy: "abu".into(),
                policy: policy.into(),
                metric: "cum_profit_mcny".into(),
                unit: "M CNY".into(),
                month,
                n: 30,
                mean: Some(mean),
                ci_lo: Some(mean - 0.5),
                ci_hi: Some(mean + 0.5),
                band_lo: Some(mean - 3.0),
                band_hi: Some(mean + 3.0),
            });
        }
    }
    let f = std::fs::File::create(dir.join("monthly.csv")).unwrap();
    channelsim_results::write_csv(f, &rows).unwrap();
    let files = render_charts(&dir).unwrap();
    let mut names: Vec<String> = files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.dedup();
    assert_eq!(names, ["ts_cum_profit"]);
    let svg = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "svg"))
        .unwrap();
    let (_, text) = svg_text(svg);
    assert!(
        text.contains("mean of 30 replicates; band: 5th–95th percentile"),
        "{text}"
    );
    assert!(text.contains("Cumulative profit (M CNY)"), "{text}");
}
