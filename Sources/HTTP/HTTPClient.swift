import Sockets
import TLS

/// A minimal HTTP/1.1 client for webhooks: one request per connection, over plain TCP or TLS.
///
/// - `https://` always goes through ``TLSStream`` with the caller's context (chain and host name
///   verified unless the context says otherwise). A failed handshake or verification ends the
///   attempt before a byte of the request is written; there is no plaintext fallback.
/// - Redirects are returned, not followed (the Standard Webhooks guidance: a 3xx is a failure
///   the operator should see, and following it could send a signed body somewhere unexpected).
/// - One absolute deadline covers the whole attempt: name resolution (on ``NameResolver``'s
///   threads, so a slow resolver costs the deadline and no more), connect, handshake, write and
///   read. Nothing is written once it has passed: each phase starts only before the deadline,
///   and every wait inside a phase ends at it.
/// - A ``CancellationToken`` cuts the attempt wherever it waits (lookup included) within
///   milliseconds; shutdown uses it to end in-flight attempts at the drain deadline.
///
/// Blocking: call it from a delivery thread, never from a Swift concurrency task.
public enum HTTPClient {
    /// The system-trust client context used for `https://` when the caller passes none.
    /// Built once; its error (no trust store) is reported on every use.
    private static let systemContext: Result<TLSClientContext, TLSError> = Result {
        try TLSClientContext(TLSClientConfiguration())
    }.mapError { $0 as? TLSError ?? TLSError(kind: .configuration, message: "\($0)") }

    /// How long a completed TLS exchange may spend sending close_notify (never past the deadline).
    private static let closeGracePeriod: Duration = .milliseconds(250)

    /// Makes one attempt to send `request` to `url` and read the answer, all before `deadline`.
    ///
    /// - Parameters:
    ///   - tls: the context for `https://` URLs (nil: system trust store, default verification);
    ///     ignored for `http://`.
    ///   - deadline: the monotonic point by which the attempt has ended, whatever it was doing.
    ///   - cancellation: ends the attempt early (``HTTPClientError/cancelled(url:requestSent:)``).
    ///   - resolver: where host names are looked up (tests pass one with a slow lookup).
    ///   - maxResponseBodyBytes: the body cap; longer bodies are cut and flagged.
    /// - Returns: the response, or the error with whether the request may have reached the
    ///   receiver (``HTTPClientOutcome``). Errors name the URL redacted.
    public static func attempt(
        _ request: HTTPClientRequest,
        to url: HTTPClientURL,
        tls: TLSClientContext? = nil,
        deadline: Deadline,
        cancellation: CancellationToken? = nil,
        resolver: NameResolver = .shared,
        maxResponseBodyBytes: Int = 1 << 20
    ) -> HTTPClientOutcome {
        let redactedURL = url.redacted
        func cancelled() -> Bool { cancellation?.isCancelled == true }

        // Resolution and TCP connect: nothing of the request is on the wire yet.
        let socket: Socket
        do {
            socket = try Socket.connect(
                to: .tcp(host: url.host, port: url.port), deadline: deadline, cancellation: cancellation,
                resolver: resolver)
        } catch {
            if cancelled() { return .notSent(.cancelled(url: redactedURL, requestSent: false)) }
            return .notSent(.connect(url: redactedURL, error as? SocketError ?? .failed(call: "connect", errno: 0)))
        }

        // The TLS handshake: still nothing of the request sent.
        var stream: any ByteStream = socket
        var tlsStream: TLSStream?
        if url.isTLS {
            let context: TLSClientContext
            if let tls {
                context = tls
            } else {
                switch systemContext {
                case .success(let c): context = c
                case .failure(let e): return .notSent(.tls(url: redactedURL, e))
                }
            }
            do {
                let secured = try TLSStream.connect(
                    over: socket, context: context, hostname: url.host, deadline: deadline)
                tlsStream = secured
                stream = secured
            } catch {
                if cancelled() { return .notSent(.cancelled(url: redactedURL, requestSent: false)) }
                let failure = error as? TLSError ?? TLSError(kind: .handshake, message: "\(error)")
                return .notSent(.tls(url: redactedURL, failure))
            }
        }
        var answered = false
        defer {
            if let tlsStream {
                // close_notify only after a complete answer, and never past the deadline.
                let grace = min(deadline, Deadline(after: closeGracePeriod))
                tlsStream.close(deadline: answered ? grace : Deadline(nanoseconds: 0))
            } else {
                socket.close()
            }
        }

        // The last moment the request can still be held back.
        if cancelled() { return .notSent(.cancelled(url: redactedURL, requestSent: false)) }
        if deadline.hasPassed {
            let late = SocketError.timedOut(operation: "connecting (the request was not written)")
            return .notSent(.connect(url: redactedURL, late))
        }

        // From the first byte written on, the receiver may have the request.
        let head = encodeHead(request, url: url)
        do {
            try stream.writeAll(head + request.body, deadline: deadline)
        } catch {
            return .sentNoAnswer(classify(error, url: redactedURL, during: "write", cancelled: cancelled()))
        }
        var parser = HTTPClientResponseParser(
            maxBodyBytes: maxResponseBodyBytes, isHeadRequest: request.method == "HEAD")
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            // A peer that always has a byte ready never makes a read wait: check here too.
            if cancelled() { return .sentNoAnswer(.cancelled(url: redactedURL, requestSent: true)) }
            if deadline.hasPassed { return .sentNoAnswer(.timedOut(url: redactedURL)) }
            let n: Int
            do {
                n = try chunk.withUnsafeMutableBytes { try stream.read(into: $0, deadline: deadline) }
            } catch {
                return .sentNoAnswer(classify(error, url: redactedURL, during: "read", cancelled: cancelled()))
            }
            parser.append(contentsOf: chunk[0..<n])
            do {
                if let response = try parser.parse(atEndOfStream: n == 0) {
                    answered = true
                    return .response(response)
                }
            } catch {
                return .sentNoAnswer(.malformedResponse(url: redactedURL, error))
            }
        }
    }

    /// Sends `request` to `url` and reads the response:
    /// ``attempt(_:to:tls:deadline:cancellation:resolver:maxResponseBodyBytes:)`` with a deadline
    /// `timeout` from now (everything included, name lookup too).
    ///
    /// - Throws: ``HTTPClientError``; its URLs are redacted, and its ``HTTPClientError/requestNotSent``
    ///   says whether the receiver may have the request.
    public static func send(
        request: HTTPClientRequest,
        to url: HTTPClientURL,
        tls: TLSClientContext? = nil,
        timeout: Duration,
        cancellation: CancellationToken? = nil,
        maxResponseBodyBytes: Int = 1 << 20
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let outcome = attempt(
            request, to: url, tls: tls, deadline: Deadline(after: timeout), cancellation: cancellation,
            maxResponseBodyBytes: maxResponseBodyBytes)
        switch outcome {
        case .response(let response): return response
        case .notSent(let error), .sentNoAnswer(let error): throw error
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

    /// An error once the request is being written (so the receiver may have it).
    private static func classify(
        _ error: any Error, url: String, during what: String, cancelled: Bool
    ) -> HTTPClientError {
        if cancelled { return .cancelled(url: url, requestSent: true) }
        if let e = error as? SocketError {
            if case .timedOut = e { return .timedOut(url: url) }
            return .io(url: url, operation: what, reason: "\(e)")
        }
        if let e = error as? TLSError {
            if e.kind == .timedOut { return .timedOut(url: url) }
            return .io(url: url, operation: what, reason: "\(e)")
        }
        return .io(url: url, operation: what, reason: "\(error)")
    }
}
