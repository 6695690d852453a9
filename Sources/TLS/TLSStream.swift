import COpenSSL
import Sockets

#if canImport(Glibc)
    import Glibc
#endif

/// A TLS connection over an owned, non-blocking ``Socket``, usable wherever a ``ByteStream`` is.
///
/// OpenSSL never touches the file descriptor: it reads and writes two memory BIOs, and this class
/// moves their bytes with the socket's own deadline-aware `read` and `writeAll` (`send` with
/// `MSG_NOSIGNAL`, so a dead peer raises no SIGPIPE). Every `SSL_ERROR_WANT_READ`/`WANT_WRITE`
/// therefore turns into a `poll` bounded by the caller's ``Deadline``: a silent or slow peer times
/// out during the handshake, a read, a write or the shutdown, and never hangs.
///
/// The stream owns its socket from the moment ``connect(over:context:hostname:deadline:)`` or
/// ``accept(over:context:deadline:)`` is called. If the handshake or verification fails, the
/// socket is closed, so a failed verification can never fall back to plaintext.
///
/// Not `Sendable`: an `SSL` object must stay on one thread at a time.
public final class TLSStream: ByteStream {
    /// Largest plaintext chunk handed to one `SSL_write_ex` (one TLS record), so a large write
    /// is encrypted and sent a record at a time instead of being buffered whole.
    private static let recordSize = 16 * 1024
    /// How long ``close()`` waits to send close_notify.
    private static let closeGracePeriod: Duration = .milliseconds(250)

    private let socket: Socket
    private let ssl: OpaquePointer
    /// Ciphertext received from the socket, waiting for OpenSSL (owned by `ssl`).
    private let inputBIO: OpaquePointer
    /// Ciphertext produced by OpenSSL, waiting for the socket (owned by `ssl`).
    private let outputBIO: OpaquePointer
    /// Bounce buffer between the socket and the BIOs.
    private let scratch: UnsafeMutableRawBufferPointer
    /// Who is on the other end, for messages ("localhost", "client 127.0.0.1:50123").
    private let peer: String

    private var handshakeComplete = false
    /// Set after a fatal OpenSSL error or a failed transfer: no more I/O, no close_notify.
    private var failed = false
    /// The peer sent close_notify or closed its end of the TCP connection.
    private var peerClosed = false
    private var closed = false

    /// The protocol version agreed in the handshake, as OpenSSL names it (`TLSv1.3`, `TLSv1.2`).
    public private(set) var negotiatedProtocol: String = ""
    /// The cipher suite agreed in the handshake (e.g. `TLS_AES_256_GCM_SHA384`).
    public private(set) var cipherSuite: String = ""
    /// The subject of the peer's certificate in RFC 2253 form (`CN=localhost`), or nil when the
    /// peer presented none (usual for clients of a server that does not ask).
    public private(set) var peerCertificateSubject: String?

    private init(socket: Socket, ssl: OpaquePointer, input: OpaquePointer, output: OpaquePointer, peer: String) {
        self.socket = socket
        self.ssl = ssl
        self.inputBIO = input
        self.outputBIO = output
        self.peer = peer
        self.scratch = .allocate(byteCount: TLSStream.recordSize + 1024, alignment: 16)
    }

    deinit {
        // Non-blocking best effort: a stream dropped without close() must not stall its owner.
        if !closed { close(deadline: Deadline(nanoseconds: 0)) }
        SSL_free(ssl)  // also frees both memory BIOs
        scratch.deallocate()
    }

    // MARK: - Opening

    /// Performs a client handshake over `socket` (already connected) before `deadline`.
    ///
    /// The name checked is `context.configuration.serverName ?? hostname` (brackets around an IPv6
    /// literal are removed). It is sent as SNI unless it is an IP literal, and, unless
    /// `insecureSkipVerify`, the server's chain must verify against the configured CAs and its
    /// certificate must match the name (`SSL_set1_host`; IP literals match IP SANs).
    ///
    /// - Throws: ``TLSError`` with kind `.verification` (certificate rejected), `.handshake`,
    ///   `.timedOut`, `.closed`, `.io` or `.configuration`. On any error the socket is closed.
    public static func connect(
        over socket: Socket,
        context: TLSClientContext,
        hostname: String,
        deadline: Deadline
    ) throws -> TLSStream {
        let configuration = context.configuration
        var name = configuration.serverName ?? hostname
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        let (ssl, input, output) = try makeSSL(context.context, socket: socket, peer: name)
        // From here the stream owns `ssl` and the socket; deinit releases them exactly once.
        let stream = TLSStream(socket: socket, ssl: ssl, input: input, output: output, peer: name)
        do {
            try stream.configureClient(name: name, configuration: configuration)
            try stream.handshake(deadline: deadline)
        } catch {
            stream.abandon()
            throw error
        }
        return stream
    }

