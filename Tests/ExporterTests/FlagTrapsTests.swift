import Foundation
import Redis
import TestSupport
import Testing

@testable import Exporter

/// Operator input that used to be accepted and then silently ignored, overridden or misused:
/// each is now one start-up line (exit 2), or honoured. Every case here was accepted by the
/// exporter before (see each test).
@Suite struct FlagTrapsTests {
    let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)

    func configuration(_ args: [String], env: [String: String] = [:]) throws(ConfigurationError)
        -> ExporterConfiguration
    {
        try ExporterConfiguration(options: parser.parse(args, environment: env), environment: env)
    }

    func startUpError(_ args: [String], env: [String: String] = [:]) -> ConfigurationError? {
        do throws(ConfigurationError) {
            _ = try configuration(args, env: env)
            return nil
        } catch {
            return error
        }
    }

    // MARK: ssl_cert_reqs in the URL

    /// `rediss://...?ssl_cert_reqs=none` turned verification off in the URL parser, and the
    /// skip-verify flag's default (false) turned it back on. Now the flag overrides the URL only
    /// when given; without either, verification stays on.
    @Test func theURLsSslCertReqsIsKeptUnlessTheFlagIsGiven() throws {
        let none = "rediss://r:6380/0?ssl_cert_reqs=none"
        #expect(try configuration(["--redis.url=\(none)"]).redisConfiguration().tls?.insecureSkipVerify == true)
        #expect(
            try configuration(["--redis.url=\(none)", "--redis.tls.insecure-skip-verify=false"])
                .redisConfiguration().tls?.insecureSkipVerify == false)
        #expect(
            try configuration(["--redis.url=rediss://r:6380/0"]).redisConfiguration().tls?.insecureSkipVerify == false)
        #expect(
            try configuration(["--redis.url=rediss://r:6380/0", "--redis.tls.insecure-skip-verify"])
                .redisConfiguration().tls?.insecureSkipVerify == true)
        let backend = try configuration(["--celery.result-backend-url=\(none)"])
        #expect(try backend.resultBackendConfiguration()?.tls?.insecureSkipVerify == true)
    }

    // MARK: blank environment lists

    /// A set but blank variable for a repeatable flag became an empty list and the default was
    /// used: `CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS=""` listened on every interface.
    @Test(arguments: ["WEB_LISTEN_ADDRESS", "RULES_FILE", "CELERY_QUEUES"], ["", " , ", ","])
    func aBlankListInTheEnvironmentIsRefused(_ name: String, _ value: String) throws {
        let variable = "CELERY_REDIS_EXPORTER_" + name
        let error = try #require(startUpError([], env: [variable: value]))
        #expect(
            error.description
                == "\(variable): set but blank: expected one or more comma-separated values (unset it for the default)")
    }

    /// `--celery.queues=` (nothing) was an empty list too.
    @Test func aBlankQueuesFlagIsRefused() throws {
        let error = try #require(startUpError(["--celery.queues= , "]))
        #expect(error.description.hasPrefix("--celery.queues: set but blank"))
    }

    // MARK: paths

    /// `--storage.path` checked only `access(W_OK|X_OK)`, which a writable regular file passes.
    @Test func storagePathMustBeADirectory() throws {
        let dir = try makeTemporaryDirectory("storage-file")
        let file = dir.appendingPathComponent("plain").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        // Executable too: access(W_OK | X_OK), all that was checked, then passes.
        #expect(chmod(file, 0o755) == 0)
        let error = try #require(startUpError(["--storage.path=\(file)", "--rules.file=r.yml"]))
        #expect(error.description == "--storage.path=\(file): not a directory")
        #expect(startUpError(["--storage.path=", "--rules.file=r.yml"])?.description.contains("empty") == true)
        #expect(try configuration(["--storage.path=\(dir.path)", "--rules.file=r.yml"]).storagePath == dir.path)
    }

    // MARK: queue count

    /// Explicit queues had no bound (20,000 names made an 8.6 MB /metrics); now at most
    /// `--celery.max-queues` of them, counted once each.
    @Test func moreExplicitQueuesThanMaxQueuesIsRefused() throws {
        let names = (0..<11).map { "q\($0)" }.joined(separator: ",")
        let error = try #require(startUpError(["--celery.queues=\(names)", "--celery.max-queues=10"]))
        #expect(
            error.description
                == "--celery.queues lists 11 queues, more than --celery.max-queues (10) allows: each is a label value on every poll; list fewer or raise --celery.max-queues"
        )
        #expect(try configuration(["--celery.queues=\(names),q0", "--celery.max-queues=11"]).celeryQueues.count == 12)
        let many = (0..<10_001).map { "q\($0)" }.joined(separator: ",")
        #expect(startUpError(["--celery.queues=\(many)"]) != nil)
    }

    // MARK: telemetry path

    /// The telemetry path could take another endpoint's path (`/api/v1/status`, `/-/reload`) or
    /// one no request matches (`/%6d`); only `/`, `/-/healthy` and `/-/ready` were refused.
    @Test(arguments: [
        "/api/v1/status", "/api/v1/alerts", "/-/reload", "/api/v2/status", "/api/v2/silences", "/-/anything",
        "/api/other", "/static/status.css",
    ])
    func aTelemetryPathThatIsAnotherEndpointsIsRefused(_ path: String) throws {
        let error = try #require(startUpError(["--web.telemetry-path=\(path)"]))
        #expect(error == .invalidValue(.flag("web.telemetry-path"), shown: path, problem: .pathTaken))
    }

    @Test(arguments: ["/%6d", "/metrics?x", "/metrics#x", "/me trics", "/m\u{7F}", "metrics", "", "/"])
    func aTelemetryPathNoRequestMatchesIsRefused(_ path: String) throws {
        #expect(startUpError(["--web.telemetry-path=\(path)"]) != nil)
    }

    @Test func everyFixedRouteIsReserved() {
        for path in Routes.fixedPaths.union(StatusAssets.byPath.keys) { #expect(Routes.isReserved(path), "\(path)") }
        #expect(!Routes.isReserved("/metrics") && !Routes.isReserved("/prometheus/metrics"))
    }

    // MARK: external URL

    /// `--web.external-url` took anything ("not a url", "ftp://x", "", a newline) into every
    /// notification's links.
    @Test(arguments: ["not a url", "ftp://x", "", "https://x\nforged", "http://", "/relative", "https:// x"])
    func anExternalURLThatIsNoAbsoluteWebURLIsRefused(_ url: String) throws {
        let error = try #require(startUpError(["--web.external-url=\(url)"]))
        #expect(error.description.hasPrefix("--web.external-url"), "\(error)")
        #expect(error.description.contains("expected an absolute http:// or https:// URL"), "\(error)")
        #expect(error.description.unicodeScalars.allSatisfy { $0.value >= 0x20 })
    }

    /// A URL refused for its user information must not echo the password it holds.
    @Test func aRefusedExternalURLNeverShowsItsPassword() throws {
        let error = try #require(startUpError(["--web.external-url=https://ops:s3cr3t-pw@exporter.example.com/"]))
        #expect(error.description.hasPrefix("--web.external-url"), "\(error)")
        #expect(!error.description.contains("s3cr3t-pw"), "\(error)")
    }

    @Test func anExternalURLIsKept() throws {
        #expect(
            try configuration(["--web.external-url=https://ops.example.com/celery"]).externalURL
                == "https://ops.example.com/celery")
    }

    // MARK: errors that show the operator's text

    /// A control character in a bad Redis URL was printed raw (and the URL twice): a pasted
    /// newline forged a log line. From the environment, the error names the variable.
    @Test func aBadRedisURLIsShownOnceOnOneLineAndNamedByItsSource() throws {
        let flag = try #require(startUpError(["--redis.url=redis://h:1/x\nlevel=error msg=forged"]))
        #expect(!flag.description.contains("\n"))
        #expect(
            flag.description.description == "--redis.url=(unprintable value): invalid Redis URL: (unprintable value)",
            "\(flag)")
        let twice = try #require(startUpError(["--redis.url=redis://h:1/x"]))
        #expect(twice.description.components(separatedBy: "redis://h:1/x").count == 2, "\(twice)")
        let env = try #require(
            startUpError([], env: ["CELERY_REDIS_EXPORTER_REDIS_URL": "redis://u:hunter2@h:1/x\r\u{1B}[2K"]))
        #expect(
            env.description.hasPrefix("CELERY_REDIS_EXPORTER_REDIS_URL=(unprintable value): invalid Redis URL: "),
            "\(env)")
        #expect(!env.description.contains("hunter2"))
        #expect(env.description.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F })
        let password = try #require(startUpError(["--celery.result-backend-url=redis://u:hunter2@h:1/x"]))
        #expect(password.description.contains("***@") && !password.description.contains("hunter2"))
    }

    /// A value from the environment is named by its variable, not by a flag nobody typed.
    @Test func aBadValueFromTheEnvironmentNamesTheVariable() throws {
        let error = try #require(startUpError([], env: ["CELERY_REDIS_EXPORTER_POLL_INTERVAL": "soon"]))
        #expect(error.description.hasPrefix("CELERY_REDIS_EXPORTER_POLL_INTERVAL=soon: expected a duration"))
    }

    /// A loader's reason that quotes a path with a line break stays on one line (escaped).
    @Test func composedReasonsStayOnOneLine() {
        let error = ConfigurationError.alerting(reason: "/etc/rules\n.yml: level=error msg=forged")
        #expect(error.description == "/etc/rules\\u{A}.yml: level=error msg=forged")
    }

    // MARK: secrets from the environment

    /// The environment's password kept its trailing newline (a Kubernetes secret mounted or
    /// copied from a file carries one) while the password file lost it: WRONGPASS, no hint.
    @Test(arguments: ["pw\n", "pw\r\n", "pw"])
    func anEnvironmentPasswordLosesOneTrailingNewline(_ value: String) throws {
        let c = try configuration([], env: ["CELERY_REDIS_EXPORTER_REDIS_PASSWORD": value])
        #expect(c.broker.password == "pw")
        #expect(try c.redisConfiguration().password == "pw")
        #expect(
            try configuration([], env: ["CELERY_REDIS_EXPORTER_REDIS_PASSWORD": "pw\n\n"]).broker.password == "pw\n")
    }

    /// The password file's `\r\n` ending removed two Characters (Swift counts `\r\n` as one),
    /// so `secret\r\n` became `secre`.
    @Test func aPasswordFileWithACRLFEndingKeepsItsLastCharacter() throws {
        let dir = try makeTemporaryDirectory("crlf-password")
        let file = dir.appendingPathComponent("password").path
        try "secret\r\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try configuration(["--redis.password-file=\(file)"]).broker.password == "secret")
    }

    // MARK: settings that do nothing

    @Test(arguments: [
        (["--storage.path=/tmp"], "--storage.path has no effect without --rules.file"),
        (["--alertmanager.url=http://am:9093"], "--alertmanager.url has no effect without --rules.file"),
        (
            ["--celery.queue-sample-limit=50"],
            "--celery.queue-sample-limit has no effect without --celery.task-name-limit"
        ),
        (
            ["--celery.census-interval=1m", "--no-celery.census"],
            "--celery.census-interval has no effect without the census"
        ),
    ])
    func aSettingThatDoesNothingIsRefused(_ args: [String], _ expected: String) throws {
        let error = try #require(startUpError(args))
        #expect(error.description.hasPrefix(expected), "\(error)")
    }

    @Test func theSameSettingsWithWhatTheyNeedAreKept() throws {
        let c = try configuration([
            "--storage.path=/tmp", "--alertmanager.url=http://am:9093", "--rules.file=r.yml",
            "--celery.queue-sample-limit=50", "--celery.task-name-limit=10", "--celery.census-interval=1m",
        ])
        #expect(c.storagePath == "/tmp" && c.alertmanagerURL == "http://am:9093" && c.celeryQueueSampleLimit == 50)
        // 0 says "off", which it is without task names: not refused.
        #expect(try configuration(["--celery.queue-sample-limit=0"]).celeryQueueSampleLimit == 0)
        // The environment counts as given, too.
        #expect(startUpError([], env: ["CELERY_REDIS_EXPORTER_ALERTMANAGER_URL": "http://am:9093"]) != nil)
    }

    // MARK: durations

    /// Prometheus's duration grammar: decimal digits, units largest first, each at most once.
    /// `0x10` (16 s), `1e2` (100 s), `1s1s` and `1m1h` were accepted.
    @Test(arguments: ["0x10", "1e2", "1s1s", "1m1h", "1ms1s", "+5s", "-5", "inf", "nan", "1.s", ".5s", "5 s", "1h 1m"])
    func aDurationOutsidePrometheussGrammarIsRefused(_ text: String) {
        #expect(DurationParser.seconds(text) == nil, "\(text)")
    }

    @Test func prometheusDurationsAndPlainSecondsParse() {
        #expect(DurationParser.seconds("1y1w1d1h1m1s1ms") == 31_536_000 + 604_800 + 86_400 + 3600 + 60 + 1.001)
        #expect(DurationParser.seconds("0.2s") == 0.2 && DurationParser.seconds("1.5") == 1.5)
        #expect(DurationParser.seconds("0") == 0 && DurationParser.seconds("90") == 90)
        #expect(DurationParser.seconds("1h30m") == 5400 && DurationParser.seconds(" 15s ") == 15)
    }
}
