/// One label pair of a sample, e.g. `queue="celery"`.
///
/// The name must match `[a-zA-Z_][a-zA-Z0-9_]*` and must not start with `__` (reserved for
/// Prometheus); an invalid name is a programmer error and traps. The value is arbitrary text and is
/// escaped by the encoder.
public struct Label: Sendable, Equatable {
    /// The label name, e.g. `queue`.
    public let name: String
    /// The label value, e.g. a Celery queue name. Any Unicode text.
    public let value: String

    /// Creates a label; traps if `name` is not a valid label name (see ``isValidName(_:)``).
    public init(_ name: String, _ value: String) {
        precondition(Label.isValidName(name), "invalid Prometheus label name '\(name)'")
        self.name = name
        self.value = value
    }

    /// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
    public static func isValidName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok = b == UInt8(ascii: "_") || isASCIILetter(b) || (!first && isASCIIDigit(b))
            if !ok { return false }
            first = false
        }
        return !first && !name.hasPrefix("__")
    }

    /// Turns raw bytes from the outside world (e.g. a Redis key holding a queue name) into a label
    /// value that always encodes to valid UTF-8: each invalid byte sequence becomes U+FFFD.
    public static func sanitizedLabelValue(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

@inline(__always) func isASCIILetter(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
}

@inline(__always) func isASCIIDigit(_ b: UInt8) -> Bool {
    b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
}
