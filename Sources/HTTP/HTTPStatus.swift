/// A status code with its reason phrase: the one place that names statuses and decides which
/// status each request error gets (FlyingFox keeps this decision in one type too).
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit code.
    public let code: Int

    /// A status from its code (any code in 100...999; unknown ones get a generic phrase).
    public init(_ code: Int) {
        self.code = code
    }

    /// The status the server answers a request error with (see each ``HTTPParseError`` case).
    public init(for error: HTTPParseError) {
        switch error {
        case .malformedRequestLine, .invalidTarget, .invalidLineEnding, .invalidHeaderName,
            .invalidHeaderValue, .obsoleteLineFolding, .invalidHost, .invalidContentLength,
            .contentLengthWithTransferEncoding:
            self = .badRequest
        case .versionNotSupported: self = .httpVersionNotSupported
        case .uriTooLong: self = .uriTooLong
        case .headersTooLarge: self = .requestHeaderFieldsTooLarge
        case .chunkedBodyNotSupported: self = .lengthRequired
        case .unsupportedTransferEncoding: self = .notImplemented
        case .bodyTooLarge: self = .contentTooLarge
        }
    }

    /// 200
    public static let ok = HTTPStatus(200)
    /// 204: no body and no Content-Length are sent.
    public static let noContent = HTTPStatus(204)
    /// 304: no body is sent.
    public static let notModified = HTTPStatus(304)
    /// 400
    public static let badRequest = HTTPStatus(400)
    /// 403
    public static let forbidden = HTTPStatus(403)
    /// 404
    public static let notFound = HTTPStatus(404)
    /// 405: handlers add an `Allow` header.
    public static let methodNotAllowed = HTTPStatus(405)
    /// 408: a request started but did not finish within the request timeout.
    public static let requestTimeout = HTTPStatus(408)
    /// 411
    public static let lengthRequired = HTTPStatus(411)
    /// 413
    public static let contentTooLarge = HTTPStatus(413)
    /// 414
    public static let uriTooLong = HTTPStatus(414)
    /// 431
    public static let requestHeaderFieldsTooLarge = HTTPStatus(431)
    /// 500
    public static let internalServerError = HTTPStatus(500)
    /// 501
    public static let notImplemented = HTTPStatus(501)
    /// 503: also sent to connections beyond the connection cap.
    public static let serviceUnavailable = HTTPStatus(503)
    /// 505
    public static let httpVersionNotSupported = HTTPStatus(505)

    /// The reason phrase of RFC 9110 §15 (`Not Found`).
    public var reasonPhrase: String {
        switch code {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default:
            switch code / 100 {
            case 1: return "Informational"
            case 2: return "Success"
            case 3: return "Redirection"
            case 4: return "Client Error"
            default: return "Server Error"
            }
        }
    }

    /// Whether a response with this status carries no body and no `Content-Length`
    /// (1xx and 204, RFC 9110 §8.6) or no body (304).
    var forbidsBody: Bool { code < 200 || code == 204 || code == 304 }

    /// `404 Not Found`.
    public var description: String { "\(code) \(reasonPhrase)" }
}
