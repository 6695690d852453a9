import Exposition
import Redis

extension SentinelResolver {
    /// The Sentinel metric families: the master in use, failovers followed, answers not used.
    func metricFamilies() -> [MetricFamily] {
        let statistics = self.statistics
        let name = configuration.masterName
        return [
            MetricFamily(.sentinelMasterInfo, samples: statistics.master.map {
                [Sample(labels: [Label("master", name), Label("address", "\($0)")], value: 1)]
            } ?? []),
            MetricFamily(
                .sentinelFailovers,
                samples: [Sample(labels: [Label("master", name)], value: Double(statistics.failovers))]),
            MetricFamily(.sentinelQueryFailures, samples: FailureReason.allCases.map { reason in
                Sample(labels: [Label("master", name), Label("reason", reason.rawValue)],
                       value: Double(statistics.failures[reason] ?? 0))
            }),
        ]
    }
}
