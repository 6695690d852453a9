import TestSupport
import Testing

@testable import JSON

/// The parser's grammar, its errors and its limits (depth and bytes), on inputs of its own.
@Suite struct JSONParserTests {
    @Test func scalarsAndNumbers() throws {
        #expect(try JSONValue.parse("true") == .bool(true))
        #expect(try JSONValue.parse(" false ") == .bool(false))
        #expect(try JSONValue.parse("null") == .null)
        #expect(try JSONValue.parse("-0") == .number(0))
        #expect(try JSONValue.parse("1795624974.8083234") == .number(1795624974.8083234))
        #expect(try JSONValue.parse("1.5E-2") == .number(0.015))
        #expect(try JSONValue.parse("1e3").intValue == 1000)
        #expect(try JSONValue.parse("2.5").intValue == nil)
        #expect(try JSONValue.parse("[]") == .array([]))
        #expect(try JSONValue.parse("{ }") == .object([:]))
    }

    @Test func pythonNonFiniteLiteralsAreAccepted() throws {
        #expect(try JSONValue.parse("Infinity") == .number(.infinity))
        #expect(try JSONValue.parse("-Infinity") == .number(-.infinity))
        let nan = try JSONValue.parse("[NaN]")[0]?.doubleValue
        #expect(nan?.isNaN == true)
    }

    @Test func stringEscapes() throws {
        #expect(try JSONValue.parse(#""a\"b\\c\/d\n\t\b\f\r""#) == .string("a\"b\\c/d\n\t\u{8}\u{C}\r"))
        #expect(try JSONValue.parse(#""\u00e9\u4e2d""#) == .string("é中"))
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
        // Python can emit lone surrogates; they become U+FFFD instead of failing the message.
        #expect(try JSONValue.parse(#""x\ud83dy""#) == .string("x\u{FFFD}y"))
        #expect(try JSONValue.parse(#""\ude00""#) == .string("\u{FFFD}"))
        #expect(try JSONValue.parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
        // Raw UTF-8 passes through; invalid UTF-8 is repaired, not fatal.
        #expect(try JSONValue.parse([0x22, 0xC3, 0xA9, 0x22]) == .string("é"))
        #expect(try JSONValue.parse([0x22, 0xFF, 0x22]) == .string("\u{FFFD}"))
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        #expect(try JSONValue.parse(#"{"a": 1, "a": 2}"#)["a"] == .number(2))
    }

    @Test(arguments: [
        ("", JSONError.Kind.unexpectedEnd),
        ("   ", .unexpectedEnd),
        ("nul", .unexpectedEnd),
        ("nulL", .unexpectedByte),
        ("{", .unexpectedEnd),
        ("[1,", .unexpectedEnd),
        ("[1 2]", .unexpectedByte),
        ("[1,]", .unexpectedByte),
        (#"{"a" 1}"#, .unexpectedByte),
        (#"{"a": 1,}"#, .unexpectedByte),
        ("{1: 2}", .unexpectedByte),
        (#""abc"#, .unexpectedEnd),
        (#""\x""#, .invalidEscape),
        (#""\u12g4""#, .invalidEscape),
        (#""\u12"#, .unexpectedEnd),
        ("\"a\u{1}b\"", .controlCharacterInString),
        ("01", .trailingData),
        ("1 2", .trailingData),
        ("{} x", .trailingData),
        ("-", .unexpectedEnd),
        ("-a", .invalidNumber),
        ("1.", .unexpectedEnd),
        ("1.e5", .invalidNumber),
        ("1e", .unexpectedEnd),
        ("1e+x", .invalidNumber),
        ("1e400", .numberOutOfRange),
        ("-1e400", .numberOutOfRange),
        ("W1sxLCAxXSwge30s", .unexpectedByte),
        ("<html>", .unexpectedByte),
    ])
    func garbageIsAnError(input: String, kind: JSONError.Kind) {
        #expect(throws: JSONError.self) { try JSONValue.parse(input) }
        do {
            _ = try JSONValue.parse(input)
        } catch {
            #expect(error.kind == kind, "input \(input.debugDescription): \(error)")
        }
    }

    @Test func hugeIntegerLiteralIsAnErrorNotACrash() {
        let digits = String(repeating: "9", count: 400)
        #expect(throws: JSONError(.numberOutOfRange, at: 1)) { try JSONValue.parse("[" + digits + "]") }
        // 300 digits still fit a Double.
        #expect((try? JSONValue.parse(String(repeating: "9", count: 300)))?.doubleValue != nil)
    }

    @Test func nestingDepthIsLimited() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONValue.parse(ok) }
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONError(.tooDeep, at: 64)) { try JSONValue.parse(tooDeep) }
        // Far deeper than any stack could recurse: still a clean error.
        let hostile = String(repeating: #"{"a":["#, count: 200_000)
        #expect(throws: JSONError.self) { try JSONValue.parse(hostile) }
        // Even a caller asking for a huge limit gets the hard cap.
        #expect(throws: JSONError.self) { try JSONValue.parse(String(repeating: "[", count: 100_000), maxDepth: .max) }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        let alphabet = Array(#"{}[]:,"\\/-+.eE0123456789 tfnulrsaINy"#.utf8) + [0x00, 0x1F, 0xFF, 0xC3]
        var parsedCount = 0
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 40)
            let input = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            if (try? JSONValue.parse(input)) != nil { parsedCount += 1 }
        }
        // Mostly garbage; the point is that we got here without trapping.
        #expect(parsedCount < 20_000)
    }

    @Test func inputOverTheByteBudgetIsRefusedBeforeParsing() throws {
        let document = Array(#"{"matchers":[{"name":"a","value":"b"}]}"#.utf8)
        #expect(throws: Never.self) { try JSONValue.parse(document, maxBytes: document.count) }
        #expect(throws: JSONError(.tooLarge, at: document.count - 1)) {
            try JSONValue.parse(document, maxBytes: document.count - 1)
        }
        // Refused by size alone: a too-long input is not looked at, so no other error can win.
        #expect(throws: JSONError(.tooLarge, at: 4)) { try JSONValue.parse("[[[[[[", maxBytes: 4) }
    }
}
