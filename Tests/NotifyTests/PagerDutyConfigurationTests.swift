import HTTP
import Testing

@testable import Notify

/// `pagerduty_configs` as Alertmanager spells them, and the receiver kinds the exporter refuses.
struct PagerDutyConfigurationTests {
    let key = "SECRETROUTINGKEY0123456789abcdef"

    func load(_ receiver: String) throws(AlertingConfigurationError) -> AlertingConfiguration {
        try Fixtures.configuration(
            """
            route: {receiver: pager}
            receivers:
              - name: pager
            \(receiver.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """)
    }

    func error(_ receiver: String) -> AlertingConfigurationError? {
        do {
            _ = try load(receiver)
            return nil
        } catch { return error }
    }

    @Test func alertmanagerDefaultsAndEveryField() throws {
        let minimal = try load("pagerduty_configs: [{routing_key: \(key)}]").receivers[0]
        let d = try #require(minimal.pagerduty.first)
        #expect(d.routingKey == key)
        #expect(d.url == (try HTTPClientURL("https://events.pagerduty.com/v2/enqueue")))
        #expect(d.severity == "error" && d.sendResolved && d.summary == nil && d.client == nil)
        #expect(minimal.integrations == [IntegrationID(receiver: "pager", kind: .pagerduty, index: 0)])

        let full = try load(
            """
            pagerduty_configs:
              - routing_key: \(key)
                url: https://pd.example/v2/enqueue
                severity: warning
                class: queue
                component: '{{ .CommonLabels.queue }}'
                group: celery
                client: Celery exporter
                client_url: https://exporter.example
                description: '{{ .CommonAnnotations.summary }}'
                source: prod
                details: {team: infra}
                links: [{href: 'https://runbooks.example', text: Runbook}]
                images: [{src: 'https://img.example/a.png', alt: graph}]
                send_resolved: false
                timeout: 10s
            """
        ).receivers[0].pagerduty[0]
        #expect(full.severity == "warning" && full.eventClass == "queue" && full.group == "celery")
        #expect(full.component == "{{ .CommonLabels.queue }}" && full.summary == "{{ .CommonAnnotations.summary }}")
        #expect(
            full.client == "Celery exporter" && full.clientURL == "https://exporter.example" && full.source == "prod")
        #expect(full.details == ["team": "infra"] && full.links.count == 1 && full.images.count == 1)
        #expect(!full.sendResolved && full.timeout == 10)
        #expect(!"\(full)".contains(key))
    }

    /// Every Alertmanager receiver kind the exporter does not implement stops loading with the
    /// key named and `--alertmanager.url` pointed to.
    @Test(arguments: [
        "email_configs", "opsgenie_configs", "victorops_configs", "pushover_configs", "sns_configs",
        "telegram_configs", "webex_configs", "msteams_configs", "msteamsv2_configs", "discord_configs",
        "wechat_configs", "jira_configs", "rocketchat_configs", "incidentio_configs",
    ])
    func otherReceiverKindsAreRefused(kind: String) throws {
        let e = try #require(error("\(kind): [{to: ops@example.com}]"))
        #expect(e.keyPath == "receivers[0].\(kind)")
        #expect(e.message.contains("\(kind) is not supported"))
        #expect(e.message.contains("--alertmanager.url"))
        #expect(!e.description.contains("\n"))
    }

    @Test func mistakesAreNamedWithoutShowingTheKey() throws {
        let cases: [(String, String, String)] = [
            (
                "pagerduty_configs: [{severity: error}]", "receivers[0].pagerduty_configs[0]",
                "routing_key_file is required"
            ),
            (
                "pagerduty_configs: [{routing_key: \(key), routing_key_file: k}]", "receivers[0].pagerduty_configs[0]",
                "mutually exclusive"
            ),
            (
                "pagerduty_configs: [{service_key: \(key)}]", "receivers[0].pagerduty_configs[0].service_key",
                "Events API v1"
            ),
            (
                "pagerduty_configs: [{routing_key: \(key), severity: page}]",
                "receivers[0].pagerduty_configs[0].severity",
                "critical, error, warning or info"
            ),
            ("pagerduty_configs: [{routing_key: '\(key) x'}]", "receivers[0].pagerduty_configs[0]", "contains spaces"),
            ("pagerduty_configs: [{routing_key: '  '}]", "receivers[0].pagerduty_configs[0]", "is empty"),
            (
                "pagerduty_configs: [{routing_key_file: /nonexistent/pd.key}]",
                "receivers[0].pagerduty_configs[0].routing_key_file", "cannot read"
            ),
            (
                "pagerduty_configs: [{routing_key: \(key), description: '{{ .Alerts }}'}]",
                "receivers[0].pagerduty_configs[0].description", "unsupported placeholder"
            ),
            (
                "pagerduty_configs: [{routing_key: \(key), url: 'ftp://x'}]", "receivers[0].pagerduty_configs[0].url",
                "invalid URL"
            ),
        ]
        for (yaml, path, text) in cases {
            let e = try #require(error(yaml), "\(yaml)")
            #expect(e.keyPath == path, "\(yaml): \(e)")
            #expect(e.message.contains(text), "\(yaml): \(e)")
            #expect(!e.description.contains(key), "\(yaml): \(e)")
        }
    }

    /// A plain-http `url` is allowed (a local relay) but warned about: the key is in the body.
    @Test func plainHTTPURLWarns() throws {
        let c = try load("pagerduty_configs: [{routing_key: \(key), url: 'http://relay.local/v2/enqueue'}]")
        #expect(c.warnings.contains { $0.contains("routing key travels unencrypted") })
        #expect(!c.warnings.joined().contains(key))
    }
}
