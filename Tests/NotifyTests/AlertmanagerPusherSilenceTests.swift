import Testing

@testable import Notify

/// The pusher's decisions under the exporter's silences (``AlertmanagerPusher/due``): a silenced
/// alert never reaches Alertmanager as firing; one already pushed is withdrawn; the end of the
/// silence pushes it again; resolves go only where a firing push may have gone.
@Suite struct AlertmanagerPusherSilenceTests {
    let a = Fixtures.alert("A", startsAt: 1000)
    var fp: Set<String> { [a.fingerprint] }

    func due(
        _ t: inout [String: AlertmanagerPusher.Tracked], _ alerts: [NotifiableAlert], silenced: Set<String> = [],
        at now: Double
    ) -> [NotifiableAlert] {
        AlertmanagerPusher.due(&t, alerts: alerts, silenced: silenced, now: now, resendDelay: 60)
    }

    @Test func silencedFromTheStartIsNeverPushedUntilTheSilenceEnds() {
        var t: [String: AlertmanagerPusher.Tracked] = [:]
        #expect(due(&t, [a], silenced: fp, at: 1000).isEmpty)
        #expect(due(&t, [a], silenced: fp, at: 1100).isEmpty)  // nor resent as anything
        // The silence ends, the alert still fires: pushed at once, with its own start.
        let pushed = due(&t, [a], at: 1130)
        #expect(pushed.count == 1)
        #expect(pushed.first?.startsAt == 1000)
        #expect(pushed.map(\.endsAt) == [1130 + 240])
    }

    @Test func silencedAlertThatResolvesLeavesNoTrace() {
        var t: [String: AlertmanagerPusher.Tracked] = [:]
        #expect(due(&t, [a], silenced: fp, at: 1000).isEmpty)
        var resolved = a
        resolved.endsAt = 1050
        #expect(due(&t, [resolved], silenced: fp, at: 1050).isEmpty)
        // The silence ends after the alert did: nothing to say to Alertmanager.
        #expect(due(&t, [resolved], at: 1100).isEmpty)
        #expect(due(&t, [], at: 1200).isEmpty)
    }

    @Test func alreadyPushedAlertIsWithdrawnWhenSilencedAndPushedAgainAfter() {
        var t: [String: AlertmanagerPusher.Tracked] = [:]
        #expect(due(&t, [a], at: 1000).first?.endsAt == 1240)
        // Silenced at 1010: withdrawn at once (endsAt = now), not resent as firing.
        let withdrawn = due(&t, [a], silenced: fp, at: 1010)
        #expect(withdrawn.map(\.endsAt) == [1010])
        #expect(due(&t, [a], silenced: fp, at: 1020).isEmpty)
        // Resent as resolved like any resolve (never as firing) while the silence lasts.
        #expect(due(&t, [a], silenced: fp, at: 1070).map(\.endsAt) == [1010])
        // The silence expires with the alert still firing: firing again at once.
        let again = due(&t, [a], at: 1075)
        #expect(again.map(\.endsAt) == [1075 + 240])
        #expect(again.first?.startsAt == 1000)
    }

    @Test func resolvedUnsilencedAlertFirstSeenIsStillPushed() {
        // After a restart the evaluator may report a resolve Alertmanager is waiting for.
        var t: [String: AlertmanagerPusher.Tracked] = [:]
        var resolved = a
        resolved.endsAt = 990
        #expect(due(&t, [resolved], at: 1000).map(\.endsAt) == [990])
    }

    @Test func otherAlertsAreUnaffected() {
        var t: [String: AlertmanagerPusher.Tracked] = [:]
        let b = Fixtures.alert("B", startsAt: 1000)
        let pushed = due(&t, [a, b], silenced: fp, at: 1000)
        #expect(pushed.map(\.fingerprint) == [b.fingerprint])
    }
}
