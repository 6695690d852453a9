import Testing

@testable import Exporter

/// Issue 12: live outcome rates from the result counters, over a bounded window.
@Suite struct OutcomeRateWindowTests {
    @Test func ratesPerMinuteOverTheWindow() throws {
        var w = OutcomeRateWindow()
        #expect(w.ratesPerMinute == nil)
        w.record(["SUCCESS": 10, "FAILURE": 1], at: 1000)
        #expect(w.ratesPerMinute == nil)
        w.record(["SUCCESS": 40, "FAILURE": 1], at: 1030)
        w.record(["SUCCESS": 70, "FAILURE": 4], at: 1060)
        let r = try #require(w.ratesPerMinute)
        #expect(r.window == 60)
        #expect(r.rates.map(\.state) == ["FAILURE", "SUCCESS"])
        #expect(r.rates.map(\.rate) == [3, 60])
    }

    @Test func staysBoundedAndSpansTheWindow() throws {
        var w = OutcomeRateWindow()
        for i in 0..<1000 { w.record(["SUCCESS": Double(i)], at: Double(i)) }  // one poll a second
        #expect(w.count <= OutcomeRateWindow.maximumSamples)
        let r = try #require(w.ratesPerMinute)
        #expect(
            r.window >= OutcomeRateWindow.windowSeconds
                && r.window <= OutcomeRateWindow.windowSeconds + OutcomeRateWindow.minimumSpacing + 1)
        #expect(abs(r.rates[0].rate - 60) < 0.001)
    }

    @Test func aCounterThatWentDownCountsFromZero() throws {
        var w = OutcomeRateWindow()
        w.record(["SUCCESS": 100], at: 0)
        w.record(["SUCCESS": 6], at: 60)
        #expect(try #require(w.ratesPerMinute).rates[0].rate == 6)
    }
}
