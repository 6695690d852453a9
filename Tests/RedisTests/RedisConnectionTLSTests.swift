import Foundation
import TLS
import TestSupport
import Testing

@testable import Redis

@Suite struct RedisConnectionTLSTests {
    private func tlsServer(_ certificates: TestCertificates) throws -> RedisServer {
        try RedisServer(tls: (cert: certificates.serverCert, key: certificates.serverKey, ca: certificates.caCert))
    }

    @Test func redissWithTheTestCA() throws {
        let certificates = try TestCertificates()
        let server = try tlsServer(certificates)
        var config = try RedisConfiguration(url: "rediss://localhost:\(server.tlsPort!)/1")
        config.tls?.caFile = certificates.caCert
        let client = RedisClient(configuration: config)
        let replies = try client.pipeline([
            redisCommand("PING"), [bytes("SET"), [0x71, 0x06, 0x16, 0x4E], [0x00, 0xFF]],
            [bytes("GET"), [0x71, 0x06, 0x16, 0x4E]],
        ])
        #expect(replies == [.status("PONG"), .status("OK"), .bulk([0x00, 0xFF])])
        // A 2 MB value crosses many TLS records each way.
        let value = [UInt8](repeating: 0x41, count: 2 * 1024 * 1024)
        #expect(
            try client.pipeline([[bytes("SET"), bytes("big"), value], redisCommand("GET", "big")]) == [
                .status("OK"), .bulk(value),
            ])
        #expect(try server.cli(["-n", "1", "EXISTS", "big"]).stdout.contains("1"))
    }

    @Test func wrongCAFailsVerification() throws {
        let certificates = try TestCertificates()
        let server = try tlsServer(certificates)
        var config = try RedisConfiguration(url: "rediss://localhost:\(server.tlsPort!)/0")
        config.tls?.caFile = certificates.wrongCACert
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: config) }
        guard case .tls(let endpoint, let reason) = error else {
            Issue.record("expected a TLS error, got \(String(describing: error))")
            return
        }
        #expect(endpoint == "localhost:\(server.tlsPort!)")
        #expect(reason.contains("certificate verification failed"), "\(reason)")
        #expect(error?.isConfigurationProblem == true)
    }

    @Test func wrongHostNameFailsVerification() throws {
        let certificates = try TestCertificates()
        let server = try tlsServer(certificates)
        var config = try RedisConfiguration(url: "rediss://127.0.0.1:\(server.tlsPort!)/0")
        config.tls?.caFile = certificates.caCert
        config.tls?.serverName = "redis.example.com"
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: config) }
        #expect(
            error.map { "\($0)" }?.contains("certificate verification failed") == true, "\(String(describing: error))")
    }

    @Test func insecureSkipVerifyConnects() throws {
        let certificates = try TestCertificates()
        let server = try tlsServer(certificates)
        let config = try RedisConfiguration(url: "rediss://127.0.0.1:\(server.tlsPort!)/0?ssl_cert_reqs=none")
        #expect(config.tls?.insecureSkipVerify == true)
        let connection = try RedisConnection(configuration: config)
        #expect(try connection.execute(redisCommand("PING")) == .status("PONG"))
    }

    @Test func plainClientAgainstTLSPortFailsCleanly() throws {
        let certificates = try TestCertificates()
        let server = try tlsServer(certificates)
        var config = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: server.tlsPort!))
        config.connectTimeout = .seconds(2)
        #expect(throws: RedisError.self) { try RedisConnection(configuration: config) }
    }

    @Test func silentServerTimesOutDuringTheTLSHandshake() throws {
        let listener = try SilentListener()
        var config = try RedisConfiguration(url: "rediss://127.0.0.1:\(listener.port)/0")
        config.connectTimeout = .milliseconds(400)
        let (error, seconds) = measure {
            #expect(throws: RedisError.self) { try RedisConnection(configuration: config) }
        }
        #expect(seconds < 2, "took \(seconds) s")
        #expect(error == .timedOut(operation: "TLS handshake with 127.0.0.1:\(listener.port)"))
    }
}
