/// One decoded Pub/Sub message from Celery: a result state write, a worker event or task events.
///
/// Decoding (``CeleryEventDecoder``) keeps only what the live metrics use; the exporter never
/// keeps `args`, `kwargs` or results (under `result_extended` they are user data).
public enum CeleryEvent: Equatable, Sendable {
    /// A write of `celery-task-meta-<id>` (STARTED, RETRY, SUCCESS, FAILURE, REVOKED, custom states).
    case taskResult(TaskResult)
    /// worker-online, worker-heartbeat or worker-offline.
    case worker(Worker)
    /// The task events of one `task.*` message (`-E`).
    case tasks(TaskEventBatch)

    /// The fields of a result write that the live counters use.
    public struct TaskResult: Equatable, Sendable {
        /// The task id, from the channel name.
        public var taskID: String
        /// The `status` folded into the bounded state set (unknown states are `other`).
        public var state: TaskMetaState
        /// `name` from a `result_extended` meta; nil otherwise.
        public var taskName: String?
        /// A FAILURE whose `result.exc_type` is `WorkerLostError` (a pool child was killed mid-task under `acks_late`).
        public var workerLost: Bool
        /// `result.exc_type` of a FAILURE (the exception's type name, never its message).
        public var exceptionType: String?

        /// Creates a result write from its fields.
        public init(
            taskID: String, state: TaskMetaState, taskName: String? = nil, workerLost: Bool = false,
            exceptionType: String? = nil
        ) {
            self.taskID = taskID
            self.state = state
            self.taskName = taskName
            self.workerLost = workerLost
            self.exceptionType = exceptionType
        }
    }

    /// What a worker event says (hostname, freq, active, processed).
    public struct Worker: Equatable, Sendable {
        /// The event type.
        public var kind: Kind
        /// The worker's node name, e.g. `w1@vm` (also `result.hostname` of its STARTED metas).
        public var hostname: String
        /// The heartbeat period in seconds the worker announces; nil when absent or unusable.
        public var frequency: Double?
        /// Tasks executing right now (not prefetched ones); nil when absent.
        public var active: Int?
        /// Tasks the worker finished since it started (its own counter); nil when absent.
        public var processed: Int?
        /// The worker's main process id; a different one under the same host name means the
        /// worker was restarted (a new incarnation). nil when absent.
        public var pid: Int?
        /// The worker's Lamport clock; within one process it never decreases, so a smaller value
        /// under the same host name means a new process. nil when absent.
        public var clock: Int?

        /// Creates a worker event from its fields.
        public init(
            kind: Kind, hostname: String, frequency: Double? = nil, active: Int? = nil, processed: Int? = nil,
            pid: Int? = nil, clock: Int? = nil
        ) {
            self.kind = kind
            self.hostname = hostname
            self.frequency = frequency
            self.active = active
            self.processed = processed
            self.pid = pid
            self.clock = clock
        }

        /// worker-online, worker-heartbeat or worker-offline.
        public enum Kind: String, Equatable, Sendable, CaseIterable {
            /// The worker started (it also heartbeats from then on).
            case online = "worker-online"
            /// Periodic heartbeat, every `freq` seconds.
            case heartbeat = "worker-heartbeat"
            /// Graceful shutdown; a SIGKILLed worker sends nothing and is found by its silence.
            case offline = "worker-offline"
        }
    }
}
