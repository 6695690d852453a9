import TLS

/// Signs webhook bodies with a shared secret, per ``SigningScheme``.
///
/// Secret file format (`signing.secret_file`):
/// - `standard-webhooks`: the secret as Standard Webhooks serialises it, `whsec_<base64>` (what
///   receivers' libraries are configured with); the base64 part is decoded to the HMAC key. A
///   file without the `whsec_` prefix is used as raw key bytes.
/// - `github`: the secret as typed into GitHub's form, used as raw bytes.
///
/// In both cases one trailing newline (as editors and `echo` add) is removed. The key never
/// appears in `description`, logs or errors.
public struct WebhookSigner: Sendable, Equatable, CustomStringConvertible {
    /// The scheme.
    public let scheme: SigningScheme
    /// The HMAC key bytes.
    let key: [UInt8]

    /// A signer with the given key bytes.
    public init(scheme: SigningScheme, key: [UInt8]) {
        self.scheme = scheme
        self.key = key
    }

    /// A signer from the contents of a secret file (see the type's documentation for the format).
    /// - Throws: ``WebhookSecretError`` when a `whsec_` secret is not valid base64 or the key is empty.
    public init(scheme: SigningScheme, secretFileContents contents: [UInt8]) throws(WebhookSecretError) {
        var bytes = contents
        while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
        let prefix = Array("whsec_".utf8)
        if scheme == .standardWebhooks, bytes.starts(with: prefix) {
            guard let decoded = Base64.decode(bytes.dropFirst(prefix.count), options: .paddingOptional) else {
                throw .invalidBase64
            }
            bytes = decoded
        }
        guard !bytes.isEmpty else { throw .empty }
        self.init(scheme: scheme, key: bytes)
    }

    /// The headers to add for `body`. `id` (stable across retries of one notification) and
    /// `timestamp` (Unix seconds of this attempt) are used by Standard Webhooks only.
    public func headers(body: [UInt8], id: String, timestamp: Int64) -> [(String, String)] {
        switch scheme {
        case .standardWebhooks:
            let signed = Array("\(id).\(timestamp).".utf8) + body
            let mac = HMAC.sha256(key: key, message: signed)
            return [
                ("webhook-id", id),
                ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", "v1," + Base64.encode(mac)),
            ]
        case .github:
            let mac = HMAC.sha256(key: key, message: body)
            return [("X-Hub-Signature-256", "sha256=" + hex(mac))]
        }
    }

    /// `scheme` only: the key is a secret.
    public var description: String { "\(scheme.rawValue) signer" }

    private func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
