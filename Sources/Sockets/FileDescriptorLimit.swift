#if canImport(Glibc)
    import Glibc
#endif

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`).
///
/// Most systems start processes with a soft limit of 1024 and a much higher hard limit: a
/// server that keeps 1024 connections open besides its own descriptors runs out long before its
/// connection cap unless it raises the soft limit, which any process may do up to the hard one.
public enum FileDescriptorLimit {
    /// The soft and hard limits now (`nil` means unlimited).
    public static func current() -> (soft: UInt64?, hard: UInt64?) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (nil, nil) }
        func value(_ v: rlim_t) -> UInt64? { v == rlim_t.max ? nil : UInt64(v) }
        return (value(limit.rlim_cur), value(limit.rlim_max))
    }

    /// Raises the soft limit to the hard limit. Returns the soft limit before and after; throws
    /// ``SocketError/failed(call:errno:)`` when the kernel refuses (a hard limit of unlimited
    /// is capped at `nr_open`, the kernel's own ceiling, which `setrlimit` would reject above).
    @discardableResult
    public static func raiseSoftToHard() throws -> (before: UInt64, after: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw SocketError.lastError("getrlimit(RLIMIT_NOFILE)")
        }
        let before = limit.rlim_cur
        var target = limit.rlim_max
        if target == rlim_t.max { target = kernelCeiling() }
        guard target > before else { return (UInt64(before), UInt64(before)) }
        limit.rlim_cur = target
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw SocketError.lastError("setrlimit(RLIMIT_NOFILE, \(target))")
        }
        return (UInt64(before), UInt64(target))
    }

    /// `/proc/sys/fs/nr_open` (the most any process may have), 1 048 576 when unreadable.
    private static func kernelCeiling() -> rlim_t {
        let fallback: rlim_t = 1_048_576
        guard case .success(let bytes) = RegularFile.readPrefix("/proc/sys/fs/nr_open", maximumBytes: 32),
            !bytes.isEmpty
        else { return fallback }
        let text = String(decoding: bytes, as: UTF8.self).filter { $0.isNumber }
        return rlim_t(text).map { $0 } ?? fallback
    }
}
