/// A label or annotation value with Go template actions, as Prometheus expands them: the data is
/// `.Labels`, `.ExternalLabels`, `.ExternalURL`, `.Value`, pre-bound to `$labels`,
/// `$externalLabels`, `$externalURL` and `$value`; a missing label expands to the empty string
/// (Prometheus runs templates with `missingkey=zero`, so no `<no value>`).
///
/// Supported: text, `{{ pipeline }}` with `|`, parentheses, string and number literals, the
/// variables and fields above (with `.name` map lookups), `{{- -}}` trimming, `{{/* comments */}}`,
/// and the functions in ``TemplateFunctions``. Control actions (`if`, `range`, `with`, `define`,
/// `template`), variable assignment and the query functions are rejected when the rule loads.
struct AlertTemplate: Sendable, Equatable {
    /// The text as written in the rule file.
    let source: String
    private let nodes: [Node]

    /// What one expansion sees.
    struct Data {
        var labels: [String: String]
        var externalLabels: [String: String] = [:]
        var externalURL: String = ""
        var value: Double
    }

    private enum Node: Sendable, Equatable {
        case text(String)
        case action(Pipeline)
    }

    private struct Pipeline: Sendable, Equatable {
        var commands: [[Operand]]
    }

    private indirect enum Operand: Sendable, Equatable {
        case function(String)
        case string(String)
        case number(Double)
        /// A variable (`labels`, `value`, …; "" is `$`) or the dot (`nil`), then field names.
        case path(root: String?, fields: [String])
        case pipeline(Pipeline)
    }

    private static let variables: [String: String] = [
        "labels": "Labels", "externalLabels": "ExternalLabels", "externalURL": "ExternalURL", "value": "Value",
    ]

    /// Parses `source`; throws ``TemplateError`` for syntax errors and unknown functions.
    init(_ source: String) throws(TemplateError) {
        self.source = source
        var nodes: [Node] = []
        let chars = Array(source.unicodeScalars)
        var index = 0
        var text = String.UnicodeScalarView()
        func startsWith(_ s: String, at i: Int) -> Bool {
            let u = Array(s.unicodeScalars)
            return i + u.count <= chars.count && Array(chars[i..<(i + u.count)]) == u
        }
        while index < chars.count {
            guard startsWith("{{", at: index) else {
                text.append(chars[index])
                index += 1
                continue
            }
            var start = index + 2
            if startsWith("- ", at: start) || startsWith("-\t", at: start) || startsWith("-\n", at: start) {
                start += 1
                // Trim the whitespace before the action.
                var t = String(text)
                while let last = t.unicodeScalars.last, last == " " || last == "\t" || last == "\n" || last == "\r" {
                    t.unicodeScalars.removeLast()
                }
                text = t.unicodeScalars
            }
            if !text.isEmpty { nodes.append(.text(String(text))) }
            text = String.UnicodeScalarView()
            // Find the closing braces, skipping quoted strings.
            var end = start
            var quote: Unicode.Scalar? = nil
            while end < chars.count {
                let c = chars[end]
                if let q = quote {
                    if c == "\\" && q != "`" { end += 1 } else if c == q { quote = nil }
                } else if c == "\"" || c == "`" || c == "'" {
                    quote = c
                } else if startsWith("}}", at: end) {
                    break
                }
                end += 1
            }
            guard end < chars.count else {
                throw TemplateError.unclosedAction(offset: index)
            }
            var bodyEnd = end
            var trimAfter = false
            if bodyEnd - 1 >= start, chars[bodyEnd - 1] == "-", bodyEnd - 2 >= start,
                [" ", "\t", "\n"].contains(chars[bodyEnd - 2])
            {
                trimAfter = true
                bodyEnd -= 1
            }
            let body = String(String.UnicodeScalarView(chars[start..<bodyEnd]))
            let trimmed = body.trimmingWhitespace()
            if trimmed.hasPrefix("/*") {
                guard trimmed.hasSuffix("*/") else { throw TemplateError.unclosedComment }
            } else {
                var parser = TemplateTokenParser(try TemplateTokenParser.tokenize(body))
                let pipeline = try AlertTemplate.parsePipeline(&parser, depth: 1)
                guard parser.atEnd else {
                    throw TemplateError.unexpectedInAction(parser.peekDescription.printableExcerpt)
                }
                nodes.append(.action(pipeline))
            }
            index = end + 2
            if trimAfter {
                while index < chars.count, [" ", "\t", "\n", "\r"].contains(chars[index]) { index += 1 }
            }
        }
        if !text.isEmpty { nodes.append(.text(String(text))) }
        self.nodes = nodes
    }

    /// Deepest nesting of parenthesised pipelines accepted. Parsing, expansion and freeing the tree
    /// all recurse once per level, so the bound keeps a generated template from exhausting the stack.
    static let maximumDepth = 128

