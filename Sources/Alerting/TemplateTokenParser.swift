/// Tokens inside one `{{ … }}` action and a cursor over them, for ``AlertTemplate``.
struct TemplateTokenParser {
    enum Token: Equatable {
        case pipe, open, close, declare
        case string(String)
        case number(Double)
        case identifier(String)
        /// `$name.a.b` (`$` alone has the empty name).
        case variable(String, [String])
        /// `.a.b` (`.` alone has no fields).
        case field([String])
    }

    private let tokens: [Token]
    private var index = 0

    init(_ tokens: [Token]) { self.tokens = tokens }

    var peek: Token? { index < tokens.count ? tokens[index] : nil }
    var atEnd: Bool { index >= tokens.count }
    var peekDescription: String { peek.map { "\($0)" } ?? "end" }
    mutating func advance() { index += 1 }

    static func tokenize(_ body: String) throws(TemplateError) -> [Token] {
        let c = Array(body.unicodeScalars)
        var i = 0
        var out: [Token] = []
        func isIdent(_ s: Unicode.Scalar) -> Bool {
            s == "_" || ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
        }
        func fields() -> [String] {
            var result: [String] = []
            while i < c.count, c[i] == "." {
                i += 1
                var name = String.UnicodeScalarView()
                while i < c.count, isIdent(c[i]) {
                    name.append(c[i])
                    i += 1
                }
                if !name.isEmpty { result.append(String(name)) }
            }
            return result
        }
        while i < c.count {
            let s = c[i]
            switch s {
            case " ", "\t", "\n", "\r":
                i += 1
            case "|":
                out.append(.pipe)
                i += 1
            case "(":
                out.append(.open)
                i += 1
            case ")":
                out.append(.close)
                i += 1
            case ":", "=":
                out.append(.declare)
                i += 1
                if i < c.count, c[i] == "=" { i += 1 }
            case "\"", "`":
                let quote = s
                i += 1
                var value = String.UnicodeScalarView()
                var closed = false
                while i < c.count {
                    let x = c[i]
                    i += 1
                    if x == quote {
                        closed = true
                        break
                    }
                    if x == "\\" && quote == "\"" && i < c.count {
                        let e = c[i]
                        i += 1
                        switch e {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "r": value.append("\r")
                        case "\\", "\"", "'": value.append(e)
                        default: throw TemplateError.unknownEscapeSequence(String(e).escapingControlCharacters)
                        }
                        continue
                    }
                    value.append(x)
                }
                guard closed else { throw TemplateError.unterminatedString }
                out.append(.string(String(value)))
            case "$":
                i += 1
                var name = String.UnicodeScalarView()
                while i < c.count, isIdent(c[i]) {
                    name.append(c[i])
                    i += 1
                }
                out.append(.variable(String(name), fields()))
            case ".":
                if i + 1 < c.count, ("0"..."9").contains(c[i + 1]) { fallthrough }
                out.append(.field(fields()))
            case "0"..."9", "-", "+":
                var text = String.UnicodeScalarView()
                while i < c.count, isIdent(c[i]) || c[i] == "." || c[i] == "-" || c[i] == "+" {
                    text.append(c[i])
                    i += 1
                }
                guard let n = Double(String(text)) else {
                    throw TemplateError.badNumber(String(text).printableExcerpt)
                }
                out.append(.number(n))
            default:
                guard isIdent(s) else { throw TemplateError.unexpectedCharacter(String(s).escapingControlCharacters) }
                var name = String.UnicodeScalarView()
                while i < c.count, isIdent(c[i]) {
                    name.append(c[i])
                    i += 1
                }
                out.append(.identifier(String(name)))
            }
        }
        return out
    }
}
