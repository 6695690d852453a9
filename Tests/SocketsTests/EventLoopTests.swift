import Foundation
import Sockets
import Synchronization
import Testing

@Suite struct EventLoopTests {
    @Test func timesOutWithNoEvents() throws {
        let loop = try EventLoop()
        var buffer = EventBuffer(capacity: 8)
        let started = ContinuousClock.now
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 30) == 0)
        #expect(ContinuousClock.now - started >= .milliseconds(25))
        #expect(!buffer.woken)
    }

    @Test func wakeFromAnotherThreadEndsTheWait() throws {
        let loop = try EventLoop()
        let thread = try NativeThread.spawn(name: "waker") {
            usleep(20_000)
            loop.wake()
        }
        var buffer = EventBuffer(capacity: 8)
        let started = ContinuousClock.now
        let count = try loop.wait(into: &buffer, timeoutMilliseconds: 5_000)
        thread.join()
        #expect(count == 0)  // the wake-up itself is not reported as an event
        #expect(buffer.woken)
        #expect(ContinuousClock.now - started < .seconds(2))
        // The eventfd was drained: the next wait does not return at once.
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 10) == 0)
        #expect(!buffer.woken)
    }

    @Test func reportsReadableWritableAndPeerClose() throws {
        let listener = try Listener.bind(.tcp(host: "127.0.0.1", port: 0))[0]
        let loop = try EventLoop()
        try loop.register(listener.fd, for: .readable)
        let client = try Socket.connect(to: listener.address, deadline: Deadline(after: .seconds(1)))
        var buffer = EventBuffer()
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 1_000) == 1)
        #expect(buffer.ready == [.init(fd: listener.fd, events: .readable)])
        let server = try #require(try listener.accept())
        try loop.register(server.fd, for: [.readable, .peerClosed, .writable])
        try loop.wait(into: &buffer, timeoutMilliseconds: 1_000)
        #expect(buffer.ready.first?.events == .writable)
        try loop.modify(server.fd, for: [.readable, .peerClosed])
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 20) == 0)
        try client.writeAll(Array("hi".utf8), deadline: Deadline(after: .seconds(1)))
        try loop.wait(into: &buffer, timeoutMilliseconds: 1_000)
        #expect(buffer.ready.first?.events == .readable)
        client.close()
        try loop.wait(into: &buffer, timeoutMilliseconds: 1_000)
        #expect(buffer.ready.first?.events.contains(.peerClosed) == true)
        loop.unregister(server.fd)
        #expect(try loop.wait(into: &buffer, timeoutMilliseconds: 10) == 0)
    }
}

@Suite struct NativeThreadTests {
    @Test func runsTheBodyOnItsOwnNamedThreadAndJoins() throws {
        final class Box: @unchecked Sendable {  // written by the thread, read after join()
            var name = ""
            var ran = false
        }
        let box = Box()
        let thread = try NativeThread.spawn(name: "a-very-long-thread-name") {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            box.name = comm.trimmingCharacters(in: .newlines)
            box.ran = true
        }
        thread.join()
        #expect(box.ran)
        #expect(box.name == "a-very-long-thr")  // Linux keeps 15 bytes
        #expect(!thread.isCurrent)
    }

    /// A name with a multi-byte character across byte 15 (a user's targets-file key) used to crash
    /// the process: the 15-byte cut was not valid UTF-8 and was force-unwrapped.
    @Test(arguments: [
        ("poll-abcdefghié-orders", "poll-abcdefghi"),
        ("poll-日本語のターゲット", "poll-日本語"),
        ("exactly15bytes!", "exactly15bytes!"),
    ])
    func namesAreCutAtACharacterBoundary(name: String, kernelName: String) throws {
        let seen = Mutex<String?>(nil)
        let thread = try NativeThread.spawn(name: name) {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            seen.withLock { $0 = comm.trimmingCharacters(in: .newlines) }
        }
        thread.join()
        #expect(seen.withLock { $0 } == kernelName)
    }
}
