import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// What one non-blocking read or write on a ``Socket`` did: for event loops, which wait with
/// epoll instead of ``Socket/wait(for:deadline:)``.
public enum SocketIOResult: Sendable, Equatable {
    /// This many bytes were read, or taken by the kernel for sending (possibly fewer than offered).
    case transferred(Int)
    /// Nothing can be done now (`EAGAIN`): wait for readiness.
    case wouldBlock
    /// The peer closed its sending half (a read returned 0).
    case endOfStream
    /// The connection is broken (`ECONNRESET`, `EPIPE`, …): close it.
    case failed(errno: Int32)
}

/// Non-blocking reads and writes without deadlines: one system call each (retried on `EINTR`),
/// never waiting. The event loops' half of socket I/O; the blocking half (``read(into:deadline:)``,
/// ``writeAll(_:deadline:)``) waits with `poll(2)` instead.
extension Socket {
    /// The most buffers one ``sendAvailable(gathering:skippingFirst:maximumBytes:)`` passes to the kernel.
    public static let maximumGatheredBuffers = 16

    /// Reads what is available now, at most `buffer.count` bytes.
    public func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> SocketIOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .transferred(n) }
            if n == 0 { return buffer.count == 0 ? .transferred(0) : .endOfStream }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(errno: code)
            }
        }
    }

    /// Sends what the kernel takes now of `bytes` (never raises SIGPIPE).
    public func sendAvailable(_ bytes: UnsafeRawBufferPointer) -> SocketIOResult {
        while true {
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .transferred(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: return .failed(errno: code)
            }
        }
    }

    /// Sends what the kernel takes now of several buffers in order, in one `sendmsg(2)` (a
    /// gathering write: a response head and a shared, pre-rendered body go out together
    /// without being copied into one buffer). Starts `offset` bytes into the first buffer,
    /// offers at most ``maximumGatheredBuffers`` buffers and at most `maximumBytes` bytes.
    /// Never raises SIGPIPE.
    public func sendAvailable(
        gathering buffers: ArraySlice<[UInt8]>, skippingFirst offset: Int = 0, maximumBytes: Int = .max
    )
        -> SocketIOResult
    {
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: Self.maximumGatheredBuffers) { vectors in
            Self.pin(
                buffers, from: buffers.startIndex, offset: offset, budget: maximumBytes, into: vectors, filled: 0
            ) { count in
                guard count > 0 else { return .transferred(0) }
                var message = msghdr()
                message.msg_iov = vectors.baseAddress
                message.msg_iovlen = count
                while true {
                    let n = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                    if n >= 0 { return .transferred(n) }
                    switch errno {
                    case EINTR: continue
                    case EAGAIN, EWOULDBLOCK: return .wouldBlock
                    case let code: return .failed(errno: code)
                    }
                }
            }
        }
    }

    /// Fills `vectors` with the buffers' addresses, each pinned by a nested
    /// `withUnsafeBytes` (so the addresses stay valid while `body` runs), then calls `body`
    /// with the number filled. Recursion depth is bounded by ``maximumGatheredBuffers``.
    private static func pin(
        _ buffers: ArraySlice<[UInt8]>, from index: Int, offset: Int, budget: Int,
        into vectors: UnsafeMutableBufferPointer<iovec>, filled: Int, _ body: (Int) -> SocketIOResult
    ) -> SocketIOResult {
        guard index != buffers.endIndex, filled < vectors.count, budget > 0 else { return body(filled) }
        return buffers[index].withUnsafeBytes { bytes in
            let length = min(bytes.count - offset, budget)
            guard length > 0 else {
                return pin(
                    buffers, from: index + 1, offset: 0, budget: budget, into: vectors,
                    filled: filled, body)
            }
            vectors[filled] = iovec(
                iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + offset), iov_len: length)
            return pin(
                buffers, from: index + 1, offset: 0, budget: budget - length, into: vectors,
                filled: filled + 1, body)
        }
    }

    /// True when the peer has sent bytes not read yet (a non-blocking peek; end of stream and
    /// errors count as none).
    public var hasUnreadInput: Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) > 0
    }

    /// Reads and discards what the peer already sent, at most `reads` reads of `scratch`'s size,
    /// so that closing sends FIN rather than a reset that would destroy a response in flight.
    public func discardInput(reads: Int = 16, scratch: UnsafeMutableRawBufferPointer) {
        for _ in 0..<reads {
            guard case .transferred(let n) = readAvailable(into: scratch), n > 0 else { return }
        }
    }
}
