# Shared helpers of the benchmark and measurement scripts (scripts/bench-*.sh, scripts/measure-*.sh);
# source it, do not run it:
#   . "$(dirname "$0")/lib/bench-common.sh"
# It provides: a work directory and a pid list cleaned up at exit, free_port, start_redis,
# redis_cost, rss_kb, now, exporter_bin; and scripts/lib on PYTHONPATH, so inline Python can
# `from resp import cmd` (scripts/lib/resp.py). Only loopback is used; everything started is stopped by pid.

export PATH="/opt/swift/usr/bin:$PATH"
export PYTHONPATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"

# bench_init: a scratch directory in $work and a cleanup that stops every pid in $pids by its id.
# KEEP_LOG=<file> keeps $work/exporter.log.
bench_init() {
  work="$(mktemp -d)"
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  if [ -n "${KEEP_LOG:-}" ] && [ -f "$work/exporter.log" ]; then cp "$work/exporter.log" "$KEEP_LOG"; fi
  rm -rf "$work"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_redis PORT [REDIS-SERVER FLAGS...]: a private redis-server without persistence in $work, waited
# for; pid in $REDIS_PID (and in $pids).
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" --logfile "$work/redis-$1.log" \
    "${@:2}" &
  REDIS_PID=$!
  pids+=("$REDIS_PID")
  for _ in $(seq 50); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "error: redis-server on port $1 did not answer" >&2; return 1
}

# redis_cost PORT: Redis CPU and command time as seen by INFO: prints "<cpu seconds> <commandstats usec>"
# (used_cpu_sys + used_cpu_user; the usec of every command except INFO itself).
redis_cost() {
  local cpu usec
  cpu=$(redis-cli -p "$1" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ {s += $2} END {printf "%.6f", s}')
  usec=$(redis-cli -p "$1" info commandstats | tr -d '\r' | grep -v '^cmdstat_info:' \
    | sed -n 's/.*usec=\([0-9]*\),.*/\1/p' | awk '{s += $1} END {print s + 0}')
  echo "$cpu $usec"
}

# proc_kb PID FIELD: a kB field of /proc/PID/status (VmRSS, VmHWM, RssAnon, ...); 0 once the process is gone.
proc_kb() { awk -v f="$2:" '$1 == f {v = $2} END {print v + 0}' "/proc/$1/status" 2>/dev/null || echo 0; }

# rss_kb PID: the resident set (VmRSS, kB) of a process.
rss_kb() { proc_kb "$1" VmRSS; }

now() { date +%s.%N; }

# exporter_bin: sets BIN to the release binary. CELERY_REDIS_EXPORTER_BIN (or the older BIN) names an
# already built binary; otherwise it is built with SwiftPM (SCRATCH picks the scratch path, default .build).
exporter_bin() {
  BIN=${CELERY_REDIS_EXPORTER_BIN:-${BIN:-}}
  if [ -z "$BIN" ]; then
    local scratch=${SCRATCH:-.build}
    swift build -c release --scratch-path "$scratch" --product celery-redis-exporter >/dev/null
    BIN="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/celery-redis-exporter"
  fi
  [ -x "$BIN" ] || { echo "error: no executable exporter at $BIN" >&2; return 1; }
}
