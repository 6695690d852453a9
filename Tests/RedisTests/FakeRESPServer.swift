import Foundation
import Sockets
import Synchronization
import TestSupport

/// A hostile "Redis" on a free 127.0.0.1 port for one client: it answers the handshake's `PING`
/// with `+PONG`, then answers each later command with the next scripted reply (all at once, or one
/// byte at a time with a pause between bytes), then holds the connection open without a word until
/// stopped. The shape of a broken proxy or a forged server; real Redis cannot be made to send these.
final class FakeRESPServer: Sendable {
    /// One scripted answer.
    struct Reply: Sendable {
        var bytes: [UInt8]
        /// Pause after each byte; nil writes the whole reply at once.
        var drip: Duration? = nil
        /// False sends it right after the previous reply, without waiting for a command (a push).
        var waitsForCommand = true
    }

    let port: UInt16
    private let listenFD: Int32
    private let stopped = StopFlag()
    private let thread: Mutex<NativeThread?> = Mutex(nil)

    init(replies: [Reply]) throws {
        let (fd, port) = try listenOnLoopback(backlog: 4)
        self.port = port
        listenFD = fd
        let stopped = self.stopped
        let spawned = try NativeThread.spawn(name: "fake-resp") {
            FakeRESPServer.serve(listenFD: fd, replies: replies, stopped: stopped)
        }
        thread.withLock { $0 = spawned }
    }

    deinit { stop() }

    /// Stops serving and waits for the server thread. Idempotent.
    func stop() {
        guard stopped.set() else { return }
        shutdown(listenFD, Int32(SHUT_RDWR))  // wakes a blocked accept()
        thread.withLock { $0 }?.join()
        close(listenFD)
    }

    private static func serve(listenFD: Int32, replies: [Reply], stopped: StopFlag) {
        let client = accept(listenFD, nil, nil)
        guard client >= 0 else { return }
        defer { close(client) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let script = [Reply(bytes: Array("+PONG\r\n".utf8))] + replies
        for reply in script {
            // One command per reply: the client waits for each answer before sending more.
            if reply.waitsForCommand {
                guard waitReadable(client, stopped: stopped),
                    buffer.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0
                else { return }
            }
            if let drip = reply.drip {
                for byte in reply.bytes {
                    if stopped.isSet || !send(client, [byte]) { return }
                    sleep(drip, stopped: stopped)
                }
            } else if !send(client, reply.bytes) {
                return
            }
        }
        while !stopped.isSet { usleep(20_000) }
    }

    /// Waits in 20 ms slices until `fd` has data or the server is stopped.
    private static func waitReadable(_ fd: Int32, stopped: StopFlag) -> Bool {
        while !stopped.isSet {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 20) > 0 { return true }
        }
        return false
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    private static func sleep(_ duration: Duration, stopped: StopFlag) {
        let deadline = Deadline(after: duration)
        while !deadline.hasPassed && !stopped.isSet { usleep(10_000) }
    }
}

/// The process's peak virtual memory (`VmPeak` in /proc/self/status), in bytes.
func peakVirtualMemoryBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmPeak:") }),
        let kilobytes = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
}

/// A stop flag shared between a test and its server thread.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    /// Sets the flag; true when this call set it.
    func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
}
