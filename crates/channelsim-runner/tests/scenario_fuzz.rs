//! No input makes the scenario parser panic: mangled versions of the
//! default file and random `--set`s give `Ok` or `Err`, never a panic.

use channelsim_runner::scenario::{DEFAULT_SCENARIO, parse_scenario};
use proptest::prelude::*;

/// Characters that matter to TOML and to the schema.
const ALPHABET: &[char] = &[
    '=', '[', ']', '{', '}', '"', '\'', ',', '.', '#', '\n', ' ', '-', '0', '1', '9', 'e', 'x',
    '_', 'é', '\t',
];

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, char),
    SwapLines(usize, usize),
    DupLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let s = || {
        proptest::collection::vec(proptest::sample::select(ALPHABET), 1..6)
            .prop_map(|v| v.into_iter().collect::<String>())
    };
    prop_oneof![
        (any::<usize>(), 1usize..12).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), s()).prop_map(|(a, t)| Edit::Insert(a, t)),
        (any::<usize>(), proptest::sample::select(ALPHABET)).prop_map(|(a, c)| Edit::Replace(a, c)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        any::<usize>().prop_map(Edit::DupLine),
    ]
}

fn apply(text: &str, e: &Edit) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len().max(1);
    match e {
        Edit::Delete(a, k) => {
            let a = a % n;
            chars[..a]
                .iter()
                .chain(chars[(a + k).min(chars.len())..].iter())
                .collect()
        }
        Edit::Insert(a, t) => {
            let a = a % (chars.len() + 1);
            chars[..a].iter().collect::<String>() + t + &chars[a..].iter().collect::<String>()
        }
        Edit::Replace(a, c) => {
            let mut v = chars.clone();
            if !v.is_empty() {
                v[a % n] = *c;
            }
            v.into_iter().collect()
        }
        Edit::SwapLines(a, b) => {
            let mut l: Vec<&str> = text.lines().collect();
            if !l.is_empty() {
                let (a, b) = (a % l.len(), b % l.len());
                l.swap(a, b);
            }
            l.join("\n")
        }
        Edit::DupLine(a) => {
            let mut l: Vec<&str> = text.lines().collect();
            if !l.is_empty() {
                let a = a % l.len();
                l.insert(a, l[a]);
            }
            l.join("\n")
        }
    }
}

/// A file that uses every section (mixes, policy overrides, kinds, variants
/// with every kind of key path), so mangling reaches every code path.
const RICH: &str = r#"name = "rich"
description = "every section"
horizon_months = 36
replicates = 2
seed = 1
discount_rate = 0.1

[market]
cities = [
  { tier = 1, count = 2, enterprises = 800 },
  { tier = 2, count = 3, enterprises = 400, addressable_share = 0.5 },
]
segment_shares = [0.7, 0.2, 0.08, 0.02]
industry_weights = [1, 2, 1, 1, 1, 1]

[[vendor]]
name = "a"
mix = [
  { strategy = "abu", segments = ["large", "strategic"], tiers = [1] },
  { strategy = "city_exclusive", segments = ["small", "medium"] },
]
policy = "long_term"
policy_overrides = { share_shift = 0.05, patience = 20 }

[[vendor]]
name = "b"
strategy = { small = "online", medium = "traditional" }
policy = "short_term"

[switches]
churn = false
fixed_reach = 0.5

[params]
bass_p = 0.003
base_acv = [20, 80, 300, 1500]
kinds.cell.start_staff = 2

[params.kinds.reseller]
share_first = 0.4

[[variant]]
name = "x"
set = { "vendor.a.strategy" = "amoeba", "vendor.b.policy.rd_rate" = 0.3 }

[[variant]]
name = "y"
set = { "market.cities.tier2.count" = 1, "params.kinds.online" = { start_staff = 5 }, "switches.churn" = true }

[[variant]]
name = "z"
set = { "vendor.b.mix" = [{ strategy = "online" }], "market" = { segment_shares = [1, 0, 0, 0] }, "horizon_months" = 12 }
"#;

#[test]
fn rich_file_parses() {
    let f = parse_scenario(RICH, "rich.toml", &[]).unwrap_or_else(|e| panic!("{}", e.report()));
    assert_eq!(f.variants.len(), 3);
}

#[test]
fn deep_nesting_and_odd_inputs_do_not_panic() {
    for text in [
        format!("name = {}1{}", "[".repeat(5000), "]".repeat(5000)),
        format!("name = {}", "{ a = ".repeat(3000)),
        "\u{0}\u{feff}name = \"x\"".to_string(),
        "name = \"x\"\r\n[[vendor]]\r\nname = \"v\"\r\nstrategy = 1\r\n".to_string(),
        "\u{feff}".to_string(),
        "=".repeat(100_000),
    ] {
        let _ = parse_scenario(&text, "odd.toml", &[]).map_err(|e| e.report());
    }
}

fn set_arg() -> impl Strategy<Value = String> {
    let key = proptest::sample::select(vec![
        "params.bass_p",
        "params.kinds.cell.start_staff",
        "params.kinds",
        "market.cities.tier1.count",
        "market.cities.tier2",
        "market.cities",
        "market.segment_shares",
        "market",
        "vendor.a.strategy",
        "vendor.b.mix",
        "vendor.a.policy",
        "vendor.b.policy.patience",
        "vendor.a.policy_overrides",
        "vendor.a.policy_overrides.x",
        "vendor.x.policy",
        "vendor",
        "switches.fixed_reach",
        "switches",
        "horizon_months",
        "replicates",
        "seed",
        "name",
        "variant",
        "a..b",
        "",
    ]);
    let value = proptest::sample::select(vec![
        "0",
        "-1",
        "1e400",
        "nan",
        "inf",
        "4294967296",
        "99999999999999999999",
        "true",
        "\"x\"",
        "abc",
        "[1,2]",
        "[]",
        "{}",
        "{ a = 1 }",
        "[{ tier = 9 }]",
        "[{ strategy = \"abu\" }, { strategy = \"abu\" }]",
        "{ small = \"online\" }",
        "1979-05-27",
        "'",
        "\"",
        "=",
        "",
    ]);
    (key, value, any::<bool>()).prop_map(|(k, v, eq)| {
        if eq {
            format!("{k}={v}")
        } else {
            format!("{k}{v}")
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mangled_files_never_panic(rich in any::<bool>(), edits in proptest::collection::vec(edit(), 1..5)) {
        let mut text = if rich { RICH } else { DEFAULT_SCENARIO }.to_string();
        for e in &edits {
            text = apply(&text, e);
        }
        match parse_scenario(&text, "mangled.toml", &[]) {
            Ok(f) => prop_assert!(!f.variants.is_empty()),
            Err(e) => {
                let d = e.diagnostics();
                prop_assert!(!d.is_empty());
                prop_assert!(d.iter().all(|d| d.line >= 1 && d.column >= 1));
                prop_assert!(e.to_string().starts_with("mangled.toml"));
                let _ = e.report();
            }
        }
    }

    #[test]
    fn random_sets_never_panic(args in proptest::collection::vec(set_arg(), 1..4)) {
        match parse_scenario(RICH, "rich.toml", &args) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.diagnostics().is_empty());
                let _ = e.report();
            }
        }
    }
}
