//! No input makes the scenario parser panic: mangled versions of the
//! default file and random `--set`s give `Ok` or `Err`, never a panic.

use channelsim_runner::scenario::{DEFAULT_SCENARIO, parse_scenario};
use proptest::prelude::*;

/// Characters that matter to TOML and to the schema.
const ALPHABET: &[char] = &[
    '=', '[', ']', '{', '}', '"', '\'', ',', '.', '#', '\n', ' ', '-', '0', '1', '9', 'e', 'x', '_', 'é', '\t',
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
    let s = || proptest::collection::vec(proptest::sample::select(ALPHABET), 1..6).prop_map(|v| v.into_iter().collect::<String>());
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
            chars[..a].iter().chain(chars[(a + k).min(chars.len())..].iter()).collect()
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
        "vendor.focal.strategy",
        "vendor.focal.mix",
        "vendor.focal.policy",
        "vendor.focal.policy.patience",
        "vendor.focal.policy_overrides",
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
        "0", "-1", "1e400", "nan", "inf", "4294967296", "99999999999999999999", "true", "\"x\"", "abc", "[1,2]",
        "[]", "{}", "{ a = 1 }", "[{ tier = 9 }]", "[{ strategy = \"abu\" }, { strategy = \"abu\" }]",
        "{ small = \"online\" }", "1979-05-27", "'", "\"", "=", "",
    ]);
    (key, value, any::<bool>()).prop_map(|(k, v, eq)| if eq { format!("{k}={v}") } else { format!("{k}{v}") })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mangled_default_never_panics(edits in proptest::collection::vec(edit(), 1..5)) {
        let mut text = DEFAULT_SCENARIO.to_string();
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
        match parse_scenario(DEFAULT_SCENARIO, "default.toml", &args) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.diagnostics().is_empty());
                let _ = e.report();
            }
        }
    }
}
