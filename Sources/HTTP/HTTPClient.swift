import Sockets
import TLS

/// A minimal HTTP/1.1 client for webhooks: one request per connection, over plain TCP or TLS.
///
/// - `https://` always goes through ``TLSStream`` with the caller's context (chain and host name
///   verified unless the context says otherwise). A failed handshake or verification throws
///   ``HTTPClientError/tls(url:_:)`` before a byte of the request is written; there is no
///   plaintext fallback.
/// - Redirects are returned, not followed (the Standard Webhooks guidance: a 3xx is a failure
///   the operator should see, and following it could send a signed body somewhere unexpected).
/// - One deadline covers connect, handshake, write and read, so a stalled receiver costs at most
///   `timeout`.
///
/// Blocking: call it from a delivery thread, never from a Swift concurrency task.
public enum HTTPClient {
    /// The system-trust client context used for `https://` when the caller passes none.
    /// Built once; its error (no trust store) is reported on every use.
    private static let systemContext: Result<TLSClientContext, TLSError> = Result {
        try TLSClientContext(TLSClientConfiguration())
    }.mapError { $0 as? TLSError ?? TLSError(kind: .configuration, message: "\($0)") }

    /// Sends `request` to `url` and reads the response.
    ///
    /// - Parameters:
    ///   - tls: the context for `https://` URLs (nil: system trust store, default verification);
    ///     ignored for `http://`.
    ///   - timeout: the deadline for the whole exchange.
    ///   - maxResponseBodyBytes: the body cap; longer bodies are cut and flagged.
    /// - Throws: ``HTTPClientError``; its URLs are redacted.
    public static func send(
        request: HTTPClientRequest,
        to url: HTTPClientURL,
        tls: TLSClientContext? = nil,
        timeout: Duration,
        maxResponseBodyBytes: Int = 1 << 20
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let deadline = Deadline(after: timeout)
        let redactedURL = url.redacted
        let stream: ByteStream
        let socket: Socket
        do {
            socket = try Socket.connect(to: .tcp(host: url.host, port: url.port), timeout: timeout)
        } catch let error as SocketError {
            if case .timedOut = error { throw .timedOut(url: redactedURL) }
            throw .connect(url: redactedURL, error)
        } catch {
            throw .connect(url: redactedURL, .failed(call: "connect", errno: 0))
        }
        if url.isTLS {
            let context: TLSClientContext
            if let tls {
                context = tls
            } else {
                switch systemContext {
                case .success(let c): context = c
                case .failure(let e): throw .tls(url: redactedURL, e)
                }
            }
            do {
                stream = try TLSStream.connect(over: socket, context: context, hostname: url.host, deadline: deadline)
            } catch let error as TLSError {
                if error.kind == .timedOut { throw .timedOut(url: redactedURL) }
                throw .tls(url: redactedURL, error)
            } catch {
                throw .tls(url: redactedURL, TLSError(kind: .handshake, message: "\(error)"))
            }
        } else {
            stream = socket
        }
        defer { stream.close() }
        let head = encodeHead(request, url: url)
        do {
            try stream.writeAll(head + request.body, deadline: deadline)
        } catch {
            throw classify(error, url: redactedURL, during: "write")
        }
        var parser = HTTPClientResponseParser(
            maxBodyBytes: maxResponseBodyBytes, isHeadRequest: request.method == "HEAD")
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n: Int
            do {
                n = try chunk.withUnsafeMutableBytes { try stream.read(into: $0, deadline: deadline) }
            } catch {
                throw classify(error, url: redactedURL, during: "read")
            }
            parser.append(contentsOf: chunk[0..<n])
            do {
                if let response = try parser.parse(atEndOfStream: n == 0) { return response }
            } catch {
                throw .malformedResponse(url: redactedURL, error.description)
            }
        }
    }

    /// The request head: request line, caller headers (minus the framing ones we own), then
    /// `Host`, `Content-Length`, `Connection: close`.
    static func encodeHead(_ request: HTTPClientRequest, url: HTTPClientURL) -> [UInt8] {
        var text = "\(request.method) \(url.requestTarget) HTTP/1.1\r\nHost: \(url.hostHeader)\r\n"
        for (name, value) in request.headers
        where !["host", "content-length", "connection", "transfer-encoding"].contains(name.lowercased()) {
            // A CR or LF in a value would split the header (injection); drop such values.
            if value.utf8.contains(where: { $0 == 13 || $0 == 10 }) || name.utf8.contains(where: { $0 <= 32 }) {
                continue
            }
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(request.body.count)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8)
    }

    private static func classify(_ error: any Error, url: String, during what: String) -> HTTPClientError {
        if let e = error as? SocketError {
            if case .timedOut = e { return .timedOut(url: url) }
            return .io(url: url, "\(what): \(e)")
        }
        if let e = error as? TLSError {
            if e.kind == .timedOut { return .timedOut(url: url) }
            return .io(url: url, "\(what): \(e)")
        }
        return .io(url: url, "\(what): \(error)")
    }
}
