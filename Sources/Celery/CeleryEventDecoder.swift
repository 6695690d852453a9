import JSON
import TLS

/// Turns a Pub/Sub message on one of Celery's channels into a ``CeleryEvent``.
///
/// Task events (`task.*` channels) are decoded in `CeleryEventDecoder+TaskEvents.swift`.
///
/// Pure and total: any byte sequence yields an event, nil (a channel or event type the exporter
/// does not use) or a ``CeleryEventDecodingError``; nothing traps.
///
/// - Result channels carry the meta JSON exactly as stored in the key.
/// - Worker channels carry kombu's envelope `{"body": …, "content-type": …, "properties":
///   {"body_encoding": "base64", …}}` whose body is base64 of the event JSON. A body that is
///   plain JSON text (`body_encoding` absent or not base64) or already an object is accepted too.
public struct CeleryEventDecoder: Sendable {
    /// The channel names to recognise.
    public let channels: CeleryEventChannels

    /// How kombu's `body_encoding: base64` bodies are read: Python's `b64encode` writes the
    /// standard alphabet with `=` padding and no line breaks; missing padding and ASCII whitespace
    /// cost nothing to tolerate, anything else is an error, never a guess.
    static let kombuBase64: Base64.DecodingOptions = [.paddingOptional, .ignoringWhitespace]

    /// Most bytes of one worker event message (the whole envelope). Real ones are under 1 KB: a
    /// celery 5.7 heartbeat is 694 bytes, its base64 body included (Tests/CeleryTests/
    /// EventsCapturedTraffic.swift). The limit leaves room for fields other tools add and bounds
    /// what a forged message costs: a parsed JSON tree takes up to about 17 times the text, so
    /// the 16 MiB the subscriber lets through once took 280 MB. Larger messages are counted as
    /// decode errors unread.
    public static let maximumWorkerEventBytes = 64 * 1024
    /// Nesting allowed in a worker event message and in its decoded body: the envelope is 3 deep
    /// (`properties.delivery_info`), the body 2 (`loadavg`); deeper input is an error before it
    /// allocates.
    public static let workerEventMaxDepth = 8

    /// Creates a decoder for `channels`.
    public init(channels: CeleryEventChannels) {
        self.channels = channels
    }

    /// The event of a message; nil for channels and event types that carry nothing used here.
    public func decode(channel: [UInt8], payload: [UInt8]) throws(CeleryEventDecodingError) -> CeleryEvent? {
        switch channels.classify(channel) {
        case .result(let taskID):
            return .taskResult(try CeleryEventDecoder.decodeResult(taskID: taskID, payload: payload))
        case .worker:
            return try CeleryEventDecoder.decodeWorkerEnvelope(payload).map { .worker($0) }
        case .task:
            return .tasks(try CeleryEventDecoder.decodeTaskEnvelope(payload))
        case .other:
            return nil
        }
    }

    /// Decodes a result write: `status` is required; `name` (result_extended) and, for FAILURE,
    /// `result.exc_type` are read when present. The payload is walked once by ``TaskMetaScanner``
    /// (nothing is built for the result, traceback or args it skips), so a message carrying a
    /// multi-megabyte result costs no memory beyond its own bytes.
    public static func decodeResult(taskID: String, payload: [UInt8]) throws(CeleryEventDecodingError)
        -> CeleryEvent.TaskResult
    {
        let fields: TaskMetaScanner.Fields
        switch TaskMetaScanner.scan(payload, whole: true) {
        case .complete(let found): fields = found
        case .malformed(let error): throw .notJSON(error.description)
        case .truncated: throw .notJSON(JSONError(.unexpectedEnd, at: payload.count).description)
        }
        guard let status = fields.status else { throw .missingStatus }
        let state = TaskMetaState(status: status)
        let name = fields.name.flatMap { $0.isEmpty ? nil : $0 }
        let workerLost = state == .failure && fields.excType == "WorkerLostError"
        let exceptionType = state == .failure ? fields.excType.flatMap { $0.isEmpty ? nil : $0 } : nil
        return CeleryEvent.TaskResult(
            taskID: taskID, state: state, taskName: name, workerLost: workerLost, exceptionType: exceptionType)
    }

