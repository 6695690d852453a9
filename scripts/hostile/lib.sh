# sourced by review scenarios
BIN=${BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build/release/celery-redis-exporter}
PIDS_FILE=${PIDS_FILE:-/tmp/hostile-review.pids}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
start_redis() { # $1 dir ; sets RPORT RPID
  RPORT=$(free_port); mkdir -p "$1"
  redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$1" --logfile "$1/redis.log" \
    --proto-max-bulk-len 1gb --client-output-buffer-limit "pubsub 0 0 0" "${@:2}" &
  RPID=$!; echo "$RPID" >> "$PIDS_FILE"
  for _ in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
}
start_exp() { # $1 log file, rest flags ; sets EPORT EPID
  EPORT=$(free_port)
  "$BIN" --web.listen-address "127.0.0.1:$EPORT" "${@:2}" 2>"$1" &
  EPID=$!; echo "$EPID" >> "$PIDS_FILE"
  for _ in $(seq 50); do curl -s "127.0.0.1:$EPORT/-/healthy" >/dev/null 2>&1 && break; sleep 0.1; done
}
rss() { grep -E 'VmHWM|VmRSS' /proc/$1/status | tr -s ' ' | tr '\n' ' '; echo; }
m() { curl -s "127.0.0.1:$EPORT/metrics"; }
