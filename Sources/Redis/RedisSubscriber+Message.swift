extension RedisSubscriber {
    /// One Pub/Sub push delivered to the subscriber: a `pmessage` (pattern subscription) or a
    /// `message` (plain channel subscription). Channel and payload are raw bytes: Redis channels
    /// and payloads are binary-safe, and kombu's channel names carry user-chosen key prefixes.
    public struct Message: Equatable, Sendable {
        /// The pattern that matched (`pmessage`); nil for a plain `message`.
        public var pattern: [UInt8]?
        /// The channel the publisher used, e.g. `/0.celeryev/worker.heartbeat`.
        public var channel: [UInt8]
        /// The published bytes.
        public var payload: [UInt8]

        /// Creates a message from its parts.
        public init(pattern: [UInt8]?, channel: [UInt8], payload: [UInt8]) {
            self.pattern = pattern
            self.channel = channel
            self.payload = payload
        }

        /// Decodes a RESP2 push read in subscribe mode: `[pmessage, pattern, channel, payload]` or
        /// `[message, channel, payload]`. Nil for anything else (subscription confirmations,
        /// `pong`, malformed pushes), which the subscriber handles or ignores itself.
        public init?(push: RESPValue) {
            guard let items = push.array, let kind = items.first?.bytes else { return nil }
            switch (String(decoding: kind, as: UTF8.self).lowercased(), items.count) {
            case ("pmessage", 4):
                guard let pattern = items[1].bytes, let channel = items[2].bytes, let payload = items[3].bytes
                else { return nil }
                self.init(pattern: pattern, channel: channel, payload: payload)
            case ("message", 3):
                guard let channel = items[1].bytes, let payload = items[2].bytes else { return nil }
                self.init(pattern: nil, channel: channel, payload: payload)
            default:
                return nil
            }
        }
    }

    /// What ``RedisSubscriber/run(_:)`` reports to its handler, in order, on the subscriber's thread.
    public enum Event: Equatable, Sendable {
        /// Every pattern is confirmed: messages published from now on will be delivered.
        /// Sent after each (re)connection, so a consumer knows when its view is complete again.
        case subscribed
        /// A published message.
        case message(Message)
        /// The connection failed or could not be made; messages published until the next
        /// ``subscribed`` are lost (Pub/Sub has no replay). Sent once per failure.
        case disconnected(RedisError)
    }
}
