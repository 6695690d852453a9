import Exposition

extension Label {
    /// Whether a rule may use `name` for a label or annotation: what ``Label`` itself accepts,
    /// so every alert label can be exposed in `celery_redis_alerts` without trapping.
    static func isValidLabelName(_ name: String) -> Bool { isValidName(name) }
}
