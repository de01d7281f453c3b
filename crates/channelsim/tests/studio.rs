//! The what-if studio over HTTP (issue 16): a saved scenario reproduces
//! the page's figures, foreign Host and Origin headers are refused, a bad
//! lever gets a located error and a 4xx, a newer request cancels an older
//! one. The studio runs the default scenario at a short horizon so that
//! each test takes a second or two.

mod studio_common;

use serde_json::json;
use studio_common::*;

#[test]
fn issue16_a_saved_scenario_reproduces_the_page_s_figures() {
    let dir = fresh("repro");
    // The studio writes nothing: its working folder stays empty.
    let cwd = dir.join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let s = start_in(&short_default(&dir, 24), &cwd);
    let setting = json!({
        "strategies": ["abu", "city_exclusive", "online"],
        "values": {"replicates": "3", "long.share_shift": "0.2",
                   "short.squeeze_on_miss": "0.1", "market.segment_shares": "[0.6, 0.3, 0.08, 0.02]",
                   "model.squeeze_trust": "every_miss", "discount_rate": "0.12"}
    });
    let (status, page) = run(s.port, "t", &setting);
    assert_eq!(status, 200, "{page}");
    let toml = page["scenario_toml"].as_str().unwrap();
    let out = cli_run(toml, &dir);
    // The answer's every statement and figure, as answer.json has them.
    // (Both read with the same parser from the same shortest-form text:
    // equal to the bit; the CSV files below are read by another parser.)
    assert_eq!(page["answer"], records(&out.join("answer.json")));
    assert_eq!(page["answer"].as_array().unwrap().len(), 5);
    // The drivers, as drivers.csv has them.
    let mut rd = csv::Reader::from_path(out.join("drivers.csv")).unwrap();
    let rows: Vec<std::collections::HashMap<String, String>> =
        rd.deserialize().map(Result::unwrap).collect();
    let drivers = page["drivers"].as_array().unwrap();
    assert_eq!(rows.len(), drivers.len());
    for (r, d) in rows.iter().zip(drivers) {
        assert_eq!(r["driver"], d["driver"].as_str().unwrap());
        assert_eq!(r["a"], d["a"].as_str().unwrap());
        let v: f64 = r["value_mcny"].parse().unwrap();
        assert!(same_f64(v, d["value_mcny"].as_f64().unwrap()), "{r:?} {d}");
    }
    // The bands over time, as monthly.csv's cumulative-profit rows.
    let mut rd = csv::Reader::from_path(out.join("monthly.csv")).unwrap();
    let monthly: Vec<std::collections::HashMap<String, String>> = rd
        .deserialize()
        .map(Result::unwrap)
        .filter(|r: &std::collections::HashMap<String, String>| r["metric"] == "cum_profit_mcny")
        .collect();
    let bands = page["bands"].as_array().unwrap();
    assert_eq!(bands.len(), 6);
    let mut checked = 0;
    for b in bands {
        let mine: Vec<_> = monthly
            .iter()
            .filter(|r| r["variant"] == b["variant"].as_str().unwrap())
            .collect();
        assert_eq!(mine.len(), 24);
        for (t, r) in mine.iter().enumerate() {
            for (col, key) in [("mean", "mean"), ("band_lo", "lo"), ("band_hi", "hi")] {
                let want: f64 = r[col].parse().unwrap();
                let got = b[key][t].as_f64().unwrap();
                assert!(same_f64(want, got), "{col} month {t}: {want} {got}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6 * 24 * 3);
    // The same setting again comes from the cache, with the same answer.
    let (_, again) = run(s.port, "t", &setting);
    assert_eq!(again["runs_computed"], 0);
    assert_eq!(again["answer"], page["answer"]);
    assert_eq!(
        std::fs::read_dir(&cwd).unwrap().count(),
        0,
        "the studio wrote a file"
    );
}

#[test]
fn issue16_a_foreign_host_or_origin_is_refused() {
    let dir = fresh("host");
    let s = start(&short_default(&dir, 6));
    let p = s.port;
    let (ok, page) = request(p, "GET", "/", &[], "");
    assert_eq!(ok, 200);
    assert!(page.contains("channelsim studio"));
    // The page loads nothing from elsewhere (its one address is the SVG
    // namespace, a name, not a download).
    let rest = page.replace("\"http://www.w3.org/2000/svg\"", "");
    assert!(!rest.contains("http:") && !rest.contains("https:") && !rest.contains("<link"));
    let (st, body) = request(p, "GET", "/", &[("Host", "evil.example")], "");
    assert_eq!(st, 403, "{body}");
    let (st, _) = request(
        p,
        "GET",
        "/api/levers",
        &[("Host", &format!("evil.example:{p}"))],
        "",
    );
    assert_eq!(st, 403);
    let (st, _) = request(
        p,
        "POST",
        "/api/run",
        &[("Origin", "http://evil.example")],
        "{}",
    );
    assert_eq!(st, 403);
    let (st, _) = request(
        p,
        "GET",
        "/api/levers",
        &[("Origin", &format!("http://127.0.0.1:{p}"))],
        "",
    );
    assert_eq!(st, 200);
    let (st, _) = request(
        p,
        "GET",
        "/api/levers",
        &[("Host", &format!("localhost:{p}"))],
        "",
    );
    assert_eq!(st, 200);
}

#[test]
fn issue16_a_bad_lever_value_gets_a_located_error_and_a_4xx() {
    let dir = fresh("bad");
    let s = start(&short_default(&dir, 6));
    let (st, e) = run(
        s.port,
        "t",
        &json!({"values": {"short.squeeze_on_miss": "1.5"}}),
    );
    assert_eq!(st, 422, "{e}");
    let err = &e["errors"][0];
    assert_eq!(err["lever"], "short.squeeze_on_miss");
    let m = err["message"].as_str().unwrap();
    // File, line, column, key, value and what is allowed.
    assert!(m.starts_with("studio.toml:"), "{m}");
    assert!(
        m.contains("squeeze_on_miss = 1.5") && m.contains("[0, 1]"),
        "{m}"
    );
    let (st, e) = run(s.port, "t", &json!({"values": {"horizon_months": "ten"}}));
    assert_eq!(st, 422);
    assert_eq!(e["errors"][0]["lever"], "horizon_months");
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--set horizon_months=ten"),
        "{e}"
    );
    let (st, e) = run(s.port, "t", &json!({"values": {"no.such": "1"}}));
    assert_eq!(
        (st, e["errors"][0]["lever"].as_str()),
        (422, Some("no.such"))
    );
    let (st, _) = request(s.port, "POST", "/api/run", &[], "{not json");
    assert_eq!(st, 400);
    let (st, _) = request(s.port, "POST", "/api/run", &[], &"x".repeat(100_000));
    assert_eq!(st, 413);
    // The memory guard applies: a market too large for this machine.
    let (st, e) = run(
        s.port,
        "t",
        &json!({"values": {"market.cities.tier1.enterprises": "1000000", "market.cities.tier1.count": "1000"}}),
    );
    assert_eq!(st, 422, "{e}");
    assert!(
        e["errors"][0]["message"].as_str().unwrap().contains("MiB"),
        "{e}"
    );
    // And the studio still answers.
    let (st, _) = request(s.port, "GET", "/api/levers", &[], "");
    assert_eq!(st, 200);
}

#[test]
fn issue16_a_newer_request_cancels_the_older_one_of_the_same_client() {
    let dir = fresh("cancel");
    let s = start(&short_default(&dir, 120));
    let port = s.port;
    // A slow setting (all 14 variants, 120 months, 20 replicates, nothing
    // cached), then a quick one from the same client.
    let slow = std::thread::spawn(move || {
        run(
            port,
            "same",
            &json!({"values": {"replicates": "20", "seed": "7"}}),
        )
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Meanwhile the page can see how far it is.
    let waited = std::time::Instant::now();
    let p = loop {
        let (st, p) = request(
            port,
            "GET",
            "/api/progress",
            &[("X-Studio-Client", "same")],
            "",
        );
        assert_eq!(st, 200);
        let p: serde_json::Value = serde_json::from_str(&p).unwrap();
        if p["running"] == true || waited.elapsed().as_secs() > 10 {
            break p;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(
        (p["running"].as_bool(), p["total"].as_u64()),
        (Some(true), Some(280)),
        "{p}"
    );
    let t = std::time::Instant::now();
    let (st, quick) = run(
        port,
        "same",
        &json!({"strategies": ["online"], "values": {"replicates": "2", "horizon_months": "6"}}),
    );
    assert_eq!(st, 200, "{quick}");
    let (st, old) = slow.join().unwrap();
    assert_eq!(st, 409, "the older request was not cancelled: {old}");
    // Cancelled between runs: the newer answer did not wait for the 280.
    assert!(t.elapsed().as_secs_f64() < 20.0);
    // Another client is not cancelled by this one.
    let (st, _) = run(
        port,
        "other",
        &json!({"strategies": ["online"], "values": {"replicates": "2", "horizon_months": "6"}}),
    );
    assert_eq!(st, 200);
}
