import HTTP
import Sockets
import TLS

/// The one place an attempt's HTTP exchange is turned into a ``DeliveryAttempt``.
enum HTTPDelivery {
    static func post(
        _ body: [UInt8], headers: HTTPHeaders, to url: HTTPClientURL, tls: TLSClientContext?, timeout: Duration,
        cancellation: CancellationToken? = nil, now: Double,
        accept: (HTTPClientResponse) -> DeliveryAttempt? = { _ in nil },
        explainFailure: (HTTPClientResponse) -> String? = { _ in nil }
    ) -> DeliveryAttempt {
        do {
            let response = try HTTPClient.send(
                request: HTTPClientRequest(method: "POST", headers: headers, body: body), to: url, tls: tls,
                timeout: timeout, cancellation: cancellation, maxResponseBodyBytes: 64 * 1024)
            let decision = RetryPolicy.classify(
                status: response.status, retryAfter: response.headers["Retry-After"], now: now)
            if decision == .success, let override = accept(response) { return override }
            if decision != .success, let why = explainFailure(response) {
                return DeliveryAttempt(decision: decision, detail: "HTTP \(response.status) \(why)")
            }
            return DeliveryAttempt(decision: decision, detail: "HTTP \(response.status)")
        } catch {
            return DeliveryAttempt(
                decision: RetryPolicy.classify(error: error), detail: error.description, answered: false)
        }
    }
}
