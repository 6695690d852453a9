import Yams

/// The one way configuration YAML (rule files, the alerting configuration) is turned into a node
/// tree: bounded in size and shape before Yams sees it, and with errors that name a place and a
/// generic reason but never echo the document.
///
/// Limits: at most ``maximumBytes`` of text; nesting is capped at 1000 levels by the libyaml
/// inside Yams ("maximum nesting level reached"); keys that are aliases or collections are refused
/// by ``YAMLKeyScan`` because Yams hashes every key to find duplicates, and hashing an aliased
/// collection visits its whole expansion (a "billion laughs" key would take hours).
public enum YAMLLoader {
    /// Largest configuration document accepted (1 MiB): configuration, not data.
    public static let maximumBytes = 1 << 20

    /// Parses one YAML document; `nil` for an empty one.
    public static func compose(_ text: String) throws(YAMLLoadError) -> Node? {
        guard text.utf8.count <= maximumBytes else {
            throw YAMLLoadError(line: nil, column: nil, reason: "the file is larger than 1 MiB")
        }
        if let problem = YAMLKeyScan.firstComplexKey(in: text) { throw problem }
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw loadError(error, in: text)
        } catch {
            throw YAMLLoadError(line: nil, column: nil, reason: "cannot parse the YAML")
        }
    }

    /// Keeps the place and libyaml's fixed problem text (`did not find expected key`); drops the
    /// snippet, the context line and, for duplicated keys, the key names and the whole document
    /// that Yams' description includes.
    static func loadError(_ error: YamlError, in text: String) -> YAMLLoadError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml's own wording names a C function; say what the user can act on.
            if problem.hasPrefix("Maximum nesting level reached") {
                return YAMLLoadError(
                    line: mark.line, column: mark.column, reason: "YAML nested deeper than 1000 levels")
            }
            var reason = "YAML syntax error: " + bounded(problem)
            if let context {
                reason += " (\(bounded(context.text)) at line \(context.mark.line), column \(context.mark.column))"
            }
            return YAMLLoadError(line: mark.line, column: mark.column, reason: reason)
        case .reader(let problem, let offset, _, _):
            let place = offset.map { position(ofCharacter: $0, in: text) }
            return YAMLLoadError(
                line: place?.line, column: place?.column, reason: "YAML encoding error: " + bounded(problem))
        case .duplicatedKeysInMapping(_, let context):
            return YAMLLoadError(
                line: context.mark.line, column: context.mark.column, reason: "a key is given twice in one mapping")
        case .memory:
            return YAMLLoadError(line: nil, column: nil, reason: "out of memory while parsing the YAML")
        default:
            return YAMLLoadError(line: nil, column: nil, reason: "cannot parse the YAML")
        }
    }

    /// libyaml's problem and context texts are fixed C strings; the cap only guards against a future
    /// version that builds them from input.
    private static func bounded(_ text: String) -> String {
        text.count > 120 ? String(text.prefix(120)) + "…" : text
    }

    /// 1-based line and column of the character at `offset` (in Characters, as Yams counts it).
    private static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for (i, character) in text.enumerated() {
            if i == offset { break }
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
