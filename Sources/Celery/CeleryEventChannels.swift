/// The Pub/Sub channel names Celery uses on Redis, and the two patterns the exporter subscribes to.
///
/// - Result writes: the worker publishes each state write's JSON on a channel named like the key,
///   `P celery-task-meta-<task id>` (with the key prefix too).
/// - Worker events: kombu's fanout exchange `celeryev` publishes on `P/<db>.celeryev/<routing key>`
///   (prefixed too); heartbeats use `worker.heartbeat`, every 2 s, even without `-E`.
///   The pattern is `worker.*`, not `*`: with `-E` the batched task events (`task.multi`) would
///   otherwise arrive too, and they are not used.
///
/// The prefix is escaped for glob matching, so a prefix such as `app[1]:` matches literally.
public struct CeleryEventChannels: Sendable, Equatable {
    /// The result channel head, `P celery-task-meta-` (the task id follows).
    public let resultChannelPrefix: [UInt8]
    /// The worker event channel head, `P/<db>.celeryev/` (the routing key follows).
    public let eventChannelPrefix: [UInt8]

    /// Creates the names for kombu's `global_keyprefix` and the broker database number.
    public init(keyPrefix: String, database: Int) {
        let prefix = Array(keyPrefix.utf8)
        resultChannelPrefix = prefix + Array("celery-task-meta-".utf8)
        eventChannelPrefix = prefix + Array("/\(database).celeryev/".utf8)
    }

    /// `PSUBSCRIBE` pattern for every result write.
    public var resultPattern: [UInt8] {
        KombuKeyLayout.escapeGlob(resultChannelPrefix) + [UInt8(ascii: "*")]
    }

    /// `PSUBSCRIBE` pattern for worker-online, worker-heartbeat and worker-offline.
    public var workerPattern: [UInt8] {
        KombuKeyLayout.escapeGlob(eventChannelPrefix) + Array("worker.*".utf8)
    }

    /// Both patterns, results first.
    public var patterns: [[UInt8]] { [resultPattern, workerPattern] }

    /// What a channel carries: a result write (with the task id from the name), a worker event
    /// (with the routing key, `worker.heartbeat`, `worker.online`, `worker.offline`), or neither.
    public func classify(_ channel: [UInt8]) -> Kind {
        if channel.count > resultChannelPrefix.count, channel.starts(with: resultChannelPrefix) {
            return .result(taskID: String(decoding: channel[resultChannelPrefix.count...], as: UTF8.self))
        }
        if channel.count > eventChannelPrefix.count, channel.starts(with: eventChannelPrefix) {
            let routingKey = String(decoding: channel[eventChannelPrefix.count...], as: UTF8.self)
            // Only worker events; task events (`task.multi` with -E) are not used.
            if routingKey.hasPrefix("worker.") { return .worker(routingKey: routingKey) }
        }
        return .other
    }

    /// The kind of a channel, see ``classify(_:)``.
    public enum Kind: Equatable, Sendable {
        /// `P celery-task-meta-<taskID>`.
        case result(taskID: String)
        /// `P/<db>.celeryev/worker.<event>`.
        case worker(routingKey: String)
        /// Not a channel this exporter understands.
        case other
    }
}
