import Foundation
import TestSupport
import Testing

@testable import Alerting

/// Range functions against real Prometheus: the same samples go into a TSDB block (written by
/// `promtool tsdb create-blocks-from openmetrics`) served by a real `prometheus`, and into the
/// exporter's ``SeriesHistory``; every expression is evaluated at many instants by both and the
/// results must have the same label sets and values within 1e-9 relative.
///
/// The series are built to reach every branch of Prometheus's arithmetic: irregular spacing (so
/// the 1.1 × average-interval extrapolation threshold goes both ways), counter resets, a counter
/// born at zero inside the window (extrapolation stops at the zero point), a sparse series, one that
/// stops (no sample in later windows), a constant one (regression's constant branch), large values
/// with small changes, and evaluation instants exactly one range after a sample (closed window).
@Suite struct RangeFunctionPrometheusTests {
    static let base: Int64 = 1_700_000_000
    static let span: Int64 = 1800

    static let expressions = [
        "rate(c_total[5m])", "increase(c_total[5m])", "rate(c_total{s=~\"a|b\"}[1m])", "increase(c_total[10m])",
        "delta(g[5m])", "irate(c_total[5m])", "idelta(g[2m])", "deriv(g[10m])", "predict_linear(g[10m], 3600)",
        "predict_linear(c_total[5m], 600)", "avg_over_time(g[5m])", "min_over_time(g[5m])", "max_over_time(g[3m])",
        "sum_over_time(g[5m])", "count_over_time(c_total[5m])", "last_over_time(g[1m])",
        "present_over_time(c_total[2m])", "absent_over_time(g{s=\"gone\"}[5m])",
        "absent_over_time(c_total{s=\"b\"}[2m])",
        "max_over_time({__name__=~\"g|c_total\"}[3m])", "changes(g[5m])", "resets(c_total[10m])",
        "stddev_over_time(g[5m])", "stdvar_over_time(g[10m])", "sum(rate(c_total[5m])) / sum(increase(c_total[5m]))",
        // Sparse: the series c has a sample every ~75 s, so these windows hold 0, 1 or 2.
        "rate(c_total{s=\"c\"}[2m])", "increase(c_total{s=\"c\"}[90s])", "deriv(c_total{s=\"c\"}[2m])",
        // absent: the labels of the equality matchers only, as Prometheus builds them.
        "absent(nonexistent{job=\"celery\",queue=~\"a.*\",s!=\"x\"})",
        "absent_over_time(nonexistent{job=\"celery\",queue=~\"a.*\"}[5m])",
    ]

    /// `name{labels}` → samples (seconds since `base`, value), generated from a fixed seed.
    static func series() -> [(name: String, labels: [String: String], samples: [(Int64, Double)])] {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 33
        }
        func jittered(_ step: Int64, _ jitter: Int64) -> Int64 {
            step + Int64(next() % UInt64(2 * jitter + 1)) - jitter
        }

