import Celery
import JSON
import Logging
import Synchronization
import Testing

@testable import Exporter

/// Anyone who can `PUBLISH` chooses text that reaches log lines (a channel name in "undecodable
/// Celery Pub/Sub message", a worker host name in the eviction warning). Swift treats "\r\n" as one
/// `Character`, equal to neither "\r" nor "\n", so the logfmt writer wrote it raw and a forged
/// channel produced a second, forged log line; ESC, DEL, C1, NEL and U+2028/2029 went out raw too.
@Suite struct LogLineForgingTests {
    /// Renders every event as `StructuredLogHandler.log(event:)` does, into memory.
    final class RenderedLines: Sendable {
        let format: ExporterConfiguration.LogFormat
        private let lines = Mutex<[String]>([])
        init(format: ExporterConfiguration.LogFormat) { self.format = format }
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        func logger() -> Logger { Logger(label: "events") { _ in Handler(sink: self) } }

        struct Handler: LogHandler {
            let sink: RenderedLines
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .debug
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                sink.append(
                    StructuredLogHandler.render(
                        timestamp: "T", level: event.level, logger: "events", message: event.message.description,
                        fields: metadata.merging(event.metadata ?? [:]) { _, new in new }, format: sink.format))
            }
        }
    }

    /// The scalars that must never be written raw: C0, DEL, C1, U+2028, U+2029.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || scalar.value == 0x2028
            || scalar.value == 0x2029
    }

    /// Exactly one line: a single newline, at the end, and no other unsafe scalar anywhere.
    static func isOneSafeLine(_ line: String) -> Bool {
        guard line.hasSuffix("\n") else { return false }
        return !line.unicodeScalars.dropLast().contains(where: isUnsafe)
    }

    /// The value of `key` in a logfmt line, unquoted as go-logfmt reads it (`\"`, `\\`, `\n`,
    /// `\r`, `\t`, `\uXXXX`); nil when absent or malformed.
    static func logfmtValue(_ key: String, in line: String) -> String? {
        let scalars = Array(line.unicodeScalars)
        let needle = Array(" \(key)=".unicodeScalars)
        guard
            let start = (0...(scalars.count - needle.count)).first(where: {
                Array(scalars[$0..<($0 + needle.count)]) == needle
            })
        else { return nil }
        var i = start + needle.count
        var out = String.UnicodeScalarView()
        guard i < scalars.count, scalars[i] == "\"" else {
            while i < scalars.count, scalars[i] != " ", scalars[i] != "\n" {
                out.append(scalars[i])
                i += 1
            }
            return String(out)
        }
        i += 1
        while i < scalars.count {
            let s = scalars[i]
            if s == "\"" { return String(out) }
            if s == "\\" {
                guard i + 1 < scalars.count else { return nil }
                let e = scalars[i + 1]
                i += 2
                switch e {
                case "\"", "\\", "/": out.append(e)
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    guard i + 4 <= scalars.count,
                        let v = UInt32(String(String.UnicodeScalarView(scalars[i..<(i + 4)])), radix: 16),
                        let u = Unicode.Scalar(v)
                    else { return nil }
                    out.append(u)
                    i += 4
                default: return nil
                }
                continue
            }
            out.append(s)
            i += 1
        }
        return nil
    }

    /// The auditor's forged channel through the real monitor: one line per event in both formats,
    /// no raw control, and the channel is recovered exactly by a logfmt or JSON reader.
    @Test(arguments: [ExporterConfiguration.LogFormat.logfmt, .json])
    func aForgedChannelNameYieldsExactlyOneLine(format: ExporterConfiguration.LogFormat) throws {
        let sink = RenderedLines(format: format)
        let monitor = CeleryEventMonitor(configuration: CeleryEventConfiguration(), logger: sink.logger(), clock: { 0 })
        let channel = "/0.celeryev/worker.x\r\nts=2026-12-06T00:00:00.000Z level=error msg=FORGED\u{1b}[31m"
        monitor.handle(channel: Array(channel.utf8), payload: Array("not json".utf8))
        let lines = sink.all
        #expect(lines.count == 1)
        guard let line = lines.first else { return }
        #expect(Self.isOneSafeLine(line), "\(line.debugDescription)")
        #expect(line.split(separator: "\n", omittingEmptySubsequences: false).count == 2)
        switch format {
        case .logfmt:
            #expect(Self.logfmtValue("channel", in: line) == channel)
        case .json:
            let object = try JSONValue.parse(Array(line.dropLast().utf8))
            #expect(object["channel"]?.stringValue == channel)
        }
    }

    /// Every unsafe scalar, alone and as "\r\n", in a value, a message and a key, in both formats.
    @Test func everyControlAndSeparatorIsEscapedInBothFormats() throws {
        var specials = (0..<0x20).map { String(Unicode.Scalar(UInt8($0))) }
        specials += [0x7F, 0x85, 0x9B, 0x9F, 0x2028, 0x2029].map { String(Unicode.Scalar($0)!) }
        specials += ["\r\n", "\u{1b}[2J"]
        for special in specials {
            let text = "a\(special)b"
            let logfmt = StructuredLogHandler.render(
                timestamp: "T", level: .warning, logger: "l", message: text,
                fields: ["k": "\(text)", "k\(special)": "v"],
                format: .logfmt)
            #expect(Self.isOneSafeLine(logfmt), "logfmt \(special.debugDescription): \(logfmt.debugDescription)")
            #expect(Self.logfmtValue("k", in: logfmt) == text, "\(special.debugDescription)")
            #expect(Self.logfmtValue("msg", in: logfmt) == text, "\(special.debugDescription)")
            let json = StructuredLogHandler.render(
                timestamp: "T", level: .warning, logger: "l", message: text, fields: ["k": "\(text)"], format: .json)
            #expect(Self.isOneSafeLine(json), "json \(special.debugDescription): \(json.debugDescription)")
            let object = try JSONValue.parse(Array(json.dropLast().utf8))
            #expect(object["k"]?.stringValue == text && object["msg"]?.stringValue == text)
        }
        // Plain values stay bare; printable non-ASCII is not escaped.
        let plain = StructuredLogHandler.render(
            timestamp: "T", level: .info, logger: "l", message: "ok", fields: ["w": "wörker@höst"], format: .logfmt)
        #expect(plain == "ts=T level=info logger=l msg=ok w=wörker@höst\n")
    }
}
