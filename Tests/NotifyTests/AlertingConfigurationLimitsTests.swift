import Foundation
import Logging
import Sockets
import Testing

@testable import Notify

/// The bounds of `AlertingConfiguration+Limits.swift`: each a file that loaded before (and
/// crashed, flooded or bloated the exporter) now refused with the limit named, and a file just
/// inside each limit still loading.
@Suite struct AlertingConfigurationLimitsTests {
    func error(_ yaml: String) -> AlertingConfigurationError? { Fixtures.configurationError(yaml) }

    /// A chain of `levels` routes below the root, in flow style (two YAML levels per route), each
    /// with one matcher of `matcherBytes` bytes or so.
    func nestedRoutes(_ levels: Int, matcherBytes: Int = 8) -> String {
        let value = String(repeating: "x", count: max(1, matcherBytes - 6))
        let open = "{matchers: ['a=\"\(value)\"'], routes: ["
        return "route: {receiver: r, routes: ["
            + String(repeating: open, count: levels - 1) + "{matchers: ['a=\"\(value)\"']}"
            + String(repeating: "]}", count: levels - 1) + "]}\nreceivers: [{name: r}]\n"
    }

    /// The auditor's crash: ~460 nested routes (a 438 KB file, inside the YAML depth and size
    /// limits) overflowed the stack in the recursive route reader, at start-up and on reload.
    @Test(arguments: [AlertingConfiguration.maximumRouteDepth + 1, 480])
    func deepRoutesAreRefusedWithTheLimitNamed(levels: Int) throws {
        let e = try #require(error(nestedRoutes(levels)))
        #expect(e.description.contains("nested more than 32 levels deep"), "\(e)")
        #expect(e.keyPath.hasPrefix("route.routes[0]"), "\(e)")
        #expect(e.line == 1)
    }

    @Test func routesAtTheDepthLimitLoad() throws {
        let c = try Fixtures.configuration(nestedRoutes(AlertingConfiguration.maximumRouteDepth))
        var route = c.route
        var depth = 0
        while let child = route.routes.first {
            route = child
            depth += 1
        }
        #expect(depth == AlertingConfiguration.maximumRouteDepth)
        // An alert is routed to the deepest route, whose key names every level's matcher.
        let leaf = c.route.match(["a": "xx"])
        #expect(leaf.count == 1)
        #expect(leaf.first?.key == "{}" + String(repeating: #"/{a="xx"}"#, count: depth))
    }

