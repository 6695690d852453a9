import Exposition
import Redis

extension SentinelResolver {
    /// The Sentinel metric families of a target's resolvers, each family once: the master in use,
    /// failovers followed, answers not used. `connection` (`broker`, `result_backend`) tells the
    /// resolvers apart: two Sentinel deployments may both call their master `mymaster`.
    static func metricFamilies(_ resolvers: [(resolver: SentinelResolver, connection: String)]) -> [MetricFamily] {
        guard !resolvers.isEmpty else { return [] }
        var masters: [Sample] = []
        var failovers: [Sample] = []
        var failures: [Sample] = []
        for (resolver, connection) in resolvers {
            let statistics = resolver.statistics
            let name = resolver.configuration.masterName
            if let master = statistics.master {
                masters.append(
                    Sample(
                        labels: [
                            Label("connection", connection), Label("master", name), Label("address", "\(master)"),
                        ],
                        value: 1))
            }
            failovers.append(
                Sample(
                    labels: [Label("connection", connection), Label("master", name)],
                    value: Double(statistics.failovers)))
            failures += FailureReason.allCases.map { reason in
                Sample(
                    labels: [Label("connection", connection), Label("master", name), Label("reason", reason.rawValue)],
                    value: Double(statistics.failures[reason] ?? 0))
            }
        }
        return [
            MetricFamily(.sentinelMasterInfo, samples: masters),
            MetricFamily(.sentinelFailovers, samples: failovers),
            MetricFamily(.sentinelQueryFailures, samples: failures),
        ]
    }
}
