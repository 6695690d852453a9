#if canImport(Glibc)
    import Glibc
#endif

/// The package's one file reader: small whole files (rule files, the alerting, web and targets
/// configuration, password/secret/URL files, the silences and delivery-record files, `/proc`)
/// with plain POSIX calls, for the modules that use no Foundation. Every read has a byte budget.
///
/// Why not a plain `open` + `read`: a FIFO (or a character device) given as a password or
/// configuration file would block `open` until a writer appears and `read` until it writes, so
/// start-up or a reload hangs with no output. The file is opened with `O_NONBLOCK`, checked with
/// `fstat`, and anything but a regular file is refused at once with a clear reason.
public enum RegularFile {
    /// The default budget of ``read(_:maximumBytes:)``: 1 MiB, for secrets and configuration, not data.
    public static let defaultMaximumBytes = 1 << 20

    /// Why a file could not be read: the path, and one short phrase (`strerror` text or our own).
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file that could not be read, as given.
        public let path: String
        /// For example "No such file or directory", "not a regular file (a FIFO)",
        /// "larger than 1048576 bytes". Callers that name the path themselves use this alone.
        public let reason: String
        /// True when the file was refused for exceeding the size limit (callers word that their way).
        public let isTooLarge: Bool
        /// `<path>: <reason>`.
        public var description: String { "\(path): \(reason)" }
        public init(path: String, reason: String, isTooLarge: Bool = false) {
            self.path = path
            self.reason = reason
            self.isTooLarge = isTooLarge
        }
    }

    /// The bytes of `path`, which must be a regular file of at most `maximumBytes` bytes; a larger
    /// file is refused (``ReadError/isTooLarge``), never read in part.
    public static func read(_ path: String, maximumBytes: Int = defaultMaximumBytes) -> Result<[UInt8], ReadError> {
        read(path, maximumBytes: maximumBytes, truncating: false)
    }

    /// The first `maximumBytes` bytes of `path` (a regular file, e.g. `/proc/1/cmdline`), for
    /// readers that only need a bounded prefix; the rest of a longer file is not read.
    public static func readPrefix(_ path: String, maximumBytes: Int) -> Result<[UInt8], ReadError> {
        read(path, maximumBytes: maximumBytes, truncating: true)
    }

    private static func read(_ path: String, maximumBytes: Int, truncating: Bool) -> Result<[UInt8], ReadError> {
        func failure(_ reason: String, isTooLarge: Bool = false) -> Result<[UInt8], ReadError> {
            .failure(ReadError(path: path, reason: reason, isTooLarge: isTooLarge))
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return failure(String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return failure(String(cString: strerror(errno))) }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else { return failure("not a regular file (\(describe(type)))") }
        var out: [UInt8] = []
        // One byte past the budget tells "exactly at the limit" from "over it".
        var chunk = [UInt8](repeating: 0, count: max(1, min(16384, maximumBytes + 1)))
        while true {
            let wanted = truncating ? max(0, min(chunk.count, maximumBytes - out.count)) : chunk.count
            if wanted == 0 { return .success(out) }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
            if n < 0 {
                if errno == EINTR { continue }
                return failure(String(cString: strerror(errno)))
            }
            if n == 0 { return .success(out) }
            out += chunk[0..<n]
            if out.count > maximumBytes { return failure("larger than \(maximumBytes) bytes", isTooLarge: true) }
        }
    }

    /// A name for a non-regular file type, for the error message.
    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: return "a FIFO"
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "file type \(String(type, radix: 8))"
        }
    }
}
