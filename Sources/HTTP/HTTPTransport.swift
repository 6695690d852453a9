import Sockets
import TLS

/// How a connection's bytes travel: plain TCP, or TLS over it. The one seam through which the
/// loop reads and writes, so the loop is the same for both.
enum HTTPTransport {
    case plain
    case tls(TLSServerSession)

    /// What a read or write did.
    enum IOResult {
        /// This many bytes (plaintext) were read, or taken for sending.
        case transferred(Int)
        /// Wait for epoll.
        case wouldBlock
        /// The peer closed its end.
        case endOfStream
        /// The connection is broken (reset, TLS failure): close it. `plainHTTPOnTLS` when the
        /// peer spoke plain HTTP to a TLS port; `tlsError` when TLS failed.
        case failed(tlsError: TLSError?, plainHTTPOnTLS: Bool)
    }

    /// Reads into `buffer`; `scratch` is for TLS ciphertext.
    func read(_ socket: Socket, into buffer: UnsafeMutableRawBufferPointer, scratch: UnsafeMutableRawBufferPointer)
        -> IOResult
    {
        switch self {
        case .plain: return Self.map(socket.readAvailable(into: buffer))  // ECONNRESET fails
        case .tls(let session): return Self.map(session.read(into: buffer, scratch: scratch), session)
        }
    }

    /// Sends what the socket takes of `chunks` in order, from `offset` bytes into the first and
    /// at most `budget` bytes: plain TCP in one gathering write (a shared body is not copied),
    /// TLS up to one record of the first chunk.
    func write(_ socket: Socket, _ chunks: ArraySlice<[UInt8]>, skippingFirst offset: Int, budget: Int) -> IOResult {
        switch self {
        case .plain:
            // EPIPE and ECONNRESET fail.
            return Self.map(socket.sendAvailable(gathering: chunks, skippingFirst: offset, maximumBytes: budget))
        case .tls(let session):
            guard let first = chunks.first else { return .transferred(0) }
            let length = min(first.count - offset, budget)
            let result = first.withUnsafeBytes { bytes in
                session.write(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
            }
            return Self.map(result, session)
        }
    }

    /// Whether small response bodies are copied behind their head before sending: for TLS, so
    /// that head and body travel in one record; plain TCP gathers them in one write instead.
    var coalescesSmallBodies: Bool {
        if case .tls = self { return true }
        return false
    }

    /// Sends what the transport itself still holds (TLS records, handshake messages):
    /// `.transferred(0)` when nothing is left, `.wouldBlock` while some waits.
    func flushPending() -> IOResult {
        switch self {
        case .plain: return .transferred(0)
        case .tls(let session): return Self.map(session.flush(), session)
        }
    }

    /// Bytes the transport holds that the socket has not taken yet.
    var hasPendingOutput: Bool {
        if case .tls(let session) = self { return session.hasPendingOutput }
        return false
    }

    /// Received bytes buffered in user space, which epoll cannot report.
    var hasBufferedInput: Bool {
        if case .tls(let session) = self { return session.hasBufferedInput }
        return false
    }

    /// A TLS handshake still in progress (the connection cannot carry a request yet).
    var isHandshaking: Bool {
        if case .tls(let session) = self { return !session.isHandshakeComplete }
        return false
    }

    /// Before the socket closes: TLS sends close_notify if the socket takes it at once.
    func shutdown() {
        if case .tls(let session) = self { session.shutdown() }
    }

    private static func map(_ result: SocketIOResult) -> IOResult {
        switch result {
        case .transferred(let n): return .transferred(n)
        case .wouldBlock: return .wouldBlock
        case .endOfStream: return .endOfStream
        case .failed: return .failed(tlsError: nil, plainHTTPOnTLS: false)
        }
    }

    private static func map(_ result: TLSServerSession.IOResult, _ session: TLSServerSession) -> IOResult {
        switch result {
        case .transferred(let n): return .transferred(n)
        case .wouldBlock: return .wouldBlock
        case .endOfStream: return .endOfStream
        case .failed(let error): return .failed(tlsError: error, plainHTTPOnTLS: session.receivedPlainHTTP)
        }
    }
}
