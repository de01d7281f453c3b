//! Synthetic result folders, rendered: `cargo run -p channelsim-plot --release
//! --example demo -- OUT_DIR`; or render existing folders:
//! `... --example demo -- --render DIR...`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dirs: Vec<PathBuf> = if args.first().map(String::as_str) == Some("--render") {
        args[1..].iter().map(PathBuf::from).collect()
    } else {
        let out = PathBuf::from(args.first().cloned().unwrap_or("target/plot-demo".into()));
        let run = out.join("run");
        let _ = std::fs::remove_dir_all(&run);
        common::write_run(
            &run,
            &common::Spec::grid(7, 20, 120),
            "Does long-termism pay? Seven channel strategies under long-term and short-term policies, 120 months.",
        );
        let sweep = out.join("sweep");
        let _ = std::fs::remove_dir_all(&sweep);
        common::write_sweep(&sweep);
        vec![run, sweep]
    };
    for d in &dirs {
        let t = std::time::Instant::now();
        let r = channelsim_plot::write_report(d)?;
        println!("{} in {:.1?}", r.display(), t.elapsed());
    }
    Ok(())
}
