/// The task events of one Pub/Sub message (one `task-sent`, or a worker's `task.multi` list), and
/// the events of it that were not used, by reason.
public struct TaskEventBatch: Equatable, Sendable {
    /// The usable events, in message order.
    public var events: [TaskEvent]
    /// Events left out, by reason (``TaskEventBatch/Discard``).
    public var discarded: [Discard: Int]

    /// Why an event of a message was not used: the `reason` label of
    /// `celery_redis_task_events_discarded_total`. A metric reason, not an error: a discarded
    /// event is only counted (never thrown, never logged), so it has no description.
    public enum Discard: String, Sendable, CaseIterable, Hashable {
        /// Past ``CeleryEventDecoder/maximumEventsPerBatch`` in one message.
        case batchLimit = "batch_limit"
        /// Not an object, or without a string `type` and `uuid` (or a `uuid` over 255 bytes).
        case malformed
        /// A `type` that is not one of Celery's task events (e.g. custom events of `send_event`).
        case unknownType = "unknown_type"
    }

    /// Creates a batch.
    public init(events: [TaskEvent], discarded: [Discard: Int] = [:]) {
        self.events = events
        self.discarded = discarded
    }
}
