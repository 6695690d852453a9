import Testing

@testable import Alerting

/// Template expansion must never trap or build megabytes, whatever a rule file or a Redis label
/// value puts into a format: found by an audit and confirmed against the exporter binary.
@Suite struct TemplateLimitsTests {
    private func expand(_ text: String, labels: [String: String] = ["queue": "celery"], value: Double = 1)
        throws -> String
    {
        try AlertTemplate(text).expand(AlertTemplate.Data(labels: labels, value: value))
    }

    private static let tooLarge = "<error expanding template: output exceeds \(AlertTemplate.maximumOutputBytes) bytes>"

    /// A width or precision past Go's `tooLarge` (1e6) stops the parse as Go's `parsenum` does:
    /// `%!(NOVERB)`, the rest of the format dropped, the unused arguments listed. The digits
    /// overflowed `Int` on the first evaluation.
    @Test(arguments: [
        ("{{ printf \"%99999999999999999999d\" 1 }}", "%!(NOVERB)%!(EXTRA float64=1)"),
        ("{{ printf \"%.99999999999999999999d|%s\" 1 \"x\" }}", "%!(NOVERB)%!(EXTRA float64=1, string=x)"),
        ("{{ printf \"a%d b%99999999999999999999999999999999999999e c\" 1 2 }}", "a1 b%!(NOVERB)%!(EXTRA float64=2)"),
        ("{{ printf \"%100000000d\" 1 }}", "%!(NOVERB)%!(EXTRA float64=1)"),
        // Fit in Int, but a 9e18 width failed to allocate, `p + 1` of this precision overflowed,
        // and a billion-digit precision looped a billion times.
        ("{{ printf \"%9000000000000000000d\" 1 }}", "%!(NOVERB)%!(EXTRA float64=1)"),
        ("{{ printf \"%.9223372036854775807e\" 1 }}", "%!(NOVERB)%!(EXTRA float64=1)"),
        ("{{ printf \"%.1000000000e\" 1 }}", "%!(NOVERB)%!(EXTRA float64=1)"),
    ])
    func hugeWidthOrPrecisionIsGoNoVerb(_ template: String, _ expected: String) throws {
        #expect(try expand(template) == expected)
    }

    /// A Redis label value used as the format reaches the same parser at evaluation time.
    @Test func labelValueAsFormatCannotTrap() throws {
        let text = try expand("{{ printf $labels.queue }}", labels: ["queue": "%99999999999999999999999s"])
        #expect(text == "%!(NOVERB)")
    }

    /// Widths and precisions Go accepts (its check comes before each digit, so up to 10_000_009)
    /// but whose text would pass the expansion cap are refused before any padding or digit is made.
    @Test(arguments: [
        "{{ printf \"%10000009d\" 1 }}", "{{ printf \"%.10000009e\" 1 }}", "{{ printf \"%.9999999f\" 1 }}",
        "{{ printf \"%-70000s\" \"x\" }}", "{{ printf \"%070000d\" 1 }}",
    ])
    func hugeButParsableWidthOrPrecisionIsAnExpansionError(_ template: String) throws {
        #expect(try expand(template) == Self.tooLarge)
    }

    /// Precisions that do not make the text long still work (Go's output), without allocating them.
    @Test func largePrecisionsThatStayShortStillFormat() throws {
        #expect(try expand("{{ printf \"%.9999999g\" 0.5 }}") == "0.5")
        #expect(try expand("{{ printf \"%.9999999s\" \"abc\" }}") == "abc")
        #expect(try expand("{{ printf \"%.9999999v\" 0.25 }}") == "0.25")
        #expect(GoFormat.exponent(1, precision: Int.max).utf8.count == GoFormat.maximumPrecision + 6)
        #expect(GoFormat.exponent(1, precision: Int.max).hasPrefix("1.000"))
    }

    /// One expansion is capped: a megabyte annotation of `{{ $labels }}` gives the error text,
    /// not megabytes per alert per evaluation.
    @Test func expansionOutputIsCapped() throws {
        let labels = ["queue": String(repeating: "q", count: 1000)]
        let big = String(repeating: "{{ $labels }}", count: 80_000)
        #expect(try expand(big, labels: labels) == Self.tooLarge)
        let atLimit = String(repeating: "x", count: AlertTemplate.maximumOutputBytes)
        #expect(try expand(atLimit + "{{ $value }}", value: 1) == Self.tooLarge)
        #expect(try expand(String(atLimit.dropFirst()) + "{{ $value }}", value: 1) == atLimit.dropFirst() + "1")
    }

    /// `%.300f` of 1e308 is 610 characters: the C buffer of 512 cut it short, with a NUL in it.
    @Test func longFixedTextIsWholeAndHasNoNUL() throws {
        let text = try expand("{{ printf \"%.300f\" 1e308 }}")
        #expect(!text.unicodeScalars.contains("\u{0}"))
        #expect(text.utf8.count == 309 + 1 + 300)
        #expect(text.hasPrefix("100000000000000001097906362944045541740492309677311846336810682903"))
        #expect(text.hasSuffix("." + String(repeating: "0", count: 300)))
        // Past the digits the C library is asked for, zeros are appended (Go prints them too).
        let long = GoFormat.fixed(0.5, decimals: 2000)
        #expect(long == "0.5" + String(repeating: "0", count: 1999))
    }
}
