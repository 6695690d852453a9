#if canImport(Glibc)
import Glibc
#endif

/// Reads small whole files (secrets, URLs, configuration) with plain POSIX calls, for the modules
/// that use no Foundation.
///
/// Why not a plain `open` + `read`: a FIFO (or a character device) given as a password or
/// configuration file would block `open` until a writer appears and `read` until it writes, so
/// start-up or a reload hangs with no output. The file is opened with `O_NONBLOCK`, checked with
/// `fstat`, and anything but a regular file is refused at once with a clear reason.
public enum RegularFile {
    /// Why a file could not be read, as one short phrase (`strerror` text or our own).
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// For example "No such file or directory", "not a regular file (a FIFO)".
        public let reason: String
        /// True when the file was refused for exceeding the size limit (callers word that their way).
        public let isTooLarge: Bool
        public var description: String { reason }
        public init(reason: String, isTooLarge: Bool = false) {
            self.reason = reason
            self.isTooLarge = isTooLarge
        }
    }

    /// The bytes of `path`, which must be a regular file of at most `maximumBytes` bytes.
    public static func read(_ path: String, maximumBytes: Int = 1 << 20) -> Result<[UInt8], ReadError> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ReadError(reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(ReadError(reason: String(cString: strerror(errno)))) }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else { return .failure(ReadError(reason: "not a regular file (\(describe(type)))")) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(ReadError(reason: String(cString: strerror(errno))))
            }
            if n == 0 { return .success(out) }
            out += chunk[0..<n]
            if out.count > maximumBytes { return .failure(ReadError(reason: "larger than \(maximumBytes) bytes", isTooLarge: true)) }
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
