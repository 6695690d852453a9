/// One Celery task event (`-E` workers, `task_send_sent_event` producers), reduced to what the
/// outcome counters use.
///
/// Observed with Celery 5.7 (see `TaskEventsFixtures` in the tests): producers publish `task-sent`
/// on `P/<db>.celeryev/task.sent` (one event per message); workers publish every other type on
/// `P/<db>.celeryev/task.multi`, a JSON list of events. Only `task-sent` and `task-received` carry
/// the task name and `retries`; the later events carry the `uuid` alone. Arguments, results and
/// tracebacks are never kept, and of the `exception` repr only the type name is
/// (``exceptionType(fromRepr:)``): the message is user data.
public struct TaskEvent: Equatable, Sendable {
    /// The event type.
    public enum Kind: String, Equatable, Sendable, CaseIterable {
        /// Published by the producer (`task_send_sent_event`), also for each retry's new message.
        case sent = "task-sent"
        /// The worker took the message (again with `retries + 1` after each retry).
        case received = "task-received"
        /// A pool process began executing it.
        case started = "task-started"
        /// Finished; carries `runtime` (seconds of execution).
        case succeeded = "task-succeeded"
        /// Raised; carries `exception` as a repr, e.g. `KeyError('k')`.
        case failed = "task-failed"
        /// Raised `Retry`; a new message with `retries + 1` follows.
        case retried = "task-retried"
        /// The worker rejected the message.
        case rejected = "task-rejected"
        /// Revoked before or while it ran.
        case revoked = "task-revoked"
    }

    /// The event type.
    public var kind: Kind
    /// The task id (`uuid`).
    public var taskID: String
    /// `name`: only on `task-sent` and `task-received`.
    public var name: String?
    /// `retries`: only on `task-sent` and `task-received`.
    public var retries: Int?
    /// `eta` as Unix seconds (ETA and countdown tasks).
    public var eta: Double?
    /// `timestamp`: Unix seconds on the publisher's clock.
    public var timestamp: Double?
    /// `runtime` of `task-succeeded`, seconds.
    public var runtime: Double?
    /// The exception's type name of `task-failed` (``exceptionType(fromRepr:)``).
    public var exceptionType: String?

    /// Creates an event from its fields.
    public init(
        kind: Kind, taskID: String, name: String? = nil, retries: Int? = nil, eta: Double? = nil,
        timestamp: Double? = nil, runtime: Double? = nil, exceptionType: String? = nil
    ) {
        self.kind = kind
        self.taskID = taskID
        self.name = name
        self.retries = retries
        self.eta = eta
        self.timestamp = timestamp
        self.runtime = runtime
        self.exceptionType = exceptionType
    }

    /// The exception type of a Python repr such as `KeyError('k')` or `myapp.Oops()`: the leading
    /// dotted identifier when a `(` follows it, else nil (a custom `__repr__`, or Celery's
    /// `reject requeue=False: …` text, whose words may be user data). Never returns the message.
    public static func exceptionType(fromRepr repr: String) -> String? {
        var name: [UInt8] = []
        for byte in repr.utf8.prefix(LabelValueLimit.maxBytes + 1) {
            if byte == UInt8(ascii: "(") {
                return name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
            }
            let isIdentifier =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".")
            guard isIdentifier, name.count < LabelValueLimit.maxBytes else { return nil }
            name.append(byte)
        }
        return nil
    }
}
