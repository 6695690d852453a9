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
        func failure(_ kind: ReadError.Kind) -> Result<[UInt8], ReadError> {
            .failure(ReadError(path: path, kind: kind))
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return failure(.system(errno: errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return failure(.system(errno: errno)) }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else { return failure(.notRegularFile(ReadError.FileType(type))) }
        var out: [UInt8] = []
        // One byte past the budget tells "exactly at the limit" from "over it".
        var chunk = [UInt8](repeating: 0, count: max(1, min(16384, maximumBytes + 1)))
        while true {
            let wanted = truncating ? max(0, min(chunk.count, maximumBytes - out.count)) : chunk.count
            if wanted == 0 { return .success(out) }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
            if n < 0 {
                if errno == EINTR { continue }
                return failure(.system(errno: errno))
            }
            if n == 0 { return .success(out) }
            out += chunk[0..<n]
            if out.count > maximumBytes { return failure(.tooLarge(limit: maximumBytes)) }
        }
    }
}
