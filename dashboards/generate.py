#!/usr/bin/env python3
"""Generates dashboards/celery-redis-exporter.json (Grafana, schemaVersion 39).

    python3 dashboards/generate.py            rewrite the JSON
    python3 dashboards/generate.py --check    exit 1 if the JSON is not what this script writes

Thresholds are read from the shipped alert rules (deploy/prometheus/celery-redis-rules.yml): every
rule expression of the form `<metric>{...} > N` (or >=, or `time() - <metric> > N`) draws N on the
panels of that metric, orange for severity warning and red otherwise, so dashboards and pages never
disagree. Without the rules file (or PyYAML) the panels have no threshold lines.

Every panel expression uses the variables $job, $instance, $target (for a Celery deployment's
metrics; it also matches series without the label) and (for per-queue metrics) $queue;
scripts/e2e-prometheus.sh runs each one through a real Prometheus scraping a real Celery.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "dashboards", "celery-redis-exporter.json")
RULES = os.path.join(ROOT, "deploy", "prometheus", "celery-redis-rules.yml")

SEL = 'job=~"$job",instance=~"$instance"'
# Series of one Celery deployment carry target="<name>" when the exporter watches several
# (--targets.file); with one target they have no such label, and target=~".*" (the variable's
# "All") still matches them, since a missing label matches as the empty string.
TSEL = SEL + ',target=~"$target"'
QSEL = TSEL + ',queue=~"$queue"'
DS = {"type": "prometheus", "uid": "${datasource}"}


def rule_thresholds():
    """metric name -> sorted list of (value, color) taken from the shipped rules."""
    try:
        import yaml  # noqa: PLC0415
        with open(RULES, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (ImportError, OSError):
        return {}
    found = {}
    # Only simple threshold rules draw lines: "metric{...} > N" or "time() - metric{...} > N".
    # Compound conditions (and/or/unless) say something else than "this metric is too high".
    pattern = re.compile(r"\s*(?:time\(\)\s*-\s*)?(celery_redis_[a-z_]+)\s*(?:\{[^}]*\})?\s*(>=|>)\s*([0-9][0-9.e+]*)\s*")
    for group in (doc or {}).get("groups", []):
        for rule in group.get("rules", []):
            if "alert" not in rule:
                continue
            severity = (rule.get("labels") or {}).get("severity", "")
            color = "orange" if severity in ("warning", "info", "ticket") else "red"
            m = pattern.fullmatch(str(rule.get("expr", "")))
            if not m:
                continue
            metric, op, value = m.groups()
            v = float(value)
            if op == ">" and v == 0:
                v = 1.0  # "> 0" on a count: the line goes where the alert starts
            v = int(v) if v.is_integer() else v
            found.setdefault(metric, set()).add((v, color))
    return {m: sorted(v) for m, v in found.items()}


THRESHOLDS = rule_thresholds()


class Layout:
    def __init__(self):
        self.panels = []
        self.next_id = 1
        self.y = 0
        self.x = 0
        self.row_h = 0

    def row(self, title):
        self._newline()
        self.panels.append({
            "type": "row", "title": title, "id": self._id(), "collapsed": False,
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.y += 1

    def add(self, w, h, *panels):
        """Places the panels, each w columns wide and h high, left to right; a panel that does not
        fit in the 24 columns left starts a new line."""
        for panel in panels:
            if self.x + w > 24:
                self._newline()
            panel["id"] = self._id()
            panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
            self.x += w
            self.row_h = max(self.row_h, h)
            self.panels.append(panel)

    def _newline(self):
        self.y += self.row_h
        self.x = 0
        self.row_h = 0

    def _id(self):
        self.next_id += 1
        return self.next_id - 1


def thresholds_for(metric, base="green"):
    steps = [{"color": base, "value": None}]
    for value, color in THRESHOLDS.get(metric, []):
        steps.append({"color": color, "value": value})
    return {"mode": "absolute", "steps": steps}


def targets(exprs):
    out = []
    for i, (expr, legend) in enumerate(exprs):
        out.append({"datasource": DS, "refId": chr(ord("A") + i), "expr": expr,
                    "legendFormat": legend, "range": True, "instant": False})
    return out


def timeseries(title, description, exprs, unit, threshold_metric=None, stack=False, decimals=None):
    has_thresholds = bool(threshold_metric and THRESHOLDS.get(threshold_metric))
    defaults = {
        "unit": unit, "min": 0,
        "color": {"mode": "palette-classic"},
        "thresholds": thresholds_for(threshold_metric),
        "custom": {
            "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
            "spanNulls": False,
            "stacking": {"mode": "normal" if stack else "none", "group": "A"},
            "thresholdsStyle": {"mode": "dashed" if has_thresholds else "off"},
        },
    }
    if decimals is not None:
        defaults["decimals"] = decimals
    return {
        "type": "timeseries", "title": title, "description": description, "datasource": DS,
        "targets": targets(exprs),
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {
            "legend": {"showLegend": True, "displayMode": "table", "placement": "right",
                       "calcs": ["lastNotNull", "max"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def stat(title, description, expr, unit, threshold_metric=None, base="green", mappings=None,
         steps=None, legend=""):
    return {
        "type": "stat", "title": title, "description": description, "datasource": DS,
        "targets": targets([(expr, legend)]),
        "fieldConfig": {"defaults": {
            "unit": unit, "mappings": mappings or [],
            "thresholds": {"mode": "absolute", "steps": steps} if steps else thresholds_for(threshold_metric, base),
            "color": {"mode": "thresholds"},
        }, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "background", "graphMode": "area", "textMode": "auto",
                    "justifyMode": "auto", "orientation": "auto"},
    }


# Threshold steps of a 0/1 series whose healthy value is 1 (up, reload ok, workers alive).
RED_GREEN = [{"color": "red", "value": None}, {"color": "green", "value": 1}]


def state_timeline(title, description, expr, legend, mappings, unit="none"):
    return {
        "type": "state-timeline", "title": title, "description": description, "datasource": DS,
        "targets": targets([(expr, legend)]),
        "fieldConfig": {"defaults": {
            "unit": unit, "mappings": mappings, "color": {"mode": "thresholds"},
            "thresholds": {"mode": "absolute", "steps": RED_GREEN},
            "custom": {"fillOpacity": 70, "lineWidth": 0},
        }, "overrides": []},
        "options": {"showValue": "never", "mergeValues": True, "rowHeight": 0.9,
                    "legend": {"showLegend": True, "displayMode": "list", "placement": "bottom"},
                    "tooltip": {"mode": "single", "sort": "none"}},
    }


def value_map(pairs):
    return [{"type": "value", "options": {str(k): {"text": text, "color": color, "index": i}
                                          for i, (k, text, color) in enumerate(pairs)}}]


UP_DOWN = value_map([(0, "down", "red"), (1, "up", "green")])


def sum_rate(counter, by=None, sel=TSEL):
    """`sum by (<by>) (rate(<counter>{<sel>}[$__rate_interval]))`, or `sum(rate(...))` without by."""
    grouping = f" by ({by}) " if by else ""
    return f"sum{grouping}(rate({counter}{{{sel}}}[$__rate_interval]))"


def quantiles(histogram):
    """Its p50, p90 and p99 over the rate interval: one (expression, legend) each."""
    return [(f"histogram_quantile({q}, sum by (le) (rate({histogram}_bucket{{{TSEL}}}[$__rate_interval])))", legend)
            for q, legend in (("0.5", "p50"), ("0.9", "p90"), ("0.99", "p99"))]


def queue_panel(title, gauge, about, unit="short", agg="sum"):
    """A per-queue gauge: one series per queue (and target), described as `<gauge>: <about>`, with
    the lines of the rules on that gauge."""
    return timeseries(title, f"{gauge}: {about}",
                      [(f"{agg} by (target, queue) ({gauge}{{{QSEL}}})", "{{queue}} {{target}}")], unit, gauge)


def build():
    L = Layout()

    L.row("Overview")
    L.add(4, 4,
          stat("Redis reachable", "celery_redis_up: 1 when the exporter's last poll of Redis succeeded.",
               f"min(celery_redis_up{{{TSEL}}})", "none", mappings=UP_DOWN, steps=RED_GREEN),
          stat("Waiting messages", "All messages waiting in the selected queues (every priority list summed).",
               f"sum(celery_redis_queue_length{{{QSEL}}})", "short", "celery_redis_queue_length"),
          stat("Oldest waiting message", "Age of the oldest message still waiting in any selected queue.",
               f"max(celery_redis_queue_oldest_message_age_seconds{{{QSEL}}})", "s",
               "celery_redis_queue_oldest_message_age_seconds"),
          stat("Live workers", "Workers whose heartbeats arrive (celery_redis_workers).",
               f"sum(celery_redis_workers{{{TSEL}}})", "none", steps=RED_GREEN),
          stat("Stranded tasks", "Unacked tasks fetched longer ago than the visibility timeout.",
               f"sum(celery_redis_unacked_stranded_tasks{{{QSEL}}})", "none", "celery_redis_unacked_stranded_tasks"),
          stat("Firing alerts", "Alerts the exporter's own evaluator has firing (celery_redis_alerts).",
               f'count(celery_redis_alerts{{{TSEL},alertstate="firing"}}) or vector(0)', "none",
               steps=[{"color": "green", "value": None}, {"color": "red", "value": 1}]))

    L.row("Backlog by queue")
    L.add(12, 8,
          queue_panel("Waiting messages by queue", "celery_redis_queue_length",
                      "messages waiting in the queue's Redis lists, all priorities summed."),
          queue_panel("Oldest waiting message by queue", "celery_redis_queue_oldest_message_age_seconds",
                      "how long the oldest waiting message has waited (a lower bound for messages that were "
                      "already there when the exporter started).", "s", "max"))
    L.add(24, 8,
          timeseries("What the backlog is made of (waiting messages by task)",
                     "celery_redis_queue_tasks_by_name: waiting messages by their task header, stacked per queue; "
                     "exact up to --celery.queue-sample-limit messages a queue, above it estimated from the oldest "
                     "and newest (celery_redis_queue_sampled_messages says how many were looked at). Needs "
                     "--celery.task-name-limit > 0; names past it are 'other'.",
                     [(f"sum by (target, queue, task) (celery_redis_queue_tasks_by_name{{{QSEL}}})",
                       "{{task}} in {{queue}} {{target}}")],
                     "short", stack=True))

    L.row("In flight: unacked, scheduled, stranded")
    L.add(8, 8,
          queue_panel("Unacked (held by workers)", "celery_redis_unacked_tasks",
                      "delivered to a worker, not acknowledged: prefetched, ETA-held, and running under acks_late."),
          queue_panel("Scheduled (ETA / countdown held)", "celery_redis_scheduled_tasks",
                      "unacked tasks whose eta is in the future."),
          queue_panel("Stranded (past the visibility timeout)", "celery_redis_unacked_stranded_tasks",
                      "unacked tasks fetched longer ago than the visibility timeout; their worker most likely "
                      "died and no live worker restored them."),
          queue_panel("Oldest unacked task by queue", "celery_redis_unacked_oldest_age_seconds",
                      "seconds since a worker fetched the oldest unacked task.", "s", "max"),
          queue_panel("Countdown beyond the visibility timeout", "celery_redis_eta_beyond_visibility_tasks",
                      "ETA tasks held longer than the visibility timeout; Celery will redeliver (and run) them "
                      "more than once."),
          queue_panel("Redelivered messages next in line", "celery_redis_queue_redelivered_tail_messages",
                      "messages at the head of the queue that kombu restored with redelivered=true (a worker "
                      "died, or a countdown exceeded the visibility timeout)."),
          timeseries("Unacked not attributed to a queue",
                     "celery_redis_unacked_unclassified_tasks: beyond --celery.unacked-sample-limit or undecodable.",
                     [(f"sum(celery_redis_unacked_unclassified_tasks{{{TSEL}}})", "unclassified")],
                     "short", "celery_redis_unacked_unclassified_tasks"))

    L.row("Task outcomes (result writes and -E task events, each task once)")
    L.add(12, 8,
          timeseries("Task outcomes by task",
                     "celery_redis_tasks_total: tasks reaching a final state or retrying, per second, by task and "
                     "state. Counted once per task from result writes and task events (-E), so ignore_result tasks "
                     "and results kept outside Redis count too. Task names need --celery.task-name-limit.",
                     [(sum_rate("celery_redis_tasks_total", "task, state",
                                TSEL + ',state=~"SUCCESS|FAILURE|RETRY|REJECTED|REVOKED"'), "{{task}} {{state}}")],
                     "ops"),
          timeseries("Failure ratio by task",
                     "FAILURE over SUCCESS + FAILURE per task over 10 minutes (what CeleryTaskFailureRateHigh "
                     "alerts on above 5%).",
                     [(f"sum by (task) (rate(celery_redis_tasks_total{{{TSEL},state=\"FAILURE\"}}[10m])) / "
                       f"sum by (task) (rate(celery_redis_tasks_total{{{TSEL},state=~\"SUCCESS|FAILURE\"}}[10m]))",
                       "{{task}}")],
                     "percentunit"),
          timeseries("Failures by exception",
                     "celery_redis_task_failures_total: failures per second by exception type name (never the "
                     "message); names past the limit count as other.",
                     [(sum_rate("celery_redis_task_failures_total", "exception"), "{{exception}}")], "ops"),
          timeseries("Queue wait quantiles",
                     "celery_redis_task_queue_wait_seconds: from task-sent (task_send_sent_event), or the ETA of "
                     "countdown tasks, to task-started (-E): how long tasks wait for a worker.",
                     quantiles("celery_redis_task_queue_wait_seconds"), "s"))

    L.row("Task results and runtime")
    L.add(12, 8,
          timeseries("Task results by state",
                     "Per-second rate of result writes seen on the result backend, by state (SUCCESS, FAILURE, "
                     "RETRY, STARTED, ...). Not filtered by queue: results carry no queue.",
                     [(sum_rate("celery_redis_task_results_total", "state"), "{{state}}")], "ops"),
          timeseries("Task runtime quantiles",
                     "celery_redis_task_runtime_seconds: task-succeeded's runtime or task-started to task-failed "
                     "(-E), else STARTED to the final result write (task_track_started).",
                     quantiles("celery_redis_task_runtime_seconds"), "s"))
    L.add(8, 8,
          timeseries("Tasks lost with their worker",
                     "celery_redis_worker_lost_tasks_total: FAILURE results with WorkerLostError (a pool process died "
                     "mid-task), per interval.",
                     [(f"sum(increase(celery_redis_worker_lost_tasks_total{{{TSEL}}}[$__rate_interval]))", "lost")],
                     "short", "celery_redis_worker_lost_tasks_total", decimals=0),
          timeseries("Result keys in Redis by state",
                     "celery_redis_task_meta_keys: celery-task-meta-* keys by state, from the incremental census.",
                     [(f"sum by (state) (celery_redis_task_meta_keys{{{TSEL}}})", "{{state}}"),
                      (f"sum(celery_redis_task_meta_worker_lost_keys{{{TSEL}}})", "FAILURE by WorkerLostError")],
                     "short", "celery_redis_task_meta_keys"),
          timeseries("Oldest STARTED task",
                     "celery_redis_started_task_oldest_age_seconds: the oldest result still STARTED (running, or "
                     "orphaned by a dead worker).",
                     [(f"max(celery_redis_started_task_oldest_age_seconds{{{TSEL}}})", "oldest STARTED")],
                     "s", "celery_redis_started_task_oldest_age_seconds"),
          timeseries("Tasks running (STARTED, not finished)",
                     "celery_redis_task_runtime_pending_tasks: tasks whose STARTED write arrived and whose final write "
                     "has not (running now, or lost with their worker until evicted).",
                     [(f"sum(celery_redis_task_runtime_pending_tasks{{{TSEL}}})", "running")],
                     "short", decimals=0))

    L.row("Workers")
    L.add(12, 8,
          state_timeline("Workers up", "celery_redis_worker_up: heartbeats arriving (down after worker-offline or "
                         "3 missed heartbeats).",
                         f"max by (target, worker) (celery_redis_worker_up{{{TSEL}}})", "{{worker}} {{target}}",
                         UP_DOWN))
    L.add(6, 8,
          timeseries("Live workers",
                     "celery_redis_workers: workers counted up.",
                     [(f"sum(celery_redis_workers{{{TSEL}}})", "live workers")], "none", decimals=0),
          timeseries("Orphaned tasks",
                     "celery_redis_orphaned_started_tasks: STARTED results of workers that are not alive, plus "
                     "stranded tasks while no worker is alive to restore them.",
                     [(f"sum(celery_redis_orphaned_started_tasks{{{TSEL}}})", "orphaned")],
                     "short", "celery_redis_orphaned_started_tasks", decimals=0))
    L.add(12, 8,
          timeseries("Active tasks per worker",
                     "celery_redis_worker_tasks_active: tasks executing, from the worker's heartbeat.",
                     [(f"sum by (target, worker) (celery_redis_worker_tasks_active{{{TSEL}}})", "{{worker}} {{target}}")],
                     "short"),
          timeseries("Processed per worker",
                     "Rate of tasks processed, from the worker's heartbeat counter.",
                     [(sum_rate("celery_redis_worker_processed_tasks_total", "target, worker"), "{{worker}} {{target}}")],
                     "ops"))

    L.row("Alerts")
    L.add(16, 8,
          state_timeline("Alert states",
                         "celery_redis_alerts: the exporter's own rule evaluation (same rules as Prometheus), one row "
                         "per alert and state.",
                         f"sum by (alertname, alertstate) (celery_redis_alerts{{{TSEL}}})",
                         "{{alertname}} {{alertstate}}",
                         value_map([(1, "active", "red")])))
    L.add(8, 8,
          timeseries("Active for",
                     "How long each active alert has been pending or firing.",
                     [(f"time() - max by (alertname) (celery_redis_alert_active_since_timestamp_seconds{{{TSEL}}})",
                       "{{alertname}}")],
                     "s"))

    L.row("Exporter health")
    L.add(5, 4,
          stat("Scrape up", "Prometheus's own up series for the exporter's targets.",
               'min(up{job=~"$job",instance=~"$instance"})', "none", mappings=UP_DOWN, steps=RED_GREEN),
          stat("Rules reload", "celery_redis_config_last_reload_successful: 0 after a rejected rules or alerting "
               "file (the old one stays active).",
               f"min(celery_redis_config_last_reload_successful{{{SEL}}})", "none",
               mappings=value_map([(0, "failed", "red"), (1, "ok", "green")]), steps=RED_GREEN),
          stat("Since last successful poll", "Seconds since the last successful poll of Redis.",
               f"max(time() - celery_redis_last_successful_poll_timestamp_seconds{{{TSEL}}})", "s",
               "celery_redis_last_successful_poll_timestamp_seconds"),
          stat("Event subscriber", "celery_redis_event_subscriber_up: the Pub/Sub subscription to result writes and "
               "worker heartbeats (task results, runtimes and workers depend on it).",
               f"min(celery_redis_event_subscriber_up{{{TSEL}}})", "none", mappings=UP_DOWN, steps=RED_GREEN))
    L.add(4, 4,
          stat("Version", "celery_redis_build_info.", f"max by (version) (celery_redis_build_info{{{SEL}}})",
               "none", legend="{{version}}", steps=[{"color": "blue", "value": None}]))
    L.add(8, 8,
          timeseries("Poll duration", "celery_redis_poll_duration_seconds: wall time of each poll of Redis.",
                     [(f"max by (instance, target) (celery_redis_poll_duration_seconds{{{TSEL}}})",
                       "{{instance}} {{target}}")],
                     "s", "celery_redis_poll_duration_seconds"),
          timeseries("Poll and command errors by stage",
                     "Failed polls per second by the stage that failed (celery_redis_poll_errors_total), and Redis "
                     "error replies to single commands that did not fail the poll (celery_redis_command_errors_total, "
                     "e.g. WRONGTYPE on a key named like a queue).",
                     [(sum_rate("celery_redis_poll_errors_total", "stage"), "poll {{stage}}"),
                      (sum_rate("celery_redis_command_errors_total", "stage"), "command {{stage}}")],
                     "ops"),
          timeseries("Notifications by receiver and result",
                     "celery_redis_notifications_total: alert notifications sent by the exporter, per second.",
                     [(sum_rate("celery_redis_notifications_total", "receiver, result", SEL), "{{receiver}} {{result}}")],
                     "ops"),
          timeseries("Pending notification groups",
                     "celery_redis_notification_pending_groups: alert groups with a notification waiting per receiver "
                     "(one per group at most).",
                     [(f"sum by (receiver) (celery_redis_notification_pending_groups{{{SEL}}})", "{{receiver}}")],
                     "short", "celery_redis_notification_pending_groups"),
          timeseries("Since last delivered notification",
                     "Seconds since each receiver last accepted a notification.",
                     [(f"time() - max by (receiver) (celery_redis_notification_last_success_timestamp_seconds{{{SEL}}})",
                       "{{receiver}}")],
                     "s"),
          timeseries("Result census",
                     "The incremental SCAN over celery-task-meta-* keys: wall time of the last complete pass, and how "
                     "old the task_meta_keys counts are (time since that pass ended).",
                     [(f"max(celery_redis_census_duration_seconds{{{TSEL}}})", "last pass duration"),
                      (f"time() - max(celery_redis_census_last_complete_timestamp_seconds{{{TSEL}}})", "age of the counts")],
                     "s"),
          timeseries("Pub/Sub messages",
                     "Messages received on Celery's Pub/Sub channels by kind (result writes, worker events), "
                     "messages that could not be decoded, and re-subscriptions after failures.",
                     [(sum_rate("celery_redis_event_messages_total", "kind"), "{{kind}}"),
                      (sum_rate("celery_redis_event_decode_errors_total", "kind"), "undecodable {{kind}}"),
                      (sum_rate("celery_redis_event_subscriber_reconnects_total"), "reconnects")],
                     "ops"),
          timeseries("Scrape duration", "Prometheus's scrape_duration_seconds for the exporter (served from memory).",
                     [('max by (instance) (scrape_duration_seconds{job=~"$job",instance=~"$instance"})', "{{instance}}")],
                     "s"))

    def query_var(name, label, query, all_value, refresh=2):
        return {
            "type": "query", "name": name, "label": label, "datasource": DS,
            "definition": query, "query": {"query": query, "refId": f"{name}-var"},
            "refresh": refresh, "sort": 1, "multi": True, "includeAll": True, "allValue": all_value,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "options": [], "hide": 0, "regex": "", "skipUrlSync": False,
        }

    return {
        "uid": "celery-redis-exporter",
        "title": "Celery on Redis (celery-redis-exporter)",
        "description": "Queues, in-flight and stranded tasks, results, workers, alerts and exporter health "
                       "from celery-redis-exporter. Generated by dashboards/generate.py.",
        "tags": ["celery", "redis", "celery-redis-exporter"],
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {},
        "timezone": "",
        "refresh": "30s",
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "links": [],
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
            "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
        "templating": {"list": [
            {"type": "datasource", "name": "datasource", "label": "Data source", "query": "prometheus",
             "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1,
             "regex": "", "skipUrlSync": False},
            query_var("job", "Job", "label_values(celery_redis_up, job)", ".+"),
            query_var("instance", "Instance", 'label_values(celery_redis_up{job=~"$job"}, instance)', ".+"),
            query_var("target", "Target",
                      'label_values(celery_redis_up{job=~"$job",instance=~"$instance"}, target)', ".*"),
            query_var("queue", "Queue",
                      'label_values(celery_redis_queue_length{job=~"$job",instance=~"$instance",target=~"$target"}, queue)', ".*"),
        ]},
        "panels": L.panels,
    }


def render():
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    text = render()
    if "--check" in argv:
        try:
            with open(OUT, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = ""
        if current != text:
            print(f"{os.path.relpath(OUT, ROOT)} is not what dashboards/generate.py writes "
                  "(thresholds follow deploy/prometheus/celery-redis-rules.yml): run python3 dashboards/generate.py",
                  file=sys.stderr)
            return 1
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUT, ROOT)}; thresholds from rules: "
          + (", ".join(f"{m} {[v for v, _ in t]}" for m, t in sorted(THRESHOLDS.items())) or "none (no rules file)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
