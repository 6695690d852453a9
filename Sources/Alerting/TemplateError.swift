/// A label or annotation template that does not parse, or a failure while expanding one.
/// Parse errors stop loading (like `promtool check rules`) and read `template: …`, as Go's
/// text/template words them; expansion errors are written into the text as Prometheus does
/// (`<error expanding template: …>`). Pieces of the template or of a label value a message
/// quotes are one-line excerpts (at most 64 characters, control characters escaped).
enum TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Parsing

    /// `{{` at this scalar offset without its `}}`.
    case unclosedAction(offset: Int)
    /// `{{/*` without `*/}}`.
    case unclosedComment
    /// A token left over after an action's pipeline (as described).
    case unexpectedInAction(String)
    /// Parenthesised pipelines nested deeper than ``AlertTemplate/maximumDepth``.
    case tooDeep
    /// `|` with no command before it.
    case missingCommandBeforePipe
    /// `|` with no command after it.
    case missingCommandAfterPipe
    /// An empty action or parenthesised pipeline.
    case missingValue
    /// `(` without its `)`.
    case unclosedParenthesis
    /// `$x := …` or `$x = …`.
    case variableDeclaration
    /// `$name` for a variable the alert template data does not define (its name).
    case undefinedVariable(String)
    /// `{{if}}`, `{{range}}` and the other control actions (the keyword).
    case unsupportedAction(String)
    /// `true`, `false` or `nil`.
    case unsupportedConstant(String)
    /// A Prometheus template function the exporter does not implement (its name).
    case unsupportedFunction(String)
    /// A name that is no function at all.
    case undefinedFunction(String)
    /// Arguments after something that is not a function (as described).
    case argumentToNonFunction(String)
    /// Something that is not a function after a `|` (as described).
    case nonFunctionInPipeline(String)
    /// `.Name` for a field the alert template data does not have.
    case unknownDataField(String)
    /// A backslash escape Go strings do not define (the escaped character).
    case unknownEscapeSequence(String)
    /// A quoted string without its closing quote.
    case unterminatedString
    /// Characters that start a number but do not make one.
    case badNumber(String)
    /// A character that cannot start a token.
    case unexpectedCharacter(String)

    // MARK: Expansion

    /// A field of a value that has no fields (the field and the value's Go type).
    case fieldOfNonMap(field: String, type: String)
    /// A one-argument function called with another number of arguments.
    case wrongArgumentCount(function: String, got: Int)
    /// `printf` without its format.
    case printfWithoutFormat
    /// `index` other than of a map with one string key.
    case unsupportedIndex
    /// A function that needs a number given a string that is none (the string's excerpt).
    case notANumber(function: String, String)
    /// A function that needs a number given a map.
    case mapNotANumber(function: String)
    /// A listed function the expander does not know (its name).
    case unimplementedFunction(String)
    /// An expansion (or one `printf` in it) that would pass ``AlertTemplate/maximumOutputBytes``.
    case outputTooLarge(limit: Int)

    /// One line, as Go's text/template words it where it has the error.
    var description: String {
        switch self {
        case .unclosedAction(let offset): return "template: unclosed action (\"{{\" at offset \(offset) has no \"}}\")"
        case .unclosedComment: return "template: unclosed comment"
        case .unexpectedInAction(let token): return "template: unexpected \(token) in action"
        case .tooDeep:
            return "template: parentheses nested too deep (at most \(AlertTemplate.maximumDepth) levels)"
        case .missingCommandBeforePipe: return "template: missing command before \"|\""
        case .missingCommandAfterPipe: return "template: missing command after \"|\""
        case .missingValue: return "template: missing value for command"
        case .unclosedParenthesis: return "template: unclosed left paren"
        case .variableDeclaration:
            return "template: variable declarations (:=, =) are not supported by celery-redis-exporter's templates"
        case .undefinedVariable(let name): return "template: undefined variable \"$\(name)\""
        case .unsupportedAction(let keyword):
            return "template: {{\(keyword)}} actions are not supported by celery-redis-exporter's templates"
        case .unsupportedConstant(let constant):
            return "template: the constant \(constant) is not supported by celery-redis-exporter's templates"
        case .unsupportedFunction(let name):
            return "template: function \"\(name)\" is not supported by celery-redis-exporter's templates "
                + "(supported: \(TemplateFunctions.supported.sorted().joined(separator: ", ")))"
        case .undefinedFunction(let name): return "template: function \"\(name)\" not defined"
        case .argumentToNonFunction(let operand): return "template: can't give argument to non-function \(operand)"
        case .nonFunctionInPipeline(let operand): return "template: non-function \(operand) in pipeline"
        case .unknownDataField(let field): return "template: can't evaluate field \(field) in the alert template data"
        case .unknownEscapeSequence(let escaped): return "template: unknown escape sequence \\\(escaped) in string"
        case .unterminatedString: return "template: unterminated quoted string"
        case .badNumber(let text): return "template: bad number syntax: \"\(text)\""
        case .unexpectedCharacter(let character): return "template: unexpected \"\(character)\" in action"
        case .fieldOfNonMap(let field, let type): return "can't evaluate field \(field) in type \(type)"
        case .wrongArgumentCount(let function, let got):
            return "wrong number of args for \(function): want 1 got \(got)"
        case .printfWithoutFormat: return "wrong number of args for printf: want at least 1 got 0"
        case .unsupportedIndex: return "error calling index: index of a map with one string key is supported"
        case .notANumber(let function, let text):
            return "error calling \(function): strconv.ParseFloat: parsing \"\(text)\": invalid syntax"
        case .mapNotANumber(let function): return "error calling \(function): can't convert map[string]string to float"
        case .unimplementedFunction(let name): return "function \"\(name)\" not defined"
        case .outputTooLarge(let limit): return "output exceeds \(limit) bytes"
        }
    }
}
