import TestSupport
import Testing

@testable import Exporter

@Suite struct ConfigurationTests {
    let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)

    func configuration(_ args: [String], env: [String: String] = [:]) throws -> ExporterConfiguration {
        try ExporterConfiguration(options: parser.parse(args, environment: env), environment: env)
    }

    @Test func defaults() throws {
        let c = try configuration([])
        #expect(c.broker.url == "redis://localhost:6379/0")
        #expect(c.pollInterval == 15)
        #expect(c.celeryVisibilityTimeout == 3600)
        #expect(c.telemetryPath == "/metrics")
        #expect(c.listenAddresses == [.tcp(host: "", port: 9540)])
        #expect(c.logFormat == .logfmt && c.logLevel == .info)
    }

    @Test func flagFormsAndRepeats() throws {
        let c = try configuration([
            "--poll.interval", "2s", "--celery.queues=a,b", "--celery.queues=c",
            "--web.listen-address=127.0.0.1:1", "--web.listen-address=[::1]:2",
            // The skip-verify switch needs a rediss:// URL (refused at start-up before, now while parsing).
            "--redis.url=rediss://r:6380/0", "--redis.tls.insecure-skip-verify", "--log.format=json",
        ])
        #expect(c.pollInterval == 2)
        #expect(c.celeryQueues == ["a", "b", "c"])
        #expect(c.listenAddresses == [.tcp(host: "127.0.0.1", port: 1), .tcp(host: "::1", port: 2)])
        #expect(c.broker.tlsInsecureSkipVerify == true)
        #expect(c.logFormat == .json)
    }

    @Test func censusIntervalDefaultsFollowTheEventListener() throws {
        // With live result writes the census reconciles every 5 m; without, passes are the only
        // source of change and run every 45 s.
        #expect(try configuration([]).celeryConfiguration().censusInterval == 300)
        #expect(try configuration(["--no-celery.events"]).celeryConfiguration().censusInterval == 45)
        let explicit = try configuration(["--celery.census-interval=2m", "--no-celery.events"])
        #expect(explicit.celeryConfiguration().censusInterval == 120)
        #expect(explicit.celeryConfiguration().censusEnabled)
        #expect(try configuration(["--no-celery.census"]).celeryConfiguration().censusEnabled == false)
        #expect(throws: ConfigurationError.self) { try configuration(["--celery.census-interval=0s"]) }
        #expect(throws: ConfigurationError.self) { try configuration(["--celery.census-interval=soon"]) }
    }

    @Test func environmentFillsWhatTheCommandLineLeavesOut() throws {
        let env = [
            "CELERY_REDIS_EXPORTER_REDIS_URL": "redis://r:1/2", "CELERY_REDIS_EXPORTER_POLL_INTERVAL": "1m",
            "CELERY_REDIS_EXPORTER_CELERY_QUEUES": "x, y", "CELERY_REDIS_EXPORTER_REDIS_PASSWORD": "pw",
        ]
        let c = try configuration(["--poll.interval=5s"], env: env)
        #expect(c.broker.url == "redis://r:1/2")
        #expect(c.pollInterval == 5)  // command line wins
        #expect(c.celeryQueues == ["x", "y"])
        #expect(c.broker.password == "pw")
    }

    @Test(arguments: [
        ["--bogus"], ["--poll.interval"], ["--poll.interval=-1s"], ["--poll.interval=0s"],
        ["--web.telemetry-path=metrics"],
        ["--web.max-connections=0"], ["--log.level=loud"], ["positional"], ["--redis.tls.insecure-skip-verify=maybe"],
        ["--redis.tls.cert-file=/etc/hostname"],
    ])
    func rejectsBadInput(args: [String]) {
        #expect(throws: ConfigurationError.self) { try configuration(args) }
    }

    /// `--rules.history-max-bytes` bounds the samples kept for range selectors: 16 MiB by default,
    /// a whole number of bytes from 64 KiB to 16 GiB, anything else a start-up error.
    @Test func ruleHistoryMaxBytes() throws {
        #expect(try configuration([]).ruleHistoryMaxBytes == 16 << 20)
        #expect(try configuration(["--rules.history-max-bytes=1048576"]).ruleHistoryMaxBytes == 1 << 20)
        for bad in ["0", "1024", "16MiB", "-5", "99999999999999"] {
            #expect(throws: ConfigurationError.self) { try configuration(["--rules.history-max-bytes=\(bad)"]) }
        }
    }

    /// `--storage.path` must name a writable directory; a bad one is a start-up error.
    @Test func storagePath() throws {
        let dir = try makeTemporaryDirectory("storage-flag").path
        // Without --rules.file it would record nothing: see FlagTrapsTests.
        #expect(try configuration(["--storage.path=\(dir)", "--rules.file=r.yml"]).storagePath == dir)
        #expect(try configuration([]).storagePath == nil)
        #expect(throws: ConfigurationError.self) { try configuration(["--storage.path=/nonexistent/dir"]) }
    }

    @Test func durations() {
        #expect(DurationParser.seconds("15s") == 15)
        #expect(DurationParser.seconds("1m30s") == 90)
        #expect(DurationParser.seconds("500ms") == 0.5)
        #expect(DurationParser.seconds("2h") == 7200)
        #expect(DurationParser.seconds("10") == 10)
        #expect(DurationParser.seconds("1.5") == 1.5)
        #expect(DurationParser.seconds("soon") == nil)
        #expect(DurationParser.seconds("5x") == nil)
        #expect(DurationParser.seconds("") == nil)
        #expect(
            DurationParser.format(15) == "15s" && DurationParser.format(3600) == "1h"
                && DurationParser.format(0.25) == "250ms")
    }

    @Test func logLines() {
        let logfmt = StructuredLogHandler.render(
            timestamp: "T", level: .warning, logger: "poller", message: "poll failed \"x\"",
            fields: ["err": "connection refused", "stage": "queues"], format: .logfmt)
        #expect(
            logfmt
                == "ts=T level=warn logger=poller msg=\"poll failed \\\"x\\\"\" err=\"connection refused\" stage=queues\n"
        )
        let json = StructuredLogHandler.render(
            timestamp: "T", level: .info, logger: "l", message: "a\nb",
            fields: ["k": "v"], format: .json)
        #expect(json == "{\"ts\":\"T\",\"level\":\"info\",\"logger\":\"l\",\"msg\":\"a\\nb\",\"k\":\"v\"}\n")
        #expect(StructuredLogHandler.rfc3339(seconds: 0, milliseconds: 7) == "1970-01-01T00:00:00.007Z")
    }

    /// Issue 9: `--poll.interval 99999999999999999999h` trapped (SIGILL) converting to an integer.
    /// Every duration and whole-number flag, present and future, rejects hostile values with one line
    /// naming the flag and the allowed range.
    static let numericFlags = ExporterConfiguration.optionSpecs.filter {
        $0.valueName == "DURATION" || $0.valueName == "N"
    }
    static let hostileDurations = [
        "99999999999999999999h", "1e400s", String(repeating: "9", count: 400) + "s", "1e30", "-5s", "-1", "NaN",
        "nan", "inf", "Infinity", "-0.5", "5x", "", "1e-9",
    ]
    static let hostileWholeNumbers = [
        "99999999999999999999", "-1", "NaN", "1e3", "1.5", "", "0x10", "-9223372036854775809",
    ]

    @Test func everyNumericFlagIsRangeChecked() throws {
        #expect(Self.numericFlags.count >= 12)
        for spec in Self.numericFlags {
            let values = spec.valueName == "DURATION" ? Self.hostileDurations : Self.hostileWholeNumbers
            for value in values {
                do {
                    let c = try configuration(["--\(spec.name)=\(value)"])
                    Issue.record("--\(spec.name)=\(value) was accepted (poll interval \(c.pollInterval))")
                } catch let error as ConfigurationError {
                    let text = error.description
                    #expect(text.hasPrefix("--\(spec.name)="), "\(text)")
                    #expect(
                        text.contains("expected a duration from") || text.contains("expected a whole number from"),
                        "\(text)")
                    #expect(!text.contains("\n") && text.count < 200, "\(text)")
                }
            }
        }
    }

    @Test func durationUpperBoundsAreInclusiveAndShown() throws {
        #expect(try configuration(["--poll.interval=1d"]).pollInterval == 86_400)
        #expect(try configuration(["--celery.visibility-timeout=365d"]).celeryVisibilityTimeout == 365 * 86_400)
        let over = #expect(throws: ConfigurationError.self) { try configuration(["--poll.interval=25h"]) }
        #expect(over?.description == "--poll.interval=25h: expected a duration from 100ms to 1d such as 15s, 1m or 1h")
        let unprintable = #expect(throws: ConfigurationError.self) { try configuration(["--poll.interval=1s\n2s"]) }
        #expect(unprintable?.description.contains("(unprintable value)") == true)
    }
}
