import Redis
import TestSupport

/// The code under test's `RedisConnection` to a test's real `redis-server` (database 0, no
/// credentials). Suites that need a user or a reply limit build their own.
func connect(_ server: RedisServer) throws -> RedisConnection {
    try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
}
