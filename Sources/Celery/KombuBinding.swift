/// One member of a `_kombu.binding.<exchange>` set: `routing_key SEP pattern SEP queue`
/// (`\x06\x16` separators), e.g. `celery\x06\x16\x06\x16celery`.
public struct KombuBinding: Equatable, Sendable {
    /// The routing key (may be empty, e.g. for fanout bindings).
    public var routingKey: String
    /// The pattern (empty for direct and fanout exchanges).
    public var pattern: String
    /// The queue name: the list kombu pushes to (before prefix and priority suffix).
    public var queue: String

    /// Creates a binding from its three fields.
    public init(routingKey: String, pattern: String, queue: String) {
        self.routingKey = routingKey
        self.pattern = pattern
        self.queue = queue
    }
}
