/// What every Sentinel failover test starts from: a real master, a replica synced to it, and a
/// real `redis-server --sentinel` watching the master that already counts the replica healthy, so
/// that ``failOver()`` can promote it. Each step waits up to 15 s and throws when it does not happen.
public struct SentinelFailoverSetup {
    public let master: RedisServer
    public let replica: RedisServer
    public let sentinel: RedisSentinel

    /// Starts the three and waits for the replica's sync and the sentinel's view of it.
    public init(masterName: String = "mymaster") throws {
        master = try RedisServer()
        replica = try RedisServer(extraArguments: ["--replicaof", "127.0.0.1", String(master.port)])
        let replica = replica
        let synced = try waitUntil(timeout: 15) {
            try replica.cli(["INFO", "replication"]).stdout.contains("master_link_status:up")
        }
        if !synced { throw HarnessError("replica on port \(replica.port) did not sync with its master within 15 s") }
        sentinel = try RedisSentinel(masterName: masterName, masterPort: master.port)
        let sentinel = sentinel
        if !(try waitUntil(timeout: 15) { try sentinel.healthyReplicaCount() == 1 }) {
            throw HarnessError("the sentinel did not see the replica as healthy within 15 s")
        }
    }

    /// `SENTINEL FAILOVER`, then waits up to 30 s until the sentinel names the replica as master.
    public func failOver() throws {
        _ = try sentinel.cli(["SENTINEL", "FAILOVER", sentinel.masterName])
        let sentinel = sentinel
        let replicaPort = replica.port
        if !(try waitUntil(timeout: 30) { try sentinel.masterPort() == replicaPort }) {
            throw HarnessError("the sentinel did not promote the replica on port \(replicaPort) within 30 s")
        }
    }
}
