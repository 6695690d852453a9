import Testing

@testable import Exporter

/// Issue 12: units on every number; the page's script mirrors these rules (checked in the browser test).
@Suite struct StatusFormattingTests {
    static let countCases: [(Double, String)] = [
        (0.0, "0"), (7, "7"), (999, "999"), (1000, "1k"), (1234, "1.2k"), (45_600, "45.6k"), (789_000, "789k"),
        (1_250_000, "1.3M"), (3_000_000_000, "3G"), (2.5, "2.5"),
    ]

    @Test(arguments: countCases)
    func counts(_ value: Double, _ text: String) {
        #expect(StatusFormatting.count(value) == text)
    }

    static let durationCases: [(Double, String)] = [
        (0.0, "0s"), (0.9, "0s"), (45, "45s"), (60, "1m"), (192, "3m 12s"), (7500, "2h 5m"), (7200, "2h"),
        (3 * 86400 + 4 * 3600 + 59, "3d 4h"), (-5, "0s"),
    ]

    @Test(arguments: durationCases)
    func durations(_ seconds: Double, _ text: String) {
        #expect(StatusFormatting.duration(seconds) == text)
    }

    @Test func shortDurationsRatesAndTimes() {
        #expect(StatusFormatting.shortDuration(0.0421) == "42 ms")
        #expect(StatusFormatting.shortDuration(1.256) == "1.26 s")
        #expect(StatusFormatting.rate(0) == "0/min")
        #expect(StatusFormatting.rate(3.46) == "3.5/min")
        #expect(StatusFormatting.rate(1234) == "1.2k/min")
        #expect(StatusFormatting.relative(100, now: 100.4) == "just now")
        #expect(StatusFormatting.relative(100, now: 292) == "3m 12s ago")
        #expect(StatusFormatting.relative(100, now: 95) == "in 5s")
        #expect(StatusFormatting.isoTime(1_796_465_281.9) == "2026-12-05T10:08:01Z")
        #expect(StatusFormatting.absoluteTime(1_796_465_281.9) == "2026-12-05 10:08:01 UTC")
        #expect(StatusFormatting.count(.nan) == "–" && StatusFormatting.duration(.infinity) == "–")
    }

    /// Issue 9: an age from a forged publish time (1e300 s) trapped converting to Int, on the
    /// poller thread that renders the page after every poll.
    @Test func valuesPastIntegerRangeDoNotTrap() {
        #expect(StatusFormatting.duration(1e300) == StatusFormatting.duration(StatusFormatting.maximumSeconds))
        #expect(StatusFormatting.duration(1e300).hasPrefix("11574074074d"))
        #expect(StatusFormatting.count(-1e19) == "-10000000000G")
        #expect(StatusFormatting.count(1e300).hasSuffix("e+291G"))
        #expect(StatusFormatting.shortDuration(-1e300) == "0 ms")
        #expect(StatusFormatting.shortDuration(1e300) == "1e+300 s")
        #expect(StatusFormatting.rate(1e300).hasSuffix("e+291G/min"))
    }
}
