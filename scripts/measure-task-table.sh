#!/usr/bin/env bash
# Memory of the task table (issue 17 item 3): bytes per entry at the cap (default 100,000 entries,
# --celery max tracked tasks) and the steady state of a 20 tasks/s workload over three simulated
# hours (the table must stay flat: finished tasks leave a minute after their final state).
#
#   scripts/measure-task-table.sh [ENTRIES]
# Builds the release benchmark (Benchmarks/TaskTableMemory) and runs it; nothing else is started.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product bench-task-table >/dev/null
"$(swift build -c release --show-bin-path)/bench-task-table" "$@"
