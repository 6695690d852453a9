import Exposition

/// Evaluates rule groups against the exporter's current series and keeps each alert's state across
/// evaluations, with Prometheus's semantics (`rules/alerting.go`):
///
/// - one alert per output label set; labels = series labels − `__name__` + expanded rule labels +
///   `alertname`; annotations expanded with `$labels` = the series labels;
/// - inactive → pending on the first true evaluation (`activeAt = now`); pending → firing once
///   `now − activeAt ≥ for` (at once without `for`); a false evaluation drops a pending alert;
/// - a firing alert whose condition is false resolves (`resolvedAt = now`), unless
///   `keep_firing_for` has not elapsed since the first false evaluation (`keepFiringSince`);
/// - resolved alerts are returned for 15 minutes (Prometheus's `resolvedRetention`) so the
///   resolution can be notified, then forgotten; a condition true again starts a new pending cycle;
/// - after a restart, ``restore(_:)`` hands back the ``activity`` saved before it: an alert found
///   true at the first evaluation keeps its `activeAt` and, once it fires, its `firedAt`, so
///   neither `/api/v1/alerts` nor notifications see a new incident (Prometheus's
///   `restoreForState`).
///
/// Time is a parameter (`now`, Unix seconds). Not `Sendable`: one instance lives on the poller
/// thread, which evaluates after every poll.
public final class AlertEvaluator {
    /// How long resolved alerts are kept (and returned), as in Prometheus.
    public static let resolvedRetention: Double = 15 * 60

    /// Values for `{{ $externalLabels.x }}` in templates.
    public var externalLabels: [String: String] = [:]
    /// Value for `{{ $externalURL }}` in templates.
    public var externalURL: String = ""
    /// The errors of the latest ``evaluate(families:now:)``, one per failed rule (empty when all ran).
    public private(set) var lastErrors: [RuleEvaluationError] = []

    private var groups: [RuleGroup]
    /// Per group, per rule: active and retained alerts by fingerprint.
    private var states: [[[String: Alert]]]
    /// Activity saved before a restart, by fingerprint; used by the first evaluation only.
    private var restored: [String: AlertActivity] = [:]

    /// The default bound of the samples kept for range selectors: 16 MiB.
    public static let defaultHistoryByteLimit = SeriesHistory.defaultByteLimit
    /// Recent samples of the series the rules' range selectors use (see ``SeriesHistory``).
    private var history: SeriesHistory

    /// Creates an evaluator with no alerts; `historyByteLimit` bounds the samples kept for range
    /// selectors (`rate(x[5m])`).
    public init(groups: [RuleGroup], historyByteLimit: Int = AlertEvaluator.defaultHistoryByteLimit) {
        self.groups = groups
        self.states = groups.map { $0.rules.map { _ in [:] } }
        self.history = SeriesHistory(byteLimit: historyByteLimit)
        history.use(groups.flatMap { $0.rules.flatMap(\.parsedExpression.matrixSelectors) })
    }

    /// Hands back the ``activity`` saved before a restart. At the next evaluation, an alert whose
    /// condition is true and that has no state yet starts from its saved `activeAt` (so it fires
    /// at once when `for` has already elapsed) and, when it fires, keeps its saved `firedAt`.
    /// Times in the future are ignored. Entries not used by that evaluation are forgotten: an
    /// alert found true only later is a new incident.
    public func restore(_ activity: [String: AlertActivity]) {
        restored = activity
    }

    /// The `activeAt` and `firedAt` of every pending and firing alert, by fingerprint (what
    /// ``restore(_:)`` takes after a restart).
    public var activity: [String: AlertActivity] {
        var out: [String: AlertActivity] = [:]
        for rules in states {
            for byFingerprint in rules {
                for (fingerprint, alert) in byFingerprint where alert.state != .resolved {
                    out[fingerprint] = AlertActivity(activeAt: alert.activeAt, firedAt: alert.firedAt)
                }
            }
        }
        return out
    }

