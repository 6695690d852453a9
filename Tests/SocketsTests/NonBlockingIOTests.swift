import Sockets
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The event loops' non-blocking socket calls: one system call each, never waiting, and a
/// gathering write that resumes exactly where a partial write stopped.
@Suite struct NonBlockingIOTests {
    /// A connected pair of stream sockets, both non-blocking, with small kernel buffers so
    /// that writes are partial.
    static func pair(buffer: Int32 = 4096) throws -> (Socket, Socket) {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        var size = buffer
        for fd in fds {
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        return (Socket(adopting: fds[0]), Socket(adopting: fds[1]))
    }

    /// Everything readable now from `socket`.
    static func drain(_ socket: Socket) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1000)
        while case .transferred(let n) = chunk.withUnsafeMutableBytes({ socket.readAvailable(into: $0) }) {
            received += chunk[0..<n]
        }
        return received
    }

    @Test func gatheringWriteResumedAfterPartialWritesDeliversExactBytes() throws {
        let (writer, reader) = try Self.pair()
        // Buffers of odd sizes, an empty one among them, more than one write can gather.
        var buffers: [[UInt8]] = []
        var seed: UInt32 = 7
        for size in [3, 200, 0, 70_001, 1, 4_093, 9_999, 31, 50_000] + Array(repeating: 17, count: 20) {
            buffers.append(
                (0..<size).map { _ in
                    seed = seed &* 1_103_515_245 &+ 12_345
                    return UInt8(truncatingIfNeeded: seed >> 16)
                })
        }
        let expected = buffers.flatMap { $0 }
        var pending = buffers[...]
        var offset = 0
        var received: [UInt8] = []
        var partialWrites = 0
        var rounds = 0
        while !pending.isEmpty {
            rounds += 1
            try #require(rounds < 100_000)
            let offered = pending.prefix(Socket.maximumGatheredBuffers).reduce(0) { $0 + $1.count } - offset
            switch writer.sendAvailable(gathering: pending, skippingFirst: offset, maximumBytes: 30_000) {
            case .transferred(let n):
                if n < min(offered, 30_000) { partialWrites += 1 }
                // Advance exactly as a loop does: drop finished buffers, keep the offset in the next.
                var left = offset + n
                while let first = pending.first, left >= first.count {
                    left -= first.count
                    pending = pending.dropFirst()
                }
                offset = left
            case .wouldBlock:
                received += Self.drain(reader)  // the slow reader finally reads
            case let other:
                Issue.record("unexpected \(other)")
                return
            }
        }
        received += Self.drain(reader)
        #expect(partialWrites > 0)  // the small buffers really cut writes short
        #expect(received.count == expected.count)
        #expect(received == expected)
    }

    @Test func gatheringWriteHonoursTheOffsetTheByteBudgetAndTheBufferLimit() throws {
        let (writer, reader) = try Self.pair(buffer: 65536)
        let buffers: [[UInt8]] = [Array("head:".utf8), Array("body-bytes".utf8), Array("tail".utf8)]
        #expect(writer.sendAvailable(gathering: buffers[...], skippingFirst: 2, maximumBytes: 9) == .transferred(9))
        #expect(String(decoding: Self.drain(reader), as: UTF8.self) == "ad:body-b")
        // Past the limit of buffers per call, the rest waits for the next call.
        let many = Array(repeating: [UInt8(65)], count: Socket.maximumGatheredBuffers + 5)
        #expect(writer.sendAvailable(gathering: many[...]) == .transferred(Socket.maximumGatheredBuffers))
        #expect(writer.sendAvailable(gathering: [][...]) == .transferred(0))
        _ = Self.drain(reader)
    }

    @Test func readsReportWouldBlockEndOfStreamAndBrokenPeers() throws {
        let (a, b) = try Self.pair()
        var chunk = [UInt8](repeating: 0, count: 16)
        #expect(chunk.withUnsafeMutableBytes { a.readAvailable(into: $0) } == .wouldBlock)
        #expect(Array("hi".utf8).withUnsafeBytes { b.sendAvailable($0) } == .transferred(2))
        #expect(a.hasUnreadInput)
        #expect(chunk.withUnsafeMutableBytes { a.readAvailable(into: $0) } == .transferred(2))
        #expect(!a.hasUnreadInput)
        b.close()
        #expect(chunk.withUnsafeMutableBytes { a.readAvailable(into: $0) } == .endOfStream)
        // Writing to a closed peer fails without raising SIGPIPE (which would end the test run).
        guard case .failed(let code) = Array("x".utf8).withUnsafeBytes({ a.sendAvailable($0) }) else {
            Issue.record("a write to a closed peer did not fail")
            return
        }
        #expect(code == EPIPE)
        let buffers = [Array("y".utf8)]
        guard case .failed = a.sendAvailable(gathering: buffers[...]) else {
            Issue.record("a gathering write to a closed peer did not fail")
            return
        }
    }

    @Test func discardInputEmptiesWhatThePeerSent() throws {
        let (a, b) = try Self.pair(buffer: 65536)
        #expect(Array(repeating: UInt8(1), count: 3000).withUnsafeBytes { b.sendAvailable($0) } == .transferred(3000))
        var scratch = [UInt8](repeating: 0, count: 512)
        scratch.withUnsafeMutableBytes { a.discardInput(scratch: $0) }
        #expect(!a.hasUnreadInput)
    }

    @Test func reserveDescriptorFreesAndRetakesASlot() {
        let reserve = ReserveDescriptor()
        #expect(reserve.isHeld)
        reserve.release()
        #expect(!reserve.isHeld)
        reserve.release()  // idempotent
        #expect(reserve.refill())
        #expect(reserve.isHeld)
    }
}
