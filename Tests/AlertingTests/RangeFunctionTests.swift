import Exposition
import Testing

@testable import Alerting

/// Range functions over the exporter's own history, with values worked out by hand from
/// Prometheus's definitions (RangeFunctionPrometheusTests compares with a real Prometheus).
@Suite struct RangeFunctionTests {
    /// A history of `x_total` (or `name`) fed with `(seconds, value)` pairs, selector `name` kept for 1 h.
    private func history(_ samples: [(Int64, Double)], name: String = "x_total", labels: [String: String] = [:])
        throws -> SeriesHistory
    {
        var history = SeriesHistory()
        let selector = VectorSelector(matchers: [try LabelMatcher(name: "__name__", op: .equal, value: name)])
        history.use([MatrixSelector(selector: selector, range: 3600)])
        var full = labels
        full["__name__"] = name
        for (t, v) in samples { history.record([VectorElement(labels: full, value: v)], time: t * 1000) }
        return history
    }

    private func value(_ expr: String, _ history: SeriesHistory, at now: Double) throws -> [Double] {
        var evaluator = ExpressionEvaluator(families: [], now: now)
        evaluator.history = history
        return try evaluator.evaluateAsVector(try ExpressionParser.parse(expr)).map(\.value)
    }

    /// One value, within 1e-12 relative of `expected`.
    private func close(_ values: [Double], _ expected: Double) -> Bool {
        values.count == 1 && abs(values[0] - expected) <= 1e-12 * max(abs(expected), 1)
    }

    /// Label values from Redis may hold any character: `{a="x\u{fe}b\u{ff}y"}` and
    /// `{a="x", b="y"}` are two series (joining with U+00FE/U+00FF made them one, mixing samples).
    @Test func labelValuesWithSeparatorCharactersDoNotCollide() throws {
        var history = SeriesHistory()
        let selector = VectorSelector(matchers: [try LabelMatcher(name: "__name__", op: .equal, value: "x")])
        history.use([MatrixSelector(selector: selector, range: 3600)])
        let one = ["__name__": "x", "a": "x\u{fe}b\u{ff}y"]
        let two = ["__name__": "x", "a": "x", "b": "y"]
        history.record([VectorElement(labels: one, value: 1), VectorElement(labels: two, value: 2)], time: 0)
        #expect(history.seriesCount == 2)
        #expect(SeriesHistory.key(one) != SeriesHistory.key(two))
        let window = history.window(selector, start: -1, end: 1)
        #expect(Set(window.map(\.0)) == [one, two])
    }

    @Test func counterResetsAreAddedBack() throws {
        // 10 → 20 → 5 (reset) → 15 → 25 over exactly the window [0, 60]: increase = (25 − 10) + 20 (the value
        // lost at the reset) = 35, with no extrapolation (samples on both edges).
        let h = try history([(0, 10), (15, 20), (30, 5), (45, 15), (60, 25)])
        #expect(close(try value("increase(x_total[1m])", h, at: 60), 35))
        #expect(close(try value("rate(x_total[1m])", h, at: 60), 35.0 / 60))
        // delta treats it as a gauge: no reset handling.
        #expect(close(try value("delta(x_total[1m])", h, at: 60), 15))
        // irate: the last two samples (15 → 25) over 15 s.
        #expect(close(try value("irate(x_total[1m])", h, at: 60), 10.0 / 15))
        // Four changes of value, one of them a decrease (a reset).
        #expect(try value("changes(x_total[1m])", h, at: 60) == [4])
        #expect(try value("resets(x_total[1m])", h, at: 60) == [1])
    }

    @Test func extrapolatesTowardsTheWindowEdges() throws {
        // Samples at 10, 25, 40 s (100, 110, 120), window [0, 60]: average interval 15 s, threshold 16.5 s.
        // Start: 10 s away (< 16.5) → extrapolated all the way; end: 20 s away → only half an interval (7.5 s).
        // increase = 20 × (30 + 10 + 7.5) / 30.
        let h = try history([(10, 100), (25, 110), (40, 120)])
        #expect(close(try value("increase(x_total[1m])", h, at: 60), 20 * 47.5 / 30))
        // A counter born at 0 is not extrapolated below zero: samples 0 → 30 at 20 s and 50 s, window [0, 60]:
        // the zero point is the first sample itself, so only the end is extrapolated (10 s < 16.5 s).
        let born = try history([(20, 0), (35, 15), (50, 30)])
        #expect(close(try value("increase(x_total[1m])", born, at: 60), 30 * 40.0 / 30))
        // One sample is not enough for a rate: the element is dropped.
        #expect(try value("rate(x_total[1m])", try history([(50, 3)]), at: 60).isEmpty)
    }

