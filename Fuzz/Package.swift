// swift-tools-version: 6.0
// libFuzzer targets for the parsers that read outside input. A package of its own, so the main
// package's `swift build` and `swift test` never see them: built and run only by scripts/fuzz.sh,
// which passes `-sanitize=fuzzer,address`. Each target's main.swift hands control to libFuzzer's
// driver (FuzzSupport.runFuzzer): SwiftPM aliases `main` to the target's own entry point, so
// libFuzzer's `main` cannot be used.
import PackageDescription

/// One executable per parser (and the module it exercises); scripts/fuzz.sh maps short names to these.
let fuzzTargets: [(name: String, module: String)] = [
    ("FuzzJSON", "JSON"),
    ("FuzzHTTPRequest", "HTTP"),
    ("FuzzRESPReader", "Redis"),
    ("FuzzKombuMessage", "Celery"),
    ("FuzzCeleryEvent", "Celery"),
    ("FuzzTaskMeta", "Celery"),
    ("FuzzPromQL", "Alerting"),
    ("FuzzRuleFile", "Alerting"),
    ("FuzzAlertingConfig", "Notify"),
]

let package = Package(
    name: "celery-redis-exporter-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "celery-redis-exporter", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
    ]
        + fuzzTargets.map { target in
            .executableTarget(
                name: target.name,
                dependencies: ["FuzzSupport", .product(name: "ExporterModules", package: "celery-redis-exporter")]
            )
        }
)
