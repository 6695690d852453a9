extension ConfigValue {
    /// The plain scalar as a whole number, read as YAML 1.1 (and so Yams before it) reads one:
    /// an optional sign, `_` separators ignored, `0x`, `0b`, `0o` and a leading `0` (octal)
    /// prefixes, and base 60 (`1:30` is 90). Quoted scalars, collections, a second sign, a value
    /// outside `Int` and anything else: nil (the loaders make that a config error).
    public var int: Int? {
        guard let scalar = node.scalar, scalar.isPlain else { return nil }
        let signed = scalar.text.filter { $0 != "_" }
        if signed == "0" { return 0 }
        let negative = signed.hasPrefix("-")
        let digits = signed.dropFirst(negative || signed.hasPrefix("+") ? 1 : 0)
        let sign = negative ? "-" : ""
        // Only digits after the one sign: `Int(_:radix:)` itself accepts a sign, so "--5" or
        // "0x-5" would otherwise come through with the first one stripped.
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            let rest = digits.dropFirst(prefix.count)
            guard Self.isDigits(rest, radix: radix) else { return nil }
            return Int(sign + rest, radix: radix)
        }
        guard digits.contains(":") else {
            guard Self.isDigits(digits, radix: 10) else { return nil }
            return Int(sign + digits)
        }
        // Base 60: each part a decimal number, the last one worth 1, the one before it 60, …
        var total = 0
        for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
            guard Self.isDigits(part, radix: 10), let value = Int(part),
                case (let scaled, let o1) = total.multipliedReportingOverflow(by: 60), !o1,
                case (let sum, let o2) = scaled.addingReportingOverflow(value), !o2
            else { return nil }
            total = sum
        }
        guard negative else { return total }
        let (value, overflow) = 0.subtractingReportingOverflow(total)
        return overflow ? nil : value
    }

    /// One or more ASCII digits of `radix` (at most 16), no sign.
    private static func isDigits(_ text: Substring, radix: Int) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.hexDigitValue ?? radix) < radix }
    }
}
