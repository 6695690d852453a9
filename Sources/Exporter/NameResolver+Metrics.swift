import Exposition
import Sockets

extension NameResolver.Statistics {
    /// The resolver's metric families: how many lookups run now (a stuck resolver shows here),
    /// how often a caller gave up waiting, how often the cap refused one.
    /// `cap` is the resolver's ``NameResolver/maxLookupsInFlight``, named in the HELP text.
    func metricFamilies(cap: Int) -> [MetricFamily] {
        [
            MetricFamily(
                name: "celery_redis_name_lookups_in_flight",
                help: "Host name lookups (getaddrinfo, for webhook receivers and Redis) running now on their own "
                    + "threads, abandoned ones included. At most \(cap); past that lookups fail at once.",
                type: .gauge, samples: [Sample(value: Double(lookupsInFlight))]),
            MetricFamily(
                name: "celery_redis_name_lookups",
                help: "Host name lookups started on a lookup thread (IP literals need none).",
                type: .counter, samples: [Sample(value: Double(lookupsStarted))]),
            MetricFamily(
                name: "celery_redis_name_lookup_waits_abandoned",
                help: "Waits for a host name lookup that ended at the caller's deadline or shutdown while the lookup "
                    + "still ran (the resolver is slower than the timeout; its answer is kept 30 s for the next try).",
                type: .counter, samples: [Sample(value: Double(waitsAbandoned))]),
            MetricFamily(
                name: "celery_redis_name_lookups_rejected",
                help: "Host name lookups refused because \(cap) were already running (the resolver is not answering).",
                type: .counter, samples: [Sample(value: Double(lookupsRejected))]),
        ]
    }
}