    private static func parsePipeline(_ p: inout TemplateTokenParser, depth: Int) throws(TemplateError) -> Pipeline {
        guard depth <= maximumDepth else {
            throw TemplateError.tooDeep
        }
        var commands: [[Operand]] = []
        var command: [Operand] = []
        while let token = p.peek {
            switch token {
            case .pipe:
                p.advance()
                guard !command.isEmpty else { throw TemplateError.missingCommandBeforePipe }
                commands.append(command)
                command = []
            case .close:
                // An empty command before ")" is an error here, as at the end of the action: the
                // validation below reads every command's first operand.
                if command.isEmpty {
                    throw commands.isEmpty ? TemplateError.missingValue : TemplateError.missingCommandAfterPipe
                }
                commands.append(command)
                return try validated(Pipeline(commands: commands))
            case .open:
                p.advance()
                let inner = try parsePipeline(&p, depth: depth + 1)
                guard p.peek == .close else { throw TemplateError.unclosedParenthesis }
                p.advance()
                command.append(.pipeline(inner))
            case .string(let s):
                p.advance()
                command.append(.string(s))
            case .number(let n):
                p.advance()
                command.append(.number(n))
            case .declare:
                throw TemplateError.variableDeclaration
            case .variable(let name, let fields):
                p.advance()
                if name != "" && p.peek == .declare {
                    throw TemplateError.variableDeclaration
                }
                if name != "" && variables[name] == nil {
                    throw TemplateError.undefinedVariable(name.printableExcerpt)
                }
                command.append(.path(root: name, fields: fields))
            case .field(let fields):
                p.advance()
                command.append(.path(root: nil, fields: fields))
            case .identifier(let name):
                p.advance()
                let control: Set<String> = [
                    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
                ]
                if control.contains(name) {
                    throw TemplateError.unsupportedAction(name)
                }
                if ["true", "false", "nil"].contains(name) {
                    throw TemplateError.unsupportedConstant(name)
                }
                if TemplateFunctions.prometheusOnly.contains(name) {
                    throw TemplateError.unsupportedFunction(name)
                }
                guard TemplateFunctions.supported.contains(name) else {
                    throw TemplateError.undefinedFunction(name.printableExcerpt)
                }
                command.append(.function(name))
            }
        }
        if command.isEmpty && commands.isEmpty { throw TemplateError.missingValue }
        if command.isEmpty { throw TemplateError.missingCommandAfterPipe }
        commands.append(command)
        return try validated(Pipeline(commands: commands))
    }

    private static func validated(_ pipeline: Pipeline) throws(TemplateError) -> Pipeline {
        for (i, command) in pipeline.commands.enumerated() {
            if case .function = command[0] { continue }
            if command.count > 1 {
                throw TemplateError.argumentToNonFunction(describe(command[0]))
            }
            if i > 0 { throw TemplateError.nonFunctionInPipeline(describe(command[0])) }
            if case .path(let root, let fields) = command[0], root == nil || root == "", let first = fields.first,
                !["Labels", "ExternalLabels", "ExternalURL", "Value"].contains(first)
            {
                throw TemplateError.unknownDataField(first.printableExcerpt)
            }
        }
        return pipeline
    }

    private static func describe(_ operand: Operand) -> String {
        switch operand {
        case .function(let f): return f
        case .string(let s): return "\"\(s.printableExcerpt)\""
        case .number(let n): return GoFormat.general(n, precision: nil)
        case .path(let root, let fields): return (root.map { "$" + $0 } ?? "") + fields.map { "." + $0 }.joined()
        case .pipeline: return "(…)"
        }
    }

    /// The most UTF-8 bytes one expansion may produce. Labels and annotations are copied into
    /// every notification and API answer of every alert on every evaluation, so a template such
    /// as a megabyte of `{{ $labels }}` or `{{ printf "%9999999d" 1 }}` must not build megabytes.
    static let maximumOutputBytes = 65536

    /// Expands the template; an execution error becomes `<error expanding template: …>` in the text,
    /// as Prometheus writes it, so one bad label never blocks the alert. So does an output past
    /// ``maximumOutputBytes``.
    func expand(_ data: Data) -> String {
        var out = ""
        do throws(TemplateError) {
            for node in nodes {
                switch node {
                case .text(let t): out += t
                case .action(let pipeline): out += try run(pipeline, data).printed
                }
                if out.utf8.count > Self.maximumOutputBytes {
                    throw TemplateError.outputTooLarge(limit: Self.maximumOutputBytes)
                }
            }
        } catch {
            return "<error expanding template: \(error)>"
        }
        return out
    }

    private func run(_ pipeline: Pipeline, _ data: Data) throws(TemplateError) -> TemplateValue {
        var previous: TemplateValue? = nil
        for command in pipeline.commands {
            if case .function(let name) = command[0] {
                var arguments = try command.dropFirst().map { (operand) throws(TemplateError) in
                    try value(operand, data)
                }
                if let previous { arguments.append(previous) }
                previous = try TemplateFunctions.call(name, arguments)
            } else {
                previous = try value(command[0], data)
            }
        }
        return previous!
    }

    private func value(_ operand: Operand, _ data: Data) throws(TemplateError) -> TemplateValue {
        switch operand {
        case .function(let name): return try TemplateFunctions.call(name, [])
        case .string(let s): return .string(s)
        case .number(let n): return .number(n)
        case .pipeline(let p): return try run(p, data)
        case .path(let root, let fields):
            var rest = fields[...]
            var current: TemplateValue
            let top = root.flatMap { AlertTemplate.variables[$0] } ?? rest.popFirst()
            switch top {
            case "Labels": current = .map(data.labels)
            case "ExternalLabels": current = .map(data.externalLabels)
            case "ExternalURL": current = .string(data.externalURL)
            case "Value": current = .number(data.value)
            default:
                current = .map(data.labels)  // `$` or `.` alone: print something sensible
            }
            for field in rest {
                guard case .map(let map) = current else {
                    throw TemplateError.fieldOfNonMap(field: field.printableExcerpt, type: current.typeName)
                }
                current = .string(map[field] ?? "")
            }
            return current
        }
    }
}

extension TemplateValue {
    fileprivate var typeName: String {
        switch self {
        case .string: return "string"
        case .number: return "float64"
        case .map: return "map[string]string"
        }
    }
}

extension String {
    /// Foundation-free trimming of spaces, tabs and line breaks at both ends.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }
}
