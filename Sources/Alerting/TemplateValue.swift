/// A value flowing through a template pipeline: Go's `string`, `float64` or `map[string]string`.
enum TemplateValue: Equatable {
    case string(String)
    case number(Double)
    case map([String: String])

    /// How `{{ … }}` prints the value: Go's `fmt.Print` (`%v`).
    var printed: String {
        switch self {
        case .string(let s): return s
        case .number(let n): return GoFormat.general(n, precision: nil)
        case .map(let m):
            return "map[" + m.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ") + "]"
        }
    }

    /// Prometheus's `convertToFloat`: numbers as they are, strings parsed as Go's `ParseFloat` would.
    func asNumber(function: String) throws(TemplateError) -> Double {
        switch self {
        case .number(let n): return n
        case .string(let s):
            let lower = s.lowercased()
            switch lower {
            case "inf", "+inf", "infinity", "+infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            case "nan": return .nan
            default: break
            }
            if let v = Double(s), !s.isEmpty, !s.hasPrefix(" ") { return v }
            throw TemplateError.notANumber(function: function, s.printableExcerpt)
        case .map: throw TemplateError.mapNotANumber(function: function)
        }
    }

    /// A string argument (Go would refuse a number for `toUpper`; we print it instead of failing).
    var asString: String {
        if case .string(let s) = self { return s }
        return printed
    }
}
