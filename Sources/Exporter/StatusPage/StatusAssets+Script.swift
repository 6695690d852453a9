extension StatusAssets {
    /// `/static/status.js`: fetches `/api/v1/status` after every poll and rebuilds the sections in
    /// place with DOM calls only (`textContent`, `setAttribute`; never `innerHTML`), so nothing from
    /// Redis or rules is parsed as markup. Its formatters mirror ``StatusFormatting``.
    static let script = ##"""
        // Keeps the status page current: fetches /api/v1/status after every poll and rebuilds each
        // section with DOM calls (textContent, setAttribute) only, so no string from Redis or rules is
        // ever parsed as HTML. Formats numbers exactly like the server-rendered page.
        (function () {
          "use strict";
          var SVG = "http://www.w3.org/2000/svg";
          var state = { data: null, last: null, sort: {}, failures: 0, timer: 0 };

          // ---- formatting (mirrors StatusFormatting.swift) ----
          function trimmed(v, digits) {
            var f = Math.pow(10, digits);
            return String(Math.round(v * f) / f);
          }
          function fmtCount(v) {
            if (!isFinite(v)) return "\u2013";
            var m = Math.abs(v);
            if (m < 1000) return trimmed(v, m < 10 && v !== Math.round(v) ? 1 : 0);
            var units = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
            for (var i = 0; i < units.length; i++) {
              if (m >= units[i][0]) {
                var s = v / units[i][0];
                return trimmed(s, Math.abs(s) < 100 ? 1 : 0) + units[i][1];
              }
            }
            return trimmed(v, 0);
          }
          function fmtDuration(sec) {
            if (!isFinite(sec)) return "\u2013";
            var t = Math.floor(Math.max(0, sec));
            var d = Math.floor(t / 86400), h = Math.floor(t / 3600) % 24, m = Math.floor(t / 60) % 60, s = t % 60;
            if (d > 0) return h > 0 ? d + "d " + h + "h" : d + "d";
            if (h > 0) return m > 0 ? h + "h " + m + "m" : h + "h";
            if (m > 0) return s > 0 ? m + "m " + s + "s" : m + "m";
            return s + "s";
          }
          function fmtShort(sec) {
            if (!isFinite(sec)) return "\u2013";
            if (sec < 1) return Math.round(sec * 1000) + " ms";
            return trimmed(sec, 2) + " s";
          }
          function fmtRate(r) {
            if (!isFinite(r)) return "\u2013";
            if (r > 0 && r < 10) return trimmed(r, 1) + "/min";
            return fmtCount(Math.round(r)) + "/min";
          }
          function fmtRelative(t, now) {
            var d = now - t;
            if (Math.abs(d) < 1) return "just now";
            return d > 0 ? fmtDuration(d) + " ago" : "in " + fmtDuration(-d);
          }
          function isoTime(t) { return new Date(Math.floor(t) * 1000).toISOString().replace(/\.\d+Z$/, "Z"); }
          function absTime(t) { return isoTime(t).slice(0, -1).replace("T", " ") + " UTC"; }

          // ---- DOM helpers ----
          function el(tag, cls, text) {
            var e = document.createElement(tag);
            if (cls) e.className = cls;
            if (text !== undefined && text !== null) e.textContent = String(text);
            return e;
          }
          function add(parent) {
            for (var i = 1; i < arguments.length; i++) {
              var c = arguments[i];
              if (c === null || c === undefined) continue;
              parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
            }
            return parent;
          }
          function timeEl(t, now, ago) {
            var e = el("time", null, ago === false ? fmtDuration(now - t) : fmtRelative(t, now));
            e.setAttribute("datetime", isoTime(t));
            e.setAttribute("title", absTime(t) + " (" + new Date(t * 1000).toLocaleString() + " local)");
            return e;
          }
          function countEl(v, unit) {
            var short = fmtCount(v);
            if (short === String(v) && v < 1000) return document.createTextNode(short);
            var e = el("span", null, short);
            e.setAttribute("title", v + " " + unit);
            return e;
          }
          function badge(kind, text) { return el("span", "badge " + kind, text); }
          function stateClass(s) { return s === "firing" ? "firing" : "pending"; }
          function setBody(id, nodes) {
            var body = document.getElementById(id + "-body");
            if (!body) return;
            body.replaceChildren.apply(body, nodes.filter(Boolean));
          }
          function empty(text) { return el("p", "empty", text); }
          function emptyCode(before, code, after) { return add(el("p", "empty"), before, el("code", null, code), after || ""); }
          function more(total, shown, what, link) {
            if (total <= shown) return null;
            var p = add(el("p", "note"), (total - shown) + " more " + what + " not shown (the " + shown + " worst are); all are in ");
            if (!link) return add(p, "the metrics.");
            var a = el("a", null, link);
            a.setAttribute("href", link);
            return add(p, a, ".");
          }

          // ---- sortable tables ----
          function missing(v) { return v === null || v === undefined; }
          function sorted(section, items) {
            var s = state.sort[section];
            if (!s) return items;
            var copy = items.slice();
            copy.sort(function (a, b) {
              var x = a[s.key], y = b[s.key];
              // Rows without a value (no waiting message, a worker that is up) go last either way.
              if (missing(x) || missing(y)) return missing(x) === missing(y) ? 0 : (missing(x) ? 1 : -1);
              var c = x === y ? 0 : (typeof x === "boolean" ? (x ? 1 : -1) : (x < y ? -1 : 1));
              return s.dir === "ascending" ? c : -c;
            });
            return copy;
          }
          // Names sort A to Z first; "down since" and "last heartbeat" oldest first (down or silent
          // longest); numbers largest first.
          var ASCENDING_FIRST = { name: true, down_since: true, last_heartbeat: true };
          // columns: [title, sort key or null, numeric]
          function table(section, id, caption, columns) {
            var t = el("table");
            t.id = id;
            add(t, el("caption", "sr", caption));
            var tr = el("tr");
            columns.forEach(function (c) {
              var th = el("th", c[2] ? "num" : null, c[0]);
              th.setAttribute("scope", "col");
              if (c[1]) {
                th.setAttribute("data-key", c[1]);
                upgradeHeader(section, th, c[0]);
              }
              tr.appendChild(th);
            });
            add(t, add(el("thead"), tr));
            var tbody = el("tbody");
            t.appendChild(tbody);
            return { wrap: add(el("div", "scroll"), t), tbody: tbody };
          }
          // One row: the row header, then cells [class, content] labelled with their column titles.
          function row(kind, header, columns, cells) {
            var tr = el("tr", kind);
            var th = el("th", "name");
            th.setAttribute("scope", "row");
            add.apply(null, [th].concat(header));
            tr.appendChild(th);
            cells.forEach(function (c, i) {
              var td = el("td", c[0] || null);
              td.setAttribute("data-label", columns[i + 1][0]);
              add(td, c[1]);
              tr.appendChild(td);
            });
            return tr;
          }
          function plain(titles) { return titles.map(function (t) { return [t, null, false]; }); }
          var QUEUE_COLUMNS = [["Queue", "name", false], ["Waiting", "depth", true], ["Oldest waiting", "oldest_age_seconds", true],
            ["In flight", "in_flight", true], ["Scheduled", "scheduled", true], ["Stranded", "stranded", true], ["Waiting tasks", null, false],
            ["Last hour", null, false]];
          var WORKER_COLUMNS = [["Worker", "name", false], ["State", "up", false], ["Active", "active", true],
            ["Processed", "processed", true], ["Last heartbeat", "last_heartbeat", true], ["Down for", "down_since", true]];
          function upgradeHeader(section, th, label) {
            var key = th.getAttribute("data-key");
            var s = state.sort[section];
            if (s && s.key === key) th.setAttribute("aria-sort", s.dir); else th.removeAttribute("aria-sort");
            var b = el("button", null, label);
            b.setAttribute("type", "button");
            b.setAttribute("title", "Sort by " + label.toLowerCase());
            b.addEventListener("click", function () {
              var cur = state.sort[section];
              var dir = ASCENDING_FIRST[key] ? "ascending" : "descending";
              if (cur && cur.key === key) dir = cur.dir === "ascending" ? "descending" : "ascending";
              state.sort[section] = { key: key, dir: dir };
              if (state.data) render(state.data);
            });
            th.replaceChildren(b);
          }

          // ---- sections (mirror StatusHTMLRenderer.swift) ----
          function sparkline(history, name) {
            var known = [];
            history.forEach(function (v, i) { if (v !== null) known.push([i, v]); });
            if (known.length === 0) return el("span", "muted", "\u2013");
            var peak = Math.max(1, Math.max.apply(null, known.map(function (k) { return k[1]; })));
            var start = Math.max(0, Math.min(known[0][0], history.length - 10));
            var step = 120 / Math.max(1, history.length - 1 - start);
            function pt(k) {
              return [Math.round((k[0] - start) * step * 10) / 10, Math.round((22 - k[1] / peak * 20) * 10) / 10];
            }
            var last = known[known.length - 1];
            var svg = document.createElementNS(SVG, "svg");
            svg.setAttribute("class", "spark");
            svg.setAttribute("viewBox", "0 0 120 24");
            svg.setAttribute("width", "120");
            svg.setAttribute("height", "24");
            svg.setAttribute("role", "img");
            var label = "Waiting in " + name + " over the last hour: now " + last[1] + ", peak " + peak + " messages";
            svg.setAttribute("aria-label", label);
            var title = document.createElementNS(SVG, "title");
            title.textContent = label;
            svg.appendChild(title);
            var base = document.createElementNS(SVG, "line");
            base.setAttribute("class", "base");
            [["x1", "0"], ["y1", "22"], ["x2", "120"], ["y2", "22"]].forEach(function (a) { base.setAttribute(a[0], a[1]); });
            svg.appendChild(base);
            if (known.length > 1) {
              var line = document.createElementNS(SVG, "polyline");
              var all = known.map(pt);
              // Points inside a flat run add nothing to the line (mirrors the server).
              var points = all.filter(function (p, i) {
                return i === 0 || i === all.length - 1 || all[i - 1][1] !== p[1] || all[i + 1][1] !== p[1];
              });
              line.setAttribute("points", points.map(function (p) { return p.join(","); }).join(" "));
              svg.appendChild(line);
            }
            var dot = document.createElementNS(SVG, "circle");
            var p = pt(last);
            dot.setAttribute("cx", String(p[0]));
            dot.setAttribute("cy", String(p[1]));
            dot.setAttribute("r", "2");
            svg.appendChild(dot);
            return svg;
          }
          function tile(id, key, value, note, level) {
            var t = el("div", "tile " + level);
            t.id = "tile-" + id;
            return add(t, el("span", "k", key), el("span", "v", value), el("span", "n", note));
          }
          function renderTiles(d) {
            var h = d.health;
            var redis = !h.polled ? ["warn", "waiting", "no poll yet"] : (h.redis_up ? ["ok", "up", "last poll succeeded"] : ["bad", "down", "last poll failed"]);
            var waiting = d.queues.depth_total, backed = d.queues.needing_attention;
            var firing = d.alerts.items.filter(function (a) { return a.state === "firing"; }).length;
            var pending = d.alerts.total - firing;
            var nodes = [tile("redis", "Redis", redis[1], redis[2], redis[0]),
              tile("queues", "Queues", fmtCount(d.queues.total), fmtCount(waiting) + " waiting" + (backed > 0 ? " \u00b7 " + backed + " need attention" : ""), backed > 0 ? "warn" : "ok")];
            if (d.workers.enabled) {
              var down = d.workers.total - d.workers.up;
              nodes.push(tile("workers", "Workers", d.workers.up + "/" + d.workers.total, down > 0 ? down + " down" : (d.workers.total === 0 ? "no heartbeat yet" : "all up"), down > 0 ? "bad" : (d.workers.total === 0 ? "warn" : "ok")));
            } else {
              nodes.push(tile("workers", "Workers", "\u2013", "events off", "muted"));
            }
            nodes.push(tile("alerts", "Alerts", String(firing), "firing" + (pending > 0 ? ", " + pending + " pending" : ""), firing > 0 ? "bad" : (pending > 0 ? "warn" : "ok")));
            var summary = document.getElementById("summary");
            summary.replaceChildren.apply(summary, nodes);
          }
          function renderAlerts(d) {
            if (d.alerts.items.length === 0) return setBody("alerts", [empty("No alerts pending or firing.")]);
            var columns = plain(["Alert", "State", "Since", "Labels", "Summary"]);
            var t = table("alerts", "alerts-table", "Pending and firing alerts", columns);
            d.alerts.items.forEach(function (a) {
              var labels = document.createDocumentFragment();
              Object.keys(a.labels).forEach(function (k, i) {
                if (i > 0) labels.appendChild(document.createTextNode(" "));
                labels.appendChild(el("span", "label", k + "=" + a.labels[k]));
              });
              t.tbody.appendChild(row(stateClass(a.state), [a.name], columns, [
                [null, badge(stateClass(a.state), a.state)], [null, timeEl(a.since, d.generated_at)],
                ["labels", labels], ["summary", a.summary]]));
            });
            setBody("alerts", [t.wrap, more(d.alerts.total, d.alerts.items.length, "alerts", "/api/v1/alerts")]);
          }
          function topTasksText(q) {
            if (q.top_tasks.length === 0) return "\u2013";
            var approx = q.top_tasks_exact ? "" : "\u2248";
            return q.top_tasks.map(function (t) { return t.task + " " + approx + t.messages; }).join(" \u00b7 ");
          }
          function renderQueues(d) {
            var items = d.queues.items;
            if (items.length === 0) return setBody("queues", [empty("No queues known yet.")]);
            var t = table("queues", "queues-table", "Queues, worst first", QUEUE_COLUMNS);
            sorted("queues", items).forEach(function (q) {
              var kind = q.alert_state !== null ? stateClass(q.alert_state) : (q.stranded > 0 ? "pending" : null);
              var header = [q.name];
              if (q.alert_state !== null) header.push(" ", badge(stateClass(q.alert_state), q.alert_state));
              t.tbody.appendChild(row(kind, header, QUEUE_COLUMNS, [
                ["num", countEl(q.depth, "messages")],
                ["num", q.oldest_age_seconds === null ? "\u2013" : fmtDuration(q.oldest_age_seconds)],
                ["num", countEl(q.in_flight, "messages")],
                ["num", countEl(q.scheduled, "messages")],
                [q.stranded > 0 ? "num warn" : "num", countEl(q.stranded, "messages")],
                ["tasks", topTasksText(q)],
                ["spark-cell", sparkline(q.history, q.name)]]));
            });
            var nodes = [t.wrap, more(d.queues.total, items.length, "queues", null)];
            if (d.queues.without_history > 0) nodes.push(el("p", "note", d.queues.without_history + " queues have no history: the page keeps the last hour of at most 1000 queues."));
            setBody("queues", nodes);
          }
          function renderWorkers(d) {
            if (!d.workers.enabled) return setBody("workers", [emptyCode("Worker heartbeats are not followed: start the exporter with ", "--celery.events", ".")]);
            var items = d.workers.items;
            if (items.length === 0) return setBody("workers", [empty("No worker heartbeat seen yet.")]);
            var t = table("workers", "workers-table", "Workers, dead ones first", WORKER_COLUMNS);
            sorted("workers", items).forEach(function (w) {
              t.tbody.appendChild(row(w.up ? null : "firing", [w.name], WORKER_COLUMNS, [
                [null, badge(w.up ? "ok" : "firing", w.up ? "up" : "down")],
                ["num", countEl(w.active, "tasks")], ["num", countEl(w.processed, "tasks")],
                ["num", timeEl(w.last_heartbeat, d.generated_at)],
                ["num", w.down_since === null ? "\u2013" : timeEl(w.down_since, d.generated_at, false)]]));
            });
            setBody("workers", [t.wrap, more(d.workers.total, items.length, "workers", null)]);
          }
          function kv(pairs, cls) {
            var dl = el("dl", cls || "kv");
            pairs.forEach(function (p) {
              add(dl, el("dt", null, p[0]), add(el("dd", p[2] || null), p[1]));
            });
            return dl;
          }
          function renderResults(d) {
            var r = d.results, h = d.health;
            var census = add(el("div"), el("h3", null, "In the result backend"));
            if (r.census !== null) census.appendChild(kv(r.census.map(function (c) { return [c.state, countEl(c.count, "results")]; })));
            else census.appendChild(empty(h.census_enabled ? "Counting (the first pass of the census is running)\u2026" : "The census is off."));
            var rates = add(el("div"), el("h3", null, "Outcomes, last " + fmtDuration(r.rate_window_seconds)));
            if (r.rates_per_minute !== null) {
              rates.appendChild(r.rates_per_minute.length === 0 ? empty("No results received yet.")
                : kv(r.rates_per_minute.map(function (x) { return [x.state, fmtRate(x.rate)]; })));
            } else {
              rates.appendChild(h.events_enabled ? empty("Measuring\u2026") : emptyCode("Live results need ", "--celery.events", "."));
            }
            var orphaned = add(el("div"), el("h3", null, "Orphaned"),
              kv([["STARTED, worker gone", r.orphaned_started === null ? "unknown" : countEl(r.orphaned_started, "tasks"), r.orphaned_started > 0 ? "warn" : null]]));
            setBody("results", [add(el("div", "cols"), census, rates, orphaned)]);
          }
          function frag() {
            var f = document.createDocumentFragment();
            return add.apply(null, [f].concat(Array.prototype.slice.call(arguments)));
          }
          function renderHealth(d) {
            var h = d.health, now = d.generated_at, rows = [];
            rows.push(["Redis", !h.polled ? "no poll yet" : (h.redis_up ? "up" : "down"), !h.polled ? "warn" : (h.redis_up ? null : "bad")]);
            if (h.last_error !== null) rows.push(["Last error", h.last_error, "bad"]);
            rows.push(["Last poll", h.last_poll_at === null ? "\u2013" : frag(timeEl(h.last_poll_at, now),
              h.last_poll_duration_seconds === null ? "" : ", took " + fmtShort(h.last_poll_duration_seconds))]);
            if (!h.redis_up && h.last_success_at !== null) rows.push(["Last success", timeEl(h.last_success_at, now)]);
            rows.push(["Census", !h.census_enabled ? "off" : (h.census_updated_at === null ? "first pass running" : frag("counts as of ", timeEl(h.census_updated_at, now)))]);
            rows.push(["Celery events", !h.events_enabled ? "off" : (h.events_subscribed ? "subscribed" : "not subscribed"), h.events_enabled && !h.events_subscribed ? "warn" : null]);
            if (h.receivers.length === 0) rows.push(["Notifications", "no receivers configured"]);
            h.receivers.forEach(function (r) {
              var f = frag(countEl(r.delivered, "notifications"), " delivered");
              if (r.failed > 0) add(f, ", ", countEl(r.failed, "notifications"), " failed");
              if (r.retried > 0) add(f, ", ", countEl(r.retried, "attempts"), " retried");
              if (r.pending_groups > 0) add(f, ", ", countEl(r.pending_groups, "groups"), " pending");
              if (r.last_success_at !== null) add(f, "; last ", timeEl(r.last_success_at, now));
              rows.push(["Notify " + r.name, f, r.failed > 0 ? "bad" : null]);
            });
            setBody("health", [kv(rows, "kv wide")]);
          }
          function renderUpdated(d) {
            var p = document.getElementById("updated");
            var live = document.getElementById("live") || el("span", "live");
            live.id = "live";
            p.replaceChildren(document.createTextNode("Updated "), timeEl(d.generated_at, d.generated_at),
              document.createTextNode(" \u00b7 polling Redis every " + fmtDuration(d.poll_interval_seconds) + " "), live);
          }
          function render(d) {
            renderUpdated(d); renderTiles(d); renderAlerts(d); renderQueues(d); renderWorkers(d); renderResults(d); renderHealth(d);
            document.documentElement.setAttribute("data-generated-at", String(d.generated_at));
          }

          // Several targets (--targets.file): the server renders one section per target, and the page
          // swaps in the server's fresh <main> (escaped there like every page; parsed inert, never run)
          // rather than rebuilding each target's sections here.
          function renderTargets(d) {
            return fetch("/", { headers: { "Accept": "text/html" }, cache: "no-store" })
              .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
              .then(function (html) {
                var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
                var main = document.querySelector("main");
                if (fresh && main) main.replaceWith(document.adoptNode(fresh));
                renderUpdated(d);
                document.documentElement.setAttribute("data-generated-at", String(d.generated_at));
              });
          }

          // ---- fetching: once per poll, with backoff while the exporter is unreachable ----
          function setLive(text) {
            var live = document.getElementById("live");
            if (!live) return;
            live.textContent = text || "";
            live.hidden = !text;
          }
          function schedule(ms) {
            clearTimeout(state.timer);
            state.timer = setTimeout(refresh, ms);
          }
          function refresh() {
            fetch("/api/v1/status", { headers: { "Accept": "application/json" }, cache: "no-store" })
              .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
              .then(function (d) {
                state.failures = 0;
                setLive("");
                var interval = Math.min(60, Math.max(0.5, d.poll_interval_seconds)) * 1000;
                if (d.generated_at !== state.last) {
                  state.last = d.generated_at;
                  state.data = d;
                  if (d.targets) return renderTargets(d).then(function () { schedule(interval + 250); });
                  render(d);
                  schedule(interval + 250);
                } else {
                  schedule(Math.min(1000, interval));
                }
              })
              .catch(function () {
                state.failures += 1;
                setLive("offline \u2013 retrying");
                schedule(Math.min(30000, 1000 * Math.pow(2, state.failures)));
              });
          }
          function start() {
            ["queues", "workers"].forEach(function (section) {
              var ths = document.querySelectorAll("#" + section + "-table th[data-key]");
              Array.prototype.forEach.call(ths, function (th) { upgradeHeader(section, th, th.textContent); });
            });
            refresh();
          }
          if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
        })();
        """##
}
