/// One Celery deployment watched by this process, from one entry of `--targets.file`.
///
/// `configuration` is complete: the command line's (and environment's) values with the entry's
/// keys applied on top, so a target runtime reads its broker, result backend, queues and timeouts
/// from it exactly as the single-target exporter reads them from the flags. Process-wide settings
/// (listen address, web config, rules, alerting, logging) are taken from the top-level
/// configuration, never from a target's copy.
public struct TargetDefinition: Sendable {
    /// The `target` label value of every series of this target; unique within the file.
    public var name: String
    /// The flags' configuration with this entry's keys applied.
    public var configuration: ExporterConfiguration

    public init(name: String, configuration: ExporterConfiguration) {
        self.name = name
        self.configuration = configuration
    }
}
