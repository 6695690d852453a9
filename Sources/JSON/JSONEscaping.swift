/// Which characters ``JSONWriter`` escapes beyond what JSON requires.
///
/// JSON itself requires `"`, `\` and the controls below U+0020; the writer always writes those as
/// `\"`, `\\`, `\n`, `\r`, `\t` or `\u00XX` (lowercase hex). The options add:
public struct JSONEscaping: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`, as
    /// Go's `encoding/json` writes them by default: Prometheus's and Alertmanager's bodies are
    /// byte-identical to ours, and the text is safe inside an HTML `<script>` element and in
    /// JavaScript source (no `</script>`, no `<!--`, no line terminators).
    public static let htmlSafe = JSONEscaping(rawValue: 1 << 0)
    /// DEL (U+007F) as `\u007f`, so the status page's embedded JSON carries no invisible control.
    public static let delete = JSONEscaping(rawValue: 1 << 1)

    /// DEL, the C1 controls (U+0080 to U+009F, NEL among them), U+2028 and U+2029 as `\u` escapes:
    /// JSON allows them raw, but terminals act on them and log viewers break lines at NEL, LS and
    /// PS, so text from outside could forge or hide log lines.
    public static let lineSafe = JSONEscaping(rawValue: 1 << 2)

    /// What JSON requires and nothing more.
    public static let plain: JSONEscaping = []
    /// Log lines: what JSON requires plus ``lineSafe`` (one line per event, no terminal controls).
    public static let logLine: JSONEscaping = [.lineSafe]
    /// Go `encoding/json`'s output (Prometheus and Alertmanager APIs, notification payloads).
    public static let goEncodingJSON: JSONEscaping = [.htmlSafe]
}
