#!/usr/bin/env bash
# Experiment-level benchmarks of issue 3: thread scaling of a 64-run sweep
# of a 50,000-enterprise market, memory as the number of runs grows, the
# experiment machinery's overhead, and the default comparison's wall time.
# Usage: bash benches/sweep_scaling.sh   (from the project root; ~3 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p channelsim
bin=target/release/channelsim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
t() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }

echo "== 64 runs, 50,000 enterprises, 120 months"
read -r s1 m1 < <(t $bin sweep benches/experiments/scaling_50k.toml --out "$out/s1" --threads 1 --quiet --no-report)
read -r s2 m2 < <(t $bin sweep benches/experiments/scaling_50k.toml --out "$out/s2" --threads 2 --quiet --no-report)
cmp "$out/s1/results.csv" "$out/s2/results.csv" && echo "results identical on 1 and 2 threads"
echo "1 thread: ${s1} s; 2 threads: ${s2} s; speed-up $(awk "BEGIN{printf \"%.2f\", $s1/$s2}")"

echo "== memory as runs grow (tiny market)"
read -r a ma < <(t $bin sweep benches/experiments/tiny_runs.toml --out "$out/m100" --quiet --no-report)
# 10,000 runs: 100 LHS points x 100 replicates.
sed 's/^replicates = 1/replicates = 100/' benches/experiments/tiny_runs.toml > benches/experiments/.tiny_10k.toml
read -r b mb < <(t $bin sweep benches/experiments/.tiny_10k.toml --out "$out/m10k" --quiet --no-report)
rm -f benches/experiments/.tiny_10k.toml
echo "100 runs: ${a} s, peak RSS ${ma} KB; 10,000 runs: ${b} s, peak RSS ${mb} KB"
echo "machinery per tiny run (upper bound, includes the tiny simulation): $(awk "BEGIN{printf \"%.3f\", $b*1000/10000}") ms"

echo "== one default-market run (64,000 enterprises, 120 months), for the overhead ratio"
read -r one m < <(t $bin run --out "$out/one" --replicates 1 --set horizon_months=120 --threads 1 --quiet --no-report)
echo "the 14 variants x 1 replicate on 1 thread: ${one} s, $(awk "BEGIN{printf \"%.1f\", $one*1000/14}") ms a run"

echo "== the default comparison, report included (14 variants x 20 replicates)"
read -r d md < <(t $bin run --out "$out/default" --quiet)
echo "default comparison: ${d} s wall, peak RSS ${md} KB"
