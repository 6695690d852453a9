import Foundation
import HTTP
import Testing

@testable import Notify

@Suite struct AlertingConfigurationTests {
    func error(_ yaml: String) -> AlertingConfigurationError? { Fixtures.configurationError(yaml) }

    @Test func fullExampleWithDefaults() throws {
        let dir = try makeDirectory()
        try "https://hooks.slack.com/services/T0/B0/SECRETTOKEN\n".write(
            toFile: dir + "/slack.url", atomically: true, encoding: .utf8)
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n".write(
            toFile: dir + "/signing.key", atomically: true, encoding: .utf8)
        let yaml = """
            route:
              receiver: team
              group_by: ['alertname', 'queue']
              routes:
                - receiver: chat
                  matchers: ['severity=~"warn.*"']
                  group_wait: 1m
            receivers:
              - name: team
                signing: {scheme: standard-webhooks, secret_file: signing.key}
                webhook_configs:
                  - url: https://[::1]:8443/hooks/celery?x=1
                    max_alerts: 10
                    timeout: 20s
                    http_config:
                      tls_config: {server_name: hooks.internal}
                  - url: http://127.0.0.1:9000/plain
                    send_resolved: false
              - name: chat
                slack_configs:
                  - api_url_file: slack.url
                    channel: '#celery'
                    title: '{{ .Status }} {{ .GroupLabels.alertname }}'
            """
        try yaml.write(toFile: dir + "/alerting.yml", atomically: true, encoding: .utf8)
        let c = try AlertingConfiguration.load(file: dir + "/alerting.yml")
        #expect(c.route.receiver == "team")
        #expect(c.route.groupBy == ["alertname", "queue"])
        #expect(c.route.groupWait == 30 && c.route.groupInterval == 300 && c.route.repeatInterval == 14400)
        #expect(c.route.routes[0].groupWait == 60)
        #expect(c.route.routes[0].groupBy == ["alertname", "queue"])  // inherited
        let team = try #require(c.receiver(named: "team"))
        #expect(team.webhooks[0].url.host == "::1" && team.webhooks[0].url.port == 8443)
        #expect(team.webhooks[0].url.requestTarget == "/hooks/celery?x=1")
        #expect(team.webhooks[0].sendResolved == true)
        #expect(team.webhooks[0].maxAlerts == 10)
        #expect(team.webhooks[0].timeout == 20)
        #expect(team.webhooks[0].tls.serverName == "hooks.internal")
        #expect(team.webhooks[0].signer?.scheme == .standardWebhooks)
        #expect(team.webhooks[1].sendResolved == false)
        let chat = try #require(c.receiver(named: "chat"))
        #expect(chat.slack[0].sendResolved == false)
        #expect(chat.slack[0].apiURL.requestTarget == "/services/T0/B0/SECRETTOKEN")
        #expect(chat.slack[0].channel == "#celery")
        // Plain http gives a warning that names the receiver and only the redacted URL.
        #expect(c.warnings.contains { $0.contains("\"team\"") && $0.contains("http://127.0.0.1:9000/…") })
        #expect(c.warnings.contains { $0.contains("signed webhook sent over plain http") })
        #expect(!c.warnings.joined().contains("plain?") && !c.warnings.joined().contains("/plain"))
        #expect(!"\(chat.slack[0].apiURL)".contains("SECRETTOKEN"))
    }

    @Test func groupByAll() throws {
        let c = try Fixtures.configuration(
            "route: {receiver: r, group_by: ['...']}\nreceivers: [{name: r}]")
        #expect(c.route.groupByAll)
    }

    struct Case: Sendable, CustomStringConvertible {
        let yaml: String
        let keyPath: String
        let fragment: String
        var description: String { keyPath }
    }

    static let cases: [Case] = [
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r}]\nglobals: {}", keyPath: "globals",
            fragment: "unknown key; expected one of: global, templates, route, receivers"),
        Case(
            yaml: "route: {receiver: r, group_wiat: 1s}\nreceivers: [{name: r}]", keyPath: "route.group_wiat",
            fragment: "unknown key"),
        Case(yaml: "receivers: [{name: r}]", keyPath: "route", fragment: "is required"),
        Case(
            yaml: "route: {group_by: [a]}\nreceivers: [{name: r}]", keyPath: "route.receiver",
            fragment: "required on the root"),
        Case(
            yaml: "route: {receiver: nope}\nreceivers: [{name: r}]", keyPath: "route.receiver",
            fragment: "\"nope\" is not defined"),
        Case(
            yaml: "route: {receiver: r, group_wait: soon}\nreceivers: [{name: r}]", keyPath: "route.group_wait",
            fragment: "is not a duration"),
        Case(
            yaml: "route: {receiver: r, group_interval: 0s}\nreceivers: [{name: r}]", keyPath: "route.group_interval",
            fragment: "greater than 0"),
        // 1000 years as Int64 nanoseconds traps at the first delivery.
        Case(
            yaml:
                "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'https://x/', timeout: 1000y}]}]",
            keyPath: "receivers[0].webhook_configs[0].timeout", fragment: "at most 3650d"),
        Case(
            yaml: "route: {receiver: r, repeat_interval: 3651d}\nreceivers: [{name: r}]",
            keyPath: "route.repeat_interval",
            fragment: "at most 3650d"),
        Case(
            yaml: "route: {receiver: r, group_by: ['...', a]}\nreceivers: [{name: r}]", keyPath: "route.group_by",
            fragment: "cannot be combined"),
        Case(
            yaml: "route: {receiver: r, routes: [{matchers: ['a=~\"(\"']}]}\nreceivers: [{name: r}]",
            keyPath: "route.routes[0].matchers[0]", fragment: "expected name=\"value\""),
        Case(
            yaml: "route: {receiver: r, routes: [{matchers: ['=x']}]}\nreceivers: [{name: r}]",
            keyPath: "route.routes[0].matchers[0]", fragment: "expected a label name"),
        Case(
            yaml: "route: {receiver: r, matchers: ['a=b']}\nreceivers: [{name: r}]", keyPath: "route.matchers",
            fragment: "root route must not have matchers"),
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r}, {name: r}]", keyPath: "receivers[1].name",
            fragment: "defined twice"),
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{}]}]",
            keyPath: "receivers[0].webhook_configs[0]", fragment: "one of url or url_file is required"),
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'ftp://secret@x'}]}]",
            keyPath: "receivers[0].webhook_configs[0].url", fragment: "scheme ftp is not http or https"),
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'https://x', url_file: f}]}]",
            keyPath: "receivers[0].webhook_configs[0]", fragment: "mutually exclusive"),
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url_file: /nonexistent/u}]}]",
            keyPath: "receivers[0].webhook_configs[0].url_file", fragment: "cannot read /nonexistent/u: No such file"),
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'https://x', max_alerts: -1}]}]",
            keyPath: "receivers[0].webhook_configs[0].max_alerts", fragment: "whole number"),
        Case(
            yaml:
                "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'https://x', send_resolved: maybe}]}]",
            keyPath: "receivers[0].webhook_configs[0].send_resolved", fragment: "expected true or false"),
        Case(
            yaml:
                "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'https://x', http_config: {tls_config: {ca_file: /nonexistent/ca.pem}}}]}]",
            keyPath: "receivers[0].webhook_configs[0].http_config.tls_config", fragment: "/nonexistent/ca.pem"),
        Case(
            yaml:
                "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'https://x', http_config: {tls_config: {cert_file: c}}}]}]",
            keyPath: "receivers[0].webhook_configs[0].http_config.tls_config", fragment: "must be given together"),
        Case(
            yaml:
                "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'https://x', http_config: {basic_auth: {}}}]}]",
            keyPath: "receivers[0].webhook_configs[0].http_config.basic_auth", fragment: "unknown key"),
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, signing: {scheme: hmac, secret_file: x}}]",
            keyPath: "receivers[0].signing.scheme", fragment: "expected standard-webhooks or github"),
        Case(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, signing: {scheme: github}}]",
            keyPath: "receivers[0].signing.secret_file", fragment: "is required"),
        Case(
            yaml:
                "route: {receiver: r}\nreceivers: [{name: r, slack_configs: [{api_url: 'https://x', text: '{{ range .Alerts }}'}]}]",
            keyPath: "receivers[0].slack_configs[0].text", fragment: "unsupported placeholder"),
        Case(yaml: "route: [1]\nreceivers: []", keyPath: "route", fragment: "expected a mapping"),
        Case(yaml: "route: {receiver: r\nreceivers: []", keyPath: "", fragment: "invalid YAML"),
    ]

    @Test(arguments: cases)
    func loadErrors(c: Case) throws {
        let e = try #require(error(c.yaml))
        #expect(e.file == "/config/alerting.yml")
        #expect(e.keyPath == c.keyPath)
        #expect(e.message.contains(c.fragment), "\(e)")
        #expect("\(e)".hasPrefix("/config/alerting.yml"))
    }

    /// A second sign inside a whole number (`--153722867280912930:-8` reached `-Int.min` and
    /// trapped at start-up and on every reload; `1:-8` read as 52) is a config error.
    @Test(arguments: ["--153722867280912930:-8", "1:-8", "1:+30", "--5", "0x-5", "-0x-5", "+-5", "-:5"])
    func aSecondSignInAWholeNumberIsAConfigError(value: String) throws {
        let e = try #require(
            error(
                "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: "
                    + "[{url: 'http://127.0.0.1:1/x', max_alerts: \(value)}]}]"))
        #expect(e.keyPath == "receivers[0].webhook_configs[0].max_alerts")
        #expect(e.message.contains("expected a whole number"), "\(e)")
    }

    /// A name the file gives (here a label in `group_by`) is shown escaped: the error stays one
    /// line and cannot clear or recolour a terminal.
    @Test func namesFromTheFileAreShownWithControlCharactersEscaped() throws {
        let e = try #require(error("route: {receiver: r, group_by: [\"a\\e[2J\\nb\"]}\nreceivers: [{name: r}]"))
        #expect(e.keyPath == "route.group_by")
        #expect(e.message == "\"a\u{1B}[2J\nb\" is not a valid label name")
        #expect(e.description == "/config/alerting.yml:1: route.group_by: \"a\\x1b[2J\\nb\" is not a valid label name")
    }

    @Test func errorsCarryLineNumbersAndHideURLs() throws {
        let e = try #require(
            error(
                """
                route:
                  receiver: r
                receivers:
                  - name: r
                    webhook_configs:
                      - url: "https://user:tok3n@example.com/x"
                """))
        #expect(e.line == 6)
        #expect(!e.description.contains("tok3n"))
        #expect(e.description.contains("user information"))
    }

    /// Issue 9: a YAML syntax error next to a webhook URL put Yams' snippet of the line, URL and all,
    /// into the log and the `/-/reload` response; a duplicated key put the whole file there.
    @Test(arguments: [
        (
            "route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs:\n"
                + "      - url: https://hooks.example/SECRET\n         send_resolved: true\n", 7
        ),
        (
            "route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs: [{url: https://hooks.example/SECRET\n",
            6
        ),
        (
            "route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs:\n"
                + "      - url: https://hooks.example/SECRET\n        url: https://hooks.example/SECRET\n", 6
        ),
    ])
    func yamlErrorsNamePlaceButNotTheURL(_ yaml: String, _ line: Int) throws {
        let e = try #require(error(yaml))
        #expect(e.line == line, "\(e)")
        let column = try #require(e.column, "\(e)")
        #expect(e.description.hasPrefix("/config/alerting.yml:\(line):\(column): invalid YAML: "), "\(e)")
        #expect(!e.description.contains("SECRET") && !e.description.contains("hooks.example"), "\(e)")
        #expect(!e.description.contains("\n"), "one line: \(e)")
    }

    @Test func unusedReceiverWarns() throws {
        let c = try Fixtures.configuration("route: {receiver: r}\nreceivers: [{name: r}, {name: spare}]")
        #expect(c.warnings == ["receiver \"spare\" is not used by any route"])
    }

    func makeDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "notify-config-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
