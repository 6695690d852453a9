/// The bounds of the silence store (flags `--silences.*`).
public struct SilenceLimits: Sendable {
    /// Silences not yet expired (active and pending) at once; a new one past it is refused
    /// (Alertmanager's `--silences.max-silences`).
    public var maxSilences = 1000
    /// Bytes of one silence: comment, creator, and every matcher's name and value
    /// (Alertmanager's `--silences.max-per-silence-bytes`).
    public var maxSilenceBytes = 8192
    /// Matchers in one silence.
    public var maxMatchers = 64
    /// Seconds an expired silence is kept (listed, restorable by `amtool silence import`)
    /// before it is dropped (Alertmanager's `--data.retention`, 120h).
    public var retention: Double = 120 * 3600
    /// Nesting accepted in a request body or the silences file (a silence needs 4).
    public static let maxJSONDepth = 8
    /// The largest silences file read at start-up.
    public var maxFileBytes: Int { (maxSilences * 2 + 16) * (maxSilenceBytes + 1024) }

    /// The documented defaults.
    public init() {}
}
