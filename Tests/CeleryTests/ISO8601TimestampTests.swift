import Testing

@testable import Celery

@Suite struct ISO8601TimestampTests {
    @Test(arguments: [
        // countdown=600 eta and expires=3600 values, as Celery writes them.
        ("2026-11-25T16:56:20.530675+00:00", 1795625780.530675),
        ("2026-11-25T17:46:20.536056+00:00", 1795628780.536056),
        ("2026-11-25T17:05:51.450377+00:00", 1795626351.450377),
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00", 0),
        ("1969-12-31T23:59:59Z", -1),
        ("2024-02-29T12:00:00-05:30", 1_709_227_800),
        ("2024-02-29T17:30:00+0000", 1_709_227_800),
        ("2024-02-29T19:30:00+02", 1_709_227_800),
        ("2024-02-29 17:30:00z", 1_709_227_800),
        ("2024-02-29T17:30+00:00", 1_709_227_800),
        ("2000-03-01T00:00:00.5Z", 951868800.5),
        ("2024-12-31T24:00:00Z", 1_735_689_600),
    ])
    func parses(text: String, expected: Double) throws {
        let value = try #require(ISO8601Timestamp.parse(text))
        #expect(abs(value - expected) < 1e-6, "\(text) → \(value)")
    }

    @Test(arguments: [
        "", "null", "2026", "2026-11-25", "2026-11-25T", "2026-11-25T16", "2026-11-25T16:56:",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-11-25T25:00:00Z", "2026-11-25T24:00:01Z", "2026-11-25T12:60:00Z", "2026-11-25T12:00:61Z",
        "2026-11-25T12:00:00.Z", "2026-11-25T12:00:00+24:00", "2026-11-25T12:00:00+01:60",
        "2026-11-25T12:00:00+1", "2026-11-25T12:00:00 UTC", "2026-11-25X12:00:00", "２０２６-11-25T12:00:00Z",
        "2026-11-25T12:00:00+00:00junk",
    ])
    func rejects(text: String) {
        #expect(ISO8601Timestamp.parse(text) == nil)
    }

    @Test func daysFromCivilMatchesKnownDates() {
        #expect(ISO8601Timestamp.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(ISO8601Timestamp.daysFromCivil(year: 2000, month: 3, day: 1) == 11017)
        #expect(ISO8601Timestamp.daysFromCivil(year: 1600, month: 1, day: 1) == -135140)
    }
}