    @Test func routeCountIsBounded() throws {
        func siblings(_ n: Int) -> String {
            "route: {receiver: r, routes: ["
                + (0..<n).map { "{matchers: ['a=\"\($0)\"']}" }.joined(separator: ", ") + "]}\nreceivers: [{name: r}]\n"
        }
        #expect(
            try Fixtures.configuration(siblings(AlertingConfiguration.maximumRoutes - 1)).route.routes.count == 1999)
        let e = try #require(error(siblings(AlertingConfiguration.maximumRoutes)))
        #expect(e.description.contains("more than 2000 routes"), "\(e)")
        #expect(e.keyPath == "route.routes[1999]", "\(e)")
    }

    /// Route keys repeat every ancestor's matchers: 32 levels of 30 KB matchers (a 960 KB file)
    /// made 16 MB of keys (420 levels of 1,500 bytes made 317 MB of RSS before the depth limit).
    @Test func routeKeyBytesAreBounded() throws {
        let e = try #require(error(nestedRoutes(32, matcherBytes: 30_000)))
        #expect(e.description.contains("route keys"), "\(e)")
        #expect(e.description.contains("exceed 4 MiB"), "\(e)")
        // Long matchers a few levels deep are fine.
        #expect(try Fixtures.configuration(nestedRoutes(5, matcherBytes: 10_000)).route.routes.count == 1)
    }

    /// `group_interval: 1ms` with `repeat_interval: 1ms` sent 1,152 webhooks in 13 s for one
    /// unchanged alert.
    @Test(arguments: [
        ("group_interval: 1ms", "route.group_interval", "at least 1s"),
        ("group_interval: 999ms", "route.group_interval", "at least 1s"),
        ("repeat_interval: 1ms", "route.repeat_interval", "at least 1m"),
        ("repeat_interval: 59s", "route.repeat_interval", "at least 1m"),
        ("routes: [{matchers: ['a=\"b\"'], group_interval: 10ms}]", "route.routes[0].group_interval", "at least 1s"),
    ])
    func tooShortIntervalsAreRefused(_ setting: String, _ keyPath: String, _ fragment: String) throws {
        let e = try #require(error("route: {receiver: r, \(setting)}\nreceivers: [{name: r}]"))
        #expect(e.keyPath == keyPath, "\(e)")
        #expect(e.description.contains(fragment), "\(e)")
    }

    @Test func shortestIntervalsLoadAndRepeatBelowGroupIntervalWarns() throws {
        let c = try Fixtures.configuration(
            "route: {receiver: r, group_wait: 0s, group_interval: 1s, repeat_interval: 1m}\nreceivers: [{name: r}]")
        #expect(c.route.groupInterval == 1 && c.route.repeatInterval == 60 && c.route.groupWait == 0)
        #expect(c.warnings.isEmpty)
        let w = try Fixtures.configuration(
            "route: {receiver: r, group_interval: 2h, repeat_interval: 1h, routes: [{matchers: ['a=\"b\"']}]}\n"
                + "receivers: [{name: r}]")
        #expect(
            w.warnings == [
                "repeat_interval is shorter than group_interval (notifications repeat only at the next group_interval) at route"
            ])
    }

    func webhooks(_ n: Int, scheme: String = "https") -> String {
        "[" + (0..<n).map { "{url: '\(scheme)://h\($0).example/'}" }.joined(separator: ", ") + "]"
    }

    @Test func receiverAndIntegrationCountsAreBounded() throws {
        let many = (0...AlertingConfiguration.maximumReceivers).map { "{name: r\($0)}" }.joined(separator: ", ")
        let r = try #require(error("route: {receiver: r0}\nreceivers: [\(many)]"))
        #expect(r.keyPath == "receivers" && r.description.contains("has 1001 receivers; at most 1000"), "\(r)")

        let i = try #require(
            error(
                "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: \(webhooks(600))}, "
                    + "{name: b, webhook_configs: \(webhooks(401))}]"))
        #expect(i.keyPath == "receivers[1]", "\(i)")
        #expect(i.description.contains("more than 1000 integrations"), "\(i)")
        let ok = try Fixtures.configuration(
            "route: {receiver: a, routes: [{matchers: ['x=\"y\"'], receiver: b}]}\n"
                + "receivers: [{name: a, webhook_configs: \(webhooks(600))}, {name: b, webhook_configs: \(webhooks(400))}]"
        )
        #expect(ok.receivers.flatMap(\.integrations).count == 1000)
    }

    /// 14,000 unused receivers logged 28,000 warning lines at every load.
    @Test func warningsAreSummarised() throws {
        let unused = (0..<30).map { "{name: u\($0)}" }.joined(separator: ", ")
        let c = try Fixtures.configuration("route: {receiver: r}\nreceivers: [{name: r}, \(unused)]")
        #expect(
            c.warnings == [
                "30 receivers are not used by any route: "
                    + (0..<10).map { "\"u\($0)\"" }.joined(separator: ", ") + ", … (+20 more)"
            ])
        let plain = try Fixtures.configuration(
            "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: \(webhooks(70, scheme: "http"))}]")
        #expect(plain.warnings.count == AlertingConfiguration.maximumWarnings + 1)
        #expect(plain.warnings.last == "(+20 more warnings not shown)")
    }

    /// Names of this process's threads (`/proc/self/task/*/comm`) once `ready` holds for them
    /// (a new thread names itself as it starts), or after 5 s.
    func threadNames(until ready: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(5)
        while true {
            let names = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap {
                try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if ready(names) || Date() > deadline { return names }
            usleep(10_000)
        }
    }

    /// Every integration had a delivery thread, even of receivers no route reaches (14,000
    /// receivers: 14,010 threads). Now only routed receivers get one, and a reload that routes
    /// to a receiver starts its thread.
    @Test func onlyRoutedReceiversGetDeliveryThreads() throws {
        let unrouted = try Fixtures.configuration(
            """
            route: {receiver: lmtused}
            receivers:
              - {name: lmtused, webhook_configs: [{url: 'https://used.example/'}]}
              - {name: lmtspare, webhook_configs: [{url: 'https://spare.example/'}, {url: 'https://spare2.example/'}]}
            """)
        let n = try Notifier(
            configuration: unrouted, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try n.start()
        #expect(n.state.withLock { Set($0.schedulers.keys.map(\.receiver)) } == ["lmtused"])
        var names = try threadNames { $0.contains("notify-lmtused") }
        #expect(names.contains("notify-lmtused"))
        #expect(!names.contains("notify-lmtspare"))

        let routed = try Fixtures.configuration(
            """
            route: {receiver: lmtused, routes: [{matchers: ['a="b"'], receiver: lmtspare}]}
            receivers:
              - {name: lmtused, webhook_configs: [{url: 'https://used.example/'}]}
              - {name: lmtspare, webhook_configs: [{url: 'https://spare.example/'}, {url: 'https://spare2.example/'}]}
            """)
        try n.reload(configuration: routed)
        #expect(n.state.withLock { $0.schedulers.count } == 3)
        names = try threadNames { $0.filter { $0 == "notify-lmtspare" }.count == 2 }
        #expect(names.filter { $0 == "notify-lmtspare" }.count == 2)
        #expect(n.drain(deadline: Deadline(after: .seconds(2))).isComplete)
    }

    /// Each `https://` integration loaded its own CA store: 1,000 routed webhooks took 100 s to
    /// start and 844 MB of memory. Integrations with equal TLS settings now share one context.
    @Test func integrationsWithEqualTLSSettingsShareOneContext() throws {
        let c = try Fixtures.configuration(
            """
            route: {receiver: a, routes: [{matchers: ['x="y"'], receiver: b}]}
            receivers:
              - name: a
                webhook_configs: [{url: 'https://a.example/'}, {url: 'https://a2.example/'}]
                slack_configs: [{api_url: 'https://hooks.slack.com/services/x'}]
                pagerduty_configs: [{routing_key: k}]
              - name: b
                webhook_configs: [{url: 'https://b.example/'}, {url: 'http://plain.example/'}]
            """)
        let built = try Notifier.senders(for: c, options: NotifierOptions())
        #expect(built.senders.count == 6)
        var contexts: [ObjectIdentifier] = []
        for sender in built.senders.values {
            switch sender {
            case let w as WebhookSender: if let tls = w.tls { contexts.append(ObjectIdentifier(tls)) }
            case let s as SlackSender: contexts.append(ObjectIdentifier(try #require(s.tls)))
            case let p as PagerDutySender: contexts.append(ObjectIdentifier(try #require(p.tls)))
            default: Issue.record("unexpected sender \(sender)")
            }
        }
        #expect(contexts.count == 5)
        #expect(Set(contexts).count == 1)
    }
}
