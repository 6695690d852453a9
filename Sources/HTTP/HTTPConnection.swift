import Sockets

/// One client connection's state. Confined to the loop thread that accepted it (hence a plain
/// class, not `Sendable`).
final class HTTPConnection {
    /// The non-blocking socket; closed when the connection is dropped.
    let socket: Socket
    /// The descriptor, fixed at accept time (the loop's dictionary key).
    let fd: Int32
    /// Bytes received and not yet turned into requests.
    var parser: HTTPRequestParser
    /// Response bytes waiting for the socket to accept them, oldest first. Large bodies are
    /// queued as their own chunk so pre-rendered bytes are not copied.
    var output: [[UInt8]] = []
    /// How much of `output[0]` has been sent.
    var outputOffset = 0
    /// Total unsent bytes in `output`.
    var pendingBytes = 0
    /// Close once `output` is empty (an error, `Connection: close`, HTTP/1.0, shutdown).
    var closeAfterWrite = false
    /// The peer shut down its sending half; no more requests will come.
    var inputClosed = false
    /// When the first byte of the request in progress arrived (monotonic ns), nil between requests.
    var requestStartedAt: Int64?
    /// A `100 Continue` went out for the request in progress (one per request).
    var sentContinue = false
    /// The last read or write progress (monotonic ns), for the idle and write-stall timeouts.
    var lastActivity: Int64
    /// What the connection is registered for with the loop's epoll.
    var interest: IOEvents

    init(socket: Socket, parser: HTTPRequestParser, now: Int64, interest: IOEvents) {
        self.socket = socket
        self.fd = socket.fd
        self.parser = parser
        self.lastActivity = now
        self.interest = interest
    }

    /// Queues bytes to send.
    func enqueue(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        output.append(bytes)
        pendingBytes += bytes.count
    }
}
