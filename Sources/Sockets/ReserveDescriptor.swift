#if canImport(Glibc)
    import Glibc
#endif

/// A descriptor held back for a moment of need (`/dev/null`, read-only): when the process runs
/// out of descriptors (`EMFILE`), releasing it makes room for one `accept`, so a client can be
/// told `503` at once instead of waiting in the backlog. Closed when released or deinitialised.
///
/// Not `Sendable`: it belongs to the loop thread that holds it.
public final class ReserveDescriptor {
    private var fd: Int32?

    /// Opens the reserve; ``isHeld`` tells whether that worked (it may not, out of descriptors).
    public init() { refill() }

    deinit { release() }

    /// True while the reserve descriptor is open.
    public var isHeld: Bool { fd != nil }

    /// Closes the reserve, freeing one descriptor slot (idempotent).
    public func release() {
        if let fd { _ = Glibc.close(fd) }
        fd = nil
    }

    /// Opens the reserve again if it is not held; false when that fails.
    @discardableResult
    public func refill() -> Bool {
        guard fd == nil else { return true }
        let opened = open("/dev/null", O_RDONLY | O_CLOEXEC)
        fd = opened >= 0 ? opened : nil
        return fd != nil
    }
}
