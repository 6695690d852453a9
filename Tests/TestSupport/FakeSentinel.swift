import Foundation
import Sockets
import Synchronization

/// A scripted "sentinel" on a free 127.0.0.1 port, for the answers a real `redis-server
/// --sentinel` never gives: a stale or lying one naming a replica, a host that does not exist or
/// the unspecified address. It serves connections one after another (a client asks once and
/// closes): `PING` gets `+PONG`, `AUTH` gets `+OK`, `SENTINEL GET-MASTER-ADDR-BY-NAME` gets
/// ``answer``'s host and port; it counts the questions. Stopped when released.
public final class FakeSentinel: Sendable {
    public let port: UInt16
    private let listenFD: Int32
    private let stopped = Atomic<Bool>(false)
    private let thread = Mutex<NativeThread?>(nil)
    private let state = Mutex<(host: String, port: UInt16, questions: Int)>(("", 0, 0))

    /// Starts answering `host` and `port`.
    public init(naming host: String, port masterPort: UInt16) throws {
        let (fd, port) = try listenOnLoopback(backlog: 16)
        self.port = port
        listenFD = fd
        state.withLock { $0 = (host, masterPort, 0) }
        let spawned = try NativeThread.spawn(name: "fake-sentinel") { [self] in serve() }
        thread.withLock { $0 = spawned }
    }

    deinit { stop() }

    /// Answers `host` and `port` from now on.
    public func name(_ host: String, port: UInt16) {
        state.withLock { $0 = (host, port, $0.questions) }
    }

    /// `SENTINEL GET-MASTER-ADDR-BY-NAME` questions answered so far.
    public var questions: Int { state.withLock { $0.questions } }

    /// Stops serving and waits for the server thread. Idempotent.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        thread.withLock { $0 }?.join()
        close(listenFD)
    }

    private var isStopped: Bool { stopped.load(ordering: .acquiring) }

    private func serve() {
        while !isStopped {
            guard readable(listenFD) else { continue }
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { continue }
            converse(client)
            close(client)
        }
    }

    /// Answers the client's commands until it closes (each read holds whole commands: the
    /// client waits for every answer before it sends more).
    private func converse(_ client: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isStopped {
            guard readable(client) else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            let text = String(decoding: buffer[0..<count], as: UTF8.self).uppercased()
            var reply = ""
            if text.contains("AUTH") { reply += "+OK\r\n" }
            if text.contains("GET-MASTER-ADDR-BY-NAME") {
                let (host, port) = state.withLock { state -> (String, UInt16) in
                    state.questions += 1
                    return (state.host, state.port)
                }
                let portText = String(port)
                reply += "*2\r\n$\(host.utf8.count)\r\n\(host)\r\n$\(portText.count)\r\n\(portText)\r\n"
            }
            if text.contains("PING") { reply += "+PONG\r\n" }
            let bytes = Array(reply.utf8)
            if bytes.withUnsafeBytes({ send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) < 0 { return }
        }
    }

    /// Waits up to 20 ms for `fd` to be readable.
    private func readable(_ fd: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 20) > 0
    }
}
