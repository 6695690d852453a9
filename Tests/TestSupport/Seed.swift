/// Sends one seeding command to a test's Redis (binary-safe arguments, RESP written by hand) and
/// throws if Redis answers with an error reply, so a test never runs against data it failed to
/// write (a typo in a command, WRONGTYPE, a Lua error in an `EVAL` that builds a value).
public func seed(_ server: RedisServer, _ arguments: [UInt8]...) throws {
    try seed(server, arguments)
}

/// `seed(_:_:)` with the arguments as an array and a deadline for the whole exchange (seconds):
/// building a value of hundreds of megabytes in Lua takes many seconds on a loaded machine.
public func seed(_ server: RedisServer, _ arguments: [[UInt8]], timeout: Double = 30) throws {
    let reply = try server.command(arguments, timeout: timeout)
    if reply.hasPrefix("-") { throw HarnessError("seeding failed: \(reply)") }
}
