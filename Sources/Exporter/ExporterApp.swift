import Alerting
import Celery
import Exposition
import HTTP
import Logging
import Notify
import Redis
import Sockets
import TLS

#if canImport(Glibc)
    import Glibc
#endif

/// The program: parse flags, set up logging, start a ``RunningExporter``, wait for a signal,
/// shut down in order. `main.swift` only calls ``main(arguments:environment:)``.
public enum ExporterApp {
    /// Runs the exporter and returns the process exit status: 0 after a graceful stop,
    /// 2 for a configuration or start-up error (with one line on standard error naming it).
    public static func main(arguments: [String], environment: [String: String]) -> Int32 {
        // Before the parse: the probe exits 0 or 1 only (Docker reserves 2), whatever the environment holds.
        if arguments.dropFirst().contains("--healthcheck") {
            return HealthCheck.run(
                arguments: Array(arguments.dropFirst()), environment: environment,
                program: arguments.first ?? ExporterVersion.name)
        }
        do {
            return try run(arguments: arguments, environment: environment)
        } catch {
            // The one place a start-up error is shown: one line on standard error, then exit 2.
            printError("\(ExporterVersion.name): \(error)\n")
            return 2
        }
    }

    /// The exporter from the parse to the graceful stop. Every configuration or start-up error is
    /// thrown (never printed here): ``main(arguments:environment:)`` prints it once.
    static func run(arguments: [String], environment: [String: String]) throws(ConfigurationError) -> Int32 {
        let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)
        let options = try parser.parse(Array(arguments.dropFirst()), environment: environment)
        if options.helpRequested {
            printOut(
                parser.helpText(
                    program: ExporterVersion.name,
                    summary: "Prometheus exporter and alerter for Celery on Redis."))
            return 0
        }
        if options.versionRequested {
            printOut("\(ExporterVersion.name) \(ExporterVersion.version)\n")
            return 0
        }
        let configuration = try ExporterConfiguration(options: options, environment: environment)

        let level = configuration.logLevel.loggerLevel
        let format = configuration.logFormat
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "exporter")
        installSignalHandlers()
        raiseFileDescriptorLimit(maxConnections: configuration.maxConnections, logger: logger)

        let running = try RunningExporter.start(configuration: configuration)

        while !processStopSignal.wait(seconds: 1) {
            if reloadRequested.exchange(false, ordering: .relaxed) {
                logger.info("SIGHUP received: reloading rules, alerting and web configuration")
                running.requestReload()
            }
        }
        logger.info("shutting down")
        running.stop()
        logger.info("stopped")
        return 0
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit: the usual soft 1024 would run out
    /// before `--web.max-connections` (1024) plus the exporter's own descriptors. Warns when
    /// even the hard limit leaves no room for the connection cap (clients beyond are shed with 503).
    static func raiseFileDescriptorLimit(maxConnections: Int, logger: Logger) {
        let limit: UInt64
        do {
            let (before, after) = try FileDescriptorLimit.raiseSoftToHard()
            if after != before {
                logger.debug("raised the open file limit", metadata: ["from": "\(before)", "to": "\(after)"])
            }
            limit = after
        } catch {
            logger.warning(
                "cannot raise the open file limit; connections may fail early with too many open files",
                metadata: ["err": "\(error)"])
            guard let soft = FileDescriptorLimit.current().soft else { return }
            limit = soft
        }
        // Headroom for Redis connections, webhooks, rule files, epoll and the standard streams.
        let needed = UInt64(maxConnections) + 64
        if limit < needed {
            logger.warning(
                "the open file limit is below --web.max-connections plus headroom: past it, idle connections are closed and new clients answered 503",
                metadata: ["limit": "\(limit)", "max_connections": "\(maxConnections)", "wanted": "\(needed)"])
        }
    }

    static func printOut(_ text: String) {
        text.utf8CString.withUnsafeBufferPointer { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count - 1) }
    }

    static func printError(_ text: String) {
        text.utf8CString.withUnsafeBufferPointer { _ = write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
    }
}
