extension ExporterConfiguration {
    /// The environment variable that may hold the result backend's password (like
    /// `CELERY_REDIS_EXPORTER_REDIS_PASSWORD` for the broker).
    static let resultBackendPasswordEnvironment = "CELERY_REDIS_EXPORTER_CELERY_RESULT_BACKEND_PASSWORD"

    /// Flags of a result backend that is not the broker's database (Celery's `result_backend`
    /// pointing at another database or another Redis): the census, the result-write subscription
    /// and orphan detection go there; queues, unacked messages and worker events stay on the broker.
    static let resultBackendOptionSpecs: [OptionSpec] = [
        OptionSpec(name: "celery.result-backend-url", valueName: "URL", defaultText: "the broker's (--redis.url)",
                   help: "Redis of Celery's result_backend when it is not the broker's database, e.g. redis://host:6379/1 or another instance; same URL forms as --redis.url.",
                   repeatable: false),
        OptionSpec(name: "celery.result-backend-user", valueName: "NAME", defaultText: nil,
                   help: "Redis ACL user name for the result backend (overrides one in its URL).", repeatable: false),
        OptionSpec(name: "celery.result-backend-password-file", valueName: "FILE", defaultText: nil,
                   help: "File holding the result backend's Redis password (trailing newline ignored). The environment variable \(resultBackendPasswordEnvironment) works too.",
                   repeatable: false),
        OptionSpec(name: "celery.result-backend-tls.ca-file", valueName: "FILE", defaultText: "system trust store",
                   help: "CA certificates to verify the result backend with (rediss:// only).", repeatable: false),
        OptionSpec(name: "celery.result-backend-tls.cert-file", valueName: "FILE", defaultText: nil,
                   help: "Client certificate for mutual TLS to the result backend.", repeatable: false),
        OptionSpec(name: "celery.result-backend-tls.key-file", valueName: "FILE", defaultText: nil,
                   help: "Private key of the result backend's client certificate.", repeatable: false),
        OptionSpec(name: "celery.result-backend-tls.server-name", valueName: "NAME", defaultText: "the URL's host",
                   help: "Name to send as SNI and to verify the result backend's certificate against.", repeatable: false),
        OptionSpec(name: "celery.result-backend-tls.insecure-skip-verify", valueName: nil, defaultText: "false",
                   help: "Do not verify the result backend's certificate. Only for tests.", repeatable: false),
    ]

    /// Reads the `--celery.result-backend-*` flags. Without `--celery.result-backend-url` the other
    /// ones are an error (they would silently do nothing).
    static func resultBackendFlags(_ options: ParsedOptions, environment: [String: String]) throws
        -> RedisConnectionFlags?
    {
        guard let url = options.last("celery.result-backend-url") else {
            let stray = resultBackendOptionSpecs.dropFirst().map(\.name).filter { options.last($0) != nil }
            if let flag = stray.first {
                throw ConfigurationError("--\(flag) needs --celery.result-backend-url (without it results use the broker's connection)")
            }
            return nil
        }
        var flags = RedisConnectionFlags(url: url)
        flags.user = options.last("celery.result-backend-user")
        if let file = options.last("celery.result-backend-password-file") {
            flags.password = try readSecretFile(file, flag: "celery.result-backend-password-file")
        } else if let password = environment[resultBackendPasswordEnvironment] {
            flags.password = password
        }
        let ca = "celery.result-backend-tls.ca-file"
        let cert = "celery.result-backend-tls.cert-file"
        let key = "celery.result-backend-tls.key-file"
        flags.tlsCAFile = try options.last(ca).map { try readableFile($0, flag: ca) }
        flags.tlsCertFile = try options.last(cert).map { try readableFile($0, flag: cert) }
        flags.tlsKeyFile = try options.last(key).map { try readableFile($0, flag: key) }
        if (flags.tlsCertFile == nil) != (flags.tlsKeyFile == nil) {
            throw ConfigurationError("--\(cert) and --\(key) go together: give both or neither")
        }
        flags.tlsServerName = options.last("celery.result-backend-tls.server-name")
        flags.tlsInsecureSkipVerify = options.last("celery.result-backend-tls.insecure-skip-verify") == "true"
        return flags
    }
}
