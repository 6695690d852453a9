import Testing

@testable import Redis

/// Issue 9 ("Trust"): `+`, `-` and `:` lines have no length header, so a hostile server's 50 MB
/// error reply used to be buffered whole (up to the 64 MiB reply cap) and copied into errors and
/// log lines. Lines are now capped at ``RESPFrameScanner/maximumLineLength``.
@Suite(.serialized) struct RESPLineLimitTests {
    let limit = RESPFrameScanner.maximumLineLength

    func get(_ reply: [UInt8]) throws -> (result: Result<RESPValue, RedisError>, seconds: Double, broken: Bool) {
        let server = try FakeRESPServer(replies: [.init(bytes: reply)])
        defer { server.stop() }
        let connection = try RedisConnection(
            configuration: RedisConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: server.port), connectTimeout: .seconds(2),
                readTimeout: .seconds(3)))
        let (result, seconds) = measure { () -> Result<RESPValue, RedisError> in
            do {
                return .success(try connection.execute(redisCommand("GET", "k")))
            } catch {
                return .failure(error as? RedisError ?? .closed)
            }
        }
        return (result, seconds, connection.isBroken)
    }

    func expectLineRefused(_ outcome: (result: Result<RESPValue, RedisError>, seconds: Double, broken: Bool)) {
        guard case .failure(.protocol(let message)) = outcome.result else {
            Issue.record("expected a protocol error, got \(outcome.result)")
            return
        }
        #expect(message.contains("longer than \(limit) bytes"), "\(message)")
        // Refused as soon as the limit passes, not at the read timeout (3 s).
        #expect(outcome.seconds < 2, "took \(outcome.seconds) s")
        #expect(outcome.broken)
    }

    @Test func errorLineWithoutCRLFIsRefusedAsSoonAsItPassesTheLimit() throws {
        // 2 MiB of `-EEEE…` and then silence: it used to wait for more until the read timeout.
        expectLineRefused(try get(bytes("-" + String(repeating: "E", count: 2 << 20))))
    }

    @Test(arguments: ["-ERR ", "+", ":"])
    func terminatedLineOverTheLimitIsRefused(_ start: String) throws {
        // A complete 1 MiB line used to be accepted and its text kept (and logged).
        expectLineRefused(try get(bytes(start + String(repeating: "7", count: 1 << 20) + "\r\n")))
    }

    @Test func lineOneByteOverTheLimitIsRefused() throws {
        expectLineRefused(try get(bytes("+" + String(repeating: "a", count: limit + 1) + "\r\n")))
    }

    @Test func lineOfExactlyTheLimitIsAccepted() throws {
        let text = String(repeating: "a", count: limit)
        let outcome = try get(bytes("+" + text + "\r\n"))
        #expect(try outcome.result.get() == .status(text))
        #expect(!outcome.broken)
    }

    @Test func limitHoldsAcrossChunks() throws {
        // Fed one chunk at a time, the line's length carries over from chunk to chunk.
        var scanner = RESPFrameScanner(
            limits: .init(replyBytes: 64 << 20, aggregateElements: 1000, nestingDepth: 8, discardAbove: nil))
        let chunk = [UInt8](repeating: UInt8(ascii: "E"), count: 1000)
        #expect(try [UInt8](bytes("-")).withUnsafeBytes { try scanner.scan($0) }.isEmpty)
        var refused = false
        var fed = 1
        while fed < 4 * limit && !refused {
            do {
                _ = try chunk.withUnsafeBytes { try scanner.scan($0) }
                fed += chunk.count
            } catch {
                refused = true
            }
        }
        #expect(refused)
        #expect(fed <= limit + 3)
    }
}

/// Issue 9: server-provided text in an error description is escaped and bounded.
struct RedisErrorServerTextTests {
    static let forged = "ERR x\nts=2026 level=error msg=FORGED\u{1b}[31m\r\t\u{7f}\u{85}"

    @Test func controlCharactersAreEscaped() {
        let text = RedisError.sanitizedServerText(Self.forged)
        #expect(text == "ERR x\\nts=2026 level=error msg=FORGED\\x1B[31m\\r\\t\\x7F\\x85")
    }

    @Test func longTextIsCutAtACharacterBoundary() {
        let text = RedisError.sanitizedServerText(String(repeating: "é", count: 1000))
        #expect(text.hasSuffix("…"))
        #expect(text.utf8.count <= RedisError.maximumServerTextBytes + 3)
        #expect(text.dropLast().allSatisfy { $0 == "é" })
        #expect(RedisError.sanitizedServerText("short") == "short")
    }

    @Test(arguments: [
        RedisError.server(command: "SCAN", message: forged + String(repeating: "E", count: 50_000)),
        RedisError.authentication(message: forged + String(repeating: "E", count: 50_000)),
        RedisError.protocol(message: forged + String(repeating: "E", count: 50_000)),
        RedisError.backingOff(
            retryAfter: .seconds(1),
            lastError: .server(command: "PING", message: forged + String(repeating: "E", count: 50_000))),
    ])
    func descriptionsAreBoundedAndHaveNoControlCharacters(_ error: RedisError) {
        let description = error.description
        #expect(description.utf8.count < 400, "\(description.utf8.count) bytes")
        #expect(!description.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
        #expect(description.contains("FORGED"))
    }
}
