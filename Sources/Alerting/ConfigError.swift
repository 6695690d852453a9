/// A configuration file that cannot be used: which file (and the flag that named it), the 1-based
/// line, the key path (`targets[2].redis_url`) and what is wrong. It never quotes a value: values
/// may be secrets (a password file's path is harmless, a webhook URL or a token is not), so the
/// message says what was expected, not what was found.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as given.
    public var file: String
    /// The flag that named the file (`web.config.file`), shown as `--flag=file`; nil: the file alone.
    public var flag: String?
    /// The 1-based line, when known.
    public var line: Int?
    /// Where in the document, e.g. `tls_server_config.cert_file` or `targets[0].queues[1]`; empty: the whole file.
    public var keyPath: String
    /// What is wrong, in words that never include the document's text.
    public var message: String

    /// Creates an error.
    public init(file: String, flag: String?, line: Int?, keyPath: String, message: String) {
        self.file = file
        self.flag = flag
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    /// `--flag=file: line N: key.path: message`, leaving out the parts that are unknown or empty.
    public var description: String {
        var text = flag.map { "--\($0)=\(file): " } ?? "\(file): "
        if let line { text += "line \(line): " }
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }
}
