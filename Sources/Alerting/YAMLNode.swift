/// One node of a YAML document as ``YAMLLoader`` composes it: a scalar, a sequence or a mapping,
/// with the 1-based line and column where it starts.
///
/// A value type whose collections are arrays: an alias shares the anchored node's storage instead
/// of copying it, so composing costs what the text costs; walking an alias costs what its expansion
/// costs, which ``YAMLLoader`` bounds.
public struct YAMLNode: Sendable {
    /// A scalar's text and how it was written.
    public struct Scalar: Sendable {
        /// The text after YAML's quoting, escaping and folding rules.
        public let text: String
        /// Whether it was written plain (unquoted, not a block scalar): only plain scalars are
        /// read as null or as numbers.
        public let isPlain: Bool
        /// The explicit tag (`!!null` arrives as `tag:yaml.org,2002:null`), or nil.
        public let tag: String?
    }

    /// What the node holds.
    public indirect enum Content: Sendable {
        case scalar(Scalar)
        case sequence([YAMLNode])
        /// Entries in the file's order; keys are always scalars (``YAMLLoader`` refuses others).
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    /// The content.
    public let content: Content
    /// The 1-based line where the node starts.
    public let line: Int
    /// The 1-based column where the node starts.
    public let column: Int

    /// The scalar, or nil for a collection.
    public var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The items, or nil when the node is not a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The entries, or nil when the node is not a mapping.
    public var mapping: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }
}
