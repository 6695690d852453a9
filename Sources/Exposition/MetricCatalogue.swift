/// Every metric family the exporter serves, declared once as a ``MetricDescriptor``: the one place
/// that knows a metric's name, type, unit, labels and HELP text. Metric names are a public contract
/// (dashboards, rules, the README's metric tables, all checked against this list by
/// `MetricCatalogueTests`): change them only with a CHANGELOG entry.
///
/// The descriptors are static members of ``MetricDescriptor`` (`.queueLength` is
/// `celery_redis_queue_length`: the name without the namespace, in lowerCamelCase), declared in one
/// file per area (`MetricCatalogue+Queues.swift`, …) and listed in that area's array here.
/// Emitting code builds families with ``MetricFamily/init(_:samples:)``, never with a name of its own.
public enum MetricCatalogue {
    /// The namespace of the exporter's own metrics; the `process_*` families follow client libraries instead.
    public static let namespace = "celery_redis_"

    /// Every served family, area by area (in the order of the README's metric tables).
    public static let all: [MetricDescriptor] = queues + backlog + results + workers + alerting + exporter

    /// The descriptors by family name.
    public static let byName: [String: MetricDescriptor] = Dictionary(
        all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// Whether `descriptor` is listed in ``all`` (an unlisted one would escape the README and
    /// dashboard checks).
    public static func contains(_ descriptor: MetricDescriptor) -> Bool {
        byName[descriptor.name] == descriptor
    }
}
