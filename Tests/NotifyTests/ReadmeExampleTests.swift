import Foundation
import TestSupport
import Testing

@testable import Notify

/// The alerting configuration example documented in the README loads as documented.
@Suite struct ReadmeExampleTests {
    static let example = """
        route:
          receiver: team-webhook
          group_by: ['alertname', 'queue']
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
          routes:
            - receiver: oncall-slack
              matchers: ['severity="page"']
              continue: true
            - receiver: infra
              matchers: ['queue=~"infra-.*"', 'env!="staging"']
              group_by: ['...']

        receivers:
          - name: team-webhook
            signing:
              scheme: standard-webhooks
              secret_file: webhook.secret        # whsec_<base64>, e.g. from `openssl rand -base64 32`
            webhook_configs:
              - url_file: webhook.url             # the URL is a secret: keep it out of the YAML
                send_resolved: true
                max_alerts: 50
                timeout: 15s
                http_config:
                  tls_config:
                    ca_file: ca.pem
          - name: oncall-slack
            slack_configs:
              - api_url_file: slack.url
                channel: '#celery-oncall'
                title: '{{ .Status }}: {{ .GroupLabels.alertname }}'
                text: '{{ .CommonAnnotations.summary }}'
          - name: infra
            signing: {scheme: github, secret_file: github.secret}
            webhook_configs:
              - url: https://hooks.infra.example.com/celery
                http_config:
                  tls_config:
                    ca_file: ca.pem
                    cert_file: client.pem
                    key_file: client.key
                    server_name: hooks.infra.example.com
        """

    @Test func loads() throws {
        let certs = try TestCertificates()
        let dir = try makeTemporaryDirectory("readme").path
        for (from, to) in [(certs.caCert, "ca.pem"), (certs.clientCert, "client.pem"), (certs.clientKey, "client.key")]
        {
            try FileManager.default.copyItem(atPath: from, toPath: dir + "/" + to)
        }
        try "whsec_\(Data(repeating: 7, count: 32).base64EncodedString())\n".write(
            toFile: dir + "/webhook.secret", atomically: true, encoding: .utf8)
        try "https://hooks.example.com/alertmanager?token=abc\n".write(
            toFile: dir + "/webhook.url", atomically: true, encoding: .utf8)
        try "https://hooks.slack.com/services/T000/B000/XXXX\n".write(
            toFile: dir + "/slack.url", atomically: true, encoding: .utf8)
        try "github-secret\n".write(toFile: dir + "/github.secret", atomically: true, encoding: .utf8)
        try Self.example.write(toFile: dir + "/alerting.yml", atomically: true, encoding: .utf8)
        let config = try AlertingConfiguration.load(file: dir + "/alerting.yml")
        #expect(config.warnings.isEmpty)
        #expect(config.receivers.map(\.name) == ["team-webhook", "oncall-slack", "infra"])
        #expect(config.route.routes[1].groupByAll)
        #expect(config.receivers[2].webhooks[0].tls.certificateFile == dir + "/client.pem")
    }
}
