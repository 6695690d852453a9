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

    /// Prometheus rejects durations past 64-bit milliseconds ("out of range"); so do we, instead of
    /// carrying 1e27 seconds into arithmetic that traps when it becomes an integer.
    @Test(arguments: [
        "99999999999999999999y", "292471209y", "9223372036854775808ms", "292471208y1000w", "18446744073709551616s",
    ])
    func rejectsOutOfRange(_ text: String) {
        #expect(PrometheusDuration.parse(text) == nil)
    }

    @Test func acceptsTheLargestInRange() {
        #expect(PrometheusDuration.parse("292471208y").map { abs($0 - 292_471_208 * 31_536_000) <= 1 } == true)
        #expect(PrometheusDuration.parse("9223372036854775807ms") == Double(Int64.max) / 1000)
    }

    @Test func formatNeverTraps() {
        #expect(PrometheusDuration.format(1e30) == "Inf")
        #expect(PrometheusDuration.format(-.infinity) == "-Inf")
        #expect(PrometheusDuration.format(.nan) == "NaN")
    }
}
