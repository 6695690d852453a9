import Foundation
import Sockets
import Synchronization
import TLS
import TestSupport

/// Our own ``TLSServerContext`` accepting one connection on a ``TestListener`` in a separate
/// thread and running `handler` on the stream; the outcome is collected with ``wait()``.
final class BackgroundTLSServer: Sendable {
    /// What the server thread saw.
    struct Outcome: Sendable {
        var error: TLSError?
        var otherError: String?
        var peerCertificateSubject: String?
        var negotiatedProtocol: String?
    }

    private let outcome = Mutex<Outcome?>(nil)

    init(
        listener: TestListener, context: TLSServerContext, handshakeTimeout: Duration = .seconds(5),
        handler: @escaping @Sendable (TLSStream) throws -> Void = { _ in }
    ) {
        Thread.detachNewThread { [self] in
            var result = Outcome()
            do {
                let socket = try listener.accept()
                let stream = try TLSStream.accept(
                    over: socket, context: context, deadline: Deadline(after: handshakeTimeout))
                result.peerCertificateSubject = stream.peerCertificateSubject
                result.negotiatedProtocol = stream.negotiatedProtocol
                try handler(stream)
                stream.close()
            } catch let error as TLSError {
                result.error = error
            } catch {
                result.otherError = "\(error)"
            }
            outcome.withLock { $0 = result }
        }
    }

    /// Waits (at most 15 s) for the server thread to finish.
    func wait() throws -> Outcome {
        let finished = waitUntil(timeout: 15) { outcome.withLock { $0 != nil } }
        guard finished, let result = outcome.withLock({ $0 }) else {
            throw HarnessError("server thread did not finish")
        }
        return result
    }
}
