//! Time building the national market's world (44.9 M enterprises) on one
//! thread and on N, interleaved over rounds (the same world either way:
//! `tests/determinism.rs` checks). Usage: build_world [N] [ROUNDS]
//! (defaults 2 and 3).
use channelsim_bench::case::national_scenario;
use channelsim_core::init::build_world;
use std::time::Instant;

fn main() {
    let arg = |k: usize, d: usize| {
        std::env::args()
            .nth(k)
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let (n, rounds) = (arg(1, 2), arg(2, 3));
    let sc = national_scenario().expect("the built-in national scenario");
    for round in 1..=rounds {
        for threads in [1, n] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            let t = Instant::now();
            let world = pool.install(|| build_world(&sc, 0));
            let secs = t.elapsed().as_secs_f64();
            let enterprises: usize = world.cities.iter().map(|c| c.len()).sum();
            println!("round {round}, {threads} threads: {secs:.2} s, {enterprises} enterprises");
        }
    }
}
