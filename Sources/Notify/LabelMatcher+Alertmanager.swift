import Alerting

/// Alertmanager's text form of a ``LabelMatcher``, as routes, inhibit rules and the API's
/// `filter` write them: `name="value"` and friends (the value may also be unquoted, as
/// Alertmanager accepts), `Matcher.String()` and `Matchers.Less`.
extension LabelMatcher {
    /// Parses `a="b"` and friends; throws ``LabelMatcherParseError`` saying what is wrong.
    public init(parsing text: String) throws(LabelMatcherParseError) {
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count, s[i] == " " { i += 1 }
        let nameStart = i
        while i < s.count, s[i].properties.isAlphabetic || s[i] == "_" || ("0"..."9").contains(s[i]) { i += 1 }
        let name = String(String.UnicodeScalarView(s[nameStart..<i]))
        guard !name.isEmpty else {
            throw LabelMatcherParseError(.missingName, matcher: text)
        }
        while i < s.count, s[i] == " " { i += 1 }
        let rest = String(String.UnicodeScalarView(s[i...]))
        var op: Operator
        var afterOp: Substring
        if rest.hasPrefix("=~") {
            op = .regexMatch
            afterOp = rest.dropFirst(2)
        } else if rest.hasPrefix("!~") {
            op = .regexNoMatch
            afterOp = rest.dropFirst(2)
        } else if rest.hasPrefix("!=") {
            op = .notEqual
            afterOp = rest.dropFirst(2)
        } else if rest.hasPrefix("=") {
            op = .equal
            afterOp = rest.dropFirst(1)
        } else {
            throw LabelMatcherParseError(.missingOperator(name: name), matcher: text)
        }
        var valueText = afterOp.drop(while: { $0 == " " })
        while valueText.last == " " { valueText = valueText.dropLast() }
        var value = ""
        if valueText.hasPrefix("\"") {
            guard valueText.count >= 2, valueText.hasSuffix("\"") else {
                throw LabelMatcherParseError(.unterminatedQuote, matcher: text)
            }
            var escaped = false
            for c in valueText.dropFirst().dropLast() {
                if escaped {
                    switch c {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    default: value.append(c)
                    }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    throw LabelMatcherParseError(.unescapedQuote, matcher: text)
                } else {
                    value.append(c)
                }
            }
            if escaped { throw LabelMatcherParseError(.danglingBackslash, matcher: text) }
        } else {
            value = String(valueText)
            if value.contains("\"") { throw LabelMatcherParseError(.strayQuote, matcher: text) }
        }
        do {
            try self.init(name: name, op: op, value: value)
        } catch {
            throw LabelMatcherParseError(.invalidRegex(reason: "\(error)"), matcher: text)
        }
    }

    /// Alertmanager's `Matcher.String()`: `name="value"` with `\`, newline and `"` escaped
    /// (OpenMetrics escaping); this text is part of group keys.
    public var alertmanagerText: String {
        var escaped = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"": escaped += "\\\""
            default: escaped.unicodeScalars.append(c)
            }
        }
        return "\(name)\(op.rawValue)\"\(escaped)\""
    }

    /// Alertmanager's `Matchers.Less`: by name, then value (byte order), then operator.
    static func alertmanagerOrder(_ a: LabelMatcher, _ b: LabelMatcher) -> Bool {
        if a.name != b.name { return GoString.less(a.name, b.name) }
        if a.value != b.value { return GoString.less(a.value, b.value) }
        return a.op < b.op
    }
}
