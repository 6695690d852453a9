import HTTP
import Sockets

@testable import Notify

/// Small builders shared by the unit tests.
enum Fixtures {
    static func alert(
        _ name: String, _ extra: [String: String] = [:], startsAt: Double = 1000, endsAt: Double? = nil,
        annotations: [String: String] = [:]
    ) -> NotifiableAlert {
        var labels = extra
        labels["alertname"] = name
        return NotifiableAlert(
            labels: labels, annotations: annotations, startsAt: startsAt, endsAt: endsAt,
            generatorURL: "http://exporter:9808/alerts")
    }

    static func configuration(_ yaml: String) throws(AlertingConfigurationError) -> AlertingConfiguration {
        try AlertingConfiguration.parse(yaml: yaml, file: "/config/alerting.yml")
    }

    /// The error loading `yaml` gives, or nil when it loads.
    static func configurationError(_ yaml: String) -> AlertingConfigurationError? {
        do {
            _ = try configuration(yaml)
            return nil
        } catch {
            return error
        }
    }

    /// Sequential ids, so expected notifications are predictable.
    static func counter() -> @Sendable () -> String {
        let box = Counter()
        return { box.next() }
    }

    final class Counter: Sendable {
        private let value = Monitor(0)
        func next() -> String {
            value.withLock {
                $0 += 1
                return "msg_\($0)"
            }
        }
    }
}