    /// Performs a server handshake over an accepted `socket` before `deadline`. When the context
    /// verifies client certificates, a rejected certificate throws `.verification`.
    ///
    /// - Throws: ``TLSError``; on any error the socket is closed.
    public static func accept(over socket: Socket, context: TLSServerContext, deadline: Deadline) throws -> TLSStream {
        let peer = "client " + (peerAddress(of: socket) ?? "fd \(socket.fd)")
        let (ssl, input, output) = try makeSSL(context.context, socket: socket, peer: peer)
        let stream = TLSStream(socket: socket, ssl: ssl, input: input, output: output, peer: peer)
        SSL_set_accept_state(ssl)
        do {
            try stream.handshake(deadline: deadline)
        } catch {
            stream.abandon()
            throw error
        }
        return stream
    }

    /// `SSL_new` plus two memory BIOs; closes the socket if any of them cannot be created.
    private static func makeSSL(
        _ context: OpaquePointer, socket: Socket, peer: String
    ) throws -> (OpaquePointer, OpaquePointer, OpaquePointer) {
        OpenSSLSupport.clearErrors()
        guard let ssl = SSL_new(context) else {
            socket.close()
            throw TLSError(
                kind: .handshake, message: "SSL_new for \(peer)", openSSLErrors: OpenSSLSupport.drainErrors())
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            // BIO_new only fails when out of memory; free what we made (nothing else owns it yet).
            SSL_free(ssl)
            socket.close()
            throw TLSError(
                kind: .handshake, message: "BIO_new for \(peer)", openSSLErrors: OpenSSLSupport.drainErrors())
        }
        SSL_set_bio(ssl, input, output)  // `ssl` owns both BIOs from here
        return (ssl, input, output)
    }

    private func configureClient(name: String, configuration: TLSClientConfiguration) throws {
        SSL_set_connect_state(ssl)
        let isIPLiteral = TLSStream.isIPLiteral(name)
        if !name.isEmpty && !isIPLiteral {
            OpenSSLSupport.clearErrors()
            guard copenssl_set_sni(ssl, name) == 1 else {
                throw OpenSSLSupport.configurationError("cannot use \(name) as TLS server name (SNI)")
            }
        }
        guard !configuration.insecureSkipVerify else { return }
        guard !name.isEmpty else {
            throw TLSError(kind: .configuration, message: "TLS verification needs a host name, and none was given")
        }
        SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        OpenSSLSupport.clearErrors()
        guard SSL_set1_host(ssl, name) == 1 else {
            throw OpenSSLSupport.configurationError("cannot verify TLS host name \(name)")
        }
    }

    /// Drives `SSL_do_handshake` to completion, moving bytes until `deadline`.
    private func handshake(deadline: Deadline) throws {
        let what = "TLS handshake with \(peer)"
        while true {
            OpenSSLSupport.clearErrors()
            let rc = SSL_do_handshake(ssl)
            if rc == 1 { break }
            let code = SSL_get_error(ssl, rc)
            switch code {
            case SSL_ERROR_WANT_READ:
                try flushOutput(deadline: deadline, during: what)
                guard try fillInput(deadline: deadline, during: what) else {
                    failed = true
                    throw TLSError(kind: .closed, message: what + " (peer closed the connection)")
                }
            case SSL_ERROR_WANT_WRITE:
                try flushOutput(deadline: deadline, during: what)
            default:
                let error = handshakeFailure(what)
                sendAlertBestEffort()
                throw error
            }
        }
        // TLS 1.3 servers send session tickets as part of the handshake; flush them now.
        try flushOutput(deadline: deadline, during: what)
        handshakeComplete = true
        negotiatedProtocol = String(cString: SSL_get_version(ssl))
        if let cipher = SSL_get_current_cipher(ssl) { cipherSuite = String(cString: SSL_CIPHER_get_name(cipher)) }
        if let certificate = SSL_get1_peer_certificate(ssl) {
            peerCertificateSubject = OpenSSLSupport.subject(of: certificate)
            X509_free(certificate)
        }
    }

