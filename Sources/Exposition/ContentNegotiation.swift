/// Chooses the response format and encoding of a scrape from its request headers.
///
/// Rules (Prometheus `content_negotiation.md`): among the media ranges of `Accept` with q > 0,
/// the one with the highest q that we can serve wins (the first listed wins a tie); if none can
/// be served, or the header is missing or malformed, the answer is text 0.0.4.
///
/// What we can serve:
/// - `application/openmetrics-text` without a version or with `version=1.0.0` → OpenMetrics 1.0.0.
///   `version=0.0.1` (the pre-1.0 draft) is *not* answered with 1.0.0: we only send a type the
///   client listed, so such a range is skipped and a later one (usually text) decides.
/// - `text/plain` without a version or with `version=0.0.4`, `text/*` and `*/*` → text 0.0.4.
///   `text/plain;version=1.0.0` (UTF-8 names) is skipped as a preference, so it cannot outrank
///   OpenMetrics; if nothing else matches, the text 0.0.4 fallback is what such a client gets.
/// - Anything else (other types, bad syntax, bad q values) is ignored.
/// The `escaping` parameter is ignored: our names never need escaping.
public enum ContentNegotiation {
    /// Headers longer than this are not parsed (the answer is text 0.0.4).
    static let maxHeaderLength = 4096

    /// The format to answer a request whose `Accept` header is `accept` (nil when absent).
    public static func format(accept: String?) -> ExpositionFormat {
        guard let accept, accept.utf8.count <= maxHeaderLength else { return .prometheusText }
        var best: (q: Double, format: ExpositionFormat)? = nil
        for element in accept.split(separator: ",", omittingEmptySubsequences: true) {
            guard let (mediaType, parameters) = parseElement(element), let q = quality(parameters), q > 0 else {
                continue
            }
            let version = parameters.first { $0.name == "version" }?.value
            let format: ExpositionFormat
            switch mediaType {
            case "application/openmetrics-text" where version == nil || version == "1.0.0":
                format = .openMetrics
            case "text/plain" where version == nil || version == "0.0.4", "text/*", "*/*":
                format = .prometheusText
            default:
                continue
            }
            if q > (best?.q ?? 0) { best = (q, format) }
        }
        return best?.format ?? .prometheusText
    }

    /// Whether the response may be gzip-compressed, from the `Accept-Encoding` header: `gzip` or
    /// `x-gzip` with q > 0, or else `*` with q > 0. An explicit `gzip;q=0` wins over `*`.
    public static func acceptsGzip(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding, acceptEncoding.utf8.count <= maxHeaderLength else { return false }
        if acceptEncoding == "gzip" { return true }  // what Prometheus sends: no parsing per scrape
        var gzip: Double? = nil
        var wildcard: Double? = nil
        for element in acceptEncoding.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = element.split(separator: ";", omittingEmptySubsequences: false)
            let coding = trimmed(parts[0]).lowercased()
            guard let parameters = parseParameters(parts.dropFirst()), let q = quality(parameters) else { continue }
            switch coding {
            case "gzip", "x-gzip": gzip = max(gzip ?? 0, q)
            case "*": wildcard = q
            default: break
            }
        }
        return (gzip ?? wildcard ?? 0) > 0
    }

    /// Splits `type/subtype;name=value;…` into a lower-cased media type and parameters, or nil if
    /// malformed.
    private static func parseElement(_ element: Substring) -> (String, [(name: String, value: String)])? {
        let parts = element.split(separator: ";", omittingEmptySubsequences: false)
        let mediaType = trimmed(parts[0]).lowercased()
        let halves = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, isToken(halves[0]), isToken(halves[1]) else { return nil }
        guard let parameters = parseParameters(parts.dropFirst()) else { return nil }
        return (mediaType, parameters)
    }

    /// Parses `name=value` parameters (names lower-cased, quoted values unquoted); nil if malformed.
    private static func parseParameters(_ parts: ArraySlice<Substring>) -> [(name: String, value: String)]? {
        var parameters: [(name: String, value: String)] = []
        for part in parts {
            let text = trimmed(part)
            if text.isEmpty { continue }
            guard let equals = text.firstIndex(of: "=") else { return nil }
            let name = trimmed(text[..<equals]).lowercased()
            var value = trimmed(text[text.index(after: equals)...])
            if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") {
                value = value.dropFirst().dropLast()
            }
            guard isToken(Substring(name)) else { return nil }
            parameters.append((name, String(value)))
        }
        return parameters
    }

    /// The `q` parameter (default 1); nil if present but not a number in 0...1.
    private static func quality(_ parameters: [(name: String, value: String)]) -> Double? {
        guard let text = parameters.first(where: { $0.name == "q" })?.value else { return 1 }
        guard !text.isEmpty, text.utf8.allSatisfy({ isASCIIDigit($0) || $0 == UInt8(ascii: ".") }),
            let q = Double(text), q >= 0, q <= 1
        else { return nil }
        return q
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = text.firstIndex(where: { !isSpace($0) }) else { return text[text.endIndex...] }
        let end = text.lastIndex(where: { !isSpace($0) })!
        return text[start...end]
    }

    /// RFC 9110 `token` characters (and `*` for wildcards).
    private static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { b in
                isASCIILetter(b) || isASCIIDigit(b) || "!#$%&'*+-.^_`|~".utf8.contains(b)
            }
    }
}
