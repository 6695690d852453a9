import Sockets
import Testing

@testable import Redis

/// A server (or something posing as one) that answers with forged headers or trickles its reply
/// must cost a clear error within the read timeout: no allocation from a header, no hang.
/// Issue 9, row 7: `*2147483647` took 16 GB of address space, two cores and 12 s.
@Suite(.serialized) struct RedisConnectionHostileServerTests {
    func connect(_ server: FakeRESPServer, readTimeout: Duration = .seconds(2)) throws -> RedisConnection {
        try RedisConnection(
            configuration: RedisConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: server.port), connectTimeout: .seconds(2),
                readTimeout: readTimeout))
    }

    /// Runs `GET k` against a server answering `reply`; returns the error, seconds taken and how
    /// much the process's peak virtual memory grew.
    func hostileGet(_ reply: FakeRESPServer.Reply, readTimeout: Duration = .seconds(2)) throws
        -> (error: RedisError?, seconds: Double, peakGrowth: Int, broken: Bool)
    {
        let server = try FakeRESPServer(replies: [reply])
        defer { server.stop() }
        let connection = try connect(server, readTimeout: readTimeout)
        let peakBefore = peakVirtualMemoryBytes()
        let (error, seconds) = measure { () -> RedisError? in
            do {
                _ = try connection.execute(redisCommand("GET", "k"))
                return nil
            } catch {
                return error as? RedisError
            }
        }
        return (error, seconds, peakVirtualMemoryBytes() - peakBefore, connection.isBroken)
    }

    @Test func hugeArrayHeaderFailsFastWithoutAllocating() throws {
        let result = try hostileGet(.init(bytes: bytes("*2147483647\r\n")))
        guard case .protocol(let message) = result.error else {
            Issue.record("expected a protocol error, got \(String(describing: result.error))")
            return
        }
        #expect(message.contains("maximumAggregateElements"))
        #expect(result.seconds < 1, "took \(result.seconds) s")
        #expect(result.peakGrowth < 1 << 30, "peak virtual memory grew by \(result.peakGrowth) bytes")
        #expect(result.broken)
    }

    @Test func hugeBulkHeaderFailsFastWithoutAllocating() throws {
        let result = try hostileGet(.init(bytes: bytes("$2147483647\r\n")))
        // Past Redis's own 512 MiB string limit: refused from the header, not skipped.
        #expect(result.error == .replyTooLarge(limit: 512 << 20))
        #expect(result.seconds < 1, "took \(result.seconds) s")
        #expect(result.peakGrowth < 1 << 30, "peak virtual memory grew by \(result.peakGrowth) bytes")
        #expect(result.broken)
    }

    @Test func deeplyNestedReplyFailsFast() throws {
        let result = try hostileGet(.init(bytes: bytes(String(repeating: "*1\r\n", count: 10_000) + ":1\r\n")))
        #expect(
            result.error?.description.contains("maximumNestingDepth") == true, "\(String(describing: result.error))")
        #expect(result.seconds < 1, "took \(result.seconds) s")
        #expect(result.broken)
    }

    @Test func tricklingServerCannotStretchTheReadTimeout() throws {
        // One byte every 200 ms keeps every read() busy; the reply's deadline still ends it.
        let reply = bytes("$64\r\n" + String(repeating: "t", count: 64) + "\r\n")
        let result = try hostileGet(.init(bytes: reply, drip: .milliseconds(200)), readTimeout: .seconds(1))
        guard case .timedOut = result.error else {
            Issue.record("expected a timeout, got \(String(describing: result.error))")
            return
        }
        #expect(result.seconds >= 0.9 && result.seconds < 1.8, "took \(result.seconds) s")
        #expect(result.broken)
    }

    @Test func brokenConnectionIsNeverReused() throws {
        let server = try FakeRESPServer(replies: [.init(bytes: bytes("*2147483647\r\n"))])
        defer { server.stop() }
        let connection = try connect(server)
        #expect(throws: RedisError.self) { try connection.execute(redisCommand("GET", "k")) }
        #expect(throws: RedisError.closed) { try connection.execute(redisCommand("PING")) }
    }
}
