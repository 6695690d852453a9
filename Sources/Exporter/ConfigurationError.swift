import Alerting
import Redis

/// A start-up configuration problem: shown as one line, then the process exits with status 2.
///
/// Each case carries what went wrong (the flag, the value where it is safe to show, why); the
/// text is built only in ``description``. It never holds a secret: values of secret-bearing
/// options are never kept (`shown` is nil for them), Redis URLs only redacted, and a
/// configuration file's values never (``ConfigError`` names the file, line and key instead).
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: the command line

    /// A word that is not a flag, by its 1-based position (not echoed: it may be a secret
    /// pasted without its flag).
    case unexpectedArgument(position: Int)
    /// `--name` is no flag; `suggestion` is the one flag it probably meant.
    case unknownFlag(name: String, suggestion: String?)
    /// `--flag` was last and has no value; `placeholder` is its value's name in `--help`.
    case missingValue(flag: String, placeholder: String)

    // MARK: settings

    /// A setting's value is not what it must be. `shown` is the value as the message may show
    /// it (nil: not shown, e.g. it may hold credentials).
    case invalidValue(OptionSource, shown: String?, problem: ValueProblem)
    /// Settings that only mean something together, or not at all together.
    case conflict(OptionConflict)
    /// The Redis or Sentinel URL given to `--flag` (or its environment variable) does not parse
    /// (it shows only redacted).
    case invalidRedisURL(OptionSource, RedisConfigurationError)
    /// A configuration file (`--web.config.file`, `--targets.file`) or one of its keys is wrong.
    case file(ConfigError)

    // MARK: TLS files

    /// The TLS files of a Redis connection (`flags` names them, e.g. `--redis.tls.*`) do not
    /// load; `reason` is the TLS layer's own one-line error.
    case redisTLS(flags: String, reason: String)
    /// The `tls_server_config` of `--web.config.file` does not load; `reason` as for ``redisTLS(flags:reason:)``.
    case webTLS(file: String, reason: String)
    /// A reload of `--web.config.file` turns TLS on (`enabling`) or off, which changes the
    /// listeners' protocol.
    case webTLSNeedsRestart(file: String, enabling: Bool)

    // MARK: targets

    /// More targets than one process watches.
    case tooManyTargets(count: Int, limit: Int)
    /// Two targets share a name.
    case duplicateTarget(name: String)
    /// A problem of the target `name` (a validated target name).
    indirect case target(name: String, ConfigurationError)

    // MARK: alerting

    /// The rule files or `--alerting.config` do not load, or the notifier cannot start;
    /// `reason` is the loader's own one-line error (it names the file and never quotes a value).
    case alerting(reason: String)
    /// `--alertmanager.url` is not usable; `reason` never quotes the URL (it may carry user:password@).
    case alertmanagerURL(reason: String)
    /// `--silences.file` exists but cannot be read or is not a silences file; `reason` says why
    /// (never quoting the file's contents). The file is left as it is.
    case silencesFile(path: String, reason: String)

    // MARK: start-up

    /// The HTTP server cannot listen on `addresses`; `reason` is the server's error.
    case cannotListen(addresses: [String], reason: String)
    /// A thread could not be created: `thread` names it (`poller`, `census`), `target` is the
    /// target it works for, `reason` the system's error.
    case cannotStartThread(thread: String, target: String?, reason: String)

    /// Where a setting came from, as messages name it.
    public enum OptionSource: Equatable, Sendable, CustomStringConvertible {
        /// `--name` on the command line.
        case flag(String)
        /// The environment variable itself (for a switch whose variable holds no boolean).
        case environment(variable: String)

        /// `--name`, or the variable's name.
        public var description: String {
            switch self {
            case .flag(let name): return "--\(name)"
            case .environment(let variable): return variable
            }
        }
    }

    /// One line: the setting or file first, then what was expected.
    public var description: String {
        switch self {
        case .unexpectedArgument(let position):
            return "unexpected argument #\(position): every setting is a flag such as --redis.url=URL (see --help)"
        case .unknownFlag(let name, let suggestion):
            let hint = suggestion.map { " (did you mean --\($0)?)" } ?? ""
            return "unknown flag --\(Self.printable(name))\(hint); run with --help for the list"
        case .missingValue(let flag, let placeholder):
            return "--\(flag) needs a value: --\(flag)=\(placeholder)"
        case .invalidValue(let source, let shown, let problem):
            return "\(source)\(shown.map { "=" + Self.printable($0) } ?? ""): \(problem)"
        case .conflict(let conflict):
            return conflict.description
        case .invalidRedisURL(let source, .invalidURL(let redacted, let reason)):
            // The redacted URL once; a control character (a pasted newline) must not break the line.
            return "\(source)=\(Self.printable(redacted)): invalid Redis URL: \(Self.printable(reason))"
        case .file(let error):
            return error.description
        case .redisTLS(let flags, let reason):
            return "Redis TLS settings (\(flags)): \(Self.oneLine(reason))"
        case .webTLS(let file, let reason):
            return "--web.config.file=\(Self.printable(file)): tls_server_config: \(Self.oneLine(reason))"
        case .webTLSNeedsRestart(let file, let enabling):
            return
                "--web.config.file=\(Self.printable(file)): tls_server_config: turning TLS \(enabling ? "on" : "off") needs a restart"
        case .tooManyTargets(let count, let limit):
            return
                "\(count) targets: one exporter watches at most \(limit); split the targets across replicas, one targets file each"
        case .duplicateTarget(let name):
            return "target \"\(Self.printable(name))\" is defined twice: target names must be unique"
        case .target(let name, let error):
            return "target \"\(Self.printable(name))\": \(error)"
        case .alerting(let reason):
            return Self.oneLine(reason)
        case .alertmanagerURL(let reason):
            return "--alertmanager.url: \(Self.oneLine(reason))"
        case .silencesFile(let path, let reason):
            return
                "--silences.file=\(Self.printable(path)): \(reason); not starting, so the file stays untouched: fix it, or move it aside to start without its silences"
        case .cannotListen(let addresses, let reason):
            return "cannot listen on \(addresses.joined(separator: ", ")): \(Self.oneLine(reason))"
        case .cannotStartThread(let thread, let target, let reason):
            return
                "cannot start the \(thread) thread\(target.map { " for target \"\(Self.printable($0))\"" } ?? ""): \(Self.oneLine(reason))"
        }
    }

    /// `--flag`'s URL did not parse. The URL parsers throw only ``RedisConfigurationError`` (their
    /// `throws` is untyped); anything else still shows the URL redacted, never its text.
    static func redisURL(flag: String, redacted: String, _ error: any Error) -> ConfigurationError {
        .invalidRedisURL(
            .flag(flag),
            error as? RedisConfigurationError ?? .invalidURL(redacted: redacted, reason: "cannot be parsed")
        )
    }

    /// A composed reason (a loader's or the system's message, which may quote a path the
    /// operator gave) kept on one line: every character that could end the line or drive a
    /// terminal is shown as its `\u{XX}` escape instead, so the rest of the reason survives.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: breaksTheLine) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if breaksTheLine(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0, DEL, C1 and U+2028/U+2029: each can end a log line or drive a terminal (the set a log
    /// line escapes, ``StructuredLogHandler/mustEscape(_:)``).
    static func breaksTheLine(_ scalar: Unicode.Scalar) -> Bool { StructuredLogHandler.mustEscape(scalar) }

    /// Text the operator gave, as a message shows it: as given when printable, else a
    /// placeholder (a control character would break the one line or forge another).
    static func printable(_ text: String) -> String {
        return text.unicodeScalars.contains(where: breaksTheLine) ? "(unprintable value)" : text
    }
}
