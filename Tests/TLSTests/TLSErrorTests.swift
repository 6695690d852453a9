import TLS
import Testing

@Suite struct TLSErrorTests {
    @Test func descriptionCarriesVerificationAndQueue() {
        let error = TLSError(
            kind: .verification(code: 62, reason: "hostname mismatch"), message: "TLS handshake with example.com",
            openSSLErrors: "error:0A000086:SSL routines::certificate verify failed")
        #expect(
            error.description == "TLS handshake with example.com: certificate verification failed "
                + "(62: hostname mismatch) [OpenSSL: error:0A000086:SSL routines::certificate verify failed]")
        #expect(error.verificationCode == 62)
        #expect(TLSError(kind: .timedOut, message: "TLS read from x").description == "TLS read from x: timed out")
        #expect(TLSError(kind: .io, message: "m").verificationCode == nil)
    }
}
