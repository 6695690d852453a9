import Foundation
import Redis
import Sockets
import Synchronization
import TestSupport
import Testing

/// An error reply to the handshake reads as an authentication failure only when it is one
/// (`WRONGPASS`, `NOAUTH`, an invalid password); anything else carries the server's own words,
/// sanitised and without the password. Before, `-ERR max number of clients reached` read as
/// "Redis authentication failed" and sent operators after the wrong secret.
@Suite(.serialized) struct RedisHandshakeErrorTests {
    static let password = "pw-Secret9"

    /// Real Redis at its client limit answers the new connection once and closes it.
    @Test func aFullServerIsNotAnAuthenticationFailure() throws {
        let server = try RedisServer(password: Self.password, extraArguments: ["--maxclients", "1"])
        let holder = try RedisConnection(configuration: configuration(for: server, password: Self.password))
        let error = #expect(throws: RedisError.self) {
            try RedisConnection(configuration: configuration(for: server, password: Self.password))
        }
        if case .authentication = error { Issue.record("read as an authentication failure: \(error!)") }
        #expect("\(error!)".contains("max number of clients reached"), "\(error!)")
        #expect(!"\(error!)".contains(Self.password))
        #expect(error?.isConfigurationProblem == false)
        _ = holder
    }

    /// Scripted replies real Redis 7 does not give (older servers, proxies): each is classified
    /// by what it says, its text cleaned of control characters and the password.
    @Test func eachReplyIsClassifiedByWhatItSays() throws {
        let cases: [(reply: String, isAuthentication: Bool, shows: String)] = [
            ("-ERR invalid password\r\n", true, "ERR invalid password"),
            ("-ERR Client sent AUTH, but no password is set\r\n", true, "no password is set"),
            ("-ERR max number of clients reached\r\n", false, "Redis AUTH failed: ERR max number of clients reached"),
            ("-ERR proxy refused \(Self.password) \u{1B}[31m\r\n", false, "ERR proxy refused *** \\x1B[31m"),
            ("-LOADING Redis is loading the dataset in memory\r\n", false, "LOADING Redis is loading"),
        ]
        for (reply, isAuthentication, shows) in cases {
            let (port, server) = try Self.answerOnce(Array(reply.utf8) + Array("+PONG\r\n".utf8))
            defer { server.join() }
            var settings = RedisConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: port), password: Self.password, connectTimeout: .seconds(3),
                readTimeout: .seconds(3))
            settings.clientName = nil
            let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: settings) }
            var wasAuthentication = false
            if case .authentication = error { wasAuthentication = true }
            #expect(wasAuthentication == isAuthentication, "\(reply): \(error!)")
            #expect("\(error!)".contains(shows), "\(error!)")
            #expect(!"\(error!)".contains(Self.password))
            #expect(!"\(error!)".contains("\u{1B}"))
        }
    }

    /// A one-connection server on a free port: reads the handshake, writes `bytes`, closes.
    static func answerOnce(_ bytes: [UInt8]) throws -> (UInt16, NativeThread) {
        let (fd, port) = try listenOnLoopback(backlog: 1)
        let thread = try NativeThread.spawn(name: "answer-once") {
            defer { close(fd) }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            usleep(200_000)
        }
        return (port, thread)
    }
}
