import Testing

@testable import TLS

@Suite struct BcryptTests {
    /// A hash Go's golang.org/x/crypto/bcrypt made (exporter-toolkit's test data: alice/alice123):
    /// libxcrypt must agree with the implementation Prometheus users hash with.
    let goHash = "$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby"

    @Test func verifiesAHashMadeByGo() {
        #expect(Bcrypt.verify(password: Array("alice123".utf8), hash: goHash))
        #expect(!Bcrypt.verify(password: Array("alice1234".utf8), hash: goHash))
        #expect(!Bcrypt.verify(password: Array("alice12".utf8), hash: goHash))
    }

    @Test func hashesItMakesVerifyAndSaltsDiffer() throws {
        let a = try #require(Bcrypt.hash(password: Array("s3cret".utf8), cost: 4))
        let b = try #require(Bcrypt.hash(password: Array("s3cret".utf8), cost: 4))
        #expect(a != b)
        #expect(a.hasPrefix("$2b$04$"))
        #expect(Bcrypt.verify(password: Array("s3cret".utf8), hash: a))
        #expect(Bcrypt.verify(password: Array("s3cret".utf8), hash: b))
        #expect(!Bcrypt.verify(password: Array("s3creT".utf8), hash: a))
        #expect(!Bcrypt.verify(password: [], hash: a))
    }

    /// C strings end at NUL: without the check, "s3cret\0anything" would be accepted for "s3cret".
    @Test func aPasswordWithANulByteNeverMatches() throws {
        let hash = try #require(Bcrypt.hash(password: Array("s3cret".utf8), cost: 4))
        #expect(!Bcrypt.verify(password: Array("s3cret".utf8) + [0] + Array("anything".utf8), hash: hash))
        #expect(!Bcrypt.verify(password: Array("s3cret".utf8) + [0], hash: hash))
    }

    /// bcrypt reads 72 bytes; longer passwords are refused rather than matched on a prefix.
    @Test func passwordsLongerThan72BytesAreRefused() throws {
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 72)
        let hash = try #require(Bcrypt.hash(password: long, cost: 4))
        #expect(Bcrypt.verify(password: long, hash: hash))
        #expect(!Bcrypt.verify(password: long + Array("tail".utf8), hash: hash))
        #expect(Bcrypt.hash(password: long + [0x61], cost: 4) == nil)
    }

    @Test func malformedHashesAreNamedAndNeverVerify() {
        let good = goHash
        #expect(Bcrypt.problem(with: good) == nil)
        #expect(Bcrypt.cost(of: good) == 12)
        for bad in [
            "", "alice123", "$1$abc$def", String(good.dropLast()), good + "x",
            "$2x$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby",
            "$2y$1a$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby",
            "$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wb!",
        ] {
            #expect(Bcrypt.problem(with: bad) != nil, "\(bad)")
            #expect(!Bcrypt.verify(password: Array("alice123".utf8), hash: bad))
        }
        #expect(
            Bcrypt.problem(with: "$2y$03$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby")!.contains("cost 3"))
        #expect(
            Bcrypt.problem(with: "$2y$19$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby")!.contains("cost 19"))
        // The message never quotes the hash.
        #expect(!(Bcrypt.problem(with: good + "x") ?? "").contains("1DpfPeqF9"))
    }

    @Test func constantTimeEqualCompares() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equal([], []))
    }

    @Test func base64DecodeRoundTripsAndRefusesMalformedInput() {
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64.decode(Substring(Base64.encode(bytes))) == bytes)
        }
        #expect(Base64.decode("cHJvbTpzM2NyZXQ=") == Array("prom:s3cret".utf8))
        for bad in ["abc", "ab=c", "a===", "ab!d", "=abc", "YQ==YQ=="] {
            #expect(Base64.decode(Substring(bad)) == nil, "\(bad)")
        }
    }
}
