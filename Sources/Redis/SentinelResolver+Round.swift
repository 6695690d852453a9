import Logging
import Sockets
import TLS

/// A round of questions to the sentinels (the Redis Sentinel client guidelines' steps 1-3): every
/// sentinel in turn until one names a server that really is the master, within one deadline,
/// and the sentinel that led there moved to the front for next time.
extension SentinelResolver {
    /// Why a round's candidate was not used: counted under `reason`, `detail` for the log, `error`
    /// for the caller when no candidate was usable.
    struct Refusal: Error {
        var reason: FailureReason
        var detail: String
        var error: RedisError
    }

    /// A round that found nothing usable: every sentinel's problem, and the candidates refused.
    struct RoundFailure: Error {
        var problems: [String] = []
        var refusals: [Refusal] = []
        var cancelled = false
    }

    /// One round: asks the sentinels in the current order until `use` accepts one's answer, all
    /// within one ``SentinelConfiguration/roundTimeout``. Every refused answer is counted and
    /// logged; the sentinels left when the deadline passes are skipped (named in the error).
    func round<T>(
        cancellation: CancellationToken?,
        use: (_ address: SocketEndpoint, _ deadline: Deadline) -> Result<T, Refusal>
    ) -> Result<(value: T, sentinel: SocketEndpoint), RoundFailure> {
        let deadline = Deadline(after: configuration.roundTimeout)
        var failure = RoundFailure()
        let sentinels = sentinelOrder
        for (index, sentinel) in sentinels.enumerated() {
            if cancellation?.isCancelled == true {
                failure.cancelled = true
                return .failure(failure)
            }
            if deadline.hasPassed {
                let skipped = sentinels[index...].map { "\($0)" }.joined(separator: ", ")
                failure.problems.append(
                    "the \(RedisError.milliseconds(configuration.roundTimeout)) ms round deadline passed before \(skipped) could be asked"
                )
                break
            }
            let answer = ask(sentinel, deadline: deadline, cancellation: cancellation)
            if cancellation?.isCancelled == true {
                // A shutdown, not the sentinel's fault: nothing is counted.
                failure.cancelled = true
                return .failure(failure)
            }
            switch answer {
            case .failure(let problem):
                record(problem.reason, detail: problem.description, sentinel: sentinel)
                failure.problems.append("\(sentinel): \(problem)")
            case .success(let address):
                switch use(address, deadline) {
                case .success(let value):
                    allFailedAt.withLock { $0 = nil }
                    return .success((value, sentinel))
                case .failure(let refusal):
                    if cancellation?.isCancelled == true {
                        failure.cancelled = true
                        return .failure(failure)
                    }
                    record(refusal.reason, detail: refusal.detail, sentinel: sentinel)
                    failure.problems.append("\(sentinel): \(refusal.detail)")
                    failure.refusals.append(refusal)
                }
            }
        }
        allFailedAt.withLock { $0 = Deadline.monotonicNow() }
        return .failure(failure)
    }

    /// The error a failed round gives its caller: a credentials or TLS problem at a named master
    /// as it is (configuration must fix it), else every sentinel's problem in one line.
    func error(for failure: RoundFailure) -> RedisError {
        if failure.cancelled {
            return .io(reason: "Sentinel master \"\(configuration.masterName)\": cancelled (shutting down)")
        }
        if let refusal = failure.refusals.last(where: { $0.error.isConfigurationProblem }) { return refusal.error }
        return .connect(
            endpoint: "Sentinel master \"\(configuration.masterName)\"",
            reason: "no sentinel named a usable master (\(failure.problems.joined(separator: "; ")))")
    }

    /// Connects to `address` with `base`'s settings and checks that it says `ROLE` master, all
    /// before `deadline`; the connection when it does, else why not.
    func verifiedMaster(
        at address: SocketEndpoint, base: RedisConfiguration, tlsContext: TLSClientContext?,
        discardRepliesAbove: Int?, cancellation: CancellationToken?, deadline: Deadline, logger: Logger
    ) -> Result<RedisConnection, Refusal> {
        var settings = base
        settings.endpoint = address
        let connection: RedisConnection
        do {
            connection = try RedisConnection(
                configuration: settings, tlsContext: tlsContext, discardRepliesAbove: discardRepliesAbove,
                cancellation: cancellation, notAfter: deadline, logger: logger)
        } catch {
            let mapped = error as? RedisError ?? .io(reason: "\(error)")
            return .failure(Refusal(reason: .masterUnreachable, detail: "named \(address): \(mapped)", error: mapped))
        }
        let role: String
        do {
            role = try self.role(of: connection, notAfter: deadline)
        } catch {
            connection.close()
            let mapped = error as? RedisError ?? .io(reason: "\(error)")
            return .failure(
                Refusal(reason: .masterUnreachable, detail: "named \(address): ROLE: \(mapped)", error: mapped))
        }
        if role == "master" { return .success(connection) }
        connection.close()
        let detail = "named \(address), whose ROLE is \(RedisError.sanitizedServerText(role)), not master"
        return .failure(Refusal(reason: .notMaster, detail: detail, error: .server(command: "ROLE", message: detail)))
    }

    /// Moves `sentinel` to the front of the order (its answer led to the master), keeping the
    /// others' order.
    func promote(_ sentinel: SocketEndpoint) {
        order.withLock { order in
            guard let index = order.firstIndex(of: sentinel), index > 0 else { return }
            order.remove(at: index)
            order.insert(sentinel, at: 0)
        }
    }
}
