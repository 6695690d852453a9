/// The exporter's version, shown by `--version`, the landing page and `celery_redis_build_info`.
public enum ExporterVersion {
    public static let version = "0.1.0"
    public static let name = "celery-redis-exporter"
}
