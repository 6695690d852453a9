/// `GET /api/v1/status`: the ``StatusModel`` as JSON with stable, documented field names (see the
/// README, "Status page"). Times are Unix seconds, durations seconds, absent values `null`.
/// Strings go through ``StatusEscaping/jsonString(_:)``; numbers that are not finite become `null`.
enum StatusJSONRenderer {
    static func render(_ model: StatusModel) -> String {
        var out = "{"
        out += top(model)
        out += targetFields(model)
        return out + "}\n"
    }

    /// The JSON of several targets (`--targets.file`): the same top-level fields, `targets` (one
    /// object per target: `name` and the single-target fields `health`, `queues`, `workers`,
    /// `results`, `alerts` — alerts carrying that target's `target` label), and `alerts` (every
    /// pending or firing alert, from `overview`).
    static func render(targets: [(name: String, model: StatusModel)], overview: StatusModel) -> String {
        var out = "{"
        out += top(overview)
        out += field(
            "targets",
            array(targets.map { "{" + field("name", string($0.name), first: true) + targetFields($0.model) + "}" }))
        out += field("alerts", alerts(overview))
        return out + "}\n"
    }

    private static func top(_ model: StatusModel) -> String {
        field("schema_version", String(StatusModel.schemaVersion), first: true)
            + field("generated_at", number(model.generatedAt))
            + field("poll_interval_seconds", number(model.pollInterval))
            + field("version", string(model.version))
    }

    private static func targetFields(_ model: StatusModel) -> String {
        field("health", health(model.health)) + field("queues", queues(model)) + field("workers", workers(model))
            + field("results", results(model.results)) + field("alerts", alerts(model))
    }

    private static func health(_ h: StatusModel.Health) -> String {
        object([
            ("polled", bool(h.polled)), ("redis_up", bool(h.redisUp)),
            ("last_poll_at", optional(h.lastPollAt)), ("last_poll_duration_seconds", optional(h.lastPollDuration)),
            ("last_success_at", optional(h.lastSuccessAt)), ("last_error", h.lastError.map(string) ?? "null"),
            ("census_enabled", bool(h.censusEnabled)), ("census_updated_at", optional(h.censusUpdatedAt)),
            ("events_enabled", bool(h.eventsEnabled)), ("events_subscribed", bool(h.eventsSubscribed)),
            (
                "receivers",
                array(
                    h.receivers.map { r in
                        object([
                            ("name", string(r.name)), ("delivered", String(r.delivered)), ("failed", String(r.failed)),
                            ("retried", String(r.retried)), ("pending_groups", String(r.pending)),
                            ("last_success_at", optional(r.lastSuccessAt)),
                        ])
                    })
            ),
        ])
    }

    private static func queues(_ model: StatusModel) -> String {
        object([
            ("total", String(model.queueTotal)), ("depth_total", String(model.depthTotal)),
            ("needing_attention", String(model.queuesNeedingAttention)),
            ("without_history", String(model.queuesWithoutHistory)),
            ("history_slot_seconds", number(DepthHistory.slotSeconds)),
            (
                "items",
                array(
                    model.queues.map { q in
                        object([
                            ("name", string(q.name)), ("depth", String(q.depth)),
                            ("oldest_age_seconds", optional(q.oldestAge)),
                            ("in_flight", String(q.inFlight)), ("scheduled", String(q.scheduled)),
                            ("stranded", String(q.stranded)), ("alert_state", q.alertState.map(string) ?? "null"),
                            (
                                "top_tasks",
                                array(
                                    q.topTasks.map {
                                        object([("task", string($0.task)), ("messages", String($0.messages))])
                                    })
                            ),
                            ("top_tasks_exact", bool(q.topTasksExact)),
                            (
                                "history",
                                "[" + q.history.map { $0.map { String($0) } ?? "null" }.joined(separator: ",") + "]"
                            ),
                        ])
                    })
            ),
        ])
    }

    private static func workers(_ model: StatusModel) -> String {
        object([
            ("enabled", bool(model.workers != nil)), ("total", String(model.workerTotal)),
            ("up", String(model.workersUp)),
            (
                "items",
                array(
                    (model.workers ?? []).map { w in
                        object([
                            ("name", string(w.name)), ("up", bool(w.up)), ("active", String(w.active)),
                            ("processed", String(w.processed)), ("down_since", optional(w.downSince)),
                            ("last_heartbeat", number(w.lastHeartbeat)),
                            (
                                "last_heartbeat_age_seconds",
                                number((max(0, model.generatedAt - w.lastHeartbeat) * 1000).rounded() / 1000)
                            ),
                        ])
                    })
            ),
        ])
    }

    private static func results(_ r: StatusModel.Results) -> String {
        object([
            (
                "census",
                r.census.map { array($0.map { object([("state", string($0.state)), ("count", String($0.count))]) }) }
                    ?? "null"
            ),
            (
                "rates_per_minute",
                r.ratesPerMinute.map {
                    array($0.map { object([("state", string($0.state)), ("rate", number($0.rate))]) })
                } ?? "null"
            ),
            ("rate_window_seconds", number(r.rateWindow)),
            ("orphaned_started", r.orphanedStarted.map { String($0) } ?? "null"),
        ])
    }

    private static func alerts(_ model: StatusModel) -> String {
        object([
            ("total", String(model.alertTotal)),
            (
                "items",
                array(
                    model.alerts.map { a in
                        object([
                            ("name", string(a.name)), ("state", string(a.state)), ("since", number(a.since)),
                            ("labels", object(a.labels.map { ($0.name, string($0.value)) })),
                            ("summary", string(a.summary)),
                        ])
                    })
            ),
        ])
    }

    // MARK: Writing

    private static func field(_ name: String, _ value: String, first: Bool = false) -> String {
        (first ? "" : ",") + string(name) + ":" + value
    }

    /// Keys are escaped like values: alert label names come from rules.
    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    private static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
    private static func string(_ text: String) -> String { StatusEscaping.jsonString(text) }
    private static func bool(_ value: Bool) -> String { value ? "true" : "false" }
    private static func optional(_ value: Double?) -> String { value.map(number) ?? "null" }

    /// A JSON number: integers without a fraction, `null` for NaN and infinities (not JSON).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 9e15 { return String(Int64(value)) }
        return String(value)
    }
}
