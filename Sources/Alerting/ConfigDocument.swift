/// One configuration file read as YAML: the one place that turns a file's text into nodes that
/// throw ``ConfigError`` with the file, line and key path. The web configuration, the targets file,
/// the alerting configuration and the rule files walk it with ``ConfigValue``'s accessors instead
/// of each keeping its own walker and error type.
///
/// Parsing goes through ``YAMLLoader`` (its size, depth, alias and key-shape limits apply).
public struct ConfigDocument: Sendable {
    /// The file as given (shown in errors).
    public let file: String
    /// The flag that named it (shown as `--flag=file`), or nil.
    public let flag: String?
    /// The file's directory with a trailing `/`, or empty: relative paths inside the file are
    /// relative to it (as exporter-toolkit and Prometheus do).
    public let baseDirectory: String
    /// Put before the reason of a YAML syntax error: configuration files say `invalid YAML: `;
    /// rule files give the reason alone (`YAML syntax error: …`), as they always have.
    public let syntaxErrorPrefix: String

    /// A document for `file`, named in errors as `--flag=file`.
    public init(file: String, flag: String?, syntaxErrorPrefix: String = "invalid YAML: ") {
        self.file = file
        self.flag = flag
        self.syntaxErrorPrefix = syntaxErrorPrefix
        if let slash = file.lastIndex(of: "/") {
            baseDirectory = String(file[...slash])
        } else {
            baseDirectory = ""
        }
    }

    /// The document's root, or nil for an empty document (or one that is only `null`).
    public func root(yaml: String) throws(ConfigError) -> ConfigValue? {
        guard let value = try parse(yaml: yaml) else { return nil }
        return value.isNull ? nil : value
    }

    /// The document's root as written (a lone `null` is a null node), or nil when the text holds
    /// no document at all (empty, or only comments).
    public func parse(yaml: String) throws(ConfigError) -> ConfigValue? {
        let node: YAMLNode?
        do {
            node = try YAMLLoader.compose(yaml, document: self)
        } catch {
            var error = error
            error.message = syntaxErrorPrefix + error.message
            throw error
        }
        return node.map { ConfigValue(node: $0, keyPath: "", document: self) }
    }

    /// An error at the whole file (no line, no key).
    public func fail(_ message: String) -> ConfigError {
        ConfigError(file: file, flag: flag, line: nil, keyPath: "", message: message)
    }

    /// `path` resolved against the file's directory unless it is absolute.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory.isEmpty ? path : baseDirectory + path
    }

    /// A key or other document text as an error may show it: at most 32 characters, printable.
    /// Only for keys (names the reader expected a fixed set of), never for values.
    public static func shown(_ text: String) -> String {
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
        guard printable else { return "(unprintable key)" }
        return text.count > 32 ? String(text.prefix(32)) + "…" : text
    }
}
