#!/usr/bin/env python3
"""Structural lint of the Grafana dashboards in dashboards/ (no Grafana needed).

    scripts/grafana-lint.py [DASHBOARD.json ...]          lint (default: dashboards/*.json)
    scripts/grafana-lint.py --exprs [DASHBOARD.json ...]  print every PromQL expression as JSON lines:
        {"dashboard", "panel", "refId", "expr"} for panel targets and {"variable", "expr"} for the
        label_values() queries of template variables (scripts/e2e-prometheus.sh runs them all)

Checks: JSON parses; schemaVersion >= 36; uid and title; variables datasource (type datasource,
prometheus), job, instance and queue (query variables on ${datasource}); every panel but rows has a
Prometheus datasource on ${datasource}, at least one target, a non-empty expr per target, a unit,
a gridPos inside 24 columns, a unique id and no overlap with another panel; every selector of a
celery_redis_* metric (and up / scrape_*) filters on job=~"$job" and instance=~"$instance", and every
selector of a per-queue metric on queue=~"$queue"; the thresholds drawn equal the shipped rules'
numbers (dashboards/generate.py --check). Exit status 1 with one line per problem.
"""
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PER_QUEUE = {
    "celery_redis_queue_length", "celery_redis_queue_oldest_message_age_seconds",
    "celery_redis_unacked_tasks", "celery_redis_unacked_oldest_age_seconds",
    "celery_redis_unacked_stranded_tasks", "celery_redis_scheduled_tasks",
    "celery_redis_eta_beyond_visibility_tasks", "celery_redis_queue_redelivered_tail_messages",
}
SELECTOR = re.compile(r"\b((?:celery_redis_[a-zA-Z0-9_]+)|up|scrape_[a-z_]+)\b(\{[^}]*\})?")
FUNCTIONS = {"sum", "min", "max", "avg", "count", "rate", "increase", "histogram_quantile", "time",
             "vector", "by", "without", "or", "and", "unless", "label_values"}


def panels_of(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        for inner in panel.get("panels", []) or []:
            yield inner


def selectors(expr):
    """(metric, matcher text) for every vector selector of a metric we lint."""
    out = []
    for m in SELECTOR.finditer(expr):
        name, matchers = m.group(1), m.group(2) or ""
        if name in FUNCTIONS:
            continue
        # "up" only counts as a selector when followed by matchers (avoids words inside strings)
        if name == "up" and not matchers:
            continue
        out.append((name.removesuffix("_bucket"), matchers))
    return out


def lint(path):
    problems = []
    rel = os.path.relpath(path, ROOT)

    def bad(msg):
        problems.append(f"{rel}: {msg}")

    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        return [f"{rel}: not valid JSON: {e}"]
    if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 36:
        bad(f"schemaVersion {d.get('schemaVersion')!r}: expected 36 or newer (Grafana 10+)")
    for key in ("uid", "title"):
        if not d.get(key):
            bad(f"missing {key}")

    variables = {v.get("name"): v for v in d.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        bad("variable 'datasource' missing or not a Prometheus datasource variable")
    for name in ("job", "instance", "queue"):
        v = variables.get(name)
        if not v:
            bad(f"variable '{name}' missing")
            continue
        if v.get("type") != "query" or (v.get("datasource") or {}).get("uid") != "${datasource}":
            bad(f"variable '{name}' must be a query variable on ${{datasource}}")
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if not q or "label_values(" not in q:
            bad(f"variable '{name}' has no label_values() query")

    ids = set()
    boxes = []
    for p in panels_of(d):
        title = p.get("title", "?")
        pid = p.get("id")
        if pid in ids:
            bad(f"panel '{title}': duplicate id {pid}")
        ids.add(pid)
        g = p.get("gridPos") or {}
        if not all(isinstance(g.get(k), int) for k in ("x", "y", "w", "h")) or g["x"] + g["w"] > 24:
            bad(f"panel '{title}': gridPos {g} missing or wider than 24 columns")
        else:
            box = (g["x"], g["y"], g["x"] + g["w"], g["y"] + g["h"])
            for other_title, o in boxes:
                if box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]:
                    bad(f"panel '{title}' overlaps panel '{other_title}'")
            boxes.append((title, box))
        if p.get("type") == "row":
            continue
        if (p.get("datasource") or {}).get("uid") != "${datasource}":
            bad(f"panel '{title}': datasource must be ${{datasource}}")
        unit = ((p.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
        if not unit:
            bad(f"panel '{title}': no unit set (fieldConfig.defaults.unit)")
        targets = p.get("targets") or []
        if not targets:
            bad(f"panel '{title}': no targets")
        for t in targets:
            expr = (t.get("expr") or "").strip()
            if not expr:
                bad(f"panel '{title}' target {t.get('refId')}: empty expr")
                continue
            if expr.count("(") != expr.count(")") or expr.count("{") != expr.count("}"):
                bad(f"panel '{title}': unbalanced brackets in {expr}")
            sels = selectors(expr)
            if not sels:
                bad(f"panel '{title}': expression selects no metric: {expr}")
            for metric, matchers in sels:
                for need in ('job=~"$job"', 'instance=~"$instance"'):
                    if need not in matchers:
                        bad(f"panel '{title}': selector {metric}{matchers} lacks {need}")
                if metric in PER_QUEUE and 'queue=~"$queue"' not in matchers:
                    bad(f"panel '{title}': per-queue selector {metric}{matchers} lacks queue=~\"$queue\"")
    return problems


def exprs(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    name = os.path.basename(path)
    for v in d.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if v.get("type") == "query" and q:
            yield {"dashboard": name, "variable": v["name"], "expr": q}
    for p in panels_of(d):
        for t in p.get("targets") or []:
            if t.get("expr"):
                yield {"dashboard": name, "panel": p.get("title"), "refId": t.get("refId"), "expr": t["expr"]}


def main(argv):
    want_exprs = "--exprs" in argv
    files = [a for a in argv if not a.startswith("--")] or sorted(glob.glob(os.path.join(ROOT, "dashboards", "*.json")))
    if not files:
        print("grafana-lint: no dashboards found", file=sys.stderr)
        return 1
    if want_exprs:
        for path in files:
            for e in exprs(path):
                print(json.dumps(e))
        return 0
    problems = []
    for path in files:
        problems += lint(path)
    generator = os.path.join(ROOT, "dashboards", "generate.py")
    if os.path.exists(generator):
        r = subprocess.run([sys.executable, generator, "--check"], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(r.stderr.strip() or "dashboards/generate.py --check failed")
    for p in problems:
        print(f"grafana-lint: {p}", file=sys.stderr)
    if not problems:
        n = sum(1 for path in files for e in exprs(path) if "panel" in e)
        print(f"grafana-lint: {len(files)} dashboard(s), {n} panel expressions: OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
