import TLS

/// TLS client contexts shared by the integrations of one configuration whose TLS settings are
/// equal. Each context loads its CA store (the system store costs about 0.1 s and 800 KB), so
/// 1,000 `https://` webhooks with a context each took 100 s to start and 844 MB of memory; with
/// equal settings they now share one. Used while the senders are built, on one thread.
public final class TLSContextCache {
    private var entries: [(configuration: TLSClientConfiguration, context: TLSClientContext)] = []

    /// An empty cache.
    public init() {}

    /// The context for `configuration`, made (and its files loaded) on first use.
    public func context(for configuration: TLSClientConfiguration) throws -> TLSClientContext {
        if let entry = entries.first(where: { $0.configuration == configuration }) { return entry.context }
        let context = try TLSClientContext(configuration)
        entries.append((configuration, context))
        return context
    }
}
