import HTTP
import Logging
import Sockets
import Synchronization
import TLS

/// `--web.config.file` at run time: the access control (basic auth, headers) in front of every
/// endpoint and the TLS context source of the listeners, both loaded from the file at start-up and
/// replaced by a reload (SIGHUP, `POST /-/reload`) only when the new file is valid as a whole.
public final class WebSecurity: Sendable {
    /// The file, nil when the flag is not given (plain HTTP, no authentication).
    public let file: String?
    /// Basic authentication and headers; wraps the routes.
    public let access: HTTPAccessControl
    /// TLS for the listeners; nil for plain HTTP (fixed at start-up: turning TLS on or off needs
    /// a restart, as the listeners' protocol changes).
    public let tls: TLSServerContextSource?
    private let logger: Logger

    /// Counters for the exporter's metrics.
    public struct Statistics: Sendable {
        public var access: HTTPAccessControl.Statistics
        public var certificates: TLSServerContextSource.Statistics?
    }

    /// Loads `file` (when given); a problem throws the one-line start-up error.
    public init(file: String?, logger: Logger) throws(ConfigurationError) {
        self.file = file
        self.logger = logger
        let config = try file.map { path throws(ConfigurationError) in try WebConfig.load(file: path) } ?? WebConfig()
        access = HTTPAccessControl(users: config.users, headers: config.headers, logger: logger)
        if let tls = config.tls {
            do {
                self.tls = try TLSServerContextSource(tls, now: Deadline.monotonicNow())
            } catch {
                throw .webTLS(file: file ?? "", reason: "\(error)")
            }
        } else {
            self.tls = nil
        }
    }

    /// What the start-up log says about the endpoint's security.
    public var summary: Logger.Metadata {
        [
            "tls": "\(tls.map { "\($0.configuration.clientAuthentication.rawValue)" } ?? "off")",
            "basic_auth": "\(access.requiresAuthentication)",
        ]
    }

    /// Counters since start.
    public var statistics: Statistics { Statistics(access: access.statistics, certificates: tls?.statistics) }

    /// Re-reads the file; on any problem keeps the configuration in force and returns why.
    public func reload() -> String? {
        guard let file else { return nil }
        do {
            let config = try WebConfig.load(file: file)
            if (config.tls == nil) != (tls == nil) {
                throw ConfigurationError.webTLSNeedsRestart(file: file, enabling: tls == nil)
            }
            if let source = tls, let configuration = config.tls {
                do {
                    try source.replace(with: configuration, now: Deadline.monotonicNow())
                } catch {
                    throw ConfigurationError.webTLS(file: file, reason: "\(error)")
                }
            }
            access.update(users: config.users, headers: config.headers)
            logger.info("web configuration reloaded", metadata: summary)
            return nil
        } catch {
            logger.error("web configuration reload failed; keeping the previous one", metadata: ["err": "\(error)"])
            return "\(error)"
        }
    }
}
