import CYAML

/// Builds a ``YAMLNode`` tree from libyaml's events with an explicit stack (no recursion), checking
/// ``YAMLLoader``'s limits as each event arrives: depth, expanded size, key shapes, duplicate keys,
/// undefined aliases and a second document.
struct YAMLComposer {
    /// A collection still open.
    private struct Frame {
        let isMapping: Bool
        let line: Int
        let column: Int
        let anchor: String?
        var items: [YAMLNode] = []
        var entries: [(key: YAMLNode, value: YAMLNode)] = []
        /// The key whose value comes next (mappings).
        var pendingKey: YAMLNode? = nil
        /// Each key's first node, to name the first place when a key comes again.
        var keys: [String: YAMLNode] = [:]
        /// Nodes below this one with aliases expanded, plus itself.
        var expandedSize = 1
    }

    private let document: ConfigDocument
    private var stack: [Frame] = []
    /// Anchored nodes and their expanded sizes, registered once complete (so an alias inside its
    /// own anchor is undefined, not a cycle).
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var documents = 0
    /// The document's root, once complete.
    private(set) var root: YAMLNode? = nil

    init(document: ConfigDocument) {
        self.document = document
    }

    private func fail(_ event: yaml_event_t, _ message: String) -> ConfigError {
        document.error(line: event.start_mark.line + 1, column: event.start_mark.column + 1, message: message)
    }

    /// Whether the next node completes a key (so it must be a scalar).
    private var expectsKey: Bool {
        guard let top = stack.last else { return false }
        return top.isMapping && top.pendingKey == nil
    }

    mutating func accept(_ event: yaml_event_t) throws(ConfigError) {
        let line = event.start_mark.line + 1
        let column = event.start_mark.column + 1
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 { throw fail(event, "YAML syntax error: expected a single document in the stream") }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = data.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self)
            }
            let scalar = YAMLNode.Scalar(
                text: text ?? "", isPlain: data.style == YAML_PLAIN_SCALAR_STYLE, tag: Self.string(data.tag))
            let node = YAMLNode(content: .scalar(scalar), line: line, column: column)
            register(Self.string(data.anchor), node, size: 1)
            try add(node, size: 1, event)
        case YAML_ALIAS_EVENT:
            if expectsKey { throw refusedKey(event) }
            guard let name = Self.string(event.data.alias.anchor), let anchored = anchors[name] else {
                throw fail(event, "YAML syntax error: found undefined alias")
            }
            try add(anchored.node, size: anchored.size, event)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if expectsKey { throw refusedKey(event) }
            guard stack.count < YAMLLoader.maximumDepth else {
                throw fail(event, "YAML nested deeper than \(YAMLLoader.maximumDepth) levels")
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = Self.string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
            stack.append(Frame(isMapping: isMapping, line: line, column: column, anchor: anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let node = YAMLNode(
                content: frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items), line: frame.line,
                column: frame.column)
            register(frame.anchor, node, size: frame.expandedSize)
            try add(node, size: frame.expandedSize, event)
        default:
            break  // stream start, document end: nothing to build
        }
    }

    private func refusedKey(_ event: yaml_event_t) -> ConfigError {
        fail(
            event,
            "a mapping key that is an alias or a collection is not supported (keys must be plain or quoted strings)")
    }

    private mutating func register(_ anchor: String?, _ node: YAMLNode, size: Int) {
        if let anchor { anchors[anchor] = (node, size) }
    }

    /// Adds a complete node to the open collection (or makes it the root).
    private mutating func add(_ node: YAMLNode, size: Int, _ event: yaml_event_t) throws(ConfigError) {
        guard var top = stack.popLast() else {
            root = node
            return
        }
        top.expandedSize += size
        guard top.expandedSize <= YAMLLoader.maximumExpandedNodes else {
            throw fail(
                event,
                "aliases expand to more than \(YAMLLoader.maximumExpandedNodes) nodes (an alias bomb?); "
                    + "use fewer or smaller aliases")
        }
        if !top.isMapping {
            top.items.append(node)
        } else if let key = top.pendingKey {
            top.entries.append((key, node))
            top.pendingKey = nil
        } else {
            // Keys are scalars here: aliases and collections were refused where they started.
            let text = node.scalar?.text ?? ""
            if let first = top.keys[text] {
                throw document.error(
                    line: first.line, column: first.column, message: "a key is given twice in one mapping")
            }
            top.keys[text] = node
            top.pendingKey = node
        }
        stack.append(top)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
