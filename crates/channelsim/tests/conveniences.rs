//! Issue 12 item 6: `scenario show`, `schema`, `completions`, and `status`
//! on a folder that is not a sweep.

mod common;

use common::{bin, fixture};

fn out_of(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).output().expect("binary runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn issue12_scenario_show_prints_every_default_and_applies_set() {
    let small = fixture("small.toml");
    let (code, text, err) = out_of(&[
        "scenario",
        "show",
        small.to_str().unwrap(),
        "--set",
        "horizon_months=36",
    ]);
    assert_eq!(code, 0, "{err}");
    // The set is applied; defaults the file leaves out are written.
    assert!(text.contains("horizon_months = 36"), "{text}");
    assert!(
        text.contains("[params]") && text.contains("ring_growth ="),
        "{text}"
    );
    assert!(text.contains("[switches]"), "{text}");
    assert!(text.contains("policy_overrides"), "{text}");
    // A variant by name; an unknown one is bad input.
    let (code, text, _) = out_of(&[
        "scenario",
        "show",
        small.to_str().unwrap(),
        "--variant",
        "city_exclusive / short_term",
    ]);
    assert_eq!(code, 0);
    assert!(text.contains("policy = \"short_term\""), "{text}");
    let (code, _, err) = out_of(&[
        "scenario",
        "show",
        small.to_str().unwrap(),
        "--variant",
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown variant"), "{err}");
    // A bad key is located as for `run`.
    let (code, _, err) = out_of(&["scenario", "show", "--set", "horizon_month=3"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn issue12_schema_writes_the_committed_schemas() {
    let dir = std::env::temp_dir().join(format!("channelsim-schema-{}", std::process::id()));
    let (code, text, err) = out_of(&["schema", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(text.lines().count(), 2, "{text}");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema");
    for name in ["scenario.json", "experiment.json"] {
        let written = std::fs::read_to_string(dir.join(name)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(
            v["additionalProperties"],
            serde_json::json!(false),
            "{name}"
        );
        assert_eq!(
            written,
            std::fs::read_to_string(format!("{root}/{name}")).unwrap(),
            "{name}: run `channelsim schema`"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn issue12_completions_for_each_shell() {
    for (shell, mark) in [
        ("bash", "_channelsim()"),
        ("zsh", "#compdef channelsim"),
        ("fish", "complete -c channelsim"),
    ] {
        let (code, text, err) = out_of(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(text.contains(mark), "{shell}");
        assert!(
            text.contains("sensitivity"),
            "{shell}: subcommands completed"
        );
    }
    let (code, _, _) = out_of(&["completions", "cmd.exe"]);
    assert_eq!(code, 2);
}

#[test]
fn issue12_status_on_a_folder_that_is_not_a_sweep_says_so_in_one_line() {
    let dir = std::env::temp_dir().join(format!("channelsim-notsweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("summary.csv"), "variant\n").unwrap();
    for d in [dir.clone(), dir.join("missing")] {
        let (code, text, err) = out_of(&["status", d.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert!(text.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("not a sweep"), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
