import Sockets
import TLS

extension RedisConnection {
    /// Wraps `socket` in TLS, verifying the server as `tls` says, with SNI and host name check
    /// against ``RedisConfiguration/tlsServerName``.
    static func openTLS(
        over socket: Socket, configuration: RedisConfiguration, tls: TLSClientConfiguration,
        context: TLSClientContext?, deadline: Deadline
    ) throws -> any ByteStream {
        let endpoint = configuration.endpoint.description
        do {
            let context = try context ?? TLSClientContext(tls)
            // TLSStream prefers `tls.serverName` over the host we pass, as RedisConfiguration does.
            var host = "localhost"
            if case .tcp(let name, _) = configuration.endpoint { host = name }
            return try TLSStream.connect(over: socket, context: context, hostname: host, deadline: deadline)
        } catch let error as TLSError {
            socket.close()
            if case .timedOut = error.kind { throw RedisError.timedOut(operation: "TLS handshake with \(endpoint)") }
            throw RedisError.tls(endpoint: endpoint, reason: error.description)
        } catch {
            socket.close()
            throw RedisError.tls(endpoint: endpoint, reason: "\(error)")
        }
    }
}
