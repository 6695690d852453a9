import Sockets

#if canImport(Glibc)
    import Glibc
#endif

/// One setting of the exporter, declared in exactly one place: its flag (name, value placeholder,
/// default, help, and so its environment variable and `--help` block), whether it may differ per
/// target (then it is also a `--targets.file` key), and how its text becomes part of an
/// ``ExporterConfiguration``. The command line, the environment and the targets file all go
/// through ``apply``, so a flag cannot be listed and then silently not read.
struct ExporterOption: Sendable {
    /// The flag as the parser and `--help` see it.
    let spec: OptionSpec
    /// The snake_case key in a `--targets.file` entry; nil for a process-wide setting (listen
    /// address, rules, logging, poll interval...).
    var targetKey: String? { spec.targetKey }
    /// Checks the text and stores the value. Only called when the option was given.
    let apply: @Sendable (inout ExporterConfiguration, OptionInput) throws(ConfigurationError) -> Void
    /// For a `*-file` secret: the environment variable that may hold the secret itself, and how it
    /// fills in a secret that no file gave.
    let environmentSecret: (variable: String, apply: @Sendable (inout ExporterConfiguration, String) -> Void)?

    /// Whether the option may be given per target, and under which key (nil: derived from the name).
    enum Scope: Sendable {
        case process
        case target(key: String? = nil)
    }

    init(
        _ name: String, valueName: String?, default defaultText: String?, help: String, repeatable: Bool = false,
        scope: Scope, environmentSecret: (String, @Sendable (inout ExporterConfiguration, String) -> Void)? = nil,
        apply: @escaping @Sendable (inout ExporterConfiguration, OptionInput) throws(ConfigurationError) -> Void
    ) {
        let targetKey: String?
        switch scope {
        case .process: targetKey = nil
        case .target(let key): targetKey = key ?? Self.derivedKey(name)
        }
        spec = OptionSpec(
            name: name, valueName: valueName, defaultText: defaultText, help: help, repeatable: repeatable,
            targetKey: targetKey)
        self.environmentSecret = environmentSecret.map { (variable: $0.0, apply: $0.1) }
        self.apply = apply
    }

    /// A targets-file key from a flag name: without the first dotted part (`redis.`, `celery.`),
    /// dots and dashes as `_` (`redis.tls.ca-file` → `tls_ca_file`).
    static func derivedKey(_ name: String) -> String {
        let tail = name.firstIndex(of: ".").map { name[name.index(after: $0)...] } ?? Substring(name)
        return String(tail.map { $0 == "." || $0 == "-" ? "_" : $0 })
    }

    // MARK: kinds of option

    /// Free text, stored as given.
    static func text(
        _ name: String, valueName: String, default defaultText: String?, help: String, scope: Scope,
        set: @escaping @Sendable (inout ExporterConfiguration, String) -> Void
    ) -> ExporterOption {
        ExporterOption(name, valueName: valueName, default: defaultText, help: help, scope: scope) { c, input in
            set(&c, input.last)
        }
    }

    /// A boolean switch (`--name`, `--no-name`, `--name=false`; `true`/`false` in a file).
    static func toggle(
        _ name: String, default value: Bool, help: String, scope: Scope,
        set: @escaping @Sendable (inout ExporterConfiguration, Bool) -> Void
    ) -> ExporterOption {
        ExporterOption(name, valueName: nil, default: String(value), help: help, scope: scope) {
            c, input throws(ConfigurationError) in
            guard let flag = CommandLineParser.parseBool(input.last) else { throw input.fail(.notABoolean) }
            set(&c, flag)
        }
    }

    /// A duration within `range`. Every duration has an upper bound: past it a value means nothing
    /// useful, and unbounded ones overflowed later conversions to whole milliseconds.
    static func duration(
        _ name: String, default defaultText: String, range: ClosedRange<Double>, help: String,
        scope: Scope, set: @escaping @Sendable (inout ExporterConfiguration, Double) -> Void
    )
        -> ExporterOption
    {
        ExporterOption(name, valueName: "DURATION", default: defaultText, help: help, scope: scope) {
            c, input throws(ConfigurationError) in
            guard let seconds = DurationParser.seconds(input.last), range.contains(seconds) else {
                throw input.fail(.durationOutOfRange(range), showing: ExporterConfiguration.shown(input.last))
            }
            set(&c, seconds)
        }
    }

    /// A whole number within `range`.
    static func integer(
        _ name: String, valueName: String = "N", default defaultText: String, range: ClosedRange<Int>,
        help: String, scope: Scope, set: @escaping @Sendable (inout ExporterConfiguration, Int) -> Void
    )
        -> ExporterOption
    {
        ExporterOption(name, valueName: valueName, default: defaultText, help: help, scope: scope) {
            c, input throws(ConfigurationError) in
            guard let value = Int(input.last), range.contains(value) else {
                throw input.fail(.integerOutOfRange(range), showing: ExporterConfiguration.shown(input.last))
            }
            set(&c, value)
        }
    }

    /// A path that must name a readable regular file (a FIFO would hang whoever opens it later:
    /// OpenSSL for the TLS files, the alerting loader).
    static func readableFile(
        _ name: String, default defaultText: String?, help: String, scope: Scope,
        set: @escaping @Sendable (inout ExporterConfiguration, String) -> Void
    ) -> ExporterOption {
        ExporterOption(name, valueName: "FILE", default: defaultText, help: help, scope: scope) {
            c, input throws(ConfigurationError) in
            set(&c, try readableFile(input))
        }
    }

    /// A file holding a secret: the whole content without one trailing newline; empty is an error.
    /// The secret itself may also come from the environment variable named like the option
    /// without `-file` (`redis.password-file` → `..._REDIS_PASSWORD`): `fillFromEnvironment`
    /// stores it only where no secret is set yet, so a file (from a flag, or a targets-file key,
    /// or inherited from the flags) always wins over the environment.
    static func secretFile(
        _ name: String, help: String, scope: Scope,
        set: @escaping @Sendable (inout ExporterConfiguration, String) -> Void,
        fillFromEnvironment: @escaping @Sendable (inout ExporterConfiguration, String) -> Void
    )
        -> ExporterOption
    {
        let variable = OptionSpec.environmentName(for: String(name.dropLast("-file".count)))
        return ExporterOption(
            name, valueName: "FILE", default: nil, help: help, scope: scope,
            environmentSecret: (variable, fillFromEnvironment)
        ) { c, input throws(ConfigurationError) in
            let path = input.path(input.last)
            let bytes: [UInt8]
            switch RegularFile.read(path) {
            case .success(let content): bytes = content
            case .failure(let error): throw input.fail(.unreadableFile(error), showing: path)
            }
            let text = ExporterConfiguration.withoutTrailingNewline(String(decoding: bytes, as: UTF8.self))
            guard !text.isEmpty else { throw input.fail(.emptySecretFile, showing: path) }
            set(&c, text)
        }
    }

    /// The path of `input` if it names a readable regular file.
    static func readableFile(_ input: OptionInput) throws(ConfigurationError) -> String {
        let path = input.path(input.last)
        var info = stat()
        guard access(path, R_OK) == 0, stat(path, &info) == 0 else {
            throw input.fail(.inaccessibleFile(errno: errno), showing: path)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw input.fail(.notARegularFile, showing: path)
        }
        return path
    }
}
