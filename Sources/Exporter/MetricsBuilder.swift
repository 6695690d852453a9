import Celery
import Exposition

/// The exporter's own counters that outlive a single poll (owned by the poller thread).
public struct PollCounters: Sendable, Equatable {
    /// Failed polls per stage; every stage is present from the start so the series exist at 0.
    public var errorsByStage: [PollStage: UInt64] = Dictionary(uniqueKeysWithValues: PollStage.allCases.map { ($0, 0) })
    /// Redis error replies (WRONGTYPE and the like) per stage, summed over polls.
    public var commandErrorsByStage: [PollStage: UInt64] = Dictionary(uniqueKeysWithValues: PollStage.allCases.map { ($0, 0) })
    /// Unix time the last poll finished, whatever its outcome.
    public var lastPollTimestamp: Double?
    /// Unix time the last successful poll finished.
    public var lastSuccessTimestamp: Double?

    public init() {}
}

/// Turns one ``Snapshot`` (plus the exporter's own counters) into metric families: the single
/// place that knows every metric name, type and HELP text. Metric names are a public contract
/// (dashboards, rules): change them only with a CHANGELOG entry.
public enum MetricsBuilder {
    /// Metric families for one poll. On a failed poll only `up 0` and the exporter's own metrics
    /// are emitted: per-queue values are omitted rather than served stale.
    public static func families(for snapshot: Snapshot?, counters: PollCounters) -> [MetricFamily] {
        var families: [MetricFamily] = []
        let succeeded = snapshot?.succeeded ?? false
        families.append(MetricFamily(
            name: "celery_redis_up",
            help: "1 when the last poll of Redis succeeded, 0 when it failed (queue series are then omitted, not served stale).",
            type: .gauge, samples: [Sample(value: succeeded ? 1 : 0)]))

        if let snapshot, snapshot.succeeded {
            families += queueFamilies(snapshot)
        }

        if let snapshot {
            families.append(MetricFamily(
                name: "celery_redis_poll_duration_seconds",
                help: "Wall time of the last poll of Redis. Metrics are sampled once per poll interval and cached; a scrape never queries Redis.",
                type: .gauge, unit: "seconds", samples: [Sample(value: snapshot.pollDuration)]))
        }
        if let last = counters.lastPollTimestamp {
            families.append(MetricFamily(
                name: "celery_redis_last_poll_timestamp_seconds",
                help: "Unix time the last poll of Redis finished, successful or not. All other values are as of this poll (cached between polls).",
                type: .gauge, unit: "seconds", samples: [Sample(value: last)]))
        }
        if let last = counters.lastSuccessTimestamp {
            families.append(MetricFamily(
                name: "celery_redis_last_successful_poll_timestamp_seconds",
                help: "Unix time the last successful poll of Redis finished.",
                type: .gauge, unit: "seconds", samples: [Sample(value: last)]))
        }
        families.append(MetricFamily(
            name: "celery_redis_poll_errors",
            help: "Failed polls of Redis, by the stage that failed (connect, discovery, queues, unacked).",
            type: .counter,
            samples: PollStage.allCases.map { Sample(labels: [Label("stage", $0.rawValue)], value: Double(counters.errorsByStage[$0] ?? 0)) }))
        families.append(MetricFamily(
            name: "celery_redis_command_errors",
            help: "Redis error replies to individual commands (e.g. WRONGTYPE: a key named like a queue holds another type) by stage; the poll itself still succeeds and the key reads 0.",
            type: .counter,
            samples: PollStage.allCases.filter { $0 != .connect }.map { Sample(labels: [Label("stage", $0.rawValue)], value: Double(counters.commandErrorsByStage[$0] ?? 0)) }))
        families.append(MetricFamily(
            name: "celery_redis_build_info",
            help: "Always 1; the version label tells which celery-redis-exporter build is running.",
            type: .gauge, samples: [Sample(labels: [Label("version", ExporterVersion.version)], value: 1)]))
        return families
    }

    private static func queueFamilies(_ snapshot: Snapshot) -> [MetricFamily] {
        let queues = snapshot.queues
        func perQueue(_ value: (QueueSnapshot) -> Double) -> [Sample] {
            queues.map { Sample(labels: [Label("queue", $0.name)], value: value($0)) }
        }
        return [
            MetricFamily(
                name: "celery_redis_queue_length",
                help: "Messages waiting in the queue's Redis lists, all priority levels summed (0 when Redis has deleted the empty list).",
                type: .gauge, samples: perQueue { Double($0.length) }),
            MetricFamily(
                name: "celery_redis_unacked_tasks",
                help: "Tasks delivered to workers and not yet acknowledged (kombu's unacked hash): prefetched, ETA/countdown-held, and running under acks_late.",
                type: .gauge, samples: perQueue { Double($0.unacked) }),
            MetricFamily(
                name: "celery_redis_unacked_oldest_age_seconds",
                help: "Seconds since a worker fetched the oldest unacknowledged task of the queue (0 when there is none).",
                type: .gauge, unit: "seconds", samples: perQueue { $0.unackedOldestAge ?? 0 }),
            MetricFamily(
                name: "celery_redis_unacked_stranded_tasks",
                help: "Unacknowledged tasks fetched longer ago than the visibility timeout: their worker likely died, and no live worker has restored them yet.",
                type: .gauge, samples: perQueue { Double($0.stranded) }),
            MetricFamily(
                name: "celery_redis_unacked_unclassified_tasks",
                help: "Unacknowledged tasks not attributed to a queue in this poll (beyond the sample limit, not yet decoded, or undecodable); with the per-queue series they sum to all unacked tasks.",
                type: .gauge, samples: [Sample(value: Double(snapshot.unackedUnclassified))]),
        ]
    }
}
