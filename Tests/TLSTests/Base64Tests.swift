import Foundation
import TLS
import Testing

/// RFC 4648 section 10 vectors, plus a cross-check against Foundation.
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

    /// The one decoder, as each user needs it: strict for Basic credentials, padding optional for
    /// `whsec_` secrets, plus whitespace skipped for kombu bodies. Every option agrees with
    /// Foundation on well-formed input and refuses what it does not allow.
    @Test func decodingOptionsAcceptOnlyWhatTheyAllow() {
        let kombu: Base64.DecodingOptions = [.paddingOptional, .ignoringWhitespace]
        for count in 0..<40 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ 7) }
            let padded = Data(bytes).base64EncodedString()
            let unpadded = padded.filter { $0 != "=" }
            for options in [Base64.DecodingOptions(), .paddingOptional, kombu] {
                #expect(Base64.decode(padded.utf8, options: options) == bytes)
            }
            #expect(Base64.decode(unpadded.utf8, options: .paddingOptional) == bytes)
            #expect(
                Base64.decode(Data(bytes).base64EncodedString(options: .lineLength64Characters).utf8, options: kombu)
                    == bytes)
            if padded != unpadded {
                #expect(Base64.decode(unpadded.utf8) == nil, "strict decoding took \(unpadded)")
            }
        }
        #expect(Base64.decode(" aGVsbG8=".utf8, options: .paddingOptional) == nil)
        #expect(Base64.decode(" aGVs\nbG8=".utf8, options: kombu) == Array("hello".utf8))
        // Wrong padding is wrong under every option: too much, data after it, a lone character.
        for bad in ["aGVs=", "aGVsbG8==", "aG=V", "a===", "a", "aGVsbG8=aGVs", "aGV*"] {
            for options in [Base64.DecodingOptions(), .paddingOptional, kombu] {
                #expect(Base64.decode(bad.utf8, options: options) == nil, "\(bad)")
            }
        }
    }
}
