import JSON

extension CeleryEventDecoder {
    /// Most bytes of one task event message (the whole envelope). Real ones are a few KB: a
    /// `task.multi` list holds the events a worker buffered, each with `args`/`kwargs` reprs that
    /// Celery cuts at 1,024 characters and, for failures, a traceback. Larger messages are
    /// counted as decode errors unread.
    public static let maximumTaskEventBytes = 1 << 20
    /// Most events used from one `task.multi` list; the rest are counted
    /// (``TaskEventBatch/Discard/batchLimit``). Celery flushes its buffer far more often.
    public static let maximumEventsPerBatch = 1_000
    /// Nesting allowed in a task event message: the envelope is 3 deep (`properties.delivery_info`),
    /// a batch 2; deeper input is an error before it allocates.
    public static let taskEventMaxDepth = 8
    /// Longest `uuid` accepted (Celery's are 36 bytes).
    static let maximumTaskIDBytes = 255

    /// Decodes a `task.*` message: kombu's envelope around one event object (`task.sent`) or a
    /// JSON list of them (`task.multi`). Bad elements of a list are counted in the batch, not
    /// fatal to the rest; a bad message as a whole throws.
    public static func decodeTaskEnvelope(_ payload: [UInt8]) throws(CeleryEventDecodingError) -> TaskEventBatch {
        guard payload.count <= maximumTaskEventBytes else {
            throw .tooLarge(payload.count, limit: maximumTaskEventBytes)
        }
        let envelope = try parseJSON(payload, maxDepth: taskEventMaxDepth, maxBytes: maximumTaskEventBytes)
        guard envelope.objectValue != nil else { throw .notJSON("envelope is not an object") }
        guard let body = try envelopeBody(envelope, maxDepth: taskEventMaxDepth, maxBytes: maximumTaskEventBytes)
        else { throw .missingBody }
        return decodeTaskBody(body)
    }

    /// The events of a decoded body: one object or a list of them.
    public static func decodeTaskBody(_ body: JSONValue) -> TaskEventBatch {
        var batch = TaskEventBatch(events: [])
        let items: [JSONValue]
        switch body {
        case .array(let list): items = list
        default: items = [body]
        }
        for (index, item) in items.enumerated() {
            guard index < maximumEventsPerBatch else {
                batch.discarded[.batchLimit, default: 0] += items.count - index
                break
            }
            switch decodeTaskEvent(item) {
            case .event(let event): batch.events.append(event)
            case .discarded(let reason): batch.discarded[reason, default: 0] += 1
            }
        }
        return batch
    }

    /// One element of a batch: the event, or the reason it is counted as discarded (a metric
    /// label, not an error, so not a `Result`).
    enum DecodedTaskEvent {
        case event(TaskEvent)
        case discarded(TaskEventBatch.Discard)
    }

    /// One event object; its fields are read with types checked, and nonsense values (negative or
    /// non-finite times, negative retries) are dropped rather than trusted.
    static func decodeTaskEvent(_ item: JSONValue) -> DecodedTaskEvent {
        guard item.objectValue != nil, let type = item["type"]?.stringValue,
            let taskID = item["uuid"]?.stringValue, !taskID.isEmpty, taskID.utf8.count <= maximumTaskIDBytes
        else { return .discarded(.malformed) }
        guard let kind = TaskEvent.Kind(rawValue: type) else { return .discarded(.unknownType) }
        func time(_ key: String) -> Double? {
            item[key]?.doubleValue.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        }
        let name = item["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let retries = item["retries"]?.intValue.flatMap { $0 >= 0 ? $0 : nil }
        let eta = item["eta"]?.stringValue.flatMap { $0.utf8.count <= 64 ? ISO8601Timestamp.parse($0) : nil }
        let exception = item["exception"]?.stringValue.flatMap(TaskEvent.exceptionType(fromRepr:))
        return .event(
            TaskEvent(
                kind: kind, taskID: taskID, name: name, retries: retries, eta: eta, timestamp: time("timestamp"),
                runtime: kind == .succeeded ? time("runtime") : nil, exceptionType: kind == .failed ? exception : nil))
    }
}
