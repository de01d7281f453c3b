#!/usr/bin/env bash
# Speed of every strategy on the saturated 1M-enterprise market, one core:
# ROUNDS round-robin passes over the seven strategies (so that a slow or fast
# phase of a shared host falls on all of them alike), then the best and the
# median M active customer-months per second of each.
# Usage: bash benches/speed_all.sh [ROUNDS]   (default 5; about 20 s a round)
set -euo pipefail
rounds=${1:-5}
cd "$(dirname "$0")/.."
cargo build --release -q -p channelsim-core --example speed
bin=target/release/examples/speed
strategies="city_exclusive joint_venture online traditional amoeba abu team_replication"
for r in $(seq "$rounds"); do
  for s in $strategies; do
    rate=$(SATURATE=1 "$bin" "$s" 1 | grep -oE '[0-9.]+ M/s' | head -1 | cut -d' ' -f1)
    echo "$s $rate"
  done
done | sort -k1,1 -k2n | awk '
  { v[$1, ++n[$1]] = $2 }
  END {
    for (s in n) {
      k = n[s]
      med = (k % 2) ? v[s, (k + 1) / 2] : (v[s, k / 2] + v[s, k / 2 + 1]) / 2
      all = ""
      for (i = 1; i <= k; i++) all = all " " v[s, i]
      printf "%-18s best %5.1f  median %5.1f  (runs:%s)\n", s, v[s, k], med, all
    }
  }'
