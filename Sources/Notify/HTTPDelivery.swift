import HTTP
import Sockets
import TLS

/// The one place an attempt's HTTP exchange is turned into a ``DeliveryAttempt``.
enum HTTPDelivery {
    /// One attempt, ended by `timeout` from now (resolution, connect, TLS, write and read all
    /// inside it) or earlier by `cancellation` (shutdown).
    static func post(
        _ body: [UInt8], headers: HTTPHeaders, to url: HTTPClientURL, tls: TLSClientContext?, timeout: Duration,
        cancellation: CancellationToken? = nil, now: Double,
        accept: (HTTPClientResponse) -> DeliveryAttempt? = { _ in nil }
    ) -> DeliveryAttempt {
        let outcome = HTTPClient.attempt(
            HTTPClientRequest(method: "POST", headers: headers, body: body), to: url, tls: tls,
            deadline: Deadline(after: timeout), cancellation: cancellation, maxResponseBodyBytes: 64 * 1024)
        switch outcome {
        case .response(let response):
            let decision = RetryPolicy.classify(
                status: response.status, retryAfter: response.headers["Retry-After"], now: now)
            if decision == .success, let override = accept(response) { return override }
            return DeliveryAttempt(decision: decision, detail: "HTTP \(response.status)")
        case .notSent(let error):
            return DeliveryAttempt(decision: RetryPolicy.classify(status: nil, error: error), detail: error.description)
        case .sentNoAnswer(let error):
            // The receiver may have it; the detail says so until the queue counts it apart.
            return DeliveryAttempt(
                decision: RetryPolicy.classify(status: nil, error: error),
                detail: error.description + " (request sent, no answer: the receiver may have it)")
        }
    }
}
