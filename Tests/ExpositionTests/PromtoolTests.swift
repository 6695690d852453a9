import Exposition
import Foundation
import TestSupport
import Testing

/// Checks our output with Prometheus's own parsers (`promtool`, from the Debian `prometheus` package).
@Suite struct PromtoolTests {
    /// Everything the encoders can produce, with HELP on every family.
    static let families: [MetricFamily] =
        ExpositionFixtures.basic + ExpositionFixtures.escaping + [
            MetricFamily(
                name: "celery_redis_worker_busy_seconds", help: "Busy time.", type: .counter, unit: "seconds",
                samples: [Sample(labels: [Label("worker", "w1")], value: 12.5)]),
            MetricFamily(
                name: "celery_redis_values", help: "Special values.", type: .gauge,
                samples: [
                    Sample(labels: [Label("kind", "nan")], value: .nan),
                    Sample(labels: [Label("kind", "inf")], value: .infinity),
                    Sample(labels: [Label("kind", "minus_inf")], value: -.infinity),
                    Sample(labels: [Label("kind", "tiny")], value: 1e-300),
                    Sample(labels: [Label("kind", "huge")], value: -1.5e300),
                ]),
            MetricFamily(
                name: "celery_redis_build_info", help: "Build information.", type: .gauge,
                samples: [Sample(labels: [Label("version", "1.0.0")], value: 1)]),
        ]

    static func checkMetrics(_ body: [UInt8]) throws -> (status: Int32, output: String) {
        let result = try TestTools.run("promtool", ["check", "metrics"], input: Data(body))
        return (result.status, (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func promtoolCheckMetricsReportsZeroProblemsForText() throws {
        let body = MetricEncoder.encode(Self.families, as: .prometheusText)
        let result = try Self.checkMetrics(body)
        #expect(result.status == 0, "promtool check metrics failed:\n\(result.output)\n--- input ---\n\(body.text)")
        #expect(result.output.isEmpty, "promtool reported problems:\n\(result.output)")
    }

    /// Proves the check above would notice a problem: a counter without HELP text is linted.
    @Test func promtoolCheckMetricsCatchesALintProblem() throws {
        let body = MetricEncoder.encode(
            [MetricFamily(name: "jobs", help: "", type: .counter, samples: [Sample(value: 1)])], as: .prometheusText)
        let result = try Self.checkMetrics(body)
        #expect(result.status != 0)
        #expect(result.output.contains("no help text"))
    }

    /// `promtool check metrics` (2.42) only reads text 0.0.4 (it misreads OpenMetrics counters), so
    /// OpenMetrics goes through Prometheus's OpenMetrics parser instead: `promtool tsdb
    /// create-blocks-from openmetrics`, which needs a timestamp on every sample, so we add one.
    @Test func openMetricsParsesWithPrometheusOpenMetricsParser() throws {
        let body = MetricEncoder.encode(Self.families, as: .openMetrics)
        let result = try Self.backfill(Self.withTimestamps(body))
        #expect(result.status == 0, "OpenMetrics parser rejected our output:\n\(result.output)\n\(body.text)")
        let sampleLines = body.text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        #expect(result.output.contains("NUM SERIES"))
        #expect(result.output.contains(" \(sampleLines) "), "expected \(sampleLines) series:\n\(result.output)")
    }

    /// Proves the OpenMetrics check would notice a broken body (no `# EOF`).
    @Test func openMetricsParserCatchesMissingEOF() throws {
        let body = MetricEncoder.encode(ExpositionFixtures.basic, as: .openMetrics).dropLast("# EOF\n".utf8.count)
        let result = try Self.backfill(Self.withTimestamps(Array(body)))
        #expect(result.status != 0)
        #expect(result.output.contains("EOF"))
    }

    /// Structure rules the parsers above are lenient about (OpenMetrics 1.0 §"Text format").
    @Test func openMetricsStructure() {
        let text = MetricEncoder.encode(Self.families, as: .openMetrics).text
        #expect(text.hasSuffix("\n# EOF\n"))
        #expect(text.components(separatedBy: "# EOF").count == 2)
        #expect(!text.contains("\r"))
        var declared: [String: String] = [:]  // family -> type
        var finished = Set<String>()
        var current: String? = nil
        for line in text.split(separator: "\n").map(String.init) where line != "# EOF" {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ").map(String.init)
                if let current { finished.insert(current) }
                current = parts[2]
                #expect(declared[parts[2]] == nil, "family declared twice: \(line)")
                declared[parts[2]] = parts[3]
                #expect(!(parts[3] == "counter" && parts[2].hasSuffix("_total")), "counter family with _total: \(line)")
            } else if line.hasPrefix("# UNIT ") {
                let parts = line.split(separator: " ").map(String.init)
                #expect(parts[2] == current && parts[2].hasSuffix("_" + parts[3]), "bad UNIT line: \(line)")
            } else if !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                guard let family = current, let type = declared[family] else {
                    Issue.record("sample before any TYPE: \(line)")
                    continue
                }
                let allowed: [String]
                switch type {
                case "counter": allowed = [family + "_total"]
                case "histogram": allowed = ["_bucket", "_sum", "_count"].map { family + $0 }
                default: allowed = [family]
                }
                #expect(allowed.contains(name), "sample '\(name)' does not belong to \(type) family '\(family)'")
                #expect(!finished.contains(family))
            }
        }
        #expect(declared.count == Self.families.count)
    }

    /// Appends a timestamp to every sample line (backfilling requires them; we never emit them).
    static func withTimestamps(_ body: [UInt8]) -> String {
        body.text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty || $0.hasPrefix("#") ? String($0) : $0 + " 1700000000" }
            .joined(separator: "\n")
    }

    static func backfill(_ openMetrics: String) throws -> (status: Int32, output: String) {
        let directory = try makeTemporaryDirectory("expo-om")
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("metrics.om").path
        try openMetrics.write(toFile: input, atomically: true, encoding: .utf8)
        let result = try TestTools.run(
            "promtool",
            ["tsdb", "create-blocks-from", "openmetrics", input, directory.appendingPathComponent("blocks").path])
        return (result.status, result.stdout + result.stderr)
    }
}
