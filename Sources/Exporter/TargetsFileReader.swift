import Alerting
import Sockets

/// Reads `--targets.file`: several Celery deployments watched by one process.
///
/// ```yaml
/// targets:
///   - name: orders
///     redis_url: redis://redis-orders:6379/0
///     password_file: /run/secrets/orders-redis
///     queues: [orders, orders.priority]
///   - name: billing
///     redis_url: rediss://billing.example:6380/0
///     result_backend_url: rediss://billing.example:6380/1
///     tls_ca_file: ca.pem                  # relative to this file
/// ```
///
/// The keys of an entry are the per-target options' (``ExporterOption/targetKey``), so a new
/// per-target flag is a key here without a change to this reader. A key left out takes the
/// command line's (or environment's) value, else the default. Passwords come only from files
/// (`*_password_file`): a literal password key is refused. Errors name the file, line and key
/// path and never a value.
struct TargetsFileReader {
    /// Most targets in one file: each has its own connections and threads (three or four of each).
    static let maximumTargets = 64
    /// Largest file read: a generous 4 KiB per target.
    static let maximumBytes = 256 << 10
    /// Longest target name (it is a label value on every series of the target).
    static let maximumNameLength = 64

    let document: ConfigDocument

    init(file: String) {
        document = ConfigDocument(file: file, flag: "targets.file")
    }

    /// The options a targets entry may set, by key.
    static let targetOptions: [(key: String, option: ExporterOption)] =
        ExporterConfiguration.options.compactMap { option in option.targetKey.map { ($0, option) } }

    /// Keys refused with a pointer to what to do instead: a password in the file itself (use its
    /// `_file` key), and the process-wide settings under their names in snake_case (`poll_interval`:
    /// give `--poll.interval`), which would otherwise read as a typo.
    static let refusedKeys: [String: String] = {
        var refused: [String: String] = [:]
        for option in ExporterConfiguration.options {
            if let key = option.targetKey, key.hasSuffix("password_file") {
                refused[String(key.dropLast("_file".count))] = "passwords are read from files only; use \(key)"
            } else if option.targetKey == nil {
                // The whole name in snake_case: `poll_interval`, `log_level`, `web_listen_address`.
                let key = String(option.spec.name.map { $0 == "." || $0 == "-" ? "_" : $0 })
                if !targetOptions.contains(where: { $0.key == key }) {
                    refused[key] = "is the same for every target: give --\(option.spec.name) on the command line"
                }
            }
        }
        return refused
    }()

    /// Reads the file and returns one definition per entry, each starting from `defaults`.
    func read(defaults: ExporterConfiguration, environment: [String: String]) throws(ConfigurationError)
        -> [TargetDefinition]
    {
        let bytes: [UInt8]
        switch RegularFile.read(document.file, maximumBytes: Self.maximumBytes) {
        case .success(let content): bytes = content
        case .failure(let error):
            throw .invalidValue(.flag("targets.file"), shown: document.file, problem: .unreadableFile(error))
        }
        do {
            return try read(yaml: String(decoding: bytes, as: UTF8.self), defaults: defaults, environment: environment)
        } catch let error as ConfigurationError {
            throw error
        } catch let error as ConfigError {
            throw .file(error)
        } catch {
            // Not reached: the reader throws only the two above.
            throw .file(document.fail("cannot be read"))
        }
    }

    /// Reads the text of a targets file. Throws a ``ConfigError`` for the file's shape and a
    /// ``ConfigurationError`` (worded the same way) for an option's value.
    func read(yaml: String, defaults: ExporterConfiguration, environment: [String: String]) throws -> [TargetDefinition]
    {
        guard let root = try document.root(yaml: yaml) else {
            throw document.fail("the file is empty; expected targets:")
        }
        guard let list = try root.mapping(allowed: ["targets"])["targets"] else {
            throw root.failAt("targets", "is required")
        }
        let entries = try list.sequence(of: "targets")
        guard !entries.isEmpty else { throw list.fail("expected at least one target") }
        guard entries.count <= Self.maximumTargets else {
            throw list.fail("more than \(Self.maximumTargets) targets; shard them across exporter processes")
        }
        var base = defaults
        base.targets = []
        base.targetsFile = nil
        var seen: [String: Int] = [:]
        var targets: [TargetDefinition] = []
        for (index, entry) in entries.enumerated() {
            let target = try readTarget(entry, base: base, environment: environment)
            if let first = seen[target.name] {
                throw entry.failAt("name", "the same name as targets[\(first)]; names must be unique")
            }
            seen[target.name] = index
            targets.append(target)
        }
        return targets
    }

    private func readTarget(_ entry: ConfigValue, base: ExporterConfiguration, environment: [String: String])
        throws -> TargetDefinition
    {
        let keys = Self.targetOptions.map(\.key)
        let m = try entry.mapping(allowed: ["name"] + keys, refused: Self.refusedKeys)
        guard let nameValue = m["name"] else { throw entry.failAt("name", "is required") }
        let name = try nameValue.value()
        guard Self.isValidName(name) else {
            throw nameValue.fail(
                "expected 1 to \(Self.maximumNameLength) letters, digits, '_', '-', '.' or ':', starting with a letter or digit"
            )
        }
        var configuration = base
        for (key, option) in Self.targetOptions {
            guard let value = m[key] else { continue }
            let values =
                option.spec.repeatable ? try value.sequence(of: "values").map { try $0.value() } : [try value.value()]
            // Its errors are worded with the file, line and key path (see OptionInput).
            try option.apply(&configuration, OptionInput(values: values, origin: .file(value)))
        }
        // A result backend an entry adds takes the environment's password, as from the flags.
        configuration.applyEnvironmentSecrets(environment)
        let keyOf = Dictionary(uniqueKeysWithValues: Self.targetOptions.map { ($0.option.spec.name, $0.key) })
        // The checks that span keys, and the connection settings built once now, so a bad URL or
        // a missing sentinel master is a start-up error naming this entry.
        do {
            try configuration.checkConnections { keyOf[$0] ?? "--" + $0 }
            try configuration.checkQueueCount { keyOf[$0] ?? "--" + $0 }
            _ = try configuration.redisConfiguration()
            _ = try configuration.resultBackendConfiguration()
            _ = try configuration.sentinelConfiguration()
            _ = try configuration.resultBackendSentinelConfiguration()
        } catch {
            throw entry.fail("target \(name): \(error)")
        }
        return TargetDefinition(name: name, configuration: configuration)
    }

    /// Target names: label values that read well in a URL, a log line and a legend.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= maximumNameLength else { return false }
        func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
            c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c))
        }
        return isAlphanumeric(first)
            && name.unicodeScalars.allSatisfy { isAlphanumeric($0) || "_-.:".unicodeScalars.contains($0) }
    }
}