    /// Classifies a failed handshake: certificate verification, or anything else.
    private func handshakeFailure(_ what: String) -> TLSError {
        failed = true
        let queue = OpenSSLSupport.drainErrors()
        let verifyResult = SSL_get_verify_result(ssl)
        if verifyResult != Int(X509_V_OK) && SSL_get_verify_mode(ssl) != SSL_VERIFY_NONE {
            let reason = String(cString: X509_verify_cert_error_string(verifyResult))
            return TLSError(
                kind: .verification(code: Int(verifyResult), reason: reason), message: what, openSSLErrors: queue)
        }
        return TLSError(kind: .handshake, message: what, openSSLErrors: queue)
    }

    // MARK: - ByteStream

    /// Reads decrypted bytes into `buffer`, waiting until `deadline` for a record to arrive.
    /// Returns the number of bytes read, or 0 when the peer closed the connection cleanly
    /// (close_notify) or closed TCP.
    /// - Throws: `.timedOut` (the stream stays usable), `.io` for a protocol or socket failure
    ///   (including alerts such as "certificate required"), `.closed` after ``close()``.
    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: Deadline) throws -> Int {
        try checkUsable("read")
        guard buffer.count > 0, !peerClosed else { return 0 }
        let what = "TLS read from \(peer)"
        while true {
            OpenSSLSupport.clearErrors()
            var count = 0
            let rc = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
            if rc == 1 {
                // Reading can produce output (a KeyUpdate reply); send it along.
                try flushOutput(deadline: deadline, during: what)
                return count
            }
            let code = SSL_get_error(ssl, rc)
            switch code {
            case SSL_ERROR_ZERO_RETURN:
                peerClosed = true
                return 0
            case SSL_ERROR_WANT_READ:
                try flushOutput(deadline: deadline, during: what)
                guard try fillInput(deadline: deadline, during: what) else {
                    peerClosed = true
                    return 0
                }
            case SSL_ERROR_WANT_WRITE:
                try flushOutput(deadline: deadline, during: what)
            default:
                failed = true
                let error = TLSError(kind: .io, message: what, openSSLErrors: OpenSSLSupport.drainErrors())
                sendAlertBestEffort()
                throw error
            }
        }
    }

    /// Encrypts and sends every byte of `bytes` before `deadline`, a record at a time.
    /// - Throws: `.timedOut` (the stream is then unusable: a record may be half sent), `.closed`
    ///   when the peer has gone, `.io` for other failures.
    public func writeAll(_ bytes: UnsafeRawBufferPointer, deadline: Deadline) throws {
        try checkUsable("write")
        let what = "TLS write to \(peer)"
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, TLSStream.recordSize)
            OpenSSLSupport.clearErrors()
            var written = 0
            let rc = SSL_write_ex(ssl, bytes.baseAddress! + offset, chunk, &written)
            if rc == 1 {
                offset += written
                try flushOutput(deadline: deadline, during: what)
                continue
            }
            let code = SSL_get_error(ssl, rc)
            switch code {
            case SSL_ERROR_WANT_WRITE:
                try flushOutput(deadline: deadline, during: what)
            case SSL_ERROR_WANT_READ:
                try flushOutput(deadline: deadline, during: what)
                guard try fillInput(deadline: deadline, during: what) else {
                    failed = true
                    throw TLSError(kind: .closed, message: what)
                }
            case SSL_ERROR_ZERO_RETURN:
                failed = true
                throw TLSError(kind: .closed, message: what)
            default:
                failed = true
                let error = TLSError(kind: .io, message: what, openSSLErrors: OpenSSLSupport.drainErrors())
                sendAlertBestEffort()
                throw error
            }
        }
    }

    /// Sends close_notify (best effort, waiting at most 250 ms) and closes the socket. Idempotent.
    public func close() {
        close(deadline: Deadline(after: TLSStream.closeGracePeriod))
    }

    /// Sends close_notify (best effort, until `deadline`) and closes the socket. Idempotent.
    /// Does not wait for the peer's close_notify (a one-way shutdown is enough to end the stream).
    public func close(deadline: Deadline) {
        guard !closed else { return }
        closed = true
        if handshakeComplete && !failed {
            OpenSSLSupport.clearErrors()
            _ = SSL_shutdown(ssl)  // only queues close_notify in the memory BIO
            try? flushOutput(deadline: deadline, during: "TLS shutdown with \(peer)")
            OpenSSLSupport.clearErrors()
        }
        socket.close()
    }

    // MARK: - Introspection

    /// The underlying descriptor (for `epoll`/`poll` registration), or -1 once closed.
    /// Never read or write it directly: that would bypass TLS.
    public var fileDescriptor: Int32 { socket.fd }

    /// True when received bytes are already buffered in user space (decrypted, or ciphertext
    /// not yet processed), so polling the descriptor is not enough to know whether to read.
    /// A read may still wait for the rest of a partial record.
    public var hasBufferedInput: Bool {
        SSL_pending(ssl) > 0 || BIO_ctrl_pending(inputBIO) > 0
    }

    // MARK: - Moving bytes between the socket and the BIOs

    private func checkUsable(_ operation: String) throws {
        if closed { throw TLSError(kind: .closed, message: "TLS \(operation) on a closed stream to \(peer)") }
        if failed {
            throw TLSError(kind: .io, message: "TLS \(operation) to \(peer) after an earlier failure on this stream")
        }
    }

    /// Reads what the socket has (waiting until `deadline`) into the input BIO. False at end of stream.
    private func fillInput(deadline: Deadline, during what: String) throws -> Bool {
        let count: Int
        do {
            count = try socket.read(into: scratch, deadline: deadline)
        } catch let error as SocketError {
            throw socketFailure(error, during: what, fatal: !isTimeout(error))
        }
        if count == 0 { return false }
        var offset = 0
        while offset < count {
            let n = BIO_write(inputBIO, scratch.baseAddress! + offset, Int32(count - offset))
            guard n > 0 else {
                failed = true
                throw TLSError(kind: .io, message: what + " (BIO_write)", openSSLErrors: OpenSSLSupport.drainErrors())
            }
            offset += Int(n)
        }
        return true
    }

    /// Sends everything OpenSSL has produced, waiting until `deadline` for the socket to drain.
    private func flushOutput(deadline: Deadline, during what: String) throws {
        while BIO_ctrl_pending(outputBIO) > 0 {
            let n = BIO_read(outputBIO, scratch.baseAddress, Int32(scratch.count))
            guard n > 0 else { return }
            do {
                try socket.writeAll(UnsafeRawBufferPointer(rebasing: scratch[0..<Int(n)]), deadline: deadline)
            } catch let error as SocketError {
                // Part of a record may be gone: the stream cannot continue either way.
                throw socketFailure(error, during: what, fatal: true)
            }
        }
    }

    /// After a fatal error OpenSSL may have queued an alert; try once, without waiting, to send it.
    private func sendAlertBestEffort() {
        try? flushOutput(deadline: Deadline(nanoseconds: 0), during: "alert")
    }

    private func isTimeout(_ error: SocketError) -> Bool {
        if case .timedOut = error { return true }
        return false
    }

    private func socketFailure(_ error: SocketError, during what: String, fatal: Bool) -> TLSError {
        if fatal { failed = true }
        switch error {
        case .timedOut: return TLSError(kind: .timedOut, message: what)
        case .closed: return TLSError(kind: .closed, message: what)
        case .failed(_, let code) where code == ECONNRESET || code == EPIPE:
            return TLSError(kind: .closed, message: "\(what) (\(error))")
        default: return TLSError(kind: .io, message: "\(what): \(error)")
        }
    }

    /// Marks a stream whose opening failed, so deinit neither sends close_notify nor waits.
    private func abandon() {
        failed = true
        close(deadline: Deadline(nanoseconds: 0))
    }

    // MARK: - Helpers

    /// True for IPv4 and IPv6 literals (no SNI is sent for those, per RFC 6066).
    static func isIPLiteral(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }

    private static func peerAddress(of socket: Socket) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket.fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return SocketAddress(storage: storage, length: length).description
    }
}
