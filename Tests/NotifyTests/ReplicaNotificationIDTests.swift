import Testing

@testable import Notify

/// Two replicas evaluate the same alerts at slightly different moments (each stamps `startsAt`
/// with its own poll time) and must still send the same `webhook-id` for the same notification,
/// while different notifications get different ids.
struct ReplicaNotificationIDTests {
    static let yaml = """
        route:
          receiver: team
          group_by: [alertname]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
          routes:
            - matchers: ['severity="page"']
              receiver: pager
              continue: true
            - matchers: ['severity="page"']
              receiver: pager
        receivers:
          - name: team
            webhook_configs: [{url: "https://team.example/hook"}, {url: "https://other.example/hook"}]
          - name: pager
            webhook_configs: [{url: "https://pager.example/hook"}]
        """

    /// One replica's notifications over a firing, a second alert joining, and the resolve,
    /// its clock offset by `offset` seconds.
    func run(offset: Double) throws -> [[String]] {
        var d = Dispatcher(configuration: try Fixtures.configuration(Self.yaml))
        let a = Fixtures.alert("Backlog", ["queue": "a", "severity": "page"], startsAt: 1000 + offset)
        let b = Fixtures.alert("Backlog", ["queue": "b", "severity": "page"], startsAt: 1100 + offset)
        var out: [[String]] = []
        func step(_ alerts: [NotifiableAlert], _ t: Double) {
            d.update(alerts: alerts, now: t + offset)
            let sent = d.deliver(now: t + offset + 30)
            out.append(sent.map { "\($0.integration) \($0.status) \($0.id)" }.sorted())
            for n in sent { d.markDelivered(n, at: t + offset + 30) }
        }
        step([a], 1000)
        step([a, b], 1400)
        var resolvedA = a
        resolvedA.endsAt = 1700 + offset
        step([resolvedA, b], 1700)
        return out
    }

    @Test func sameNotificationsSameIdsAcrossReplicas() throws {
        let one = try run(offset: 0)
        let other = try run(offset: 7.25)
        #expect(one == other)
        #expect(one.allSatisfy { !$0.isEmpty })
        let ids = one.flatMap { $0 }.map { String($0.split(separator: " ").last!) }
        // Each route (two siblings share matchers, so a group key) and each change of content
        // is its own notification.
        #expect(Set(ids).count == ids.count, "\(one)")
        #expect(ids.allSatisfy { NotificationID($0).text == $0 && $0.hasPrefix("msg_") && $0.count == 36 })
    }

    @Test func theIdCoversIntegrationGroupAndEachAlertsState() {
        let webhook = IntegrationID(receiver: "team", kind: .webhook, index: 0)
        let a = Fixtures.alert("A")
        let b = Fixtures.alert("B")
        let base = Dispatcher.contentID(integration: webhook, groupID: "g", alerts: [a, b], firing: [a.fingerprint])
        #expect(
            base == Dispatcher.contentID(integration: webhook, groupID: "g", alerts: [b, a], firing: [a.fingerprint]))
        for other in [
            Dispatcher.contentID(integration: webhook, groupID: "g", alerts: [a, b], firing: [b.fingerprint]),
            Dispatcher.contentID(integration: webhook, groupID: "g", alerts: [a], firing: [a.fingerprint]),
            Dispatcher.contentID(integration: webhook, groupID: "h", alerts: [a, b], firing: [a.fingerprint]),
            Dispatcher.contentID(
                integration: IntegrationID(receiver: "team", kind: .webhook, index: 1), groupID: "g", alerts: [a, b],
                firing: [a.fingerprint]),
            Dispatcher.contentID(
                integration: IntegrationID(receiver: "team", kind: .slack, index: 0), groupID: "g", alerts: [a, b],
                firing: [a.fingerprint]),
        ] {
            #expect(other != base)
        }
    }
}
