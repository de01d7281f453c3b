//! Every kind of mistake gives file, line, column, key path and what is
//! allowed.

use channelsim_runner::scenario::{DEFAULT_SCENARIO, ErrorKind, ScenarioError, parse_scenario};

const FILE: &str = "scenarios/x.toml";

const MINI: &str = r#"name = "mini"
horizon_months = 24

[[vendor]]
name = "focal"
strategy = "city_exclusive"
policy = "long_term"
"#;

fn err(text: &str, sets: &[&str]) -> ScenarioError {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match parse_scenario(text, FILE, &sets) {
        Ok(_) => panic!("expected an error for:\n{text}\nsets {sets:?}"),
        Err(e) => {
            println!("{}\n", e.report());
            e
        }
    }
}

/// `text` with `line` (1-based) replaced.
fn with_line(text: &str, line: usize, new: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { new } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(e: &ScenarioError, kind: ErrorKind, at: &str, key: &str, allowed: &[&str]) {
    let d = &e.diagnostics()[0];
    let shown = e.to_string();
    assert_eq!(d.kind, kind, "{shown}");
    assert!(
        shown.starts_with(at),
        "expected {at:?} at the start of {shown:?}"
    );
    assert!(shown.contains(key), "expected key {key:?} in {shown:?}");
    for a in allowed {
        assert!(shown.contains(a), "expected {a:?} in {shown:?}");
    }
}

#[test]
fn syntax_error() {
    let t = with_line(MINI, 2, "horizon_months = = 24");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::Syntax,
        "scenarios/x.toml:2:",
        "horizon_months",
        &["syntax"],
    );
}

#[test]
fn unknown_key_lists_allowed_keys() {
    let t = format!("{MINI}\n[params]\nbass_pp = 0.01\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:10:1:",
        "params.bass_pp",
        &["bass_p", "bass_q", "did you mean \"bass_p\""],
    );

    let t = with_line(MINI, 2, "horizon = 24");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:2:1:",
        "horizon",
        &["horizon_months", "replicates", "discount_rate"],
    );

    let t = with_line(MINI, 7, "polcy = \"long_term\"");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:7:1:",
        "vendor.focal.polcy",
        &["policy", "policy_overrides", "mix"],
    );
}

#[test]
fn wrong_type_names_the_expected_type() {
    let t = with_line(MINI, 2, "horizon_months = \"two years\"");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::WrongType,
        "scenarios/x.toml:2:18:",
        "horizon_months = \"two years\"",
        &["expected a non-negative integer", "found a string"],
    );

    let t = format!("{MINI}\n[switches]\nchurn = 1\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::WrongType,
        "scenarios/x.toml:10:9:",
        "switches.churn = 1",
        &["expected a boolean"],
    );

    let t = format!("{MINI}\n[market]\nsegment_shares = [0.7, 0.3]\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::WrongType,
        "scenarios/x.toml:10:18:",
        "market.segment_shares",
        &["4 elements", "found 2"],
    );
}

#[test]
fn out_of_range_points_at_the_value() {
    let t = format!("{MINI}policy_overrides = {{ share_shift = 3.5 }}\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml:8:36:",
        "vendor.focal.policy_overrides.share_shift = 3.5",
        &["must be in [-1, 1]"],
    );

    let t = format!("{MINI}\n[params.kinds.reseller]\nshare_first = 1.5\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml:10:15:",
        "params.kinds.reseller.share_first = 1.5",
        &["[0, 1]"],
    );

    // Shares outside [0, 1].
    let t = format!(
        "{MINI}\n[market]\ncities = [{{ tier = 1, enterprises = 100 }}, {{ tier = 2, count = 3, enterprises = 50, addressable_share = 1.2 }}]\n"
    );
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml:10:105:",
        "market.cities[1].addressable_share = 1.2",
        &["[0, 1]"],
    );
    assert_eq!(
        e.diagnostics().len(),
        1,
        "one message per entry, not per city"
    );

    let t = format!("{MINI}\n[market]\ncities = [{{ tier = 7, enterprises = 100 }}]\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml:10:20:",
        "market.cities[0].tier = 7",
        &["1, 2, 3 or 4"],
    );

    // A default made invalid by another value points at the enclosing table.
    let t = format!("{MINI}\n[params]\nquality_floor = 0.6\n");
    let e = err(&t, &[]);
    let d = e
        .diagnostics()
        .iter()
        .find(|d| d.key == "params.start_quality")
        .expect("start_quality");
    assert_eq!((d.line, d.column), (9, 1), "{e}");
}

#[test]
fn negative_count_horizon_zero_replicates_zero() {
    let t = format!("{MINI}\n[market]\ncities = [{{ tier = 1, count = -2, enterprises = 100 }}]\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml:10:31:",
        "market.cities[0].count = -2",
        &["non-negative integer"],
    );

    let t = with_line(MINI, 2, "horizon_months = 0");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml:2:18:",
        "horizon_months = 0",
        &["1..=1200"],
    );

    let t = format!("replicates = 0\n{MINI}");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml:1:14:",
        "replicates = 0",
        &["at least 1"],
    );
}

