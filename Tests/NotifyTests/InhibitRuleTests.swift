import Alerting
import Foundation
import TestSupport
import Testing

@testable import Notify

/// `inhibit_rules`: loading (the same file `amtool check-config` accepts) and Alertmanager's
/// muting semantics, including what a muted alert's receiver is (not) told.
@Suite struct InhibitRuleTests {
    static let yaml = """
        route:
          receiver: hook
          group_by: [alertname, queue]
          group_wait: 0s
          group_interval: 1m
          repeat_interval: 1h
        receivers:
          - name: hook
            webhook_configs: [{url: "https://hook.example/x"}]
        inhibit_rules:
          - source_matchers: ['severity="critical"']
            target_matchers: ['severity=~"warning|info"']
            equal: [queue]
        """

    static func rules() throws -> [InhibitRule] { try Fixtures.configuration(yaml).inhibitRules }

    @Test func loadsAlertmanagerInhibitRules() throws {
        let rules = try Self.rules()
        #expect(rules.count == 1)
        #expect(rules[0].sourceMatchers.map(\.alertmanagerText) == [#"severity="critical""#])
        #expect(rules[0].targetMatchers.map(\.alertmanagerText) == [#"severity=~"warning|info""#])
        #expect(rules[0].equal == ["queue"])
    }

    /// The same file is valid for Debian's real Alertmanager (`amtool check-config`) and loads here.
    @Test func realAlertmanagerFileWithInhibitRulesLoadsAndAmtoolAcceptsIt() throws {
        let amtool = try requireTool("amtool")
        let dir = try makeTemporaryDirectory("inhibit")
        let file = dir.appendingPathComponent("alertmanager.yml")
        let yaml =
            Self.yaml + """

                  - source_matchers: [alertname="CeleryWorkersDown"]
                    target_matchers: [alertname=~"CeleryBacklog|CeleryQueueNotDraining", 'queue!=""']
                    equal: [namespace, queue]
                  - source_matchers: ['severity="page"']
                    target_matchers: ['severity="ticket"']
                """
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let check = try runCommand(amtool, ["check-config", file.path])
        #expect(check.status == 0, "amtool check-config: \(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("SUCCESS"))
        let loaded = try AlertingConfiguration.load(file: file.path)
        #expect(loaded.inhibitRules.count == 3)
        #expect(loaded.inhibitRules[1].equal == ["namespace", "queue"])
        #expect(loaded.inhibitRules[2].equal.isEmpty)
        // A deprecated key: Alertmanager still takes it, we refuse it with the replacement named.
        try (Self.yaml + "\n  - source_match: {severity: critical}\n    target_match: {severity: warning}\n")
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(try runCommand(amtool, ["check-config", file.path]).status == 0)
        #expect(throws: AlertingConfigurationError.self) { try AlertingConfiguration.load(file: file.path) }
    }

    @Test(arguments: ["source_match", "target_match", "source_match_re", "target_match_re"])
    func deprecatedMapFormsAreRefusedNamingTheReplacement(key: String) throws {
        let yaml = Self.yaml + "\n  - \(key): {severity: critical}\n"
        let error = #expect(throws: AlertingConfigurationError.self) { try Fixtures.configuration(yaml) }
        let text = "\(error!)"
        #expect(text.contains("inhibit_rules[1].\(key)"))
        #expect(text.contains(key.hasPrefix("source") ? "source_matchers" : "target_matchers"))
        #expect(text.contains("deprecated"))
    }

