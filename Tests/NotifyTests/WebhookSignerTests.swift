import TLS
import Testing

@testable import Notify

@Suite struct WebhookSignerTests {
    /// The Standard Webhooks specification's published test vector (also in every one of its
    /// reference libraries' tests).
    @Test func standardWebhooksVector() throws {
        let signer = try WebhookSigner(
            scheme: .standardWebhooks, secretFileContents: Array("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n".utf8))
        let headers = signer.headers(
            body: Array(#"{"test": 2432232314}"#.utf8), id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330)
        #expect(headers.map(\.0) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers[0].1 == "msg_p5jXN8AQM9LWM0D4loKWxJek")
        #expect(headers[1].1 == "1614265330")
        #expect(headers[2].1 == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    /// GitHub's documented example ("Validating webhook deliveries").
    @Test func githubVector() throws {
        let signer = try WebhookSigner(scheme: .github, secretFileContents: Array("It's a Secret to Everybody\n".utf8))
        let headers = signer.headers(body: Array("Hello, World!".utf8), id: "ignored", timestamp: 0)
        #expect(headers.count == 1)
        #expect(headers[0].0 == "X-Hub-Signature-256")
        #expect(headers[0].1 == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    }

    @Test func rawStandardWebhooksSecretIsUsedAsBytes() throws {
        let raw = try WebhookSigner(scheme: .standardWebhooks, secretFileContents: Array("plain-secret".utf8))
        #expect(raw.key == Array("plain-secret".utf8))
    }

    @Test func badSecrets() {
        #expect(throws: WebhookSecretError.invalidBase64) {
            try WebhookSigner(scheme: .standardWebhooks, secretFileContents: Array("whsec_not base64!".utf8))
        }
        #expect(throws: WebhookSecretError.empty) {
            try WebhookSigner(scheme: .github, secretFileContents: Array("\n".utf8))
        }
    }

    @Test func descriptionHidesTheKey() throws {
        let signer = try WebhookSigner(scheme: .github, secretFileContents: Array("topsecret".utf8))
        #expect(!"\(signer)".contains("topsecret"))
    }

    @Test func base64Decoding() {
        #expect(Base64.decode("aGVsbG8=".utf8, options: .paddingOptional) == Array("hello".utf8))
        #expect(Base64.decode("aGVsbG8".utf8, options: .paddingOptional) == Array("hello".utf8))
        #expect(Base64.decode("".utf8, options: .paddingOptional) == [])
        #expect(Base64.decode("a===".utf8, options: .paddingOptional) == nil)
        #expect(Base64.decode("aG=V".utf8, options: .paddingOptional) == nil)
    }
}
