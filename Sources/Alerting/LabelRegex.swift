/// A fully anchored regular expression for label matchers (`=~`, `!~`), as Prometheus anchors them
/// (`^(?s:re)$`: `.` also matches a newline).
///
/// Foundation's `NSRegularExpression` is off limits in Sources, and label matchers use a small part of
/// RE2, so this is a compact Thompson-NFA (Pike VM without captures): matching is linear in the length
/// of the value times the size of the pattern, with no backtracking blow-up and so no step limit.
///
/// Supported: literals, `.`, `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (and their lazy `?` forms, which are
/// the same for a whole-string match), alternation `|`, groups `( )` and `(?: )`, classes `[a-z]`,
/// `[^…]`, escapes `\.` `\d` `\D` `\w` `\W` `\s` `\S` `\t` `\n` (also inside classes), and `^`/`$`.
/// Anything else (flags like `(?i)`, named groups, `\b`, `\p{…}`, POSIX classes) is a syntax error at
/// load time rather than a silent mismatch.
public struct LabelRegex: Sendable, Equatable {
    /// The pattern as written in the rule.
    public let pattern: String
    private let program: [Instruction]

    /// Compiles `pattern`; throws ``LabelRegexError`` naming the unsupported construct.
    public init(_ pattern: String) throws(LabelRegexError) {
        self.pattern = pattern
        var parser = Parser(Array(pattern.unicodeScalars))
        let node = try parser.parseAll()
        guard Compiler.size(of: node) < LabelRegex.maximumInstructions else {
            throw parser.error(.tooLarge)
        }
        var compiler = Compiler()
        compiler.emit(node)
        compiler.program.append(.match)
        self.program = compiler.program
    }

    /// Deepest group nesting accepted (RE2 allows 1000; label matchers need a few). Parsing,
    /// compiling and freeing the tree recurse once per level; a repetition cannot apply to another
    /// without a group between them, so the tree is at most a few times this deep.
    static let maximumNesting = 128
    /// Largest compiled program accepted: matching costs the value's length times this, and counted
    /// repetitions multiply (`(a{1000}){1000}` would be a million instructions).
    static let maximumInstructions = 100_000

    /// Instructions in the compiled program: matching a value costs up to its length times this.
    public var programSize: Int { program.count }

    /// Whether the whole of `value` matches.
    public func matches(_ value: String) -> Bool {
        let input = Array(value.unicodeScalars)
        var current: [Int] = []
        var onList = [Int](repeating: -1, count: program.count)
        // The closure over jumps and splits is walked with an explicit stack: a chain of optional
        // copies (`(a?){1000}`) is as long as the program, too long to recurse through.
        var pending: [Int] = []
        func add(_ start: Int, _ position: Int, into list: inout [Int]) {
            pending.append(start)
            while let pc = pending.popLast() {
                if onList[pc] == position { continue }
                onList[pc] = position
                switch program[pc] {
                case .jump(let target): pending.append(target)
                case .split(let a, let b):
                    pending.append(b)
                    pending.append(a)
                case .assertStart: if position == 0 { pending.append(pc + 1) }
                case .assertEnd: if position == input.count { pending.append(pc + 1) }
                case .character, .match: list.append(pc)
                }
            }
        }
        add(0, 0, into: &current)
        for position in 0...input.count {
            var next: [Int] = []
            for pc in current {
                switch program[pc] {
                case .match: if position == input.count { return true }
                case .character(let set):
                    if position < input.count, set.contains(input[position]) { add(pc + 1, position + 1, into: &next) }
                default: break
                }
            }
            if next.isEmpty { return false }
            current = next
        }
        return false
    }

    /// Two regexes are equal when their patterns are (the compiled program follows from it).
    public static func == (lhs: LabelRegex, rhs: LabelRegex) -> Bool { lhs.pattern == rhs.pattern }

    // MARK: - Syntax tree and program

