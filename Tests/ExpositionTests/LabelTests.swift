import Exposition
import Testing

@Suite struct LabelTests {
    @Test(arguments: [
        ("queue", true), ("_private", true), ("a1", true), ("Queue_Name_2", true),
        ("", false), ("1queue", false), ("__name__", false), ("__x", false), ("qu-eue", false),
        ("queue:name", false), ("qüeue", false), ("a b", false),
    ])
    func nameValidation(_ name: String, _ valid: Bool) {
        #expect(Label.isValidName(name) == valid)
    }

    @Test func sanitizedLabelValueKeepsValidUTF8AndReplacesInvalidBytes() {
        #expect(Label.sanitizedLabelValue(Array("celery".utf8)) == "celery")
        #expect(Label.sanitizedLabelValue(Array("ünï ✓".utf8)) == "ünï ✓")
        #expect(Label.sanitizedLabelValue([0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
        #expect(Label.sanitizedLabelValue([0xC3]) == "\u{FFFD}")  // truncated 2-byte sequence
        // An encoded UTF-16 surrogate is not valid UTF-8 either.
        #expect(Label.sanitizedLabelValue([0xED, 0xA0, 0x80]).unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
        #expect(Label.sanitizedLabelValue([]) == "")
    }

    @Test func invalidLabelNameTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = Label("__name__", "x")
        }
    }
}
