import JSON
import Testing

@testable import Notify

@Suite struct WebhookPayloadTests {
    static let integration = IntegrationID(receiver: "team-celery", kind: .webhook, index: 0)

    static func notification() -> Notification {
        let firing = NotifiableAlert(
            labels: ["alertname": "CeleryQueueBacklog", "queue": "q<1>&\"x\"", "severity": "page"],
            annotations: ["summary": "Backlog on q1\nline two", "runbook_url": "https://r/é"],
            startsAt: 1_700_000_000, endsAt: nil, fingerprint: "0123456789abcdef",
            generatorURL: "http://exporter:9808/alerts")
        let resolved = NotifiableAlert(
            labels: ["alertname": "CeleryQueueBacklog", "queue": "default", "severity": "page"],
            annotations: ["summary": "Backlog on default"], startsAt: 1_700_000_000.5, endsAt: 1_700_000_600,
            fingerprint: "fedcba9876543210", generatorURL: "")
        return Notification(
            id: "msg_1", integration: integration, groupKey: #"{}:{alertname="CeleryQueueBacklog"}"#,
            groupLabels: ["alertname": "CeleryQueueBacklog"], alerts: [resolved, firing], createdAt: 1_700_000_700,
            reason: .someResolved)
    }

    /// An alert whose times are absurd (a damaged record, a clock gone wrong) is still encoded:
    /// the times clamp to 0001-01-01 / 9999-12-31 instead of trapping in the payload builders.
    @Test func absurdAlertTimesDoNotTrapThePayloads() {
        for (starts, ends) in [(-1e300, 1e300), (Double.nan, Double.nan), (1e300, -Double.infinity)] {
            let base = Self.notification()
            var alerts = base.alerts
            alerts[0].startsAt = starts
            alerts[0].endsAt = ends
            alerts[1].startsAt = starts
            let n = Notification(
                id: base.id, integration: base.integration, groupKey: base.groupKey, groupLabels: base.groupLabels,
                alerts: alerts, createdAt: base.createdAt, reason: base.reason)
            let body = String(decoding: WebhookPayload.encode(n, externalURL: "http://x"), as: UTF8.self)
            #expect(body.contains("T00:00:00Z") || body.contains("9999-12-31T23:59:59Z"), "\(body)")
            let pushed = String(decoding: AlertmanagerPusher.encode(n.alerts), as: UTF8.self)
            #expect(pushed.contains("\"startsAt\":\"") && !pushed.contains("NaN"), "\(pushed)")
        }
    }

    @Test func goldenVersion4() {
        let body = String(
            decoding: WebhookPayload.encode(Self.notification(), externalURL: "http://exporter:9808"), as: UTF8.self)
        let expected =
            #"{"receiver":"team-celery","status":"firing","alerts":["#
            + #"{"status":"resolved","labels":{"alertname":"CeleryQueueBacklog","queue":"default","severity":"page"},"#
            + #""annotations":{"summary":"Backlog on default"},"startsAt":"2023-11-14T22:13:20.5Z","#
            + #""endsAt":"2023-11-14T22:23:20Z","generatorURL":"","fingerprint":"fedcba9876543210"},"#
            + #"{"status":"firing","labels":{"alertname":"CeleryQueueBacklog","queue":"q\u003c1\u003e\u0026\"x\"","severity":"page"},"#
            + #""annotations":{"runbook_url":"https://r/é","summary":"Backlog on q1\nline two"},"#
            + #""startsAt":"2023-11-14T22:13:20Z","endsAt":"0001-01-01T00:00:00Z","#
            + #""generatorURL":"http://exporter:9808/alerts","fingerprint":"0123456789abcdef"}],"#
            + #""groupLabels":{"alertname":"CeleryQueueBacklog"},"#
            + #""commonLabels":{"alertname":"CeleryQueueBacklog","severity":"page"},"commonAnnotations":{},"#
            + #""externalURL":"http://exporter:9808","version":"4","groupKey":"{}:{alertname=\"CeleryQueueBacklog\"}","#
            + #""truncatedAlerts":0}"# + "\n"
        #expect(body == expected)
    }

