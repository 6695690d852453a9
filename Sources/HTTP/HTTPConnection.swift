import Sockets

/// One client connection's state. Confined to the loop thread that accepted it (hence a plain
/// class, not `Sendable`).
final class HTTPConnection {
    /// The non-blocking socket; closed when the connection is dropped.
    let socket: Socket
    /// The descriptor, fixed at accept time (the loop's dictionary key).
    let fd: Int32
    /// The peer's IP address, counted against the per-client cap (nil for Unix sockets).
    let client: HTTPPeerAddress?
    /// Plain TCP or TLS: every read and write of the loop goes through it.
    let transport: HTTPTransport
    /// Bytes received and not yet turned into requests.
    var parser: HTTPRequestParser
    /// Response bytes waiting for the socket to accept them, oldest first. Bodies are queued as
    /// their own chunk (sharing the handler's array) so pre-rendered bytes are not copied.
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
    /// Responses that must wait behind a deferred one (pipelining answers in order), oldest
    /// first. Empty unless a handler deferred a response on this connection.
    var held: [HeldResponse] = []
    /// How many entries of ``held`` are deferred responses still waiting.
    var deferredCount = 0
    /// Answering stopped at the per-turn budget with bytes still buffered: the loop services
    /// the connection again next turn, and does not read more from it until then.
    var yielded = false
    /// The loop turn in which the connection was last serviced (one budget per turn).
    var servicedTurn: UInt64 = 0
    /// A whole request has arrived on this connection (it is a keep-alive connection between
    /// requests when idle, rather than one that never sent a request).
    var hasCompletedRequest = false
    /// Input and output bytes last added to the server's queued-bytes gauge for this connection.
    var accountedBytes = 0

    /// A response queued behind a deferred one.
    enum HeldResponse {
        /// An encoded response (head and body).
        case bytes([UInt8])
        /// A deferred response and what its encoding needs from the request.
        case deferred(HTTPDeferredResponse, request: RequestTraits, since: Int64)
    }

    /// What encoding a response needs to know about its request.
    struct RequestTraits {
        var wantsKeepAlive: Bool
        var http10: Bool
        var isHead: Bool
        var method: String
        var path: String
    }

    init(
        socket: Socket, client: HTTPPeerAddress?, transport: HTTPTransport = .plain, parser: HTTPRequestParser,
        now: Int64, interest: IOEvents
    ) {
        self.socket = socket
        self.fd = socket.fd
        self.client = client
        self.transport = transport
        self.parser = parser
        self.lastActivity = now
        self.interest = interest
    }

    /// Queues bytes to send, behind any deferred response still waiting.
    func enqueue(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if !held.isEmpty {
            held.append(.bytes(bytes))
            return
        }
        appendOutput(bytes)
    }

    /// Queues bytes to send now, ahead of anything held (releasing held responses in order).
    func appendOutput(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        output.append(bytes)
        pendingBytes += bytes.count
    }

    /// Drops `count` sent bytes from the front of ``output``: finished chunks go, the offset
    /// into the first unfinished one moves.
    func consume(_ count: Int) {
        pendingBytes -= count
        var left = outputOffset + count
        var finished = 0
        for chunk in output {
            guard left >= chunk.count else { break }
            left -= chunk.count
            finished += 1
        }
        output.removeFirst(finished)
        outputOffset = left
    }

    /// True when no response is being written or waited for and no request is arriving: the
    /// connection may be closed without cutting anything short.
    /// A TLS handshake in progress is not idle: it is bounded by the request deadline instead.
    var isIdle: Bool { !hasUnsentOutput && held.isEmpty && !parser.hasPartialRequest && !transport.isHandshaking }

    /// Bytes held for this connection: request bytes read and not yet answered, plus response
    /// bytes not yet sent.
    var queuedBytes: Int { parser.bufferedByteCount + pendingBytes }

    /// Why the connection may be closed to admit a new one at the cap, or nil when closing it
    /// would cut short work in progress (a request whose head is complete, a response being
    /// handled, held or written, pipelined requests waiting their turn).
    var evictionReason: HTTPServerStatistics.EvictionReason? {
        guard !hasUnsentOutput, held.isEmpty, !yielded, !closeAfterWrite else { return nil }
        if parser.hasPartialHead { return .partialHead }
        if parser.hasPartialRequest { return nil }
        // Never sent a request: ranked with the heads, by age, so a client just accepted (its
        // request still on the way) is the last choice, not the first.
        return hasCompletedRequest ? .idle : .partialHead
    }

    /// True when every response queued or waited for has been written (TLS records included).
    var allAnswered: Bool { !hasUnsentOutput && held.isEmpty }

    /// Bytes queued that the socket has not taken: responses, or TLS records and handshake messages.
    var hasUnsentOutput: Bool { pendingBytes > 0 || transport.hasPendingOutput }
}
