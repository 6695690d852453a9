import Logging
import Sockets
import TLS

/// TLS on the loop: a session per accepted connection (with the certificate files re-read when
/// they change), and what a failed handshake costs (a count, a rate-limited log line, and for
/// plain HTTP sent to the TLS port a plain-text 400 like Go's servers send).
extension HTTPServerLoop {
    /// The transport for a new connection: plain, or a TLS session on the current context.
    /// Nil when a TLS session cannot be created (out of memory): the caller closes the socket.
    func makeTransport(for socket: Socket) -> HTTPTransport? {
        guard let source = configuration.tls else { return .plain }
        let (context, change) = source.currentContext(now: now)
        switch change {
        case .none: break
        case .reloaded:
            logger.info("TLS certificate files changed; new connections use the new certificate")
        case .failed(let error):
            logger.error(
                "TLS certificate files changed but do not load; still serving the previous certificate",
                metadata: ["error": "\(error)"])
        }
        do {
            return .tls(try TLSServerSession(context: context, fd: socket.fd))
        } catch {
            if let suppressed = server.warnings.admit("tls-session") {
                logger.error(
                    "cannot create a TLS session; closing the connection",
                    metadata: ["error": "\(error)", "suppressed": "\(suppressed)"])
            }
            return nil
        }
    }

    /// Counts and logs a failed TLS connection; answers plain HTTP on the TLS port with a 400.
    func tlsFailed(_ connection: HTTPConnection, _ error: TLSError, plainHTTP: Bool) {
        guard connection.transport.isHandshaking else {
            logger.debug("TLS connection failed", metadata: ["fd": "\(connection.fd)", "error": "\(error)"])
            return
        }
        if plainHTTP {
            server.counters.tlsPlainHTTP.add(1, ordering: .relaxed)
            _ = Self.plainHTTPAnswer.withUnsafeBytes { connection.socket.sendAvailable($0) }
        } else {
            server.counters.tlsHandshakeErrors.add(1, ordering: .relaxed)
        }
        if let suppressed = server.warnings.admit(plainHTTP ? "tls-plain-http" : "tls-handshake") {
            logger.info(
                plainHTTP
                    ? "plain HTTP request on the TLS port; answered 400 (celery_redis_http_tls_handshake_failures_total)"
                    : "TLS handshake failed (celery_redis_http_tls_handshake_failures_total)",
                metadata: ["error": "\(error)", "suppressed": "\(suppressed)"])
        }
    }

    /// What Go's HTTPS servers answer to plain HTTP, so clients see the mistake at once.
    static let plainHTTPAnswer = Array(
        "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
            .utf8)
}
