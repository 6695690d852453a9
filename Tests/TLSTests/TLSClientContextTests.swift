import Foundation
import TLS
import TestSupport
import Testing

/// Configuration errors name the file and say what is wrong with it.
@Suite struct TLSClientContextTests {
    @Test func defaultsAreSafe() {
        let configuration = TLSClientConfiguration()
        #expect(configuration.caFile == nil)
        #expect(configuration.insecureSkipVerify == false)
        #expect(configuration.minimumVersion == .tls12)
    }

    @Test func systemTrustStoreLoads() throws {
        _ = try TLSClientContext(TLSClientConfiguration())
    }

    @Test func missingCAFile() {
        let error = #expect(throws: TLSError.self) {
            _ = try TLSClientContext(.init(caFile: "/nonexistent/ca.pem"))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message == "cannot read CA file /nonexistent/ca.pem: No such file or directory")
    }

    @Test func caFileWithoutCertificates() throws {
        let path = try TLSFixtures.temporaryFile("this is not a certificate\n")
        let error = #expect(throws: TLSError.self) { _ = try TLSClientContext(.init(caFile: path)) }
        #expect(error?.kind == .configuration)
        #expect(error?.message == "CA file \(path) contains no usable PEM certificate")
        #expect(error?.description.contains("[OpenSSL: ") == true)
    }

    @Test func caDirectoryInHashedLayout() throws {
        let certs = try TLSFixtures.certificates()
        let dir = try makeTemporaryDirectory("cadir").path
        try FileManager.default.copyItem(atPath: certs.caCert, toPath: dir + "/ca.pem")
        let rehash = try runCommand(try requireTool("openssl"), ["rehash", dir])
        #expect(rehash.status == 0, "\(rehash.stderr)")
        let server = try OpenSSLServer(TLSFixtures.serverIdentity(certs) + ["-rev"])
        let stream = try TLSFixtures.connect(port: server.port, configuration: .init(caFile: dir))
        #expect(stream.peerCertificateSubject == "CN=localhost")
    }

    @Test func certificateWithoutKey() throws {
        let certs = try TLSFixtures.certificates()
        let error = #expect(throws: TLSError.self) {
            _ = try TLSClientContext(.init(caFile: certs.caCert, certificateFile: certs.clientCert))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains(certs.clientCert) == true)
    }

    @Test func keyThatDoesNotMatchTheCertificate() throws {
        let certs = try TLSFixtures.certificates()
        let error = #expect(throws: TLSError.self) {
            _ = try TLSClientContext(
                .init(caFile: certs.caCert, certificateFile: certs.clientCert, keyFile: certs.serverKey))
        }
        #expect(error?.message == "key file \(certs.serverKey) does not match certificate file \(certs.clientCert)")
    }

    @Test func malformedKeyFile() throws {
        let certs = try TLSFixtures.certificates()
        let path = try TLSFixtures.temporaryFile(
            "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n")
        let error = #expect(throws: TLSError.self) {
            _ = try TLSClientContext(.init(caFile: certs.caCert, certificateFile: certs.clientCert, keyFile: path))
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.hasPrefix("key file \(path) does not contain a usable PEM private key") == true)
    }

    @Test func encryptedKeyFailsInsteadOfPrompting() throws {
        let certs = try TLSFixtures.certificates()
        let dir = try makeTemporaryDirectory("enc").path
        let encrypted = dir + "/client-enc.key"
        let r = try runCommand(
            try requireTool("openssl"),
            ["pkey", "-in", certs.clientKey, "-aes256", "-passout", "pass:secret", "-out", encrypted])
        #expect(r.status == 0, "\(r.stderr)")
        let error = #expect(throws: TLSError.self) {
            _ = try TLSClientContext(.init(caFile: certs.caCert, certificateFile: certs.clientCert, keyFile: encrypted))
        }
        #expect(error?.message.contains(encrypted) == true)
    }

    @Test func certificateFileThatIsADirectory() throws {
        let dir = try makeTemporaryDirectory("notafile").path
        let error = #expect(throws: TLSError.self) {
            _ = try TLSClientContext(.init(certificateFile: dir, keyFile: dir))
        }
        #expect(error?.message == "cannot read certificate file \(dir): is a directory")
    }
}
