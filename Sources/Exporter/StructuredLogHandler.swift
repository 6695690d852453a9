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

    /// A key with every character that would end it or break the line (space, `=`, `"`, and the
    /// scalars ``mustEscape(_:)`` names) replaced by `_`.
    static func logfmtKey(_ key: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            out.append(scalar == " " || scalar == "=" || scalar == "\"" || mustEscape(scalar) ? "_" : scalar)
        }
        return String(out)
    }

    /// A value as logfmt writes it: bare when it holds nothing special, else quoted with `"` and
    /// `\` escaped, `\n`, `\r`, `\t` as such and every other scalar of ``mustEscape(_:)`` as
    /// `\u00XX`/`\u2028` (the escapes go-logfmt's decoder reads). Walks Unicode scalars, not
    /// `Character`s: Swift's "\r\n" is one `Character` equal to neither "\r" nor "\n", and once
    /// went out raw, so a channel name from any publisher could forge a log line.
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || mustEscape($0)
            }
        guard needsQuotes else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where mustEscape(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Scalars never written raw in a log line, in either format: C0 controls (newline, carriage
    /// return and ESC among them), DEL, C1 controls (NEL among them), and the line and paragraph
    /// separators U+2028/U+2029. Raw, they end a line early or drive the reader's terminal.
    static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// A JSON string literal escaping the same scalars as ``mustEscape(_:)`` (``JSONEscaping/logLine``).
    static func jsonString(_ value: String) -> String { JSONWriter.quoted(value, escaping: .logLine) }

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
