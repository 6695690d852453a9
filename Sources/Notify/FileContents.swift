#if canImport(Glibc)
    import Glibc
#endif

/// Reads small files (secrets, URLs) with Glibc, since Sources use no Foundation.
enum FileContents {
    /// The bytes of `path`, or the `strerror` text of why not. Files over `maxBytes` (1 MiB
    /// by default: secrets and configuration, not data) are refused.
    static func read(_ path: String, maxBytes: Int = 1 << 20) -> Result<[UInt8], FileReadError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileReadError(reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileReadError(reason: String(cString: strerror(errno))))
            }
            if n == 0 { break }
            out += chunk[0..<n]
            if out.count > maxBytes { return .failure(FileReadError(reason: "larger than \(maxBytes) bytes")) }
        }
        return .success(out)
    }
}

/// Why a file could not be read (the `strerror` text).
struct FileReadError: Error, Sendable {
    let reason: String
}
