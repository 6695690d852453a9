/// The Pub/Sub channel names Celery uses on Redis, and the patterns the exporter subscribes to.
///
/// - Result writes: the worker publishes each state write's JSON on a channel named like the key,
///   `P celery-task-meta-<task id>` (with the key prefix too).
/// - Worker events: kombu's fanout exchange `celeryev` publishes on `P/<db>.celeryev/<routing key>`
///   (prefixed too); heartbeats use `worker.heartbeat`, every 2 s, even without `-E`.
/// - Task events (workers with `-E`, producers with `task_send_sent_event`): the same exchange,
///   routing keys `task.multi` (a worker's batched list) and `task.sent` (one event).
///   Two patterns (`worker.*`, `task.*`) rather than `*`: nothing else on `celeryev` is used.
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

    /// `PSUBSCRIBE` pattern for task events (`task.multi`, `task.sent`).
    public var taskPattern: [UInt8] {
        KombuKeyLayout.escapeGlob(eventChannelPrefix) + Array("task.*".utf8)
    }

    /// The patterns of the broker's channels: worker and task events.
    public var eventPatterns: [[UInt8]] { [workerPattern, taskPattern] }

    /// Every pattern, results first.
    public var patterns: [[UInt8]] { [resultPattern] + eventPatterns }

    /// What a channel carries: a result write (with the task id from the name), a worker event
    /// (with the routing key, `worker.heartbeat`, `worker.online`, `worker.offline`), or neither.
    public func classify(_ channel: [UInt8]) -> Kind {
        if channel.count > resultChannelPrefix.count, channel.starts(with: resultChannelPrefix) {
            return .result(taskID: String(decoding: channel[resultChannelPrefix.count...], as: UTF8.self))
        }
        if channel.count > eventChannelPrefix.count, channel.starts(with: eventChannelPrefix) {
            let routingKey = String(decoding: channel[eventChannelPrefix.count...], as: UTF8.self)
            if routingKey.hasPrefix("worker.") { return .worker(routingKey: routingKey) }
            if routingKey.hasPrefix("task.") { return .task(routingKey: routingKey) }
        }
        return .other
    }

    /// The kind of a channel, see ``classify(_:)``.
    public enum Kind: Equatable, Sendable {
        /// `P celery-task-meta-<taskID>`.
        case result(taskID: String)
        /// `P/<db>.celeryev/worker.<event>`.
        case worker(routingKey: String)
        /// `P/<db>.celeryev/task.<multi|sent>`.
        case task(routingKey: String)
        /// Not a channel this exporter understands.
        case other
    }
}
