import Alerting

extension NotifiableAlert {
    /// The notifier's view of an evaluator alert, as Prometheus maps its alerts for
    /// Alertmanager: `startsAt` is when it started firing (`firedAt`, else `activeAt`), `endsAt`
    /// is `resolvedAt` for a resolved alert. Returns nil for pending alerts, which are never sent.
    public init?(_ alert: Alert, generatorURL: String = "") {
        switch alert.state {
        case .pending:
            return nil
        case .firing:
            self.init(
                labels: alert.labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt,
                endsAt: nil, fingerprint: alert.fingerprint, generatorURL: generatorURL)
        case .resolved:
            self.init(
                labels: alert.labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt,
                endsAt: alert.resolvedAt ?? alert.lastTrueAt, fingerprint: alert.fingerprint,
                generatorURL: generatorURL)
        }
    }

    /// Maps a whole evaluation result, dropping pending alerts.
    public static func from(_ alerts: [Alert], generatorURL: String = "") -> [NotifiableAlert] {
        alerts.compactMap { NotifiableAlert($0, generatorURL: generatorURL) }
    }
}
