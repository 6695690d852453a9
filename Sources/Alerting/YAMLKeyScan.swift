/// A single pass over YAML text, before Yams, that finds mapping keys which are aliases (`*a: x`),
/// flow collections (`[a, b]: x`) or explicit complex keys (`? …`).
///
/// Why: Yams checks every mapping for duplicate keys by hashing the keys, and hashing a key visits
/// everything inside it, aliases expanded. Nine nested anchors of ten aliases each ("billion
/// laughs", under 1 KiB of text) used as one key make that 10⁹ nodes. Values are safe (Yams shares
/// an aliased node instead of copying it, and the loaders check each node's type before walking
/// it), so only keys are refused. Neither Prometheus rule files nor Alertmanager-style
/// configurations have a use for such keys; anchors and aliases as values keep working.
///
/// It tracks just enough YAML to avoid false alarms: quoted scalars (a `'` inside a plain scalar
/// is an apostrophe), comments, block scalars (`|`, `>`: their lines are text), and flow context
/// (where `,` `[` `{` start nodes).
enum YAMLKeyScan {
    private enum Token { case none, alias, collectionEnd, other }

    /// The first such key, as an error with its line and column; nil when there is none.
    static func firstComplexKey(in text: String) -> YAMLLoadError? {
        var scan = State()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            scan.lineNumber += 1
            if let error = scan.scan(Array(line.utf8)) { return error }
        }
        return nil
    }

    private struct State {
        var lineNumber = 0
        var quote: UInt8? = nil
        /// Inside a block scalar: lines indented more than this are its text.
        var blockParent: Int? = nil
        var flowDepth = 0
        var last = Token.none

        func refuse(_ column: Int) -> YAMLLoadError {
            YAMLLoadError(
                line: lineNumber, column: column + 1,
                reason:
                    "a mapping key that is an alias or a collection is not supported (keys must be plain or quoted strings)"
            )
        }

        mutating func scan(_ b: [UInt8]) -> YAMLLoadError? {
            var i = 0
            while i < b.count, b[i] == 0x20 { i += 1 }
            let indent = i
            if let parent = blockParent {
                if i == b.count || (i == b.count - 1 && b[i] == 0x0D) || indent > parent { return nil }
                blockParent = nil
            }
            var nodeStart = quote == nil
            var keyColumn: Int? = nil  // where this line's first node starts, past any "- "
            var dashColumn: Int? = nil  // the "- " just before the current node start, if any
            func isSpace(_ j: Int) -> Bool { j >= b.count || b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0D }
            /// libyaml's anchor and alias names: letters, digits, `-` and `_`.
            func isAnchorCharacter(_ c: UInt8) -> Bool {
                (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2D || c == 0x5F
            }
            func isFlowIndicator(_ c: UInt8) -> Bool {
                c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]")
                    || c == UInt8(ascii: "{") || c == UInt8(ascii: "}")
            }
            while i < b.count {
                let c = b[i]
                if let q = quote {
                    if q == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") {
                        i += 2
                        continue
                    }
                    if c == q {
                        if q == UInt8(ascii: "'") && i + 1 < b.count && b[i + 1] == q {
                            i += 2
                            continue
                        }
                        quote = nil
                        last = .other
                    }
                    i += 1
                    continue
                }
                if c == 0x20 || c == 0x09 || c == 0x0D {
                    i += 1
                    continue
                }
                if c == UInt8(ascii: "#") && (i == 0 || b[i - 1] == 0x20 || b[i - 1] == 0x09) { return nil }
                if nodeStart {
                    if keyColumn == nil && !(c == UInt8(ascii: "-") && isSpace(i + 1)) { keyColumn = i }
                    switch c {
                    case UInt8(ascii: "\""), UInt8(ascii: "'"):
                        quote = c
                        nodeStart = false
                        i += 1
                        continue
                    case UInt8(ascii: "*"):
                        i += 1
                        while i < b.count, isAnchorCharacter(b[i]) { i += 1 }
                        last = .alias
                        nodeStart = false
                        continue
                    case UInt8(ascii: "&"), UInt8(ascii: "!"):  // anchor or tag: the node follows
                        i += 1
                        while i < b.count, !isSpace(i), !isFlowIndicator(b[i]) { i += 1 }
                        continue
                    case UInt8(ascii: "|"), UInt8(ascii: ">"):
                        if flowDepth == 0 {
                            // Its text is indented deeper than the node that holds it: the key on this
                            // line, else the "- " it follows, else whatever is above this line.
                            blockParent = keyColumn != i ? (keyColumn ?? indent) : (dashColumn ?? indent - 1)
                            return nil
                        }
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flowDepth += 1
                        i += 1
                        continue
                    case UInt8(ascii: "?"), UInt8(ascii: "-"):
                        if isSpace(i + 1) {
                            if c == UInt8(ascii: "?") {
                                // An explicit key: fine when a scalar follows on this line (long keys
                                // need it); refused when an alias or a collection does, or anything
                                // on the next lines (a block collection).
                                var j = i + 1
                                while j < b.count, isSpace(j), b[j] != 0x0D { j += 1 }
                                let scalarFollows =
                                    j < b.count && !"*[{|>#&!?".utf8.contains(b[j])
                                    && !(b[j] == UInt8(ascii: "-") && isSpace(j + 1))
                                if !scalarFollows { return refuse(i) }
                                i = j
                                continue
                            }
                            if flowDepth == 0 {
                                dashColumn = i
                                i += 1
                                continue
                            }
                        }
                    default: break
                    }
                    // A plain scalar (or a collection end / separator handled below).
                    if !(flowDepth > 0 && isFlowIndicator(c)) {
                        nodeStart = false
                        last = .other
                        dashColumn = nil
                    }
                }
                if c == UInt8(ascii: ":")
                    && (isSpace(i + 1) || (flowDepth > 0 && i + 1 < b.count && isFlowIndicator(b[i + 1])))
                {
                    if last == .alias || last == .collectionEnd { return refuse(i) }
                    nodeStart = true
                    dashColumn = nil
                    last = .none
                    i += 1
                    continue
                }
                if flowDepth > 0 {
                    switch c {
                    case UInt8(ascii: ","):
                        nodeStart = true
                        last = .none
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        flowDepth -= 1
                        last = .collectionEnd
                        nodeStart = false
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flowDepth += 1
                        nodeStart = true
                    default:
                        if last != .other { last = .other }
                    }
                } else if last != .other {
                    last = .other
                }
                i += 1
            }
            return nil
        }
    }
}
