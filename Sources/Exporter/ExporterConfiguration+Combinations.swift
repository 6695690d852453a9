/// The checks that span several options, made once every flag (and its environment variable)
/// is applied: settings that would silently do nothing, more explicit queues than are reported,
/// and Redis URLs that do not parse (named by the variable when they came from the environment).
extension ExporterConfiguration {
    /// An option given (on the command line or by its variable) that has no effect without
    /// another one, or with a switch turned off. Each is one line at start-up (exit 2) instead of a
    /// setting the operator believes in and the exporter ignores.
    struct Inert: Sendable {
        /// The option given.
        let option: String
        /// Whether it does nothing in `configuration`.
        let isInert: @Sendable (ExporterConfiguration) -> Bool
        /// What it needs, as the message says it.
        let needs: String
        /// Whether the option may differ per target: then a `--targets.file` entry may supply
        /// what it needs, and the check is the entry's (not made here).
        let perTarget: Bool
    }

    static let inertCombinations: [Inert] = [
        Inert(
            option: "storage.path", isInert: { $0.ruleFiles.isEmpty },
            needs: "--rules.file (it records the rules' alerts and what receivers were told)", perTarget: false),
        Inert(
            option: "alertmanager.url", isInert: { $0.ruleFiles.isEmpty },
            needs: "--rules.file (alerts come only from the rules)", perTarget: false),
        Inert(
            option: "celery.queue-sample-limit",
            isInert: { $0.celeryQueueSampleLimit > 0 && $0.celeryTaskNameLimit == 0 },
            needs: "--celery.task-name-limit greater than 0 (messages are counted by task name only then)",
            perTarget: true),
        Inert(
            option: "celery.census-interval", isInert: { !$0.celeryCensus },
            needs: "the census, which --no-celery.census turns off", perTarget: true),
    ]

    /// Refuses an option of ``inertCombinations`` that was given and does nothing here.
    func refuseInertOptions(_ options: ParsedOptions) throws(ConfigurationError) {
        for inert in Self.inertCombinations where options.last(inert.option) != nil {
            if inert.perTarget && targetsFile != nil { continue }
            guard inert.isInert(self) else { continue }
            throw .conflict(.hasNoEffect(option: "--" + inert.option, needs: inert.needs))
        }
    }

    /// More explicit `--celery.queues` than `--celery.max-queues`: each is a label value on every
    /// poll, and the cap that bounds discovered queues must bound these too. `display` names an
    /// option as the source spells it.
    func checkQueueCount(display: (String) -> String) throws(ConfigurationError) {
        guard Set(celeryQueues).count > celeryMaxQueues else { return }
        throw .conflict(
            .tooManyQueues(
                count: Set(celeryQueues).count, limit: celeryMaxQueues, queues: display("celery.queues"),
                maxQueues: display("celery.max-queues")))
    }

    /// Parses the connection URLs now (without `--targets.file`; its entries are checked as read),
    /// so a bad one fails before anything starts, named by its environment variable when it came
    /// from there.
    func checkRedisURLs(_ options: ParsedOptions) throws(ConfigurationError) {
        guard targetsFile == nil else { return }
        do {
            _ = try redisConfiguration()
            _ = try resultBackendConfiguration()
        } catch {
            guard case .invalidRedisURL(.flag(let name), let urlError) = error, options.fromEnvironment.contains(name)
            else { throw error }
            throw .invalidRedisURL(.environment(variable: OptionSpec.environmentName(for: name)), urlError)
        }
    }
}