    /// The rule groups being evaluated.
    public var ruleGroups: [RuleGroup] { groups }

    /// Swaps in reloaded rules. Like Prometheus, a rule of the same file, group, name and labels
    /// keeps its alerts (so a reload neither restarts `for` nor re-notifies); other alerts are dropped.
    public func replaceRules(_ newGroups: [RuleGroup]) {
        var old: [String: [[String: Alert]]] = [:]
        for (g, group) in groups.enumerated() {
            for (r, rule) in group.rules.enumerated() {
                old[AlertEvaluator.identity(group, rule), default: []].append(states[g][r])
            }
        }
        groups = newGroups
        history.use(newGroups.flatMap { $0.rules.flatMap(\.parsedExpression.matrixSelectors) })
        states = newGroups.map { group in
            group.rules.map { rule in
                let key = AlertEvaluator.identity(group, rule)
                guard var candidates = old[key], !candidates.isEmpty else { return [:] }
                let state = candidates.removeFirst()
                old[key] = candidates
                return state
            }
        }
    }

    private static func identity(_ group: RuleGroup, _ rule: AlertingRule) -> String {
        let labels = rule.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{ff}")
        return [group.file, group.name, rule.name, labels].joined(separator: "\u{0}")
    }

    /// Evaluates every rule at `now` and returns every pending and firing alert plus resolved ones
    /// still retained, in rule order, then by labels.
    public func evaluate(families: [MetricFamily], now: Double) -> [Alert] {
        var evaluator = ExpressionEvaluator(families: families, now: now)
        history.record(evaluator.series, time: ExpressionEvaluator.milliseconds(now))
        evaluator.history = history
        var errors: [RuleEvaluationError] = []
        for (g, group) in groups.enumerated() {
            for (r, rule) in group.rules.enumerated() {
                do throws(ExpressionError) {
                    states[g][r] = try evaluate(rule, evaluator, states[g][r], now: now)
                } catch {
                    errors.append(RuleEvaluationError(group: group.name, rule: rule.name, reason: error))
                }
            }
        }
        lastErrors = errors
        restored = [:]
        return alerts
    }

    /// The alerts as of the last evaluation (same order as ``evaluate(families:now:)`` returns).
    public var alerts: [Alert] {
        states.flatMap { rules in
            rules.flatMap { byFingerprint in
                byFingerprint.values.sorted { AlertEvaluator.sortKey($0.labels) < AlertEvaluator.sortKey($1.labels) }
            }
        }
    }

