#!/usr/bin/env bash
# The release binary links no Foundation, no ICU and no Yams (issue 11 item 3: they cost about a
# third of the idle RSS and only came in through Yams). Reads the binary's NEEDED entries with
# `readelf -d`; fails if one of them is back, or if libyaml (the YAML parser that replaced Yams)
# is missing, so a wrong or unreadable file cannot pass.
#   scripts/check-linkage.sh           builds `swift build -c release` and checks .build/release
#   scripts/check-linkage.sh BINARY    checks that binary (a dynamically linked build)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
binary="${1:-}"
if [ -z "$binary" ]; then
  swift build -c release --product celery-redis-exporter >/dev/null
  binary="$(swift build -c release --show-bin-path)/celery-redis-exporter"
fi
command -v readelf >/dev/null || { echo "check-linkage: readelf (binutils) is not installed" >&2; exit 1; }
needed="$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
echo "check-linkage: $binary needs:" $needed
status=0
if grep -Ei 'foundation|icu|yams' <<<"$needed"; then
  echo "check-linkage: FAIL: the binary links Foundation/ICU/Yams again (see scripts/check-linkage.sh)" >&2
  status=1
fi
if ! grep -q '^libyaml-0\.so' <<<"$needed"; then
  echo "check-linkage: FAIL: libyaml is not among the NEEDED entries (not the exporter binary?)" >&2
  status=1
fi
[ "$status" = 0 ] && echo "check-linkage: ok (no Foundation, ICU or Yams)"
exit "$status"
