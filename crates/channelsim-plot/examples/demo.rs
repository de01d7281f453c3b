//! Writes synthetic result folders and renders them: `cargo run -p
//! channelsim-plot --release --example demo -- OUT_DIR`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or("target/plot-demo".into()));
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
    for d in [&run, &sweep] {
        let t = std::time::Instant::now();
        let r = channelsim_plot::write_report(d)?;
        println!("{} in {:.1?}", r.display(), t.elapsed());
    }
    Ok(())
}
