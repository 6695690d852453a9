/// Why a signing secret file (`signing.secret_file`) could not be used. No case carries the
/// file's content: it is the signing key.
public enum WebhookSecretError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `standard-webhooks` secret starts with `whsec_` but the rest is not base64.
    case invalidBase64
    /// Nothing is left once the trailing newline is removed (or the base64 decodes to nothing).
    case empty

    /// What is wrong, for the configuration error that names the file.
    public var description: String {
        switch self {
        case .invalidBase64: return "the part after whsec_ is not valid base64"
        case .empty: return "the secret is empty"
        }
    }
}
