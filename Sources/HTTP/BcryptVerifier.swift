import Synchronization
import TLS

/// Checks passwords against bcrypt hashes on a thread of its own (an ``HTTPWorkThread``), one at
/// a time: a check takes tens of milliseconds by design, which must never run on an HTTP loop
/// thread, and one at a time keeps a flood of wrong passwords to one core (as exporter-toolkit's
/// lock does).
///
/// The queue holds at most ``capacity`` checks; ``submit(password:hash:completion:)`` refuses
/// more, so a flood cannot queue work (or memory) without bound.
final class BcryptVerifier: Sendable {
    /// A password waiting for its check, wiped once checked.
    private final class Secret: Sendable {
        let bytes: Mutex<[UInt8]>
        init(_ bytes: [UInt8]) { self.bytes = Mutex(bytes) }
    }

    private let worker: HTTPWorkThread

    /// The most checks waiting at once.
    var capacity: Int { worker.capacity }

    init(capacity: Int = 32) {
        worker = HTTPWorkThread(name: "bcrypt", capacity: capacity)
    }

    /// Starts the thread.
    func start() throws { try worker.start() }

    /// Queues a check; `completion` runs on the verifier thread with the outcome. False (and no
    /// call) when ``capacity`` checks are already waiting or the verifier has stopped.
    func submit(password: [UInt8], hash: String, completion: @escaping @Sendable (Bool) -> Void) -> Bool {
        let secret = Secret(password)
        return worker.submit(
            {
                let ok = secret.bytes.withLock { password -> Bool in
                    defer { for i in password.indices { password[i] = 0 } }
                    return Bcrypt.verify(password: password, hash: hash)
                }
                completion(ok)
            },
            cancel: {
                secret.bytes.withLock { password in for i in password.indices { password[i] = 0 } }
                completion(false)
            })
    }

    /// Stops the thread after the check in progress; checks still queued are answered false.
    func stop() { worker.stop() }
}
