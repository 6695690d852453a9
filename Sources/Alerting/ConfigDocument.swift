import Yams

/// One configuration file read as YAML: the one place that turns a file's text into nodes that
/// throw ``ConfigError`` with the file, line and key path. The web configuration, the targets file
/// and their successors walk it with ``ConfigValue``'s typed accessors instead of each keeping
/// its own walker and error type.
///
/// Parsing goes through ``YAMLLoader`` (its size, depth and key-shape limits apply).
public struct ConfigDocument: Sendable {
    /// The file as given (shown in errors).
    public let file: String
    /// The flag that named it (shown as `--flag=file`), or nil.
    public let flag: String?
    /// The file's directory with a trailing `/`, or empty: relative paths inside the file are
    /// relative to it (as exporter-toolkit and Prometheus do).
    public let baseDirectory: String

    /// A document for `file`, named in errors as `--flag=file`.
    public init(file: String, flag: String?) {
        self.file = file
        self.flag = flag
        if let slash = file.lastIndex(of: "/") {
            baseDirectory = String(file[...slash])
        } else {
            baseDirectory = ""
        }
    }

    /// The document's root, or nil for an empty document (or one that is only `null`).
    public func root(yaml: String) throws(ConfigError) -> ConfigValue? {
        let node: Node?
        do {
            node = try YAMLLoader.compose(yaml)
        } catch {
            throw ConfigError(
                file: file, flag: flag, line: error.line, column: error.column, keyPath: "",
                message: "invalid YAML: \(error.reason)")
        }
        guard let node else { return nil }
        let value = ConfigValue(node: node, keyPath: "", document: self)
        return value.isNull ? nil : value
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
