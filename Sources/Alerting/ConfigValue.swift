/// A node of a ``ConfigDocument`` with its key path: typed accessors that either return the value
/// or throw a ``ConfigError`` naming the file, the node's line and the key path, never the text.
public struct ConfigValue {
    /// The YAML node.
    public let node: YAMLNode
    /// Where it is, e.g. `targets[0].queues`; empty for the root.
    public let keyPath: String
    /// The document it belongs to.
    public let document: ConfigDocument

    /// The node's 1-based line, when known.
    public var line: Int? { node.line }
    /// The node's 1-based column.
    public var column: Int { node.column }

    /// The scalar's text, or nil for a mapping or a list (a null reads as empty).
    public var scalarText: String? { node.scalar?.text }
    /// Whether the node is a mapping (a null is not).
    public var isMapping: Bool { node.mapping != nil }

    /// The mapping's entries as written, or nil when the node is not a mapping (a null included):
    /// for readers that check keys their own way.
    public var entries: [ConfigMapping.Entry]? {
        node.mapping?.map { key, value in
            let keyText = key.scalar?.text ?? ""
            let keyPath = child(ConfigDocument.shown(keyText))
            return ConfigMapping.Entry(
                key: keyText, keyNode: ConfigValue(node: key, keyPath: keyPath, document: document),
                value: ConfigValue(node: value, keyPath: keyPath, document: document))
        }
    }

    /// The sequence's items, or nil when the node is not a sequence.
    public var items: [ConfigValue]? {
        node.sequence?.enumerated().map {
            ConfigValue(node: $0.element, keyPath: keyPath + "[\($0.offset)]", document: document)
        }
    }

    /// An error at this node.
    public func fail(_ message: String) -> ConfigError {
        ConfigError(file: document.file, flag: document.flag, line: line, keyPath: keyPath, message: message)
    }

    /// Whether the node is YAML's null (`~`, `null`, an empty plain value).
    public var isNull: Bool {
        guard let scalar = node.scalar else { return false }
        return scalar.tag == "tag:yaml.org,2002:null"
            || (scalar.isPlain && ["", "~", "null", "Null", "NULL"].contains(scalar.text))
    }

    /// The mapping at this node, its keys checked: `allowed` (nil: any string key) and `refused`
    /// (key → why, for keys that look right but are not accepted). A null node is an empty mapping.
    public func mapping(allowed: [String]?, refused: [String: String] = [:]) throws(ConfigError) -> ConfigMapping {
        if isNull { return ConfigMapping(entries: []) }
        guard let all = entries else { throw fail("expected a mapping") }
        for entry in all {
            if let why = refused[entry.key] { throw entry.keyNode.fail(why) }
            if let allowed, !allowed.contains(entry.key) {
                throw entry.keyNode.fail("unknown key; expected one of: \(allowed.joined(separator: ", "))")
            }
        }
        return ConfigMapping(entries: all)
    }

    /// The items of the sequence at this node (`what` names them in the error).
    public func sequence(of what: String) throws(ConfigError) -> [ConfigValue] {
        guard let items else { throw fail("expected a list of \(what)") }
        return items
    }

    /// The scalar's text (a null reads as empty); a mapping or a list is an error.
    public func string() throws(ConfigError) -> String {
        guard let text = scalarText else { throw fail("expected a string") }
        return text
    }

    /// A single value that is given: a mapping, a list or null is an error (null means "left
    /// out" in YAML, and a left-out key is spelled by leaving it out).
    public func value() throws(ConfigError) -> String {
        guard let text = scalarText else { throw fail("expected a single value, not a mapping or a list") }
        guard !isNull else { throw fail("expected a value (leave the key out to keep the default)") }
        return text
    }

    /// A scalar that is not empty.
    public func nonEmptyString() throws(ConfigError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw fail("must not be empty") }
        return text
    }

    /// `true` or `false` (YAML 1.2's spellings).
    public func bool() throws(ConfigError) -> Bool {
        switch scalarText {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw fail("expected true or false")
        }
    }

    private func child(_ key: String) -> String {
        keyPath.isEmpty ? key : keyPath + "." + key
    }
}

/// A mapping's entries in the file's order, each with its key node (for errors about the key).
public struct ConfigMapping {
    /// One key and its value.
    public struct Entry {
        public let key: String
        public let keyNode: ConfigValue
        public let value: ConfigValue
    }

    /// The entries in the file's order.
    public let entries: [Entry]

    /// Whether the mapping has no entries.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value of `key`, if present.
    public subscript(key: String) -> ConfigValue? { entries.first { $0.key == key }?.value }
}
