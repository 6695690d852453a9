/// The part of Go's `fmt.Sprintf` that alert templates use: `%s %v %d %f %e %g %q %%` with flags
/// `-+ 0`, width and precision. Mismatches print Go's `%!verb(type=value)` markers instead of
/// failing, as Go does.
enum GoPrintf {
    /// Go's `tooLarge`: a width or precision whose digits pass this stops the parse; Go then
    /// prints `%!(NOVERB)` and drops the rest of the format (`parsenum` returns the end).
    static let tooLarge = 1_000_000

    /// Formats `arguments` by `format`; throws ``TemplateError/outputTooLarge(limit:)`` instead
    /// of building more than `limit` UTF-8 bytes (a width or a `%f`/`%e` precision above it is
    /// refused before any padding or digit is made).
    static func format(_ format: String, _ arguments: [TemplateValue], limit: Int) throws(TemplateError) -> String {
        var out = ""
        var next = 0
        var chars = Array(format)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "%" else {
                out.append(c)
                continue
            }
            var minus = false
            var plus = false
            var zero = false
            var space = false
            while let f = chars.first, "-+0 #".contains(f) {
                if f == "-" { minus = true }
                if f == "+" { plus = true }
                if f == "0" { zero = true }
                if f == " " { space = true }
                chars = chars.dropFirst()
            }
            // Go's parsenum: the check comes before each digit, so at most 10_000_009 gets through.
            var tooLong = false
            func number() -> Int? {
                var n: Int? = nil
                while let d = chars.first, let v = d.wholeNumberValue, d.isASCII {
                    if (n ?? 0) > tooLarge {
                        tooLong = true
                        return nil
                    }
                    n = (n ?? 0) * 10 + v
                    chars = chars.dropFirst()
                }
                return n
            }
            let width = number()
            var precision: Int? = nil
            if !tooLong, chars.first == "." {
                chars = chars.dropFirst()
                precision = number() ?? 0
            }
            guard !tooLong, let verb = chars.first else {
                out += "%!(NOVERB)"
                break
            }
            if let width, width > limit { throw TemplateError.outputTooLarge(limit: limit) }
            if let precision, precision > limit, "fFe".contains(verb) {
                throw TemplateError.outputTooLarge(limit: limit)
            }
            chars = chars.dropFirst()
            if verb == "%" {
                out += "%"
                continue
            }
            guard next < arguments.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            let argument = arguments[next]
            next += 1
            var text: String
            switch (verb, argument) {
            case ("v", _), ("s", .string), ("s", .map):
                text = argument.printed
                if verb == "s", let precision { text = String(text.prefix(precision)) }
                if verb == "v", case .number(let n) = argument, let precision {
                    text = GoFormat.general(n, precision: precision)
                }
            case ("q", .string(let s)):
                text = "\"" + s.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"") + "\""
            case ("f", .number(let n)), ("F", .number(let n)):
                text = GoFormat.fixed(n, decimals: precision ?? 6)
            case ("e", .number(let n)):
                text = GoFormat.exponent(n, precision: precision)
            case ("g", .number(let n)):
                text = GoFormat.general(n, precision: precision)
            case ("d", .number(let n)) where n.rounded() == n && abs(n) < 0x1p63:
                text = String(Int64(n))
            default:
                let type: String
                switch argument {
                case .string: type = "string"
                case .number: type = "float64"
                case .map: type = "map[string]string"
                }
                text = "%!\(verb)(\(type)=\(argument.printed))"
            }
            if case .number(let n) = argument, "fFeEgvd".contains(verb), n >= 0 || n.isNaN {
                if plus { text = "+" + text } else if space { text = " " + text }
            }
            if let width, text.count < width {
                let padding = width - text.count
                if minus {
                    text += String(repeating: " ", count: padding)
                } else if zero, case .number = argument {
                    let signed = text.hasPrefix("-") || text.hasPrefix("+")
                    let sign = signed ? String(text.prefix(1)) : ""
                    text = sign + String(repeating: "0", count: padding) + text.dropFirst(signed ? 1 : 0)
                } else {
                    text = String(repeating: " ", count: padding) + text
                }
            }
            out += text
            if out.utf8.count > limit { throw TemplateError.outputTooLarge(limit: limit) }
        }
        if next < arguments.count {
            out +=
                "%!(EXTRA "
                + arguments[next...].map { a -> String in
                    switch a {
                    case .string(let s): return "string=" + s
                    case .number: return "float64=" + a.printed
                    case .map: return "map[string]string=" + a.printed
                    }
                }.joined(separator: ", ") + ")"
            if out.utf8.count > limit { throw TemplateError.outputTooLarge(limit: limit) }
        }
        return out
    }
}

extension String {
    /// Foundation-free `replacingOccurrences(of:with:)`.
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
