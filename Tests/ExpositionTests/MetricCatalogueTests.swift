import Foundation
import Testing

@testable import Exposition

/// The catalogue is the list of served families: it is well formed, and the README's metric tables,
/// the dashboard generator and the shipped rules name exactly what it declares.
@Suite struct MetricCatalogueTests {
    /// The package root (this file is Tests/ExpositionTests/MetricCatalogueTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The longest HELP text: the README holds the long story.
    static let maximumHelpLength = 300

    @Test func declarationsAreWellFormed() {
        for d in MetricCatalogue.all {
            #expect(
                d.name.hasPrefix(MetricCatalogue.namespace) || d.name.hasPrefix("process_"),
                "\(d.name) is outside the namespace")
            #expect(
                !d.help.isEmpty && d.help.count <= Self.maximumHelpLength,
                "\(d.name): HELP of \(d.help.count) characters")
            #expect(d.help.hasSuffix("."), "\(d.name): HELP is a sentence")
            #expect(d.unit.map { d.name.hasSuffix("_" + $0) } ?? true, "\(d.name) does not end with its unit")
            #expect(
                d.type != .counter || !d.name.hasSuffix("_total"), "\(d.name): counters are declared without _total")
            #expect(Set(d.labelNames).count == d.labelNames.count, "\(d.name) declares a label twice")
            let reserved: Set<String> = ["le", "quantile", "job", "instance"]
            #expect(reserved.isDisjoint(with: d.labelNames), "\(d.name) uses a reserved label name")
        }
        #expect(MetricCatalogue.byName.count == MetricCatalogue.all.count, "a family is declared twice")
    }

    @Test func familiesBuiltFromTheCatalogueDoNotCollide() {
        // Counters reserve name_total and name_created, histograms name_bucket, _sum and _count.
        let families = MetricCatalogue.all.map { d in
            d.type == .histogram ? MetricFamily.histogram(d, series: []) : MetricFamily(d, samples: [])
        }
        #expect(MetricFamily.consistencyProblems(families) == [])
        #expect(families.map(\.help) == MetricCatalogue.all.map(\.help))
    }

    @Test func labelsMustBeDeclaredInOrder() {
        let d = MetricDescriptor("celery_redis_test_things", .gauge, labels: ["queue", "task"], help: "Test.")
        #expect(d.admits(labelNames: []))
        #expect(d.admits(labelNames: ["queue"]))
        #expect(d.admits(labelNames: ["task"]))
        #expect(d.admits(labelNames: ["queue", "task"]))
        #expect(!d.admits(labelNames: ["task", "queue"]))
        #expect(!d.admits(labelNames: ["queue", "worker"]))
        #expect(!d.admits(labelNames: ["queue", "queue"]))
        let open = MetricDescriptor(
            "celery_redis_test_alerts", .gauge, labels: ["alertname"], withRuleLabels: true, help: "Test.")
        #expect(open.admits(labelNames: ["alertname", "queue", "severity"]))
        #expect(!MetricCatalogue.contains(d), "a descriptor made elsewhere is not in the catalogue")
        #expect(MetricCatalogue.contains(.queueLength))
    }

    /// Every served family has a row in the README's metric tables, and every name in those tables
    /// is served. A row's first cell names one or more metrics in backticks, as users query them
    /// (counters with `_total`), optionally with `{labels}`.
    @Test func readmeTablesMatchTheCatalogue() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        var documented = Set<String>()
        for line in readme.split(separator: "\n")
        where line.hasPrefix("| `celery_redis_") || line.hasPrefix("| `process_") {
            let firstCell = line.dropFirst(2).prefix { $0 != "|" }
            for name in Self.backticked(firstCell) {
                documented.insert(String(name.prefix { $0 != "{" }))
            }
        }
        let served = Set(MetricCatalogue.all.map(\.exposedName))
        let undocumented = served.subtracting(documented).sorted()
        let unserved = documented.subtracting(served).sorted()
        #expect(undocumented == [], "served but missing from README.md's metric tables: \(undocumented)")
        #expect(unserved == [], "named in README.md's metric tables but not served: \(unserved)")
    }

    /// Every metric name the dashboard generator, the dashboard, the shipped deployment files
    /// (rules, their promtool tests, the Kubernetes and KEDA manifests) and the README's prose
    /// (limits table, runbooks) reference is served.
    @Test func dashboardsShippedRulesAndReadmeNameOnlyServedMetrics() throws {
        var allowed = Set<String>()
        for d in MetricCatalogue.all {
            allowed.insert(d.exposedName)
            allowed.formUnion(d.sampleNames)
        }
        let files =
            try Self.files(under: "dashboards") + Self.files(under: "deploy")
            + [Self.root.appendingPathComponent("README.md").path]
        #expect(files.contains { $0.hasSuffix("dashboards/generate.py") })
        #expect(files.contains { $0.hasSuffix("deploy/prometheus/celery-redis-rules.yml") })
        var checked = 0
        var unserved: [String] = []
        for path in files {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            for name in Self.metricNames(in: text) {
                checked += 1
                if !allowed.contains(name) { unserved.append("\(path.dropFirst(Self.root.path.count + 1)): \(name)") }
            }
        }
        #expect(checked > 0)
        #expect(unserved == [], "metric names that are not served")
    }

    /// Emitting code builds families from descriptors: no metric name as a string literal in
    /// Sources/ outside the catalogue's files.
    @Test func noMetricNameLiteralOutsideTheCatalogue() throws {
        var found: [String] = []
        for path in try Self.files(under: "Sources") where path.hasSuffix(".swift") {
            let file = URL(fileURLWithPath: path).lastPathComponent
            if path.contains("/Sources/Exposition/") && file.hasPrefix("MetricCatalogue") { continue }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("\"celery_redis_") || line.contains("\"process_") {
                found.append("\(path.dropFirst(Self.root.path.count + 1)):\(index + 1)")
            }
        }
        #expect(found == [], "metric names typed outside MetricCatalogue: \(found)")
    }

    // MARK: helpers

    /// The texts between pairs of backticks.
    static func backticked(_ text: Substring) -> [Substring] {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        return stride(from: 1, to: parts.count, by: 2).map { parts[$0] }
    }

    /// Words that look like one of the exporter's metric names: `celery_redis_` or `process_` and
    /// at least one more letter or digit (so `celery_redis_[a-z_]+` in a regular expression is not one).
    static func metricNames(in text: String) -> [String] {
        var names: [String] = []
        let bytes = Array(text.utf8)
        func isWord(_ b: UInt8) -> Bool {
            (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b == 0x5f
        }
        var i = 0
        while i < bytes.count {
            guard isWord(bytes[i]), i == 0 || !isWord(bytes[i - 1]) else {
                i += 1
                continue
            }
            var end = i
            while end < bytes.count && isWord(bytes[end]) { end += 1 }
            let word = String(decoding: bytes[i..<end], as: UTF8.self)
            for prefix in [MetricCatalogue.namespace, "process_"]
            where word.hasPrefix(prefix) && word.count > prefix.count {
                names.append(word)
            }
            i = end
        }
        return names
    }

    /// Regular files below `folder` of the package root, recursively.
    static func files(under folder: String) throws -> [String] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        var paths: [String] = []
        for case let url as URL in walker
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            paths.append(url.standardizedFileURL.path)
        }
        return paths.sorted()
    }
}
