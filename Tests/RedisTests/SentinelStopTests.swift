import Foundation
import Redis
import Sockets
import Synchronization
import TestSupport
import Testing

/// A stop ends a connect through silent sentinels at once: three sentinels that accept and never
/// answer, with 10 s timeouts, used to hold a shutdown 30 s (the auditor's SIGTERM took 15.3 s
/// with 5 s timeouts). Deadline checks with a generous bound, not benchmarks.
@Suite(.serialized) struct SentinelStopTests {
    static func silentSentinels() throws -> ([SilentListener], SentinelResolver) {
        let silent = try (0..<3).map { _ in try SilentListener() }
        let resolver = SentinelResolver(
            configuration: SentinelConfiguration(
                sentinels: silent.map { .tcp(host: "127.0.0.1", port: $0.port) }, masterName: "mymaster",
                connectTimeout: .seconds(10), readTimeout: .seconds(10)))
        return (silent, resolver)
    }

    static let base = RedisConfiguration(
        endpoint: .tcp(host: "placeholder.invalid", port: 1), connectTimeout: .seconds(10), readTimeout: .seconds(10))

    @Test func stoppingASubscriberCutsItsSentinelRound() throws {
        let (silent, resolver) = try Self.silentSentinels()
        let subscriber = RedisSubscriber(configuration: Self.base, patterns: [Array("x".utf8)], sentinel: resolver)
        let thread = try NativeThread.spawn(name: "subscriber") { subscriber.run { _ in } }
        usleep(300_000)  // well inside the first sentinel's 10 s
        let start = Deadline.monotonicNow()
        subscriber.stop()
        thread.join()
        let seconds = Double(Deadline.monotonicNow() - start) / 1e9
        #expect(seconds < 5, "stop took \(seconds) s")
        // The stop is not a sentinel's failure, nor the subscription's.
        #expect(resolver.statistics.failures.isEmpty, "\(resolver.statistics.failures)")
        #expect(subscriber.status.failures == 0)
        _ = silent
    }

    @Test func cancellingAClientCutsItsSentinelRound() throws {
        let (silent, resolver) = try Self.silentSentinels()
        let token = CancellationToken()
        let outcome = Locked<String?>(nil)
        let thread = try NativeThread.spawn(name: "client") {
            let client = RedisClient(configuration: Self.base, sentinel: resolver, cancellation: token)
            do {
                _ = try client.pipeline([redisCommand("PING")])
                outcome.set("answered")
            } catch {
                outcome.set("\(error)")
            }
        }
        usleep(300_000)
        let start = Deadline.monotonicNow()
        token.cancel()
        thread.join()
        let seconds = Double(Deadline.monotonicNow() - start) / 1e9
        #expect(seconds < 5, "cancel took \(seconds) s")
        #expect(outcome.get()?.contains("cancelled") == true, "\(String(describing: outcome.get()))")
        #expect(resolver.statistics.failures.isEmpty, "\(resolver.statistics.failures)")
        _ = silent
    }
}

/// A value shared between a test and its thread.
final class Locked<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    func get() -> Value { value.withLock { $0 } }
}
