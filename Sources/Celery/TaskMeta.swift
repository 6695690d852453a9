/// The fields of one result meta value (`celery-task-meta-<id>`, a JSON string, model doc §4) that the
/// census uses. Everything else (the result, traceback, args under `result_extended`) is ignored.
public struct TaskMeta: Equatable, Sendable {
    /// The folded state.
    public var state: TaskMetaState
    /// `result.exc_type == "WorkerLostError"` on a FAILURE: a pool child died mid-task (§4, D4).
    public var workerLost: Bool
    /// `result.hostname` of a STARTED meta (`w1@vm`): the worker running the task (§3).
    public var hostname: String?

    /// Creates a meta from its fields.
    public init(state: TaskMetaState, workerLost: Bool = false, hostname: String? = nil) {
        self.state = state
        self.workerLost = workerLost
        self.hostname = hostname
    }

    /// Decodes a stored value; anything that is not a JSON object with a string `status` is
    /// ``TaskMetaState/unknown`` (counted, never guessed at).
    public init(bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes), let status = json["status"]?.stringValue else {
            self.init(state: .unknown)
            return
        }
        let state = TaskMetaState(status: status)
        let result = json["result"]
        self.init(
            state: state,
            workerLost: state == .failure && result?["exc_type"]?.stringValue == "WorkerLostError",
            hostname: state == .started ? result?["hostname"]?.stringValue : nil)
    }
}
