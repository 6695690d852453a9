import Foundation
import TestSupport

@testable import Exporter

/// In-process exporters for the several-targets tests: the `--targets.file` reader lives elsewhere,
/// so the tests build ``TargetDefinition``s directly from flag lists.
enum TargetTestSupport {
    /// A configuration parsed from flags, as the exporter parses its command line.
    static func configuration(_ arguments: [String]) throws -> ExporterConfiguration {
        let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)
        return try ExporterConfiguration(options: try parser.parse(arguments, environment: [:]), environment: [:])
    }

    /// An exporter on a free loopback port watching `targets` (name → that target's flags);
    /// `common` flags are the process's (and every target's defaults).
    static func start(common: [String], targets: [(String, [String])]) throws -> (RunningExporter, UInt16) {
        var top = try configuration(["--web.listen-address=127.0.0.1:0"] + common)
        top.targets = try targets.map { name, flags in
            TargetDefinition(name: name, configuration: try configuration(common + flags))
        }
        let running = try RunningExporter.start(configuration: top)
        return (running, running.boundAddresses[0].port)
    }

    /// Clients of `redis` whose names the exporter set (`celery-redis-exporter-*`).
    static func exporterClients(_ redis: RedisServer) throws -> [String] {
        try redis.command("CLIENT", "LIST").split(separator: "\n")
            .filter { $0.contains("name=celery-redis-exporter-") }.map(String.init)
    }
}
