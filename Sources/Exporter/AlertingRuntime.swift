import Alerting
import Exposition
import Logging
import Notify
import Sockets
import Synchronization

/// Evaluates the rules after every poll and hands alerts to the notifier; reloadable.
///
/// Threads: ``evaluate(families:now:)`` runs on the poller thread (the evaluator is confined
/// there); ``reload()`` may be called from the main thread (SIGHUP) or an HTTP thread
/// (`POST /-/reload`): it loads and validates the files right away, so the caller learns the
/// outcome, and leaves the new configuration for the poller to apply before its next evaluation.
public final class AlertingRuntime: @unchecked Sendable {
    // @unchecked: `evaluator` and `appliedAlerting` are only touched on the poller thread
    // (evaluate/shutdown after the poller joined); everything else is a Mutex or immutable.
    private let rulePatterns: [String]
    private let alertingConfigFile: String?
    private let alertmanager: AlertmanagerPusher.Configuration?
    private let options: NotifierOptions
    private let logger: Logger
    private let evaluator: AlertEvaluator
    private var appliedAlerting: AlertingConfiguration?
    private let notifier: Mutex<Notifier?>
    private let pending = Mutex<LoadedAlertingConfig?>(nil)
    private let reloadStatus: Mutex<(successful: Bool, timestamp: Double)>
    private let alertsJSON = Mutex<[UInt8]>(AlertsAPI.json([]))
    private let lastAlerts = Mutex<[Alert]>([])
    private let silences = Mutex<SilenceStore?>(nil)

    /// Builds the runtime from an already validated configuration and starts the notifier.
    public init(
        initial: LoadedAlertingConfig, rulePatterns: [String], alertingConfigFile: String?,
        alertmanager: AlertmanagerPusher.Configuration?, options: NotifierOptions, logger: Logger,
        historyByteLimit: Int = AlertEvaluator.defaultHistoryByteLimit
    ) throws {
        self.rulePatterns = rulePatterns
        self.alertingConfigFile = alertingConfigFile
        self.alertmanager = alertmanager
        self.options = options
        self.logger = logger
        self.evaluator = AlertEvaluator(groups: initial.ruleGroups, historyByteLimit: historyByteLimit)
        evaluator.externalURL = options.externalURL
        self.appliedAlerting = initial.alerting
        let first = try Notifier(
            configuration: initial.alerting, alertmanager: alertmanager, options: options,
            logger: logger)
        // After a restart with --storage.path, alerts still true keep their activeAt and firedAt.
        evaluator.restore(first.restoredActivity)
        try first.start()
        self.notifier = Mutex(first)
        self.reloadStatus = Mutex((true, wallClockNow()))
    }

    /// Re-reads the files. Returns nil on success, else the reason (the old configuration stays).
    @discardableResult
    public func reload() -> String? {
        do {
            let loaded = try LoadedAlertingConfig.load(
                rulePatterns: rulePatterns, alertingConfigFile: alertingConfigFile)
            for warning in loaded.warnings { logger.warning("\(warning)") }
            pending.withLock { $0 = loaded }
            reloadStatus.withLock { $0 = (true, wallClockNow()) }
            logger.info("configuration reloaded", metadata: ["rules": "\(loaded.ruleCount)"])
            return nil
        } catch {
            reloadStatus.withLock { $0.successful = false }
            logger.error(
                "configuration reload failed; keeping the previous configuration", metadata: ["err": "\(error)"])
            return "\(error)"
        }
    }