#[test]
fn unknown_strategy_and_policy_list_the_names() {
    let t = with_line(MINI, 6, "strategy = \"city_exclusiv\"");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownName,
        "scenarios/x.toml:6:12:",
        "vendor.focal.strategy = \"city_exclusiv\"",
        &[
            "traditional, abu, amoeba, team_replication, joint_venture, city_exclusive, online",
            "did you mean \"city_exclusive\"",
        ],
    );

    let t = with_line(MINI, 7, "policy = \"medium_term\"");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownName,
        "scenarios/x.toml:7:10:",
        "vendor.focal.policy = \"medium_term\"",
        &["long_term, short_term"],
    );

    let t = with_line(MINI, 6, "strategy = { small = \"online\", huge = \"abu\" }");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:6:32:",
        "vendor.focal.strategy.huge",
        &["small, medium, large, strategic"],
    );

    let t = format!("{MINI}[model]\nversion = \"v3\"\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownName,
        "scenarios/x.toml:9:11:",
        "model.version = \"v3\"",
        &["supported: v2"],
    );
}

/// Issue 11: a model v1 file is told where its keys went.
#[test]
fn issue11_v1_model_keys_name_their_new_place() {
    let t = format!("model = \"v1\"\n{MINI}");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::WrongType,
        "scenarios/x.toml:1:9:",
        "model = \"v1\"",
        &["implements model v2", "[model]", "version = \"v2\""],
    );
    let e = err(MINI, &["model=v1"]);
    check(
        &e,
        ErrorKind::WrongType,
        "scenarios/x.toml: --set model=v1:1:",
        "model",
        &["[model]"],
    );
    for (old, new) in [
        ("recruit_replacements = false", "model.replace_dead_units"),
        ("grace_months = 6", "model.grace_months"),
    ] {
        let t = format!("{MINI}[params]\n{old}\n");
        let e = err(&t, &[]);
        let key = old.split(' ').next().unwrap();
        check(
            &e,
            ErrorKind::UnknownKey,
            "scenarios/x.toml:9:",
            &format!("params.{key}"),
            &[new],
        );
        let e = err(MINI, &[&format!("params.{}", old.replace(' ', ""))]);
        check(
            &e,
            ErrorKind::UnknownKey,
            "scenarios/x.toml: --set",
            key,
            &[new],
        );
    }
    // Readings: unknown values and keys are refused, located.
    let e = err(MINI, &["model.moved_customer=resets"]);
    check(
        &e,
        ErrorKind::UnknownName,
        "scenarios/x.toml: --set",
        "model.moved_customer",
        &["continues", "restarts"],
    );
    let e = err(&format!("{MINI}[model]\nowned_trust = \"x\"\n"), &[]);
    check(
        &e,
        ErrorKind::UnknownName,
        "scenarios/x.toml:9:",
        "model.owned_trust",
        &["fixed, dynamic"],
    );
    let e = err(&format!("{MINI}[model]\nreplace_dead = false\n"), &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:9:",
        "model.replace_dead",
        &["replace_dead_units"],
    );
}

#[test]
fn mix_overlap_names_segment_tier_and_both_strategies() {
    let t = with_line(
        MINI,
        6,
        "mix = [ { strategy = \"abu\", segments = [\"large\", \"strategic\"], tiers = [1, 2] },\n  { strategy = \"city_exclusive\", segments = [\"small\", \"medium\", \"large\"] } ]",
    );
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::MixOverlap,
        "scenarios/x.toml:7:3:",
        "vendor.focal.mix[1]",
        &["segment large in tier 1", "\"abu\"", "\"city_exclusive\""],
    );
}

#[test]
fn mix_without_overlap_resolves() {
    let t = with_line(
        MINI,
        6,
        "mix = [ { strategy = \"abu\", segments = [\"large\", \"strategic\"], tiers = [1, 2] },\n  { strategy = \"city_exclusive\", segments = [\"small\", \"medium\"] },\n  { strategy = \"city_exclusive\", segments = [\"large\", \"strategic\"], tiers = [3, 4] } ]",
    );
    let f = parse_scenario(&t, FILE, &[]).unwrap();
    let m = f.base.vendors[0].mix;
    use channelsim_core::ids::Strategy::*;
    assert_eq!(m.get(1, 3), Some(Abu));
    assert_eq!(m.get(2, 2), Some(Abu));
    assert_eq!(m.get(3, 2), Some(CityExclusive));
    assert_eq!(m.get(1, 0), Some(CityExclusive));
    assert_eq!(m.label(), "mix:abu+city_exclusive");
}

#[test]
fn duplicate_names() {
    let t = format!("{MINI}\n[[vendor]]\nname = \"focal\"\nstrategy = \"online\"\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::Duplicate,
        "scenarios/x.toml:10:8:",
        "vendor[1].name = \"focal\"",
        &["duplicate vendor name", "line 5"],
    );

    let t = format!("{MINI}\n[[variant]]\nname = \"a\"\n\n[[variant]]\nname = \"a\"\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::Duplicate,
        "scenarios/x.toml:13:8:",
        "variant[1].name = \"a\"",
        &["duplicate variant name", "line 10"],
    );
}

