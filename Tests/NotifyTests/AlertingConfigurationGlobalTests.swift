import Foundation
import TestSupport
import Testing

@testable import Notify

/// Real `alertmanager.yml` files have a `global` section and `templates` (Alertmanager's own
/// example does). With an e-mail receiver such a file must be refused for the receiver kind,
/// with the documented line pointing to `--alertmanager.url`, not for `global`; with receivers
/// the exporter has, it must load, `global.slack_api_url` and `global.pagerduty_url` being the
/// defaults they are in Alertmanager. Every file here passes Debian's `amtool check-config`.
@Suite struct AlertingConfigurationGlobalTests {
    static let global = """
        global:
          resolve_timeout: 5m
          smtp_smarthost: 'localhost:25'
          smtp_from: 'alertmanager@example.org'
          smtp_auth_username: 'alertmanager'
          smtp_auth_password: 'password'
          slack_api_url: 'https://hooks.slack.example/services/T0/B0/XXXX'
          pagerduty_url: 'https://events.pagerduty.example/v2/enqueue'
        templates:
          - '/etc/alertmanager/template/*.tmpl'

        """

    static let route = """
        route:
          group_by: ['alertname', 'cluster', 'service']
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 3h
          receiver: team
          routes:
            - matchers: ['service=~"foo1|foo2|baz"']
              receiver: team
        inhibit_rules:
          - source_matchers: [severity="critical"]
            target_matchers: [severity="warning"]
            equal: [alertname, cluster, service]

        """

    /// Writes `yaml`, checks that real amtool accepts it, and loads it here.
    func load(_ yaml: String) throws -> Result<AlertingConfiguration, AlertingConfigurationError> {
        let dir = try makeTemporaryDirectory("am-global")
        let file = dir.appendingPathComponent("alertmanager.yml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let check = try runCommand(try requireTool("amtool"), ["check-config", file.path])
        #expect(check.status == 0, "amtool check-config refused the test's file: \(check.stdout) \(check.stderr)")
        do {
            return .success(try AlertingConfiguration.load(file: file.path))
        } catch {
            return .failure(error)
        }
    }

    @Test func realFileWithEmailReceiverIsRefusedForTheReceiverKind() throws {
        let yaml =
            Self.global + Self.route + """
                receivers:
                  - name: team
                    email_configs:
                      - to: 'team+alerts@example.org'
                """
        guard case .failure(let error) = try load(yaml) else {
            Issue.record("a file with an e-mail receiver loaded")
            return
        }
        let text = "\(error)"
        #expect(text.contains("receivers[0].email_configs"), "\(text)")
        #expect(text.contains("--alertmanager.url"))
        #expect(!text.contains("password"))
    }

    @Test func realFileWithSlackAndPagerDutyLoadsWithTheGlobalDefaults() throws {
        let yaml =
            Self.global + Self.route + """
                receivers:
                  - name: team
                    slack_configs:
                      - channel: '#ops'
                    pagerduty_configs:
                      - routing_key: 0123456789abcdef0123456789abcdef
                """
        let config = try load(yaml).get()
        let team = try #require(config.receivers.first)
        #expect(team.slack.first?.apiURL.host == "hooks.slack.example")
        #expect(team.pagerduty.first?.url.host == "events.pagerduty.example")
        #expect(config.inhibitRules.first?.equal == ["alertname", "cluster", "service"])
        #expect(config.warnings.contains { $0.hasPrefix("templates:") })
    }

    @Test func timeIntervalsAndGlobalHTTPConfigAreRefusedNotIgnored() throws {
        let receivers = "receivers:\n  - name: team\n    webhook_configs: [{url: 'https://hook.example/x'}]\n"
        let intervals =
            Self.route + receivers + """
                time_intervals:
                  - name: nights
                    time_intervals: [{times: [{start_time: '22:00', end_time: '23:59'}]}]
                """
        guard case .failure(let e1) = try load(intervals) else {
            Issue.record("time_intervals were ignored")
            return
        }
        #expect("\(e1)".contains("time_intervals") && "\(e1)".contains("silences"))
        let http = "global:\n  http_config: {follow_redirects: true}\n" + Self.route + receivers
        guard case .failure(let e2) = try load(http) else {
            Issue.record("global.http_config was ignored")
            return
        }
        #expect("\(e2)".contains("global.http_config"))
    }
}
