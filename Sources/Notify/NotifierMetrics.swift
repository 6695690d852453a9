import Exposition
import Synchronization

/// Delivery counters per receiver, shared by the delivery threads and read by scrapes.
///
/// Every configured receiver has all four `result` series from the start (at 0), so a rate over
/// `failed` or `dropped` works before the first failure.
public final class NotifierMetrics: Sendable {
    /// The `result` label values of `celery_redis_notifications_total`.
    public enum Result: String, Sendable, CaseIterable {
        /// Delivered (2xx, or `ok` from Slack).
        case success
        /// An attempt failed (the receiver answered with an error or could not be reached) and
        /// another was scheduled; for Alertmanager's API, a push that is repeated next poll.
        case retry
        /// The request may have reached the receiver but no answer came (timeout, broken
        /// connection); retried with the same `webhook-id`.
        case unknown
        /// Given up: rejected (4xx; the group is sent again at its next flush), or still
        /// pending at shutdown without `--storage.path`.
        case failed
        /// Not kept because pending notifications were over the byte budget; the group is made
        /// again at its next flush.
        case dropped
    }

    private struct Counters {
        var results: [Result: Double] = [:]
        var lastSuccess: Double?
    }

    private let counters: Mutex<[String: Counters]>
    /// Delivery gauges, provided by the owner of the schedulers at scrape time.
    private let gauges: @Sendable () -> DeliveryGauges

    /// Metrics for `receivers`, with gauges read through `gauges`.
    public init(receivers: [String], gauges: @escaping @Sendable () -> DeliveryGauges) {
        var initial: [String: Counters] = [:]
        for r in receivers {
            initial[r] = Counters(results: Dictionary(uniqueKeysWithValues: Result.allCases.map { ($0, 0) }))
        }
        counters = Mutex(initial)
        self.gauges = gauges
    }

    /// Counts one `result` for `receiver` (at wall time `now` for successes).
    public func record(_ result: Result, receiver: String, now: Double) {
        counters.withLock { all in
            all[receiver, default: Counters(results: Dictionary(uniqueKeysWithValues: Result.allCases.map { ($0, 0) }))]
                .results[result, default: 0] += 1
            if result == .success { all[receiver]!.lastSuccess = now }
        }
    }

    /// The current count of `result` for `receiver` (tests and drain reports).
    public func count(_ result: Result, receiver: String) -> Double {
        counters.withLock { $0[receiver]?.results[result] ?? 0 }
    }

    /// Adds the receivers of a reloaded configuration (existing counters are kept).
    public func add(receivers: [String]) {
        counters.withLock { all in
            for r in receivers where all[r] == nil {
                all[r] = Counters(results: Dictionary(uniqueKeysWithValues: Result.allCases.map { ($0, 0) }))
            }
        }
    }

    /// The families: `celery_redis_notifications_total{receiver,result}`,
    /// `celery_redis_notification_pending_groups{receiver}`,
    /// `celery_redis_notification_owed_resolves{receiver}`,
    /// `celery_redis_notification_pending_bytes` and its budget,
    /// `celery_redis_notification_last_success_timestamp_seconds{receiver}` (only for receivers
    /// that have had a success, since 0 would read as "1970").
    public func metricFamilies() -> [MetricFamily] {
        let snapshot = counters.withLock { $0 }
        let g = gauges()
        let lengths = g.pendingGroups
        let receivers = Set(snapshot.keys).union(lengths.keys).sorted()
        var totals: [Sample] = []
        var queue: [Sample] = []
        var owed: [Sample] = []
        var success: [Sample] = []
        for r in receivers {
            for result in Result.allCases {
                totals.append(
                    Sample(
                        labels: [Label("receiver", r), Label("result", result.rawValue)],
                        value: snapshot[r]?.results[result] ?? 0))
            }
            queue.append(Sample(labels: [Label("receiver", r)], value: Double(lengths[r] ?? 0)))
            owed.append(Sample(labels: [Label("receiver", r)], value: Double(g.owedResolves[r] ?? 0)))
            if let t = snapshot[r]?.lastSuccess { success.append(Sample(labels: [Label("receiver", r)], value: t)) }
        }
        return [
            MetricFamily(.notifications, samples: totals),
            MetricFamily(.notificationPendingGroups, samples: queue),
            MetricFamily(.notificationOwedResolves, samples: owed),
            MetricFamily(.notificationPendingBytes, value: Double(g.bytes)),
            MetricFamily(.notificationPendingBudgetBytes, value: Double(g.budget)),
            MetricFamily(.notificationLastSuccessTimestampSeconds, samples: success),
        ]
    }
}

/// The delivery gauges of one scrape.
public struct DeliveryGauges: Sendable {
    /// Groups with a notification pending, by receiver.
    public var pendingGroups: [String: Int] = [:]
    /// Owed resolves, by receiver.
    public var owedResolves: [String: Int] = [:]
    /// Bytes held by pending notifications.
    public var bytes = 0
    /// The byte budget.
    public var budget = 0

    /// Empty gauges.
    public init() {}
}
