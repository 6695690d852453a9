import Exposition

/// Families shared by the golden, promtool and rendering tests.
enum ExpositionFixtures {
    /// A gauge with labels, a counter, a histogram and a gauge with a unit.
    static let basic: [MetricFamily] = [
        MetricFamily(
            name: "celery_redis_queue_length", help: "Messages waiting in each queue, summed over priorities.",
            type: .gauge,
            samples: [
                Sample(labels: [Label("queue", "celery")], value: 3),
                Sample(labels: [Label("queue", "default")], value: 0),
            ]),
        MetricFamily(
            name: "celery_redis_poll_errors", help: "Polls that failed, by stage.", type: .counter,
            samples: [
                Sample(labels: [Label("stage", "connect")], value: 2),
                Sample(labels: [Label("stage", "scan")], value: 0),
            ]),
        MetricFamily.histogram(
            name: "celery_redis_task_runtime_seconds", help: "Task run time.", unit: "seconds",
            series: [
                HistogramSeries(
                    labels: [Label("queue", "celery")], buckets: [(0.5, 1), (1, 3), (2.5, 4)], sum: 4.25, count: 5)
            ]),
        MetricFamily(
            name: "celery_redis_poll_duration_seconds",
            help: "Duration of the last poll. Values are cached and refreshed once per poll, not per scrape.",
            type: .gauge, unit: "seconds", samples: [Sample(value: 0.0123)]),
    ]

    /// A queue name with every character that needs escaping, and one from invalid UTF-8.
    static let escaping: [MetricFamily] = [
        MetricFamily(
            name: "celery_redis_unacked_tasks", help: "Line one\nsays \"hi\" with a back\\slash.", type: .gauge,
            samples: [
                Sample(labels: [Label("queue", "a\\b")], value: 1),
                Sample(labels: [Label("queue", "say \"hi\"")], value: 2),
                Sample(labels: [Label("queue", "two\nlines")], value: 3),
                Sample(labels: [Label("queue", Label.sanitizedLabelValue([0x71, 0xFF, 0x65, 0xC3]))], value: 4),
                Sample(labels: [Label("queue", "ünïcødé ✓")], value: 5),
            ])
    ]
}

extension Array where Element == UInt8 {
    /// The bytes as a String (test convenience).
    var text: String { String(decoding: self, as: UTF8.self) }
}
