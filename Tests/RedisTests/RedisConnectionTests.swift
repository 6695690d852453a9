import Foundation
import Sockets
import TestSupport
import Testing

@testable import Redis

@Suite struct RedisConnectionTests {
    @Test func ping() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        #expect(try connection.execute(redisCommand("PING")) == .status("PONG"))
        #expect(try connection.pipeline([]) == [])
    }

    @Test func binarySafeKeysAndValues() throws {
        let server = try RedisServer()
        let key: [UInt8] = [0x71, 0x06, 0x16, 0x4E]  // kombu priority list "q\x06\x16N"
        let value: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x06, 0x16, 0x00]
        // Seeded independently of the code under test.
        try server.command([bytes("SET"), key, value])
        let connection = try RedisConnection(configuration: configuration(for: server))
        #expect(try connection.execute([bytes("GET"), key]) == .bulk(value))

        let otherKey: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF]
        #expect(try connection.execute([bytes("SET"), otherKey, value]) == .status("OK"))
        #expect(try server.command([bytes("STRLEN"), otherKey]) == ":7\r\n")
        #expect(try server.command([bytes("GETRANGE"), otherKey, bytes("1"), bytes("2")]) == "$2\r\n\r\n\r\n")
    }

    @Test func pipelineOf200CommandsInOrder() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        let commands = (0..<200).map { _ in redisCommand("INCR", "counter") }
        let replies = try connection.pipeline(commands)
        #expect(replies == (1...200).map { RESPValue.integer(Int64($0)) })
    }

    @Test func twoMegabyteValue() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        let value = (0..<(2 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let replies = try connection.pipeline([
            [bytes("SET"), bytes("big"), value], redisCommand("GET", "big"), redisCommand("STRLEN", "big"),
        ])
        #expect(replies[0] == .status("OK"))
        #expect(replies[1] == .bulk(value))
        #expect(replies[2] == .integer(Int64(value.count)))
    }

    /// Issue 9: one value past the reply limit (a 70 MB member of `unacked_index` did it) broke the
    /// connection, so every poll failed and `celery_redis_up` read 0 for as long as the value
    /// stayed. Now that command gets an error reply; the pipeline's other replies and the
    /// connection are kept.
    @Test func oversizedReplyIsAnErrorReplyAndTheConnectionLives() throws {
        let server = try RedisServer()
        var config = configuration(for: server)
        config.maximumReplyBytes = 1024 * 1024
        config.maximumAggregateElements = 1000
        let connection = try RedisConnection(configuration: config)
        let value = [UInt8](repeating: 0x7A, count: 2 * 1024 * 1024)
        #expect(try connection.execute([bytes("SET"), bytes("big"), value]) == .status("OK"))
        let members = (0..<1500).flatMap { [bytes(String($0)), bytes("m\($0)")] }
        #expect(try connection.execute([bytes("ZADD"), bytes("z")] + members) == .integer(1500))
        let replies = try connection.pipeline([
            redisCommand("SET", "small", "x"), redisCommand("GET", "big"), redisCommand("GET", "small"),
            redisCommand("ZRANGE", "z", "0", "-1"), redisCommand("ZRANGE", "z", "0", "9"),
        ])
        #expect(replies.count == 5)
        #expect(replies[0] == .status("OK"))
        #expect(replies[1].errorMessage?.contains("larger than the exporter's reply limit") == true, "\(replies[1])")
        #expect(replies[2] == .bulk(bytes("x")))
        #expect(replies[3].errorMessage?.contains("larger than the exporter's reply limit") == true)
        #expect(replies[4] == .array((0..<10).map { .bulk(bytes("m\($0)")) }))
        #expect(!connection.isBroken)
        #expect(try connection.execute(redisCommand("PING")) == .status("PONG"))
    }

    @Test func errorReplyInTheMiddleKeepsTheOthers() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        let replies = try connection.pipeline([
            redisCommand("SET", "s", "x"), redisCommand("LPUSH", "s", "y"), redisCommand("GET", "s"),
            redisCommand("PING"),
        ])
        #expect(replies.count == 4)
        #expect(replies[0] == .status("OK"))
        #expect(replies[1].errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(replies[2] == .bulk(bytes("x")))
        #expect(replies[3] == .status("PONG"))
        #expect(!connection.isBroken)
    }

    @Test func authenticatesWithPassword() throws {
        let server = try RedisServer(password: "s3cret pw")
        let connection = try RedisConnection(configuration: configuration(for: server, password: "s3cret pw"))
        #expect(try connection.execute(redisCommand("PING")) == .status("PONG"))
    }

    @Test func wrongPasswordIsAClearAuthenticationError() throws {
        let server = try RedisServer(password: "right-password")
        let error = #expect(throws: RedisError.self) {
            try RedisConnection(configuration: configuration(for: server, password: "wrong-password-42"))
        }
        guard case .authentication(let message) = error else {
            Issue.record("expected an authentication error, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("WRONGPASS"))
        #expect(!"\(error!)".contains("wrong-password-42"))
        #expect(!"\(error!)".contains("right-password"))
    }

    @Test func missingPasswordIsAnAuthenticationError() throws {
        let server = try RedisServer(password: "right-password")
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration(for: server)) }
        guard case .authentication(let message) = error else {
            Issue.record("expected an authentication error, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("NOAUTH"))
    }

    @Test func authenticatesAsACLUser() throws {
        let server = try RedisServer()
        #expect(try server.command("ACL", "SETUSER", "exporter", "on", ">user-pw", "~*", "+@all") == "+OK\r\n")
        var config = configuration(for: server, password: "user-pw")
        config.username = "exporter"
        let connection = try RedisConnection(configuration: config)
        #expect(try connection.execute(redisCommand("ACL", "WHOAMI")) == .bulk(bytes("exporter")))

        config.password = "not-the-user-pw"
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: config) }
        guard case .authentication(let message) = error else {
            Issue.record("expected an authentication error, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("WRONGPASS"))
        #expect(!"\(error!)".contains("not-the-user-pw"))
    }

    @Test func selectsDatabase() throws {
        let server = try RedisServer()
        var config = configuration(for: server)
        config.database = 3
        let connection = try RedisConnection(configuration: config)
        #expect(try connection.execute(redisCommand("SET", "in-db-3", "yes")) == .status("OK"))
        #expect(try server.cli(["-n", "3", "GET", "in-db-3"]).stdout.contains("yes"))
        #expect(try server.cli(["-n", "0", "EXISTS", "in-db-3"]).stdout.contains("0"))

        config.database = 99
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: config) }
        #expect(error == .server(command: "SELECT 99", message: "ERR DB index is out of range"))
    }

    @Test func unixSocket() throws {
        let server = try RedisServer()
        var config = try RedisConfiguration(url: "unix://\(server.unixSocketPath)?db=2")
        config.readTimeout = .seconds(3)
        let connection = try RedisConnection(configuration: config)
        #expect(try connection.execute(redisCommand("SET", "via-unix", "1")) == .status("OK"))
        #expect(try server.cli(["-n", "2", "GET", "via-unix"]).stdout.contains("1"))
    }

    @Test func refusedPortFailsWithinTheTimeout() throws {
        let port = try freePort()
        let config = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), connectTimeout: .seconds(2))
        let (error, seconds) = measure {
            #expect(throws: RedisError.self) { try RedisConnection(configuration: config) }
        }
        #expect(seconds < 2)
        guard case .connect(let endpoint, let reason) = error else {
            Issue.record("expected a connect error, got \(String(describing: error))")
            return
        }
        #expect(endpoint == "127.0.0.1:\(port)")
        #expect(reason == "Connection refused")
    }

    @Test func silentServerTimesOut() throws {
        let listener = try SilentListener()
        let config = RedisConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: listener.port), connectTimeout: .milliseconds(500))
        let (error, seconds) = measure {
            #expect(throws: RedisError.self) { try RedisConnection(configuration: config) }
        }
        #expect(seconds >= 0.45 && seconds < 2, "took \(seconds) s")
        guard case .timedOut = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
    }

    @Test func blockedReplyHitsTheReadTimeout() throws {
        let server = try RedisServer()
        var config = configuration(for: server)
        config.readTimeout = .milliseconds(300)
        let connection = try RedisConnection(configuration: config)
        let (error, seconds) = measure {
            #expect(throws: RedisError.self) { try connection.execute(redisCommand("BLPOP", "nothing-here", "0")) }
        }
        #expect(seconds >= 0.25 && seconds < 2, "took \(seconds) s")
        #expect(error == .timedOut(operation: "read from 127.0.0.1:\(server.port)"))
        #expect(connection.isBroken)
    }

    @Test func serverGoingAwayBreaksTheConnection() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: configuration(for: server))
        server.stop()
        #expect(throws: RedisError.self) { try connection.execute(redisCommand("PING")) }
        #expect(connection.isBroken)
    }
}
