/// One lexical token of a PromQL expression, with the UTF-8 offset it starts at (for messages).
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case number(Double)
        case duration(String)
        case string(String)
        case punctuation(String)  // { } ( ) [ ] , : @
        case symbol(String)  // = != =~ !~ == > >= < <= + - * / % ^
        case end
    }

    var kind: Kind
    var offset: Int
    var endOffset: Int
}

/// Splits a PromQL expression into tokens, following PromQL's lexer for the parts that matter here
/// (Go string escapes, `inf`/`nan`, hex numbers, durations after a number) so that expressions
/// Prometheus accepts tokenise the same way, and the unsupported ones reach the parser intact
/// where they can be named in the error.
struct ExpressionLexer {
    private let bytes: [UInt8]
    private var index = 0
    /// Inside `[…]` a colon separates a subquery's range and step instead of starting a name.
    private var bracketDepth = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    static func tokenize(_ text: String) throws(ExpressionError) -> [ExpressionToken] {
        var lexer = ExpressionLexer(text)
        var tokens: [ExpressionToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x3A
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func next() throws(ExpressionError) -> ExpressionToken {
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                index += 1
            } else if b == 0x23 {  // '#' comment to end of line
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            } else {
                break
            }
        }
        let start = index
        guard index < bytes.count else { return ExpressionToken(kind: .end, offset: start, endOffset: start) }
        let b = bytes[index]
        func token(_ kind: ExpressionToken.Kind) -> ExpressionToken {
            ExpressionToken(kind: kind, offset: start, endOffset: index)
        }
        if isIdentifierStart(b) && !(b == 0x3A && bracketDepth > 0) {
            while index < bytes.count, isIdentifierStart(bytes[index]) || isDigit(bytes[index]) { index += 1 }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            switch name.lowercased() {
            case "inf": return token(.number(.infinity))
            case "nan": return token(.number(.nan))
            default: return token(.identifier(name))
            }
        }
        if isDigit(b) || (b == 0x2E && index + 1 < bytes.count && isDigit(bytes[index + 1])) {
            return try lexNumberOrDuration(start)
        }
        if b == 0x22 || b == 0x27 || b == 0x60 {
            return token(.string(try lexString(quote: b)))
        }
        index += 1
        let two = index < bytes.count ? String(decoding: [b, bytes[index]], as: UTF8.self) : ""
        switch two {
        case "!=", "=~", "!~", "==", ">=", "<=":
            index += 1
            return token(.symbol(two))
        default: break
        }
        let one = String(decoding: [b], as: UTF8.self)
        switch one {
        case "[":
            bracketDepth += 1
            return token(.punctuation(one))
        case "]":
            bracketDepth = max(bracketDepth - 1, 0)
            return token(.punctuation(one))
        case "{", "}", "(", ")", ",", ":", "@": return token(.punctuation(one))
        case "=", ">", "<", "+", "-", "*", "/", "%", "^": return token(.symbol(one))
        default:
            throw ExpressionError.unexpectedCharacter(one.printableExcerpt, offset: start)
        }
    }

    private mutating func lexNumberOrDuration(_ start: Int) throws(ExpressionError) -> ExpressionToken {
        if bytes[index] == 0x30, index + 1 < bytes.count, bytes[index + 1] | 0x20 == 0x78 {  // 0x...
            index += 2
            var value: UInt64 = 0
            let digitsStart = index
            while index < bytes.count, let d = hexValue(bytes[index]) {
                value = value &* 16 &+ UInt64(d)
                index += 1
            }
            if index == digitsStart { throw ExpressionError.badHexadecimalNumber(offset: start) }
            return ExpressionToken(kind: .number(Double(value)), offset: start, endOffset: index)
        }
        while index < bytes.count, isDigit(bytes[index]) || bytes[index] == 0x2E { index += 1 }
        // A number directly followed by a duration unit is a duration (`5m`, `1h30m`).
        if index < bytes.count, "smhdwy".utf8.contains(bytes[index]) {
            while index < bytes.count, isDigit(bytes[index]) || "smhdwy".utf8.contains(bytes[index]) { index += 1 }
            return ExpressionToken(
                kind: .duration(String(decoding: bytes[start..<index], as: UTF8.self)), offset: start, endOffset: index)
        }
        if index < bytes.count, bytes[index] | 0x20 == 0x65 {  // exponent
            var j = index + 1
            if j < bytes.count, bytes[j] == 0x2B || bytes[j] == 0x2D { j += 1 }
            if j < bytes.count, isDigit(bytes[j]) {
                index = j
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else {
            throw ExpressionError.badNumber(text.printableExcerpt, offset: start)
        }
        return ExpressionToken(kind: .number(value), offset: start, endOffset: index)
    }

    private func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x61...0x66: return b - 0x61 + 10
        case 0x41...0x46: return b - 0x41 + 10
        default: return nil
        }
    }

    /// Reads a quoted string with Go's escapes (raw for backquotes), as PromQL does.
    private mutating func lexString(quote: UInt8) throws(ExpressionError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw ExpressionError.unterminatedString(offset: start) }
            let b = bytes[index]
            index += 1
            if b == quote { break }
            if quote == 0x60 || b != 0x5C {
                if b == 0x0A && quote != 0x60 {
                    throw ExpressionError.unterminatedString(offset: start)
                }
                out.append(b)
                continue
            }
            guard index < bytes.count else { throw ExpressionError.unterminatedString(offset: start) }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case 0x5C, 0x22, 0x27: out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                var value: UInt32 = 0
                for _ in 0..<count {
                    guard index < bytes.count, let d = hexValue(bytes[index]) else {
                        throw ExpressionError.invalidEscapeSequence(offset: start)
                    }
                    value = value * 16 + UInt32(d)
                    index += 1
                }
                if e == UInt8(ascii: "x") {
                    out.append(UInt8(value))
                } else {
                    guard let scalar = Unicode.Scalar(value) else {
                        throw ExpressionError.invalidUnicodeEscape(offset: start)
                    }
                    out += Array(String(Character(scalar)).utf8)
                }
            case 0x30...0x37:
                var value = UInt32(e - 0x30)
                for _ in 0..<2 {
                    guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x37 else {
                        throw ExpressionError.invalidOctalEscape(offset: start)
                    }
                    value = value * 8 + UInt32(bytes[index] - 0x30)
                    index += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default:
                throw ExpressionError.unknownEscapeSequence(
                    String(decoding: [e], as: UTF8.self).printableExcerpt, offset: start)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
