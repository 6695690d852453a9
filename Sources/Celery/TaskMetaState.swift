/// The state of one `celery-task-meta-<id>` key as the result census counts it: the `status` field
/// of the JSON Celery stores, folded into a bounded set usable as a label value.
public enum TaskMetaState: String, CaseIterable, Sendable, Hashable {
    /// Written only by explicit `update_state`/backends that store it; Celery's default is "no key".
    case pending = "PENDING"
    /// Rarely stored; listed so it is not folded into `other`.
    case received = "RECEIVED"
    /// The task runs (`task_track_started=True` only); `result.hostname` names the worker.
    case started = "STARTED"
    /// Waiting for a retry; the retry itself is a new message.
    case retry = "RETRY"
    /// Finished; never overwritten (the worker skips writes once SUCCESS is stored).
    case success = "SUCCESS"
    /// Failed, including `WorkerLostError` (counted apart as well).
    case failure = "FAILURE"
    /// Revoked.
    case revoked = "REVOKED"
    /// Any other status string, e.g. custom `update_state(state="PROGRESS")` states.
    case other
    /// Not a Celery meta: not JSON, no `status` string, or not a string key (error reply to `GETRANGE`).
    case unknown
    /// Too large to read whole, and its first bytes hold no top-level `status` (Celery writes
    /// `status` first, so no Celery meta ends up here), or its end could not be told apart from
    /// whitespace: counted, never guessed at (see ``TaskMeta/reading(head:)``).
    case unclassified

    /// States whose value the census trusts without fetching it again. SUCCESS is protected by
    /// Celery itself; FAILURE and REVOKED are final in practice (a duplicate run after a failure
    /// could rewrite one; that is rare and documented). Garbage stays garbage.
    public var isTerminal: Bool {
        switch self {
        case .success, .failure, .revoked, .unknown, .unclassified: return true
        default: return false
        }
    }

    /// The state for a `status` string.
    public init(status: String) {
        self = TaskMetaState(rawValue: status).flatMap { $0.isCeleryState ? $0 : nil } ?? .other
    }

    /// Whether this is a state Celery itself writes (not one of the census's own buckets).
    var isCeleryState: Bool {
        switch self {
        case .other, .unknown, .unclassified: return false
        default: return true
        }
    }

    /// Dense index (0 ..< allCases.count), for compact storage (4 bits in ``CensusTable``).
    var code: UInt8 {
        // A switch, not `allCases.firstIndex`: the census computes this per key write.
        switch self {
        case .pending: return 0
        case .received: return 1
        case .started: return 2
        case .retry: return 3
        case .success: return 4
        case .failure: return 5
        case .revoked: return 6
        case .other: return 7
        case .unknown: return 8
        case .unclassified: return 9
        }
    }

    /// The state of a dense index.
    init(code: UInt8) { self = TaskMetaState.byCode[Int(code)] }

    /// ``allCases`` built once (the synthesized property builds a new array per call).
    private static let byCode = TaskMetaState.allCases
}
