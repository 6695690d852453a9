import TestSupport
import Testing

@testable import JSON

/// The one JSON writer: what each escaping option writes (Go `encoding/json`'s rules, JSON's
/// minimum), and that whatever it writes the parser reads back as the same string.
@Suite struct JSONWriterTests {
    /// Strings that exercise every branch of the escaper.
    static let awkward: [String] = [
        "", "plain", "quote \" backslash \\ slash /", "line\nfeed\rreturn\ttab", "\u{0}\u{1}\u{8}\u{C}\u{1F}",
        "</script><!-- & -->", "del \u{7F}", "sep \u{2028} \u{2029}", "é中😀", "\u{FFFD}\u{FEFF}\u{85}",
    ]

    @Test(arguments: [JSONEscaping.plain, .goEncodingJSON, [.htmlSafe, .delete], .delete])
    func everyStringReadsBackUnchanged(escaping: JSONEscaping) throws {
        for s in Self.awkward {
            let literal = JSONWriter.quoted(s, escaping: escaping)
            #expect(try JSONValue.parse(literal) == .string(s), "\(s.debugDescription) as \(literal)")
            // Nothing below U+0020 is ever written raw: JSON forbids it.
            #expect(!literal.unicodeScalars.contains { $0.value < 0x20 })
        }
        var rng = SplitMix64(seed: UInt64(escaping.rawValue) + 7)
        for _ in 0..<2_000 {
            let scalars = (0..<Int(rng.next() % 12)).compactMap { _ -> Unicode.Scalar? in
                // Mostly ASCII (where the escapes are), sometimes anything up to U+2FFFF.
                Unicode.Scalar(UInt32(rng.next() % (rng.next() % 4 == 0 ? 0x30000 : 0x80)))
            }
            let s = String(String.UnicodeScalarView(scalars))
            #expect(try JSONValue.parse(JSONWriter.quoted(s, escaping: escaping)) == .string(s))
        }
    }

    @Test func goEncodingJSONEscapesMarkupAndLineSeparators() {
        let literal = JSONWriter.quoted("</script>&\u{2028}\u{2029}", escaping: .goEncodingJSON)
        #expect(literal == #""\u003c/script\u003e\u0026\u2028\u2029""#)
        // Go leaves DEL alone.
        #expect(JSONWriter.quoted("\u{7F}", escaping: .goEncodingJSON) == "\"\u{7F}\"")
    }

    @Test func plainEscapesOnlyWhatJSONRequires() {
        #expect(JSONWriter.quoted("<a & b>\u{2028}\u{7F}", escaping: .plain) == "\"<a & b>\u{2028}\u{7F}\"")
        #expect(JSONWriter.quoted("\"\\\n\r\t\u{1}", escaping: .plain) == #""\"\\\n\r\t\u0001""#)
    }

    @Test func deleteOptionEscapesDEL() {
        #expect(JSONWriter.quoted("a\u{7F}b", escaping: [.htmlSafe, .delete]) == #""a\u007fb""#)
    }

    @Test func mapsAreWrittenWithKeysInByteOrder() throws {
        // Byte order, as Go sorts map keys: "Z" (0x5A) before "a" (0x61) before "é" (0xC3 0xA9).
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.stringMap(["é": "3", "a": "2", "Z": "1<"])
        #expect(w.text == #"{"Z":"1\u003c","a":"2","é":"3"}"#)
    }

    @Test func objectsKeepTheGivenFieldOrder() throws {
        var w = JSONWriter(escaping: .plain)
        w.object([("z", { $0.raw("1") }), ("a", { $0.string("x") })])
        #expect(w.text == #"{"z":1,"a":"x"}"#)
    }
}
