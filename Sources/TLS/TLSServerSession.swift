import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// The server side of one TLS connection for an event loop: nothing here ever waits.
///
/// OpenSSL works on two memory BIOs; ``read(into:scratch:)``, ``write(_:)`` and ``flush()`` move
/// ciphertext between them and the non-blocking socket and report ``IOResult/wouldBlock`` when
/// the socket has nothing more (or takes nothing more), so the loop waits for epoll instead. The
/// handshake runs inside the first reads; a client that never finishes it costs a connection
/// entry until the loop's request deadline closes it.
///
/// The session does not own the descriptor: the connection that holds it closes the socket.
/// Not `Sendable`: confined to the loop thread that accepted the connection.
public final class TLSServerSession {
    /// What a read, write or flush did.
    public enum IOResult: Equatable {
        /// This many plaintext bytes were read or taken for sending (a flush reports 0 when done).
        case transferred(Int)
        /// Nothing can move until the socket is readable (read) or writable (write, flush) again.
        case wouldBlock
        /// The peer closed the connection (close_notify, or TCP end of stream).
        case endOfStream
        /// The connection failed: a handshake failure (no common version, an unverifiable or
        /// missing client certificate, a non-TLS peer), a protocol error or a socket error.
        case failed(TLSError)
    }

    /// Largest plaintext handed to one `SSL_write_ex` (one record).
    private static let recordSize = 16 * 1024
    /// Socket reads per ``read(into:scratch:)`` call before it returns to the loop (which comes
    /// back, level-triggered, while the socket has more): a flood of records that carry no
    /// data cannot keep the loop here.
    private static let socketReadsPerCall = 8

    private let fd: Int32
    private let ssl: OpaquePointer
    private let inputBIO: OpaquePointer
    private let outputBIO: OpaquePointer
    /// Ciphertext OpenSSL produced that the socket has not taken yet; sent from `pendingOffset`.
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var failed = false
    /// The last read stopped because OpenSSL needs bytes the socket does not have yet (what is
    /// buffered is a partial record): reading again before epoll reports input would spin.
    private var needsSocketData = false
    private var shutDown = false
    /// The first bytes the client sent, to recognise plain HTTP sent to the TLS port.
    private var firstBytes: [UInt8] = []

    /// Whether the handshake has completed.
    public private(set) var isHandshakeComplete = false

    /// Starts a server session on the accepted, non-blocking socket `fd`.
    /// - Throws: ``TLSError`` when OpenSSL cannot allocate the session.
    public init(context: TLSServerContext, fd: Int32) throws {
        OpenSSLSupport.clearErrors()
        guard let ssl = SSL_new(context.context) else {
            throw TLSError(kind: .handshake, message: "SSL_new", openSSLErrors: OpenSSLSupport.drainErrors())
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError(kind: .handshake, message: "BIO_new", openSSLErrors: OpenSSLSupport.drainErrors())
        }
        SSL_set_bio(ssl, input, output)  // `ssl` owns both BIOs from here
        SSL_set_accept_state(ssl)
        self.fd = fd
        self.ssl = ssl
        self.inputBIO = input
        self.outputBIO = output
    }

    deinit {
        SSL_free(ssl)  // also frees both memory BIOs
    }

    /// Ciphertext is waiting for the socket: the loop must wait for it to be writable.
    public var hasPendingOutput: Bool { pendingOffset < pending.count || BIO_ctrl_pending(outputBIO) > 0 }

    /// Received bytes are buffered in user space (decrypted, or ciphertext not processed yet):
    /// epoll will not report them, so the loop must read again without waiting.
    /// False while what is buffered is only part of a record (it cannot be read until more arrives).
    public var hasBufferedInput: Bool {
        !failed && !needsSocketData && (SSL_pending(ssl) > 0 || BIO_ctrl_pending(inputBIO) > 0)
    }

    /// True when the client's first bytes were a plain HTTP request line (`GET /` …) rather than
    /// a TLS record: the loop may answer it in plain text that this port speaks TLS.
    public var receivedPlainHTTP: Bool {
        guard let first = firstBytes.first else { return false }
        return first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")
    }

    /// The negotiated protocol version (`TLSv1.3`), empty before the handshake completes.
    public var negotiatedProtocol: String { isHandshakeComplete ? String(cString: SSL_get_version(ssl)) : "" }

