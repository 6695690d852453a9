/// The options of one Redis connection — URL, Sentinel master and password file, ACL user,
/// password file, TLS files, server name, skip-verify — generated from a flag prefix and a noun, so the broker's (`--redis.*`) and the
/// result backend's (`--celery.result-backend-*`) are the same list and cannot drift apart.
struct RedisConnectionOptions: Sendable {
    /// Prepended to every flag: `redis.` or `celery.result-backend-`.
    let prefix: String
    /// What the help text calls the server: `the broker`, `the result backend`.
    let noun: String
    /// Where the connection lives in the configuration. `update` creates it when absent.
    let read: @Sendable (ExporterConfiguration) -> RedisConnectionFlags?
    let update: @Sendable (inout ExporterConfiguration, (inout RedisConnectionFlags) -> Void) -> Void
    /// Whether the connection may be absent (the result backend): then its other options without
    /// the URL are an error.
    let isOptional: Bool
    /// The URL flag: its default text, help and targets-file key.
    let urlDefault: String?
    let urlHelp: String
    let urlKey: String?

    /// The flag suffixes, in `--help` order; the URL first.
    static let suffixes = [
        "url", "sentinel-master", "sentinel-password-file", "sentinel-tls", "sentinel-tls.ca-file", "user",
        "password-file", "tls.ca-file", "tls.cert-file", "tls.key-file",
        "tls.server-name", "tls.insecure-skip-verify",
    ]

    /// `redis.tls.*` or `celery.result-backend-tls.*`: how errors name the TLS flags together.
    var tlsFlagPrefix: String { prefix + "tls" }
    /// The URL flag's name.
    var urlFlag: String { prefix + "url" }

    /// Every option of the connection, in `--help` order: the URL, its Sentinel options, the rest.
    /// All are per target.
    var options: [ExporterOption] { [plainOptions[0]] + sentinelOptions + plainOptions.dropFirst() }

    /// The URL, user, password and TLS options.
    private var plainOptions: [ExporterOption] {
        let update = self.update
        let read = self.read
        // The environment's password fills a connection that exists and has none (it never
        // creates the optional result backend).
        let fillPassword: @Sendable (inout ExporterConfiguration, String) -> Void = { c, password in
            guard let flags = read(c), flags.password == nil else { return }
            update(&c) { $0.password = password }
        }
        let possessive = noun + "'s"
        func set(_ change: @escaping @Sendable (inout RedisConnectionFlags, String) -> Void)
            -> @Sendable (inout ExporterConfiguration, String) -> Void
        {
            { c, value in update(&c) { change(&$0, value) } }
        }
        return [
            .text(
                urlFlag, valueName: "URL", default: urlDefault, help: urlHelp, scope: .target(key: urlKey),
                set: set { $0.url = $1 }),
            .text(
                prefix + "user", valueName: "NAME", default: nil,
                help: "Redis ACL user name for \(noun) (overrides one in its URL).", scope: .target(),
                set: set { $0.user = $1 }),
            .secretFile(
                prefix + "password-file",
                help:
                    "File holding \(possessive) Redis password (trailing newline ignored). The environment variable \(OptionSpec.environmentName(for: prefix + "password")) works too.",
                scope: .target(), set: set { $0.password = $1 }, fillFromEnvironment: fillPassword),
            .readableFile(
                prefix + "tls.ca-file", default: "system trust store",
                help: "CA certificates to verify \(noun) with (rediss:// only).", scope: .target(),
                set: set { $0.tlsCAFile = $1 }),
            .readableFile(
                prefix + "tls.cert-file", default: nil, help: "Client certificate for mutual TLS to \(noun).",
                scope: .target(), set: set { $0.tlsCertFile = $1 }),
            .readableFile(
                prefix + "tls.key-file", default: nil, help: "Private key of \(possessive) client certificate.",
                scope: .target(), set: set { $0.tlsKeyFile = $1 }),
            .text(
                prefix + "tls.server-name", valueName: "NAME", default: "the URL's host",
                help: "Name to send as SNI and to verify \(possessive) certificate against.", scope: .target(),
                set: set { $0.tlsServerName = $1 }),
            .toggle(
                prefix + "tls.insecure-skip-verify", default: false,
                help:
                    "Do not verify \(possessive) certificate. Only for tests: anyone on the path can read and change the traffic.",
                scope: .target()
            ) { c, flag in update(&c) { $0.tlsInsecureSkipVerify = flag } },
        ]
    }

