/// The fields of one result meta value (`celery-task-meta-<id>`, a JSON string) that the
/// census uses. Everything else (the result, traceback, args under `result_extended`) is skipped
/// unread by ``TaskMetaScanner``, so a meta of any size costs no more memory than its bytes read.
public struct TaskMeta: Equatable, Sendable {
    /// The folded state.
    public var state: TaskMetaState
    /// `result.exc_type == "WorkerLostError"` on a FAILURE: a pool child was killed mid-task under `acks_late`.
    public var workerLost: Bool
    /// `result.hostname` of a STARTED meta (`w1@vm`): the worker running the task, in the
    /// ``LabelValueLimit/capped(_:)`` form the worker registry keys live workers by.
    public var hostname: String?

    /// Creates a meta from its fields.
    public init(state: TaskMetaState, workerLost: Bool = false, hostname: String? = nil) {
        self.state = state
        self.workerLost = workerLost
        self.hostname = hostname
    }

    /// Decodes a whole stored value; anything that is not a JSON object with a string `status` is
    /// ``TaskMetaState/unknown`` (counted, never guessed at).
    public init(bytes: [UInt8]) {
        switch TaskMetaScanner.scan(bytes, whole: true) {
        case .complete(let fields): self.init(fields)
        case .truncated, .malformed: self.init(state: .unknown)
        }
    }

    /// Decodes a value too large to read whole from its first bytes (`head`, shorter than the
    /// value) and its last bytes (`tail`): see ``reading(head:)`` and ``confirmed(byTail:)``.
    init(head: [UInt8], tail: [UInt8]) {
        let reading = TaskMeta.reading(head: head)
        self = reading.needsTail ? reading.meta.confirmed(byTail: tail) : reading.meta
    }

    /// What the first bytes of a value longer than them tell. Celery writes `status` first and the
    /// parts of `result` the census uses right after (``TaskMetaScanner``), so a head of a few KiB
    /// classifies any Celery meta. `needsTail`: a status was found, and the value's last bytes must
    /// still show that it ends like a JSON object (``confirmed(byTail:)``). Otherwise `meta` is final:
    /// ``TaskMetaState/unknown`` when the head is not the start of a JSON object,
    /// ``TaskMetaState/unclassified`` when no top-level `status` came before the head ended (or the
    /// object ended inside the head, so whether the unread rest is mere whitespace is unknown).
    /// A FAILURE whose `result.exc_type` lies beyond the head is not counted as WorkerLostError,
    /// and a STARTED meta whose `result.hostname` does has no host (never counted as orphaned).
    static func reading(head: [UInt8]) -> (meta: TaskMeta, needsTail: Bool) {
        switch TaskMetaScanner.scan(head, whole: false) {
        case .malformed: return (TaskMeta(state: .unknown), false)
        case .complete: return (TaskMeta(state: .unclassified), false)
        case .truncated(let fields):
            if !fields.isObject { return (TaskMeta(state: .unknown), false) }
            if fields.status == nil { return (TaskMeta(state: .unclassified), false) }
            return (TaskMeta(fields), true)
        }
    }

    /// This meta (read from a head) if `tail`, the value's last bytes, ends with `}` (whitespace
    /// aside); ``TaskMetaState/unknown`` when it ends with anything else (a value that begins
    /// with `{` and does not end with `}` is not JSON); ``TaskMetaState/unclassified`` when the
    /// tail is only whitespace.
    func confirmed(byTail tail: [UInt8]) -> TaskMeta {
        guard let last = tail.last(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            return TaskMeta(state: .unclassified)
        }
        return last == UInt8(ascii: "}") ? self : TaskMeta(state: .unknown)
    }

    /// The meta of scanned fields: ``TaskMetaState/unknown`` without a string `status`.
    private init(_ fields: TaskMetaScanner.Fields) {
        guard let status = fields.status else {
            self.init(state: .unknown)
            return
        }
        let state = TaskMetaState(status: status)
        self.init(
            state: state,
            workerLost: state == .failure && fields.excType == "WorkerLostError",
            hostname: state == .started ? fields.hostname.map(LabelValueLimit.capped) : nil)
    }
}
