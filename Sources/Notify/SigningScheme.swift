/// How webhook bodies are signed (our extension to Alertmanager's receiver configuration).
public enum SigningScheme: String, Sendable, Equatable, CaseIterable {
    /// Standard Webhooks 1.0: `webhook-id`, `webhook-timestamp`,
    /// `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
    case standardWebhooks = "standard-webhooks"
    /// GitHub's scheme: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(key, body)>` (no timestamp,
    /// so no replay protection; prefer Standard Webhooks where the receiver supports it).
    case github
}
