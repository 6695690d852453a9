#!/usr/bin/env bash
# Cost of silence matching at the caps (issue 14): the time the mute status (which alerts the
# exporter's silences and inhibit rules mute) takes per evaluation, for 10,000 alerts (one per
# queue at the default --celery.max-queues) with no silences and with 1,000 silences
# (--silences.max-silences) of 64 matchers each (the per-silence matcher cap), side by side.
# Runs after every poll's rule evaluation, at every silence change and at every silence start/end.
#
#   scripts/bench-silences.sh [--alerts N] [--silences N] [--matchers N] [--runs N] [--no-baseline]
# Builds the release benchmark (Benchmarks/SilenceMatching) and runs it; nothing is started
# besides it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product bench-silences >/dev/null
"$(swift build -c release --show-bin-path)/bench-silences" "$@"