    /// Reads decrypted bytes into `buffer`, first completing the handshake. `scratch` carries
    /// ciphertext from the socket to OpenSSL (any size; the loop shares one).
    public func read(into buffer: UnsafeMutableRawBufferPointer, scratch: UnsafeMutableRawBufferPointer) -> IOResult {
        guard !failed else { return .failed(TLSError(kind: .io, message: "TLS read after a failure")) }
        var socketReads = 0
        while true {
            OpenSSLSupport.clearErrors()
            var count = 0
            let rc = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
            noteHandshake()
            if rc == 1 {
                needsSocketData = false
                if case .failed(let error) = flush() { return .failed(error) }
                return .transferred(count)
            }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ:
                // Handshake messages (or a session ticket) may be waiting to go out first.
                if case .failed(let error) = flush() { return .failed(error) }
                // The socket still has bytes: epoll (level-triggered) reports them again.
                guard socketReads < Self.socketReadsPerCall else {
                    needsSocketData = true
                    return .wouldBlock
                }
                socketReads += 1
                let received = recv(fd, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT))
                if received > 0 {
                    needsSocketData = false
                    if firstBytes.count < 8 {
                        firstBytes += UnsafeRawBufferPointer(rebasing: scratch[0..<min(received, 8 - firstBytes.count)])
                    }
                    guard BIO_write(inputBIO, scratch.baseAddress, Int32(received)) == Int32(received) else {
                        return fail(
                            TLSError(kind: .io, message: "BIO_write", openSSLErrors: OpenSSLSupport.drainErrors()))
                    }
                    continue
                }
                if received == 0 { return .endOfStream }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    needsSocketData = true
                    return .wouldBlock
                default: return fail(TLSError(kind: .io, message: "recv: \(OpenSSLSupport.errnoText(errno))"))
                }
            case SSL_ERROR_WANT_WRITE:
                switch flush() {
                case .failed(let error): return .failed(error)
                case .wouldBlock: return .wouldBlock
                default: continue
                }
            case SSL_ERROR_ZERO_RETURN:
                return .endOfStream
            default:
                let error = failure(isHandshakeComplete ? "TLS read" : "TLS handshake")
                _ = flush()  // the alert OpenSSL queued, best effort
                return fail(error)
            }
        }
    }

    /// Encrypts up to one record of `bytes` and sends what the socket takes. Returns how many
    /// plaintext bytes were taken (their ciphertext may still wait in ``hasPendingOutput``), or
    /// `wouldBlock` while earlier ciphertext is still waiting or the handshake is not done.
    public func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard !failed else { return .failed(TLSError(kind: .io, message: "TLS write after a failure")) }
        guard isHandshakeComplete else { return .wouldBlock }
        switch flush() {
        case .failed(let error): return .failed(error)
        case .wouldBlock: return .wouldBlock
        default: break
        }
        guard bytes.count > 0 else { return .transferred(0) }
        OpenSSLSupport.clearErrors()
        var written = 0
        let rc = SSL_write_ex(ssl, bytes.baseAddress, min(bytes.count, Self.recordSize), &written)
        guard rc == 1 else {
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return .wouldBlock
            case SSL_ERROR_ZERO_RETURN:
                return .endOfStream
            default:
                return fail(failure("TLS write"))
            }
        }
        if case .failed(let error) = flush() { return .failed(error) }
        return .transferred(written)
    }

    /// Sends the ciphertext waiting (handshake messages, records, alerts) as far as the socket
    /// takes it: `.transferred(0)` when all is sent, `.wouldBlock` when some still waits.
    public func flush() -> IOResult {
        let produced = Int(BIO_ctrl_pending(outputBIO))
        if produced > 0 {
            if pendingOffset == pending.count {
                pending.removeAll(keepingCapacity: pending.capacity <= 64 * 1024)
                pendingOffset = 0
            }
            let start = pending.count
            pending.append(contentsOf: repeatElement(0, count: produced))
            let read = pending.withUnsafeMutableBytes { BIO_read(outputBIO, $0.baseAddress! + start, Int32(produced)) }
            if read < Int32(produced) { pending.removeLast(produced - Int(max(0, read))) }
        }
        while pendingOffset < pending.count {
            let n = pending.withUnsafeBytes {
                send(
                    fd, $0.baseAddress! + pendingOffset, pending.count - pendingOffset,
                    Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if n > 0 {
                pendingOffset += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .wouldBlock }
            return fail(TLSError(kind: .closed, message: "send: \(OpenSSLSupport.errnoText(errno))"))
        }
        if pending.capacity > 64 * 1024 { pending = [] } else { pending.removeAll(keepingCapacity: true) }
        pendingOffset = 0
        return .transferred(0)
    }

    /// Queues close_notify and sends it if the socket takes it at once (never waits). Idempotent.
    public func shutdown() {
        guard !shutDown else { return }
        shutDown = true
        guard isHandshakeComplete, !failed else { return }
        OpenSSLSupport.clearErrors()
        _ = SSL_shutdown(ssl)
        _ = flush()
        OpenSSLSupport.clearErrors()
    }

    private func noteHandshake() {
        if !isHandshakeComplete && SSL_is_init_finished(ssl) == 1 { isHandshakeComplete = true }
    }

    private func fail(_ error: TLSError) -> IOResult {
        failed = true
        return .failed(error)
    }

    /// Classifies a failure: a rejected client certificate, or anything else.
    private func failure(_ what: String) -> TLSError {
        let queue = OpenSSLSupport.drainErrors()
        let verifyResult = SSL_get_verify_result(ssl)
        if !isHandshakeComplete && verifyResult != Int(X509_V_OK) && SSL_get_verify_mode(ssl) != SSL_VERIFY_NONE {
            let reason = String(cString: X509_verify_cert_error_string(verifyResult))
            return TLSError(
                kind: .verification(code: Int(verifyResult), reason: reason), message: what, openSSLErrors: queue)
        }
        return TLSError(kind: isHandshakeComplete ? .io : .handshake, message: what, openSSLErrors: queue)
    }
}
