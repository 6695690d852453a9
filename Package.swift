// swift-tools-version: 6.0
// celery-redis-exporter: a Prometheus exporter and alerter for Celery on Redis.
// Module boundaries (see README "How it works"): only Redis touches CHiredis,
// only TLS touches COpenSSL, only Exposition touches CZlib, only Alerting's YAMLLoader touches CYAML.
import PackageDescription

let package = Package(
    name: "celery-redis-exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "celery-redis-exporter", targets: ["celery-redis-exporter"]),
        // For Fuzz/ (a package of its own that depends on this one by path); nothing else uses it.
        .library(name: "ExporterModules", targets: ["JSON", "HTTP", "Redis", "Celery", "Alerting", "Notify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2")
    ],
    targets: [
        // System library shims: a module map plus a header that wraps C macros Swift cannot import.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libyaml's event parser for the configuration files (ConfigDocument); not Yams, which
        // brings Foundation and ICU into the binary.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // libxcrypt's crypt_r, for the bcrypt hashes of --web.config.file's basic_auth_users.
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(name: "CLinux"),

        .target(name: "Sockets", dependencies: ["CLinux"]),
        // The one JSON parser (bounded in depth and bytes) and writer (plain or Go's HTML-safe escaping).
        .target(name: "JSON"),
        .target(name: "TLS", dependencies: ["Sockets", "COpenSSL", "CCrypt"]),
        .target(
            name: "HTTP", dependencies: ["Sockets", "TLS", "CLinux", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Redis",
            dependencies: ["Sockets", "TLS", "CHiredis", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Exposition", dependencies: ["CZlib"]),
        .target(
            name: "Celery",
            dependencies: [
                "Redis", "Sockets", "TLS", "JSON", "Exposition", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "Alerting", dependencies: ["Exposition", "Sockets", "JSON", "CYAML"]),
        .target(
            name: "Notify",
            dependencies: [
                "Alerting", "Exposition", "HTTP", "TLS", "Sockets", "JSON",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Exporter",
            dependencies: [
                "Sockets", "TLS", "HTTP", "Redis", "Exposition", "Celery", "Alerting", "Notify", "CLinux", "JSON",
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BuildInfoPlugin"]
        ),
        // Writes BuildStamp.swift (git revision, Swift version) into Exporter before every build.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        .executableTarget(name: "celery-redis-exporter", dependencies: ["Exporter"]),
        // scripts/bench-silences.sh: cost of silence matching at the --silences.* caps.
        .executableTarget(
            name: "bench-silences", dependencies: ["Notify", "Alerting"], path: "Benchmarks/SilenceMatching"),
        // scripts/measure-task-table.sh: bytes per task-table entry and the steady state.
        .executableTarget(name: "bench-task-table", dependencies: ["Celery"], path: "Benchmarks/TaskTableMemory"),

        // Test-only helpers: start real redis-server / openssl processes on free ports, make certificates.
        .target(
            name: "TestSupport", dependencies: ["Sockets", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "Sockets", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Sockets", "TestSupport"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TLS", "Sockets", "TestSupport"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "TestSupport"]),
        .testTarget(
            name: "CeleryTests", dependencies: ["Celery", "JSON", "TLS", "Redis", "Exposition", "TestSupport"]),
        .testTarget(
            name: "AlertingTests",
            dependencies: ["Alerting", "Exposition", "TestSupport"]),
        .testTarget(
            name: "NotifyTests",
            dependencies: [
                "Notify", "Alerting", "HTTP", "TLS", "Sockets", "JSON", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CeleryIntegrationTests", dependencies: ["TestSupport"], exclude: ["celeryapp"]),
        .testTarget(
            name: "ExporterTests",
            dependencies: [
                "Exporter", "Celery", "Redis", "Exposition", "HTTP", "TLS", "Sockets", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Golden", "Browser"]
        ),
    ]
)