    /// Decodes kombu's envelope and the worker event inside; nil for event types other than
    /// worker-online/heartbeat/offline. Messages over ``maximumWorkerEventBytes`` or nested deeper
    /// than ``workerEventMaxDepth`` are errors.
    public static func decodeWorkerEnvelope(_ payload: [UInt8]) throws(CeleryEventDecodingError)
        -> CeleryEvent.Worker?
    {
        guard payload.count <= maximumWorkerEventBytes else {
            throw .tooLarge(payload.count, limit: maximumWorkerEventBytes)
        }
        let envelope = try parseJSON(payload, maxDepth: workerEventMaxDepth, maxBytes: maximumWorkerEventBytes)
        guard envelope.objectValue != nil else { throw .notJSON("envelope is not an object") }
        let body: JSONValue
        if let inner = try envelopeBody(envelope, maxDepth: workerEventMaxDepth, maxBytes: maximumWorkerEventBytes) {
            body = inner
        } else {
            // Not an envelope: a bare event object published by some other tool.
            guard envelope["hostname"] != nil else { throw .missingBody }
            body = envelope
        }
        return try decodeWorkerBody(body)
    }

    /// The event body inside kombu's envelope object (base64 text, plain JSON text, or an object
    /// or list already); nil when the envelope has no `body` at all.
    /// `maxDepth` and `maxBytes` bound the decoded body (each caller states its own: the JSON
    /// parser's defaults are sized for 64 MiB Redis replies, not for Pub/Sub messages).
    static func envelopeBody(
        _ envelope: JSONValue, maxDepth: Int, maxBytes: Int
    ) throws(CeleryEventDecodingError) -> JSONValue? {
        if let type = envelope["content-type"]?.stringValue, !type.lowercased().hasSuffix("json") {
            throw .unsupportedContentType(type)
        }
        switch envelope["body"] {
        case .string(let text)?:
            let declared = envelope["properties"]?["body_encoding"]?.stringValue
            if declared == "base64" {
                guard let bytes = Base64.decode(text.utf8, options: Self.kombuBase64) else { throw .invalidBase64 }
                return try parseJSON(bytes, maxDepth: maxDepth, maxBytes: maxBytes)
            } else if let plain = try? JSONValue.parse(Array(text.utf8), maxDepth: maxDepth, maxBytes: maxBytes) {
                return plain
            } else if let bytes = Base64.decode(text.utf8, options: Self.kombuBase64) {
                // No encoding declared but not JSON: try base64 before giving up.
                return try parseJSON(bytes, maxDepth: maxDepth, maxBytes: maxBytes)
            } else {
                throw .notJSON("body is neither JSON nor base64")
            }
        case .object(let object)?:
            return .object(object)
        case .array(let array)?:
            return .array(array)
        default:
            return nil
        }
    }

    /// Reads a worker event body (`hostname`, `freq`, `active`, `processed`, `pid`, `clock`, `type`).
    public static func decodeWorkerBody(_ body: JSONValue) throws(CeleryEventDecodingError) -> CeleryEvent.Worker? {
        guard body.objectValue != nil else { throw .notJSON("event body is not an object") }
        guard let type = body["type"]?.stringValue, let kind = CeleryEvent.Worker.Kind(rawValue: type) else {
            return nil
        }
        guard let hostname = body["hostname"]?.stringValue, !hostname.isEmpty else { throw .missingHostname }
        let frequency = body["freq"]?.doubleValue.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        let active = body["active"]?.intValue.flatMap { $0 >= 0 ? $0 : nil }
        let processed = body["processed"]?.intValue.flatMap { $0 >= 0 ? $0 : nil }
        let pid = body["pid"]?.intValue.flatMap { $0 > 0 ? $0 : nil }
        let clock = body["clock"]?.intValue.flatMap { $0 >= 0 ? $0 : nil }
        return CeleryEvent.Worker(
            kind: kind, hostname: hostname, frequency: frequency, active: active, processed: processed, pid: pid,
            clock: clock)
    }

    /// `bytes` parsed within `maxDepth` and `maxBytes` (no defaults: see ``envelopeBody(_:maxDepth:maxBytes:)``).
    static func parseJSON(
        _ bytes: [UInt8], maxDepth: Int, maxBytes: Int
    ) throws(CeleryEventDecodingError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes, maxDepth: maxDepth, maxBytes: maxBytes)
        } catch {
            throw .notJSON(error.description)
        }
    }
}
