import Foundation
import Testing

@testable import Exporter

/// Issue 12: every string from Redis or rules is escaped for the context it is written into.
@Suite struct StatusEscapingTests {
    static let hostile = [
        "<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "q\"uo'te&amp;<b>",
        "<!-- x -->", "]]><svg onload=alert(4)>", "tab\there\nnew line\r", "nul\u{0}bell\u{7}del\u{7F}",
        "sep\u{2028}para\u{2029}", "emoji 🐍 and é", "\u{FFFE}\u{FFFF}", "&lt;already&gt;", "",
    ]

    /// Undoes the five references the markup escapers write (what an HTML or XML parser does).
    static func unescape(_ text: String) -> String {
        var out = text
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: char)
        }
        return out
    }

    /// What the escapers promise to keep: everything but characters no document may carry.
    static func documentSafe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { s -> Unicode.Scalar in
                    switch s.value {
                    case 0x9, 0xA, 0xD: return s
                    case 0...0x1F, 0x7F, 0xFFFE, 0xFFFF: return "\u{FFFD}"
                    default: return s
                    }
                }))
    }

    @Test(arguments: hostile)
    func markupEscapingOpensNothingAndLosesNothing(_ input: String) {
        for escaped in [
            StatusEscaping.htmlText(input), StatusEscaping.htmlAttribute(input), StatusEscaping.svgText(input),
        ] {
            #expect(
                !escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\"") && !escaped.contains("'"))
            // Every & starts one of the references written here, so no text can form its own.
            let ampersands = escaped.components(separatedBy: "&").dropFirst()
            #expect(ampersands.allSatisfy { ["lt;", "gt;", "quot;", "#39;", "amp;"].contains(where: $0.hasPrefix) })
            #expect(Self.unescape(escaped) == Self.documentSafe(input))
            #expect(
                !escaped.unicodeScalars.contains {
                    ($0.value < 0x20 && ![0x9, 0xA, 0xD].contains($0.value)) || $0.value == 0x7F
                })
        }
    }

    @Test(arguments: hostile)
    func jsonStringRoundTripsAndIsSafeInsideScript(_ input: String) throws {
        let literal = StatusEscaping.jsonString(input)
        for forbidden in ["<", ">", "&", "\u{2028}", "\u{2029}"] { #expect(!literal.contains(forbidden)) }
        #expect(!literal.unicodeScalars.contains { $0.value < 0x20 })
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(parsed == [input])
    }

    @Test func markupInAContextIsTextNotTags() {
        #expect(StatusEscaping.htmlText("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;")
        #expect(StatusEscaping.htmlAttribute("a\" onmouseover=\"x") == "a&quot; onmouseover=&quot;x")
        #expect(StatusEscaping.jsonString("</script>") == "\"\\u003c/script\\u003e\"")
    }
}