    private static func sortKey(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)\u{1}\($0.value)" }.joined(separator: "\u{2}")
    }

    private func evaluate(
        _ rule: AlertingRule, _ evaluator: ExpressionEvaluator, _ previous: [String: Alert], now: Double
    ) throws(ExpressionError) -> [String: Alert] {
        let elements = try evaluator.evaluateAsVector(rule.parsedExpression)
        var current: [String: Alert] = [:]
        for element in elements {
            let data = AlertTemplate.Data(
                labels: element.labels, externalLabels: externalLabels, externalURL: externalURL, value: element.value)
            var labels = element.labels
            labels["__name__"] = nil
            for (name, template) in rule.labelTemplates {
                // As Prometheus's labels.Builder: a label that expands to "" is removed, not kept empty.
                let value = template.expand(data)
                labels[name] = value.isEmpty ? nil : value
            }
            labels["alertname"] = rule.name
            var annotations: [String: String] = [:]
            for (name, template) in rule.annotationTemplates { annotations[name] = template.expand(data) }
            let alert = Alert(
                labels: labels, annotations: annotations, state: .pending, activeAt: now, lastTrueAt: now,
                value: element.value)
            if current[alert.fingerprint] != nil {
                throw ExpressionError.duplicateAlertLabelset
            }
            current[alert.fingerprint] = alert
        }

        var active = previous
        for (fingerprint, fresh) in current {
            if var existing = active[fingerprint], existing.state != .resolved {
                existing.value = fresh.value
                existing.annotations = fresh.annotations
                existing.lastTrueAt = now
                existing.keepFiringSince = nil
                active[fingerprint] = existing
            } else if let saved = restored[fingerprint], saved.activeAt <= now, active[fingerprint] == nil {
                var resumed = fresh
                resumed.activeAt = saved.activeAt
                active[fingerprint] = resumed
            } else {
                active[fingerprint] = fresh
            }
        }
        for (fingerprint, var alert) in active {
            if current[fingerprint] == nil {
                var keepFiring = false
                if alert.state == .firing && rule.keepFiringFor > 0 {
                    let since = alert.keepFiringSince ?? now
                    alert.keepFiringSince = since
                    keepFiring = now - since < rule.keepFiringFor
                }
                if alert.state == .pending {
                    active[fingerprint] = nil
                    continue
                }
                if let resolvedAt = alert.resolvedAt, now - resolvedAt > AlertEvaluator.resolvedRetention {
                    active[fingerprint] = nil
                    continue
                }
                if alert.state != .resolved && !keepFiring {
                    alert.state = .resolved
                    alert.resolvedAt = now
                }
                active[fingerprint] = alert
                if !keepFiring { continue }
            }
            if alert.state == .pending && now - alert.activeAt >= rule.holdDuration {
                alert.state = .firing
                // A restored incident keeps when it first fired (never before it became active).
                let saved = restored[fingerprint]?.firedAt.flatMap { $0 >= alert.activeAt && $0 <= now ? $0 : nil }
                alert.firedAt = saved ?? now
            }
            active[fingerprint] = alert
        }
        return active
    }

    /// The alerts as series, in Prometheus's `ALERTS` / `ALERTS_FOR_STATE` shapes:
    /// `celery_redis_alerts{alertname, alertstate, …labels} 1` and
    /// `celery_redis_alert_active_since_timestamp_seconds{alertname, …labels} <activeAt>`,
    /// for pending and firing alerts only. As in Prometheus, `alertname` and `alertstate` are set
    /// last, so a rule label of that name cannot override them.
    ///
    /// Two rules can yield the same label set (the same file loaded twice, two groups with the
    /// same rule, or labels that differ only in a name exposition drops). Prometheus then writes
    /// the same series twice in one evaluation; here each series appears once: one
    /// `celery_redis_alerts` sample per label set and state (a pending and a firing alert stay two
    /// series, as in Prometheus, because `alertstate` differs), and one active-since sample per
    /// label set holding the earliest `activeAt`.
    public func metricFamilies(now: Double) -> [MetricFamily] {
        var states: [Sample] = []
        // Keyed by the sorted name, value, name, value… list: no separator a value could forge.
        var seenStates: Set<[String]> = []
        var since: [(labels: [Label], activeAt: Double)] = []
        var sinceIndex: [[String]: Int] = [:]
        for alert in alerts where alert.state != .resolved {
            var labels = alert.labels.filter {
                Label.isValidName($0.key) && $0.key != "alertname" && $0.key != "alertstate"
            }
            labels["alertname"] = alert.name
            let key = labels.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
            if let i = sinceIndex[key] {
                since[i].activeAt = min(since[i].activeAt, alert.activeAt)
            } else {
                sinceIndex[key] = since.count
                since.append((labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }, alert.activeAt))
            }
            labels["alertstate"] = alert.state.rawValue
            if seenStates.insert(key + ["alertstate", alert.state.rawValue]).inserted {
                states.append(
                    Sample(labels: labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }, value: 1))
            }
        }
        return [
            MetricFamily(.alerts, samples: states),
            MetricFamily(
                .alertActiveSinceTimestampSeconds, samples: since.map { Sample(labels: $0.labels, value: $0.activeAt) }),
        ] + history.metricFamilies()
    }
}
