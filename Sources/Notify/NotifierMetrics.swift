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
        /// An attempt failed and another was scheduled.
        case retry
        /// Given up: rejected (4xx), retry window exhausted, or undelivered at shutdown.
        case failed
        /// Not queued because the receiver's queue was full.
        case dropped
    }

    private struct Counters {
        var results: [Result: Double] = [:]
        var lastSuccess: Double?
    }

    private let counters: Mutex<[String: Counters]>
    /// Queue length per receiver, provided by the owner of the queues at scrape time.
    private let queueLengths: @Sendable () -> [String: Int]

    /// Metrics for `receivers`, with queue lengths read through `queueLengths`.
    public init(receivers: [String], queueLengths: @escaping @Sendable () -> [String: Int]) {
        var initial: [String: Counters] = [:]
        for r in receivers {
            initial[r] = Counters(results: Dictionary(uniqueKeysWithValues: Result.allCases.map { ($0, 0) }))
        }
        counters = Mutex(initial)
        self.queueLengths = queueLengths
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

    /// The three families: `celery_redis_notifications_total{receiver,result}`,
    /// `celery_redis_notification_queue_length{receiver}`,
    /// `celery_redis_notification_last_success_timestamp_seconds{receiver}` (only for receivers
    /// that have had a success, since 0 would read as "1970").
    public func metricFamilies() -> [MetricFamily] {
        let snapshot = counters.withLock { $0 }
        let lengths = queueLengths()
        let receivers = Set(snapshot.keys).union(lengths.keys).sorted()
        var totals: [Sample] = []
        var queue: [Sample] = []
        var success: [Sample] = []
        for r in receivers {
            for result in Result.allCases {
                totals.append(
                    Sample(
                        labels: [Label("receiver", r), Label("result", result.rawValue)],
                        value: snapshot[r]?.results[result] ?? 0))
            }
            queue.append(Sample(labels: [Label("receiver", r)], value: Double(lengths[r] ?? 0)))
            if let t = snapshot[r]?.lastSuccess { success.append(Sample(labels: [Label("receiver", r)], value: t)) }
        }
        return [
            MetricFamily(
                name: "celery_redis_notifications",
                help: "Alert notifications by receiver and result: success, "
                    + "retry (an attempt failed and was rescheduled), failed (given up), dropped (queue full).",
                type: .counter, samples: totals),
            MetricFamily(
                name: "celery_redis_notification_queue_length",
                help: "Notifications waiting for delivery (including the one being attempted), by receiver.",
                type: .gauge, samples: queue),
            MetricFamily(
                name: "celery_redis_notification_last_success_timestamp_seconds",
                help: "Unix time of the last successful delivery, by receiver.", type: .gauge, unit: "seconds",
                samples: success),
        ]
    }
}