    @Test func maxAlertsTruncates() {
        let body = String(
            decoding: WebhookPayload.encode(Self.notification(), externalURL: "", maxAlerts: 1), as: UTF8.self)
        #expect(body.hasSuffix(#""truncatedAlerts":1}"# + "\n"))
        // Status and common labels are computed over the alerts kept: only the resolved one.
        #expect(body.hasPrefix(#"{"receiver":"team-celery","status":"resolved","alerts":[{"status":"resolved""#))
        #expect(
            body.contains(#""commonLabels":{"alertname":"CeleryQueueBacklog","queue":"default","severity":"page"}"#))
        #expect(!body.contains("0123456789abcdef"))
    }

    @Test func controlCharactersAreEscapedLikeGo() {
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.string("a\u{01}b\tc\r\u{2028}\\")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #""a\u0001b\tc\r\u2028\\""#)
    }

    @Test func groupKeyLikeAlertmanager() {
        #expect(GroupKey.make(routeKey: "{}", labels: [:]) == "{}:{}")
        #expect(
            GroupKey.make(routeKey: #"{}/{severity="page"}"#, labels: ["queue": "a\"b", "alertname": "X"])
                == #"{}/{severity="page"}:{alertname="X", queue="a\"b"}"#)
        #expect(GroupKey.make(routeKey: "{}", labels: ["q": "tab\there\u{7f}"]) == #"{}:{q="tab\there\x7f"}"#)
    }

    @Test func routeKeysFromConfiguration() throws {
        let config = try Fixtures.configuration(
            """
            route:
              receiver: default
              routes:
                - receiver: pager
                  matchers: ['severity="page"', 'queue=~"celery|default"']
                  routes:
                    - receiver: pager
                      matchers: [team!="infra"]
            receivers:
              - name: default
              - name: pager
            """)
        #expect(config.route.key == "{}")
        #expect(config.route.routes[0].key == #"{}/{queue=~"celery|default",severity="page"}"#)
        #expect(
            config.route.routes[0].routes[0].key == #"{}/{queue=~"celery|default",severity="page"}/{team!="infra"}"#)
    }

    @Test func slackPayload() throws {
        let config = SlackConfiguration(apiURL: try .init("https://hooks.slack.com/services/T/B/X"), channel: "#alerts")
        let body = String(decoding: SlackPayload.encode(Self.notification(), configuration: config), as: UTF8.self)
        #expect(
            body
                == ##"{"channel":"#alerts","attachments":[{"title":"[FIRING:1] CeleryQueueBacklog (page)","##
                + #""text":"• [resolved] Backlog on default\n• [firing] Backlog on q1\nline two","#
                + #""fallback":"[FIRING:1] CeleryQueueBacklog (page)","color":"danger","#
                + #""mrkdwn_in":["fallback","pretext","text"]}]}"#)
        let custom = SlackConfiguration(
            apiURL: try .init("https://hooks.slack.com/services/T/B/X"),
            title: "{{ .Status }}: {{ .GroupLabels.alertname }} <&>", text: "{{ .CommonLabels.severity }}")
        let text = String(decoding: SlackPayload.encode(Self.notification(), configuration: custom), as: UTF8.self)
        #expect(text.contains(#""title":"firing: CeleryQueueBacklog \u0026lt;\u0026amp;\u0026gt;","text":"page""#))
        #expect(SlackPayload.unsupportedPlaceholder(in: "{{ range .Alerts }}") != nil)
        #expect(SlackPayload.unsupportedPlaceholder(in: "{{ .CommonAnnotations.summary }}") == nil)
    }

    @Test func alertmanagerAPIBody() {
        let a = NotifiableAlert(
            labels: ["alertname": "X"], annotations: ["s": "y"], startsAt: 0, endsAt: 60, fingerprint: "f",
            generatorURL: "g")
        #expect(
            String(decoding: AlertmanagerPusher.encode([a]), as: UTF8.self)
                == #"[{"labels":{"alertname":"X"},"annotations":{"s":"y"},"startsAt":"1970-01-01T00:00:00Z","#
                + #""endsAt":"1970-01-01T00:01:00Z","generatorURL":"g"}]"#)
    }

    @Test func fingerprintIsAlertmanagers() {
        // model.LabelSet{}.Fingerprint() is FNV-1a's offset basis.
        #expect(NotifiableAlert(labels: [:], startsAt: 0).fingerprint == "cbf29ce484222325")
    }
}
