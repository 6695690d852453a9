/// Why a YAML configuration file could not be read as YAML: where (1-based line and column, when
/// known) and a reason that never quotes the file. Yams' own error text carries the offending line
/// and a caret under it; a configuration line may hold a webhook URL or a token, so it must not
/// reach a log line, an HTTP response or a start-up error.
public struct YAMLLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known.
    public var column: Int?
    /// What is wrong, in words that never include the document's text.
    public var reason: String

    /// Creates an error.
    public init(line: Int?, column: Int?, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `line 3, column 7: YAML syntax error: …`, or the reason alone when the place is unknown.
    public var description: String {
        switch (line, column) {
        case (let line?, let column?): return "line \(line), column \(column): \(reason)"
        case (let line?, nil): return "line \(line): \(reason)"
        default: return reason
        }
    }
}