    /// The Sentinel options of the connection (`sentinel-master`, `sentinel-password-file`), listed
    /// in `--help` right after the URL. Per target, like the rest.
    var sentinelOptions: [ExporterOption] {
        let update = self.update
        let read = self.read
        let urlFlag = self.urlFlag
        let inherits =
            isOptional
            ? " Defaults to --redis.sentinel-master when the URL lists the same sentinels as --redis.url." : ""
        let inheritsTLS =
            isOptional
            ? " Defaults to the broker's when the URL lists the same sentinels as --redis.url." : ""
        let passwordInherits =
            isOptional
            ? " Defaults to the broker's Sentinel password when the URL lists the same sentinels as --redis.url." : ""
        return [
            .text(
                prefix + "sentinel-master", valueName: "NAME", default: nil,
                help:
                    "With a sentinel://host:26379[;sentinel://host2:26379...][/db] URL in --\(urlFlag): the master to ask the sentinels for (kombu's master_name).\(inherits)",
                scope: .target()
            ) { c, name in update(&c) { $0.sentinelMaster = name } },
            .secretFile(
                prefix + "sentinel-password-file",
                help:
                    "File holding the password of \(noun + "'s") sentinels (not Redis's; the URL's or the password file's goes to the master). \(OptionSpec.environmentName(for: prefix + "sentinel-password")) works too.\(passwordInherits)",
                scope: .target(), set: { c, password in update(&c) { $0.sentinelPassword = password } },
                fillFromEnvironment: { c, password in
                    // Never creates the optional result backend; fills only where no file gave one.
                    guard let flags = read(c), flags.sentinelPassword == nil else { return }
                    update(&c) { $0.sentinelPassword = password }
                }),
            .toggle(
                prefix + "sentinel-tls", default: false,
                help:
                    "Talk TLS to \(noun + "'s") sentinels (kombu's sentinel_kwargs={'ssl': True}); the master's own TLS is separate.\(inheritsTLS)",
                scope: .target()
            ) { c, flag in update(&c) { $0.sentinelTLS = flag } },
            .readableFile(
                prefix + "sentinel-tls.ca-file", default: "system trust store",
                help:
                    "CA certificates to verify \(noun + "'s") sentinels with (kombu's sentinel_kwargs ssl_ca_certs); implies --\(prefix)sentinel-tls.",
                scope: .target(), set: { c, file in update(&c) { $0.sentinelTLSCAFile = file } }),
        ]
    }

    /// Checks the connection as a whole once every option is applied: a certificate needs its
    /// key, and a connection that only exists because of a user, password, Sentinel or TLS option
    /// (no URL) is an error rather than options that silently do nothing. `display` names an
    /// option in the message (`--redis.tls.cert-file` on the command line, `tls_cert_file` in a
    /// targets file).
    func check(_ configuration: ExporterConfiguration, display: (String) -> String) throws(ConfigurationError) {
        guard let flags = read(configuration) else { return }
        if isOptional && flags.url.isEmpty {
            // The first option (in `--help` order) that made the connection exist; only the
            // skip-verify switch leaves no other trace.
            let given: [(String, Bool)] = [
                ("sentinel-master", flags.sentinelMaster != nil),
                ("sentinel-password-file", flags.sentinelPassword != nil), ("sentinel-tls", flags.sentinelTLS),
                ("sentinel-tls.ca-file", flags.sentinelTLSCAFile != nil), ("user", flags.user != nil),
                ("password-file", flags.password != nil), ("tls.ca-file", flags.tlsCAFile != nil),
                ("tls.cert-file", flags.tlsCertFile != nil), ("tls.key-file", flags.tlsKeyFile != nil),
                ("tls.server-name", flags.tlsServerName != nil),
            ]
            let stray = given.first { $0.1 }?.0 ?? "tls.insecure-skip-verify"
            throw .conflict(.needsURL(option: display(prefix + stray), url: display(urlFlag)))
        }
        if (flags.tlsCertFile == nil) != (flags.tlsKeyFile == nil) {
            throw .conflict(.onlyTogether(display(prefix + "tls.cert-file"), display(prefix + "tls.key-file")))
        }
    }
}
