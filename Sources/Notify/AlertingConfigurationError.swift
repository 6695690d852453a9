/// A problem in the `--alerting.config` file: which file, where, which key and what was expected.
///
/// The message never contains a secret: file contents (URLs, keys) are not quoted.
public struct AlertingConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The configuration file.
    public let file: String
    /// The 1-based line of the offending node, when known.
    public let line: Int?
    /// The 1-based column, when known (YAML syntax errors).
    public let column: Int?
    /// The key path, e.g. `receivers[0].webhook_configs[1].url`.
    public let keyPath: String
    /// What is wrong and what was expected.
    public let message: String

    /// Creates an error.
    public init(file: String, line: Int?, column: Int? = nil, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `file:line[:column]: key.path: message`.
    public var description: String {
        var location = line.map { "\(file):\($0)" } ?? file
        if line != nil, let column { location += ":\(column)" }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}
