#!/usr/bin/env bash
# Creates .venv-celery at the repository root with the Celery the real-Celery integration tests
# (Tests/CeleryIntegrationTests) run: workers, beat and a publisher from PyPI; and Selenium for
# the status page's real-browser test. Idempotent: when the
# venv already holds exactly the pinned versions it returns in well under a second.
#
#   scripts/setup-celery-venv.sh            create or repair .venv-celery
#   scripts/setup-celery-venv.sh --force    delete it and start over
#
# The tests find the venv at <repo>/.venv-celery (or at $CELERY_VENV). Needs python3 with the venv
# module (Debian: python3-venv, installed by scripts/install-deps.sh) and access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${CELERY_VENV:-$PWD/.venv-celery}"
PYTHON="${PYTHON:-python3}"
# Pinned to what the payloads in Tests/CeleryTests/CeleryFixtures.swift were observed with (celery 5.7.0 / kombu 5.7.0 /
# redis-py 8.1.0, billiard 4.3.2). Bump together, and rerun the integration suite when you do.
# selenium drives Debian's chromium + chromium-driver (scripts/install-deps.sh) in the status
# page's browser test (Tests/ExporterTests/StatusPageBrowserTests.swift).
# SQLAlchemy backs the db+sqlite:// result backend of the task-event tests (TaskEventsTests).
PINS=("celery[redis]==5.7.0" "kombu==5.7.0" "redis==8.1.0" "billiard==4.3.2" "selenium==4.51.0" "SQLAlchemy==2.0.44")
STAMP="$VENV/.celery-pins"
WANT="${PINS[*]}"

if [ "${1:-}" = "--force" ]; then rm -rf "$VENV"; fi

if [ -x "$VENV/bin/celery" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
   && "$VENV/bin/python" -c 'import celery, kombu, redis, selenium, sqlalchemy' 2>/dev/null; then
  exit 0
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  rm -rf "$VENV"
  echo "creating $VENV with $("$PYTHON" --version 2>&1)"
  if ! "$PYTHON" -m venv "$VENV"; then
    echo "error: '$PYTHON -m venv' failed; on Debian install python3-venv (scripts/install-deps.sh does)" >&2
    exit 1
  fi
fi
echo "installing ${PINS[*]} into $VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check -q "${PINS[@]}"
"$VENV/bin/python" -c 'import celery, kombu, redis, selenium; print("celery", celery.__version__, "kombu", kombu.__version__, "redis-py", redis.__version__, "selenium", selenium.__version__)'
printf '%s' "$WANT" > "$STAMP"
