import TLS
import Testing

@Suite struct SecureRandomTests {
    @Test func returnsTheRequestedNumberOfBytes() {
        #expect(secureRandomBytes(0).isEmpty)
        #expect(secureRandomBytes(1).count == 1)
        #expect(secureRandomBytes(4096).count == 4096)
    }

    @Test func successiveCallsDiffer() {
        let a = secureRandomBytes(32)
        let b = secureRandomBytes(32)
        #expect(a != b)
        #expect(Set(secureRandomBytes(4096)).count > 200)  // all 256 values are near certain
    }
}
