import HTTP

#if canImport(Glibc)
    import Glibc
#endif

/// Decides whether a delivery attempt succeeded, should be retried or should be abandoned: a
/// pure function, tested as a table (Alertmanager's `Retrier.Check` plus the Standard Webhooks
/// delivery guidance).
///
/// | outcome | decision |
/// |---|---|
/// | 2xx | success |
/// | 429, 5xx | retry, honouring `Retry-After` (seconds or HTTP-date, capped) |
/// | connection refused, DNS failure, TLS failure (request never sent) | retry |
/// | timeout, broken connection or malformed answer after the request may have been sent | unknown |
/// | 3xx (redirects are not followed), other 4xx, 1xx, invalid URL | give up |
///
/// TLS verification failures are retried like other connection errors (as Alertmanager does):
/// nothing was sent, and a receiver mid-way through a certificate rotation recovers.
public enum RetryPolicy {
    /// Classifies an attempt that produced `status` (with its `Retry-After` header value) or
    /// failed with `error`. `now` (Unix seconds) is only used to turn an HTTP-date into a delay;
    /// `retryAfterCap` bounds what a receiver can ask for.
    public static func classify(
        status: Int?, error: HTTPClientError? = nil, retryAfter: String? = nil, now: Double = 0,
        retryAfterCap: Double = 300
    ) -> RetryDecision {
        if let error { return classify(error: error) }
        guard let status else { return .giveUp }
        switch status {
        case 200..<300:
            return .success
        case 429, 500..<600:
            return .retry(after: retryAfter.flatMap { parseRetryAfter($0, now: now) }.map { min($0, retryAfterCap) })
        default:
            return .giveUp
        }
    }

    /// The one place a transport error becomes a decision: an invalid URL can never succeed;
    /// an error before anything was sent is an ordinary retry; anything after the request may
    /// have left (timeout, reset, garbage answer) is `unknown`, so it is not counted as a
    /// failure of something the receiver may well have processed.
    public static func classify(error: HTTPClientError) -> RetryDecision {
        if case .invalidURL = error { return .giveUp }
        return error.requestNotSent ? .retry(after: nil) : .unknown
    }

    /// `Retry-After` as a delay in seconds: delta-seconds, or an IMF-fixdate
    /// (`Wed, 21 Oct 2015 07:28:00 GMT`) minus `now` (0 when in the past). Nil when unparsable,
    /// including a year outside ``plausibleYears`` (the caller's normal backoff then applies).
    public static func parseRetryAfter(_ value: String, now: Double) -> Double? {
        let text = value.trimmingWhitespace
        if let seconds = Int(text) { return seconds >= 0 ? Double(seconds) : nil }
        // IMF-fixdate: day-name "," SP day SP month SP year SP hh:mm:ss SP "GMT"
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int(parts[1]), let year = Int(parts[3])
        else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let h = Int(clock[0]), let m = Int(clock[1]), let s = Int(clock[2]),
            (1...31).contains(day), (0...23).contains(h), (0...59).contains(m), (0...60).contains(s),
            plausibleYears.contains(year)
        else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(h)
        t.tm_min = Int32(m)
        t.tm_sec = Int32(s)
        let epoch = Double(timegm(&t))
        return max(0, epoch - now)
    }

    /// The years an HTTP-date may name: `tm_year` is an `Int32`, and a receiver's
    /// `Wed, 21 Oct 99999999999 07:28:00 GMT` must not trap the converting process.
    public static let plausibleYears = 1970...9999
}
