import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// A joinable POSIX thread for a long-lived loop (an epoll loop, a poller).
///
/// Loops that block in system calls must not run in Swift concurrency tasks: the cooperative
/// pool has one thread per core and a blocked task starves the rest.
/// The start routine is formed in this file, outside any `@MainActor` top-level code, so the
/// Swift 6 runtime inserts no executor check into it (which would trap on a thread C started).
public struct NativeThread: Sendable {
    let handle: pthread_t

    /// Boxes the body so it can travel through `pthread_create`'s `void *` argument.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a thread named `name` (at most 15 bytes are kept, a Linux limit) running `body`.
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws -> NativeThread {
        let start = Unmanaged.passRetained(Start(name: name, body: body))
        var handle = pthread_t()
        let rc = pthread_create(
            &handle, nil,
            { context in
                let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
                _ = pthread_setname_np(pthread_self(), NativeThread.kernelName(start.name))
                start.body()
                return nil
            }, start.toOpaque())
        guard rc == 0 else {
            start.release()
            throw SocketError.failed(call: "pthread_create", errno: rc)
        }
        return NativeThread(handle: handle)
    }

    /// Waits for the thread to finish. Call exactly once, never from the thread itself.
    public func join() {
        _ = pthread_join(handle, nil)
    }

    /// `name` cut to Linux's 15-byte thread-name limit at a character boundary (a cut inside a
    /// UTF-8 sequence would not be a valid string).
    static func kernelName(_ name: String) -> String {
        var kept = ""
        for character in name {
            guard kept.utf8.count + character.utf8.count <= 15 else { break }
            kept.append(character)
        }
        return kept
    }

    /// True when called on this thread (so a loop can refuse to join itself).
    public var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }
}
