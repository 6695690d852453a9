/// Why a Pub/Sub payload on a Celery channel could not be used. Counted in
/// `celery_redis_event_decode_errors_total` and logged; never fatal (the channels are open to any
/// client that can `PUBLISH`, so garbage must be expected).
public enum CeleryEventDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The payload (or a worker event's decoded body) is not JSON.
    case notJSON(String)
    /// A result write without a string `status`.
    case missingStatus
    /// A worker event envelope without a usable `body`.
    case missingBody
    /// A worker event whose body was declared base64 but is not valid base64.
    case invalidBase64
    /// The envelope's `content-type` is not JSON (e.g. pickle or msgpack serializers).
    case unsupportedContentType(String)
    /// A worker event body without a non-empty string `hostname`.
    case missingHostname
    /// A task or worker event message larger than its limit (``CeleryEventDecoder/maximumTaskEventBytes``,
    /// ``CeleryEventDecoder/maximumWorkerEventBytes``): its size and the limit. Refused unread.
    case tooLarge(Int, limit: Int)

    /// One line for logs.
    public var description: String {
        switch self {
        case .notJSON(let reason): return "payload is not JSON: \(reason)"
        case .missingStatus: return "result write without a string \"status\""
        case .missingBody: return "event envelope without a body"
        case .invalidBase64: return "event body is not valid base64"
        case .unsupportedContentType(let type): return "event content-type \(type) is not JSON"
        case .missingHostname: return "worker event without a \"hostname\""
        case .tooLarge(let bytes, let limit):
            return "event message of \(bytes) bytes is over the \(limit)-byte limit"
        }
    }
}
