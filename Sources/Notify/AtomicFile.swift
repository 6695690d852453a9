#if canImport(Glibc)
    import Glibc
#endif

/// Whole-file writes that a crash cannot tear: a temporary file beside the target, `fsync`,
/// `rename` over it, `fsync` of the directory (the delivery record's recipe, for other files).
public enum AtomicFile {
    /// Writes `bytes` to `path` (mode 0600). Returns nil on success, else which call failed and
    /// why (the previous file stays).
    public static func write(path: String, bytes: [UInt8]) -> String? {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return failure("open") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let f = failure("write")
                close(fd)
                return f
            }
            offset += n
        }
        guard fsync(fd) == 0 else {
            let f = failure("fsync")
            close(fd)
            return f
        }
        close(fd)
        guard rename(temporary, path) == 0 else { return failure("rename") }
        let dir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
        return nil
    }

    private static func failure(_ call: String) -> String { "\(call): \(String(cString: strerror(errno)))" }
}
