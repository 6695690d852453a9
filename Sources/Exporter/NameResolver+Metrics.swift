import Exposition
import Sockets

extension NameResolver.Statistics {
    /// The resolver's metric families: how many lookups run now (a stuck resolver shows here),
    /// how often a caller gave up waiting, how often the cap refused one.
    func metricFamilies() -> [MetricFamily] {
        [
            MetricFamily(.nameLookupsInFlight, value: Double(lookupsInFlight)),
            MetricFamily(.nameLookups, value: Double(lookupsStarted)),
            MetricFamily(.nameLookupWaitsAbandoned, value: Double(waitsAbandoned)),
            MetricFamily(.nameLookupsRejected, value: Double(lookupsRejected)),
        ]
    }
}
