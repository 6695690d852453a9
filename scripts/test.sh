#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite: unit tests, integration
# tests that start their own redis-server, openssl peers and promtool, and real Celery workers
# from a virtualenv (.venv-celery) this script creates; first the Kubernetes manifests' schema check.
# (LinkageTests checks the exporter binary links no Foundation/ICU/Yams; scripts/check-linkage.sh
# checks a release binary by hand.)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
scripts/install-deps.sh
scripts/setup-celery-venv.sh
# Every Kubernetes manifest against the Kubernetes and CRD schemas (fails if the tools are missing).
scripts/validate-kubernetes.sh
swift build --build-tests
mkdir -p .build
# The real-Celery suite runs on its own so its workers do not compete for the cores with the rest.
swift test --skip-build --skip CeleryIntegrationTests 2>&1 | tee .build/test-output.txt
swift test --skip-build --filter CeleryIntegrationTests 2>&1 | tee -a .build/test-output.txt
