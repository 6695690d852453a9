import Logging
import Sockets

extension ResultCensus {
    /// The census of one target's result backend, or nil when `configuration.censusEnabled` is off.
    /// Its owner (the exporter's target runtime) runs it on its own thread and connection, feeds it
    /// live result writes, and hands it to that target's ``Sampler``, which only reads it.
    public static func forTarget(_ configuration: CeleryConfiguration, logger: Logger) -> ResultCensus? {
        guard configuration.censusEnabled else { return nil }
        return ResultCensus(
            configuration: configuration,
            layout: KombuKeyLayout(prefix: configuration.keyPrefix, separator: configuration.separator),
            maxBindingTables: QueueDiscovery.bindingTableBound(maxKnownQueues: configuration.maxKnownQueues),
            epoch: WallClock.now(), logger: logger)
    }
}
