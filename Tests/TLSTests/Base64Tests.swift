import Foundation
import TLS
import Testing

/// RFC 4648 §10 vectors, plus a cross-check against Foundation.
@Suite struct Base64Tests {
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648(input: String, expected: String) {
        #expect(Base64.encode(Array(input.utf8)) == expected)
    }

    @Test func binaryAgreesWithFoundation() {
        #expect(Base64.encode([0xfb, 0xff, 0xfe]) == "+//+")
        for count in 0..<70 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        }
    }
}
