import Alerting
import Celery
import Exposition
import Redis

extension StatusModel {
    /// The model before the first poll finished.
    static func initial(pollInterval: Double, censusEnabled: Bool, eventsEnabled: Bool, now: Double) -> StatusModel {
        StatusModel(
            generatedAt: now, pollInterval: pollInterval, version: ExporterVersion.version,
            health: Health(
                polled: false, redisUp: false, censusEnabled: censusEnabled, eventsEnabled: eventsEnabled,
                eventsSubscribed: false, receivers: []),
            queues: [], queueTotal: 0, depthTotal: 0, queuesNeedingAttention: 0, queuesWithoutHistory: 0,
            workers: eventsEnabled ? [] : nil, workerTotal: 0, workersUp: 0,
            results: Results(rateWindow: OutcomeRateWindow.windowSeconds), alerts: [], alertTotal: 0)
    }

    /// Builds the model of one poll; `history` and `rates` already include this poll.
    static func build(_ inputs: StatusInputs, history: DepthHistory, rates: OutcomeRateWindow) -> StatusModel {
        let snapshot = inputs.snapshot
        let alerts = alertRows(inputs.alerts)
        var queueAlerts: [String: String] = [:]
        for alert in inputs.alerts where alert.state != .resolved {
            guard let queue = alert.labels["queue"] else { continue }
            if alert.state == .firing || queueAlerts[queue] == nil { queueAlerts[queue] = alert.state.rawValue }
        }
        let sampled = snapshot.sampled
        let queues = (sampled?.queues ?? []).map { q -> Queue in
            let name = LabelValueLimit.capped(q.name)
            return Queue(
                name: name, depth: q.length, oldestAge: q.oldestMessageAge, inFlight: q.unacked, scheduled: q.scheduled,
                stranded: q.stranded, alertState: queueAlerts[name], history: [],
                topTasks: topTasks(q.backlog), topTasksExact: q.backlog?.exact ?? true)
        }
        .sorted(by: worseQueue)
        // Sparklines only for the rows shown: 50 arrays of 120, not one per queue (10,000).
        var shown = Array(queues.prefix(maximumRows))
        for i in shown.indices { shown[i].history = history.values(for: shown[i].name, at: inputs.now) }
        let workers = inputs.workers.map { statuses in
            statuses.map { w in
                Worker(
                    name: LabelValueLimit.capped(w.hostname), up: w.isUp, active: w.active, processed: w.processed,
                    downSince: w.downSince.map { $0 + inputs.monotonicToWall },
                    lastHeartbeat: w.lastSeen + inputs.monotonicToWall)
            }
            .sorted(by: worseWorker)
        }
        let families = Dictionary(inputs.families.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let census = sampled?.census.map { census in
            TaskMetaState.allCases.compactMap { state -> (state: String, count: Int)? in
                let count = census.metaKeys[state] ?? 0
                let always: Set<TaskMetaState> = [.pending, .started, .retry, .success, .failure, .revoked]
                return always.contains(state) || count > 0 ? (state.rawValue, count) : nil
            }
        }
        let measured = rates.ratesPerMinute.map { ($0.window, outcomeOrder($0.rates)) }
        let health = Health(
            polled: true, redisUp: sampled != nil, lastPollAt: inputs.now, lastPollDuration: snapshot.pollDuration,
            lastSuccessAt: inputs.lastSuccessAt,
            lastError: snapshot.failure.map {
                RedisError.sanitizedServerText($0.reason, maximumBytes: ExporterState.maximumReasonFailureBytes)
            },
            censusEnabled: inputs.censusEnabled, censusUpdatedAt: sampled?.census?.updatedTimestamp,
            eventsEnabled: inputs.workers != nil,
            eventsSubscribed: (families[MetricDescriptor.eventSubscriberUp.name]?.samples.first?.value ?? 0) == 1,
            receivers: receivers(families))
        return StatusModel(
            generatedAt: inputs.now, pollInterval: inputs.pollInterval, version: ExporterVersion.version,
            health: health,
            queues: shown, queueTotal: queues.count,
            depthTotal: queues.reduce(0) { $0 &+ $1.depth },
            queuesNeedingAttention: queues.filter { $0.alertState != nil || $0.stranded > 0 }.count,
            queuesWithoutHistory: history.untracked,
            workers: workers.map { Array($0.prefix(maximumRows)) }, workerTotal: workers?.count ?? 0,
            workersUp: workers?.filter(\.up).count ?? 0,
            results: Results(
                census: census, ratesPerMinute: measured?.1,
                rateWindow: measured?.0 ?? OutcomeRateWindow.windowSeconds,
                orphanedStarted: sampled?.orphanedStartedTasks),
            alerts: Array(alerts.prefix(maximumRows)), alertTotal: alerts.count)
    }

    /// Result writes received live, summed over task names, by state (for ``OutcomeRateWindow``);
    /// nil when the event listener is off.
    static func resultTotals(_ families: [MetricFamily]) -> [String: Double]? {
        guard let family = families.first(where: { $0.name == MetricDescriptor.taskResults.name }) else { return nil }
        var totals: [String: Double] = [:]
        for sample in family.samples {
            guard let state = sample.labels.first(where: { $0.name == "state" })?.value else { continue }
            totals[state, default: 0] += sample.value
        }
        return totals
    }

    /// Outcomes in the order people read them (SUCCESS, FAILURE, RETRY, REVOKED, STARTED, then the
    /// rest by name); states other than SUCCESS and FAILURE only while their rate is above 0.
    static func outcomeOrder(_ rates: [(state: String, rate: Double)]) -> [(state: String, rate: Double)] {
        let order = ["SUCCESS", "FAILURE", "RETRY", "REVOKED", "STARTED"]
        func rank(_ state: String) -> Int { order.firstIndex(of: state) ?? order.count }
        return rates.filter { $0.rate > 0 || $0.state == "SUCCESS" || $0.state == "FAILURE" }
            .sorted { rank($0.state) != rank($1.state) ? rank($0.state) < rank($1.state) : $0.state < $1.state }
    }

    /// Worst first: an alert on the queue, then stranded messages, then the oldest wait, then depth.
    /// The largest task names of a queue's backlog, largest first (ties by name).
    static func topTasks(_ backlog: QueueBacklog?) -> [TopTask] {
        guard let backlog else { return [] }
        return backlog.byTask.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(maximumTopTasks).map { TopTask(task: $0.key, messages: $0.value) }
    }

    static func worseQueue(_ a: Queue, _ b: Queue) -> Bool {
        func rank(_ state: String?) -> Int { state == "firing" ? 2 : (state == "pending" ? 1 : 0) }
        if rank(a.alertState) != rank(b.alertState) { return rank(a.alertState) > rank(b.alertState) }
        if (a.stranded > 0) != (b.stranded > 0) { return a.stranded > 0 }
        if (a.oldestAge ?? -1) != (b.oldestAge ?? -1) { return (a.oldestAge ?? -1) > (b.oldestAge ?? -1) }
        if a.depth != b.depth { return a.depth > b.depth }
        return a.name < b.name
    }

    /// Dead workers first (the most recently dead on top), then by name.
    static func worseWorker(_ a: Worker, _ b: Worker) -> Bool {
        if a.up != b.up { return !a.up }
        if let x = a.downSince, let y = b.downSince, x != y { return x > y }
        return a.name < b.name
    }

    static func alertRows(_ alerts: [Alert]) -> [AlertRow] {
        alerts.filter { $0.state != .resolved }
            .map { alert in
                AlertRow(
                    name: cut(alert.name, maxBytes: LabelValueLimit.maxBytes), state: alert.state.rawValue,
                    since: alert.state == .firing ? (alert.firedAt ?? alert.activeAt) : alert.activeAt,
                    labels: alert.labels.filter { $0.key != "alertname" }.sorted { $0.key < $1.key }
                        .prefix(maximumAlertLabels)
                        .map {
                            (
                                cut($0.key, maxBytes: LabelValueLimit.maxBytes),
                                cut($0.value, maxBytes: LabelValueLimit.maxBytes)
                            )
                        },
                    summary: cut(alert.annotations["summary"] ?? alert.annotations["description"] ?? ""))
            }
            .sorted { a, b in
                if a.state != b.state { return a.state == "firing" }
                if a.since != b.since { return a.since < b.since }
                return a.name < b.name
            }
    }

    private static func receivers(_ families: [String: MetricFamily]) -> [Receiver] {
        func byReceiver(_ descriptor: MetricDescriptor) -> [String: [Sample]] {
            Dictionary(grouping: families[descriptor.name]?.samples ?? []) {
                $0.labels.first { $0.name == "receiver" }?.value ?? ""
            }
        }
        let attempts = byReceiver(.notifications)
        let pending = byReceiver(.notificationPendingGroups)
        let success = byReceiver(.notificationLastSuccessTimestampSeconds)
        return attempts.keys.sorted().map { name in
            func count(_ results: Set<String>) -> Int {
                Int(
                    (attempts[name] ?? []).filter { s in
                        results.contains(s.labels.first { $0.name == "result" }?.value ?? "")
                    }
                    .reduce(0) { $0 + $1.value })
            }
            return Receiver(
                name: cut(name), delivered: count(["success"]), failed: count(["failed", "dropped"]),
                retried: count(["retry", "unknown"]), pending: Int(pending[name]?.first?.value ?? 0),
                lastSuccessAt: success[name]?.first?.value)
        }
    }

    /// `text` cut to ``maximumTextBytes`` at a Unicode scalar boundary, with `…` when cut.
    static func cut(_ text: String, maxBytes: Int = maximumTextBytes) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var out = ""
        var used = 0
        for scalar in text.unicodeScalars {
            let size = UTF8.width(scalar)
            if used + size > maxBytes - 3 { break }
            out.unicodeScalars.append(scalar)
            used += size
        }
        return out + "\u{2026}"
    }
}