#[test]
fn bad_scenario_name() {
    let t = with_line(MINI, 1, "name = \"my scenario/1\"");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::Invalid,
        "scenarios/x.toml:1:8:",
        "name = \"my scenario/1\"",
        &["A-Z a-z 0-9 _ . -"],
    );
    let t = with_line(MINI, 1, "");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::Missing,
        "scenarios/x.toml:1:1:",
        "name",
        &["missing"],
    );
}

#[test]
fn bad_set_names_set_and_key() {
    let e = err(MINI, &["params.bass_p"]);
    check(
        &e,
        ErrorKind::BadSet,
        "scenarios/x.toml: --set params.bass_p:1:1:",
        "params.bass_p",
        &["KEY=VALUE"],
    );

    let e = err(MINI, &["params.bass_pp=0.1"]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml: --set params.bass_pp=0.1:1:1:",
        "params.bass_pp",
        &["bass_p", "bass_q"],
    );

    let e = err(MINI, &["horizon_months=two"]);
    check(
        &e,
        ErrorKind::WrongType,
        "scenarios/x.toml: --set horizon_months=two:1:16:",
        "horizon_months = two",
        &["non-negative integer"],
    );

    let e = err(MINI, &["vendor.focal.policy=medium_term"]);
    check(
        &e,
        ErrorKind::UnknownName,
        "scenarios/x.toml: --set vendor.focal.policy=medium_term:1:21:",
        "vendor.focal.policy",
        &["long_term, short_term"],
    );

    let e = err(MINI, &["vendor.other.policy=short_term"]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml: --set vendor.other.policy=short_term:1:1:",
        "vendor.other.policy",
        &["focal"],
    );

    let e = err(MINI, &["params.bass_p=3"]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml: --set params.bass_p=3:1:15:",
        "params.bass_p = 3",
        &["[0, 1]"],
    );

    let e = err(MINI, &["market.cities.tier9.enterprises=1"]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml: --set market.cities.tier9.enterprises=1:1:1:",
        "market.cities.tier9.enterprises",
        &["tier1, tier2, tier3, tier4"],
    );

    let e = err(MINI, &["foo=1"]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml: --set foo=1:1:1:",
        "foo",
        &["horizon_months", "params.<field>"],
    );
}

#[test]
fn variant_errors_name_the_variant_and_its_set_entry() {
    let t = format!(
        "{MINI}\n[[variant]]\nname = \"v1\"\nset = {{ \"vendor.focal.strategy\" = \"tradition\" }}\n"
    );
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownName,
        "scenarios/x.toml:11:35:",
        "in variant \"v1\": vendor.focal.strategy = \"tradition\"",
        &["traditional"],
    );

    let t = format!(
        "{MINI}\n[[variant]]\nname = \"v1\"\nset = {{ \"vendor.nobody.policy\" = \"short_term\" }}\n"
    );
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:11:9:",
        "vendor.nobody.policy",
        &["no vendor named \"nobody\"", "focal"],
    );

    let t = format!("{MINI}\n[[variant]]\nname = \"v1\"\nset = {{ \"params.bass_p\" = 2.0 }}\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::OutOfRange,
        "scenarios/x.toml:11:27:",
        "in variant \"v1\": params.bass_p = 2.0",
        &["[0, 1]"],
    );

    let t = format!("{MINI}\n[[variant]]\nname = \"v1\"\nset = {{ \"params.bass_pp\" = 0.1 }}\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:11:9:",
        "params.bass_pp",
        &["bass_p"],
    );

    let t = format!(
        "{MINI}\n[[variant]]\nname = \"v1\"\nset = {{ vendor.focal.policy = \"short_term\" }}\n"
    );
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:11:9:",
        "vendor",
        &["quote"],
    );

    let t = format!("{MINI}\n[[variant]]\nname = \"v1\"\nsett = {{}}\n");
    let e = err(&t, &[]);
    check(
        &e,
        ErrorKind::UnknownKey,
        "scenarios/x.toml:11:1:",
        "variant[0].sett",
        &["name, set"],
    );
}

#[test]
fn io_error_names_the_path() {
    let p = std::path::Path::new("/nonexistent/dir/x.toml");
    let e = channelsim_runner::scenario::load_scenario(p, &[]).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/dir/x.toml"), "{e}");
    assert!(matches!(e, ScenarioError::Io { .. }));
}

#[test]
fn default_with_errors_in_a_set_reports_all_violations() {
    let sets = vec![
        "params.bass_p=2".to_string(),
        "params.bass_q=-1".to_string(),
    ];
    let e = parse_scenario(DEFAULT_SCENARIO, "scenarios/default.toml", &sets).unwrap_err();
    assert_eq!(e.diagnostics().len(), 2, "{e}");
    assert_eq!(e.to_string().lines().count(), 2);
}
