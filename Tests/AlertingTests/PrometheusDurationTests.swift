import Testing

@testable import Alerting

@Suite struct PrometheusDurationTests {
    @Test(arguments: [
        ("0", 0.0), ("0s", 0), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("1d", 86400), ("1w", 604_800),
        ("1y", 31_536_000), ("500ms", 0.5), ("1h0m5s", 3605), ("2h", 7200),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(PrometheusDuration.parse(text) == seconds)
    }

    @Test(arguments: ["", "5", "1.5m", "5M", "m", "1m1h", "1s1s", "-5m", "5 m", "1x"])
    func rejects(_ text: String) {
        #expect(PrometheusDuration.parse(text) == nil)
    }

    @Test func formats() {
        #expect(PrometheusDuration.format(5400) == "1h30m")
        #expect(PrometheusDuration.format(0) == "0s")
        #expect(PrometheusDuration.format(0.5) == "500ms")
    }
}
