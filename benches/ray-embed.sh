#!/usr/bin/env bash
# One local `embed` against scripts/ray-embed.py on a Ray cluster of two worker
# nodes (one CPU each) on this machine, the same texts, alternating rounds.
# Usage: benches/ray-embed.sh CORPUS_DIR [ROUNDS=2] [SHARD_SIZE=100]
# CORPUS_DIR: UN General Debate speeches (ingest --layout ungdc). Needs a
# release build, scripts/setup-models.sh and scripts/setup-ray.sh.
set -euo pipefail
CORPUS="$1"; ROUNDS="${2:-2}"; SHARD="${3:-100}"
BIN="$PWD/target/release/rapporteur"; PY="$PWD/.ray-venv/bin/python"; RAY="$PWD/.ray-venv/bin/ray"
TMP="$(mktemp -d /tmp/rbench.XXXX)"
export RAY_USAGE_STATS_ENABLED=0
groups=()
stop() { for g in "${groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done; sleep 3
         for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap stop EXIT
port=$((21000 + RANDOM % 5000))
node() {  # ARGS...: one node in its own process group, ports of its own
  local p=$port; port=$((port + 10))
  setsid "$RAY" start "$@" --node-ip-address 127.0.0.1 --block --disable-usage-stats \
    --object-store-memory 100000000 --node-manager-port $p --object-manager-port $((p+1)) \
    --dashboard-agent-listen-port $((p+2)) --dashboard-agent-grpc-port $((p+3)) \
    --runtime-env-agent-port $((p+4)) --metrics-export-port $((p+5)) > "$TMP/node-$p.log" 2>&1 &
  groups+=($!)
}
head_port=$port; port=$((port + 10))
started=$(date +%s.%N)
node --head --port "$head_port" --num-cpus 0 --include-dashboard false --temp-dir "$TMP/ray"
sleep 5; node --address "127.0.0.1:$head_port" --num-cpus 1
sleep 5; node --address "127.0.0.1:$head_port" --num-cpus 1
until [ "$("$RAY" status --address "127.0.0.1:$head_port" 2>/dev/null | grep -c ' 1 node_')" -ge 3 ]; do sleep 1; done
echo "cluster of 3 nodes up in $(echo "$(date +%s.%N) - $started" | bc) s"
for round in $(seq "$ROUNDS"); do
  rm -rf "$TMP/local" "$TMP/ray-index"
  "$BIN" ingest --no-embed --layout ungdc "$CORPUS" --index "$TMP/local" >/dev/null 2>&1
  "$BIN" ingest --no-embed --layout ungdc "$CORPUS" --index "$TMP/ray-index" >/dev/null 2>&1
  echo "round $round local: $("$BIN" embed --index "$TMP/local" 2>/dev/null)"
  "$PY" scripts/ray-embed.py --address "127.0.0.1:$head_port" --index "$TMP/ray-index" \
      --rapporteur "$BIN" --shard-size "$SHARD" > "$TMP/ray.log" 2>/dev/null
  per_shard=$(grep -o '[0-9.]* s$' "$TMP/ray.log" | awk '{s+=$1; n++} END {printf "%.2f s mean over %d shards", s/n, n}')
  echo "round $round ray:   $(tail -1 "$TMP/ray.log" | sed 's/^ray-embed: //'); task time $per_shard"
done
