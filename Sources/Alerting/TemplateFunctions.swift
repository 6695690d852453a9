/// The template functions rules may use: Prometheus's number formatters and string helpers, plus
/// Go's `printf`, `print` and `index`. Each formatter follows Prometheus's `template.go` exactly
/// (`%.4g` with SI or IEC prefixes, `humanizeDuration`'s `1d 2h 3m 4s` form).
enum TemplateFunctions {
    /// Functions that exist here.
    static let supported: Set<String> = [
        "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "printf", "print", "index", "toUpper",
        "toLower", "title",
    ]

    /// Functions Prometheus has that this evaluator does not (so the error can say "not supported"
    /// rather than "not defined").
    static let prometheusOnly: Set<String> = [
        "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match", "graphLink",
        "tableLink", "sortByLabel", "stripPort", "stripDomain", "humanizeTimestamp", "toTime", "pathPrefix",
        "externalURL", "parseDuration", "html", "js", "urlquery", "len", "and", "or", "not", "eq", "ne", "lt", "le",
        "gt", "ge", "call", "slice", "println", "toDuration", "now",
    ]

    static func call(_ name: String, _ arguments: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        func one() throws(TemplateError) -> TemplateValue {
            guard arguments.count == 1 else {
                throw TemplateError.wrongArgumentCount(function: name, got: arguments.count)
            }
            return arguments[0]
        }
        switch name {
        case "humanize": return .string(humanize(try one().asNumber(function: name)))
        case "humanize1024": return .string(humanize1024(try one().asNumber(function: name)))
        case "humanizeDuration": return .string(humanizeDuration(try one().asNumber(function: name)))
        case "humanizePercentage":
            return .string(GoFormat.general(try one().asNumber(function: name) * 100, precision: 4) + "%")
        case "toUpper": return .string(try one().asString.uppercased())
        case "toLower": return .string(try one().asString.lowercased())
        case "title": return .string(title(try one().asString))
        case "print":
            // Go's fmt.Sprint: spaces only between operands when neither is a string.
            var out = ""
            for (i, a) in arguments.enumerated() {
                if i > 0, case .string = a {
                } else if i > 0, case .string = arguments[i - 1] {
                } else if i > 0 {
                    out += " "
                }
                out += a.printed
            }
            return .string(out)
        case "printf":
            guard let format = arguments.first else {
                throw TemplateError.printfWithoutFormat
            }
            return .string(
                try GoPrintf.format(
                    format.asString, Array(arguments.dropFirst()), limit: AlertTemplate.maximumOutputBytes))
        case "index":
            guard arguments.count == 2, case .map(let map) = arguments[0] else {
                throw TemplateError.unsupportedIndex
            }
            return .string(map[arguments[1].asString] ?? "")
        default:
            throw TemplateError.unimplementedFunction(name.printableExcerpt)
        }
    }

    static func humanize(_ value: Double) -> String {
        var v = value
        if v == 0 || v.isNaN || v.isInfinite { return GoFormat.general(v, precision: 4) }
        if abs(v) >= 1 { return scaledDown(v, by: 1000, prefixes: ["k", "M", "G", "T", "P", "E", "Z", "Y"]) }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return GoFormat.general(v, precision: 4) + prefix
    }

    static func humanize1024(_ value: Double) -> String {
        if abs(value) <= 1 || value.isNaN || value.isInfinite { return GoFormat.general(value, precision: 4) }
        return scaledDown(value, by: 1024, prefixes: ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"])
    }

    /// `value` divided by `base` while it is at least `base` (once per prefix at most), with the
    /// prefix of the last division: Go's `humanize` and `humanize1024` above 1.
    private static func scaledDown(_ value: Double, by base: Double, prefixes: [String]) -> String {
        var v = value
        var prefix = ""
        for p in prefixes {
            if abs(v) < base { break }
            prefix = p
            v /= base
        }
        return GoFormat.general(v, precision: 4) + prefix
    }

    static func humanizeDuration(_ value: Double) -> String {
        var v = value
        if v.isNaN || v.isInfinite { return GoFormat.general(v, precision: 4) }
        if v == 0 { return GoFormat.general(v, precision: 4) + "s" }
        if abs(v) >= 1 {
            var sign = ""
            if v < 0 {
                sign = "-"
                v = -v
            }
            // Int64() traps at 2^63 s; Go's int64() wraps. Neither is a duration worth printing.
            guard v < 0x1p63 else { return sign + GoFormat.general(v, precision: 4) + "s" }
            let duration = Int64(v)
            let seconds = duration % 60
            let minutes = (duration / 60) % 60
            let hours = (duration / 60 / 60) % 24
            let days = duration / 60 / 60 / 24
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + GoFormat.general(v, precision: 4) + "s"
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return GoFormat.general(v, precision: 4) + prefix + "s"
    }

    /// Go's deprecated `strings.Title`: upper-case the first letter of each word.
    static func title(_ text: String) -> String {
        var out = ""
        var previousIsSeparator = true
        for c in text {
            out += previousIsSeparator ? c.uppercased() : String(c)
            if c.isASCII {
                previousIsSeparator = !(c.isLetter || c.isNumber || c == "_")
            } else {
                previousIsSeparator = !(c.isLetter || c.isNumber) && c.isWhitespace
            }
        }
        return out
    }
}
