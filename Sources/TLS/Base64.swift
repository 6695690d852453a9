/// Base64 with the standard alphabet (RFC 4648 section 4, `+` and `/`): the one encoder and
/// decoder of the package, e.g. for signature headers, Basic credentials, webhook secrets and
/// kombu event bodies.
public enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes `bytes` as padded standard base64.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(alphabet[Int(value & 63)])
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let value = UInt32(bytes[index]) << 16
            out += [
                alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "="),
            ]
        case 2:
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [
                alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], alphabet[Int(value >> 6 & 63)],
                UInt8(ascii: "="),
            ]
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What ``decode(_:options:)`` tolerates beyond strict padded base64.
    public struct DecodingOptions: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The trailing `=` may be left out (`aGVsbG8` as well as `aGVsbG8=`); padding that is
        /// present must still be right.
        public static let paddingOptional = DecodingOptions(rawValue: 1 << 0)
        /// ASCII whitespace (space, tab, CR, LF) anywhere is skipped.
        public static let ignoringWhitespace = DecodingOptions(rawValue: 1 << 1)
    }

    /// Decodes standard-alphabet base64; nil for anything else, never a guess: characters outside
    /// the alphabet, data after padding, wrong padding, a dangling single character, and (unless
    /// `options` allow them) missing padding or whitespace.
    ///
    /// Users: HTTP Basic credentials (strict), `whsec_` webhook secrets (padding optional),
    /// kombu's `body_encoding: base64` event bodies (Python's `b64encode`; padding optional,
    /// whitespace ignored).
    public static func decode<Bytes: Collection>(_ text: Bytes, options: DecodingOptions = []) -> [UInt8]?
    where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var quad: UInt32 = 0
        var filled = 0
        var padding = 0
        for byte in text {
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09, options.contains(.ignoringWhitespace) {
                continue
            }
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            // Data after padding is malformed.
            guard padding == 0, let value = sextet(byte) else { return nil }
            quad = quad << 6 | UInt32(value)
            filled += 1
            if filled == 4 {
                out.append(UInt8(truncatingIfNeeded: quad >> 16))
                out.append(UInt8(truncatingIfNeeded: quad >> 8))
                out.append(UInt8(truncatingIfNeeded: quad))
                quad = 0
                filled = 0
            }
        }
        let unpadded = options.contains(.paddingOptional) && padding == 0
        switch filled {
        case 0:
            guard padding == 0 else { return nil }
        case 2:
            guard unpadded || padding == 2 else { return nil }
            out.append(UInt8(truncatingIfNeeded: quad >> 4))
        case 3:
            guard unpadded || padding == 1 else { return nil }
            out.append(UInt8(truncatingIfNeeded: quad >> 10))
            out.append(UInt8(truncatingIfNeeded: quad >> 2))
        default:
            return nil
        }
        return out
    }

    /// Decodes the UTF-8 of `text` (see ``decode(_:options:)``).
    public static func decode(_ text: Substring, options: DecodingOptions = []) -> [UInt8]? {
        decode(text.utf8, options: options)
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
