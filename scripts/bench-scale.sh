#!/usr/bin/env bash
# Scaling table (issue 11 item 5): how the exporter's cost grows with the size of a Celery deployment.
# For each row it seeds a private redis-server (Lua, batched: a million keys in seconds), then measures
#   - celery-redis-exporter at a 2 s poll: poll wall time p50/max (celery_redis_poll_duration_seconds),
#     Redis cost per poll (INFO commandstats usec, and used_cpu_sys+user idle-corrected, / polls), RSS,
#     /metrics bytes, and the exported total against what was seeded (where a cap cuts it short);
#   - the floor: the very commands the exporter sent for 3 polls (captured with MONITOR after the
#     measured polls) replayed by `redis-cli --pipe`, timed, per poll;
#   - redis_exporter (Debian's prometheus-redis-exporter) with --check-keys/--count-keys over the same
#     keys: scrape wall time, Redis cost per scrape, RSS, /metrics bytes.
# Rows: queues 10/100/1k/10k (10 priority steps each), unacked 1k/10k/100k, result keys 100k/1M
# (10M with --huge), workers 10/100/1000 (heartbeats forged by PUBLISH every 2 s), rules 10/100.
#
#   scripts/bench-scale.sh [--quick] [--huge] [--only KIND=N,...] [--polls N] [--interval SECONDS]
# --quick: the small rows only (a few minutes). CELERY_REDIS_EXPORTER_BIN=<path> skips the build.
# Prints the load average before and after: on a shared machine the wall times move with it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-common.sh
command -v prometheus-redis-exporter >/dev/null && command -v redis-server >/dev/null || scripts/install-deps.sh --bench >/dev/null
exporter_bin
bench_init

RPORT=$(free_port)
start_redis "$RPORT"
echo "exporter: $BIN ($("$BIN" --version 2>&1 | head -1)); $(redis-server --version | cut -d' ' -f1-3);" \
     "$(prometheus-redis-exporter --version 2>&1 | head -1)"
echo "cores: $(nproc); before: $(uptime)"
python3 scripts/lib/bench-scale.py --bin "$BIN" --redis-port "$RPORT" --work "$work" \
  --redis-exporter "$(command -v prometheus-redis-exporter)" "$@"
echo "after: $(uptime)"
