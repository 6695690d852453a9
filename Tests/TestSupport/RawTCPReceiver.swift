import Foundation

/// A webhook receiver on plain POSIX sockets (not the code under test) that can be hostile:
/// answer at once, hang after reading the request, or drip its answer a byte at a time. It
/// records when each connection came and every byte it received, so a test can prove what
/// reached the receiver and when (for example: nothing after the client's deadline).
public final class RawTCPReceiver: @unchecked Sendable {
    // @unchecked: `connections` and `stopping` are only touched under `lock`; the rest is immutable.

    /// What the receiver does with each connection.
    public enum Behaviour: Sendable {
        /// Reads the request (head and `Content-Length` body), answers `status` with an empty body.
        case answer(status: Int)
        /// Reads whatever comes and never answers (nor closes) until stopped.
        case hang
        /// Reads the request, then sends a response announcing 1000 body bytes, one byte every
        /// `interval` seconds.
        case drip(interval: Double)
        /// Reads the request, then closes without a word.
        case closeWithoutAnswer
    }

    /// One accepted connection.
    public struct Connection: Sendable {
        /// Seconds since the receiver started, when the connection was accepted.
        public var acceptedAt: Double
        /// Every byte received on it.
        public var received: [UInt8]
        /// Seconds since start of the first and last received byte (nil: none yet).
        public var firstByteAt: Double?
        public var lastByteAt: Double?
        /// True once a complete request (head plus `Content-Length` body) has arrived.
        public var completeRequest: Bool
        /// The text received, for header checks.
        public var text: String { String(decoding: received, as: UTF8.self) }
    }

    public let port: UInt16
    private let behaviour: Behaviour
    private let listenFD: Int32
    private let started = Date()
    private let lock = NSLock()
    private var connectionsStorage: [Connection] = []
    private var stopping = false
    private let group = DispatchGroup()

    /// Starts listening on 127.0.0.1 on a free port.
    public init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        (listenFD, port) = try listenOnLoopback(backlog: 64)
        group.enter()
        Thread.detachNewThread { [self] in
            acceptLoop()
            group.leave()
        }
    }

    deinit { stop() }

    /// Every connection so far.
    public var connections: [Connection] {
        lock.lock()
        defer { lock.unlock() }
        return connectionsStorage
    }

    /// Connections that delivered a complete request.
    public var completeRequests: Int { connections.filter(\.completeRequest).count }

    /// Stops accepting, closes every connection and waits for the threads (idempotent).
    public func stop() {
        lock.lock()
        let first = !stopping
        stopping = true
        lock.unlock()
        guard first else { return }
        group.wait()
        close(listenFD)
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private var elapsed: Double { Date().timeIntervalSince(started) }

    private func acceptLoop() {
        while !isStopping {
            var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 50) > 0 else { continue }
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { continue }
            lock.lock()
            let index = connectionsStorage.count
            connectionsStorage.append(Connection(acceptedAt: elapsed, received: [], completeRequest: false))
            lock.unlock()
            group.enter()
            Thread.detachNewThread { [self] in
                serve(client, index: index)
                close(client)
                group.leave()
            }
        }
    }

    /// Reads what is there (waiting at most 50 ms); false when the peer closed or errored.
    private func readSome(_ fd: Int32, index: Int) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 50) > 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return false }
        let now = elapsed
        lock.lock()
        connectionsStorage[index].received += buffer[0..<n]
        if connectionsStorage[index].firstByteAt == nil { connectionsStorage[index].firstByteAt = now }
        connectionsStorage[index].lastByteAt = now
        connectionsStorage[index].completeRequest = Self.isComplete(connectionsStorage[index].received)
        lock.unlock()
        return true
    }

    private func requestComplete(_ index: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return connectionsStorage[index].completeRequest
    }

    /// Head ended by CRLF CRLF and as many body bytes as `Content-Length` says.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        var length = 0
        for line in text[..<end.lowerBound].split(separator: "\r\n")
        where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) + length <= bytes.count
    }

    private func serve(_ fd: Int32, index: Int) {
        // Every behaviour but `hang` first reads a whole request.
        if case .hang = behaviour {
            while !isStopping, readSome(fd, index: index) {}
            return
        }
        while !isStopping, !requestComplete(index) {
            guard readSome(fd, index: index) else { return }
        }
        switch behaviour {
        case .hang:
            return
        case .closeWithoutAnswer:
            return
        case .answer(let status):
            let response = "HTTP/1.1 \(status) Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            _ = response.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            // Keep reading until the client closes, to see anything written after the answer.
            while !isStopping, readSome(fd, index: index) {}
        case .drip(let interval):
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
            _ = head.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            var next = Date()
            while !isStopping {
                if Date() >= next {
                    var byte: UInt8 = 0x61
                    guard send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
                    next = Date().addingTimeInterval(interval)
                }
                guard readSome(fd, index: index) else { return }
            }
        }
    }
}
