/// One command-line flag: its dotted name, the environment variable that can set it instead,
/// and the text `--help` shows.
public struct OptionSpec: Sendable {
    /// The flag without dashes, e.g. `redis.url`.
    public let name: String
    /// Placeholder for the value in help text (`URL`, `DURATION`); nil for a boolean switch.
    public let valueName: String?
    /// The default as shown in help, or nil.
    public let defaultText: String?
    /// One line of help.
    public let help: String
    /// Whether the flag may be given more than once (values accumulate).
    public let repeatable: Bool
    /// Its key in a `--targets.file` entry when the setting may differ per target; nil otherwise.
    public let targetKey: String?

    public init(
        name: String, valueName: String?, defaultText: String?, help: String, repeatable: Bool,
        targetKey: String? = nil
    ) {
        self.name = name
        self.valueName = valueName
        self.defaultText = defaultText
        self.help = help
        self.repeatable = repeatable
        self.targetKey = targetKey
    }

    /// The environment variable: `CELERY_REDIS_EXPORTER_` + the name in capitals, dots and dashes as `_`.
    public var environmentName: String { Self.environmentName(for: name) }

    /// The environment variable for a flag name (also for secrets given as a value, such as
    /// `redis.password` → `CELERY_REDIS_EXPORTER_REDIS_PASSWORD`).
    public static func environmentName(for name: String) -> String {
        "CELERY_REDIS_EXPORTER_" + name.uppercased().map { $0 == "." || $0 == "-" ? "_" : String($0) }.joined()
    }

    /// Whether this is a boolean switch (`--flag`, `--flag=false`).
    public var isSwitch: Bool { valueName == nil }
}

/// What the command line (and environment) asked for, before the values are interpreted.
public struct ParsedOptions: Sendable, Equatable {
    /// Values per flag name, command line first; environment only for flags absent from the command line.
    public var values: [String: [String]] = [:]
    /// `--help` was given.
    public var helpRequested = false
    /// `--version` was given.
    public var versionRequested = false
    /// The flags whose values came from their environment variable (errors name the variable).
    public var fromEnvironment: Set<String> = []

    /// The last value of a flag, if any.
    public func last(_ name: String) -> String? { values[name]?.last }
    /// All values of a repeatable flag.
    public func all(_ name: String) -> [String] { values[name] ?? [] }
}

/// Parses `--name value`, `--name=value` and boolean switches against a table of ``OptionSpec``s,
/// falling back to environment variables. Unknown flags and missing values are errors.
public struct CommandLineParser: Sendable {
    public let specs: [OptionSpec]

    public init(specs: [OptionSpec]) { self.specs = specs }

    /// Parses `arguments` (without the program name) and then `environment`.
    public func parse(_ arguments: [String], environment: [String: String]) throws(ConfigurationError)
        -> ParsedOptions
    {
        var result = ParsedOptions()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" {
                result.helpRequested = true
                continue
            }
            if argument == "--version" {
                result.versionRequested = true
                continue
            }
            guard argument.hasPrefix("--") else {
                // The argument is not echoed: a secret pasted without its flag would land in the log.
                throw .unexpectedArgument(position: index)
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            var negated = false
            if spec(named: name) == nil, name.hasPrefix("no-"), let s = spec(named: String(name.dropFirst(3))),
                s.isSwitch
            {
                name = s.name
                negated = true
            }
            guard let spec = spec(named: name) else {
                throw .unknownFlag(name: name, suggestion: closestName(to: name))
            }
            let value: String
            if spec.isSwitch {
                let text = inlineValue ?? "true"
                guard let flag = Self.parseBool(text) else {
                    throw .invalidValue(.flag(name), shown: text, problem: .notABoolean)
                }
                value = String(flag != negated)
            } else if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw .missingValue(flag: name, placeholder: spec.valueName ?? "VALUE")
                }
                value = arguments[index]
                index += 1
            }
            if spec.repeatable {
                result.values[name, default: []].append(value)
            } else {
                result.values[name] = [value]
            }
        }
        for spec in specs where result.values[spec.name] == nil {
            guard let text = environment[spec.environmentName] else { continue }
            if spec.isSwitch {
                guard let flag = Self.parseBool(text) else {
                    throw .invalidValue(
                        .environment(variable: spec.environmentName), shown: text, problem: .notABoolean)
                }
                result.values[spec.name] = [String(flag)]
            } else if spec.repeatable {
                let values = text.split(separator: ",").map { String($0).trimmingASCIIWhitespace() }
                    .filter { !$0.isEmpty }
                // Set but blank (`""`, `" , "`) is a mistake, as `--flag=` is: silently using the
                // default would, for the listen address, serve on every interface.
                guard !values.isEmpty else {
                    throw .invalidValue(
                        .environment(variable: spec.environmentName), shown: nil, problem: .blankList)
                }
                result.values[spec.name] = values
            } else {
                result.values[spec.name] = [text]
            }
            result.fromEnvironment.insert(spec.name)
        }
        return result
    }

    /// The spec for a flag name.
    public func spec(named name: String) -> OptionSpec? { specs.first { $0.name == name } }

    /// `--help` text: usage, then one block per flag with its environment variable and default.
    public func helpText(program: String, summary: String) -> String {
        var out =
            "usage: \(program) [flags]\n\n\(summary)\n\nFlags (each also settable by the environment variable shown):\n"
        for spec in specs {
            let head = spec.isSwitch ? "  --\(spec.name)" : "  --\(spec.name)=\(spec.valueName!)"
            out += head + "\n      " + spec.help
            if let d = spec.defaultText { out += " (default: \(d))" }
            if spec.repeatable { out += " Repeatable." }
            out += "\n      env: \(spec.environmentName)"
            if let key = spec.targetKey { out += "; targets file key: \(key)" }
            out += "\n"
        }
        out +=
            "  --healthcheck\n      Probe the exporter listening on --web.listen-address (GET /-/healthy): exit 0 if healthy, 1 if not. For container health checks.\n"
        out += "  --version\n      Print the version and exit.\n  -h, --help\n      Show this help.\n"
        return out
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: return nil
        }
    }

    private func closestName(to name: String) -> String? {
        let candidates = specs.map(\.name).filter { $0.hasSuffix(name) || name.hasSuffix($0) || $0.contains(name) }
        return candidates.count == 1 ? candidates[0] : nil
    }
}
