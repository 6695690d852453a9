/// A Redis command: its arguments as raw bytes (binary-safe).
public typealias RedisCommand = [[UInt8]]

/// Builds a command from text arguments.
public func redisCommand(_ args: String...) -> RedisCommand { args.map { Array($0.utf8) } }

/// What the Celery sampler needs from Redis: run a batch of commands as one pipeline
/// (one write, replies read in order). Error replies come back as `.error` values in place;
/// a transport failure throws and the whole batch is lost.
///
/// The real implementation is `RedisConnection`; unit tests feed canned replies.
public protocol RedisCommandExecuting {
    /// Sends all `commands` in one write and returns one reply per command, in order.
    func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue]
}

extension RedisCommandExecuting {
    /// Runs one command.
    public func execute(_ command: RedisCommand) throws -> RESPValue {
        try pipeline([command])[0]
    }
}
