import Alerting
import HTTP
import JSON
import Logging
import Sockets
import TLS

/// Pushes alerts to a real Alertmanager's `POST /api/v2/alerts` (`--alertmanager.url`), the way
/// Prometheus does, so several exporter replicas are deduplicated by Alertmanager.
///
/// Prometheus's rules (`rules/alerting.go`, `notifier`): a firing alert is sent when it first
/// fires and then every `resendDelay` (1 min), with `endsAt` = now + 4 × `resendDelay` so
/// Alertmanager resolves it by itself if the exporter dies; a resolved alert is sent with its
/// `endsAt` at once and then every `resendDelay` for 15 minutes. Pending alerts are never sent.
///
/// One attempt per batch, on the pusher's own thread; if an evaluation produces a batch while
/// another is still waiting, the two are merged (Alertmanager's API is idempotent, and the
/// newest state of each alert wins). A failed push is counted `failed` under receiver
/// `alertmanager-api`, and its alerts are sent again with the next evaluation.
///
/// Silences: the exporter's silences (`amtool silence add` against the exporter) are the
/// user's word that an alert must not page, and Alertmanager does not know them, so a
/// silenced alert is withheld: never pushed as firing while silenced. One that Alertmanager
/// was already told is firing is withdrawn at once (pushed with `endsAt` = now, as it would
/// lapse by itself within 4 × `resendDelay` otherwise; Alertmanager treats either as a
/// resolve). When the silence ends and the alert still fires, it is pushed again at once (with
/// its own `startsAt`). A resolve is pushed only for an alert Alertmanager may have been told
/// is firing: an alert silenced for its whole life leaves no trace there. Inhibition is not
/// applied here: Alertmanager applies its own `inhibit_rules` to what it receives.
public final class AlertmanagerPusher: Sendable {
    /// The `receiver` label of the pusher's delivery metrics.
    public static let receiverLabel = "alertmanager-api"

    /// Where and how to push.
    public struct Configuration: Sendable {
        /// The Alertmanager base URL (`http://alertmanager:9093`); `/api/v2/alerts` is appended.
        public var url: HTTPClientURL
        /// TLS settings for an `https://` URL.
        public var tls: TLSClientConfiguration
        /// Seconds between re-sends of an unchanged alert (Prometheus's `--rules.alert.resend-delay`).
        public var resendDelay: Double
        /// Seconds one push may take.
        public var timeout: Double

        /// Parses the base URL; throws ``HTTPClientError/invalidURL(reason:)``.
        public init(
            baseURL: String, tls: TLSClientConfiguration = TLSClientConfiguration(), resendDelay: Double = 60,
            timeout: Double = 10
        ) throws(HTTPClientError) {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            self.url = try HTTPClientURL(base + "/api/v2/alerts")
            self.tls = tls
            self.resendDelay = resendDelay
            self.timeout = timeout
        }
    }

    struct Tracked {
        var alert: NotifiableAlert
        var lastSent: Double?
        /// When it stopped being shown firing (resolved, or withdrawn by a silence); nil while
        /// shown firing.
        var resolvedAt: Double?
        /// Alertmanager may hold it as firing: a firing push was queued (or, for an alert first
        /// seen resolved, may have been before a restart). Resolves are pushed only then.
        var announced: Bool
    }

    private struct State {
        var tracked: [String: Tracked] = [:]
        var pending: [String: NotifiableAlert] = [:]
        var pendingNow: Double = 0
        var sending = false
        var stopping = false
        var deadline: Int64?
        var thread: NativeThread?
        var finished = false
    }

    /// The configuration.
    public let configuration: Configuration
    private let tls: TLSClientContext?
    private let metrics: NotifierMetrics
    private let logger: Logger
    private let clock: @Sendable () -> Double
    private let state = Monitor(State())
    /// Cancelled at the drain deadline, so a push stuck on a silent Alertmanager ends there.
    private let cancellation = CancellationToken()
    private static let resolvedRetention: Double = 15 * 60

    /// Creates a pusher recording into `metrics`.
    public init(
        configuration: Configuration, metrics: NotifierMetrics, logger: Logger,
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) throws {
        self.configuration = configuration
        self.tls = configuration.url.isTLS ? try TLSClientContext(configuration.tls) : nil
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
    }

    /// Batches waiting to be pushed (0 or 1) plus one being pushed.
    public var pendingCount: Int {
        state.withLock { ($0.pending.isEmpty ? 0 : 1) + ($0.sending ? 1 : 0) }
    }

    /// Starts the push thread.
    public func start() throws {
        try state.withLock { s in
            guard s.thread == nil, !s.stopping else { return }
            s.thread = try NativeThread.spawn(name: "notify-am-push") { [self] in run() }
        }
    }

    /// Takes the current alert list (firing ones, plus resolved ones the evaluator still reports)
    /// and queues those due for (re)sending; alerts whose fingerprints are in `silenced` are
    /// withheld (see the type's documentation).
    public func push(alerts: [NotifiableAlert], silenced: Set<String> = [], now: Double) {
        let queued = state.withLock { s -> Bool in
            guard !s.stopping else { return false }
            let batch = AlertmanagerPusher.due(
                &s.tracked, alerts: alerts, silenced: silenced, now: now, resendDelay: configuration.resendDelay)
            guard !batch.isEmpty else { return false }
            for a in batch { s.pending[a.fingerprint] = a }
            s.pendingNow = now
            return true
        }
        if queued { state.broadcast() }
    }

