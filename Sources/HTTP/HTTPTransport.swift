import Sockets
import TLS

#if canImport(Glibc)
    import Glibc
#endif

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
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, scratch: UnsafeMutableRawBufferPointer)
        -> IOResult
    {
        switch self {
        case .plain:
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n > 0 { return .transferred(n) }
                if n == 0 { return .endOfStream }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return .wouldBlock
                default: return .failed(tlsError: nil, plainHTTPOnTLS: false)  // ECONNRESET and friends
                }
            }
        case .tls(let session):
            return Self.map(session.read(into: buffer, scratch: scratch), session)
        }
    }

    /// Sends from `bytes` what the socket (or TLS, a record at a time) takes.
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> IOResult {
        switch self {
        case .plain:
            while true {
                let n = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
                if n >= 0 { return .transferred(n) }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return .wouldBlock
                default: return .failed(tlsError: nil, plainHTTPOnTLS: false)  // EPIPE, ECONNRESET
                }
            }
        case .tls(let session):
            return Self.map(session.write(bytes), session)
        }
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

    private static func map(_ result: TLSServerSession.IOResult, _ session: TLSServerSession) -> IOResult {
        switch result {
        case .transferred(let n): return .transferred(n)
        case .wouldBlock: return .wouldBlock
        case .endOfStream: return .endOfStream
        case .failed(let error): return .failed(tlsError: error, plainHTTPOnTLS: session.receivedPlainHTTP)
        }
    }
}
