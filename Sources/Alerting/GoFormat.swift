#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Float formatting exactly as Go writes it, because Prometheus's templates (`{{ $value }}`,
/// `humanize`, `printf`) and its alerts API (`"value": "1e+00"`) are Go: users compare our
/// annotations with what Prometheus would have produced, and the two must read the same.
enum GoFormat {
    /// Decimal digits (no leading or trailing zeros) and the position of the decimal point:
    /// value = 0.d1d2d3… × 10^point. Zero has no digits and point 0.
    struct Digits {
        var digits: [UInt8]
        var point: Int
    }

    /// The shortest digits that read back as `value` (Go's precision -1), from Swift's own
    /// shortest round-trip `description`.
    static func shortestDigits(_ value: Double) -> Digits {
        parseScientific(value.magnitude.description)
    }

    /// Digits the C library is asked for at most. A double's exact decimal expansion has at most
    /// 767 significant digits and 1074 after the point, so every digit past this is a zero that
    /// the layouts append themselves; the C call's output stays a few kilobytes.
    static let exactDigits = 1100

    /// The largest precision the layouts honour (Go's `tooLarge`); callers clamp to it so no
    /// arithmetic on a precision can overflow and no loop runs longer.
    static let maximumPrecision = 1_000_000

    /// `value` rounded to `significant` digits (round half to even on exact ties, as Go does),
    /// with trailing zeros removed.
    static func roundedDigits(_ value: Double, significant: Int) -> Digits {
        parseScientific(cFormat("%.*e", value.magnitude, precision: min(max(significant - 1, 0), exactDigits)))
    }

    /// `value` with `decimals` digits after the point, from the C library (same rounding as Go).
    static func fixed(_ value: Double, decimals: Int) -> String {
        if let special = special(value, plusSign: true) { return special }
        let decimals = min(max(decimals, 0), maximumPrecision)
        let exact = cFormat("%.*f", value, precision: min(decimals, exactDigits))
        return decimals > exactDigits ? exact + String(repeating: "0", count: decimals - exactDigits) : exact
    }

    /// One `vsnprintf` of a double with a `*` precision, measured first so the text is whole
    /// (a fixed buffer cut `%.300f` of 1e308 short, with a NUL in it).
    private static func cFormat(_ format: String, _ value: Double, precision: Int) -> String {
        let precision = Int32(min(max(precision, 0), exactDigits))
        var buffer = [CChar](repeating: 0, count: 512)
        var count = withVaList([precision, value]) { args in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
        }
        if Int(count) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(count) + 1)
            count = withVaList([precision, value]) { args in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
            }
        }
        let length = min(Int(max(count, 0)), buffer.count - 1)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Parses "1.2345e+02", "0.001", "123.0", "1e-05" into digits and point.
    private static func parseScientific(_ text: String) -> Digits {
        var mantissa: [UInt8] = []
        var pointAt: Int? = nil
        var exponent = 0
        var bytes = Array(text.utf8)[...]
        while let b = bytes.first, b != UInt8(ascii: "e"), b != UInt8(ascii: "E") {
            if b == UInt8(ascii: ".") { pointAt = mantissa.count } else if b >= 0x30 && b <= 0x39 { mantissa.append(b) }
            bytes = bytes.dropFirst()
        }
        if !bytes.isEmpty { exponent = Int(String(decoding: bytes.dropFirst(), as: UTF8.self)) ?? 0 }
        var point = (pointAt ?? mantissa.count) + exponent
        while let first = mantissa.first, first == 0x30 {
            mantissa.removeFirst()
            point -= 1
        }
        while let last = mantissa.last, last == 0x30 { mantissa.removeLast() }
        if mantissa.isEmpty { point = 0 }
        return Digits(digits: mantissa, point: point)
    }

    private static func special(_ value: Double, plusSign: Bool) -> String? {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : (plusSign ? "+Inf" : "Inf") }
        return nil
    }

    /// Go's `%e` layout of digits: `d.ddde±XX`, with exactly `decimals` digits after the point.
    private static func layoutE(_ d: Digits, negative: Bool, decimals: Int) -> String {
        var out = negative ? "-" : ""
        let digits = d.digits.isEmpty ? [UInt8(ascii: "0")] : d.digits
        let decimals = min(decimals, maximumPrecision)
        out.append(Character(Unicode.Scalar(digits[0])))
        if decimals > 0 {
            out += "."
            for i in 1...decimals { out.append(Character(Unicode.Scalar(i < digits.count ? digits[i] : 0x30))) }
        }
        let exponent = d.digits.isEmpty ? 0 : d.point - 1
        out += exponent < 0 ? "e-" : "e+"
        let magnitude = abs(exponent)
        out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
        return out
    }

    /// Go's `%f` layout of digits with exactly `decimals` digits after the point.
    private static func layoutF(_ d: Digits, negative: Bool, decimals: Int) -> String {
        var out = negative ? "-" : ""
        let decimals = min(decimals, maximumPrecision)
        if d.point <= 0 {
            out += "0"
        } else {
            for i in 0..<d.point { out.append(Character(Unicode.Scalar(i < d.digits.count ? d.digits[i] : 0x30))) }
        }
        if decimals > 0 {
            out += "."
            for i in 0..<decimals {
                let index = d.point + i
                out.append(Character(Unicode.Scalar(index >= 0 && index < d.digits.count ? d.digits[index] : 0x30)))
            }
        }
        return out
    }

    /// `strconv.FormatFloat(value, 'e', -1, 64)`: what Prometheus's alerts API puts in `"value"`.
    static func exponentShortest(_ value: Double) -> String {
        if let special = special(value, plusSign: true) { return special }
        let d = shortestDigits(value)
        return layoutE(d, negative: value.sign == .minus, decimals: max(d.digits.count - 1, 0))
    }

    /// `strconv.FormatFloat(value, 'g', precision, 64)` (precision nil = shortest), which is also
    /// `fmt`'s `%v` (nil) and `%.Ng`.
    static func general(_ value: Double, precision: Int?) -> String {
        if let special = special(value, plusSign: true) { return special }
        let negative = value.sign == .minus
        let d: Digits
        var eprec: Int
        var prec: Int
        if let precision {
            prec = precision == 0 ? 1 : min(precision, maximumPrecision)
            d = roundedDigits(value, significant: prec)
            eprec = prec
            if eprec > d.digits.count && d.digits.count >= d.point { eprec = d.digits.count }
        } else {
            d = shortestDigits(value)
            prec = d.digits.count
            eprec = 6
        }
        let exponent = d.point - 1
        if exponent < -4 || exponent >= eprec {
            if prec > d.digits.count { prec = d.digits.count }
            return layoutE(d, negative: negative, decimals: max(prec - 1, 0))
        }
        if prec > d.point { prec = d.digits.count }
        return layoutF(d, negative: negative, decimals: max(prec - d.point, 0))
    }

    /// `fmt`'s `%e` / `%.Ne` (precision nil = 6).
    static func exponent(_ value: Double, precision: Int?) -> String {
        if let special = special(value, plusSign: true) { return special }
        let p = min(max(precision ?? 6, 0), maximumPrecision)
        return layoutE(roundedDigits(value, significant: p + 1), negative: value.sign == .minus, decimals: p)
    }
}