        var a: [(Int64, Double)] = []
        var t: Int64 = 0
        var v = 1234.0
        var i = 0
        while t <= span {
            a.append((t, v))
            i += 1
            v = (i % 23 == 0) ? Double(next() % 7) : v + Double(next() % 20)  // resets now and then
            t += jittered(15, 6)
        }
        var b: [(Int64, Double)] = []
        t = 300
        v = 0
        while t <= 1500 {
            b.append((t, v))
            v += Double(next() % 5) + 0.5
            t += jittered(15, 2)
        }
        var c: [(Int64, Double)] = []
        t = 7
        v = 10.25
        while t <= span {
            c.append((t, v))
            v += Double(next() % 1000) / 8
            t += jittered(75, 20)
        }
        var x: [(Int64, Double)] = []
        t = 3
        v = 0
        while t <= span {
            x.append((t, v))
            v += (Double(next() % 2001) - 1000) / 64
            t += jittered(10, 3)
        }
        var y: [(Int64, Double)] = []
        t = 0
        while t <= 900 {
            y.append((t, 42))
            t += 15
        }
        var z: [(Int64, Double)] = []
        t = 1
        v = 1e9
        while t <= span {
            z.append((t, v))
            v += Double(next() % 3) * 0.001
            t += jittered(20, 9)
        }
        return [
            ("c_total", ["s": "a"], a), ("c_total", ["s": "b"], b), ("c_total", ["s": "c"], c),
            ("g", ["s": "x"], x), ("g", ["s": "y"], y), ("g", ["s": "z"], z),
        ]
    }

    /// Instants to compare at: a regular sweep plus instants exactly 1 m, 5 m and 10 m after a sample.
    static func instants(_ all: [(name: String, labels: [String: String], samples: [(Int64, Double)])]) -> [Int64] {
        var set = Set(stride(from: Int64(20), through: span + 120, by: 41))
        for (t, _) in all[0].samples.prefix(40) where t % 3 == 0 {
            set.formUnion([t + 60, t + 300, t + 600].filter { $0 <= span + 120 })
        }
        return set.sorted()
    }

    static func openMetrics(_ all: [(name: String, labels: [String: String], samples: [(Int64, Double)])]) -> String {
        var text = ""
        var declared: Set<String> = []
        for (name, labels, samples) in all {
            let family = name.hasSuffix("_total") ? String(name.dropLast(6)) : name
            if declared.insert(family).inserted {
                text += "# TYPE \(family) \(name.hasSuffix("_total") ? "counter" : "gauge")\n"
            }
            let labelText = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
            for (t, v) in samples { text += "\(name){\(labelText)} \(v) \(base + t)\n" }
        }
        return text + "# EOF\n"
    }

    @Test func agreesWithPrometheus() throws {
        let promtool = try requireTool("promtool")
        let prometheusBinary = try requireTool("prometheus")
        let directory = try makeTemporaryDirectory("range-functions")
        defer { try? FileManager.default.removeItem(at: directory) }
        let all = RangeFunctionPrometheusTests.series()
        let input = directory.appendingPathComponent("series.om")
        try RangeFunctionPrometheusTests.openMetrics(all).write(to: input, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data")
        let created = try runCommand(promtool, ["tsdb", "create-blocks-from", "openmetrics", input.path, data.path])
        try #require(created.status == 0, "\(created.stdout)\(created.stderr)")
        let config = directory.appendingPathComponent("prometheus.yml")
        try "global: {}\n".write(to: config, atomically: true, encoding: .utf8)

        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prometheusBinary)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(data.path)",
            "--web.listen-address=127.0.0.1:\(port)", "--storage.tsdb.retention.time=100y",
        ]
        let log = directory.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try spawnWithDefaultSignalMask { try process.run() }
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let ready = waitUntil(timeout: 30) { (try? httpRequest(port: port, path: "/-/ready").status) == 200 }
        try #require(ready, "prometheus did not become ready: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")

        let parsed = try RangeFunctionPrometheusTests.expressions.map { ($0, try ExpressionParser.parse($0)) }
        var history = SeriesHistory()
        history.use(parsed.flatMap { $0.1.matrixSelectors })
        // Every sample, by time, as the history would see them poll after poll.
        var byTime: [Int64: [VectorElement]] = [:]
        for (name, labels, samples) in all {
            var full = labels
            full["__name__"] = name
            for (t, v) in samples { byTime[t, default: []].append(VectorElement(labels: full, value: v)) }
        }
        let sampleTimes = byTime.keys.sorted()
        var recorded = 0
        var compared = 0
        var nonEmpty = 0
        for instant in RangeFunctionPrometheusTests.instants(all) {
            while recorded < sampleTimes.count, sampleTimes[recorded] <= instant {
                let t = sampleTimes[recorded]
                history.record(byTime[t]!, time: (RangeFunctionPrometheusTests.base + t) * 1000)
                recorded += 1
            }
            let now = Double(RangeFunctionPrometheusTests.base + instant)
            for (text, expression) in parsed {
                var evaluator = ExpressionEvaluator(families: [], now: now)
                evaluator.history = history
                let ours = try evaluator.evaluateAsVector(expression)
                let theirs = try query(port: port, text, at: now)
                compared += 1
                if !theirs.isEmpty { nonEmpty += 1 }
                let key: ([String: String]) -> String = { $0.sorted { $0.key < $1.key }.description }
                let ourMap = Dictionary(ours.map { (key($0.labels), $0.value) }, uniquingKeysWith: { a, _ in a })
                let theirMap = Dictionary(theirs.map { (key($0.labels), $0.value) }, uniquingKeysWith: { a, _ in a })
                #expect(Set(ourMap.keys) == Set(theirMap.keys), "\(text) at +\(instant)s: label sets")
                for (labels, want) in theirMap {
                    guard let got = ourMap[labels] else { continue }
                    let close =
                        (got.isNaN && want.isNaN) || got == want
                        || abs(got - want) <= 1e-9 * max(abs(got), abs(want))
                    #expect(close, "\(text) at +\(instant)s \(labels): ours \(got), Prometheus \(want)")
                }
            }
        }
        // The comparison covered real results, not only empty vectors.
        #expect(compared > 1000)
        #expect(nonEmpty > compared * 3 / 4)
    }

    /// `GET /api/v1/query` → the result vector (or a scalar as one unlabelled element).
    private func query(port: UInt16, _ expression: String, at time: Double) throws -> [VectorElement] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: allowed)!
        let response = try httpRequest(port: port, path: "/api/v1/query?query=\(encoded)&time=\(Int64(time))")
        guard response.status == 200,
            let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { throw HarnessError("query \(expression) failed: \(response.status) \(response.text)") }
        return result.map { entry in
            let labels = entry["metric"] as? [String: String] ?? [:]
            let value = (entry["value"] as? [Any])?[1] as? String ?? "NaN"
            return VectorElement(
                labels: labels,
                value: Double(value) ?? (value == "+Inf" ? .infinity : value == "-Inf" ? -.infinity : .nan))
        }
    }
}
