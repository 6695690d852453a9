import Foundation
import Logging

/// Collects log messages so tests can assert that a persistent problem is logged once.
final class LogRecorder: @unchecked Sendable {
    // @unchecked: `messages` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: [String] = []

    var messages: [String] { lock.withLock { stored } }
    func append(_ message: String) { lock.withLock { stored.append(message) } }

    /// A logger that writes into this recorder.
    func logger() -> Logger {
        Logger(label: "celery-test") { _ in RecordingLogHandler(recorder: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let key = event.metadata?["key"].map { " key=\($0)" } ?? ""
        recorder.append("\(event.level) \(event.message)\(key)")
    }
}
