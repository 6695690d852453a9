import CYAML

/// The one way configuration YAML (rule files, the alerting configuration, the web configuration,
/// the targets file) becomes a ``YAMLNode`` tree: libyaml's event parser, composed here with every
/// limit checked as the events arrive, and errors that name a place and a fixed reason, never the
/// document's text (a line may hold a webhook URL or a token).
///
/// Limits, each an error with the line and column where it was crossed:
/// - ``maximumBytes`` of text (callers also cap what they read);
/// - ``maximumDepth`` levels of nesting (libyaml itself keeps its stacks on the heap, and the
///   composer here is a loop, so depth never becomes recursion);
/// - ``maximumExpandedNodes``: the nodes the document holds with every alias expanded. Aliases
///   share storage, but the readers walk what they are given, so nine anchors of ten aliases
///   each ("billion laughs", under 1 KiB) would be 10⁹ visits. An alias-free document under the
///   byte limit holds at most about half a million nodes, so the cap refuses only alias bombs;
/// - mapping keys must be scalars (an alias or a collection as a key is refused: none of the
///   files has a use for one), and a key given twice in one mapping is an error, as before.
public enum YAMLLoader {
    /// Largest configuration document accepted (1 MiB): configuration, not data.
    public static let maximumBytes = 1 << 20
    /// Deepest nesting of sequences and mappings accepted.
    public static let maximumDepth = 1000
    /// Most nodes a document may hold with its aliases expanded.
    public static let maximumExpandedNodes = 1_000_000

    /// Parses one YAML document; nil when the text holds none (empty, or only comments).
    /// Errors are ``ConfigError``s of `document` whose message is the bare reason.
    public static func compose(_ text: String, document: ConfigDocument) throws(ConfigError) -> YAMLNode? {
        var text = text
        // withUTF8 rethrows untyped errors; carry the typed one out in a Result.
        let result = text.withUTF8 { bytes -> Result<YAMLNode?, ConfigError> in
            do throws(ConfigError) {
                return .success(try compose(bytes, document: document))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func compose(_ bytes: UnsafeBufferPointer<UInt8>, document: ConfigDocument) throws(ConfigError)
        -> YAMLNode?
    {
        guard bytes.count <= maximumBytes else {
            throw document.error(line: nil, column: nil, message: "the file is larger than 1 MiB")
        }
        // Empty text holds no document (and its buffer may have no address to hand to libyaml).
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            throw document.error(line: nil, column: nil, message: "out of memory while parsing the YAML")
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, base, bytes.count)
        // The encoding is left to libyaml: it is UTF-8 for any Swift string, and detecting it is
        // what consumes a byte order mark (set explicitly, the mark shifts line 1 by a column).
        var composer = YAMLComposer(document: document)
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) != 0 else {
                throw parseError(parser, bytes: bytes, document: document)
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { break }
            try composer.accept(event)
        }
        return composer.root
    }

    /// libyaml's problem texts are fixed C strings ("did not find expected key"); they are kept,
    /// with the place. Reader errors (bad encoding, control characters) carry a byte offset.
    private static func parseError(_ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>, document: ConfigDocument)
        -> ConfigError
    {
        let problem = parser.problem.map { bounded(String(cString: $0)) } ?? "cannot parse the YAML"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return document.error(line: nil, column: nil, message: "out of memory while parsing the YAML")
        case YAML_READER_ERROR:
            let place = position(ofByte: parser.problem_offset, in: bytes)
            return document.error(line: place.line, column: place.column, message: "YAML encoding error: " + problem)
        default:
            var reason = "YAML syntax error: " + problem
            if let context = parser.context {
                reason +=
                    " (\(bounded(String(cString: context))) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
            }
            return document.error(
                line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1, message: reason)
        }
    }

    /// The cap only guards against a future libyaml that builds its texts from input.
    private static func bounded(_ text: String) -> String {
        text.count > 120 ? String(text.prefix(120)) + "…" : text
    }

    /// 1-based line and column (in characters, as libyaml counts them) of the byte at `offset`.
    private static func position(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                column += 1
            }
        }
        return (line, column)
    }
}

extension ConfigDocument {
    /// An error of this document at a place (no key path).
    func error(line: Int?, column: Int?, message: String) -> ConfigError {
        ConfigError(file: file, flag: flag, line: line, column: column, keyPath: "", message: message)
    }
}
