import Alerting
import Testing

@testable import Notify

/// The silence index must silence exactly what checking every silence against every alert
/// does: equality matchers it files under, `x=""` (matches a missing label), regexes and `!=`
/// it cannot file under, several equality matchers on one silence, pairs no alert carries,
/// UTF-8 values, and silences that are pending or expired.
@Suite struct SilenceIndexTests {
    let now = 10_000.0

    func m(_ text: String) -> LabelMatcher { try! LabelMatcher(parsing: text) }

    func silence(_ id: String, _ matchers: [String], startsAt: Double = 9_000, endsAt: Double = 20_000) -> Silence {
        Silence(
            id: id, matchers: matchers.map(m), startsAt: startsAt, endsAt: endsAt, updatedAt: startsAt, createdBy: "t",
            comment: "")
    }

    @Test func indexedMatchingEqualsCheckingEverySilence() {
        var alerts: [NotifiableAlert] = []
        for i in 0..<60 {
            var labels = [
                "alertname": ["Backlog", "WorkerDown", "Stranded"][i % 3],
                "severity": i % 4 == 0 ? "critical" : "warning",
            ]
            if i % 5 != 0 { labels["queue"] = i % 7 == 0 ? "очередь-\(i)" : "q\(i % 10)" }
            alerts.append(Fixtures.alert(labels["alertname"]!, labels, startsAt: 1000))
        }
        let silences = [
            silence("eq-one", [#"alertname="Backlog""#, #"queue="q3""#]),
            silence("eq-utf8", [#"queue="очередь-14""#]),
            silence("eq-missing-pair", [#"queue="nowhere""#, #"alertname="Backlog""#]),
            silence("empty-equal", [#"queue="""#, #"alertname="WorkerDown""#]),
            silence("regex-only", [#"queue=~"q[12]""#]),
            silence("not-equal", [#"severity!="warning""#, #"queue!~"q.*""#]),
            silence("mixed", [#"alertname=~"Back.*""#, #"severity="critical""#, #"queue!="q0""#]),
            silence("pending", [#"alertname="Backlog""#], startsAt: 11_000),
            silence("expired", [#"alertname="Backlog""#], startsAt: 1_000, endsAt: 9_500),
            silence("everything-backlog", [#"alertname="Backlog""#]),
            silence("literal-alternatives", [#"queue=~"q4|q5|q4""#, #"severity="warning""#]),
            silence("alternatives-with-empty", [#"queue=~"|q6""#, #"alertname="Stranded""#]),
            silence("dot-is-a-regex", [#"queue=~"q.""#, #"alertname="WorkerDown""#]),
        ]
        let status = MuteStatus.compute(alerts: alerts, rules: [], silences: silences, now: now)
        var expected: [String: [String]] = [:]
        for a in alerts {
            let ids = silences.filter { $0.state(at: now) == .active && $0.matches(a.labels) }.map(\.id).sorted()
            if !ids.isEmpty { expected[a.fingerprint] = ids }
        }
        #expect(status.silencedBy == expected)
        // Each kind of silence really silenced something (the comparison is not vacuous).
        let used = Set(status.silencedBy.values.flatMap { $0 })
        #expect(
            used == [
                "eq-one", "eq-utf8", "empty-equal", "regex-only", "not-equal", "mixed", "everything-backlog",
                "literal-alternatives", "alternatives-with-empty", "dot-is-a-regex",
            ])
        // What the index files under: equality and literal alternatives, never a value that
        // could also match a missing label, never a real regex.
        #expect(m(#"queue=~"q4|q5|q4""#).literalValues == ["q4", "q5"])
        #expect(m(#"queue=~"|q6""#).literalValues == nil)
        #expect(m(#"queue=~"q.""#).literalValues == nil)
        #expect(m(#"queue="""#).literalValues == nil)
        #expect(m(#"queue!="q1""#).literalValues == nil)
        #expect(status.nextChange == 11_000)
    }

    /// The cache kept between polls answers exactly like a fresh computation while alerts come
    /// and go and silences are added, changed, started and ended.
    @Test func cachedMatchesFollowAlertAndSilenceChanges() {
        let a = Fixtures.alert("Backlog", ["queue": "q1"])
        let b = Fixtures.alert("Backlog", ["queue": "q2"])
        let c = Fixtures.alert("WorkerDown", ["queue": "q2"])
        var cache = SilenceMatchCache()
        var silences = [silence("s1", [#"queue=~"q1|q3""#])]
        func check(_ alerts: [NotifiableAlert], at t: Double, _ line: Int = #line) {
            let cached = MuteStatus.compute(alerts: alerts, rules: [], silences: silences, now: t, cache: &cache)
            let fresh = MuteStatus.compute(alerts: alerts, rules: [], silences: silences, now: t)
            #expect(cached == fresh, "line \(line)")
        }
        check([a, b], at: now)
        check([a, b, c], at: now)  // a new alert
        silences.append(silence("s2", [#"queue="q2""#, #"alertname=~"Back.*""#]))
        check([a, b, c], at: now)  // a new silence
        silences[1] = silence("s2", [#"queue="q2""#])
        check([a, b, c], at: now)  // the same id with other matchers
        silences.append(silence("s3", [#"alertname="WorkerDown""#], startsAt: 10_500))
        check([b, c], at: now)  // a pending silence, an alert gone
        check([a, b, c], at: 10_600)  // it started
        check([a, b, c], at: 25_000)  // all ended
        let final = MuteStatus.compute(alerts: [a, b, c], rules: [], silences: silences, now: 10_600, cache: &cache)
        #expect(final.silencedBy[c.fingerprint] == ["s2", "s3"])
    }
}