    @Test func badMatcherAndBadEqualNameAreErrorsWithThePath() throws {
        let bad = Self.yaml.replacingOccurrences(of: #"'severity="critical"'"#, with: #"'severity=~"("'"#)
        let e1 = #expect(throws: AlertingConfigurationError.self) { try Fixtures.configuration(bad) }
        #expect("\(e1!)".contains("inhibit_rules[0].source_matchers[0]"))
        let badEqual = Self.yaml.replacingOccurrences(of: "equal: [queue]", with: "equal: [\"1queue\"]")
        let e2 = #expect(throws: AlertingConfigurationError.self) { try Fixtures.configuration(badEqual) }
        #expect("\(e2!)".contains("inhibit_rules[0].equal"))
    }

    @Test func firingSourceMutesTargetsWithEqualLabelsOnly() throws {
        let rules = try Self.rules()
        let crit = Fixtures.alert("QueueDown", ["severity": "critical", "queue": "a"])
        let warnA = Fixtures.alert("Backlog", ["severity": "warning", "queue": "a"])
        let warnB = Fixtures.alert("Backlog", ["severity": "warning", "queue": "b"])
        let out = Inhibitor.inhibited([crit, warnA, warnB], rules: rules, now: 2000)
        #expect(out == [warnA.fingerprint: [crit.fingerprint]])
        // A resolved source mutes nothing.
        var resolved = crit
        resolved.endsAt = 1500
        #expect(Inhibitor.inhibited([resolved, warnA], rules: rules, now: 2000).isEmpty)
        // A missing equal label counts as empty on both sides, as in Alertmanager.
        let critNoQueue = Fixtures.alert("RedisDown", ["severity": "critical"])
        let warnNoQueue = Fixtures.alert("Slow", ["severity": "info"])
        #expect(
            Inhibitor.inhibited([critNoQueue, warnNoQueue, warnA], rules: rules, now: 2000)
                == [warnNoQueue.fingerprint: [critNoQueue.fingerprint]])
    }

    /// Every muting source per target grew as sources × targets (300 × 300 here, 10^8 at
    /// 10,000 each); one source is kept per muted alert, the smallest fingerprint, as
    /// Alertmanager reports one.
    @Test func oneMutingSourceIsKeptPerTarget() throws {
        let rules = try Self.rules()
        let sources = (0..<300).map { Fixtures.alert("QueueDown\($0)", ["severity": "critical", "queue": "a"]) }
        let targets = (0..<300).map { Fixtures.alert("Backlog\($0)", ["severity": "warning", "queue": "a"]) }
        let other = Fixtures.alert("Backlog", ["severity": "warning", "queue": "b"])
        let out = Inhibitor.inhibited(sources + targets + [other], rules: rules, now: 2000)
        let smallest = sources.map(\.fingerprint).min()!
        #expect(out.count == 300)
        #expect(out.values.allSatisfy { $0 == [smallest] })
        #expect(Set(out.keys) == Set(targets.map(\.fingerprint)))
    }

    @Test func alertsMatchingBothSidesDoNotMuteEachOther() throws {
        let rule = InhibitRule(
            sourceMatchers: [try LabelMatcher(parsing: #"team="ops""#)],
            targetMatchers: [try LabelMatcher(parsing: #"team="ops""#)], equal: [])
        let a = Fixtures.alert("A", ["team": "ops"])
        let b = Fixtures.alert("B", ["team": "ops"])
        #expect(Inhibitor.inhibited([a, b], rules: [rule], now: 2000).isEmpty)
    }

    @Test func inhibitedAlertIsNotNotifiedAndItsResolveIsHeldWhileMuted() throws {
        let config = try Fixtures.configuration(Self.yaml)
        var d = Dispatcher(configuration: config, makeID: Fixtures.counter())
        let warn = Fixtures.alert("Backlog", ["severity": "warning", "queue": "a"], startsAt: 1000)
        let crit = Fixtures.alert("QueueDown", ["severity": "critical", "queue": "a"], startsAt: 1000)
        func mute(_ alerts: [NotifiableAlert], _ now: Double) {
            d.muted = MuteStatus.compute(alerts: alerts, rules: config.inhibitRules, silences: [], now: now).muted
        }
        // The warning fires alone and is told.
        mute([warn], 1000)
        d.update(alerts: [warn], now: 1000)
        #expect(d.deliver(now: 1000).map(\.firingFingerprints) == [[warn.fingerprint]])
        // The critical fires: it is told; the warning is muted (its group sends nothing).
        mute([warn, crit], 1010)
        d.update(alerts: [warn, crit], now: 1010)
        let second = d.deliver(now: 1070)
        #expect(second.flatMap(\.alerts).map(\.fingerprint) == [crit.fingerprint])
        // The warning resolves while muted: no resolve is sent.
        var warnDone = warn
        warnDone.endsAt = 1100
        mute([warnDone, crit], 1100)
        d.update(alerts: [warnDone, crit], now: 1100)
        #expect(d.deliver(now: 1200).isEmpty)
        // The critical resolves, the mute ends: both resolves are sent.
        var critDone = crit
        critDone.endsAt = 1300
        mute([warnDone, critDone], 1300)
        d.update(alerts: [warnDone, critDone], now: 1300)
        let last = d.deliver(now: 1400)
        #expect(Set(last.flatMap(\.resolvedFingerprints)) == [warn.fingerprint, crit.fingerprint])
    }
}
