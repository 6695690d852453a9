import Foundation
import TestSupport
import Testing

@testable import Exporter

/// `--targets.file`: several Celery deployments from one exporter. A good file gives exactly the
/// targets it lists, each starting from the flags; every bad file is one line naming the file,
/// line and key path, never a value.
@Suite struct TargetsFileTests {
    let directory: String
    let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)

    init() throws {
        directory = try makeTemporaryDirectory("targets-file").path
        try "orders-secret\n".write(toFile: directory + "/orders.pw", atomically: true, encoding: .utf8)
        try "flag-secret\n".write(toFile: directory + "/flag.pw", atomically: true, encoding: .utf8)
    }

    func write(_ yaml: String, name: String = "targets.yml") throws -> String {
        let file = directory + "/" + name
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func configuration(_ args: [String], env: [String: String] = [:]) throws -> ExporterConfiguration {
        try ExporterConfiguration(options: parser.parse(args, environment: env), environment: env)
    }

    @Test func aGoodFileGivesEachTargetTheFlagsWithItsKeysOnTop() throws {
        let file = try write(
            """
            # two deployments
            targets:
              - name: orders
                redis_url: redis://orders-redis:6379/2
                password_file: orders.pw          # relative to this file
                queues: [orders, orders.priority]
                visibility_timeout: 30m
                events: false
              - name: billing
                key_prefix: "billing:"
                result_backend_url: redis://billing-results:6379/1
                max_workers: 50
            """)
        let flags = [
            "--celery.visibility-timeout=2h", "--celery.queues=default", "--redis.password-file=\(directory)/flag.pw",
            "--celery.max-workers=500", "--poll.interval=5s",
        ]
        let c = try configuration(flags, env: ["CELERY_REDIS_EXPORTER_TARGETS_FILE": file])
        #expect(c.targetsFile == file)
        #expect(c.targets.map(\.name) == ["orders", "billing"])

        let orders = c.targets[0].configuration
        #expect(orders.broker.url == "redis://orders-redis:6379/2")
        #expect(orders.broker.password == "orders-secret")
        #expect(orders.celeryQueues == ["orders", "orders.priority"])
        #expect(orders.celeryVisibilityTimeout == 1800)
        #expect(orders.celeryEvents == false)
        #expect(orders.celeryMaxWorkers == 500)  // inherited from the flag
        #expect(orders.resultBackend == nil)
        #expect(orders.targets.isEmpty && orders.targetsFile == nil)

        let billing = c.targets[1].configuration
        #expect(billing.broker.url == "redis://localhost:6379/0")  // the default
        #expect(billing.broker.password == "flag-secret")  // inherited
        #expect(billing.celeryQueues == ["default"])
        #expect(billing.celeryVisibilityTimeout == 7200)
        #expect(billing.celeryKeyPrefix == "billing:")
        #expect(billing.celeryEvents == true)
        #expect(billing.celeryMaxWorkers == 50)
        #expect(billing.resultBackend?.url == "redis://billing-results:6379/1")
        #expect(billing.pollInterval == 5)  // process-wide, the same for all
        #expect(try billing.resultBackendConfiguration()?.database == 1)

        // Without the file: no targets, today's single target from the flags.
        #expect(try configuration(flags).targets.isEmpty)
    }

    /// The environment's result-backend password joins a result backend named by an entry.
    @Test func environmentSecretsReachTargets() throws {
        let file = try write("targets:\n  - name: a\n    result_backend_url: redis://rb:6379/1\n  - name: b\n")
        let env = [
            "CELERY_REDIS_EXPORTER_CELERY_RESULT_BACKEND_PASSWORD": "rb-secret",
            "CELERY_REDIS_EXPORTER_REDIS_PASSWORD": "broker-secret",
        ]
        let c = try configuration(["--targets.file=\(file)"], env: env)
        #expect(c.targets[0].configuration.resultBackend?.password == "rb-secret")
        #expect(c.targets[0].configuration.broker.password == "broker-secret")
        #expect(c.targets[1].configuration.resultBackend == nil)

        // A password file from the flags (inherited) or the entry wins over the environment, as
        // it does for the flags alone.
        let withFiles = try write(
            "targets:\n  - name: a\n  - name: b\n    password_file: orders.pw\n", name: "with-files.yml")
        let f = try configuration(
            ["--targets.file=\(withFiles)", "--redis.password-file=\(directory)/flag.pw"], env: env)
        #expect(f.broker.password == "flag-secret")
        #expect(f.targets.map(\.configuration.broker.password) == ["flag-secret", "orders-secret"])
    }

    static let secret = "hunter2-secret"

    @Test func badFilesNameTheFileLineAndKeyButNoValue() throws {
        let s = Self.secret
        let sixtyFive = "targets:\n" + (0..<65).map { "  - name: t\($0)\n" }.joined()
        let cases: [(yaml: String, expected: [String])] = [
            (
                "targets:\n  - name: a\n    redis_ulr: redis://:\(s)@x/0\n",
                [":3: targets[0].redis_ulr: unknown key; expected one of: name, redis_url"]
            ),
            ("targets:\n  - name: a\n  - name: a\n", [":3: targets[1].name: the same name as targets[0]"]),
            (
                "targets:\n  - name: a\n    visibility_timeout: [\(s)]\n",
                [":3: targets[0].visibility_timeout: expected a single value"]
            ),
            (
                "targets:\n  - name: a\n    visibility_timeout: \(s)\n",
                [":3: targets[0].visibility_timeout: expected a duration from 1s to 365d"]
            ),
            (
                "targets:\n  - name: a\n    max_workers: 0\n",
                [":3: targets[0].max_workers: expected a whole number from 1 to 100000"]
            ),
            ("targets:\n  - name: a\n    events: \(s)\n", [":3: targets[0].events: expected true or false"]),
            ("targets:\n  - name: a\n    queues: \(s)\n", [":3: targets[0].queues: expected a list of values"]),
            (
                "targets:\n  - name: a\n    queues: [a, {b: \(s)}]\n",
                [":3: targets[0].queues[1]: expected a single value"]
            ),
            ("targets:\n  - name: a\n    key_prefix:\n", [":3: targets[0].key_prefix: expected a value"]),
            ("targets: []\n", [":1: targets: expected at least one target"]),
            ("targets:\n  name: a\n", [":2: targets: expected a list of targets"]),
            (sixtyFive, [":2: targets: more than 64 targets"]),
            (
                "targets:\n  - name: a\n    password: \(s)\n",
                [":3: targets[0].password: passwords are read from files only; use password_file"]
            ),
            (
                "targets:\n  - name: a\n    result_backend_password: \(s)\n",
                [
                    "targets[0].result_backend_password: passwords are read from files only; use result_backend_password_file"
                ]
            ),
            ("targets:\n  - name: a\n    sentinel_password: \(s)\n", ["use sentinel_password_file"]),
            (
                "targets:\n  - name: a\n    poll_interval: 5s\n",
                [":3: targets[0].poll_interval: is the same for every target: give --poll.interval on the command line"]
            ),
            ("targets:\n  - redis_url: redis://x/0\n", [":2: targets[0].name: is required"]),
            ("targets:\n  - name: \"a \(s)\"\n", [":2: targets[0].name: expected 1 to 64 letters"]),
            ("targets:\n  - name: \(String(repeating: "n", count: 65))\n", ["targets[0].name: expected 1 to 64"]),
            (
                "targets:\n  - name: a\n    password_file: \(s)\n",
                [":3: targets[0].password_file: cannot read the file"]
            ),
            ("targets:\n  - name: a\n    redis_url: ftp://:\(s)@x/0\n", [":2: targets[0]: target a: --redis.url="]),
            (
                "targets:\n  - name: a\n    redis_url: rediss://x/0\n    tls_cert_file: orders.pw\n",
                ["targets[0]: target a: tls_cert_file and tls_key_file go together"]
            ),
            (
                "targets:\n  - name: a\n    result_backend_user: \(s)\n",
                ["targets[0]: target a: result_backend_user needs result_backend_url"]
            ),
            (
                "targets:\n  - name: a\n    sentinel_master: \(s)\n",
                ["targets[0]: target a: --redis.sentinel-master needs a sentinel://"]
            ),
            ("target:\n  - name: a\n", [":1: target: unknown key; expected one of: targets"]),
            ("other: 1\n", ["unknown key"]),
            ("{}\n", ["targets: is required"]),
            ("\n", ["the file is empty"]),
            ("targets:\n  - name: a\n    name: \(s)\n", [":2:5: invalid YAML: a key is given twice"]),
            ("targets: [\n", ["invalid YAML"]),
        ]
        for (yaml, expected) in cases {
            let file = try write(yaml, name: "bad.yml")
            let error = #expect(throws: ConfigurationError.self, "\(yaml)") {
                try configuration(["--targets.file=\(file)"])
            }
            let text = error?.description ?? ""
            #expect(text.hasPrefix("--targets.file=\(file)"), "\(text)")
            for part in expected {
                // A place is written right after the file name: `--targets.file=F:3: key: ...`.
                let whole = part.hasPrefix(":") ? "--targets.file=\(file)" + part : part
                #expect(text.contains(whole), "\(yaml) → \(text)")
            }
            #expect(!text.contains("\n"), "\(text)")
            #expect(!text.contains("hunter2"), "a value was quoted: \(text)")
        }
    }

    @Test func aFileLargerThanTheCapIsRefused() throws {
        let file = try write("# " + String(repeating: "x", count: TargetsFileReader.maximumBytes) + "\n")
        let error = #expect(throws: ConfigurationError.self) { try configuration(["--targets.file=\(file)"]) }
        #expect(error?.description == "--targets.file=\(file): cannot read the file (larger than 262144 bytes)")
    }

    /// The real binary: one line on standard error, exit status 2, no secret.
    @Test func theExporterExitsWith2AndOneLineForABadTargetsFile() throws {
        let file = try write("targets:\n  - name: orders\n    password: \(Self.secret)\n", name: "bad.yaml")
        for (arguments, environment) in [
            (["--targets.file", file], [:]),
            ([], ["CELERY_REDIS_EXPORTER_TARGETS_FILE": file]),
        ] {
            let (status, stderr) = try runExporterToExit(
                arguments + ["--web.listen-address=127.0.0.1:0"],
                environment: environment)
            #expect(status == 2)
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
            #expect(
                stderr.contains(
                    "--targets.file=\(file):3: targets[0].password: passwords are read from files only"),
                "\(stderr)")
            #expect(!stderr.contains("hunter2"), "\(stderr)")
        }
    }
}
