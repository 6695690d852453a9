import Alerting

/// The text given for one option and where it came from: the command line (or its environment
/// variable), or a key of `--targets.file`. Errors are worded per origin: a flag's error may show
/// the value when the option says it is safe to; a file's never does (values there may be secrets,
/// and the file and line already say where to look).
struct OptionInput {
    /// Where the values came from.
    enum Origin {
        /// `--name`, or its environment variable `variable` when the value came from there.
        case flag(String, variable: String? = nil)
        /// A key of a configuration file.
        case file(ConfigValue)
    }

    /// The values, in order; one for a single-valued option.
    let values: [String]
    let origin: Origin

    /// The value of a single-valued option (the last one given).
    var last: String { values.last ?? "" }

    /// An error about the value: `--name=shown: problem` or `--name: problem` for a flag,
    /// `--targets.file=F:N: key.path: problem` for a file key (never showing the value).
    func fail(_ problem: ConfigurationError.ValueProblem, showing shown: String? = nil) -> ConfigurationError {
        switch origin {
        case .flag(let name, let variable):
            return .invalidValue(
                variable.map { .environment(variable: $0) } ?? .flag(name), shown: shown, problem: problem)
        case .file(let value): return .file(value.fail(problem.description))
        }
    }

    /// A file path as given: relative paths in a configuration file are relative to that file.
    func path(_ text: String) -> String {
        switch origin {
        case .flag: return text
        case .file(let value): return value.document.resolve(text)
        }
    }
}
