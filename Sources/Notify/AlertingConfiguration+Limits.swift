extension AlertingConfiguration {
    /// Route levels below the root (`route.routes[0].routes[0]…`). Reading the tree recurses
    /// once per level and each route's key repeats every ancestor's matchers, so depth is bounded
    /// before a level is read. Alertmanager configurations in the wild rarely pass five levels.
    public static let maximumRouteDepth = 32
    /// Routes in the whole tree, the root included (an alert is matched against the children of
    /// every route it matches). Twice what YAML anchors let a small file share (three levels of
    /// ten aliases is 1,234 routes) and far beyond hand-written trees.
    public static let maximumRoutes = 2000
    /// Bytes of all route keys together. Alertmanager's route key is the parent's key plus this
    /// route's matchers, so a deep tree of long matchers grows quadratically (420 levels of
    /// 1,500-byte matchers made 300 MB of keys); 4 MiB keeps the worst case small.
    public static let maximumRouteKeyBytes = 4 << 20
    /// Receivers in `receivers`.
    public static let maximumReceivers = 1000
    /// Integrations (`webhook_configs`, `slack_configs`, `pagerduty_configs` entries) over all
    /// receivers: each one a route reaches gets a delivery thread.
    public static let maximumIntegrations = 1000
    /// The shortest `group_interval`, in seconds: a changing group is notified at most this often.
    public static let minimumGroupInterval: Double = 1
    /// The shortest `repeat_interval`, in seconds: an unchanged firing group is notified again at
    /// most this often.
    public static let minimumRepeatInterval: Double = 60
    /// Warning lines kept per load (each load logs them; a reload every minute must not flood).
    public static let maximumWarnings = 50
    /// How many names a summarised warning lists before "(+N more)".
    static let warningNameLimit = 10
}
