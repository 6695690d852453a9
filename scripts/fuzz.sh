#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (a package of its own, with -sanitize=fuzzer,address) and
# runs them from the checked-in seed corpus Fuzz/corpus/<target>/, one at a time.
#
#   scripts/fuzz.sh                  every target, 300 s each
#   scripts/fuzz.sh TARGET [SECONDS] one target (names below), 300 s by default
#   scripts/fuzz.sh --smoke          every target for 20 s: CI's check that the targets still
#                                    build and find nothing quickly
#   scripts/fuzz.sh --list           the target names
#   FUZZ_RUNS=10000000 scripts/fuzz.sh [TARGET]
#                                    stop each target after that many executions instead of a time
#   FUZZ_MAX_LEN=4096 scripts/fuzz.sh …
#                                    longest input libFuzzer makes (default 65536; the PromQL and
#                                    YAML targets run about 10x faster at 4096 once the corpus
#                                    has grown to long inputs)
#   FUZZ_TIMEOUT=60 scripts/fuzz.sh …  seconds one input may take before it counts as a hang
#                                    (default 10; libFuzzer measures wall time, so a campaign at
#                                    nice 19 on a busy machine needs more)
#
# New inputs libFuzzer finds go to .build-fuzz/corpus/<target>/ (not the checked-in seeds); a crash
# leaves its input in .build-fuzz/artifacts/<target>/ and fails the script. Turn each crash into a
# unit test in the owning module before fixing it. Prints executions and exec/s per target.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

# target name -> executable target in Fuzz/Package.swift
declare -A executables=(
    [json]=FuzzJSON
    [http-request]=FuzzHTTPRequest
    [resp-reader]=FuzzRESPReader
    [kombu-message]=FuzzKombuMessage
    [celery-event]=FuzzCeleryEvent
    [task-meta]=FuzzTaskMeta
    [promql]=FuzzPromQL
    [rule-file]=FuzzRuleFile
    [alerting-config]=FuzzAlertingConfig
)
order=(json http-request resp-reader kombu-message celery-event task-meta promql rule-file alerting-config)

seconds=300
selected=("${order[@]}")
case "${1:-}" in
    --list) printf '%s\n' "${order[@]}"; exit 0 ;;
    --smoke) seconds=20 ;;
    "") ;;
    *)
        if [[ -z "${executables[$1]:-}" ]]; then
            echo "fuzz.sh: unknown target '$1' (one of: ${order[*]})" >&2
            exit 2
        fi
        selected=("$1")
        seconds="${2:-300}"
        ;;
esac

scratch=.build-fuzz
# -enable-testing: the PromQL target calls the parser's internal entry point (@testable import).
# -use-ld=lld: gold fails with an internal error linking the instrumented executables.
flags=(-c release --package-path Fuzz --scratch-path "$scratch"
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -use-ld=lld)
swift build "${flags[@]}"
bin="$(swift build "${flags[@]}" --show-bin-path)"

failed=0
for target in "${selected[@]}"; do
    work="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target/"
    mkdir -p "$work" "$artifacts"
    log="$scratch/$target.log"
    if [[ -n "${FUZZ_RUNS:-}" ]]; then
        budget=(-runs="$FUZZ_RUNS")
        echo "== $target: ${FUZZ_RUNS} executions"
    else
        budget=(-max_total_time="$seconds")
        echo "== $target: ${seconds}s"
    fi
    # -rss_limit_mb: a parser that allocates from a header fails here rather than swapping.
    # -timeout: one input taking longer (wall time, FUZZ_TIMEOUT, default 10 s) counts as a hang.
    if ! "$bin/${executables[$target]}" "$work" "Fuzz/corpus/$target" \
        "${budget[@]}" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}" -max_len="${FUZZ_MAX_LEN:-65536}" \
        -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1; then
        failed=1
        echo "!! $target failed; input in $artifacts, log in $log" >&2
        grep -E "ERROR|SUMMARY|==[0-9]+==|Fatal error|#[0-9]+ 0x" "$log" | head -30 >&2 || true
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")"
    echo "   executions=${runs:-?} exec/s=${speed:-?} peak_rss_mb=${rss:-?} corpus=$(ls "$work" | wc -l)"
done
exit "$failed"
