import Foundation
import Sockets
import Testing

private func seconds(since start: Int64) -> Double { Double(Deadline.monotonicNow() - start) / 1e9 }

/// Shutdown cuts waits that have a long deadline: a read from a silent peer, a connect, a wait
/// started after the cancel.
@Suite struct CancellationTokenTests {
    /// A connected pair: the client socket and the accepted server side.
    func pair() throws -> (client: Socket, server: Socket, listener: Listener) {
        let listener = try #require(try Listener.bind(.tcp(host: "127.0.0.1", port: 0)).first)
        let client = try Socket.connect(to: listener.address, deadline: Deadline(after: .seconds(2)))
        var accepted: Socket?
        for _ in 0..<200 where accepted == nil {
            accepted = try listener.accept()
            if accepted == nil { Thread.sleep(forTimeInterval: 0.005) }
        }
        return (client, try #require(accepted), listener)
    }

    /// A one-byte read with a 30 s deadline ends with `SocketError.cancelled`.
    func expectReadIsCancelled(_ client: Socket, sourceLocation: SourceLocation = #_sourceLocation) {
        var byte: UInt8 = 0
        #expect(throws: SocketError.cancelled, sourceLocation: sourceLocation) {
            _ = try withUnsafeMutableBytes(of: &byte) {
                try client.read(into: $0, deadline: Deadline(after: .seconds(30)))
            }
        }
    }

    @Test func cancelCutsABlockedReadFromASilentPeer() throws {
        let (client, server, _) = try pair()
        defer { server.close() }
        let token = CancellationToken()
        client.cancellation = token
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { token.cancel() }
        let start = Deadline.monotonicNow()
        expectReadIsCancelled(client)
        let waited = seconds(since: start)
        #expect(waited < 2, "read lasted \(waited) s; cancel came at 0.3 s")
        #expect(token.isCancelled)
    }

    @Test func cancelAtFiresAtItsDeadline() throws {
        let (client, server, _) = try pair()
        defer { server.close() }
        let token = CancellationToken()
        client.cancellation = token
        let start = Deadline.monotonicNow()
        token.cancel(at: Deadline(after: .milliseconds(400)))
        #expect(!token.isCancelled)
        expectReadIsCancelled(client)
        let waited = seconds(since: start)
        #expect(waited >= 0.39 && waited < 3, "cut after \(waited) s, expected at 0.4 s")
    }

    @Test func aCancelledTokenSendsNothingNotEvenASYN() throws {
        let listener = try #require(try Listener.bind(.tcp(host: "127.0.0.1", port: 0)).first)
        let token = CancellationToken()
        token.cancel()
        token.cancel()  // idempotent
        #expect(throws: SocketError.cancelled) {
            try Socket.connect(to: listener.address, deadline: Deadline(after: .seconds(5)), cancellation: token)
        }
        #expect(throws: SocketError.timedOut(operation: "connect to \(listener.address.description)")) {
            try Socket.connect(to: listener.address, deadline: Deadline(after: .zero))
        }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(try listener.accept() == nil, "a connection reached the listener")
    }

    @Test func aWriteToAPeerThatDoesNotReadIsCut() throws {
        let (client, server, _) = try pair()
        defer { server.close() }
        let token = CancellationToken()
        client.cancellation = token
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { token.cancel() }
        let start = Deadline.monotonicNow()
        let big = [UInt8](repeating: 0x78, count: 64 << 20)  // far more than the socket buffers hold
        #expect(throws: SocketError.cancelled) { try client.writeAll(big, deadline: Deadline(after: .seconds(30))) }
        #expect(seconds(since: start) < 2)
    }
}