    /// Poller thread: applies a pending reload, evaluates the rules against this poll's series,
    /// notifies, and returns the alerting metric families to render with them.
    public func evaluate(families: [MetricFamily], now: Double) -> [MetricFamily] {
        if let loaded = pending.withLock({ value -> LoadedAlertingConfig? in
            defer { value = nil }
            return value
        }) {
            apply(loaded)
        }
        let alerts = evaluator.evaluate(families: families, now: now)
        for error in evaluator.lastErrors {
            logger.warning(
                "rule evaluation failed",
                metadata: ["group": "\(error.group)", "rule": "\(error.rule)", "err": "\(error.message)"])
        }
        alertsJSON.withLock { $0 = AlertsAPI.json(alerts) }
        lastAlerts.withLock { $0 = alerts }
        let current = notifier.withLock { $0 }
        let pending = Set(alerts.filter { $0.state == .pending }.map(\.fingerprint))
        current?.update(
            alerts: NotifiableAlert.from(alerts, externalURL: options.externalURL, rules: evaluator.ruleGroups),
            pending: pending, activity: evaluator.activity, now: now)
        var out = evaluator.metricFamilies(now: now)
        let status = reloadStatus.withLock { $0 }
        out.append(MetricFamily(.configLastReloadSuccessful, value: status.successful ? 1 : 0))
        out.append(MetricFamily(.configLastReloadSuccessTimestampSeconds, value: status.timestamp))
        out += current?.metricFamilies() ?? []
        out += silenceMetricFamilies(now: now)
        return out
    }

    /// The alerts as of the last evaluation (the status page's alerts section).
    public var currentAlerts: [Alert] { lastAlerts.withLock { $0 } }
    /// Mutes alerts with `store`'s silences from now on (the notifier follows every change).
    public func attach(silences store: SilenceStore) {
        silences.withLock { $0 = store }
        guard let current = notifier.withLock({ $0 }) else { return }
        store.onChange { list, now in current.setSilences(list, now: now) }
    }

    /// The latest alerts with what mutes each (`GET /api/v2/alerts`).
    public func alertStatus() -> (alerts: [NotifiableAlert], mutes: MuteStatus, receivers: [String: [String]])? {
        notifier.withLock { $0 }?.alertStatus()
    }

    /// The silence store's families and `celery_redis_alerts_suppressed{reason}`.
    private func silenceMetricFamilies(now: Double) -> [MetricFamily] {
        guard let store = silences.withLock({ $0 }) else { return [] }
        var silenced = 0
        var inhibited = 0
        if let status = alertStatus() {
            for a in status.alerts where !a.isResolved(at: now) {
                if status.mutes.silencedBy[a.fingerprint] != nil { silenced += 1 }
                if status.mutes.inhibitedBy[a.fingerprint] != nil { inhibited += 1 }
            }
        }
        return store.metricFamilies(now: now) + [
            MetricFamily(
                .alertsSuppressed,
                samples: [
                    Sample(labels: [Label("reason", "inhibited")], value: Double(inhibited)),
                    Sample(labels: [Label("reason", "silenced")], value: Double(silenced)),
                ])
        ]
    }

    /// The JSON of `GET /api/v1/alerts` as of the last evaluation.
    public var alertsAPIBody: [UInt8] { alertsJSON.withLock { $0 } }

    /// Stops the notifier, giving pending notifications until `deadline`; logs what was not delivered.
    public func shutdown(deadline: Deadline) {
        silences.withLock { $0 }?.stop()
        guard let current = notifier.withLock({ $0 }) else { return }
        report(current.drain(deadline: deadline), context: "shutdown")
    }

    private func apply(_ loaded: LoadedAlertingConfig) {
        evaluator.replaceRules(loaded.ruleGroups)
        guard loaded.alerting != appliedAlerting else { return }
        // Receivers changed: reconfigure the notifier in place, so every receiver still configured
        // keeps what it was told, its owed resolves, its pending notifications, its thread and
        // its counters (Alertmanager keeps its notification log across reloads).
        do {
            if let current = notifier.withLock({ $0 }) {
                try current.reload(configuration: loaded.alerting)
            }
            appliedAlerting = loaded.alerting
        } catch {
            reloadStatus.withLock { $0.successful = false }
            logger.error(
                "cannot apply the reloaded alerting configuration; keeping the previous one",
                metadata: ["err": "\(error)"])
        }
    }

    private func report(_ report: DrainReport, context: String) {
        let count = report.undelivered.values.reduce(0) { $0 + $1.count }
        if count > 0 || report.unpushedAlertBatches > 0 {
            logger.error(
                "notifications not delivered before the deadline",
                metadata: [
                    "context": "\(context)", "notifications": "\(count)",
                    "alertmanager_batches": "\(report.unpushedAlertBatches)",
                ])
        }
    }
}