    private indirect enum Node {
        case empty
        case character(CharacterSet)
        case concatenation([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)
        case assertStart
        case assertEnd
    }

    /// A set of scalars: ranges, optionally negated.
    struct CharacterSet: Sendable {
        var ranges: [ClosedRange<UInt32>]
        var negated: Bool

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            let inside = ranges.contains { $0.contains(value) }
            return inside != negated
        }

        static let any = CharacterSet(ranges: [], negated: true)
        static let digit = CharacterSet(ranges: [0x30...0x39], negated: false)
        static let word = CharacterSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A], negated: false)
        // RE2's \s: [\t\n\f\r ]
        static let space = CharacterSet(ranges: [0x09...0x0A, 0x0C...0x0D, 0x20...0x20], negated: false)
    }

    private enum Instruction: Sendable {
        case character(CharacterSet)
        case split(Int, Int)
        case jump(Int)
        case assertStart
        case assertEnd
        case match
    }

    private struct Compiler {
        var program: [Instruction] = []

        /// Instructions `emit(node)` would append, saturating instead of overflowing.
        static func size(of node: Node) -> Int {
            let cap = LabelRegex.maximumInstructions
            switch node {
            case .empty: return 0
            case .character, .assertStart, .assertEnd: return 1
            case .concatenation(let nodes): return min(cap, nodes.reduce(0) { min(cap, $0 + size(of: $1)) })
            case .alternation(let branches):
                return min(cap, branches.reduce(0) { min(cap, $0 + size(of: $1) + 2) })
            case .repetition(let inner, let low, let high):
                let one = size(of: inner)
                let copies = high ?? (low + 1)
                let (product, overflow) = (one + 2).multipliedReportingOverflow(by: copies)
                return overflow ? cap : min(cap, product)
            }
        }

        mutating func emit(_ node: Node) {
            switch node {
            case .empty: break
            case .character(let set): program.append(.character(set))
            case .assertStart: program.append(.assertStart)
            case .assertEnd: program.append(.assertEnd)
            case .concatenation(let nodes): for n in nodes { emit(n) }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (i, branch) in branches.enumerated() {
                    if i < branches.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        emit(branch)
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        emit(branch)
                    }
                }
                for j in jumps { program[j] = .jump(program.count) }
            case .repetition(let inner, let min, let max):
                for _ in 0..<min { emit(inner) }
                if let max {
                    // Optional copies: each one may be skipped to the end.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        emit(inner)
                    }
                    for s in splits { program[s] = .split(s + 1, program.count) }
                } else {
                    let split = program.count
                    program.append(.split(split + 1, -1))
                    emit(inner)
                    program.append(.jump(split))
                    program[split] = .split(split + 1, program.count)
                }
            }
        }
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        /// Open groups around the current position.
        var depth = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        func error(_ kind: LabelRegexError.Kind) -> LabelRegexError {
            LabelRegexError(pattern: String(String.UnicodeScalarView(scalars)), kind: kind)
        }

        mutating func parseAll() throws(LabelRegexError) -> Node {
            let node = try parseAlternation()
            if index < scalars.count { throw error(.unexpectedClosingParenthesis(offset: index)) }
            return node
        }

        mutating func parseAlternation() throws(LabelRegexError) -> Node {
            var branches = [try parseConcatenation()]
            while peek == "|" {
                index += 1
                branches.append(try parseConcatenation())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseConcatenation() throws(LabelRegexError) -> Node {
            var items: [Node] = []
            while let c = peek, c != "|", c != ")" {
                var atom = try parseAtom()
                if let q = peek, repetitionEnd() != nil {
                    if case .assertStart = atom { throw error(.missingRepetitionArgument(String(q))) }
                    let start = index
                    let (min, max) = try parseQuantifier()
                    atom = .repetition(atom, min: min, max: max)
                    if peek == "?" { index += 1 }  // lazy: the same set of whole-string matches
                    // Go (Perl syntax) rejects a repetition of a repetition (`a**`, `a{2}{3}`,
                    // `a*?+`). It also keeps the tree shallow: `a{0}{0}…` nested one level per
                    // operator without a group, and freeing or compiling it overflowed the stack.
                    if let nextEnd = repetitionEnd() {
                        throw error(.nestedRepetition(String(String.UnicodeScalarView(scalars[start..<nextEnd]))))
                    }
                }
                items.append(atom)
            }
            if items.isEmpty { return .empty }
            return items.count == 1 ? items[0] : .concatenation(items)
        }

        /// Where the repetition operator at the current position ends, nil when there is none.
        func repetitionEnd() -> Int? {
            guard let q = peek else { return nil }
            if q == "*" || q == "+" || q == "?" { return index + 1 }
            guard q == "{", isCountedRepetition() else { return nil }
            var i = index
            while scalars[i] != "}" { i += 1 }
            return i + 1
        }

        func isCountedRepetition() -> Bool {
            // RE2 treats a '{' that does not start a valid {n}, {n,} or {n,m} as a literal.
            var i = index + 1
            var sawDigit = false
            while i < scalars.count, ("0"..."9").contains(scalars[i]) {
                i += 1
                sawDigit = true
            }
            guard sawDigit, i < scalars.count else { return false }
            if scalars[i] == "}" { return true }
            guard scalars[i] == "," else { return false }
            i += 1
            while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1 }
            return i < scalars.count && scalars[i] == "}"
        }

        mutating func parseQuantifier() throws(LabelRegexError) -> (Int, Int?) {
            let q = scalars[index]
            index += 1
            switch q {
            case "*": return (0, nil)
            case "+": return (1, nil)
            case "?": return (0, 1)
            default:
                func number(_ p: inout Parser) -> Int {
                    var n = 0
                    while let c = p.peek, ("0"..."9").contains(c) {
                        n = n * 10 + Int(c.value - 0x30)
                        if n > 1000 { n = 1001 }
                        p.index += 1
                    }
                    return n
                }
                let min = number(&self)
                var max: Int? = min
                if peek == "," {
                    index += 1
                    max = peek == "}" ? nil : number(&self)
                }
                index += 1  // '}'
                if min > 1000 || (max ?? 0) > 1000 { throw error(.repeatCountTooLarge) }
                if let max, max < min { throw error(.invalidRepeatCount(minimum: min, maximum: max)) }
                return (min, max)
            }
        }

        mutating func parseAtom() throws(LabelRegexError) -> Node {
            let c = scalars[index]
            index += 1
            switch c {
            case ".": return .character(.any)
            case "^": return .assertStart
            case "$": return .assertEnd
            case "*", "+", "?": throw error(.missingRepetitionArgument(String(c)))
            case "(":
                depth += 1
                defer { depth -= 1 }
                guard depth <= LabelRegex.maximumNesting else {
                    throw error(.groupsTooDeep)
                }
                if peek == "?" {
                    if index + 1 < scalars.count, scalars[index + 1] == ":" {
                        index += 2
                    } else {
                        let rest = String(String.UnicodeScalarView(scalars[(index - 1)...].prefix(4)))
                        throw error(.unsupportedGroupSyntax(rest.escapingControlCharacters))
                    }
                }
                let inner = try parseAlternation()
                guard peek == ")" else { throw error(.missingClosingParenthesis) }
                index += 1
                return inner
            case "[": return .character(try parseClass())
            case "\\": return .character(try parseEscape(inClass: false))
            default: return .character(CharacterSet(ranges: [c.value...c.value], negated: false))
            }
        }

        mutating func parseEscape(inClass: Bool) throws(LabelRegexError) -> CharacterSet {
            guard let e = peek else { throw error(.trailingBackslash) }
            index += 1
            switch e {
            case "d": return .digit
            case "D": return CharacterSet(ranges: CharacterSet.digit.ranges, negated: true)
            case "w": return .word
            case "W": return CharacterSet(ranges: CharacterSet.word.ranges, negated: true)
            case "s": return .space
            case "S": return CharacterSet(ranges: CharacterSet.space.ranges, negated: true)
            case "t": return CharacterSet(ranges: [0x09...0x09], negated: false)
            case "n": return CharacterSet(ranges: [0x0A...0x0A], negated: false)
            case "r": return CharacterSet(ranges: [0x0D...0x0D], negated: false)
            case "f": return CharacterSet(ranges: [0x0C...0x0C], negated: false)
            default:
                // RE2 allows escaping any punctuation; letters and digits are escapes we do not know.
                let isPunctuation =
                    e.value < 0x80
                    && !(("a"..."z").contains(e) || ("A"..."Z").contains(e)
                        || ("0"..."9").contains(e))
                guard isPunctuation else { throw error(.unsupportedEscape(String(e).escapingControlCharacters)) }
                return CharacterSet(ranges: [e.value...e.value], negated: false)
            }
        }

        mutating func parseClass() throws(LabelRegexError) -> CharacterSet {
            var negated = false
            if peek == "^" {
                negated = true
                index += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while true {
                guard let c = peek else { throw error(.missingClosingBracket) }
                if c == "]" && !first {
                    index += 1
                    break
                }
                first = false
                if c == "[" && index + 1 < scalars.count && scalars[index + 1] == ":" {
                    throw error(.posixClass)
                }
                index += 1
                var low: UInt32
                if c == "\\" {
                    let set = try parseEscape(inClass: true)
                    if set.negated || set.ranges.count != 1 || set.ranges[0].count != 1 {
                        if set.negated { throw error(.negatedEscapeInClass) }
                        ranges += set.ranges
                        continue
                    }
                    low = set.ranges[0].lowerBound
                } else {
                    low = c.value
                }
                if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                    index += 1
                    var high = scalars[index].value
                    index += 1
                    if high == 0x5C {  // backslash
                        let set = try parseEscape(inClass: true)
                        guard !set.negated, set.ranges.count == 1, set.ranges[0].count == 1 else {
                            throw error(.invalidClassRange)
                        }
                        high = set.ranges[0].lowerBound
                    }
                    guard high >= low else { throw error(.invalidClassRange) }
                    ranges.append(low...high)
                } else {
                    ranges.append(low...low)
                }
            }
            return CharacterSet(ranges: ranges, negated: negated)
        }
    }
}
