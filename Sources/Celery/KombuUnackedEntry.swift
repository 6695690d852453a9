import JSON

/// One value of kombu's `unacked` hash: the JSON array `[message, exchange, routing_key]` the
/// worker writes with `HSET unacked <delivery_tag> …` right after fetching.
///
/// The routing key (third element) is what kombu's restore uses to route the message back
/// (`_lookup(exchange, routing_key)`); with Celery's default direct routing it is the queue name.
public struct KombuUnackedEntry: Equatable, Sendable {
    /// The message as it was taken off the queue.
    public var message: KombuMessage
    /// The exchange (`""` for the default exchange).
    public var exchange: String
    /// The routing key: the queue name under Celery's default routing.
    public var routingKey: String

    /// Creates an entry from its parts.
    public init(message: KombuMessage, exchange: String, routingKey: String) {
        self.message = message
        self.exchange = exchange
        self.routingKey = routingKey
    }

    /// Decodes the raw hash value. Throws for non-JSON and for any other shape than a 3-element
    /// array of (object, string, string), so garbage is counted, never guessed at.
    public init(bytes: [UInt8]) throws(KombuDecodingError) {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw .invalidJSON(error) }
        guard case .array(let parts) = json, parts.count == 3 else {
            throw .unackedNotATriple
        }
        guard let exchange = parts[1].stringValue, let routingKey = parts[2].stringValue else {
            throw .unackedRoutingNotStrings
        }
        self.init(message: try KombuMessage(json: parts[0]), exchange: exchange, routingKey: routingKey)
    }
}
