/// A notification id held in 16 bytes when it has the standard form (`msg_` + 32 lowercase hex
/// digits, what ``Dispatcher/randomID()`` makes), else as the string it was given: a 36-byte
/// string is an 80-byte heap block, and 24,000 notifications can be pending at once.
struct NotificationID: Sendable, Equatable {
    private let high: UInt64
    private let low: UInt64
    private let other: String?

    init(_ text: String) {
        let utf8 = Array(text.utf8)
        if utf8.count == 36, utf8.starts(with: Array("msg_".utf8)),
            let h = Self.parse(utf8[4..<20]), let l = Self.parse(utf8[20..<36])
        {
            (high, low, other) = (h, l, nil)
        } else {
            (high, low, other) = (0, 0, text)
        }
    }

    /// The id as given.
    var text: String {
        if let other { return other }
        return "msg_" + Self.hex(high) + Self.hex(low)
    }

    private static func parse(_ digits: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for d in digits {
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(d - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(d - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