    @Test func regressionAndOverTimeFunctions() throws {
        // q = 100 + 2/s × t: deriv is 2, predict_linear 10 s past the last sample adds 20.
        let h = try history([(0, 100), (10, 120), (20, 140), (30, 160)], name: "q")
        #expect(close(try value("deriv(q[1m])", h, at: 30), 2))
        #expect(close(try value("predict_linear(q[1m], 10)", h, at: 30), 180))
        #expect(close(try value("avg_over_time(q[1m])", h, at: 30), 130))
        #expect(close(try value("min_over_time(q[15s])", h, at: 30), 140))
        #expect(close(try value("max_over_time(q[1m])", h, at: 30), 160))
        #expect(close(try value("sum_over_time(q[1m])", h, at: 30), 520))
        #expect(try value("count_over_time(q[20s])", h, at: 30) == [3])
        #expect(close(try value("last_over_time(q[1m])", h, at: 30), 160))
        // Population variance of 100, 120, 140, 160: mean 130, squares 900 + 100 + 100 + 900 over 4 = 500.
        #expect(close(try value("stdvar_over_time(q[1m])", h, at: 30), 500))
        #expect(close(try value("stddev_over_time(q[1m])", h, at: 30), 500.0.squareRoot()))
        // The window is closed at both ends, as in Prometheus 2.x: [10 s, 30 s] holds 3 samples.
        #expect(try value("count_over_time(q[20s])", h, at: 30) == [3])
        // A constant series has slope 0.
        #expect(try value("deriv(q[1m])", try history([(0, 7), (10, 7)], name: "q"), at: 10) == [0])
    }

