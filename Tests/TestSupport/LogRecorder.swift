import Logging
import Synchronization

/// Collects log lines so tests can assert on them: that a persistent problem is logged once, that
/// a secret never reaches a line. Each line is `level message` then every metadata pair (the
/// event's and the logger's) as ` key=value`, sorted by key.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// Every line logged so far, oldest first.
    public var messages: [String] { lines.withLock { $0 } }

    /// A logger that writes into this recorder.
    public func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(recorder: self) }
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }
}

/// The `LogHandler` behind `LogRecorder.logger(label:)`.
struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = (event.metadata ?? [:]).merging(metadata) { fromEvent, _ in fromEvent }
        let pairs = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        recorder.append("\(event.level) \(event.message)\(pairs)")
    }
}
