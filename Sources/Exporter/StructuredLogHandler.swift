import JSON
import Logging
import Sockets

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler that writes one line per event to standard error, as logfmt
/// (`ts=… level=info msg="…" key=value`) or as a JSON object, the two formats Prometheus
/// exporters use. Lines are written with one `write(2)` each, so threads never interleave.
public struct StructuredLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let label: String
    private let format: ExporterConfiguration.LogFormat

    /// A handler for `label` (shown as `logger=`) at `level` in `format`.
    public init(label: String, level: Logger.Level, format: ExporterConfiguration.LogFormat) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let line = Self.render(
            timestamp: Self.timestamp(), level: event.level, logger: label,
            message: event.message.description, fields: fields, format: format)
        line.utf8CString.withUnsafeBufferPointer { buffer in
            _ = write(STDERR_FILENO, buffer.baseAddress, buffer.count - 1)
        }
    }

    /// Renders one line (with its newline); separate from I/O so tests can check the text.
    public static func render(
        timestamp: String, level: Logger.Level, logger: String, message: String,
        fields: Logger.Metadata, format: ExporterConfiguration.LogFormat
    ) -> String {
        let levelText = level == .warning ? "warn" : (level == .critical ? "error" : level.rawValue)
        let sortedFields = fields.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") }
        switch format {
        case .logfmt:
            var out = "ts=\(timestamp) level=\(levelText) logger=\(logfmtValue(logger)) msg=\(logfmtValue(message))"
            for (key, value) in sortedFields { out += " \(logfmtKey(key))=\(logfmtValue(value))" }
            return out + "\n"
        case .json:
            var out = "{\"ts\":\(jsonString(timestamp)),\"level\":\(jsonString(levelText)),"
            out += "\"logger\":\(jsonString(logger)),\"msg\":\(jsonString(message))"
            for (key, value) in sortedFields { out += ",\(jsonString(key)):\(jsonString(value))" }
            return out + "}\n"
        }
    }

    static func logfmtKey(_ key: String) -> String {
        String(key.map { $0 == " " || $0 == "=" || $0 == "\"" ? "_" : $0 })
    }

    static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.isNewline }
        guard needsQuotes else { return value }
        var out = "\""
        for ch in value {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    static func jsonString(_ value: String) -> String { JSONWriter.quoted(value, escaping: .plain) }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-25T17:50:00.123Z`.
    static func timestamp() -> String {
        let now = WallClock.components()
        return rfc3339(seconds: now.seconds, milliseconds: now.nanoseconds / 1_000_000)
    }

    /// Formats Unix seconds as RFC 3339 UTC.
    public static func rfc3339(seconds: Int, milliseconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}

extension ExporterConfiguration.LogLevel {
    /// The swift-log level.
    public var loggerLevel: Logger.Level {
        switch self {
        case .debug: return .debug
        case .info: return .info
        case .warn: return .warning
        case .error: return .error
        }
    }
}