    @Test func labelsAndAbsence() throws {
        let h = try history([(0, 1), (15, 2)], labels: ["queue": "a"])
        var evaluator = ExpressionEvaluator(families: [], now: 15)
        evaluator.history = h
        let rate = try evaluator.evaluateAsVector(try ExpressionParser.parse("rate(x_total[1m])"))
        #expect(rate.map(\.labels) == [["queue": "a"]])  // __name__ dropped
        let last = try evaluator.evaluateAsVector(try ExpressionParser.parse("last_over_time(x_total[1m])"))
        #expect(last.map(\.labels) == [["__name__": "x_total", "queue": "a"]])  // kept, as in Prometheus
        #expect(try evaluator.evaluateAsVector(try ExpressionParser.parse("absent_over_time(x_total[1m])")).isEmpty)
        let absent = try evaluator.evaluateAsVector(
            try ExpressionParser.parse(#"absent_over_time(x_total{queue="b", job="j", job!="k"}[1m])"#))
        #expect(absent == [VectorElement(labels: ["queue": "b"], value: 1)])
        // 2 minutes later the samples are out of the 1 m window: absent, and no rate.
        var later = ExpressionEvaluator(families: [], now: 135)
        later.history = h
        #expect(try later.evaluateAsVector(try ExpressionParser.parse("absent_over_time(x_total[1m])")).count == 1)
        #expect(try later.evaluateAsVector(try ExpressionParser.parse("rate(x_total[1m])")).isEmpty)
    }

    @Test func historyKeepsOnlyReferencedSeriesForTheLongestRange() throws {
        var history = SeriesHistory()
        let q = VectorSelector(matchers: [try LabelMatcher(name: "__name__", op: .equal, value: "q")])
        history.use([MatrixSelector(selector: q, range: 60), MatrixSelector(selector: q, range: 120)])
        #expect(history.retention == 120_000)
        for t in stride(from: Int64(0), through: 600, by: 15) {
            history.record(
                [
                    VectorElement(labels: ["__name__": "q", "queue": "a"], value: Double(t)),
                    VectorElement(labels: ["__name__": "other"], value: 1),
                ], time: t * 1000)
        }
        #expect(history.seriesCount == 1)  // `other` is referenced by no rule
        #expect(history.sampleCount == 9)  // 480 s … 600 s every 15 s: the 120 s range, both ends
        // A series that stops being reported is forgotten once its samples leave the retention.
        for t in stride(from: Int64(615), through: 750, by: 15) { history.record([], time: t * 1000) }
        #expect(history.seriesCount == 0)
        #expect(history.bytes == 0)
        // After a reload that no longer uses range selectors, nothing is kept.
        history.record([VectorElement(labels: ["__name__": "q"], value: 1)], time: 800_000)
        history.use([])
        history.record([VectorElement(labels: ["__name__": "q"], value: 1)], time: 815_000)
        #expect(history.seriesCount == 0)
    }

    @Test func byteLimitEvictsLeastRecentlySeenFirstAndCounts() throws {
        let q = VectorSelector(matchers: [try LabelMatcher(name: "__name__", op: .equal, value: "q")])
        func element(_ queue: String) -> VectorElement {
            VectorElement(labels: ["__name__": "q", "queue": queue], value: 1)
        }
        func fill(_ history: inout SeriesHistory) {
            history.use([MatrixSelector(selector: q, range: 3600)])
            for t in Int64(0)..<10 { history.record([element("old")], time: t * 1000) }
            for t in Int64(10)..<20 { history.record([element("aaa"), element("bbb")], time: t * 1000) }
        }
        // The limit is what these three series take, plus less than any one series costs (array capacities
        // depend on the allocator, so the same inserts can take a few bytes more the second time).
        var probe = SeriesHistory(byteLimit: 1 << 30)
        fill(&probe)
        let limit = probe.bytes + SeriesHistory.seriesOverheadBytes / 2
        var history = SeriesHistory(byteLimit: limit)
        fill(&history)
        #expect(history.seriesCount == 3)
        #expect(history.evictedSeries == 0)
        // Three more series at once: "old" (not seen since t=9) goes first, then the newest of the current ones.
        history.record([element("aaa"), element("bbb"), element("ccc"), element("ddd"), element("eee")], time: 20_000)
        #expect(history.bytes <= history.byteLimit)
        #expect(history.evictedSeries >= 2)
        #expect(history.seriesCount + Int(history.evictedSeries) == 6)
        let kept = Set(history.window(q, start: 0, end: 20_000).map { $0.labels["queue"]! })
        #expect(!kept.contains("old"))
        #expect(kept.isSuperset(of: ["aaa", "bbb"]))  // the series with history keep it
        let families = history.metricFamilies()
        let evicted = families.first { $0.name == "celery_redis_rule_history_series_evicted" }
        #expect(evicted?.samples.first?.value == Double(history.evictedSeries))
        #expect(
            families.first { $0.name == "celery_redis_rule_history_limit_bytes" }?.samples.first?.value
                == Double(limit))
    }

    @Test func alertOnRateFiresThroughTheEvaluator() throws {
        let rules = try groups(
            """
            groups:
              - name: g
                rules:
                  - alert: Failing
                    expr: rate(failures_total[1m]) > 0.25
                    annotations:
                      summary: "{{ $value }} failures per second"
            """)
        let evaluator = AlertEvaluator(groups: rules)
        func families(_ value: Double) -> [MetricFamily] {
            [
                MetricFamily(
                    name: "failures", help: "", type: .counter,
                    samples: [Sample(labels: [Label("q", "a")], value: value)])
            ]
        }
        // 0 → 30 in 15 s, over a 1 m range: increase 30 (not extrapolated below the counter's zero), rate 0.5/s.
        #expect(evaluator.evaluate(families: families(0), now: 1000).isEmpty)
        let alerts = evaluator.evaluate(families: families(30), now: 1015)
        #expect(alerts.map(\.labels) == [["alertname": "Failing", "q": "a"]])
        #expect(alerts.first?.state == .firing)
        // A reset (the counter restarts at 0) is not a negative rate: 0 → 30 → 0 still increased by 30.
        let afterReset = evaluator.evaluate(families: families(0), now: 1030)
        #expect(afterReset.first?.state == .firing)
        let metric = evaluator.metricFamilies(now: 1030).first { $0.name == "celery_redis_rule_history_samples" }
        #expect(metric?.samples.first?.value == 3)
    }
}
