import Sockets

/// Reads small files (secrets, URLs) with Glibc, since Sources use no Foundation.
enum FileContents {
    /// The bytes of `path`, or why not. Files over `maxBytes` (1 MiB by default: secrets and
    /// configuration, not data) and anything but a regular file (a FIFO would hang start-up or a
    /// reload) are refused; see ``RegularFile/read(_:maximumBytes:)``.
    static func read(_ path: String, maxBytes: Int = 1 << 20) -> Result<[UInt8], FileReadError> {
        RegularFile.read(path, maximumBytes: maxBytes).mapError { FileReadError(reason: $0.reason) }
    }
}

/// Why a file could not be read (the `strerror` text or "not a regular file (…)").
struct FileReadError: Error, Sendable {
    let reason: String
}
