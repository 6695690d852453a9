import Foundation
import Redis
import TestSupport
import Testing

@testable import Exporter

/// `--celery.result-backend-*` (issue 10 item 1): parsed like the broker's flags, from the command
/// line or the environment, and every mistake stops start-up with exit 2 and one line that never
/// shows the password.
@Suite struct ResultBackendConfigurationTests {
    let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)

    func configuration(_ args: [String], env: [String: String] = [:]) throws -> ExporterConfiguration {
        try ExporterConfiguration(options: parser.parse(args, environment: env), environment: env)
    }

    @Test func defaultIsTheBrokersConnection() throws {
        let c = try configuration(["--redis.url=redis://broker:6380/0"])
        #expect(c.resultBackend == nil)
        #expect(try c.resultBackendConfiguration() == nil)
        #expect(c.celeryConfiguration().resultBackendSeparate == false)
    }

    @Test func separateBackendWithItsOwnCredentialsAndTimeouts() throws {
        let dir = try makeTemporaryDirectory("rb-config")
        let secret = dir.appendingPathComponent("pw")
        try "s3cret\n".write(to: secret, atomically: true, encoding: .utf8)
        let c = try configuration([
            "--redis.url=redis://:brokerpw@broker:6380/0", "--redis.read-timeout=2s",
            "--celery.result-backend-url=redis://results:6381/3", "--celery.result-backend-user=reader",
            "--celery.result-backend-password-file=\(secret.path)",
        ])
        let backend = try #require(try c.resultBackendConfiguration())
        #expect(backend.endpoint == .tcp(host: "results", port: 6381))
        #expect(backend.database == 3)
        #expect(backend.username == "reader" && backend.password == "s3cret")
        #expect(backend.readTimeout == .seconds(2))
        #expect(c.celeryConfiguration().resultBackendSeparate)
        // The broker keeps its own.
        let broker = try c.redisConfiguration()
        #expect(broker.password == "brokerpw" && broker.database == 0)
    }

    @Test func environmentVariables() throws {
        let c = try configuration(
            [],
            env: [
                "CELERY_REDIS_EXPORTER_CELERY_RESULT_BACKEND_URL": "rediss://results:6390/1",
                "CELERY_REDIS_EXPORTER_CELERY_RESULT_BACKEND_PASSWORD": "envpw",
                "CELERY_REDIS_EXPORTER_CELERY_RESULT_BACKEND_TLS_SERVER_NAME": "cache.internal",
            ])
        let backend = try #require(try c.resultBackendConfiguration())
        #expect(backend.password == "envpw" && backend.database == 1)
        #expect(backend.tls?.serverName == "cache.internal")
    }

    @Test(arguments: [
        (["--celery.result-backend-user=x"], "needs --celery.result-backend-url"),
        (
            ["--celery.result-backend-url=redis://r/1", "--celery.result-backend-tls.insecure-skip-verify"],
            "--celery.result-backend-tls.* flags need a rediss:// URL"
        ),
        (
            ["--celery.result-backend-url=rediss://r/1", "--celery.result-backend-tls.cert-file=/etc/hostname"],
            "go together"
        ),
        (["--celery.result-backend-url=ftp://:hunter2@r/1"], "--celery.result-backend-url="),
    ])
    func mistakesExitWithStatus2(arguments: [String], message: String) throws {
        let (status, stderr) = try runExporterToExit(arguments + ["--web.listen-address=127.0.0.1:0"])
        #expect(status == 2)
        #expect(stderr.contains(message), "stderr: \(stderr)")
        #expect(!stderr.contains("hunter2"), "the password leaked: \(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "one line: \(stderr)")
    }

    @Test func helpListsTheFlagsWithTheirEnvironmentVariables() {
        let help = parser.helpText(program: "x", summary: "y")
        for flag in [
            "celery.result-backend-url", "celery.result-backend-password-file", "celery.result-backend-tls.ca-file",
        ] {
            #expect(help.contains("--\(flag)="))
        }
        #expect(help.contains("CELERY_REDIS_EXPORTER_CELERY_RESULT_BACKEND_URL"))
        #expect(help.contains("CELERY_REDIS_EXPORTER_CELERY_RESULT_BACKEND_PASSWORD"))
    }
}