    /// Updates the tracking table and returns the alerts to send now (pure, for tests).
    static func due(
        _ tracked: inout [String: Tracked], alerts: [NotifiableAlert], silenced: Set<String> = [], now: Double,
        resendDelay: Double
    ) -> [NotifiableAlert] {
        var seen = Set<String>()
        for a in alerts {
            seen.insert(a.fingerprint)
            let resolved = a.isResolved(at: now)
            let showFiring = !resolved && !silenced.contains(a.fingerprint)
            // New: a silenced alert is unknown to Alertmanager; a resolved one may be known
            // (told before a restart), so its resolve is sent as before silences existed.
            var t = tracked[a.fingerprint] ?? Tracked(alert: a, announced: !silenced.contains(a.fingerprint))
            let wasFiring = tracked[a.fingerprint] != nil && t.resolvedAt == nil
            t.alert = a
            if showFiring {
                if !wasFiring { t.lastSent = nil }  // fires (again): send now
                t.resolvedAt = nil
                t.announced = true
            } else if wasFiring || tracked[a.fingerprint] == nil {
                // Stopped being shown firing: resolved, or withdrawn by a silence now.
                t.resolvedAt = resolved ? (a.endsAt ?? now) : now
                t.lastSent = nil
            }
            tracked[a.fingerprint] = t
        }
        for (fp, t) in tracked where !seen.contains(fp) && t.resolvedAt == nil {
            tracked[fp]!.resolvedAt = now
            tracked[fp]!.alert.endsAt = now
            tracked[fp]!.lastSent = nil
        }
        var out: [NotifiableAlert] = []
        for (fp, t) in tracked.sorted(by: { $0.key < $1.key }) {
            if let r = t.resolvedAt, now - r > resolvedRetention {
                tracked[fp] = nil
                continue
            }
            guard t.announced, t.lastSent.map({ now - $0 >= resendDelay }) ?? true else { continue }
            var a = t.alert
            // Valid until (resent before); a withdrawn or resolved alert ends when it stopped
            // being shown firing.
            a.endsAt = t.resolvedAt ?? now + 4 * resendDelay
            out.append(a)
            tracked[fp]!.lastSent = now
        }
        return out
    }

    /// The API body: a JSON array of `{labels, annotations, startsAt, endsAt, generatorURL}`.
    public static func encode(_ alerts: [NotifiableAlert]) -> [UInt8] {
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.raw("[")
        for (i, a) in alerts.enumerated() {
            if i > 0 { w.raw(",") }
            w.object([
                ("labels", { $0.stringMap(a.labels) }),
                ("annotations", { $0.stringMap(a.annotations) }),
                ("startsAt", { $0.string(RFC3339.format(a.startsAt)) }),
                ("endsAt", { $0.string(a.endsAt.map(RFC3339.format) ?? WebhookPayload.zeroTime) }),
                ("generatorURL", { $0.string(a.generatorURL) }),
            ])
        }
        w.raw("]")
        return w.bytes
    }

    private func run() {
        while true {
            let batch = state.wait(
                untilNanoseconds: nil, for: { !$0.pending.isEmpty || $0.stopping },
                then: { s -> [NotifiableAlert]? in
                    if s.pending.isEmpty { return nil }
                    if let d = s.deadline, MonotonicClock.nanoseconds() >= d { return nil }
                    s.sending = true
                    let b = s.pending.values.sorted { $0.fingerprint < $1.fingerprint }
                    s.pending = [:]
                    return b
                })
            guard let batch else {
                state.withLock { $0.finished = true }
                state.broadcast()
                return
            }
            var timeout = configuration.timeout
            if let d = state.withLock({ $0.deadline }) {
                timeout = min(timeout, Double(max(d - MonotonicClock.nanoseconds(), 1_000_000)) / 1e9)
            }
            let now = clock()
            let result = HTTPDelivery.post(
                AlertmanagerPusher.encode(batch), headers: HTTPHeaders([("Content-Type", "application/json")]),
                to: configuration.url, tls: tls, timeout: .milliseconds(Int64(timeout * 1000)),
                cancellation: cancellation, now: now)
            let ok = result.decision == .success
            // A failed push is repeated with the next evaluation: a retry, not a loss.
            metrics.record(ok ? .success : .retry, receiver: AlertmanagerPusher.receiverLabel, now: clock())
            state.withLock { s in
                s.sending = false
                if !ok {
                    // Send these again with the next evaluation.
                    for a in batch { s.tracked[a.fingerprint]?.lastSent = nil }
                    if cancellation.isCancelled {
                        // Cut at the shutdown deadline: still unpushed (drain reports it).
                        for a in batch where s.pending[a.fingerprint] == nil { s.pending[a.fingerprint] = a }
                    }
                }
            }
            if ok {
                logger.debug("alerts pushed to Alertmanager", metadata: ["alerts": "\(batch.count)"])
            } else {
                logger.error(
                    "pushing alerts to Alertmanager failed",
                    metadata: [
                        "url": "\(configuration.url.redacted)", "detail": "\(result.detail)",
                        "alerts": "\(batch.count)",
                    ])
            }
        }
    }

    /// Pushes what is waiting until `deadline`, stops the thread, and returns the number of
    /// batches not pushed (0 or 1).
    public func drain(deadline: Deadline) -> Int {
        let thread = state.withLock { s -> NativeThread? in
            s.stopping = true
            s.deadline = deadline.nanoseconds
            return s.thread
        }
        state.broadcast()
        // A push still running at the deadline is cut there (it ends within milliseconds).
        cancellation.cancel(at: deadline)
        let finished = state.wait(
            untilNanoseconds: deadline.nanoseconds + 200_000_000, for: { $0.finished || $0.thread == nil },
            then: { $0.finished })
        if finished { thread?.join() }
        return state.withLock { s in
            let left = s.pending.isEmpty ? 0 : 1
            if left > 0 { metrics.record(.failed, receiver: AlertmanagerPusher.receiverLabel, now: clock()) }
            s.pending = [:]
            return left
        }
    }
}
