import Testing

@testable import Alerting

@Suite struct AlertsAPITests {
    @Test func prometheusShape() {
        let alerts = [
            Alert(
                labels: ["alertname": "Backlog", "queue": "a<b>&c"], annotations: ["summary": "line\n\"quoted\""],
                state: .firing, activeAt: 1_764_093_600.25, firedAt: 1_764_093_900, lastTrueAt: 1_764_093_900,
                value: 1500),
            Alert(
                labels: ["alertname": "Down"], annotations: [:], state: .pending, activeAt: 0, lastTrueAt: 0, value: 1),
            Alert(
                labels: ["alertname": "Gone"], annotations: [:], state: .resolved, activeAt: 0, resolvedAt: 5,
                lastTrueAt: 0, value: 1),
            Alert(
                labels: ["alertname": "Sticky"], annotations: [:], state: .firing, activeAt: 0, lastTrueAt: 0,
                keepFiringSince: 60, value: 0.25),
        ]
        let json = String(decoding: AlertsAPI.json(alerts), as: UTF8.self)
        let expected =
            #"{"status":"success","data":{"alerts":["#
            + #"{"labels":{"alertname":"Backlog","queue":"a\u003cb\u003e\u0026c"},"annotations":{"summary":"line\n\"quoted\""},"#
            + #""state":"firing","activeAt":"2025-11-25T18:00:00.25Z","value":"1.5e+03"},"#
            + #"{"labels":{"alertname":"Down"},"annotations":{},"state":"pending","activeAt":"1970-01-01T00:00:00Z","value":"1e+00"},"#
            + #"{"labels":{"alertname":"Sticky"},"annotations":{},"state":"firing","activeAt":"1970-01-01T00:00:00Z","#
            + #""keepFiringSince":"1970-01-01T00:01:00Z","value":"2.5e-01"}"#
            + "]}}"
        #expect(json == expected)
    }

    @Test(arguments: [
        (1.0, "1e+00"), (1500.0, "1.5e+03"), (0.25, "2.5e-01"), (123.0, "1.23e+02"), (0.0, "0e+00"), (-2.0, "-2e+00"),
        (1e-7, "1e-07"), (1.5e300, "1.5e+300"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
        (Double.nan, "NaN"),
        (0.1, "1e-01"), (123_456.789, "1.23456789e+05"),
    ])
    func valueFormatting(_ value: Double, _ expected: String) {
        #expect(GoFormat.exponentShortest(value) == expected)
    }

    @Test func rfc3339() {
        #expect(RFC3339.format(0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(RFC3339.format(1_764_093_600.5) == "2025-11-25T18:00:00.5Z")
        #expect(RFC3339.format(4_102_444_799.000001) == "2099-12-31T23:59:59.000001Z")
    }

    /// A damaged stored time (`-1e300`, `nan`, `inf`) trapped converting to `Int64`: it is clamped
    /// to 0001-01-01 .. 9999-12-31 (NaN is Go's zero time) instead.
    @Test(arguments: [
        (-1e300, "0001-01-01T00:00:00Z"), (Double.nan, "0001-01-01T00:00:00Z"),
        (-Double.infinity, "0001-01-01T00:00:00Z"), (1e300, "9999-12-31T23:59:59Z"),
        (Double.infinity, "9999-12-31T23:59:59Z"), (-62_135_596_800, "0001-01-01T00:00:00Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
    ])
    func rfc3339NeverTraps(_ seconds: Double, _ expected: String) {
        #expect(RFC3339.format(seconds) == expected)
    }
}
