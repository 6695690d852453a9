#!/usr/bin/env bash
# The house style, enforced: `scripts/format.sh` checks (CI runs it, and fails on any finding);
# `scripts/format.sh fix` rewrites the files in place. The rules live in `.swift-format`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
paths=(Sources Tests Benchmarks Fuzz/Sources Plugins Package.swift)
case "${1:-check}" in
    fix) swift format format --in-place --recursive --parallel "${paths[@]}" ;;
    check) swift format lint --strict --recursive --parallel "${paths[@]}" ;;
    *) echo "usage: scripts/format.sh [check|fix]" >&2; exit 2 ;;
esac
