/// The exporter's version, shown by `--version`, the landing page and `celery_redis_build_info`.
public enum ExporterVersion {
    public static let version = "0.4.0-dev"
    public static let name = "celery-redis-exporter"
}

extension ExporterVersion {
    /// The git commit the binary was built from (`-dirty` with uncommitted changes), from
    /// `BuildStamp`, which Plugins/BuildInfoPlugin writes at build time; "unknown" without git.
    public static var revision: String { BuildStamp.revision }
    /// The version of the Swift compiler that built the binary ("6.3.1").
    public static var swiftVersion: String { BuildStamp.swiftVersion }
}
