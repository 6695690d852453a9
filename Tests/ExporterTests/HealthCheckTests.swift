import Foundation
import Sockets
import TLS
import TestSupport
import Testing

@testable import Exporter

/// `celery-redis-exporter --healthcheck`, the Docker HEALTHCHECK of deploy/Dockerfile: it must
/// probe the address the exporter really listens on, not a hard-coded 9540.
@Suite struct HealthCheckTests {
    @Test func healthyExporterOnTheAddressFromTheEnvironmentExitsZero() throws {
        let redis = try RedisServer()
        let exporter = try ExporterProcess(arguments: ["--redis.url=redis://127.0.0.1:\(redis.port)/0"])
        defer { exporter.terminate() }
        let result = try runExporterToExit(
            ["--healthcheck"], environment: ["CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS": "127.0.0.1:\(exporter.port)"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func healthyExporterOnTheAddressFromTheFlagExitsZero() throws {
        let redis = try RedisServer()
        let exporter = try ExporterProcess(arguments: ["--redis.url=redis://127.0.0.1:\(redis.port)/0"])
        defer { exporter.terminate() }
        // Wildcard host: the probe goes to loopback.
        let result = try runExporterToExit(["--healthcheck", "--web.listen-address=:\(exporter.port)"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// With --web.config.file: TLS is followed (the plain probe is told the port speaks HTTPS),
    /// a 401 means the server answers, and so does a TLS port that wants a client certificate.
    @Test(arguments: ["NoClientCert", "RequireAndVerifyClientCert"])
    func exporterBehindTLSAndBasicAuthIsHealthy(_ clientAuth: String) throws {
        let certs = try TestCertificates()
        let hash = try #require(Bcrypt.hash(password: Array("pw".utf8), cost: 4))
        let file = certs.directory + "/web.yml"
        var yaml =
            "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: \(clientAuth)\n"
        if clientAuth != "NoClientCert" { yaml += "  client_ca_file: ca.pem\n" }
        yaml += "basic_auth_users:\n  prom: \(hash)\n"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let redis = try RedisServer()
        let curl = try requireTool("curl")
        let exporter = try ExporterProcess(
            arguments: ["--redis.url=redis://127.0.0.1:\(redis.port)/0", "--web.config.file=\(file)"],
            isUp: { port in
                let r = try? runCommand(
                    curl,
                    [
                        "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", certs.caCert, "--cert",
                        certs.clientCert,
                        "--key", certs.clientKey, "-u", "prom:pw", "https://localhost:\(port)/-/healthy",
                    ])
                return r?.stdout == "200"
            })
        defer { exporter.terminate() }
        let result = try runExporterToExit(["--healthcheck", "--web.listen-address=127.0.0.1:\(exporter.port)"])
        #expect(result.status == 0, "\(result.stderr)")
        exporter.terminate()
        let down = try runExporterToExit(["--healthcheck", "--web.listen-address=127.0.0.1:\(exporter.port)"])
        #expect(down.status == 1)
    }

    @Test func nothingListeningExitsOneAndNamesTheAddress() throws {
        let port = try freePort()
        let result = try runExporterToExit(
            ["--healthcheck"], environment: ["CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS": "127.0.0.1:\(port)"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:\(port)/-/healthy"), "\(result.stderr)")
    }

    @Test(arguments: [RawTCPReceiver.Behaviour.answer(status: 503), .closeWithoutAnswer])
    func unhealthyOrNonHTTPPeerExitsOne(_ behaviour: RawTCPReceiver.Behaviour) throws {
        let peer = try RawTCPReceiver(behaviour)
        defer { peer.stop() }
        let result = try runExporterToExit(["--healthcheck", "--web.listen-address=127.0.0.1:\(peer.port)"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:\(peer.port)/-/healthy"), "\(result.stderr)")
    }

    @Test func badEnvironmentStillExitsOneNotTwo() throws {
        // Docker reserves exit status 2; a malformed address is "unhealthy" with a reason.
        let result = try runExporterToExit(
            ["--healthcheck"], environment: ["CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS": "nonsense"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("expected [HOST]:PORT"), "\(result.stderr)")
    }

    @Test func targetFollowsFlagThenPID1ThenEnvironmentThenDefault() throws {
        let program = "/usr/local/bin/celery-redis-exporter"
        let pid1 = [program, "--redis.url=redis://r/0", "--web.listen-address", "[::]:9999"]
        #expect(
            try HealthCheck.target(
                arguments: ["--healthcheck", "--web.listen-address=10.0.0.5:1234"],
                environment: ["CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS": ":1"],
                program: program, pid1CommandLine: pid1) == .tcp(host: "10.0.0.5", port: 1234))
        // PID 1 is the exporter: its flag wins over the environment, as it does in the exporter.
        #expect(
            try HealthCheck.target(
                arguments: ["--healthcheck"],
                environment: ["CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS": "0.0.0.0:7000"],
                program: "celery-redis-exporter", pid1CommandLine: pid1)
                == .tcp(host: "::1", port: 9999))
        #expect(
            try HealthCheck.target(
                arguments: ["--healthcheck"],
                environment: ["CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS": "0.0.0.0:7000"],
                program: program, pid1CommandLine: [program, "--log.format=json"])
                == .tcp(host: "127.0.0.1", port: 7000))
        // Other variables of the container's environment cannot break the probe.
        #expect(
            try HealthCheck.target(
                arguments: ["--healthcheck"],
                environment: ["CELERY_REDIS_EXPORTER_CELERY_EVENTS": "maybe"],
                program: program, pid1CommandLine: nil) == .tcp(host: "127.0.0.1", port: 9540))
        // PID 1 is another program (docker --init, a shell): its flags are not ours.
        #expect(
            try HealthCheck.target(
                arguments: ["--healthcheck"], environment: [:], program: program,
                pid1CommandLine: ["/sbin/docker-init", "--", "x", "--web.listen-address=:1"])
                == .tcp(host: "127.0.0.1", port: 9540))
        // PID 1's command line does not parse: the default, not a crash.
        #expect(
            try HealthCheck.target(
                arguments: ["--healthcheck"], environment: [:], program: program,
                pid1CommandLine: [program, "--no-such-flag"]) == .tcp(host: "127.0.0.1", port: 9540))
    }
}
