import Foundation

/// The kernel's accept queue of the TCP listener on `port` (IPv4 or IPv6, any address): how many
/// connections the client side already sees as connected that the server has not `accept`ed
/// yet. Nil when no listener on `port` is found. Read from `/proc/net/tcp{,6}`, where a
/// listening socket's `rx_queue` is its accept backlog.
///
/// A test that opens a thousand connections in a burst and then times one more request must
/// first wait for this to reach 0: otherwise it times how fast a (possibly CPU-starved) server
/// drains the burst, not the steady state it means to test.
public func acceptQueueLength(port: UInt16) -> Int? {
    let portHex = String(format: "%04X", port)
    var found: Int?
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // sl local_address rem_address st tx_queue:rx_queue ...; st 0A is LISTEN.
            guard fields.count > 4, fields[3] == "0A", fields[1].hasSuffix(":" + portHex) else { continue }
            let queues = fields[4].split(separator: ":")
            guard queues.count == 2, let rx = Int(queues[1], radix: 16) else { continue }
            found = (found ?? 0) + rx
        }
    }
    return found
}

/// Waits up to `timeout` seconds until the listener on `port` has accepted every connection
/// made to it so far; false if it has not (or no listener is found).
public func waitUntilAcceptQueueDrained(port: UInt16, timeout: Double = 30) -> Bool {
    waitUntil(timeout: timeout) { acceptQueueLength(port: port) == 0 }
}
