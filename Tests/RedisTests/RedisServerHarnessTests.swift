import Foundation
import TestSupport
import Testing

/// The test harness's raw-socket client (`RedisServer.command`) against a real `redis-server`:
/// it returns a reply whole however many reads it takes. It did a single 64 KiB `read()`, so a
/// reply bigger than that, or split across TCP segments (a loaded machine), came back cut or
/// empty, and seeding "failed" (the `HugeTailIntegrationTests` flake).
@Suite struct RedisServerHarnessTests {
    /// A value far larger than one read, with bytes that look like RESP framing inside it.
    static let value: [UInt8] = (0..<1_000_000).map { i in [UInt8(ascii: "$"), 13, 10, UInt8(i % 251)][i % 4] }

    @Test func aLargeBulkReplyComesBackWhole() throws {
        let server = try RedisServer()
        #expect(try server.command([bytes("SET"), bytes("big"), Self.value]) == "+OK\r\n")
        let reply = try server.command([bytes("GET"), bytes("big")])
        #expect(reply == String(decoding: bytes("$\(Self.value.count)\r\n") + Self.value + [13, 10], as: UTF8.self))
    }

    @Test func aLargeArrayReplyComesBackWhole() throws {
        let server = try RedisServer()
        let elements = (0..<3).map { i in Array(Self.value[(i * 300_000)..<((i + 1) * 300_000)]) }
        #expect(try server.command([bytes("RPUSH"), bytes("list")] + elements) == ":3\r\n")
        let reply = try server.command("LRANGE", "list", "0", "-1")
        var expected = bytes("*3\r\n")
        for e in elements { expected += bytes("$\(e.count)\r\n") + e + [13, 10] }
        #expect(reply == String(decoding: expected, as: UTF8.self))
    }

    @Test func withAPasswordTheReplyIsTheCommandsOwn() throws {
        let server = try RedisServer(password: "harness pw")
        #expect(try server.command("PING") == "+PONG\r\n")
        #expect(try server.command("INCR", "n") == ":1\r\n")
    }

    @Test func shutdownClosingTheConnectionIsAnEmptyReply() throws {
        let server = try RedisServer()
        #expect(try server.command("SHUTDOWN", "NOSAVE") == "")
    }

    /// Every way a reply can be split: no proper prefix is taken for a whole reply.
    @Test func theScannerNeedsTheWholeReplyAtEverySplit() {
        let reply = bytes("*4\r\n$5\r\nab\r\nc\r\n:42\r\n*2\r\n+OK\r\n$-1\r\n-ERR x\r\n")
        for cut in 0..<reply.count {
            #expect(RESPReplyScanner.end(of: Array(reply[..<cut]), from: 0) == nil, "cut at \(cut)")
        }
        #expect(RESPReplyScanner.end(of: reply, from: 0) == reply.count)
        #expect(RESPReplyScanner.end(of: reply + bytes("+next\r\n"), from: 0) == reply.count)
    }
}
