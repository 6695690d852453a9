extension ConfigValue {
    /// The plain scalar as a whole number, read as YAML 1.1 (and so Yams before it) reads one:
    /// an optional sign, `_` separators ignored, `0x`, `0b`, `0o` and a leading `0` (octal)
    /// prefixes, and base 60 (`1:30` is 90). Quoted scalars, collections and anything else: nil.
    public var int: Int? {
        guard let scalar = node.scalar, scalar.isPlain else { return nil }
        let signed = scalar.text.filter { $0 != "_" }
        if signed == "0" { return 0 }
        let negative = signed.hasPrefix("-")
        let digits = signed.dropFirst(negative || signed.hasPrefix("+") ? 1 : 0)
        let sign = negative ? "-" : ""
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            return Int(sign + digits.dropFirst(prefix.count), radix: radix)
        }
        guard digits.contains(":") else { return Int(signed) }
        // Base 60: each part a decimal number, the last one worth 1, the one before it 60, …
        var total = 0
        for part in digits.split(separator: ":", omittingEmptySubsequences: false) {
            guard let value = Int(part),
                case (let scaled, let o1) = total.multipliedReportingOverflow(by: 60), !o1,
                case (let sum, let o2) = scaled.addingReportingOverflow(value), !o2
            else { return nil }
            total = sum
        }
        return negative ? -total : total
    }
}
