/// Alertmanager's group key (`dispatch.aggrGroup.GroupKey`): `{route key}:{group labels}`, the
/// labels printed as Go's `model.LabelSet.String()` does, sorted by name, `name="value"` with
/// the value `%q`-quoted, joined by `", "`. Example: `{}/{severity="page"}:{alertname="QueueBacklog"}`.
public enum GroupKey {
    /// The key for a group of `routeKey` with `labels`.
    public static func make(routeKey: String, labels: [String: String]) -> String {
        let pairs = labels.keys.sorted(by: GoString.less).map { "\($0)=\(GoString.quote(labels[$0]!))" }
        return "\(routeKey):{\(pairs.joined(separator: ", "))}"
    }
}
