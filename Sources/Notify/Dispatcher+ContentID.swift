import TLS

extension Dispatcher {
    /// The notification id (`webhook-id`) derived from what the notification says, so two
    /// replicas that evaluate the same alerts send the same id and a receiver can keep one:
    /// `msg_` + the first 32 hex digits of SHA-256 over the receiver, the integration, the group
    /// route and group key (the group's id: sibling routes with the same matchers
    /// share a group key, not an id), and each alert's fingerprint with its state (firing or resolved).
    ///
    /// Deliberately left out: when the alerts started. Each replica stamps `startsAt` with the
    /// end of its own poll, so the two never agree on it. Two notifications of one group to one
    /// integration that say the same thing are therefore the same id; they are at least
    /// `group_interval` apart (a flap needs a resolve in between, a repeat `repeat_interval`),
    /// while the replicas' copies of one notification are at most about a poll interval plus
    /// `group_wait` jitter apart; a receiver that remembers ids for less than `group_interval`
    /// drops the copies and nothing else. Retries keep the id (it is made once per notification).
    public static func contentID(
        integration: IntegrationID, groupID: String, alerts: [NotifiableAlert], firing: Set<String>
    ) -> String {
        var text =
            "v1\u{0}" + integration.receiver + "\u{0}" + integration.kind.rawValue + "\u{0}"
            + String(integration.index) + "\u{0}" + groupID
        for fingerprint in alerts.map(\.fingerprint).sorted() {
            text += "\u{0}" + fingerprint + (firing.contains(fingerprint) ? "+" : "-")
        }
        return "msg_" + SHA256.hex(text).prefix(32)
    }
}
