import Exposition
import Redis

extension SentinelResolver {
    /// The Sentinel metric families: the master in use, failovers followed, answers not used.
    func metricFamilies() -> [MetricFamily] {
        let statistics = self.statistics
        let name = configuration.masterName
        return [
            MetricFamily(
                name: "celery_redis_sentinel_master_info",
                help: "The Redis master the exporter uses, as named by Sentinel and confirmed by ROLE (value 1); "
                    + "absent until the first resolution succeeds.",
                type: .gauge,
                samples: statistics.master.map {
                    [Sample(labels: [Label("master", name), Label("address", "\($0)")], value: 1)]
                } ?? []),
            MetricFamily(
                name: "celery_redis_sentinel_failovers",
                help: "Times the Redis master changed since start-up (the exporter followed it without a restart).",
                type: .counter, samples: [Sample(labels: [Label("master", name)], value: Double(statistics.failovers))]),
            MetricFamily(
                name: "celery_redis_sentinel_query_failures",
                help: "Sentinel answers not used, by reason: unreachable (connect, auth or timeout), unknown_master, "
                    + "bad_reply (not a plausible host and port), not_master (the named server's ROLE is not master).",
                type: .counter,
                samples: FailureReason.allCases.map { reason in
                    Sample(labels: [Label("master", name), Label("reason", reason.rawValue)],
                           value: Double(statistics.failures[reason] ?? 0))
                }),
        ]
    }
}
