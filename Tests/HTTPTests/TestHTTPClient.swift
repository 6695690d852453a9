import Foundation
import Sockets

/// A response as the test client read it off the wire.
struct TestResponse {
    var status: Int
    var statusLine: String
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

struct TestClientError: Error, CustomStringConvertible {
    var description: String
}

/// A deliberately simple HTTP/1.1 client over a plain `Socket`, so server tests exercise the
/// wire format rather than trusting a second HTTP implementation.
final class TestHTTPClient {
    let socket: Socket
    private var buffer: [UInt8] = []

    init(_ address: SocketAddress, timeout: Duration = .seconds(2)) throws {
        socket = try Socket.connect(to: address, deadline: Deadline(after: timeout))
        socket.setNoDelay()
    }

    /// A client over a socket already connected.
    init(_ socket: Socket) {
        self.socket = socket
        socket.setNoDelay()
    }

    func send(_ text: String) throws {
        try socket.writeAll(Array(text.utf8), deadline: Deadline(after: .seconds(2)))
    }

    func send(_ bytes: [UInt8]) throws {
        try socket.writeAll(bytes, deadline: Deadline(after: .seconds(2)))
    }

    /// Reads more bytes into the buffer; false at end of stream (or a reset).
    @discardableResult
    private func fill(deadline: Deadline, max: Int = 64 * 1024) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: max)
        let n: Int
        do {
            n = try chunk.withUnsafeMutableBytes { try socket.read(into: $0, deadline: deadline) }
        } catch SocketError.failed(_, let code) where code == ECONNRESET {
            return false
        }
        if n == 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// Reads one response; `head` means the request was HEAD (no body follows).
    func readResponse(
        head: Bool = false, timeout: Duration = .seconds(3), readChunk: Int = 64 * 1024,
        pause: Duration = .zero
    ) throws -> TestResponse {
        let deadline = Deadline(after: timeout)
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if let range = findSubsequence(buffer, terminator) {
                headEnd = range
                break
            }
            guard try fill(deadline: deadline) else {
                throw TestClientError(
                    description: "connection closed before a response head; got \(buffer.count) bytes")
            }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw TestClientError(description: "bad status line \(statusLine)")
        }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            let colon = line.firstIndex(of: ":")!
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        buffer.removeFirst(headEnd! + 4)
        let length = head ? 0 : Int(headers["content-length"] ?? "0")!
        while buffer.count < length {
            if pause > .zero { Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18) }
            guard try fill(deadline: deadline, max: readChunk) else {
                throw TestClientError(description: "connection closed mid-body (\(buffer.count) of \(length))")
            }
        }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return TestResponse(status: status, statusLine: statusLine, headers: headers, body: body)
    }

    /// Waits for the server to close the connection; returns whatever bytes arrived first.
    /// Throws if the connection is still open at the deadline.
    func readUntilClosed(timeout: Duration = .seconds(3)) throws -> [UInt8] {
        let deadline = Deadline(after: timeout)
        while try fill(deadline: deadline) {}
        defer { buffer = [] }
        return buffer
    }

    /// True when nothing arrives and the connection stays open for `duration`.
    func staysOpenAndSilent(for duration: Duration) throws -> Bool {
        do {
            return try fill(deadline: Deadline(after: duration)) ? false : false
        } catch SocketError.timedOut {
            return true
        }
    }

    private func findSubsequence(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
