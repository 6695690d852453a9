import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The server context new connections use, rebuilt when its certificate, key or client CA file
/// changes on disk (a renewed certificate is served without a restart), and replaced wholesale
/// by a configuration reload.
///
/// The files are looked at (`stat`: modification time, size, inode) at most once per
/// ``checkInterval``, when a connection arrives. A change that does not load (a key written
/// before its certificate, a half-written file) keeps the previous context, is counted in
/// ``statistics`` and is tried again at the next check, so the rename that completes the update
/// is picked up.
public final class TLSServerContextSource: Sendable {
    /// Outcome counters of automatic reloads.
    public struct Statistics: Sendable, Equatable {
        /// Contexts rebuilt because a file changed.
        public var reloads: UInt64 = 0
        /// Changed files that did not load (the previous context stayed).
        public var failures: UInt64 = 0
    }

    /// What ``currentContext(now:)`` found when it looked at the files.
    public enum Change: Sendable, Equatable {
        /// Nothing new (or not looked at: checked less than ``checkInterval`` ago).
        case none
        /// The files changed and the context was rebuilt from them.
        case reloaded
        /// The files changed but do not load; the previous context is still used.
        case failed(TLSError)
    }

    /// The shortest time between two looks at the files (nanoseconds).
    public let checkInterval: Int64

    private struct FileStamp: Equatable {
        var modified: timespec
        var size: Int
        var inode: UInt

        static func == (a: FileStamp, b: FileStamp) -> Bool {
            a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec && a.size == b.size
                && a.inode == b.inode
        }
    }

    private struct State {
        var context: TLSServerContext
        var stamps: [FileStamp?]
        var lastCheck: Int64
        /// Stamps of a change that failed to load: not retried until the files change again.
        var failedStamps: [FileStamp?]?
        var statistics = Statistics()
    }

    private let state: Mutex<State>

    /// Loads `configuration` now (a bad file throws, for a start-up error).
    public init(_ configuration: TLSServerConfiguration, checkInterval: Duration = .seconds(1), now: Int64) throws {
        let stamps = Self.stamps(configuration.files)
        let context = try TLSServerContext(configuration)
        let (seconds, attoseconds) = checkInterval.components
        self.checkInterval = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        state = Mutex(State(context: context, stamps: stamps, lastCheck: now))
    }

    /// The configuration in use.
    public var configuration: TLSServerConfiguration { state.withLock { $0.context.configuration } }

    /// Automatic reload counters since start.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The context for a new connection; at most once per ``checkInterval`` the files are
    /// looked at and the context rebuilt when they changed. Returns what happened, for the
    /// caller to log.
    public func currentContext(now: Int64) -> (TLSServerContext, Change) {
        state.withLock { state in
            guard now - state.lastCheck >= checkInterval else { return (state.context, .none) }
            state.lastCheck = now
            let configuration = state.context.configuration
            let stamps = Self.stamps(configuration.files)
            guard stamps != state.stamps, stamps != state.failedStamps else { return (state.context, .none) }
            do {
                state.context = try TLSServerContext(configuration)
                state.stamps = stamps
                state.failedStamps = nil
                state.statistics.reloads += 1
                return (state.context, .reloaded)
            } catch let error as TLSError {
                state.failedStamps = stamps
                state.statistics.failures += 1
                return (state.context, .failed(error))
            } catch {
                state.failedStamps = stamps
                state.statistics.failures += 1
                return (state.context, .failed(TLSError(kind: .configuration, message: "\(error)")))
            }
        }
    }

    /// Replaces the configuration (a reload of the web configuration file): the new context is
    /// built first, so a bad one throws and the current one stays.
    public func replace(with configuration: TLSServerConfiguration, now: Int64) throws {
        let stamps = Self.stamps(configuration.files)
        let context = try TLSServerContext(configuration)
        state.withLock { state in
            state.context = context
            state.stamps = stamps
            state.failedStamps = nil
            state.lastCheck = now
        }
    }

    private static func stamps(_ files: [String]) -> [FileStamp?] {
        files.map { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return FileStamp(modified: info.st_mtim, size: Int(info.st_size), inode: UInt(info.st_ino))
        }
    }
}
