/// Low-level writers for the exposition encoders: escaping, labels and number formatting.
extension Array where Element == UInt8 {
    /// Appends `text` with `\` → `\\`, newline → `\n` and, if `escapeQuotes`, `"` → `\"`.
    mutating func appendEscaped(_ text: String, escapeQuotes: Bool) {
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                let escaped: UInt8
                switch b {
                case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
                case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
                case UInt8(ascii: "\"") where escapeQuotes: escaped = UInt8(ascii: "\"")
                default: continue
                }
                append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                append(UInt8(ascii: "\\"))
                append(escaped)
                runStart = i + 1
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
    }

    /// Appends `{name="value",…}` (nothing when there are no labels and no `le`). `le`, if given, is
    /// added last.
    mutating func appendLabels(_ labels: [Label], le: Double?, openMetrics: Bool) {
        if labels.isEmpty && le == nil { return }
        append(UInt8(ascii: "{"))
        var first = true
        for label in labels {
            if !first { append(UInt8(ascii: ",")) }
            first = false
            append(contentsOf: label.name.utf8)
            append(UInt8(ascii: "="))
            append(UInt8(ascii: "\""))
            appendEscaped(label.value, escapeQuotes: true)
            append(UInt8(ascii: "\""))
        }
        if let le {
            if !first { append(UInt8(ascii: ",")) }
            append(contentsOf: "le=\"".utf8)
            appendValue(le, openMetrics: openMetrics)
            append(UInt8(ascii: "\""))
        }
        append(UInt8(ascii: "}"))
    }

    /// Appends a sample value that Go's `ParseFloat` (and so Prometheus) reads back exactly:
    /// `NaN`, `+Inf`, `-Inf`; integral values below 2^53 (exact integers) as plain digits (`3`, or `3.0` in
    /// OpenMetrics, as client_golang writes floats there); everything else in Swift's shortest
    /// round-trip form (`0.1`, `1e-05`, `1.5e+300`).
    mutating func appendValue(_ value: Double, openMetrics: Bool) {
        if value.isNaN {
            append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
        } else if value.magnitude < 0x1p53 && value.rounded(.towardZero) == value {
            let integer = Int64(value)
            if integer < 0 { append(UInt8(ascii: "-")) }
            appendInteger(integer.magnitude)
            if openMetrics { append(contentsOf: ".0".utf8) }
        } else {
            append(contentsOf: value.description.utf8)
        }
    }

    /// Appends the decimal digits of `value`.
    mutating func appendInteger(_ value: UInt64) {
        if value < 10 {
            append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        let start = count
        var rest = value
        while rest > 0 {
            append(UInt8(ascii: "0") &+ UInt8(rest % 10))
            rest /= 10
        }
        self[start...].reverse()
    }
}
